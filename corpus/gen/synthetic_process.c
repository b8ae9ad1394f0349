#include "synthetic_process.h"

#include <stdlib.h>
#include <string.h>

/* Windows 7 SP1 layouts (heap-internals.md §1.2, §2, §3.2, §3.6; context layouts from winnt.h). */
typedef struct synth_layout {
    unsigned gran, hdr, header_block, sentinel;
    unsigned seg_sig, seg_list_entry, seg_heap, seg_base, seg_pages, seg_first, seg_last,
        seg_ucr_pages, seg_ucr_ranges, seg_ucr_list, flags, encode_mask, encoding, signature,
        total_free, list_index, va_blocks, segment_list, free_lists, ucr_link, ucr_address,
        ucr_size;
    unsigned peb_heap, peb_count, peb_max, peb_list, teb_peb, teb_self;
} synth_layout;

static const synth_layout x86 = {
    8,    0,    0x588, 0x20, 0x08, 0x10, 0x18, 0x1C, 0x20, 0x24, 0x28, 0x2C, 0x30, 0x38, 0x40, 0x4C,
    0x50, 0x64, 0x78,  0x80, 0xA0, 0xA8, 0xC4, 0x08, 0x10, 0x14, 0x18, 0x88, 0x8C, 0x90, 0x30, 0x18,
};
static const synth_layout x64 = {
    16,    8,    0xA80, 0x40, 0x10, 0x18, 0x28, 0x30, 0x38, 0x40,  0x48,
    0x50,  0x54, 0x60,  0x70, 0x7C, 0x88, 0xA0, 0xC8, 0xD8, 0x118, 0x128,
    0x158, 0x10, 0x20,  0x28, 0x30, 0xE8, 0xEC, 0xF0, 0x60, 0x30,
};

enum {
    MEM_COMMIT = 0x1000,
    MEM_PRIVATE = 0x20000,
    MEM_IMAGE = 0x1000000,
    PAGE_READONLY = 2,
    PAGE_READWRITE = 4,
};
static const uint8_t key[8] = {0x5A, 0xA5, 0x3C, 0xC3, 0x11, 0x22, 0, 0};

/* Windows 10 19041 x64: the segment part is Windows 7's; the heap part moved (heap-internals.md
 * §3.6: Signature 0x98, TotalFreeSize 0xC0, ProcessHeapsListIndex 0xD0, VirtualAllocdBlocks 0x110,
 * SegmentList 0x120, FreeLists 0x150; the header block is 0x740 bytes, §3.7). */
static const synth_layout x64_win10 = {
    16,    8,    0x740, 0x40, 0x10, 0x18, 0x28, 0x30, 0x38, 0x40,  0x48,
    0x50,  0x54, 0x60,  0x70, 0x7C, 0x88, 0x98, 0xC0, 0xD0, 0x110, 0x120,
    0x150, 0x10, 0x20,  0x28, 0x30, 0xE8, 0xEC, 0xF0, 0x60, 0x30,
};

static const synth_layout *L(const synth *s)
{
    return s->ptr == 8 ? (s->win10 ? &x64_win10 : &x64) : &x86;
}

uint8_t *synth_region_add(synth *s, uint64_t base, uint32_t size, uint32_t reserve, uint32_t type,
                          uint32_t protect)
{
    if (s->region_count == SYNTH_MAX_REGIONS)
        abort();
    synth_region *r = &s->regions[s->region_count++];
    r->base = base;
    r->size = size;
    r->reserve = reserve < size ? size : reserve;
    r->type = type;
    r->protect = protect;
    r->bytes = calloc(1, size);
    return r->bytes;
}

/* The region holding [va, va + n), or NULL. Regions do not overlap, so the one the last lookup
 * found is tried first: heaps are written region by region, and large ones hold millions of
 * entries. */
static synth_region *find_region(synth *s, uint64_t va, size_t n)
{
    if (s->last_region < s->region_count) {
        synth_region *r = &s->regions[s->last_region];
        if (r->bytes && va >= r->base && va - r->base + n <= r->size)
            return r;
    }
    for (size_t i = 0; i < s->region_count; i++) {
        synth_region *r = &s->regions[i];
        if (r->bytes && va >= r->base && va - r->base + n <= r->size) {
            s->last_region = i;
            return r;
        }
    }
    return NULL;
}

uint32_t synth_heap_overhead(const synth *s) { return L(s)->header_block + L(s)->sentinel; }

uint8_t *synth_bytes(synth *s, uint64_t va, size_t n)
{
    synth_region *r = find_region(s, va, n);
    if (!r)
        abort();
    return r->bytes + (va - r->base);
}

void synth_write(synth *s, uint64_t va, const void *data, size_t n)
{
    memcpy(synth_bytes(s, va, n), data, n);
}

void synth_put32(synth *s, uint64_t va, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    synth_write(s, va, b, 4);
}

void synth_put_ptr(synth *s, uint64_t va, uint64_t v)
{
    synth_put32(s, va, (uint32_t)v);
    if (s->ptr == 8)
        synth_put32(s, va + 4, (uint32_t)(v >> 32));
}

uint64_t synth_get_ptr(const synth *s, uint64_t va)
{
    for (size_t i = 0; i < s->region_count; i++) {
        const synth_region *r = &s->regions[i];
        if (r->bytes && va >= r->base && va - r->base + s->ptr <= r->size) {
            uint64_t v = 0;
            for (unsigned k = 0; k < s->ptr; k++)
                v |= (uint64_t)r->bytes[va - r->base + k] << (8 * k);
            return v;
        }
    }
    abort();
}

static void put_entry(synth *s, uint64_t va, uint32_t size, uint8_t flags, uint32_t prev,
                      uint8_t unused)
{
    uint16_t sg = (uint16_t)(size / L(s)->gran), pg = (uint16_t)(prev / L(s)->gran);
    uint8_t b[8] = {(uint8_t)sg, (uint8_t)(sg >> 8), flags, 0,
                    (uint8_t)pg, (uint8_t)(pg >> 8), 0,     unused};
    b[3] = b[0] ^ b[1] ^ b[2];
    for (int i = 0; i < 8; i++)
        b[i] ^= key[i];
    synth_write(s, va + L(s)->hdr, b, 8);
}

