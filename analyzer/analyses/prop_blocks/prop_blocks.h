/* Property blocks (DESIGN.md): SPropValue arrays found in busy heap blocks, each entry validated
 * against mapi.md (type whitelist, values consistent with their type, pointers into present memory
 * and into busy blocks, strings that terminate, counts that fit). A block in which most entries
 * validate but at least one fails in a way heap misuse produces is a corrupted property block; it
 * carries the failing entry, the check it broke and a hex excerpt a person can compare with
 * `heapsleuth heaps --heap H --entries`. */
#ifndef HS_PROP_BLOCKS_H
#define HS_PROP_BLOCKS_H

#include "heap.h"
#include "heap_ranges.h"

typedef struct hs_prop_block {
    uint64_t address; /* the first SPropValue */
    uint64_t heap;    /* handle of the heap holding it */
    uint64_t block;   /* the heap block (entry address) holding it */
    size_t heap_index;
    uint32_t entries; /* SPropValues in the array */
    uint32_t valid_entries;
    uint32_t invalid_entries;
    bool corrupt;
    uint32_t bad_index; /* first failing entry (corrupt blocks) */
    uint32_t bad_tag;
    const char *check;  /* the check it broke ("invalid_type", "pointer_into_free_block", …) */
    const char *detail; /* a sentence */
    const char *hex;    /* the failing entry's bytes, hex */
} hs_prop_block;

typedef struct hs_prop_scan {
    hs_prop_block *blocks;
    size_t count;
    size_t corrupt;
    uint32_t *per_heap_blocks; /* property blocks per heap (valid and corrupt) */
    uint32_t *per_heap_corrupt;
    /* Heaps not scanned: the busy blocks of all heaps together exceed four times the memory the
     * dump holds (only heaps over the same memory get there), and the heaps that did not fit were
     * left out; the counts above are then a lower bound. */
    size_t heaps_skipped;
    uint64_t busy_bytes_skipped, busy_bytes_allowed;
    hs_arena *arenas[HS_MAX_WORKERS]; /* the strings (details, hex), one arena per worker */
} hs_prop_scan;

/* Scans every busy block of every walked heap, on this thread. NULL when out of memory. */
hs_prop_scan *hs_prop_scan_run(const hs_dump *dump, const hs_address_space *as,
                               const hs_heapset *set);

/* The same in steps, for workers that split the heaps and do other per-heap work too (scan.c,
 * util/heap_ranges.h): start, then each worker
 * scans its heaps (in heap order, worker k's before worker k+1's, one thread per worker at a
 * time; a worker may come back for its next heaps), then finish merges the parts in heap order
 * and frees the job. NULL when out of memory. */
typedef struct hs_prop_scan_job hs_prop_scan_job;
hs_prop_scan_job *hs_prop_scan_start(const hs_dump *dump, const hs_address_space *as,
                                     const hs_heapset *set);
void hs_prop_scan_heaps(hs_prop_scan_job *j, unsigned worker, const hs_address_space *as,
                        size_t first, size_t end);
hs_prop_scan *hs_prop_scan_finish(hs_prop_scan_job *j);
void hs_prop_scan_free(hs_prop_scan *s);

#endif
