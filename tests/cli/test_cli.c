/* The heapsleuth binary as a user runs it: exit codes per DESIGN.md, error messages that name the
 * input, JSON that parses and follows the documented conventions. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "read_file.h"
#include "test_paths.h"

typedef struct run_result {
    int exit_code;
    char *out;
    char *err;
} run_result;

/* Runs "heapsleuth ARGS" (ARGS already shell-quoted by the caller). */
static run_result run(const char *args)
{
    const char *bin = getenv("HEAPSLEUTH_BIN");
    cr_assert_not_null(bin, "HEAPSLEUTH_BIN must name the binary under test");
    char out_path[] = "/tmp/hs-cli-out-XXXXXX", err_path[] = "/tmp/hs-cli-err-XXXXXX";
    close(mkstemp(out_path));
    close(mkstemp(err_path));
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >'%s' 2>'%s' </dev/null", HS_REAL_DUMPS, bin,
             args, out_path, err_path);
    int status = system(cmd);
    size_t out_len, err_len;
    run_result r = {WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                    (char *)read_whole_file(out_path, &out_len),
                    (char *)read_whole_file(err_path, &err_len)};
    unlink(out_path);
    unlink(err_path);
    return r;
}

static void release(run_result *r)
{
    free(r->out);
    free(r->err);
}

Test(cli, help_and_usage_errors)
{
    run_result r = run("--help");
    cr_assert_eq(r.exit_code, 0);
    cr_assert(strstr(r.out, "info") && strstr(r.out, "Exit status"));
    release(&r);

    r = run("");
    cr_assert_eq(r.exit_code, 2, "no command is a usage error");
    release(&r);

    r = run("frobnicate x.dmp");
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "unknown command 'frobnicate'"), "%s", r.err);
    release(&r);

    r = run("info");
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "no dump given"), "%s", r.err);
    release(&r);

    r = run("info --format yaml mozilla/windows-x86.dmp");
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "unknown format 'yaml' (expected text or json)"), "%s", r.err);
    release(&r);

    r = run("info --help");
    cr_assert_eq(r.exit_code, 0);
    cr_assert(strstr(r.out, "--format"));
    release(&r);
}

Test(cli, unreadable_input_exits_2_and_the_others_are_still_reported)
{
    run_result r = run("info --format json no-such.dmp mozilla/windows-x86.dmp breakpad/LICENSE");
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err,
                     "heapsleuth info: no-such.dmp: input: cannot open: No such file or directory"),
              "%s", r.err);
    cr_assert(strstr(r.err, "heapsleuth info: breakpad/LICENSE: header at offset 0x0: not a "
                            "minidump: signature is 0x79706f43"),
              "%s", r.err);
    json_error_t e;
    json_t *doc = json_loads(r.out, 0, &e);
    cr_assert_not_null(doc, "stdout is one JSON document: %s", e.text);
    cr_assert(json_is_array(doc));
    cr_assert_eq(json_array_size(doc), 3);
    cr_assert(json_is_false(json_object_get(json_array_get(doc, 0), "valid")));
    json_t *good = json_array_get(doc, 1);
    cr_assert(json_is_true(json_object_get(good, "valid")));
    cr_assert_eq(json_array_size(json_object_get(good, "threads")), 95);
    json_decref(doc);
    release(&r);
}

Test(cli, info_json_follows_the_documented_conventions)
{
    run_result r = run("info --format json mozilla/windows-x86.dmp");
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    json_error_t e;
    json_t *o = json_loads(r.out, 0, &e);
    cr_assert_not_null(o, "%s", e.text);
    cr_assert_str_eq(json_string_value(json_object_get(o, "arch")), "x86");
    json_t *os = json_object_get(o, "os");
    cr_assert_str_eq(json_string_value(json_object_get(os, "platform")), "Windows NT");
    cr_assert_str_eq(json_string_value(json_object_get(os, "version")), "10.0.19041");
    cr_assert_eq(json_integer_value(json_object_get(o, "cpu_count")), 16);
    json_t *ex = json_object_get(o, "exception");
    cr_assert_str_eq(json_string_value(json_object_get(ex, "code")), "0x80000003");
    cr_assert_str_eq(json_string_value(json_object_get(ex, "name")), "EXCEPTION_BREAKPOINT");
    cr_assert_eq(json_integer_value(json_object_get(ex, "thread_id")), 11336);
    json_t *m0 = json_array_get(json_object_get(o, "modules"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(m0, "name")), "firefox.exe");
    cr_assert_str_eq(json_string_value(json_object_get(m0, "base")), "0x200000");
    cr_assert(json_is_integer(json_object_get(m0, "size")));
    json_t *mem = json_object_get(o, "memory");
    cr_assert_eq(json_integer_value(json_object_get(mem, "ranges")), 1516);
    cr_assert(json_is_false(json_object_get(mem, "full_memory")));
    json_t *streams = json_object_get(o, "streams");
    cr_assert_eq(json_array_size(streams), 16);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(streams, 0), "name")),
                     "ThreadList");
    cr_assert(json_is_array(json_object_get(o, "problems")));
    json_t *t0 = json_array_get(json_object_get(o, "threads"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(t0, "name")), "MainThread");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(t0, "stack"), "start")),
                     "0x537beb4");
    json_decref(o);
    release(&r);
}