void synth_init(synth *s, unsigned ptr)
{
    memset(s, 0, sizeof *s);
    s->ptr = ptr;
    s->teb = ptr == 8 ? 0x7FFFFFDE000ull : 0x7FFDE000;
    s->peb = ptr == 8 ? 0x7FFFFFC0000ull : 0x7FFDF000; /* its 64 KB region must not cover the TEB */
    s->heap_list = s->peb + 0x400;
    synth_region_add(s, s->teb, 0x1000, 0x1000, MEM_PRIVATE, PAGE_READWRITE);
    synth_region_add(s, s->peb, 0x10000, 0x10000, MEM_PRIVATE,
                     PAGE_READWRITE); /* room for the heap list */
    s->stack_base = 0x0012F000;
    s->stack_size = 0x1000;
    synth_region_add(s, s->stack_base, 0x1000, 0x1000, MEM_PRIVATE, PAGE_READWRITE);
    synth_put_ptr(s, s->teb + L(s)->teb_self, s->teb);
    synth_put_ptr(s, s->teb + L(s)->teb_peb, s->peb);
    synth_put32(s, s->peb + L(s)->peb_max, SYNTH_MAX_HEAPS);
    synth_put_ptr(s, s->peb + L(s)->peb_list, s->heap_list);
}

/* An XP/2003 x86 heap (heap-internals.md §3.5): the _HEAP entry at the base spans the heap
 * structure and its lock up to the _HEAP_SEGMENT at +0x640, whose own entry leads to FirstEntry at
 * +0x680 (as !heap shows on XP); unencoded entries {Size, PreviousSize, SmallTagIndex, Flags,
 * UnusedBytes, SegmentIndex}; FreeLists[128] with self-linked empty heads; one uncommitted-range
 * record. */
static void put_entry_xp(synth *s, uint64_t va, uint32_t size, uint8_t flags, uint32_t prev,
                         uint8_t unused)
{
    uint16_t sg = (uint16_t)(size / 8), pg = (uint16_t)(prev / 8);
    uint8_t b[8] = {
        (uint8_t)sg, (uint8_t)(sg >> 8), (uint8_t)pg, (uint8_t)(pg >> 8), 0, flags, unused, 0};
    synth_write(s, va, b, 8);
}

/* The look-aside front end (heap-internals.md §4.2): RtlCreateHeap gives a growable, serialised
 * heap (HEAP_GROWABLE set, HEAP_NO_SERIALIZE clear) an array of 128 _HEAP_LOOKASIDE as its first
 * allocation, zeroed but for Depth = MINIMUM_LOOKASIDE_DEPTH (4) and MaximumDepth = 256 in each,
 * and sets FrontEndHeap (+0x580) and FrontEndHeapType = 1 (+0x586) (Windows Server 2003 ntdll heap
 * code; the table's user data at heap + 0x688 is the address XP heap write-ups give for it). */
enum { XP_LOOKASIDE_LISTS = 128, XP_LOOKASIDE_SIZE = 0x30, XP_LOOKASIDE_BLOCK = 8 + 128 * 0x30 };

static bool xp_has_lookaside(uint32_t flags) { return (flags & 0x2) && !(flags & 0x1); }

static void synth_heap_xp(synth *s, uint64_t base, uint32_t flags, const uint32_t *sizes, size_t n,
                          uint64_t *user)
{
    const uint32_t reserve = 0x10000, seg = 0x640, first_off = 0x680, ucr = 0x5F0;
    const bool lookaside = xp_has_lookaside(flags);
    uint32_t used = first_off + 16 + (lookaside ? XP_LOOKASIDE_BLOCK : 0);
    for (size_t i = 0; i < n; i++)
        used += sizes[i];
    uint32_t commit = (used + 0xFFF) & ~0xFFFu;
    synth_region_add(s, base, commit, reserve, MEM_PRIVATE, PAGE_READWRITE);
    put_entry_xp(s, base, seg, 0x01, 0, 0);
    synth_put32(s, base + 0x08, 0xEEFFEEFF); /* _HEAP.Signature */
    synth_put32(s, base + 0x0C, flags);
    for (unsigned i = 0; i < 128; i++) { /* empty FreeLists point to themselves */
        synth_put32(s, base + 0x178 + 8 * i, (uint32_t)base + 0x178 + 8 * i);
        synth_put32(s, base + 0x17C + 8 * i, (uint32_t)base + 0x178 + 8 * i);
    }
    synth_put32(s, base + 0x50, (uint32_t)base + 0x50); /* VirtualAllocdBlocks: empty */
    synth_put32(s, base + 0x54, (uint32_t)base + 0x50);
    synth_put32(s, base + 0x58, (uint32_t)base + seg); /* Segments[0] */
    synth_put32(s, base + 0x30, (uint32_t)s->heap_count + 1);
    put_entry_xp(s, base + seg, first_off - seg, 0x01, seg, 0);
    synth_put32(s, base + seg + 0x08, 0xFFEEFFEE);       /* _HEAP_SEGMENT.Signature */
    synth_put32(s, base + seg + 0x10, (uint32_t)base);   /* Heap */
    synth_put32(s, base + seg + 0x18, (uint32_t)base);   /* BaseAddress */
    synth_put32(s, base + seg + 0x1C, reserve / 0x1000); /* NumberOfPages */
    synth_put32(s, base + seg + 0x20, (uint32_t)base + first_off);
    synth_put32(s, base + seg + 0x24, (uint32_t)base + reserve);
    synth_put32(s, base + seg + 0x28, (reserve - commit) / 0x1000);
    synth_put32(s, base + seg + 0x2C, 1);
    synth_put32(s, base + seg + 0x30, (uint32_t)base + ucr); /* UnCommittedRanges */
    synth_put32(s, base + ucr + 0, 0);                       /* Next */
    synth_put32(s, base + ucr + 4, (uint32_t)base + commit);
    synth_put32(s, base + ucr + 8, reserve - commit);
    uint64_t at = base + first_off;
    uint32_t prev = first_off - seg;
    if (lookaside) {
        put_entry_xp(s, at, XP_LOOKASIDE_BLOCK, 0x01, prev, 8);
        for (unsigned i = 0; i < XP_LOOKASIDE_LISTS; i++) {
            uint64_t la = at + 8 + (uint64_t)i * XP_LOOKASIDE_SIZE;
            uint8_t depth[4] = {4, 0, 0, 1}; /* Depth 4 @8, MaximumDepth 256 @0xA */
            synth_write(s, la + 8, depth, 4);
        }
        synth_put32(s, base + 0x580, (uint32_t)at + 8); /* FrontEndHeap */
        uint8_t type = 1;
        synth_write(s, base + 0x586, &type, 1); /* FrontEndHeapType: look-aside */
        prev = XP_LOOKASIDE_BLOCK;
        at += XP_LOOKASIDE_BLOCK;
    }
    for (size_t i = 0; i < n; i++) {
        put_entry_xp(s, at, sizes[i], 0x01, prev, 8);
        if (user)
            user[i] = at + 8;
        prev = sizes[i];
        at += sizes[i];
    }
    uint32_t free_size = (uint32_t)(base + commit - at);
    put_entry_xp(s, at, free_size, 0x10 /* LAST_ENTRY */, prev, 0);
    /* A free block of >= 128 granules lives on FreeLists[0]; smaller on FreeLists[size]. */
    unsigned bucket = free_size / 8 < 128 ? free_size / 8 : 0;
    uint64_t head = base + 0x178 + 8 * bucket;
    synth_put32(s, at + 8, (uint32_t)head);
    synth_put32(s, at + 12, (uint32_t)head);
    synth_put32(s, head, (uint32_t)at + 8);
    synth_put32(s, head + 4, (uint32_t)at + 8);
    synth_put32(s, base + 0x28, free_size / 8); /* TotalFreeSize */
    if (s->heap_count == 0)
        synth_put_ptr(s, s->peb + 0x18, base);
    s->heaps[s->heap_count++] = base;
    synth_put32(s, s->peb + 0x88, (uint32_t)s->heap_count);
}

