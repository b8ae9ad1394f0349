/* The handle filter (util/handle_filter.h): the vector sieve finds exactly the words the plain
 * test passes, at every position, width and starting point, on values chosen at the edges of the
 * test (range ends, the 2^63 and 2^32 boundaries where signed lanes would differ, low bits). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "handle_filter.h"
#include "xorshift.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t next_random(void) { return xorshift_next(&rng_state); }

static void put_word(uint8_t *bytes, size_t i, unsigned width, uint64_t v)
{
    for (unsigned k = 0; k < width; k++)
        bytes[i * width + k] = (uint8_t)(v >> (8 * k));
}

/* The index of the first passing word at or after from, word by word. */
static size_t reference_next(const hs_handle_filter *f, const uint8_t *bytes, unsigned width,
                             size_t from, size_t count)
{
    for (size_t i = from; i < count; i++)
        if (hs_handle_filter_passes(f, hs_word_le(bytes + i * width, width)))
            return i;
    return count;
}

/* Values at and around the edges of f's test, for planting. */
static size_t edge_values(const hs_handle_filter *f, uint64_t *out)
{
    uint64_t hi = f->lowest + f->span;
    uint64_t v[] = {f->lowest,
                    f->lowest - 1,
                    f->lowest + 1,
                    hi,
                    hi + 1,
                    hi - 1,
                    f->lowest | 1,
                    hi | 0x8000,
                    0,
                    UINT64_MAX,
                    1ull << 63,
                    (1ull << 63) - 1,
                    (1ull << 32),
                    (1ull << 32) - 0x10000,
                    f->lowest ^ (1ull << 63),
                    hi ^ (1ull << 63),
                    f->lowest + 0x10000,
                    f->lowest - 0x10000};
    memcpy(out, v, sizeof v);
    return sizeof v / sizeof v[0];
}

/* Every impl against the reference, from every start, on buffers of random words with edge values
 * planted: dense (a quarter of the words) and sparse (one), at lengths around the vector steps. */
static void check_filter(const hs_handle_filter *f, unsigned width)
{
    enum { MAX_WORDS = 80 };
    uint8_t bytes[MAX_WORDS * 8 + 64];
    uint64_t edges[32];
    size_t n_edges = edge_values(f, edges);
    for (int round = 0; round < 400; round++) {
        size_t count = (size_t)(next_random() % MAX_WORDS);
        /* Unaligned on purpose: dump bytes come at any offset of a mapping. */
        uint8_t *buf = bytes + (next_random() % 8);
        for (size_t i = 0; i < count; i++)
            put_word(buf, i, width, next_random());
        size_t plants = round % 2 ? 1 : count / 4;
        for (size_t p = 0; p < plants && count; p++)
            put_word(buf, (size_t)(next_random() % count), width, edges[next_random() % n_edges]);
        for (size_t from = 0; from <= count; from++) {
            size_t want = reference_next(f, buf, width, from, count);
            cr_assert_eq(hs_handle_filter_next(f, buf, width, from, count, HS_FILTER_SCALAR), want,
                         "scalar, width %u, %zu words from %zu", width, count, from);
            cr_assert_eq(hs_handle_filter_next(f, buf, width, from, count, HS_FILTER_BEST), want,
                         "best, width %u, %zu words from %zu", width, count, from);
            cr_assert_eq(hs_handle_filter_next(f, buf, width, from, count, HS_FILTER_AVX2), want,
                         "avx2 (or its fallback), width %u, %zu words from %zu", width, count,
                         from);
        }
    }
}

static hs_handle_filter filter_of(const uint64_t *handles, size_t n)
{
    hs_handle_filter f = hs_handle_filter_none();
    for (size_t i = 0; i < n; i++)
        hs_handle_filter_add(&f, handles[i]);
    return f;
}

Test(handle_filter, no_handle_lets_nothing_pass)
{
    hs_handle_filter f = hs_handle_filter_none();
    uint64_t probes[] = {0, 1, 2, 0x10000, 0x7FFE0000, UINT64_MAX, 1ull << 63};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        cr_assert(!hs_handle_filter_passes(&f, probes[i]), "0x%llx", (unsigned long long)probes[i]);
    hs_handle_filter_add(&f, 0); /* not a handle */
    cr_assert(!hs_handle_filter_passes(&f, 0));
    check_filter(&f, 8);
    check_filter(&f, 4);
}

