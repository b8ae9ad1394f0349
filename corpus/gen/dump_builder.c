#include "dump_builder.h"

#include <stdlib.h>
#include <string.h>

void bv_put(bytevec *v, const void *p, size_t n)
{
    if (v->len + n > v->cap) {
        size_t cap = v->cap ? v->cap : 256;
        while (cap < v->len + n)
            cap *= 2;
        v->data = realloc(v->data, cap);
        if (!v->data)
            abort();
        v->cap = cap;
    }
    if (n)
        memcpy(v->data + v->len, p, n);
    v->len += n;
}

void bv_u8(bytevec *v, uint8_t x) { bv_put(v, &x, 1); }
void bv_u16(bytevec *v, uint16_t x)
{
    uint8_t b[2] = {(uint8_t)x, (uint8_t)(x >> 8)};
    bv_put(v, b, 2);
}
void bv_u32(bytevec *v, uint32_t x)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(x >> (8 * i));
    bv_put(v, b, 4);
}
void bv_u64(bytevec *v, uint64_t x)
{
    bv_u32(v, (uint32_t)x);
    bv_u32(v, (uint32_t)(x >> 32));
}
void bv_zero(bytevec *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bv_u8(v, 0);
}
void bv_free(bytevec *v)
{
    free(v->data);
    memset(v, 0, sizeof *v);
}
void bv_set_u32(bytevec *v, size_t off, uint32_t x)
{
    for (int i = 0; i < 4; i++)
        v->data[off + (size_t)i] = (uint8_t)(x >> (8 * i));
}

void db_init(dump_builder *b)
{
    memset(b, 0, sizeof *b);
    bv_zero(&b->file, 32 + 12 * DB_MAX_STREAMS);
}

uint32_t db_blob(dump_builder *b, const void *p, size_t n)
{
    uint32_t rva = (uint32_t)b->file.len;
    bv_put(&b->file, p, n);
    return rva;
}

uint32_t db_string(dump_builder *b, const char *ascii)
{
    uint32_t rva = (uint32_t)b->file.len;
    size_t n = strlen(ascii);
    bv_u32(&b->file, (uint32_t)(n * 2));
    for (size_t i = 0; i < n; i++)
        bv_u16(&b->file, (uint8_t)ascii[i]);
    bv_u16(&b->file, 0);
    return rva;
}

void db_stream_at(dump_builder *b, uint32_t type, uint32_t rva, uint32_t size)
{
    if (b->n_streams >= DB_MAX_STREAMS)
        abort();
    b->type[b->n_streams] = type;
    b->rva[b->n_streams] = rva;
    b->size[b->n_streams] = size;
    b->n_streams++;
}

void db_stream(dump_builder *b, uint32_t type, const bytevec *content)
{
    uint32_t rva = db_blob(b, content->data, content->len);
    db_stream_at(b, type, rva, (uint32_t)content->len);
}

void db_finish(dump_builder *b)
{
    bytevec h = {0};
    bv_u32(&h, 0x504D444D);
    bv_u32(&h, 0xA793);
    bv_u32(&h, (uint32_t)b->n_streams);
    bv_u32(&h, 32);
    bv_u32(&h, 0);
    bv_u32(&h, 0x5F000000);
    bv_u64(&h, b->flags);
    for (size_t i = 0; i < b->n_streams; i++) {
        bv_u32(&h, b->type[i]);
        bv_u32(&h, b->size[i]);
        bv_u32(&h, b->rva[i]);
    }
    memcpy(b->file.data, h.data, h.len);
    bv_free(&h);
}

void db_system_info(bytevec *v, uint16_t arch, uint32_t major, uint32_t minor, uint32_t build,
                    uint32_t platform, uint32_t csd_rva)
{
    bv_u16(v, arch);
    bv_u16(v, 6);
    bv_u16(v, 0x0f01);
    bv_u8(v, 2);
    bv_u8(v, 1);
    bv_u32(v, major);
    bv_u32(v, minor);
    bv_u32(v, build);
    bv_u32(v, platform);
    bv_u32(v, csd_rva);
    bv_u16(v, 0);
    bv_u16(v, 0);
    bv_put(v, "GenuineIntel", 12);
    bv_zero(v, 12);
}

void db_memory_list(dump_builder *b, bytevec *v, const uint64_t *starts, const uint32_t *sizes,
                    size_t n)
{
    bv_u32(v, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        uint8_t *bytes = malloc(sizes[i] ? sizes[i] : 1);
        for (uint32_t k = 0; k < sizes[i]; k++)
            bytes[k] = (uint8_t)(0x10 * (i + 1) + (k & 0xF));
        uint32_t rva = db_blob(b, bytes, sizes[i]);
        free(bytes);
        bv_u64(v, starts[i]);
        bv_u32(v, sizes[i]);
        bv_u32(v, rva);
    }
}
