#include "alloc.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long remaining = -1; /* < 0: never fail */
static atomic_long made;
/* Byte accounting for tests (off by default: malloc_usable_size on every call is not free).
 * glibc's malloc_usable_size, which ASan also provides, counts what the allocator really holds. */
static atomic_bool tracking;
static atomic_llong live_bytes, peak_bytes;

static void account(long long delta)
{
    long long now = atomic_fetch_add_explicit(&live_bytes, delta, memory_order_relaxed) + delta;
    long long peak = atomic_load_explicit(&peak_bytes, memory_order_relaxed);
    while (now > peak && !atomic_compare_exchange_weak_explicit(
                             &peak_bytes, &peak, now, memory_order_relaxed, memory_order_relaxed))
        ;
}

static void *took(void *p)
{
    if (p && atomic_load_explicit(&tracking, memory_order_relaxed))
        account((long long)malloc_usable_size(p));
    return p;
}

static int allowed(void)
{
    atomic_fetch_add_explicit(&made, 1, memory_order_relaxed);
    if (atomic_load_explicit(&remaining, memory_order_relaxed) < 0)
        return 1;
    return atomic_fetch_sub_explicit(&remaining, 1, memory_order_relaxed) > 0;
}

void *hs_malloc(size_t n) { return allowed() ? took(malloc(n ? n : 1)) : NULL; }
void *hs_calloc(size_t count, size_t size)
{
    return allowed() ? took(calloc(count ? count : 1, size ? size : 1)) : NULL;
}

void *hs_realloc(void *p, size_t n)
{
    if (!allowed())
        return NULL;
    long long before = p && atomic_load_explicit(&tracking, memory_order_relaxed)
                           ? (long long)malloc_usable_size(p)
                           : 0;
    void *q = realloc(p, n ? n : 1);
    if (q && before)
        account(-before);
    return took(q);
}

void hs_free(void *p)
{
    if (p && atomic_load_explicit(&tracking, memory_order_relaxed))
        account(-(long long)malloc_usable_size(p));
    free(p);
}

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

void hs_alloc_track(bool on)
{
    atomic_store(&live_bytes, 0);
    atomic_store(&peak_bytes, 0);
    atomic_store(&tracking, on);
}

long long hs_alloc_live_bytes(void) { return atomic_load(&live_bytes); }

long long hs_alloc_peak_reset(void)
{
    long long live = atomic_load(&live_bytes);
    long long peak = atomic_exchange(&peak_bytes, live);
    return peak > live ? peak : live;
}
