#include "heap_layout.h"

#include <stddef.h>

/* Entry field offsets within the 8 header bytes (heap-internals.md §3.2):
 *   XP/2003: Size u16 @0, PreviousSize u16 @2, SmallTagIndex @4, Flags @5, UnusedBytes @6,
 *            SegmentIndex @7.
 *   Vista+:  Size u16 @0, Flags @2, SmallTagIndex @3, PreviousSize u16 @4, SegmentOffset @6,
 *            UnusedBytes @7. */
#define NT5_ENTRY \
    .e_size = 0, .e_previous_size = 2, .e_small_tag = 4, .e_flags = 5, .e_unused = 6, .e_segment = 7
#define NT6_ENTRY \
    .e_size = 0, .e_flags = 2, .e_small_tag = 3, .e_previous_size = 4, .e_segment = 6, .e_unused = 7

/* XP SP2/SP3 x86 _HEAP (0x588) and _HEAP_SEGMENT (0x3C) [V xp_sp2_x86, xp_sp3_x86], §3.5. */
static const hs_heap_layout nt5_x86 = {
    .name = "nt5-x86",
    .gen = HS_HEAP_GEN_NT5,
    .ptr = 4,
    .gran = 8,
    .hdr = 0,
    .heap_signature = 0x08,
    .flags = 0x0C,
    .force_flags = 0x10,
    .total_free_size = 0x28,
    .process_heaps_list_index = 0x30,
    .virtual_allocd_blocks = 0x50,
    .segments = 0x58,
    .free_lists = 0x178,
    .non_dedicated_list_length = 0x16C,
    .front_end_heap = 0x580,
    .front_end_heap_type = 0x586,
    .heap_struct_size = 0x588,
    .seg_signature = 0x08,
    .seg_heap = 0x10,
    .seg_base = 0x18,
    .seg_number_of_pages = 0x1C,
    .seg_first_entry = 0x20,
    .seg_last_valid_entry = 0x24,
    .seg_uncommitted_pages = 0x28,
    .seg_uncommitted_ranges = 0x2C,
    .seg_ucr_list = 0x30,
    /* _HEAP_UNCOMMMTTED_RANGE: Next @0, Address @4, Size @8 */
    .ucr_link = 0,
    .ucr_address = 4,
    .ucr_size = 8,
    /* _HEAP_VIRTUAL_ALLOC_ENTRY: CommitSize @0x10, ReserveSize @0x14, BusyBlock @0x18 */
    .va_commit_size = 0x10,
    .va_reserve_size = 0x14,
    .va_busy_block = 0x18,
    NT5_ENTRY,
    .lfh = HS_LFH_NONE,
};

/* Server 2003 / XP x64 _HEAP (0xAE8), _HEAP_SEGMENT (0x68) [V win2003_sp2_x64], §3.5. */
static const hs_heap_layout nt5_x64 = {
    .name = "nt5-x64",
    .gen = HS_HEAP_GEN_NT5,
    .ptr = 8,
    .gran = 16,
    .hdr = 8,
    .heap_signature = 0x10,
    .flags = 0x14,
    .force_flags = 0x18,
    .total_free_size = 0x40,
    .process_heaps_list_index = 0x50,
    .virtual_allocd_blocks = 0x90,
    .segments = 0xA0,
    .free_lists = 0x2C8,
    .non_dedicated_list_length = 0x2B4,
    .front_end_heap = 0xAD8,
    .front_end_heap_type = 0xAE2,
    .heap_struct_size = 0xAE8,
    .seg_signature = 0x10,
    .seg_heap = 0x18,
    .seg_base = 0x28,
    .seg_number_of_pages = 0x30,
    .seg_first_entry = 0x38,
    .seg_last_valid_entry = 0x40,
    .seg_uncommitted_pages = 0x48,
    .seg_uncommitted_ranges = 0x4C,
    .seg_ucr_list = 0x50,
    .ucr_link = 0,
    .ucr_address = 8,
    .ucr_size = 0x10,
    .va_commit_size = 0x20,
    .va_reserve_size = 0x28,
    .va_busy_block = 0x30,
    NT5_ENTRY,
    .lfh = HS_LFH_NONE,
};

/* Vista+ segment part, identical in every Vista … 19041 build (§3.6):
 * x86: SegmentSignature 0x08, SegmentListEntry 0x10, Heap 0x18, BaseAddress 0x1C, NumberOfPages
 * 0x20, FirstEntry 0x24, LastValidEntry 0x28, NumberOfUnCommittedPages 0x2C, …Ranges 0x30,
 *      UCRSegmentList 0x38. _HEAP_UCR_DESCRIPTOR: SegmentEntry 8, Address 0x10, Size 0x14.
 * x64: 0x10, 0x18, 0x28, 0x30, 0x38, 0x40, 0x48, 0x50, 0x54, 0x60; UCR: 0x10, 0x20, 0x28. */
