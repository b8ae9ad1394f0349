/* The heap walk of a large dump on several threads, with the result of one thread.
 *
 * Heaps are independent but for the walk's work budgets (walk_budgets: block records, steps,
 * integrity errors), which one thread spends heap after heap in list order: where a budget runs
 * out decides what each later heap records. So the budgets are shared out: each of N threads gets
 * 1/N of each and walks heaps with it, noting what each heap used (for block records: the most it
 * held at once, since a walk may give records back), until a heap reaches the end of the thread's
 * share. The threads together thus never do more work than one thread would. Then, in list order,
 * a heap whose walk reached no limit and whose use fits in what the heaps before it left is
 * exactly what the ordered walk would have made: it is kept and its use taken. The first heap that
 * does not fit (only hostile dumps get there) and all after it are cleared for hs_heaps_walk to
 * walk again in order, with what is left of the budgets. */
#include <pthread.h>
#include <stdatomic.h>

#include "alloc.h"
#include "heap_walk_internal.h"
#include "util/heap_ranges.h"

typedef struct heap_use {
    uint64_t blocks_peak, blocks_net, steps, errors;
    bool settled; /* the walk reached no limit and did not run out of memory */
} heap_use;

typedef struct shared {
    hs_heapset *set;
    const hs_dump *dump;
    const hs_process *process;
    heap_use *use;
    atomic_size_t next; /* the next heap to take */
} shared;

typedef struct worker {
    shared *s;
    hs_address_space *view;
    hs_arena *arena;
    walk_budgets share; /* this thread's part of the budgets, spent heap after heap */
} worker;

static void *walk_some(void *arg)
{
    worker *w = arg;
    shared *s = w->s;
    walk_budgets *b = &w->share;
    for (;;) {
        size_t i = atomic_fetch_add(&s->next, 1);
        if (i >= s->process->heap_count)
            return NULL;
        const walk_budgets before = *b;
        walk_ctx c = {.dump = s->dump, .as = w->view, .arena = w->arena, .h = &s->set->heaps[i],
                      .blocks_budget = &b->blocks, .blocks_limit = b->blocks_limit, .blocks_low = b->blocks,
                      .steps_budget = &b->steps, .steps_limit = b->steps_limit, .errors_budget = &b->errors};
        walk_heap(&c, &s->process->heaps[i], s->process);
        heap_use *u = &s->use[i];
        *u = (heap_use){.blocks_peak = before.blocks - c.blocks_low,
                        .blocks_net = before.blocks - b->blocks,
                        .steps = before.steps - b->steps,
                        .errors = before.errors - b->errors,
                        .settled = !c.out_of_memory && !c.budget_reported && !c.steps_reported && b->errors > 0};
        if (!u->settled)
            return NULL; /* this thread's share is spent (or memory is): the ordered walk takes over */
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
    shared s = {set, dump, process, use, 0};
    /* The messages name the dump's limits, not a thread's share. */
    walk_budgets share = {b->blocks / n, b->blocks_limit, b->steps / n, b->steps_limit, b->errors / n};
    unsigned started = 0;
    for (unsigned t = 0; use && t < n; t++) {
        workers[t] = (worker){&s, hs_as_view(as), hs_arena_new(1ull << 30), share};
        set->thread_arenas[t] = workers[t].arena;
        if (!workers[t].view || !workers[t].arena || pthread_create(&tids[t], NULL, walk_some, &workers[t]) != 0) {
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
     * thread stopped at the end of its share) has use[] zeroed: not settled. */
    size_t kept = 0;
    for (; kept < process->heap_count; kept++) {
        const heap_use *u = &use[kept];
        if (!u->settled || u->blocks_peak > b->blocks || u->steps > b->steps || u->errors > b->errors)
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
