/* Conformance with Breakpad: on every dump of shared/dumps that has a stored `minidump_stackwalk -m`
 * output beside it, the JSON of `heapsleuth info` agrees with Breakpad on what both read — every
 * module (name, base, end, version, debug file, debug id), the OS version string and platform, the
 * CPU architecture and count, and the thread count. Breakpad leaves the thread that wrote the dump
 * (BreakpadInfo.dump_thread_id) out of its list; heapsleuth lists it and says which it is. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address_space.h"
#include "info_report.h"

enum { MAX_FIELDS = 12, MAX_THREADS = 4096 };

/* Splits a '|'-separated line in place. */
static int split(char *line, char **fields)
{
    int n = 0;
    fields[n++] = line;
    for (char *p = line; *p && n < MAX_FIELDS; p++)
        if (*p == '|') {
            *p = '\0';
            fields[n++] = p + 1;
        }
    return n;
}

static const char *basename_of(const char *path)
{
    const char *b = path;
    for (const char *p = path; p && *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b ? b : "";
}

static const char *str_or_empty(json_t *v) { return json_is_string(v) ? json_string_value(v) : ""; }

/* Compares one dump; returns the number of mismatches (each logged with the dump and field). */
static int compare_dump(const char *dmp, const char *stackwalk)
{
    FILE *f = fopen(stackwalk, "r");
    cr_assert_not_null(f, "%s", stackwalk);
    hs_dump *d = hs_dump_open(dmp, NULL);
    cr_assert(d && d->valid, "%s: heapsleuth cannot read a dump Breakpad read", dmp);
    hs_address_space *as = hs_as_build(d);
    json_t *j = hs_info_json(d, as);
    int bad = 0;
    char line[8192];
    bool seen_thread[MAX_THREADS] = {false};
    int breakpad_threads = 0, breakpad_modules = 0;
    json_t *mods = json_object_get(j, "modules");
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *fl[MAX_FIELDS];
        int n = split(line, fl);
        if (strcmp(fl[0], "OS") == 0 && n >= 3) {
            json_t *os = json_object_get(j, "os");
            if (fl[1][0] == '\0') {
                /* Breakpad prints an empty OS line when the dump has no SystemInfo. */
                if (!json_is_null(os)) {
                    cr_log_error("%s: Breakpad saw no SystemInfo, heapsleuth did", dmp);
                    bad++;
                }
                continue;
            }
            char ours[512];
            snprintf(ours, sizeof ours, "%s %s", str_or_empty(json_object_get(os, "version")),
                     str_or_empty(json_object_get(os, "csd")));
            /* Breakpad joins version and CSD with a space even when the CSD is empty. */
            size_t a = strlen(ours), b = strlen(fl[2]);
            while (a && ours[a - 1] == ' ')
                ours[--a] = '\0';
            while (b && fl[2][b - 1] == ' ')
                fl[2][--b] = '\0';
            if (strcmp(ours, fl[2]) != 0 || strcmp(str_or_empty(json_object_get(os, "platform")), fl[1]) != 0) {
                cr_log_error("%s: OS Breakpad '%s %s', heapsleuth '%s %s'", dmp, fl[1], fl[2],
                             str_or_empty(json_object_get(os, "platform")), ours);
                bad++;
            }
        } else if (strcmp(fl[0], "CPU") == 0 && n >= 4) {
            if (fl[1][0] == '\0')
                continue;
            if (strcmp(str_or_empty(json_object_get(j, "arch")), fl[1]) != 0 ||
                json_integer_value(json_object_get(j, "cpu_count")) != atoi(fl[3])) {
                cr_log_error("%s: CPU Breakpad %s/%s, heapsleuth %s/%lld", dmp, fl[1], fl[3],
                             str_or_empty(json_object_get(j, "arch")),
                             (long long)json_integer_value(json_object_get(j, "cpu_count")));
                bad++;
            }
        } else if (strcmp(fl[0], "Module") == 0 && n >= 8) {
            breakpad_modules++;
            uint64_t base = strtoull(fl[5], NULL, 16), end = strtoull(fl[6], NULL, 16);
            json_t *m = NULL;
            for (size_t i = 0; i < json_array_size(mods); i++)
                if (strtoull(str_or_empty(json_object_get(json_array_get(mods, i), "base")), NULL, 16) == base)
                    m = json_array_get(mods, i);
            if (!m) {
                cr_log_error("%s: module %s at 0x%llx missing", dmp, fl[1], (unsigned long long)base);
                bad++;
                continue;
            }
            uint64_t our_end = base + (uint64_t)json_integer_value(json_object_get(m, "size")) - 1;
            const char *fields[][3] = {
                {"name", fl[1], basename_of(str_or_empty(json_object_get(m, "path")))},
                {"version", fl[2], str_or_empty(json_object_get(m, "version"))},
                {"debug_file", fl[3], basename_of(str_or_empty(json_object_get(m, "debug_file")))},
                {"debug_id", fl[4], str_or_empty(json_object_get(m, "debug_id"))},
            };
            for (size_t k = 0; k < 4; k++)
                if (strcmp(fields[k][1], fields[k][2]) != 0) {
                    cr_log_error("%s: module %s %s: Breakpad '%s', heapsleuth '%s'", dmp, fl[1], fields[k][0],
                                 fields[k][1], fields[k][2]);
                    bad++;
                }
            if (our_end != end) {
                cr_log_error("%s: module %s end: Breakpad 0x%llx, heapsleuth 0x%llx", dmp, fl[1],
                             (unsigned long long)end, (unsigned long long)our_end);
                bad++;
            }
        } else if (n >= 3 && fl[0][0] >= '0' && fl[0][0] <= '9' && fl[1][0] >= '0' && fl[1][0] <= '9') {
            int t = atoi(fl[0]);
            if (t >= 0 && t < MAX_THREADS && !seen_thread[t]) {
                seen_thread[t] = true;
                breakpad_threads++;
            }
        }
    }
    fclose(f);
    if ((size_t)breakpad_modules != json_array_size(mods) && breakpad_modules > 0) {
        cr_log_error("%s: %d modules in Breakpad, %zu in heapsleuth", dmp, breakpad_modules, json_array_size(mods));
        bad++;
    }
    if (breakpad_threads > 0) {
        int ours = (int)json_array_size(json_object_get(j, "threads"));
        json_t *bi = json_object_get(j, "breakpad_info");
        json_t *writer = json_object_get(bi, "dump_thread_id");
        json_t *threads = json_object_get(j, "threads");
        for (size_t i = 0; json_is_integer(writer) && i < json_array_size(threads); i++)
            if (json_integer_value(json_object_get(json_array_get(threads, i), "id")) == json_integer_value(writer))
                ours--;
        if (ours != breakpad_threads) {
            cr_log_error("%s: %d threads in Breakpad, %d in heapsleuth (without the dump writer)", dmp,
                         breakpad_threads, ours);
            bad++;
        }
    }
    json_decref(j);
    hs_as_free(as);
    hs_dump_free(d);
    return bad;
}

