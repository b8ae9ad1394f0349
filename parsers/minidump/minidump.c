/* Minidump container: header, stream directory, dispatch to the stream parsers, lookups. */
#include "minidump.h"
#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checked.h"
#include "hs_limits.h"
#include "md_internal.h"

enum {
    MD_SIGNATURE = 0x504D444D, /* "MDMP" */
    MD_VERSION = 0xA793,
    MD_HEADER_SIZE = 32,
    MD_DIRECTORY_ENTRY_SIZE = 12,
};

static const struct {
    uint32_t type;
    const char *name;
} stream_names[] = {
    /* MINIDUMP_STREAM_TYPE (minidumpapiset.h) */
    {0, "Unused"},
    {1, "Reserved0"},
    {2, "Reserved1"},
    {3, "ThreadList"},
    {4, "ModuleList"},
    {5, "MemoryList"},
    {6, "Exception"},
    {7, "SystemInfo"},
    {8, "ThreadExList"},
    {9, "Memory64List"},
    {10, "CommentA"},
    {11, "CommentW"},
    {12, "HandleData"},
    {13, "FunctionTable"},
    {14, "UnloadedModuleList"},
    {15, "MiscInfo"},
    {16, "MemoryInfoList"},
    {17, "ThreadInfoList"},
    {18, "HandleOperationList"},
    {19, "Token"},
    {20, "JavaScriptData"},
    {21, "SystemMemoryInfo"},
    {22, "ProcessVmCounters"},
    {23, "IptTrace"},
    {24, "ThreadNames"},
    {0x8000, "ceStreamNull"},
    {0x8001, "ceStreamSystemInfo"},
    {0x8002, "ceStreamException"},
    {0x8003, "ceStreamModuleList"},
    {0x8004, "ceStreamProcessList"},
    {0x8005, "ceStreamThreadList"},
    {0x8006, "ceStreamThreadContextList"},
    {0x8007, "ceStreamThreadCallStackList"},
    {0x8008, "ceStreamMemoryVirtualList"},
    {0x8009, "ceStreamMemoryPhysicalList"},
    {0x800A, "ceStreamBucketParameters"},
    {0x800B, "ceStreamProcessModuleMap"},
    {0x800C, "ceStreamDiagnosisList"},
    /* Breakpad (minidump_format.h: MD_*_STREAM, 0x4767 = "Gg") */
    {0x47670001, "BreakpadInfo"},
    {0x47670002, "BreakpadAssertionInfo"},
    {0x47670003, "LinuxCpuInfo"},
    {0x47670004, "LinuxProcStatus"},
    {0x47670005, "LinuxLsbRelease"},
    {0x47670006, "LinuxCmdLine"},
    {0x47670007, "LinuxEnviron"},
    {0x47670008, "LinuxAuxv"},
    {0x47670009, "LinuxMaps"},
    {0x4767000A, "LinuxDsoDebug"},
    /* Crashpad (minidump_extensions.h: "CP") */
    {0x43500001, "CrashpadInfo"},
    /* Mozilla ("Mz") */
    {0x4D7A0001, "MozMacosCrashInfo"},
    {0x4D7A0002, "MozMacosBootargs"},
    {0x4D7A0003, "MozLinuxLimits"},
    {0x4D7A0004, "MozSoftErrors"},
    /* LLDB ("LLDB" private streams) */
    {0x4B6B0002, "LldbLinuxProcStat"},
};

const char *hs_stream_name(uint32_t type)
{
    for (size_t i = 0; i < sizeof stream_names / sizeof stream_names[0]; i++)
        if (stream_names[i].type == type)
            return stream_names[i].name;
    return NULL;
}

