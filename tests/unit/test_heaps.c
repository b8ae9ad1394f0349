/* The heap walker on the real dumps of tests/data/real: what is present is walked, what is missing
 * is said to be missing (and really is absent), and nothing missing is reported as corruption. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "address_space.h"
#include "heap.h"
#include "test_data.h"

typedef struct walked {
    hs_dump *dump;
    hs_address_space *as;
    hs_process *proc;
    hs_heapset *set;
} walked;

static walked walk_shared(const char *rel)
{
    char path[4096];
    real_dump_path(path, sizeof path, rel);
    walked w = {0};
    w.dump = hs_dump_open(path, NULL);
    cr_assert(w.dump && w.dump->valid, "%s", path);
    w.as = hs_as_build(w.dump);
    w.proc = hs_process_build(w.dump, w.as);
    w.set = hs_heaps_walk(w.dump, w.as, w.proc);
    cr_assert_not_null(w.set);
    return w;
}

static void release(walked *w)
{
    hs_heapset_free(w->set);
    hs_process_free(w->proc);
    hs_as_free(w->as);
    hs_dump_free(w->dump);
}

/* Invariants every walk must keep on a partial dump. */
static void check_partial_walk(const walked *w, const char *name)
{
    for (size_t i = 0; i < w->set->count; i++) {
        const hs_heap *h = &w->set->heaps[i];
        cr_expect_eq(
            h->error_count, 0,
            "%s heap 0x%llx: %zu integrity errors on a healthy process (first: %s at 0x%llx)", name,
            (unsigned long long)h->handle, h->error_count, h->error_count ? h->errors[0].check : "",
            h->error_count ? (unsigned long long)h->errors[0].address : 0ull);
        for (size_t m = 0; m < h->missing_count; m++)
            cr_expect_eq(hs_as_present_bytes(w->as, h->missing[m].address, 1), 0,
                         "%s: range 0x%llx reported missing is present", name,
                         (unsigned long long)h->missing[m].address);
        for (size_t b = 1; b < h->block_count; b++)
            cr_expect_geq(h->blocks[b].address, h->blocks[b - 1].address, "%s: blocks sorted",
                          name);
        for (size_t b = 0; b < h->block_count; b++)
            if (h->blocks[b].kind == HS_BLOCK_BACKEND)
                cr_expect_eq(hs_as_present_bytes(
                                 w->as, h->blocks[b].address + (h->layout ? h->layout->hdr : 0), 8),
                             8, "%s: a walked block's header is present", name);
    }
}

Test(heaps_shared, firefox_win10_x86_default_heap_with_lfh)
{
    walked w = walk_shared("mozilla/windows-x86.dmp");
    cr_assert_null(w.proc->statement);
    cr_assert_eq(w.proc->pebs[0].address, 0x50cc000);
    cr_assert_eq(w.proc->pebs[0].process_heap, 0x4fa0000);
    cr_assert_eq(w.proc->pebs[0].number_of_heaps, 5);
    cr_assert_eq(w.proc->pebs[0].maximum_number_of_heaps, 16);
    cr_assert_not(w.proc->pebs[0].heap_array_present,
                  "Win10: the array lives in ntdll's .data, not captured");
    cr_assert(w.proc->list_reconstructed);
    cr_assert_eq(w.set->count, 4);
    const hs_heap *h = hs_heapset_find(w.set, 0x4fa0000);
    cr_assert_not_null(h);
    cr_assert_str_eq(h->layout->name, "nt10-17763-x86");
    cr_assert_eq(h->flags, 2, "the process heap is GROWABLE");
    cr_assert_eq(h->front_end_type, 2, "LFH");
    cr_assert(h->encoded);
    cr_assert_gt(h->lfh_blocks, 0);
    cr_assert_gt(h->missing_count, 0);
    cr_assert_not(h->walk_complete);
    check_partial_walk(&w, "windows-x86");
    release(&w);
}

Test(heaps_shared, firefox_win10_x64)
{
    walked w = walk_shared("mozilla/windows-x86_64.dmp");
    const hs_heap *h = hs_heapset_find(w.set, 0x1dda3790000);
    cr_assert_not_null(h);
    cr_assert_str_eq(h->layout->name, "nt10-17763-x64");
    cr_assert_eq(h->segment_count, 2);
    cr_assert_gt(h->busy_blocks, 0);
    check_partial_walk(&w, "windows-x86_64");
    release(&w);
}

Test(heaps_shared, arm64_default_heap_is_a_segment_heap)
{
    walked w = walk_shared("mozilla/windows-aarch64.dmp");
    const hs_heap *h = hs_heapset_find(w.set, 0x15d8ea30000);
    cr_assert_not_null(h);
    cr_assert(h->segment_heap);
    cr_assert_null(h->layout);
    cr_assert_gt(h->committed_memory_info, 0);
    const hs_heap *csr = hs_heapset_find(w.set, 0x15d8e9c0000);
    cr_assert_not_null(csr);
    cr_assert_not(csr->segment_heap, "the CSR port heap is an NT heap");
    cr_assert_eq(csr->flags, 0x8000);
    check_partial_walk(&w, "windows-aarch64");
    release(&w);
}