Test(cli, info_text_for_a_person)
{
    run_result r = run("info syzygy/notepad-larger-32bit.dmp");
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "OS:         Windows NT 6.1.7601 Service Pack 1"), "%s", r.out);
    cr_assert(strstr(r.out, "CPU:        x86"), "%s", r.out);
    cr_assert(strstr(r.out, "Modules ("), "%s", r.out);
    cr_assert(strstr(r.out, "notepad.exe"), "%s", r.out);
    release(&r);
}

Test(cli, scan_exit_codes_follow_fail_on)
{
    char rule[] = "/tmp/hs-cli-rule-XXXXXX";
    int fd = mkstemp(rule);
    const char *text =
        "rule low_probe { meta: id = \"PROBE\" severity = \"low\" condition: is_windows == 1 }\n";
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char args[512];
    snprintf(args, sizeof args, "scan --no-default-rules -r %s syzygy/notepad-larger-32bit.dmp",
             rule);
    run_result r = run(args);
    cr_assert_eq(r.exit_code, 0, "a low finding is below the default --fail-on high: %s", r.err);
    cr_assert(strstr(r.out, "verdict: PROBE (low)"), "%s", r.out);
    release(&r);
    snprintf(args, sizeof args,
             "scan --no-default-rules -r %s --fail-on low syzygy/notepad-larger-32bit.dmp", rule);
    r = run(args);
    cr_assert_eq(r.exit_code, 1);
    release(&r);
    snprintf(
        args, sizeof args,
        "scan --no-default-rules -r %s --fail-on low no-such.dmp syzygy/notepad-larger-32bit.dmp",
        rule);
    r = run(args);
    cr_assert_eq(r.exit_code, 2, "an unreadable input wins over findings");
    cr_assert(strstr(r.out, "verdict: PROBE (low)"), "the readable dump is still reported");
    release(&r);
    r = run("scan --fail-on severe x.dmp");
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "--fail-on takes info, low, medium, high or critical"), "%s", r.err);
    release(&r);
    unlink(rule);
}

Test(cli, scan_json_and_facts)
{
    run_result r = run("scan --format json breakpad/linux_null_dereference.dmp");
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    json_error_t e;
    json_t *o = json_loads(r.out, 0, &e);
    cr_assert_not_null(o, "%s", e.text);
    cr_assert_str_eq(json_string_value(json_object_get(o, "verdict")),
                     "no finding (not a Windows dump (Linux): it has no Windows heaps)");
    json_t *facts = json_object_get(o, "facts");
    cr_assert(json_is_false(json_object_get(facts, "is_windows")));
    cr_assert(json_is_null(json_object_get(facts, "heap_count")), "heap facts are unknown, not 0");
    cr_assert_eq(json_array_size(json_object_get(o, "findings")), 0);
    json_decref(o);
    release(&r);

    r = run("facts --list");
    cr_assert_eq(r.exit_code, 0);
    cr_assert(strstr(r.out, "mapi_orphaned_session_heaps"));
    cr_assert(strstr(r.out, "mapi32_version"));
    release(&r);

    r = run("facts mozilla/windows-x86.dmp");
    cr_assert_eq(r.exit_code, 0);
    cr_assert(strstr(r.out, "heaps_orphaned                 unknown"), "%s", r.out);
    cr_assert(strstr(r.out, "exception_code                 0x80000003"), "%s", r.out);
    release(&r);
}

Test(cli, a_person_can_verify_the_first_corrupted_block)
{
    /* The sample of the KB signature (corpus/samples): the report names the block, its heap and
     * the check; `heaps --heap --entries` shows that block as a busy allocation of that heap. */
    run_result r = run("scan " HS_SOURCE_ROOT "/corpus/samples/xp-kb-positive-small.dmp");
    cr_assert_eq(r.exit_code, 1, "a high finding exits 1 under the default --fail-on high: %s",
                 r.err);
    cr_assert(
        strstr(
            r.out,
            "verdict: KB293150 (high): 70 orphaned MAPI session heaps, 1 corrupted property block; "
            "MAPI32.DLL 5.5.2448.0"),
        "%s", r.out);
    cr_assert(
        strstr(r.out,
               "corrupted property block 0x2001eb8 (heap 0x2000000, block 0x2001ea8): entry 2, tag "
               "0xfeeefeee, tag_fill_pattern"),
        "%s", r.out);
    cr_assert(strstr(r.out, "check it: heapsleuth heaps --heap 0x2000000 --entries"), "%s", r.out);
    release(&r);
    r = run("heaps --heap 0x2000000 --entries " HS_SOURCE_ROOT
            "/corpus/samples/xp-kb-positive-small.dmp");
    cr_assert_eq(r.exit_code, 0);
    cr_assert(strstr(r.out, "0x2001ea8                0x80       0x78  busy     backend"), "%s",
              r.out);
    release(&r);
}
