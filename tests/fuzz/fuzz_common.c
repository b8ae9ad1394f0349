#include "fuzz_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checked.h"
#include "hs_limits.h"

void fz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("invariant violated: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(stderr);
    abort();
}

/* Touches every byte of a string the parser produced (ASan reports a missing terminator). */
static size_t str_len(const char *s) { return s ? strlen(s) : 0; }

/* ---- dump ---- */

void fz_check_dump(const hs_dump *d)
{
    uint64_t file = d->source.size;
    FZ_CHECK(d->problems.count <= 1000, "%zu problems recorded (the list is capped at 1000)",
             d->problems.count);
    for (size_t i = 0; i < d->problems.count; i++) {
        const hs_problem *p = &d->problems.items[i];
        FZ_CHECK(p->where && p->message, "problem %zu has no text", i);
        char buf[1536];
        hs_problem_format(p, buf, sizeof buf);
    }
    if (!d->valid)
        return;
    FZ_CHECK(d->stream_count <= HS_MAX_STREAMS, "%zu streams read (limit %u)", d->stream_count,
             HS_MAX_STREAMS);
    for (size_t i = 0; i < d->stream_count; i++) {
        const hs_md_stream *s = &d->streams[i];
        (void)hs_stream_name(s->type);
        if (!s->used)
            continue;
        const hs_md_stream *f = hs_dump_find_stream(d, s->type);
        FZ_CHECK(f && f->type == s->type && f->used && f <= s,
                 "hs_dump_find_stream(0x%x) disagrees with entry %zu", s->type, i);
    }
    FZ_CHECK(d->memory_count <= HS_MAX_MEMORY_RANGES, "%zu memory ranges (limit %u)",
             d->memory_count, HS_MAX_MEMORY_RANGES);
    for (size_t i = 0; i < d->memory_count; i++) {
        const hs_md_memory_range *m = &d->memory[i];
        uint64_t last;
        FZ_CHECK(m->size > 0, "memory range %zu is empty", i);
        FZ_CHECK(hs_range_within(m->rva, m->size, file),
                 "memory range %zu: file bytes 0x%llx+0x%llx lie outside the file of 0x%llx bytes",
                 i, (unsigned long long)m->rva, (unsigned long long)m->size,
                 (unsigned long long)file);
        FZ_CHECK(hs_add_u64(m->start, m->size - 1, &last),
                 "memory range %zu at 0x%llx wraps the address space", i,
                 (unsigned long long)m->start);
    }
    FZ_CHECK(d->memory_info_count <= HS_MAX_MEMORY_INFO, "%zu MemoryInfo entries",
             d->memory_info_count);
    for (size_t i = 1; i < d->memory_info_count; i++)
        FZ_CHECK(d->memory_info[i - 1].base <= d->memory_info[i].base,
                 "MemoryInfoList not sorted at %zu", i);
    FZ_CHECK(d->thread_count <= HS_MAX_THREADS, "%zu threads", d->thread_count);
    for (size_t i = 0; i < d->thread_count; i++) {
        const hs_md_thread *t = &d->threads[i];
        const hs_md_thread *f = hs_dump_find_thread(d, t->id);
        FZ_CHECK(f && f->id == t->id, "hs_dump_find_thread(%u) does not find thread %zu", t->id, i);
        FZ_CHECK(t->context.reg_count <= HS_CONTEXT_MAX_REGS, "thread %zu: %u registers", i,
                 t->context.reg_count);
        for (unsigned k = 0; k < t->context.reg_count; k++)
            FZ_CHECK(t->context.reg_names && t->context.reg_names[k],
                     "thread %zu: register %u has no name", i, k);
        (void)str_len(t->name);
        (void)hs_arch_name(t->context.arch);
    }
    FZ_CHECK(d->module_count <= HS_MAX_MODULES, "%zu modules", d->module_count);
    for (size_t i = 0; i < d->module_count; i++) {
        const hs_md_module *m = &d->modules[i];
        FZ_CHECK(m->name && m->path, "module %zu has no path or name", i);
        (void)(str_len(m->path) + str_len(m->name) + str_len(m->debug_file) + str_len(m->debug_id) +
               str_len(m->code_id));
        FZ_CHECK(memchr(m->version, '\0', sizeof m->version) != NULL,
                 "module %zu: version text not terminated", i);
    }
    for (size_t i = 0; i < d->unloaded_module_count; i++)
        (void)str_len(d->unloaded_modules[i].path);
    if (d->system_info) {
        FZ_CHECK(d->system_info->csd != NULL, "SystemInfo without a CSD string");
        (void)str_len(d->system_info->csd);
        FZ_CHECK(memchr(d->system_info->cpu_vendor, '\0', sizeof d->system_info->cpu_vendor) !=
                     NULL,
                 "CPU vendor not terminated");
    }
    if (d->misc_info)
        (void)(str_len(d->misc_info->time_zone_standard_name) +
               str_len(d->misc_info->time_zone_daylight_name) +
               str_len(d->misc_info->build_string) + str_len(d->misc_info->dbg_build_string));
    for (size_t i = 0; i < d->handle_count; i++)
        (void)(str_len(d->handles[i].type_name) + str_len(d->handles[i].object_name));
    (void)(str_len(d->comment_a) + str_len(d->comment_w));
    char names[1024];
    hs_minidump_type_names(d->header.flags, names, sizeof names);
    FZ_CHECK(memchr(names, '\0', sizeof names) != NULL, "type names not terminated");
    (void)hs_platform_name(d->system_info ? d->system_info->platform_id : 0);
    (void)hs_arch_name(hs_dump_arch(d));
    (void)hs_dump_is_windows(d);
}

