/* The corpus as ground truth: every scenario in corpus/scenarios is generated, scanned with the
 * shipped rules, and must match its hand-written .expect.json exactly — facts, per-heap block
 * counts and reachability, and the findings. The committed samples must be byte-identical to a
 * fresh generation, and Breakpad's minidump_stackwalk must read them. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapi_scenario.h"
#include "read_file.h"
#include "scan.h"
#include "shipped_rules.h"
#include "test_paths.h"

static int check_facts(const char *name, const hs_scan_result *r, json_t *facts)
{
    int bad = 0;
    const char *key;
    json_t *want;
    json_object_foreach(facts, key, want)
    {
        int id = hs_fact_lookup(key);
        cr_assert_geq(id, 0, "%s: unknown fact %s in the expectation", name, key);
        const hs_fact_value *v = &r->facts.v[id];
        bool ok = json_is_null(want)
                      ? !v->known
                      : v->known && v->value == (json_is_boolean(want) ? json_is_true(want)
                                                                       : json_integer_value(want));
        if (!ok) {
            cr_log_error("%s: fact %s: expected %s, got %s%lld", name, key,
                         json_is_null(want) ? "unknown" : json_dumps(want, JSON_ENCODE_ANY),
                         v->known ? "" : "unknown ", (long long)v->value);
            bad++;
        }
    }
    return bad;
}

static int check_groups(const char *name, const hs_scan_result *r, json_t *groups)
{
    int bad = 0;
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        uint64_t first = strtoull(json_string_value(json_object_get(g, "first")), NULL, 16);
        json_int_t count = json_integer_value(json_object_get(g, "count"));
        for (json_int_t k = 0; k < count; k++) {
            uint64_t handle = first + 0x10000ull * (uint64_t)k;
            const hs_heap *h = NULL;
            size_t index = 0;
            for (size_t j = 0; j < r->heaps->count; j++)
                if (r->heaps->heaps[j].handle == handle) {
                    h = &r->heaps->heaps[j];
                    index = j;
                }
            if (!h) {
                cr_log_error("%s: heap 0x%llx missing", name, (unsigned long long)handle);
                bad++;
                continue;
            }
            /* Block counts always; bytes, large blocks, LFH chunks and look-aside blocks where the
             * expectation has them. */
            const struct {
                const char *key;
                uint64_t got;
            } fields[] = {{"busy_blocks", h->busy_blocks},
                          {"free_blocks", h->free_blocks},
                          {"busy_bytes", h->busy_bytes},
                          {"free_bytes", h->free_bytes},
                          {"virtual_blocks", h->virtual_blocks},
                          {"lfh_blocks", h->lfh_blocks},
                          {"lookaside_blocks", h->lookaside_blocks}};
            for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
                json_t *want = json_object_get(g, fields[f].key);
                if (want && (json_int_t)fields[f].got != json_integer_value(want)) {
                    cr_log_error("%s: heap 0x%llx: %s %llu, expected %lld", name,
                                 (unsigned long long)handle, fields[f].key,
                                 (unsigned long long)fields[f].got,
                                 (long long)json_integer_value(want));
                    bad++;
                }
            }
            json_t *reach = json_object_get(g, "reachability");
            if (reach && strcmp(json_string_value(reach),
                                hs_reachability_name(r->reach->state[index])) != 0) {
                cr_log_error("%s: heap 0x%llx is %s, expected %s", name, (unsigned long long)handle,
                             hs_reachability_name(r->reach->state[index]),
                             json_string_value(reach));
                bad++;
            }
            json_t *session = json_object_get(g, "mapi_session");
            if (session && json_is_true(session) != r->mapi->heaps[index].session) {
                cr_log_error("%s: heap 0x%llx: mapi_session %d, expected %d", name,
                             (unsigned long long)handle, r->mapi->heaps[index].session,
                             json_is_true(session));
                bad++;
            }
        }
    }
    return bad;
}

/* Every integrity error the walk reports must be one the scenario injected, and each injected one
 * must be reported at its address with its check: clean scenarios report nothing. */
