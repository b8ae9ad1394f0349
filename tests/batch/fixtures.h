/* The fixture folder of the batch-scan tests (see fixtures.c). */
#ifndef HS_TEST_FIXTURES_H
#define HS_TEST_FIXTURES_H

#include <stddef.h>

typedef struct bytes {
    char *data;
    size_t size;
} bytes;

typedef struct fx_member {
    const char *name;
    const void *data;
    size_t size;
} fx_member;

bytes fx_read(const char *path);
void fx_write(const char *path, const void *data, size_t size);
/* Fills the empty folder dir from the corpus samples in samples; also writes dir/../cab-src and
 * dir/../zipbomb.zip. */
void fx_build(const char *dir, const char *samples);

#endif
