/* `heapsleuth scan` over a ticket-like folder: every dump reported once with its verdict, the rest
 * skipped with reasons, bombs refused within the limits, nothing written outside the temporary
 * space, the same JSONL whatever -j, shards that add up to the whole, SARIF that validates. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "test_paths.h"

typedef struct run_result {
    int exit_code;
    char *out, *err;
} run_result;

static char root[4096];

/* A fresh root with the fixture folder root/in and an empty root/tmp for TMPDIR. */
static void setup_root(void)
{
    char tmpl[] = "/tmp/hs-batch-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    snprintf(root, sizeof root, "%s", tmpl);
    char p[4200];
    snprintf(p, sizeof p, "%s/in", root);
    cr_assert_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/tmp", root);
    cr_assert_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/in", root);
    fx_build(p, HS_SOURCE_ROOT "/corpus/samples");
}

static void remove_root(void)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

/* Runs "heapsleuth ARGS" in root with TMPDIR=root/tmp and stdin from stdin_text (or /dev/null). */
static run_result run_in(const char *args, const char *stdin_text)
{
    const char *bin = getenv("HEAPSLEUTH_BIN");
    cr_assert_not_null(bin, "HEAPSLEUTH_BIN must name the binary under test");
    char out[4200], err[4200], in[4200], cmd[32768];
    snprintf(out, sizeof out, "%s/stdout", root);
    snprintf(err, sizeof err, "%s/stderr", root);
    snprintf(in, sizeof in, "%s/stdin", root);
    fx_write(in, stdin_text ? stdin_text : "", stdin_text ? strlen(stdin_text) : 0);
    snprintf(cmd, sizeof cmd, "cd '%s' && TMPDIR='%s/tmp' '%s' %s >'%s' 2>'%s' <'%s'", root, root,
             bin, args, out, err, in);
    int status = system(cmd);
    bytes o = fx_read(out), e = fx_read(err);
    o.data[o.size] = e.data[e.size] = '\0';
    unlink(out);
    unlink(err);
    unlink(in);
    return (run_result){WIFEXITED(status) ? WEXITSTATUS(status) : -1, o.data, e.data};
}

static void release(run_result *r)
{
    free(r->out);
    free(r->err);
}

typedef struct line {
    const char *file, *status, *text; /* text: the verdict, the error or the first copy */
} line;

/* Parses JSONL into lines (the strings live in the returned array of documents). */
static size_t parse_jsonl(const char *text, line *lines, json_t **docs, size_t max)
{
    size_t n = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        cr_assert_not_null(nl, "JSONL ends without a newline");
        cr_assert_lt(n, max);
        json_error_t error;
        docs[n] = json_loadb(p, (size_t)(nl - p), 0, &error);
        cr_assert_not_null(docs[n], "line %zu is not JSON: %s", n + 1, error.text);
        lines[n].file = json_string_value(json_object_get(docs[n], "file"));
        lines[n].status = json_string_value(json_object_get(docs[n], "status"));
        const char *keys[] = {"verdict", "error", "duplicate_of"};
        lines[n].text = NULL;
        for (size_t k = 0; k < 3 && !lines[n].text; k++)
            lines[n].text = json_string_value(json_object_get(docs[n], keys[k]));
        cr_assert(lines[n].file && lines[n].status && lines[n].text,
                  "line %zu lacks file, status or text", n + 1);
        n++;
        p = nl + 1;
    }
    return n;
}