Test(conformance, info_agrees_with_breakpad_on_every_shared_dump)
{
    static const char *const dirs[] = {"breakpad", "lldb", "mozilla", "node-minidump", "rust-minidump", "syzygy"};
    int dumps = 0, mismatches = 0;
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/dumps/%s", HS_SHARED_DIR, dirs[d]);
        DIR *dh = opendir(dir);
        cr_assert_not_null(dh, "%s", dir);
        for (struct dirent *e; (e = readdir(dh)) != NULL;) {
            size_t len = strlen(e->d_name);
            const char *suffix = ".stackwalk.txt";
            if (len <= strlen(suffix) || strcmp(e->d_name + len - strlen(suffix), suffix) != 0)
                continue;
            char sw[2048], dmp[2048];
            snprintf(sw, sizeof sw, "%s/%s", dir, e->d_name);
            snprintf(dmp, sizeof dmp, "%s/%.*s.dmp", dir, (int)(len - strlen(suffix)), e->d_name);
            int bad = compare_dump(dmp, sw);
            cr_expect_eq(bad, 0, "%s disagrees with Breakpad in %d places (see the log)", dmp, bad);
            mismatches += bad;
            dumps++;
        }
        closedir(dh);
    }
    cr_log_info("%d dumps compared with Breakpad, %d mismatches", dumps, mismatches);
    cr_assert_geq(dumps, 70, "the shared dumps are missing: found %d with a stackwalk output", dumps);
}
