#include "heaps_report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "json_util.h"

static const char *layout_name(const hs_heap *h)
{
    if (h->segment_heap)
        return "segment-heap";
    return h->layout ? h->layout->name : "unknown";
}

static const char *state_name(const hs_block *b)
{
    static const char *const names[] = {"busy", "free", "internal"};
    return b->state < 3 ? names[b->state] : "?";
}

static const char *kind_name(const hs_block *b)
{
    static const char *const names[] = {"backend", "lfh", "virtual"};
    return b->kind < 3 ? names[b->kind] : "?";
}

static bool selected(const hs_heap *h, const hs_heaps_report_options *opt)
{
    return !opt->has_heap || h->handle == opt->heap;
}

/* ---- size statistics (like !heap -stat: busy blocks grouped by size) ---- */

typedef struct size_group {
    uint64_t size;
    uint64_t count;
} size_group;

static int by_total_desc(const void *a, const void *b)
{
    const size_group *x = a, *y = b;
    uint64_t tx = x->size * x->count, ty = y->size * y->count;
    if (tx != ty)
        return tx > ty ? -1 : 1;
    return x->size > y->size ? -1 : x->size < y->size;
}

static int by_size(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Busy blocks of h grouped by requested size (block size when unknown); caller frees. */
static size_group *group_sizes(const hs_heap *h, size_t *n_groups)
{
    uint64_t *sizes = hs_malloc((h->block_count ? h->block_count : 1) * sizeof *sizes);
    size_group *groups = hs_malloc((h->block_count ? h->block_count : 1) * sizeof *groups);
    size_t n = 0, g = 0;
    if (!sizes || !groups) {
        hs_free(sizes);
        hs_free(groups);
        *n_groups = 0;
        return NULL;
    }
    for (size_t i = 0; i < h->block_count; i++)
        if (h->blocks[i].state == HS_BLOCK_BUSY)
            sizes[n++] = h->blocks[i].requested != HS_REQUESTED_UNKNOWN ? h->blocks[i].requested
                                                                        : h->blocks[i].size;
    qsort(sizes, n, sizeof *sizes, by_size);
    for (size_t i = 0; i < n; i++) {
        if (g && groups[g - 1].size == sizes[i])
            groups[g - 1].count++;
        else
            groups[g++] = (size_group){sizes[i], 1};
    }
    hs_free(sizes);
    qsort(groups, g, sizeof *groups, by_total_desc);
    *n_groups = g;
    return groups;
}

/* ---- JSON ---- */

static json_t *block_json(const hs_block *b)
{
    json_t *o = json_object();
    json_object_set_new(o, "address", hs_json_hex(b->address));
    json_object_set_new(o, "size", hs_json_size(b->size));
    json_object_set_new(o, "requested",
                        b->requested == HS_REQUESTED_UNKNOWN ? json_null()
                                                             : hs_json_size(b->requested));
    json_object_set_new(o, "state", json_string(state_name(b)));
    json_object_set_new(o, "kind", json_string(kind_name(b)));
    json_object_set_new(o, "flags", hs_json_hex(b->flags));
    json_object_set_new(o, "segment",
                        b->segment == 0xFFFF ? json_null() : json_integer(b->segment));
    json_object_set_new(o, "lookaside", json_boolean(b->cached));
    return o;
}

json_t *hs_integrity_error_json(const hs_heap *h, const hs_integrity_error *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "heap", hs_json_hex(h->handle));
    json_object_set_new(o, "address", hs_json_hex(e->address));
    json_object_set_new(o, "check", json_string(e->check));
    json_object_set_new(o, "expected", hs_json_text(e->expected));
    json_object_set_new(o, "found", hs_json_text(e->found));
    json_object_set_new(o, "detail", hs_json_str_or_null(e->detail));
    return o;
}

