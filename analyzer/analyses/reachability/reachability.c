#include "reachability.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "checked.h"
#include "handle_filter.h"
#include "sorted_search.h"
#include "u64_map.h"

/* PAGE_READWRITE, PAGE_WRITECOPY, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY (winnt.h). */
enum {
    WRITABLE_PROTECT = 0x04 | 0x08 | 0x40 | 0x80,
    SCN_MEM_WRITE = 0x80000000u,
    SCAN_CHUNK = 1u << 20
};

typedef struct reach_ctx {
    const hs_dump *dump;
    const hs_address_space *as;
    const hs_heapset *set;
    hs_reach_result *r;
    hs_u64_map handles;      /* heap handle → heap index */
    hs_handle_filter filter; /* rejects nearly every word before the hash lookup, never a handle */
    unsigned ptr;
    bool wow64;
    uint64_t *list; /* the PEB heap list in order, to recognise its copies */
    size_t list_len;
    size_t *queue; /* heaps newly found reachable, whose blocks still need scanning */
    size_t queue_len;
    bool missing; /* some root or reachable heap memory is absent */
    const char *missing_what;
    /* Work bounds. In a real dump stacks, module data and busy blocks are disjoint, so the scan
     * reads each present word at most once; a hostile one names the same memory over and over
     * (16384 threads sharing one 1 MB stack: 35 s for a 1.8 MB file, issue 7 review). Past twice
     * the dump's words, or past four region lookups per MemoryInfoList entry, the scan stops and
     * reachability is unknown. */
    uint64_t word_budget, region_budget;
    bool over_budget;
    /* Prescan mode (hs_reach_prescan): what a heap's blocks reference is recorded, not marked. */
    struct prescan *pre;
    bool sieve_matches;   /* the walk's sieve looked for what this filter passes (heap.h) */
    const hs_heap *noted; /* while its blocks are scanned: the heap whose sieve notes may serve */
} reach_ctx;

static const char *const OVER_BUDGET = "the dump names the same memory as roots or heap blocks "
                                       "many times over; reachability is not decided";

/* True (once noted) when the work bounds are spent. */
static bool spent(reach_ctx *c, uint64_t words)
{
    if (!c->over_budget && c->r->words_scanned + words > c->word_budget) {
        c->over_budget = true;
        c->missing = false; /* this reason comes first: nothing after it was looked at */
    }
    if (c->over_budget && !c->missing) {
        c->missing = true;
        c->missing_what = OVER_BUDGET;
    }
    return c->over_budget;
}

/* Remembers the first (most basic) reason reachability cannot be decided. */
static void note_missing(reach_ctx *c, const char *why)
{
    if (!c->missing)
        c->missing_what = why;
    c->missing = true;
}

/* Where a reference was found; formatted into a sentence only when it marks a heap. */
typedef enum origin_kind {
    ORIGIN_PROCESS_HEAP,
    ORIGIN_REGISTER,
    ORIGIN_STACK,
    ORIGIN_MODULE,
    ORIGIN_BLOCK,
    ORIGIN_SEGMENT_HEAP
} origin_kind;
typedef struct origin {
    origin_kind kind;
    uint64_t a, b;
    const char *name;
} origin;

/* A reference found by a prescan: the first word of the heap that holds target's handle. */
typedef struct hit {
    uint32_t target;
    origin o;
    uint64_t at;
} hit;

/* What one heap's blocks reference, read ahead of the walk of the graph (hs_reach_prescan). */
typedef struct prescan {
    hit *hits; /* the first reference to each heap, in scan order */
    size_t count, cap;
    uint64_t words; /* words the scan read, as words_scanned counts them */
    bool done;      /* complete: the walk of the graph may use it instead of scanning */
    uint8_t *seen;  /* per heap: referenced already (a worker's scratch, cleared after) */
} prescan;

