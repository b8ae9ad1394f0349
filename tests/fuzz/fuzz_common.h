/* Shared by the fuzz targets, their replay drivers and the mutation test: the invariants every
 * stage's output must keep on any input, checked after each run. A violation prints what broke and
 * calls abort(), so libFuzzer records the input as a crash and a replay or test run fails: the
 * targets assert more than "no crash".
 *
 *   dump           every memory range lies inside the file (rva + size <= file size); counts
 *                  within resource_limits.h; MemoryInfoList sorted; every string terminated;
 *                  the lookups (hs_dump_find_stream, hs_dump_find_thread) agree with the arrays.
 *   address space  ranges sorted, disjoint, non-empty and inside the file; lookups, reads and
 *                  "next present" agree with the ranges and with the file's bytes.
 *   heaps          per walked segment, the back-end blocks lie inside the segment and their sizes
 *                  sum to at most its span; blocks sorted; counts add up; lookups agree.
 *   property scan  every property block lies in a busy block of its heap, in present memory.
 *   findings       every evidence address of every finding is in present memory. */
#ifndef HS_FUZZ_COMMON_H
#define HS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "scan.h"

/* The prototype libFuzzer calls (defined once per target). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints "invariant violated: <what>" and aborts. */
_Noreturn void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define FZ_CHECK(cond, ...)       \
    do {                          \
        if (!(cond))              \
            fz_fail(__VA_ARGS__); \
    } while (0)

void fz_check_dump(const hs_dump *d);
void fz_check_address_space(const hs_dump *d, const hs_address_space *as);
void fz_check_process(const hs_process *p);
void fz_check_heaps(const hs_address_space *as, const hs_heapset *set);
void fz_check_props(const hs_address_space *as, const hs_heapset *set, const hs_prop_scan *props);
/* Everything above for one pipeline result, then the evidence of every finding. */
void fz_check_scan(const hs_scan_result *r);

/* The shipped rules (hs_default_rules_dir) plus tests/fuzz/rules (a rule with strings, so that
 * string matches and their addresses are exercised), loaded on first use and kept for the process.
 */
const hs_ruleset *fz_rules(void);

#endif
