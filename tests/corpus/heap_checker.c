#include "heap_checker.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_STEPS = 1 << 22, MAX_SEGMENTS = 64, MAX_UCRS = 4096 };

/* Offsets, each from heap-internals.md (section in the comment). */
typedef struct layout {
    unsigned ptr, gran;
    uint32_t teb_peb;              /* TEB.ProcessEnvironmentBlock */
    uint32_t peb_heaps, peb_count; /* §2 ProcessHeaps, NumberOfHeaps */
    bool xp;
    /* §3.5 (XP) */
    uint32_t xp_segments, xp_free_lists, xp_seg_base;
    /* §3.6 (Vista+): embedded segment and heap part */
    uint32_t seg_signature, seg_list_entry, seg_heap, first_entry, last_valid, ucr_list;
    uint32_t ucr_segment_entry, ucr_address, ucr_size;
    uint32_t heap_signature, encode_mask, encoding_key, segment_list, free_lists, total_free;
    uint32_t blocks_index; /* _HEAP.BlocksIndex (§3.6) */
    unsigned hint_size;    /* a ListHints element: LIST_ENTRY on 7, a pointer from 8 on */
} layout;

static const layout layouts[] = {
    /* XP SP3 x86: TEB.ProcessEnvironmentBlock @0x30 (§1.2); _HEAP / _HEAP_SEGMENT §3.5. */
    [HC_XP_X86] = {.ptr = 4,
                   .gran = 8,
                   .teb_peb = 0x30,
                   .peb_heaps = 0x90,
                   .peb_count = 0x88,
                   .xp = true,
                   .xp_segments = 0x58,
                   .xp_free_lists = 0x178,
                   .xp_seg_base = 0x18,
                   .seg_signature = 0x08,
                   .first_entry = 0x20,
                   .last_valid = 0x24,
                   .ucr_list = 0x30,
                   .heap_signature = 0x08},
    /* Windows 7 SP1 x86 (§3.6 "Vista SP2, 7 SP1"). */
    [HC_WIN7_X86] = {.ptr = 4,
                     .gran = 8,
                     .teb_peb = 0x30,
                     .peb_heaps = 0x90,
                     .peb_count = 0x88,
                     .seg_signature = 0x08,
                     .seg_list_entry = 0x10,
                     .seg_heap = 0x18,
                     .first_entry = 0x24,
                     .last_valid = 0x28,
                     .ucr_list = 0x38,
                     .ucr_segment_entry = 0x08,
                     .ucr_address = 0x10,
                     .ucr_size = 0x14,
                     .heap_signature = 0x64,
                     .encode_mask = 0x4C,
                     .encoding_key = 0x50,
                     .segment_list = 0xA8,
                     .free_lists = 0xC4,
                     .total_free = 0x78,
                     .blocks_index = 0xB8,
                     .hint_size = 8},
    /* Windows 7 SP1 x64: TEB.ProcessEnvironmentBlock @0x60; the key's bytes at Encoding + 8. */
    [HC_WIN7_X64] = {.ptr = 8,
                     .gran = 16,
                     .teb_peb = 0x60,
                     .peb_heaps = 0xF0,
                     .peb_count = 0xE8,
                     .seg_signature = 0x10,
                     .seg_list_entry = 0x18,
                     .seg_heap = 0x28,
                     .first_entry = 0x40,
                     .last_valid = 0x48,
                     .ucr_list = 0x60,
                     .ucr_segment_entry = 0x10,
                     .ucr_address = 0x20,
                     .ucr_size = 0x28,
                     .heap_signature = 0xA0,
                     .encode_mask = 0x7C,
                     .encoding_key = 0x88,
                     .segment_list = 0x128,
                     .free_lists = 0x158,
                     .total_free = 0xC8,
                     .blocks_index = 0x140,
                     .hint_size = 16},
    /* Windows 10 x64 (§3.6 "8, 8.1, 10"). */
    [HC_WIN10_X64] = {.ptr = 8,
                      .gran = 16,
                      .teb_peb = 0x60,
                      .peb_heaps = 0xF0,
                      .peb_count = 0xE8,
                      .seg_signature = 0x10,
                      .seg_list_entry = 0x18,
                      .seg_heap = 0x28,
                      .first_entry = 0x40,
                      .last_valid = 0x48,
                      .ucr_list = 0x60,
                      .ucr_segment_entry = 0x10,
                      .ucr_address = 0x20,
                      .ucr_size = 0x28,
                      .heap_signature = 0x98,
                      .encode_mask = 0x7C,
                      .encoding_key = 0x88,
                      .segment_list = 0x120,
                      .free_lists = 0x150,
                      .total_free = 0xC0,
                      .blocks_index = 0x138,
                      .hint_size = 8},
};

