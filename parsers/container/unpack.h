/* What one input holds: a dump, an archive or compressed stream of further inputs, or something
 * else. Archives (zip, 7z, cab, tar, rar) and compressed streams (gzip, bzip2, xz, zstd) are read
 * with libarchive, nested up to a depth, each member inflated into memory or, past a size, into an
 * anonymous temporary file — never onto disk under a name taken from the archive. Dumps are
 * recognised by their MDMP signature, not by name.
 *
 * Limits guard against archive bombs: bytes per member, bytes expanded per top-level input, the
 * expansion ratio of a member and the nesting depth. A member over a limit is refused with a
 * message and the rest of the archive is still read. */
#ifndef HS_UNPACK_H
#define HS_UNPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hs_unpack_limits {
    uint64_t max_member_bytes; /* one member or decompressed stream */
    uint64_t max_total_bytes;  /* everything expanded from one top-level input */
    uint64_t max_ratio;        /* expanded bytes / compressed bytes read, for one member */
    unsigned max_depth;        /* archives inside archives: 1 = members of the input itself */
    uint64_t spill_bytes;      /* members larger than this go to an anonymous temporary file */
} hs_unpack_limits;

/* Defaults: 16 GiB per member, 64 GiB per input, ratio 1000 (beyond deflate's ~1032 maximum only
 * with nesting or other codecs), depth 4, spill past 256 MiB. */
void hs_unpack_limits_default(hs_unpack_limits *limits);

/* Bytes of one member: a malloc'd buffer or a read-only mapping of an anonymous temporary file. */
typedef struct hs_blob {
    uint8_t *data;
    size_t size;
    bool mapped;
} hs_blob;

void hs_blob_free(hs_blob *blob);

typedef enum hs_unpack_kind {
    HS_UNPACK_DUMP,    /* a minidump: in path (a plain file to map) or in blob */
    HS_UNPACK_SKIPPED, /* not a dump (reason says why); not an error */
    HS_UNPACK_ERROR,   /* could not be read or was refused by a limit (reason says why) */
} hs_unpack_kind;

typedef struct hs_unpack_event {
    hs_unpack_kind kind;
    const char *chain; /* "ticket.zip!crash/app.dmp": the input, then each member name after '!' */
    const char
        *path;    /* HS_UNPACK_DUMP of a plain file: the file; NULL when the bytes are in blob */
    hs_blob blob; /* HS_UNPACK_DUMP from an archive or a compressed stream: owned by the sink */
    const char *reason; /* HS_UNPACK_SKIPPED / HS_UNPACK_ERROR */
} hs_unpack_event;

/* Receives each event in input order; returns false to stop the walk (the sink owns ev->blob
 * either way). */
typedef bool (*hs_unpack_sink)(void *ctx, hs_unpack_event *ev);

/* Walks the file at path (a dump, an archive, a compressed stream or anything else), calling sink
 * for every dump, skipped item and error in order. Returns false when the sink stopped it. */
bool hs_unpack_file(const char *path, const hs_unpack_limits *limits, hs_unpack_sink sink,
                    void *ctx);
/* The same for bytes in memory (borrowed) named name: a dump among them arrives as a blob copy. */
bool hs_unpack_memory(const void *data, size_t size, const char *name,
                      const hs_unpack_limits *limits, hs_unpack_sink sink, void *ctx);

#endif
