/* Builds the batch-scan fixture folder: corpus dumps inside every container a support ticket
 * brings (nested), next to non-dumps, a damaged member, an encrypted one, archive bombs and a
 * member whose name climbs out of the folder. Written with libarchive's writer (zip, 7z, tar,
 * gzip, bzip2) and gcab (Windows Error Reporting cabinets, MSZIP). */
#include "fixtures.h"

#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

bytes fx_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    bytes b = {malloc((size_t)n + 1), (size_t)n};
    cr_assert_eq(fread(b.data, 1, b.size, f), b.size);
    fclose(f);
    return b;
}

void fx_write(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, size, f), size);
    cr_assert_eq(fclose(f), 0);
}

/* An archive of the members, in memory. format: ARCHIVE_FORMAT_*; filter: ARCHIVE_FILTER_*. */
static bytes archive_of(int format, int filter, const char *options, const fx_member *members,
                        size_t n)
{
    struct archive *a = archive_write_new();
    cr_assert_eq(archive_write_set_format(a, format), ARCHIVE_OK, "%s", archive_error_string(a));
    if (filter != ARCHIVE_FILTER_NONE)
        cr_assert_eq(archive_write_add_filter(a, filter), ARCHIVE_OK, "%s",
                     archive_error_string(a));
    if (options)
        cr_assert_eq(archive_write_set_options(a, options), ARCHIVE_OK, "%s",
                     archive_error_string(a));
    if (options && strstr(options, "encryption"))
        cr_assert_eq(archive_write_set_passphrase(a, "ticket-4711"), ARCHIVE_OK);
    archive_write_set_bytes_in_last_block(a, 1);
    size_t cap = 1 << 20;
    for (size_t i = 0; i < n; i++)
        cap += members[i].size + 4096;
    bytes out = {malloc(cap), 0};
    cr_assert_eq(archive_write_open_memory(a, out.data, cap, &out.size), ARCHIVE_OK, "%s",
                 archive_error_string(a));
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, members[i].name);
        archive_entry_set_size(e, (la_int64_t)members[i].size);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_mtime(e, 1000000000, 0); /* fixed: the fixtures are deterministic */
        cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s", archive_error_string(a));
        cr_assert_eq(archive_write_data(a, members[i].data, members[i].size),
                     (la_ssize_t)members[i].size, "%s", archive_error_string(a));
        archive_entry_free(e);
    }
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK, "%s", archive_error_string(a));
    archive_write_free(a);
    return out;
}

static void write_archive(const char *path, int format, int filter, const char *options,
                          const fx_member *m, size_t n)
{
    bytes b = archive_of(format, filter, options, m, n);
    fx_write(path, b.data, b.size);
    free(b.data);
}

/* Flips bytes in the compressed data of the first member called name (after its local header). */
static void damage_zip_member(bytes *zip, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 30; i + len < zip->size; i++) {
        if (memcmp(zip->data + i, name, len) != 0)
            continue;
        /* Local file header (APPNOTE 4.3.7): name at +30, after it extra field of length at +28. */
        const unsigned char *h = (const unsigned char *)zip->data + i - 30;
        cr_assert(h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4, "no local header before %s",
                  name);
        size_t extra = (size_t)(h[28] | h[29] << 8);
        size_t data = i + len + extra;
        cr_assert_lt(data + 600, zip->size);
        for (size_t k = 200; k < 600; k += 7)
            zip->data[data + k] ^= 0x5A;
        return;
    }
    cr_assert_fail("member %s not found", name);
}

static void run_ok(const char *cmd)
{
    int status = system(cmd);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "command failed: %s", cmd);
}

