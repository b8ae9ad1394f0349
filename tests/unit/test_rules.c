/* The rules engine: shipped rules compile, user rules work without recompiling (facts and strings
 * over the dump's memory at virtual addresses), a broken file is reported with file:line while the
 * others still run, and no rule fires on an unknown fact. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"
#include "test_data.h"

static char *write_rule(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/hs-rule-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static bool has_problem(const hs_diag *d, const char *fragment)
{
    for (size_t i = 0; i < d->count; i++)
        if (strstr(d->items[i].message, fragment))
            return true;
    return false;
}

static const hs_rule_info *rule_named(const hs_ruleset *rs, const char *identifier)
{
    size_t n;
    const hs_rule_info *rules = hs_ruleset_rules(rs, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(rules[i].identifier, identifier) == 0)
            return &rules[i];
    return NULL;
}

Test(rules, shipped_rules_compile_with_their_metadata)
{
    hs_arena *a = hs_arena_new(1 << 20);
    hs_diag problems = {.arena = a};
    const char *dir = HS_SOURCE_ROOT "/rules";
    hs_ruleset *rs = hs_ruleset_load(&dir, 1, &problems);
    cr_assert_not_null(rs);
    cr_assert_eq(problems.count, 0, "%s", problems.count ? problems.items[0].message : "");
    size_t n;
    hs_ruleset_rules(rs, &n);
    cr_assert_eq(n, 3);
    const hs_rule_info *full = rule_named(rs, "KB293150_full");
    cr_assert_not_null(full);
    cr_assert_str_eq(full->id, "KB293150");
    cr_assert_str_eq(full->kb, "Q293150");
    cr_assert_eq(full->severity, HS_LEVEL_HIGH);
    cr_assert_eq(full->facts_used_count, 3);
    cr_assert_eq(full->facts_used[0], HS_FACT_MAPI_LOADED);
    cr_assert_eq(full->facts_used[1], HS_FACT_MAPI_ORPHANED_SESSION_HEAPS);
    cr_assert_eq(full->facts_used[2], HS_FACT_MAPI_CORRUPT_PROP_BLOCKS);
    const hs_rule_info *early = rule_named(rs, "KB293150_early"),
                       *corruption = rule_named(rs, "heap_corruption");
    cr_assert(early && corruption);
    cr_assert_eq(early->severity, HS_LEVEL_MEDIUM);
    cr_assert_eq(corruption->facts_used[0], HS_FACT_HEAP_INTEGRITY_ERRORS);
    hs_ruleset_free(rs);
    hs_diag_release(&problems);
    hs_arena_free(a);
}

Test(rules, user_rule_with_a_fact_and_a_string_over_virtual_memory)
{
    const char *path = write_rule("rule kernel32_in_memory\n"
                                  "{\n"
                                  "    meta:\n"
                                  "        id = \"USER-1\"\n"
                                  "        severity = \"low\"\n"
                                  "    strings:\n"
                                  "        $name = \"KERNEL32\" wide\n"
                                  "    condition:\n"
                                  "        is_windows == 1 and pointer_size == 4 and $name\n"
                                  "}\n");
    hs_arena *a = hs_arena_new(1 << 20);
    hs_diag problems = {.arena = a};
    hs_ruleset *rs = hs_ruleset_load(&path, 1, &problems);
    cr_assert_eq(problems.count, 0);
    char path_buf[4096];
    hs_scan_result *r =
        hs_scan_path(real_dump_path(path_buf, sizeof path_buf, "mozilla/windows-x86.dmp"), rs);
    cr_assert_not_null(r);
    cr_assert_eq(r->finding_count, 1);
    const hs_finding *f = &r->findings[0];
    cr_assert_str_eq(f->rule->id, "USER-1");
    cr_assert_eq(f->rule->severity, HS_LEVEL_LOW);
    cr_assert_eq(f->rule->facts_used_count, 2);
    cr_assert_eq(f->match_count, 1, "the wide string occurs once in the process memory");
    /* The match address is a virtual address in the process (in the default heap), not a file
     * offset: the string is there. */
    cr_assert_eq(f->matches[0].address, 0x4fa49e8);
    uint8_t bytes[16];
    cr_assert_eq(hs_as_read(r->as, f->matches[0].address, bytes, sizeof bytes), HS_OK);
    cr_assert_eq(memcmp(bytes, "K\0E\0R\0N\0E\0L\0003\0002\0", 16), 0);
    hs_scan_result_free(r);
    hs_ruleset_free(rs);
    unlink(path);
    hs_diag_release(&problems);
    hs_arena_free(a);
}

