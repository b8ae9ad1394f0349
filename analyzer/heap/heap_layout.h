/* NT heap structure layouts, one table entry per Windows family and architecture.
 *
 * Every offset comes from docs/reference/heap-internals.md (§2, §3.2, §3.5, §3.6, §4.3, §4.4),
 * which takes them from the Volatility PDB-derived vtypes [V], ntdiff headers [NTD] and checks on
 * real dumps [OBS]. A layout is chosen from SystemInfo (arch, version, build) and confirmed by
 * the heap and segment signatures in memory (heap_layout_confirm). */
#ifndef HS_HEAP_LAYOUT_H
#define HS_HEAP_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "address_space.h"
#include "heap_signatures.h"

typedef enum hs_heap_generation {
    HS_HEAP_GEN_NT5 = 5, /* 2000 / XP / 2003: Segments[64], FreeLists[128], unencoded entries */
    HS_HEAP_GEN_NT6 = 6, /* Vista and later: SegmentList, one FreeLists list, encoded entries */
} hs_heap_generation;

typedef enum hs_lfh_style {
    HS_LFH_NONE = 0,
    HS_LFH_WIN7 = 7, /* Vista / 7: busy state from chunk headers, cross-checked with Depth */
    HS_LFH_WIN8 = 8, /* 8 and later: busy bitmap in the UserBlocks header */
} hs_lfh_style;

typedef struct hs_heap_layout {
    const char *name; /* "nt5-x86", "nt6.1-x64", "nt10-19041-x64", … */
    hs_heap_generation gen;
    unsigned ptr;  /* pointer size: 4 or 8 */
    unsigned gran; /* one Size unit: 8 (x86) or 16 (x64) */
    unsigned hdr;  /* offset of the 8 meaningful header bytes in an entry: 0 x86, 8 x64 */

    /* _HEAP */
    unsigned heap_signature; /* 0xEEFFEEFF */
    unsigned flags, force_flags;
    unsigned encode_flag_mask, encoding; /* NT6 only (encoding: where the 8 key bytes are) */
    unsigned total_free_size;            /* granules */
    unsigned process_heaps_list_index;
    unsigned virtual_allocd_blocks; /* LIST_ENTRY */
    unsigned segment_list;          /* NT6: LIST_ENTRY of segments */
    unsigned segments;              /* NT5: Segments[64] */
    unsigned free_lists;            /* NT6: one LIST_ENTRY; NT5: FreeLists[128] */
    unsigned non_dedicated_list_length;
    unsigned front_end_heap, front_end_heap_type;
    unsigned heap_struct_size;

    /* _HEAP_SEGMENT (NT6: also the start of _HEAP) */
    unsigned seg_signature;  /* 0xFFEEFFEE */
    unsigned seg_list_entry; /* NT6 SegmentListEntry */
    unsigned seg_heap;
    unsigned seg_base;
    unsigned seg_number_of_pages;
    unsigned seg_first_entry, seg_last_valid_entry;
    unsigned seg_uncommitted_pages, seg_uncommitted_ranges;
    unsigned
        seg_ucr_list; /* NT6 UCRSegmentList (LIST_ENTRY); NT5 UnCommittedRanges (single link) */

    /* Uncommitted-range records */
    unsigned ucr_link; /* NT6: SegmentEntry within _HEAP_UCR_DESCRIPTOR; NT5: Next */
    unsigned ucr_address, ucr_size;

    /* _HEAP_VIRTUAL_ALLOC_ENTRY */
    unsigned va_commit_size, va_reserve_size, va_busy_block;

    /* _HEAP_ENTRY fields, relative to the entry + hdr */
    unsigned e_size, e_flags, e_small_tag, e_previous_size, e_segment, e_unused;

    /* LFH (NT6) */
    hs_lfh_style lfh;
    unsigned ud_signature;                   /* _HEAP_USERDATA_HEADER.Signature (0xF0E0D0C0) */
    unsigned ud_header_size;                 /* Win7: fixed header before the first chunk */
    unsigned ud_bitmap_size, ud_bitmap_data; /* Win8+: SizeOfBitMap, BitmapData[] */
    unsigned ss_user_blocks, ss_depth, ss_block_size, ss_block_count; /* _HEAP_SUBSEGMENT */
} hs_heap_layout;

/* _HEAP_ENTRY.Flags (heap-internals.md §3.1). */
enum {
    HS_ENTRY_BUSY = 0x01,
    HS_ENTRY_EXTRA_PRESENT = 0x02,
    HS_ENTRY_FILL_PATTERN = 0x04,
    HS_ENTRY_VIRTUAL_ALLOC = 0x08, /* NT6, inside a segment: an internal block */
    HS_ENTRY_LAST_ENTRY = 0x10,
};

/* The layout SystemInfo suggests for a heap of this pointer size (4 for x86 and WoW64 heaps). */
const hs_heap_layout *hs_heap_layout_for(uint32_t major, uint32_t minor, uint32_t build,
                                         unsigned ptr_size);
/* Checks the signatures of the heap at va against a layout: true when they match. */
bool hs_heap_layout_confirm(const hs_heap_layout *l, const hs_address_space *as, uint64_t va);
/* The layout whose signatures match the heap at va, preferring `suggested`; NULL when none does. */
const hs_heap_layout *hs_heap_layout_detect(const hs_heap_layout *suggested,
                                            const hs_address_space *as, uint64_t va);
/* All layouts of one pointer size (for detection and tests). */
const hs_heap_layout *const *hs_heap_layouts(size_t *count);

#endif
