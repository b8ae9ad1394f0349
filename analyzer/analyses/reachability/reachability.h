/* Reachability of heaps (DESIGN.md "Reachable heap"): the mark phase of a conservative collector
 * over the dump. Roots are thread registers, thread stacks and writable sections of loaded modules;
 * a heap is reachable if its handle appears, as an aligned pointer-sized word, in a root or in the
 * user data of a busy block of a reachable heap. The process heap always is. References from the
 * PEB heap array and its stale copies, from free blocks and from heap metadata do not count.
 * One pass over the roots and over each reachable heap's busy blocks (or over every heap's, ahead
 * and on several threads: hs_reach_prescan), with a range test and a hash-set lookup per word.
 * Where the dump lacks the memory to decide, heaps not proven reachable are "unknown". */
#ifndef HS_REACHABILITY_H
#define HS_REACHABILITY_H

#include "heap.h"

typedef enum hs_reachability {
    HS_REACH_UNKNOWN = 0,
    HS_REACH_REACHABLE = 1,
    HS_REACH_ORPHANED = 2,
} hs_reachability;

typedef struct hs_reach_result {
    bool known;                 /* the roots and the reachable heaps are all in the dump */
    const char *unknown_reason; /* why not, for a person (NULL when known) */
    hs_reachability *state;     /* per heap, in heapset order */
    const char *
        *evidence; /* per heap: the first reference found ("stack of thread 0x5d4 at 0x…") */
    size_t reachable, orphaned, unknown;
    uint64_t words_scanned; /* pointer-sized words examined */
    hs_arena *arena;
} hs_reach_result;

/* Computes reachability for every heap of set. NULL when out of memory. */
hs_reach_result *hs_reachability_compute(const hs_dump *dump, const hs_address_space *as,
                                         const hs_heapset *set);

/* The same in steps, so that the costly part — reading every busy block for heap handles — can be
 * done heap by heap on several threads, while each heap's memory is read for other analyses too:
 * prepare, then prescan any heaps (each at most once, from any thread, `seen` a zeroed scratch of
 * set->count bytes per thread, zeroed again on return), then finish walks the graph from the roots,
 * using a heap's prescan instead of scanning it. The result is the same whichever heaps were
 * prescanned. prepare returns NULL when out of memory; finish frees the preparation. */
typedef struct hs_reach_prep hs_reach_prep;
hs_reach_prep *hs_reach_prepare(const hs_dump *dump, const hs_address_space *as,
                                const hs_heapset *set);
void hs_reach_prescan(hs_reach_prep *p, const hs_address_space *as, size_t heap, uint8_t *seen);
hs_reach_result *hs_reach_finish(hs_reach_prep *p);
void hs_reach_result_free(hs_reach_result *r);
const char *hs_reachability_name(hs_reachability r);

#endif
