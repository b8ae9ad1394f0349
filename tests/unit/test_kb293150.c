/* The KB Q293150 signature end to end on processes built here (synthetic_process.c): leaked MAPI
 * session heaps are found orphaned, attributed to MAPI on their evidence, their corrupted property
 * blocks found, and the shipped rules reach the right verdict — and do not on the decoys. */
#include <criterion/criterion.h>
#include <string.h>

#include "scan.h"
#include "scan_report.h"
#include "synthetic_process.h"

enum {
    PROCESS_HEAP = 0x00140000,
    LIVE_HEAP = 0x01000000,
    LEAKED_HEAP = 0x02000000,
    DECOY_HEAP = 0x03000000,
    MAPI32 = 0x35F00000,
    MAPI32_SIZE = 0x9D000,
    NTDLL = 0x7C900000,
    VTABLE = MAPI32 + 0x1000,
    LIVE_SESSIONS = 2,
};

typedef struct scenario {
    unsigned ptr;            /* 4: x86, 8: x64 */
    bool xp;                 /* Windows XP SP3 x86 heaps */
    unsigned leaked;         /* orphaned MAPI session heaps */
    unsigned decoys;         /* orphaned private heaps without MAPI content */
    bool corrupt;            /* one leaked heap's property block has a freed-fill tag */
    bool mapi;               /* the MAPI module is loaded */
    bool memory_list_only;   /* no module data, no MemoryInfoList: reachability unknown */
} scenario;

/* Writes one SPropValue (mapi.md §1.1: tag, pad, Value at +8; SBinary {cb, lpb} with lpb at +4 on
 * x86 and +8 on x64 within Value). */
static void put_prop(synth *s, uint64_t at, uint32_t tag, uint64_t value, uint64_t lpb)
{
    synth_put32(s, at, tag);
    synth_put_ptr(s, at + 8, value);
    if (lpb)
        synth_put_ptr(s, at + 8 + s->ptr, lpb);
}

/* A session heap: a MAPI object (vtable into MAPI32) and a MAPIAllocateBuffer block holding a
 * 4-entry SPropValue array (after a two-pointer allocator header) with its strings and binary
 * inside the block (mapi.md §1.1, §4.3). Returns the property array's address. */
static uint64_t session_heap(synth *s, uint64_t base, bool corrupt)
{
    unsigned esize = s->ptr == 8 ? 24 : 16, gran = s->ptr == 8 ? 16 : 8, mapi_hdr = 2 * s->ptr;
    uint32_t data = mapi_hdr + 4 * esize, user_len = data + 8 + 24 + 16;
    const uint32_t sizes[] = {2 * gran + 16, (user_len + gran + gran - 1) & ~(gran - 1)};
    uint64_t user[2];
    synth_heap(s, base, 0x1002, sizes, 2, user);
    synth_put_ptr(s, user[0], VTABLE);
    synth_put32(s, user[0] + s->ptr, 1); /* refcount */
    uint64_t u = user[1], a = u + mapi_hdr;
    uint64_t str1 = u + data, str2 = str1 + 8, bin = str2 + 24;
    synth_put32(s, u, 0x10000001); /* allocator tag seen in real MAPI blocks */
    put_prop(s, a, 0x3001001E, str1, 0);                                 /* PR_DISPLAY_NAME_A */
    put_prop(s, a + esize, 0x0FFE0003, 11, 0);                           /* PR_OBJECT_TYPE = MAPI_SESSION */
    put_prop(s, a + 2 * esize, corrupt ? 0xFEEEFEEE : 0x3D12001E, str2, 0); /* PR_PROFILE_NAME_A */
    put_prop(s, a + 3 * esize, 0x0FFF0102, 16, bin);                     /* PR_ENTRYID */
    synth_write(s, str1, "Session", 8);
    synth_write(s, str2, "MS Exchange Settings", 21);
    synth_write(s, bin, "\x81\x2b\x1f\xa4\xbe\xa3\x10\x19\x9d\x6e\x00\xdd\x01\x0f\x54\x02", 16);
    return a;
}

static void decoy_heap(synth *s, uint64_t base)
{
    const uint32_t sizes[] = {0x40, 0x40, 0x20};
    uint64_t user[3];
    synth_heap(s, base, 0x1002, sizes, 3, user);
    synth_write(s, user[0], "application data, not MAPI", 27);
    synth_put32(s, user[1], 0x12345678);
}

