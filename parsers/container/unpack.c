#define _GNU_SOURCE /* O_TMPFILE */
#include "unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "archive_api.h"
#include "checked.h"

enum {
    READ_CHUNK = 64 * 1024,
    SNIFF_BYTES = 512,
    /* A member must expand past this before its ratio is judged: small files compress freely. */
    RATIO_FLOOR = 1 << 20,
    MAX_HEADER_RETRIES = 8,
};

void hs_unpack_limits_default(hs_unpack_limits *limits)
{
    limits->max_member_bytes = 16ull << 30;
    limits->max_total_bytes = 64ull << 30;
    limits->max_ratio = 1000;
    limits->max_depth = 4;
    limits->spill_bytes = 256ull << 20;
}

void hs_blob_free(hs_blob *blob)
{
    if (!blob || !blob->data)
        return;
    if (blob->mapped)
        munmap(blob->data, blob->size);
    else
        hs_free(blob->data);
    *blob = (hs_blob){0};
}

/* ---- recognising content ---- */

typedef enum content_kind { CONTENT_OTHER, CONTENT_DUMP, CONTENT_CONTAINER } content_kind;

static bool starts_with(const uint8_t *p, size_t n, size_t at, const char *magic, size_t len)
{
    return n >= at + len && memcmp(p + at, magic, len) == 0;
}

/* Magic numbers: PKWARE APPNOTE (zip), 7-Zip 7zFormat.txt, [MS-CAB] CFHEADER "MSCF", POSIX ustar
 * at offset 257, RAR 4/5 signatures, RFC 1952 (gzip), bzip2 "BZh", xz "\xFD7zXZ\0", RFC 8878
 * (zstd 28 B5 2F FD). */
static content_kind classify(const uint8_t *p, size_t n)
{
    if (starts_with(p, n, 0, "MDMP", 4))
        return CONTENT_DUMP;
    static const struct {
        size_t at, len;
        const char *magic;
    } containers[] = {
        {0, 4, "PK\x03\x04"},
        {0, 4, "PK\x05\x06"},
        {0, 6, "7z\xBC\xAF\x27\x1C"},
        {0, 4, "MSCF"},
        {257, 5, "ustar"},
        {0, 7, "Rar!\x1A\x07"},
        {0, 2, "\x1F\x8B"},
        {0, 3, "BZh"},
        {0, 6,
         "\xFD"
         "7zXZ\x00"},
        {0, 4, "\x28\xB5\x2F\xFD"},
    };
    for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++)
        if (starts_with(p, n, containers[i].at, containers[i].magic, containers[i].len))
            return CONTENT_CONTAINER;
    return CONTENT_OTHER;
}

/* ---- the walk ---- */

typedef struct walk {
    const hs_archive_api *api; /* NULL until the first archive */
    const hs_unpack_limits *limits;
    hs_unpack_sink sink;
    void *ctx;
    uint64_t expanded; /* bytes expanded so far from this top-level input */
    bool stopped;
} walk;

static void emit(walk *w, hs_unpack_kind kind, const char *chain, const char *path, hs_blob *blob,
                 const char *reason)
{
    hs_unpack_event ev = {.kind = kind, .chain = chain, .path = path, .reason = reason};
    if (blob) {
        ev.blob = *blob;
        *blob = (hs_blob){0};
    }
    if (!w->stopped && !w->sink(w->ctx, &ev))
        w->stopped = true;
    if (w->stopped)
        hs_blob_free(&ev.blob);
}