void synth_lookaside_push(synth *s, uint64_t heap, uint64_t user)
{
    uint64_t table = synth_get_ptr(s, heap + 0x580);
    if (!s->xp || !table)
        abort();
    uint8_t h[8];
    memcpy(h, synth_bytes(s, user - 8, 8), 8);
    unsigned index = (unsigned)(h[0] | h[1] << 8); /* the list of the block's size in granules */
    if (!(h[5] & 0x01) || index >= XP_LOOKASIDE_LISTS)
        abort();
    uint64_t la = table + (uint64_t)index * XP_LOOKASIDE_SIZE;
    uint8_t *head = synth_bytes(s, la, XP_LOOKASIDE_SIZE);
    unsigned depth = head[4] | head[5] << 8, sequence = head[6] | head[7] << 8;
    if (depth >= (unsigned)(head[8] | head[9] << 8))
        abort(); /* RtlpFreeToHeapLookaside pushes only below the list's Depth */
    synth_put32(s, user, (uint32_t)synth_get_ptr(s, la)); /* the element links to the old head */
    synth_put32(s, la, (uint32_t)user);
    depth++;
    sequence++;
    uint8_t counts[4] = {(uint8_t)depth, (uint8_t)(depth >> 8), (uint8_t)sequence,
                         (uint8_t)(sequence >> 8)};
    synth_write(s, la + 4, counts, 4);
    synth_put32(s, la + 0x14, (uint32_t)synth_get_ptr(s, la + 0x14) + 1); /* TotalFrees */
}

void synth_heap(synth *s, uint64_t base, uint32_t flags, const uint32_t *sizes, size_t n,
                uint64_t *user)
{
    if (s->xp)
        synth_heap_xp(s, base, flags, sizes, n, user);
    else
        synth_heap_ex(s, base, flags, 0x10000, 0, sizes, NULL, n, user);
}

typedef struct free_rec {
    uint64_t entry;
    uint32_t size;
} free_rec;

/* Free-list order (heap-internals.md §3.8): ascending size; equal sizes by address, so the bytes
 * do not depend on the sort. */
static int free_rec_cmp(const void *a, const void *b)
{
    const free_rec *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* The BlocksIndex (heap-internals.md §3.6, §3.8): the first _HEAP_LIST_LOOKUP (x86 0x24 / x64 0x38
 * bytes) lives in the heap's header block, after the _HEAP and its lock (RTL_CRITICAL_SECTION,
 * 0x18 / 0x28), followed by its ListsInUseUlong bitmap (ArraySize 0x80 bits) and ArraySize
 * ListHints: LIST_ENTRYs on Vista and 7 (ExtraItem 1), pointers from Windows 8 on (ExtraItem 0),
 * each pointing at the FreeList entry of the first free block of its size in list order, the last
 * taking every larger block (counted in OutOfRangeItems; field meanings from C. Valasek,
 * "Understanding the Low Fragmentation Heap", 2010). This is what the observed header blocks hold
 * to the byte: sizeof(_HEAP) 0x138 + 0x18 + 0x24 + 0x10 + 128 x 8 = 0x584 -> 0x588 on Windows 7
 * x86 (notepad), 0x258 + 0x18 + 0x24 + 0x10 + 128 x 4 -> 0x4A8 and 0x2C0 + 0x28 + 0x38 + 0x10 + 128
 * x 8 -> 0x740 on Windows 10 x86 and x64, 0x1F8 + 0x28 + 0x38 + 0x10 + 128 x 16 = 0xA70 on Vista
 * x64 (a public `!heap -h` listing); so Windows 7 x64, with its 0x208-byte _HEAP, gets 0xA80. The
 * placement is checked on the 7 NT heaps of tests/data/real (tests/unit/test_heaps.c). */
enum { LOOKUP_ARRAY = 0x80 };
static uint64_t blocks_index_at(const synth *s)
{
    return s->ptr == 8 ? (s->win10 ? 0x2E8 : 0x230) : 0x150;
}

