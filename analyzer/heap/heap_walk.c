/* The NT heap walker: segments, entries, uncommitted ranges, large blocks; then LFH resolution and
 * free-list validation (heap_lfh.c, heap_freelist.c). Algorithms from heap-internals.md §3.7
 * (walk), §3.3 (decoding), §3.4 (requested sizes), §6 (checks). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "checked.h"
#include "heap_walk_internal.h"
#include "hs_limits.h"
#include "sort.h"
#include "sorted_search.h"

enum {
    PAGE = 0x1000,
    NT5_MAX_SEGMENTS = 64,
    UNUSED_HEADER = 1,
    UNUSED_UCR_SENTINEL = 3,
    PREFETCH_AHEAD = 4096,
    SIEVE_MAX_STEP = 64 * 1024
};

/* ---- recording ---- */

enum { POOL_CHUNK_BLOCKS = 4096, POOL_CHUNK_STEPS = 16384, POOL_CHUNK_ERRORS = 64 };

bool walk_refill(_Atomic uint64_t *pool, uint64_t *budget, uint64_t chunk)
{
    uint64_t left = atomic_load(pool);
    do {
        if (left == 0)
            return false;
    } while (!atomic_compare_exchange_weak(pool, &left, left - (left < chunk ? left : chunk)));
    *budget += left < chunk ? left : chunk;
    return true;
}

bool walk_push_block(walk_ctx *c, const hs_block *b)
{
    if (*c->blocks_budget == 0 &&
        !(c->pool && walk_refill(&c->pool->blocks, c->blocks_budget, POOL_CHUNK_BLOCKS))) {
        c->h->walk_complete = false;
        if (!c->budget_reported) {
            c->budget_reported = true;
            walk_error(c, hs_as_find(c->as, b->address) ? b->address : c->h->handle,
                       HS_CHECK_LIST_LIMIT, "", "",
                       "the heaps of this dump hold more than %" PRIu64
                       " blocks, one per 4 bytes of its memory; "
                       "the walk stopped at 0x%" PRIx64,
                       c->blocks_limit, b->address);
        }
        return false;
    }
    if (!hs_grow((void **)&c->h->blocks, &c->block_cap, c->h->block_count, sizeof *b)) {
        c->out_of_memory = true;
        return false;
    }
    c->h->blocks[c->h->block_count++] = *b;
    (*c->blocks_budget)--;
    if (++c->blocks_held > c->blocks_peak)
        c->blocks_peak = c->blocks_held;
    return true;
}

bool walk_step(walk_ctx *c, uint64_t at)
{
    if (*c->steps_budget > 0 ||
        (c->pool && walk_refill(&c->pool->steps, c->steps_budget, POOL_CHUNK_STEPS))) {
        (*c->steps_budget)--;
        c->steps_used++;
        return true;
    }
    c->h->walk_complete = false;
    if (!c->steps_reported) {
        c->steps_reported = true;
        /* At `at` when the dump holds it (a list's next element may not be), else at the heap. */
        walk_error(c, hs_as_find(c->as, at) ? at : c->h->handle, HS_CHECK_LIST_LIMIT, "", "",
                   "walking the heaps of this dump took more than %" PRIu64
                   " steps, one per 2 bytes of its memory; "
                   "the walk stopped at 0x%" PRIx64,
                   c->steps_limit, at);
    }
    return false;
}

void walk_error(walk_ctx *c, uint64_t addr, const char *check, const char *expected,
                const char *found, const char *fmt, ...)
{
    hs_heap *h = c->h;
    /* A badly damaged heap could produce one error per granule, a hostile dump thousands of such
     * heaps: keep the first of each heap, then as many as the limits allow. */
    if (h->error_count >= HS_MAX_ERRORS_PER_HEAP)
        return;
    bool budgeted = *c->errors_budget > 0 ||
                    (c->pool && walk_refill(&c->pool->errors, c->errors_budget, POOL_CHUNK_ERRORS));
    if (!budgeted) {
        c->errors_limited = true;
        if (h->error_count > 0)
            return;
    }
    if (!hs_grow((void **)&h->errors, &c->error_cap, h->error_count, sizeof *h->errors))
        return;
    if (budgeted) {
        (*c->errors_budget)--;
        c->errors_used++;
    }
    hs_integrity_error *e = &h->errors[h->error_count++];
    memset(e, 0, sizeof *e);
    e->address = addr;
    e->check = check;
    snprintf(e->expected, sizeof e->expected, "%s", expected ? expected : "");
    snprintf(e->found, sizeof e->found, "%s", found ? found : "");
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    e->detail = hs_arena_printf(c->arena, "%s", buf);
}

void walk_missing(walk_ctx *c, uint64_t addr, uint64_t size)
{
    hs_heap *h = c->h;
    h->walk_complete = false;
    /* Report from the first byte that is really absent: a read fails when any of its bytes is. */
    uint64_t end = addr + size < addr ? UINT64_MAX : addr + size;
    for (const hs_as_range *r; addr < end && (r = hs_as_find(c->as, addr)) != NULL;)
        addr = r->start + r->size;
    if (addr >= end)
        return;
    size = end - addr;
    if (h->missing_count &&
        h->missing[h->missing_count - 1].address + h->missing[h->missing_count - 1].size == addr) {
        h->missing[h->missing_count - 1].size += size;
        return;
    }
    if (h->missing_count >= 10000 ||
        !hs_grow((void **)&h->missing, &c->missing_cap, h->missing_count, sizeof *h->missing))
        return;
    h->missing[h->missing_count++] = (hs_range){addr, size};
}

/* Resynchronises after damage at addr and records the range passed over. */
static uint64_t skip_damage(walk_ctx *c, uint64_t addr, uint64_t end, uint64_t next_gap);

static void add_gap(walk_ctx *c, uint64_t addr, uint64_t size)
{
    hs_heap *h = c->h;
    if (hs_grow((void **)&h->uncommitted, &c->gap_cap, h->uncommitted_count,
                sizeof *h->uncommitted))
        h->uncommitted[h->uncommitted_count++] = (hs_range){addr, size};
}

hs_status walk_read_ptr(walk_ctx *c, uint64_t va, uint64_t *out)
{
    return hs_as_read_ptr(c->as, va, c->l->ptr, out);
}

