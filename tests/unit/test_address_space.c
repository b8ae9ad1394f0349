/* The address space: sorted ranges, overlaps resolved, reads that stitch ranges, and the
 * distinction between "not in the dump" and an impossible range. */
#include <criterion/criterion.h>
#include <string.h>

#include "address_space.h"
#include "dump_builder.h"

/* A dump with memory ranges given in deliberately unsorted order. */
static hs_dump *dump_with_ranges(dump_builder *b, const uint64_t *starts, const uint32_t *sizes,
                                 size_t n)
{
    db_init(b);
    bytevec si = {0}, ml = {0};
    db_system_info(&si, 9, 10, 0, 19041, 2, 0);
    db_stream(b, 7, &si);
    db_memory_list(b, &ml, starts, sizes, n);
    db_stream(b, 5, &ml);
    db_finish(b);
    bv_free(&si);
    bv_free(&ml);
    hs_dump *d = hs_dump_open_memory(b->file.data, b->file.len, "ranges.dmp", NULL);
    cr_assert_not_null(d);
    cr_assert(d->valid);
    return d;
}

Test(address_space, sorted_lookup_and_stitched_reads)
{
    dump_builder b;
    /* Range 0 (bytes 0x1X) at 0x1100, range 1 (0x2X) at 0x3000, range 2 (0x3X) at 0x1000: ranges 2
     * and 0 are adjacent in memory but not in the file (their bytes are stored in list order). */
    const uint64_t starts[] = {0x1100, 0x3000, 0x1000};
    const uint32_t sizes[] = {0x80, 0x10, 0x100};
    hs_dump *d = dump_with_ranges(&b, starts, sizes, 3);
    hs_address_space *as = hs_as_build(d);
    cr_assert_not_null(as);

    size_t n;
    const hs_as_range *r = hs_as_ranges(as, &n);
    cr_assert_eq(n, 3);
    cr_assert_eq(r[0].start, 0x1000);
    cr_assert_eq(r[1].start, 0x1100);
    cr_assert_eq(r[2].start, 0x3000);
    cr_assert_eq(hs_as_total_bytes(as), 0x190);

    uint8_t buf[4];
    cr_assert_eq(hs_as_read(as, 0x10FE, buf, 4), HS_OK, "a read across two ranges is stitched");
    cr_assert_eq(buf[0], 0x3E);
    cr_assert_eq(buf[1], 0x3F);
    cr_assert_eq(buf[2], 0x10);
    cr_assert_eq(buf[3], 0x11);
    cr_assert_eq(hs_as_read(as, 0x117E, buf, 4), HS_ERR_NOT_PRESENT, "0x1180.. is not in the dump");
    cr_assert_eq(hs_as_read(as, UINT64_MAX - 1, buf, 4), HS_ERR_OUT_OF_RANGE);
    cr_assert_eq(hs_as_present_bytes(as, 0x0F00, 0x2000), 0x180);
    cr_assert(hs_as_contains(as, 0x3000, 0x10));
    cr_assert_not(hs_as_contains(as, 0x3000, 0x11));
    cr_assert_null(hs_as_find(as, 0x2000));
    cr_assert_eq(hs_as_find(as, 0x300F)->start, 0x3000);

    hs_reader rd;
    cr_assert_eq(hs_as_reader(as, 0x1000, 0x100, &rd), HS_OK);
    cr_assert_eq(hs_as_reader(as, 0x10F0, 0x20, &rd), HS_ERR_NOT_PRESENT,
                 "a zero-copy reader never spans ranges that are apart in the file");
    cr_assert_eq(hs_as_reader_upto(as, 0x10F0, 0x20, &rd), HS_OK);
    cr_assert_eq(rd.len, 0x10);

    uint32_t v32;
    cr_assert_eq(hs_as_read_u32(as, 0x3000, &v32), HS_OK);
    cr_assert_eq(v32, 0x23222120);
    hs_as_free(as);
    hs_dump_free(d);
    bv_free(&b.file);
}

