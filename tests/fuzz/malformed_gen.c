#include "malformed_gen.h"

#include <string.h>

#include "synthetic_process.h"

/* MINIDUMP_HEADER (minidumpapiset.h): Signature, Version (0xA793), NumberOfStreams,
 * StreamDirectoryRva, CheckSum, TimeDateStamp, Flags (MINIDUMP_TYPE). */
static void header(bytevec *v, uint32_t streams, uint32_t directory_rva, uint64_t flags)
{
    bv_put(v, "MDMP", 4);
    bv_u32(v, 0xA793);
    bv_u32(v, streams);
    bv_u32(v, directory_rva);
    bv_u32(v, 0);
    bv_u32(v, 0x3B9ACA00);
    bv_u64(v, flags);
}

static void pad_to(bytevec *v, size_t at)
{
    if (v->len < at)
        bv_zero(v, at - v->len);
}

/* An empty MINIDUMP_STRING (Length 0, then the terminating NUL unit). */
static void empty_string(bytevec *v)
{
    bv_u32(v, 0);
    bv_u16(v, 0);
}

/* A header claiming 2^32 - 1 streams whose directory, at the end of the file, holds one real entry
 * (SystemInfo, Windows XP x86). */
static void streams_2_32(bytevec *v)
{
    header(v, 0xFFFFFFFFu, 96, 0);
    empty_string(v); /* CSD at 32 */
    pad_to(v, 40);
    db_system_info(v, 0, 5, 1, 2600, 2, 32); /* SystemInfo at 40, 56 bytes */
    bv_u32(v, 7);                            /* directory at 96: the one entry */
    bv_u32(v, 56);
    bv_u32(v, 40);
}

/* A Memory64List declaring 2^64 - 1 ranges in a stream that holds one descriptor, whose 0x100
 * bytes follow it. */
static void memory64_2_64(bytevec *v)
{
    header(v, 2, 32, 0x2 /* MiniDumpWithFullMemory */);
    bv_u32(v, 7); /* directory at 32 */
    bv_u32(v, 56);
    bv_u32(v, 64);
    bv_u32(v, 9);
    bv_u32(v, 32);
    bv_u32(v, 120);
    pad_to(v, 56);
    empty_string(v); /* CSD at 56 */
    pad_to(v, 64);
    db_system_info(v, 0, 5, 1, 2600, 2, 56); /* SystemInfo at 64 */
    bv_u64(v, UINT64_MAX);                   /* Memory64List at 120: NumberOfMemoryRanges */
    bv_u64(v, 152);                          /* BaseRva */
    bv_u64(v, 0x00010000);                   /* the one descriptor: StartOfMemoryRange */
    bv_u64(v, 0x100);                        /* DataSize */
    for (unsigned i = 0; i < 0x100; i++)     /* its bytes at 152 */
        bv_u8(v, (uint8_t)i);
}

/* 4096 streams of distinct (unknown) types, all 16 bytes at the same offset: 8,386,560 pairs of
 * overlapping streams. Found by review while fuzzing: each pair was formatted as a problem, one
 * second for a 49 KB file. */
static void streams_4096_overlapping(bytevec *v)
{
    enum { N = 4096 };
    header(v, N, 32, 0);
    for (uint32_t i = 0; i < N; i++) {
        bv_u32(v, 1000 + i);
        bv_u32(v, 16);
        bv_u32(v, 32 + 12 * N);
    }
    bv_zero(v, 16);
}

/* Two MemoryList ranges of 32 bytes, each holding the heap signature (4 bytes) at +8: scanned with
 * tests/fuzz/rules (one memory block per range), libyara 4.2 stores the second YR_MATCH right after
 * the first match's 4 data bytes, at an address that is 4 mod 8 (the bug fuzz_pipeline found in
 * the rule engine: yara-misaligned-match.dmp). */
