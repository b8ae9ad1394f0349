/* Input sources: plain files are mapped, gzip is recognised by its magic and inflated, damaged
 * gzip data and inflation past the limit are refused with a clear sentence. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "minidump.h"
#include "read_file.h"
#include "source.h"
#include "test_data.h"

static uint8_t *gzip_bytes(const void *data, size_t n, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    cr_assert_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&zs, n) + 64;
    uint8_t *out = malloc(cap);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

static char *shared_path(const char *rel)
{
    static char path[4096];
    return (char *)real_dump_path(path, sizeof path, rel);
}

Test(source, gzip_dump_reads_like_the_plain_one)
{
    size_t n, gz_len;
    uint8_t *plain = read_whole_file(shared_path("breakpad/minidump2.dmp"), &n);
    uint8_t *gz = gzip_bytes(plain, n, &gz_len);
    char tmp[] = "/tmp/hs-test-XXXXXX";
    int fd = mkstemp(tmp);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, gz, gz_len), (ssize_t)gz_len);
    close(fd);

    hs_dump *a = hs_dump_open(shared_path("breakpad/minidump2.dmp"), NULL);
    hs_dump *b = hs_dump_open(tmp, NULL);
    unlink(tmp);
    cr_assert(a->valid && b->valid);
    cr_assert(b->source.inflated);
    cr_assert_not(a->source.inflated);
    cr_assert_eq(a->source.kind, HS_SOURCE_MAPPED, "a plain file is mapped, not copied");
    cr_assert_eq(b->source.size, n);
    cr_assert_eq(memcmp(b->source.data, plain, n), 0);
    cr_assert_eq(a->thread_count, b->thread_count);
    cr_assert_eq(a->module_count, b->module_count);
    hs_dump_free(a);
    hs_dump_free(b);
    free(plain);
    free(gz);
}

Test(source, damaged_and_oversized_gzip)
{
    static uint8_t zeros[1 << 20];
    size_t gz_len;
    uint8_t *gz = gzip_bytes(zeros, sizeof zeros, &gz_len);
    char err[256];
    hs_source src;

    hs_source_limits small = {.max_inflated_bytes = 4096};
    cr_assert_eq(hs_source_from_memory(gz, gz_len, &small, &src, err, sizeof err), HS_ERR_LIMIT);
    cr_assert_str_eq(err, "gzip data inflates past the limit of 4096 bytes");

    cr_assert_eq(hs_source_from_memory(gz, gz_len / 2, NULL, &src, err, sizeof err),
                 HS_ERR_TRUNCATED);
    cr_assert(strstr(err, "gzip data is truncated after") != NULL, "%s", err);

    gz[gz_len / 2] ^= 0xFF;
    gz[gz_len / 2 + 1] ^= 0xFF;
    hs_status st = hs_source_from_memory(gz, gz_len, NULL, &src, err, sizeof err);
    cr_assert(st == HS_ERR_FORMAT || st == HS_ERR_TRUNCATED, "status %d: %s", st, err);
    cr_assert(strstr(err, "gzip data is") != NULL, "%s", err);

    hs_dump *d = hs_dump_open_memory(gz, gz_len, "bad.dmp.gz", NULL);
    cr_assert_not(d->valid);
    cr_assert_eq(d->problems.count, 1);
    cr_assert_str_eq(d->problems.items[0].where, "input");
    hs_dump_free(d);
    free(gz);
}

Test(source, directories_and_missing_files_are_refused)
{
    char err[256];
    hs_source src;
    cr_assert_eq(hs_source_open_file("/tmp", NULL, &src, err, sizeof err), HS_ERR_IO);
    cr_assert_str_eq(err, "not a regular file");
    cr_assert_eq(hs_source_open_file("/nonexistent-heapsleuth", NULL, &src, err, sizeof err),
                 HS_ERR_IO);
    cr_assert_str_eq(err, "cannot open: No such file or directory");
}
