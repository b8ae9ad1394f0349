/* Every allocation of the pipeline may fail: for each N, make the Nth allocation (and all after
 * it) fail and run the whole scan. Nothing may crash, and under ASan/LSan nothing may leak — every
 * error path frees what it took. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "scan.h"
#include "test_data.h"

static void fail_every_allocation_of(const char *rel, long stride)
{
    char path_buf[4096];
    const char *path = real_dump_path(path_buf, sizeof path_buf, rel);
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

/* The same with the walk and the per-heap analyses on four threads (forced: the scan would choose
 * one thread for dumps this small). Which allocation comes Nth then depends on the threads, so the
 * failure points differ from run to run; every one must still be reported and freed. */
static void fail_allocations_threaded(const char *rel, long stride)
{
    char path_buf[4096];
    const char *path = real_dump_path(path_buf, sizeof path_buf, rel);
    const hs_scan_options four = {.threads = 4};
    hs_alloc_fail_after(-1);
    hs_scan_result *ok = hs_scan_dump(hs_dump_open(path, NULL), NULL, &four);
    long total = hs_alloc_count();
    cr_assert(ok && ok->dump->valid && ok->heaps && !ok->out_of_memory);
    hs_scan_result_free(ok);
    long runs = 0;
    for (long n = 0; n <= total; n += (n < 64 ? 1 : stride)) {
        hs_alloc_fail_after(n);
        hs_dump *d = hs_dump_open(path, NULL);
        hs_scan_result *r = d ? hs_scan_dump(d, NULL, &four) : NULL;
        hs_alloc_fail_after(-1);
        if (r) {
            cr_assert(r->out_of_memory || !r->dump->valid || n >= total || r->heaps,
                      "%s (4 threads): allocation %ld failed without being reported", rel, n);
            hs_scan_result_free(r);
        }
        runs++;
    }
    cr_log_info("%s on four threads: %ld allocations, %ld failure points tried", rel, total, runs);
}

Test(alloc_failure, windows_x86_partial_dump)
{
    fail_every_allocation_of("mozilla/windows-x86.dmp", 7);
}
Test(alloc_failure, windows_x86_on_four_threads)
{
    fail_allocations_threaded("mozilla/windows-x86.dmp", 7);
}
Test(alloc_failure, windows_x64_on_four_threads)
{
    fail_allocations_threaded("mozilla/windows-x86_64.dmp", 7);
}
Test(alloc_failure, windows_arm64_segment_heaps)
{
    fail_every_allocation_of("mozilla/windows-aarch64.dmp", 7);
}
Test(alloc_failure, linux_dump)
{
    fail_every_allocation_of("breakpad/linux_null_dereference.dmp", 1);
}
Test(alloc_failure, win7_notepad)
{
    fail_every_allocation_of("syzygy/notepad-larger-32bit.dmp", 1);
}

/* The byte accounting the mutation test's memory bound relies on: what is taken and given back,
 * through malloc, calloc, realloc (growing and shrinking) and free, and the peak between resets. */
Test(alloc_accounting, counts_bytes_held_and_the_peak)
{
    hs_alloc_track(true);
    char *a = hs_malloc(1000), *b = hs_calloc(10, 100);
    cr_assert(a && b);
    long long two = hs_alloc_live_bytes();
    cr_assert_geq(two, 2000);
    cr_assert_lt(two, 2200, "the allocator's rounding is small: %lld", two);
    char *c = hs_realloc(a, 100000);
    cr_assert_not_null(c);
    cr_assert_geq(hs_alloc_live_bytes(), 101000);
    c = hs_realloc(c, 10);
    cr_assert_not_null(c);
    cr_assert_lt(hs_alloc_live_bytes(), two);
    long long peak = hs_alloc_peak_reset();
    cr_assert_geq(peak, 101000, "the peak is the most held at once, not what is held now");
    cr_assert_eq(hs_alloc_peak_reset(), hs_alloc_live_bytes(),
                 "a reset starts the peak from what is held");
    hs_free(c);
    hs_free(b);
    cr_assert_eq(hs_alloc_live_bytes(), 0);
    hs_alloc_track(false);
    char *untracked = hs_malloc(5000);
    cr_assert_eq(hs_alloc_live_bytes(), 0, "nothing is counted while tracking is off");
    hs_free(untracked);
}