/* ---- address space ---- */

void fz_check_address_space(const hs_dump *d, const hs_address_space *as)
{
    size_t n;
    const hs_as_range *r = hs_as_ranges(as, &n);
    uint64_t total = 0, file = d->source.size;
    FZ_CHECK(n <= d->memory_count, "%zu resolved ranges from %zu listed", n, d->memory_count);
    for (size_t i = 0; i < n; i++) {
        uint64_t end;
        FZ_CHECK(r[i].size > 0, "range %zu is empty", i);
        /* The invariant the issue names: what the address space reports lies inside the file. */
        FZ_CHECK(
            hs_range_within(r[i].file_offset, r[i].size, file),
            "range %zu at 0x%llx: file bytes 0x%llx+0x%llx lie outside the file of 0x%llx bytes", i,
            (unsigned long long)r[i].start, (unsigned long long)r[i].file_offset,
            (unsigned long long)r[i].size, (unsigned long long)file);
        bool to_top = !hs_add_u64(r[i].start, r[i].size, &end);
        FZ_CHECK(!to_top || end == 0, "range %zu wraps", i);
        if (i + 1 < n)
            FZ_CHECK(!to_top && end <= r[i + 1].start,
                     "ranges %zu and %zu are not sorted and disjoint", i, i + 1);
        total += r[i].size;
    }
    FZ_CHECK(total == hs_as_total_bytes(as), "total bytes 0x%llx, ranges sum to 0x%llx",
             (unsigned long long)hs_as_total_bytes(as), (unsigned long long)total);
    /* Lookups and reads at the edges of (at most 4096) ranges. */
    for (size_t i = 0; i < n && i < 4096; i++) {
        uint64_t first = r[i].start, last = r[i].start + (r[i].size - 1);
        FZ_CHECK(hs_as_find(as, first) == &r[i] && hs_as_find(as, last) == &r[i],
                 "hs_as_find misses range %zu", i);
        FZ_CHECK(hs_as_next_present(as, first) == first, "next_present(start of range %zu)", i);
        FZ_CHECK(hs_as_contains(as, first, r[i].size), "range %zu not contained in itself", i);
        FZ_CHECK(hs_as_present_bytes(as, first, r[i].size) == r[i].size,
                 "present bytes of range %zu", i);
        uint8_t a, b;
        FZ_CHECK(hs_as_read(as, first, &a, 1) == HS_OK && hs_as_read(as, last, &b, 1) == HS_OK,
                 "range %zu cannot be read", i);
        FZ_CHECK(a == d->source.data[r[i].file_offset] &&
                     b == d->source.data[r[i].file_offset + r[i].size - 1],
                 "range %zu reads other bytes than the file holds", i);
        hs_reader rd;
        FZ_CHECK(hs_as_reader_upto(as, first, UINT64_MAX, &rd) == HS_OK && rd.len == r[i].size,
                 "reader over range %zu", i);
        if (last != UINT64_MAX && (i + 1 == n || r[i + 1].start > last + 1)) {
            FZ_CHECK(hs_as_find(as, last + 1) == NULL, "address after range %zu reported present",
                     i);
            uint64_t next = hs_as_next_present(as, last + 1);
            FZ_CHECK(next == (i + 1 < n ? r[i + 1].start : UINT64_MAX),
                     "next_present after range %zu", i);
            uint8_t two[2];
            FZ_CHECK(hs_as_read(as, last, two, 2) == HS_ERR_NOT_PRESENT,
                     "a read past range %zu succeeded", i);
        }
        hs_md_memory_info mi;
        if (hs_as_query(as, first, &mi) == HS_OK)
            FZ_CHECK(first - mi.base < mi.region_size,
                     "hs_as_query(0x%llx) returned a region not holding it",
                     (unsigned long long)first);
    }
}

