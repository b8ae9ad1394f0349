/* A bump allocator that owns everything parsed from one dump, freed in one call.
 * Allocations are zeroed and 16-byte aligned; the arena refuses to grow past its byte limit. */
#ifndef HS_ARENA_H
#define HS_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct hs_arena hs_arena;

/* A new arena that will hold at most max_bytes in total; NULL when out of memory. */
hs_arena *hs_arena_new(uint64_t max_bytes);
/* Frees the arena and every allocation made from it. Accepts NULL. */
void hs_arena_free(hs_arena *a);
/* n zeroed bytes, or NULL when out of memory or over the arena's limit. */
void *hs_arena_alloc(hs_arena *a, size_t n);
/* count*size zeroed bytes with the multiplication checked; NULL on overflow or exhaustion. */
void *hs_arena_array(hs_arena *a, size_t count, size_t size);
/* A NUL-terminated copy of n bytes of s (which need not be terminated). */
char *hs_arena_strndup(hs_arena *a, const char *s, size_t n);
/* A formatted string allocated in the arena. */
char *hs_arena_printf(hs_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