static void hex(char *buf, size_t n, uint64_t v) { snprintf(buf, n, "0x%" PRIx64, v); }

/* ---- entries ---- */

hs_status walk_read_entry(walk_ctx *c, uint64_t addr, hs_entry *e)
{
    const hs_heap_layout *l = c->l;
    uint8_t b[8];
    hs_status st = hs_as_read(c->as, addr + l->hdr, b, 8);
    if (st != HS_OK)
        return st;
    memcpy(e->raw, b, 8);
    if (c->h->encoded)
        for (int i = 0; i < 8; i++)
            b[i] ^= c->h->key[i];
    e->size = (uint16_t)(b[l->e_size] | b[l->e_size + 1] << 8);
    e->previous_size = (uint16_t)(b[l->e_previous_size] | b[l->e_previous_size + 1] << 8);
    e->flags = b[l->e_flags];
    e->small_tag = b[l->e_small_tag];
    e->segment = b[l->e_segment];
    e->unused = b[l->e_unused];
    /* The checksum exists only where headers are encoded (§3.3). */
    e->checksum_ok = !c->h->encoded || b[3] == (uint8_t)(b[0] ^ b[1] ^ b[2]);
    return HS_OK;
}

/* Whether a decoded entry can be a real header at addr, before end (used to resynchronise). */
static bool plausible(walk_ctx *c, uint64_t addr, uint64_t end, const hs_entry *e)
{
    uint64_t size = (uint64_t)e->size * c->l->gran;
    return e->checksum_ok && e->size != 0 && size <= end - addr;
}

/* After damage or missing memory, finds the next address in [from, end) where two consecutive
 * plausible entries chain (the second's PreviousSize equals the first's Size), or where a plausible
 * entry ends exactly at `end` or at the next gap. Returns end when none is found. */
static uint64_t resync(walk_ctx *c, uint64_t from, uint64_t end, uint64_t next_gap)
{
    uint64_t g = c->l->gran;
    uint64_t a = (from + g - 1) & ~(g - 1);
    while (a < end && !hs_as_expired(c->as)) {
        if (!walk_step(c, a))
            return end;
        uint64_t present = hs_as_next_present(c->as, a);
        if (present == UINT64_MAX || present >= end)
            return end;
        if (present > a) {
            a = (present + g - 1) & ~(g - 1);
            continue;
        }
        hs_entry e1, e2;
        if (walk_read_entry(c, a, &e1) == HS_OK && plausible(c, a, end, &e1)) {
            uint64_t next = a + (uint64_t)e1.size * g;
            if (next == end || next == next_gap)
                return a;
            if (walk_read_entry(c, next, &e2) == HS_OK && plausible(c, next, end, &e2) &&
                e2.previous_size == e1.size)
                return a;
        }
        a += g;
    }
    return end;
}

static uint64_t skip_damage(walk_ctx *c, uint64_t addr, uint64_t end, uint64_t next_gap)
{
    uint64_t to = resync(c, addr + c->l->gran, end, next_gap);
    hs_heap *h = c->h;
    if (h->skipped_count < 1000 &&
        hs_grow((void **)&h->skipped, &c->skipped_cap, h->skipped_count, sizeof *h->skipped))
        h->skipped[h->skipped_count++] = (hs_range){addr, to - addr};
    return to;
}

/* The state of a backend entry (§3.7 step 6). */
static void classify(walk_ctx *c, const hs_entry *e, uint64_t size, hs_block *b)
{
    b->flags = e->flags;
    b->unused_bytes = e->unused;
    b->size = size;
    b->requested = HS_REQUESTED_UNKNOWN;
    b->kind = HS_BLOCK_BACKEND;
    if (!(e->flags & HS_ENTRY_BUSY)) {
        b->state = HS_BLOCK_FREE;
        return;
    }
    if (c->l->gen == HS_HEAP_GEN_NT6) {
        /* UnusedBytes 1 marks heap/segment headers and 3 the block holding a UCR descriptor;
         * flag 0x08 inside a segment marks internal blocks (BlocksIndex, LFH containers). */
        if (e->unused == UNUSED_HEADER || e->unused == UNUSED_UCR_SENTINEL ||
            (e->flags & HS_ENTRY_VIRTUAL_ALLOC)) {
            b->state = HS_BLOCK_INTERNAL;
            return;
        }
        unsigned unused = e->unused & 0x3F;
        b->state = HS_BLOCK_BUSY;
        /* 0x3F: the count is stored elsewhere; the size stays unknown (§3.4). */
        if (unused != 0x3F && unused <= size)
            b->requested = size - unused;
        return;
    }
    b->state = HS_BLOCK_BUSY;
    if (e->unused <= size)
        b->requested = size - e->unused;
}

/* ---- segments ---- */

static int compare_ranges(const void *a, const void *b)
{
    const hs_range *x = a, *y = b;
    return x->address < y->address ? -1 : x->address > y->address;
}

typedef struct ucr_collect {
    hs_range *gaps;
    size_t count, cap;
    bool incomplete; /* a descriptor was not in the dump: the accounting cannot be checked */
} ucr_collect;

static bool collect_ucr_nt6(walk_ctx *c, uint64_t element, void *arg)
{
    ucr_collect *u = arg;
    uint64_t desc = element - c->l->ucr_link, addr, size;
    if (walk_read_ptr(c, desc + c->l->ucr_address, &addr) != HS_OK ||
        walk_read_ptr(c, desc + c->l->ucr_size, &size) != HS_OK) {
        walk_missing(c, desc, c->l->ucr_size + c->l->ptr);
        u->incomplete = true;
        return true;
    }
    if (hs_grow((void **)&u->gaps, &u->cap, u->count, sizeof *u->gaps))
        u->gaps[u->count++] = (hs_range){addr, size};
    return true;
}

static void collect_ucr_nt5(walk_ctx *c, uint64_t first, ucr_collect *u)
{
    uint64_t rec = first;
    for (size_t steps = 0; rec != 0 && walk_step(c, rec); steps++) {
        if (steps >= 4096) {
            walk_error(c, first, HS_CHECK_LIST_CYCLE, "", "",
                       "the uncommitted-range list of the segment does not end");
            return;
        }
        uint64_t addr, size, next;
        if (walk_read_ptr(c, rec + c->l->ucr_address, &addr) != HS_OK ||
            walk_read_ptr(c, rec + c->l->ucr_size, &size) != HS_OK ||
            walk_read_ptr(c, rec + c->l->ucr_link, &next) != HS_OK) {
            walk_missing(c, rec, 3ull * c->l->ptr);
            u->incomplete = true;
            return;
        }
        if (hs_grow((void **)&u->gaps, &u->cap, u->count, sizeof *u->gaps))
            u->gaps[u->count++] = (hs_range){addr, size};
        rec = next;
    }
}

