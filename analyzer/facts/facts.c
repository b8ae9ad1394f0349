#include "facts.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const hs_fact_def defs[HS_FACT_COUNT] = {
    [HS_FACT_IS_WINDOWS] = {"is_windows", HS_FACT_BOOL, "", "the dump comes from a Windows process",
                            "Windows process: %s"},
    [HS_FACT_DUMP_FULL_MEMORY] =
        {"dump_full_memory", HS_FACT_BOOL, "",
         "the dump was written with MiniDumpWithFullMemory (absent memory is really absent)",
         "full memory: %s"},
    [HS_FACT_POINTER_SIZE] = {"pointer_size", HS_FACT_INT, "bytes",
                              "pointer size of the process (4 or 8)", "%s-byte pointers"},
    [HS_FACT_OS_BUILD] = {"os_build", HS_FACT_INT, "", "Windows build number from SystemInfo",
                          "Windows build %s"},
    [HS_FACT_EXCEPTION_CODE] =
        {"exception_code", HS_FACT_INT, "NTSTATUS",
         "the exception that ended the process; unknown when the dump records none",
         "exception %s"},
    [HS_FACT_HEAP_COUNT] = {"heap_count", HS_FACT_INT, "heaps",
                            "heaps of the process (ProcessHeaps, or found by signature)",
                            "%s heap{s}"},
    [HS_FACT_HEAPS_WALKED] = {"heaps_walked", HS_FACT_INT, "heaps",
                              "NT heaps walked to the end of every segment with all memory present",
                              "%s heaps walked"},
    [HS_FACT_HEAPS_REACHABLE] =
        {"heaps_reachable", HS_FACT_INT, "heaps",
         "heaps whose handle is referenced from a root or a reachable heap's busy block",
         "%s reachable heap{s}"},
    [HS_FACT_HEAPS_ORPHANED] =
        {"heaps_orphaned", HS_FACT_INT, "heaps",
         "heaps referenced from nowhere live; unknown when reachability is unknown",
         "%s orphaned heap{s}"},
    [HS_FACT_REACHABILITY_KNOWN] =
        {"reachability_known", HS_FACT_BOOL, "",
         "the dump holds the stacks, module data and heap memory to decide reachability",
         "reachability known: %s"},
    [HS_FACT_HEAP_INTEGRITY_ERRORS] =
        {"heap_integrity_errors", HS_FACT_INT, "errors",
         "integrity errors found by the heap walk (what HeapValidate would reject)",
         "%s heap integrity error{s}"},
    [HS_FACT_HEAP_LARGEST_CLUSTER] =
        {"heap_largest_cluster", HS_FACT_INT, "heaps",
         "private heaps in the largest group of identically shaped heaps",
         "%s identically shaped heap{s}"},
    [HS_FACT_HEAP_BUSY_BYTES] = {"heap_busy_bytes", HS_FACT_INT, "bytes",
                                 "bytes in busy blocks of all heaps", "%s busy byte{s}"},
    [HS_FACT_MAPI_LOADED] = {"mapi_loaded", HS_FACT_BOOL, "",
                             "a MAPI module (mapi32, msmapi32, olmapi32, …) is loaded",
                             "MAPI loaded: %s"},
    [HS_FACT_MAPI32_VERSION] =
        {"mapi32_version", HS_FACT_VERSION, "a<<48|b<<32|c<<16|d",
         "file version of the MAPI DLL, packed so versions compare as integers", "MAPI %s"},
    [HS_FACT_MAPI_SESSION_HEAPS] = {"mapi_session_heaps", HS_FACT_INT, "heaps",
                                    "private heaps attributed to MAPI sessions",
                                    "%s MAPI session heap{s}"},
    [HS_FACT_MAPI_ORPHANED_SESSION_HEAPS] =
        {"mapi_orphaned_session_heaps", HS_FACT_INT, "heaps",
         "MAPI session heaps that are orphaned; unknown when reachability is",
         "%s orphaned MAPI session heap{s}"},
    [HS_FACT_MAPI_PROP_BLOCKS] = {"mapi_prop_blocks", HS_FACT_INT, "blocks",
                                  "property blocks (SPropValue arrays) found",
                                  "%s property block{s}"},
    [HS_FACT_MAPI_CORRUPT_PROP_BLOCKS] =
        {"mapi_corrupt_prop_blocks", HS_FACT_INT, "blocks",
         "property blocks with at least one entry broken the way heap misuse breaks it",
         "%s corrupted property block{s}"},
};

const hs_fact_def *hs_fact_defs(void) { return defs; }

