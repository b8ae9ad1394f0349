#include "synthetic_process.h"

#include <stdlib.h>
#include <string.h>

enum {
    TEB = 0x7FFDE000, PEB = 0x7FFDF000, HEAP_LIST = PEB + 0x400, STACK = 0x0012F000,
    MEM_COMMIT = 0x1000, MEM_RESERVE = 0x2000, MEM_PRIVATE = 0x20000, MEM_IMAGE = 0x1000000,
    PAGE_READONLY = 2, PAGE_READWRITE = 4,
};
static const uint8_t key[8] = {0x5A, 0xA5, 0x3C, 0xC3, 0x11, 0x22, 0, 0};

uint8_t *synth_region_add(synth *s, uint32_t base, uint32_t size, uint32_t reserve, uint32_t type, uint32_t protect)
{
    if (s->region_count == SYNTH_MAX_REGIONS)
        abort();
    synth_region *r = &s->regions[s->region_count++];
    r->base = base;
    r->size = size;
    r->reserve = reserve < size ? size : reserve;
    r->type = type;
    r->protect = protect;
    r->bytes = calloc(1, size);
    return r->bytes;
}

void synth_write(synth *s, uint32_t va, const void *data, size_t n)
{
    for (size_t i = 0; i < s->region_count; i++) {
        synth_region *r = &s->regions[i];
        if (va >= r->base && va - r->base + n <= r->size) {
            memcpy(r->bytes + (va - r->base), data, n);
            return;
        }
    }
    abort();
}

void synth_put32(synth *s, uint32_t va, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    synth_write(s, va, b, 4);
}

static void put_entry(synth *s, uint32_t va, uint32_t size, uint8_t flags, uint32_t prev, uint8_t unused)
{
    uint16_t sg = (uint16_t)(size / 8), pg = (uint16_t)(prev / 8);
    uint8_t b[8] = {(uint8_t)sg, (uint8_t)(sg >> 8), flags, 0, (uint8_t)pg, (uint8_t)(pg >> 8), 0, unused};
    b[3] = b[0] ^ b[1] ^ b[2];
    for (int i = 0; i < 8; i++)
        b[i] ^= key[i];
    synth_write(s, va, b, 8);
}

void synth_init(synth *s)
{
    memset(s, 0, sizeof *s);
    synth_region_add(s, TEB, 0x1000, 0x1000, MEM_PRIVATE, PAGE_READWRITE);
    synth_region_add(s, PEB, 0x8000, 0x8000, MEM_PRIVATE, PAGE_READWRITE); /* room for 7936 heap handles */
    s->stack_base = STACK;
    s->stack_size = 0x1000;
    synth_region_add(s, STACK, 0x1000, 0x1000, MEM_PRIVATE, PAGE_READWRITE);
    synth_put32(s, TEB + 0x18, TEB);
    synth_put32(s, TEB + 0x30, PEB);
    synth_put32(s, PEB + 0x8C, SYNTH_MAX_HEAPS);
    synth_put32(s, PEB + 0x90, HEAP_LIST);
}

void synth_heap(synth *s, uint32_t base, uint32_t flags, const uint32_t *sizes, size_t n, uint32_t *user)
{
    const uint32_t header = 0x588, sentinel = 0x20, reserve = 0x10000;
    uint32_t used = header + sentinel;
    for (size_t i = 0; i < n; i++)
        used += sizes[i];
    uint32_t commit = (used + 0x20 + 0xFFF) & ~0xFFFu; /* room for at least one free block */
    if (commit < used + 0x20)
        commit += 0x1000;
    synth_region_add(s, base, commit, reserve, MEM_PRIVATE, PAGE_READWRITE);
    uint32_t first = base + header, last_valid = base + reserve;
    put_entry(s, base, header, 0x01, 0, 1);
    synth_put32(s, base + 0x08, 0xFFEEFFEE);
    synth_put32(s, base + 0x10, base + 0xA8);
    synth_put32(s, base + 0x14, base + 0xA8);
    synth_put32(s, base + 0x18, base);
    synth_put32(s, base + 0x1C, base);
    synth_put32(s, base + 0x20, reserve / 0x1000);
    synth_put32(s, base + 0x24, first);
    synth_put32(s, base + 0x28, last_valid);
    synth_put32(s, base + 0x2C, (reserve - commit) / 0x1000);
    synth_put32(s, base + 0x30, 1);
    synth_put32(s, base + 0x40, flags);
    synth_put32(s, base + 0x4C, 0x00100000);
    synth_write(s, base + 0x50, key, 8);
    synth_put32(s, base + 0x64, 0xEEFFEEFF);
    synth_put32(s, base + 0x80, (uint32_t)s->heap_count + 1);
    synth_put32(s, base + 0xA0, base + 0xA0);
    synth_put32(s, base + 0xA4, base + 0xA0);
    synth_put32(s, base + 0xA8, base + 0x10);
    synth_put32(s, base + 0xAC, base + 0x10);
    uint32_t at = first, prev = header;
    for (size_t i = 0; i < n; i++) {
        put_entry(s, at, sizes[i], 0x01, prev, 8);
        if (user)
            user[i] = at + 8;
        prev = sizes[i];
        at += sizes[i];
    }
    uint32_t sent = base + commit - sentinel, free_size = sent - at;
    put_entry(s, at, free_size, 0x00, prev, 0);
    synth_put32(s, at + 8, base + 0xC4);
    synth_put32(s, at + 12, base + 0xC4);
    synth_put32(s, base + 0xC4, at + 8);
    synth_put32(s, base + 0xC8, at + 8);
    synth_put32(s, base + 0x78, free_size / 8);
    put_entry(s, sent, sentinel, 0x01, free_size, 3);
    synth_put32(s, sent + 16, base + 0x38);
    synth_put32(s, sent + 20, base + 0x38);
    synth_put32(s, sent + 24, base + commit);
    synth_put32(s, sent + 28, reserve - commit);
    synth_put32(s, base + 0x38, sent + 16);
    synth_put32(s, base + 0x3C, sent + 16);

    if (s->heap_count == 0)
        synth_put32(s, PEB + 0x18, base);
    s->heaps[s->heap_count++] = base;
    synth_put32(s, PEB + 0x88, (uint32_t)s->heap_count);
}

