#include "diag.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* A hostile dump can produce one problem per record; past this many the rest are only counted. */
enum { DIAG_MAX_PROBLEMS = 1000 };

void hs_diag_add(hs_diag *d, hs_severity sev, hs_status st, const char *where, int64_t offset,
                 const char *fmt, ...)
{
    if (d->count >= DIAG_MAX_PROBLEMS) {
        d->dropped++;
        return;
    }
    if (!hs_grow((void **)&d->items, &d->cap, d->count, sizeof *d->items)) {
        d->dropped++;
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    hs_problem *p = &d->items[d->count];
    p->severity = sev;
    p->status = st;
    p->where = hs_arena_printf(d->arena, "%s", where ? where : "");
    p->message = hs_arena_printf(d->arena, "%s", msg);
    p->has_offset = offset >= 0;
    p->offset = offset >= 0 ? (uint64_t)offset : 0;
    if (!p->where || !p->message) {
        d->dropped++;
        return;
    }
    d->count++;
}

bool hs_diag_full(const hs_diag *d) { return d->count >= DIAG_MAX_PROBLEMS; }

void hs_diag_drop(hs_diag *d) { d->dropped++; }

hs_severity hs_diag_worst(const hs_diag *d)
{
    hs_severity worst = HS_SEV_NOTE;
    for (size_t i = 0; i < d->count; i++)
        if (d->items[i].severity > worst)
            worst = d->items[i].severity;
    return worst;
}

void hs_problem_format(const hs_problem *p, char *buf, size_t size)
{
    if (p->has_offset)
        snprintf(buf, size, "%s at offset 0x%llx: %s", p->where, (unsigned long long)p->offset,
                 p->message);
    else
        snprintf(buf, size, "%s: %s", p->where, p->message);
}

void hs_diag_release(hs_diag *d)
{
    hs_free(d->items);
    d->items = NULL;
    d->count = d->cap = 0;
}
