/* Scenarios of a MAPI client process, the unit of the corpus: which OS and architecture, which MAPI
 * build, how many live and leaked sessions, how many property blocks are corrupted and how, which
 * decoys. hs_scenario_build composes the process with synthetic_process.c.
 *
 * Scenario files are "key = value" lines (# starts a comment):
 *   os = xp | win7-x86 | win7-x64 | win10-x64
 *   mapi = none | 5.5.2448.0 | …        the MAPI32.DLL file version
 *   mapi_module = MAPI32.DLL | MSMAPI32.DLL | OLMAPI32.DLL
 *                                        the module that implements MAPI (mapi.md §5):
 * Exchange 5.5-era System32 MAPI (default), Outlook 2000-2003, Outlook 2007+; the session vtables
 * point into it providers = true | false             also load the Exchange providers EMSMDB32.DLL
 * and EMSABP32.DLL (and on XP CDO.DLL), of the same version as the MAPI module alloc_chains = true
 * | false          session property arrays as MAPIAllocateBuffer blocks whose link slot chains to a
 * MAPIAllocateMore block holding the strings, the binary and a fifth, multi-valued (PT_MV_STRING8)
 * property live_sessions = N                    sessions whose heap is referenced from a session
 * object leaked_sessions = N                  sessions logged off without their heap destroyed (KB
 * Q293150) corrupt_blocks = N                   leaked heaps whose property block is corrupted
 * (kinds rotate: freed-fill tag, invalid type, pointer into a free block, impossible SBinary.cb,
 * then with corrupt_kinds = 6 a string pointer into a released heap (a MEM_FREE range at
 *                                        HS_SCN_RELEASED_HEAP) and one into committed memory the
 *                                        full dump does not hold (HS_SCN_ABSENT, PAGE_NOACCESS)),
 *                                        and with 7 a string pointer
 *                                        overwritten by the freed fill 0xFEEEFEEE
 *   corrupt_kinds = N                    how many of those kinds rotate (1-7, default 4)
 *   decoy_heaps = N                      private, unreferenced heaps without MAPI content
 *   lookalike_heaps = N                  unreferenced heaps holding random data shaped like
 * SPropValues memory_list_only = true | false      no module data and no MemoryInfoList:
 * reachability unknown exception = 0xC0000005               the process crashed with this code (0:
 * no Exception stream) lfh_heaps = N                        (Windows 7, Windows 10 x64)
 * unreferenced private heaps whose middle block is an LFH UserBlocks of 10 chunks, 6 busy
 * (heap-internals.md §4.3; on Windows 10 with the busy bitmap of §4.4) large_blocks = N large
 * (virtual-alloc) blocks of the process heap, 0x21000 bytes committed each lookaside_cached = N
 * (XP, up to 12) blocks of the process heap freed to its look-aside lists (heap-internals.md §4.2),
 * holding a stale property array, MAPI object or text; busy by count, live to nothing
 *   heap_corruption = KIND               adds an unreferenced private heap at HS_SCN_VICTIM_HEAP
 * damaged in one way: previous_size, header_checksum (not on XP), past_segment_end, free_list_link,
 * segment_list_cycle (not on XP: the segment list loops without returning to its head) bulk_mb = N
 * (win7-x64, win10-x64; at most 7000) scales the process by N MiB of heap memory: N more private
 * heaps (HeapCreate(0, 1 MiB, 2 MiB), flags 0x1000), heap i at HS_SCN_BULK_HEAP + i·2 MiB, each a 2
 * MiB reservation whose first 1 MiB is committed and filled with busy and free blocks of mixed
 * sizes (70 % 32-256 bytes, 25 % 272 bytes-2 KiB, 5 % 2-16 KiB; one in eight free, never two free
 * in a row, all on the free list in size order) holding object-like, text, binary and zeroed data.
 *                                        Each heap's first block holds the handle of the next, the
 *                                        first handle is in the process heap: all are reachable,
 * none holds MAPI content. The memory bytes come last in the file (needed past 4 GB); the same N
 * gives the same bytes. */
#ifndef HS_MAPI_SCENARIO_H
#define HS_MAPI_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dump_builder.h"

typedef enum hs_scenario_os {
    HS_SCN_XP,
    HS_SCN_WIN7_X86,
    HS_SCN_WIN7_X64,
    HS_SCN_WIN10_X64
} hs_scenario_os;

typedef struct hs_scenario {
    hs_scenario_os os;
    bool mapi;
    uint32_t mapi_version_ms, mapi_version_ls;
    unsigned live_sessions, leaked_sessions, corrupt_blocks, decoy_heaps, lookalike_heaps;
    bool memory_list_only;
    uint32_t exception;
    char heap_corruption[32]; /* "" for none */
    unsigned lfh_heaps, large_blocks;
    unsigned lookaside_cached;
    unsigned bulk_mb;
    unsigned corrupt_kinds;
    char mapi_module[16]; /* "MAPI32.DLL" unless the scenario names another */
    bool providers;
    bool alloc_chains;
} hs_scenario;

/* Parses scenario text; returns 0, or -1 with a message naming the line in err. */
int hs_scenario_parse(const char *text, hs_scenario *out, char *err, size_t err_size);
/* The default scenario: XP, MAPI 5.5.2448.0, two live sessions, nothing else. */
void hs_scenario_default(hs_scenario *out);
/* Builds the dump of the scenario into b (deterministic: same scenario, same bytes). */
void hs_scenario_build(const hs_scenario *sc, dump_builder *b);
/* Writes the same bytes to f, streaming the memory of bulk_mb scenarios from the process model
 * instead of copying it into a builder first. Returns 0, or -1 when a write fails (errno set). */
int hs_scenario_write(const hs_scenario *sc, FILE *f);

/* Addresses the scenarios use, so tests can name them. */
enum {
    HS_SCN_PROCESS_HEAP = 0x00140000,
    HS_SCN_LIVE_HEAP = 0x01000000,
    HS_SCN_LEAKED_HEAP = 0x02000000, /* leaked heap i at + i·0x10000 */
    HS_SCN_DECOY_HEAP = 0x40000000,
    HS_SCN_LOOKALIKE_HEAP = 0x50000000,
    HS_SCN_MAPI32 = 0x35F00000, /* the MAPI module, whatever its name */
    HS_SCN_EMSMDB32 = 0x35A00000,
    HS_SCN_EMSABP32 = 0x35C00000,
    HS_SCN_CDO = 0x34000000,
    HS_SCN_VICTIM_HEAP = 0x60000000,
    HS_SCN_LFH_HEAP = 0x61000000,
    HS_SCN_LFH_ZONE = 0x6F000000,
    HS_SCN_LARGE_BLOCK = 0x70000000,   /* large block i at + i·0x100000 */
    HS_SCN_RELEASED_HEAP = 0x48000000, /* a destroyed heap's former reservation (MEM_FREE) */
    HS_SCN_ABSENT = 0x4C000000,        /* committed, PAGE_NOACCESS, not captured */
};
#define HS_SCN_BULK_HEAP   0x200000000ull /* bulk heap i at + i·0x200000 (x64 only) */
#define HS_SCN_BULK_STRIDE 0x200000u

#endif
