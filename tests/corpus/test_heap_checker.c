/* Every corpus scenario read by the independent checker (heap_checker.h): clean heaps must pass
 * every check, a damaged scenario must fail on its victim heap only, and the walker's counts of
 * backend entries and free entries must equal the checker's on every heap. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "heap_checker.h"
#include "mapi_scenario.h"
#include "read_file.h"
#include "test_paths.h"

static hc_os os_of(const hs_scenario *sc)
{
    switch (sc->os) {
    case HS_SCN_XP:
        return HC_XP_X86;
    case HS_SCN_WIN7_X86:
        return HC_WIN7_X86;
    case HS_SCN_WIN7_X64:
        return HC_WIN7_X64;
    case HS_SCN_WIN10_X64:
        return HC_WIN10_X64;
    }
    return HC_XP_X86;
}

static size_t check_scenario(const char *name, const char *text)
{
    hs_scenario sc;
    char err[256];
    cr_assert_eq(hs_scenario_parse(text, &sc, err, sizeof err), 0, "%s: %s", name, err);
    dump_builder b;
    hs_scenario_build(&sc, &b);
    hs_dump *d = hs_dump_open_memory(b.file.data, b.file.len, name, NULL);
    cr_assert(d && d->valid, "%s", name);
    hs_address_space *as = hs_as_build(d);
    hc_result got;
    cr_assert_eq(hc_check(d, as, os_of(&sc), &got, err, sizeof err), 0, "%s: %s", name, err);
    hs_process *p = hs_process_build(d, as);
    hs_heapset *set = hs_heaps_walk(d, as, p);
    cr_assert_eq(set->count, got.count, "%s: the walker found %zu heaps, the checker %zu", name,
                 set->count, got.count);
    size_t damaged = 0, entries = 0, frees = 0, lookaside = 0;
    for (size_t i = 0; i < got.count; i++) {
        entries += got.heaps[i].entries;
        frees += got.heaps[i].free_entries;
        const hc_heap *h = &got.heaps[i];
        const hs_heap *w = hs_heapset_find(set, h->handle);
        cr_assert_not_null(w, "%s: heap 0x%llx unknown to the walker", name,
                           (unsigned long long)h->handle);
        if (sc.heap_corruption[0] && h->handle == HS_SCN_VICTIM_HEAP) {
            cr_assert_gt(h->errors, 0, "%s: the damaged heap passed the independent checks", name);
            printf("%s: damaged heap 0x%llx: %s\n", name, (unsigned long long)h->handle,
                   h->first_error);
            damaged++;
            continue;
        }
        cr_assert_eq(h->errors, 0, "%s: heap 0x%llx: %s (%zu errors)", name,
                     (unsigned long long)h->handle, h->first_error, h->errors);
        /* Backend entries as the walker counts them: busy and free blocks other than LFH chunks and
         * large blocks, plus internal ones (headers, UCR sentinels, LFH containers). */
        uint64_t walker_entries = (w->busy_blocks - w->lfh_busy_blocks - w->virtual_blocks) +
                                  (w->free_blocks - w->lfh_free_blocks) + w->internal_blocks;
        cr_assert_eq(walker_entries, h->entries,
                     "%s: heap 0x%llx: walker %llu backend entries, checker %zu", name,
                     (unsigned long long)h->handle, (unsigned long long)walker_entries, h->entries);
        cr_assert_eq(w->free_blocks - w->lfh_free_blocks, h->free_entries,
                     "%s: heap 0x%llx: free entries differ", name, (unsigned long long)h->handle);
        cr_assert_eq(w->lookaside_blocks, h->lookaside_entries,
                     "%s: heap 0x%llx: look-aside blocks differ", name,
                     (unsigned long long)h->handle);
        lookaside += h->lookaside_entries;
    }
    cr_assert_eq(damaged, sc.heap_corruption[0] ? 1u : 0u, "%s", name);
    cr_assert_gt(entries, got.count, "%s: fewer entries than heaps", name);
    printf("%s: %zu heaps, %zu entries, %zu free, %zu on look-aside lists\n", name, got.count,
           entries, frees, lookaside);
    size_t heaps = got.count;
    hc_result_free(&got);
    hs_heapset_free(set);
    hs_process_free(p);
    hs_as_free(as);
    hs_dump_free(d);
    bv_free(&b.file);
    return heaps;
}

Test(heap_checker, every_scenario_passes_the_independent_checks)
{
    const char *dir = HS_SOURCE_ROOT "/corpus/scenarios";
    DIR *dh = opendir(dir);
    cr_assert_not_null(dh);
    struct dirent *e;
    size_t scenarios = 0, heaps = 0;
    while ((e = readdir(dh)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".scn") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t text_len;
        char *text = (char *)read_whole_file(path, &text_len);
        heaps += check_scenario(e->d_name, text);
        free(text);
        scenarios++;
    }
    closedir(dh);
    cr_assert_geq(scenarios, 22);
    printf("independent checker: %zu scenarios, %zu heaps\n", scenarios, heaps);
}

Test(heap_checker, bulk_scenarios_pass_the_independent_checks)
{
    /* bulk_mb (the benchmark dumps): many heaps of mixed busy and free blocks, all clean. */
    static const char *const texts[] = {
        "os = win10-x64\nmapi = 5.5.2448.0\nlive_sessions = 2\nbulk_mb = 40\n",
        "os = win7-x64\nmapi = 5.5.2448.0\nlive_sessions = 2\nbulk_mb = 24\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        cr_assert_geq(check_scenario(i ? "bulk-win7" : "bulk-win10", texts[i]), 24u + 3u);
}
