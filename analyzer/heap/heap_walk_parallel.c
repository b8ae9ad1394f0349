/* The heap walk of a large dump on several threads, with the result of one thread.
 *
 * Heaps are independent but for the walk's work budgets (walk_budgets: block records, steps,
 * integrity errors), which one thread spends heap after heap in list order: where a budget runs
 * out decides what each later heap records. So the threads draw on one pool holding the whole
 * budgets, in small chunks, and note what each heap took (for block records the most it held at
 * once, since a walk may give records back); a heap that finds the pool empty stops its thread.
 * The threads together thus never take more than one thread would be allowed. Then, in list order,
 * a heap whose walk reached no limit and whose use fits in what the heaps before it left is exactly
 * what the ordered walk would have made: it is kept and its use taken. The first heap that does not
 * fit (only hostile dumps get there: the pool ran dry) and all after it are cleared for
 * hs_heaps_walk to walk again in order, with what is left of the budgets. */
#include <pthread.h>
#include <stdatomic.h>

#include "alloc.h"
#include "heap_ranges.h"
#include "heap_walk_internal.h"

typedef struct heap_use {
    uint64_t blocks_peak, blocks_net, steps, errors;
    bool settled; /* the walk reached no limit and did not run out of memory */
} heap_use;

typedef struct shared {
    hs_heapset *set;
    const hs_dump *dump;
    const hs_process *process;
    const walk_budgets *limits; /* for the messages, which name the dump's limits */
    heap_use *use;
    atomic_size_t next; /* the next heap to take */
} shared;

typedef struct worker {
    shared *s;
    hs_address_space *view;
    hs_arena *arena;
    walk_pool *pool;
} worker;

static void *walk_some(void *arg)
{
    worker *w = arg;
    shared *s = w->s;
    walk_budgets local = {0}; /* filled from the pool as it is spent */
    const walk_budgets *limits = s->limits;
    for (;;) {
        size_t i = atomic_fetch_add(&s->next, 1);
        if (i >= s->process->heap_count)
            return NULL;
        walk_ctx c = {.dump = s->dump,
                      .set = s->set,
                      .as = w->view,
                      .arena = w->arena,
                      .h = &s->set->heaps[i],
                      .blocks_budget = &local.blocks,
                      .blocks_limit = limits->blocks_limit,
                      .pool = w->pool,
                      .steps_budget = &local.steps,
                      .steps_limit = limits->steps_limit,
                      .errors_budget = &local.errors};
        walk_heap(&c, &s->process->heaps[i], s->process);
        heap_use *u = &s->use[i];
        *u = (heap_use){.blocks_peak = c.blocks_peak,
                        .blocks_net = c.blocks_held,
                        .steps = c.steps_used,
                        .errors = c.errors_used,
                        .settled = !c.out_of_memory && !c.budget_reported && !c.steps_reported &&
                                   !c.errors_limited};
        if (!u->settled)
            return NULL; /* the pool is dry (or memory is): the ordered walk takes over */
    }
}

size_t walk_heaps_parallel(hs_heapset *set, const hs_dump *dump, const hs_address_space *as,
                           const hs_process *process, unsigned threads, walk_budgets *b)
{
    unsigned n = hs_workers_for(as, process->heap_count, threads);
    if (n < 2)
        return 0;
    heap_use *use = hs_calloc(process->heap_count, sizeof *use);
    worker workers[HS_WALK_MAX_THREADS] = {0};
    pthread_t tids[HS_WALK_MAX_THREADS];
    shared s = {set, dump, process, b, use, 0};
    walk_pool pool;
    atomic_init(&pool.blocks, b->blocks);
    atomic_init(&pool.steps, b->steps);
    atomic_init(&pool.errors, b->errors);
    unsigned started = 0;
    for (unsigned t = 0; use && t < n; t++) {
        workers[t] = (worker){&s, hs_as_view(as), hs_arena_new(1ull << 30), &pool};
        set->thread_arenas[t] = workers[t].arena;
        if (!workers[t].view || !workers[t].arena ||
            pthread_create(&tids[t], NULL, walk_some, &workers[t]) != 0) {
            hs_as_free(workers[t].view);
            break;
        }
        started++;
    }
    for (unsigned t = 0; t < started; t++) {
        pthread_join(tids[t], NULL);
        hs_as_free(workers[t].view);
    }
    if (started == 0) { /* nothing was walked: all of it in order */
        hs_free(use);
        return 0;
    }
    /* Keep the leading heaps the ordered walk would have made alike. A heap no thread took (its
     * thread stopped when the pool ran dry) has use[] zeroed: not settled. */
    size_t kept = 0;
    for (; kept < process->heap_count; kept++) {
        const heap_use *u = &use[kept];
        if (!u->settled || u->blocks_peak > b->blocks || u->steps > b->steps ||
            u->errors > b->errors)
            break;
        b->blocks -= u->blocks_net;
        b->steps -= u->steps;
        b->errors -= u->errors;
    }
    for (size_t i = kept; i < process->heap_count; i++)
        walk_heap_clear(&set->heaps[i]);
    hs_free(use);
    return kept;
}
