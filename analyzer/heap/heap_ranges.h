/* Work over the heaps of a dump split into contiguous ranges, one thread each: for the analyses
 * whose per-heap results do not depend on each other (the property scan, the MAPI evidence). */
#ifndef HS_HEAP_RANGES_H
#define HS_HEAP_RANGES_H

#include "heap.h"

enum { HS_MAX_WORKERS = HS_WALK_MAX_THREADS };

/* Called once per range [first, end) of heaps, on some thread, with an address space of its own;
 * worker is the range's index (ranges are in heap order: worker k's heaps precede worker k+1's). */
typedef void (*hs_heap_range_fn)(void *ctx, unsigned worker, const hs_address_space *as,
                                 size_t first, size_t end);

/* How many workers to use for threads as in hs_scan_options (0: one per processor for a dump of
 * 16 MiB or more, else 1; 1; N), at most HS_MAX_WORKERS and at most one per heap. */
unsigned hs_workers_for(const hs_address_space *as, size_t heaps, unsigned threads);

/* Splits set's heaps into `workers` ranges of about equal block counts and runs fn over each: the
 * first on this thread, the others on threads of their own (a range whose thread or view cannot
 * be had runs here afterwards, so fn always covers every heap once). Returns when all are done. */
void hs_for_heap_ranges(const hs_heapset *set, const hs_address_space *as, unsigned workers,
                        hs_heap_range_fn fn, void *ctx);

#endif
