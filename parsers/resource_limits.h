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

#endif
