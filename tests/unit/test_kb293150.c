/* The KB Q293150 signature end to end on processes built here (synthetic_process.c): leaked MAPI
 * session heaps are found orphaned, attributed to MAPI on their evidence, their corrupted property
 * blocks found, and the shipped rules reach the right verdict — and do not on the decoys. */
#include <criterion/criterion.h>
#include <string.h>

#include "mapi_scenario.h"
#include "scan.h"
#include "scan_report.h"
#include "shipped_rules.h"

enum { LIVE_SESSIONS = 2, LEAKED_HEAP = HS_SCN_LEAKED_HEAP };

/* Builds the scenario's dump (corpus/gen/mapi_scenario.c) and scans it with the shipped rules. */
static hs_scan_result *run_scenario(const hs_scenario *sc, dump_builder *b)
{
    hs_scenario_build(sc, b);
    hs_scan_result *r = hs_scan_memory(b->file.data, b->file.len, "synthetic.dmp", shipped_rules());
    cr_assert_not_null(r);
    cr_assert(r->dump->valid);
    return r;
}

static hs_scenario scenario(hs_scenario_os os, unsigned leaked, unsigned corrupt, unsigned decoys,
                            bool mapi)
{
    hs_scenario sc;
    hs_scenario_default(&sc);
    sc.os = os;
    sc.leaked_sessions = leaked;
    sc.corrupt_blocks = corrupt;
    sc.decoy_heaps = decoys;
    sc.mapi = mapi;
    return sc;
}

static int64_t fact(const hs_scan_result *r, hs_fact_id id)
{
    cr_assert(r->facts.v[id].known, "fact %s is unknown", hs_fact_defs()[id].name);
    return r->facts.v[id].value;
}

static bool found(const hs_scan_result *r, const char *rule)
{
    for (size_t i = 0; i < r->finding_count; i++)
        if (strcmp(r->findings[i].rule->identifier, rule) == 0)
            return true;
    return false;
}

static void full_signature(unsigned ptr, bool xp, const char *hex)
{
    dump_builder b;
    hs_scenario sc = scenario(xp         ? HS_SCN_XP
                              : ptr == 8 ? HS_SCN_WIN7_X64
                                         : HS_SCN_WIN7_X86,
                              70, 1, 5, true);
    hs_scan_result *r = run_scenario(&sc, &b);
    cr_assert_eq(fact(r, HS_FACT_POINTER_SIZE), ptr);
    cr_assert_str_eq(r->heaps->heaps[0].layout->name, xp         ? "nt5-x86"
                                                      : ptr == 8 ? "nt6.1-x64"
                                                                 : "nt6.1-x86");
    cr_assert_eq(fact(r, HS_FACT_HEAP_COUNT), 1 + LIVE_SESSIONS + 70 + 5);
    for (size_t i = 0; i < r->heaps->count; i++)
        for (size_t e = 0; e < r->heaps->heaps[i].error_count; e++)
            cr_log_error("heap 0x%llx: %s at 0x%llx: %s",
                         (unsigned long long)r->heaps->heaps[i].handle,
                         r->heaps->heaps[i].errors[e].check,
                         (unsigned long long)r->heaps->heaps[i].errors[e].address,
                         r->heaps->heaps[i].errors[e].detail);
    cr_assert_eq(fact(r, HS_FACT_HEAP_INTEGRITY_ERRORS), 0);
    cr_assert_eq(fact(r, HS_FACT_HEAPS_WALKED), 78);
    cr_assert_eq(fact(r, HS_FACT_REACHABILITY_KNOWN), 1, "%s",
                 r->reach->unknown_reason ? r->reach->unknown_reason : "");
    cr_assert_eq(fact(r, HS_FACT_HEAPS_REACHABLE), 1 + LIVE_SESSIONS,
                 "the heap list copy in ntdll is not a reference");
    cr_assert_eq(fact(r, HS_FACT_HEAPS_ORPHANED), 75);
    cr_assert_eq(fact(r, HS_FACT_MAPI_LOADED), 1);
    cr_assert_eq(fact(r, HS_FACT_MAPI32_VERSION),
                 (int64_t)(5ull << 48 | 5ull << 32 | 2448ull << 16));
    cr_assert_eq(fact(r, HS_FACT_MAPI_SESSION_HEAPS), 72);
    cr_assert_eq(fact(r, HS_FACT_MAPI_ORPHANED_SESSION_HEAPS), 70);
    cr_assert_eq(fact(r, HS_FACT_MAPI_PROP_BLOCKS), 72);
    cr_assert_eq(fact(r, HS_FACT_MAPI_CORRUPT_PROP_BLOCKS), 1);
    cr_assert_eq(fact(r, HS_FACT_HEAP_LARGEST_CLUSTER), 72);
    cr_assert(found(r, "KB293150_full"));
    cr_assert_not(found(r, "KB293150_early"));
    cr_assert_not(found(r, "heap_corruption"));
    /* The corrupted block: leaked heap #0, array after the allocator header, entry 2. */
    const hs_prop_block *bad = NULL;
    for (size_t i = 0; i < r->props->count; i++)
        if (r->props->blocks[i].corrupt)
            bad = &r->props->blocks[i];
    cr_assert_not_null(bad);
    cr_assert_eq(bad->heap, LEAKED_HEAP);
    cr_assert_eq(bad->entries, 4);
    cr_assert_eq(bad->bad_index, 2);
    cr_assert_eq(bad->bad_tag, 0xFEEEFEEE);
    cr_assert_str_eq(bad->check, "tag_fill_pattern");
    cr_assert_str_eq(bad->hex, hex);
    /* The heap the person is told to inspect holds the block. */
    const hs_heap *h = hs_heapset_find(r->heaps, bad->heap);
    cr_assert_not_null(h);
    const hs_block *blk = hs_heap_block_containing(h, bad->address);
    cr_assert_not_null(blk);
    cr_assert_eq(blk->address, bad->block);
    char verdict[512];
    hs_scan_verdict(r, verdict, sizeof verdict);
    cr_assert_str_eq(verdict, "KB293150 (high): 70 orphaned MAPI session heaps, 1 corrupted "
                              "property block; MAPI32.DLL 5.5.2448.0");
    hs_scan_result_free(r);
    bv_free(&b.file);
}

