/* Module streams: ModuleList (4) with CodeView and version records, UnloadedModuleList (14).
 * MINIDUMP_MODULE is 108 bytes (minidumpapiset.h); CodeView records: 'RSDS' (PDB 7.0: GUID, age,
 * path), 'NB10' (PDB 2.0: offset, signature, age, path), 'BpEL' (Breakpad: ELF build id); debug
 * identifiers spelled as Breakpad's MinidumpModule::debug_identifier() does. */
#include <stdio.h>
#include <string.h>

#include "hs_limits.h"
#include "md_internal.h"

enum {
    MODULE_SIZE = 108,
    UNLOADED_MODULE_SIZE = 24,
    VS_FFI_SIGNATURE = 0xFEEF04BD,
    VS_FFI_STRUCT_VERSION = 0x00010000,
    CV_SIG_PDB70 = 0x53445352, /* "RSDS" */
    CV_SIG_PDB20 = 0x3031424E, /* "NB10" */
    CV_SIG_ELF = 0x4270454C,   /* "BpEL" */
    MISC_RECORD_MIN = 12,      /* IMAGE_DEBUG_MISC up to Data */
};

static const char *basename_of(const char *path)
{
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    return base;
}

/* The 8-bit string at the reader's position, up to a NUL or the end of the record. */
static const char *read_cstring(hs_arena *arena, hs_reader *r)
{
    size_t n = hs_reader_strnlen(r);
    const uint8_t *p;
    if (hs_rd_view(r, n, &p) != HS_OK)
        return NULL;
    return hs_arena_strndup(arena, (const char *)p, n);
}

static void format_guid_id(char *out, size_t size, const uint8_t g[16], uint32_t age)
{
    /* GUID fields are little-endian Data1 (u32), Data2 (u16), Data3 (u16), Data4[8]. */
    uint32_t d1 =
        (uint32_t)g[0] | (uint32_t)g[1] << 8 | (uint32_t)g[2] << 16 | (uint32_t)g[3] << 24;
    unsigned d2 = (unsigned)g[4] | (unsigned)g[5] << 8;
    unsigned d3 = (unsigned)g[6] | (unsigned)g[7] << 8;
    snprintf(out, size, "%08X%04X%04X%02X%02X%02X%02X%02X%02X%02X%02X%x", d1, d2, d3, g[8], g[9],
             g[10], g[11], g[12], g[13], g[14], g[15], age);
}

static void parse_codeview(md_ctx *ctx, hs_md_module *m, uint32_t size, uint32_t rva, size_t index)
{
    if (size == 0)
        return;
    hs_reader cv;
    if (size > HS_MAX_CV_RECORD_BYTES || hs_reader_sub(&ctx->file, rva, size, &cv) != HS_OK) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, rva,
                   "module %zu (%s): CodeView record of %u bytes is outside the file or too large",
                   index, m->name, size);
        return;
    }
    uint32_t sig;
    if (hs_rd_u32(&cv, &sig) != HS_OK)
        return;
    char id[64];
    uint8_t guid[16];
    uint32_t age, sig20, offset20;
    switch (sig) {
    case CV_SIG_PDB70:
        if (hs_rd_bytes(&cv, guid, 16) != HS_OK || hs_rd_u32(&cv, &age) != HS_OK)
            break;
        m->cv_kind = HS_CV_PDB70;
        format_guid_id(id, sizeof id, guid, age);
        m->debug_id = hs_arena_strndup(ctx->dump->arena, id, strlen(id));
        m->debug_file = read_cstring(ctx->dump->arena, &cv);
        return;
    case CV_SIG_PDB20:
        if (hs_rd_u32(&cv, &offset20) != HS_OK || hs_rd_u32(&cv, &sig20) != HS_OK ||
            hs_rd_u32(&cv, &age) != HS_OK)
            break;
        m->cv_kind = HS_CV_PDB20;
        snprintf(id, sizeof id, "%08X%x", sig20, age);
        m->debug_id = hs_arena_strndup(ctx->dump->arena, id, strlen(id));
        m->debug_file = read_cstring(ctx->dump->arena, &cv);
        return;
    case CV_SIG_ELF: {
        /* Breakpad reads the build id as a GUID: its first 16 bytes, zero-padded, age 0. */
        memset(guid, 0, sizeof guid);
        size_t n = hs_reader_remaining(&cv) < 16 ? hs_reader_remaining(&cv) : 16;
        if (hs_rd_bytes(&cv, guid, n) != HS_OK)
            break;
        m->cv_kind = HS_CV_ELF;
        format_guid_id(id, sizeof id, guid, 0);
        m->debug_id = hs_arena_strndup(ctx->dump->arena, id, strlen(id));
        m->debug_file = m->path;
        return;
    }
    default:
        m->cv_kind = HS_CV_OTHER;
        return;
    }
    md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, rva,
               "module %zu (%s): CodeView record of %u bytes is truncated", index, m->name, size);
}

/* IMAGE_DEBUG_MISC: only a file name; used when there is no CodeView record (old PE images). */
static void parse_misc_record(md_ctx *ctx, hs_md_module *m, uint32_t size, uint32_t rva)
{
    hs_reader mr;
    uint32_t length;
    uint8_t unicode;
    if (size < MISC_RECORD_MIN || size > HS_MAX_CV_RECORD_BYTES ||
        hs_reader_sub(&ctx->file, rva, size, &mr) != HS_OK)
        return;
    if (hs_rd_skip(&mr, 4) != HS_OK || hs_rd_u32(&mr, &length) != HS_OK ||
        hs_rd_u8(&mr, &unicode) != HS_OK || hs_rd_skip(&mr, 3) != HS_OK || length != size)
        return;
    const char *name = NULL;
    if (unicode) {
        if (md_utf16_to_utf8(ctx->dump->arena, &mr, hs_reader_remaining(&mr) / 2, &name) != HS_OK)
            return;
    } else {
        name = read_cstring(ctx->dump->arena, &mr);
    }
    if (name && *name)
        m->debug_file = name;
}

