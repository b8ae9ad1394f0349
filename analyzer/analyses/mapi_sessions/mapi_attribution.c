#include "mapi_attribution.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* mapi.md §5: the DLLs that host MAPI in a client process. */
static const char *const mapi_modules[] = {"mapi32",   "msmapi32", "olmapi32",
                                           "exmapi32", "emsmdb32", "emsabp32",
                                           "emsui32",  "mspst32",  "cdo"};
/* The modules whose version says which MAPI the process runs, in order of preference. */
static const char *const primary_modules[] = {"mapi32", "msmapi32", "olmapi32", "exmapi32"};

static bool name_is(const char *name, const char *base)
{
    size_t n = strlen(base);
    return strncasecmp(name, base, n) == 0 &&
           (name[n] == '\0' || strcasecmp(name + n, ".dll") == 0);
}

bool hs_mapi_module_name(const char *name)
{
    for (size_t i = 0; i < sizeof mapi_modules / sizeof mapi_modules[0]; i++)
        if (name_is(name, mapi_modules[i]))
            return true;
    return false;
}

uint64_t hs_mapi_pack_version(const hs_md_version_info *v)
{
    if (!v->present)
        return 0;
    return (uint64_t)(v->file_version_ms >> 16) << 48 |
           (uint64_t)(v->file_version_ms & 0xFFFF) << 32 |
           (uint64_t)(v->file_version_ls >> 16) << 16 | (v->file_version_ls & 0xFFFF);
}

static const hs_mapi_module *module_at(const hs_mapi_result *r, uint64_t addr)
{
    for (size_t i = 0; i < r->module_count; i++) {
        const hs_md_module *m = r->modules[i].module;
        if (addr >= m->base && addr - m->base < m->size)
            return &r->modules[i];
    }
    return NULL;
}

/* A COM object starts with a pointer to its vtable; the vtable's first slot points at code of the
 * same module. When the vtable itself is not in the dump, the first level has to do. */
static bool is_mapi_vtable(const hs_mapi_result *r, const hs_address_space *as, uint64_t vtable,
                           unsigned ptr)
{
    const hs_mapi_module *m = module_at(r, vtable);
    if (!m)
        return false;
    uint64_t slot;
    if (hs_as_read_ptr(as, vtable, ptr, &slot) != HS_OK)
        return true;
    return slot >= m->module->base && slot - m->module->base < m->module->size;
}

static uint64_t user_start(const hs_heap *h, const hs_block *b)
{
    return b->address + (b->kind == HS_BLOCK_VIRTUAL ? h->layout->va_busy_block : 0) +
           h->layout->gran;
}

static void collect_heap_evidence(hs_mapi_result *r, const hs_address_space *as, const hs_heap *h,
                                  hs_mapi_heap *e)
{
    unsigned ptr = h->layout->ptr;
    enum { PREFETCH_AHEAD = 8 }; /* blocks between a prefetch and the read it prepares */
    if (h->block_count == 0)
        return;
    /* Every block of the heap lies in [lowest, highest): a link outside needs no lookup. */
    const hs_block *last = &h->blocks[h->block_count - 1];
    uint64_t lowest = h->blocks[0].address, highest = last->address + last->size;
    for (size_t i = 0; i < h->block_count; i++)
        if (h->blocks[i].address + h->blocks[i].size > highest)
            highest = h->blocks[i].address + h->blocks[i].size;
    for (size_t i = 0; i < h->block_count; i++) {
        const hs_block *b = &h->blocks[i];
        if (i + PREFETCH_AHEAD < h->block_count)
            hs_as_prefetch(as, user_start(h, &h->blocks[i + PREFETCH_AHEAD]));
        if (!hs_block_in_use(b))
            continue;
        /* The block's first two pointer slots, read together (either may be all the dump has). */
        uint64_t user = user_start(h, b), slots[2];
        bool have[2] = {false, false};
        hs_reader rd;
        bool viewed = hs_as_reader_upto(as, user, 2ull * ptr, &rd) == HS_OK;
        for (unsigned k = 0; k < 2; k++)
            have[k] = (viewed && hs_rd_ptr_at(&rd, (uint64_t)k * ptr, ptr, &slots[k]) == HS_OK) ||
                      hs_as_read_ptr(as, user + (uint64_t)k * ptr, ptr, &slots[k]) ==
                          HS_OK; /* across ranges */
        if (have[0] && is_mapi_vtable(r, as, slots[0], ptr))
            e->vtable_objects++;
        /* MAPIAllocateBuffer chains: a link slot at the start of the block (or after a tag DWORD
         * on x86, mapi.md §4.3 item 6) holds the start of another busy block of the same heap. */
        for (unsigned k = 0; k < 2; k++) {
            uint64_t link = slots[k];
            if (!have[k] || link == 0 || link == user || link < lowest || link >= highest)
                continue;
            const hs_block *t = hs_heap_block_containing(h, link);
            if (t && hs_block_in_use(t) && user_start(h, t) == link) {
                e->alloc_chain_links++;
                break;
            }
        }
    }
}

/* A shape: creation flags, reserve and commit sizes, and the multiset of busy block sizes. */
static uint64_t shape_of(const hs_heap *h)
{
    uint64_t x = 0xcbf29ce484222325ull;
#define MIX(v) (x = (x ^ (uint64_t)(v)) * 0x100000001b3ull)
    MIX(h->flags);
    MIX(h->reserved);
    MIX(h->committed);
    MIX(h->segment_count);
    MIX(h->busy_blocks);
    MIX(h->free_blocks);
    /* Blocks are in address order; an order-independent sum keeps identical contents equal. */
    uint64_t sum = 0;
    for (size_t i = 0; i < h->block_count; i++)
        if (h->blocks[i].state == HS_BLOCK_BUSY)
            sum += h->blocks[i].size * 0x9E3779B97F4A7C15ull ^ (h->blocks[i].size << 7);
    MIX(sum);
#undef MIX
    return x;
}