void synth_heap_ex(synth *s, uint64_t base, uint32_t flags, uint32_t reserve, uint32_t commit,
                   const uint32_t *sizes, const bool *is_free, size_t n, uint64_t *user)
{
    if (s->xp)
        abort(); /* XP heaps (FreeLists[128]) are built by synth_heap only */
    const synth_layout *l = L(s);
    uint64_t used = l->header_block + l->sentinel + 2 * l->gran;
    for (size_t i = 0; i < n; i++)
        used += sizes[i];
    if (commit == 0)
        commit =
            (uint32_t)((used + 0xFFF) & ~0xFFFu); /* at least one free block of two granules fits */
    else if (commit < used || commit >= reserve || (commit & 0xFFF) || (reserve & 0xFFFF))
        abort();
    if (is_free && n && is_free[n - 1])
        abort();
    synth_region_add(s, base, commit, reserve, MEM_PRIVATE, PAGE_READWRITE);
    uint64_t first = base + l->header_block, last_valid = base + reserve;
    put_entry(s, base, l->header_block, 0x01, 0, 1);
    synth_put32(s, base + l->seg_sig, 0xFFEEFFEE);
    synth_put_ptr(s, base + l->seg_list_entry, base + l->segment_list);
    synth_put_ptr(s, base + l->seg_list_entry + s->ptr, base + l->segment_list);
    synth_put_ptr(s, base + l->seg_heap, base);
    synth_put_ptr(s, base + l->seg_base, base);
    synth_put32(s, base + l->seg_pages, reserve / 0x1000);
    synth_put_ptr(s, base + l->seg_first, first);
    synth_put_ptr(s, base + l->seg_last, last_valid);
    synth_put32(s, base + l->seg_ucr_pages, (reserve - commit) / 0x1000);
    synth_put32(s, base + l->seg_ucr_ranges, 1);
    synth_put32(s, base + l->flags, flags);
    synth_put32(s, base + l->encode_mask, 0x00100000);
    synth_write(s, base + l->encoding, key, 8);
    synth_put32(s, base + l->signature, 0xEEFFEEFF);
    synth_put32(s, base + l->list_index, (uint32_t)s->heap_count + 1);
    synth_put_ptr(s, base + l->va_blocks, base + l->va_blocks);
    synth_put_ptr(s, base + l->va_blocks + s->ptr, base + l->va_blocks);
    synth_put_ptr(s, base + l->segment_list, base + l->seg_list_entry);
    synth_put_ptr(s, base + l->segment_list + s->ptr, base + l->seg_list_entry);
    uint64_t at = first;
    uint32_t prev = l->header_block;
    const uint64_t blocks_index = base + blocks_index_at(s);
    size_t n_free = 0;
    for (size_t i = 0; i < n; i++)
        n_free += is_free && is_free[i];
    free_rec *fr = malloc((n_free + 1) * sizeof *fr);
    if (!fr)
        abort();
    n_free = 0;
    for (size_t i = 0; i < n; i++) {
        bool is_f = is_free && is_free[i];
        if (is_f && i > 0 && is_free[i - 1])
            abort();
        put_entry(s, at, sizes[i], is_f ? 0x00 : 0x01, prev, is_f ? 0 : (uint8_t)l->gran);
        if (is_f)
            fr[n_free++] = (free_rec){at, sizes[i]};
        if (user)
            user[i] = at + l->gran;
        prev = sizes[i];
        at += sizes[i];
    }
    uint64_t sent = base + commit - l->sentinel;
    uint32_t free_size = (uint32_t)(sent - at);
    put_entry(s, at, free_size, 0x00, prev, 0);
    fr[n_free++] = (free_rec){at, free_size};
    /* The free list: LIST_ENTRY FreeList one granule into each free entry, from the head in _HEAP.
     */
    qsort(fr, n_free, sizeof *fr, free_rec_cmp);
    uint64_t head = base + l->free_lists, total = 0;
    for (size_t k = 0; k < n_free; k++) {
        uint64_t link = fr[k].entry + l->gran;
        synth_put_ptr(s, link, k + 1 < n_free ? fr[k + 1].entry + l->gran : head);
        synth_put_ptr(s, link + s->ptr, k > 0 ? fr[k - 1].entry + l->gran : head);
        total += fr[k].size;
    }
    synth_put_ptr(s, head, fr[0].entry + l->gran);
    synth_put_ptr(s, head + s->ptr, fr[n_free - 1].entry + l->gran);
    synth_put_ptr(s, base + l->total_free, total / l->gran);
    {
        const bool wide = s->ptr == 8;
        const unsigned hint_size = s->win10 ? s->ptr : 2 * s->ptr;
        const uint64_t bitmap = blocks_index + (wide ? 0x38 : 0x24),
                       hints = bitmap + LOOKUP_ARRAY / 8;
        if (hints + LOOKUP_ARRAY * hint_size > base + l->header_block)
            abort(); /* it must fit the header block */
        uint32_t out_of_range = 0;
        for (size_t k = 0; k < n_free; k++) {
            uint64_t granules = fr[k].size / l->gran;
            unsigned index = granules < LOOKUP_ARRAY - 1 ? (unsigned)granules : LOOKUP_ARRAY - 1;
            out_of_range += granules >= LOOKUP_ARRAY;
            uint8_t *bits = synth_bytes(s, bitmap + index / 8, 1);
            uint64_t hint = hints + (uint64_t)index * hint_size;
            if (!(*bits & (1u << (index % 8))))
                synth_put_ptr(s, hint,
                              fr[k].entry + l->gran); /* the first of its size in list order */
            *bits |= (uint8_t)(1u << (index % 8));
        }
        synth_put32(s, blocks_index + (wide ? 8 : 4), LOOKUP_ARRAY);          /* ArraySize */
        synth_put32(s, blocks_index + (wide ? 0xC : 8), s->win10 ? 0 : 1);    /* ExtraItem */
        synth_put32(s, blocks_index + (wide ? 0x10 : 0xC), (uint32_t)n_free); /* ItemCount */
        synth_put32(s, blocks_index + (wide ? 0x14 : 0x10), out_of_range);
        synth_put_ptr(s, blocks_index + (wide ? 0x20 : 0x18),
                      head); /* ListHead: &_HEAP.FreeLists */
        synth_put_ptr(s, blocks_index + (wide ? 0x28 : 0x1C), bitmap); /* ListsInUseUlong */
        synth_put_ptr(s, blocks_index + (wide ? 0x30 : 0x20), hints);  /* ListHints */
        synth_put_ptr(s,
                      base + (s->win10 ? 0x138
                              : wide   ? 0x140
                                       : 0xB8),
                      blocks_index); /* _HEAP.BlocksIndex */
    }
    free(fr);
    put_entry(s, sent, l->sentinel, 0x01, free_size, 3);
    /* The UCR descriptor sits in the sentinel block's user data (one granule in). */
    uint64_t desc = sent + l->gran;
    synth_put_ptr(s, desc + l->ucr_link, base + l->seg_ucr_list);
    synth_put_ptr(s, desc + l->ucr_link + s->ptr, base + l->seg_ucr_list);
    synth_put_ptr(s, desc + l->ucr_address, base + commit);
    synth_put_ptr(s, desc + l->ucr_size, reserve - commit);
    synth_put_ptr(s, base + l->seg_ucr_list, desc + l->ucr_link);
    synth_put_ptr(s, base + l->seg_ucr_list + s->ptr, desc + l->ucr_link);

    if (s->heap_count == 0)
        synth_put_ptr(s, s->peb + l->peb_heap, base);
    s->heaps[s->heap_count++] = base;
    synth_put32(s, s->peb + l->peb_count, (uint32_t)s->heap_count);
}

