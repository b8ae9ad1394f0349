#include "prop_blocks.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "heap_ranges.h"
#include "mapi_props.h"
#include "sorted_search.h"

enum {
    MIN_ENTRIES = 3,        /* fewer consecutive SPropValues are not told apart from chance */
    MAX_STRING = 64 * 1024, /* a property string longer than this is implausible in a client */
    MAX_BINARY = 16u << 20, /* SBinary.cb above 16 MB cannot be true for an in-memory value */
    MAX_MV_COUNT = 1u << 16,
    MV_ELEMENTS_CHECKED = 16, /* MV string/binary elements whose pointers are followed */
    PREFETCH_AHEAD = 8,       /* blocks between a prefetch and the read it prepares */
};

typedef enum verdict { V_VALID, V_INVALID, V_UNKNOWN } verdict;

typedef struct scan_ctx {
    const hs_dump *dump;
    const hs_address_space *as;
    const hs_heapset *set;
    hs_prop_scan *out;
    hs_arena *arena; /* strings of the blocks this context records */
    size_t cap;
    unsigned ptr;
    bool full_memory;  /* absent memory is really absent (full-memory dump) */
    const char *check; /* set by the checks when an entry fails */
    char detail[256];  /* the sentence, formatted only when want_detail */
    bool want_detail;
    bool pointer_ok; /* a pointer-typed value validated (evidence of a real array) */
} scan_ctx;

/* Known tags of mapi.md §2.3: seeing one is evidence that an array is a real property array. */
static bool known_tag(uint32_t tag)
{
    /* Sorted ascending, for the binary search (keep it so): every valid entry of every candidate
     * asks, and a hostile dump makes that millions. 64-bit for hs_count_le (sorted_search.h). */
    static const uint64_t tags[] = {
        0x00170003, 0x001A001E, 0x001A001F, 0x00260003, 0x00360003, 0x0037001E, 0x0037001F,
        0x00390040, 0x003D001E, 0x003D001F, 0x0042001E, 0x0042001F, 0x007D001E, 0x007D001F,
        0x0C150003, 0x0C1A001E, 0x0C1A001F, 0x0C1F001E, 0x0C1F001F, 0x0E03001F, 0x0E04001F,
        0x0E060040, 0x0E070003, 0x0E080003, 0x0E090102, 0x0E12000D, 0x0E13000D, 0x0E1B000B,
        0x0E1D001E, 0x0E1D001F, 0x0E210003, 0x0FF40003, 0x0FF60102, 0x0FF70003, 0x0FF80102,
        0x0FF90102, 0x0FFA0102, 0x0FFB0102, 0x0FFE0003, 0x0FFF0102, 0x1000001E, 0x1000001F,
        0x10090102, 0x1035001E, 0x1035001F, 0x30000003, 0x3001001E, 0x3001001F, 0x3002001E,
        0x3002001F, 0x3003001E, 0x3003001F, 0x30050003, 0x3006001E, 0x3006001F, 0x30070040,
        0x30080040, 0x30090003, 0x300A001E, 0x300A001F, 0x300B0102, 0x300C0102, 0x300D0003,
        0x3400000B, 0x340D0003, 0x34140102, 0x35DF0003, 0x35E00102, 0x35E20102, 0x35E40102,
        0x36010003, 0x36020003, 0x36030003, 0x360A000B, 0x3701000D, 0x37010102, 0x3704001E,
        0x3704001F, 0x37050003, 0x39000003, 0x3D09001E, 0x3D09001F, 0x3D0A001E, 0x3D0A001F,
        0x3D0B001E, 0x3D0C0102, 0x3D0E0102, 0x3D12001E, 0x3D12001F, 0x3E00001E, 0x3E00001F,
        0x3E010102, 0x3E020003, 0x3E030003, 0x3E040003, 0x3E050102, 0x3E07001E, 0x3E07001F,
        0x3E08001E, 0x3E08001F, 0x66000003, 0x66010003, 0x6602001E, 0x6603001E, 0x66040003,
        0x6612001E, 0x661B0102, 0x661C001F,
    };
    size_t n = hs_count_le(tags, sizeof tags / sizeof tags[0], sizeof tags[0], 0, tag);
    return n > 0 && tags[n - 1] == tag;
}

