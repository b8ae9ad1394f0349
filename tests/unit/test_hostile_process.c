/* Process-level hostility: a PEB claiming 10^9 heaps, a heap listed twice, a segment list and a
 * free list that loop. Each is bounded by construction (limits, cycle detection) and reported; the
 * suite's timeout would catch a walk that does not end. Speed itself is measured in bench/, not
 * here. */
#include <criterion/criterion.h>
#include <string.h>

#include "heap.h"
#include "synthetic_process.h"

typedef struct walked {
    dump_builder b;
    hs_dump *dump;
    hs_address_space *as;
    hs_process *proc;
    hs_heapset *set;
} walked;

static void walk(walked *w, synth *s)
{
    synth_finish(s, &w->b);
    synth_free(s);
    w->dump = hs_dump_open_memory(w->b.file.data, w->b.file.len, "hostile.dmp", NULL);
    w->as = hs_as_build(w->dump);
    w->proc = hs_process_build(w->dump, w->as);
    w->set = hs_heaps_walk(w->dump, w->as, w->proc);
    cr_assert_not_null(w->set);
}

static void release(walked *w)
{
    hs_heapset_free(w->set);
    hs_process_free(w->proc);
    hs_as_free(w->as);
    hs_dump_free(w->dump);
    bv_free(&w->b.file);
}

static bool note_contains(const hs_process *p, const char *fragment)
{
    for (size_t i = 0; i < p->notes.count; i++)
        if (strstr(p->notes.items[i].message, fragment))
            return true;
    return false;
}

static bool has_error(const hs_heapset *set, const char *check)
{
    for (size_t i = 0; i < set->count; i++)
        for (size_t e = 0; e < set->heaps[i].error_count; e++)
            if (strcmp(set->heaps[i].errors[e].check, check) == 0)
                return true;
    return false;
}

Test(hostile_process, peb_claims_a_billion_heaps)
{
    static synth s;
    walked w;
    synth_init(&s, 4);
    const uint32_t sizes[] = {0x20};
    synth_heap(&s, 0x00140000, 0x2, sizes, 1, NULL);
    synth_heap(&s, 0x00150000, 0x1002, sizes, 1, NULL);
    synth_finish(&s, &w.b); /* writes the real list; then claim 10^9 entries */
    bv_free(&w.b.file);
    synth_put32(&s, s.peb + 0x88, 1000000000u);
    walk(&w, &s);
    cr_assert(note_contains(w.proc, "NumberOfHeaps 1000000000 exceeds MaximumNumberOfHeaps"));
    cr_assert(note_contains(w.proc, "exceeds the limit of 262144"));
    /* The array is not present for that many entries: the list is rebuilt from signatures. */
    cr_assert(w.proc->list_reconstructed);
    cr_assert_eq(w.set->count, 2);
    release(&w);
}

Test(hostile_process, heap_listed_twice)
{
    static synth s;
    walked w;
    synth_init(&s, 4);
    const uint32_t sizes[] = {0x20};
    synth_heap(&s, 0x00140000, 0x2, sizes, 1, NULL);
    synth_heap(&s, 0x00150000, 0x1002, sizes, 1, NULL);
    s.heaps[1] = 0x00140000; /* ProcessHeaps[1] repeats ProcessHeaps[0] */
    walk(&w, &s);
    cr_assert(note_contains(
        w.proc, "heap 0x140000 appears twice in ProcessHeaps (entries 0 and 1); walked once"));
    cr_assert_eq(w.set->count, 1);
    release(&w);
}

Test(hostile_process, segment_list_that_loops)
{
    static synth s;
    walked w;
    synth_init(&s, 4);
    const uint32_t sizes[] = {0x20};
    synth_heap(&s, 0x00140000, 0x2, sizes, 1, NULL);
    synth_heap(&s, 0x00150000, 0x1002, sizes, 1, NULL);
    /* The heap's segment's SegmentListEntry.Flink points to itself instead of back to the head. */
    synth_put32(&s, 0x00150000 + 0x10, 0x00150000 + 0x10);
    walk(&w, &s);
    cr_assert(has_error(w.set, "list_cycle"));
    release(&w);
}

Test(hostile_process, free_list_pointing_into_a_loop_of_two)
{
    static synth s;
    walked w;
    synth_init(&s, 4);
    const uint32_t sizes[] = {0x20, 0x20};
    uint64_t user[2];
    synth_heap(&s, 0x00140000, 0x2, sizes, 2, user);
    /* FreeLists.Flink → A → B → A …: two busy blocks' user data used as list links. */
    synth_put32(&s, 0x00140000 + 0xC4, (uint32_t)user[0]);
    synth_put32(&s, (uint32_t)user[0], (uint32_t)user[1]);
    synth_put32(&s, (uint32_t)user[0] + 4, 0x00140000 + 0xC4);
    synth_put32(&s, (uint32_t)user[1], (uint32_t)user[0]);
    synth_put32(&s, (uint32_t)user[1] + 4, (uint32_t)user[0]);
    walk(&w, &s);
    cr_assert(has_error(w.set, "list_cycle"));
    cr_assert(has_error(w.set, "free_list_busy_block"));
    release(&w);
}
