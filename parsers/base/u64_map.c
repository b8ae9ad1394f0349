#include "u64_map.h"

#include <string.h>

#include "alloc.h"

/* Fibonacci hashing of the key's upper bits: heap handles are 64 KB aligned, so low bits carry
 * nothing. */
static size_t slot_of(const hs_u64_map *m, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & m->mask;
}

static bool alloc_slots(hs_u64_map *m, size_t cap)
{
    m->keys = hs_calloc(cap, sizeof *m->keys);
    m->values = hs_calloc(cap, sizeof *m->values);
    m->mask = cap - 1;
    m->count = 0;
    if (!m->keys || !m->values) {
        hs_free(m->keys);
        hs_free(m->values);
        m->keys = NULL;
        m->values = NULL;
        return false;
    }
    return true;
}

bool hs_u64_map_init(hs_u64_map *m, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2 + 2)
        cap *= 2;
    return alloc_slots(m, cap);
}

void hs_u64_map_release(hs_u64_map *m)
{
    hs_free(m->keys);
    hs_free(m->values);
    memset(m, 0, sizeof *m);
}

static bool grow(hs_u64_map *m)
{
    hs_u64_map bigger;
    if (!alloc_slots(&bigger, (m->mask + 1) * 2))
        return false;
    for (size_t i = 0; i <= m->mask; i++)
        if (m->keys[i])
            hs_u64_map_insert(&bigger, m->keys[i], m->values[i]);
    hs_u64_map_release(m);
    *m = bigger;
    return true;
}

int64_t hs_u64_map_insert(hs_u64_map *m, uint64_t key, uint32_t value)
{
    if (key == 0 || !m->keys)
        return -1;
    if ((m->count + 1) * 2 > m->mask + 1 && !grow(m))
        return -1;
    size_t i = slot_of(m, key);
    while (m->keys[i] && m->keys[i] != key)
        i = (i + 1) & m->mask;
    if (m->keys[i] == key)
        return m->values[i];
    m->keys[i] = key;
    m->values[i] = value;
    m->count++;
    return value;
}

int64_t hs_u64_map_find(const hs_u64_map *m, uint64_t key)
{
    if (key == 0 || !m->keys)
        return -1;
    size_t i = slot_of(m, key);
    while (m->keys[i]) {
        if (m->keys[i] == key)
            return m->values[i];
        i = (i + 1) & m->mask;
    }
    return -1;
}