typedef struct shape_item {
    uint64_t shape;
    size_t heap;
} shape_item;

static int by_shape(const void *a, const void *b)
{
    const shape_item *x = a, *y = b;
    if (x->shape != y->shape)
        return x->shape < y->shape ? -1 : 1;
    return x->heap < y->heap ? -1 : x->heap > y->heap;
}

static void cluster_heaps(hs_mapi_result *r, const hs_heapset *set)
{
    shape_item *items = hs_malloc((set->count ? set->count : 1) * sizeof *items);
    if (!items)
        return;
    size_t n = 0;
    for (size_t i = 0; i < set->count; i++)
        if (set->heaps[i].layout && r->heaps[i].eligible && set->heaps[i].walk_complete)
            items[n++] = (shape_item){shape_of(&set->heaps[i]), i};
    if (n > 1)
        qsort(items, n, sizeof *items, by_shape);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        size_t direct = 0;
        while (j < n && items[j].shape == items[i].shape)
            direct += r->heaps[items[j++].heap].session;
        size_t members = j - i;
        if (members > r->largest_cluster)
            r->largest_cluster = members;
        for (size_t k = i; k < j && members >= 2; k++) {
            hs_mapi_heap *e = &r->heaps[items[k].heap];
            e->cluster = (uint32_t)i;
            /* Attribute by shape when some other member is tied to MAPI directly and such members
             * are at least a quarter of the cluster. */
            if (!e->session && direct >= 1 && direct * 4 >= members) {
                e->session = true;
                e->by_cluster = true;
            }
        }
        i = j;
    }
    hs_free(items);
}

hs_mapi_result *hs_mapi_start(const hs_dump *dump, const hs_heapset *set)
{
    hs_mapi_result *r = hs_calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->modules = hs_calloc(dump->module_count ? dump->module_count : 1, sizeof *r->modules);
    r->heaps = hs_calloc(set->count ? set->count : 1, sizeof *r->heaps);
    if (!r->modules || !r->heaps) {
        hs_mapi_result_free(r);
        return NULL;
    }
    for (size_t i = 0; i < dump->module_count; i++) {
        const hs_md_module *m = &dump->modules[i];
        if (!hs_mapi_module_name(m->name))
            continue;
        r->modules[r->module_count++] = (hs_mapi_module){m, hs_mapi_pack_version(&m->version_info)};
    }
    r->loaded = r->module_count > 0;
    for (size_t p = 0; p < sizeof primary_modules / sizeof primary_modules[0] && !r->primary; p++)
        for (size_t i = 0; i < r->module_count; i++)
            if (name_is(r->modules[i].module->name, primary_modules[p])) {
                r->primary = r->modules[i].module;
                r->primary_version = r->modules[i].packed_version;
                break;
            }
    const hs_process *proc = set->process;
    for (size_t i = 0; i < set->count; i++) {
        const hs_heap *h = &set->heaps[i];
        hs_mapi_heap *e = &r->heaps[i];
        e->cluster = UINT32_MAX;
        bool process_heap = false;
        for (size_t k = 0; k < proc->peb_count; k++)
            process_heap |= proc->pebs[k].present && proc->pebs[k].process_heap == h->handle;
        /* HeapCreate'd heaps carry HEAP_CLASS_1 (heap-internals.md §8.1). */
        e->eligible = h->layout && !process_heap && (h->flags & 0xF000) == 0x1000;
    }
    return r;
}

void hs_mapi_collect(hs_mapi_result *r, const hs_address_space *as, const hs_heapset *set,
                     size_t first, size_t end)
{
    if (!r->loaded)
        return;
    for (size_t i = first; i < end; i++)
        if (r->heaps[i].eligible)
            collect_heap_evidence(r, as, &set->heaps[i], &r->heaps[i]);
}

void hs_mapi_finish(hs_mapi_result *r, const hs_heapset *set, const hs_prop_scan *props)
{
    /* Direct evidence: MAPI objects, or property blocks (which the scanner already requires to look
     * like real MAPI data). Chains alone are common in any linked data. */
    for (size_t i = 0; i < set->count; i++) {
        hs_mapi_heap *e = &r->heaps[i];
        if (e->eligible)
            e->prop_blocks = props ? props->per_heap_blocks[i] : 0;
        e->session = r->loaded && e->eligible && (e->vtable_objects >= 1 || e->prop_blocks >= 1);
    }
    /* Without MAPI no heap is attributed directly, so no cluster is either; the largest cluster is
     * still a fact worth reporting. */
    cluster_heaps(r, set);
    for (size_t i = 0; i < set->count; i++)
        r->session_heaps += r->heaps[i].session;
}

hs_mapi_result *hs_mapi_attribute(const hs_dump *dump, const hs_address_space *as,
                                  const hs_heapset *set, const hs_prop_scan *props)
{
    hs_mapi_result *r = hs_mapi_start(dump, set);
    if (!r)
        return NULL;
    hs_mapi_collect(r, as, set, 0, set->count);
    hs_mapi_finish(r, set, props);
    return r;
}

void hs_mapi_result_free(hs_mapi_result *r)
{
    if (!r)
        return;
    hs_free(r->modules);
    hs_free(r->heaps);
    hs_free(r);
}
