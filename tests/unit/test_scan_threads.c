/* A large dump's reachability and property scan run on two threads (analyzer/scan.c): the
 * results must be those of one thread, to the byte. Both are computed here on dumps above the
 * threshold — the KB repro's 6003 heaps on XP and a bulk Windows 10 process — and compared field
 * by field: facts, per-heap reachability and its evidence, every property block, the MAPI
 * attribution and the findings. */
#include <criterion/criterion.h>
#include <string.h>

#include "mapi_scenario.h"
#include "scan.h"

static const hs_ruleset *shipped_rules(void)
{
    static hs_ruleset *rs;
    if (!rs) {
        static hs_diag problems;
        problems.arena = hs_arena_new(1 << 20);
        const char *dir = HS_SOURCE_ROOT "/rules";
        rs = hs_ruleset_load(&dir, 1, &problems);
        cr_assert_eq(problems.count, 0);
    }
    return rs;
}

static bool same_str(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

static void compare(const char *what, const hs_scan_result *one, const hs_scan_result *two)
{
    for (int f = 0; f < HS_FACT_COUNT; f++) {
        cr_assert_eq(one->facts.v[f].known, two->facts.v[f].known, "%s: fact %d", what, f);
        cr_assert_eq(one->facts.v[f].value, two->facts.v[f].value, "%s: fact %s", what, hs_fact_defs()[f].name);
    }
    cr_assert_eq(one->heaps->count, two->heaps->count);
    cr_assert_eq(one->reach->known, two->reach->known);
    for (size_t i = 0; i < one->heaps->count; i++) {
        cr_assert_eq(one->reach->state[i], two->reach->state[i], "%s: heap %zu", what, i);
        cr_assert(same_str(one->reach->evidence[i], two->reach->evidence[i]), "%s: heap %zu evidence", what, i);
        cr_assert(memcmp(&one->mapi->heaps[i], &two->mapi->heaps[i], sizeof one->mapi->heaps[i]) == 0,
                  "%s: heap %zu attribution", what, i);
    }
    cr_assert_eq(one->props->count, two->props->count, "%s: property blocks", what);
    for (size_t i = 0; i < one->props->count; i++) {
        const hs_prop_block *a = &one->props->blocks[i], *b = &two->props->blocks[i];
        cr_assert(a->address == b->address && a->block == b->block && a->entries == b->entries &&
                      a->corrupt == b->corrupt && a->bad_index == b->bad_index && same_str(a->check, b->check) &&
                      same_str(a->detail, b->detail),
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
    hs_scan_options one_thread = {.one_thread = true}, two_threads = {0};
    hs_scan_result *one = hs_scan_memory_with(b.file.data, b.file.len, "one.dmp", shipped_rules(), &one_thread);
    hs_scan_result *two = hs_scan_memory_with(b.file.data, b.file.len, "two.dmp", shipped_rules(), &two_threads);
    cr_assert(one && two && one->reach && two->reach && one->props && two->props);
    cr_assert_geq(hs_as_total_bytes(one->as), 16u << 20, "the dump must be above the threshold for two threads");
    cr_assert_geq(one->finding_count, min_findings);
    printf("scan_threads: %zu heaps, %llu bytes of memory, %zu property blocks, %zu findings: the same on two threads\n",
           one->heaps->count, (unsigned long long)hs_as_total_bytes(one->as), one->props->count, one->finding_count);
    compare(text, one, two);
    hs_scan_result_free(one);
    hs_scan_result_free(two);
    bv_free(&b.file);
}

Test(scan_threads, kb_repro_xp_gives_the_same_result_on_two_threads, .timeout = 120)
{
    both_ways("os = xp\nmapi = 5.5.2448.0\nlive_sessions = 2\nleaked_sessions = 6000\ncorrupt_blocks = 40\n"
              "corrupt_kinds = 7\ndecoy_heaps = 3\nlookaside_cached = 6\nexception = 0xC0000005\n",
              1);
}

Test(scan_threads, bulk_win10_gives_the_same_result_on_two_threads, .timeout = 120)
{
    both_ways("os = win10-x64\nmapi = 16.0.4266.1001\nmapi_module = OLMAPI32.DLL\nlive_sessions = 2\n"
              "leaked_sessions = 80\ncorrupt_blocks = 5\nbulk_mb = 24\n",
              1);
}
