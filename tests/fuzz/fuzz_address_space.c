/* Fuzz target: the address space (parsers/address_space.h) built from any parsed dump, then
 * lookups and reads over the result: at the edges of every range (fz_check_address_space) and at
 * addresses taken from the input itself, where each answer is compared with the file's bytes.
 * Invariants: every range lies inside the file; find / present_bytes / contains / next_present /
 * read / reader agree with one another and with the bytes the file holds. */
#include <string.h>

#include "checked.h"
#include "fuzz_common.h"

enum { FUZZ_MAX_INFLATED = 64u << 20, PROBES = 8, MAX_READ = 64 };

/* The file byte behind va, or -1 when va is not present (found through the ranges, not hs_as_read).
 */
static int file_byte(const hs_dump *d, const hs_address_space *as, uint64_t va)
{
    const hs_as_range *r = hs_as_find(as, va);
    return r ? d->source.data[r->file_offset + (va - r->start)] : -1;
}

static uint64_t le(const uint8_t *b, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static void probe(const hs_dump *d, const hs_address_space *as, uint64_t va, unsigned n)
{
    const hs_as_range *r = hs_as_find(as, va);
    FZ_CHECK((r != NULL) == (hs_as_present_bytes(as, va, 1) == 1),
             "find and present_bytes disagree at 0x%llx", (unsigned long long)va);
    uint64_t next = hs_as_next_present(as, va);
    FZ_CHECK(next >= va && (r == NULL || next == va), "next_present(0x%llx) = 0x%llx",
             (unsigned long long)va, (unsigned long long)next);
    if (next != UINT64_MAX)
        FZ_CHECK(hs_as_find(as, next) != NULL, "next_present(0x%llx) = 0x%llx is not present",
                 (unsigned long long)va, (unsigned long long)next);
    uint8_t buf[MAX_READ];
    uint64_t last;
    bool wraps = !hs_add_u64(va, n - 1, &last);
    hs_status st = hs_as_read(as, va, buf, n);
    bool contained = hs_as_contains(as, va, n);
    if (wraps)
        FZ_CHECK(st == HS_ERR_OUT_OF_RANGE, "a read wrapping the address space at 0x%llx",
                 (unsigned long long)va);
    else
        FZ_CHECK((st == HS_OK) == contained, "read and contains disagree at 0x%llx+%u",
                 (unsigned long long)va, n);
    if (st == HS_OK) {
        for (unsigned i = 0; i < n; i++)
            FZ_CHECK(file_byte(d, as, va + i) == buf[i], "byte 0x%llx differs from the file",
                     (unsigned long long)(va + i));
        uint16_t v16;
        uint32_t v32;
        uint64_t v64;
        if (n >= 2)
            FZ_CHECK(hs_as_read_u16(as, va, &v16) == HS_OK && v16 == le(buf, 2), "u16 at 0x%llx",
                     (unsigned long long)va);
        if (n >= 4)
            FZ_CHECK(hs_as_read_u32(as, va, &v32) == HS_OK && v32 == le(buf, 4) &&
                         hs_as_read_ptr(as, va, 4, &v64) == HS_OK && v64 == le(buf, 4),
                     "u32 at 0x%llx", (unsigned long long)va);
        if (n >= 8)
            FZ_CHECK(hs_as_read_u64(as, va, &v64) == HS_OK && v64 == le(buf, 8), "u64 at 0x%llx",
                     (unsigned long long)va);
    }
    hs_reader rd;
    if (hs_as_reader(as, va, n, &rd) == HS_OK) {
        FZ_CHECK(st == HS_OK && rd.len == n && memcmp(rd.base, buf, n) == 0, "reader at 0x%llx+%u",
                 (unsigned long long)va, n);
        FZ_CHECK(r && va + n - r->start <= r->size, "reader at 0x%llx spans ranges",
                 (unsigned long long)va);
    }
    if (hs_as_reader_upto(as, va, n, &rd) == HS_OK)
        FZ_CHECK(r && rd.len >= 1 && rd.len <= n && rd.base[0] == file_byte(d, as, va),
                 "reader_upto at 0x%llx", (unsigned long long)va);
    hs_md_memory_info mi;
    if (hs_as_query(as, va, &mi) == HS_OK)
        FZ_CHECK(va - mi.base < mi.region_size, "query(0x%llx) gave a region not holding it",
                 (unsigned long long)va);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_dump_options opt = {.source_limits = {.max_inflated_bytes = FUZZ_MAX_INFLATED}};
    hs_dump *d = hs_dump_open_memory(data, size, "fuzz.dmp", &opt);
    if (!d)
        return 0;
    hs_address_space *as = d->valid ? hs_as_build(d) : NULL;
    if (as) {
        fz_check_address_space(d, as);
        /* Probe addresses: words from the end of the input (where libFuzzer's mutations land
         * freely), and the edges of the first ranges. */
        for (unsigned i = 0; i < PROBES && (size_t)(i + 1) * 9 <= size; i++) {
            const uint8_t *p = data + size - (size_t)(i + 1) * 9;
            probe(d, as, le(p, 8), 1u + p[8] % MAX_READ);
        }
        size_t n;
        const hs_as_range *r = hs_as_ranges(as, &n);
        for (size_t i = 0; i < n && i < 64; i++) {
            probe(d, as, r[i].start - 1, 2);
            probe(d, as, r[i].start + r[i].size - 1, 8);
            probe(d, as, r[i].start + r[i].size, MAX_READ);
        }
    }
    hs_as_free(as);
    hs_dump_free(d);
    return 0;
}
