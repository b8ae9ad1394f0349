/* Fuzz target: the whole pipeline, bytes → hs_scan_memory (analyzer/scan.h) with the shipped rules
 * (hs_default_rules_dir) and tests/fuzz/rules loaded once, then the scan report (verdict, JSON and
 * text) built from the result. Invariants: fz_check_scan — everything the stages report, and every
 * evidence address of every finding (string matches, orphaned session heaps, property blocks,
 * integrity errors) in present memory.
 *
 * Inputs that start with the gzip magic are left to fuzz_minidump, which inflates them under a
 * 64 MB cap: hs_scan_memory has no inflation option and allows HS_MAX_INFLATED_BYTES (64 GB), so a
 * small gzip bomb would measure the machine's memory bandwidth here, not the parsers. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "scan_report.h"

enum { REPORT_MAX_ERRORS = 2000 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        abort();
    const hs_ruleset *rules = fz_rules();
    if (hs_source_is_gzip(data, size))
        return 0;
    hs_scan_result *r = hs_scan_memory(data, size, "fuzz.dmp", rules);
    FZ_CHECK(r != NULL, "hs_scan_memory returned NULL");
    fz_check_scan(r);
    char verdict[1024];
    hs_scan_verdict(r, verdict, sizeof verdict);
    /* The reports list every integrity error (in the heaps and again as evidence): their size is
     * linear in the errors, up to 1000 per heap. A damaged 400 KB dump with 36,000 errors makes a
     * 10 MB JSON document, a third of a second in the normal build and more than libFuzzer's
     * one-second hang limit under ASan — serialising it measures jansson, not the parsers. The
     * reports are built for every result and written out only below REPORT_MAX_ERRORS. */
    size_t errors = 0;
    for (size_t i = 0; r->heaps && i < r->heaps->count; i++)
        errors += r->heaps->heaps[i].error_count;
    json_t *j = hs_scan_json(r);
    if (j && errors <= REPORT_MAX_ERRORS) {
        char *text = json_dumps(j, JSON_COMPACT);
        free(text);
    }
    json_decref(j);
    if (errors <= REPORT_MAX_ERRORS)
        hs_scan_text(devnull, r, true);
    hs_scan_result_free(r);
    return 0;
}
