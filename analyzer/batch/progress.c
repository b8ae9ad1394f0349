#include "progress.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hs_progress_init(hs_progress *p, FILE *out, bool quiet)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->enabled = !quiet && isatty(fileno(out));
    p->started = now_seconds();
}

static void human_bytes(double bytes, char *buf, size_t size)
{
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1000 && u < 4) {
        bytes /= 1000;
        u++;
    }
    snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

void hs_progress_update(hs_progress *p, size_t done, size_t found, bool finding_more,
                        uint64_t bytes, size_t findings, bool force)
{
    if (!p->enabled)
        return;
    double t = now_seconds();
    if (!force && t - p->last_draw < 0.1)
        return;
    p->last_draw = t;
    double elapsed = t - p->started;
    char total[32], rate[32], line[160];
    human_bytes((double)bytes, total, sizeof total);
    human_bytes(elapsed > 0 ? (double)bytes / elapsed : 0, rate, sizeof rate);
    int n = snprintf(line, sizeof line, "%zu/%zu%s dumps  %s  %s/s  %zu finding%s", done, found,
                     finding_more ? "+" : "", total, rate, findings, findings == 1 ? "" : "s");
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    fprintf(p->out, "\r%s", line);
    for (size_t i = len; i < p->width; i++)
        fputc(' ', p->out);
    p->width = len;
    fflush(p->out);
}

void hs_progress_finish(hs_progress *p)
{
    if (!p->enabled || p->width == 0)
        return;
    fprintf(p->out, "\r%*s\r", (int)p->width, "");
    fflush(p->out);
    p->width = 0;
}
