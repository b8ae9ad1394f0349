/* The report of a batch: records rendered by the workers (text block or JSON object) and written
 * in input order as text (verdict lines or full reports, then a summary table), a JSON array (or
 * the single object when one named dump was scanned), JSONL (one line per dump and per unreadable
 * input, nothing else) or SARIF 2.1.0 (one run: the rules, an artifact per dump, a result per
 * finding, unreadable inputs as tool notifications). */
#ifndef HS_BATCH_REPORT_H
#define HS_BATCH_REPORT_H

#include "batch.h"
#include "record.h"
#include "scan.h"

/* Fills rec from a finished scan: status, worst severity, rules hit, and its rendering for the
 * format (details: the full text report instead of a verdict line). Runs on a worker. */
void hs_record_fill(hs_record *rec, const hs_scan_result *r, const hs_batch_options *o,
                    bool details);
/* The JSON object of a record without a scan (error, duplicate); NULL for skipped ones. */
json_t *hs_record_plain_json(const hs_record *rec);

typedef struct hs_report hs_report;

/* single_path: the one input named, when it is not a folder: if it is itself the only dump, JSON
 * reports it as an object rather than an array (NULL: always an array); details: text records are
 * full reports (failures go to standard error) rather than verdict lines. */
hs_report *hs_report_new(const hs_batch_options *o, const hs_ruleset *rules,
                         const char *single_path, bool details);
/* Writes or keeps the record (in input order) and counts it in the summary; frees its rendering. */
void hs_report_add(hs_report *w, hs_record *rec);
/* Writes what was kept (JSON array, SARIF) and the text summary. Returns 0, or -1 on a write error.
 */
int hs_report_finish(hs_report *w);
/* Inputs that could not be read (errors and invalid dumps) and dumps with a finding at or above
 * --fail-on, so far. */
size_t hs_report_failures(const hs_report *w);
size_t hs_report_flagged(const hs_report *w);
size_t hs_report_findings(const hs_report *w);
void hs_report_free(hs_report *w);

#endif
