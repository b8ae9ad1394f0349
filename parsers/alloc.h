/* Every heap allocation of the tool goes through these, so a test can make the Nth one fail and
 * check that each error path frees what it took (ASan/LSan clean) and reports instead of crashing. */
#ifndef HS_ALLOC_H
#define HS_ALLOC_H

#include <stddef.h>

void *hs_malloc(size_t n);
void *hs_calloc(size_t count, size_t size);
void *hs_realloc(void *p, size_t n);
char *hs_strdup(const char *s);
void hs_free(void *p);

/* Test hook: allow `n` more allocations, then fail every one (n < 0 turns failures off). */
void hs_alloc_fail_after(long n);
/* Allocations made so far (for choosing n). */
long hs_alloc_count(void);

#endif
