/* A large dump is analysed on several threads (heap_walk_parallel.c, analyzer/scan.c,
 * util/heap_ranges.c): the results must be those of one thread, field for field. One thread, the
 * number the scan chooses and four are compared here on dumps above the size threshold — the KB
 * repro's 6000 leaked heaps on XP and a bulk Windows 10 process: facts, per-heap reachability and
 * its evidence, every property block, the MAPI attribution and the findings. The heap walk is also
 * compared alone, one thread against four, on every dump at hand, the hostile ones of
 * corpus/malformed included: there the walk's budgets run out, and the threads' results must give
 * way to the ordered walk at exactly the right heap. On the same dumps reachability is computed
 * with the sieve notes the walk leaves (heap/heap_sieve.c) and with them withdrawn, reading every
 * word: the same result. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapi_scenario.h"
#include "reachability.h"
#include "read_file.h"
#include "scan.h"
#include "shipped_rules.h"
#include "test_paths.h"

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void compare(const char *what, const hs_scan_result *one, const hs_scan_result *two)
{
    for (int f = 0; f < HS_FACT_COUNT; f++) {
        cr_assert_eq(one->facts.v[f].known, two->facts.v[f].known, "%s: fact %d", what, f);
        cr_assert_eq(one->facts.v[f].value, two->facts.v[f].value, "%s: fact %s", what,
                     hs_fact_defs()[f].name);
    }
    cr_assert_eq(one->heaps->count, two->heaps->count);
    cr_assert_eq(one->reach->known, two->reach->known);
    for (size_t i = 0; i < one->heaps->count; i++) {
        cr_assert_eq(one->reach->state[i], two->reach->state[i], "%s: heap %zu", what, i);
        cr_assert(same_str(one->reach->evidence[i], two->reach->evidence[i]),
                  "%s: heap %zu evidence", what, i);
        const hs_mapi_heap *x = &one->mapi->heaps[i], *y = &two->mapi->heaps[i];
        cr_assert(x->eligible == y->eligible && x->session == y->session &&
                      x->vtable_objects == y->vtable_objects && x->prop_blocks == y->prop_blocks &&
                      x->alloc_chain_links == y->alloc_chain_links && x->cluster == y->cluster &&
                      x->by_cluster == y->by_cluster,
                  "%s: heap %zu attribution", what, i);
    }
    cr_assert_eq(one->props->count, two->props->count, "%s: property blocks", what);
    for (size_t i = 0; i < one->props->count; i++) {
        const hs_prop_block *a = &one->props->blocks[i], *b = &two->props->blocks[i];
        cr_assert(a->address == b->address && a->block == b->block && a->entries == b->entries &&
                      a->corrupt == b->corrupt && a->bad_index == b->bad_index &&
                      same_str(a->check, b->check) && same_str(a->detail, b->detail),
                  "%s: property block %zu", what, i);
    }
    cr_assert_eq(one->finding_count, two->finding_count, "%s: findings", what);
    for (size_t i = 0; i < one->finding_count; i++)
        cr_assert_str_eq(one->findings[i].rule->identifier, two->findings[i].rule->identifier);
}

static void both_ways(const char *text, size_t min_findings)
{
    hs_scenario sc;
    char err[256];
    cr_assert_eq(hs_scenario_parse(text, &sc, err, sizeof err), 0, "%s", err);
    dump_builder b;
    hs_scenario_build(&sc, &b);
    hs_scan_options one_thread = {.threads = 1}, chosen = {0}, four = {.threads = 4};
    hs_scan_result *one =
        hs_scan_memory_with(b.file.data, b.file.len, "one.dmp", shipped_rules(), &one_thread);
    hs_scan_result *two =
        hs_scan_memory_with(b.file.data, b.file.len, "two.dmp", shipped_rules(), &chosen);
    hs_scan_result *many =
        hs_scan_memory_with(b.file.data, b.file.len, "four.dmp", shipped_rules(), &four);
    cr_assert(one && two && many && one->reach && two->reach && many->reach && one->props &&
              two->props && many->props);
    cr_assert_geq(hs_as_total_bytes(one->as), 16u << 20,
                  "the dump must be above the threshold for two threads");
    cr_assert_geq(one->finding_count, min_findings);
    printf("scan_threads: %zu heaps, %llu bytes of memory, %zu property blocks, %zu findings: the "
           "same on two threads\n",
           one->heaps->count, (unsigned long long)hs_as_total_bytes(one->as), one->props->count,
           one->finding_count);
    compare(text, one, two);
    compare(text, one, many);
    hs_scan_result_free(one);
    hs_scan_result_free(two);
    hs_scan_result_free(many);
    bv_free(&b.file);
}

Test(scan_threads, kb_repro_xp_gives_the_same_result_on_two_threads, .timeout = 120)
{
    both_ways("os = xp\nmapi = 5.5.2448.0\nlive_sessions = 2\nleaked_sessions = "
              "6000\ncorrupt_blocks = 40\n"
              "corrupt_kinds = 7\ndecoy_heaps = 3\nlookaside_cached = 6\nexception = 0xC0000005\n",
              1);
}

Test(scan_threads, bulk_win10_gives_the_same_result_on_two_threads, .timeout = 120)
{
    both_ways(
        "os = win10-x64\nmapi = 16.0.4266.1001\nmapi_module = OLMAPI32.DLL\nlive_sessions = 2\n"
        "leaked_sessions = 80\ncorrupt_blocks = 5\nbulk_mb = 24\n",
        1);
}

/* ---- the walk alone: one thread against four on every dump ---- */