uint64_t synth_virtual_block(synth *s, uint64_t base, uint64_t va, uint32_t commit,
                             uint32_t requested)
{
    const synth_layout *l = L(s);
    /* _HEAP_VIRTUAL_ALLOC_ENTRY: Entry LIST_ENTRY @0, CommitSize @0x10/0x20, ReserveSize
     * @0x14/0x28, BusyBlock @0x18/0x30; BusyBlock.Size holds the unused byte count (§3.4). */
    unsigned commit_off = s->ptr == 8 ? 0x20 : 0x10, busy_off = s->ptr == 8 ? 0x30 : 0x18;
    synth_region_add(s, va, commit, commit, MEM_PRIVATE, PAGE_READWRITE);
    /* Append to the VirtualAllocdBlocks list: head.Blink is the last entry (the head when empty).
     */
    uint64_t head = base + l->va_blocks, last = synth_get_ptr(s, head + s->ptr);
    synth_put_ptr(s, va, head);
    synth_put_ptr(s, va + s->ptr, last);
    synth_put_ptr(s, last, va);
    synth_put_ptr(s, head + s->ptr, va);
    synth_put_ptr(s, va + commit_off, commit);
    synth_put_ptr(s, va + commit_off + s->ptr, commit);
    uint32_t unused = commit - requested;
    uint8_t b[8] = {(uint8_t)unused, (uint8_t)(unused >> 8), 0x01 | 0x08, 0, 0, 0, 0, 0};
    b[3] = b[0] ^ b[1] ^ b[2];
    for (int i = 0; i < 8; i++)
        b[i] ^= key[i];
    synth_write(s, va + busy_off + l->hdr, b, 8);
    return va + busy_off + l->gran;
}

/* Re-encodes the header of the block at user (size bytes) as busy | internal (0x09): an LFH
 * UserBlocks container. */
static void mark_container(synth *s, uint64_t user, uint32_t size)
{
    const synth_layout *l = L(s);
    uint64_t entry = user - l->gran;
    /* Re-encode the container's header as busy | internal (0x09). */
    uint8_t raw[8];
    for (int i = 0; i < 8; i++)
        raw[i] = 0;
    uint16_t sg = (uint16_t)(size / l->gran);
    raw[0] = (uint8_t)sg;
    raw[1] = (uint8_t)(sg >> 8);
    raw[2] = 0x09;
    raw[3] = raw[0] ^ raw[1] ^ raw[2];
    /* PreviousSize and UnusedBytes are kept from the existing header. */
    const uint8_t *cur = synth_bytes(s, entry + l->hdr, 8);
    for (int i = 4; i < 8; i++)
        raw[i] = (uint8_t)(cur[i] ^ key[i]);
    for (int i = 0; i < 8; i++)
        raw[i] ^= key[i];
    synth_write(s, entry + l->hdr, raw, 8);
}

void synth_lfh_win7(synth *s, uint64_t user, uint32_t size, uint32_t chunk, unsigned count,
                    uint64_t busy, uint64_t subsegment)
{
    const synth_layout *l = L(s);
    mark_container(s, user, size);
    /* _HEAP_USERDATA_HEADER (Win7): SubSegment @0, Signature @0xC (x86) / @0x18 (x64); the
     * chunks start after 0x10 / 0x20 bytes. */
    unsigned sig_off = s->ptr == 8 ? 0x18 : 0x0C, first = s->ptr == 8 ? 0x20 : 0x10;
    synth_put_ptr(s, user, subsegment);
    synth_put32(s, user + sig_off, 0xF0E0D0C0);
    unsigned free_count = 0;
    for (unsigned i = 0; i < count; i++) {
        bool is_busy = (busy >> i) & 1;
        uint8_t unused = (uint8_t)(0x80 | (is_busy ? l->gran : 0));
        synth_write(s, user + first + (uint64_t)i * chunk + l->hdr + 7, &unused, 1);
        free_count += !is_busy;
    }
    /* _HEAP_SUBSEGMENT (Win7): UserBlocks @4/8, AggregateExchg.Depth @8/0x10, BlockSize @0x10/0x18,
     * BlockCount @0x14/0x1C. */
    synth_put_ptr(s, subsegment + s->ptr, user);
    uint16_t depth = (uint16_t)free_count, bs = (uint16_t)(chunk / l->gran), bc = (uint16_t)count;
    synth_write(s, subsegment + (s->ptr == 8 ? 0x10 : 0x08), &depth, 2);
    synth_write(s, subsegment + (s->ptr == 8 ? 0x18 : 0x10), &bs, 2);
    synth_write(s, subsegment + (s->ptr == 8 ? 0x1C : 0x14), &bc, 2);
}

void synth_lfh_win8(synth *s, uint64_t user, uint32_t size, uint32_t chunk, unsigned count,
                    uint64_t busy, uint64_t subsegment)
{
    const synth_layout *l = L(s);
    if (s->ptr != 8 || count > 64)
        abort(); /* the x64 layout, one bitmap word */
    mark_container(s, user, size);
    /* _HEAP_USERDATA_HEADER x64, Windows 8+ (heap-internals.md §4.4): SubSegment @0, Signature
     * @0x14, EncodedOffsets @0x18, BusyBitmap {SizeOfBitMap u64 @0x20, Buffer @0x28}, BitmapData
     * @0x30; the first chunk at round_up(0x30 + 8, 16) = 0x40. */
    uint32_t first = 0x40;
    synth_put_ptr(s, user, subsegment);
    synth_put32(s, user + 0x14, 0xF0E0D0C0);
    /* EncodedOffsets: raw ^ UserBlocks ^ (stride << 16 | first) is one constant per process. */
    synth_put32(s, user + 0x18, (uint32_t)user ^ (chunk << 16 | first) ^ 0x0A43D6F8u);
    synth_put_ptr(s, user + 0x20, count);
    synth_put_ptr(s, user + 0x28, user + 0x30);
    uint64_t bitmap =
        busy | (count < 64 ? ~0ull << count : 0); /* bits past BlockCount read as set */
    synth_put_ptr(s, user + 0x30, bitmap);
    unsigned free_count = 0;
    for (unsigned i = 0; i < count; i++) {
        bool is_busy = (busy >> i) & 1;
        /* Chunk header: byte 5 the index in the UserBlocks, byte 7 (UnusedBytes) 0x80 | unused. */
        uint8_t index = (uint8_t)i, unused = (uint8_t)(0x80 | (is_busy ? l->gran : 0));
        uint64_t h = user + first + (uint64_t)i * chunk + l->hdr;
        synth_write(s, h + 5, &index, 1);
        synth_write(s, h + 7, &unused, 1);
        free_count += !is_busy;
    }
    /* _HEAP_SUBSEGMENT x64, Windows 8+: UserBlocks @8, AggregateExchg.Depth @0x20, BlockSize @0x24,
     * BlockCount @0x28. */
    synth_put_ptr(s, subsegment + 8, user);
    uint16_t depth = (uint16_t)free_count, bs = (uint16_t)(chunk / l->gran), bc = (uint16_t)count;
    synth_write(s, subsegment + 0x20, &depth, 2);
    synth_write(s, subsegment + 0x24, &bs, 2);
    synth_write(s, subsegment + 0x28, &bc, 2);
}

