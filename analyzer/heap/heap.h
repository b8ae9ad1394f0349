/* Heaps of a process, walked the way `!heap` does: the library API the analyses call.
 *
 * hs_heaps_walk() finds every heap (process model: PEB → ProcessHeaps, WoW64 PEB32 included,
 * reconstructed by signature when the list is absent), walks each NT heap's segments entry by
 * entry, skips uncommitted ranges, lists large (virtual-alloc) blocks, resolves LFH subsegments
 * into their chunks, validates free lists, and records every integrity error with the check it
 * broke. Missing memory is recorded as missing, never as corruption. Segment heaps are detected
 * and their committed memory counted; their blocks cannot be enumerated without ntdll's keys
 * (heap-internals.md §5).
 *
 * Counting follows DESIGN.md "Blocks": busy blocks are allocations (backend, LFH chunks and large
 * blocks), free blocks are free entries (backend and LFH); heap/segment headers, UCR sentinels,
 * BlocksIndex, LFH containers and the XP look-aside table are internal and listed apart. Blocks
 * parked on XP look-aside lists stay busy, as HeapWalk reports them, and are marked `cached`.
 * Sizes include the header. */
#ifndef HS_HEAP_H
#define HS_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "address_space.h"
#include "handle_filter.h"
#include "heap_layout.h"
#include "minidump.h"
#include "process.h"

typedef enum hs_block_state {
    HS_BLOCK_BUSY = 0,
    HS_BLOCK_FREE = 1,
    HS_BLOCK_INTERNAL = 2,
} hs_block_state;

typedef enum hs_block_kind {
    HS_BLOCK_BACKEND = 0,
    HS_BLOCK_LFH = 1,     /* a chunk of an LFH subsegment */
    HS_BLOCK_VIRTUAL = 2, /* a large block from VirtualAllocdBlocks */
} hs_block_kind;

#define HS_REQUESTED_UNKNOWN UINT64_MAX

typedef struct hs_block {
    uint64_t address;     /* the entry (header) address; user data follows one granule later */
    uint64_t size;        /* bytes including the header */
    uint64_t requested;   /* bytes the caller asked for, or HS_REQUESTED_UNKNOWN */
    uint8_t flags;        /* decoded _HEAP_ENTRY.Flags */
    uint8_t unused_bytes; /* decoded UnusedBytes */
    uint8_t state;        /* hs_block_state */
    uint8_t kind;         /* hs_block_kind */
    uint16_t segment;     /* index into the heap's segments; 0xFFFF for large blocks */
    bool cached;          /* on an XP look-aside list: busy in its header (and counted busy, as
                             HeapWalk does) but freed by the application (heap-internals.md §4.2) */
} hs_block;

/* A block the application holds: busy and not parked on a look-aside list. What the analyses
 * (property blocks, MAPI attribution, reachability roots) read as live data. */
static inline bool hs_block_in_use(const hs_block *b)
{
    return b->state == HS_BLOCK_BUSY && !b->cached;
}

typedef struct hs_heap_segment {
    uint64_t address; /* the _HEAP_SEGMENT (== heap handle for the first) */
    uint64_t base;
    uint64_t first_entry, last_valid_entry;
    uint32_t pages, uncommitted_pages, uncommitted_ranges;
} hs_heap_segment;

typedef struct hs_range {
    uint64_t address;
    uint64_t size;
} hs_range;

typedef struct hs_integrity_error {
    uint64_t address;
    const char *check; /* stable name: "header_checksum", "previous_size", … (see heap_checks.h) */
    char expected[40];
    char found[40];
    const char *detail; /* a sentence for a person */
} hs_integrity_error;

/* The words of a heap's segments that may hold a heap handle (util/handle_filter.h), noted while
 * the walk reads each segment into the cache (heap_sieve.c): reachability then looks at those
 * words of the heap's blocks instead of reading every word of them again. */
typedef struct hs_heap_sieve {
    hs_range *covered; /* the memory sieved: sorted by address, disjoint */
    size_t covered_count;
    uint64_t *words; /* addresses of the words that may hold a handle, sorted */
    size_t word_count;
    uint64_t sieved_bytes;
    bool usable; /* false: no notes (or too many to keep); read the memory */
} hs_heap_sieve;