/* ---- process and heaps ---- */

void fz_check_process(const hs_process *p)
{
    FZ_CHECK(p->heap_count <= HS_MAX_HEAPS, "%zu heaps (limit %u)", p->heap_count, HS_MAX_HEAPS);
    FZ_CHECK(p->peb_count <= 2, "%zu PEBs", p->peb_count);
    for (size_t i = 0; i < p->heap_count; i++)
        FZ_CHECK(p->heaps[i].peb_index < p->peb_count, "heap %zu names PEB %u", i,
                 p->heaps[i].peb_index);
    for (size_t i = 0; i < p->notes.count; i++)
        FZ_CHECK(p->notes.items[i].message != NULL, "note %zu has no text", i);
}

/* The walk's sieve notes (heap/heap_sieve.c): sorted, disjoint, within the notes bound, and every
 * note a word of covered, present memory that the filter passes (its value or, in WoW64, a half).
 */
static void check_sieve(const hs_address_space *as, const hs_heapset *set, const hs_heap *h)
{
    const hs_heap_sieve *s = &h->sieve;
    if (!s->usable) {
        FZ_CHECK(s->word_count == 0 && s->covered_count == 0,
                 "heap 0x%llx: an unusable sieve keeps notes", (unsigned long long)h->handle);
        return;
    }
    FZ_CHECK(set->sieve_width == 4 || set->sieve_width == 8, "heap 0x%llx: a sieve of width %u",
             (unsigned long long)h->handle, set->sieve_width);
    FZ_CHECK(s->word_count <= set->sieve_notes_per_heap, "heap 0x%llx: %zu notes over the bound",
             (unsigned long long)h->handle, s->word_count);
    for (size_t i = 1; i < s->covered_count; i++)
        FZ_CHECK(s->covered[i - 1].address + s->covered[i - 1].size <= s->covered[i].address,
                 "heap 0x%llx: covered ranges %zu and %zu overlap or are out of order",
                 (unsigned long long)h->handle, i - 1, i);
    unsigned width = set->sieve_width;
    for (size_t i = 0; i < s->word_count; i++) {
        uint64_t va = s->words[i];
        FZ_CHECK(i == 0 || s->words[i - 1] < va, "heap 0x%llx: notes not sorted at %zu",
                 (unsigned long long)h->handle, i);
        size_t first, end;
        FZ_CHECK(hs_heap_sieve_words(h, va, va + width, &first, &end) && end - first == 1 &&
                     first == i,
                 "heap 0x%llx: note 0x%llx is not in what was covered",
                 (unsigned long long)h->handle, (unsigned long long)va);
        uint64_t v = 0;
        FZ_CHECK(hs_as_read(as, va, &v, width) == HS_OK,
                 "heap 0x%llx: note 0x%llx is not in present memory", (unsigned long long)h->handle,
                 (unsigned long long)va);
        bool pass = hs_handle_filter_passes(&set->sieve_filter, v);
        if (set->sieve_halves && width == 8)
            pass |= hs_handle_filter_passes(&set->sieve_filter, (uint32_t)v) ||
                    hs_handle_filter_passes(&set->sieve_filter, v >> 32);
        FZ_CHECK(pass, "heap 0x%llx: note 0x%llx holds 0x%llx, which the filter does not pass",
                 (unsigned long long)h->handle, (unsigned long long)va, (unsigned long long)v);
    }
}