void hs_minidump_type_names(uint64_t flags, char *buf, size_t size)
{
    /* MINIDUMP_TYPE (minidumpapiset.h), bit by bit. */
    static const char *const names[] = {
        "MiniDumpWithDataSegs",
        "MiniDumpWithFullMemory",
        "MiniDumpWithHandleData",
        "MiniDumpFilterMemory",
        "MiniDumpScanMemory",
        "MiniDumpWithUnloadedModules",
        "MiniDumpWithIndirectlyReferencedMemory",
        "MiniDumpFilterModulePaths",
        "MiniDumpWithProcessThreadData",
        "MiniDumpWithPrivateReadWriteMemory",
        "MiniDumpWithoutOptionalData",
        "MiniDumpWithFullMemoryInfo",
        "MiniDumpWithThreadInfo",
        "MiniDumpWithCodeSegs",
        "MiniDumpWithoutAuxiliaryState",
        "MiniDumpWithFullAuxiliaryState",
        "MiniDumpWithPrivateWriteCopyMemory",
        "MiniDumpIgnoreInaccessibleMemory",
        "MiniDumpWithTokenInformation",
        "MiniDumpWithModuleHeaders",
        "MiniDumpFilterTriage",
        "MiniDumpWithAvxXStateContext",
        "MiniDumpWithIptTrace",
        "MiniDumpScanInaccessiblePartialPages",
        "MiniDumpFilterWriteCombinedMemory",
    };
    size_t used = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
    if (flags == 0) {
        snprintf(buf, size, "MiniDumpNormal");
        return;
    }
    for (unsigned bit = 0; bit < 64; bit++) {
        if (!(flags & (1ull << bit)))
            continue;
        char unknown[32];
        const char *name = bit < sizeof names / sizeof names[0] ? names[bit] : NULL;
        if (!name) {
            snprintf(unknown, sizeof unknown, "0x%llx", 1ull << bit);
            name = unknown;
        }
        int n = snprintf(buf + used, size - used, "%s%s", used ? "|" : "", name);
        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
    }
}

const char *hs_platform_name(uint32_t platform_id)
{
    /* Breakpad's spelling (MinidumpSystemInfo::GetOS). */
    switch (platform_id) {
    case HS_PLATFORM_WIN32S:
        return "Windows 3.1";
    case HS_PLATFORM_WIN32_WINDOWS:
        return "Windows 95";
    case HS_PLATFORM_WIN32_NT:
        return "Windows NT";
    case HS_PLATFORM_MACOS:
        return "Mac OS X";
    case HS_PLATFORM_IOS:
        return "iOS";
    case HS_PLATFORM_LINUX:
        return "Linux";
    case HS_PLATFORM_SOLARIS:
        return "Solaris";
    case HS_PLATFORM_ANDROID:
        return "Android";
    case HS_PLATFORM_PS3:
        return "PS3";
    case HS_PLATFORM_NACL:
        return "NaCl";
    case HS_PLATFORM_FUCHSIA:
        return "Fuchsia";
    default:
        return "unknown";
    }
}

hs_arch hs_dump_arch(const hs_dump *dump)
{
    return dump->system_info ? hs_arch_from_processor(dump->system_info->processor_architecture)
                             : HS_ARCH_UNKNOWN;
}

bool hs_dump_is_windows(const hs_dump *dump)
{
    return dump->system_info && dump->system_info->platform_id <= HS_PLATFORM_WIN32_NT;
}

const hs_md_stream *hs_dump_find_stream(const hs_dump *dump, uint32_t type)
{
    for (size_t i = 0; i < dump->stream_count; i++)
        if (dump->streams[i].type == type && dump->streams[i].used)
            return &dump->streams[i];
    return NULL;
}

const hs_md_thread *hs_dump_find_thread(const hs_dump *dump, uint32_t id)
{
    for (size_t i = 0; i < dump->thread_count; i++)
        if (dump->threads[i].id == id)
            return &dump->threads[i];
    return NULL;
}

void md_problem(md_ctx *ctx, hs_severity sev, hs_status st, int64_t offset, const char *fmt, ...)
{
    if (hs_diag_full(&ctx->dump->problems)) {
        hs_diag_drop(&ctx->dump->problems);
        return;
    }
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hs_diag_add(&ctx->dump->problems, sev, st, ctx->where, offset, "%s", msg);
}