/* Reads back 8 header bytes of the entry at va (decoded), so a field can be changed and re-encoded.
 */
static void read_header(synth *s, uint64_t va, uint8_t out[8])
{
    unsigned hdr = s->xp ? 0 : L(s)->hdr;
    memcpy(out, synth_bytes(s, va + hdr, 8), 8);
    if (!s->xp)
        for (int i = 0; i < 8; i++)
            out[i] ^= key[i];
}

static void write_header(synth *s, uint64_t va, uint8_t b[8], bool fix_checksum)
{
    unsigned hdr = s->xp ? 0 : L(s)->hdr;
    if (!s->xp) {
        if (fix_checksum)
            b[3] = b[0] ^ b[1] ^ b[2];
        for (int i = 0; i < 8; i++)
            b[i] ^= key[i];
    }
    synth_write(s, va + hdr, b, 8);
}

uint64_t synth_corrupt(synth *s, uint64_t base, const uint64_t *user, const char *kind)
{
    unsigned gran = s->xp ? 8 : L(s)->gran;
    uint64_t b2 = user[1] - gran, b3 = user[2] - gran;
    uint8_t h[8];
    if (strcmp(kind, "previous_size") == 0) {
        read_header(s, b2, h);
        unsigned prev_at = s->xp ? 2 : 4; /* XP: PreviousSize @2; Vista+: @4 (§3.2) */
        h[prev_at] ^= 0x5;
        write_header(s, b2, h, true);
        return b2;
    }
    if (strcmp(kind, "header_checksum") == 0) {
        if (s->xp)
            return 0;
        read_header(s, b2, h);
        h[3] ^= 0x40;
        write_header(s, b2, h, false);
        return b2;
    }
    if (strcmp(kind, "past_segment_end") == 0) {
        read_header(s, b3, h);
        h[0] = 0xFF;
        h[1] = 0x7F;
        write_header(s, b3, h, true);
        return b3;
    }
    if (strcmp(kind, "free_list_link") == 0) {
        /* The free block follows block 3; its FreeList.Blink sits one pointer into its user data.
         */
        read_header(s, b3, h);
        uint64_t free_entry = b3 + (uint64_t)(h[0] | h[1] << 8) * gran;
        synth_put_ptr(s, free_entry + gran + s->ptr, base + 0x500);
        return free_entry + gran;
    }
    if (strcmp(kind, "segment_list_cycle") == 0 && !s->xp) {
        /* The heap's own segment links to itself instead of back to _HEAP.SegmentList: a list walk
         * from the head never returns (SegmentListEntry @0x10 x86 / @0x18 x64, §3.6). */
        uint64_t entry = base + (s->ptr == 8 ? 0x18 : 0x10);
        synth_put_ptr(s, entry, entry);
        return base;
    }
    return 0;
}

void synth_init_xp(synth *s)
{
    synth_init(s, 4);
    s->xp = true;
}

void synth_module_add(synth *s, const char *name, uint64_t base, uint32_t size, uint32_t version_ms,
                      uint32_t version_ls)
{
    synth_module *m = &s->modules[s->module_count++];
    m->name = name;
    m->base = base;
    m->size = size + 0x1000;
    m->data_base = base + size;
    m->data_size = 0x1000;
    m->version_ms = version_ms;
    m->version_ls = version_ls;
    /* Only the image's first pages (headers, vtables) are kept: what the analyses read. The
     * ModuleList still declares the full size. */
    uint32_t present = size < 0x4000 ? size : 0x4000;
    synth_region_add(s, base, present, size, MEM_IMAGE, PAGE_READONLY);
    synth_region_add(s, m->data_base, 0x1000, 0x1000, MEM_IMAGE, PAGE_READWRITE);
}

static uint32_t build_context(synth *s, dump_builder *b)
{
    uint64_t sp = s->stack_base + 0x800;
    if (s->ptr == 4) {
        uint8_t ctx[0x2CC] = {0};
        uint32_t flags = 0x00010007, eax = (uint32_t)s->thread_reg, esp = (uint32_t)sp;
        memcpy(ctx, &flags, 4);
        memcpy(ctx + 0xB0, &eax, 4);
        memcpy(ctx + 0xC4, &esp, 4);
        return db_blob(b, ctx, sizeof ctx);
    }
    static uint8_t ctx[0x4D0];
    memset(ctx, 0, sizeof ctx);
    uint32_t flags = 0x0010000B;
    memcpy(ctx + 0x30, &flags, 4);
    memcpy(ctx + 0x78, &s->thread_reg, 8);
    memcpy(ctx + 0x98, &sp, 8);
    return db_blob(b, ctx, sizeof ctx);
}

