/* Conformance: `heapsleuth info --format json X.dmp` agrees with Breakpad's
 * `minidump_stackwalk -m X.dmp` output stored as X.stackwalk.txt, for every
 * dump under $HS_SHARED_DIR/dumps that has one. One test case per dump.
 *
 * What Breakpad's -m output can and cannot tell (checked on the real files):
 *  - "OS||" and "CPU|||0" (lldb thread-list-*): Breakpad found no SystemInfo
 *    stream, so it made no OS/CPU statement; those comparisons are skipped.
 *  - Frame lines omit the thread that wrote the dump (the dump_thread_id of
 *    the Breakpad info stream, e.g. breakpad/null_read_av: 2 threads, frames for 1)
 *    and threads Breakpad could not walk (no SystemInfo => no frames at all).
 *    heapsleuth reports that writer (breakpad_info.dump_thread_id), so once it is discounted the
 *    counts agree exactly. The distinct thread indices in frame lines are also a lower bound: every
 *    index must be < our thread count, and our count must be >= theirs.
 *    Exact equality is required when the dump has no Breakpad info stream
 *    (type 0x47670001) and Breakpad walked at least one thread.
 *  - Modules, base, end, version, debug file and id are printed for every
 *    module Breakpad read: compared exactly, set against set (by base).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "stackwalk_parse.h"
#include "test_data.h"

#define MIN_DUMPS            70
#define MAX_DUMPS            512
#define BREAKPAD_INFO_STREAM 0x47670001

struct dump_param {
    char rel[256]; /* e.g. "breakpad/minidump2" (no extension) */
};

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return (v && *v) ? v : fallback;
}

static const char *dumps_dir(void)
{
    static char buf[4096];
    const char *d = getenv("HS_DUMPS_DIR");
    if (d && *d)
        return d;
    snprintf(buf, sizeof buf, "%s", HS_REAL_DUMPS);
    return buf;
}