static void free_docs(json_t **docs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_decref(docs[i]);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static const line expected[] = {
    {"in/bomb.dmp.bz2", "error", "refused: the member expands more than 1000 times"},
    {"in/direct.dmp", "scanned", "no finding"},
    {"in/nested/outer.tar.gz!inner.7z!deep/win7.dmp", "scanned",
     "KB293150-early (medium): 64 orphaned"},
    {"in/nested/outer.tar.gz!inner.7z!again.zip!xp-healthy.dmp", "scanned", "no finding"},
    {"in/nested/outer.tar.gz!plain.dmp.gz", "scanned", "no finding"},
    {"in/ticket-4711.zip!crash/app.dmp", "scanned", "KB293150 (high): 70 orphaned"},
    {"in/ticket-4711.zip!../../evil.dmp", "scanned", "no finding"},
    {"in/ticket-4711.zip!damaged.dmp", "error", "damaged member: "},
    {"in/ticket-4711.zip!attachments/secret.zip!encrypted.dmp", "error", "encrypted member"},
    {"in/wer.cab!report.mdmp", "scanned", "KB293150 (high): 70 orphaned"},
    {"in/wer.cab!heap.hdmp", "scanned", "KB293150-early (medium)"},
};
enum { EXPECTED = sizeof expected / sizeof expected[0] };

static void assert_expected_lines(const char *jsonl)
{
    line lines[64];
    json_t *docs[64];
    size_t n = parse_jsonl(jsonl, lines, docs, 64);
    cr_assert_eq(n, EXPECTED, "%zu lines instead of %d:\n%s", n, (int)EXPECTED, jsonl);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(lines[i].file, expected[i].file, "line %zu", i + 1);
        cr_assert_str_eq(lines[i].status, expected[i].status, "%s: %s", lines[i].file,
                         lines[i].text);
        cr_assert(strstr(lines[i].text, expected[i].text) == lines[i].text,
                  "%s: '%s' does not start with '%s'", lines[i].file, lines[i].text,
                  expected[i].text);
        if (strcmp(lines[i].status, "scanned") == 0) {
            const char *sha = json_string_value(json_object_get(docs[i], "sha256"));
            cr_assert(sha && strlen(sha) == 64, "%s: no SHA-256", lines[i].file);
        }
    }
    /* The same bytes have the same digest wherever they came from. */
    const char *a = json_string_value(json_object_get(docs[1], "sha256"));
    const char *b = json_string_value(json_object_get(docs[3], "sha256"));
    cr_assert_str_eq(a, b);
    cr_assert_str_eq(json_string_value(json_object_get(docs[5], "sha256")),
                     json_string_value(json_object_get(docs[9], "sha256")));
    free_docs(docs, n);
}

Test(batch, every_dump_once_with_its_verdict_and_nothing_written_outside_tmp)
{
    setup_root();
    size_t before = count_entries(root);
    char in_dir[4200];
    snprintf(in_dir, sizeof in_dir, "%s/in", root);
    size_t in_before = count_entries(in_dir);
    run_result r = run_in("scan -q -j 2 -f jsonl in", NULL);
    cr_assert_eq(r.exit_code, 2, "unreadable members make exit status 2: %s", r.err);
    assert_expected_lines(r.out);
    cr_assert(strstr(r.err, "in/ticket-4711.zip!damaged.dmp: damaged member"), "%s", r.err);
    cr_assert(strstr(r.err, "in/bomb.dmp.bz2: refused"), "%s", r.err);
    release(&r);

    /* The same members spilled to anonymous files give the same lines; nothing is left behind and
     * the traversal name wrote nothing anywhere. */
    r = run_in("scan -q -j 2 -f jsonl --max-in-memory 64K in", NULL);
    assert_expected_lines(r.out);
    release(&r);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s/tmp", root);
    cr_assert_eq(count_entries(tmp), 0, "temporary files were left in TMPDIR");
    cr_assert_eq(count_entries(root), before, "a file appeared in the test root");
    cr_assert_eq(count_entries(in_dir), in_before, "a file appeared in the input folder");
    struct stat st;
    char evil[4200];
    snprintf(evil, sizeof evil, "%s/../evil.dmp", root);
    cr_assert_neq(stat(evil, &st), 0, "the member name ../../evil.dmp was used as a path");
    remove_root();
}

