/* One line of a batch: a dump scanned (or found invalid, or a duplicate), an input that could not
 * be read, or one skipped. Created in input order by the producer, filled by a worker, written and
 * freed by the report writer. */
#ifndef HS_RECORD_H
#define HS_RECORD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "rule_engine.h"
#include "unpack.h"

typedef enum hs_record_status {
    HS_REC_SCANNED,   /* the pipeline ran */
    HS_REC_INVALID,   /* a dump the parser rejected, or whose analysis ran out of memory or time */
    HS_REC_DUPLICATE, /* --dedupe: the same bytes as an earlier dump */
    HS_REC_ERROR,     /* the input could not be read, or a limit refused it */
    HS_REC_SKIPPED,   /* not a dump */
} hs_record_status;

typedef struct hs_record {
    size_t seq;
    hs_record_status status;
    char *chain;  /* "ticket.zip!crash/app.dmp" */
    char *reason; /* INVALID / ERROR / SKIPPED: why; DUPLICATE: the chain of the first copy */
    char sha256[HS_SHA256_HEX];
    uint64_t size;
    int worst;                 /* highest finding severity, -1 for none */
    const hs_rule_info **hits; /* the rules that fired (point into the ruleset) */
    size_t hit_count;
    char *text;   /* the text rendering (text format) */
    json_t *json; /* the JSON object (json, jsonl, sarif) */
    /* The work: a plain file to map, or bytes from an archive. */
    char *path;
    hs_blob blob;
    struct hs_record *next_job;
    bool is_job; /* queued for a worker (counts against the read-ahead bound) */
    bool done;
} hs_record;

void hs_record_free(hs_record *rec);

#endif
