/* Every heap allocation of the tool goes through these, so a test can make the Nth one fail and
 * check that each error path frees what it took (ASan/LSan clean) and reports instead of crashing.
 */
#ifndef HS_ALLOC_H
#define HS_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

void *hs_malloc(size_t n);
void *hs_calloc(size_t count, size_t size);
void *hs_realloc(void *p, size_t n);
char *hs_strdup(const char *s);
void hs_free(void *p);

/* Makes room for one more element in *arr (count used, *cap allocated, elem bytes each), doubling
 * the capacity (overflow-checked) when it is full. false when out of memory; *arr stays valid. */
bool hs_grow(void **arr, size_t *cap, size_t count, size_t elem);

/* Test hook: allow `n` more allocations, then fail every one (n < 0 turns failures off). */
void hs_alloc_fail_after(long n);
/* Allocations made so far (for choosing n). */
long hs_alloc_count(void);

/* Test hooks for memory bounds: hs_alloc_track(true) zeroes the counters and from then on counts
 * the bytes held by hs_* allocations (as the allocator sizes them); only blocks taken while
 * tracking should be freed while tracking. hs_alloc_peak_reset returns the most bytes held at once
 * since the last reset and starts a new peak from what is held now. */
void hs_alloc_track(bool on);
long long hs_alloc_live_bytes(void);
long long hs_alloc_peak_reset(void);

#endif
