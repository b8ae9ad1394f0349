/* MAPI session heap attribution (DESIGN.md "MAPI session heap"): which private heaps hold MAPI
 * session state, and on what evidence — busy blocks whose first word is a vtable pointer into a
 * loaded MAPI module's image, valid property blocks, MAPIAllocateBuffer-style chains, and
 * membership in a cluster of identically shaped heaps whose other members are tied to MAPI. */
#ifndef HS_MAPI_ATTRIBUTION_H
#define HS_MAPI_ATTRIBUTION_H

#include "heap.h"
#include "prop_blocks.h"

typedef struct hs_mapi_module {
    const hs_md_module *module;
    uint64_t packed_version; /* (a<<48)|(b<<32)|(c<<16)|d, 0 when the module has no version */
} hs_mapi_module;

typedef struct hs_mapi_heap {
    bool eligible;              /* a private (HeapCreate) NT heap, not the process heap */
    bool session;               /* attributed to MAPI */
    uint32_t vtable_objects;    /* busy blocks starting with a vtable pointer into a MAPI module */
    uint32_t prop_blocks;       /* valid and corrupted property blocks */
    uint32_t alloc_chain_links; /* blocks linking to the start of another busy block (MAPI buffer
                                   chains) */
    uint32_t cluster;           /* cluster id (index of the shape group), or UINT32_MAX */
    bool by_cluster;            /* attributed only through its cluster */
} hs_mapi_heap;

typedef struct hs_mapi_result {
    bool loaded; /* a MAPI module is in the module list */
    hs_mapi_module *modules;
    size_t module_count;
    const hs_md_module *primary; /* mapi32/msmapi32/olmapi32/exmapi32, for the version fact */
    uint64_t primary_version;    /* packed, 0 when unknown */
    hs_mapi_heap *heaps;         /* per heap of the heapset */
    size_t session_heaps;
    size_t largest_cluster; /* heaps in the largest group of identically shaped heaps */
} hs_mapi_result;

/* Attributes heaps to MAPI. NULL when out of memory. */
hs_mapi_result *hs_mapi_attribute(const hs_dump *dump, const hs_address_space *as,
                                  const hs_heapset *set, const hs_prop_scan *props);
/* The same in steps, for workers that split the heaps and do other per-heap work too (scan.c):
 * start (modules, which heaps are eligible), collect each heap's evidence (any heaps, on any
 * threads, each heap once), then finish with the property scan's counts (attribution, clusters). */
hs_mapi_result *hs_mapi_start(const hs_dump *dump, const hs_heapset *set);
void hs_mapi_collect(hs_mapi_result *r, const hs_address_space *as, const hs_heapset *set,
                     size_t first, size_t end);
void hs_mapi_finish(hs_mapi_result *r, const hs_heapset *set, const hs_prop_scan *props);
void hs_mapi_result_free(hs_mapi_result *r);
/* True when a module name is one of the MAPI modules (mapi32, msmapi32, olmapi32, exmapi32,
 * emsmdb32, emsabp32, emsui32, mspst32, cdo; case-insensitive, ".dll" optional). */
bool hs_mapi_module_name(const char *name);
/* Packs a.b.c.d into a comparable integer. */
uint64_t hs_mapi_pack_version(const hs_md_version_info *v);

#endif
