/* Thread streams: ThreadList (3), ThreadExList (8), ThreadInfoList (17), ThreadNames (24).
 * Layouts: MINIDUMP_THREAD (48 bytes), MINIDUMP_THREAD_EX (64), MINIDUMP_THREAD_INFO (64),
 * MINIDUMP_THREAD_NAME (12, packed), minidumpapiset.h. */
#include <stdio.h>

#include "hs_limits.h"
#include "md_internal.h"

enum { THREAD_SIZE = 48, THREAD_EX_SIZE = 64, THREAD_INFO_SIZE = 64, THREAD_NAME_SIZE = 12 };

hs_status md_parse_thread_list(md_ctx *ctx, hs_reader *sr, uint32_t rva, bool extended)
{
    hs_dump *d = ctx->dump;
    if (d->has_thread_list) {
        md_problem(ctx, HS_SEV_NOTE, HS_OK, rva,
                   "the dump has both ThreadList and ThreadExList; the first is used");
        return HS_OK;
    }
    size_t entry = extended ? THREAD_EX_SIZE : THREAD_SIZE;
    size_t n;
    hs_status st = md_list_count(ctx, sr, rva, entry, HS_MAX_THREADS, &n);
    if (st != HS_OK)
        return st;
    d->threads = hs_arena_array(d->arena, n ? n : 1, sizeof *d->threads);
    if (!d->threads)
        return HS_ERR_NOMEM;
    d->has_thread_list = true;
    for (size_t i = 0; i < n; i++) {
        hs_md_thread *t = &d->threads[i];
        uint32_t stack_size32;
        if (hs_rd_u32(sr, &t->id) != HS_OK || hs_rd_u32(sr, &t->suspend_count) != HS_OK ||
            hs_rd_u32(sr, &t->priority_class) != HS_OK || hs_rd_u32(sr, &t->priority) != HS_OK ||
            hs_rd_u64(sr, &t->teb) != HS_OK || hs_rd_u64(sr, &t->stack_start) != HS_OK ||
            hs_rd_u32(sr, &stack_size32) != HS_OK || hs_rd_u32(sr, &t->stack_rva) != HS_OK ||
            hs_rd_u32(sr, &t->context_size) != HS_OK || hs_rd_u32(sr, &t->context_rva) != HS_OK)
            return HS_ERR_TRUNCATED; /* cannot happen: md_list_count checked the size */
        t->stack_size = stack_size32;
        if (extended) {
            uint32_t bs_size, bs_rva;
            if (hs_rd_u64(sr, &t->backing_store_start) != HS_OK ||
                hs_rd_u32(sr, &bs_size) != HS_OK || hs_rd_u32(sr, &bs_rva) != HS_OK)
                return HS_ERR_TRUNCATED;
            t->backing_store_size = bs_size;
        }
        char what[48];
        snprintf(what, sizeof what, "thread %zu (id %u)", i, t->id);
        md_read_context(ctx, t->context_rva, t->context_size, &t->context, what);
        d->thread_count++;
    }
    return HS_OK;
}

hs_status md_parse_thread_info_list(md_ctx *ctx, hs_reader *sr)
{
    hs_dump *d = ctx->dump;
    md_table t;
    hs_status st = md_table_read(ctx, sr, 12, THREAD_INFO_SIZE, false, HS_MAX_THREADS, &t);
    if (st != HS_OK)
        return st;
    size_t n = t.count;
    d->thread_infos = hs_arena_array(d->arena, n ? n : 1, sizeof *d->thread_infos);
    if (!d->thread_infos)
        return HS_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        hs_reader er;
        if (md_table_entry(sr, &t, i, &er) != HS_OK)
            break;
        hs_md_thread_info *ti = &d->thread_infos[i];
        if (hs_rd_u32(&er, &ti->thread_id) != HS_OK || hs_rd_u32(&er, &ti->dump_flags) != HS_OK ||
            hs_rd_u32(&er, &ti->dump_error) != HS_OK || hs_rd_u32(&er, &ti->exit_status) != HS_OK ||
            hs_rd_u64(&er, &ti->create_time) != HS_OK || hs_rd_u64(&er, &ti->exit_time) != HS_OK ||
            hs_rd_u64(&er, &ti->kernel_time) != HS_OK || hs_rd_u64(&er, &ti->user_time) != HS_OK ||
            hs_rd_u64(&er, &ti->start_address) != HS_OK || hs_rd_u64(&er, &ti->affinity) != HS_OK)
            break;
        d->thread_info_count++;
    }
    return HS_OK;
}

hs_status md_parse_thread_names(md_ctx *ctx, hs_reader *sr, uint32_t rva)
{
    hs_dump *d = ctx->dump;
    size_t n;
    hs_status st = md_list_count(ctx, sr, rva, THREAD_NAME_SIZE, HS_MAX_THREADS, &n);
    if (st != HS_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        uint32_t tid;
        uint64_t name_rva;
        if (hs_rd_u32(sr, &tid) != HS_OK || hs_rd_u64(sr, &name_rva) != HS_OK)
            return HS_ERR_TRUNCATED;
        const char *name = NULL;
        if (name_rva > UINT32_MAX || md_read_string(ctx, (uint32_t)name_rva, &name) != HS_OK) {
            md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, (int64_t)(rva + 4 + 12 * i),
                       "name of thread %u at RVA 0x%llx is unreadable", tid,
                       (unsigned long long)name_rva);
            continue;
        }
        bool found = false;
        for (size_t t = 0; t < d->thread_count; t++) {
            if (d->threads[t].id == tid) {
                d->threads[t].name = name;
                found = true;
            }
        }
        if (!found)
            md_problem(ctx, HS_SEV_NOTE, HS_OK, -1,
                       "name \"%s\" given to thread %u, which is not in the thread list", name,
                       tid);
    }
    return HS_OK;
}
