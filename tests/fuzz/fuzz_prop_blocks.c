/* Fuzz target: MAPI property values and the property-block scanner.
 *
 * 1. The input's bytes decoded as an SPropValue array (parsers/mapi_props.h), for x86 (16-byte
 *    entries) and x64 (24-byte entries), with every classification function applied to each entry.
 * 2. hs_prop_scan_run through the pipeline stages it needs (dump → address space → process →
 *    heaps → property blocks):
 *    - when the input is a minidump, on that dump (seeds: the corpus dumps with property blocks);
 *    - otherwise the bytes become the contents of a busy block in a private heap of a small
 *      synthetic process (Windows 7 x86, Windows 7 x64 or Windows XP x86, chosen by the first
 *      byte), so that the scanner meets arbitrary property arrays whose pointers can land in the
 *      block itself, in its neighbours, in free blocks, in heap metadata or nowhere. The block's
 *      user data starts at TEMPLATE_BLOCK (0x00250000 + header block + one granule); the
 *      dictionary carries property types and fill patterns.
 * Invariants: decoding matches the tag's bytes; fz_check_heaps; fz_check_props (every property
 * block lies in a busy block of its heap, in present memory, with consistent counts). */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "mapi_props.h"
#include "synthetic_process.h"

enum { FUZZ_MAX_INFLATED = 64u << 20, TEMPLATES = 3, BLOCK_BYTES = 0x1000 };

static void decode(const uint8_t *data, size_t size, unsigned ptr)
{
    hs_reader r = hs_reader_make(data, size);
    unsigned esize = hs_propval_size(ptr);
    hs_propval pv;
    for (size_t pos = 0; hs_propval_read(&r, ptr, &pv) == HS_OK; pos += esize) {
        FZ_CHECK(r.pos == pos + esize, "SPropValue read advanced to %zu, expected %zu", r.pos,
                 pos + esize);
        uint32_t tag = (uint32_t)data[pos] | (uint32_t)data[pos + 1] << 8 |
                       (uint32_t)data[pos + 2] << 16 | (uint32_t)data[pos + 3] << 24;
        FZ_CHECK(pv.tag == tag && pv.type == (tag & 0xFFFF) && pv.id == tag >> 16,
                 "tag 0x%08x decoded as 0x%08x", tag, pv.tag);
        bool valid = hs_prop_type_valid(pv.type);
        const char *name = hs_prop_type_name(pv.type);
        FZ_CHECK(!valid || name != NULL, "valid type 0x%04x has no name", pv.type);
        FZ_CHECK(valid || pv.shape == HS_PROP_SCALAR, "invalid type 0x%04x decoded with a pointer",
                 pv.type);
        if (pv.shape == HS_PROP_SCALAR)
            FZ_CHECK(pv.pointer == 0 && pv.count == 0, "scalar 0x%04x with a pointer or count",
                     pv.type);
        if (ptr == 4)
            FZ_CHECK(pv.pointer <= UINT32_MAX, "x86 pointer above 4 GB");
        (void)hs_prop_id_valid(pv.id, pv.type);
        (void)hs_prop_mv_element_size(pv.type, ptr);
        (void)hs_prop_scode_valid((uint32_t)pv.scalar);
        (void)hs_prop_systime_plausible(pv.scalar);
        (void)hs_fill_pattern(pv.scalar, 8);
        (void)hs_fill_pattern(pv.pointer, ptr);
    }
}

/* Runs the stages up to the property scan on a dump in memory and checks the results. */
static void scan_dump(const uint8_t *data, size_t size)
{
    hs_dump_options opt = {.source_limits = {.max_inflated_bytes = FUZZ_MAX_INFLATED}};
    hs_dump *d = hs_dump_open_memory(data, size, "fuzz.dmp", &opt);
    if (!d)
        return;
    hs_address_space *as = d->valid ? hs_as_build(d) : NULL;
    hs_process *p = as ? hs_process_build(d, as) : NULL;
    hs_heapset *set = p && !p->statement ? hs_heaps_walk(d, as, p) : NULL;
    hs_prop_scan *props = set ? hs_prop_scan_run(d, as, set) : NULL;
    if (props) {
        fz_check_heaps(as, set);
        fz_check_props(as, set, props);
    }
    hs_prop_scan_free(props);
    hs_heapset_free(set);
    hs_process_free(p);
    hs_as_free(as);
    hs_dump_free(d);
}

typedef struct template
{
    uint8_t *bytes; /* the pristine dump */
    size_t size;
    size_t block_offset; /* file offset of the fuzzed block's user data */
    size_t block_bytes;
    uint8_t *work; /* the dump with the input written into the block */
}
template;

static void build_template(template *t, int kind)
{
    static synth s;
    dump_builder b;
    if (kind == 2)
        synth_init_xp(&s);
    else
        synth_init(&s, kind == 0 ? 4 : 8);
    const uint32_t process_heap[] = {0x40};
    synth_heap(&s, 0x00140000, 0x2, process_heap, 1, NULL);
    /* The fuzzed block, then two busy neighbours (pointer targets); a free block follows them. */
    const uint32_t sizes[] = {BLOCK_BYTES + 16, 0x100, 0x100};
    uint64_t user[3];
    synth_heap(&s, 0x00250000, 0x1002, sizes, 3, user);
    synth_finish(&s, &b);
    synth_free(&s);
    t->bytes = b.file.data;
    t->size = b.file.len;
    hs_dump *d = hs_dump_open_memory(t->bytes, t->size, "template.dmp", NULL);
    hs_address_space *as = d ? hs_as_build(d) : NULL;
    const hs_as_range *r = as ? hs_as_find(as, user[0]) : NULL;
    if (!r || user[0] - r->start + BLOCK_BYTES > r->size)
        abort();
    t->block_offset = (size_t)(r->file_offset + (user[0] - r->start));
    t->block_bytes = BLOCK_BYTES;
    hs_as_free(as);
    hs_dump_free(d);
    t->work = malloc(t->size);
    if (!t->work)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static template templates[TEMPLATES];
    static bool built;
    if (!built) {
        for (int i = 0; i < TEMPLATES; i++)
            build_template(&templates[i], i);
        built = true;
    }
    decode(data, size, 4);
    decode(data, size, 8);
    if (size >= 4 && memcmp(data, "MDMP", 4) == 0) {
        scan_dump(data, size);
        return 0;
    }
    if (size == 0)
        return 0;
    template *t = &templates[data[0] % TEMPLATES];
    size_t n = size - 1 < t->block_bytes ? size - 1 : t->block_bytes;
    memcpy(t->work, t->bytes, t->size);
    memcpy(t->work + t->block_offset, data + 1, n);
    scan_dump(t->work, t->size);
    return 0;
}
