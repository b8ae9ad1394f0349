/*
 * Generic heap corruption: the heap walk found what HeapValidate / `!heap -v` would reject — a bad
 * heap or segment signature, a header checksum mismatch, a PreviousSize that does not match the
 * entry before, an entry running past its segment, a broken or cyclic free list, an LFH subsegment
 * whose bookkeeping disagrees with its chunks.
 *
 * Threshold: one error. A healthy heap has none (the walker reports memory the dump lacks as
 * missing, never as corruption), so a single error already means something wrote where it should
 * not have: a buffer overrun, a double free, a use after free.
 */

rule heap_corruption
{
    meta:
        id = "HEAP-CORRUPTION"
        title = "Heap metadata is corrupt"
        severity = "high"
        summary = "The heap walk found entries or lists that the Windows heap manager would reject; the process wrote outside its allocations or freed memory twice."
        remedy = "Reproduce under Application Verifier or page heap (gflags /p /enable APP.exe /full) to catch the first bad write; `heapsleuth heaps DUMP` lists every error with its address."
    condition:
        heap_integrity_errors >= 1
}
