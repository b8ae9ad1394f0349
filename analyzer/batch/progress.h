/* The progress line of a batch on standard error: dumps done of those found so far, bytes, rate
 * and findings. Drawn only when standard error is a terminal and --quiet is not given. */
#ifndef HS_PROGRESS_H
#define HS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct hs_progress {
    FILE *out;
    bool enabled;
    double started, last_draw;
    size_t width; /* characters of the last line drawn, to erase it */
} hs_progress;

/* Enabled when out is a terminal and quiet is false. */
void hs_progress_init(hs_progress *p, FILE *out, bool quiet);
/* Redraws at most ten times a second unless force. */
void hs_progress_update(hs_progress *p, size_t done, size_t found, bool finding_more,
                        uint64_t bytes, size_t findings, bool force);
/* Erases the line (before another message, or at the end); a later update draws it again. */
void hs_progress_finish(hs_progress *p);

#endif