static void yara_two_4_byte_matches(bytevec *v)
{
    header(v, 2, 32, 0);
    bv_u32(v, 7); /* directory at 32 */
    bv_u32(v, 56);
    bv_u32(v, 64);
    bv_u32(v, 5);
    bv_u32(v, 36);
    bv_u32(v, 120);
    pad_to(v, 56);
    empty_string(v); /* CSD at 56 */
    pad_to(v, 64);
    db_system_info(v, 0, 6, 1, 7601, 2, 56); /* SystemInfo at 64 */
    bv_u32(v, 2);                            /* MemoryList at 120: two descriptors */
    bv_u64(v, 0x00400000);
    bv_u32(v, 32);
    bv_u32(v, 160);
    bv_u64(v, 0x00500000);
    bv_u32(v, 32);
    bv_u32(v, 192);
    pad_to(v, 160);
    for (unsigned r = 0; r < 2; r++) /* the bytes at 160 and 192 */
        for (unsigned i = 0; i < 32; i++)
            bv_u8(v, (uint8_t)(i == 8 || i == 10 ? 0xFF : i == 9 || i == 11 ? 0xEE : 0x40 + i));
}

/* A Windows XP x86 dump whose MemoryList names one 64 KB block of the file at 4096 addresses, 64 KB
 * apart; the block starts like an XP heap (0xEEFFEEFF at +8). Found by review while fuzzing: the
 * 128 KB file presented 256 MB of memory and 4096 heaps found by signature, and a rule with
 * strings scanned all of it. */
static void memory_ranges_alias(bytevec *v)
{
    enum { N = 4096, BLOCK = 0x10000 };
    const uint32_t list = 128, data = list + 4 + 16 * N;
    header(v, 2, 32, 0x200 /* MiniDumpWithPrivateReadWriteMemory */);
    bv_u32(v, 7); /* directory at 32 */
    bv_u32(v, 56);
    bv_u32(v, 64);
    bv_u32(v, 5);
    bv_u32(v, 4 + 16 * N);
    bv_u32(v, list);
    pad_to(v, 56);
    empty_string(v); /* CSD at 56 */
    pad_to(v, 64);
    db_system_info(v, 0, 5, 1, 2600, 2, 56); /* SystemInfo at 64 */
    pad_to(v, list);
    bv_u32(v, N); /* MemoryList: N descriptors, one block */
    for (uint32_t i = 0; i < N; i++) {
        bv_u64(v, 0x10000000ull + (uint64_t)i * BLOCK);
        bv_u32(v, BLOCK);
        bv_u32(v, data);
    }
    bv_zero(v, 8); /* the block: an XP _HEAP signature at +8 */
    bv_u32(v, 0xEEFFEEFF);
    bv_zero(v, BLOCK - 12);
}

/* 512 Windows 7 x86 heaps (found by signature: no PEB) whose one segment each names the same
 * 256 KB of memory, 32768 busy 8-byte entries, as its FirstEntry..LastValidEntry. Found by review
 * while fuzzing: the walk recorded every entry once per heap, 16.7 million blocks (half a gigabyte
 * of records) for a 400 KB file. Layout offsets: heap-internals.md §3.2, §3.6 (Windows 7 x86). */