Test(handle_filter, every_handle_passes_and_the_range_is_tight)
{
    uint64_t handles[] = {0x1F0000, 0x7FF0000, 0, 0x2A0000, 0x2A8000};
    hs_handle_filter f = filter_of(handles, 5);
    cr_assert_eq(f.lowest, 0x1F0000);
    cr_assert_eq(f.span, 0x7FF0000 - 0x1F0000);
    cr_assert_eq(f.zero_low_bits, 0x7FFF, "only bit 15 is set in some handle's low 16 bits");
    for (size_t i = 0; i < 5; i++)
        if (handles[i])
            cr_assert(hs_handle_filter_passes(&f, handles[i]));
    cr_assert(!hs_handle_filter_passes(&f, 0x1E8000), "below the lowest handle");
    cr_assert(!hs_handle_filter_passes(&f, 0x7FF8000), "above the highest handle");
    cr_assert(!hs_handle_filter_passes(&f, 0x300010), "low bits no handle has");
    cr_assert(hs_handle_filter_passes(&f, 0x308000), "a word the filter cannot tell from a handle");
}

Test(handle_filter, x64_handles)
{
    uint64_t handles[] = {0x000001E5A2B60000ull, 0x000001E5A2A00000ull, 0x00007FF4C0000000ull,
                          0x20000};
    hs_handle_filter f = filter_of(handles, 4);
    check_filter(&f, 8);
    check_filter(&f, 4); /* the range passes 2^32: the 32-bit vector sieve must not be used */
}

Test(handle_filter, x86_handles)
{
    uint64_t handles[] = {0x00150000, 0x00250000, 0x7FFD0000, 0x00340000};
    hs_handle_filter f = filter_of(handles, 4);
    check_filter(&f, 4);
    check_filter(&f, 8);
}

Test(handle_filter, handles_across_the_sign_bit)
{
    /* Hostile dumps name any value as a handle: ranges across 2^63 and up to 2^64 - 2^16. */
    uint64_t across[] = {0x7FFFFFFFFFFF0000ull, 0x8000000000010000ull};
    hs_handle_filter f = filter_of(across, 2);
    check_filter(&f, 8);
    uint64_t top[] = {0xFFFFFFFFFFFF0000ull, 0xFFFFFFFF00000000ull};
    f = filter_of(top, 2);
    check_filter(&f, 8);
    uint64_t one[] = {0x80000000u};
    f = filter_of(one, 1);
    check_filter(&f, 4);
    check_filter(&f, 8);
}

Test(handle_filter, cursor_finds_words_and_halves_in_order)
{
    uint64_t handles[] = {0x00150000, 0x00250000, 0x000001E5A2B60000ull};
    hs_handle_filter f = filter_of(handles, 3);
    uint64_t words[64];
    for (size_t i = 0; i < 64; i++)
        words[i] = 0x4141414141414141ull;
    words[3] = 0x00250000ull << 32;    /* the high half */
    words[17] = 0x00150000;            /* the low half (and the whole word) */
    words[40] = 0x000001E5A2B60000ull; /* the whole word only */
    words[41] = 0x0015000000250000ull; /* both halves */
    uint8_t bytes[64 * 8];
    for (size_t i = 0; i < 64; i++)
        put_word(bytes, i, 8, words[i]);
    size_t expect_halves[] = {3, 17, 40, 41}, expect_whole[] = {17, 40};
    hs_filter_cursor k = hs_filter_cursor_over(&f, bytes, 8, true, 64);
    size_t got = 0;
    for (size_t i = hs_filter_cursor_next(&k, 0); i < 64; i = hs_filter_cursor_next(&k, i + 1))
        cr_assert_eq(i, expect_halves[got++]);
    cr_assert_eq(got, 4);
    k = hs_filter_cursor_over(&f, bytes, 8, false, 64);
    got = 0;
    for (size_t i = hs_filter_cursor_next(&k, 0); i < 64; i = hs_filter_cursor_next(&k, i + 1))
        cr_assert_eq(i, expect_whole[got++]);
    cr_assert_eq(got, 2);
    /* Skipping ahead (a heap-list copy is passed over whole) finds the next one after the skip. */
    k = hs_filter_cursor_over(&f, bytes, 8, true, 64);
    cr_assert_eq(hs_filter_cursor_next(&k, 0), 3);
    cr_assert_eq(hs_filter_cursor_next(&k, 18), 40);
    cr_assert_eq(hs_filter_cursor_next(&k, 42), 64);
}
