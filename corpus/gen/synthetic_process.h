/* A small Windows process (XP SP3 x86, Windows 7 SP1 x86 or x64) built in memory for end-to-end
 * tests of the analyses: NT heaps laid out per heap-internals.md §3.6 (encoded entries, one
 * segment, a UCR sentinel, one free block on the free list), a PEB with its heap list, threads with
 * stacks and contexts, modules with a writable data region, and a MemoryInfoList describing all of
 * it. Independent of the corpus generator, so the analyses are checked against two constructions.
 */
#ifndef HS_TEST_SYNTHETIC_PROCESS_H
#define HS_TEST_SYNTHETIC_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dump_builder.h"

enum { SYNTH_MAX_REGIONS = 8192, SYNTH_MAX_HEAPS = 8192, SYNTH_MAX_MODULES = 8 };

typedef struct synth_region {
    uint64_t base;
    uint32_t size;          /* committed, present bytes */
    uint32_t reserve;       /* allocation size (>= size) */
    uint32_t type, protect; /* MEM_PRIVATE/MEM_IMAGE, PAGE_* */
    uint8_t *bytes;         /* NULL: committed but not captured (no memory in the dump) */
} synth_region;

typedef struct synth_module {
    const char *name;
    uint64_t base;
    uint32_t size;
    uint64_t data_base; /* writable data region (MEM_IMAGE, PAGE_READWRITE) */
    uint32_t data_size;
    uint32_t version_ms, version_ls;
} synth_module;

typedef struct synth {
    synth_region regions[SYNTH_MAX_REGIONS];
    size_t region_count;
    synth_module modules[SYNTH_MAX_MODULES];
    size_t module_count;
    uint64_t heaps[SYNTH_MAX_HEAPS];
    size_t heap_count;
    uint64_t stack_base;
    uint32_t stack_size;
    uint64_t thread_reg;   /* a register root (eax / rax) */
    bool memory_list_only; /* write no MemoryInfoList and no module data (reachability unknown) */
    unsigned ptr;          /* 4: x86, 8: x64 */
    bool xp;    /* Windows XP SP3 x86: NT5 heaps (Segments[], FreeLists[128], no encoding) */
    bool win10; /* Windows 10 19041 x64 heap layout (set after synth_init(s, 8)) */
    uint64_t teb, peb, heap_list;
    uint32_t exception_code; /* 0: no Exception stream */
    uint64_t exception_address;
    bool memory_last;   /* lay the Memory64List bytes out after every other stream, as
                           MiniDumpWriteDump does (needed past 4 GB: stream RVAs are 32-bit) */
    size_t last_region; /* the region the last write landed in (a lookup cache) */
    /* Released address ranges (a destroyed heap's reservation): the MemoryInfoList describes every
     * address not in a region as MEM_FREE anyway; these are checked to lie in such a gap. */
    struct {
        uint64_t base, size;
    } released[4];
    size_t released_count;
} synth;

/* A process with a TEB, a PEB, one thread and its stack; the first heap added is the process heap.
 * ptr is 4 (x86) or 8 (x64). */
void synth_init(synth *s, unsigned ptr);
/* The same for Windows XP SP3 x86 (heap-internals.md §3.5). */
void synth_init_xp(synth *s);
/* Adds a committed region and returns its bytes (zeroed). */
uint8_t *synth_region_add(synth *s, uint64_t base, uint32_t size, uint32_t reserve, uint32_t type,
                          uint32_t protect);
/* Places PEB.ProcessHeaps at va (inside some region) with MaximumNumberOfHeaps max. */
void synth_heap_list_at(synth *s, uint64_t va, uint32_t max);
/* Records [base, base+size) as released (MEM_FREE in the MemoryInfoList, no memory); finishing
 * aborts if a region covers any of it. */
void synth_released(synth *s, uint64_t base, uint64_t size);
/* Adds committed private memory that the dump describes (MemoryInfoList, PAGE_NOACCESS) but does
 * not hold, as MiniDumpWriteDump leaves out committed pages it cannot read. */
void synth_uncaptured(synth *s, uint64_t base, uint32_t size);
/* Writes bytes / a u32 / a pointer at a virtual address inside some region (aborts outside). */
void synth_write(synth *s, uint64_t va, const void *data, size_t n);
void synth_put32(synth *s, uint64_t va, uint32_t v);
void synth_put_ptr(synth *s, uint64_t va, uint64_t v);
/* Reads back a pointer written earlier (aborts outside every region). */
uint64_t synth_get_ptr(const synth *s, uint64_t va);
/* Adds a heap at base (64 KB aligned) with busy blocks of the given total sizes (header
 * included, multiples of the granularity: 8 x86, 16 x64); user data addresses are returned in
 * user[]. flags: 0x2 (process heap) or 0x1002 (HeapCreate). */
