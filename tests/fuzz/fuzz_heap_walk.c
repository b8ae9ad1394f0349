/* Fuzz target: the process model and the heap walker (analyzer/heap/): dump → address space →
 * hs_process_build → hs_heaps_walk, then the `heaps` report (JSON with entries and size
 * statistics, and text) over the result. One target covers every heap layout — XP/2003, Vista/7,
 * 8–10, x86 and x64, WoW64, segment heaps — because the layout follows the dump's SystemInfo and
 * the signatures in memory; the seeds hold a dump of each (corpus samples, generated scenarios,
 * the shared Windows dumps). Invariants: fz_check_process and fz_check_heaps (per segment, the
 * blocks lie inside it and sum to at most its size; sorted blocks; totals; lookups). */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "heaps_report.h"

enum { FUZZ_MAX_INFLATED = 64u << 20, REPORT_MAX_BLOCKS = 20000, REPORT_MAX_ERRORS = 2000 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        abort();
    hs_dump_options opt = {.source_limits = {.max_inflated_bytes = FUZZ_MAX_INFLATED}};
    hs_dump *d = hs_dump_open_memory(data, size, "fuzz.dmp", &opt);
    if (!d)
        return 0;
    hs_address_space *as = d->valid ? hs_as_build(d) : NULL;
    hs_process *p = as ? hs_process_build(d, as) : NULL;
    hs_heapset *set = p ? hs_heaps_walk(d, as, p) : NULL;
    if (p)
        fz_check_process(p);
    if (set) {
        fz_check_heaps(as, set);
        size_t blocks = 0, errors = 0;
        for (size_t i = 0; i < set->count; i++) {
            blocks += set->heaps[i].block_count;
            errors += set->heaps[i].error_count;
        }
        /* The reports print every block and every error: their cost is linear in those, so they
         * are skipped for huge walks (time, not correctness; see fuzz_pipeline.c). */
        if (blocks <= REPORT_MAX_BLOCKS && errors <= REPORT_MAX_ERRORS) {
            hs_heaps_report_options all = {.entries = true, .stat = true};
            for (size_t i = 0; i < set->count && i < 4; i++) {
                hs_heaps_report_options one = {
                    .has_heap = true, .heap = set->heaps[i].handle, .entries = true, .stat = true};
                json_t *j = hs_heaps_json(d, set, &one);
                json_decref(j);
                hs_heaps_text(devnull, d, set, &one);
            }
            json_t *j = hs_heaps_json(d, set, &all);
            if (j) {
                char *text = json_dumps(j, JSON_COMPACT);
                free(text);
                json_decref(j);
            }
            hs_heaps_report_options summary = {0};
            hs_heaps_text(devnull, d, set, &summary);
        }
    }
    hs_heapset_free(set);
    hs_process_free(p);
    hs_as_free(as);
    hs_dump_free(d);
    return 0;
}