Test(kb293150, full_signature_x86_with_exact_counts_and_evidence)
{
    full_signature(4, false, "ee fe ee fe 00 00 00 00 00 06 00 02 00 00 00 00");
}

Test(kb293150, full_signature_xp_with_exact_counts_and_evidence)
{
    /* XP: FirstEntry at +0x680, so the property block sits 0xF8 later than on Windows 7. */
    full_signature(4, true, "ee fe ee fe 00 00 00 00 00 1f 00 02 00 00 00 00");
}

Test(kb293150, full_signature_x64_with_exact_counts_and_evidence)
{
    full_signature(8, false,
                   "ee fe ee fe 00 00 00 00 38 0b 00 02 00 00 00 00 00 00 00 00 00 00 00 00");
}

Test(kb293150, early_stage_without_corruption)
{
    dump_builder b;
    hs_scenario sc = scenario(HS_SCN_XP, 300, 0, 0, true);
    hs_scan_result *r = run_scenario(&sc, &b);
    cr_assert_eq(fact(r, HS_FACT_MAPI_ORPHANED_SESSION_HEAPS), 300);
    cr_assert_eq(fact(r, HS_FACT_MAPI_CORRUPT_PROP_BLOCKS), 0);
    cr_assert(found(r, "KB293150_early"));
    cr_assert_not(found(r, "KB293150_full"));
    hs_scan_result_free(r);
    bv_free(&b.file);
}

Test(kb293150, healthy_client_and_decoys_get_no_finding)
{
    dump_builder b;
    hs_scenario sc = scenario(HS_SCN_XP, 0, 0, 100, true);
    hs_scan_result *r = run_scenario(&sc, &b);
    cr_assert_eq(fact(r, HS_FACT_HEAPS_ORPHANED), 100, "the decoys are orphaned private heaps");
    cr_assert_eq(fact(r, HS_FACT_MAPI_SESSION_HEAPS), LIVE_SESSIONS, "but not MAPI");
    cr_assert_eq(fact(r, HS_FACT_MAPI_ORPHANED_SESSION_HEAPS), 0);
    cr_assert_eq(fact(r, HS_FACT_HEAP_LARGEST_CLUSTER), 100);
    cr_assert_eq(r->finding_count, 0);
    hs_scan_result_free(r);
    bv_free(&b.file);
}

Test(kb293150, non_mapi_process_with_many_heaps)
{
    dump_builder b;
    hs_scenario sc = scenario(HS_SCN_XP, 80, 1, 0, false);
    hs_scan_result *r = run_scenario(&sc, &b);
    cr_assert_eq(fact(r, HS_FACT_MAPI_LOADED), 0);
    cr_assert_eq(fact(r, HS_FACT_MAPI_SESSION_HEAPS), 0,
                 "no MAPI module: nothing is attributed to MAPI");
    cr_assert_eq(fact(r, HS_FACT_HEAPS_ORPHANED), 80,
                 "the live heaps are still referenced from the process heap");
    cr_assert_eq(r->finding_count, 0);
    hs_scan_result_free(r);
    bv_free(&b.file);
}

Test(kb293150, memory_list_only_dump_leaves_reachability_unknown)
{
    dump_builder b;
    hs_scenario sc = scenario(HS_SCN_XP, 70, 1, 0, true);
    sc.memory_list_only = true;
    hs_scan_result *r = run_scenario(&sc, &b);
    cr_assert_eq(fact(r, HS_FACT_REACHABILITY_KNOWN), 0);
    cr_assert_str_eq(r->reach->unknown_reason,
                     "the writable data sections of the loaded modules are not in the dump");
    cr_assert_not(r->facts.v[HS_FACT_HEAPS_ORPHANED].known);
    cr_assert_not(r->facts.v[HS_FACT_MAPI_ORPHANED_SESSION_HEAPS].known);
    cr_assert_eq(r->finding_count, 0, "no rule fires on unknown facts");
    hs_scan_result_free(r);
    bv_free(&b.file);
}
