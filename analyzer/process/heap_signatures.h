/* The signatures that mark a heap in memory (heap-internals.md §2.1, §3.2, §5): the process model
 * finds heaps by them when the PEB's list is missing, and the heap walker confirms every heap and
 * segment by them. */
#ifndef HS_HEAP_SIGNATURES_H
#define HS_HEAP_SIGNATURES_H

enum {
    HS_HEAP_SIGNATURE = 0xEEFFEEFF,
    HS_SEGMENT_SIGNATURE = 0xFFEEFFEE,
    HS_SEGMENT_HEAP_SIGNATURE = 0xDDEEDDEE,
    HS_LFH_USERDATA_SIGNATURE = 0xF0E0D0C0,
};

#endif
