/* Checked arithmetic for every value derived from untrusted input.
 * Each returns true when the result fits, and stores it; on overflow it returns false and
 * leaves *out unspecified. */
#ifndef HS_CHECKED_H
#define HS_CHECKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline bool hs_add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}
static inline bool hs_mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool hs_add_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}
static inline bool hs_mul_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

/* True when [off, off+len) lies inside [0, total). */
static inline bool hs_range_within(uint64_t off, uint64_t len, uint64_t total)
{
    return off <= total && len <= total - off;
}

#endif
