#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "checked.h"

/* Chunks grow geometrically so a dump with thousands of modules costs a handful of mallocs. */
enum { ARENA_MIN_CHUNK = 16 * 1024, ARENA_ALIGN = 16 };

struct chunk {
    struct chunk *next;
    size_t cap;
    size_t used;
    _Alignas(16) unsigned char data[];
};

struct hs_arena {
    struct chunk *head;
    uint64_t total;
    uint64_t max_bytes;
    size_t next_chunk;
};

hs_arena *hs_arena_new(uint64_t max_bytes)
{
    hs_arena *a = hs_calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->max_bytes = max_bytes;
    a->next_chunk = ARENA_MIN_CHUNK;
    return a;
}

void hs_arena_free(hs_arena *a)
{
    if (!a)
        return;
    struct chunk *c = a->head;
    while (c) {
        struct chunk *next = c->next;
        hs_free(c);
        c = next;
    }
    hs_free(a);
}

void *hs_arena_alloc(hs_arena *a, size_t n)
{
    size_t rounded;
    if (!a || !hs_add_size(n, ARENA_ALIGN - 1, &rounded))
        return NULL;
    rounded &= ~(size_t)(ARENA_ALIGN - 1);
    if (rounded == 0)
        rounded = ARENA_ALIGN;

    struct chunk *c = a->head;
    if (!c || c->cap - c->used < rounded) {
        size_t cap = a->next_chunk;
        if (cap < rounded)
            cap = rounded;
        uint64_t new_total;
        if (!hs_add_u64(a->total, cap, &new_total) || new_total > a->max_bytes)
            return NULL;
        size_t alloc_size;
        if (!hs_add_size(sizeof(struct chunk), cap, &alloc_size))
            return NULL;
        c = hs_malloc(alloc_size);
        if (!c)
            return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->total = new_total;
        if (a->next_chunk < (SIZE_MAX / 4) && a->next_chunk < (64u << 20))
            a->next_chunk *= 2;
    }
    void *p = c->data + c->used;
    c->used += rounded;
    memset(p, 0, n);
    return p;
}

void *hs_arena_array(hs_arena *a, size_t count, size_t size)
{
    size_t n;
    if (!hs_mul_size(count, size, &n))
        return NULL;
    return hs_arena_alloc(a, n);
}

char *hs_arena_strndup(hs_arena *a, const char *s, size_t n)
{
    size_t total;
    if (!hs_add_size(n, 1, &total))
        return NULL;
    char *p = hs_arena_alloc(a, total);
    if (p && n)
        memcpy(p, s, n);
    return p;
}

char *hs_arena_printf(hs_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = hs_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
