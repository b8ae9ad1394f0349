/* One dump through the whole pipeline (DESIGN.md "Data flow"): minidump → address space →
 * process → heaps → analyses (reachability, property blocks, MAPI attribution) → facts → rules →
 * findings. The result owns every stage, for the reports. */
#ifndef HS_SCAN_H
#define HS_SCAN_H

#include "facts.h"
#include "heap.h"
#include "mapi_attribution.h"
#include "prop_blocks.h"
#include "reachability.h"
#include "rule_engine.h"

typedef struct hs_scan_result {
    hs_dump *dump;
    hs_address_space *as;
    hs_process *process;
    hs_heapset *heaps;
    hs_reach_result *reach;
    hs_prop_scan *props;
    hs_mapi_result *mapi;
    hs_facts facts;
    hs_finding *findings;
    size_t finding_count;
    hs_diag problems; /* rule-engine problems for this dump */
    bool out_of_memory;
    bool out_of_time; /* the time budget ran out: the analysis is incomplete, no rule ran */
} hs_scan_result;

typedef struct hs_scan_options {
    double time_budget; /* seconds for the analysis after parsing; 0: none */
    unsigned threads;   /* 0: threads for a dump of 16 MiB or more (heap_walk_parallel.c, scan.c);
                           1: one thread; N >= 2: N walk threads and two for the analysis whatever
                           the size. The results are the same in every case (tests compare them). */
} hs_scan_options;

/* Runs the pipeline on the dump at path; rules may be NULL (facts only). Never NULL unless out
 * of memory; check result->dump->valid. */
hs_scan_result *hs_scan_path(const char *path, const hs_ruleset *rules);
/* The pipeline on a dump already opened (taken: freed with the result, even when NULL is
 * returned); options may be NULL. NULL when dump is NULL or out of memory. */
hs_scan_result *hs_scan_dump(hs_dump *dump, const hs_ruleset *rules,
                             const hs_scan_options *options);
/* The same for a dump already in memory (borrowed; name is for messages). */
hs_scan_result *hs_scan_memory(const void *data, size_t size, const char *name,
                               const hs_ruleset *rules);
/* hs_scan_memory with options (NULL: the defaults, no time budget). */
hs_scan_result *hs_scan_memory_with(const void *data, size_t size, const char *name,
                                    const hs_ruleset *rules, const hs_scan_options *options);
void hs_scan_result_free(hs_scan_result *r);
/* The highest severity among the findings, or -1 when there are none. */
int hs_scan_worst_severity(const hs_scan_result *r);

#endif
