/* Reachability of heaps (DESIGN.md "Reachable heap"): the mark phase of a conservative collector
 * over the dump. Roots are thread registers, thread stacks and writable sections of loaded modules;
 * a heap is reachable if its handle appears, as an aligned pointer-sized word, in a root or in the
 * user data of a busy block of a reachable heap. The process heap always is. References from the
 * PEB heap array and its stale copies, from free blocks and from heap metadata do not count.
 * One pass over the roots and over each reachable heap's busy blocks, with a hash-set lookup per
 * word. Where the dump lacks the memory to decide, heaps not proven reachable are "unknown". */
#ifndef HS_REACHABILITY_H
#define HS_REACHABILITY_H

#include "heap/heap.h"

typedef enum hs_reachability {
    HS_REACH_UNKNOWN = 0,
    HS_REACH_REACHABLE = 1,
    HS_REACH_ORPHANED = 2,
} hs_reachability;

typedef struct hs_reach_result {
    bool known;                 /* the roots and the reachable heaps are all in the dump */
    const char *unknown_reason; /* why not, for a person (NULL when known) */
    hs_reachability *state;     /* per heap, in heapset order */
    const char **evidence;      /* per heap: the first reference found ("stack of thread 0x5d4 at 0x…") */
    size_t reachable, orphaned, unknown;
    uint64_t words_scanned;     /* pointer-sized words examined */
    hs_arena *arena;
} hs_reach_result;

/* Computes reachability for every heap of set. NULL when out of memory. */
hs_reach_result *hs_reachability_compute(const hs_dump *dump, const hs_address_space *as, const hs_heapset *set);
void hs_reach_result_free(hs_reach_result *r);
const char *hs_reachability_name(hs_reachability r);

#endif
