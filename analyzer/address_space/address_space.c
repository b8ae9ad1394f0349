#include "address_space.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "checked.h"
#include "sort.h"
#include "sorted_search.h"

struct hs_address_space {
    const hs_dump *dump;
    hs_reader file;
    hs_as_range *ranges;
    size_t count;
    uint64_t total;
    /* Mutable state kept outside the (logically const) structure. One address space (or view of
     * it) belongs to one thread at a time. */
    struct lookup_state *state;
    bool is_view; /* ranges borrowed from the address space it views */
};

struct lookup_state {
    /* Each thread writes its own state at every lookup: padding keeps other data off its cache
     * lines (sharing one with another thread's state made lookups wait on each other). */
    char isolation_before[64];
    /* The range of the last successful lookup: walks read neighbouring addresses, so most
     * lookups hit it without a search. */
    size_t hint;
    /* The time budget: every lookup fails once the deadline (CLOCK_MONOTONIC ns) has passed, so
     * that every walk ends promptly; the clock is read once per DEADLINE_STRIDE lookups. */
    uint64_t deadline_ns, lookups;
    bool expired;
    char isolation_after[64];
};

enum { DEADLINE_STRIDE = 4096 };

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef struct {
    hs_as_range r;
    size_t order; /* position in the streams, so ties keep stream order */
} sort_item;

