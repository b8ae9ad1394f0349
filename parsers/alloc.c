#include "alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long remaining = -1; /* < 0: never fail */
static atomic_long made;

static int allowed(void)
{
    atomic_fetch_add_explicit(&made, 1, memory_order_relaxed);
    if (atomic_load_explicit(&remaining, memory_order_relaxed) < 0)
        return 1;
    return atomic_fetch_sub_explicit(&remaining, 1, memory_order_relaxed) > 0;
}

void *hs_malloc(size_t n) { return allowed() ? malloc(n ? n : 1) : NULL; }
void *hs_calloc(size_t count, size_t size) { return allowed() ? calloc(count ? count : 1, size ? size : 1) : NULL; }
void *hs_realloc(void *p, size_t n) { return allowed() ? realloc(p, n ? n : 1) : NULL; }
void hs_free(void *p) { free(p); }

char *hs_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = hs_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

bool hs_grow(void **arr, size_t *cap, size_t count, size_t elem)
{
    if (count < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 16, bytes;
    if (ncap < *cap || __builtin_mul_overflow(ncap, elem, &bytes))
        return false;
    void *n = hs_realloc(*arr, bytes);
    if (!n)
        return false;
    *arr = n;
    *cap = ncap;
    return true;
}

void hs_alloc_fail_after(long n)
{
    atomic_store(&remaining, n);
    atomic_store(&made, 0);
}

long hs_alloc_count(void) { return atomic_load(&made); }
