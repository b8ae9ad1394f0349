/* HandleData (12), the comment streams (10, 11) and BreakpadInfo (0x47670001).
 * MINIDUMP_HANDLE_DATA_STREAM header 16 bytes; MINIDUMP_HANDLE_DESCRIPTOR 32 bytes,
 * MINIDUMP_HANDLE_DESCRIPTOR_2 40 bytes (minidumpapiset.h). */
#include <string.h>

#include "hs_limits.h"
#include "md_internal.h"

enum { HANDLE_DESCRIPTOR_SIZE = 32 };

hs_status md_parse_handle_data(md_ctx *ctx, hs_reader *sr)
{
    hs_dump *d = ctx->dump;
    md_table t;
    hs_status st = md_table_read(ctx, sr, 16, HANDLE_DESCRIPTOR_SIZE, false, HS_MAX_HANDLES, &t);
    if (st != HS_OK)
        return st;
    size_t n = t.count;
    d->handles = hs_arena_array(d->arena, n ? n : 1, sizeof *d->handles);
    if (!d->handles)
        return HS_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        hs_reader er;
        if (md_table_entry(sr, &t, i, &er) != HS_OK)
            break;
        hs_md_handle *h = &d->handles[i];
        uint32_t type_rva, name_rva;
        if (hs_rd_u64(&er, &h->handle) != HS_OK || hs_rd_u32(&er, &type_rva) != HS_OK ||
            hs_rd_u32(&er, &name_rva) != HS_OK || hs_rd_u32(&er, &h->attributes) != HS_OK ||
            hs_rd_u32(&er, &h->granted_access) != HS_OK ||
            hs_rd_u32(&er, &h->handle_count) != HS_OK || hs_rd_u32(&er, &h->pointer_count) != HS_OK)
            break;
        if (type_rva && md_read_string(ctx, type_rva, &h->type_name) != HS_OK)
            h->type_name = NULL;
        if (name_rva && md_read_string(ctx, name_rva, &h->object_name) != HS_OK)
            h->object_name = NULL;
        d->handle_count++;
    }
    return HS_OK;
}

hs_status md_parse_comment(md_ctx *ctx, hs_reader *sr, bool wide)
{
    hs_dump *d = ctx->dump;
    if (sr->len > HS_MAX_STRING_BYTES) {
        md_problem(ctx, HS_SEV_NOTE, HS_ERR_LIMIT, -1, "comment of %zu bytes cut to %u", sr->len,
                   HS_MAX_STRING_BYTES);
        sr->len = HS_MAX_STRING_BYTES;
    }
    if (wide) {
        const char *s;
        hs_status st = md_utf16_to_utf8(d->arena, sr, sr->len / 2, &s);
        if (st == HS_OK)
            d->comment_w = s;
        return st;
    }
    size_t n = hs_reader_strnlen(sr);
    const uint8_t *p;
    if (hs_rd_view(sr, n, &p) != HS_OK)
        return HS_ERR_TRUNCATED;
    d->comment_a = hs_arena_strndup(d->arena, (const char *)p, n);
    return d->comment_a ? HS_OK : HS_ERR_NOMEM;
}

hs_status md_parse_breakpad_info(md_ctx *ctx, hs_reader *sr)
{
    /* MDRawBreakpadInfo: validity u32 (bit 0: dump_thread_id, bit 1: requesting_thread_id),
     * dump_thread_id u32, requesting_thread_id u32 (Breakpad minidump_format.h). */
    uint32_t validity, dump_tid, req_tid;
    if (hs_rd_u32(sr, &validity) != HS_OK || hs_rd_u32(sr, &dump_tid) != HS_OK ||
        hs_rd_u32(sr, &req_tid) != HS_OK) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, -1,
                   "%zu bytes, fewer than the 12 of MDRawBreakpadInfo", sr->len);
        return HS_ERR_TRUNCATED;
    }
    hs_md_breakpad_info *bi = hs_arena_alloc(ctx->dump->arena, sizeof *bi);
    if (!bi)
        return HS_ERR_NOMEM;
    bi->dump_thread_valid = validity & 1;
    bi->requesting_thread_valid = (validity & 2) != 0;
    bi->dump_thread_id = dump_tid;
    bi->requesting_thread_id = req_tid;
    ctx->dump->breakpad_info = bi;
    return HS_OK;
}
