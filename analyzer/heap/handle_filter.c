#include "handle_filter.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HS_HAVE_AVX2_FILTER 1
#include <immintrin.h>
#endif

/* No word has all bits of zero_low_bits clear and lies in the empty range [1, 1 + 0] too. */
hs_handle_filter hs_handle_filter_none(void)
{
    return (hs_handle_filter){.lowest = 1, .span = 0, .zero_low_bits = UINT64_MAX};
}

void hs_handle_filter_add(hs_handle_filter *f, uint64_t handle)
{
    if (!handle)
        return;
    if (f->zero_low_bits == UINT64_MAX) {
        *f = (hs_handle_filter){.lowest = handle, .span = 0, .zero_low_bits = ~handle & 0xFFFF};
        return;
    }
    uint64_t highest = f->lowest + f->span;
    if (handle < f->lowest)
        f->lowest = handle;
    if (handle > highest)
        highest = handle;
    f->span = highest - f->lowest;
    f->zero_low_bits &= ~handle;
}

/* Four words per step without branches: almost no word passes, so the loop runs at the speed of
 * its loads and tests. */
static size_t next_scalar(const hs_handle_filter *f, const uint8_t *bytes, unsigned width,
                          size_t from, size_t count)
{
    size_t i = from;
    for (; i + 4 <= count; i += 4) {
        const uint8_t *p = bytes + i * width;
        if ((unsigned)hs_handle_filter_passes(f, hs_word_le(p, width)) |
            (unsigned)hs_handle_filter_passes(f, hs_word_le(p + width, width)) |
            (unsigned)hs_handle_filter_passes(f, hs_word_le(p + 2 * width, width)) |
            (unsigned)hs_handle_filter_passes(f, hs_word_le(p + 3 * width, width)))
            break;
    }
    for (; i < count; i++)
        if (hs_handle_filter_passes(f, hs_word_le(bytes + i * width, width)))
            return i;
    return count;
}

#ifdef HS_HAVE_AVX2_FILTER
/* 256 bits at a time: the scalar loop managed ~4.6 GB/s on memory not in cache, this one ~24 GB/s
 * (bench/README.md). AVX2 compares only signed lanes, so "v - lowest <= span" (unsigned) is tested
 * as a signed comparison of both sides with their top bit flipped. The step found to hold a passing
 * word is handed to the scalar loop, which names the word: the vector test only decides how far to
 * skip, so a word it wrongly let through would cost time, and one it wrongly dropped a handle
 * (tests/unit/test_handle_filter.c plants edge values at every position to catch that). */
__attribute__((target("avx2"))) static size_t
next_avx2_64(const hs_handle_filter *f, const uint8_t *bytes, size_t from, size_t count)
{
    const __m256i mask = _mm256_set1_epi64x((long long)f->zero_low_bits);
    const __m256i lowest = _mm256_set1_epi64x((long long)f->lowest);
    const __m256i flip = _mm256_set1_epi64x(INT64_MIN);
    const __m256i limit = _mm256_set1_epi64x((long long)(f->span ^ (uint64_t)INT64_MIN));
    const __m256i zero = _mm256_setzero_si256();
    size_t i = from;
    for (; i + 8 <= count; i += 8) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(bytes + i * 8));
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(bytes + i * 8 + 32));
        __m256i a_aligned = _mm256_cmpeq_epi64(_mm256_and_si256(a, mask), zero);
        __m256i b_aligned = _mm256_cmpeq_epi64(_mm256_and_si256(b, mask), zero);
        __m256i a_beyond =
            _mm256_cmpgt_epi64(_mm256_xor_si256(_mm256_sub_epi64(a, lowest), flip), limit);
        __m256i b_beyond =
            _mm256_cmpgt_epi64(_mm256_xor_si256(_mm256_sub_epi64(b, lowest), flip), limit);
        __m256i pass = _mm256_or_si256(_mm256_andnot_si256(a_beyond, a_aligned),
                                       _mm256_andnot_si256(b_beyond, b_aligned));
        if (!_mm256_testz_si256(pass, pass))
            break;
    }
    return next_scalar(f, bytes, 8, i, count);
}