static hs_scan_result *run_scenario(const scenario *sc, dump_builder *b)
{
    static synth s;
    if (sc->xp)
        synth_init_xp(&s);
    else
        synth_init(&s, sc->ptr ? sc->ptr : 4);
    s.memory_list_only = sc->memory_list_only;
    synth_module_add(&s, "C:\\WINDOWS\\system32\\ntdll.dll", NTDLL, 0x1000, (5u << 16) | 1, 2600u << 16);
    if (sc->mapi) {
        synth_module_add(&s, "C:\\WINDOWS\\system32\\MAPI32.DLL", MAPI32, MAPI32_SIZE, (5u << 16) | 5, 2448u << 16);
        synth_put_ptr(&s, VTABLE, MAPI32 + 0x500); /* first slot: code of the same module */
    }
    /* Process heap: one session object per live session, holding its heap handle. */
    unsigned gran = s.ptr == 8 ? 16 : 8;
    const uint32_t ph_sizes[] = {4 * gran, 4 * gran, 0x100};
    uint64_t ph_user[3];
    synth_heap(&s, PROCESS_HEAP, 0x2, ph_sizes, 3, ph_user);
    for (unsigned i = 0; i < LIVE_SESSIONS; i++) {
        session_heap(&s, LIVE_HEAP + 0x10000 * i, false);
        synth_put_ptr(&s, ph_user[i], sc->mapi ? VTABLE : 0);
        synth_put_ptr(&s, ph_user[i] + 2 * s.ptr, LIVE_HEAP + 0x10000 * i);
    }
    for (unsigned i = 0; i < sc->leaked; i++)
        session_heap(&s, LEAKED_HEAP + 0x10000 * i, sc->corrupt && i == 7);
    for (unsigned i = 0; i < sc->decoys; i++)
        decoy_heap(&s, DECOY_HEAP + 0x10000 * i);
    /* ntdll's data holds the heap list copy (as RtlpProcessHeapsListBuffer does): not a reference. */
    for (size_t i = 0; i < s.heap_count && i < 0x1000 / s.ptr; i++)
        synth_put_ptr(&s, NTDLL + 0x1000 + s.ptr * i, s.heaps[i]);
    synth_finish(&s, b);
    synth_free(&s);

    /* Findings point into the ruleset: it lives as long as the test process. */
    static hs_ruleset *rs;
    if (!rs) {
        static hs_arena *a;
        static hs_diag problems;
        a = hs_arena_new(1 << 20);
        problems.arena = a;
        const char *dir = HS_SOURCE_ROOT "/rules";
        rs = hs_ruleset_load(&dir, 1, &problems);
        cr_assert_eq(problems.count, 0);
    }
    hs_scan_result *r = hs_scan_memory(b->file.data, b->file.len, "synthetic.dmp", rs);
    cr_assert_not_null(r);
    cr_assert(r->dump->valid);
    return r;
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
    scenario sc = {.ptr = ptr, .xp = xp, .leaked = 70, .decoys = 5, .corrupt = true, .mapi = true};
    hs_scan_result *r = run_scenario(&sc, &b);
    cr_assert_eq(fact(r, HS_FACT_POINTER_SIZE), ptr);
    cr_assert_str_eq(r->heaps->heaps[0].layout->name, xp ? "nt5-x86" : ptr == 8 ? "nt6.1-x64" : "nt6.1-x86");
    cr_assert_eq(fact(r, HS_FACT_HEAP_COUNT), 1 + LIVE_SESSIONS + 70 + 5);
    for (size_t i = 0; i < r->heaps->count; i++)
        for (size_t e = 0; e < r->heaps->heaps[i].error_count; e++)
            cr_log_error("heap 0x%llx: %s at 0x%llx: %s", (unsigned long long)r->heaps->heaps[i].handle,
                         r->heaps->heaps[i].errors[e].check, (unsigned long long)r->heaps->heaps[i].errors[e].address,
                         r->heaps->heaps[i].errors[e].detail);
    cr_assert_eq(fact(r, HS_FACT_HEAP_INTEGRITY_ERRORS), 0);
    cr_assert_eq(fact(r, HS_FACT_HEAPS_WALKED), 78);
    cr_assert_eq(fact(r, HS_FACT_REACHABILITY_KNOWN), 1, "%s", r->reach->unknown_reason ? r->reach->unknown_reason : "");
    cr_assert_eq(fact(r, HS_FACT_HEAPS_REACHABLE), 1 + LIVE_SESSIONS, "the heap list copy in ntdll is not a reference");
    cr_assert_eq(fact(r, HS_FACT_HEAPS_ORPHANED), 75);
    cr_assert_eq(fact(r, HS_FACT_MAPI_LOADED), 1);
    cr_assert_eq(fact(r, HS_FACT_MAPI32_VERSION), (int64_t)(5ull << 48 | 5ull << 32 | 2448ull << 16));
    cr_assert_eq(fact(r, HS_FACT_MAPI_SESSION_HEAPS), 72);
    cr_assert_eq(fact(r, HS_FACT_MAPI_ORPHANED_SESSION_HEAPS), 70);
    cr_assert_eq(fact(r, HS_FACT_MAPI_PROP_BLOCKS), 72);
    cr_assert_eq(fact(r, HS_FACT_MAPI_CORRUPT_PROP_BLOCKS), 1);
    cr_assert_eq(fact(r, HS_FACT_HEAP_LARGEST_CLUSTER), 72);
    cr_assert(found(r, "KB293150_full"));
    cr_assert_not(found(r, "KB293150_early"));
    cr_assert_not(found(r, "heap_corruption"));
    /* The corrupted block: leaked heap #7, array after the allocator header, entry 2. */
    const hs_prop_block *bad = NULL;
    for (size_t i = 0; i < r->props->count; i++)
        if (r->props->blocks[i].corrupt)
            bad = &r->props->blocks[i];
    cr_assert_not_null(bad);
    cr_assert_eq(bad->heap, LEAKED_HEAP + 0x70000);
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
    cr_assert_str_eq(verdict, "KB293150 (high): 70 orphaned MAPI session heaps, 1 corrupted property blocks; MAPI32.DLL 5.5.2448.0");
    hs_scan_result_free(r);
    bv_free(&b.file);
}