#define NT6_X86_SEGMENT                                                                  \
    .seg_signature = 0x08, .seg_list_entry = 0x10, .seg_heap = 0x18, .seg_base = 0x1C,   \
    .seg_number_of_pages = 0x20, .seg_first_entry = 0x24, .seg_last_valid_entry = 0x28,  \
    .seg_uncommitted_pages = 0x2C, .seg_uncommitted_ranges = 0x30, .seg_ucr_list = 0x38, \
    .ucr_link = 0x08, .ucr_address = 0x10, .ucr_size = 0x14, .va_commit_size = 0x10,     \
    .va_reserve_size = 0x14, .va_busy_block = 0x18, .flags = 0x40, .force_flags = 0x44,  \
    .encode_flag_mask = 0x4C, .encoding = 0x50, .ptr = 4, .gran = 8, .hdr = 0,           \
    .gen = HS_HEAP_GEN_NT6, NT6_ENTRY
#define NT6_X64_SEGMENT                                                                  \
    .seg_signature = 0x10, .seg_list_entry = 0x18, .seg_heap = 0x28, .seg_base = 0x30,   \
    .seg_number_of_pages = 0x38, .seg_first_entry = 0x40, .seg_last_valid_entry = 0x48,  \
    .seg_uncommitted_pages = 0x50, .seg_uncommitted_ranges = 0x54, .seg_ucr_list = 0x60, \
    .ucr_link = 0x10, .ucr_address = 0x20, .ucr_size = 0x28, .va_commit_size = 0x20,     \
    .va_reserve_size = 0x28, .va_busy_block = 0x30, .flags = 0x70, .force_flags = 0x74,  \
    .encode_flag_mask = 0x7C, .encoding = 0x88, .ptr = 8, .gran = 16, .hdr = 8,          \
    .gen = HS_HEAP_GEN_NT6, NT6_ENTRY

/* LFH structures (§4.3 Win7 [V win7_sp1_x86/x64], §4.4 Win8+ [NTD]). */
#define LFH7_X86                                                                           \
    .lfh = HS_LFH_WIN7, .ud_signature = 0x0C, .ud_header_size = 0x10, .ss_user_blocks = 4, \
    .ss_depth = 8, .ss_block_size = 0x10, .ss_block_count = 0x14
#define LFH7_X64                                                                           \
    .lfh = HS_LFH_WIN7, .ud_signature = 0x18, .ud_header_size = 0x20, .ss_user_blocks = 8, \
    .ss_depth = 0x10, .ss_block_size = 0x18, .ss_block_count = 0x1C
#define LFH8_X86                                                                              \
    .lfh = HS_LFH_WIN8, .ud_signature = 0x0C, .ud_bitmap_size = 0x14, .ud_bitmap_data = 0x1C, \
    .ss_user_blocks = 4, .ss_depth = 0x10, .ss_block_size = 0x14, .ss_block_count = 0x18
#define LFH8_X64                                                                              \
    .lfh = HS_LFH_WIN8, .ud_signature = 0x14, .ud_bitmap_size = 0x20, .ud_bitmap_data = 0x30, \
    .ss_user_blocks = 8, .ss_depth = 0x20, .ss_block_size = 0x24, .ss_block_count = 0x28

/* Vista SP2 / 7 SP1 heap part (§3.6). */
static const hs_heap_layout nt61_x86 = {
    .name = "nt6.1-x86",
    NT6_X86_SEGMENT,
    LFH7_X86,
    .heap_signature = 0x64,
    .total_free_size = 0x78,
    .process_heaps_list_index = 0x80,
    .virtual_allocd_blocks = 0xA0,
    .segment_list = 0xA8,
    .non_dedicated_list_length = 0xB4,
    .free_lists = 0xC4,
    .front_end_heap = 0xD4,
    .front_end_heap_type = 0xDA,
    .heap_struct_size = 0x138,
};
static const hs_heap_layout nt61_x64 = {
    .name = "nt6.1-x64",
    NT6_X64_SEGMENT,
    LFH7_X64,
    .heap_signature = 0xA0,
    .total_free_size = 0xC8,
    .process_heaps_list_index = 0xD8,
    .virtual_allocd_blocks = 0x118,
    .segment_list = 0x128,
    .non_dedicated_list_length = 0x13C,
    .free_lists = 0x158,
    .front_end_heap = 0x178,
    .front_end_heap_type = 0x182,
    .heap_struct_size = 0x208,
};

/* 8, 8.1 and 10 up to 10586: backend as 8+, front end at 0xD0/0xD6 and 0x170/0x17A (§3.6). */
#define NT62_X86_HEAP                                                                       \
    .heap_signature = 0x60, .total_free_size = 0x74, .process_heaps_list_index = 0x7C,      \
    .virtual_allocd_blocks = 0x9C, .segment_list = 0xA4, .non_dedicated_list_length = 0xB0, \
    .free_lists = 0xC0
#define NT62_X64_HEAP                                                                          \
    .heap_signature = 0x98, .total_free_size = 0xC0, .process_heaps_list_index = 0xD0,         \
    .virtual_allocd_blocks = 0x110, .segment_list = 0x120, .non_dedicated_list_length = 0x134, \
    .free_lists = 0x150

