/* Shared by the parts of the heap walker (heap_walk.c, heap_walk_parallel.c, heap_lfh.c,
 * heap_freelist.c, heap_lookaside.c). */
#ifndef HS_HEAP_WALK_INTERNAL_H
#define HS_HEAP_WALK_INTERNAL_H

#include "heap.h"
#include "heap_checks.h"

/* One decoded _HEAP_ENTRY. */
typedef struct hs_entry {
    uint16_t size; /* granules */
    uint16_t previous_size;
    uint8_t flags, small_tag, segment, unused;
    bool checksum_ok; /* Vista+ encoded heaps: SmallTagIndex == b0^b1^b2; always true otherwise */
    uint8_t raw[8];
} hs_entry;

typedef struct walk_ctx {
    const hs_dump *dump;
    const hs_heapset *set; /* for the sieve's filter */
    const hs_address_space *as;
    hs_arena *arena;
    hs_heap *h;
    const hs_heap_layout *l;
    size_t block_cap, error_cap, gap_cap, missing_cap, skipped_cap, sieve_word_cap, sieve_range_cap;
    uint64_t *blocks_budget; /* shared by all heaps of the dump */
    uint64_t blocks_limit;   /* the budget's start, for the message */
    struct walk_pool *pool;  /* several threads: where a spent budget is refilled from; NULL: one */
    /* What this heap took, whatever budget or pool it came from (heap_walk_parallel.c). */
    uint64_t blocks_held, blocks_peak, steps_used, errors_used;
    bool errors_limited;  /* an error was dropped, or recorded with the errors budget spent */
    bool budget_reported; /* this heap has its "too many blocks" error */
    uint64_t
        *steps_budget; /* entries, resynchronisation probes and list elements, all heaps together */
    uint64_t
        *errors_budget; /* integrity errors recorded, all heaps together (HS_MAX_ERRORS_TOTAL) */
    uint64_t steps_limit;
    bool steps_reported;
    bool out_of_memory;
} walk_ctx;

/* The budgets left to the threads of a parallel walk, drawn in chunks (heap_walk_parallel.c). */
typedef struct walk_pool {
    _Atomic uint64_t blocks, steps, errors;
} walk_pool;
/* Takes up to a chunk of a spent budget from the pool into *budget; false when the pool is empty.
 */
bool walk_refill(_Atomic uint64_t *pool, uint64_t *budget, uint64_t chunk);

/* The work budgets of one dump's walk, shared by its heaps in list order (hs_heaps_walk). */
typedef struct walk_budgets {
    uint64_t blocks, blocks_limit; /* block records left, and the start */
    uint64_t steps, steps_limit;   /* entries, probes and list elements left, and the start */
    uint64_t errors;               /* integrity errors that may still be recorded in full */
} walk_budgets;

/* Reads [from, to) of a segment ahead of the walk, noting in c->h->sieve the words that may hold a
 * heap handle (heap_sieve.c): the walk then finds its headers in the cache. */
void walk_sieve(walk_ctx *c, uint64_t from, uint64_t to);
/* Frees a sieve's notes and empties it (not usable): a heap that gives its sieve up, or is cleared.
 */
void walk_sieve_release(hs_heap_sieve *s);
/* Puts the sieve of a walked heap in order (sorted, disjoint), or gives it up. */
void walk_sieve_finish(hs_heap *h);
/* Frees what a walk put in h and zeroes it. */
void walk_heap_clear(hs_heap *h);
/* Walks the heap `ref` into c->h: its blocks sorted, its totals counted. */
void walk_heap(walk_ctx *c, const hs_heap_ref *ref, const hs_process *p);
/* Walks the heaps of the process on several threads (heap_walk_parallel.c; `threads` as for
 * hs_heaps_walk_with) and keeps the leading heaps whose walk is exactly what one thread walking
 * them in order would produce, taking their work from b; returns how many (set->count), the rest
 * left empty for the caller to walk in order. 0 when threads do not pay or cannot be had. */
size_t walk_heaps_parallel(hs_heapset *set, const hs_dump *dump, const hs_address_space *as,
                           const hs_process *process, unsigned threads, walk_budgets *b);

/* Reads and decodes the entry header at addr. HS_ERR_NOT_PRESENT when its bytes are absent. */
hs_status walk_read_entry(walk_ctx *c, uint64_t addr, hs_entry *e);
/* Appends a block; false when the block budget or memory is exhausted. */
bool walk_push_block(walk_ctx *c, const hs_block *b);
/* Records an integrity error. expected/found are short values, detail a sentence. */
void walk_error(walk_ctx *c, uint64_t addr, const char *check, const char *expected,
                const char *found, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Records that the walk needed [addr, addr+size) and the dump does not hold it. */
void walk_missing(walk_ctx *c, uint64_t addr, uint64_t size);
/* Takes one step of the walk's work budget (shared by all heaps of the dump); false, with one
 * list_limit error per heap naming where it stopped, once the budget is spent. */
bool walk_step(walk_ctx *c, uint64_t at);
/* Reads a pointer of the layout's size. */
hs_status walk_read_ptr(walk_ctx *c, uint64_t va, uint64_t *out);

/* Visits the elements of a LIST_ENTRY list whose head is at `head`, checking Blink back-links and
 * stopping on a cycle or at the step limit (each recorded as an error naming `list_name`). visit
 * returns false to stop early. Returns the number of elements visited. */
typedef bool (*walk_list_visit)(walk_ctx *c, uint64_t element, void *arg);
size_t walk_list(walk_ctx *c, uint64_t head, const char *list_name, walk_list_visit visit,
                 void *arg);

/* Resolves LFH UserBlocks containers into their chunks (heap_lfh.c). */
void walk_lfh(walk_ctx *c);
/* Validates the free lists against the walked blocks (heap_freelist.c). */
void walk_free_lists(walk_ctx *c);
/* XP/2003: marks the look-aside table internal and the blocks on its lists cached, checking each
 * element's size and each list's depth (heap_lookaside.c). Needs the blocks sorted. */
void walk_lookaside(walk_ctx *c);

#endif