static void check_heap(const hs_address_space *as, const hs_heapset *set, const hs_heap *h,
                       size_t index)
{
    check_sieve(as, set, h);
    FZ_CHECK(h->error_count <= 1000, "heap 0x%llx: %zu errors", (unsigned long long)h->handle,
             h->error_count);
    FZ_CHECK(h->segment_count <= HS_MAX_SEGMENTS, "heap 0x%llx: %zu segments",
             (unsigned long long)h->handle, h->segment_count);
    for (size_t e = 0; e < h->error_count; e++) {
        const hs_integrity_error *x = &h->errors[e];
        FZ_CHECK(x->check && x->detail, "heap 0x%llx: error %zu without check or detail",
                 (unsigned long long)h->handle, e);
        FZ_CHECK(memchr(x->expected, '\0', sizeof x->expected) &&
                     memchr(x->found, '\0', sizeof x->found),
                 "heap 0x%llx: error %zu texts not terminated", (unsigned long long)h->handle, e);
    }
    uint64_t busy = 0, free_ = 0, internal = 0;
    for (size_t b = 0; b < h->block_count; b++) {
        const hs_block *k = &h->blocks[b];
        if (b)
            FZ_CHECK(h->blocks[b - 1].address <= k->address,
                     "heap 0x%llx: blocks not sorted at %zu", (unsigned long long)h->handle, b);
        FZ_CHECK(k->state <= HS_BLOCK_INTERNAL && k->kind <= HS_BLOCK_VIRTUAL,
                 "heap 0x%llx: block %zu state/kind", (unsigned long long)h->handle, b);
        if (k->kind == HS_BLOCK_VIRTUAL)
            FZ_CHECK(k->segment == 0xFFFF, "large block 0x%llx names segment %u",
                     (unsigned long long)k->address, k->segment);
        else
            FZ_CHECK(k->segment < h->segment_count, "block 0x%llx names segment %u of %zu",
                     (unsigned long long)k->address, k->segment, h->segment_count);
        busy += k->state == HS_BLOCK_BUSY;
        free_ += k->state == HS_BLOCK_FREE;
        internal += k->state == HS_BLOCK_INTERNAL;
        if (k->size > 0 && b % 7 == 0) {
            const hs_block *c = hs_heap_block_containing(h, k->address);
            FZ_CHECK(c && k->address - c->address < c->size,
                     "hs_heap_block_containing(0x%llx) misses", (unsigned long long)k->address);
        }
    }
    FZ_CHECK(busy == h->busy_blocks && free_ == h->free_blocks && internal == h->internal_blocks,
             "heap 0x%llx: block totals disagree with its blocks", (unsigned long long)h->handle);
    /* Per segment: the back-end blocks lie in the segment and do not overlap, so their sizes sum to
     * at most its span (from the lower of its address and base, which the walk starts at, to
     * LastValidEntry). */
    for (size_t s = 0; s < h->segment_count; s++) {
        const hs_heap_segment *g = &h->segments[s];
        uint64_t lo = g->address < g->base ? g->address : g->base, sum = 0, prev_end = 0;
        FZ_CHECK(g->first_entry <= g->last_valid_entry,
                 "segment 0x%llx: FirstEntry past LastValidEntry", (unsigned long long)g->address);
        for (size_t b = 0; b < h->block_count; b++) {
            const hs_block *k = &h->blocks[b];
            if (k->kind != HS_BLOCK_BACKEND || k->segment != s)
                continue;
            uint64_t end;
            FZ_CHECK(
                k->address >= lo && hs_add_u64(k->address, k->size, &end) &&
                    end <= g->last_valid_entry,
                "heap 0x%llx segment 0x%llx: block 0x%llx+0x%llx lies outside [0x%llx, 0x%llx)",
                (unsigned long long)h->handle, (unsigned long long)g->address,
                (unsigned long long)k->address, (unsigned long long)k->size, (unsigned long long)lo,
                (unsigned long long)g->last_valid_entry);
            FZ_CHECK(k->address >= prev_end,
                     "heap 0x%llx segment 0x%llx: block 0x%llx overlaps the one before it",
                     (unsigned long long)h->handle, (unsigned long long)g->address,
                     (unsigned long long)k->address);
            prev_end = end;
            sum += k->size;
        }
        FZ_CHECK(sum <= g->last_valid_entry - lo,
                 "heap 0x%llx segment 0x%llx: blocks sum to 0x%llx bytes, more than the segment's "
                 "0x%llx",
                 (unsigned long long)h->handle, (unsigned long long)g->address,
                 (unsigned long long)sum, (unsigned long long)(g->last_valid_entry - lo));
    }
    const hs_heap *f = hs_heapset_find(set, h->handle);
    FZ_CHECK(f && f->handle == h->handle, "hs_heapset_find(0x%llx) misses heap %zu",
             (unsigned long long)h->handle, index);
    char flags[512];
    hs_heap_flag_names(h->flags, flags, sizeof flags);
}