static const char *describe(reach_ctx *c, const origin *o, uint64_t at)
{
    hs_arena *ar = c->r->arena;
    switch (o->kind) {
    case ORIGIN_PROCESS_HEAP:
        return hs_arena_printf(ar, "the process heap (PEB 0x%" PRIx64 ")", o->a);
    case ORIGIN_REGISTER:
        return hs_arena_printf(ar, "register %s of thread %" PRIu64, o->name, o->a);
    case ORIGIN_STACK:
        return hs_arena_printf(ar, "stack of thread %" PRIu64 " at 0x%" PRIx64, o->a, at);
    case ORIGIN_MODULE:
        return hs_arena_printf(ar, "data of module %s at 0x%" PRIx64, o->name, at);
    case ORIGIN_BLOCK:
        return hs_arena_printf(ar, "busy block 0x%" PRIx64 " of heap 0x%" PRIx64 " at 0x%" PRIx64,
                               o->a, o->b, at);
    case ORIGIN_SEGMENT_HEAP:
        return hs_arena_printf(ar, "segment heap 0x%" PRIx64 " at 0x%" PRIx64, o->a, at);
    }
    return NULL;
}

static void mark(reach_ctx *c, int heap, const origin *o, uint64_t at)
{
    if (heap < 0 || c->r->state[heap] == HS_REACH_REACHABLE)
        return;
    c->r->state[heap] = HS_REACH_REACHABLE;
    c->r->evidence[heap] = describe(c, o, at);
    c->queue[c->queue_len++] = (size_t)heap;
}

/* A reference to heap (an index, or < 0 for none) found at `at` in the place o describes. */
static void found(reach_ctx *c, int heap, const origin *o, uint64_t at)
{
    if (heap < 0)
        return;
    prescan *p = c->pre;
    if (!p) {
        mark(c, heap, o, at);
        return;
    }
    /* Later references of the same heap from this heap cannot change its state or first reference.
     */
    if (p->seen[heap])
        return;
    if (!hs_grow((void **)&p->hits, &p->cap, p->count, sizeof *p->hits)) {
        p->done = false; /* incomplete: the walk of the graph scans this heap itself */
        c->over_budget = true;
        return;
    }
    p->seen[heap] = 1;
    p->hits[p->count++] = (hit){(uint32_t)heap, *o, at};
}

/* Length of a copy of the PEB heap list starting at word index i of the window (0 when there is
 * none). A copy starts with ProcessHeaps[0], ProcessHeaps[1] in order: the live array, or the stale
 * static buffer left in ntdll after the array grew (heap-internals.md §8.3). */
static size_t heap_list_copy_at(const reach_ctx *c, const hs_reader *w, size_t i)
{
    if (c->list_len < 2)
        return 0;
    size_t n = 0;
    uint64_t v;
    while (n < c->list_len && hs_rd_ptr_at(w, (i + n) * c->ptr, c->ptr, &v) == HS_OK &&
           v == c->list[n])
        n++;
    return n >= 2 ? n : 0;
}

/* The words of one chunk that may hold a handle: those the walk's sieve noted there, or the
 * filter run over the chunk's bytes. */
typedef struct chunk_candidates {
    hs_filter_cursor cursor;
    bool from_notes;       /* else the cursor */
    const uint64_t *noted; /* word addresses, sorted */
    size_t noted_count, at;
    uint64_t start;
    unsigned ptr;
} chunk_candidates;

static chunk_candidates candidates_in(const reach_ctx *c, uint64_t start, const uint8_t *bytes,
                                      size_t words)
{
    chunk_candidates k = {.cursor =
                              hs_filter_cursor_over(&c->filter, bytes, c->ptr, c->wow64, words),
                          .start = start,
                          .ptr = c->ptr};
    size_t first, end;
    if (c->noted &&
        hs_heap_sieve_words(c->noted, start, start + (uint64_t)words * c->ptr, &first, &end)) {
        k.from_notes = true;
        k.noted = first < end ? c->noted->sieve.words + first : NULL;
        k.noted_count = end - first;
    }
    return k;
}

