/* The `heaps` report: one line per heap like `!heap -s`, totals, integrity errors, missing memory;
 * per-heap entry listings (`--entries`) and size statistics (`--stat`, like `!heap -stat`). */
#ifndef HS_HEAPS_REPORT_H
#define HS_HEAPS_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "heap.h"

typedef struct hs_heaps_report_options {
    bool has_heap; /* restrict to one heap */
    uint64_t heap;
    bool entries; /* list every block */
    bool stat;    /* group blocks by size */
} hs_heaps_report_options;

/* One integrity error as JSON: {heap, address, check, expected, found, detail}. */
json_t *hs_integrity_error_json(const hs_heap *h, const hs_integrity_error *e);
/* The JSON document documented in README.md ("heapsleuth heaps --format json"). */
json_t *hs_heaps_json(const hs_dump *dump, const hs_heapset *set,
                      const hs_heaps_report_options *opt);
/* The same as text for a person. */
void hs_heaps_text(FILE *out, const hs_dump *dump, const hs_heapset *set,
                   const hs_heaps_report_options *opt);

#endif