void fz_check_heaps(const hs_address_space *as, const hs_heapset *set)
{
    FZ_CHECK(set->count <= set->process->heap_count, "%zu heaps walked of %zu listed", set->count,
             set->process->heap_count);
    for (size_t i = 0; i < set->count; i++)
        check_heap(as, set, &set->heaps[i], i);
    for (size_t i = 1; i < set->range_count; i++)
        FZ_CHECK(set->ranges[i - 1].start <= set->ranges[i].start, "heap ranges not sorted at %zu",
                 i);
    for (size_t i = 0; i < set->range_count; i++)
        FZ_CHECK(set->ranges[i].heap < set->count, "heap range %zu names heap %zu", i,
                 set->ranges[i].heap);
}

void fz_check_props(const hs_address_space *as, const hs_heapset *set, const hs_prop_scan *props)
{
    size_t per_heap = 0, per_heap_corrupt = 0, corrupt = 0;
    for (size_t i = 0; i < set->count; i++) {
        per_heap += props->per_heap_blocks[i];
        per_heap_corrupt += props->per_heap_corrupt[i];
    }
    FZ_CHECK(per_heap == props->count && per_heap_corrupt == props->corrupt,
             "per-heap property block counts");
    for (size_t i = 0; i < props->count; i++) {
        const hs_prop_block *pb = &props->blocks[i];
        FZ_CHECK(pb->heap_index < set->count && set->heaps[pb->heap_index].handle == pb->heap,
                 "property block 0x%llx names heap 0x%llx", (unsigned long long)pb->address,
                 (unsigned long long)pb->heap);
        const hs_heap *h = &set->heaps[pb->heap_index];
        FZ_CHECK(h->layout != NULL, "property block in an unidentified heap");
        unsigned esize = h->layout->ptr == 8 ? 24 : 16;
        const hs_block *b = hs_heap_block_containing(h, pb->address);
        FZ_CHECK(b && b->state == HS_BLOCK_BUSY,
                 "property block 0x%llx is not in a busy block of heap 0x%llx",
                 (unsigned long long)pb->address, (unsigned long long)pb->heap);
        FZ_CHECK(pb->entries >= 1 && pb->valid_entries + pb->invalid_entries <= pb->entries,
                 "property block 0x%llx: %u entries, %u valid, %u invalid",
                 (unsigned long long)pb->address, pb->entries, pb->valid_entries,
                 pb->invalid_entries);
        FZ_CHECK(hs_as_contains(as, pb->address, esize),
                 "property block 0x%llx is not in present memory", (unsigned long long)pb->address);
        FZ_CHECK(pb->corrupt == (pb->invalid_entries > 0), "property block 0x%llx: corrupt flag",
                 (unsigned long long)pb->address);
        if (pb->corrupt) {
            corrupt++;
            FZ_CHECK(pb->bad_index < pb->entries && pb->check && pb->detail,
                     "corrupt property block 0x%llx: bad entry %u of %u",
                     (unsigned long long)pb->address, pb->bad_index, pb->entries);
            FZ_CHECK(hs_as_contains(as, pb->address + (uint64_t)pb->bad_index * esize, esize),
                     "corrupt property block 0x%llx: its bad entry is not in present memory",
                     (unsigned long long)pb->address);
        }
    }
    FZ_CHECK(corrupt == props->corrupt, "corrupt property blocks: %zu flagged, %zu counted",
             corrupt, props->corrupt);
}

