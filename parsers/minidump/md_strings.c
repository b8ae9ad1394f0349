/* MINIDUMP_STRING and UTF-16 decoding for the stream parsers. */
#include <stdio.h>
#include <string.h>

#include "hs_limits.h"
#include "md_internal.h"

static size_t put_utf8(char *dst, uint32_t cp)
{
    if (cp < 0x80) {
        dst[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        dst[0] = (char)(0xC0 | (cp >> 6));
        dst[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        dst[0] = (char)(0xE0 | (cp >> 12));
        dst[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        dst[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    dst[0] = (char)(0xF0 | (cp >> 18));
    dst[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    dst[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    dst[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

hs_status md_utf16_to_utf8(hs_arena *arena, hs_reader *r, size_t n_units, const char **out)
{
    /* At most 3 UTF-8 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units). */
    if (n_units > HS_MAX_STRING_BYTES)
        return HS_ERR_LIMIT;
    char *buf = hs_arena_alloc(arena, n_units * 3 + 1);
    if (!buf)
        return HS_ERR_NOMEM;
    size_t len = 0;
    for (size_t i = 0; i < n_units; i++) {
        uint16_t u;
        hs_status st = hs_rd_u16(r, &u);
        if (st != HS_OK)
            return st;
        if (u == 0)
            break;
        uint32_t cp = u;
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint16_t lo = 0;
            if (i + 1 < n_units && hs_rd_u16_at(r, r->pos, &lo) == HS_OK && lo >= 0xDC00 &&
                lo <= 0xDFFF && hs_rd_skip(r, 2) == HS_OK) {
                i++;
                cp = 0x10000 + (((uint32_t)u - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
            } else {
                cp = 0xFFFD;
            }
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            cp = 0xFFFD;
        }
        len += put_utf8(buf + len, cp);
    }
    buf[len] = '\0';
    *out = buf;
    return HS_OK;
}

hs_status md_read_string(md_ctx *ctx, uint32_t rva, const char **out)
{
    uint32_t nbytes;
    hs_status st = hs_rd_u32_at(&ctx->file, rva, &nbytes);
    if (st != HS_OK)
        return st;
    if (nbytes > HS_MAX_STRING_BYTES)
        return HS_ERR_LIMIT;
    hs_reader sr;
    st = hs_reader_sub(&ctx->file, (uint64_t)rva + 4, nbytes, &sr);
    if (st != HS_OK)
        return st;
    return md_utf16_to_utf8(ctx->dump->arena, &sr, nbytes / 2, out);
}