/* The same on 32-bit words; the caller has checked that every passing value fits 32 bits. */
__attribute__((target("avx2"))) static size_t
next_avx2_32(const hs_handle_filter *f, const uint8_t *bytes, size_t from, size_t count)
{
    const __m256i mask = _mm256_set1_epi32((int)(uint32_t)f->zero_low_bits);
    const __m256i lowest = _mm256_set1_epi32((int)(uint32_t)f->lowest);
    const __m256i flip = _mm256_set1_epi32(INT32_MIN);
    const __m256i limit = _mm256_set1_epi32((int)((uint32_t)f->span ^ (uint32_t)INT32_MIN));
    const __m256i zero = _mm256_setzero_si256();
    size_t i = from;
    for (; i + 16 <= count; i += 16) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(bytes + i * 4));
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(bytes + i * 4 + 32));
        __m256i a_aligned = _mm256_cmpeq_epi32(_mm256_and_si256(a, mask), zero);
        __m256i b_aligned = _mm256_cmpeq_epi32(_mm256_and_si256(b, mask), zero);
        __m256i a_beyond =
            _mm256_cmpgt_epi32(_mm256_xor_si256(_mm256_sub_epi32(a, lowest), flip), limit);
        __m256i b_beyond =
            _mm256_cmpgt_epi32(_mm256_xor_si256(_mm256_sub_epi32(b, lowest), flip), limit);
        __m256i pass = _mm256_or_si256(_mm256_andnot_si256(a_beyond, a_aligned),
                                       _mm256_andnot_si256(b_beyond, b_aligned));
        if (!_mm256_testz_si256(pass, pass))
            break;
    }
    return next_scalar(f, bytes, 4, i, count);
}
#endif

bool hs_filter_impl_available(hs_filter_impl impl)
{
    switch (impl) {
    case HS_FILTER_BEST:
    case HS_FILTER_SCALAR:
        return true;
    case HS_FILTER_AVX2:
#ifdef HS_HAVE_AVX2_FILTER
        return __builtin_cpu_supports("avx2");
#else
        return false;
#endif
    }
    return false;
}

size_t hs_handle_filter_next(const hs_handle_filter *f, const uint8_t *bytes, unsigned width,
                             size_t from, size_t count, hs_filter_impl impl)
{
#ifdef HS_HAVE_AVX2_FILTER
    if ((impl == HS_FILTER_BEST || impl == HS_FILTER_AVX2) && __builtin_cpu_supports("avx2")) {
        if (width == 8)
            return next_avx2_64(f, bytes, from, count);
        /* 32-bit lanes wrap where the scalar test does not unless every passing value fits 32 bits
         * (always so for the handles of a 32-bit process). */
        if (width == 4 && f->span <= UINT32_MAX && f->lowest <= UINT32_MAX - f->span)
            return next_avx2_32(f, bytes, from, count);
    }
#else
    (void)impl;
#endif
    return next_scalar(f, bytes, width, from, count);
}

hs_filter_cursor hs_filter_cursor_over(const hs_handle_filter *f, const uint8_t *bytes,
                                       unsigned width, bool halves, size_t count)
{
    return (hs_filter_cursor){f, bytes, count, width, halves && width == 8, SIZE_MAX, SIZE_MAX};
}

size_t hs_filter_cursor_next(hs_filter_cursor *k, size_t from)
{
    if (k->whole == SIZE_MAX || k->whole < from)
        k->whole =
            hs_handle_filter_next(k->filter, k->bytes, k->width, from, k->count, HS_FILTER_BEST);
    if (!k->halves)
        return k->whole;
    if (k->half == SIZE_MAX || k->half < 2 * from)
        k->half =
            hs_handle_filter_next(k->filter, k->bytes, 4, 2 * from, 2 * k->count, HS_FILTER_BEST);
    return k->whole < k->half / 2 ? k->whole : k->half / 2;
}