/* The first word at or after `from` that may hold a handle, or the chunk's word count. */
static size_t candidates_next(chunk_candidates *k, size_t from)
{
    if (!k->from_notes)
        return hs_filter_cursor_next(&k->cursor, from);
    uint64_t want = k->start + (uint64_t)from * k->ptr;
    while (k->at < k->noted_count && k->noted[k->at] < want)
        k->at++;
    return k->at < k->noted_count ? (size_t)((k->noted[k->at] - k->start) / k->ptr)
                                  : k->cursor.count;
}

/* Scans [va, va+len) for handles found in the place `o` describes. */
static void scan_range(reach_ctx *c, uint64_t va, uint64_t len, const origin *o)
{
    uint64_t start = (va + c->ptr - 1) & ~(uint64_t)(c->ptr - 1);
    uint64_t end;
    if (!hs_add_u64(va, len, &end))
        end = UINT64_MAX;
    while (start < end) {
        hs_reader w;
        uint64_t want = end - start < SCAN_CHUNK ? end - start : SCAN_CHUNK;
        if (hs_as_reader_upto(c->as, start, want, &w) != HS_OK) {
            uint64_t next = hs_as_next_present(c->as, start);
            if (next <= start) /* present but unreadable (time budget spent): skip the chunk */
                next = start + want;
            if (next >= end)
                break;
            start = (next + c->ptr - 1) & ~(uint64_t)(c->ptr - 1);
            continue;
        }
        size_t words = w.len / c->ptr;
        if (spent(c, words))
            return;
        /* The chunk's bytes, bounds-checked once; words are then loaded at i·ptr < words·ptr. */
        const uint8_t *bytes;
        if (hs_rd_view(&w, (size_t)words * c->ptr, &bytes) != HS_OK)
            break;
        chunk_candidates k = candidates_in(c, start, bytes, words);
        for (size_t i = candidates_next(&k, 0); i < words; i = candidates_next(&k, i + 1)) {
            uint64_t v = c->ptr == 8 ? hs_word_le(bytes + i * 8, 8) : hs_word_le(bytes + i * 4, 4);
            if (c->wow64) {
                /* A WoW64 process holds 32-bit heap handles in 4-byte slots: look at both halves.
                 */
                uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
                if (hs_handle_filter_passes(&c->filter, lo))
                    found(c, (int)hs_u64_map_find(&c->handles, lo), o, start + i * c->ptr);
                if (hs_handle_filter_passes(&c->filter, hi))
                    found(c, (int)hs_u64_map_find(&c->handles, hi), o, start + i * c->ptr + 4);
            }
            if (!hs_handle_filter_passes(&c->filter, v))
                continue;
            int h = (int)hs_u64_map_find(&c->handles, v);
            if (h < 0)
                continue;
            size_t copy = heap_list_copy_at(c, &w, i);
            if (copy) {
                i += copy - 1; /* a copy of the heap list is not a reference (DESIGN.md) */
                continue;
            }
            found(c, h, o, start + i * c->ptr);
        }
        c->r->words_scanned += words;
        if (w.len < c->ptr)
            break;
        start += words * c->ptr;
    }
}

static void scan_registers(reach_ctx *c)
{
    for (size_t t = 0; t < c->dump->thread_count; t++) {
        const hs_md_thread *th = &c->dump->threads[t];
        if (!th->context.valid) {
            note_missing(c, "a thread context is unreadable");
            continue;
        }
        for (unsigned i = 0; i < th->context.reg_count; i++) {
            origin o = {ORIGIN_REGISTER, th->id, 0, th->context.reg_names[i]};
            mark(c, (int)hs_u64_map_find(&c->handles, th->context.regs[i]), &o, 0);
        }
    }
}