static verdict fail(scan_ctx *c, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static verdict fail(scan_ctx *c, const char *check, const char *fmt, ...)
{
    c->check = check;
    if (!c->want_detail)
        return V_INVALID;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof c->detail, fmt, ap);
    va_end(ap);
    return V_INVALID;
}

/* Where a pointer lands: the block holding it (if any heap has one there). */
static const hs_block *block_at(scan_ctx *c, uint64_t addr, const hs_heap **heap)
{
    const hs_heap *h = hs_heapset_heap_containing(c->set, addr);
    *heap = h;
    return h ? hs_heap_block_containing(h, addr) : NULL;
}

/* Checks that [p, p+len) is data a live value may point to. len 0: only p itself. */
static verdict check_target(scan_ctx *c, uint64_t p, uint64_t len, const char *what)
{
    if (hs_fill_pattern(p, c->ptr))
        return fail(c, "pointer_fill_pattern", "%s pointer 0x%" PRIx64 " is a heap fill pattern",
                    what, p);
    const hs_heap *h;
    const hs_block *b = block_at(c, p, &h);
    uint64_t need = len ? len : 1;
    if (b) {
        uint64_t g = h->layout ? h->layout->gran : 8;
        if (b->state == HS_BLOCK_FREE)
            return fail(c, "pointer_into_free_block",
                        "%s pointer 0x%" PRIx64 " points into free block 0x%" PRIx64
                        " of heap 0x%" PRIx64,
                        what, p, b->address, h->handle);
        if (b->cached)
            return fail(c, "pointer_into_free_block",
                        "%s pointer 0x%" PRIx64 " points into block 0x%" PRIx64
                        " of heap 0x%" PRIx64 ", freed to its look-aside list",
                        what, p, b->address, h->handle);
        if (b->state == HS_BLOCK_INTERNAL && b->kind == HS_BLOCK_BACKEND &&
            !(b->flags & HS_ENTRY_VIRTUAL_ALLOC))
            return fail(c, "pointer_into_heap_metadata",
                        "%s pointer 0x%" PRIx64 " points into heap metadata at 0x%" PRIx64, what, p,
                        b->address);
        if (b->state == HS_BLOCK_BUSY && p < b->address + g)
            return fail(c, "pointer_into_block_header",
                        "%s pointer 0x%" PRIx64 " points into the header of block 0x%" PRIx64, what,
                        p, b->address);
        if (b->state == HS_BLOCK_BUSY && need > b->address + b->size - p)
            return fail(c, "size_past_block",
                        "%s of 0x%" PRIx64 " bytes at 0x%" PRIx64
                        " runs past the end of block 0x%" PRIx64,
                        what, need, p, b->address);
    }
    if (hs_as_contains(c->as, p, need))
        return V_VALID;
    hs_md_memory_info mi;
    if (hs_as_query(c->as, p, &mi) == HS_OK) {
        if (mi.state == HS_MEM_FREE)
            return fail(c, "pointer_to_released_memory",
                        "%s pointer 0x%" PRIx64 " points to released (MEM_FREE) memory", what, p);
        if (mi.state == HS_MEM_RESERVE)
            return fail(c, "pointer_to_uncommitted_memory",
                        "%s pointer 0x%" PRIx64 " points to reserved, uncommitted memory", what, p);
    }
    if (c->full_memory && hs_as_present_bytes(c->as, p, need) == 0)
        return fail(c, "pointer_to_absent_memory",
                    "%s pointer 0x%" PRIx64 " points to memory absent from a full-memory dump",
                    what, p);
    return V_UNKNOWN; /* a partial dump: the target may simply not have been captured */
}

/* A string at p must terminate (NUL unit) within MAX_STRING bytes of present memory and its block.
 */