/* Walks one segment from its first entry to LastValidEntry, skipping uncommitted ranges. */
static void walk_segment(walk_ctx *c, uint16_t seg_index)
{
    hs_heap *h = c->h;
    const hs_heap_layout *l = c->l;
    const hs_heap_segment *seg = &h->segments[seg_index];
    uint64_t g = l->gran;
    char ex[40], fd[40];

    ucr_collect u = {0};
    size_t missing_before = h->missing_count;
    if (l->gen == HS_HEAP_GEN_NT6)
        walk_list(c, seg->address + l->seg_ucr_list, "uncommitted-range list", collect_ucr_nt6, &u);
    else {
        uint64_t first;
        if (walk_read_ptr(c, seg->address + l->seg_ucr_list, &first) == HS_OK)
            collect_ucr_nt5(c, first, &u);
    }
    u.incomplete |= h->missing_count != missing_before;
    if (u.count > 1)
        qsort(u.gaps, u.count, sizeof *u.gaps, compare_ranges);
    uint64_t gap_bytes = 0;
    for (size_t i = 0; i < u.count; i++) {
        add_gap(c, u.gaps[i].address, u.gaps[i].size);
        gap_bytes += u.gaps[i].size;
    }
    if (!u.incomplete &&
        (u.count != seg->uncommitted_ranges || gap_bytes / PAGE != seg->uncommitted_pages)) {
        snprintf(ex, sizeof ex, "%u pages in %u", seg->uncommitted_pages, seg->uncommitted_ranges);
        snprintf(fd, sizeof fd, "%" PRIu64 " pages in %zu", gap_bytes / PAGE, u.count);
        walk_error(c, seg->address, HS_CHECK_UCR_ACCOUNTING, ex, fd,
                   "segment 0x%" PRIx64
                   " declares %u uncommitted pages in %u ranges; its range list holds %" PRIu64
                   " pages in %zu",
                   seg->address, seg->uncommitted_pages, seg->uncommitted_ranges, gap_bytes / PAGE,
                   u.count);
    }

    /* The walk skips the ranges as one sorted, disjoint list. Ranges that wrap the address space
     * are dropped and ranges that overlap are merged, each reported at the segment: a walk sent to
     * the end of one range could otherwise land inside the next, at an address that is not in the
     * dump (found by fuzz_pipeline; corpus/malformed/ucr-ranges-overlap.dmp). */
    size_t kept = 0;
    for (size_t i = 0; i < u.count; i++) {
        hs_range r = u.gaps[i];
        uint64_t r_end;
        if (!hs_add_u64(r.address, r.size, &r_end)) {
            hex(ex, sizeof ex, r.address);
            hex(fd, sizeof fd, r.size);
            walk_error(c, seg->address, HS_CHECK_UCR_ACCOUNTING, ex, fd,
                       "segment 0x%" PRIx64 ": uncommitted range 0x%" PRIx64 "+0x%" PRIx64
                       " wraps the address space",
                       seg->address, r.address, r.size);
            continue;
        }
        hs_range *last = kept ? &u.gaps[kept - 1] : NULL;
        if (last && r.address < last->address + last->size) {
            snprintf(ex, sizeof ex, ">= 0x%" PRIx64, last->address + last->size);
            hex(fd, sizeof fd, r.address);
            walk_error(c, seg->address, HS_CHECK_UCR_ACCOUNTING, ex, fd,
                       "segment 0x%" PRIx64 ": uncommitted ranges 0x%" PRIx64 "+0x%" PRIx64
                       " and 0x%" PRIx64 "+0x%" PRIx64 " overlap",
                       seg->address, last->address, last->size, r.address, r.size);
            if (r_end > last->address + last->size)
                last->size = r_end - last->address;
            continue;
        }
        u.gaps[kept++] = r;
    }
    u.count = kept;

    uint64_t end = seg->last_valid_entry;
    uint64_t addr = seg->first_entry;
    uint64_t came_from =
        seg->address;           /* the entry whose size led the walk to addr, else the segment */
    int64_t expected_prev = -1; /* unknown */
    /* The header entries before FirstEntry are walked too, so FirstEntry's PreviousSize is checked
     * (§3.7 step 2): on Vista+ the heap/segment header block; on XP the first segment also starts
     * at the heap itself (the _HEAP entry, then the _HEAP_SEGMENT entry). When they do not chain
     * exactly to FirstEntry, the region is listed as one internal block. */
    uint64_t start = seg->base < seg->address && seg->base == h->handle ? seg->base : seg->address;
    if (seg->first_entry > start) {
        size_t pushed = 0;
        uint64_t at = start;
        int64_t prev = -1;
        while (at < seg->first_entry && walk_step(c, at)) {
            hs_entry e;
            uint64_t size;
            if (walk_read_entry(c, at, &e) != HS_OK || !e.checksum_ok || e.size == 0 ||
                (size = (uint64_t)e.size * g) > seg->first_entry - at)
                break;
            hs_block b = {.address = at, .segment = seg_index};
            classify(c, &e, size, &b);
            b.state = HS_BLOCK_INTERNAL;
            b.requested = HS_REQUESTED_UNKNOWN; /* a header, not an allocation */
            if (!walk_push_block(c, &b))
                goto out;
            pushed++;
            prev = e.size;
            at += size;
        }
        if (at == seg->first_entry) {
            expected_prev = prev;
        } else {
            h->block_count -= pushed; /* they did not chain: one internal block instead */
            *c->blocks_budget += pushed;
            c->blocks_held -= pushed;
            hs_block b = {.address = start,
                          .size = seg->first_entry - start,
                          .state = HS_BLOCK_INTERNAL,
                          .requested = HS_REQUESTED_UNKNOWN,
                          .segment = seg_index};
            if (!walk_push_block(c, &b))
                goto out;
        }
    }

    size_t gi = 0, entries = 0;
    /* The walk learns each next entry only from the one before: memory is read ahead of it,
     * PREFETCH_AHEAD bytes at a time, so each header read finds its line in the cache (and the
     * sieve notes the words reachability will want, heap_sieve.c). */
    uint64_t prefetched = addr;
    while (addr < end && walk_step(c, addr)) {
        if (prefetched < addr + PREFETCH_AHEAD) {
            /* A block larger than the window was stepped over: read it too (reachability wants
             * its words), unless the step was so long (a large free block) that it is not worth it.
             */
            uint64_t from =
                prefetched >= addr || addr - prefetched <= SIEVE_MAX_STEP ? prefetched : addr;
            uint64_t to = end - from < 2 * PREFETCH_AHEAD ? end : from + 2 * PREFETCH_AHEAD;
            walk_sieve(c, from, to);
            prefetched = to;
        }
        if (++entries > HS_MAX_ENTRIES_PER_SEGMENT) {
            walk_error(c, addr, HS_CHECK_LIST_LIMIT, "", "",
                       "segment 0x%" PRIx64 " has more than %u entries; walk stopped", seg->address,
                       HS_MAX_ENTRIES_PER_SEGMENT);
            break;
        }
        while (gi < u.count && u.gaps[gi].address + u.gaps[gi].size <= addr)
            gi++;
        uint64_t next_gap = gi < u.count ? u.gaps[gi].address : end;
        if (gi < u.count && addr >= u.gaps[gi].address) {
            /* Reported where a person can look: at addr when the dump holds it, else at the entry
             * whose size led here (or the segment). */
            if (addr > u.gaps[gi].address)
                walk_error(c, hs_as_find(c->as, addr) ? addr : came_from, HS_CHECK_INTO_UNCOMMITTED,
                           "", "",
                           "the walk reached 0x%" PRIx64 ", inside the uncommitted range 0x%" PRIx64
                           "+0x%" PRIx64,
                           addr, u.gaps[gi].address, u.gaps[gi].size);
            addr = u.gaps[gi].address + u.gaps[gi].size;
            came_from = seg->address;
            expected_prev = 0; /* the entry after a gap starts a new chain (§3.7 step 4) */
            gi++;
            continue;
        }
        hs_entry e;
        if (walk_read_entry(c, addr, &e) != HS_OK) {
            uint64_t present = hs_as_next_present(c->as, addr);
            uint64_t stop = present < next_gap ? present : next_gap;
            walk_missing(c, addr, stop - addr);
            addr = stop == next_gap ? stop : resync(c, stop, end, next_gap);
            came_from = seg->address;
            expected_prev = -1;
            continue;
        }
        if (!e.checksum_ok) {
            snprintf(ex, sizeof ex, "0x%02x",
                     (unsigned)(uint8_t)(e.raw[0] ^ h->key[0] ^ e.raw[1] ^ h->key[1] ^ e.raw[2] ^
                                         h->key[2]));
            snprintf(fd, sizeof fd, "0x%02x", (unsigned)(uint8_t)(e.raw[3] ^ h->key[3]));
            walk_error(c, addr, HS_CHECK_HEADER_CHECKSUM, ex, fd,
                       "heap entry 0x%" PRIx64
                       " fails its header checksum (SmallTagIndex is not Size^Flags); the walk "
                       "resumes at the next entry that decodes",
                       addr);
            addr = skip_damage(c, addr, end, next_gap);
            came_from = seg->address;
            expected_prev = -1;
            continue;
        }
        uint64_t size = (uint64_t)e.size * g;
        if (e.size == 0) {
            walk_error(c, addr, HS_CHECK_ENTRY_SIZE, "> 0", "0",
                       "heap entry 0x%" PRIx64 " has Size 0", addr);
            addr = skip_damage(c, addr, end, next_gap);
            came_from = seg->address;
            expected_prev = -1;
            continue;
        }
        if (size > end - addr) {
            hex(ex, sizeof ex, end);
            hex(fd, sizeof fd, addr + size);
            walk_error(c, addr, HS_CHECK_PAST_SEGMENT_END, ex, fd,
                       "heap entry 0x%" PRIx64 " of 0x%" PRIx64
                       " bytes runs past the end of segment 0x%" PRIx64,
                       addr, size, seg->address);
            /* The rest of the segment cannot be reached: the walk is not complete, and checks that
             * compare it with the free lists would only repeat this error. */
            h->walk_complete = false;
            break;
        }
        if (size > next_gap - addr) {
            hex(ex, sizeof ex, next_gap);
            hex(fd, sizeof fd, addr + size);
            walk_error(c, addr, HS_CHECK_INTO_UNCOMMITTED, ex, fd,
                       "heap entry 0x%" PRIx64 " of 0x%" PRIx64
                       " bytes runs into the uncommitted range at 0x%" PRIx64,
                       addr, size, next_gap);
            came_from = addr;
            addr = next_gap;
            continue;
        }
        if (expected_prev >= 0 && e.previous_size != expected_prev) {
            snprintf(ex, sizeof ex, "0x%04x", (unsigned)expected_prev);
            snprintf(fd, sizeof fd, "0x%04x", e.previous_size);
            walk_error(c, addr, HS_CHECK_PREVIOUS_SIZE, ex, fd,
                       "heap entry 0x%" PRIx64
                       " has PreviousSize 0x%04x; the entry before it has Size 0x%04x",
                       addr, e.previous_size, (unsigned)expected_prev);
        }
        if (l->gen == HS_HEAP_GEN_NT5 && e.segment != seg_index) {
            snprintf(ex, sizeof ex, "%u", seg_index);
            snprintf(fd, sizeof fd, "%u", e.segment);
            walk_error(c, addr, HS_CHECK_SEGMENT_INDEX, ex, fd,
                       "heap entry 0x%" PRIx64 " names segment %u but lies in segment %u", addr,
                       e.segment, seg_index);
        }
        hs_block b = {.address = addr, .segment = seg_index};
        classify(c, &e, size, &b);
        if (!walk_push_block(c, &b))
            break;
        expected_prev = e.size;
        came_from = addr;
        addr += size;
    }
out:
    hs_free(u.gaps);
}

