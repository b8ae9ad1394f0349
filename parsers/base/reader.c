#include "reader.h"

#include <string.h>

#include "checked.h"

hs_reader hs_reader_make(const void *base, size_t len)
{
    /* An empty window still points at a real object, so base + 0 is never NULL arithmetic. */
    static const uint8_t empty[1];
    hs_reader r = {base ? base : empty, base ? len : 0, 0};
    return r;
}

/* The single place where a window is checked: off and n are validated as integers before any
 * pointer is formed. */
static bool window_has(const hs_reader *r, uint64_t off, uint64_t n)
{
    return hs_range_within(off, n, r->len);
}

static uint64_t load_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static hs_status read_le(hs_reader *r, unsigned n, uint64_t *out)
{
    if (!window_has(r, r->pos, n))
        return HS_ERR_TRUNCATED;
    *out = load_le(r->base + r->pos, n);
    r->pos += n;
    return HS_OK;
}

static hs_status read_le_at(const hs_reader *r, uint64_t off, unsigned n, uint64_t *out)
{
    if (!window_has(r, off, n))
        return HS_ERR_TRUNCATED;
    *out = load_le(r->base + off, n);
    return HS_OK;
}

hs_status hs_rd_u8(hs_reader *r, uint8_t *out)
{
    uint64_t v;
    hs_status st = read_le(r, 1, &v);
    if (st == HS_OK)
        *out = (uint8_t)v;
    return st;
}

hs_status hs_rd_u16(hs_reader *r, uint16_t *out)
{
    uint64_t v;
    hs_status st = read_le(r, 2, &v);
    if (st == HS_OK)
        *out = (uint16_t)v;
    return st;
}

hs_status hs_rd_u32(hs_reader *r, uint32_t *out)
{
    uint64_t v;
    hs_status st = read_le(r, 4, &v);
    if (st == HS_OK)
        *out = (uint32_t)v;
    return st;
}

hs_status hs_rd_u64(hs_reader *r, uint64_t *out) { return read_le(r, 8, out); }

hs_status hs_rd_bytes(hs_reader *r, void *dst, size_t n)
{
    if (!window_has(r, r->pos, n))
        return HS_ERR_TRUNCATED;
    if (n)
        memcpy(dst, r->base + r->pos, n);
    r->pos += n;
    return HS_OK;
}

hs_status hs_rd_skip(hs_reader *r, uint64_t n)
{
    if (!window_has(r, r->pos, n))
        return HS_ERR_TRUNCATED;
    r->pos += (size_t)n;
    return HS_OK;
}

hs_status hs_rd_seek(hs_reader *r, uint64_t pos)
{
    if (pos > r->len)
        return HS_ERR_TRUNCATED;
    r->pos = (size_t)pos;
    return HS_OK;
}

hs_status hs_rd_view(hs_reader *r, size_t n, const uint8_t **out)
{
    if (!window_has(r, r->pos, n))
        return HS_ERR_TRUNCATED;
    *out = r->base + r->pos;
    r->pos += n;
    return HS_OK;
}

size_t hs_reader_strnlen(const hs_reader *r)
{
    size_t left = r->len - r->pos;
    const uint8_t *nul = left ? memchr(r->base + r->pos, 0, left) : NULL;
    return nul ? (size_t)(nul - (r->base + r->pos)) : left;
}

hs_status hs_rd_u16_at(const hs_reader *r, uint64_t off, uint16_t *out)
{
    uint64_t v;
    hs_status st = read_le_at(r, off, 2, &v);
    if (st == HS_OK)
        *out = (uint16_t)v;
    return st;
}

hs_status hs_rd_u32_at(const hs_reader *r, uint64_t off, uint32_t *out)
{
    uint64_t v;
    hs_status st = read_le_at(r, off, 4, &v);
    if (st == HS_OK)
        *out = (uint32_t)v;
    return st;
}

hs_status hs_rd_u64_at(const hs_reader *r, uint64_t off, uint64_t *out)
{
    return read_le_at(r, off, 8, out);
}

hs_status hs_rd_ptr_at(const hs_reader *r, uint64_t off, unsigned ptr_size, uint64_t *out)
{
    if (ptr_size != 4 && ptr_size != 8)
        return HS_ERR_USAGE;
    return read_le_at(r, off, ptr_size, out);
}

hs_status hs_reader_sub(const hs_reader *r, uint64_t off, uint64_t len, hs_reader *out)
{
    if (!window_has(r, off, len))
        return HS_ERR_TRUNCATED;
    *out = hs_reader_make(r->base + off, (size_t)len);
    return HS_OK;
}

hs_status hs_reader_take(hs_reader *r, uint64_t len, hs_reader *out)
{
    hs_status st = hs_reader_sub(r, r->pos, len, out);
    if (st == HS_OK)
        r->pos += (size_t)len;
    return st;
}
