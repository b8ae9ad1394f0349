/* Where a dump's bytes come from. A plain file is mapped read-only, never copied; a gzip file
 * (recognised by its magic bytes, not its name) is inflated with zlib into memory, or into an
 * anonymous temporary file once it grows large. The rest of the tool sees only (data, size). */
#ifndef HS_SOURCE_H
#define HS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef enum hs_source_kind {
    HS_SOURCE_EMPTY = 0,
    HS_SOURCE_MAPPED,   /* data is an mmap of a file (or of the inflated temporary file) */
    HS_SOURCE_OWNED,    /* data is a malloc'd buffer */
    HS_SOURCE_BORROWED, /* data belongs to the caller */
} hs_source_kind;

typedef struct hs_source {
    const uint8_t *data;
    size_t size;
    hs_source_kind kind;
    bool inflated;       /* the input was gzip and data holds its inflated contents */
    uint64_t input_size; /* bytes of the input itself (compressed size for gzip) */
} hs_source;

typedef struct hs_source_limits {
    uint64_t max_inflated_bytes; /* 0: HS_MAX_INFLATED_BYTES */
} hs_source_limits;

/* Opens path. On failure returns a status and writes a sentence (without the path) to err. */
HS_NODISCARD hs_status hs_source_open_file(const char *path, const hs_source_limits *limits,
                                           hs_source *out, char *err, size_t err_size);
/* Uses caller-owned bytes: borrowed when they are a plain dump, inflated when they are gzip. */
HS_NODISCARD hs_status hs_source_from_memory(const void *data, size_t size,
                                             const hs_source_limits *limits, hs_source *out,
                                             char *err, size_t err_size);
/* True when the bytes start with the gzip magic (1f 8b). */
bool hs_source_is_gzip(const void *data, size_t size);
/* Releases the mapping or buffer. Accepts a zeroed source. */
void hs_source_close(hs_source *src);

#endif