/* Reads the fields of the segment at addr; false (with an error or a missing range) when unusable.
 */
static bool read_segment(walk_ctx *c, uint64_t addr, hs_heap_segment *s)
{
    const hs_heap_layout *l = c->l;
    uint64_t owner = 0;
    uint32_t sig = 0;
    char ex[40], fd[40];
    memset(s, 0, sizeof *s);
    s->address = addr;
    if (hs_as_read_u32(c->as, addr + l->seg_signature, &sig) != HS_OK ||
        walk_read_ptr(c, addr + l->seg_base, &s->base) != HS_OK ||
        hs_as_read_u32(c->as, addr + l->seg_number_of_pages, &s->pages) != HS_OK ||
        walk_read_ptr(c, addr + l->seg_first_entry, &s->first_entry) != HS_OK ||
        walk_read_ptr(c, addr + l->seg_last_valid_entry, &s->last_valid_entry) != HS_OK ||
        hs_as_read_u32(c->as, addr + l->seg_uncommitted_pages, &s->uncommitted_pages) != HS_OK ||
        hs_as_read_u32(c->as, addr + l->seg_uncommitted_ranges, &s->uncommitted_ranges) != HS_OK ||
        walk_read_ptr(c, addr + l->seg_heap, &owner) != HS_OK) {
        walk_missing(c, addr, l->seg_ucr_list + 2ull * l->ptr);
        return false;
    }
    /* On XP the first segment's signature slot is the heap's own (0xEEFFEEFF is at the same
     * offset only for secondary segments' 0xFFEEFFEE); on Vista+ every segment carries 0xFFEEFFEE.
     */
    if (sig != HS_SEGMENT_SIGNATURE && !(l->gen == HS_HEAP_GEN_NT5 && addr == c->h->handle)) {
        hex(ex, sizeof ex, HS_SEGMENT_SIGNATURE);
        hex(fd, sizeof fd, sig);
        walk_error(c, addr, HS_CHECK_SEGMENT_SIGNATURE, ex, fd,
                   "segment 0x%" PRIx64 " has a bad signature", addr);
        return false;
    }
    if (owner != c->h->handle) {
        hex(ex, sizeof ex, c->h->handle);
        hex(fd, sizeof fd, owner);
        walk_error(c, addr, HS_CHECK_SEGMENT_OWNER, ex, fd,
                   "segment 0x%" PRIx64 " names another heap as its owner", addr);
        return false;
    }
    uint64_t limit;
    if (!hs_add_u64(s->base, (uint64_t)s->pages * PAGE, &limit) || s->first_entry < addr ||
        s->last_valid_entry > limit || s->first_entry > s->last_valid_entry) {
        hex(ex, sizeof ex, limit);
        hex(fd, sizeof fd, s->last_valid_entry);
        walk_error(c, addr, HS_CHECK_SEGMENT_RANGE, ex, fd,
                   "segment 0x%" PRIx64 ": FirstEntry 0x%" PRIx64 " / LastValidEntry 0x%" PRIx64
                   " do not lie within its %u pages from 0x%" PRIx64,
                   addr, s->first_entry, s->last_valid_entry, s->pages, s->base);
        return false;
    }
    return true;
}

