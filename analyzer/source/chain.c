#include "chain.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"

typedef struct chain_search {
    const char *want;
    hs_blob found;
    bool hit;
    char reason[512];
} chain_search;

static bool on_member(void *ctx, hs_unpack_event *ev)
{
    chain_search *s = ctx;
    if (strcmp(ev->chain, s->want) != 0) {
        hs_blob_free(&ev->blob);
        return true;
    }
    s->hit = true;
    if (ev->kind == HS_UNPACK_DUMP && ev->blob.data) {
        s->found = ev->blob;
        ev->blob = (hs_blob){0};
    } else {
        snprintf(s->reason, sizeof s->reason, "%s",
                 ev->kind == HS_UNPACK_SKIPPED ? "not a minidump"
                 : ev->reason                  ? ev->reason
                                               : "cannot be read");
        hs_blob_free(&ev->blob);
    }
    return false; /* found: stop the walk */
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *hs_chain_outer(const char *path)
{
    if (!strchr(path, '!') || is_file(path))
        return NULL;
    char *outer = hs_strdup(path);
    if (!outer)
        return NULL;
    /* The outermost file is the longest prefix before a '!' that is a file. */
    for (char *p = strrchr(outer, '!'); p; p = strrchr(outer, '!')) {
        *p = '\0';
        if (is_file(outer))
            return outer;
    }
    hs_free(outer);
    return NULL;
}

hs_dump *hs_chain_open(const char *path, hs_blob *keep, char *err, size_t err_size)
{
    *keep = (hs_blob){0};
    char *outer = hs_chain_outer(path);
    if (!outer)
        return hs_dump_open(path, NULL);
    hs_unpack_limits limits;
    hs_unpack_limits_default(&limits);
    chain_search s = {.want = path};
    hs_unpack_file(outer, &limits, on_member, &s);
    if (!s.found.data) {
        if (s.hit)
            snprintf(err, err_size, "%s", s.reason);
        else
            snprintf(err, err_size, "%s holds no member %s", outer, path + strlen(outer) + 1);
        hs_free(outer);
        return NULL;
    }
    hs_free(outer);
    *keep = s.found;
    hs_dump *d = hs_dump_open_memory(keep->data, keep->size, path, NULL);
    if (!d)
        hs_blob_free(keep);
    return d;
}

typedef struct chain_filter {
    const char *want;
    size_t want_len;
    hs_unpack_sink sink;
    void *ctx;
    bool matched;
} chain_filter;

static bool filter_member(void *ctx, hs_unpack_event *ev)
{
    chain_filter *f = ctx;
    bool inside = strncmp(ev->chain, f->want, f->want_len) == 0 &&
                  (ev->chain[f->want_len] == '\0' || ev->chain[f->want_len] == '!');
    if (!inside) {
        hs_blob_free(&ev->blob);
        return true;
    }
    f->matched = true;
    return f->sink(f->ctx, ev);
}

bool hs_chain_unpack(const char *chain, const char *outer, const hs_unpack_limits *limits,
                     hs_unpack_sink sink, void *ctx)
{
    chain_filter f = {.want = chain, .want_len = strlen(chain), .sink = sink, .ctx = ctx};
    if (!hs_unpack_file(outer, limits, filter_member, &f))
        return false;
    if (f.matched)
        return true;
    char reason[512];
    snprintf(reason, sizeof reason, "%s holds no member %s", outer, chain + strlen(outer) + 1);
    hs_unpack_event ev = {.kind = HS_UNPACK_ERROR, .chain = chain, .reason = reason};
    return sink(ctx, &ev);
}