Test(address_space, neighbours_in_memory_and_file_merge)
{
    dump_builder b;
    const uint64_t starts[] = {0x1000, 0x1100};
    const uint32_t sizes[] = {0x100, 0x80};
    hs_dump *d = dump_with_ranges(&b, starts, sizes, 2);
    hs_address_space *as = hs_as_build(d);
    size_t n;
    const hs_as_range *r = hs_as_ranges(as, &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(r[0].size, 0x180);
    hs_reader rd;
    cr_assert_eq(hs_as_reader(as, 0x10F0, 0x20, &rd), HS_OK,
                 "one merged range serves a zero-copy reader");
    hs_as_free(as);
    hs_dump_free(d);
    bv_free(&b.file);
}

Test(address_space, overlaps_keep_the_first_listed_bytes)
{
    dump_builder b;
    const uint64_t starts[] = {0x2000, 0x2008, 0x2000};
    const uint32_t sizes[] = {0x10, 0x10, 0x4};
    hs_dump *d = dump_with_ranges(&b, starts, sizes, 3);
    hs_address_space *as = hs_as_build(d);
    size_t n;
    const hs_as_range *r = hs_as_ranges(as, &n);
    cr_assert_eq(n, 2, "the duplicate at 0x2000 is dropped, the overlap of the second trimmed");
    cr_assert_eq(r[0].start, 0x2000);
    cr_assert_eq(r[0].size, 0x10);
    cr_assert_eq(r[1].start, 0x2010);
    cr_assert_eq(r[1].size, 0x8);
    uint8_t v;
    cr_assert_eq(hs_as_read(as, 0x2008, &v, 1), HS_OK);
    cr_assert_eq(v, 0x18, "bytes of the first listed range win");
    cr_assert_eq(hs_as_read(as, 0x2010, &v, 1), HS_OK);
    cr_assert_eq(v, 0x28, "the trimmed range keeps its own bytes past the overlap");
    bool noted = false;
    for (size_t i = 0; i < d->problems.count; i++)
        noted |= strstr(d->problems.items[i].message,
                        "2 memory ranges overlap others (first at 0x2000)") != NULL;
    cr_assert(noted, "the overlap is reported");
    hs_as_free(as);
    hs_dump_free(d);
    bv_free(&b.file);
}

Test(address_space, memory_info_query)
{
    dump_builder b;
    db_init(&b);
    bytevec mi = {0};
    bv_u32(&mi, 16);
    bv_u32(&mi, 48);
    bv_u64(&mi, 2);
    /* Listed out of order on purpose: the parser sorts them. */
    const uint64_t bases[] = {0x20000, 0x10000};
    const uint32_t states[] = {0x2000, 0x1000};
    for (int i = 0; i < 2; i++) {
        bv_u64(&mi, bases[i]);
        bv_u64(&mi, 0x10000);
        bv_u32(&mi, 4);
        bv_u32(&mi, 0);
        bv_u64(&mi, 0x10000);
        bv_u32(&mi, states[i]);
        bv_u32(&mi, 4);
        bv_u32(&mi, 0x20000);
        bv_u32(&mi, 0);
    }
    db_stream(&b, 16, &mi);
    db_finish(&b);
    hs_dump *d = hs_dump_open_memory(b.file.data, b.file.len, "mi.dmp", NULL);
    hs_address_space *as = hs_as_build(d);
    hs_md_memory_info info;
    cr_assert_eq(hs_as_query(as, 0x1FFFF, &info), HS_OK);
    cr_assert_eq(info.base, 0x10000);
    cr_assert_eq(info.state, HS_MEM_COMMIT);
    cr_assert_eq(hs_as_query(as, 0x20000, &info), HS_OK);
    cr_assert_eq(info.state, HS_MEM_RESERVE);
    cr_assert_eq(hs_as_query(as, 0x30000, &info), HS_ERR_NOT_PRESENT);
    cr_assert_eq(hs_as_query(as, 0xFFFF, &info), HS_ERR_NOT_PRESENT);
    hs_as_free(as);
    hs_dump_free(d);
    bv_free(&mi);
    bv_free(&b.file);
}
