/* The process's virtual memory as the dump holds it: "give me N bytes at virtual address A".
 *
 * Built from the union of MemoryList and Memory64List ranges, sorted, overlaps resolved (the range
 * seen first keeps the overlapping bytes) and neighbours that are contiguous both in memory and in
 * the file merged, so lookups are a binary search. Every later stage reads process memory only
 * through this interface. A read distinguishes "not in the dump" (HS_ERR_NOT_PRESENT) from an
 * impossible request (HS_ERR_OUT_OF_RANGE: the range wraps the address space). */
#ifndef HS_ADDRESS_SPACE_H
#define HS_ADDRESS_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "minidump.h"
#include "reader.h"
#include "status.h"

typedef struct hs_as_range {
    uint64_t start;
    uint64_t size;
    uint64_t file_offset;
} hs_as_range;

typedef struct hs_address_space hs_address_space;

/* Builds the address space of a parsed dump; overlapping ranges are recorded in dump->problems.
 * The dump must outlive the address space. NULL when out of memory. */
hs_address_space *hs_as_build(hs_dump *dump);
/* Frees it (or a view). Accepts NULL. */
void hs_as_free(hs_address_space *as);
/* A view of the same memory for another thread: it shares the ranges (as must outlive it) and has
 * its own lookup state, with the same time budget's deadline. One address space or view is used
 * by one thread at a time. NULL when out of memory. */
hs_address_space *hs_as_view(const hs_address_space *as);

/* The resolved ranges, sorted by start and disjoint. */
const hs_as_range *hs_as_ranges(const hs_address_space *as, size_t *count);
/* Total bytes of memory present. */
uint64_t hs_as_total_bytes(const hs_address_space *as);
/* Starts a time budget (seconds; 0 removes it): once it is spent every lookup and read fails as
 * "not present", so walks over this address space end promptly. */
void hs_as_set_time_budget(const hs_address_space *as, double seconds);
/* True when the time budget has run out (reads the clock): what was read after that is incomplete.
 */
bool hs_as_out_of_time(const hs_address_space *as);
/* True once a lookup has found the time budget spent (no clock read: cheap enough for a loop's
 * condition; lookups read the clock every few thousand calls). */
bool hs_as_expired(const hs_address_space *as);
/* The range holding va, or NULL. */
const hs_as_range *hs_as_find(const hs_address_space *as, uint64_t va);
/* How many of the n bytes at va are present. */
uint64_t hs_as_present_bytes(const hs_address_space *as, uint64_t va, uint64_t n);
/* The lowest present address >= va, or UINT64_MAX when nothing is present at or above va. */
uint64_t hs_as_next_present(const hs_address_space *as, uint64_t va);
/* True when all n bytes at va are present. */
bool hs_as_contains(const hs_address_space *as, uint64_t va, uint64_t n);

/* Copies n bytes at va into dst, stitching across ranges; fails if any byte is absent. */
HS_NODISCARD hs_status hs_as_read(const hs_address_space *as, uint64_t va, void *dst, size_t n);
/* A hint that the bytes at va will be read soon: the cache line is fetched ahead when the dump
 * holds it, nothing happens otherwise. For loops over known addresses (a heap's blocks), where
 * each read would otherwise wait for memory. */
void hs_as_prefetch(const hs_address_space *as, uint64_t va);
/* The same for every cache line of [va, va+len) the range holding va covers (one lookup): for a
 * walk that moves forward through memory by steps it learns one at a time. */
void hs_as_prefetch_range(const hs_address_space *as, uint64_t va, uint64_t len);
HS_NODISCARD hs_status hs_as_read_u16(const hs_address_space *as, uint64_t va, uint16_t *out);
HS_NODISCARD hs_status hs_as_read_u32(const hs_address_space *as, uint64_t va, uint32_t *out);
HS_NODISCARD hs_status hs_as_read_u64(const hs_address_space *as, uint64_t va, uint64_t *out);
/* A pointer of ptr_size (4 or 8) bytes, zero-extended. */
HS_NODISCARD hs_status hs_as_read_ptr(const hs_address_space *as, uint64_t va, unsigned ptr_size,
                                      uint64_t *out);
/* A bounds-checked reader over n bytes at va, without copying; the bytes must lie in one range. */
HS_NODISCARD hs_status hs_as_reader(const hs_address_space *as, uint64_t va, uint64_t n,
                                    hs_reader *out);
/* A reader over as many bytes as are contiguously present from va (at most max_n). */
HS_NODISCARD hs_status hs_as_reader_upto(const hs_address_space *as, uint64_t va, uint64_t max_n,
                                         hs_reader *out);

/* The MemoryInfoList region holding va (state, protection, type); HS_ERR_NOT_PRESENT when the
 * dump has no MemoryInfoList or no region covers va. */
HS_NODISCARD hs_status hs_as_query(const hs_address_space *as, uint64_t va, hs_md_memory_info *out);

#endif
