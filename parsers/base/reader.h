/* The one bounds-checked cursor every parser reads untrusted bytes through.
 *
 * A reader is a window (base, len) and a position inside it. Every read checks the window with
 * integer arithmetic before touching memory, decodes little-endian values byte by byte, and
 * advances only on success; a failed read leaves the reader unchanged and returns a status.
 * Sub-readers cover one record or stream, so a parser can never read outside what the file
 * declared for it. */
#ifndef HS_READER_H
#define HS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct hs_reader {
    const uint8_t *base;
    size_t len;
    size_t pos;
} hs_reader;

/* A reader over [base, base+len), positioned at 0. base may be NULL only when len is 0. */
hs_reader hs_reader_make(const void *base, size_t len);

static inline size_t hs_reader_remaining(const hs_reader *r) { return r->len - r->pos; }

/* Sequential little-endian reads at the current position; advance on success only. */
HS_NODISCARD hs_status hs_rd_u8(hs_reader *r, uint8_t *out);
HS_NODISCARD hs_status hs_rd_u16(hs_reader *r, uint16_t *out);
HS_NODISCARD hs_status hs_rd_u32(hs_reader *r, uint32_t *out);
HS_NODISCARD hs_status hs_rd_u64(hs_reader *r, uint64_t *out);
/* Copies n bytes to dst and advances. */
HS_NODISCARD hs_status hs_rd_bytes(hs_reader *r, void *dst, size_t n);
/* Advances by n bytes. */
HS_NODISCARD hs_status hs_rd_skip(hs_reader *r, uint64_t n);
/* Moves to absolute position pos (pos == len is allowed: an empty remainder). */
HS_NODISCARD hs_status hs_rd_seek(hs_reader *r, uint64_t pos);
/* Exposes n checked bytes at the current position (for hashing or bulk copies) and advances. */
HS_NODISCARD hs_status hs_rd_view(hs_reader *r, size_t n, const uint8_t **out);

/* Bytes from the current position up to (not including) the first NUL, or to the window's end. */
size_t hs_reader_strnlen(const hs_reader *r);

/* Absolute reads at offset off of the window; the position does not move. */
HS_NODISCARD hs_status hs_rd_u16_at(const hs_reader *r, uint64_t off, uint16_t *out);
HS_NODISCARD hs_status hs_rd_u32_at(const hs_reader *r, uint64_t off, uint32_t *out);
HS_NODISCARD hs_status hs_rd_u64_at(const hs_reader *r, uint64_t off, uint64_t *out);
/* A pointer-sized value: 4 or 8 bytes (ptr_size), zero-extended to 64 bits. */
HS_NODISCARD hs_status hs_rd_ptr_at(const hs_reader *r, uint64_t off, unsigned ptr_size,
                                    uint64_t *out);

/* A sub-reader over [off, off+len) of r's window (absolute, independent of r's position). */
HS_NODISCARD hs_status hs_reader_sub(const hs_reader *r, uint64_t off, uint64_t len,
                                     hs_reader *out);
/* A sub-reader over the next len bytes at the current position; advances r past them. */
HS_NODISCARD hs_status hs_reader_take(hs_reader *r, uint64_t len, hs_reader *out);

#endif