typedef struct hs_heap {
    uint64_t handle;
    unsigned peb_index; /* which PEB listed it (hs_process.pebs) */
    int list_index;     /* position in PEB.ProcessHeaps, -1 when found by signature */
    const hs_heap_layout
        *layout; /* NULL for segment heaps and heaps that could not be identified */
    bool segment_heap;
    bool identified; /* a known heap signature was found at the handle */
    uint32_t flags, force_flags;
    uint8_t front_end_type; /* 0 backend, 1 look-aside, 2 LFH */
    uint64_t front_end_heap;
    bool encoded;
    uint8_t key[8];
    uint64_t total_free_size; /* bytes, from the header */

    hs_heap_segment *segments;
    size_t segment_count;
    hs_range *uncommitted; /* uncommitted ranges skipped by the walk */
    size_t uncommitted_count;
    hs_range *missing; /* ranges the walk needed that the dump does not hold */
    size_t missing_count;
    hs_range *skipped; /* ranges passed over after damage, up to where the walk resynchronised */
    size_t skipped_count;
    hs_block *blocks; /* sorted by address, LFH chunks and large blocks included */
    size_t block_count;
    hs_integrity_error *errors;
    size_t error_count;
    bool walk_complete; /* every segment reached its end with all memory present */

    /* Totals (DESIGN.md "Blocks"). */
    uint64_t reserved, committed; /* segments: pages·4096, committed pages·4096 */
    uint64_t
        committed_memory_info; /* MEM_COMMIT bytes of the heap's allocations (MemoryInfoList) */
    uint64_t busy_blocks, busy_bytes, free_blocks, free_bytes;
    uint64_t internal_blocks, internal_bytes;
    uint64_t virtual_blocks, virtual_bytes;
    uint64_t lfh_blocks, lfh_busy_blocks, lfh_free_blocks;
    uint64_t lookaside_blocks, lookaside_bytes; /* busy blocks parked on XP look-aside lists */
    hs_heap_sieve sieve;
} hs_heap;

/* One address range owned by a heap (a segment, a large block, a segment heap's reservation). */
typedef struct hs_heap_range {
    uint64_t start, end; /* [start, end) */
    size_t heap;         /* index into hs_heapset.heaps */
} hs_heap_range;

/* Threads that walk the heaps of one large dump at most (heap_walk_parallel.c). */
enum { HS_WALK_MAX_THREADS = 8 };

typedef struct hs_heapset {
    hs_process *process;
    hs_heap *heaps;
    size_t count;
    hs_heap_range *ranges; /* sorted by start, for address → heap lookups in O(log n) */
    size_t range_count;
    hs_arena *arena;                              /* strings of errors and details */
    hs_arena *thread_arenas[HS_WALK_MAX_THREADS]; /* the same, made by the walk's threads */
    /* What the heaps' sieves looked for: the filter of every handle in the process's heap list,
     * words of sieve_width bytes (0: no sieve), and with sieve_halves their 4-byte halves too. */
    hs_handle_filter sieve_filter;
    unsigned sieve_width;
    bool sieve_halves;
    uint64_t sieve_notes_per_heap; /* a heap with more notes gives its sieve up (heap_sieve.c) */
} hs_heapset;

/* Walks every heap of the process. process must outlive the result. NULL when out of memory. */
hs_heapset *hs_heaps_walk(const hs_dump *dump, const hs_address_space *as, hs_process *process);
/* The same with a choice of threads: 0 lets the walk decide (several for a dump of 16 MiB or
 * more, as many as there are processors, at most HS_WALK_MAX_THREADS), 1 walks in order on this
 * thread, N >= 2 uses N whatever the size. The result is the same in every case. */
hs_heapset *hs_heaps_walk_with(const hs_dump *dump, const hs_address_space *as, hs_process *process,
                               unsigned threads);
/* Frees the walk. Accepts NULL. */
void hs_heapset_free(hs_heapset *set);

/* The heap with this handle, or NULL. */
const hs_heap *hs_heapset_find(const hs_heapset *set, uint64_t handle);
/* The heap whose segments or large blocks contain addr, or NULL (binary search). */
const hs_heap *hs_heapset_heap_containing(const hs_heapset *set, uint64_t addr);
/* The block of heap h whose [address, address+size) contains addr, or NULL (binary search). */
const hs_block *hs_heap_block_containing(const hs_heap *h, uint64_t addr);
/* When h's sieve covers all of [lo, hi): true, and the noted words in it are h->sieve.words[*first]
 * up to (not including) h->sieve.words[*end]. False when [lo, hi) must be read. */
bool hs_heap_sieve_words(const hs_heap *h, uint64_t lo, uint64_t hi, size_t *first, size_t *end);
/* Human names of a heap's creation flags ("GROWABLE|CLASS_1"), written to buf. */
void hs_heap_flag_names(uint32_t flags, char *buf, size_t size);

#endif