void synth_module_add(synth *s, const char *name, uint32_t base, uint32_t size, uint32_t version_ms,
                      uint32_t version_ls)
{
    synth_module *m = &s->modules[s->module_count++];
    m->name = name;
    m->base = base;
    m->size = size + 0x1000;
    m->data_base = base + size;
    m->data_size = 0x1000;
    m->version_ms = version_ms;
    m->version_ls = version_ls;
    synth_region_add(s, base, size, size, MEM_IMAGE, PAGE_READONLY);
    synth_region_add(s, m->data_base, 0x1000, 0x1000, MEM_IMAGE, PAGE_READWRITE);
}

void synth_finish(synth *s, dump_builder *b)
{
    /* The heap list: a copy in "ntdll data" is what Windows keeps; here it lives after the PEB. */
    for (size_t i = 0; i < s->heap_count; i++)
        synth_put32(s, HEAP_LIST + 4 * (uint32_t)i, s->heaps[i]);
    db_init(b);
    b->flags = s->memory_list_only ? 0x0 : 0x2;
    bytevec si = {0}, tl = {0}, ml = {0}, mods = {0}, mi = {0};
    db_system_info(&si, 0, 6, 1, 7601, 2, 0);
    db_stream(b, 7, &si);

    uint8_t ctx[0x2CC] = {0};
    ctx[2] = 0x01;
    ctx[0] = 0x07;
    uint32_t eax = s->thread_eax, esp = s->stack_base + 0x800;
    memcpy(ctx + 0xB0, &eax, 4);
    memcpy(ctx + 0xC4, &esp, 4);
    uint32_t ctx_rva = db_blob(b, ctx, sizeof ctx);

    bv_u32(&ml, (uint32_t)s->region_count);
    uint32_t stack_rva = 0;
    for (size_t i = 0; i < s->region_count; i++) {
        synth_region *r = &s->regions[i];
        bool skip = s->memory_list_only && r->type == MEM_IMAGE;
        uint32_t rva = db_blob(b, r->bytes, skip ? 0 : r->size);
        if (r->base == s->stack_base)
            stack_rva = rva;
        bv_u64(&ml, r->base);
        bv_u32(&ml, skip ? 0 : r->size);
        bv_u32(&ml, rva);
    }
    bv_u32(&tl, 1);
    bv_u32(&tl, 0x5D4);
    bv_zero(&tl, 12);
    bv_u64(&tl, TEB);
    bv_u64(&tl, s->stack_base);
    bv_u32(&tl, s->stack_size);
    bv_u32(&tl, stack_rva);
    bv_u32(&tl, sizeof ctx);
    bv_u32(&tl, ctx_rva);
    db_stream(b, 3, &tl);
    db_stream(b, 5, &ml);

    bv_u32(&mods, (uint32_t)s->module_count);
    for (size_t i = 0; i < s->module_count; i++) {
        const synth_module *m = &s->modules[i];
        uint32_t name = db_string(b, m->name);
        bv_u64(&mods, m->base);
        bv_u32(&mods, m->size);
        bv_u32(&mods, 0);
        bv_u32(&mods, 0x3A000000);
        bv_u32(&mods, name);
        bv_u32(&mods, 0xFEEF04BD);
        bv_u32(&mods, 0x00010000);
        bv_u32(&mods, m->version_ms);
        bv_u32(&mods, m->version_ls);
        bv_zero(&mods, 9 * 4);
        bv_zero(&mods, 8 + 8 + 16);
    }
    db_stream(b, 4, &mods);

    if (!s->memory_list_only) {
        bv_u32(&mi, 16);
        bv_u32(&mi, 48);
        bv_u64(&mi, s->region_count);
        for (size_t i = 0; i < s->region_count; i++) {
            const synth_region *r = &s->regions[i];
            bv_u64(&mi, r->base);
            bv_u64(&mi, r->base);
            bv_u32(&mi, r->protect);
            bv_u32(&mi, 0);
            bv_u64(&mi, r->size);
            bv_u32(&mi, MEM_COMMIT);
            bv_u32(&mi, r->protect);
            bv_u32(&mi, r->type);
            bv_u32(&mi, 0);
        }
        db_stream(b, 16, &mi);
    }
    db_finish(b);
    bv_free(&si);
    bv_free(&tl);
    bv_free(&ml);
    bv_free(&mods);
    bv_free(&mi);
}

void synth_free(synth *s)
{
    for (size_t i = 0; i < s->region_count; i++)
        free(s->regions[i].bytes);
    s->region_count = 0;
}