static int check_integrity(const char *name, const hs_scan_result *r, json_t *expected)
{
    int bad = 0;
    size_t reported = 0;
    for (size_t i = 0; i < r->heaps->count; i++) {
        const hs_heap *h = &r->heaps->heaps[i];
        for (size_t e = 0; e < h->error_count; e++) {
            reported++;
            bool wanted = false;
            size_t k;
            json_t *x;
            json_array_foreach(expected, k, x) wanted |=
                strtoull(json_string_value(json_object_get(x, "heap")), NULL, 16) == h->handle &&
                strtoull(json_string_value(json_object_get(x, "address")), NULL, 16) ==
                    h->errors[e].address &&
                strcmp(json_string_value(json_object_get(x, "check")), h->errors[e].check) == 0;
            if (!wanted) {
                cr_log_error("%s: unexpected %s at 0x%llx in heap 0x%llx: %s", name,
                             h->errors[e].check, (unsigned long long)h->errors[e].address,
                             (unsigned long long)h->handle,
                             h->errors[e].detail ? h->errors[e].detail : "");
                bad++;
            }
        }
    }
    if (reported < json_array_size(expected)) {
        cr_log_error("%s: %zu integrity errors reported, %zu injected", name, reported,
                     json_array_size(expected));
        bad++;
    }
    return bad;
}

/* In a full dump the heap's committed bytes by its own bookkeeping (segment pages minus uncommitted
 * pages) must equal what MemoryInfoList says is committed in its reservations. */
static int check_committed(const char *name, const hs_scan_result *r)
{
    int bad = 0;
    if (!r->dump->has_memory_info)
        return 0;
    for (size_t i = 0; i < r->heaps->count; i++) {
        const hs_heap *h = &r->heaps->heaps[i];
        if (h->layout && h->committed != h->committed_memory_info) {
            cr_log_error(
                "%s: heap 0x%llx: committed 0x%llx by its segments, 0x%llx by MemoryInfoList", name,
                (unsigned long long)h->handle, (unsigned long long)h->committed,
                (unsigned long long)h->committed_memory_info);
            bad++;
        }
    }
    return bad;
}

/* The memory streams as MiniDumpWriteDump writes them (observed in the Windows dumps of
 * tests/data/real): ranges in address order, and a MemoryInfoList that describes every address from
 * 0 to the top of user space exactly once, MEM_FREE wherever nothing is allocated. */
static int check_memory_layout(const char *name, const hs_scan_result *r)
{
    const hs_dump *d = r->dump;
    int bad = 0;
    for (size_t i = 1; i < d->memory_count; i++)
        if (d->memory[i].start <= d->memory[i - 1].start) {
            cr_log_error("%s: memory range %zu (0x%llx) is not in address order", name, i,
                         (unsigned long long)d->memory[i].start);
            bad++;
        }
    if (!d->has_memory_info)
        return bad;
    uint64_t top = d->system_info && d->system_info->processor_architecture == 9 ? 0x7FFFFFFF0000ull
                                                                                 : 0x7FFF0000ull;
    uint64_t at = 0;
    size_t free_entries = 0;
    for (size_t i = 0; i < d->memory_info_count; i++) {
        const hs_md_memory_info *m = &d->memory_info[i];
        if (m->base != at) {
            cr_log_error(
                "%s: MemoryInfoList entry %zu starts at 0x%llx, not where the last ended (0x%llx)",
                name, i, (unsigned long long)m->base, (unsigned long long)at);
            bad++;
        }
        free_entries += m->state == 0x10000;
        at = m->base + m->region_size;
    }
    if (at != top || free_entries == 0) {
        cr_log_error("%s: MemoryInfoList ends at 0x%llx (want 0x%llx), %zu MEM_FREE entries", name,
                     (unsigned long long)at, (unsigned long long)top, free_entries);
        bad++;
    }
    return bad;
}

static int check_findings(const char *name, const hs_scan_result *r, json_t *expected)
{
    int bad = 0;
    size_t i;
    json_t *e;
    json_array_foreach(expected, i, e)
    {
        bool found = false;
        for (size_t k = 0; k < r->finding_count; k++)
            found |= strcmp(r->findings[k].rule->identifier, json_string_value(e)) == 0;
        if (!found) {
            cr_log_error("%s: expected finding %s is missing", name, json_string_value(e));
            bad++;
        }
    }
    for (size_t k = 0; k < r->finding_count; k++) {
        bool wanted = false;
        json_array_foreach(expected, i, e) wanted |=
            strcmp(r->findings[k].rule->identifier, json_string_value(e)) == 0;
        if (!wanted) {
            cr_log_error("%s: unexpected finding %s", name, r->findings[k].rule->identifier);
            bad++;
        }
    }
    return bad;
}

/* Breakpad's minidump_stackwalk reads the dump and reports the OS, CPU, modules and the one thread
 * the scenario declares. */
/* "corrupt_checks" (optional): the failed check of each corrupted property block, in address order.
 */