static bool add_segment(walk_ctx *c, uint64_t addr)
{
    hs_heap *h = c->h;
    for (size_t i = 0; i < h->segment_count; i++)
        if (h->segments[i].address == addr) {
            walk_error(c, addr, HS_CHECK_LIST_CYCLE, "", "",
                       "segment 0x%" PRIx64 " is listed twice", addr);
            return false;
        }
    if (h->segment_count >= HS_MAX_SEGMENTS)
        return false;
    hs_heap_segment s;
    if (!read_segment(c, addr, &s))
        return true;
    hs_heap_segment *n = hs_realloc(h->segments, (h->segment_count + 1) * sizeof *n);
    if (!n) {
        c->out_of_memory = true;
        return false;
    }
    h->segments = n;
    h->segments[h->segment_count++] = s;
    return true;
}

static bool visit_segment(walk_ctx *c, uint64_t element, void *arg)
{
    (void)arg;
    return add_segment(c, element - c->l->seg_list_entry);
}

/* ---- large blocks ---- */

static bool visit_virtual_block(walk_ctx *c, uint64_t entry, void *arg)
{
    (void)arg;
    const hs_heap_layout *l = c->l;
    uint64_t commit, reserve;
    hs_entry e;
    char ex[40], fd[40];
    if (walk_read_ptr(c, entry + l->va_commit_size, &commit) != HS_OK ||
        walk_read_ptr(c, entry + l->va_reserve_size, &reserve) != HS_OK ||
        walk_read_entry(c, entry + l->va_busy_block, &e) != HS_OK) {
        walk_missing(c, entry, l->va_busy_block + l->gran);
        return true;
    }
    hs_block b = {.address = entry,
                  .size = commit,
                  .flags = e.flags,
                  .unused_bytes = e.unused,
                  .state = HS_BLOCK_BUSY,
                  .kind = HS_BLOCK_VIRTUAL,
                  .segment = 0xFFFF,
                  .requested = e.size <= commit ? commit - e.size : HS_REQUESTED_UNKNOWN};
    /* The entry starts its own page-aligned allocation, and its BusyBlock is busy (§3.7, §6.11). */
    if ((entry & (PAGE - 1)) != 0 || commit > reserve || !(e.flags & HS_ENTRY_BUSY) ||
        commit == 0) {
        hex(ex, sizeof ex, reserve);
        hex(fd, sizeof fd, commit);
        walk_error(c, entry, HS_CHECK_VIRTUAL_BLOCK, ex, fd,
                   "large block 0x%" PRIx64 ": CommitSize 0x%" PRIx64 ", ReserveSize 0x%" PRIx64
                   ", flags 0x%02x",
                   entry, commit, reserve, e.flags);
    }
    if (commit ==
        0) /* holds nothing: reported above, and a block of no bytes would only shadow others */
        return true;
    return walk_push_block(c, &b);
}

/* ---- list walking ---- */