Test(kb293150, full_signature_x86_with_exact_counts_and_evidence)
{
    full_signature(4, false, "ee fe ee fe 00 00 00 00 00 06 07 02 00 00 00 00");
}

Test(kb293150, full_signature_xp_with_exact_counts_and_evidence)
{
    /* XP: FirstEntry at +0x680, so the property block sits 0xF8 later than on Windows 7. */
    full_signature(4, true, "ee fe ee fe 00 00 00 00 f8 06 07 02 00 00 00 00");
}

Test(kb293150, full_signature_x64_with_exact_counts_and_evidence)
{
    full_signature(8, false, "ee fe ee fe 00 00 00 00 f8 07 07 02 00 00 00 00 00 00 00 00 00 00 00 00");
}

Test(kb293150, early_stage_without_corruption)
{
    dump_builder b;
    scenario sc = {.leaked = 300, .decoys = 0, .corrupt = false, .mapi = true};
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
    scenario sc = {.leaked = 0, .decoys = 100, .corrupt = false, .mapi = true};
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
    scenario sc = {.leaked = 80, .decoys = 0, .corrupt = true, .mapi = false};
    hs_scan_result *r = run_scenario(&sc, &b);
    cr_assert_eq(fact(r, HS_FACT_MAPI_LOADED), 0);
    cr_assert_eq(fact(r, HS_FACT_MAPI_SESSION_HEAPS), 0, "no MAPI module: nothing is attributed to MAPI");
    cr_assert_eq(fact(r, HS_FACT_HEAPS_ORPHANED), 80, "the live heaps are still referenced from the process heap");
    cr_assert_eq(r->finding_count, 0);
    hs_scan_result_free(r);
    bv_free(&b.file);
}

Test(kb293150, memory_list_only_dump_leaves_reachability_unknown)
{
    dump_builder b;
    scenario sc = {.leaked = 70, .decoys = 0, .corrupt = true, .mapi = true, .memory_list_only = true};
    hs_scan_result *r = run_scenario(&sc, &b);
    cr_assert_eq(fact(r, HS_FACT_REACHABILITY_KNOWN), 0);
    cr_assert_str_eq(r->reach->unknown_reason, "the writable data sections of the loaded modules are not in the dump");
    cr_assert_not(r->facts.v[HS_FACT_HEAPS_ORPHANED].known);
    cr_assert_not(r->facts.v[HS_FACT_MAPI_ORPHANED_SESSION_HEAPS].known);
    cr_assert_eq(r->finding_count, 0, "no rule fires on unknown facts");
    hs_scan_result_free(r);
    bv_free(&b.file);
}
