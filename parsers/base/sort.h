/* Sorting of parsed tables. Writers list memory ranges and regions in address order, so the usual
 * input is sorted already: checking that costs one pass, where glibc's qsort (a merge sort copying
 * every element) cost a third of `info` on a dump with 12,000 ranges. */
#ifndef HS_SORT_H
#define HS_SORT_H

#include <stddef.h>

/* qsort(base, n, size, cmp), skipped when the elements are already in order by cmp. */
void hs_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
