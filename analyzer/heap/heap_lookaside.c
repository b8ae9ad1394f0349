/* The XP / Server 2003 look-aside front end (heap-internals.md §4.2).
 *
 * A heap created growable and serialised gets, as its first allocation, an array of 128
 * _HEAP_LOOKASIDE lists (_HEAP.FrontEndHeap, FrontEndHeapType 1). A block the application frees
 * whose size is below 128 granules may be pushed on the list of its size instead of going back to
 * the back end: it stays busy in its header, so a back-end walk (and HeapWalk) counts it busy. The
 * list is an SLIST whose elements are the blocks' user addresses: RtlAllocateHeap hands the popped
 * element out as the allocation and finds its header one HEAP_ENTRY below it (Windows Server 2003
 * ntdll heap code, RtlAllocateHeap and RtlpAllocateFromHeapLookaside). So the first pointer of a
 * cached block's data is the next element, and _SLIST_HEADER.Depth counts the elements.
 *
 * Here: the table block is marked internal (the front end's own bookkeeping), and every block
 * found on a list is marked `cached`: still busy by count, but freed memory to the analyses. */
#include <inttypes.h>
#include <stdio.h>

#include "heap_walk_internal.h"

enum {
    LOOKASIDE_LISTS = 128,
    LOOKASIDE_SIZE_X86 = 0x30, /* _HEAP_LOOKASIDE, x86 (§3.5) */
    SLIST_DEPTH_X86 = 4,       /* _SLIST_HEADER {Next @0, Depth u16 @4, Sequence u16 @6} */
};

static hs_block *block_at(hs_heap *h, uint64_t entry)
{
    const hs_block *b = hs_heap_block_containing(h, entry);
    return b && b->address == entry ? &h->blocks[b - h->blocks] : NULL;
}

/* Follows look-aside list `index` (its head at `head`) from its first element; marks each block
 * cached. Errors are reported where the bad link is stored, which the dump holds. */
static void walk_one_list(walk_ctx *c, unsigned index, uint64_t head, uint64_t next,
                          unsigned declared_depth)
{
    hs_heap *h = c->h;
    const uint64_t gran = c->l->gran;
    uint64_t link_at = head;
    unsigned count = 0;
    char ex[40], fd[40];
    while (next != 0 && walk_step(c, link_at)) {
        hs_block *b = next >= gran ? block_at(h, next - gran) : NULL;
        if (!b || b->state != HS_BLOCK_BUSY || b->kind != HS_BLOCK_BACKEND ||
            b->size != index * gran) {
            snprintf(ex, sizeof ex, "a busy block of %u granules", index);
            snprintf(fd, sizeof fd, b ? "0x%" PRIx64 " bytes, %s" : "no block", b ? b->size : 0,
                     b && b->state == HS_BLOCK_BUSY ? "busy" : "not busy");
            walk_error(c, link_at, HS_CHECK_LOOKASIDE_LIST, ex, fd,
                       "look-aside list %u element 0x%" PRIx64
                       " is not the user data of a busy block of its size",
                       index, next);
            return;
        }
        if (b->cached) {
            walk_error(c, link_at, HS_CHECK_LIST_CYCLE, "", "",
                       "look-aside list %u reaches element 0x%" PRIx64 " a second time", index,
                       next);
            return;
        }
        b->cached = true;
        count++;
        uint32_t link;
        if (hs_as_read_u32(c->as, next, &link) != HS_OK) {
            walk_missing(c, next, 4);
            return;
        }
        link_at = next;
        next = link;
    }
    if (next == 0 && count != declared_depth) {
        snprintf(ex, sizeof ex, "%u", declared_depth);
        snprintf(fd, sizeof fd, "%u", count);
        walk_error(c, head, HS_CHECK_LOOKASIDE_LIST, ex, fd,
                   "look-aside list %u holds %u blocks, its header says %u", index, count,
                   declared_depth);
    }
}

void walk_lookaside(walk_ctx *c)
{
    hs_heap *h = c->h;
    const hs_heap_layout *l = c->l;
    /* The x64 _SLIST_HEADER packs its pointer into bit fields; no 64-bit XP dump with heap memory
     * is at hand to check a decoder against, so only x86 is read. */
    if (l->gen != HS_HEAP_GEN_NT5 || l->ptr != 4 || h->front_end_type != 1 ||
        h->front_end_heap == 0)
        return;
    const uint64_t table_bytes = (uint64_t)LOOKASIDE_LISTS * LOOKASIDE_SIZE_X86;
    hs_block *table =
        h->front_end_heap >= l->gran ? block_at(h, h->front_end_heap - l->gran) : NULL;
    if (!table || table->state != HS_BLOCK_BUSY || table->size < l->gran + table_bytes) {
        char ex[40];
        snprintf(ex, sizeof ex, "a busy block of >= 0x%" PRIx64 " bytes", l->gran + table_bytes);
        walk_error(c, h->handle + l->front_end_heap, HS_CHECK_LOOKASIDE_LIST, ex,
                   table ? "too small or not busy" : "no block",
                   "FrontEndHeap 0x%" PRIx64
                   " is not the user data of a block holding 128 look-aside lists",
                   h->front_end_heap);
        return;
    }
    table->state = HS_BLOCK_INTERNAL;
    hs_reader rd;
    if (hs_as_reader(c->as, h->front_end_heap, table_bytes, &rd) != HS_OK) {
        walk_missing(c, h->front_end_heap, table_bytes);
        return;
    }
    for (unsigned i = 0; i < LOOKASIDE_LISTS; i++) {
        uint32_t first = 0;
        uint16_t depth = 0;
        if (hs_rd_u32_at(&rd, (uint64_t)i * LOOKASIDE_SIZE_X86, &first) != HS_OK ||
            hs_rd_u16_at(&rd, (uint64_t)i * LOOKASIDE_SIZE_X86 + SLIST_DEPTH_X86, &depth) != HS_OK)
            break;
        if (first != 0 || depth != 0)
            walk_one_list(c, i, h->front_end_heap + (uint64_t)i * LOOKASIDE_SIZE_X86, first, depth);
    }
}
