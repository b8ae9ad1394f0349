/* Free-list validation (heap-internals.md §3.8, §6.9): every element links back, is free, is in
 * order, and is a block the segment walk found; the counts and the total agree with the walk and
 * with _HEAP.TotalFreeSize. */
#include <inttypes.h>
#include <stdio.h>

#include "heap_walk_internal.h"

enum { NT5_FREE_LISTS = 128 };

typedef struct freelist_state {
    unsigned list;      /* NT5 bucket index; NT6: 0 */
    uint64_t last_size; /* for the ascending-order check */
    uint64_t elements;
    uint64_t bytes;
} freelist_state;

static bool is_walked_free_block(const hs_heap *h, uint64_t entry)
{
    const hs_block *b = hs_heap_block_containing(h, entry);
    return b && b->address == entry && b->state == HS_BLOCK_FREE && b->kind == HS_BLOCK_BACKEND;
}

static bool visit_free(walk_ctx *c, uint64_t element, void *arg)
{
    freelist_state *s = arg;
    const hs_heap_layout *l = c->l;
    uint64_t entry = element - l->gran; /* _HEAP_FREE_ENTRY.FreeList follows the header */
    hs_entry e;
    char ex[40], fd[40];
    if (walk_read_entry(c, entry, &e) != HS_OK) {
        walk_missing(c, entry, 2ull * l->gran);
        return false;
    }
    uint64_t size = (uint64_t)e.size * l->gran;
    if (e.flags & HS_ENTRY_BUSY)
        walk_error(c, entry, HS_CHECK_FREE_LIST_BUSY, "free", "busy",
                   "free-list element 0x%" PRIx64 " is marked busy (flags 0x%02x)", entry, e.flags);
    if (l->gen == HS_HEAP_GEN_NT5 && s->list != 0 && e.size != s->list) {
        snprintf(ex, sizeof ex, "%u", s->list);
        snprintf(fd, sizeof fd, "%u", e.size);
        walk_error(c, entry, HS_CHECK_FREE_LIST_ORDER, ex, fd,
                   "free block 0x%" PRIx64 " of %u granules is on FreeLists[%u]", entry, e.size,
                   s->list);
    } else if (size < s->last_size) {
        snprintf(ex, sizeof ex, ">= 0x%" PRIx64, s->last_size);
        snprintf(fd, sizeof fd, "0x%" PRIx64, size);
        walk_error(c, entry, HS_CHECK_FREE_LIST_ORDER, ex, fd,
                   "free block 0x%" PRIx64 " breaks the ascending size order of its free list",
                   entry);
    }
    if (c->h->walk_complete && !is_walked_free_block(c->h, entry))
        walk_error(c, entry, HS_CHECK_FREE_LIST_UNKNOWN, "a free block", "not found by the walk",
                   "free-list element 0x%" PRIx64 " is not a free block of any segment", entry);
    s->last_size = size;
    s->elements++;
    s->bytes += size;
    return true;
}

void walk_free_lists(walk_ctx *c)
{
    hs_heap *h = c->h;
    const hs_heap_layout *l = c->l;
    freelist_state total = {0};
    if (l->gen == HS_HEAP_GEN_NT6) {
        walk_list(c, h->handle + l->free_lists, "free list", visit_free, &total);
    } else {
        /* Most of the 128 lists are empty (Flink == &head): read the heads in one piece and walk
         * only the others. */
        hs_reader heads;
        bool have_heads = hs_as_reader(c->as, h->handle + l->free_lists,
                                       (uint64_t)NT5_FREE_LISTS * 2 * l->ptr, &heads) == HS_OK;
        for (unsigned i = 0; i < NT5_FREE_LISTS; i++) {
            uint64_t head = h->handle + l->free_lists + (uint64_t)i * 2 * l->ptr, flink;
            if (have_heads &&
                hs_rd_ptr_at(&heads, (uint64_t)i * 2 * l->ptr, l->ptr, &flink) == HS_OK &&
                flink == head)
                continue;
            freelist_state s = {.list = i};
            walk_list(c, head, "free list", visit_free, &s);
            total.elements += s.elements;
            total.bytes += s.bytes;
        }
    }
    if (!h->walk_complete)
        return; /* counts cannot be compared when part of the heap is absent */
    uint64_t walked = 0;
    for (size_t i = 0; i < h->block_count; i++)
        walked += h->blocks[i].state == HS_BLOCK_FREE && h->blocks[i].kind == HS_BLOCK_BACKEND;
    char ex[40], fd[40];
    if (walked != total.elements) {
        snprintf(ex, sizeof ex, "%" PRIu64, walked);
        snprintf(fd, sizeof fd, "%" PRIu64, total.elements);
        walk_error(c, h->handle + l->free_lists, HS_CHECK_FREE_LIST_COUNT, ex, fd,
                   "the segments hold %" PRIu64 " free blocks, the free lists %" PRIu64, walked,
                   total.elements);
    }
    if (total.bytes != h->total_free_size) {
        snprintf(ex, sizeof ex, "0x%" PRIx64, h->total_free_size);
        snprintf(fd, sizeof fd, "0x%" PRIx64, total.bytes);
        walk_error(c, h->handle + l->total_free_size, HS_CHECK_FREE_TOTAL, ex, fd,
                   "the free lists hold 0x%" PRIx64 " bytes; TotalFreeSize says 0x%" PRIx64,
                   total.bytes, h->total_free_size);
    }
}