static int check_corrupt_checks(const char *name, const hs_scan_result *r, json_t *expected)
{
    if (!expected)
        return 0;
    int bad = 0;
    size_t seen = 0;
    for (size_t i = 0; r->props && i < r->props->count; i++) {
        const hs_prop_block *pb = &r->props->blocks[i];
        if (!pb->corrupt)
            continue;
        const char *want = json_string_value(json_array_get(expected, seen++));
        if (!want || strcmp(want, pb->check) != 0) {
            cr_log_error("%s: corrupted block 0x%llx failed %s, expected %s", name,
                         (unsigned long long)pb->address, pb->check,
                         want ? want : "no further corrupted block");
            bad++;
        }
    }
    if (seen != json_array_size(expected)) {
        cr_log_error("%s: %zu corrupted blocks, expected %zu", name, seen,
                     json_array_size(expected));
        bad++;
    }
    return bad;
}

static void breakpad_reads(const char *path, const hs_scenario *sc)
{
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "'%s/minidump_stackwalk' -m '%s' 2>/dev/null", HS_BREAKPAD_BIN, path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char line[1024];
    bool os = false, cpu = false, mapi = !sc->mapi, ntdll = false, other_thread = false;
    /* "Module|MAPI32.DLL|5.5.2448.0|mapi32.pdb|": the scenario's MAPI module, version and PDB name.
     */
    char want_mapi[96], pdb[16];
    size_t k = 0;
    for (; sc->mapi_module[k] && sc->mapi_module[k] != '.' && k + 1 < sizeof pdb; k++)
        pdb[k] = (char)(sc->mapi_module[k] | 0x20);
    pdb[k] = '\0';
    snprintf(want_mapi, sizeof want_mapi, "Module|%s|%u.%u.%u.%u|%s.pdb|", sc->mapi_module,
             sc->mapi_version_ms >> 16, sc->mapi_version_ms & 0xFFFF, sc->mapi_version_ls >> 16,
             sc->mapi_version_ls & 0xFFFF, pdb);
    const char *want_ntdll = sc->os == HS_SCN_XP ? "Module|ntdll.dll|5.1.2600.5512|ntdll.pdb|"
                             : sc->os == HS_SCN_WIN10_X64
                                 ? "Module|ntdll.dll|10.0.19041.1|ntdll.pdb|"
                                 : "Module|ntdll.dll|6.1.7601.17514|ntdll.pdb|";
    size_t want_modules =
        1 + (sc->mapi ? 1 + (sc->providers ? (sc->os == HS_SCN_XP ? 3 : 2) : 0) : 0);
    const char *want_os = sc->os == HS_SCN_XP          ? "OS|Windows NT|5.1.2600 Service Pack 3"
                          : sc->os == HS_SCN_WIN10_X64 ? "OS|Windows NT|10.0.19041"
                                                       : "OS|Windows NT|6.1.7601";
    bool x64 = sc->os == HS_SCN_WIN7_X64 || sc->os == HS_SCN_WIN10_X64;
    size_t modules = 0;
    while (fgets(line, sizeof line, p)) {
        os |= strncmp(line, want_os, strlen(want_os)) == 0;
        cpu |= strncmp(line, x64 ? "CPU|amd64|" : "CPU|x86|", x64 ? 10 : 8) == 0;
        mapi |= strstr(line, want_mapi) == line;
        ntdll |= strstr(line, want_ntdll) == line;
        modules += strncmp(line, "Module|", 7) == 0;
        other_thread |= line[0] >= '1' && line[0] <= '9' && strchr(line, '|') == line + 1;
    }
    int rc = pclose(p);
    cr_assert_eq(rc, 0, "%s: minidump_stackwalk failed", path);
    cr_assert(os && cpu && mapi && ntdll, "%s: Breakpad did not report the declared OS/CPU/modules",
              path);
    cr_assert_eq(modules, want_modules, "%s: Breakpad saw %zu modules, the scenario declares %zu",
                 path, modules, want_modules);
    cr_assert_not(other_thread, "%s: the scenario declares one thread", path);
}