static verdict check_string(scan_ctx *c, uint64_t p, unsigned unit, const char *what)
{
    verdict v = check_target(c, p, 0, what);
    if (v != V_VALID)
        return v;
    hs_reader r;
    if (hs_as_reader_upto(c->as, p, MAX_STRING, &r) != HS_OK)
        return V_UNKNOWN;
    const hs_heap *h;
    const hs_block *b = block_at(c, p, &h);
    uint64_t limit = r.len;
    if (b && b->state == HS_BLOCK_BUSY && b->address + b->size - p < limit)
        limit = b->address + b->size - p;
    hs_reader text;
    if (hs_reader_sub(&r, 0, limit, &text) != HS_OK)
        return V_UNKNOWN;
    if (unit == 1) {
        if (hs_reader_strnlen(&text) < limit)
            return V_VALID;
    } else {
        for (uint64_t off = 0; off + 2 <= limit; off += 2) {
            uint16_t ch;
            if (hs_rd_u16_at(&text, off, &ch) == HS_OK && ch == 0)
                return V_VALID;
        }
    }
    if (b && b->state == HS_BLOCK_BUSY)
        return fail(c, "string_unterminated",
                    "%s at 0x%" PRIx64 " does not terminate inside its block 0x%" PRIx64, what, p,
                    b->address);
    return r.len >= MAX_STRING
               ? fail(c, "string_unterminated",
                      "%s at 0x%" PRIx64 " does not terminate within %u bytes", what, p, MAX_STRING)
               : V_UNKNOWN;
}

static verdict check_counted(scan_ctx *c, const hs_propval *pv)
{
    uint16_t base = pv->type & ~HS_MV_FLAG;
    bool mv = pv->type & HS_MV_FLAG;
    if (!mv) { /* SBinary (and PT_SVREID) */
        if (pv->count == 0)
            return V_VALID;
        if (pv->count > MAX_BINARY)
            return fail(c, "count_impossible", "SBinary.cb 0x%x cannot be true", pv->count);
        if (pv->pointer == 0)
            return fail(c, "null_data_pointer", "SBinary.cb 0x%x with a NULL lpb", pv->count);
        verdict v = check_target(c, pv->pointer, pv->count, "SBinary data");
        c->pointer_ok |= v == V_VALID;
        return v;
    }
    if (pv->count == 0)
        return V_VALID;
    if (pv->count > MAX_MV_COUNT)
        return fail(c, "count_impossible", "multi-value count %u cannot be true", pv->count);
    if (pv->pointer == 0)
        return fail(c, "null_data_pointer", "multi-value count %u with a NULL array", pv->count);
    unsigned elem = hs_prop_mv_element_size(pv->type, c->ptr);
    verdict v = check_target(c, pv->pointer, (uint64_t)pv->count * elem, "multi-value array");
    if (v != V_VALID)
        return v;
    c->pointer_ok = true;
    if (base != HS_PT_STRING8 && base != HS_PT_UNICODE && base != HS_PT_BINARY)
        return V_VALID;
    for (uint32_t i = 0; i < pv->count && i < MV_ELEMENTS_CHECKED; i++) {
        uint64_t at = pv->pointer + (uint64_t)i * elem, target = 0;
        uint32_t cb = 0;
        if (base == HS_PT_BINARY) {
            if (hs_as_read_u32(c->as, at, &cb) != HS_OK ||
                hs_as_read_ptr(c->as, at + c->ptr, c->ptr, &target) != HS_OK)
                return V_UNKNOWN;
            if (cb == 0)
                continue;
            if (cb > MAX_BINARY)
                return fail(c, "count_impossible", "element %u: SBinary.cb 0x%x cannot be true", i,
                            cb);
            v = check_target(c, target, cb, "multi-value binary element");
        } else {
            if (hs_as_read_ptr(c->as, at, c->ptr, &target) != HS_OK)
                return V_UNKNOWN;
            v = check_string(c, target, base == HS_PT_UNICODE ? 2 : 1,
                             "multi-value string element");
        }
        if (v != V_VALID)
            return v;
    }
    return V_VALID;
}

