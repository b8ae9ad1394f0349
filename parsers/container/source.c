#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "alloc.h"
#include "checked.h"
#include "hs_limits.h"

/* Inflated dumps up to this size stay in memory; larger ones spill to an unlinked temporary file
 * so a 4 GB full dump does not cost 4 GB of RAM. */
enum { INFLATE_IN_MEMORY_MAX = 256u << 20, INFLATE_CHUNK = 1u << 20 };

bool hs_source_is_gzip(const void *data, size_t size)
{
    const unsigned char *p = data;
    return size >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

void hs_source_close(hs_source *src)
{
    if (!src)
        return;
    if (src->kind == HS_SOURCE_MAPPED && src->size)
        munmap((void *)src->data, src->size);
    else if (src->kind == HS_SOURCE_OWNED)
        hs_free((void *)src->data);
    memset(src, 0, sizeof *src);
}

/* Output of inflation: a growing buffer that turns into a temporary file past a threshold. */
struct sink {
    unsigned char *buf;
    size_t len, cap;
    int fd;
    uint64_t total;
};

static int open_anonymous_tmpfile(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/heapsleuth-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path); /* nameless from here on: nothing is left behind, whatever happens */
    return fd;
}

static hs_status write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return HS_ERR_IO;
        }
        p += w;
        n -= (size_t)w;
    }
    return HS_OK;
}

static hs_status sink_put(struct sink *s, const unsigned char *p, size_t n)
{
    s->total += n;
    if (s->fd < 0 && s->len + n > INFLATE_IN_MEMORY_MAX) {
        s->fd = open_anonymous_tmpfile();
        if (s->fd < 0)
            return HS_ERR_IO;
        hs_status st = write_all(s->fd, s->buf, s->len);
        hs_free(s->buf);
        s->buf = NULL;
        s->len = s->cap = 0;
        if (st != HS_OK)
            return st;
    }
    if (s->fd >= 0)
        return write_all(s->fd, p, n);
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : INFLATE_CHUNK;
        while (cap < s->len + n)
            cap *= 2;
        unsigned char *nb = hs_realloc(s->buf, cap);
        if (!nb)
            return HS_ERR_NOMEM;
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return HS_OK;
}