Test(corpus, every_scenario_matches_its_expected_result)
{
    DIR *d = opendir(HS_SOURCE_ROOT "/corpus/scenarios");
    cr_assert_not_null(d);
    int scenarios = 0, mismatches = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".scn") != 0)
            continue;
        char path[1024], expect_path[1024], name[256];
        snprintf(name, sizeof name, "%.*s", (int)(len - 4), e->d_name);
        snprintf(path, sizeof path, HS_SOURCE_ROOT "/corpus/scenarios/%s", e->d_name);
        snprintf(expect_path, sizeof expect_path, HS_SOURCE_ROOT "/corpus/scenarios/%s.expect.json",
                 name);
        size_t text_len;
        char *text = (char *)read_whole_file(path, &text_len);
        hs_scenario sc;
        char err[256];
        cr_assert_eq(hs_scenario_parse(text, &sc, err, sizeof err), 0, "%s: %s", path, err);
        free(text);
        json_error_t jerr;
        json_t *expect = json_load_file(expect_path, 0, &jerr);
        cr_assert_not_null(expect, "%s: %s", expect_path, jerr.text);
        dump_builder b;
        hs_scenario_build(&sc, &b);
        hs_scan_result *r = hs_scan_memory(b.file.data, b.file.len, name, shipped_rules());
        cr_assert(r && r->dump->valid && r->heaps && r->reach && r->mapi,
                  "%s: the pipeline did not run", name);
        int bad = check_facts(name, r, json_object_get(expect, "facts")) +
                  check_groups(name, r, json_object_get(expect, "heap_groups")) +
                  check_integrity(name, r, json_object_get(expect, "integrity_errors")) +
                  check_committed(name, r) + check_memory_layout(name, r) +
                  check_findings(name, r, json_object_get(expect, "expected_findings")) +
                  check_corrupt_checks(name, r, json_object_get(expect, "corrupt_checks"));
        cr_expect_eq(bad, 0, "%s: %d differences from %s.expect.json (see the log)", name, bad,
                     name);
        mismatches += bad;
        scenarios++;
        hs_scan_result_free(r);
        json_decref(expect);
        bv_free(&b.file);
    }
    closedir(d);
    cr_log_info("%d scenarios, %d differences", scenarios, mismatches);
    cr_assert_geq(scenarios, 22);
}

Test(corpus, samples_are_the_generators_output_and_breakpad_reads_them)
{
    DIR *d = opendir(HS_SOURCE_ROOT "/corpus/samples");
    cr_assert_not_null(d);
    int samples = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".dmp") != 0)
            continue;
        char sample[1024], scn[1024];
        snprintf(sample, sizeof sample, HS_SOURCE_ROOT "/corpus/samples/%s", e->d_name);
        snprintf(scn, sizeof scn, HS_SOURCE_ROOT "/corpus/scenarios/%.*s.scn", (int)(len - 4),
                 e->d_name);
        size_t n, text_len;
        char *committed = (char *)read_whole_file(sample, &n),
             *text = (char *)read_whole_file(scn, &text_len);
        hs_scenario sc;
        char err[256];
        cr_assert_eq(hs_scenario_parse(text, &sc, err, sizeof err), 0);
        dump_builder b;
        hs_scenario_build(&sc, &b);
        cr_assert_eq(b.file.len, n, "%s: generation is not deterministic (size)", sample);
        cr_assert_eq(memcmp(b.file.data, committed, n), 0, "%s: generation is not deterministic",
                     sample);
        bv_free(&b.file);
        free(committed);
        free(text);

        breakpad_reads(sample, &sc);
        samples++;
    }
    closedir(d);
    cr_assert_geq(samples, 3);
}

Test(corpus, breakpad_reads_every_generated_dump)
{
    DIR *d = opendir(HS_SOURCE_ROOT "/corpus/scenarios");
    cr_assert_not_null(d);
    char tmp[] = "/tmp/hs-corpus-XXXXXX";
    cr_assert_not_null(mkdtemp(tmp));
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".scn") != 0)
            continue;
        char path[1024], out[1024];
        snprintf(path, sizeof path, HS_SOURCE_ROOT "/corpus/scenarios/%s", e->d_name);
        snprintf(out, sizeof out, "%s/%.*s.dmp", tmp, (int)(len - 4), e->d_name);
        size_t text_len;
        char *text = (char *)read_whole_file(path, &text_len);
        hs_scenario sc;
        char err[256];
        cr_assert_eq(hs_scenario_parse(text, &sc, err, sizeof err), 0, "%s", err);
        free(text);
        dump_builder b;
        hs_scenario_build(&sc, &b);
        FILE *f = fopen(out, "wb");
        cr_assert_eq(fwrite(b.file.data, 1, b.file.len, f), b.file.len);
        fclose(f);
        bv_free(&b.file);
        breakpad_reads(out, &sc);
        remove(out);
        n++;
    }
    closedir(d);
    rmdir(tmp);
    cr_assert_geq(n, 22);
}
