/* LFH resolution: UserBlocks containers (internal backend blocks whose user data starts with
 * _HEAP_USERDATA_HEADER, Signature 0xF0E0D0C0) are expanded into their chunks.
 * Vista/7 (heap-internals.md §4.3): busy ⇔ (UnusedBytes & 0x3F) != 0 in the chunk header, with
 * 0x80 set on every chunk; cross-checked against BlockCount − Depth.
 * 8+ (§4.4): busy ⇔ bit i of the UserBlocks busy bitmap; the header's 0x80 bit and the count
 * BlockCount − Depth are cross-checked. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "heap_walk_internal.h"

static void expand_container(walk_ctx *c, const hs_block container)
{
    const hs_heap_layout *l = c->l;
    uint64_t g = l->gran;
    uint64_t user = container.address + g;
    uint64_t subsegment, user_blocks;
    uint16_t depth, block_size, block_count;
    char ex[40], fd[40];
    if (walk_read_ptr(c, user, &subsegment) != HS_OK ||
        walk_read_ptr(c, subsegment + l->ss_user_blocks, &user_blocks) != HS_OK ||
        hs_as_read_u16(c->as, subsegment + l->ss_depth, &depth) != HS_OK ||
        hs_as_read_u16(c->as, subsegment + l->ss_block_size, &block_size) != HS_OK ||
        hs_as_read_u16(c->as, subsegment + l->ss_block_count, &block_count) != HS_OK) {
        walk_missing(c, subsegment, l->ss_block_count + 2);
        return;
    }
    if (user_blocks != user) {
        snprintf(ex, sizeof ex, "0x%" PRIx64, user);
        snprintf(fd, sizeof fd, "0x%" PRIx64, user_blocks);
        walk_error(c, user, HS_CHECK_LFH_SUBSEGMENT, ex, fd,
                   "LFH UserBlocks 0x%" PRIx64 ": its subsegment 0x%" PRIx64
                   " points to other UserBlocks",
                   user, subsegment);
        return;
    }
    uint64_t stride = (uint64_t)block_size * g;
    uint64_t first;
    unsigned word_bits = l->ptr * 8;
    uint64_t words = ((uint64_t)block_count + word_bits - 1) / word_bits;
    if (l->lfh == HS_LFH_WIN7) {
        first = l->ud_header_size;
    } else {
        first = (l->ud_bitmap_data + words * l->ptr + g - 1) & ~(g - 1);
        uint64_t bitmap_size;
        if (walk_read_ptr(c, user + l->ud_bitmap_size, &bitmap_size) != HS_OK) {
            walk_missing(c, user, l->ud_bitmap_data);
            return;
        }
        if (bitmap_size != block_count) {
            snprintf(ex, sizeof ex, "%u", block_count);
            snprintf(fd, sizeof fd, "%" PRIu64, bitmap_size);
            walk_error(c, user, HS_CHECK_LFH_SUBSEGMENT, ex, fd,
                       "LFH UserBlocks 0x%" PRIx64
                       ": bitmap size differs from the subsegment's BlockCount",
                       user);
            return;
        }
    }
    uint64_t room = container.size - g;
    if (block_count == 0 || stride == 0 || first > room || (room - first) / stride < block_count ||
        depth > block_count) {
        snprintf(ex, sizeof ex, "<= 0x%" PRIx64, room);
        snprintf(fd, sizeof fd, "0x%" PRIx64, first + stride * block_count);
        walk_error(c, user, HS_CHECK_LFH_SUBSEGMENT, ex, fd,
                   "LFH UserBlocks 0x%" PRIx64 ": %u chunks of 0x%" PRIx64
                   " bytes (Depth %u) do not fit its container",
                   user, block_count, stride, depth);
        return;
    }
    unsigned busy = 0;
    bool all_known = true;
    for (uint64_t i = 0; i < block_count; i++) {
        uint64_t chunk = user + first + i * stride;
        uint8_t unused = 0;
        bool have_header = hs_as_read(c->as, chunk + l->hdr + 7, &unused, 1) == HS_OK;
        bool is_busy;
        if (l->lfh == HS_LFH_WIN8) {
            /* The bitmap decides; the chunk header, when present, is only a cross-check. */
            uint64_t word;
            if (walk_read_ptr(c, user + l->ud_bitmap_data + (i / word_bits) * l->ptr, &word) !=
                HS_OK) {
                walk_missing(c, user + l->ud_bitmap_data, words * l->ptr);
                return;
            }
            is_busy = (word >> (i % word_bits)) & 1;
        } else if (have_header) {
            is_busy = (unused & 0x3F) != 0;
        } else {
            walk_missing(c, chunk, stride);
            all_known = false;
            continue;
        }
        if (have_header && (!(unused & 0x80) || ((unused & 0x3F) != 0) != is_busy)) {
            snprintf(ex, sizeof ex, "%s", is_busy ? "busy (0x80|n)" : "free (0x80)");
            snprintf(fd, sizeof fd, "0x%02x", unused);
            walk_error(c, chunk, HS_CHECK_LFH_CHUNK_HEADER, ex, fd,
                       "LFH chunk %" PRIu64 " of UserBlocks 0x%" PRIx64
                       ": UnusedBytes 0x%02x disagrees with %s",
                       i, user, unused,
                       l->lfh == HS_LFH_WIN8 ? "the busy bitmap" : "the LFH marking");
        }
        hs_block b = {.address = chunk,
                      .size = stride,
                      .flags = is_busy ? HS_ENTRY_BUSY : 0,
                      .unused_bytes = unused,
                      .state = is_busy ? HS_BLOCK_BUSY : HS_BLOCK_FREE,
                      .kind = HS_BLOCK_LFH,
                      .segment = container.segment,
                      .requested = HS_REQUESTED_UNKNOWN};
        if (is_busy && have_header && (unused & 0x3F) <= stride)
            b.requested = stride - (unused & 0x3F);
        busy += is_busy;
        if (!walk_push_block(c, &b))
            return;
    }
    if (!all_known)
        return;
    if (busy != (unsigned)(block_count - depth)) {
        snprintf(ex, sizeof ex, "%u", block_count - depth);
        snprintf(fd, sizeof fd, "%u", busy);
        walk_error(c, user, HS_CHECK_LFH_BUSY_COUNT, ex, fd,
                   "LFH UserBlocks 0x%" PRIx64
                   ": %u busy chunks, but BlockCount %u − Depth %u = %u",
                   user, busy, block_count, depth, block_count - depth);
    }
}

void walk_lfh(walk_ctx *c)
{
    hs_heap *h = c->h;
    size_t n = h->block_count;
    for (size_t i = 0; i < n; i++) {
        /* Copy: pushing chunks may move the array. */
        hs_block b = h->blocks[i];
        if (b.state != HS_BLOCK_INTERNAL || b.kind != HS_BLOCK_BACKEND ||
            !(b.flags & HS_ENTRY_VIRTUAL_ALLOC) || b.size < 2 * c->l->gran + c->l->ud_signature + 4)
            continue;
        uint32_t sig;
        if (hs_as_read_u32(c->as, b.address + c->l->gran + c->l->ud_signature, &sig) != HS_OK ||
            sig != HS_LFH_USERDATA_SIGNATURE)
            continue;
        expand_container(c, b);
    }
}