static void heaps_share_one_segment(bytevec *v)
{
    enum { HEAPS = 512, HEADER = 0x100, SHARED = 0x40000 };
    const uint64_t shared_va = 0x10000000;
    const uint32_t list = 128, headers = list + 4 + 16 * (HEAPS + 1),
                   shared = headers + HEAPS * HEADER;
    header(v, 2, 32, 0x200);
    bv_u32(v, 7); /* directory at 32 */
    bv_u32(v, 56);
    bv_u32(v, 64);
    bv_u32(v, 5);
    bv_u32(v, 4 + 16 * (HEAPS + 1));
    bv_u32(v, list);
    pad_to(v, 56);
    empty_string(v); /* CSD at 56 */
    pad_to(v, 64);
    db_system_info(v, 0, 6, 1, 7601, 2, 56); /* SystemInfo at 64: Windows 7 SP1 x86 */
    pad_to(v, list);
    bv_u32(v, HEAPS + 1); /* MemoryList: each heap's header, the entries */
    for (uint32_t i = 0; i < HEAPS; i++) {
        bv_u64(v, 0x01000000ull + (uint64_t)i * 0x10000);
        bv_u32(v, HEADER);
        bv_u32(v, headers + i * HEADER);
    }
    bv_u64(v, shared_va);
    bv_u32(v, SHARED);
    bv_u32(v, shared);
    for (uint32_t i = 0; i < HEAPS; i++) {
        uint32_t h = 0x01000000u + i * 0x10000, at = (uint32_t)v->len;
        bv_zero(v, HEADER);
        uint8_t *p = v->data + at;
        const struct {
            unsigned off;
            uint32_t value;
        } fields[] = {
            {0x00, 0x01010020}, /* the header entry: Size 0x20 granules, busy */
            {0x08, 0xFFEEFFEE}, /* SegmentSignature */
            {0x10, h + 0xA8},   /* SegmentListEntry -> the list head in _HEAP */
            {0x14, h + 0xA8},
            {0x18, h},                            /* Heap */
            {0x1C, 0},                            /* BaseAddress */
            {0x20, 0x10100},                      /* NumberOfPages */
            {0x24, (uint32_t)shared_va},          /* FirstEntry: the shared entries */
            {0x28, (uint32_t)shared_va + SHARED}, /* LastValidEntry */
            {0x38, h + 0x38},                     /* UCRSegmentList: empty */
            {0x3C, h + 0x38},
            {0x40, 0x2},        /* Flags */
            {0x64, 0xEEFFEEFF}, /* Signature */
            {0xA0, h + 0xA0},   /* VirtualAllocdBlocks: empty */
            {0xA4, h + 0xA0},
            {0xA8, h + 0x10}, /* SegmentList: the one segment */
            {0xAC, h + 0x10},
            {0xC4, h + 0xC4}, /* FreeLists: empty */
            {0xC8, h + 0xC4},
        };
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
            for (unsigned b = 0; b < 4; b++)
                p[fields[k].off + b] = (uint8_t)(fields[k].value >> (8 * b));
    }
    for (uint32_t i = 0; i < SHARED / 8; i++) { /* Size 1, busy, PreviousSize 1, UnusedBytes 8 */
        bv_u16(v, 1);
        bv_u8(v, 1);
        bv_u8(v, 0);
        bv_u16(v, 1);
        bv_u8(v, 0);
        bv_u8(v, 8);
    }
}

/* A Windows XP x86 dump with one heap (found by signature) and 4096 threads that all name the same
 * 256 KB stack. Found by review while fuzzing: reachability scanned the stack once per thread, 1 GB
 * of words for a 450 KB file (a 1.8 MB variant with 16384 threads and a 1 MB stack took 35 s). */