static verdict check_entry(scan_ctx *c, const hs_propval *pv)
{
    c->check = NULL;
    c->detail[0] = '\0';
    if (hs_fill_pattern(pv->tag, 4))
        return fail(c, "tag_fill_pattern", "tag 0x%08x is a heap fill pattern", pv->tag);
    if (hs_fill_pattern(pv->pad, 4))
        return fail(c, "pad_fill_pattern", "dwAlignPad 0x%08x is a heap fill pattern", pv->pad);
    if (!hs_prop_type_valid(pv->type))
        return fail(c, "invalid_type",
                    "tag 0x%08x has property type 0x%04x, which MAPI never stores", pv->tag,
                    pv->type);
    if (!hs_prop_id_valid(pv->id, pv->type))
        return fail(c, "invalid_id", "tag 0x%08x has property id 0x%04x", pv->tag, pv->id);
    switch (pv->shape) {
    case HS_PROP_COUNTED:
        return check_counted(c, pv);
    case HS_PROP_POINTER: {
        if (pv->pointer == 0)
            return V_VALID; /* MFCMAPI shows NULL strings as empty: not corruption by itself */
        verdict v = pv->type == HS_PT_STRING8   ? check_string(c, pv->pointer, 1, "PT_STRING8")
                    : pv->type == HS_PT_UNICODE ? check_string(c, pv->pointer, 2, "PT_UNICODE")
                    : pv->type == HS_PT_CLSID   ? check_target(c, pv->pointer, 16, "PT_CLSID")
                                                : check_target(c, pv->pointer, 0, "pointer");
        c->pointer_ok |= v == V_VALID;
        return v;
    }
    case HS_PROP_SCALAR:
        break;
    }
    uint32_t lo = (uint32_t)pv->scalar;
    switch (pv->type) {
    case HS_PT_BOOLEAN: {
        uint16_t b = (uint16_t)pv->scalar;
        if (b != 0 && b != 1 && b != 0xFFFF)
            return fail(c, "boolean_value", "PT_BOOLEAN holds 0x%04x (expected 0, 1 or 0xFFFF)", b);
        return V_VALID;
    }
    case HS_PT_ERROR:
        if (!hs_prop_scode_valid(lo))
            return fail(c, "error_code", "PT_ERROR holds 0x%08x, not an SCODE", lo);
        return V_VALID;
    case HS_PT_SYSTIME:
        if (!hs_prop_systime_plausible(pv->scalar))
            return fail(c, "systime_value", "PT_SYSTIME 0x%016" PRIx64 " lies outside 1980..2100",
                        pv->scalar);
        return V_VALID;
    case HS_PT_LONG:
    case HS_PT_I2:
        if (hs_fill_pattern(lo, 4))
            return fail(c, "value_fill_pattern", "value 0x%08x is a heap fill pattern", lo);
        return V_VALID;
    default:
        return V_VALID;
    }
}