static void emitf(walk *w, hs_unpack_kind kind, const char *chain, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void emitf(walk *w, hs_unpack_kind kind, const char *chain, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    emit(w, kind, chain, NULL, NULL, reason);
}

/* parent!name, with control characters of the (hostile) member name shown as '?'. */
static char *chain_join(const char *parent, const char *name)
{
    size_t a = strlen(parent), b = strlen(name);
    char *s = hs_malloc(a + b + 2);
    if (!s)
        return NULL;
    memcpy(s, parent, a);
    s[a] = '!';
    for (size_t i = 0; i < b; i++) {
        unsigned char c = (unsigned char)name[i];
        s[a + 1 + i] = c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    s[a + 1 + b] = '\0';
    return s;
}

/* libarchive reads from memory through these callbacks, in chunks, so that the compressed bytes
 * consumed while a member inflates can be counted for its expansion ratio. */
typedef struct mem_source {
    const hs_archive_api *api;
    const uint8_t *data;
    size_t size, pos;
    uint64_t delivered; /* bytes handed to libarchive so far */
} mem_source;

static la_ssize_t mem_read(struct archive *a, void *client, const void **buf)
{
    (void)a;
    mem_source *m = client;
    size_t n = m->size - m->pos < READ_CHUNK ? m->size - m->pos : READ_CHUNK;
    *buf = m->data + m->pos;
    m->pos += n;
    m->delivered += n;
    return (la_ssize_t)n;
}

static la_int64_t mem_skip(struct archive *a, void *client, la_int64_t request)
{
    (void)a;
    mem_source *m = client;
    if (request <= 0)
        return 0;
    size_t n = (uint64_t)request < m->size - m->pos ? (size_t)request : m->size - m->pos;
    m->pos += n;
    return (la_int64_t)n;
}

static la_int64_t mem_seek(struct archive *a, void *client, la_int64_t offset, int whence)
{
    mem_source *m = client;
    int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)m->pos : (int64_t)m->size;
    int64_t to;
    if (__builtin_add_overflow(base, offset, &to) || to < 0 || (uint64_t)to > m->size) {
        m->api->archive_set_error(a, EINVAL, "seek outside the archive");
        return ARCHIVE_FATAL;
    }
    m->pos = (size_t)to;
    return to;
}

/* A member's bytes as they inflate: in memory up to spill_bytes, then in an anonymous file. */
typedef struct sink_buf {
    hs_blob blob;
    size_t cap;
    int fd;
} sink_buf;

static int anonymous_file(void)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd;
    /* Filesystems without O_TMPFILE: a random name, unlinked at once. */
    char tmpl[4096];
    if (snprintf(tmpl, sizeof tmpl, "%s/heapsleuth-XXXXXX", dir) >= (int)sizeof tmpl) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = mkstemp(tmpl);
    if (fd >= 0)
        unlink(tmpl);
    return fd;
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        p += k;
        n -= (size_t)k;
    }
    return true;
}

/* Appends n bytes; on failure writes the reason to err. */
static bool sink_append(sink_buf *s, const walk *w, const void *p, size_t n, char *err,
                        size_t err_size)
{
    if (s->fd < 0 && s->blob.size + n > w->limits->spill_bytes) {
        s->fd = anonymous_file();
        if (s->fd < 0 || !write_all(s->fd, s->blob.data, s->blob.size)) {
            snprintf(err, err_size, "could not spill the member to a temporary file: %s",
                     strerror(errno));
            return false;
        }
        hs_free(s->blob.data);
        s->blob.data = NULL;
        s->cap = 0;
    }
    if (s->fd >= 0) {
        if (!write_all(s->fd, p, n)) {
            snprintf(err, err_size, "could not write the temporary file: %s",
                     strerror(errno ? errno : ENOSPC));
            return false;
        }
        s->blob.size += n;
        return true;
    }
    if (s->blob.size + n > s->cap) {
        size_t want = s->cap ? s->cap : READ_CHUNK;
        while (want < s->blob.size + n)
            want *= 2;
        uint8_t *grown = hs_realloc(s->blob.data, want);
        if (!grown) {
            snprintf(err, err_size, "out of memory for a member of %zu bytes", s->blob.size + n);
            return false;
        }
        s->blob.data = grown;
        s->cap = want;
    }
    memcpy(s->blob.data + s->blob.size, p, n);
    s->blob.size += n;
    return true;
}

static bool sink_finish(sink_buf *s, char *err, size_t err_size)
{
    if (s->fd < 0)
        return true;
    void *map = s->blob.size ? mmap(NULL, s->blob.size, PROT_READ, MAP_PRIVATE, s->fd, 0) : NULL;
    close(s->fd);
    s->fd = -1;
    if (map == MAP_FAILED) {
        snprintf(err, err_size, "could not map the temporary file: %s", strerror(errno));
        s->blob = (hs_blob){0};
        return false;
    }
    s->blob.data = map;
    s->blob.mapped = map != NULL;
    return true;
}

static void sink_discard(sink_buf *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (!s->blob.mapped)
        hs_free(s->blob.data);
    s->blob = (hs_blob){0};
}

typedef enum read_outcome { READ_OK, READ_REFUSED, READ_DAMAGED, READ_FAILED } read_outcome;