static void threads_share_one_stack(bytevec *v)
{
    enum { THREADS = 4096, STACK = 0x40000, HEAP = 0x1000 };
    const uint32_t threads = 136, list = threads + 4 + 48 * THREADS, heap = list + 4 + 32,
                   stack = heap + HEAP;
    header(v, 3, 32, 0x200);
    bv_u32(v, 7); /* directory at 32 */
    bv_u32(v, 56);
    bv_u32(v, 80);
    bv_u32(v, 3);
    bv_u32(v, 4 + 48 * THREADS);
    bv_u32(v, threads);
    bv_u32(v, 5);
    bv_u32(v, 4 + 32);
    bv_u32(v, list);
    empty_string(v); /* CSD at 68 */
    pad_to(v, 80);
    db_system_info(v, 0, 5, 1, 2600, 2, 68); /* SystemInfo at 80 */
    pad_to(v, threads);
    bv_u32(v, THREADS); /* ThreadList: MINIDUMP_THREAD, 48 bytes each */
    for (uint32_t i = 0; i < THREADS; i++) {
        bv_u32(v, 0x100 + i);  /* ThreadId */
        bv_u32(v, 0);          /* SuspendCount */
        bv_u32(v, 0);          /* PriorityClass */
        bv_u32(v, 0);          /* Priority */
        bv_u64(v, 0);          /* Teb */
        bv_u64(v, 0x00300000); /* Stack: the same for every thread */
        bv_u32(v, STACK);
        bv_u32(v, stack);
        bv_u32(v, 0); /* ThreadContext: none */
        bv_u32(v, 0);
    }
    bv_u32(v, 2); /* MemoryList: the heap and the stack */
    bv_u64(v, 0x00140000);
    bv_u32(v, HEAP);
    bv_u32(v, heap);
    bv_u64(v, 0x00300000);
    bv_u32(v, STACK);
    bv_u32(v, stack);
    bv_zero(v, 8); /* the heap: an XP _HEAP signature at +8 */
    bv_u32(v, 0xEEFFEEFF);
    bv_zero(v, HEAP - 12);
    for (uint32_t i = 0; i < STACK / 4; i++) /* the stack: words that are not heap handles */
        bv_u32(v, 0x00400000 + 4 * i);
}

static void finish_synth(synth *s, bytevec *v)
{
    dump_builder b;
    synth_finish(s, &b);
    synth_free(s);
    *v = b.file;
}

/* A Windows 7 x86 process with two heaps whose PEB says NumberOfHeaps = 10^9
 * (MaximumNumberOfHeaps stays 8192; the ProcessHeaps array holds the two real entries). */
static void peb_billion_heaps(bytevec *v)
{
    static synth s;
    synth_init(&s, 4);
    const uint32_t sizes[] = {0x20};
    synth_heap(&s, 0x00140000, 0x2, sizes, 1, NULL);
    synth_heap(&s, 0x00150000, 0x1002, sizes, 1, NULL);
    dump_builder b;
    synth_finish(&s, &b); /* writes the heap list into the PEB's page */
    bv_free(&b.file);
    synth_put32(&s, s.peb + 0x88, 1000000000u); /* PEB32.NumberOfHeaps (heap-internals.md §2) */
    finish_synth(&s, v);
}

/* A Windows 7 x86 heap whose segment's SegmentListEntry.Flink points to itself instead of back to
 * the list head in _HEAP: the segment list never returns to its head. */
static void cyclic_segment_list(bytevec *v)
{
    static synth s;
    synth_init(&s, 4);
    const uint32_t sizes[] = {0x20};
    synth_heap(&s, 0x00140000, 0x2, sizes, 1, NULL);
    synth_heap(&s, 0x00150000, 0x1002, sizes, 1, NULL);
    /* _HEAP_SEGMENT.SegmentListEntry is at +0x10 on x86 (heap-internals.md §3.2). */
    synth_put32(&s, 0x00150000 + 0x10, 0x00150000 + 0x10);
    finish_synth(&s, v);
}

static const mf_case cases[] = {
    {"streams-2-to-the-32.dmp", streams_2_32},
    {"memory64-2-to-the-64.dmp", memory64_2_64},
    {"streams-4096-overlapping.dmp", streams_4096_overlapping},
    {"memory-ranges-alias.dmp", memory_ranges_alias},
    {"heaps-share-one-segment.dmp", heaps_share_one_segment},
    {"threads-share-one-stack.dmp", threads_share_one_stack},
    {"peb-billion-heaps.dmp", peb_billion_heaps},
    {"cyclic-segment-list.dmp", cyclic_segment_list},
    {"yara-two-4-byte-matches.dmp", yara_two_4_byte_matches},
};

const mf_case *mf_cases(size_t *count)
{
    *count = sizeof cases / sizeof cases[0];
    return cases;
}
