/* Shared by the stream parsers of minidump.c; not part of the public API. */
#ifndef HS_MD_INTERNAL_H
#define HS_MD_INTERNAL_H

#include "minidump.h"
#include "reader.h"

/* What one stream parser works with: the dump being filled, the whole file, and the name used in
 * messages ("ModuleList (stream 4)"). */
typedef struct md_ctx {
    hs_dump *dump;
    hs_reader file;
    char where[64];
} md_ctx;

/* Records a problem against the current stream at a file offset (-1: none). */
void md_problem(md_ctx *ctx, hs_severity sev, hs_status st, int64_t offset, const char *fmt, ...)
    HS_PRINTF(5, 6);

/* Reads the u32 count that starts a list stream and positions sr at the first entry. Accepts the
 * 4 bytes of padding some writers put after the count; clips the count to the entries that fit in
 * the stream and to max_count, recording a problem for each adjustment. */
HS_NODISCARD hs_status md_list_count(md_ctx *ctx, hs_reader *sr, uint32_t stream_rva,
                                     size_t entry_size, size_t max_count, size_t *count);

/* The {SizeOfHeader, SizeOfEntry, NumberOfEntries} prefix shared by ThreadInfoList,
 * UnloadedModuleList, HandleData and MemoryInfoList: entries start at header_size and are
 * entry_size apart, so newer, longer records are read by their known prefix. */
typedef struct md_table {
    uint32_t header_size, entry_size;
    size_t count; /* entries that fit in the stream and the limit */
} md_table;

/* Reads the prefix (count is u64 when count64, else u32), checks header_size >= min_header and
 * entry_size >= min_entry, and clips the count to what fits and to max_count, recording a
 * problem for each adjustment. */
HS_NODISCARD hs_status md_table_read(md_ctx *ctx, hs_reader *sr, uint32_t min_header,
                                     uint32_t min_entry, bool count64, size_t max_count,
                                     md_table *t);
/* A reader over entry i of the table. */
HS_NODISCARD hs_status md_table_entry(const hs_reader *sr, const md_table *t, size_t i,
                                      hs_reader *out);

/* Reads a MINIDUMP_STRING (u32 byte length, UTF-16LE) at rva as UTF-8 allocated in the dump's
 * arena. Invalid UTF-16 becomes U+FFFD; a missing or oversized string returns an error status. */
HS_NODISCARD hs_status md_read_string(md_ctx *ctx, uint32_t rva, const char **out);
/* Converts n_units UTF-16LE code units from r to UTF-8 in the arena; stops at a NUL unit. */
HS_NODISCARD hs_status md_utf16_to_utf8(hs_arena *arena, hs_reader *r, size_t n_units,
                                        const char **out);

/* Stream parsers. Each reads only through sr (bounded to the stream) and ctx->file (for RVAs the
 * stream points to), fills ctx->dump, and records problems for what it skipped. */
hs_status md_parse_thread_list(md_ctx *ctx, hs_reader *sr, uint32_t rva, bool extended);
hs_status md_parse_thread_info_list(md_ctx *ctx, hs_reader *sr);
hs_status md_parse_thread_names(md_ctx *ctx, hs_reader *sr, uint32_t rva);
hs_status md_parse_module_list(md_ctx *ctx, hs_reader *sr, uint32_t rva);
hs_status md_parse_unloaded_module_list(md_ctx *ctx, hs_reader *sr);
hs_status md_parse_memory_list(md_ctx *ctx, hs_reader *sr, uint32_t rva);
hs_status md_parse_memory64_list(md_ctx *ctx, hs_reader *sr, uint32_t rva);
hs_status md_parse_memory_info_list(md_ctx *ctx, hs_reader *sr);
hs_status md_parse_system_info(md_ctx *ctx, hs_reader *sr);
hs_status md_parse_misc_info(md_ctx *ctx, hs_reader *sr);
hs_status md_parse_exception(md_ctx *ctx, hs_reader *sr);
hs_status md_parse_handle_data(md_ctx *ctx, hs_reader *sr);
hs_status md_parse_comment(md_ctx *ctx, hs_reader *sr, bool wide);
hs_status md_parse_breakpad_info(md_ctx *ctx, hs_reader *sr);

/* After every stream is parsed: drops memory ranges whose bytes in the file are also another
 * range's (of MemoryList and Memory64List together), so that the memory a dump presents is never
 * more than the file holds. */
void md_drop_aliased_ranges(md_ctx *ctx);

/* Decodes the thread context at (rva, size) of the file with the dump's architecture. */
void md_read_context(md_ctx *ctx, uint32_t rva, uint32_t size, hs_context *out, const char *what);

#endif
