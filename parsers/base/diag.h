/* Diagnostics: what was wrong with an input, where, and how much it matters.
 * A dump collects its problems here instead of failing: the report lists them and the rest of the
 * dump is still used. */
#ifndef HS_DIAG_H
#define HS_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "status.h"

typedef enum hs_severity {
    HS_SEV_NOTE = 0,    /* unusual but harmless: a padded list, an unknown stream type */
    HS_SEV_WARNING = 1, /* part of the input is damaged and was skipped or truncated */
    HS_SEV_FATAL = 2,   /* the input cannot be used at all */
} hs_severity;

typedef struct hs_problem {
    hs_severity severity;
    hs_status status;
    const char *where; /* e.g. "ModuleList (stream 4)", "header", "memory 0x7ffd0000" */
    uint64_t offset;   /* file offset (or address) the problem was found at */
    int has_offset;
    const char *message; /* the complete sentence, without the file name */
} hs_problem;

typedef struct hs_diag {
    hs_arena *arena; /* where problem strings live (owned by the caller) */
    hs_problem *items;
    size_t count;
    size_t cap;
    size_t dropped; /* problems not recorded because the list reached its limit */
} hs_diag;

/* Records a problem; where and the message are copied. An offset < 0 means "no offset". */
void hs_diag_add(hs_diag *d, hs_severity sev, hs_status st, const char *where, int64_t offset,
                 const char *fmt, ...) HS_PRINTF(6, 7);
/* True when the list holds its maximum: a further hs_diag_add only counts the problem as dropped.
 * Callers that format a message before adding it check this first, so a flood of problems from a
 * hostile input costs a counter increment each, not a formatted sentence. */
bool hs_diag_full(const hs_diag *d);
/* Counts a problem that was not formatted because the list is full. */
void hs_diag_drop(hs_diag *d);
/* The highest severity recorded so far (HS_SEV_NOTE when there is none). */
hs_severity hs_diag_worst(const hs_diag *d);
/* Formats one problem as "where at offset 0x..: message" into buf (always terminated). */
void hs_problem_format(const hs_problem *p, char *buf, size_t size);
/* Frees the item array (strings belong to the arena). */
void hs_diag_release(hs_diag *d);

#endif
