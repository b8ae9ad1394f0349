/* `heapsleuth scan` over many inputs: files, folders, archives and "-" (paths on stdin) expanded in
 * a stable order; dumps scanned by a pool of workers that share the compiled rules read-only;
 * results written in input order whatever the parallelism, as text, JSON, JSONL or SARIF. */
#ifndef HS_BATCH_H
#define HS_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "rule_engine.h"
#include "unpack.h"

typedef enum hs_batch_format {
    HS_BATCH_TEXT,
    HS_BATCH_JSON,
    HS_BATCH_JSONL,
    HS_BATCH_SARIF
} hs_batch_format;

typedef struct hs_batch_options {
    hs_batch_format format;
    unsigned jobs; /* workers; 0: one per online processor */
    bool dedupe;   /* scan each distinct dump (by SHA-256) once */
    bool quiet;    /* no progress line */
    bool brief;    /* text: a verdict line per dump even for dumps named on the command line */
    bool verbose;  /* text: facts and notes too; skipped inputs listed */
    int fail_on;   /* hs_severity_level at which exit status 1 starts */
    unsigned shard_k, shard_n; /* shard_n == 0: every input */
    double time_budget;        /* seconds per dump; 0: none */
    hs_unpack_limits limits;
    FILE *out, *err, *stdin_list;
} hs_batch_options;

/* Defaults: text, one worker per processor, --fail-on high, the default unpack limits, a time
 * budget of 600 s per dump, stdout / stderr / stdin. */
void hs_batch_options_default(hs_batch_options *o);

/* Scans everything args name with rules (NULL: facts only) and writes the report; returns the exit
 * status of DESIGN.md (0, 1 findings at or above fail_on, 2 an input could not be read). */
int hs_batch_run(const char *const *args, size_t count, const hs_ruleset *rules,
                 const hs_batch_options *o);

#endif