static void scan_stacks(reach_ctx *c)
{
    for (size_t t = 0; t < c->dump->thread_count; t++) {
        const hs_md_thread *th = &c->dump->threads[t];
        if (spent(c, 0))
            return;
        if (th->stack_size == 0)
            continue;
        if (hs_as_present_bytes(c->as, th->stack_start, th->stack_size) < th->stack_size / 2) {
            note_missing(c, "thread stacks are not in the dump");
        }
        origin o = {ORIGIN_STACK, th->id, 0, NULL};
        scan_range(c, th->stack_start, th->stack_size, &o);
    }
}

/* Writable sections of a module from its PE section table in memory (when MemoryInfoList is
 * absent). */
static uint64_t scan_module_pe_sections(reach_ctx *c, const hs_md_module *m, size_t index)
{
    uint32_t e_lfanew, pe_sig, chars, vsize, vaddr;
    uint16_t nsections, opt_size;
    uint64_t base = m->base, scanned = 0;
    if (hs_as_read_u32(c->as, base + 0x3C, &e_lfanew) != HS_OK || e_lfanew > 0x1000 ||
        hs_as_read_u32(c->as, base + e_lfanew, &pe_sig) != HS_OK || pe_sig != 0x00004550 ||
        hs_as_read_u16(c->as, base + e_lfanew + 6, &nsections) != HS_OK ||
        hs_as_read_u16(c->as, base + e_lfanew + 20, &opt_size) != HS_OK)
        return 0;
    uint64_t table = base + e_lfanew + 24 + opt_size;
    for (unsigned s = 0; s < nsections && s < 96; s++) {
        uint64_t sh = table + 40ull * s;
        if (hs_as_read_u32(c->as, sh + 8, &vsize) != HS_OK ||
            hs_as_read_u32(c->as, sh + 12, &vaddr) != HS_OK ||
            hs_as_read_u32(c->as, sh + 36, &chars) != HS_OK)
            break;
        if (!(chars & SCN_MEM_WRITE) || vaddr >= m->size)
            continue;
        uint64_t len = vsize < m->size - vaddr ? vsize : m->size - vaddr;
        origin o = {ORIGIN_MODULE, index, 0, m->name};
        scan_range(c, base + vaddr, len, &o);
        scanned += hs_as_present_bytes(c->as, base + vaddr, len);
    }
    return scanned;
}

static void scan_modules(reach_ctx *c)
{
    const hs_dump *d = c->dump;
    uint64_t writable = 0, present = 0;
    for (size_t i = 0; i < d->module_count; i++) {
        const hs_md_module *m = &d->modules[i];
        if (spent(c, 0))
            return;
        if (d->has_memory_info) {
            uint64_t end = m->base + m->size;
            for (uint64_t va = m->base; va < end;) {
                hs_md_memory_info mi;
                if (c->region_budget == 0) {
                    (void)spent(c, UINT64_MAX / 2);
                    return;
                }
                c->region_budget--;
                if (hs_as_query(c->as, va, &mi) != HS_OK || mi.region_size == 0)
                    break;
                uint64_t rend = mi.base + mi.region_size < end ? mi.base + mi.region_size : end;
                if (mi.state == HS_MEM_COMMIT && mi.type == HS_MEM_IMAGE &&
                    (mi.protect & WRITABLE_PROTECT)) {
                    writable += rend - va;
                    present += hs_as_present_bytes(c->as, va, rend - va);
                    origin o = {ORIGIN_MODULE, i, 0, m->name};
                    scan_range(c, va, rend - va, &o);
                }
                va = rend;
            }
        } else {
            uint64_t got = scan_module_pe_sections(c, m, i);
            writable += got;
            present += got;
        }
    }
    if (writable == 0 || present < writable - writable / 10) {
        note_missing(c, "the writable data sections of the loaded modules are not in the dump");
    }
}