static hs_status inflate_gzip(const unsigned char *in, size_t in_size, uint64_t max_out,
                              hs_source *out, char *err, size_t err_size)
{
    struct sink s = {.fd = -1};
    unsigned char *chunk = hs_malloc(INFLATE_CHUNK);
    if (!chunk) {
        snprintf(err, err_size, "out of memory while inflating gzip data");
        return HS_ERR_NOMEM;
    }
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    hs_status st = HS_OK;
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        snprintf(err, err_size, "zlib could not be initialised");
        hs_free(chunk);
        return HS_ERR_NOMEM;
    }
    size_t consumed = 0;
    int zr = Z_OK;
    /* zlib takes uInt lengths: feed the input in pieces so inputs over 4 GB work. */
    while (st == HS_OK) {
        if (zs.avail_in == 0 && consumed < in_size) {
            size_t piece = in_size - consumed;
            if (piece > (1u << 30))
                piece = 1u << 30;
            zs.next_in = (unsigned char *)in + consumed;
            zs.avail_in = (uInt)piece;
            consumed += piece;
        }
        zs.next_out = chunk;
        zs.avail_out = INFLATE_CHUNK;
        zr = inflate(&zs, Z_NO_FLUSH);
        size_t produced = INFLATE_CHUNK - zs.avail_out;
        if (produced) {
            if (s.total + produced > max_out) {
                snprintf(err, err_size, "gzip data inflates past the limit of %llu bytes",
                         (unsigned long long)max_out);
                st = HS_ERR_LIMIT;
                break;
            }
            st = sink_put(&s, chunk, produced);
            if (st != HS_OK) {
                snprintf(err, err_size, "could not store inflated data: %s", strerror(errno));
                break;
            }
        }
        if (zr == Z_STREAM_END) {
            /* A gzip file may hold several members back to back; trailing zeros are padding. */
            size_t left = zs.avail_in + (in_size - consumed);
            if (left == 0)
                break;
            const unsigned char *rest = zs.next_in;
            if (zs.avail_in >= 2 && hs_source_is_gzip(rest, zs.avail_in)) {
                inflateReset(&zs);
                continue;
            }
            break;
        }
        if (zr == Z_BUF_ERROR && zs.avail_in == 0 && consumed == in_size) {
            snprintf(err, err_size, "gzip data is truncated after %llu inflated bytes",
                     (unsigned long long)s.total);
            st = HS_ERR_TRUNCATED;
            break;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            snprintf(err, err_size, "gzip data is corrupt after %llu inflated bytes (%s)",
                     (unsigned long long)s.total, zs.msg ? zs.msg : "zlib error");
            st = HS_ERR_FORMAT;
            break;
        }
    }
    inflateEnd(&zs);
    hs_free(chunk);

    if (st == HS_OK) {
        memset(out, 0, sizeof *out);
        out->inflated = true;
        out->input_size = in_size;
        if (s.fd >= 0) {
            if (s.total > SIZE_MAX) {
                st = HS_ERR_LIMIT;
            } else {
                void *m = mmap(NULL, (size_t)s.total, PROT_READ, MAP_PRIVATE, s.fd, 0);
                if (m == MAP_FAILED) {
                    snprintf(err, err_size, "could not map inflated data: %s", strerror(errno));
                    st = HS_ERR_IO;
                } else {
                    out->data = m;
                    out->size = (size_t)s.total;
                    out->kind = HS_SOURCE_MAPPED;
                }
            }
        } else {
            out->data = s.buf;
            out->size = s.len;
            out->kind = s.buf ? HS_SOURCE_OWNED : HS_SOURCE_EMPTY;
            s.buf = NULL;
        }
    }
    if (s.fd >= 0)
        close(s.fd);
    hs_free(s.buf);
    return st;
}

static uint64_t max_inflated(const hs_source_limits *limits)
{
    return limits && limits->max_inflated_bytes ? limits->max_inflated_bytes
                                                : HS_MAX_INFLATED_BYTES;
}

hs_status hs_source_from_memory(const void *data, size_t size, const hs_source_limits *limits,
                                hs_source *out, char *err, size_t err_size)
{
    if (hs_source_is_gzip(data, size))
        return inflate_gzip(data, size, max_inflated(limits), out, err, err_size);
    memset(out, 0, sizeof *out);
    out->data = data;
    out->size = size;
    out->input_size = size;
    out->kind = size ? HS_SOURCE_BORROWED : HS_SOURCE_EMPTY;
    return HS_OK;
}

hs_status hs_source_open_file(const char *path, const hs_source_limits *limits, hs_source *out,
                              char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_size, "cannot open: %s", strerror(errno));
        return HS_ERR_IO;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        snprintf(err, err_size, "cannot stat: %s", strerror(errno));
        close(fd);
        return HS_ERR_IO;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(err, err_size, "not a regular file");
        close(fd);
        return HS_ERR_IO;
    }
    if ((uint64_t)sb.st_size > SIZE_MAX) {
        snprintf(err, err_size, "file too large for this platform");
        close(fd);
        return HS_ERR_LIMIT;
    }
    size_t size = (size_t)sb.st_size;
    if (size == 0) {
        close(fd);
        out->kind = HS_SOURCE_EMPTY;
        return HS_OK;
    }
    void *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        snprintf(err, err_size, "cannot map: %s", strerror(errno));
        return HS_ERR_IO;
    }
    if (hs_source_is_gzip(m, size)) {
        hs_status st = inflate_gzip(m, size, max_inflated(limits), out, err, err_size);
        munmap(m, size);
        return st;
    }
    out->data = m;
    out->size = size;
    out->input_size = size;
    out->kind = HS_SOURCE_MAPPED;
    return HS_OK;
}