/* ---- findings ---- */

static bool uses(const hs_rule_info *rule, hs_fact_id id)
{
    for (size_t i = 0; i < rule->facts_used_count; i++)
        if (rule->facts_used[i] == (int)id)
            return true;
    return false;
}

/* The evidence scan_report.c prints for a finding, address by address: each must be in present
 * memory, or a person could not check it. */
static void check_evidence(const hs_scan_result *r, const hs_finding *f)
{
    const hs_address_space *as = r->as;
    for (size_t i = 0; i < f->match_count; i++)
        FZ_CHECK(hs_as_contains(as, f->matches[i].address, 1),
                 "rule %s: string match at 0x%llx is not in present memory", f->rule->identifier,
                 (unsigned long long)f->matches[i].address);
    if (r->mapi && r->reach && r->heaps &&
        (uses(f->rule, HS_FACT_MAPI_ORPHANED_SESSION_HEAPS) ||
         uses(f->rule, HS_FACT_MAPI_SESSION_HEAPS)))
        for (size_t i = 0; i < r->heaps->count; i++) {
            const hs_heap *h = &r->heaps->heaps[i];
            if (!r->mapi->heaps[i].session || r->reach->state[i] != HS_REACH_ORPHANED)
                continue;
            FZ_CHECK(h->layout &&
                         hs_as_present_bytes(as, h->handle, h->layout->heap_struct_size) > 0,
                     "rule %s: orphaned session heap 0x%llx has no header in present memory",
                     f->rule->identifier, (unsigned long long)h->handle);
        }
    if (r->props && r->heaps &&
        (uses(f->rule, HS_FACT_MAPI_CORRUPT_PROP_BLOCKS) ||
         uses(f->rule, HS_FACT_MAPI_PROP_BLOCKS)))
        for (size_t i = 0; i < r->props->count; i++)
            FZ_CHECK(hs_as_present_bytes(as, r->props->blocks[i].address, 1) == 1,
                     "rule %s: property block 0x%llx is not in present memory", f->rule->identifier,
                     (unsigned long long)r->props->blocks[i].address);
    if (r->heaps && uses(f->rule, HS_FACT_HEAP_INTEGRITY_ERRORS))
        for (size_t i = 0; i < r->heaps->count; i++) {
            const hs_heap *h = &r->heaps->heaps[i];
            for (size_t e = 0; e < h->error_count; e++)
                FZ_CHECK(hs_as_present_bytes(as, h->errors[e].address, 16) > 0,
                         "rule %s: integrity error %s at 0x%llx (heap 0x%llx) points at no present "
                         "memory",
                         f->rule->identifier, h->errors[e].check,
                         (unsigned long long)h->errors[e].address, (unsigned long long)h->handle);
        }
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Reachability computed again with the walk's sieve notes withdrawn (every block read word by
 * word): the same result to the word (heap/heap_sieve.c, and the prescans on several threads). */