typedef struct ctx {
    const hs_address_space *as;
    const layout *l;
    hc_heap *h;
    uint8_t key[8];
    bool encoded;
} ctx;

static void fail(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(ctx *c, const char *fmt, ...)
{
    if (c->h->errors++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->h->first_error, sizeof c->h->first_error, fmt, ap);
        va_end(ap);
    }
}

static bool rd(const ctx *c, uint64_t va, unsigned width, uint64_t *out)
{
    uint8_t b[8] = {0};
    if (hs_as_read(c->as, va, b, width) != HS_OK)
        return false;
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v |= (uint64_t)b[i] << (8 * i);
    *out = v;
    return true;
}

static bool rd_ptr(const ctx *c, uint64_t va, uint64_t *out) { return rd(c, va, c->l->ptr, out); }

/* The 8 header bytes of the entry (§3.2: on x64 they start at +8), decoded (§3.3). */
typedef struct entry {
    unsigned size, prev, flags, unused, segment_index;
} entry;

static bool read_entry(ctx *c, uint64_t at, entry *e)
{
    uint8_t b[8];
    if (hs_as_read(c->as, at + (c->l->gran == 16 ? 8 : 0), b, 8) != HS_OK) {
        fail(c, "entry 0x%llx is not in the dump", (unsigned long long)at);
        return false;
    }
    if (c->l->xp) {
        *e = (entry){b[0] | b[1] << 8, b[2] | b[3] << 8, b[5], b[6], b[7]};
        return true;
    }
    if (c->encoded)
        for (int i = 0; i < 8; i++)
            b[i] ^= c->key[i];
    if ((uint8_t)(b[0] ^ b[1] ^ b[2]) != b[3]) {
        fail(c, "entry 0x%llx: checksum 0x%02x, expected 0x%02x", (unsigned long long)at, b[3],
             (unsigned)(uint8_t)(b[0] ^ b[1] ^ b[2]));
        return false;
    }
    *e = (entry){b[0] | b[1] << 8, b[4] | b[5] << 8, b[2], b[7], 0};
    return true;
}

typedef struct gap {
    uint64_t address, size;
} gap;

/* Free entries met by the walk, to match against the free lists. */
typedef struct free_set {
    uint64_t *at;
    size_t count, cap;
} free_set;