static const hs_heap_layout nt62_x86 = {.name = "nt6.2-x86",
                                        NT6_X86_SEGMENT,
                                        LFH8_X86,
                                        NT62_X86_HEAP,
                                        .front_end_heap = 0xD0,
                                        .front_end_heap_type = 0xD6,
                                        .heap_struct_size = 0x248};
static const hs_heap_layout nt62_x64 = {.name = "nt6.2-x64",
                                        NT6_X64_SEGMENT,
                                        LFH8_X64,
                                        NT62_X64_HEAP,
                                        .front_end_heap = 0x170,
                                        .front_end_heap_type = 0x17A,
                                        .heap_struct_size = 0x298};
/* 10 14393 … 17134 (observed already on 11082): front end at 0xD4/0xDA and 0x178/0x182. */
static const hs_heap_layout nt10_14393_x86 = {.name = "nt10-14393-x86",
                                              NT6_X86_SEGMENT,
                                              LFH8_X86,
                                              NT62_X86_HEAP,
                                              .front_end_heap = 0xD4,
                                              .front_end_heap_type = 0xDA,
                                              .heap_struct_size = 0x248};
static const hs_heap_layout nt10_14393_x64 = {.name = "nt10-14393-x64",
                                              NT6_X64_SEGMENT,
                                              LFH8_X64,
                                              NT62_X64_HEAP,
                                              .front_end_heap = 0x178,
                                              .front_end_heap_type = 0x182,
                                              .heap_struct_size = 0x2A0};
/* 10 17763 … 19041 and later (Windows 11 assumed identical, §3.6 recommendation): 0xE4/0xEA and
 * 0x198/0x1A2. */
static const hs_heap_layout nt10_17763_x86 = {.name = "nt10-17763-x86",
                                              NT6_X86_SEGMENT,
                                              LFH8_X86,
                                              NT62_X86_HEAP,
                                              .front_end_heap = 0xE4,
                                              .front_end_heap_type = 0xEA,
                                              .heap_struct_size = 0x258};
static const hs_heap_layout nt10_17763_x64 = {.name = "nt10-17763-x64",
                                              NT6_X64_SEGMENT,
                                              LFH8_X64,
                                              NT62_X64_HEAP,
                                              .front_end_heap = 0x198,
                                              .front_end_heap_type = 0x1A2,
                                              .heap_struct_size = 0x2C0};

static const hs_heap_layout *const all_layouts[] = {
    &nt5_x86, &nt61_x86, &nt62_x86, &nt10_14393_x86, &nt10_17763_x86,
    &nt5_x64, &nt61_x64, &nt62_x64, &nt10_14393_x64, &nt10_17763_x64,
};

const hs_heap_layout *const *hs_heap_layouts(size_t *count)
{
    *count = sizeof all_layouts / sizeof all_layouts[0];
    return all_layouts;
}

const hs_heap_layout *hs_heap_layout_for(uint32_t major, uint32_t minor, uint32_t build,
                                         unsigned ptr_size)
{
    bool x64 = ptr_size == 8;
    if (major < 6)
        return x64 ? &nt5_x64 : &nt5_x86;
    if (major == 6 && minor <= 1)
        return x64 ? &nt61_x64 : &nt61_x86;
    if (major == 6 || build < 11082)
        return x64 ? &nt62_x64 : &nt62_x86;
    if (build < 17763)
        return x64 ? &nt10_14393_x64 : &nt10_14393_x86;
    return x64 ? &nt10_17763_x64 : &nt10_17763_x86;
}

bool hs_heap_layout_confirm(const hs_heap_layout *l, const hs_address_space *as, uint64_t va)
{
    uint32_t sig;
    if (hs_as_read_u32(as, va + l->heap_signature, &sig) != HS_OK || sig != HS_HEAP_SIGNATURE)
        return false;
    if (l->gen == HS_HEAP_GEN_NT6) {
        uint32_t seg_sig;
        if (hs_as_read_u32(as, va + l->seg_signature, &seg_sig) != HS_OK ||
            seg_sig != HS_SEGMENT_SIGNATURE)
            return false;
        /* The front-end type byte moved between builds; only 0, 1 or 2 are valid (§3.6). */
        uint8_t fe_type;
        if (hs_as_read(as, va + l->front_end_heap_type, &fe_type, 1) == HS_OK && fe_type > 2)
            return false;
    }
    return true;
}

const hs_heap_layout *hs_heap_layout_detect(const hs_heap_layout *suggested,
                                            const hs_address_space *as, uint64_t va)
{
    if (suggested && hs_heap_layout_confirm(suggested, as, va))
        return suggested;
    for (size_t i = 0; i < sizeof all_layouts / sizeof all_layouts[0]; i++) {
        const hs_heap_layout *l = all_layouts[i];
        if (suggested && l->ptr != suggested->ptr)
            continue;
        if (l != suggested && hs_heap_layout_confirm(l, as, va))
            return l;
    }
    return NULL;
}
