/* Process-wide streams: SystemInfo (7), MiscInfo (15), Exception (6).
 * MINIDUMP_SYSTEM_INFO is 56 bytes, MINIDUMP_EXCEPTION_STREAM 168, MINIDUMP_MISC_INFO .. _5 are
 * 24, 44, 232, 832 and 1364 bytes (minidumpapiset.h). */
#include <stdio.h>
#include <string.h>

#include "md_internal.h"

enum {
    SYSTEM_INFO_SIZE = 56,
    EXCEPTION_STREAM_SIZE = 168,
    MISC_INFO_SIZE = 24,
    MISC_INFO_2_SIZE = 44,
    MISC_INFO_3_SIZE = 232,
    MISC_INFO_4_SIZE = 832,
    MISC_INFO_5_SIZE = 1364,
    MISC_TIME_ZONE_OFFSET = 60, /* TIME_ZONE_INFORMATION within MINIDUMP_MISC_INFO_3 */
    MISC_BUILD_STRING_OFFSET = 232,
    MISC_DBG_BUILD_OFFSET = 752,
    MISC_XSTATE_OFFSET = 832,
    MISC_COOKIE_OFFSET = 1360,
};

/* Fields past the end of a short (older-version) record read as zero, as they would in the
 * smaller structure's zero-initialised extension. */
static uint32_t u32_or_zero(const hs_reader *r, uint64_t off)
{
    uint32_t v;
    return hs_rd_u32_at(r, off, &v) == HS_OK ? v : 0;
}

static uint64_t u64_or_zero(const hs_reader *r, uint64_t off)
{
    uint64_t v;
    return hs_rd_u64_at(r, off, &v) == HS_OK ? v : 0;
}

hs_status md_parse_system_info(md_ctx *ctx, hs_reader *sr)
{
    hs_dump *d = ctx->dump;
    if (sr->len < SYSTEM_INFO_SIZE) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, -1,
                   "%zu bytes, fewer than the %d of MINIDUMP_SYSTEM_INFO", sr->len,
                   SYSTEM_INFO_SIZE);
        return HS_ERR_TRUNCATED;
    }
    hs_md_system_info *si = hs_arena_alloc(d->arena, sizeof *si);
    if (!si)
        return HS_ERR_NOMEM;
    uint32_t csd_rva;
    if (hs_rd_u16(sr, &si->processor_architecture) != HS_OK ||
        hs_rd_u16(sr, &si->processor_level) != HS_OK ||
        hs_rd_u16(sr, &si->processor_revision) != HS_OK || hs_rd_u8(sr, &si->cpu_count) != HS_OK ||
        hs_rd_u8(sr, &si->product_type) != HS_OK || hs_rd_u32(sr, &si->major) != HS_OK ||
        hs_rd_u32(sr, &si->minor) != HS_OK || hs_rd_u32(sr, &si->build) != HS_OK ||
        hs_rd_u32(sr, &si->platform_id) != HS_OK || hs_rd_u32(sr, &csd_rva) != HS_OK ||
        hs_rd_u16(sr, &si->suite_mask) != HS_OK || hs_rd_skip(sr, 2) != HS_OK)
        return HS_ERR_TRUNCATED;
    /* CPU_INFORMATION: x86 {VendorId[3], VersionInformation, FeatureInformation,
     * AMDExtendedCpuFeatures}; others {ProcessorFeatures[2] u64}. Read both views of the 24 bytes.
     */
    hs_reader cpu;
    if (hs_reader_take(sr, 24, &cpu) != HS_OK)
        return HS_ERR_TRUNCATED;
    si->processor_features[0] = u64_or_zero(&cpu, 0);
    si->processor_features[1] = u64_or_zero(&cpu, 8);
    hs_arch arch = hs_arch_from_processor(si->processor_architecture);
    if (arch == HS_ARCH_X86 || arch == HS_ARCH_AMD64) {
        if (hs_rd_bytes(&cpu, si->cpu_vendor, 12) != HS_OK ||
            hs_rd_u32(&cpu, &si->cpu_version_info) != HS_OK ||
            hs_rd_u32(&cpu, &si->cpu_feature_info) != HS_OK ||
            hs_rd_u32(&cpu, &si->amd_extended_features) != HS_OK)
            return HS_ERR_TRUNCATED;
        for (size_t i = 0; i < 12; i++)
            if ((unsigned char)si->cpu_vendor[i] < 0x20 || (unsigned char)si->cpu_vendor[i] > 0x7e)
                si->cpu_vendor[i] = '\0';
        si->cpu_vendor[12] = '\0';
    }
    si->csd = "";
    if (csd_rva && md_read_string(ctx, csd_rva, &si->csd) != HS_OK) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, csd_rva,
                   "CSD version string is unreadable");
        si->csd = "";
    }
    d->system_info = si;
    return HS_OK;
}

/* A fixed-size WCHAR[n] field inside the MiscInfo stream, as UTF-8. */
static const char *wide_field(md_ctx *ctx, const hs_reader *sr, size_t offset, size_t n_chars)
{
    hs_reader fr;
    const char *s = NULL;
    if (hs_reader_sub(sr, offset, n_chars * 2, &fr) != HS_OK ||
        md_utf16_to_utf8(ctx->dump->arena, &fr, n_chars, &s) != HS_OK)
        return NULL;
    return s;
}

