/* The real test dumps (tests/data/real), for the Criterion tests. A dump a test names must exist:
 * a missing one fails the test with its path, never skips it. The list of every real dump comes
 * from the manifest (tests/data/SHA256SUMS), not from what happens to be on disk, so a deleted or
 * unreadable file fails the tests that walk them all. */
#ifndef HS_TEST_DATA_H
#define HS_TEST_DATA_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_paths.h"

/* HS_REAL_DUMPS/rel in buf; fails the test when the file is missing or unreadable. */
static inline const char *real_dump_path(char *buf, size_t n, const char *rel)
{
    int w = snprintf(buf, n, "%s/%s", HS_REAL_DUMPS, rel);
    cr_assert(w > 0 && (size_t)w < n, "path too long: %s/%s", HS_REAL_DUMPS, rel);
    cr_assert_eq(access(buf, R_OK), 0, "test data missing: %s (tests/data/README.md)", buf);
    return buf;
}

/* Every file of the manifest under real/ whose name ends in suffix, optionally only in folder
 * (NULL: all), as absolute paths in manifest order; *count set. Each is checked to exist. The
 * caller frees with real_dumps_free. Fails the test when the manifest cannot be read or lists none.
 */
static inline char **real_dump_list(const char *folder, const char *suffix, size_t *count)
{
    FILE *f = fopen(HS_TEST_DATA_MANIFEST, "r");
    cr_assert_not_null(f, "test data manifest missing: %s", HS_TEST_DATA_MANIFEST);
    char **paths = NULL;
    size_t n = 0, cap = 0;
    char line[4096];
    size_t slen = strlen(suffix);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        /* "<sha256>  real/<folder>/<name>" as sha256sum writes it */
        const char *rel = strstr(line, "  real/");
        if (!rel)
            continue;
        rel += 7;
        size_t len = strlen(rel);
        if (len < slen || strcmp(rel + len - slen, suffix) != 0)
            continue;
        if (folder && (strncmp(rel, folder, strlen(folder)) != 0 || rel[strlen(folder)] != '/'))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            paths = realloc(paths, cap * sizeof *paths);
            cr_assert_not_null(paths);
        }
        char buf[4096];
        paths[n++] = strdup(real_dump_path(buf, sizeof buf, rel));
    }
    fclose(f);
    cr_assert_gt(n, 0, "%s lists no real/%s*%s", HS_TEST_DATA_MANIFEST, folder ? folder : "",
                 suffix);
    *count = n;
    return paths;
}

static inline void real_dumps_free(char **paths, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(paths[i]);
    free(paths);
}

#endif
