/* For the tests that need a whole file in memory (dumps, scenario texts): the bytes, with a NUL
 * after them so that text can be used as a string; *size excludes the NUL. Fails the test when the
 * file cannot be read. The caller frees the result. */
#ifndef HS_TEST_READ_FILE_H
#define HS_TEST_READ_FILE_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline uint8_t *read_whole_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    cr_assert_geq(n, 0, "cannot size %s", path);
    uint8_t *data = malloc((size_t)n + 1);
    cr_assert(data && fread(data, 1, (size_t)n, f) == (size_t)n, "cannot read %s", path);
    fclose(f);
    data[n] = 0;
    *size = (size_t)n;
    return data;
}

#endif