Test(batch, text_summary_counts_and_skip_reasons)
{
    setup_root();
    run_result r = run_in("scan -q in", NULL);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.out, "in/ticket-4711.zip!crash/app.dmp: KB293150 (high)"), "%s", r.out);
    cr_assert(strstr(r.out, "in/ticket-4711.zip!damaged.dmp: not scanned: damaged member"), "%s",
              r.out);
    cr_assert(strstr(r.out, "         8  dumps scanned\n"), "%s", r.out);
    cr_assert(strstr(r.out, "         3  failed"), "%s", r.out);
    cr_assert(strstr(r.out, "         5  skipped\n"), "%s", r.out);
    cr_assert(strstr(r.out, "         1    empty\n"), "%s", r.out);
    cr_assert(strstr(r.out, "         2    not a minidump or an archive\n"), "%s", r.out);
    cr_assert(strstr(r.out, "         2    not a minidump\n"), "%s", r.out);
    cr_assert(strstr(r.out, "         2    KB293150_full (high)\n"), "%s", r.out);
    cr_assert(strstr(r.out, "         2    KB293150_early (medium)\n"), "%s", r.out);
    release(&r);
    remove_root();
}

Test(batch, limits_refuse_zip_bombs_and_deep_nesting)
{
    setup_root();
    run_result r = run_in("scan -q -f jsonl --max-ratio 100 zipbomb.zip", NULL);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.out, "\"file\":\"zipbomb.zip!zeros.dmp\",\"status\":\"error\""), "%s",
              r.out);
    cr_assert(strstr(r.out, "refused: the member expands more than 100 times"), "%s", r.out);
    release(&r);
    r = run_in("scan -q -f jsonl --max-member-size 1M zipbomb.zip", NULL);
    cr_assert(strstr(r.out, "refused: the member expands past 1048576 bytes (--max-member-size)"),
              "%s", r.out);
    release(&r);
    /* Depth 2 opens outer.tar.gz and inner.7z but not again.zip inside it. */
    r = run_in("scan -q -f jsonl --max-depth 2 in/nested", NULL);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.out,
                     "\"file\":\"in/nested/outer.tar.gz!inner.7z!again.zip\",\"status\":\"error\""),
              "%s", r.out);
    cr_assert(strstr(r.out, "refused: archives nested deeper than 2 levels (--max-depth)"), "%s",
              r.out);
    cr_assert(
        strstr(r.out,
               "\"file\":\"in/nested/outer.tar.gz!inner.7z!deep/win7.dmp\",\"status\":\"scanned\""),
        "%s", r.out);
    release(&r);
    remove_root();
}

Test(batch, jobs_do_not_change_the_output)
{
    setup_root();
    run_result one = run_in("scan -q -j 1 -f jsonl in", NULL);
    run_result four = run_in("scan -q -j 4 -f jsonl in", NULL);
    cr_assert_eq(one.exit_code, four.exit_code);
    cr_assert_gt(strlen(one.out), 1000);
    cr_assert_str_eq(one.out, four.out, "-j 1 and -j 4 differ");
    release(&one);
    release(&four);
    remove_root();
}

static int compare_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text sorted (each line keeps its "file" first, so this sorts by input path). */
static char *sorted_lines(char *text)
{
    char *lines[256];
    size_t n = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        cr_assert_lt(n, 256);
        lines[n++] = l;
    }
    qsort(lines, n, sizeof *lines, compare_lines);
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += strlen(lines[i]) + 1;
    char *out = calloc(1, total);
    for (size_t i = 0; i < n; i++) {
        strcat(out, lines[i]);
        strcat(out, "\n");
    }
    return out;
}

Test(batch, shards_concatenate_to_the_whole)
{
    setup_root();
    run_result all = run_in("scan -q -f jsonl in", NULL);
    size_t total = strlen(all.out);
    char *joined = calloc(1, total + 1);
    size_t nonempty = 0;
    for (int k = 0; k < 3; k++) {
        char args[128];
        snprintf(args, sizeof args, "scan -q -f jsonl --shard %d/3 in", k);
        run_result s = run_in(args, NULL);
        cr_assert_leq(strlen(joined) + strlen(s.out), total, "shards overlap");
        strcat(joined, s.out);
        nonempty += s.out[0] != '\0';
        release(&s);
    }
    cr_assert_geq(nonempty, 2, "the partition put (nearly) everything in one shard");
    char *a = sorted_lines(all.out), *b = sorted_lines(joined);
    cr_assert_str_eq(a, b, "shards 0/3, 1/3 and 2/3 do not add up to the whole");
    free(a);
    free(b);
    free(joined);
    release(&all);
    run_result bad = run_in("scan --shard 3/3 in", NULL);
    cr_assert_eq(bad.exit_code, 2);
    cr_assert(strstr(bad.err, "--shard takes K/N with 0 <= K < N, not '3/3'"), "%s", bad.err);
    release(&bad);
    remove_root();
}