size_t walk_list(walk_ctx *c, uint64_t head, const char *list_name, walk_list_visit visit,
                 void *arg)
{
    uint64_t prev = head, cur;
    char ex[40], fd[40];
    if (walk_read_ptr(c, head, &cur) != HS_OK) {
        walk_missing(c, head, 2ull * c->l->ptr);
        return 0;
    }
    /* Brent's cycle detection: a loop that does not pass through the head is caught in O(λ+μ). */
    uint64_t tortoise = head;
    size_t power = 1, lambda = 0, n = 0;
    while (cur != head && walk_step(c, cur)) {
        if (n >= HS_MAX_LIST_STEPS) {
            walk_error(c, cur, HS_CHECK_LIST_LIMIT, "", "",
                       "the %s at 0x%" PRIx64 " exceeds %u elements", list_name, head,
                       HS_MAX_LIST_STEPS);
            break;
        }
        uint64_t blink, next;
        if (walk_read_ptr(c, cur + c->l->ptr, &blink) != HS_OK ||
            walk_read_ptr(c, cur, &next) != HS_OK) {
            walk_missing(c, cur, 2ull * c->l->ptr);
            break;
        }
        if (blink != prev) {
            hex(ex, sizeof ex, prev);
            hex(fd, sizeof fd, blink);
            walk_error(c, cur, HS_CHECK_FREE_LIST_LINK, ex, fd,
                       "%s element 0x%" PRIx64
                       ": its Blink does not point back to the element before it",
                       list_name, cur);
        }
        n++;
        if (!visit(c, cur, arg))
            break;
        if (next != head && next == tortoise) {
            walk_error(c, next, HS_CHECK_LIST_CYCLE, "", "",
                       "the %s at 0x%" PRIx64 " loops back to 0x%" PRIx64
                       " without returning to its head",
                       list_name, head, next);
            break;
        }
        if (power == ++lambda) {
            tortoise = next;
            power *= 2;
            lambda = 0;
        }
        prev = cur;
        cur = next;
    }
    return n;
}

/* ---- heaps ---- */

static uint64_t committed_of_allocation(const hs_dump *d, uint64_t alloc_base, uint64_t *reserved)
{
    uint64_t committed = 0;
    /* memory_info is sorted by base; the regions of one allocation are contiguous from its base. */
    size_t lo =
        alloc_base ? HS_COUNT_LE(d->memory_info, d->memory_info_count, base, alloc_base - 1) : 0;
    for (size_t i = lo; i < d->memory_info_count && d->memory_info[i].allocation_base == alloc_base;
         i++) {
        if (d->memory_info[i].state == HS_MEM_COMMIT)
            committed += d->memory_info[i].region_size;
        if (reserved && d->memory_info[i].state != HS_MEM_FREE)
            *reserved += d->memory_info[i].region_size;
    }
    return committed;
}

static int compare_blocks(const void *a, const void *b)
{
    const hs_block *x = a, *y = b;
    if (x->address != y->address)
        return x->address < y->address ? -1 : 1;
    /* A container and its first chunk never share an address, but keep the order total. */
    return x->kind < y->kind ? -1 : x->kind > y->kind;
}

static void sort_blocks(hs_heap *h)
{
    if (h->block_count > 1)
        hs_sort(h->blocks, h->block_count, sizeof *h->blocks, compare_blocks);
}

/* Missing ranges are recorded in walk order; report them sorted and merged. */
static void sort_missing(hs_heap *h)
{
    if (h->missing_count < 2)
        return;
    qsort(h->missing, h->missing_count, sizeof *h->missing, compare_ranges);
    size_t out = 0;
    for (size_t i = 1; i < h->missing_count; i++) {
        hs_range *last = &h->missing[out];
        if (h->missing[i].address <= last->address + last->size) {
            uint64_t end = h->missing[i].address + h->missing[i].size;
            if (end > last->address + last->size)
                last->size = end - last->address;
        } else {
            h->missing[++out] = h->missing[i];
        }
    }
    h->missing_count = out + 1;
}

static void total_up(walk_ctx *c)
{
    hs_heap *h = c->h;
    sort_missing(h);
    for (size_t i = 0; i < h->segment_count; i++) {
        const hs_heap_segment *s = &h->segments[i];
        h->reserved += (uint64_t)s->pages * PAGE;
        if (s->uncommitted_pages <= s->pages)
            h->committed += (uint64_t)(s->pages - s->uncommitted_pages) * PAGE;
        if (c->dump->has_memory_info)
            h->committed_memory_info += committed_of_allocation(c->dump, s->base, NULL);
    }
    for (size_t i = 0; i < h->block_count; i++) {
        const hs_block *b = &h->blocks[i];
        switch (b->state) {
        case HS_BLOCK_BUSY:
            h->busy_blocks++;
            h->busy_bytes += b->size;
            if (b->cached) {
                h->lookaside_blocks++;
                h->lookaside_bytes += b->size;
            }
            break;
        case HS_BLOCK_FREE:
            h->free_blocks++;
            h->free_bytes += b->size;
            break;
        default:
            h->internal_blocks++;
            h->internal_bytes += b->size;
            break;
        }
        if (b->kind == HS_BLOCK_VIRTUAL) {
            h->virtual_blocks++;
            h->virtual_bytes += b->size;
        } else if (b->kind == HS_BLOCK_LFH) {
            h->lfh_blocks++;
            if (b->state == HS_BLOCK_BUSY)
                h->lfh_busy_blocks++;
            else
                h->lfh_free_blocks++;
        }
    }
}

