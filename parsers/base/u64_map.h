/* An open-addressing hash map from non-zero 64-bit keys (heap handles, addresses) to indices: the
 * "fast set lookup" behind one-pass scans and duplicate detection. */
#ifndef HS_U64_MAP_H
#define HS_U64_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hs_u64_map {
    uint64_t *keys; /* 0 marks an empty slot */
    uint32_t *values;
    size_t mask;
    size_t count;
} hs_u64_map;

/* A map with room for at least `expected` keys before it grows. false when out of memory. */
bool hs_u64_map_init(hs_u64_map *m, size_t expected);
void hs_u64_map_release(hs_u64_map *m);
/* Inserts key → value unless the key is present; returns the value now stored for the key, or -1
 * when out of memory. Key 0 is not storable (returns -1). */
int64_t hs_u64_map_insert(hs_u64_map *m, uint64_t key, uint32_t value);
/* The value for key, or -1. */
int64_t hs_u64_map_find(const hs_u64_map *m, uint64_t key);

#endif
