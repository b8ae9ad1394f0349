/* Path chains as the batch reports print them ("ticket.zip!crash/app.dmp"), opened again by
 * `info`, `heaps` and `facts`, so a line of a batch report can be followed up directly. */
#ifndef HS_CHAIN_H
#define HS_CHAIN_H

#include <stddef.h>

#include "minidump.h"
#include "unpack.h"

/* Opens the dump at path: a file, or a member named by a chain when no file has that name. The
 * member's bytes are kept in *keep (free it with hs_blob_free after hs_dump_free). Returns NULL
 * with a sentence in err when the chain names nothing readable, or when out of memory. */
hs_dump *hs_chain_open(const char *path, hs_blob *keep, char *err, size_t err_size);

/* When path is no file but a chain whose outermost part is one, returns that file's path (the
 * caller frees it with hs_free); otherwise NULL. */
char *hs_chain_outer(const char *path);

/* Unpacks the outermost file of the chain and passes on to sink only the events of the member it
 * names (or, for a nested archive, of everything inside it). Reports an error event when nothing
 * matches. Returns false when the sink stopped the walk. */
bool hs_chain_unpack(const char *chain, const char *outer, const hs_unpack_limits *limits,
                     hs_unpack_sink sink, void *ctx);

#endif