Test(batch, dedupe_scans_each_distinct_dump_once)
{
    setup_root();
    run_result r = run_in("scan -q -f jsonl --dedupe in", NULL);
    line lines[64];
    json_t *docs[64];
    size_t n = parse_jsonl(r.out, lines, docs, 64);
    cr_assert_eq(n, EXPECTED);
    size_t duplicates = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(lines[i].status, "duplicate") != 0)
            continue;
        duplicates++;
        const char *file = lines[i].file;
        bool healthy = strstr(file, "xp-healthy.dmp") || strstr(file, "plain.dmp.gz") ||
                       strstr(file, "evil.dmp");
        cr_assert(healthy || strstr(file, "report.mdmp") || strstr(file, "heap.hdmp"), "%s", file);
        if (healthy)
            cr_assert_str_eq(lines[i].text, "in/direct.dmp");
        if (strstr(file, "report.mdmp"))
            cr_assert_str_eq(lines[i].text, "in/ticket-4711.zip!crash/app.dmp");
        if (strstr(file, "heap.hdmp"))
            cr_assert_str_eq(lines[i].text, "in/nested/outer.tar.gz!inner.7z!deep/win7.dmp");
    }
    cr_assert_eq(duplicates, 5, "3 copies of xp-healthy, one of each sample in the cab");
    free_docs(docs, n);
    release(&r);
    remove_root();
}

Test(batch, paths_from_standard_input)
{
    setup_root();
    run_result r = run_in("scan -q -f jsonl -", "in/direct.dmp\n\nin/wer.cab\r\nin/no-such.dmp\n");
    cr_assert_eq(r.exit_code, 2);
    line lines[8];
    json_t *docs[8];
    size_t n = parse_jsonl(r.out, lines, docs, 8);
    cr_assert_eq(n, 4, "%s", r.out);
    cr_assert_str_eq(lines[0].file, "in/direct.dmp");
    cr_assert_str_eq(lines[1].file, "in/wer.cab!report.mdmp");
    cr_assert_str_eq(lines[2].file, "in/wer.cab!heap.hdmp");
    cr_assert_str_eq(lines[3].file, "in/no-such.dmp");
    cr_assert_str_eq(lines[3].text, "cannot open: No such file or directory");
    free_docs(docs, n);
    release(&r);
    remove_root();
}

Test(batch, sarif_validates_against_the_schema)
{
    setup_root();
    run_result r = run_in("scan -q -f sarif in", NULL);
    cr_assert_eq(r.exit_code, 2);
    char path[4200];
    snprintf(path, sizeof path, "%s/out.sarif", root);
    fx_write(path, r.out, strlen(r.out));
    json_error_t error;
    json_t *log = json_loads(r.out, 0, &error);
    cr_assert_not_null(log, "%s", error.text);
    json_t *run = json_array_get(json_object_get(log, "runs"), 0);
    cr_assert_eq(json_array_size(json_object_get(run, "results")), 4,
                 "two KB293150 and two early-stage findings");
    cr_assert_eq(json_array_size(json_object_get(run, "artifacts")), 8,
                 "one artifact per dump scanned");
    json_t *inv = json_array_get(json_object_get(run, "invocations"), 0);
    cr_assert(json_is_false(json_object_get(inv, "executionSuccessful")));
    cr_assert_eq(json_array_size(json_object_get(inv, "toolExecutionNotifications")), 3);
    json_t *res = json_array_get(json_object_get(run, "results"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(res, "ruleId")), "KB293150_early");
    cr_assert_str_eq(json_string_value(json_object_get(res, "level")), "warning");
    json_decref(log);
    release(&r);
    char cmd[12288];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import json,sys,jsonschema; "
             "jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])), "
             "cls=jsonschema.Draft7Validator)' '%s' '%s' 2>'%s/schema.err'",
             HS_SARIF_SCHEMA, path, root);
    int status = system(cmd);
    char errpath[4200];
    snprintf(errpath, sizeof errpath, "%s/schema.err", root);
    bytes e = fx_read(errpath);
    e.data[e.size] = '\0';
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "SARIF does not validate: %s", e.data);
    free(e.data);
    remove_root();
}