static void walk_nt_heap(walk_ctx *c)
{
    hs_heap *h = c->h;
    const hs_heap_layout *l = c->l;
    uint8_t fe_type = 0;
    uint32_t encode_mask = 0;
    uint64_t total_free = 0;
    (void)(hs_as_read_u32(c->as, h->handle + l->flags, &h->flags) == HS_OK);
    (void)(hs_as_read_u32(c->as, h->handle + l->force_flags, &h->force_flags) == HS_OK);
    (void)(walk_read_ptr(c, h->handle + l->front_end_heap, &h->front_end_heap) == HS_OK);
    if (hs_as_read(c->as, h->handle + l->front_end_heap_type, &fe_type, 1) == HS_OK)
        h->front_end_type = fe_type;
    if (l->gen == HS_HEAP_GEN_NT6 &&
        hs_as_read_u32(c->as, h->handle + l->encode_flag_mask, &encode_mask) == HS_OK &&
        encode_mask != 0 && hs_as_read(c->as, h->handle + l->encoding, h->key, 8) == HS_OK)
        h->encoded = true;
    if (walk_read_ptr(c, h->handle + l->total_free_size, &total_free) == HS_OK)
        h->total_free_size = (l->ptr == 4 ? (uint32_t)total_free : total_free) * l->gran;

    if (l->gen == HS_HEAP_GEN_NT6) {
        walk_list(c, h->handle + l->segment_list, "segment list", visit_segment, NULL);
    } else {
        for (unsigned i = 0; i < NT5_MAX_SEGMENTS; i++) {
            uint64_t seg;
            if (walk_read_ptr(c, h->handle + l->segments + (uint64_t)i * l->ptr, &seg) != HS_OK) {
                walk_missing(c, h->handle + l->segments + (uint64_t)i * l->ptr, l->ptr);
                break;
            }
            if (seg && !add_segment(c, seg))
                break;
        }
    }
    for (size_t i = 0; i < h->segment_count && !c->out_of_memory; i++)
        walk_segment(c, (uint16_t)i);
    walk_list(c, h->handle + l->virtual_allocd_blocks, "large-block list", visit_virtual_block,
              NULL);
    /* Free-list checks look blocks up by address. */
    sort_blocks(h);
    walk_free_lists(c);
    if (l->gen == HS_HEAP_GEN_NT6 && l->lfh != HS_LFH_NONE)
        walk_lfh(c);
    else if (l->gen == HS_HEAP_GEN_NT5)
        walk_lookaside(c);
}

static void walk_segment_heap(walk_ctx *c)
{
    hs_heap *h = c->h;
    h->segment_heap = true;
    h->walk_complete = false; /* blocks need ntdll's keys (heap-internals.md §5) */
    if (c->dump->has_memory_info) {
        uint64_t reserved = 0;
        h->committed_memory_info = committed_of_allocation(c->dump, h->handle, &reserved);
        h->committed = h->committed_memory_info;
        h->reserved = reserved;
    }
}

static void walk_one(walk_ctx *c, const hs_heap_ref *ref, const hs_process *p)
{
    hs_heap *h = c->h;
    h->handle = ref->handle;
    h->peb_index = ref->peb_index;
    h->list_index = ref->list_index;
    h->walk_complete = true;
    unsigned ptr = p->pebs[ref->peb_index].ptr_size;
    uint32_t sig = 0;
    if (hs_as_read_u32(c->as, h->handle + (ptr == 4 ? 0x08 : 0x10), &sig) != HS_OK) {
        walk_missing(c, h->handle, 0x1000);
        return;
    }
    if (sig == HS_SEGMENT_HEAP_SIGNATURE) {
        h->identified = true;
        walk_segment_heap(c);
        return;
    }
    const hs_heap_layout *suggested =
        hs_heap_layout_for(p->os_major, p->os_minor, p->os_build, ptr);
    const hs_heap_layout *l = hs_heap_layout_detect(suggested, c->as, h->handle);
    if (!l) {
        char ex[40], fd[40];
        hex(ex, sizeof ex,
            suggested->gen == HS_HEAP_GEN_NT6 ? HS_SEGMENT_SIGNATURE : HS_HEAP_SIGNATURE);
        hex(fd, sizeof fd, sig);
        c->l = suggested;
        walk_error(c, h->handle, HS_CHECK_HEAP_SIGNATURE, ex, fd,
                   "0x%" PRIx64 " is listed as a heap but carries no heap signature for %s",
                   h->handle, suggested->name);
        h->walk_complete = false;
        return;
    }
    h->identified = true;
    h->layout = c->l = l;
    walk_nt_heap(c);
}

void walk_heap(walk_ctx *c, const hs_heap_ref *ref, const hs_process *p)
{
    c->h->sieve.usable = c->set && c->set->sieve_width;
    walk_one(c, ref, p);
    walk_sieve_finish(c->h);
    sort_blocks(c->h);
    total_up(c);
}