hs_status md_list_count(md_ctx *ctx, hs_reader *sr, uint32_t stream_rva, size_t entry_size,
                        size_t max_count, size_t *count)
{
    uint32_t declared;
    hs_status st = hs_rd_u32(sr, &declared);
    if (st != HS_OK) {
        md_problem(ctx, HS_SEV_WARNING, st, stream_rva,
                   "stream of %zu bytes is too small for its entry count", sr->len);
        return st;
    }
    uint64_t body;
    if (!hs_mul_u64(declared, entry_size, &body)) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_OVERFLOW, stream_rva, "entry count %u overflows",
                   declared);
        return HS_ERR_OVERFLOW;
    }
    /* Some writers pad the count to 8 bytes ("may be padded with 4 bytes on 64bit ABIs",
     * Breakpad minidump.cc); accept it when the size says so exactly. */
    if (sr->len == 8 + body && hs_rd_skip(sr, 4) == HS_OK) {
        md_problem(ctx, HS_SEV_NOTE, HS_OK, stream_rva, "4 bytes of padding after the entry count");
    }
    size_t fit = hs_reader_remaining(sr) / entry_size;
    size_t n = declared;
    if (n > fit) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, stream_rva,
                   "declares %u entries of %zu bytes but the stream holds only %zu; reading %zu",
                   declared, entry_size, fit, fit);
        n = fit;
    } else if (hs_reader_remaining(sr) != body) {
        md_problem(ctx, HS_SEV_NOTE, HS_OK, stream_rva, "%zu unexpected bytes after the %u entries",
                   hs_reader_remaining(sr) - (size_t)body, declared);
    }
    if (n > max_count) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_LIMIT, stream_rva,
                   "%zu entries exceed the limit of %zu; reading %zu", n, max_count, max_count);
        n = max_count;
    }
    *count = n;
    return HS_OK;
}

hs_status md_table_read(md_ctx *ctx, hs_reader *sr, uint32_t min_header, uint32_t min_entry,
                        bool count64, size_t max_count, md_table *t)
{
    uint64_t declared = 0;
    uint32_t count32 = 0;
    if (hs_rd_u32(sr, &t->header_size) != HS_OK || hs_rd_u32(sr, &t->entry_size) != HS_OK ||
        (count64 ? hs_rd_u64(sr, &declared) : hs_rd_u32(sr, &count32)) != HS_OK) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, -1, "header of %zu bytes is truncated",
                   sr->len);
        return HS_ERR_TRUNCATED;
    }
    if (!count64)
        declared = count32;
    if (t->header_size < min_header || t->entry_size < min_entry) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_FORMAT, -1,
                   "header size %u / entry size %u are too small (need %u / %u)", t->header_size,
                   t->entry_size, min_header, min_entry);
        return HS_ERR_FORMAT;
    }
    uint64_t avail = t->header_size <= sr->len ? (sr->len - t->header_size) / t->entry_size : 0;
    uint64_t n = declared;
    if (n > avail) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, -1,
                   "declares %llu entries, only %llu fit; reading %llu",
                   (unsigned long long)declared, (unsigned long long)avail,
                   (unsigned long long)avail);
        n = avail;
    }
    if (n > max_count) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_LIMIT, -1,
                   "%llu entries exceed the limit of %zu; reading %zu", (unsigned long long)n,
                   max_count, max_count);
        n = max_count;
    }
    t->count = (size_t)n;
    return HS_OK;
}

hs_status md_table_entry(const hs_reader *sr, const md_table *t, size_t i, hs_reader *out)
{
    return hs_reader_sub(sr, t->header_size + (uint64_t)i * t->entry_size, t->entry_size, out);
}

void md_read_context(md_ctx *ctx, uint32_t rva, uint32_t size, hs_context *out, const char *what)
{
    memset(out, 0, sizeof *out);
    if (size == 0)
        return;
    hs_reader cr;
    hs_status st = hs_reader_sub(&ctx->file, rva, size, &cr);
    if (st == HS_OK)
        st = hs_context_parse(&cr, hs_dump_arch(ctx->dump), out);
    if (st != HS_OK && st != HS_ERR_UNSUPPORTED)
        md_problem(ctx, HS_SEV_WARNING, st, rva, "%s: context of %u bytes unreadable (%s)", what,
                   size, hs_status_str(st));
}

static void set_where(md_ctx *ctx, const hs_md_stream *s, size_t index)
{
    const char *name = hs_stream_name(s->type);
    if (name)
        snprintf(ctx->where, sizeof ctx->where, "%s stream (directory entry %zu)", name, index);
    else
        snprintf(ctx->where, sizeof ctx->where, "stream type 0x%x (directory entry %zu)", s->type,
                 index);
}

