#include "process.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "checked.h"
#include "heap_signatures.h"
#include "hs_limits.h"
#include "u64_map.h"

/* PEB heap fields (heap-internals.md §2): ProcessHeap, NumberOfHeaps, MaximumNumberOfHeaps,
 * ProcessHeaps at x86 0x18/0x88/0x8C/0x90, x64 0x30/0xE8/0xEC/0xF0. TEB→PEB at x86 +0x30, x64 +0x60
 * (§1.2). 32-bit TEB: Self at +0x18 (§1.3). */
enum {
    PEB32_PROCESS_HEAP = 0x18,
    PEB32_NUMBER_OF_HEAPS = 0x88,
    PEB32_MAX_HEAPS = 0x8C,
    PEB32_PROCESS_HEAPS = 0x90,
    PEB64_PROCESS_HEAP = 0x30,
    PEB64_NUMBER_OF_HEAPS = 0xE8,
    PEB64_MAX_HEAPS = 0xEC,
    PEB64_PROCESS_HEAPS = 0xF0,
    TEB32_PEB = 0x30,
    TEB64_PEB = 0x60,
    TEB32_SELF = 0x18,
    WOW64_TEB32_DISTANCE = 0x2000,
};

/* A note about one PEB, located by its address. */
static void peb_note(hs_process *p, const hs_peb *peb, hs_severity sev, hs_status st,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void peb_note(hs_process *p, const hs_peb *peb, hs_severity sev, hs_status st,
                     const char *fmt, ...)
{
    char where[48], msg[512];
    snprintf(where, sizeof where, "PEB%s 0x%llx", peb->wow64 ? "32" : "",
             (unsigned long long)peb->address);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hs_diag_add(&p->notes, sev, st, where, -1, "%s", msg);
}

static bool has_module(const hs_dump *d, const char *name)
{
    for (size_t i = 0; i < d->module_count; i++)
        if (strcasecmp(d->modules[i].name, name) == 0)
            return true;
    return false;
}

static void read_peb(const hs_address_space *as, hs_peb *peb)
{
    bool x86 = peb->ptr_size == 4;
    uint64_t base = peb->address;
    peb->present = hs_as_read_ptr(as, base + (x86 ? PEB32_PROCESS_HEAP : PEB64_PROCESS_HEAP),
                                  peb->ptr_size, &peb->process_heap) == HS_OK &&
                   hs_as_read_u32(as, base + (x86 ? PEB32_NUMBER_OF_HEAPS : PEB64_NUMBER_OF_HEAPS),
                                  &peb->number_of_heaps) == HS_OK &&
                   hs_as_read_u32(as, base + (x86 ? PEB32_MAX_HEAPS : PEB64_MAX_HEAPS),
                                  &peb->maximum_number_of_heaps) == HS_OK &&
                   hs_as_read_ptr(as, base + (x86 ? PEB32_PROCESS_HEAPS : PEB64_PROCESS_HEAPS),
                                  peb->ptr_size, &peb->process_heaps) == HS_OK;
}

/* The 32-bit TEB of a WoW64 thread: TEB64.NtTib.ExceptionList, else TEB64 + 0x2000; accepted when
 * its Self field points to itself (§1.3). */
static bool find_teb32(const hs_address_space *as, uint64_t teb64, uint64_t *teb32)
{
    uint64_t candidates[2] = {0, teb64 + WOW64_TEB32_DISTANCE};
    (void)(hs_as_read_u64(as, teb64, &candidates[0]) == HS_OK);
    for (int i = 0; i < 2; i++) {
        uint32_t self;
        if (candidates[i] && candidates[i] <= UINT32_MAX &&
            hs_as_read_u32(as, candidates[i] + TEB32_SELF, &self) == HS_OK &&
            self == candidates[i]) {
            *teb32 = candidates[i];
            return true;
        }
    }
    return false;
}

/* The heap list being built, with a map from (handle, PEB) to position to drop duplicates. */
typedef struct heap_list {
    hs_heap_ref *refs;
    size_t cap;
    hs_u64_map seen;
} heap_list;

static bool add_heap(hs_process *p, heap_list *l, uint64_t handle, unsigned peb, int index)
{
    /* Handles are 64 KB aligned: the PEB index fits in the low bits of the key. */
    int64_t at = hs_u64_map_insert(&l->seen, handle | peb, (uint32_t)p->heap_count);
    if (at < 0)
        return false;
    if ((size_t)at != p->heap_count) {
        const hs_heap_ref *first = &l->refs[at];
        if (index >= 0 && first->list_index >= 0)
            peb_note(p, &p->pebs[peb], HS_SEV_WARNING, HS_ERR_FORMAT,
                     "heap 0x%llx appears twice in ProcessHeaps (entries %d and %d); walked once",
                     (unsigned long long)handle, first->list_index, index);
        return true; /* already listed (or found again by the signature scan) */
    }
    if (p->heap_count >= HS_MAX_HEAPS)
        return false;
    if (!hs_grow((void **)&l->refs, &l->cap, p->heap_count, sizeof *l->refs))
        return false;
    l->refs[p->heap_count] = (hs_heap_ref){handle, peb, index};
    p->heaps = l->refs;
    p->heap_count++;
    return true;
}

static void read_heap_list(hs_process *p, const hs_address_space *as, unsigned peb_index,
                           heap_list *l)
{
    hs_peb *peb = &p->pebs[peb_index];
    uint32_t n = peb->number_of_heaps;
    if (n > peb->maximum_number_of_heaps)
        peb_note(p, peb, HS_SEV_WARNING, HS_ERR_FORMAT,
                 "NumberOfHeaps %u exceeds MaximumNumberOfHeaps %u", n,
                 peb->maximum_number_of_heaps);
    if (n > HS_MAX_HEAPS) {
        peb_note(p, peb, HS_SEV_WARNING, HS_ERR_LIMIT,
                 "NumberOfHeaps %u exceeds the limit of %u; reading the first %u", n, HS_MAX_HEAPS,
                 HS_MAX_HEAPS);
        n = HS_MAX_HEAPS;
    }
    uint64_t bytes = (uint64_t)n * peb->ptr_size;
    peb->heap_array_present = n > 0 && hs_as_contains(as, peb->process_heaps, bytes);
    if (!peb->heap_array_present) {
        if (n > 0)
            peb_note(
                p, peb, HS_SEV_NOTE, HS_ERR_NOT_PRESENT,
                "the ProcessHeaps array at 0x%llx (%u entries) is not in the dump; the heap list "
                "is reconstructed from PEB.ProcessHeap and heap signatures",
                (unsigned long long)peb->process_heaps, n);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint64_t h = 0;
        if (hs_as_read_ptr(as, peb->process_heaps + (uint64_t)i * peb->ptr_size, peb->ptr_size,
                           &h) != HS_OK)
            break;
        if (h == 0) {
            peb_note(p, peb, HS_SEV_WARNING, HS_ERR_FORMAT, "ProcessHeaps[%u] is NULL", i);
            continue;
        }
        if (!add_heap(p, l, h, peb_index, (int)i))
            break;
    }
}

/* Heap signatures at allocation bases (§1.6): NT heaps of either generation and segment heaps,
 * for pointer size ptr. */
static bool looks_like_heap(const hs_address_space *as, uint64_t base, unsigned ptr)
{
    uint32_t sig;
    uint64_t owner;
    unsigned sig_off = ptr == 4 ? 0x08 : 0x10;
    if (hs_as_read_u32(as, base + sig_off, &sig) != HS_OK)
        return false;
    if (sig == HS_SEGMENT_HEAP_SIGNATURE || sig == HS_HEAP_SIGNATURE)
        return true;
    /* A Vista+ heap begins with its own segment, whose Heap field points back to it; a secondary
     * segment points elsewhere and is not a heap. */
    return sig == HS_SEGMENT_SIGNATURE &&
           hs_as_read_ptr(as, base + (ptr == 4 ? 0x18 : 0x28), ptr, &owner) == HS_OK &&
           owner == base;
}

static void scan_for_heaps(hs_process *p, const hs_dump *d, const hs_address_space *as,
                           unsigned peb_index, heap_list *l)
{
    unsigned ptr = p->pebs[peb_index].ptr_size;
    size_t before = p->heap_count;
    if (d->has_memory_info) {
        uint64_t last_base = UINT64_MAX;
        for (size_t i = 0; i < d->memory_info_count; i++) {
            const hs_md_memory_info *m = &d->memory_info[i];
            if (m->allocation_base == last_base || m->base != m->allocation_base)
                continue;
            last_base = m->allocation_base;
            if (m->state != HS_MEM_COMMIT ||
                !(m->type == HS_MEM_PRIVATE || m->type == HS_MEM_MAPPED))
                continue;
            if ((ptr == 4 && m->base > UINT32_MAX) || !looks_like_heap(as, m->base, ptr))
                continue;
            if (!add_heap(p, l, m->base, peb_index, -1))
                return;
        }
    } else {
        /* Without MemoryInfoList, heap reservations start at 64 KB boundaries of present memory. */
        size_t n;
        const hs_as_range *r = hs_as_ranges(as, &n);
        for (size_t i = 0; i < n; i++) {
            uint64_t a = (r[i].start + 0xFFFF) & ~(uint64_t)0xFFFF;
            for (; a - r[i].start < r[i].size && a >= r[i].start; a += 0x10000) {
                if ((ptr == 4 && a > UINT32_MAX) || !looks_like_heap(as, a, ptr))
                    continue;
                if (!add_heap(p, l, a, peb_index, -1))
                    return;
            }
        }
    }
    if (p->heap_count > before)
        p->list_reconstructed = true;
    const hs_peb *peb = &p->pebs[peb_index];
    size_t found = 0;
    for (size_t i = 0; i < p->heap_count; i++)
        found += p->heaps[i].peb_index == peb_index;
    if (peb->present && found < peb->number_of_heaps)
        peb_note(
            p, peb, HS_SEV_NOTE, HS_ERR_NOT_PRESENT,
            "NumberOfHeaps is %u but only %zu heaps were found; the headers of the others are not "
            "in the dump",
            peb->number_of_heaps, found);
}

hs_process *hs_process_build(const hs_dump *d, const hs_address_space *as)
{
    hs_process *p = hs_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->arena = hs_arena_new(1u << 26);
    if (!p->arena) {
        hs_free(p);
        return NULL;
    }
    p->notes.arena = p->arena;
    p->arch = hs_dump_arch(d);
    p->windows = hs_dump_is_windows(d);
    if (d->system_info) {
        p->os_major = d->system_info->major;
        p->os_minor = d->system_info->minor;
        p->os_build = d->system_info->build;
    }
    p->memory_present = hs_as_total_bytes(as) > 0;
    if (!p->windows) {
        p->statement =
            d->system_info
                ? hs_arena_printf(p->arena, "not a Windows dump (%s): it has no Windows heaps",
                                  hs_platform_name(d->system_info->platform_id))
                : "the dump has no SystemInfo stream: the operating system is unknown and "
                  "Windows heaps cannot be located";
        return p;
    }
    if (!p->memory_present) {
        p->statement = "this dump has no process memory; heaps cannot be walked; write dumps with "
                       "MiniDumpWithFullMemory or MiniDumpWithPrivateReadWriteMemory";
        return p;
    }
    unsigned native_ptr = hs_arch_pointer_size(p->arch);
    if (native_ptr == 0) {
        p->statement = "the processor architecture is unknown: heap layouts cannot be chosen";
        return p;
    }
    p->wow64 =
        p->arch == HS_ARCH_AMD64 && (has_module(d, "wow64.dll") || has_module(d, "wow64cpu.dll"));

    /* Any thread's TEB leads to the same PEB: take the first whose memory is present (§1.2). */
    for (size_t i = 0; i < d->thread_count && p->peb_count == 0; i++) {
        uint64_t teb = d->threads[i].teb, peb;
        if (hs_as_read_ptr(as, teb + (native_ptr == 4 ? TEB32_PEB : TEB64_PEB), native_ptr, &peb) !=
                HS_OK ||
            !peb)
            continue;
        p->pebs[0] = (hs_peb){.address = peb, .ptr_size = native_ptr};
        p->peb_count = 1;
        if (p->wow64) {
            uint64_t teb32, peb32;
            if (find_teb32(as, teb, &teb32) &&
                hs_as_read_ptr(as, teb32 + TEB32_PEB, 4, &peb32) == HS_OK && peb32) {
                p->pebs[1] = (hs_peb){.address = peb32, .ptr_size = 4, .wow64 = true};
                p->peb_count = 2;
            } else {
                hs_diag_add(&p->notes, HS_SEV_NOTE, HS_ERR_NOT_PRESENT, "WoW64", -1,
                            "the process runs under WoW64 but its 32-bit TEB/PEB are not in the "
                            "dump; only the "
                            "64-bit heaps are listed");
            }
        }
    }
    if (p->peb_count == 0) {
        /* No PEB: still look for heaps by signature, with the native pointer size. */
        p->pebs[0] = (hs_peb){.ptr_size = native_ptr};
        p->peb_count = 1;
        hs_diag_add(&p->notes, HS_SEV_NOTE, HS_ERR_NOT_PRESENT, "PEB", -1,
                    "no thread's TEB/PEB is in the dump; heaps are searched by signature");
    }

    heap_list list = {0};
    if (!hs_u64_map_init(&list.seen, 64)) {
        p->statement = "out of memory while listing heaps";
        return p;
    }
    for (unsigned i = 0; i < p->peb_count; i++) {
        hs_peb *peb = &p->pebs[i];
        if (peb->address)
            read_peb(as, peb);
        if (peb->present)
            read_heap_list(p, as, i, &list);
        if (!peb->heap_array_present) {
            if (peb->present && peb->process_heap && !add_heap(p, &list, peb->process_heap, i, 0))
                break;
            scan_for_heaps(p, d, as, i, &list);
        }
    }
    /* The heap refs live in the arena so the process owns one allocation tree. */
    if (p->heap_count) {
        hs_heap_ref *owned = hs_arena_array(p->arena, p->heap_count, sizeof *owned);
        if (owned)
            memcpy(owned, list.refs, p->heap_count * sizeof *owned);
        p->heaps = owned;
        if (!owned)
            p->heap_count = 0;
    }
    hs_free(list.refs);
    hs_u64_map_release(&list.seen);
    if (p->heap_count == 0)
        p->statement = "no heap is present in the dump's memory (neither the PEB's heap list nor "
                       "any heap header): "
                       "heaps cannot be walked; write dumps with MiniDumpWithFullMemory or "
                       "MiniDumpWithPrivateReadWriteMemory";
    return p;
}

void hs_process_free(hs_process *p)
{
    if (!p)
        return;
    hs_diag_release(&p->notes);
    hs_arena_free(p->arena);
    hs_free(p);
}