/* Where the scan of a heap's blocks is in its sieve: blocks come in address order, so the covered
 * range and the first note at or after the block's data mostly move forward (a block whose data
 * starts before the previous one's, in a hostile heap, starts the search over). */
typedef struct notes_cursor {
    size_t range, word;
    uint64_t last_start;
} notes_cursor;

/* True when scanning [va, va+len) would find nothing and only count its words (set in *words):
 * the sieve covered it and noted no word in it, and it lies in one range of the dump and one scan
 * chunk, so scan_range would read it as one chunk of *words words and find no candidate. */
static bool nothing_noted_in(const reach_ctx *c, notes_cursor *k, uint64_t va, uint64_t len,
                             uint64_t *words)
{
    const hs_heap_sieve *s = &c->noted->sieve;
    uint64_t start = (va + c->ptr - 1) & ~(uint64_t)(c->ptr - 1), end;
    if (!hs_add_u64(va, len, &end) || start >= end || end - start > SCAN_CHUNK)
        return false;
    if (start < k->last_start) { /* found again by binary search: a hostile order costs no more */
        size_t n = HS_COUNT_LE(s->covered, s->covered_count, address, start);
        k->range = n ? n - 1 : 0;
        k->word = start ? hs_count_le(s->words, s->word_count, sizeof *s->words, 0, start - 1) : 0;
    }
    k->last_start = start;
    while (k->range + 1 < s->covered_count && s->covered[k->range + 1].address <= start)
        k->range++;
    while (k->word < s->word_count && s->words[k->word] < start)
        k->word++;
    if (k->range >= s->covered_count)
        return false;
    const hs_range *r = &s->covered[k->range];
    if (start < r->address || end - r->address > r->size ||
        (k->word < s->word_count && s->words[k->word] < end))
        return false;
    const hs_as_range *m = hs_as_find(c->as, start);
    if (!m || end - m->start > m->size)
        return false;
    *words = (end - start) / c->ptr;
    return true;
}

static void scan_heap_blocks(reach_ctx *c, size_t heap)
{
    const hs_heap *h = &c->set->heaps[heap];
    if (!h->walk_complete && !h->segment_heap) {
        note_missing(c, "a reachable heap is only partly in the dump");
    }
    if (h->segment_heap) {
        /* Blocks cannot be enumerated: scan the committed memory (conservative: more reachable). */
        origin o = {ORIGIN_SEGMENT_HEAP, h->handle, 0, NULL};
        scan_range(c, h->handle, h->reserved, &o);
        return;
    }
    uint64_t g = h->layout ? h->layout->gran : 8;
    c->noted = c->sieve_matches && h->sieve.usable ? h : NULL;
    notes_cursor notes = {0};
    for (size_t i = 0; i < h->block_count && !spent(c, 0); i++) {
        const hs_block *b = &h->blocks[i];
        if (!hs_block_in_use(b) || b->size <= g)
            continue;
        uint64_t data = b->kind == HS_BLOCK_VIRTUAL ? h->layout->va_busy_block + g : g;
        if (b->size <= data)
            continue;
        uint64_t words;
        if (c->noted && nothing_noted_in(c, &notes, b->address + data, b->size - data, &words)) {
            if (!spent(c, words))
                c->r->words_scanned += words;
            continue;
        }
        origin o = {ORIGIN_BLOCK, b->address, h->handle, NULL};
        scan_range(c, b->address + data, b->size - data, &o);
    }
    c->noted = NULL;
}

struct hs_reach_prep {
    reach_ctx c;
    prescan *pre;                   /* per heap */
    _Atomic uint64_t prescan_words; /* words the prescans may still read, all together */
};

static void prep_free(hs_reach_prep *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->pre && i < p->c.set->count; i++)
        hs_free(p->pre[i].hits);
    hs_free(p->pre);
    hs_free(p->c.queue);
    hs_free(p->c.list);
    hs_u64_map_release(&p->c.handles);
    hs_free(p);
}