static void parse_stream(md_ctx *ctx, size_t index)
{
    hs_md_stream *s = &ctx->dump->streams[index];
    set_where(ctx, s, index);
    hs_reader sr;
    if (hs_reader_sub(&ctx->file, s->rva, s->size, &sr) != HS_OK) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, s->rva,
                   "stream of %u bytes runs past the end of the file (%zu bytes); skipped", s->size,
                   ctx->file.len);
        return;
    }
    switch (s->type) {
    case HS_STREAM_THREAD_LIST:
        (void)md_parse_thread_list(ctx, &sr, s->rva, false);
        break;
    case HS_STREAM_THREAD_EX_LIST:
        (void)md_parse_thread_list(ctx, &sr, s->rva, true);
        break;
    case HS_STREAM_MODULE_LIST:
        (void)md_parse_module_list(ctx, &sr, s->rva);
        break;
    case HS_STREAM_UNLOADED_MODULE_LIST:
        (void)md_parse_unloaded_module_list(ctx, &sr);
        break;
    case HS_STREAM_MEMORY_LIST:
        (void)md_parse_memory_list(ctx, &sr, s->rva);
        break;
    case HS_STREAM_MEMORY64_LIST:
        (void)md_parse_memory64_list(ctx, &sr, s->rva);
        break;
    case HS_STREAM_MEMORY_INFO_LIST:
        (void)md_parse_memory_info_list(ctx, &sr);
        break;
    case HS_STREAM_EXCEPTION:
        (void)md_parse_exception(ctx, &sr);
        break;
    case HS_STREAM_MISC_INFO:
        (void)md_parse_misc_info(ctx, &sr);
        break;
    case HS_STREAM_THREAD_INFO_LIST:
        (void)md_parse_thread_info_list(ctx, &sr);
        break;
    case HS_STREAM_HANDLE_DATA:
        (void)md_parse_handle_data(ctx, &sr);
        break;
    case HS_STREAM_COMMENT_A:
        (void)md_parse_comment(ctx, &sr, false);
        break;
    case HS_STREAM_COMMENT_W:
        (void)md_parse_comment(ctx, &sr, true);
        break;
    case HS_STREAM_THREAD_NAMES:
        (void)md_parse_thread_names(ctx, &sr, s->rva);
        break;
    case HS_STREAM_SYSTEM_INFO:
        (void)md_parse_system_info(ctx, &sr);
        break;
    case HS_STREAM_BREAKPAD_INFO:
        (void)md_parse_breakpad_info(ctx, &sr);
        break;
    default:
        break; /* recognised by name only (Breakpad, Crashpad, …) or unknown */
    }
}

static bool is_parsed_type(uint32_t type)
{
    switch (type) {
    case HS_STREAM_THREAD_LIST:
    case HS_STREAM_THREAD_EX_LIST:
    case HS_STREAM_MODULE_LIST:
    case HS_STREAM_UNLOADED_MODULE_LIST:
    case HS_STREAM_MEMORY_LIST:
    case HS_STREAM_MEMORY64_LIST:
    case HS_STREAM_MEMORY_INFO_LIST:
    case HS_STREAM_EXCEPTION:
    case HS_STREAM_MISC_INFO:
    case HS_STREAM_THREAD_INFO_LIST:
    case HS_STREAM_HANDLE_DATA:
    case HS_STREAM_COMMENT_A:
    case HS_STREAM_COMMENT_W:
    case HS_STREAM_THREAD_NAMES:
    case HS_STREAM_SYSTEM_INFO:
    case HS_STREAM_BREAKPAD_INFO:
        return true;
    default:
        return false;
    }
}