static json_t *heap_json(const hs_heap *h, const hs_process *p, const hs_heaps_report_options *opt)
{
    char buf[256];
    json_t *o = json_object();
    json_object_set_new(o, "handle", hs_json_hex(h->handle));
    json_object_set_new(o, "peb", hs_json_hex(p->pebs[h->peb_index].address));
    json_object_set_new(o, "wow64", json_boolean(p->pebs[h->peb_index].wow64));
    json_object_set_new(o, "list_index",
                        h->list_index >= 0 ? json_integer(h->list_index) : json_null());
    json_object_set_new(o, "layout", json_string(layout_name(h)));
    json_object_set_new(o, "flags", hs_json_hex(h->flags));
    hs_heap_flag_names(h->flags, buf, sizeof buf);
    json_object_set_new(o, "flag_names", json_string(buf));
    json_object_set_new(o, "reserved", hs_json_size(h->reserved));
    json_object_set_new(o, "committed", hs_json_size(h->committed));
    json_object_set_new(o, "committed_memory_info", hs_json_size(h->committed_memory_info));
    json_object_set_new(o, "segments", hs_json_size(h->segment_count));
    json_object_set_new(o, "uncommitted_ranges", hs_json_size(h->uncommitted_count));
    json_object_set_new(o, "busy_blocks", hs_json_size(h->busy_blocks));
    json_object_set_new(o, "busy_bytes", hs_json_size(h->busy_bytes));
    json_object_set_new(o, "free_blocks", hs_json_size(h->free_blocks));
    json_object_set_new(o, "free_bytes", hs_json_size(h->free_bytes));
    json_object_set_new(o, "internal_blocks", hs_json_size(h->internal_blocks));
    json_object_set_new(o, "virtual_blocks", hs_json_size(h->virtual_blocks));
    json_object_set_new(o, "lfh_blocks", hs_json_size(h->lfh_blocks));
    json_object_set_new(o, "lookaside_blocks", hs_json_size(h->lookaside_blocks));
    json_object_set_new(o, "lfh", json_boolean(h->front_end_type == 2));
    json_object_set_new(o, "total_free_size", hs_json_size(h->total_free_size));
    json_object_set_new(o, "walk_complete", json_boolean(h->walk_complete));
    json_t *errs = json_array();
    for (size_t i = 0; i < h->error_count; i++)
        json_array_append_new(errs, hs_integrity_error_json(h, &h->errors[i]));
    json_object_set_new(o, "integrity_errors", errs);
    json_t *missing = json_array();
    for (size_t i = 0; i < h->missing_count; i++) {
        json_t *mo = json_object();
        json_object_set_new(mo, "address", hs_json_hex(h->missing[i].address));
        json_object_set_new(mo, "size", hs_json_size(h->missing[i].size));
        json_array_append_new(missing, mo);
    }
    json_object_set_new(o, "missing", missing);
    json_t *skipped = json_array();
    for (size_t i = 0; i < h->skipped_count; i++) {
        json_t *so = json_object();
        json_object_set_new(so, "address", hs_json_hex(h->skipped[i].address));
        json_object_set_new(so, "size", hs_json_size(h->skipped[i].size));
        json_array_append_new(skipped, so);
    }
    json_object_set_new(o, "skipped", skipped);
    if (opt->entries) {
        json_t *blocks = json_array();
        for (size_t i = 0; i < h->block_count; i++)
            json_array_append_new(blocks, block_json(&h->blocks[i]));
        json_object_set_new(o, "blocks", blocks);
    }
    if (opt->stat) {
        size_t n;
        size_group *groups = group_sizes(h, &n);
        json_t *st = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *go = json_object();
            json_object_set_new(go, "size", hs_json_size(groups[i].size));
            json_object_set_new(go, "count", hs_json_size(groups[i].count));
            json_object_set_new(go, "total", hs_json_size(groups[i].size * groups[i].count));
            json_array_append_new(st, go);
        }
        hs_free(groups);
        json_object_set_new(o, "stat", st);
    }
    return o;
}

json_t *hs_heaps_json(const hs_dump *dump, const hs_heapset *set,
                      const hs_heaps_report_options *opt)
{
    const hs_process *p = set->process;
    json_t *o = json_object();
    json_object_set_new(o, "file", hs_json_text(dump->path));
    json_object_set_new(o, "statement", hs_json_str_or_null(p->statement));
    json_object_set_new(o, "process_heap",
                        p->peb_count && p->pebs[0].present ? hs_json_hex(p->pebs[0].process_heap)
                                                           : json_null());
    json_object_set_new(o, "heap_count", hs_json_size(set->count));
    json_object_set_new(o, "list_reconstructed", json_boolean(p->list_reconstructed));
    json_object_set_new(o, "wow64", json_boolean(p->wow64));
    json_t *pebs = json_array();
    for (size_t i = 0; i < p->peb_count; i++) {
        const hs_peb *pb = &p->pebs[i];
        json_t *po = json_object();
        json_object_set_new(po, "address", pb->address ? hs_json_hex(pb->address) : json_null());
        json_object_set_new(po, "pointer_size", json_integer(pb->ptr_size));
        json_object_set_new(po, "wow64", json_boolean(pb->wow64));
        json_object_set_new(po, "present", json_boolean(pb->present));
        if (pb->present) {
            json_object_set_new(po, "process_heap", hs_json_hex(pb->process_heap));
            json_object_set_new(po, "number_of_heaps", json_integer(pb->number_of_heaps));
            json_object_set_new(po, "maximum_number_of_heaps",
                                json_integer(pb->maximum_number_of_heaps));
            json_object_set_new(po, "process_heaps", hs_json_hex(pb->process_heaps));
            json_object_set_new(po, "heap_array_present", json_boolean(pb->heap_array_present));
        }
        json_array_append_new(pebs, po);
    }
    json_object_set_new(o, "pebs", pebs);
    uint64_t totals[6] = {0};
    json_t *heaps = json_array();
    for (size_t i = 0; i < set->count; i++) {
        const hs_heap *h = &set->heaps[i];
        totals[0] += h->busy_blocks;
        totals[1] += h->busy_bytes;
        totals[2] += h->free_blocks;
        totals[3] += h->free_bytes;
        totals[4] += h->error_count;
        totals[5] += h->committed;
        if (selected(h, opt))
            json_array_append_new(heaps, heap_json(h, p, opt));
    }
    json_object_set_new(o, "heaps", heaps);
    json_t *t = json_object();
    json_object_set_new(t, "busy_blocks", hs_json_size(totals[0]));
    json_object_set_new(t, "busy_bytes", hs_json_size(totals[1]));
    json_object_set_new(t, "free_blocks", hs_json_size(totals[2]));
    json_object_set_new(t, "free_bytes", hs_json_size(totals[3]));
    json_object_set_new(t, "integrity_errors", hs_json_size(totals[4]));
    json_object_set_new(t, "committed", hs_json_size(totals[5]));
    json_object_set_new(o, "totals", t);
    json_t *notes = json_array();
    for (size_t i = 0; i < p->notes.count; i++) {
        char buf[1280];
        hs_problem_format(&p->notes.items[i], buf, sizeof buf);
        json_array_append_new(notes, hs_json_text(buf));
    }
    json_object_set_new(o, "notes", notes);
    return o;
}