static void check_reachability_without_notes(const hs_scan_result *r)
{
    if (!r->heaps || !r->reach || r->out_of_time || r->out_of_memory)
        return;
    hs_heapset plain = *r->heaps;
    hs_heap *heaps = malloc((plain.count ? plain.count : 1) * sizeof *heaps);
    FZ_CHECK(heaps != NULL, "out of memory in the harness");
    if (plain.count)
        memcpy(heaps, r->heaps->heaps, plain.count * sizeof *heaps);
    for (size_t i = 0; i < plain.count; i++)
        heaps[i].sieve.usable = false;
    plain.heaps = heaps;
    hs_reach_result *read = hs_reachability_compute(r->dump, r->as, &plain);
    if (read) { /* NULL only when out of memory */
        const hs_reach_result *a = r->reach;
        FZ_CHECK(a->known == read->known && same_text(a->unknown_reason, read->unknown_reason) &&
                     a->words_scanned == read->words_scanned && a->reachable == read->reachable,
                 "reachability with sieve notes (known %d, %llu words, %zu reachable) differs from "
                 "reading every word "
                 "(known %d, %llu words, %zu reachable)",
                 a->known, (unsigned long long)a->words_scanned, (size_t)a->reachable, read->known,
                 (unsigned long long)read->words_scanned, (size_t)read->reachable);
        for (size_t i = 0; i < plain.count; i++)
            FZ_CHECK(a->state[i] == read->state[i] && same_text(a->evidence[i], read->evidence[i]),
                     "heap %zu: reachability with sieve notes '%s', reading every word '%s'", i,
                     a->evidence[i] ? a->evidence[i] : "-",
                     read->evidence[i] ? read->evidence[i] : "-");
        hs_reach_result_free(read);
    }
    free(heaps);
}

void fz_check_scan(const hs_scan_result *r)
{
    fz_check_dump(r->dump);
    if (!r->as)
        return;
    fz_check_address_space(r->dump, r->as);
    if (r->process)
        fz_check_process(r->process);
    if (r->heaps)
        fz_check_heaps(r->as, r->heaps);
    if (r->heaps && r->props)
        fz_check_props(r->as, r->heaps, r->props);
    check_reachability_without_notes(r);
    for (size_t i = 0; i < r->finding_count; i++) {
        FZ_CHECK(r->findings[i].rule != NULL, "finding %zu without a rule", i);
        check_evidence(r, &r->findings[i]);
    }
}

/* ---- rules ---- */

const hs_ruleset *fz_rules(void)
{
    static hs_ruleset *rules;
    static hs_diag problems;
    if (rules)
        return rules;
    const char *shipped = hs_default_rules_dir();
    if (!shipped) {
        fprintf(stderr, "fuzz: the shipped rules cannot be found\n");
        abort();
    }
    const char *paths[] = {shipped, HS_FUZZ_RULES_DIR};
    problems.arena = hs_arena_new(1u << 20);
    rules = hs_ruleset_load(paths, 2, &problems);
    if (!rules || problems.count) {
        for (size_t i = 0; i < problems.count; i++)
            fprintf(stderr, "fuzz: rules: %s: %s\n", problems.items[i].where,
                    problems.items[i].message);
        abort();
    }
    return rules;
}