/* Inflates the current member within the limits. */
static read_outcome read_member(walk *w, struct archive *a, mem_source *src, hs_blob *out,
                                char *err, size_t err_size)
{
    const hs_unpack_limits *lim = w->limits;
    const hs_archive_api *A = w->api;
    sink_buf s = {.fd = -1};
    uint64_t start = src->delivered;
    uint8_t chunk[READ_CHUNK];
    for (;;) {
        la_ssize_t n = A->archive_read_data(a, chunk, sizeof chunk);
        if (n == 0)
            break;
        if (n < 0) {
            const char *msg = A->archive_error_string(a);
            snprintf(err, err_size, "damaged member: %s", msg ? msg : "read error");
            sink_discard(&s);
            return READ_DAMAGED;
        }
        uint64_t size = s.blob.size + (uint64_t)n;
        if (size > lim->max_member_bytes) {
            snprintf(err, err_size,
                     "refused: the member expands past %llu bytes (--max-member-size)",
                     (unsigned long long)lim->max_member_bytes);
            sink_discard(&s);
            return READ_REFUSED;
        }
        if (w->expanded + size > lim->max_total_bytes) {
            snprintf(err, err_size,
                     "refused: the input expands past %llu bytes in all (--max-total-size)",
                     (unsigned long long)lim->max_total_bytes);
            sink_discard(&s);
            return READ_REFUSED;
        }
        /* The member's compressed bytes lie in what was handed over since it started plus the
         * chunk in flight: an upper bound, so the ratio is never overestimated. */
        uint64_t compressed = src->delivered - start + READ_CHUNK;
        if (size > RATIO_FLOOR && size / compressed > lim->max_ratio) {
            snprintf(err, err_size,
                     "refused: the member expands more than %llu times (%llu bytes from at most "
                     "%llu; --max-ratio), "
                     "an archive bomb",
                     (unsigned long long)lim->max_ratio, (unsigned long long)size,
                     (unsigned long long)compressed);
            sink_discard(&s);
            return READ_REFUSED;
        }
        if (!sink_append(&s, w, chunk, (size_t)n, err, err_size)) {
            sink_discard(&s);
            return READ_FAILED;
        }
    }
    if (!sink_finish(&s, err, err_size))
        return READ_FAILED;
    w->expanded += s.blob.size;
    *out = s.blob;
    return READ_OK;
}

static void walk_bytes(walk *w, hs_blob *blob, const char *chain, unsigned depth);

/* Reads the archive or compressed stream in data; members are at depth + 1. */
static void walk_container(walk *w, const uint8_t *data, size_t size, const char *chain,
                           unsigned depth)
{
    if (depth >= w->limits->max_depth) {
        emitf(w, HS_UNPACK_ERROR, chain,
              "refused: archives nested deeper than %u levels (--max-depth)", w->limits->max_depth);
        return;
    }
    char why[512];
    if (!w->api && !(w->api = hs_archive_api_get(why, sizeof why))) {
        emitf(w, HS_UNPACK_ERROR, chain, "cannot read archives: %s", why);
        return;
    }
    const hs_archive_api *A = w->api;
    struct archive *a = A->archive_read_new();
    if (!a) {
        emitf(w, HS_UNPACK_ERROR, chain, "out of memory opening the archive");
        return;
    }
    A->archive_read_support_filter_all(a);
    A->archive_read_support_format_zip(a);
    A->archive_read_support_format_7zip(a);
    A->archive_read_support_format_cab(a);
    A->archive_read_support_format_tar(a);
    A->archive_read_support_format_rar(a);
    A->archive_read_support_format_rar5(a);
    /* A compressed stream that is not an archive (crash.dmp.gz) reads as one member. */
    A->archive_read_support_format_raw(a);
    mem_source src = {.api = A, .data = data, .size = size};
    A->archive_read_set_read_callback(a, mem_read);
    A->archive_read_set_skip_callback(a, mem_skip);
    A->archive_read_set_seek_callback(a, mem_seek);
    A->archive_read_set_callback_data(a, &src);
    if (A->archive_read_open1(a) != ARCHIVE_OK) {
        const char *msg = A->archive_error_string(a);
        emitf(w, HS_UNPACK_ERROR, chain, "not a readable archive: %s",
              msg ? msg : "unknown format");
        A->archive_read_free(a);
        return;
    }
    unsigned retries = 0;
    size_t members = 0;
    bool after_damage = false; /* the member before was damaged and already reported */
    while (!w->stopped) {
        struct archive_entry *e;
        int rc = A->archive_read_next_header(a, &e);
        if (rc == ARCHIVE_EOF) {
            if (members == 0)
                emit(w, HS_UNPACK_SKIPPED, chain, NULL, NULL, "an archive without members");
            break;
        }
        if (rc == ARCHIVE_RETRY && ++retries < MAX_HEADER_RETRIES)
            continue;
        if (rc < ARCHIVE_WARN) {
            if (after_damage)
                break;
            const char *msg = A->archive_error_string(a);
            emitf(w, HS_UNPACK_ERROR, chain, "damaged archive after %zu member%s: %s", members,
                  members == 1 ? "" : "s", msg ? msg : "unreadable header");
            break;
        }
        retries = 0;
        members++;
        bool raw = A->archive_format(a) == ARCHIVE_FORMAT_RAW;
        const char *name = A->archive_entry_pathname(e);
        char *member = raw ? hs_strdup(chain) : chain_join(chain, name ? name : "?");
        if (!member) {
            emitf(w, HS_UNPACK_ERROR, chain, "out of memory");
            break;
        }
        if (!raw && A->archive_entry_filetype(e) != AE_IFREG) {
            if (A->archive_entry_filetype(e) != AE_IFDIR)
                emit(w, HS_UNPACK_SKIPPED, member, NULL, NULL, "not a regular file");
            hs_free(member);
            continue;
        }
        if (A->archive_entry_is_encrypted(e)) {
            emit(w, HS_UNPACK_ERROR, member, NULL, NULL,
                 "encrypted member: heapsleuth takes no passwords");
            hs_free(member);
            continue;
        }
        hs_blob blob = {0};
        char err[512];
        read_outcome got = read_member(w, a, &src, &blob, err, sizeof err);
        if (got == READ_OK)
            walk_bytes(w, &blob, member, depth + 1);
        else
            emit(w, HS_UNPACK_ERROR, member, NULL, NULL, err);
        hs_free(member);
        after_damage = got == READ_DAMAGED;
        if (got == READ_FAILED)
            break;
    }
    A->archive_read_free(a);
}