/* ---- text ---- */

static void print_heap_line(FILE *out, const hs_heap *h, unsigned width)
{
    char flags[16];
    snprintf(flags, sizeof flags, "%08x", h->flags);
    fprintf(out,
            "  %0*" PRIx64 " %s %-15s %8" PRIu64 " %8" PRIu64 " %7" PRIu64 "/%-10" PRIu64
            " %6" PRIu64 "/%-9" PRIu64 " %5" PRIu64 " %4s %4zu %4zu %6zu%s\n",
            width, h->handle, flags, layout_name(h), h->reserved / 1024, h->committed / 1024,
            h->busy_blocks, h->busy_bytes, h->free_blocks, h->free_bytes, h->virtual_blocks,
            h->front_end_type == 2   ? "LFH"
            : h->front_end_type == 1 ? "L"
                                     : "",
            h->segment_count, h->uncommitted_count, h->error_count,
            h->walk_complete  ? ""
            : h->segment_heap ? "  (segment heap: blocks not enumerable)"
                              : "  (partial)");
}

static void print_entries(FILE *out, const hs_heap *h)
{
    fprintf(out, "\nBlocks of heap 0x%" PRIx64 " (%zu):\n", h->handle, h->block_count);
    fprintf(out, "  %-18s %10s %10s  %-8s %-8s %s\n", "address", "size", "requested", "state",
            "kind", "flags");
    for (size_t i = 0; i < h->block_count; i++) {
        const hs_block *b = &h->blocks[i];
        char req[24] = "-";
        if (b->requested != HS_REQUESTED_UNKNOWN)
            snprintf(req, sizeof req, "0x%" PRIx64, b->requested);
        fprintf(out, "  0x%-16" PRIx64 " %#10" PRIx64 " %10s  %-8s %-8s 0x%02x\n", b->address,
                b->size, req, state_name(b), b->cached ? "lookaside" : kind_name(b), b->flags);
    }
}

static void print_stat(FILE *out, const hs_heap *h)
{
    size_t n;
    size_group *groups = group_sizes(h, &n);
    fprintf(out, "\nBusy blocks of heap 0x%" PRIx64 " by size (%zu sizes):\n", h->handle, n);
    fprintf(out, "  %12s %10s %14s %7s\n", "size", "count", "total", "%");
    uint64_t all = 0;
    for (size_t i = 0; i < n; i++)
        all += groups[i].size * groups[i].count;
    for (size_t i = 0; i < n; i++) {
        uint64_t total = groups[i].size * groups[i].count;
        fprintf(out, "  %#12" PRIx64 " %10" PRIu64 " %#14" PRIx64 " %6.2f\n", groups[i].size,
                groups[i].count, total, all ? 100.0 * (double)total / (double)all : 0.0);
    }
    hs_free(groups);
}

