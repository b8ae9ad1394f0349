#include "scan.h"

#include "alloc.h"
#include "heap_ranges.h"

#include <stdlib.h>

/* The analyses that read each heap's blocks — the reachability prescan (every busy word, for heap
 * handles), the property scan and the MAPI evidence — take the heaps in ranges, one range per
 * worker (util/heap_ranges.h: one for a small dump, one per processor for a large one), and read
 * each heap once for all three while its lines are cached; reachability then walks the graph from
 * the roots on this thread, over the prescans. The results are the same on any number of threads
 * (tests/unit/test_scan_threads.c). */
typedef struct per_heap_job {
    hs_reach_prep *reach;
    hs_prop_scan_job *props;
    hs_mapi_result *mapi;
    const hs_heapset *heaps;
    uint8_t *seen; /* per worker, heaps->count bytes: the reachability prescan's scratch */
    bool prescan;  /* several workers: every heap is prescanned, orphans too, for the parallelism;
                      one: the graph walk scans only the heaps it reaches */
} per_heap_job;

static void per_heap(void *arg, unsigned worker, const hs_address_space *as, size_t first,
                     size_t end)
{
    per_heap_job *j = arg;
    uint8_t *seen = j->seen + (size_t)worker * j->heaps->count;
    for (size_t i = first; i < end; i++) {
        if (j->prescan)
            hs_reach_prescan(j->reach, as, i, seen);
        hs_prop_scan_heaps(j->props, worker, as, i, i + 1);
        hs_mapi_collect(j->mapi, as, j->heaps, i, i + 1);
    }
}

static void analyse_heaps(hs_scan_result *r, unsigned threads)
{
    unsigned workers = hs_workers_for(r->as, r->heaps->count, threads);
    size_t n = r->heaps->count ? r->heaps->count : 1;
    per_heap_job job = {hs_reach_prepare(r->dump, r->as, r->heaps),
                        hs_prop_scan_start(r->dump, r->as, r->heaps),
                        hs_mapi_start(r->dump, r->heaps),
                        r->heaps,
                        hs_calloc(workers, n),
                        workers >= 2};
    bool ready = job.reach && job.props && job.mapi && job.seen;
    if (ready)
        hs_for_heap_ranges(r->heaps, r->as, workers, per_heap, &job);
    hs_free(job.seen);
    /* Out of memory before the heaps were read: no result of the three (the pipeline says so). */
    r->reach = job.reach ? hs_reach_finish(job.reach) : NULL;
    r->props = job.props ? hs_prop_scan_finish(job.props) : NULL;
    r->mapi = job.mapi;
    if (!ready || !r->reach || !r->props || !r->mapi) {
        hs_reach_result_free(r->reach);
        hs_prop_scan_free(r->props);
        hs_mapi_result_free(r->mapi);
        r->reach = NULL;
        r->props = NULL;
        r->mapi = NULL;
        return;
    }
    hs_mapi_finish(r->mapi, r->heaps, r->props);
    if (r->props->heaps_skipped)
        hs_diag_add(&r->problems, HS_SEV_WARNING, HS_ERR_LIMIT, "property scan", -1,
                    "property blocks were not looked for in %zu heaps (%llu bytes of busy blocks): "
                    "the heaps' busy "
                    "blocks add up to more than %llu bytes, four times the memory the dump holds, "
                    "so heaps name the "
                    "same memory; the property block counts are unknown",
                    r->props->heaps_skipped, (unsigned long long)r->props->busy_bytes_skipped,
                    (unsigned long long)r->props->busy_bytes_allowed);
}

static void run_pipeline(hs_scan_result *r, const hs_ruleset *rules, const hs_scan_options *options)
{
    hs_dump *d = r->dump;
    if (!d->valid)
        return;
    r->as = hs_as_build(d);
    if (!r->as)
        goto oom;
    if (options && options->time_budget > 0)
        hs_as_set_time_budget(r->as, options->time_budget);
    r->process = hs_process_build(d, r->as);
    if (!r->process)
        goto oom;
    unsigned threads = options ? options->threads : 0;
    r->heaps = hs_heaps_walk_with(d, r->as, r->process, threads);
    if (!r->heaps)
        goto oom;
    if (!r->process->statement) {
        analyse_heaps(r, threads);
        if (!r->reach || !r->props || !r->mapi)
            goto oom;
    } else {
        r->mapi = hs_mapi_attribute(d, r->as, r->heaps, NULL);
        if (!r->mapi)
            goto oom;
    }
    if (hs_as_out_of_time(r->as)) {
        /* Walks cut short read as damage: no fact or rule may stand on them. */
        r->out_of_time = true;
        return;
    }
    hs_facts_compute(&r->facts, d, r->heaps, r->reach, r->props, r->mapi);
    if (rules)
        hs_ruleset_scan(rules, &r->facts, r->as, &r->findings, &r->finding_count, &r->problems);
    return;
oom:
    r->out_of_memory = true;
}

static hs_scan_result *finish(hs_dump *d, const hs_ruleset *rules, const hs_scan_options *options)
{
    if (!d)
        return NULL;
    hs_scan_result *r = hs_calloc(1, sizeof *r);
    if (!r) {
        hs_dump_free(d);
        return NULL;
    }
    r->dump = d;
    r->problems.arena = d->arena;
    run_pipeline(r, rules, options);
    return r;
}

hs_scan_result *hs_scan_dump(hs_dump *dump, const hs_ruleset *rules, const hs_scan_options *options)
{
    return finish(dump, rules, options);
}

hs_scan_result *hs_scan_path(const char *path, const hs_ruleset *rules)
{
    return finish(hs_dump_open(path, NULL), rules, NULL);
}

hs_scan_result *hs_scan_memory_with(const void *data, size_t size, const char *name,
                                    const hs_ruleset *rules, const hs_scan_options *options)
{
    return finish(hs_dump_open_memory(data, size, name, NULL), rules, options);
}

hs_scan_result *hs_scan_memory(const void *data, size_t size, const char *name,
                               const hs_ruleset *rules)
{
    return hs_scan_memory_with(data, size, name, rules, NULL);
}

void hs_scan_result_free(hs_scan_result *r)
{
    if (!r)
        return;
    hs_findings_free(r->findings, r->finding_count);
    hs_mapi_result_free(r->mapi);
    hs_prop_scan_free(r->props);
    hs_reach_result_free(r->reach);
    hs_heapset_free(r->heaps);
    hs_process_free(r->process);
    hs_as_free(r->as);
    hs_diag_release(&r->problems);
    hs_dump_free(r->dump);
    hs_free(r);
}

int hs_scan_worst_severity(const hs_scan_result *r)
{
    int worst = -1;
    for (size_t i = 0; i < r->finding_count; i++)
        if ((int)r->findings[i].rule->severity > worst)
            worst = (int)r->findings[i].rule->severity;
    return worst;
}