/* Reads the directory; marks the first stream of each type `used`, reports duplicates. */
static bool read_directory(md_ctx *ctx)
{
    hs_dump *d = ctx->dump;
    snprintf(ctx->where, sizeof ctx->where, "stream directory");
    uint32_t count = d->header.stream_count;
    if (count > HS_MAX_STREAMS) {
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_LIMIT, d->header.directory_rva,
                   "header declares %u streams, more than the limit of %u; reading the first %u",
                   count, HS_MAX_STREAMS, HS_MAX_STREAMS);
        count = HS_MAX_STREAMS;
    }
    if (d->header.directory_rva < MD_HEADER_SIZE)
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_FORMAT, d->header.directory_rva,
                   "the directory starts inside the 32-byte header; its entries are read from the "
                   "header's bytes");
    uint64_t dir_size = (uint64_t)count * MD_DIRECTORY_ENTRY_SIZE;
    hs_reader dr;
    if (hs_reader_sub(&ctx->file, d->header.directory_rva, dir_size, &dr) != HS_OK) {
        uint64_t avail =
            d->header.directory_rva < ctx->file.len ? ctx->file.len - d->header.directory_rva : 0;
        uint64_t fit = avail / MD_DIRECTORY_ENTRY_SIZE;
        if (fit == 0) {
            md_problem(ctx, HS_SEV_FATAL, HS_ERR_TRUNCATED, d->header.directory_rva,
                       "the directory of %u streams lies outside the file (%zu bytes)", count,
                       ctx->file.len);
            return false;
        }
        md_problem(
            ctx, HS_SEV_WARNING, HS_ERR_TRUNCATED, d->header.directory_rva,
            "the directory of %u streams is cut off by the end of the file; reading %llu entries",
            count, (unsigned long long)fit);
        count = (uint32_t)fit;
        if (hs_reader_sub(&ctx->file, d->header.directory_rva, fit * MD_DIRECTORY_ENTRY_SIZE,
                          &dr) != HS_OK)
            return false;
    }
    d->streams = hs_arena_array(d->arena, count ? count : 1, sizeof *d->streams);
    if (!d->streams) {
        md_problem(ctx, HS_SEV_FATAL, HS_ERR_NOMEM, -1, "out of memory for %u directory entries",
                   count);
        return false;
    }
    for (uint32_t i = 0; i < count; i++) {
        hs_md_stream *s = &d->streams[i];
        if (hs_rd_u32(&dr, &s->type) != HS_OK || hs_rd_u32(&dr, &s->size) != HS_OK ||
            hs_rd_u32(&dr, &s->rva) != HS_OK)
            break;
        d->stream_count++;
        if (s->type == 0 || s->size == 0)
            continue; /* UnusedStream / empty slots are legal padding of the directory */
        s->used = true;
        for (uint32_t j = 0; j < i; j++) {
            if (d->streams[j].used && d->streams[j].type == s->type) {
                s->used = false;
                if (is_parsed_type(s->type))
                    md_problem(ctx, HS_SEV_WARNING, HS_ERR_FORMAT,
                               d->header.directory_rva + 12ull * i,
                               "entry %u is a second %s stream; the first (entry %u) is used and "
                               "this one ignored",
                               i, hs_stream_name(s->type), j);
                break;
            }
        }
    }
    /* Overlapping streams are legal to read but a sign of a damaged or hand-made file. Streams
     * that do not fit in the file are reported when parsed, not here. A directory of thousands of
     * streams that all overlap has millions of pairs (found by review for issue 7: 4096 entries
     * took a second, 8 million problems): the first MAX_OVERLAP_NOTES pairs are named, the rest
     * counted. */
    enum { MAX_OVERLAP_NOTES = 32 };
    uint64_t overlaps = 0;
    for (size_t i = 0; i < d->stream_count; i++) {
        const hs_md_stream *a = &d->streams[i];
        if (!a->used || !hs_range_within(a->rva, a->size, ctx->file.len))
            continue;
        for (size_t j = i + 1; j < d->stream_count; j++) {
            const hs_md_stream *b = &d->streams[j];
            if (!b->used || !hs_range_within(b->rva, b->size, ctx->file.len))
                continue;
            uint64_t a_end = (uint64_t)a->rva + a->size, b_end = (uint64_t)b->rva + b->size;
            if (a->rva < b_end && b->rva < a_end && overlaps++ < MAX_OVERLAP_NOTES)
                md_problem(ctx, HS_SEV_NOTE, HS_OK, a->rva,
                           "streams in directory entries %zu and %zu overlap in the file", i, j);
        }
        if (a->rva < MD_HEADER_SIZE)
            md_problem(ctx, HS_SEV_NOTE, HS_OK, a->rva,
                       "stream in directory entry %zu overlaps the header", i);
    }
    if (overlaps > MAX_OVERLAP_NOTES)
        md_problem(ctx, HS_SEV_NOTE, HS_OK, d->header.directory_rva,
                   "%llu more pairs of streams overlap in the file (the first %u are listed)",
                   (unsigned long long)(overlaps - MAX_OVERLAP_NOTES), MAX_OVERLAP_NOTES);
    return true;
}

