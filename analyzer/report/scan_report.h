/* The `scan` and `facts` reports: per dump a verdict line a person reads first, then the findings
 * with the facts they used and the evidence behind them (orphaned session heaps, corrupted
 * property blocks with address, heap, entry, tag, failed check and hex excerpt), as text or JSON.
 */
#ifndef HS_SCAN_REPORT_H
#define HS_SCAN_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "scan.h"

/* The one-line verdict ("KB293150 (high): 6144 orphaned MAPI session heaps, …"), into buf. */
void hs_scan_verdict(const hs_scan_result *r, char *buf, size_t size);
/* The JSON object documented in README.md ("heapsleuth scan --format json"). */
json_t *hs_scan_json(const hs_scan_result *r);
/* The text report for a person. */
void hs_scan_text(FILE *out, const hs_scan_result *r, bool verbose);
/* The facts of one dump: {name: value or null}. */
json_t *hs_facts_json(const hs_facts *facts);
void hs_facts_text(FILE *out, const hs_facts *facts);

#endif