hs_status md_parse_misc_info(md_ctx *ctx, hs_reader *sr)
{
    hs_dump *d = ctx->dump;
    uint32_t size_of_info;
    if (hs_rd_u32_at(sr, 0, &size_of_info) != HS_OK || sr->len < MISC_INFO_SIZE) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, -1,
                   "%zu bytes, fewer than the %d of MINIDUMP_MISC_INFO", sr->len, MISC_INFO_SIZE);
        return HS_ERR_TRUNCATED;
    }
    /* Every version extends the previous one; read as much as both the declared size and the
     * stream size allow, and say when they disagree. */
    size_t usable = size_of_info < sr->len ? size_of_info : sr->len;
    if (size_of_info != MISC_INFO_SIZE && size_of_info != MISC_INFO_2_SIZE &&
        size_of_info != MISC_INFO_3_SIZE && size_of_info != MISC_INFO_4_SIZE &&
        size_of_info != MISC_INFO_5_SIZE)
        md_problem(ctx, HS_SEV_NOTE, HS_OK, -1,
                   "SizeOfInfo %u is not one of the known versions (24, 44, 232, 832, 1364)",
                   size_of_info);
    if (size_of_info > sr->len)
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, -1,
                   "SizeOfInfo %u exceeds the stream's %zu bytes", size_of_info, sr->len);
    hs_md_misc_info *mi = hs_arena_alloc(d->arena, sizeof *mi);
    if (!mi)
        return HS_ERR_NOMEM;
    hs_reader r;
    if (hs_reader_sub(sr, 0, usable, &r) != HS_OK)
        return HS_ERR_TRUNCATED;
    mi->size_of_info = size_of_info;
    uint32_t *v1[] = {&mi->flags1, &mi->process_id, &mi->process_create_time,
                      &mi->process_user_time, &mi->process_kernel_time};
    for (size_t i = 0; i < 5; i++)
        *v1[i] = u32_or_zero(&r, 4 + 4 * i);
    if (usable >= MISC_INFO_2_SIZE) {
        uint32_t *v2[] = {&mi->processor_max_mhz, &mi->processor_current_mhz,
                          &mi->processor_mhz_limit, &mi->processor_max_idle_state,
                          &mi->processor_current_idle_state};
        for (size_t i = 0; i < 5; i++)
            *v2[i] = u32_or_zero(&r, 24 + 4 * i);
    }
    if (usable >= MISC_INFO_3_SIZE) {
        uint32_t bias;
        mi->process_integrity_level = u32_or_zero(&r, 44);
        mi->process_execute_flags = u32_or_zero(&r, 48);
        mi->protected_process = u32_or_zero(&r, 52);
        mi->time_zone_id = u32_or_zero(&r, 56);
        if (hs_rd_u32_at(&r, MISC_TIME_ZONE_OFFSET, &bias) == HS_OK)
            mi->time_zone_bias = (int32_t)bias;
        /* TIME_ZONE_INFORMATION: Bias, StandardName[32], StandardDate(16), StandardBias,
         * DaylightName[32], DaylightDate(16), DaylightBias. */
        mi->time_zone_standard_name = wide_field(ctx, &r, MISC_TIME_ZONE_OFFSET + 4, 32);
        mi->time_zone_daylight_name =
            wide_field(ctx, &r, MISC_TIME_ZONE_OFFSET + 4 + 64 + 16 + 4, 32);
    }
    if (usable >= MISC_INFO_4_SIZE) {
        mi->build_string = wide_field(ctx, &r, MISC_BUILD_STRING_OFFSET, 260);
        mi->dbg_build_string = wide_field(ctx, &r, MISC_DBG_BUILD_OFFSET, 40);
    }
    if (usable >= MISC_INFO_5_SIZE) {
        mi->xstate_enabled_features = u64_or_zero(&r, MISC_XSTATE_OFFSET + 8);
        mi->process_cookie = u32_or_zero(&r, MISC_COOKIE_OFFSET);
    }
    d->misc_info = mi;
    return HS_OK;
}

hs_status md_parse_exception(md_ctx *ctx, hs_reader *sr)
{
    hs_dump *d = ctx->dump;
    if (sr->len < EXCEPTION_STREAM_SIZE) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, -1,
                   "%zu bytes, fewer than the %d of MINIDUMP_EXCEPTION_STREAM", sr->len,
                   EXCEPTION_STREAM_SIZE);
        return HS_ERR_TRUNCATED;
    }
    hs_md_exception *e = hs_arena_alloc(d->arena, sizeof *e);
    if (!e)
        return HS_ERR_NOMEM;
    if (hs_rd_u32(sr, &e->thread_id) != HS_OK || hs_rd_skip(sr, 4) != HS_OK ||
        hs_rd_u32(sr, &e->code) != HS_OK || hs_rd_u32(sr, &e->flags) != HS_OK ||
        hs_rd_u64(sr, &e->record) != HS_OK || hs_rd_u64(sr, &e->address) != HS_OK ||
        hs_rd_u32(sr, &e->parameter_count) != HS_OK || hs_rd_skip(sr, 4) != HS_OK)
        return HS_ERR_TRUNCATED;
    for (size_t i = 0; i < 15; i++)
        if (hs_rd_u64(sr, &e->parameters[i]) != HS_OK)
            return HS_ERR_TRUNCATED;
    if (hs_rd_u32(sr, &e->context_size) != HS_OK || hs_rd_u32(sr, &e->context_rva) != HS_OK)
        return HS_ERR_TRUNCATED;
    if (e->parameter_count > 15)
        md_problem(ctx, HS_SEV_NOTE, HS_OK, -1,
                   "NumberParameters %u exceeds the 15 the record holds", e->parameter_count);
    md_read_context(ctx, e->context_rva, e->context_size, &e->context, "exception");
    d->exception = e;
    return HS_OK;
}