int hs_fact_lookup(const char *name)
{
    for (int i = 0; i < HS_FACT_COUNT; i++)
        if (strcmp(defs[i].name, name) == 0)
            return i;
    return -1;
}

static void set(hs_facts *f, hs_fact_id id, int64_t v)
{
    f->v[id].known = true;
    f->v[id].value = v;
}

void hs_facts_compute(hs_facts *f, const hs_dump *dump, const hs_heapset *heaps,
                      const hs_reach_result *reach, const hs_prop_scan *props,
                      const hs_mapi_result *mapi)
{
    memset(f, 0, sizeof *f);
    if (!dump->valid)
        return;
    bool windows = hs_dump_is_windows(dump);
    if (dump->system_info) {
        set(f, HS_FACT_IS_WINDOWS, windows);
        set(f, HS_FACT_OS_BUILD, dump->system_info->build);
        set(f, HS_FACT_POINTER_SIZE, hs_arch_pointer_size(hs_dump_arch(dump)));
    }
    set(f, HS_FACT_DUMP_FULL_MEMORY, (dump->header.flags & HS_MDT_WITH_FULL_MEMORY) != 0);
    if (dump->exception)
        set(f, HS_FACT_EXCEPTION_CODE, dump->exception->code);
    if (mapi) {
        set(f, HS_FACT_MAPI_LOADED, mapi->loaded);
        if (mapi->primary_version)
            set(f, HS_FACT_MAPI32_VERSION, (int64_t)mapi->primary_version);
    }
    /* Heap facts need a Windows process whose heaps are in the dump. */
    if (!windows || !heaps || heaps->process->statement)
        return;
    uint64_t walked = 0, errors = 0, busy = 0;
    for (size_t i = 0; i < heaps->count; i++) {
        const hs_heap *h = &heaps->heaps[i];
        walked += h->layout && h->walk_complete;
        errors += h->error_count;
        busy += h->busy_bytes;
    }
    set(f, HS_FACT_HEAP_COUNT, (int64_t)heaps->count);
    set(f, HS_FACT_HEAPS_WALKED, (int64_t)walked);
    set(f, HS_FACT_HEAP_INTEGRITY_ERRORS, (int64_t)errors);
    set(f, HS_FACT_HEAP_BUSY_BYTES, (int64_t)busy);
    if (reach) {
        set(f, HS_FACT_REACHABILITY_KNOWN, reach->known);
        set(f, HS_FACT_HEAPS_REACHABLE, (int64_t)reach->reachable);
        if (reach->known)
            set(f, HS_FACT_HEAPS_ORPHANED, (int64_t)reach->orphaned);
    }
    if (props &&
        !props->heaps_skipped) { /* with heaps left out, the counts are only a lower bound */
        set(f, HS_FACT_MAPI_PROP_BLOCKS, (int64_t)props->count);
        set(f, HS_FACT_MAPI_CORRUPT_PROP_BLOCKS, (int64_t)props->corrupt);
    }
    if (mapi) {
        set(f, HS_FACT_HEAP_LARGEST_CLUSTER, (int64_t)mapi->largest_cluster);
        set(f, HS_FACT_MAPI_SESSION_HEAPS, (int64_t)mapi->session_heaps);
        if (reach && reach->known) {
            int64_t orphaned = 0;
            for (size_t i = 0; i < heaps->count; i++)
                orphaned += mapi->heaps[i].session && reach->state[i] == HS_REACH_ORPHANED;
            set(f, HS_FACT_MAPI_ORPHANED_SESSION_HEAPS, orphaned);
        }
    }
}

void hs_fact_format(hs_fact_id id, const hs_fact_value *v, char *buf, size_t size)
{
    if (!v->known) {
        snprintf(buf, size, "unknown");
        return;
    }
    switch (defs[id].type) {
    case HS_FACT_BOOL:
        snprintf(buf, size, "%s", v->value ? "true" : "false");
        return;
    case HS_FACT_VERSION: {
        uint64_t x = (uint64_t)v->value;
        snprintf(buf, size, "%u.%u.%u.%u", (unsigned)(x >> 48), (unsigned)(x >> 32) & 0xFFFF,
                 (unsigned)(x >> 16) & 0xFFFF, (unsigned)x & 0xFFFF);
        return;
    }
    case HS_FACT_INT:
        if (id == HS_FACT_EXCEPTION_CODE)
            snprintf(buf, size, "0x%08" PRIx64, (uint64_t)v->value);
        else
            snprintf(buf, size, "%" PRId64, v->value);
        return;
    }
}
