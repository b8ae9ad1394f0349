/* The bounds-checked reader: every read inside the window succeeds with the right value, every
 * read that would leave it fails without moving. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "checked.h"
#include "reader.h"

static const uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};

Test(reader, little_endian_values)
{
    hs_reader r = hs_reader_make(bytes, sizeof bytes);
    uint8_t a;
    uint16_t b;
    uint32_t c;
    cr_assert_eq(hs_rd_u8(&r, &a), HS_OK);
    cr_assert_eq(a, 0x01);
    cr_assert_eq(hs_rd_u16(&r, &b), HS_OK);
    cr_assert_eq(b, 0x0302);
    cr_assert_eq(hs_rd_u32(&r, &c), HS_OK);
    cr_assert_eq(c, 0x07060504);
    cr_assert_eq(r.pos, 7);
    uint64_t d;
    cr_assert_eq(hs_rd_u64(&r, &d), HS_ERR_TRUNCATED, "only 3 bytes remain");
    cr_assert_eq(r.pos, 7, "a failed read does not move the reader");
    r.pos = 2;
    cr_assert_eq(hs_rd_u64(&r, &d), HS_OK);
    cr_assert_eq(d, 0x0a09080706050403ull);
    cr_assert_eq(hs_reader_remaining(&r), 0);
}

Test(reader, absolute_reads_do_not_move)
{
    hs_reader r = hs_reader_make(bytes, sizeof bytes);
    uint32_t v;
    uint64_t p;
    cr_assert_eq(hs_rd_u32_at(&r, 6, &v), HS_OK);
    cr_assert_eq(v, 0x0a090807);
    cr_assert_eq(hs_rd_u32_at(&r, 7, &v), HS_ERR_TRUNCATED);
    cr_assert_eq(hs_rd_u32_at(&r, UINT64_MAX - 1, &v), HS_ERR_TRUNCATED,
                 "offset + size must not wrap");
    cr_assert_eq(hs_rd_ptr_at(&r, 0, 4, &p), HS_OK);
    cr_assert_eq(p, 0x04030201);
    cr_assert_eq(hs_rd_ptr_at(&r, 0, 3, &p), HS_ERR_USAGE);
    cr_assert_eq(r.pos, 0);
}

Test(reader, sub_readers_are_confined)
{
    hs_reader r = hs_reader_make(bytes, sizeof bytes);
    hs_reader s;
    cr_assert_eq(hs_reader_sub(&r, 4, 4, &s), HS_OK);
    uint32_t v;
    cr_assert_eq(hs_rd_u32(&s, &v), HS_OK);
    cr_assert_eq(v, 0x08070605);
    cr_assert_eq(hs_rd_u8(&s, &(uint8_t){0}), HS_ERR_TRUNCATED,
                 "the sub-reader ends where its window ends");
    cr_assert_eq(hs_reader_sub(&r, 8, 3, &s), HS_ERR_TRUNCATED);
    cr_assert_eq(hs_reader_sub(&r, 10, 0, &s), HS_OK, "an empty window at the end is valid");
    cr_assert_eq(hs_reader_sub(&r, 11, 0, &s), HS_ERR_TRUNCATED);
    cr_assert_eq(hs_reader_sub(&r, UINT64_MAX, 2, &s), HS_ERR_TRUNCATED);

    cr_assert_eq(hs_reader_take(&r, 3, &s), HS_OK);
    cr_assert_eq(r.pos, 3);
    cr_assert_eq(s.len, 3);
    cr_assert_eq(hs_reader_take(&r, 8, &s), HS_ERR_TRUNCATED);
    cr_assert_eq(r.pos, 3);
}

Test(reader, skip_seek_view_and_strings)
{
    static const uint8_t text[] = {'a', 'b', 0, 'c', 'd'};
    hs_reader r = hs_reader_make(text, sizeof text);
    cr_assert_eq(hs_reader_strnlen(&r), 2);
    cr_assert_eq(hs_rd_skip(&r, 3), HS_OK);
    cr_assert_eq(hs_reader_strnlen(&r), 2, "no NUL: up to the end of the window");
    cr_assert_eq(hs_rd_skip(&r, 3), HS_ERR_TRUNCATED);
    cr_assert_eq(hs_rd_seek(&r, 5), HS_OK);
    cr_assert_eq(hs_rd_seek(&r, 6), HS_ERR_TRUNCATED);
    const uint8_t *p;
    cr_assert_eq(hs_rd_seek(&r, 1), HS_OK);
    cr_assert_eq(hs_rd_view(&r, 4, &p), HS_OK);
    cr_assert_eq(p[3], 'd');
    cr_assert_eq(hs_rd_view(&r, 1, &p), HS_ERR_TRUNCATED);
}

Test(reader, empty_and_null_windows)
{
    hs_reader r = hs_reader_make(NULL, 100);
    cr_assert_eq(r.len, 0, "a NULL base never claims bytes");
    uint8_t b;
    cr_assert_eq(hs_rd_u8(&r, &b), HS_ERR_TRUNCATED);
    hs_reader s;
    cr_assert_eq(hs_reader_sub(&r, 0, 0, &s), HS_OK);
    cr_assert_eq(hs_reader_strnlen(&r), 0);
}

Test(checked, arithmetic_overflow_is_detected)
{
    uint64_t out;
    size_t sz;
    cr_assert(hs_add_u64(1, 2, &out) && out == 3);
    cr_assert_not(hs_add_u64(UINT64_MAX, 1, &out));
    cr_assert_not(hs_mul_u64(1ull << 33, 1ull << 31, &out));
    cr_assert(hs_mul_u64(1ull << 31, 1ull << 31, &out) && out == 1ull << 62);
    cr_assert_not(hs_mul_size(SIZE_MAX / 2 + 1, 2, &sz));
    cr_assert(hs_range_within(10, 0, 10));
    cr_assert_not(hs_range_within(11, 0, 10));
    cr_assert_not(hs_range_within(5, UINT64_MAX, 10));
}
