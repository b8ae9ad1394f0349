/* The heap walk of a large dump on several threads, with the result of one thread.
 *
 * Heaps are independent but for the walk's work budgets (walk_budgets: block records, steps,
 * integrity errors), which one thread spends heap after heap in list order: where a budget runs
 * out decides what each later heap records. So each thread walks its heaps with budgets of their
 * own, as large as the whole dump's, and notes what each heap used (for block records: the most
 * it held at once, since a walk may give records back). Then, in list order, a heap whose walk
 * never reached a limit and whose use fits in what the heaps before it left is exactly what the
 * ordered walk would have made: it is kept and its use taken. The first heap that does not fit
 * (only hostile dumps get there) and all after it are cleared for hs_heaps_walk to walk again in
 * order. */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "alloc.h"
#include "heap_walk_internal.h"

/* Below this much memory a dump's walk takes milliseconds: threads would cost more than they save. */
enum { PARALLEL_MIN_BYTES = 16u << 20 };

typedef struct heap_use {
    uint64_t blocks_peak, blocks_net, steps, errors;
    bool settled; /* the walk reached no limit and did not run out of memory */
} heap_use;

typedef struct shared {
    hs_heapset *set;
    const hs_dump *dump;
    const hs_process *process;
    const walk_budgets *start;
    heap_use *use;
    atomic_size_t next; /* the next heap to take */
} shared;

typedef struct worker {
    shared *s;
    hs_address_space *view;
    hs_arena *arena;
} worker;

static void *walk_some(void *arg)
{
    worker *w = arg;
    shared *s = w->s;
    for (;;) {
        size_t i = atomic_fetch_add(&s->next, 1);
        if (i >= s->process->heap_count)
            return NULL;
        walk_budgets b = *s->start;
        walk_ctx c = {.dump = s->dump, .as = w->view, .arena = w->arena, .h = &s->set->heaps[i],
                      .blocks_budget = &b.blocks, .blocks_limit = b.blocks_limit, .blocks_low = b.blocks,
                      .steps_budget = &b.steps, .steps_limit = b.steps_limit, .errors_budget = &b.errors};
        walk_heap(&c, &s->process->heaps[i], s->process);
        s->use[i] = (heap_use){.blocks_peak = s->start->blocks - c.blocks_low,
                               .blocks_net = s->start->blocks - b.blocks,
                               .steps = s->start->steps - b.steps,
                               .errors = s->start->errors - b.errors,
                               .settled = !c.out_of_memory && !c.budget_reported && !c.steps_reported &&
                                          b.errors > 0};
    }
}

static unsigned thread_count(const hs_address_space *as, size_t heaps, unsigned asked)
{
    if (heaps < 2 || (asked == 0 && hs_as_total_bytes(as) < PARALLEL_MIN_BYTES))
        return 1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = asked ? asked : cpus > 1 ? (unsigned)cpus : 1;
    if (n > HS_WALK_MAX_THREADS)
        n = HS_WALK_MAX_THREADS;
    return n < heaps ? n : (unsigned)heaps;
}

size_t walk_heaps_parallel(hs_heapset *set, const hs_dump *dump, const hs_address_space *as,
                           const hs_process *process, unsigned threads, walk_budgets *b)
{
    unsigned n = thread_count(as, process->heap_count, threads);
    if (n < 2)
        return 0;
    heap_use *use = hs_calloc(process->heap_count, sizeof *use);
    worker workers[HS_WALK_MAX_THREADS] = {0};
    pthread_t tids[HS_WALK_MAX_THREADS];
    shared s = {set, dump, process, b, use, 0};
    unsigned started = 0;
    for (unsigned t = 0; use && t < n; t++) {
        workers[t] = (worker){&s, hs_as_view(as), hs_arena_new(1ull << 30)};
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
    /* Every heap was taken by some thread (the last ones ran until the counter passed the end).
     * Keep the leading heaps the ordered walk would have made alike. */
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