static void read_version_info(hs_reader *sr, hs_md_version_info *v)
{
    uint32_t *fields[] = {&v->signature,       &v->struct_version,     &v->file_version_ms,
                          &v->file_version_ls, &v->product_version_ms, &v->product_version_ls,
                          &v->file_flags_mask, &v->file_flags,         &v->file_os,
                          &v->file_type,       &v->file_subtype,       &v->file_date_ms,
                          &v->file_date_ls};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (hs_rd_u32(sr, fields[i]) != HS_OK)
            return;
    /* Breakpad's test: the signature, and the struct-version bit of VS_FFI_STRUCVERSION. */
    v->present = v->signature == VS_FFI_SIGNATURE && (v->struct_version & VS_FFI_STRUCT_VERSION);
}

hs_status md_parse_module_list(md_ctx *ctx, hs_reader *sr, uint32_t rva)
{
    hs_dump *d = ctx->dump;
    size_t n;
    hs_status st = md_list_count(ctx, sr, rva, MODULE_SIZE, HS_MAX_MODULES, &n);
    if (st != HS_OK)
        return st;
    d->modules = hs_arena_array(d->arena, n ? n : 1, sizeof *d->modules);
    if (!d->modules)
        return HS_ERR_NOMEM;
    d->has_module_list = true;
    for (size_t i = 0; i < n; i++) {
        hs_md_module *m = &d->modules[i];
        uint64_t entry_off = rva + (uint64_t)sr->pos;
        uint32_t name_rva, cv_size, cv_rva, misc_size, misc_rva;
        if (hs_rd_u64(sr, &m->base) != HS_OK || hs_rd_u32(sr, &m->size) != HS_OK ||
            hs_rd_u32(sr, &m->checksum) != HS_OK || hs_rd_u32(sr, &m->time_date_stamp) != HS_OK ||
            hs_rd_u32(sr, &name_rva) != HS_OK)
            return HS_ERR_TRUNCATED;
        read_version_info(sr, &m->version_info);
        if (hs_rd_u32(sr, &cv_size) != HS_OK || hs_rd_u32(sr, &cv_rva) != HS_OK ||
            hs_rd_u32(sr, &misc_size) != HS_OK || hs_rd_u32(sr, &misc_rva) != HS_OK ||
            hs_rd_skip(sr, 16) != HS_OK)
            return HS_ERR_TRUNCATED;

        if (md_read_string(ctx, name_rva, &m->path) != HS_OK) {
            md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, (int64_t)entry_off,
                       "module %zu at 0x%llx: name at RVA 0x%x is unreadable", i,
                       (unsigned long long)m->base, name_rva);
            m->path = "";
        }
        m->name = basename_of(m->path);
        if (m->version_info.present) {
            const hs_md_version_info *v = &m->version_info;
            snprintf(m->version, sizeof m->version, "%u.%u.%u.%u", v->file_version_ms >> 16,
                     v->file_version_ms & 0xFFFF, v->file_version_ls >> 16,
                     v->file_version_ls & 0xFFFF);
        }
        m->code_id = hs_arena_printf(d->arena, "%08X%x", m->time_date_stamp, m->size);
        if (m->base + (uint64_t)m->size < m->base)
            md_problem(ctx, HS_SEV_WARNING, HS_ERR_OVERFLOW, (int64_t)entry_off,
                       "module %zu (%s): base 0x%llx + size 0x%x wraps the address space", i,
                       m->name, (unsigned long long)m->base, m->size);
        parse_codeview(ctx, m, cv_size, cv_rva, i);
        if (!m->debug_file && misc_size)
            parse_misc_record(ctx, m, misc_size, misc_rva);
        d->module_count++;
    }
    return HS_OK;
}

hs_status md_parse_unloaded_module_list(md_ctx *ctx, hs_reader *sr)
{
    hs_dump *d = ctx->dump;
    md_table t;
    hs_status st = md_table_read(ctx, sr, 12, UNLOADED_MODULE_SIZE, false, HS_MAX_MODULES, &t);
    if (st != HS_OK)
        return st;
    size_t n = t.count;
    d->unloaded_modules = hs_arena_array(d->arena, n ? n : 1, sizeof *d->unloaded_modules);
    if (!d->unloaded_modules)
        return HS_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        hs_reader er;
        if (md_table_entry(sr, &t, i, &er) != HS_OK)
            break;
        hs_md_unloaded_module *m = &d->unloaded_modules[i];
        uint32_t name_rva;
        if (hs_rd_u64(&er, &m->base) != HS_OK || hs_rd_u32(&er, &m->size) != HS_OK ||
            hs_rd_u32(&er, &m->checksum) != HS_OK || hs_rd_u32(&er, &m->time_date_stamp) != HS_OK ||
            hs_rd_u32(&er, &name_rva) != HS_OK)
            break;
        if (md_read_string(ctx, name_rva, &m->path) != HS_OK) {
            md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, -1,
                       "unloaded module %zu: name at RVA 0x%x is unreadable", i, name_rva);
            m->path = "";
        }
        d->unloaded_module_count++;
    }
    return HS_OK;
}