Test(batch, path_chains_name_members_everywhere)
{
    setup_root();
    /* A chain from a report opens again with heaps, info, facts and scan. */
    run_result r = run_in("heaps 'in/ticket-4711.zip!crash/app.dmp'", NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "NumberOfHeaps 73"), "%s", r.out);
    release(&r);
    r = run_in("facts --format json 'in/nested/outer.tar.gz!inner.7z!deep/win7.dmp'", NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\"mapi_orphaned_session_heaps\": 64"), "%s", r.out);
    release(&r);
    r = run_in("info 'in/ticket-4711.zip!notes.txt' 'in/wer.cab!nothing.dmp'", NULL);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "heapsleuth info: in/ticket-4711.zip!notes.txt: not a minidump"), "%s",
              r.err);
    cr_assert(
        strstr(r.err,
               "heapsleuth info: in/wer.cab!nothing.dmp: in/wer.cab holds no member nothing.dmp"),
        "%s", r.err);
    release(&r);
    /* A chain naming a nested archive scans what it holds; a named dump inside one prints as an
     * object in JSON, an archive as an array. */
    r = run_in("scan -q -f jsonl 'in/nested/outer.tar.gz!inner.7z'", NULL);
    line lines[8];
    json_t *docs[8];
    size_t n = parse_jsonl(r.out, lines, docs, 8);
    cr_assert_eq(n, 2, "%s", r.out);
    cr_assert_str_eq(lines[0].file, "in/nested/outer.tar.gz!inner.7z!deep/win7.dmp");
    cr_assert_str_eq(lines[1].file, "in/nested/outer.tar.gz!inner.7z!again.zip!xp-healthy.dmp");
    free_docs(docs, n);
    release(&r);
    r = run_in("scan -q -f json 'in/ticket-4711.zip!crash/app.dmp'", NULL);
    cr_assert_eq(r.out[0], '{', "%s", r.out);
    release(&r);
    r = run_in("scan -q -f json in/wer.cab", NULL);
    cr_assert_eq(r.out[0], '[', "%s", r.out);
    release(&r);
    remove_root();
}

Test(batch, a_fifo_named_as_input_is_skipped_not_waited_on)
{
    setup_root();
    char fifo[4200];
    snprintf(fifo, sizeof fifo, "%s/pipe", root);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    run_result r = run_in("scan -q -v pipe in/direct.dmp", NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "pipe: skipped: not a regular file"), "%s", r.out);
    release(&r);
    remove_root();
}

Test(batch, a_dump_over_its_time_budget_is_reported_not_analysed)
{
    setup_root();
    run_result r = run_in(
        "scan -q --brief --time-budget 0.000001 in/direct.dmp 'in/ticket-4711.zip!crash/app.dmp'",
        NULL);
    cr_assert_eq(r.exit_code, 2, "%s", r.err);
    cr_assert(
        strstr(
            r.out,
            "in/direct.dmp: not scanned: the analysis took longer than its time budget of 1e-06 s "
            "(--time-budget)\n"),
        "%s", r.out);
    cr_assert(
        strstr(r.out, "in/ticket-4711.zip!crash/app.dmp: not scanned: the analysis took longer"),
        "%s", r.out);
    cr_assert(strstr(r.out, "         0  dumps scanned\n"), "%s", r.out);
    release(&r);
    r = run_in("scan -q --time-budget 0 in/direct.dmp", NULL);
    cr_assert_eq(r.exit_code, 0, "no budget: %s", r.err);
    release(&r);
    r = run_in("scan --time-budget soon in/direct.dmp", NULL);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "--time-budget takes a number of seconds (0: none), not 'soon'"), "%s",
              r.err);
    release(&r);
    remove_root();
}
