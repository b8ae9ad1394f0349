#include "heap_ranges.h"

#include <pthread.h>
#include <unistd.h>

/* Below this much memory an analysis takes milliseconds: threads would cost more than they save. */
enum { PARALLEL_MIN_BYTES = 16u << 20 };

unsigned hs_workers_for(const hs_address_space *as, size_t heaps, unsigned threads)
{
    unsigned n = threads;
    if (n == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n = hs_as_total_bytes(as) >= PARALLEL_MIN_BYTES && cpus > 1 ? (unsigned)cpus : 1;
    }
    if (n > HS_MAX_WORKERS)
        n = HS_MAX_WORKERS;
    if (n > heaps)
        n = heaps ? (unsigned)heaps : 1;
    return n;
}

typedef struct range_job {
    hs_heap_range_fn fn;
    void *ctx;
    unsigned worker;
    const hs_address_space *as;
    size_t first, end;
} range_job;

static void *run_range(void *arg)
{
    range_job *j = arg;
    j->fn(j->ctx, j->worker, j->as, j->first, j->end);
    return NULL;
}

void hs_for_heap_ranges(const hs_heapset *set, const hs_address_space *as, unsigned workers,
                        hs_heap_range_fn fn, void *ctx)
{
    if (workers > HS_MAX_WORKERS)
        workers = HS_MAX_WORKERS;
    if (workers < 2 || set->count < 2) {
        fn(ctx, 0, as, 0, set->count);
        return;
    }
    /* Ranges of about equal numbers of blocks: the work of both analyses is per block. */
    uint64_t total = 0;
    for (size_t i = 0; i < set->count; i++)
        total += set->heaps[i].block_count + 1;
    range_job jobs[HS_MAX_WORKERS];
    size_t at = 0;
    uint64_t done = 0;
    for (unsigned w = 0; w < workers; w++) {
        uint64_t goal = total * (w + 1) / workers;
        size_t end = at;
        while (end < set->count && (done < goal || w + 1 == workers)) {
            done += set->heaps[end].block_count + 1;
            end++;
        }
        jobs[w] = (range_job){fn, ctx, w, as, at, end};
        at = end;
    }
    pthread_t tids[HS_MAX_WORKERS];
    hs_address_space *views[HS_MAX_WORKERS] = {0};
    bool started[HS_MAX_WORKERS] = {0};
    for (unsigned w = 1; w < workers; w++) {
        if (jobs[w].first == jobs[w].end)
            continue;
        views[w] = hs_as_view(as);
        if (views[w]) {
            jobs[w].as = views[w];
            started[w] = pthread_create(&tids[w], NULL, run_range, &jobs[w]) == 0;
        }
    }
    run_range(&jobs[0]);
    for (unsigned w = 1; w < workers; w++) {
        if (started[w])
            pthread_join(tids[w], NULL);
        else if (jobs[w].first < jobs[w].end) {
            jobs[w].as = as;
            run_range(&jobs[w]);
        }
        hs_as_free(views[w]);
    }
}
