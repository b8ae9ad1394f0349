#include "inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"

enum { MAX_FOLDER_DEPTH = 256 };

static bool add(hs_input_list *list, const char *path, const char *problem)
{
    if (!hs_grow((void **)&list->items, &list->cap, list->count, sizeof *list->items))
        return false;
    hs_input *in = &list->items[list->count];
    in->path = hs_strdup(path);
    in->problem = problem ? hs_strdup(problem) : NULL;
    if (!in->path || (problem && !in->problem)) {
        hs_free(in->path);
        hs_free(in->problem);
        return false;
    }
    list->count++;
    return true;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool walk_folder(const char *dir, unsigned depth, hs_input_list *out);

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    bool slash = a > 0 && dir[a - 1] == '/';
    char *s = hs_malloc(a + b + 2);
    if (s)
        snprintf(s, a + b + 2, "%s%s%s", dir, slash ? "" : "/", name);
    return s;
}

static bool walk_entry(const char *path, unsigned depth, hs_input_list *out)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return add(out, path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return walk_folder(path, depth + 1, out);
    if (S_ISLNK(st.st_mode)) {
        if (stat(path, &st) != 0)
            return add(out, path, "dangling symbolic link");
        return S_ISREG(st.st_mode) ? add(out, path, NULL) : true;
    }
    /* FIFOs, sockets and devices in a folder are not inputs: opening one could block forever. */
    return S_ISREG(st.st_mode) ? add(out, path, NULL) : true;
}

static bool walk_folder(const char *dir, unsigned depth, hs_input_list *out)
{
    if (depth > MAX_FOLDER_DEPTH)
        return add(out, dir, "folders nested too deep");
    DIR *d = opendir(dir);
    if (!d)
        return add(out, dir, strerror(errno));
    char **names = NULL;
    size_t count = 0, cap = 0;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        ok = hs_grow((void **)&names, &cap, count, sizeof *names) &&
             (names[count] = hs_strdup(e->d_name)) != NULL;
        if (ok)
            count++;
    }
    closedir(d);
    if (count)
        qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        if (ok) {
            char *path = join(dir, names[i]);
            ok = path && walk_entry(path, depth, out);
            hs_free(path);
        }
        hs_free(names[i]);
    }
    hs_free(names);
    return ok;
}

static bool expand_one(const char *arg, hs_input_list *out)
{
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
        return walk_folder(arg, 0, out);
    /* Files, and paths that do not exist: unpacking reports those in their place. */
    return add(out, arg, NULL);
}

bool hs_inputs_expand(const char *const *args, size_t n, FILE *stdin_list, hs_input_list *out)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(args[i], "-") != 0) {
            if (!expand_one(args[i], out))
                return false;
            continue;
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        bool ok = true;
        while (ok && (len = getline(&line, &cap, stdin_list)) != -1) {
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                line[--len] = '\0';
            if (len > 0)
                ok = expand_one(line, out);
        }
        free(line); /* getline's buffer comes from malloc */
        if (!ok)
            return false;
    }
    return true;
}

void hs_input_list_free(hs_input_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        hs_free(list->items[i].path);
        hs_free(list->items[i].problem);
    }
    hs_free(list->items);
    *list = (hs_input_list){0};
}

bool hs_shard_parse(const char *text, unsigned *k, unsigned *n)
{
    char *end;
    errno = 0;
    unsigned long a = strtoul(text, &end, 10);
    if (end == text || *end != '/' || errno)
        return false;
    const char *rest = end + 1;
    unsigned long b = strtoul(rest, &end, 10);
    if (end == rest || *end || errno || b == 0 || b > 1000000 || a >= b || text[0] == '-' ||
        rest[0] == '-')
        return false;
    *k = (unsigned)a;
    *n = (unsigned)b;
    return true;
}

bool hs_shard_keeps(const char *path, unsigned k, unsigned n)
{
    /* FNV-1a, 64-bit: offset basis and prime from the FNV reference (Fowler, Noll, Vo). */
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    /* The FNV prime is 1 modulo 3 (and other small numbers), so h modulo a small N barely depends
     * on the path: mix all bits down first (MurmurHash3's fmix64 finaliser constants). */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h % n == k;
}
