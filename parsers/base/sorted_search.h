/* Binary search over arrays sorted by a uint64_t field (range starts, block addresses, region
 * bases): one implementation for every "which range holds this address" lookup. */
#ifndef HS_SORTED_SEARCH_H
#define HS_SORTED_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The number of leading elements whose uint64_t field at `offset` is <= key, in an array of `count`
 * elements `stride` bytes apart sorted ascending by that field. The element holding key, if any, is
 * the one before that index. */
static inline size_t hs_count_le(const void *array, size_t count, size_t stride, size_t offset,
                                 uint64_t key)
{
    const unsigned char *base = array;
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint64_t v;
        memcpy(&v, base + mid * stride + offset, sizeof v);
        if (v <= key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* hs_count_le over an array of structs: HS_COUNT_LE(items, n, field, key). */
#define HS_COUNT_LE(items, n, field, key) \
    hs_count_le((items), (n), sizeof *(items), offsetof(__typeof__(*(items)), field), (key))

#endif