static bool read_header(md_ctx *ctx)
{
    hs_dump *d = ctx->dump;
    snprintf(ctx->where, sizeof ctx->where, "header");
    hs_reader r = ctx->file;
    hs_md_header *h = &d->header;
    if (ctx->file.len < MD_HEADER_SIZE) {
        md_problem(ctx, HS_SEV_FATAL, HS_ERR_TRUNCATED, 0,
                   "the file has %zu bytes, fewer than the 32 of a minidump header", ctx->file.len);
        return false;
    }
    if (hs_rd_u32(&r, &h->signature) != HS_OK || hs_rd_u32(&r, &h->version) != HS_OK ||
        hs_rd_u32(&r, &h->stream_count) != HS_OK || hs_rd_u32(&r, &h->directory_rva) != HS_OK ||
        hs_rd_u32(&r, &h->checksum) != HS_OK || hs_rd_u32(&r, &h->time_date_stamp) != HS_OK ||
        hs_rd_u64(&r, &h->flags) != HS_OK)
        return false;
    if (h->signature != MD_SIGNATURE) {
        md_problem(ctx, HS_SEV_FATAL, HS_ERR_FORMAT, 0,
                   "not a minidump: signature is 0x%08x, expected 0x%08x (\"MDMP\")", h->signature,
                   MD_SIGNATURE);
        return false;
    }
    if ((h->version & 0xFFFF) != MD_VERSION)
        md_problem(ctx, HS_SEV_WARNING, HS_ERR_FORMAT, 4,
                   "version 0x%04x, expected 0x%04x; reading anyway", h->version & 0xFFFF,
                   MD_VERSION);
    return true;
}

/* Stream parse order: SystemInfo first (it decides how thread contexts are decoded), the thread
 * list before ThreadNames (names attach to threads), the rest in directory order. */
static void parse_all(md_ctx *ctx)
{
    hs_dump *d = ctx->dump;
    for (size_t i = 0; i < d->stream_count; i++)
        if (d->streams[i].used && d->streams[i].type == HS_STREAM_SYSTEM_INFO)
            parse_stream(ctx, i);
    for (size_t i = 0; i < d->stream_count; i++) {
        const hs_md_stream *s = &d->streams[i];
        if (s->used && s->type != HS_STREAM_SYSTEM_INFO && s->type != HS_STREAM_THREAD_NAMES)
            parse_stream(ctx, i);
    }
    for (size_t i = 0; i < d->stream_count; i++)
        if (d->streams[i].used && d->streams[i].type == HS_STREAM_THREAD_NAMES)
            parse_stream(ctx, i);
    md_drop_aliased_ranges(ctx);
}

static hs_dump *dump_new(const char *name)
{
    hs_dump *d = hs_calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->arena = hs_arena_new(HS_MAX_ARENA_BYTES);
    if (!d->arena) {
        hs_free(d);
        return NULL;
    }
    d->problems.arena = d->arena;
    d->path =
        hs_arena_strndup(d->arena, name ? name : "<memory>", strlen(name ? name : "<memory>"));
    if (!d->path) {
        hs_arena_free(d->arena);
        hs_free(d);
        return NULL;
    }
    return d;
}

static void parse_source(hs_dump *d)
{
    md_ctx ctx = {.dump = d, .file = hs_reader_make(d->source.data, d->source.size)};
    if (!read_header(&ctx) || !read_directory(&ctx))
        return;
    d->valid = true;
    parse_all(&ctx);
}

hs_dump *hs_dump_open(const char *path, const hs_dump_options *options)
{
    hs_dump *d = dump_new(path);
    if (!d)
        return NULL;
    char err[512];
    hs_status st = hs_source_open_file(path, options ? &options->source_limits : NULL, &d->source,
                                       err, sizeof err);
    if (st != HS_OK) {
        hs_diag_add(&d->problems, HS_SEV_FATAL, st, "input", -1, "%s", err);
        return d;
    }
    parse_source(d);
    return d;
}

hs_dump *hs_dump_open_memory(const void *data, size_t size, const char *name,
                             const hs_dump_options *options)
{
    hs_dump *d = dump_new(name);
    if (!d)
        return NULL;
    char err[512];
    hs_status st = hs_source_from_memory(data, size, options ? &options->source_limits : NULL,
                                         &d->source, err, sizeof err);
    if (st != HS_OK) {
        hs_diag_add(&d->problems, HS_SEV_FATAL, st, "input", -1, "%s", err);
        return d;
    }
    parse_source(d);
    return d;
}

void hs_dump_free(hs_dump *d)
{
    if (!d)
        return;
    hs_source_close(&d->source);
    hs_diag_release(&d->problems);
    hs_arena_free(d->arena);
    hs_free(d);
}