void fx_build(const char *dir, const char *samples)
{
    char p[8192], q[4096];
    snprintf(p, sizeof p, "%s/xp-healthy.dmp", samples);
    bytes healthy = fx_read(p);
    snprintf(p, sizeof p, "%s/xp-kb-positive-small.dmp", samples);
    bytes positive = fx_read(p);
    snprintf(p, sizeof p, "%s/win7-x64-early-small.dmp", samples);
    bytes early = fx_read(p);
    static const char notes[] = "Customer says Outlook crashed after a night of sending reports.\n";

    snprintf(p, sizeof p, "%s/direct.dmp", dir);
    fx_write(p, healthy.data, healthy.size);
    snprintf(p, sizeof p, "%s/empty.dmp", dir);
    fx_write(p, "", 0);
    snprintf(p, sizeof p, "%s/readme.txt", dir);
    fx_write(p, notes, sizeof notes - 1);
    unsigned char noise[4096];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (unsigned char)(i * 2654435761u >> 13);
    snprintf(p, sizeof p, "%s/random.bin", dir);
    fx_write(p, noise, sizeof noise);

    /* ticket-4711.zip: a dump in a folder, notes, a traversal name, a damaged member, and an
     * encrypted zip inside. */
    fx_member secret[] = {{"encrypted.dmp", healthy.data, healthy.size}};
    bytes secret_zip =
        archive_of(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, "zip:encryption=zipcrypt", secret, 1);
    fx_member ticket[] = {
        {"crash/app.dmp", positive.data, positive.size},
        {"notes.txt", notes, sizeof notes - 1},
        {"../../evil.dmp", healthy.data, healthy.size},
        {"damaged.dmp", early.data, early.size},
        {"attachments/secret.zip", secret_zip.data, secret_zip.size},
    };
    bytes ticket_zip = archive_of(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, ticket, 5);
    damage_zip_member(&ticket_zip, "damaged.dmp");
    snprintf(p, sizeof p, "%s/ticket-4711.zip", dir);
    fx_write(p, ticket_zip.data, ticket_zip.size);

    /* nested/outer.tar.gz: a 7z holding a dump and a zip with another, and a .dmp.gz. */
    fx_member again[] = {{"xp-healthy.dmp", healthy.data, healthy.size}};
    bytes again_zip = archive_of(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, again, 1);
    fx_member inner[] = {{"deep/win7.dmp", early.data, early.size},
                         {"again.zip", again_zip.data, again_zip.size}};
    bytes inner_7z = archive_of(ARCHIVE_FORMAT_7ZIP, ARCHIVE_FILTER_NONE, NULL, inner, 2);
    fx_member plain[] = {{"data", healthy.data, healthy.size}};
    bytes plain_gz = archive_of(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, NULL, plain, 1);
    fx_member outer[] = {{"inner.7z", inner_7z.data, inner_7z.size},
                         {"plain.dmp.gz", plain_gz.data, plain_gz.size}};
    snprintf(p, sizeof p, "%s/nested", dir);
    cr_assert_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/nested/outer.tar.gz", dir);
    write_archive(p, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, NULL, outer, 2);

    /* wer.cab: what Windows Error Reporting uploads — a minidump, a heap dump and metadata. */
    snprintf(q, sizeof q, "%s/../cab-src", dir);
    cr_assert_eq(mkdir(q, 0755), 0);
    snprintf(p, sizeof p, "%s/report.mdmp", q);
    fx_write(p, positive.data, positive.size);
    snprintf(p, sizeof p, "%s/heap.hdmp", q);
    fx_write(p, early.data, early.size);
    snprintf(p, sizeof p, "%s/WERInternalMetadata.xml", q);
    fx_write(p, "<?xml version=\"1.0\"?><WERReportMetadata/>\n", 43);
    char cmd[12288];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && gcab -c -z -n '%s/wer.cab' report.mdmp heap.hdmp WERInternalMetadata.xml",
             q, dir);
    run_ok(cmd);

    /* bomb.dmp.bz2: 4096 concatenated bzip2 streams of 1 MiB of 'A' — 4 GiB from ~200 KB. (Not
     * zeros: zeros read as the end blocks of an empty tar archive.) */
    size_t mib = 1 << 20;
    char *letters = malloc(mib);
    memset(letters, 'A', mib);
    fx_member zero[] = {{"data", letters, mib}};
    bytes one = archive_of(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_BZIP2, NULL, zero, 1);
    bytes bomb = {malloc(one.size * 4096), one.size * 4096};
    for (size_t i = 0; i < 4096; i++)
        memcpy(bomb.data + i * one.size, one.data, one.size);
    snprintf(p, sizeof p, "%s/bomb.dmp.bz2", dir);
    fx_write(p, bomb.data, bomb.size);

    /* zipbomb.zip (kept beside the folder: used with --max-ratio): 64 MiB of zeros, deflated. */
    char *zeros64 = calloc(1, 64 * mib);
    fx_member z64[] = {{"zeros.dmp", zeros64, 64 * mib}};
    snprintf(p, sizeof p, "%s/../zipbomb.zip", dir);
    write_archive(p, ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, NULL, z64, 1);

    free(zeros64);
    free(letters);
    free(one.data);
    free(bomb.data);
    free(plain_gz.data);
    free(inner_7z.data);
    free(again_zip.data);
    free(ticket_zip.data);
    free(secret_zip.data);
    free(healthy.data);
    free(positive.data);
    free(early.data);
}
