/* Every allocation of the pipeline may fail: for each N, make the Nth allocation (and all after
 * it) fail and run the whole scan. Nothing may crash, and under ASan/LSan nothing may leak — every
 * error path frees what it took. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "scan.h"

static void fail_every_allocation_of(const char *rel, long stride)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/dumps/%s", HS_SHARED_DIR, rel);
    hs_alloc_fail_after(-1);
    hs_scan_result *ok = hs_scan_path(path, NULL);
    long total = hs_alloc_count();
    cr_assert_not_null(ok);
    cr_assert(ok->dump->valid);
    hs_scan_result_free(ok);
    cr_assert_gt(total, 5, "%s: the pipeline allocates", rel);
    long runs = 0;
    for (long n = 0; n <= total; n += (n < 64 ? 1 : stride)) {
        hs_alloc_fail_after(n);
        hs_scan_result *r = hs_scan_path(path, NULL);
        hs_alloc_fail_after(-1);
        if (r) {
            /* A failed allocation shows as an unusable dump or an analysis marked out of memory,
             * never as a silently partial result that claims to be complete. */
            cr_assert(r->out_of_memory || !r->dump->valid || n >= total || r->heaps,
                      "%s: allocation %ld failed without being reported", rel, n);
            hs_scan_result_free(r);
        }
        runs++;
    }
    cr_log_info("%s: %ld allocations, %ld failure points tried", rel, total, runs);
}

Test(alloc_failure, windows_x86_partial_dump) { fail_every_allocation_of("mozilla/windows-x86.dmp", 7); }
Test(alloc_failure, windows_arm64_segment_heaps) { fail_every_allocation_of("mozilla/windows-aarch64.dmp", 7); }
Test(alloc_failure, linux_dump) { fail_every_allocation_of("breakpad/linux_null_dereference.dmp", 1); }
Test(alloc_failure, win7_notepad) { fail_every_allocation_of("syzygy/notepad-larger-32bit.dmp", 1); }