static const char *heapsleuth_bin(void)
{
#ifdef HEAPSLEUTH_BIN
    return env_or("HEAPSLEUTH_BIN", HEAPSLEUTH_BIN);
#else
    return env_or("HEAPSLEUTH_BIN", "heapsleuth");
#endif
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_param(const void *a, const void *b)
{
    return strcmp(((const struct dump_param *)a)->rel, ((const struct dump_param *)b)->rel);
}

/* Finds every X.dmp with X.stackwalk.txt beside it, one level of
 * subfolders deep (dumps/<source>/X.dmp) plus the top level. */
static size_t discover(struct dump_param *out, size_t max)
{
    const char *root = dumps_dir();
    size_t n = 0;
    DIR *top = opendir(root);
    if (!top)
        return 0;
    struct dirent *de;
    while ((de = readdir(top)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char sub[4096];
        if (snprintf(sub, sizeof sub, "%s/%s", root, de->d_name) >= (int)sizeof sub)
            continue;
        DIR *d = opendir(sub);
        if (!d)
            continue;
        struct dirent *fe;
        while ((fe = readdir(d)) != NULL) {
            size_t l = strlen(fe->d_name);
            if (l < 5 || strcmp(fe->d_name + l - 4, ".dmp") != 0)
                continue;
            char sw[4096];
            int w = snprintf(sw, sizeof sw, "%s/%.*s.stackwalk.txt", sub, (int)(l - 4), fe->d_name);
            if (w < 0 || (size_t)w >= sizeof sw || !is_file(sw))
                continue;
            if (n < max) {
                int r = snprintf(out[n].rel, sizeof out[n].rel, "%s/%.*s", de->d_name, (int)(l - 4),
                                 fe->d_name);
                if (r > 0 && (size_t)r < sizeof out[n].rel)
                    n++;
            }
        }
        closedir(d);
    }
    closedir(top);
    qsort(out, n, sizeof *out, cmp_param);
    return n;
}

/* Runs heapsleuth info --format json; returns its stdout (malloc'd) and exit status. */
static char *run_info(const char *dmp, int *status)
{
    const char *bin = heapsleuth_bin();
    if (strchr(bin, '\'') || strchr(dmp, '\''))
        return NULL;
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' info --format json '%s'", bin, dmp);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int st = pclose(p);
    *status = (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
    if (buf)
        buf[len] = '\0';
    return buf;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool jaddr(json_t *o, const char *key, uint64_t *v)
{
    const char *s = jstr(o, key);
    if (!s)
        return false;
    char *e;
    errno = 0;
    *v = strtoull(s, &e, 16);
    return errno == 0 && *e == '\0' && strncmp(s, "0x", 2) == 0;
}

ParameterizedTestParameters(conformance, stackwalk)
{
    static struct dump_param local[MAX_DUMPS];
    size_t n = discover(local, MAX_DUMPS);
    if (n == 0) {
        /* One impossible entry so the suite fails instead of passing empty. */
        snprintf(local[0].rel, sizeof local[0].rel, "(no dumps found in %.200s)", dumps_dir());
        n = 1;
    }
    struct dump_param *params = cr_malloc(n * sizeof *params);
    memcpy(params, local, n * sizeof *params);
    return cr_make_param_array(struct dump_param, params, n);
}

ParameterizedTest(struct dump_param *p, conformance, stackwalk, .timeout = 120)
{
    const char *dump = p->rel;
    char dmp[4096], swp[4096];
    cr_assert_lt(snprintf(dmp, sizeof dmp, "%s/%s.dmp", dumps_dir(), dump), (int)sizeof dmp);
    cr_assert_lt(snprintf(swp, sizeof swp, "%s/%s.stackwalk.txt", dumps_dir(), dump),
                 (int)sizeof swp);
    cr_assert(is_file(dmp), "%s: dump not found (%s)", dump, dmp);

    sw_summary sw;
    const char *err = NULL;
    cr_assert(sw_parse_file(swp, &sw, &err), "%s: cannot parse %s: %s", dump, swp, err);

    int status = -1;
    char *out = run_info(dmp, &status);
    cr_assert_not_null(out, "%s: could not run %s", dump, heapsleuth_bin());
    /* Every dump here has a .stackwalk.txt, i.e. Breakpad read it. */
    cr_expect_eq(status, 0, "%s: heapsleuth info exited %d (Breakpad read this dump)", dump,
                 status);
    json_error_t jerr;
    json_t *root = json_loads(out, 0, &jerr);
    free(out);
    cr_assert_not_null(root, "%s: output is not JSON: %s (line %d)", dump, jerr.text, jerr.line);

    /* OS and CPU: only where Breakpad had a SystemInfo stream. */
    json_t *os = json_object_get(root, "os");
    if (sw.has_os && sw.os_platform[0]) {
        const char *plat = json_is_object(os) ? jstr(os, "platform") : NULL;
        const char *ver = json_is_object(os) ? jstr(os, "version") : NULL;
        const char *csd = json_is_object(os) ? jstr(os, "csd") : NULL;
        cr_expect(plat && strcmp(plat, sw.os_platform) == 0,
                  "%s: os.platform: ours \"%s\", Breakpad \"%s\"", dump, plat ? plat : "(null)",
                  sw.os_platform);
        char joined[1024];
        snprintf(joined, sizeof joined, "%s %s", ver ? ver : "(null)", csd ? csd : "");
        cr_expect(strcmp(joined, sw.os_version) == 0,
                  "%s: os version+csd: ours \"%s\", Breakpad \"%s\"", dump, joined, sw.os_version);
    }
    if (sw.has_cpu && sw.cpu_arch[0]) {
        const char *arch = jstr(root, "arch");
        cr_expect(arch && strcmp(arch, sw.cpu_arch) == 0, "%s: arch: ours \"%s\", Breakpad \"%s\"",
                  dump, arch ? arch : "(null)", sw.cpu_arch);
        json_t *cc = json_object_get(root, "cpu_count");
        cr_expect(json_is_integer(cc) && (unsigned)json_integer_value(cc) == sw.cpu_count,
                  "%s: cpu_count: ours %lld, Breakpad %u", dump,
                  json_is_integer(cc) ? (long long)json_integer_value(cc) : -1LL, sw.cpu_count);
    }

    /* Modules: same set (by base), every field of each. */
    json_t *mods = json_object_get(root, "modules");
    cr_assert(json_is_array(mods), "%s: no modules array", dump);
    cr_expect_eq(json_array_size(mods), sw.module_count, "%s: module count: ours %zu, Breakpad %zu",
                 dump, json_array_size(mods), sw.module_count);
    for (size_t i = 0; i < sw.module_count; i++) {
        const sw_module *bm = &sw.modules[i];
        json_t *om = NULL;
        size_t j;
        json_t *m;
        json_array_foreach(mods, j, m)
        {
            uint64_t b;
            if (jaddr(m, "base", &b) && b == bm->base) {
                om = m;
                break;
            }
        }
        if (!om) {
            cr_expect_fail("%s: module %s (base 0x%llx): missing in ours", dump, bm->code_file,
                           (unsigned long long)bm->base);
            continue;
        }
        const char *mn = bm->code_file;
        const char *name = jstr(om, "name");
        const char *path = jstr(om, "path");
        const char *ob = path ? sw_basename(path) : name;
        cr_expect(ob && strcmp(ob, bm->code_file) == 0,
                  "%s: module %s: code file: ours \"%s\", Breakpad \"%s\"", dump, mn,
                  ob ? ob : "(null)", bm->code_file);
        json_t *sz = json_object_get(om, "size");
        uint64_t oend = json_is_integer(sz) ? bm->base + (uint64_t)json_integer_value(sz) - 1 : 0;
        cr_expect(json_is_integer(sz) && oend == bm->end,
                  "%s: module %s: end: ours 0x%llx, Breakpad 0x%llx", dump, mn,
                  (unsigned long long)oend, (unsigned long long)bm->end);
        const char *ver = jstr(om, "version");
        if (bm->version[0])
            cr_expect(ver && strcmp(ver, bm->version) == 0,
                      "%s: module %s: version: ours \"%s\", Breakpad \"%s\"", dump, mn,
                      ver ? ver : "null", bm->version);
        else
            cr_expect(json_is_null(json_object_get(om, "version")),
                      "%s: module %s: version: ours \"%s\", Breakpad none", dump, mn,
                      ver ? ver : "(not null)");
        const char *df = jstr(om, "debug_file");
        const char *dfb = df ? sw_basename(df) : NULL;
        if (bm->debug_file[0])
            cr_expect(dfb && strcmp(dfb, bm->debug_file) == 0,
                      "%s: module %s: debug_file: ours \"%s\", Breakpad \"%s\"", dump, mn,
                      df ? df : "null", bm->debug_file);
        else
            cr_expect(dfb == NULL || dfb[0] == '\0',
                      "%s: module %s: debug_file: ours \"%s\", Breakpad none", dump, mn, df);
        const char *id = jstr(om, "debug_id");
        if (bm->debug_id[0])
            cr_expect(id && strcmp(id, bm->debug_id) == 0,
                      "%s: module %s: debug_id: ours \"%s\", Breakpad \"%s\"", dump, mn,
                      id ? id : "null", bm->debug_id);
        else
            cr_expect(id == NULL || id[0] == '\0',
                      "%s: module %s: debug_id: ours \"%s\", Breakpad none", dump, mn, id);
    }

    /* Threads: see the header comment for why this is a bound in general. */
    json_t *threads = json_object_get(root, "threads");
    cr_assert(json_is_array(threads), "%s: no threads array", dump);
    size_t ours = json_array_size(threads);
    bool breakpad_info = false;
    json_t *streams = json_object_get(root, "streams");
    size_t k;
    json_t *s;
    json_array_foreach(streams, k, s)
    {
        json_t *t = json_object_get(s, "type");
        if (json_is_integer(t) && json_integer_value(t) == BREAKPAD_INFO_STREAM)
            breakpad_info = true;
    }
    cr_expect(ours >= sw.thread_count, "%s: thread count: ours %zu, Breakpad walked %zu", dump,
              ours, sw.thread_count);
    cr_expect(sw.max_thread_index < (long)ours,
              "%s: thread index %ld in Breakpad's frames, ours has %zu threads", dump,
              sw.max_thread_index, ours);
    /* heapsleuth names the thread that wrote the dump (breakpad_info.dump_thread_id); Breakpad's
     * list leaves exactly that one out, so the counts must agree once it is discounted. */
    json_t *writer = json_object_get(json_object_get(root, "breakpad_info"), "dump_thread_id");
    size_t comparable = ours;
    for (size_t t = 0; json_is_integer(writer) && t < ours; t++)
        if (json_integer_value(json_object_get(json_array_get(threads, t), "id")) ==
            json_integer_value(writer))
            comparable--;
    cr_expect(breakpad_info == json_is_object(json_object_get(root, "breakpad_info")),
              "%s: a BreakpadInfo stream is listed but not decoded", dump);
    if (sw.thread_count > 0)
        cr_expect_eq(comparable, sw.thread_count,
                     "%s: thread count: ours %zu (%zu without the dump writer), Breakpad %zu", dump,
                     ours, comparable, sw.thread_count);

    json_decref(root);
    sw_free(&sw);
}

/* No silent pass: the shared folder holds well over MIN_DUMPS such dumps. */
Test(conformance, dumps_found)
{
    static struct dump_param local[MAX_DUMPS];
    size_t n = discover(local, MAX_DUMPS);
    cr_assert_geq(n, MIN_DUMPS,
                  "only %zu dumps with a .stackwalk.txt found in %s (expected at least %d)", n,
                  dumps_dir(), MIN_DUMPS);
}