static int compare_items(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    if (x->r.start != y->r.start)
        return x->r.start < y->r.start ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

hs_address_space *hs_as_build(hs_dump *dump)
{
    hs_address_space *as = hs_calloc(1, sizeof *as);
    if (!as)
        return NULL;
    as->state = hs_calloc(1, sizeof *as->state);
    if (!as->state) {
        hs_free(as);
        return NULL;
    }
    as->dump = dump;
    as->file = hs_reader_make(dump->source.data, dump->source.size);
    size_t n = dump->memory_count;
    if (n == 0)
        return as;
    sort_item *items = hs_malloc(n * sizeof *items);
    as->ranges = hs_malloc(n * sizeof *as->ranges);
    if (!items || !as->ranges) {
        hs_free(items);
        hs_as_free(as);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        items[i].r.start = dump->memory[i].start;
        items[i].r.size = dump->memory[i].size;
        items[i].r.file_offset = dump->memory[i].rva;
        items[i].order = i;
    }
    hs_sort(items, n, sizeof *items, compare_items);

    size_t overlaps = 0;
    uint64_t first_overlap = 0;
    bool have_end = false;
    uint64_t covered_end =
        0; /* exclusive end of what is already covered (may be 2^64: see below) */
    bool covered_to_top = false;
    for (size_t i = 0; i < n; i++) {
        hs_as_range r = items[i].r;
        if (covered_to_top) {
            overlaps++;
            continue;
        }
        if (have_end && r.start < covered_end) {
            uint64_t cut = covered_end - r.start;
            if (!overlaps)
                first_overlap = r.start;
            overlaps++;
            if (cut >= r.size)
                continue;
            r.start += cut;
            r.file_offset += cut;
            r.size -= cut;
        }
        uint64_t end;
        /* add_range in the parser already dropped ranges that wrap, but one may end exactly at
         * 2^64. */
        if (!hs_add_u64(r.start, r.size, &end))
            covered_to_top = true;
        have_end = true;
        covered_end = end;
        hs_as_range *prev = as->count ? &as->ranges[as->count - 1] : NULL;
        if (prev && prev->start + prev->size == r.start &&
            prev->file_offset + prev->size == r.file_offset) {
            prev->size += r.size;
        } else {
            as->ranges[as->count++] = r;
        }
        as->total += r.size;
    }
    hs_free(items);
    if (overlaps)
        hs_diag_add(
            &dump->problems, HS_SEV_NOTE, HS_OK, "memory", -1,
            "%zu memory ranges overlap others (first at 0x%llx); the bytes listed first are used",
            overlaps, (unsigned long long)first_overlap);
    return as;
}

hs_address_space *hs_as_view(const hs_address_space *as)
{
    hs_address_space *v = hs_malloc(sizeof *v);
    struct lookup_state *st = hs_calloc(1, sizeof *st);
    if (!v || !st) {
        hs_free(v);
        hs_free(st);
        return NULL;
    }
    *v = *as;
    st->deadline_ns = as->state->deadline_ns;
    st->expired = as->state->expired;
    v->state = st;
    v->is_view = true;
    return v;
}

void hs_as_free(hs_address_space *as)
{
    if (!as)
        return;
    if (!as->is_view)
        hs_free(as->ranges);
    hs_free(as->state);
    hs_free(as);
}

const hs_as_range *hs_as_ranges(const hs_address_space *as, size_t *count)
{
    *count = as->count;
    return as->ranges;
}

uint64_t hs_as_total_bytes(const hs_address_space *as) { return as->total; }

void hs_as_set_time_budget(const hs_address_space *as, double seconds)
{
    as->state->expired = false;
    as->state->deadline_ns = seconds > 0 ? monotonic_ns() + (uint64_t)(seconds * 1e9) : 0;
}

bool hs_as_expired(const hs_address_space *as) { return as->state->expired; }

bool hs_as_out_of_time(const hs_address_space *as)
{
    struct lookup_state *st = as->state;
    if (st->deadline_ns && !st->expired && monotonic_ns() > st->deadline_ns)
        st->expired = true;
    return st->expired;
}

/* Index of the last range starting at or below va, or SIZE_MAX. */
static size_t floor_index(const hs_address_space *as, uint64_t va)
{
    size_t n = HS_COUNT_LE(as->ranges, as->count, start, va);
    return n == 0 ? SIZE_MAX : n - 1;
}

const hs_as_range *hs_as_find(const hs_address_space *as, uint64_t va)
{
    struct lookup_state *st = as->state;
    if (st->deadline_ns && (st->expired || ++st->lookups % DEADLINE_STRIDE == 0)) {
        if (st->expired || monotonic_ns() > st->deadline_ns) {
            st->expired = true;
            return NULL;
        }
    }
    size_t h = st->hint;
    if (h < as->count && va - as->ranges[h].start < as->ranges[h].size)
        return &as->ranges[h];
    size_t i = floor_index(as, va);
    if (i == SIZE_MAX)
        return NULL;
    const hs_as_range *r = &as->ranges[i];
    if (va - r->start >= r->size)
        return NULL;
    st->hint = i;
    return r;
}

uint64_t hs_as_next_present(const hs_address_space *as, uint64_t va)
{
    size_t i = floor_index(as, va);
    if (i != SIZE_MAX && va - as->ranges[i].start < as->ranges[i].size)
        return va;
    size_t next = i == SIZE_MAX ? 0 : i + 1;
    return next < as->count ? as->ranges[next].start : UINT64_MAX;
}

uint64_t hs_as_present_bytes(const hs_address_space *as, uint64_t va, uint64_t n)
{
    if (n == 0)
        return 0;
    /* Inclusive last addresses, so that a range or a request reaching the top of the address
     * space (end 2^64) is counted whole (found by fuzz_address_space). */
    uint64_t last;
    if (!hs_add_u64(va, n - 1, &last))
        last = UINT64_MAX;
    uint64_t present = 0;
    size_t i = floor_index(as, va);
    if (i == SIZE_MAX)
        i = 0;
    for (; i < as->count && as->ranges[i].start <= last; i++) {
        const hs_as_range *r = &as->ranges[i];
        uint64_t r_last = r->start + (r->size - 1); /* ranges are non-empty and do not wrap */
        if (r_last < va)
            continue;
        uint64_t lo = r->start > va ? r->start : va;
        uint64_t hi = r_last < last ? r_last : last;
        present += hi - lo + 1;
    }
    return present;
}

bool hs_as_contains(const hs_address_space *as, uint64_t va, uint64_t n)
{
    return hs_as_present_bytes(as, va, n) == n;
}

void hs_as_prefetch_range(const hs_address_space *as, uint64_t va, uint64_t len)
{
    const hs_as_range *r = hs_as_find(as, va);
    if (!r || len == 0)
        return;
    uint64_t room = r->size - (va - r->start);
    size_t n = (size_t)(len < room ? len : room);
    hs_reader src;
    const uint8_t *p;
    if (hs_reader_sub(&as->file, r->file_offset + (va - r->start), n, &src) != HS_OK ||
        hs_rd_view(&src, n, &p) != HS_OK)
        return;
    for (size_t off = 0; off < n; off += 64)
        __builtin_prefetch(p + off);
}

void hs_as_prefetch(const hs_address_space *as, uint64_t va) { hs_as_prefetch_range(as, va, 1); }

hs_status hs_as_read(const hs_address_space *as, uint64_t va, void *dst, size_t n)
{
    uint64_t last;
    if (n == 0)
        return HS_OK;
    if (!hs_add_u64(va, n - 1, &last))
        return HS_ERR_OUT_OF_RANGE;
    unsigned char *out = dst;
    /* Fast path: the whole read inside one range, copied with a fixed size for the common header
     * and word sizes (a variable-size memcpy call dominated small reads). */
    const hs_as_range *first = hs_as_find(as, va);
    if (first && n <= first->size - (va - first->start)) {
        hs_reader src;
        const uint8_t *p;
        if (hs_reader_sub(&as->file, first->file_offset + (va - first->start), n, &src) != HS_OK ||
            hs_rd_view(&src, n, &p) != HS_OK)
            return HS_ERR_NOT_PRESENT;
        switch (n) {
        case 2:
            memcpy(out, p, 2);
            break;
        case 4:
            memcpy(out, p, 4);
            break;
        case 8:
            memcpy(out, p, 8);
            break;
        case 16:
            memcpy(out, p, 16);
            break;
        default:
            memcpy(out, p, n);
            break;
        }
        return HS_OK;
    }
    while (n) {
        const hs_as_range *r = hs_as_find(as, va);
        if (!r)
            return HS_ERR_NOT_PRESENT;
        uint64_t off = va - r->start;
        uint64_t avail = r->size - off;
        size_t take = avail < n ? (size_t)avail : n;
        hs_reader src;
        if (hs_reader_sub(&as->file, r->file_offset + off, take, &src) != HS_OK ||
            hs_rd_bytes(&src, out, take) != HS_OK)
            return HS_ERR_NOT_PRESENT;
        out += take;
        n -= take;
        va += take;
    }
    return HS_OK;
}

static hs_status read_le(const hs_address_space *as, uint64_t va, unsigned width, uint64_t *out)
{
    uint8_t b[8];
    hs_status st = hs_as_read(as, va, b, width);
    if (st != HS_OK)
        return st;
    hs_reader r = hs_reader_make(b, width);
    return hs_rd_ptr_at(&r, 0, width, out);
}

hs_status hs_as_read_u16(const hs_address_space *as, uint64_t va, uint16_t *out)
{
    uint8_t b[2];
    hs_status st = hs_as_read(as, va, b, 2);
    if (st == HS_OK)
        *out = (uint16_t)(b[0] | b[1] << 8);
    return st;
}

hs_status hs_as_read_u32(const hs_address_space *as, uint64_t va, uint32_t *out)
{
    uint64_t v;
    hs_status st = read_le(as, va, 4, &v);
    if (st == HS_OK)
        *out = (uint32_t)v;
    return st;
}

hs_status hs_as_read_u64(const hs_address_space *as, uint64_t va, uint64_t *out)
{
    return read_le(as, va, 8, out);
}

hs_status hs_as_read_ptr(const hs_address_space *as, uint64_t va, unsigned ptr_size, uint64_t *out)
{
    if (ptr_size != 4 && ptr_size != 8)
        return HS_ERR_USAGE;
    return read_le(as, va, ptr_size, out);
}

hs_status hs_as_reader(const hs_address_space *as, uint64_t va, uint64_t n, hs_reader *out)
{
    uint64_t last; /* inclusive: a range may end exactly at the top of the address space */
    if (n && !hs_add_u64(va, n - 1, &last))
        return HS_ERR_OUT_OF_RANGE;
    const hs_as_range *r = hs_as_find(as, va);
    if (!r || n > r->size - (va - r->start))
        return HS_ERR_NOT_PRESENT;
    return hs_reader_sub(&as->file, r->file_offset + (va - r->start), n, out) == HS_OK
               ? HS_OK
               : HS_ERR_NOT_PRESENT;
}

hs_status hs_as_reader_upto(const hs_address_space *as, uint64_t va, uint64_t max_n, hs_reader *out)
{
    const hs_as_range *r = hs_as_find(as, va);
    if (!r)
        return HS_ERR_NOT_PRESENT;
    uint64_t avail = r->size - (va - r->start);
    return hs_as_reader(as, va, avail < max_n ? avail : max_n, out);
}

hs_status hs_as_query(const hs_address_space *as, uint64_t va, hs_md_memory_info *out)
{
    const hs_dump *d = as->dump;
    size_t lo = HS_COUNT_LE(d->memory_info, d->memory_info_count, base, va);
    if (lo == 0)
        return HS_ERR_NOT_PRESENT;
    const hs_md_memory_info *m = &d->memory_info[lo - 1];
    if (va - m->base >= m->region_size)
        return HS_ERR_NOT_PRESENT;
    *out = *m;
    return HS_OK;
}