static int compare_heap_ranges(const void *a, const void *b)
{
    const hs_heap_range *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Builds the address → heap index: segments, large blocks and segment-heap reservations. */
static void index_ranges(hs_heapset *set)
{
    size_t n = 0;
    for (size_t i = 0; i < set->count; i++)
        n +=
            set->heaps[i].segment_count + set->heaps[i].virtual_blocks + set->heaps[i].segment_heap;
    set->ranges = hs_calloc(n ? n : 1, sizeof *set->ranges);
    if (!set->ranges)
        return;
    for (size_t i = 0; i < set->count; i++) {
        const hs_heap *h = &set->heaps[i];
        for (size_t s = 0; s < h->segment_count; s++)
            set->ranges[set->range_count++] =
                (hs_heap_range){h->segments[s].address, h->segments[s].last_valid_entry, i};
        for (size_t b = 0; b < h->block_count; b++)
            if (h->blocks[b].kind == HS_BLOCK_VIRTUAL)
                set->ranges[set->range_count++] = (hs_heap_range){
                    h->blocks[b].address, h->blocks[b].address + h->blocks[b].size, i};
        if (h->segment_heap)
            set->ranges[set->range_count++] =
                (hs_heap_range){h->handle, h->handle + h->reserved, i};
    }
    if (set->range_count > 1)
        hs_sort(set->ranges, set->range_count, sizeof *set->ranges, compare_heap_ranges);
}

hs_heapset *hs_heaps_walk(const hs_dump *dump, const hs_address_space *as, hs_process *process)
{
    return hs_heaps_walk_with(dump, as, process, 0);
}

hs_heapset *hs_heaps_walk_with(const hs_dump *dump, const hs_address_space *as, hs_process *process,
                               unsigned threads)
{
    hs_heapset *set = hs_calloc(1, sizeof *set);
    if (!set)
        return NULL;
    set->process = process;
    set->arena = hs_arena_new(1ull << 30);
    set->heaps = hs_calloc(process->heap_count ? process->heap_count : 1, sizeof *set->heaps);
    if (!set->arena || !set->heaps) {
        hs_heapset_free(set);
        return NULL;
    }
    /* Blocks of all heaps together: a block takes at least 8 bytes of memory and an LFH chunk lies
     * inside a block, so a real dump never holds more than one block per 4 bytes it presents.
     * Segments of different heaps that name the same memory would otherwise walk it once per
     * heap: 2^27 blocks (4 GB of records) from a dump of a few megabytes (issue 7 review). */
    uint64_t budget = hs_as_total_bytes(as) / 4 + 65536;
    if (budget > HS_MAX_BLOCKS_TOTAL)
        budget = HS_MAX_BLOCKS_TOTAL;
    const uint64_t limit = budget;
    /* Work of all heaps together: entries visited, resynchronisation probes, list elements. A real
     * walk visits each granule (8 bytes at least) of each segment once, and a list element is a
     * LIST_ENTRY in a free block or a record: one step per 2 bytes of present memory is several
     * times what any real dump needs. Heaps whose segments run over the same memory would
     * otherwise repeat the work per heap (218 heaps resynchronising over the same 187 KB: timeouts
     * of fuzz_heap_walk and fuzz_pipeline, corpus/malformed/resync-over-neighbours*.dmp). */
    uint64_t steps = hs_as_total_bytes(as) / 2 + (1u << 18);
    /* The sieve looks for every handle the heap list names, as reachability does. */
    unsigned width = hs_arch_pointer_size(process->arch);
    set->sieve_width = width == 4 || width == 8 ? width : 0;
    set->sieve_halves = process->wow64;
    set->sieve_filter = hs_handle_filter_none();
    for (size_t i = 0; i < process->heap_count; i++)
        hs_handle_filter_add(&set->sieve_filter, process->heaps[i].handle);
    /* Real dumps hold about one passing word per 300 KB. Notes are kept up to one per 256 bytes of
     * the dump, shared out among the heaps, plus a few each: a hostile dump full of handle values
     * (or of heaps over the same memory) costs reading, not memory. */
    set->sieve_notes_per_heap =
        hs_as_total_bytes(as) / 256 / (process->heap_count ? process->heap_count : 1) + 16;
    walk_budgets b = {budget, limit, steps, steps, HS_MAX_ERRORS_TOTAL};
    /* Large dumps first on several threads; what they cannot settle exactly, in order here. */
    set->count = threads == 1 ? 0 : walk_heaps_parallel(set, dump, as, process, threads, &b);
    for (size_t i = set->count; i < process->heap_count; i++) {
        walk_ctx c = {.dump = dump,
                      .set = set,
                      .as = as,
                      .arena = set->arena,
                      .h = &set->heaps[i],
                      .blocks_budget = &b.blocks,
                      .blocks_limit = b.blocks_limit,
                      .steps_budget = &b.steps,
                      .steps_limit = b.steps_limit,
                      .errors_budget = &b.errors};
        walk_heap(&c, &process->heaps[i], process);
        set->count++;
        if (c.out_of_memory)
            break;
    }
    index_ranges(set);
    return set;
}

void walk_heap_clear(hs_heap *h)
{
    hs_free(h->segments);
    hs_free(h->uncommitted);
    hs_free(h->missing);
    hs_free(h->skipped);
    hs_free(h->blocks);
    hs_free(h->errors);
    walk_sieve_release(&h->sieve);
    memset(h, 0, sizeof *h);
}

void hs_heapset_free(hs_heapset *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        walk_heap_clear(&set->heaps[i]);
    hs_free(set->heaps);
    hs_free(set->ranges);
    hs_arena_free(set->arena);
    for (size_t t = 0; t < HS_WALK_MAX_THREADS; t++)
        hs_arena_free(set->thread_arenas[t]);
    hs_free(set);
}

const hs_heap *hs_heapset_find(const hs_heapset *set, uint64_t handle)
{
    for (size_t i = 0; i < set->count; i++)
        if (set->heaps[i].handle == handle)
            return &set->heaps[i];
    return NULL;
}

const hs_block *hs_heap_block_containing(const hs_heap *h, uint64_t addr)
{
    size_t lo = HS_COUNT_LE(h->blocks, h->block_count, address, addr);
    /* LFH chunks sit inside their container: step back over the container's chunks when addr
     * falls between chunks, to the container itself. */
    for (size_t i = lo; i > 0; i--) {
        const hs_block *b = &h->blocks[i - 1];
        if (addr - b->address < b->size)
            return b;
        if (b->kind != HS_BLOCK_LFH)
            return NULL;
    }
    return NULL;
}

const hs_heap *hs_heapset_heap_containing(const hs_heapset *set, uint64_t addr)
{
    size_t lo = HS_COUNT_LE(set->ranges, set->range_count, start, addr);
    /* Ranges of different heaps do not overlap in a sane process; a damaged one may, so look back
     * a few entries for a range that really contains addr. */
    for (size_t i = lo, steps = 0; i > 0 && steps < 8; i--, steps++)
        if (addr < set->ranges[i - 1].end)
            return &set->heaps[set->ranges[i - 1].heap];
    return NULL;
}

void hs_heap_flag_names(uint32_t flags, char *buf, size_t size)
{
    /* HEAP_* creation flags and classes (heap-internals.md §3.1). */
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {
        {0x1, "NO_SERIALIZE"},
        {0x2, "GROWABLE"},
        {0x4, "GENERATE_EXCEPTIONS"},
        {0x8, "ZERO_MEMORY"},
        {0x10, "REALLOC_IN_PLACE_ONLY"},
        {0x20, "TAIL_CHECKING"},
        {0x40, "FREE_CHECKING"},
        {0x80, "DISABLE_COALESCE_ON_FREE"},
        {0x10000, "CREATE_ALIGN_16"},
        {0x20000, "CREATE_ENABLE_TRACING"},
        {0x40000, "CREATE_ENABLE_EXECUTE"},
        {0x01000000, "PAGE_ALLOCS"},
        {0x02000000, "PROTECTION_ENABLED"},
        {0x04000000, "BREAK_WHEN_OUT_OF_VM"},
        {0x08000000, "CAPTURE_STACK_BACKTRACES"},
        {0x10000000, "SKIP_VALIDATION_CHECKS"},
        {0x20000000, "VALIDATE_ALL"},
        {0x40000000, "VALIDATE_PARAMETERS"},
        {0x80000000, "LOCK_USER_ALLOCATED"},
    };
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(flags & names[i].bit))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "|" : "", names[i].name);
        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
    }
    if (flags & 0xF000) {
        int n =
            snprintf(buf + used, size - used, "%sCLASS_%u", used ? "|" : "", (flags >> 12) & 0xF);
        if (n > 0 && (size_t)n < size - used)
            used += (size_t)n;
    }
    if (used == 0)
        snprintf(buf, size, "0");
}
