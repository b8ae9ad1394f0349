/* Facts: the flat, typed, documented values analyses publish and rules read (DESIGN.md "Facts and
 * rules"). The table in facts.c is the single list of names, types, units and meanings; it is what
 * `heapsleuth facts --list` prints and what becomes YARA external variables. A fact the dump
 * cannot support is unknown — never a guessed 0. */
#ifndef HS_FACTS_H
#define HS_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "mapi_attribution.h"
#include "prop_blocks.h"
#include "reachability.h"

typedef enum hs_fact_id {
    HS_FACT_IS_WINDOWS,
    HS_FACT_DUMP_FULL_MEMORY,
    HS_FACT_POINTER_SIZE,
    HS_FACT_OS_BUILD,
    HS_FACT_EXCEPTION_CODE,
    HS_FACT_HEAP_COUNT,
    HS_FACT_HEAPS_WALKED,
    HS_FACT_HEAPS_REACHABLE,
    HS_FACT_HEAPS_ORPHANED,
    HS_FACT_REACHABILITY_KNOWN,
    HS_FACT_HEAP_INTEGRITY_ERRORS,
    HS_FACT_HEAP_LARGEST_CLUSTER,
    HS_FACT_HEAP_BUSY_BYTES,
    HS_FACT_MAPI_LOADED,
    HS_FACT_MAPI32_VERSION,
    HS_FACT_MAPI_SESSION_HEAPS,
    HS_FACT_MAPI_ORPHANED_SESSION_HEAPS,
    HS_FACT_MAPI_PROP_BLOCKS,
    HS_FACT_MAPI_CORRUPT_PROP_BLOCKS,
    HS_FACT_COUNT
} hs_fact_id;

typedef enum hs_fact_type { HS_FACT_BOOL, HS_FACT_INT, HS_FACT_VERSION } hs_fact_type;

typedef struct hs_fact_def {
    const char *name;
    hs_fact_type type;
    const char *unit;
    const char *meaning;
    const char *phrase; /* how a verdict line says it: %s is the value, {s} an "s" unless it is 1 */
} hs_fact_def;

typedef struct hs_fact_value {
    bool known;
    int64_t value;
} hs_fact_value;

typedef struct hs_facts {
    hs_fact_value v[HS_FACT_COUNT];
} hs_facts;

/* The table of every fact, indexed by hs_fact_id. */
const hs_fact_def *hs_fact_defs(void);
/* The id of a fact name, or -1. */
int hs_fact_lookup(const char *name);
/* Computes every fact from the analyses (any of which may be NULL when the dump does not support
 * it: the facts that depend on it are then unknown). */
void hs_facts_compute(hs_facts *out, const hs_dump *dump, const hs_heapset *heaps,
                      const hs_reach_result *reach, const hs_prop_scan *props,
                      const hs_mapi_result *mapi);
/* Formats a known value for a person ("5.5.2448.0", "0xc0000005", "true", "6144") into buf. */
void hs_fact_format(hs_fact_id id, const hs_fact_value *v, char *buf, size_t size);

#endif