hs_reach_prep *hs_reach_prepare(const hs_dump *dump, const hs_address_space *as,
                                const hs_heapset *set)
{
    hs_reach_prep *p = hs_calloc(1, sizeof *p);
    hs_reach_result *r = hs_calloc(1, sizeof *r);
    if (!p || !r) {
        hs_free(p);
        hs_free(r);
        return NULL;
    }
    size_t n = set->count;
    r->arena = hs_arena_new(1u << 28);
    r->state = hs_calloc(n ? n : 1, sizeof *r->state);
    r->evidence = hs_calloc(n ? n : 1, sizeof *r->evidence);
    p->c = (reach_ctx){.dump = dump, .as = as, .set = set, .r = r};
    reach_ctx *c = &p->c;
    c->queue = hs_calloc(n ? n : 1, sizeof *c->queue);
    c->list = hs_calloc(n ? n : 1, sizeof *c->list);
    p->pre = hs_calloc(n ? n : 1, sizeof *p->pre);
    bool handles_ok = hs_u64_map_init(&c->handles, n);
    c->filter = hs_handle_filter_none();
    for (size_t i = 0; handles_ok && i < n; i++) {
        uint64_t handle = set->heaps[i].handle;
        handles_ok = handle == 0 || hs_u64_map_insert(&c->handles, handle, (uint32_t)i) >= 0;
        hs_handle_filter_add(&c->filter, handle);
    }
    if (!r->arena || !r->state || !r->evidence || !c->queue || !c->list || !p->pre || !handles_ok) {
        hs_reach_result_free(r);
        prep_free(p);
        return NULL;
    }
    const hs_process *proc = set->process;
    c->ptr = hs_arch_pointer_size(proc->arch);
    c->word_budget = 2 * (hs_as_total_bytes(as) / (c->ptr ? c->ptr : 4)) + (1u << 20);
    c->region_budget = 4 * (uint64_t)dump->memory_info_count + dump->module_count + 1024;
    c->wow64 = proc->wow64;
    c->sieve_matches = set->sieve_width == c->ptr && set->sieve_halves == c->wow64 &&
                       set->sieve_filter.lowest == c->filter.lowest &&
                       set->sieve_filter.span == c->filter.span &&
                       set->sieve_filter.zero_low_bits == c->filter.zero_low_bits;
    for (size_t i = 0; i < n; i++)
        if (set->heaps[i].list_index >= 0 && (size_t)set->heaps[i].list_index < n &&
            set->heaps[i].peb_index == 0)
            c->list[set->heaps[i].list_index] = set->heaps[i].handle;
    while (c->list_len < n && c->list[c->list_len])
        c->list_len++;
    /* The prescans together read at most what the walk of the graph may read. */
    p->prescan_words = c->word_budget;
    return p;
}

void hs_reach_prescan(hs_reach_prep *p, const hs_address_space *as, size_t heap, uint8_t *seen)
{
    const reach_ctx *base = &p->c;
    const hs_heap *h = &base->set->heaps[heap];
    if (!base->ptr)
        return;
    /* Reserve the words this heap can take at most; past the shared bound, the walk of the graph
     * scans the heap itself if it needs to. */
    uint64_t words = h->segment_heap ? h->reserved / base->ptr : 0;
    for (size_t i = 0; i < h->block_count; i++)
        words += h->blocks[i].size / base->ptr + 1;
    uint64_t left = atomic_load(&p->prescan_words);
    do {
        if (left < words)
            return;
    } while (!atomic_compare_exchange_weak(&p->prescan_words, &left, left - words));
    hs_reach_result counter = {0};
    prescan *pre = &p->pre[heap];
    pre->seen = seen;
    pre->done = true;
    reach_ctx c = *base;
    c.as = as;
    c.r = &counter;
    c.word_budget = UINT64_MAX / 2;
    c.region_budget = 0;
    c.queue = NULL;
    c.pre = pre;
    c.missing = false;
    scan_heap_blocks(&c, heap);
    pre->words = counter.words_scanned;
    pre->done &= !c.over_budget;
    for (size_t k = 0; k < pre->count; k++)
        seen[pre->hits[k].target] = 0;
    pre->seen = NULL;
}

