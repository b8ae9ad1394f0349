/* Which words of memory could be a heap handle: the sieve the heap walk runs over each segment
 * ahead of itself (heap/heap_sieve.c) and reachability over the memory the walk did not cover
 * (analysis/reachability.c).
 *
 * Every busy word of a dump is tested, and almost none passes, so this test decides how fast
 * memory is read. A word passes when it lies in [lowest, lowest + span] and has no bit set in
 * zero_low_bits (bits that are zero in every handle's low 16: handles are 64 KB aligned in
 * practice). Passing says "look it up", never "it is a handle"; a handle always passes. */
#ifndef HS_HANDLE_FILTER_H
#define HS_HANDLE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The little-endian word of width (4 or 8) bytes at p: one load on a little-endian host. The caller
 * has checked that the bytes are there. */
static inline uint64_t hs_word_le(const uint8_t *p, unsigned width)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (width == 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    uint32_t v32;
    memcpy(&v32, p, 4);
    return v32;
#else
    uint64_t v = 0;
    for (unsigned k = 0; k < width; k++)
        v |= (uint64_t)p[k] << (8 * k);
    return v;
#endif
}

typedef struct hs_handle_filter {
    uint64_t lowest, span, zero_low_bits;
} hs_handle_filter;

/* The filter of no handle: nothing passes. Built up with hs_handle_filter_add. */
hs_handle_filter hs_handle_filter_none(void);
/* Widens f so that handle passes too (0 is not a handle and is ignored). */
void hs_handle_filter_add(hs_handle_filter *f, uint64_t handle);

static inline bool hs_handle_filter_passes(const hs_handle_filter *f, uint64_t v)
{
    return (v & f->zero_low_bits) == 0 && v - f->lowest <= f->span;
}

typedef enum hs_filter_impl {
    HS_FILTER_BEST,   /* the fastest this processor runs */
    HS_FILTER_SCALAR, /* plain C, four words per step */
    HS_FILTER_AVX2,   /* x86-64 AVX2, eight words per step */
} hs_filter_impl;

/* True when this build and this processor can run impl. */
bool hs_filter_impl_available(hs_filter_impl impl);

/* The index of the first of the words [from, count) that passes, or count. The words are width
 * (4 or 8) bytes, little-endian, at bytes (no alignment needed); bytes holds count·width bytes.
 * Every impl gives the same answer; one that is not available falls back to the scalar one. */
size_t hs_handle_filter_next(const hs_handle_filter *f, const uint8_t *bytes, unsigned width,
                             size_t from, size_t count, hs_filter_impl impl);

/* Walks the words of a buffer that may hold a handle, each stretch sieved once. With halves
 * (WoW64 processes, which keep 32-bit handles in 4-byte slots; width 8 only) a word also counts
 * when one of its 4-byte halves passes. */
typedef struct hs_filter_cursor {
    const hs_handle_filter *filter;
    const uint8_t *bytes;
    size_t count;
    unsigned width;
    bool halves;
    size_t whole, half; /* the next passing word, and half (in halves); SIZE_MAX: not yet sought */
} hs_filter_cursor;

/* A cursor over the count words of width bytes at bytes (see hs_handle_filter_next). */
hs_filter_cursor hs_filter_cursor_over(const hs_handle_filter *f, const uint8_t *bytes,
                                       unsigned width, bool halves, size_t count);
/* The first word at or after `from` that may hold a handle, or count. Calls must not go back:
 * `from` never below the previous call's. */
size_t hs_filter_cursor_next(hs_filter_cursor *k, size_t from);

#endif
