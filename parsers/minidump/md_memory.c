/* Memory streams: MemoryList (5), Memory64List (9), MemoryInfoList (16).
 * MINIDUMP_MEMORY_DESCRIPTOR {u64 start; u32 size; u32 rva} (16 bytes); Memory64List:
 * {u64 count; u64 base_rva} then {u64 start; u64 size} with the bytes of range i stored back to
 * back from base_rva (heap-internals.md §1.1, [RMD] MinidumpMemory64List::read);
 * MINIDUMP_MEMORY_INFO is 48 bytes (heap-internals.md §1.1). */
#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "checked.h"
#include "hs_limits.h"
#include "md_internal.h"
#include "sort.h"

enum { MEMORY_DESCRIPTOR_SIZE = 16, MEMORY64_DESCRIPTOR_SIZE = 16, MEMORY_INFO_SIZE = 48 };

/* Grows dump->memory to hold `more` additional ranges. */
static hs_status reserve_ranges(hs_dump *d, size_t more)
{
    size_t total;
    if (!hs_add_size(d->memory_count, more, &total) || total > HS_MAX_MEMORY_RANGES)
        return HS_ERR_LIMIT;
    hs_md_memory_range *grown = hs_arena_array(d->arena, total ? total : 1, sizeof *grown);
    if (!grown)
        return HS_ERR_NOMEM;
    for (size_t i = 0; i < d->memory_count; i++)
        grown[i] = d->memory[i];
    d->memory = grown;
    return HS_OK;
}

/* Adds one range, clipped to the bytes the file really holds; a range that wraps the address
 * space or lies wholly outside the file is reported and dropped. */
static void add_range(md_ctx *ctx, uint64_t start, uint64_t size, uint64_t rva, bool from64,
                      size_t index, uint64_t desc_offset)
{
    hs_dump *d = ctx->dump;
    uint64_t end;
    if (size == 0)
        return;
    if (!hs_add_u64(start, size - 1, &end)) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_OVERFLOW, (int64_t)desc_offset,
                   "range %zu at 0x%llx of 0x%llx bytes wraps the address space; dropped", index,
                   (unsigned long long)start, (unsigned long long)size);
        return;
    }
    uint64_t file_len = ctx->file.len;
    if (rva >= file_len) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, (int64_t)desc_offset,
                   "range %zu at 0x%llx: its bytes at file offset 0x%llx lie past the end of the "
                   "file (0x%llx); dropped",
                   index, (unsigned long long)start, (unsigned long long)rva,
                   (unsigned long long)file_len);
        return;
    }
    if (size > file_len - rva) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, (int64_t)desc_offset,
                   "range %zu at 0x%llx declares 0x%llx bytes but the file ends after 0x%llx; "
                   "keeping those",
                   index, (unsigned long long)start, (unsigned long long)size,
                   (unsigned long long)(file_len - rva));
        size = file_len - rva;
    }
    hs_md_memory_range *r = &d->memory[d->memory_count++];
    r->start = start;
    r->size = size;
    r->rva = rva;
    r->from_memory64 = from64;
}

hs_status md_parse_memory_list(md_ctx *ctx, hs_reader *sr, uint32_t rva)
{
    size_t n;
    hs_status st = md_list_count(ctx, sr, rva, MEMORY_DESCRIPTOR_SIZE, HS_MAX_MEMORY_RANGES, &n);
    if (st != HS_OK)
        return st;
    if ((st = reserve_ranges(ctx->dump, n)) != HS_OK) {
        md_problem(ctx, HS_SEV_WARNING, st, rva, "cannot hold %zu more memory ranges", n);
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t desc_off = rva + (uint64_t)sr->pos;
        uint64_t start;
        uint32_t size, data_rva;
        if (hs_rd_u64(sr, &start) != HS_OK || hs_rd_u32(sr, &size) != HS_OK ||
            hs_rd_u32(sr, &data_rva) != HS_OK)
            return HS_ERR_TRUNCATED;
        add_range(ctx, start, size, data_rva, false, i, desc_off);
    }
    return HS_OK;
}

hs_status md_parse_memory64_list(md_ctx *ctx, hs_reader *sr, uint32_t rva)
{
    hs_dump *d = ctx->dump;
    uint64_t declared, base_rva;
    if (hs_rd_u64(sr, &declared) != HS_OK || hs_rd_u64(sr, &base_rva) != HS_OK) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, rva,
                   "stream of %zu bytes is shorter than its 16-byte header", sr->len);
        return HS_ERR_TRUNCATED;
    }
    uint64_t fit = hs_reader_remaining(sr) / MEMORY64_DESCRIPTOR_SIZE;
    uint64_t n = declared;
    if (n > fit) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, rva,
                   "declares %llu ranges but the stream holds only %llu descriptors; reading %llu",
                   (unsigned long long)declared, (unsigned long long)fit, (unsigned long long)fit);
        n = fit;
    }
    if (n > HS_MAX_MEMORY_RANGES) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_LIMIT, rva,
                   "%llu ranges exceed the limit of %u; reading %u", (unsigned long long)n,
                   HS_MAX_MEMORY_RANGES, HS_MAX_MEMORY_RANGES);
        n = HS_MAX_MEMORY_RANGES;
    }
    hs_status st = reserve_ranges(d, (size_t)n);
    if (st != HS_OK) {
        md_problem(ctx, HS_SEV_WARNING, st, rva, "cannot hold %llu more memory ranges",
                   (unsigned long long)n);
        return st;
    }
    d->has_memory64 = true;
    uint64_t data_rva = base_rva;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t desc_off = rva + (uint64_t)sr->pos;
        uint64_t start, size;
        if (hs_rd_u64(sr, &start) != HS_OK || hs_rd_u64(sr, &size) != HS_OK)
            return HS_ERR_TRUNCATED;
        add_range(ctx, start, size, data_rva, true, (size_t)i, desc_off);
        if (!hs_add_u64(data_rva, size, &data_rva) || data_rva > ctx->file.len) {
            /* Every later range would start past the end of the file: stop here, once. */
            if (i + 1 < n)
                md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, (int64_t)desc_off,
                           "the file ends inside range %llu; the %llu ranges after it are absent",
                           (unsigned long long)i, (unsigned long long)(n - i - 1));
            break;
        }
    }
    return HS_OK;
}