/* The walk of the graph over one reachable heap: its prescan when there is one and the word
 * budget can take all of it (exactly what scanning would mark, in the same order), else a scan. */
static void visit_heap(hs_reach_prep *p, size_t heap)
{
    reach_ctx *c = &p->c;
    const prescan *pre = &p->pre[heap];
    if (!pre->done || c->over_budget || c->r->words_scanned + pre->words > c->word_budget) {
        scan_heap_blocks(c, heap);
        return;
    }
    const hs_heap *h = &c->set->heaps[heap];
    if (!h->walk_complete && !h->segment_heap)
        note_missing(c, "a reachable heap is only partly in the dump");
    for (size_t k = 0; k < pre->count; k++)
        mark(c, (int)pre->hits[k].target, &pre->hits[k].o, pre->hits[k].at);
    c->r->words_scanned += pre->words;
}

hs_reach_result *hs_reach_finish(hs_reach_prep *p)
{
    reach_ctx *c = &p->c;
    hs_reach_result *r = c->r;
    const hs_heapset *set = c->set;
    const hs_process *proc = set->process;
    size_t n = set->count;
    if (n && c->ptr) {
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < proc->peb_count; k++)
                if (proc->pebs[k].present && set->heaps[i].handle == proc->pebs[k].process_heap) {
                    origin o = {ORIGIN_PROCESS_HEAP, proc->pebs[k].address, 0, NULL};
                    mark(c, (int)i, &o, 0);
                }
        scan_registers(c);
        scan_stacks(c);
        scan_modules(c);
        /* Worklist: each heap's blocks are visited once, when it is first found reachable. Once
         * every heap is reachable (each was queued when marked) no visit can change a state or a
         * first reference: the rest of the queue only says whether its heaps are complete. */
        for (size_t q = 0; q < c->queue_len; q++) {
            if (c->queue_len == n) {
                for (; q < c->queue_len; q++)
                    if (!set->heaps[c->queue[q]].walk_complete &&
                        !set->heaps[c->queue[q]].segment_heap)
                        note_missing(c, "a reachable heap is only partly in the dump");
                break;
            }
            visit_heap(p, c->queue[q]);
        }
    }
    if (proc->wow64 && proc->peb_count < 2) {
        note_missing(c, "the 32-bit side of the WoW64 process is not in the dump");
    }
    r->known = !c->missing && n > 0;
    r->unknown_reason = r->known ? NULL : n == 0 ? "the dump has no heaps" : c->missing_what;
    for (size_t i = 0; i < n; i++) {
        if (r->state[i] == HS_REACH_REACHABLE)
            r->reachable++;
        else if (r->known) {
            r->state[i] = HS_REACH_ORPHANED;
            r->orphaned++;
        } else {
            r->unknown++;
        }
    }
    prep_free(p);
    return r;
}

hs_reach_result *hs_reachability_compute(const hs_dump *dump, const hs_address_space *as,
                                         const hs_heapset *set)
{
    hs_reach_prep *p = hs_reach_prepare(dump, as, set);
    return p ? hs_reach_finish(p) : NULL;
}

void hs_reach_result_free(hs_reach_result *r)
{
    if (!r)
        return;
    hs_free(r->state);
    hs_free(r->evidence);
    hs_arena_free(r->arena);
    hs_free(r);
}

const char *hs_reachability_name(hs_reachability r)
{
    switch (r) {
    case HS_REACH_REACHABLE:
        return "reachable";
    case HS_REACH_ORPHANED:
        return "orphaned";
    default:
        return "unknown";
    }
}