Test(rules, broken_file_reported_with_file_and_line_others_still_run)
{
    char broken[64], good[64];
    snprintf(broken, sizeof broken, "%s",
             write_rule("rule broken\n{\n    condition:\n        no_such_fact > 1\n}\n"));
    snprintf(good, sizeof good, "%s",
             write_rule("rule always_windows\n{\n    condition:\n        is_windows == 1\n}\n"));
    const char *paths[] = {broken, good};
    hs_arena *a = hs_arena_new(1 << 20);
    hs_diag problems = {.arena = a};
    hs_ruleset *rs = hs_ruleset_load(paths, 2, &problems);
    cr_assert_not_null(rs);
    char expect[128];
    snprintf(expect, sizeof expect, "%s:4: undefined identifier \"no_such_fact\"", broken);
    cr_assert(has_problem(&problems, expect), "expected '%s', got '%s'", expect,
              problems.count ? problems.items[0].message : "(none)");
    size_t n;
    hs_ruleset_rules(rs, &n);
    cr_assert_eq(n, 1, "the good file still compiled");
    char path_buf[4096];
    hs_scan_result *r = hs_scan_path(
        real_dump_path(path_buf, sizeof path_buf, "syzygy/notepad-larger-32bit.dmp"), rs);
    cr_assert_eq(r->finding_count, 1);
    cr_assert_str_eq(r->findings[0].rule->identifier, "always_windows");
    hs_scan_result_free(r);
    hs_ruleset_free(rs);
    unlink(broken);
    unlink(good);
    hs_diag_release(&problems);
    hs_arena_free(a);
}

Test(rules, no_rule_fires_on_an_unknown_fact)
{
    /* heaps_orphaned is unknown on this partial dump; YARA sees -1, which this condition accepts:
     * the engine must still refuse the finding. */
    const char *path =
        write_rule("rule sentinel_probe\n{\n    condition:\n        heaps_orphaned == -1\n}\n");
    hs_arena *a = hs_arena_new(1 << 20);
    hs_diag problems = {.arena = a};
    hs_ruleset *rs = hs_ruleset_load(&path, 1, &problems);
    char path_buf[4096];
    hs_scan_result *r =
        hs_scan_path(real_dump_path(path_buf, sizeof path_buf, "mozilla/windows-x86.dmp"), rs);
    cr_assert_not(r->facts.v[HS_FACT_HEAPS_ORPHANED].known);
    cr_assert_eq(r->finding_count, 0);
    hs_scan_result_free(r);
    hs_ruleset_free(rs);
    unlink(path);
    hs_diag_release(&problems);
    hs_arena_free(a);
}

Test(rules, shared_dumps_get_no_kb293150_finding)
{
    hs_arena *a = hs_arena_new(1 << 20);
    hs_diag problems = {.arena = a};
    const char *dir = HS_SOURCE_ROOT "/rules";
    hs_ruleset *rs = hs_ruleset_load(&dir, 1, &problems);
    size_t count;
    char **paths = real_dump_list(NULL, ".dmp", &count);
    size_t scanned = 0;
    for (size_t i_path = 0; i_path < count; i_path++) {
        const char *line = paths[i_path];
        hs_scan_result *r = hs_scan_path(line, rs);
        cr_assert_not_null(r);
        for (size_t i = 0; i < r->finding_count; i++)
            cr_expect(strncmp(r->findings[i].rule->identifier, "KB293150", 8) != 0, "%s: %s", line,
                      r->findings[i].rule->identifier);
        cr_expect_eq(r->facts.v[HS_FACT_MAPI_SESSION_HEAPS].known
                         ? r->facts.v[HS_FACT_MAPI_SESSION_HEAPS].value
                         : 0,
                     0, "%s: no shared dump is a MAPI client", line);
        scanned += r->dump->valid;
        hs_scan_result_free(r);
    }
    real_dumps_free(paths, count);
    cr_assert_geq(scanned, 80);
    hs_ruleset_free(rs);
    hs_diag_release(&problems);
    hs_arena_free(a);
}
