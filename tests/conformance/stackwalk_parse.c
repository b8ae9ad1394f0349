#include "stackwalk_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sw_basename(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

static char *dup_range(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Splits line (without newline) on '|' into at most max fields; the last
 * field takes the rest of the line. Returns the number of fields. */
static size_t split(const char *line, size_t len, const char **f, size_t *fl, size_t max)
{
    size_t n = 0;
    const char *s = line, *end = line + len;
    while (n + 1 < max) {
        const char *bar = memchr(s, '|', (size_t)(end - s));
        if (!bar)
            break;
        f[n] = s;
        fl[n] = (size_t)(bar - s);
        n++;
        s = bar + 1;
    }
    f[n] = s;
    fl[n] = (size_t)(end - s);
    return n + 1;
}

static bool parse_u64(const char *s, size_t n, uint64_t *v)
{
    char buf[32];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *e;
    *v = strtoull(buf, &e, 0);
    return *e == '\0';
}

void sw_free(sw_summary *s)
{
    if (!s)
        return;
    free(s->os_platform);
    free(s->os_version);
    free(s->cpu_arch);
    for (size_t i = 0; i < s->module_count; i++) {
        free(s->modules[i].code_file);
        free(s->modules[i].version);
        free(s->modules[i].debug_file);
        free(s->modules[i].debug_id);
    }
    free(s->modules);
    memset(s, 0, sizeof *s);
}

#define MAX_THREAD_INDEX 65536

bool sw_parse(const char *text, sw_summary *out, const char **err)
{
    memset(out, 0, sizeof *out);
    out->max_thread_index = -1;
    unsigned char *seen = calloc(MAX_THREAD_INDEX, 1);
    if (!seen) {
        *err = "out of memory";
        return false;
    }
    size_t cap = 0;
    const char *p = text;
    bool ok = true;
    while (*p && ok) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len && p[len - 1] == '\r')
            len--;
        const char *f[9];
        size_t fl[9];
        if (len >= 3 && memcmp(p, "OS|", 3) == 0) {
            size_t n = split(p, len, f, fl, 3);
            out->has_os = true;
            out->os_platform = dup_range(f[1], n > 1 ? fl[1] : 0);
            out->os_version = dup_range(n > 2 ? f[2] : "", n > 2 ? fl[2] : 0);
        } else if (len >= 4 && memcmp(p, "CPU|", 4) == 0) {
            size_t n = split(p, len, f, fl, 4);
            uint64_t c = 0;
            out->has_cpu = true;
            out->cpu_arch = dup_range(f[1], n > 1 ? fl[1] : 0);
            if (n == 4 && parse_u64(f[3], fl[3], &c))
                out->cpu_count = (unsigned)c;
        } else if (len >= 7 && memcmp(p, "Module|", 7) == 0) {
            size_t n = split(p, len, f, fl, 9);
            if (n != 8) {
                *err = "Module line without 8 fields";
                ok = false;
                break;
            }
            if (out->module_count == cap) {
                cap = cap ? cap * 2 : 16;
                sw_module *m = realloc(out->modules, cap * sizeof *m);
                if (!m) {
                    *err = "out of memory";
                    ok = false;
                    break;
                }
                out->modules = m;
            }
            sw_module *m = &out->modules[out->module_count];
            memset(m, 0, sizeof *m);
            out->module_count++;
            m->code_file = dup_range(f[1], fl[1]);
            m->version = dup_range(f[2], fl[2]);
            m->debug_file = dup_range(f[3], fl[3]);
            m->debug_id = dup_range(f[4], fl[4]);
            m->is_main = fl[7] == 1 && f[7][0] == '1';
            if (!parse_u64(f[5], fl[5], &m->base) || !parse_u64(f[6], fl[6], &m->end)) {
                *err = "Module line with a bad base or end";
                ok = false;
            }
        } else if (len && p[0] >= '0' && p[0] <= '9') {
            /* frame line: thread_index|frame_index|... */
            size_t n = split(p, len, f, fl, 3);
            uint64_t t;
            if (n < 3 || !parse_u64(f[0], fl[0], &t) || t >= MAX_THREAD_INDEX) {
                *err = "bad frame line";
                ok = false;
            } else {
                if (!seen[t]) {
                    seen[t] = 1;
                    out->thread_count++;
                }
                if ((long)t > out->max_thread_index)
                    out->max_thread_index = (long)t;
            }
        }
        /* GPU|, Crash|, empty lines: not compared here. */
        p = nl ? nl + 1 : p + len;
    }
    free(seen);
    if (!ok)
        sw_free(out);
    return ok;
}

bool sw_parse_file(const char *path, sw_summary *out, const char **err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        *err = "cannot open";
        return false;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, fp)) > 0) {
        len += got;
        if (cap - len - 1 == 0) {
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
    fclose(fp);
    if (!buf) {
        *err = "out of memory";
        return false;
    }
    buf[len] = '\0';
    bool ok = sw_parse(buf, out, err);
    free(buf);
    return ok;
}