typedef struct file_span {
    uint64_t rva, end;
    size_t index;
} file_span;

static int compare_spans(const void *a, const void *b)
{
    const file_span *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* A writer stores each byte of memory once; descriptors that point at the same file bytes are a
 * hand-made amplifier: 4096 MemoryList entries naming one megabyte at 4096 addresses make a 1 MB
 * file present 4 GB of memory, and every later stage (heap search by signature, reachability, YARA
 * strings) pays for all of it (found by review for issue 7: 65536 "heaps" and 8 s of YARA for a
 * 1.1 MB file). In file order, a range whose bytes start inside the bytes of a range before it is
 * dropped; none of the shared dumps has one. */
void md_drop_aliased_ranges(md_ctx *ctx)
{
    hs_dump *d = ctx->dump;
    size_t n = d->memory_count;
    if (n < 2)
        return;
    file_span *spans = hs_malloc(n * sizeof *spans);
    bool *drop = hs_calloc(n, sizeof *drop);
    if (!spans || !drop) {
        hs_free(spans);
        hs_free(drop);
        return; /* out of memory: keep every range (the check is a bound, not a parse step) */
    }
    for (size_t i = 0; i < n; i++)
        spans[i] = (file_span){d->memory[i].rva, d->memory[i].rva + d->memory[i].size, i};
    hs_sort(spans, n, sizeof *spans, compare_spans);
    size_t dropped = 0, first = 0;
    uint64_t covered_end = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && spans[i].rva < covered_end) {
            if (!dropped++ || spans[i].index < first)
                first = spans[i].index;
            drop[spans[i].index] = true;
            continue;
        }
        covered_end = spans[i].end;
    }
    hs_free(spans);
    if (dropped) {
        const hs_md_memory_range *f = &d->memory[first];
        snprintf(ctx->where, sizeof ctx->where, "memory ranges");
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_FORMAT, (int64_t)f->rva,
                   "%zu of %zu ranges reuse file bytes of another range (the first at 0x%llx, "
                   "0x%llx bytes); dropped",
                   dropped, n, (unsigned long long)f->start, (unsigned long long)f->size);
        size_t out = 0;
        for (size_t i = 0; i < n; i++)
            if (!drop[i])
                d->memory[out++] = d->memory[i];
        d->memory_count = out;
    }
    hs_free(drop);
}

static int compare_info(const void *a, const void *b)
{
    const hs_md_memory_info *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

hs_status md_parse_memory_info_list(md_ctx *ctx, hs_reader *sr)
{
    hs_dump *d = ctx->dump;
    md_table t;
    hs_status st = md_table_read(ctx, sr, 16, MEMORY_INFO_SIZE, true, HS_MAX_MEMORY_INFO, &t);
    if (st != HS_OK)
        return st;
    size_t n = t.count;
    d->memory_info = hs_arena_array(d->arena, n ? n : 1, sizeof *d->memory_info);
    if (!d->memory_info)
        return HS_ERR_NOMEM;
    d->has_memory_info = true;
    bool sorted = true;
    for (size_t i = 0; i < n; i++) {
        hs_reader er;
        if (md_table_entry(sr, &t, i, &er) != HS_OK)
            break;
        hs_md_memory_info *m = &d->memory_info[d->memory_info_count];
        if (hs_rd_u64(&er, &m->base) != HS_OK || hs_rd_u64(&er, &m->allocation_base) != HS_OK ||
            hs_rd_u32(&er, &m->allocation_protect) != HS_OK || hs_rd_skip(&er, 4) != HS_OK ||
            hs_rd_u64(&er, &m->region_size) != HS_OK || hs_rd_u32(&er, &m->state) != HS_OK ||
            hs_rd_u32(&er, &m->protect) != HS_OK || hs_rd_u32(&er, &m->type) != HS_OK)
            break;
        if (d->memory_info_count && m->base < d->memory_info[d->memory_info_count - 1].base)
            sorted = false;
        d->memory_info_count++;
    }
    if (!sorted)
        hs_sort(d->memory_info, d->memory_info_count, sizeof *d->memory_info, compare_info);
    return HS_OK;
}