static int region_cmp(const void *a, const void *b)
{
    const synth_region *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

/* One MINIDUMP_MEMORY_INFO (48 bytes, minidumpapiset.h). */
static void put_memory_info(bytevec *mi, uint64_t base, uint64_t allocation_base,
                            uint32_t allocation_protect, uint64_t size, uint32_t state,
                            uint32_t protect, uint32_t type)
{
    bv_u64(mi, base);
    bv_u64(mi, allocation_base);
    bv_u32(mi, allocation_protect);
    bv_u32(mi, 0);
    bv_u64(mi, size);
    bv_u32(mi, state);
    bv_u32(mi, protect);
    bv_u32(mi, type);
    bv_u32(mi, 0);
}

/* The MemoryInfoList as MiniDumpWriteDump writes it with MiniDumpWithFullMemoryInfo (observed in
 * the Windows dumps of tests/data/real): VirtualQuery's regions in address order from 0 to the top
 * of user space, every address in exactly one entry. Addresses outside every region are MEM_FREE
 * (AllocationBase 0, Protect PAGE_NOACCESS, Type 0), a private region's reservation beyond what is
 * committed is MEM_RESERVE. The regions must be sorted and must not overlap. */
static void put_memory_info_list(synth *s, bytevec *mi)
{
    /* MmHighestUserAddress + 1, rounded to the allocation granularity: 0x7FFF0000 on x86 without
     * /3GB, 0x7FFFFFFF0000 on x64 (the last entry of the x64 dumps in tests/data/real ends there).
     */
    const uint64_t top = s->ptr == 8 ? 0x7FFFFFFF0000ull : 0x7FFF0000ull;
    bytevec entries = {0};
    uint64_t count = 0, at = 0;
    for (size_t i = 0; i < s->region_count; i++) {
        const synth_region *r = &s->regions[i];
        if (r->base < at)
            abort(); /* overlapping regions */
        if (r->base > at) {
            put_memory_info(&entries, at, 0, 0, r->base - at, 0x10000 /* MEM_FREE */, 1, 0);
            count++;
        }
        put_memory_info(&entries, r->base, r->base, r->protect, r->size, MEM_COMMIT, r->protect,
                        r->type);
        count++;
        at = r->base + r->size;
        if (r->type == MEM_PRIVATE && r->reserve > r->size) {
            put_memory_info(&entries, at, r->base, r->protect, r->reserve - r->size,
                            0x2000 /* MEM_RESERVE */, 0, r->type);
            count++;
            at = r->base + r->reserve;
        }
    }
    if (at > top)
        abort();
    if (at < top) {
        put_memory_info(&entries, at, 0, 0, top - at, 0x10000, 1, 0);
        count++;
    }
    for (size_t k = 0; k < s->released_count;
         k++) /* each released range must lie in a MEM_FREE gap */
        for (size_t i = 0; i < s->region_count; i++)
            if (s->released[k].base < s->regions[i].base + s->regions[i].reserve &&
                s->regions[i].base < s->released[k].base + s->released[k].size)
                abort();
    bv_u32(mi, 16);
    bv_u32(mi, 48);
    bv_u64(mi, count);
    bv_put(mi, entries.data, entries.len);
    bv_free(&entries);
}

/* Writes header and streams into b, and the memory bytes too unless memory_last && !with_memory. */
static void finish(synth *s, dump_builder *b, bool with_memory)
{
    /* MiniDumpWriteDump lists memory in address order (Memory64List and MemoryInfoList alike). */
    qsort(s->regions, s->region_count, sizeof s->regions[0], region_cmp);
    s->last_region = 0;
    uint64_t captured = 0;
    for (size_t i = 0; i < s->region_count; i++)
        captured += s->regions[i].bytes != NULL;
    /* The heap list: in this process it lives after the PEB (on Vista+ ntdll keeps it). */
    for (size_t i = 0; i < s->heap_count; i++)
        synth_put_ptr(s, s->heap_list + s->ptr * i, s->heaps[i]);
    db_init(b);
    /* MINIDUMP_TYPE: WithFullMemory | WithFullMemoryInfo, or WithProcessThreadData |
     * WithPrivateReadWriteMemory for the private-memory-only dumps. */
    b->flags = s->memory_list_only ? 0x300 : 0x802;
    bytevec si = {0}, tl = {0}, ml = {0}, mods = {0}, mi = {0};
    uint32_t csd = s->xp ? db_string(b, "Service Pack 3") : 0;
    if (s->xp)
        db_system_info(&si, 0, 5, 1, 2600, 2, csd);
    else
        db_system_info(&si, s->ptr == 8 ? 9 : 0, s->win10 ? 10 : 6, s->win10 ? 0 : 1,
                       s->win10 ? 19041 : 7601, 2, 0);
    db_stream(b, 7, &si);
    uint32_t ctx_rva = build_context(s, b);
    uint32_t ctx_size = s->ptr == 8 ? 0x4D0 : 0x2CC;

    uint32_t stack_rva = 0;
    size_t ml_index = 0, tl_index;
    if (s->memory_list_only) {
        /* Private memory only (MiniDumpWithPrivateReadWriteMemory): a MemoryList without the
         * modules' image pages. */
        bv_u32(&ml, (uint32_t)captured);
        for (size_t i = 0; i < s->region_count; i++) {
            synth_region *r = &s->regions[i];
            if (!r->bytes)
                continue;
            bool skip = r->type == MEM_IMAGE;
            uint32_t rva = db_blob(b, r->bytes, skip ? 0 : r->size);
            if (r->base == s->stack_base)
                stack_rva = rva;
            bv_u64(&ml, r->base);
            bv_u32(&ml, skip ? 0 : r->size);
            bv_u32(&ml, rva);
        }
        db_stream(b, 5, &ml);
    } else if (s->memory_last) {
        /* The same Memory64List, but BaseRva (patched below) points past every other stream. */
        bv_u64(&ml, captured);
        bv_u64(&ml, 0);
        for (size_t i = 0; i < s->region_count; i++) {
            if (!s->regions[i].bytes)
                continue;
            bv_u64(&ml, s->regions[i].base);
            bv_u64(&ml, s->regions[i].size);
        }
        db_stream(b, 9, &ml);
        ml_index = b->n_streams - 1;
    } else {
        /* Full memory: a Memory64List, {count, BaseRva} then {start, size} per range, the bytes
         * back to back from BaseRva (heap-internals.md §1.1). */
        uint64_t base_rva = b->file.len + 16 + 16ull * captured, at = base_rva;
        bv_u64(&ml, captured);
        bv_u64(&ml, base_rva);
        for (size_t i = 0; i < s->region_count; i++) {
            if (!s->regions[i].bytes)
                continue;
            bv_u64(&ml, s->regions[i].base);
            bv_u64(&ml, s->regions[i].size);
            if (s->regions[i].base == s->stack_base)
                stack_rva = (uint32_t)at;
            at += s->regions[i].size;
        }
        db_stream(b, 9, &ml);
        for (size_t i = 0; i < s->region_count; i++)
            if (s->regions[i].bytes)
                db_blob(b, s->regions[i].bytes, s->regions[i].size);
    }
    bv_u32(&tl, 1);
    bv_u32(&tl, 0x5D4);
    bv_zero(&tl, 12);
    bv_u64(&tl, s->teb);
    bv_u64(&tl, s->stack_base);
    bv_u32(&tl, s->stack_size);
    bv_u32(&tl, stack_rva);
    bv_u32(&tl, ctx_size);
    bv_u32(&tl, ctx_rva);
    db_stream(b, 3, &tl);
    tl_index = b->n_streams - 1;
    /* MINIDUMP_MISC_INFO: process id and times (Flags1 = MISC1_PROCESS_ID | MISC1_PROCESS_TIMES).
     */
    bytevec misc = {0};
    bv_u32(&misc, 24);
    bv_u32(&misc, 0x3);
    bv_u32(&misc, 0x1234);
    bv_u32(&misc, 0x3A000000);
    bv_u32(&misc, 12);
    bv_u32(&misc, 3);
    db_stream(b, 15, &misc);
    bv_free(&misc);

    bv_u32(&mods, (uint32_t)s->module_count);
    for (size_t i = 0; i < s->module_count; i++) {
        const synth_module *m = &s->modules[i];
        uint32_t name = db_string(b, m->name);
        /* CodeView 'RSDS' record: a GUID derived from the module's base (deterministic), age 1,
         * the PDB name (minidumpapiset.h CV_INFO_PDB70). */
        bytevec cv = {0};
        bv_u32(&cv, 0x53445352);
        bv_u64(&cv, m->base * 0x9E3779B97F4A7C15ull);
        bv_u64(&cv, m->base ^ 0x5A5A5A5A12345678ull);
        bv_u32(&cv, 1);
        const char *base_name = m->name;
        for (const char *q = m->name; *q; q++)
            if (*q == '\\' || *q == '/')
                base_name = q + 1;
        char pdb[64];
        size_t k = 0;
        for (; base_name[k] && base_name[k] != '.' && k < 40; k++)
            pdb[k] = (char)(base_name[k] >= 'A' && base_name[k] <= 'Z' ? base_name[k] + 32
                                                                       : base_name[k]);
        memcpy(pdb + k, ".pdb", 5);
        bv_put(&cv, pdb, k + 5);
        uint32_t cv_rva = db_blob(b, cv.data, cv.len);
        uint32_t cv_size = (uint32_t)cv.len;
        bv_free(&cv);
        bv_u64(&mods, m->base);
        bv_u32(&mods, m->size);
        bv_u32(&mods, 0);
        bv_u32(&mods, 0x3A000000);
        bv_u32(&mods, name);
        bv_u32(&mods, 0xFEEF04BD);
        bv_u32(&mods, 0x00010000);
        bv_u32(&mods, m->version_ms);
        bv_u32(&mods, m->version_ls);
        bv_zero(&mods, 9 * 4);
        bv_u32(&mods, cv_size);
        bv_u32(&mods, cv_rva);
        bv_zero(&mods, 8 + 16);
    }
    db_stream(b, 4, &mods);
    if (s->exception_code) {
        /* MINIDUMP_EXCEPTION_STREAM (168 bytes), the crashing thread's context shared. */
        bytevec ex = {0};
        bv_u32(&ex, 0x5D4);
        bv_u32(&ex, 0);
        bv_u32(&ex, s->exception_code);
        bv_u32(&ex, 0);
        bv_u64(&ex, 0);
        bv_u64(&ex, s->exception_address);
        bv_u32(&ex, 0);
        bv_u32(&ex, 0);
        bv_zero(&ex, 15 * 8);
        bv_u32(&ex, ctx_size);
        bv_u32(&ex, ctx_rva);
        db_stream(b, 6, &ex);
        bv_free(&ex);
    }

    if (!s->memory_list_only) {
        put_memory_info_list(s, &mi);
        db_stream(b, 16, &mi);
    }
    if (s->memory_last && !s->memory_list_only) {
        /* BaseRva is 64-bit; the thread's stack descriptor (an RVA32) points into the first ranges.
         */
        uint64_t base_rva = b->file.len, at = base_rva;
        for (size_t i = 0; i < s->region_count; i++) {
            if (!s->regions[i].bytes)
                continue;
            if (s->regions[i].base == s->stack_base) {
                if (at + s->regions[i].size > UINT32_MAX)
                    abort();
                bv_set_u32(&b->file, b->rva[tl_index] + 40, (uint32_t)at);
            }
            at += s->regions[i].size;
        }
        bv_set_u32(&b->file, b->rva[ml_index] + 8, (uint32_t)base_rva);
        bv_set_u32(&b->file, b->rva[ml_index] + 12, (uint32_t)(base_rva >> 32));
        if (with_memory)
            for (size_t i = 0; i < s->region_count; i++)
                if (s->regions[i].bytes)
                    bv_put(&b->file, s->regions[i].bytes, s->regions[i].size);
    }
    (void)tl_index;
    db_finish(b);
    bv_free(&si);
    bv_free(&tl);
    bv_free(&ml);
    bv_free(&mods);
    bv_free(&mi);
}

void synth_finish(synth *s, dump_builder *b) { finish(s, b, true); }

void synth_heap_list_at(synth *s, uint64_t va, uint32_t max)
{
    s->heap_list = va;
    synth_put32(s, s->peb + L(s)->peb_max, max);
    synth_put_ptr(s, s->peb + L(s)->peb_list, va);
}

void synth_released(synth *s, uint64_t base, uint64_t size)
{
    if (s->released_count == sizeof s->released / sizeof s->released[0])
        abort();
    /* Kept sorted by base, as the MemoryInfoList is. */
    size_t i = s->released_count++;
    while (i > 0 && s->released[i - 1].base > base) {
        s->released[i] = s->released[i - 1];
        i--;
    }
    s->released[i].base = base;
    s->released[i].size = size;
}

void synth_uncaptured(synth *s, uint64_t base, uint32_t size)
{
    synth_region_add(s, base, size, size, MEM_PRIVATE, 1 /* PAGE_NOACCESS */);
    synth_region *r = &s->regions[s->region_count - 1];
    free(r->bytes);
    r->bytes = NULL;
}

int synth_write_file(synth *s, FILE *f)
{
    dump_builder b;
    bool streamed = s->memory_last && !s->memory_list_only;
    finish(s, &b, !streamed);
    int rc = fwrite(b.file.data, 1, b.file.len, f) == b.file.len ? 0 : -1;
    bv_free(&b.file);
    if (streamed)
        for (size_t i = 0; i < s->region_count && rc == 0; i++)
            if (s->regions[i].bytes &&
                fwrite(s->regions[i].bytes, 1, s->regions[i].size, f) != s->regions[i].size)
                rc = -1;
    return rc;
}

void synth_free(synth *s)
{
    for (size_t i = 0; i < s->region_count; i++)
        free(s->regions[i].bytes);
    s->region_count = 0;
}