static void same_heaps(const char *name, const hs_heapset *a, const hs_heapset *b)
{
    cr_assert_eq(a->count, b->count, "%s: heaps", name);
    for (size_t i = 0; i < a->count; i++) {
        const hs_heap *x = &a->heaps[i], *y = &b->heaps[i];
        cr_assert(x->handle == y->handle && x->walk_complete == y->walk_complete, "%s: heap %zu",
                  name, i);
        cr_assert_eq(x->block_count, y->block_count, "%s: heap 0x%llx blocks", name,
                     (unsigned long long)x->handle);
        for (size_t k = 0; k < x->block_count; k++) {
            const hs_block *p = &x->blocks[k], *q = &y->blocks[k];
            cr_assert(p->address == q->address && p->size == q->size &&
                          p->requested == q->requested && p->flags == q->flags &&
                          p->unused_bytes == q->unused_bytes && p->state == q->state &&
                          p->kind == q->kind && p->segment == q->segment && p->cached == q->cached,
                      "%s: heap 0x%llx block %zu differs", name, (unsigned long long)x->handle, k);
        }
        cr_assert_eq(x->error_count, y->error_count, "%s: heap 0x%llx errors", name,
                     (unsigned long long)x->handle);
        for (size_t e = 0; e < x->error_count; e++)
            cr_assert(x->errors[e].address == y->errors[e].address &&
                          strcmp(x->errors[e].check, y->errors[e].check) == 0 &&
                          same_str(x->errors[e].detail, y->errors[e].detail),
                      "%s: heap 0x%llx error %zu", name, (unsigned long long)x->handle, e);
        const hs_heap_sieve *u = &x->sieve, *v = &y->sieve;
        cr_assert(u->usable == v->usable && u->word_count == v->word_count &&
                      u->covered_count == v->covered_count && u->sieved_bytes == v->sieved_bytes,
                  "%s: heap 0x%llx sieve", name, (unsigned long long)x->handle);
        for (size_t k = 0; k < u->word_count; k++)
            cr_assert_eq(u->words[k], v->words[k], "%s: heap 0x%llx sieve word %zu", name,
                         (unsigned long long)x->handle, k);
        cr_assert(x->missing_count == y->missing_count && x->skipped_count == y->skipped_count &&
                      x->busy_blocks == y->busy_blocks && x->free_blocks == y->free_blocks &&
                      x->internal_blocks == y->internal_blocks &&
                      x->lookaside_blocks == y->lookaside_blocks && x->committed == y->committed,
                  "%s: heap 0x%llx totals", name, (unsigned long long)x->handle);
    }
}

static size_t budget_heaps; /* heaps that ended at a walk budget, over all dumps */
static size_t sieved_heaps; /* heaps whose walk left sieve notes for reachability, over all dumps */

