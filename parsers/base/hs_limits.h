/* Every resource limit of the tool, in one place. A dump is hostile input: each count it declares
 * is checked against one of these before anything is allocated or walked. */
#ifndef HS_RESOURCE_LIMITS_H
#define HS_RESOURCE_LIMITS_H

/* Real dumps carry 10-30 streams; writers with extension streams stay under a few hundred. */
#define HS_MAX_STREAMS 4096u
/* Full-memory dumps of large processes reach tens of thousands of ranges (one per region). */
#define HS_MAX_MEMORY_RANGES (1u << 22)
/* MemoryInfoList has one entry per VirtualQuery region; a large process has ~10^5. */
#define HS_MAX_MEMORY_INFO (1u << 22)
/* Threads and modules: server processes reach thousands, never millions. */
#define HS_MAX_THREADS 65536u
#define HS_MAX_MODULES 65536u
#define HS_MAX_HANDLES (1u << 20)
/* A MINIDUMP_STRING longer than this is treated as damaged (Windows paths are < 32 K chars). */
#define HS_MAX_STRING_BYTES (64u * 1024u)
/* CodeView records hold a GUID, an age and a PDB path. */
#define HS_MAX_CV_RECORD_BYTES (64u * 1024u)
/* Upper bound on the bytes a .gz dump may inflate to (full dumps of 64-bit processes are large). */
#define HS_MAX_INFLATED_BYTES (64ull << 30)
/* Largest total the per-dump arena may hold for parsed metadata (not memory contents). */
#define HS_MAX_ARENA_BYTES (1ull << 31)

/* Heaps per process. A MAPI leak reaches thousands (KB Q293150: one per logon); a list claiming
 * more than this is damaged, and only this many entries are read. */
#define HS_MAX_HEAPS (1u << 18)
/* Segments per heap (XP: Segments[64]; Vista+ grow without a fixed cap, but never near this). */
#define HS_MAX_SEGMENTS 4096u
/* Entries walked in one segment: a 4 GB segment of 16-byte granules is 2^28; stop well before. */
#define HS_MAX_ENTRIES_PER_SEGMENT (1u << 26)
/* Steps of any linked-list walk in process memory (free lists, segment lists, UCR lists, VA lists).
 * All walks of a dump together also stop at one step (entry, resynchronisation probe or list
 * element) per 2 bytes of the memory it presents, plus 2^18 (heap_walk.c): heaps whose segments
 * or lists run over the same memory cannot repeat the work once per heap. */
#define HS_MAX_LIST_STEPS (1u << 22)
/* Blocks kept for all heaps of one dump (each costs 32 bytes of analysis memory). The walk also
 * stops at one block per 4 bytes of the memory the dump presents (plus 65536): a block takes at
 * least 8 bytes, so only heaps whose segments name the same memory get there (heap_walk.c). */
#define HS_MAX_BLOCKS_TOTAL (1u << 27)
/* Integrity errors kept with their sentences: at most this many per heap, and this many for all
 * heaps of a dump together — past it each further damaged heap keeps only its first error. A real
 * damaged heap has a handful; a hostile dump of 100 heaps of garbage had 108,000 (2.5 s under ASan,
 * fuzz_pipeline). */
#define HS_MAX_ERRORS_PER_HEAP 1000u
#define HS_MAX_ERRORS_TOTAL    10000u

#endif