Test(heaps_shared, win7_notepad_debug_heap)
{
    walked w = walk_shared("syzygy/notepad-larger-32bit.dmp");
    cr_assert_eq(w.set->count, 1);
    const hs_heap *h = &w.set->heaps[0];
    cr_assert_eq(h->handle, 0x8b0000);
    cr_assert_str_eq(h->layout->name, "nt6.1-x86");
    cr_assert_eq(h->flags, 0x40000062,
                 "debug heap flags from NtGlobalFlag (heap-internals.md §3.1)");
    check_partial_walk(&w, "notepad-larger-32bit");
    release(&w);
}

Test(heaps_shared, statements_for_dumps_without_windows_heaps)
{
    walked w = walk_shared("breakpad/linux_null_dereference.dmp");
    cr_assert_str_eq(w.proc->statement, "not a Windows dump (Linux): it has no Windows heaps");
    cr_assert_eq(w.set->count, 0);
    release(&w);

    w = walk_shared("mozilla/macos-x86_64.dmp");
    cr_assert_str_eq(w.proc->statement, "not a Windows dump (Mac OS X): it has no Windows heaps");
    release(&w);

    w = walk_shared("lldb/module-list-not-padded.dmp");
    cr_assert_not_null(w.proc->statement);
    release(&w);
}

Test(heaps_shared, every_shared_dump_walks_without_false_corruption)
{
    static const char *const dirs[] = {"breakpad",      "lldb",          "mozilla",
                                       "node-minidump", "rust-minidump", "syzygy"};
    size_t walked_heaps = 0;
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        size_t count;
        char **paths = real_dump_list(dirs[d], ".dmp", &count);
        for (size_t i_path = 0; i_path < count; i_path++) {
            const char *line = paths[i_path];
            hs_dump *dump = hs_dump_open(line, NULL);
            if (!dump->valid) {
                hs_dump_free(dump);
                continue;
            }
            hs_address_space *as = hs_as_build(dump);
            hs_process *proc = hs_process_build(dump, as);
            hs_heapset *set = hs_heaps_walk(dump, as, proc);
            cr_assert_not_null(set);
            walked w = {dump, as, proc, set};
            check_partial_walk(&w, line);
            walked_heaps += set->count;
            release(&w);
        }
        real_dumps_free(paths, count);
    }
    cr_assert_geq(walked_heaps, 10);
}

/* The BlocksIndex placement the corpus generator writes (corpus/gen/synthetic_process.c): the
 * first _HEAP_LIST_LOOKUP inside the header block, right after the _HEAP and its lock, its bitmap
 * and ListHints after it; ArraySize 0x80, ListHead = &_HEAP.FreeLists, ExtraItem 1 (LIST_ENTRY
 * hints) on Windows 7 and 0 (pointer hints) on Windows 10. Checked here on every NT heap of the
 * real dumps whose header is present. */
static void check_blocks_index(const char *rel, unsigned index_field, uint64_t lookup_at,
                               unsigned extra_item)
{
    walked w = walk_shared(rel);
    size_t checked = 0;
    for (size_t i = 0; i < w.set->count; i++) {
        const hs_heap *h = &w.set->heaps[i];
        if (!h->layout)
            continue;
        unsigned ptr = h->layout->ptr;
        uint64_t bi, list_head, bitmap, hints;
        uint32_t array, extra;
        if (hs_as_read_ptr(w.as, h->handle + index_field, ptr, &bi) != HS_OK)
            continue;
        cr_assert_eq(bi, h->handle + lookup_at, "%s: heap 0x%llx: BlocksIndex 0x%llx", rel,
                     (unsigned long long)h->handle, (unsigned long long)bi);
        unsigned o_array = ptr == 8 ? 8 : 4, o_extra = ptr == 8 ? 0xC : 8,
                 o_head = ptr == 8 ? 0x20 : 0x18;
        unsigned o_bitmap = ptr == 8 ? 0x28 : 0x1C, o_hints = ptr == 8 ? 0x30 : 0x20,
                 size = ptr == 8 ? 0x38 : 0x24;
        cr_assert(hs_as_read_u32(w.as, bi + o_array, &array) == HS_OK &&
                  hs_as_read_u32(w.as, bi + o_extra, &extra) == HS_OK &&
                  hs_as_read_ptr(w.as, bi + o_head, ptr, &list_head) == HS_OK &&
                  hs_as_read_ptr(w.as, bi + o_bitmap, ptr, &bitmap) == HS_OK &&
                  hs_as_read_ptr(w.as, bi + o_hints, ptr, &hints) == HS_OK);
        cr_assert_eq(array, 0x80);
        cr_assert_eq(extra, extra_item);
        cr_assert_eq(list_head, h->handle + h->layout->free_lists);
        cr_assert_eq(bitmap, bi + size, "the bitmap follows the lookup");
        cr_assert_eq(hints, bitmap + 0x10, "the hints follow the bitmap");
        checked++;
    }
    cr_assert_gt(checked, 0, "%s: no heap header present", rel);
    cr_log_info("%s: %zu heaps with the BlocksIndex at +0x%llx", rel, checked,
                (unsigned long long)lookup_at);
    release(&w);
}

Test(heaps_shared, blocks_index_lives_in_the_header_block)
{
    /* Windows 7 x86: sizeof(_HEAP) 0x138 + lock 0x18; Windows 10 x86 0x258 + 0x18, x64 0x2C0 +
     * 0x28. */
    check_blocks_index("syzygy/notepad-larger-32bit.dmp", 0xB8, 0x150, 1);
    check_blocks_index("mozilla/windows-x86.dmp", 0xB4, 0x270, 0);
    check_blocks_index("mozilla/windows-x86_64.dmp", 0x138, 0x2E8, 0);
}