/* Decides what the bytes of a member are and hands them on; takes the blob. */
static void walk_bytes(walk *w, hs_blob *blob, const char *chain, unsigned depth)
{
    switch (classify(blob->data, blob->size)) {
    case CONTENT_DUMP:
        emit(w, HS_UNPACK_DUMP, chain, NULL, blob, NULL);
        break;
    case CONTENT_CONTAINER:
        walk_container(w, blob->data, blob->size, chain, depth);
        break;
    case CONTENT_OTHER:
        emit(w, HS_UNPACK_SKIPPED, chain, NULL, NULL, blob->size ? "not a minidump" : "empty");
        break;
    }
    hs_blob_free(blob);
}

bool hs_unpack_file(const char *path, const hs_unpack_limits *limits, hs_unpack_sink sink,
                    void *ctx)
{
    walk w = {.limits = limits, .sink = sink, .ctx = ctx};
    /* O_NONBLOCK: a FIFO named as an input must not block the scan (it is skipped below). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        emitf(&w, HS_UNPACK_ERROR, path, "cannot open: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return !w.stopped;
    }
    if (!S_ISREG(st.st_mode)) {
        emit(&w, HS_UNPACK_SKIPPED, path, NULL, NULL, "not a regular file");
        close(fd);
        return !w.stopped;
    }
    uint8_t head[SNIFF_BYTES];
    ssize_t n = pread(fd, head, sizeof head, 0);
    if (n < 0) {
        emitf(&w, HS_UNPACK_ERROR, path, "cannot read: %s", strerror(errno));
        close(fd);
        return !w.stopped;
    }
    switch (classify(head, (size_t)n)) {
    case CONTENT_DUMP:
        close(fd);
        emit(&w, HS_UNPACK_DUMP, path, path, NULL, NULL);
        return !w.stopped;
    case CONTENT_OTHER:
        close(fd);
        emit(&w, HS_UNPACK_SKIPPED, path, NULL, NULL, n ? "not a minidump or an archive" : "empty");
        return !w.stopped;
    case CONTENT_CONTAINER:
        break;
    }
    if ((uint64_t)st.st_size > SIZE_MAX) {
        emit(&w, HS_UNPACK_ERROR, path, NULL, NULL, "too large to map");
        close(fd);
        return !w.stopped;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        emitf(&w, HS_UNPACK_ERROR, path, "cannot map: %s", strerror(errno));
        return !w.stopped;
    }
    walk_container(&w, map, (size_t)st.st_size, path, 0);
    munmap(map, (size_t)st.st_size);
    return !w.stopped;
}

bool hs_unpack_memory(const void *data, size_t size, const char *name,
                      const hs_unpack_limits *limits, hs_unpack_sink sink, void *ctx)
{
    walk w = {.limits = limits, .sink = sink, .ctx = ctx};
    /* A copy, so that the bytes go the way of any member's (a dump arrives as the sink's blob). */
    hs_blob blob = {.data = hs_malloc(size ? size : 1), .size = size};
    if (!blob.data) {
        emitf(&w, HS_UNPACK_ERROR, name, "out of memory");
        return !w.stopped;
    }
    memcpy(blob.data, data, size);
    walk_bytes(&w, &blob, name, 0);
    return !w.stopped;
}