void hs_heaps_text(FILE *out, const hs_dump *dump, const hs_heapset *set,
                   const hs_heaps_report_options *opt)
{
    const hs_process *p = set->process;
    fprintf(out, "File: %s\n", dump->path);
    if (p->statement)
        fprintf(out, "%s\n", p->statement);
    for (size_t i = 0; i < p->peb_count; i++) {
        const hs_peb *pb = &p->pebs[i];
        if (!pb->address)
            continue;
        fprintf(out, "PEB%s 0x%" PRIx64, pb->wow64 ? "32 (WoW64)" : "", pb->address);
        if (pb->present)
            fprintf(out,
                    ": ProcessHeap 0x%" PRIx64
                    ", NumberOfHeaps %u of %u, ProcessHeaps at 0x%" PRIx64 "%s\n",
                    pb->process_heap, pb->number_of_heaps, pb->maximum_number_of_heaps,
                    pb->process_heaps, pb->heap_array_present ? "" : " (not in the dump)");
        else
            fprintf(out, ": not in the dump\n");
    }
    if (p->list_reconstructed)
        fprintf(out, "The heap list is reconstructed: some heaps were found by their signatures, "
                     "not in ProcessHeaps.\n");
    unsigned width = p->arch == HS_ARCH_X86 ? 8 : 16;
    if (set->count) {
        fprintf(out, "\n  %-*s %-8s %-15s %8s %8s %18s %16s %5s %4s %4s %4s %6s\n", width, "Heap",
                "Flags", "Layout", "Reserv(k)", "Commit(k)", "Busy blocks/bytes",
                "Free blocks/bytes", "Virt", "Fast", "Segs", "UCR", "Errors");
    }
    uint64_t busy = 0, busy_bytes = 0, free_blocks = 0, free_bytes = 0, errors = 0, committed = 0;
    for (size_t i = 0; i < set->count; i++) {
        const hs_heap *h = &set->heaps[i];
        busy += h->busy_blocks;
        busy_bytes += h->busy_bytes;
        free_blocks += h->free_blocks;
        free_bytes += h->free_bytes;
        errors += h->error_count;
        committed += h->committed;
        if (selected(h, opt))
            print_heap_line(out, h, width);
    }
    if (set->count)
        fprintf(out,
                "  %zu heaps: %" PRIu64 " KB committed, %" PRIu64 " busy blocks (%" PRIu64
                " bytes), %" PRIu64 " free blocks (%" PRIu64 " bytes), %" PRIu64
                " integrity errors\n",
                set->count, committed / 1024, busy, busy_bytes, free_blocks, free_bytes, errors);
    for (size_t i = 0; i < set->count; i++) {
        const hs_heap *h = &set->heaps[i];
        if (!selected(h, opt))
            continue;
        for (size_t e = 0; e < h->error_count; e++) {
            const hs_integrity_error *err = &h->errors[e];
            fprintf(out, "  heap 0x%" PRIx64 ": %s at 0x%" PRIx64, h->handle, err->check,
                    err->address);
            if (err->expected[0] || err->found[0])
                fprintf(out, " (expected %s, found %s)", err->expected, err->found);
            fprintf(out, ": %s\n", err->detail ? err->detail : "");
        }
        for (size_t k = 0; k < h->skipped_count; k++)
            fprintf(out,
                    "  heap 0x%" PRIx64 ": 0x%" PRIx64 "..0x%" PRIx64 " (0x%" PRIx64
                    " bytes) skipped after damage; the walk "
                    "resumed at the next entries that decode and chain\n",
                    h->handle, h->skipped[k].address, h->skipped[k].address + h->skipped[k].size,
                    h->skipped[k].size);
        /* A partial dump can lack hundreds of ranges: summarise unless one heap was asked for. */
        size_t show = opt->has_heap ? h->missing_count : 3;
        uint64_t missing_bytes = 0;
        for (size_t m = 0; m < h->missing_count; m++)
            missing_bytes += h->missing[m].size;
        if (h->missing_count)
            fprintf(out,
                    "  heap 0x%" PRIx64 ": %zu ranges (0x%" PRIx64
                    " bytes) the walk needed are not in the dump%s\n",
                    h->handle, h->missing_count, missing_bytes,
                    h->missing_count > show ? "; the first:" : ":");
        for (size_t m = 0; m < h->missing_count && m < show; m++)
            fprintf(out, "    0x%" PRIx64 "..0x%" PRIx64 " (0x%" PRIx64 " bytes)\n",
                    h->missing[m].address, h->missing[m].address + h->missing[m].size,
                    h->missing[m].size);
        if (h->missing_count > show)
            fprintf(out, "    … (--heap 0x%" PRIx64 " or --format json lists all)\n", h->handle);
        if (opt->entries)
            print_entries(out, h);
        if (opt->stat)
            print_stat(out, h);
    }
    for (size_t i = 0; i < p->notes.count; i++) {
        char buf[1280];
        hs_problem_format(&p->notes.items[i], buf, sizeof buf);
        fprintf(out, "note: %s\n", buf);
    }
}