static void walk_both_ways(const char *name, const void *data, size_t size)
{
    hs_dump *d = hs_dump_open_memory(data, size, name, NULL);
    cr_assert_not_null(d);
    if (!d->valid) {
        hs_dump_free(d);
        return;
    }
    hs_address_space *as = hs_as_build(d);
    hs_process *p = as ? hs_process_build(d, as) : NULL;
    cr_assert(as && p);
    hs_heapset *one = hs_heaps_walk_with(d, as, p, 1), *four = hs_heaps_walk_with(d, as, p, 4);
    cr_assert(one && four);
    same_heaps(name, one, four);
    /* Reachability scanning each heap as the graph reaches it, against the same over prescans of
     * every heap and of every other heap (the rest scanned as reached). */
    hs_reach_result *scanned = hs_reachability_compute(d, as, one);
    cr_assert_not_null(scanned);
    for (unsigned stride = 1; stride <= 2; stride++) {
        hs_reach_prep *prep = hs_reach_prepare(d, as, one);
        uint8_t *seen = calloc(one->count ? one->count : 1, 1);
        cr_assert(prep && seen);
        for (size_t i = 0; i < one->count; i += stride)
            hs_reach_prescan(prep, as, i, seen);
        for (size_t i = 0; i < one->count; i++)
            cr_assert_eq(seen[i], 0, "%s: the prescan left its scratch dirty", name);
        free(seen);
        hs_reach_result *pre = hs_reach_finish(prep);
        cr_assert_not_null(pre);
        cr_assert(pre->known == scanned->known &&
                      same_str(pre->unknown_reason, scanned->unknown_reason) &&
                      pre->words_scanned == scanned->words_scanned &&
                      pre->reachable == scanned->reachable,
                  "%s (stride %u): reachability differs: known %d/%d, words %llu/%llu", name,
                  stride, pre->known, scanned->known, (unsigned long long)pre->words_scanned,
                  (unsigned long long)scanned->words_scanned);
        for (size_t i = 0; i < one->count; i++)
            cr_assert(pre->state[i] == scanned->state[i] &&
                          same_str(pre->evidence[i], scanned->evidence[i]),
                      "%s (stride %u): heap %zu: %s / %s", name, stride, i,
                      pre->evidence[i] ? pre->evidence[i] : "-",
                      scanned->evidence[i] ? scanned->evidence[i] : "-");
        hs_reach_result_free(pre);
    }
    /* The walk's sieve notes (heap_sieve.c) against reading every word: the notes withdrawn, the
     * same result to the word. */
    for (size_t i = 0; i < one->count; i++) {
        sieved_heaps += one->heaps[i].sieve.usable;
        one->heaps[i].sieve.usable = false;
    }
    hs_reach_result *read_all = hs_reachability_compute(d, as, one);
    cr_assert_not_null(read_all);
    cr_assert(read_all->known == scanned->known &&
                  same_str(read_all->unknown_reason, scanned->unknown_reason) &&
                  read_all->words_scanned == scanned->words_scanned &&
                  read_all->reachable == scanned->reachable,
              "%s: reachability with the sieve's notes differs from reading every word: known "
              "%d/%d, words %llu/%llu",
              name, scanned->known, read_all->known, (unsigned long long)scanned->words_scanned,
              (unsigned long long)read_all->words_scanned);
    for (size_t i = 0; i < one->count; i++)
        cr_assert(read_all->state[i] == scanned->state[i] &&
                      same_str(read_all->evidence[i], scanned->evidence[i]),
                  "%s: heap %zu with notes / reading: %s / %s", name, i,
                  scanned->evidence[i] ? scanned->evidence[i] : "-",
                  read_all->evidence[i] ? read_all->evidence[i] : "-");
    hs_reach_result_free(read_all);
    hs_reach_result_free(scanned);
    for (size_t i = 0; i < one->count; i++)
        for (size_t e = 0; e < one->heaps[i].error_count; e++)
            budget_heaps += strcmp(one->heaps[i].errors[e].check, "list_limit") == 0;
    hs_heapset_free(one);
    hs_heapset_free(four);
    hs_process_free(p);
    hs_as_free(as);
    hs_dump_free(d);
}

static size_t walk_folder(const char *dir)
{
    DIR *dh = opendir(dir);
    cr_assert_not_null(dh, "%s", dir);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(dh)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".dmp") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t size;
        uint8_t *data = read_whole_file(path, &size);
        walk_both_ways(path, data, size);
        free(data);
        n++;
    }
    closedir(dh);
    return n;
}

Test(scan_threads, the_walk_on_four_threads_equals_the_ordered_walk_on_every_dump, .timeout = 300)
{
    size_t dumps = walk_folder(HS_SOURCE_ROOT "/corpus/malformed") +
                   walk_folder(HS_SOURCE_ROOT "/corpus/samples");
    static const char *const shared[] = {"breakpad",      "lldb",          "mozilla",
                                         "node-minidump", "rust-minidump", "syzygy"};
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", HS_REAL_DUMPS, shared[i]);
        dumps += walk_folder(dir);
    }
    DIR *dh = opendir(HS_SOURCE_ROOT "/corpus/scenarios");
    cr_assert_not_null(dh);
    for (struct dirent *e; (e = readdir(dh)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".scn") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, HS_SOURCE_ROOT "/corpus/scenarios/%s", e->d_name);
        size_t n;
        char *text = (char *)read_whole_file(path, &n);
        hs_scenario sc;
        char err[256];
        cr_assert_eq(hs_scenario_parse(text, &sc, err, sizeof err), 0, "%s: %s", path, err);
        free(text);
        dump_builder b;
        hs_scenario_build(&sc, &b);
        walk_both_ways(path, b.file.data, b.file.len);
        bv_free(&b.file);
        dumps++;
    }
    closedir(dh);
    printf("scan_threads: the walk on four threads equals the ordered walk, and reachability over "
           "prescans equals "
           "reachability by scanning, and with the walk's sieve notes equals reading every word, "
           "on %zu dumps (%zu "
           "heaps ended at a budget, %zu left sieve notes)\n",
           dumps, budget_heaps, sieved_heaps);
    cr_assert_geq(dumps, 140);
    cr_assert_gt(sieved_heaps, 1000,
                 "the notes must have served on most heaps for the comparison to mean anything");
    cr_assert_gt(budget_heaps, 100,
                 "the hostile dumps must make the threads give way to the ordered walk");
}
