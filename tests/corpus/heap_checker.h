/* An independent heap checker for the corpus, written only from docs/reference/heap-internals.md
 * and sharing no code with analyzer/heap: it trusts the generated dumps only when a second,
 * deliberately simple reading of every heap agrees with them. It uses the container layer
 * (minidump streams, address space) that Breakpad's tools check separately.
 *
 * Per heap of PEB.ProcessHeaps it walks every segment from its base entry by Size, checks that the
 * chain reaches LastValidEntry exactly (skipping the uncommitted ranges the segment lists), that
 * PreviousSize agrees with the entry before (0 after a gap), that Vista+ headers decode with the
 * heap's Encoding key and pass the SmallTagIndex checksum, that XP entries carry their segment's
 * index, and that the free lists are consistent: every element free, of the list's size (XP
 * FreeLists[i]) or in ascending size (Vista+ single list), Flink/Blink symmetric, bounded, and
 * holding exactly the free entries the walk found (Vista+: summing to TotalFreeSize), that the
 * Windows 7 BlocksIndex agrees with the free list, and on XP that every look-aside list holds busy
 * entries of its size, as many as its SLIST depth says. */
#ifndef HS_HEAP_CHECKER_H
#define HS_HEAP_CHECKER_H

#include <stddef.h>
#include <stdint.h>

#include "address_space.h"
#include "minidump.h"

typedef enum hc_os { HC_XP_X86, HC_WIN7_X86, HC_WIN7_X64, HC_WIN10_X64 } hc_os;

typedef struct hc_heap {
    uint64_t handle;
    size_t entries, free_entries; /* backend entries walked, and how many of them are free */
    uint64_t free_bytes;
    size_t lookaside_entries; /* XP: busy entries parked on look-aside lists */
    size_t errors;
    char first_error[256];
} hc_heap;

typedef struct hc_result {
    hc_heap *heaps;
    size_t count;
} hc_result;

/* Checks every heap of the dump as the layout of os; returns 0, or -1 when the process heap list
 * itself cannot be read (message in err). */
int hc_check(const hs_dump *dump, const hs_address_space *as, hc_os os, hc_result *out, char *err,
             size_t err_size);
void hc_result_free(hc_result *r);

#endif