void synth_heap(synth *s, uint64_t base, uint32_t flags, const uint32_t *sizes, size_t n,
                uint64_t *user);
/* XP heaps created growable and serialised (flags 0x2 without 0x1) hold the look-aside table as
 * their first block (heap-internals.md §4.2). synth_lookaside_push frees the busy block whose user
 * data is at `user` to the look-aside list of its size, as RtlFreeHeap does for a block of fewer
 * than 128 granules: its header stays busy, its first pointer links to the previous head. Aborts
 * when the heap has no table, the block is too large or the list is at its Depth (4). */
void synth_lookaside_push(synth *s, uint64_t heap, uint64_t user);
/* The general form of synth_heap for the Vista+ layouts: one segment reserving `reserve` bytes (a
 * multiple of 64 KB) of which `commit` (a multiple of the page, < reserve; 0: just enough) are
 * committed; the blocks of sizes[] in order, free where is_free[i] (NULL: all busy), then a free
 * block up to the UCR sentinel, which must be at least two granules. Every free block is on the
 * free list in ascending size order (heap-internals.md §3.8) and counted in TotalFreeSize. Two free
 * blocks must not touch (the heap coalesces them), so the last of sizes[] must be busy. user[]
 * receives the user data address of every block, busy or free. synth_heap(s, base, flags, sizes, n,
 * user) is synth_heap_ex(s, base, flags, 0x10000, 0, sizes, NULL, n, user). */
void synth_heap_ex(synth *s, uint64_t base, uint32_t flags, uint32_t reserve, uint32_t commit,
                   const uint32_t *sizes, const bool *is_free, size_t n, uint64_t *user);
/* Bytes of a heap's own structures outside its entries: the header block and the UCR sentinel. */
uint32_t synth_heap_overhead(const synth *s);
/* The bytes at [va, va + n) for direct writes (aborts unless one region holds them all). */
uint8_t *synth_bytes(synth *s, uint64_t va, size_t n);
/* Adds a large (virtual-alloc) block of `commit` bytes at the page-aligned address va to the Vista+
 * heap at base, holding `requested` bytes of user data (heap-internals.md §3.4, §3.7). Returns the
 * user data address. */
uint64_t synth_virtual_block(synth *s, uint64_t base, uint64_t va, uint32_t commit,
                             uint32_t requested);
/* Turns the busy block whose user data is at `user` (of size `size` bytes, header included) into a
 * Windows 7 LFH UserBlocks container (heap-internals.md §4.3): internal flags 0x09, a
 * _HEAP_USERDATA_HEADER, `count` chunks of `chunk` bytes whose busy state is bit i of `busy`, and a
 * _HEAP_SUBSEGMENT at `subsegment` (which must lie in some region). */
void synth_lfh_win7(synth *s, uint64_t user, uint32_t size, uint32_t chunk, unsigned count,
                    uint64_t busy, uint64_t subsegment);
/* The same for Windows 8+ x64 (heap-internals.md §4.4): a UserBlocks header with EncodedOffsets and
 * a busy bitmap (chunks from +0x40), the Win8+ _HEAP_SUBSEGMENT offsets; at most 64 chunks. */
void synth_lfh_win8(synth *s, uint64_t user, uint32_t size, uint32_t chunk, unsigned count,
                    uint64_t busy, uint64_t subsegment);
/* Damages the heap at base (built by synth_heap with at least three busy blocks whose user data
 * addresses are in user[]) the way heap misuse does. kind: "previous_size" (block 2's
 * PreviousSize), "header_checksum" (block 2's checksum byte; Vista+ only), "past_segment_end"
 * (block 3's Size), "free_list_link" (the free block's Blink). Returns the address the walker must
 * report, or 0 when the kind does not apply to this OS. */
uint64_t synth_corrupt(synth *s, uint64_t base, const uint64_t *user, const char *kind);
/* Adds a module image whose code/vtables live at [base, base+size) and whose data region follows.
 */
void synth_module_add(synth *s, const char *name, uint64_t base, uint32_t size, uint32_t version_ms,
                      uint32_t version_ls);
/* Writes the dump into b (db_init is called here). */
void synth_finish(synth *s, dump_builder *b);
/* Writes the dump to f without a second copy of the memory in b: with memory_last, header and
 * streams first, then each region's bytes straight from the region (what large dumps need);
 * otherwise the bytes synth_finish makes. Returns 0, or -1 when a write fails (errno set). */
int synth_write_file(synth *s, FILE *f);
void synth_free(synth *s);

#endif
