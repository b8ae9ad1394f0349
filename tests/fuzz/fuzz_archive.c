/* libFuzzer target: bytes → the archive and compressed-stream reader (analyzer/batch/unpack.c),
 * with small limits so that every input is cheap. Invariants: every event names a chain that
 * starts with the input's name; a dump event carries bytes that start with "MDMP" and respect
 * --max-member-size; nothing is left allocated (LeakSanitizer). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool check_event(void *ctx, hs_unpack_event *ev)
{
    const hs_unpack_limits *limits = ctx;
    if (strncmp(ev->chain, "fuzz", 4) != 0)
        abort();
    if (ev->kind == HS_UNPACK_DUMP) {
        if (!ev->blob.data || ev->blob.size < 4 || memcmp(ev->blob.data, "MDMP", 4) != 0)
            abort();
        if (ev->blob.size > limits->max_member_bytes && ev->chain[4] == '!')
            abort();
    } else if (!ev->reason) {
        abort();
    }
    hs_blob_free(&ev->blob);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_unpack_limits limits;
    hs_unpack_limits_default(&limits);
    limits.max_member_bytes = 8u << 20;
    limits.max_total_bytes = 32u << 20;
    limits.max_ratio = 200;
    limits.spill_bytes = 1u << 20;
    hs_unpack_memory(data, size, "fuzz", &limits, check_event, &limits);
    return 0;
}
