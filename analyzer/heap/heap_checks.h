/* The stable names of the integrity checks (heap-internals.md §6), used in reports and JSON.
 * A name says which rule a heap broke; the error's detail says how. */
#ifndef HS_HEAP_CHECKS_H
#define HS_HEAP_CHECKS_H

#define HS_CHECK_HEAP_SIGNATURE    "heap_signature"       /* _HEAP.Signature != 0xEEFFEEFF */
#define HS_CHECK_SEGMENT_SIGNATURE "segment_signature"    /* segment signature != 0xFFEEFFEE */
#define HS_CHECK_SEGMENT_OWNER     "segment_heap_pointer" /* Segment.Heap != the heap */
/* FirstEntry/LastValidEntry outside the segment */
#define HS_CHECK_SEGMENT_RANGE    "segment_range"
#define HS_CHECK_HEADER_CHECKSUM  "header_checksum" /* Vista+: SmallTagIndex != b0^b1^b2 */
#define HS_CHECK_PREVIOUS_SIZE    "previous_size"   /* PreviousSize != size of the entry before */
#define HS_CHECK_ENTRY_SIZE       "entry_size"      /* Size 0 */
#define HS_CHECK_PAST_SEGMENT_END "entry_past_segment_end" /* entry runs past LastValidEntry */
#define HS_CHECK_INTO_UNCOMMITTED \
    "entry_into_uncommitted"                   /* entry runs into an uncommitted range */
#define HS_CHECK_SEGMENT_INDEX "segment_index" /* XP SegmentIndex != the segment's index */
#define HS_CHECK_UCR_ACCOUNTING \
    "uncommitted_accounting" /* gaps != NumberOfUnCommittedPages/Ranges */
#define HS_CHECK_FREE_LIST_LINK \
    "free_list_link" /* Flink->Blink or Blink->Flink do not point back */
#define HS_CHECK_FREE_LIST_BUSY "free_list_busy_block" /* a block on a free list is marked busy */
#define HS_CHECK_FREE_LIST_ORDER \
    "free_list_order" /* free list not in ascending size / wrong bucket */
#define HS_CHECK_FREE_LIST_UNKNOWN \
    "free_list_unknown_block"                       /* a free-list element the walk did not find */
#define HS_CHECK_FREE_LIST_COUNT  "free_list_count" /* free blocks walked != free-list elements */
#define HS_CHECK_FREE_TOTAL       "free_total"      /* Σ free sizes != _HEAP.TotalFreeSize */
#define HS_CHECK_LIST_CYCLE       "list_cycle"      /* a linked list loops back on itself */
#define HS_CHECK_LIST_LIMIT       "list_limit"      /* a list walk reached the step limit */
#define HS_CHECK_VIRTUAL_BLOCK    "virtual_block"   /* a large block's header or sizes are wrong */
#define HS_CHECK_LFH_SUBSEGMENT   "lfh_subsegment" /* UserBlocks/SubSegment back-pointer or sizes */
#define HS_CHECK_LFH_BUSY_COUNT   "lfh_busy_count" /* busy chunks != BlockCount - Depth */
#define HS_CHECK_LFH_CHUNK_HEADER "lfh_chunk_header" /* chunk header disagrees with the bitmap */
#define HS_CHECK_HEAP_LIST        "heap_list"        /* the heap list itself is damaged */
#define HS_CHECK_LOOKASIDE_LIST   "lookaside_list" /* XP look-aside: element, size or depth wrong */

#endif