static void hex_of(scan_ctx *c, uint64_t addr, unsigned n, const char **out)
{
    uint8_t buf[48];
    if (n > sizeof buf)
        n = sizeof buf;
    if (hs_as_read(c->as, addr, buf, n) != HS_OK) {
        *out = NULL;
        return;
    }
    char text[48 * 3 + 1];
    size_t len = 0;
    for (unsigned i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%02x", i ? " " : "", buf[i]);
    *out = hs_arena_printf(c->arena, "%s", text);
}

typedef struct candidate {
    uint64_t start;
    uint32_t entries, valid, invalid;
    int first_bad;
    uint32_t bad_tag;
    const char *check;
    char detail[256];
    bool evidence; /* a known tag or a validated pointer */
} candidate;

/* Evaluates the array that would start at `start` and end at most at `end`. */
static void evaluate(scan_ctx *c, uint64_t start, uint64_t end, candidate *cand)
{
    unsigned esize = hs_propval_size(c->ptr);
    /* Field by field: the sentence buffer is written only for a failing entry, and zeroing the
     * whole candidate for each of the three starts of every block was most of the scan's time. */
    cand->start = start;
    cand->entries = cand->valid = cand->invalid = 0;
    cand->first_bad = -1;
    cand->bad_tag = 0;
    cand->check = NULL;
    cand->detail[0] = '\0';
    cand->evidence = false;
    uint64_t data_start = end; /* values pointing back into the same block mark where data begins */
    uint32_t last_valid = 0, invalid_before_last_valid = 0;
    bool any_valid = false;
    for (uint64_t at = start; at + esize <= end && at + esize <= data_start; at += esize) {
        hs_reader r;
        hs_propval pv;
        if (hs_as_reader(c->as, at, esize, &r) != HS_OK ||
            hs_propval_read(&r, c->ptr, &pv) != HS_OK)
            break;
        if (pv.tag == 0 && pv.pad == 0 && pv.scalar == 0)
            break; /* zero fill: the array has ended */
        c->pointer_ok = false;
        uint32_t index = (uint32_t)((at - start) / esize);
        /* Only the first bad entry after a valid start is reported: most candidates fail at entry
         * 0, and formatting their sentences was a sixth of the scan. */
        c->want_detail = index > 0 && cand->first_bad < 0;
        verdict v = check_entry(c, &pv);
        if (index == 0 && v != V_VALID)
            return; /* an array starts with a valid entry */
        cand->entries = index + 1;
        if (v == V_VALID) {
            cand->valid++;
            any_valid = true;
            last_valid = index;
            invalid_before_last_valid = cand->invalid;
            cand->evidence |= known_tag(pv.tag) || c->pointer_ok;
            if ((pv.shape == HS_PROP_POINTER || pv.shape == HS_PROP_COUNTED) && pv.pointer > at &&
                pv.pointer < data_start)
                data_start = pv.pointer;
        } else if (v == V_INVALID) {
            cand->invalid++;
            if (cand->first_bad < 0) {
                cand->first_bad = (int)index;
                cand->bad_tag = pv.tag;
                cand->check = c->check;
                snprintf(cand->detail, sizeof cand->detail, "%s", c->detail);
            }
        }
    }
    /* Entries after the last valid one belong to whatever follows the array, unless the array is
     * bounded by its own data (then every slot before the data is an entry). The kept range is a
     * prefix, so its invalid entries are those counted before the last valid one. */
    if (any_valid && data_start == end && cand->entries > last_valid + 1) {
        cand->entries = last_valid + 1;
        cand->invalid = invalid_before_last_valid;
        if (cand->first_bad > (int)last_valid)
            cand->first_bad = -1;
    }
}

static bool is_property_block(const candidate *cand)
{
    /* "Most entries validate" (DESIGN.md): at least MIN_ENTRIES valid ones, at least twice as many
     * as invalid ones, and evidence that it is MAPI data at all. */
    return cand->valid >= MIN_ENTRIES && cand->valid >= 2 * cand->invalid && cand->evidence;
}

static void record(scan_ctx *c, size_t heap_index, const hs_heap *h, const hs_block *b,
                   const candidate *cand)
{
    hs_prop_scan *s = c->out;
    if (!hs_grow((void **)&s->blocks, &c->cap, s->count, sizeof *s->blocks))
        return;
    hs_prop_block *pb = &s->blocks[s->count++];
    memset(pb, 0, sizeof *pb);
    pb->address = cand->start;
    pb->heap = h->handle;
    pb->block = b->address;
    pb->heap_index = heap_index;
    pb->entries = cand->entries;
    pb->valid_entries = cand->valid;
    pb->invalid_entries = cand->invalid;
    pb->corrupt = cand->invalid > 0;
    s->per_heap_blocks[heap_index]++;
    if (pb->corrupt) {
        unsigned esize = hs_propval_size(c->ptr);
        pb->bad_index = (uint32_t)cand->first_bad;
        pb->bad_tag = cand->bad_tag;
        pb->check = cand->check;
        pb->detail = hs_arena_printf(c->arena, "%s", cand->detail);
        hex_of(c, cand->start + (uint64_t)cand->first_bad * esize, esize, &pb->hex);
        s->corrupt++;
        s->per_heap_corrupt[heap_index]++;
    }
}

static void scan_block(scan_ctx *c, size_t heap_index, const hs_heap *h, const hs_block *b)
{
    uint64_t g = h->layout->gran;
    uint64_t user = b->address + (b->kind == HS_BLOCK_VIRTUAL ? h->layout->va_busy_block + g : g);
    uint64_t end = b->requested != HS_REQUESTED_UNKNOWN && b->kind != HS_BLOCK_VIRTUAL
                       ? user + b->requested
                       : b->address + b->size;
    if (end > b->address + b->size)
        end = b->address + b->size;
    if (end <= user)
        return;
    /* The array may follow an allocator header: none, one or two pointer-sized slots
     * (MAPIAllocateBuffer, mapi.md §4.3). Keep the start that yields the most valid entries. */
    candidate best, cand;
    best.valid = 0;
    /* Most blocks hold no array: a first entry whose type MAPI never stores fails at once, so the
     * three starts' tags are looked at together before any is evaluated. */
    hs_reader head;
    bool have_head = hs_as_reader(c->as, user, end - user < 20 ? end - user : 20, &head) == HS_OK;
    for (uint64_t off = 0; off <= 16; off += 8) {
        if (user + off >= end)
            break;
        uint32_t tag;
        if (have_head && hs_rd_u32_at(&head, off, &tag) == HS_OK &&
            !hs_prop_type_valid((uint16_t)(tag & 0xFFFF)))
            continue; /* evaluate() would find entry 0 invalid (invalid_type) and stop: no valid
                         entry */
        evaluate(c, user + off, end, &cand);
        if (cand.valid > best.valid)
            best = cand;
    }
    if (best.valid > 0 && is_property_block(&best))
        record(c, heap_index, h, b, &best);
}

/* One worker's part of a scan: its heaps' blocks, in order, with their strings in its own arena.
 * The per-heap counts are written straight into the result (each heap belongs to one worker). */
typedef struct part {
    bool ran;
    hs_prop_scan out;
    hs_arena *arena;
    size_t cap;
} part;

struct hs_prop_scan_job {
    const hs_dump *dump;
    const hs_heapset *set;
    hs_prop_scan *result;
    bool *skip; /* per heap: left out by the work bound */
    part parts[HS_MAX_WORKERS];
};

/* The work bound. Each busy byte is evaluated at most three times (the three candidate starts of
 * its block), so a real dump costs a few times its memory: busy blocks add up to at most the memory
 * the dump holds, twice where LFH chunks lie inside their subsegment's block. Heaps whose segments
 * run over the same memory multiply that (a 219 KB fuzz input presented 8.8 MB of busy blocks in
 * 124 heaps and took 2.8 s under the fuzzing sanitizers). Heaps are admitted in list order while
 * their busy bytes fit in four times the dump's memory (plus 1 MiB); a heap that does not fit is
 * left out and counted. Decided before any heap is scanned, so it is the same on any number of
 * workers. */
static void admit_heaps(hs_prop_scan_job *j, const hs_address_space *as)
{
    uint64_t memory = hs_as_total_bytes(as);
    uint64_t allowed =
                 memory > (UINT64_MAX - (1u << 20)) / 4 ? UINT64_MAX : 4 * memory + (1u << 20),
             used = 0;
    hs_prop_scan *s = j->result;
    s->busy_bytes_allowed = allowed;
    for (size_t i = 0; i < j->set->count; i++) {
        uint64_t busy = j->set->heaps[i].busy_bytes;
        if (busy <= allowed - used) {
            used += busy;
            continue;
        }
        j->skip[i] = true;
        s->heaps_skipped++;
        s->busy_bytes_skipped =
            busy > UINT64_MAX - s->busy_bytes_skipped ? UINT64_MAX : s->busy_bytes_skipped + busy;
    }
}

hs_prop_scan_job *hs_prop_scan_start(const hs_dump *dump, const hs_address_space *as,
                                     const hs_heapset *set)
{
    hs_prop_scan *s = hs_calloc(1, sizeof *s);
    hs_prop_scan_job *j = hs_calloc(1, sizeof *j);
    bool *skip = hs_calloc(set->count ? set->count : 1, sizeof *skip);
    if (s) {
        s->per_heap_blocks = hs_calloc(set->count ? set->count : 1, sizeof *s->per_heap_blocks);
        s->per_heap_corrupt = hs_calloc(set->count ? set->count : 1, sizeof *s->per_heap_corrupt);
    }
    if (!s || !j || !skip || !s->per_heap_blocks || !s->per_heap_corrupt) {
        hs_prop_scan_free(s);
        hs_free(j);
        hs_free(skip);
        return NULL;
    }
    *j = (hs_prop_scan_job){.dump = dump, .set = set, .result = s, .skip = skip};
    admit_heaps(j, as);
    return j;
}

void hs_prop_scan_heaps(hs_prop_scan_job *j, unsigned worker, const hs_address_space *as,
                        size_t first, size_t end)
{
    part *p = &j->parts[worker];
    if (!p->ran) {
        p->ran = true;
        p->out.per_heap_blocks = j->result->per_heap_blocks;
        p->out.per_heap_corrupt = j->result->per_heap_corrupt;
        p->arena = hs_arena_new(1u << 28);
    }
    if (!p->arena)
        return;
    const hs_heapset *set = j->set;
    scan_ctx c = {.dump = j->dump,
                  .as = as,
                  .set = set,
                  .out = &p->out,
                  .arena = p->arena,
                  .cap = p->cap,
                  .ptr = hs_arch_pointer_size(set->process->arch),
                  .full_memory = (j->dump->header.flags & HS_MDT_WITH_FULL_MEMORY) != 0};
    for (size_t i = first; i < end; i++) {
        const hs_heap *h = &set->heaps[i];
        if (!h->layout || j->skip[i])
            continue;
        c.ptr = h->layout->ptr;
        for (size_t b = 0; b < h->block_count; b++) {
            /* Blocks are scattered over the heap: ask for a later block's first line now. */
            if (b + PREFETCH_AHEAD < h->block_count)
                hs_as_prefetch(as, h->blocks[b + PREFETCH_AHEAD].address + h->layout->gran);
            if (hs_block_in_use(&h->blocks[b]))
                scan_block(&c, i, h, &h->blocks[b]);
        }
    }
    p->cap = c.cap;
}

hs_prop_scan *hs_prop_scan_finish(hs_prop_scan_job *j)
{
    hs_prop_scan *s = j->result;
    /* The parts in worker order are the blocks in heap order, as one worker would list them. */
    bool complete = true;
    size_t total = 0;
    for (unsigned w = 0; w < HS_MAX_WORKERS; w++) {
        total += j->parts[w].out.count;
        s->arenas[w] = j->parts[w].arena;
    }
    s->blocks = hs_malloc((total ? total : 1) * sizeof *s->blocks);
    for (unsigned w = 0; w < HS_MAX_WORKERS; w++) {
        const part *p = &j->parts[w];
        if (s->blocks && p->out.count)
            memcpy(s->blocks + s->count, p->out.blocks, p->out.count * sizeof *p->out.blocks);
        s->count += p->out.count;
        s->corrupt += p->out.corrupt;
        complete &= !p->ran || p->arena != NULL;
        hs_free(p->out.blocks);
    }
    hs_free(j->skip);
    hs_free(j);
    if (!s->blocks || !complete) {
        hs_prop_scan_free(s);
        return NULL;
    }
    return s;
}

hs_prop_scan *hs_prop_scan_run(const hs_dump *dump, const hs_address_space *as,
                               const hs_heapset *set)
{
    hs_prop_scan_job *j = hs_prop_scan_start(dump, as, set);
    if (!j)
        return NULL;
    hs_prop_scan_heaps(j, 0, as, 0, set->count);
    return hs_prop_scan_finish(j);
}

void hs_prop_scan_free(hs_prop_scan *s)
{
    if (!s)
        return;
    hs_free(s->blocks);
    hs_free(s->per_heap_blocks);
    hs_free(s->per_heap_corrupt);
    for (unsigned w = 0; w < HS_MAX_WORKERS; w++)
        hs_arena_free(s->arenas[w]);
    hs_free(s);
}
