/* Fuzz target: the minidump container and every stream parser (parsers/minidump.h), then every
 * accessor the parsed dump offers and the `info` report (JSON and text) built from it.
 * Invariants: fz_check_dump (memory ranges inside the file, limits, sorted tables, terminated
 * strings, lookups that agree with the arrays). */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "info_report.h"

/* A gzip input is inflated before parsing; cap what it may inflate to so that a small
 * decompression bomb costs milliseconds here (the real limit, HS_MAX_INFLATED_BYTES, is 64 GB). */
enum { FUZZ_MAX_INFLATED = 64u << 20 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        abort();
    hs_dump_options opt = {.source_limits = {.max_inflated_bytes = FUZZ_MAX_INFLATED}};
    hs_dump *d = hs_dump_open_memory(data, size, "fuzz.dmp", &opt);
    if (!d)
        return 0;
    fz_check_dump(d);
    static const uint32_t types[] = {
        HS_STREAM_THREAD_LIST,
        HS_STREAM_MODULE_LIST,
        HS_STREAM_MEMORY_LIST,
        HS_STREAM_EXCEPTION,
        HS_STREAM_SYSTEM_INFO,
        HS_STREAM_THREAD_EX_LIST,
        HS_STREAM_MEMORY64_LIST,
        HS_STREAM_COMMENT_A,
        HS_STREAM_COMMENT_W,
        HS_STREAM_HANDLE_DATA,
        HS_STREAM_UNLOADED_MODULE_LIST,
        HS_STREAM_MISC_INFO,
        HS_STREAM_MEMORY_INFO_LIST,
        HS_STREAM_THREAD_INFO_LIST,
        HS_STREAM_THREAD_NAMES,
        HS_STREAM_BREAKPAD_INFO,
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        const hs_md_stream *s = hs_dump_find_stream(d, types[i]);
        FZ_CHECK(!s || (s->type == types[i] && s->used), "hs_dump_find_stream(%u)", types[i]);
    }
    (void)hs_dump_find_thread(d, 0);
    /* The info report reads every parsed field, as a person would see it. */
    hs_address_space *as = d->valid ? hs_as_build(d) : NULL;
    json_t *j = hs_info_json(d, as);
    if (j) {
        char *text = json_dumps(j, JSON_COMPACT);
        free(text);
        json_decref(j);
    }
    hs_info_text(devnull, d, as);
    hs_as_free(as);
    hs_dump_free(d);
    return 0;
}