static void free_add(free_set *s, uint64_t at)
{
    if (s->count == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->at = realloc(s->at, s->cap * sizeof *s->at);
    }
    s->at[s->count++] = at;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool free_has(const free_set *s, uint64_t at)
{
    return s->count && bsearch(&at, s->at, s->count, sizeof *s->at, cmp_u64) != NULL;
}

/* §3.7: from base by Size to LastValidEntry, jumping over the gaps. */
static void walk_segment(ctx *c, uint64_t base, uint64_t last_valid, const gap *gaps,
                         size_t gap_count, unsigned segment_index, free_set *frees)
{
    uint64_t at = base;
    unsigned expected_prev = 0;
    for (size_t steps = 0; at != last_valid; steps++) {
        if (steps > MAX_STEPS || at > last_valid) {
            fail(c, "segment 0x%llx: the chain passes LastValidEntry 0x%llx at 0x%llx",
                 (unsigned long long)base, (unsigned long long)last_valid, (unsigned long long)at);
            return;
        }
        entry e;
        if (!read_entry(c, at, &e))
            return;
        if (e.size == 0) {
            fail(c, "entry 0x%llx: Size 0", (unsigned long long)at);
            return;
        }
        if (e.prev != expected_prev)
            fail(c, "entry 0x%llx: PreviousSize 0x%x, expected 0x%x", (unsigned long long)at,
                 e.prev, expected_prev);
        if (c->l->xp && e.segment_index != segment_index)
            fail(c, "entry 0x%llx: SegmentIndex %u in segment %u", (unsigned long long)at,
                 e.segment_index, segment_index);
        c->h->entries++;
        if (!(e.flags & 1)) {
            c->h->free_entries++;
            c->h->free_bytes += (uint64_t)e.size * c->l->gran;
            free_add(frees, at);
        }
        uint64_t next = at + (uint64_t)e.size * c->l->gran;
        expected_prev = e.size;
        for (size_t g = 0; g < gap_count; g++)
            if (gaps[g].address == next) {
                /* XP marks the entry before a gap LAST_ENTRY (0x10); Vista+ puts the UCR sentinel
                 * there (UnusedBytes 3). */
                if (c->l->xp ? !(e.flags & 0x10) : e.unused != 3)
                    fail(c, "entry 0x%llx before the gap at 0x%llx lacks its marker",
                         (unsigned long long)at, (unsigned long long)next);
                next = gaps[g].address + gaps[g].size;
                expected_prev = 0;
            }
        if (c->l->xp && next == last_valid && !(e.flags & 0x10))
            fail(c, "entry 0x%llx ends the segment without LAST_ENTRY", (unsigned long long)at);
        at = next;
    }
}

/* A LIST_ENTRY walk: calls visit for each element, checks Blink symmetry and the bound. */
static void walk_list(ctx *c, uint64_t head, const char *what,
                      void (*visit)(ctx *, uint64_t, void *), void *arg)
{
    uint64_t prev = head, cur;
    if (!rd_ptr(c, head, &cur)) {
        fail(c, "%s head 0x%llx is not in the dump", what, (unsigned long long)head);
        return;
    }
    for (size_t steps = 0; cur != head; steps++) {
        uint64_t blink, next;
        if (steps > MAX_STEPS || !rd_ptr(c, cur + c->l->ptr, &blink) || !rd_ptr(c, cur, &next)) {
            fail(c, "%s: unreadable or endless at 0x%llx", what, (unsigned long long)cur);
            return;
        }
        if (blink != prev)
            fail(c, "%s: element 0x%llx has Blink 0x%llx, expected 0x%llx", what,
                 (unsigned long long)cur, (unsigned long long)blink, (unsigned long long)prev);
        visit(c, cur, arg);
        prev = cur;
        cur = next;
    }
}

typedef struct free_visit {
    const free_set *walked;
    size_t seen;
    uint64_t bytes;
    unsigned exact_size; /* XP list i: every element has Size i; 0: ascending order instead */
    unsigned last_size;
    uint64_t
        first_of[128]; /* Vista+: the first element (FreeList link) of each size, 127 for larger */
    size_t larger;     /* Vista+: elements of 128 granules or more */
} free_visit;

static void visit_free(ctx *c, uint64_t link, void *arg)
{
    free_visit *v = arg;
    uint64_t at = link - c->l->gran; /* _HEAP_FREE_ENTRY.FreeList follows the header (§3.2) */
    entry e;
    if (!read_entry(c, at, &e))
        return;
    v->seen++;
    v->bytes += (uint64_t)e.size * c->l->gran;
    if (e.flags & 1)
        fail(c, "free list element 0x%llx is busy", (unsigned long long)at);
    if (!free_has(v->walked, at))
        fail(c, "free list element 0x%llx is not a free entry of the walk", (unsigned long long)at);
    if (v->exact_size && e.size != v->exact_size)
        fail(c, "FreeLists[%u] holds 0x%llx of Size %u", v->exact_size, (unsigned long long)at,
             e.size);
    if (!v->exact_size && e.size < v->last_size)
        fail(c, "free list not ascending at 0x%llx (%u after %u)", (unsigned long long)at, e.size,
             v->last_size);
    v->last_size = e.size;
    if (!v->exact_size) {
        unsigned index = e.size < 127 ? e.size : 127;
        if (!v->first_of[index])
            v->first_of[index] = link;
        v->larger += e.size >= 128;
    }
}

/* The BlocksIndex (_HEAP_LIST_LOOKUP, §3.6, §3.8): ArraySize 0x80 and ListHead == &_HEAP.FreeLists
 * as observed; ItemCount, OutOfRangeItems, the ListsInUseUlong bitmap and ListHints (the first free
 * block of each size; the last takes every larger one) agree with the free list just walked, and
 * the whole lookup lies in the heap's header block (field meanings: C. Valasek, "Understanding the
 * Low Fragmentation Heap"). */
static void check_blocks_index(ctx *c, uint64_t heap, const free_visit *v)
{
    const layout *l = c->l;
    uint64_t bi, array = 0, items = 0, out = 0, list_head = 0, bitmap = 0, hints = 0;
    if (!l->blocks_index)
        return;
    bool wide = l->ptr == 8;
    if (!rd_ptr(c, heap + l->blocks_index, &bi) || bi == 0) {
        fail(c, "no BlocksIndex");
        return;
    }
    if (!rd(c, bi + (wide ? 8 : 4), 4, &array) || !rd(c, bi + (wide ? 0x10 : 0xC), 4, &items) ||
        !rd(c, bi + (wide ? 0x14 : 0x10), 4, &out) ||
        !rd_ptr(c, bi + (wide ? 0x20 : 0x18), &list_head) ||
        !rd_ptr(c, bi + (wide ? 0x28 : 0x1C), &bitmap) ||
        !rd_ptr(c, bi + (wide ? 0x30 : 0x20), &hints)) {
        fail(c, "BlocksIndex 0x%llx is not in the dump", (unsigned long long)bi);
        return;
    }
    entry header;
    if (!read_entry(c, heap, &header))
        return;
    if (bi < heap || hints + 128ull * l->hint_size > heap + (uint64_t)header.size * l->gran) {
        fail(c, "BlocksIndex 0x%llx does not lie in the header block", (unsigned long long)bi);
        return;
    }
    if (array != 128 || list_head != heap + l->free_lists || items != v->seen || out != v->larger) {
        fail(c,
             "BlocksIndex: ArraySize %llu, ListHead 0x%llx, ItemCount %llu, OutOfRangeItems %llu "
             "(free list: %zu, "
             "%zu larger)",
             (unsigned long long)array, (unsigned long long)list_head, (unsigned long long)items,
             (unsigned long long)out, v->seen, v->larger);
        return;
    }
    for (unsigned i = 0; i < 128; i++) {
        uint64_t byte, hint;
        if (!rd(c, bitmap + i / 8, 1, &byte) ||
            !rd_ptr(c, hints + (uint64_t)i * l->hint_size, &hint)) {
            fail(c, "BlocksIndex bitmap or hints not in the dump");
            return;
        }
        bool in_use = byte >> (i % 8) & 1;
        if (in_use != (v->first_of[i] != 0) || hint != v->first_of[i]) {
            fail(c,
                 "BlocksIndex list %u: in use %d, hint 0x%llx; the free list's first of that size "
                 "0x%llx",
                 i, in_use, (unsigned long long)hint, (unsigned long long)v->first_of[i]);
            return;
        }
    }
}

/* The look-aside front end (§4.2; FrontEndHeap @0x580, FrontEndHeapType @0x586, §3.5): 128
 * _HEAP_LOOKASIDE of 0x30 bytes, each an SLIST {Next @0, Depth u16 @4} of user addresses and a
 * Depth bound u16 @8. Every element is the user data of a busy entry of the list's size in
 * granules, the chain ends after exactly the SLIST's Depth elements, within the list's bound. */
static void check_xp_lookaside(ctx *c, uint64_t heap)
{
    uint64_t type, table;
    if (!rd(c, heap + 0x586, 1, &type) || type != 1)
        return;
    if (!rd(c, heap + 0x580, 4, &table) || table < 8) {
        fail(c, "FrontEndHeap is not in the dump or not a pointer");
        return;
    }
    entry t;
    if (!read_entry(c, table - 8, &t))
        return;
    if (!(t.flags & 1) || t.size * 8u < 8 + 128 * 0x30) {
        fail(c, "the look-aside table 0x%llx is not a busy entry of 128 lists",
             (unsigned long long)table);
        return;
    }
    for (unsigned i = 0; i < 128; i++) {
        uint64_t la = table + i * 0x30ull, next, depth, bound;
        if (!rd(c, la, 4, &next) || !rd(c, la + 4, 2, &depth) || !rd(c, la + 8, 2, &bound)) {
            fail(c, "look-aside list %u is not in the dump", i);
            return;
        }
        uint64_t n = 0;
        for (; next && n <= depth; n++) {
            entry e;
            if (!read_entry(c, next - 8, &e))
                return;
            if (!(e.flags & 1) || e.size != i) {
                fail(c, "look-aside list %u: element 0x%llx is not a busy entry of %u granules", i,
                     (unsigned long long)next, i);
                return;
            }
            if (!rd(c, next, 4, &next)) {
                fail(c, "look-aside list %u: an element's link is not in the dump", i);
                return;
            }
        }
        if (n != depth || depth > bound)
            fail(c, "look-aside list %u: %llu elements, SLIST depth %llu, bound %llu", i,
                 (unsigned long long)n, (unsigned long long)depth, (unsigned long long)bound);
        c->h->lookaside_entries += n;
    }
}

static void check_xp(ctx *c, uint64_t heap)
{
    const layout *l = c->l;
    free_set frees = {0};
    for (unsigned s = 0; s < MAX_SEGMENTS; s++) {
        uint64_t seg, sig, base, first, last, ucr;
        if (!rd_ptr(c, heap + l->xp_segments + (uint64_t)s * l->ptr, &seg)) {
            fail(c, "Segments[%u] is not in the dump", s);
            break;
        }
        if (!seg)
            break;
        if (!rd(c, seg + l->seg_signature, 4, &sig) || sig != 0xFFEEFFEE) {
            fail(c, "segment 0x%llx: no 0xFFEEFFEE signature", (unsigned long long)seg);
            continue;
        }
        /* The first segment's chain starts at the heap's own Entry: walk from BaseAddress. */
        if (!rd_ptr(c, seg + l->xp_seg_base, &base) || !rd_ptr(c, seg + l->first_entry, &first) ||
            !rd_ptr(c, seg + l->last_valid, &last) || !rd_ptr(c, seg + l->ucr_list, &ucr)) {
            fail(c, "segment 0x%llx: header not in the dump", (unsigned long long)seg);
            continue;
        }
        gap gaps[MAX_UCRS];
        size_t n = 0;
        /* _HEAP_UNCOMMMTTED_RANGE {Next, Address, Size} (§3.5), singly linked. */
        while (ucr && n < MAX_UCRS) {
            uint64_t next;
            if (!rd_ptr(c, ucr, &next) || !rd_ptr(c, ucr + l->ptr, &gaps[n].address) ||
                !rd_ptr(c, ucr + 2 * l->ptr, &gaps[n].size)) {
                fail(c, "uncommitted range record 0x%llx is not in the dump",
                     (unsigned long long)ucr);
                break;
            }
            n++;
            ucr = next;
        }
        walk_segment(c, base, last, gaps, n, s, &frees);
    }
    if (frees.count)
        qsort(frees.at, frees.count, sizeof *frees.at, cmp_u64);
    size_t listed = 0;
    for (unsigned i = 0; i < 128; i++) {
        free_visit v = {.walked = &frees, .exact_size = i};
        char what[32];
        snprintf(what, sizeof what, "FreeLists[%u]", i);
        walk_list(c, heap + l->xp_free_lists + (uint64_t)i * 2 * l->ptr, what, visit_free, &v);
        listed += v.seen;
    }
    if (listed != frees.count)
        fail(c, "the free lists hold %zu entries, the walk found %zu free", listed, frees.count);
    free(frees.at);
    check_xp_lookaside(c, heap);
}

static void check_vista(ctx *c, uint64_t heap)
{
    const layout *l = c->l;
    uint64_t mask = 0;
    if (!rd(c, heap + l->encode_mask, 4, &mask) ||
        hs_as_read(c->as, heap + l->encoding_key, c->key, 8) != HS_OK) {
        fail(c, "heap 0x%llx: header not in the dump", (unsigned long long)heap);
        return;
    }
    c->encoded = mask != 0;
    free_set frees = {0};
    uint64_t head = heap + l->segment_list, link;
    if (!rd_ptr(c, head, &link)) {
        fail(c, "SegmentList not in the dump");
        return;
    }
    uint64_t seen[MAX_SEGMENTS];
    for (unsigned s = 0; link != head; s++) {
        uint64_t seg = link - l->seg_list_entry, sig, owner, first, last;
        bool again = s == MAX_SEGMENTS;
        for (unsigned k = 0; k < s && !again; k++)
            again = seen[k] == seg;
        if (again) {
            fail(c, "SegmentList loops: segment 0x%llx comes round again", (unsigned long long)seg);
            break;
        }
        seen[s] = seg;
        if (!rd(c, seg + l->seg_signature, 4, &sig) || sig != 0xFFEEFFEE ||
            !rd_ptr(c, seg + l->seg_heap, &owner) || owner != heap ||
            !rd_ptr(c, seg + l->first_entry, &first) || !rd_ptr(c, seg + l->last_valid, &last)) {
            fail(c, "segment 0x%llx: bad signature, owner or header", (unsigned long long)seg);
            break;
        }
        gap gaps[MAX_UCRS];
        size_t n = 0;
        uint64_t ucr_head = seg + l->ucr_list, u;
        if (rd_ptr(c, ucr_head, &u))
            while (u != ucr_head && n < MAX_UCRS) {
                uint64_t desc = u - l->ucr_segment_entry, next;
                if (!rd_ptr(c, u, &next) || !rd_ptr(c, desc + l->ucr_address, &gaps[n].address) ||
                    !rd_ptr(c, desc + l->ucr_size, &gaps[n].size)) {
                    fail(c, "UCR descriptor 0x%llx is not in the dump", (unsigned long long)desc);
                    break;
                }
                n++;
                u = next;
            }
        walk_segment(c, seg, last, gaps, n, s, &frees);
        if (!rd_ptr(c, link, &link))
            break;
    }
    if (frees.count)
        qsort(frees.at, frees.count, sizeof *frees.at, cmp_u64);
    free_visit v = {.walked = &frees};
    walk_list(c, heap + l->free_lists, "FreeLists", visit_free, &v);
    uint64_t total_free;
    if (v.seen != frees.count)
        fail(c, "FreeLists holds %zu entries, the walk found %zu free", v.seen, frees.count);
    if (rd_ptr(c, heap + l->total_free, &total_free) && total_free * l->gran != v.bytes)
        fail(c, "TotalFreeSize 0x%llx granules, the free list holds 0x%llx bytes",
             (unsigned long long)total_free, (unsigned long long)v.bytes);
    check_blocks_index(c, heap, &v);
    free(frees.at);
}

int hc_check(const hs_dump *dump, const hs_address_space *as, hc_os os, hc_result *out, char *err,
             size_t err_size)
{
    memset(out, 0, sizeof *out);
    const layout *l = &layouts[os];
    ctx c = {.as = as, .l = l};
    hc_heap scratch = {0};
    c.h = &scratch;
    uint64_t peb, list, count;
    if (dump->thread_count == 0 || !rd_ptr(&c, dump->threads[0].teb + l->teb_peb, &peb) ||
        !rd(&c, peb + l->peb_count, 4, &count) || !rd_ptr(&c, peb + l->peb_heaps, &list) ||
        count > 1u << 20) {
        snprintf(err, err_size, "the PEB's heap list cannot be read");
        return -1;
    }
    out->heaps = calloc(count ? count : 1, sizeof *out->heaps);
    for (uint64_t i = 0; i < count; i++) {
        hc_heap *h = &out->heaps[out->count++];
        c.h = h;
        c.encoded = false;
        if (!rd_ptr(&c, list + i * l->ptr, &h->handle)) {
            fail(&c, "ProcessHeaps[%llu] is not in the dump", (unsigned long long)i);
            continue;
        }
        uint64_t sig;
        if (!rd(&c, h->handle + l->heap_signature, 4, &sig) || sig != 0xEEFFEEFF) {
            fail(&c, "heap 0x%llx: no 0xEEFFEEFF signature", (unsigned long long)h->handle);
            continue;
        }
        if (l->xp)
            check_xp(&c, h->handle);
        else
            check_vista(&c, h->handle);
    }
    return 0;
}

void hc_result_free(hc_result *r)
{
    free(r->heaps);
    memset(r, 0, sizeof *r);
}
