/* The NT heap walker on a small Windows 7 x86 heap built here byte by byte from the layouts of
 * heap-internals.md §3.6 (independent of the corpus generator): a clean heap walks to the end
 * with exact counts and no error; each injected corruption is reported with its address and check,
 * and the walk resynchronises after it. */
#include <criterion/criterion.h>
#include <string.h>

#include "address_space.h"
#include "dump_builder.h"
#include "heap.h"

enum {
    H = 0x00A00000,    /* heap base (64 KB aligned) */
    FIRST = H + 0x588, /* FirstEntry: the header block is 0x588 bytes, as on Win7 notepad */
    A = FIRST,         /* busy 0x20 */
    B = A + 0x20,      /* busy 0x40 */
    F = B + 0x40,      /* free 0x19C8 */
    C = F + 0x19C8,    /* busy 0x30 */
    S = C + 0x30,      /* UCR sentinel 0x20, holds the descriptor */
    COMMIT_END = H + 0x2000,
    LAST_VALID = H + 0x10000,
    TEB = 0x7FFDE000,
    PEB = 0x7FFDF000,
};
static const uint8_t key[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0, 0};

static void put32(uint8_t *mem, uint32_t va, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        mem[va - H + (uint32_t)i] = (uint8_t)(v >> (8 * i));
}

/* Writes an encoded Vista+ x86 entry header (heap-internals.md §3.2, §3.3). */
static void put_entry(uint8_t *mem, uint32_t va, uint16_t size_g, uint8_t flags, uint16_t prev_g,
                      uint8_t unused)
{
    uint8_t b[8] = {(uint8_t)size_g, (uint8_t)(size_g >> 8), flags, 0,
                    (uint8_t)prev_g, (uint8_t)(prev_g >> 8), 0,     unused};
    b[3] = b[0] ^ b[1] ^ b[2];
    for (int i = 0; i < 8; i++)
        mem[va - H + (uint32_t)i] = b[i] ^ key[i];
}

static void build_heap(uint8_t *mem)
{
    memset(mem, 0, COMMIT_END - H);
    put_entry(mem, H, 0x588 / 8, 0x01, 0, 1); /* heap header block */
    put32(mem, H + 0x08, 0xFFEEFFEE);         /* SegmentSignature */
    put32(mem, H + 0x10, H + 0xA8);           /* SegmentListEntry → SegmentList head */
    put32(mem, H + 0x14, H + 0xA8);
    put32(mem, H + 0x18, H);          /* Heap */
    put32(mem, H + 0x1C, H);          /* BaseAddress */
    put32(mem, H + 0x20, 16);         /* NumberOfPages */
    put32(mem, H + 0x24, FIRST);      /* FirstEntry */
    put32(mem, H + 0x28, LAST_VALID); /* LastValidEntry */
    put32(mem, H + 0x2C, 14);         /* NumberOfUnCommittedPages */
    put32(mem, H + 0x30, 1);          /* NumberOfUnCommittedRanges */
    put32(mem, H + 0x38, S + 8 + 8);  /* UCRSegmentList → descriptor.SegmentEntry */
    put32(mem, H + 0x3C, S + 8 + 8);
    put32(mem, H + 0x40, 0x1002);     /* Flags: GROWABLE | CLASS_1 */
    put32(mem, H + 0x4C, 0x00100000); /* EncodeFlagMask */
    memcpy(mem + 0x50, key, 8);       /* Encoding */
    put32(mem, H + 0x64, 0xEEFFEEFF); /* Signature */
    put32(mem, H + 0x78, 0x19C8 / 8); /* TotalFreeSize (granules) */
    put32(mem, H + 0xA0, H + 0xA0);   /* VirtualAllocdBlocks: empty */
    put32(mem, H + 0xA4, H + 0xA0);
    put32(mem, H + 0xA8, H + 0x10); /* SegmentList → the heap's own segment */
    put32(mem, H + 0xAC, H + 0x10);
    put32(mem, H + 0xC4, F + 8); /* FreeLists → F.FreeList */
    put32(mem, H + 0xC8, F + 8);
    put_entry(mem, A, 0x20 / 8, 0x01, 0x588 / 8, 0x0C);
    put_entry(mem, B, 0x40 / 8, 0x01, 0x20 / 8, 0x10);
    put_entry(mem, F, 0x19C8 / 8, 0x00, 0x40 / 8, 0);
    put32(mem, F + 8, H + 0xC4); /* free entry links back to the head */
    put32(mem, F + 12, H + 0xC4);
    put_entry(mem, C, 0x30 / 8, 0x01, 0x19C8 / 8, 0x0A);
    put_entry(mem, S, 0x20 / 8, 0x01, 0x30 / 8, 3); /* UCR sentinel */
    /* _HEAP_UCR_DESCRIPTOR at S+8: ListEntry, SegmentEntry (+8), Address (+0x10), Size (+0x14). */
    put32(mem, S + 8 + 8, H + 0x38);
    put32(mem, S + 8 + 12, H + 0x38);
    put32(mem, S + 8 + 0x10, COMMIT_END);
    put32(mem, S + 8 + 0x14, LAST_VALID - COMMIT_END);
}

typedef struct built {
    dump_builder b;
    hs_dump *dump;
    hs_address_space *as;
    hs_process *proc;
    hs_heapset *set;
} built;

typedef void (*damage_fn)(uint8_t *mem);

static void walk(built *w, damage_fn damage)
{
    static uint8_t mem[COMMIT_END - H];
    build_heap(mem);
    if (damage)
        damage(mem);
    db_init(&w->b);
    bytevec si = {0}, tl = {0}, ml = {0};
    db_system_info(&si, 0, 6, 1, 7601, 2, 0);
    db_stream(&w->b, 7, &si);
    bv_u32(&tl, 1);
    bv_u32(&tl, 0x100);
    bv_zero(&tl, 12);
    bv_u64(&tl, TEB);
    bv_zero(&tl, 24);
    db_stream(&w->b, 3, &tl);
    uint8_t teb[0x40] = {0}, peb[0x100] = {0};
    teb[0x30] = PEB & 0xFF;
    teb[0x31] = (PEB >> 8) & 0xFF;
    teb[0x32] = (PEB >> 16) & 0xFF;
    teb[0x33] = (uint8_t)(PEB >> 24);
    uint32_t fields[][2] = {{0x18, H}, {0x88, 1}, {0x8C, 16}, {0x90, PEB + 0xF0}, {0xF0, H}};
    for (size_t i = 0; i < 5; i++)
        for (int k = 0; k < 4; k++)
            peb[fields[i][0] + (uint32_t)k] = (uint8_t)(fields[i][1] >> (8 * k));
    const uint64_t starts[] = {H, TEB, PEB};
    const uint32_t sizes[] = {COMMIT_END - H, sizeof teb, sizeof peb};
    bv_u32(&ml, 3);
    const void *datas[] = {mem, teb, peb};
    for (int i = 0; i < 3; i++) {
        uint32_t rva = db_blob(&w->b, datas[i], sizes[i]);
        bv_u64(&ml, starts[i]);
        bv_u32(&ml, sizes[i]);
        bv_u32(&ml, rva);
    }
    db_stream(&w->b, 5, &ml);
    db_finish(&w->b);
    bv_free(&si);
    bv_free(&tl);
    bv_free(&ml);
    w->dump = hs_dump_open_memory(w->b.file.data, w->b.file.len, "win7heap.dmp", NULL);
    w->as = hs_as_build(w->dump);
    w->proc = hs_process_build(w->dump, w->as);
    w->set = hs_heaps_walk(w->dump, w->as, w->proc);
    cr_assert_not_null(w->set);
    cr_assert_eq(w->set->count, 1);
}

static void release(built *w)
{
    hs_heapset_free(w->set);
    hs_process_free(w->proc);
    hs_as_free(w->as);
    hs_dump_free(w->dump);
    bv_free(&w->b.file);
}

static const hs_integrity_error *error_with(const hs_heap *h, const char *check, uint64_t address)
{
    for (size_t i = 0; i < h->error_count; i++)
        if (strcmp(h->errors[i].check, check) == 0 && h->errors[i].address == address)
            return &h->errors[i];
    return NULL;
}

Test(heap_walk, clean_win7_heap_walks_to_its_end)
{
    built w;
    walk(&w, NULL);
    const hs_heap *h = &w.set->heaps[0];
    cr_assert_eq(w.proc->pebs[0].heap_array_present, true);
    cr_assert_eq(h->list_index, 0);
    cr_assert_str_eq(h->layout->name, "nt6.1-x86");
    cr_assert(h->encoded);
    for (size_t i = 0; i < h->error_count; i++)
        cr_log_error("%s at 0x%llx: %s", h->errors[i].check,
                     (unsigned long long)h->errors[i].address, h->errors[i].detail);
    cr_assert_eq(h->error_count, 0);
    cr_assert(h->walk_complete);
    cr_assert_eq(h->busy_blocks, 3);
    cr_assert_eq(h->busy_bytes, 0x20 + 0x40 + 0x30);
    cr_assert_eq(h->free_blocks, 1);
    cr_assert_eq(h->free_bytes, 0x19C8);
    cr_assert_eq(h->internal_blocks, 2, "the heap header and the UCR sentinel");
    cr_assert_eq(h->uncommitted_count, 1);
    cr_assert_eq(h->reserved, 0x10000);
    cr_assert_eq(h->committed, 0x2000);
    cr_assert_eq(h->total_free_size, 0x19C8);
    const hs_block *b = hs_heap_block_containing(h, B + 0x10);
    cr_assert_not_null(b);
    cr_assert_eq(b->address, B);
    cr_assert_eq(b->requested, 0x40 - 0x10, "requested = size - UnusedBytes");
    release(&w);
}

static void bad_checksum_b(uint8_t *mem) { mem[B - H + 3] ^= 0x5A; }
Test(heap_walk, header_checksum_and_resync)
{
    built w;
    walk(&w, bad_checksum_b);
    const hs_heap *h = &w.set->heaps[0];
    cr_assert_not_null(error_with(h, "header_checksum", B));
    cr_assert_not_null(hs_heap_block_containing(h, C), "the walk resynchronised and found C");
    cr_assert_eq(hs_heap_block_containing(h, C)->address, C);
    cr_assert_eq(h->busy_blocks, 2, "A and C; B's header is unreadable");
    cr_assert_eq(h->skipped_count, 1);
    cr_assert_eq(h->skipped[0].address, B, "the walk says what it skipped: B up to the free block");
    cr_assert_eq(h->skipped[0].size, F - B);
    release(&w);
}

static void bad_prev_c(uint8_t *mem) { put_entry(mem, C, 0x30 / 8, 0x01, 0x99, 0x0A); }
Test(heap_walk, previous_size_mismatch)
{
    built w;
    walk(&w, bad_prev_c);
    const hs_heap *h = &w.set->heaps[0];
    const hs_integrity_error *e = error_with(h, "previous_size", C);
    cr_assert_not_null(e);
    cr_assert_str_eq(e->expected, "0x0339");
    cr_assert_str_eq(e->found, "0x0099");
    cr_assert_eq(h->error_count, 1);
    cr_assert_eq(h->busy_blocks, 3);
    release(&w);
}

static void huge_c(uint8_t *mem) { put_entry(mem, C, 0x3000, 0x01, 0x19C8 / 8, 0x0A); }
Test(heap_walk, entry_past_segment_end)
{
    built w;
    walk(&w, huge_c);
    const hs_heap *h = &w.set->heaps[0];
    cr_assert_not_null(error_with(h, "entry_past_segment_end", C));
    release(&w);
}

static void broken_free_link(uint8_t *mem) { put32(mem, F + 12, H + 0x500); }
Test(heap_walk, free_list_link_that_does_not_point_back)
{
    built w;
    walk(&w, broken_free_link);
    const hs_heap *h = &w.set->heaps[0];
    const hs_integrity_error *e = error_with(h, "free_list_link", F + 8);
    cr_assert_not_null(e);
    cr_assert_str_eq(e->expected, "0xa000c4");
    cr_assert_str_eq(e->found, "0xa00500");
    release(&w);
}

static void free_block_marked_busy(uint8_t *mem)
{
    put_entry(mem, F, 0x19C8 / 8, 0x01, 0x40 / 8, 0x08);
}
Test(heap_walk, free_list_element_marked_busy)
{
    built w;
    walk(&w, free_block_marked_busy);
    const hs_heap *h = &w.set->heaps[0];
    cr_assert_not_null(error_with(h, "free_list_busy_block", F));
    cr_assert_not_null(error_with(h, "free_list_count", H + 0xC4),
                       "the walk found 0 free blocks, the list 1");
    release(&w);
}

static void cyclic_free_list(uint8_t *mem)
{
    /* F.Flink points to itself: a loop that never returns to the head. */
    put32(mem, F + 8, F + 8);
    put32(mem, F + 12, H + 0xC4);
}
Test(heap_walk, cyclic_free_list_is_bounded)
{
    built w;
    walk(&w, cyclic_free_list);
    const hs_heap *h = &w.set->heaps[0];
    cr_assert_not_null(error_with(h, "list_cycle", F + 8));
    release(&w);
}

static void bad_heap_signature(uint8_t *mem) { put32(mem, H + 0x64, 0x12345678); }
Test(heap_walk, listed_heap_without_signature)
{
    built w;
    walk(&w, bad_heap_signature);
    const hs_heap *h = &w.set->heaps[0];
    const hs_integrity_error *e = error_with(h, "heap_signature", H);
    cr_assert_not_null(e);
    cr_assert_not(h->identified);
    release(&w);
}

static void gap_accounting(uint8_t *mem) { put32(mem, H + 0x2C, 13); }
Test(heap_walk, uncommitted_accounting)
{
    built w;
    walk(&w, gap_accounting);
    const hs_heap *h = &w.set->heaps[0];
    const hs_integrity_error *e = error_with(h, "uncommitted_accounting", H);
    cr_assert_not_null(e);
    cr_assert_str_eq(e->expected, "13 pages in 1");
    cr_assert_str_eq(e->found, "14 pages in 1");
    release(&w);
}

/* ---- Windows XP heaps (synthetic_process.c, NT5 layout) ---- */

#include "synthetic_process.h"

static hs_heapset *walk_xp(synth *s, dump_builder *b, hs_dump **d, hs_address_space **as,
                           hs_process **p)
{
    synth_finish(s, b);
    synth_free(s);
    *d = hs_dump_open_memory(b->file.data, b->file.len, "xp.dmp", NULL);
    *as = hs_as_build(*d);
    *p = hs_process_build(*d, *as);
    return hs_heaps_walk(*d, *as, *p);
}

Test(heap_walk_xp, clean_xp_heap_with_exact_counts)
{
    static synth s;
    synth_init_xp(&s);
    const uint32_t sizes[] = {0x20, 0x48, 0x100};
    synth_heap(&s, 0x00140000, 0x2, sizes, 3, NULL);
    dump_builder b;
    hs_dump *d;
    hs_address_space *as;
    hs_process *p;
    hs_heapset *set = walk_xp(&s, &b, &d, &as, &p);
    cr_assert_eq(set->count, 1);
    const hs_heap *h = &set->heaps[0];
    cr_assert_str_eq(h->layout->name, "nt5-x86");
    cr_assert_not(h->encoded);
    for (size_t i = 0; i < h->error_count; i++)
        cr_log_error("%s at 0x%llx: %s", h->errors[i].check,
                     (unsigned long long)h->errors[i].address, h->errors[i].detail);
    cr_assert_eq(h->error_count, 0);
    cr_assert(h->walk_complete);
    cr_assert_eq(h->segment_count, 1);
    cr_assert_eq(h->segments[0].address, 0x00140640);
    cr_assert_eq(h->busy_blocks, 3);
    cr_assert_eq(h->busy_bytes, 0x20 + 0x48 + 0x100);
    cr_assert_eq(h->free_blocks, 1);
    cr_assert_eq(h->free_bytes, 0x2000 - 0x680 - 0x1808 - 0x168);
    cr_assert_eq(h->internal_blocks, 3,
                 "the _HEAP entry, the _HEAP_SEGMENT entry and the look-aside table");
    cr_assert_eq(h->front_end_type, 1);
    cr_assert_eq(h->front_end_heap, 0x00140688, "the table is the heap's first allocation");
    cr_assert_eq(h->lookaside_blocks, 0);
    cr_assert_eq(h->uncommitted_count, 1);
    cr_assert_eq(h->reserved, 0x10000);
    cr_assert_eq(h->committed, 0x2000);
    hs_heapset_free(set);
    hs_process_free(p);
    hs_as_free(as);
    hs_dump_free(d);
    bv_free(&b.file);
}

/* XP look-aside lists (heap-internals.md §4.2): blocks freed to the front end stay busy in their
 * headers; the walker finds them through the table and marks them cached. */
enum { XP_TABLE = 0x00140688, XP_LOOKASIDE = 0x30 };

static hs_heapset *xp_heap_with_lookaside(dump_builder *b, hs_dump **d, hs_address_space **as,
                                          hs_process **p, int damage)
{
    static synth s;
    synth_init_xp(&s);
    const uint32_t sizes[] = {0x20, 0x20, 0x20, 0x48, 0x100, 0x20};
    uint64_t user[6];
    synth_heap(&s, 0x00140000, 0x2, sizes, 6, user);
    synth_lookaside_push(&s, 0x00140000, user[0]);
    synth_lookaside_push(&s, 0x00140000, user[1]); /* list 4: user[1] -> user[0] */
    synth_lookaside_push(&s, 0x00140000, user[3]); /* list 9: user[3] */
    const uint64_t list4 = XP_TABLE + 4 * XP_LOOKASIDE;
    if (damage == 1) /* list 4 starts at a block of 9 granules */
        synth_put32(&s, list4, (uint32_t)user[3]);
    if (damage == 2) { /* list 4's header claims 3 elements */
        uint8_t three[2] = {3, 0};
        synth_write(&s, list4 + 4, three, 2);
    }
    if (damage == 3) /* user[0] links back to user[1] */
        synth_put32(&s, user[0], (uint32_t)user[1]);
    return walk_xp(&s, b, d, as, p);
}

Test(heap_walk_xp, look_aside_lists_mark_freed_blocks_cached)
{
    dump_builder b;
    hs_dump *d;
    hs_address_space *as;
    hs_process *p;
    hs_heapset *set = xp_heap_with_lookaside(&b, &d, &as, &p, 0);
    const hs_heap *h = &set->heaps[0];
    for (size_t i = 0; i < h->error_count; i++)
        cr_log_error("%s at 0x%llx: %s", h->errors[i].check,
                     (unsigned long long)h->errors[i].address, h->errors[i].detail);
    cr_assert_eq(h->error_count, 0);
    cr_assert_eq(h->busy_blocks, 6, "cached blocks are busy by count, as HeapWalk reports them");
    cr_assert_eq(h->lookaside_blocks, 3);
    cr_assert_eq(h->lookaside_bytes, 0x20 + 0x20 + 0x48);
    /* The blocks: user data starts one granule after 0x140680 + 0x1808 (the table). */
    const uint64_t first = 0x00140680 + 0x1808;
    const uint64_t at[6] = {first,        first + 0x20, first + 0x40,
                            first + 0x60, first + 0xA8, first + 0x1A8};
    const bool cached[6] = {true, true, false, true, false, false};
    for (unsigned i = 0; i < 6; i++) {
        const hs_block *blk = hs_heap_block_containing(h, at[i]);
        cr_assert(blk && blk->address == at[i], "block %u at 0x%llx", i, (unsigned long long)at[i]);
        cr_assert_eq(blk->state, HS_BLOCK_BUSY);
        cr_assert_eq(blk->cached, cached[i], "block %u", i);
        cr_assert_eq(hs_block_in_use(blk), !cached[i], "block %u", i);
    }
    const hs_block *table = hs_heap_block_containing(h, XP_TABLE);
    cr_assert(table && table->state == HS_BLOCK_INTERNAL && table->size == 0x1808);
    hs_heapset_free(set);
    hs_process_free(p);
    hs_as_free(as);
    hs_dump_free(d);
    bv_free(&b.file);
}

Test(heap_walk_xp, damaged_look_aside_lists_are_reported)
{
    const uint64_t first = 0x00140680 + 0x1808, list4 = XP_TABLE + 4 * XP_LOOKASIDE;
    static const struct {
        const char *check;
        uint64_t address;
        const char *detail;
        uint64_t cached;
    } want[3] = {
        {"lookaside_list", list4,
         "look-aside list 4 element 0x141ef0 is not the user data of a busy block of its size", 1},
        {"lookaside_list", list4, "look-aside list 4 holds 2 blocks, its header says 3", 3},
        {"list_cycle", first + 8, "look-aside list 4 reaches element 0x141eb0 a second time", 3},
    };
    for (int damage = 1; damage <= 3; damage++) {
        dump_builder b;
        hs_dump *d;
        hs_address_space *as;
        hs_process *p;
        hs_heapset *set = xp_heap_with_lookaside(&b, &d, &as, &p, damage);
        const hs_heap *h = &set->heaps[0];
        for (size_t i = 0; i < h->error_count; i++)
            cr_log_info("%s at 0x%llx: %s", h->errors[i].check,
                        (unsigned long long)h->errors[i].address, h->errors[i].detail);
        cr_assert_eq(h->error_count, 1, "damage %d", damage);
        cr_assert_str_eq(h->errors[0].check, want[damage - 1].check);
        cr_assert_eq(h->errors[0].address, want[damage - 1].address, "damage %d: 0x%llx", damage,
                     (unsigned long long)h->errors[0].address);
        cr_assert_str_eq(h->errors[0].detail, want[damage - 1].detail);
        cr_assert_eq(h->lookaside_blocks, want[damage - 1].cached, "damage %d", damage);
        hs_heapset_free(set);
        hs_process_free(p);
        hs_as_free(as);
        hs_dump_free(d);
        bv_free(&b.file);
    }
}

Test(heap_walk_xp, wrong_segment_index_and_free_list_bucket)
{
    static synth s;
    synth_init_xp(&s);
    const uint32_t sizes[] = {0x20, 0x48};
    uint64_t user[2];
    synth_heap(&s, 0x00140000, 0x2, sizes, 2, user);
    /* Entry B (user[1] - 8) claims segment 3 (SegmentIndex is byte 7 on XP). */
    uint8_t three = 3;
    synth_write(&s, user[1] - 8 + 7, &three, 1);
    /* The free block (after B) is moved from FreeLists[0] to FreeLists[5]. */
    uint32_t free_entry = (uint32_t)(user[1] - 8 + 0x48);
    synth_put32(&s, 0x00140000 + 0x178, 0x00140000 + 0x178);
    synth_put32(&s, 0x00140000 + 0x17C, 0x00140000 + 0x178);
    synth_put32(&s, 0x00140000 + 0x178 + 8 * 5, free_entry + 8);
    synth_put32(&s, 0x00140000 + 0x17C + 8 * 5, free_entry + 8);
    synth_put32(&s, free_entry + 8, 0x00140000 + 0x178 + 8 * 5);
    synth_put32(&s, free_entry + 12, 0x00140000 + 0x178 + 8 * 5);
    dump_builder b;
    hs_dump *d;
    hs_address_space *as;
    hs_process *p;
    hs_heapset *set = walk_xp(&s, &b, &d, &as, &p);
    const hs_heap *h = &set->heaps[0];
    const hs_integrity_error *e = error_with(h, "segment_index", user[1] - 8);
    cr_assert_not_null(e);
    cr_assert_str_eq(e->expected, "0");
    cr_assert_str_eq(e->found, "3");
    e = error_with(h, "free_list_order", free_entry);
    cr_assert_not_null(e, "a free block of %u granules on FreeLists[5]",
                       (0x1000 - 0x680 - 0x68) / 8);
    cr_assert_str_eq(e->expected, "5");
    hs_heapset_free(set);
    hs_process_free(p);
    hs_as_free(as);
    hs_dump_free(d);
    bv_free(&b.file);
}

Test(heap_walk_x64, large_block_listed_and_counted)
{
    static synth s;
    synth_init(&s, 8);
    const uint32_t sizes[] = {0x40, 0x60};
    synth_heap(&s, 0x00140000, 0x2, sizes, 2, NULL);
    uint64_t user = synth_virtual_block(&s, 0x00140000, 0x00400000, 0x21000, 0x20000);
    cr_assert_eq(user, 0x00400040, "user data follows the 0x40-byte entry on x64");
    dump_builder b;
    hs_dump *d;
    hs_address_space *as;
    hs_process *p;
    hs_heapset *set = walk_xp(&s, &b, &d, &as, &p);
    const hs_heap *h = &set->heaps[0];
    cr_assert_str_eq(h->layout->name, "nt6.1-x64");
    for (size_t i = 0; i < h->error_count; i++)
        cr_log_error("%s at 0x%llx: %s", h->errors[i].check,
                     (unsigned long long)h->errors[i].address, h->errors[i].detail);
    cr_assert_eq(h->error_count, 0);
    cr_assert_eq(h->virtual_blocks, 1);
    cr_assert_eq(h->virtual_bytes, 0x21000);
    cr_assert_eq(h->busy_blocks, 3);
    const hs_block *v = hs_heap_block_containing(h, 0x00410000);
    cr_assert_not_null(v);
    cr_assert_eq(v->address, 0x00400000);
    cr_assert_eq(v->kind, HS_BLOCK_VIRTUAL);
    cr_assert_eq(v->requested, 0x20000, "CommitSize - BusyBlock.Size");
    cr_assert_eq(hs_heapset_heap_containing(set, 0x00410000), h,
                 "a large block belongs to its heap");
    hs_heapset_free(set);
    hs_process_free(p);
    hs_as_free(as);
    hs_dump_free(d);
    bv_free(&b.file);
}

Test(heap_walk_lfh, win7_userblocks_resolved_into_chunks)
{
    static synth s;
    synth_init(&s, 4);
    /* Block 1 becomes a UserBlocks container: 0x10 header + 10 chunks of 0x18 = 0x100 user bytes.
     */
    const uint32_t sizes[] = {0x20, 0x108, 0x40};
    uint64_t user[3];
    synth_heap(&s, 0x00140000, 0x2, sizes, 3, user);
    synth_region_add(&s, 0x00300000, 0x1000, 0x1000, 0x20000,
                     4); /* the LFH zone with the subsegment */
    synth_lfh_win7(&s, user[1], 0x108, 0x18, 10, 0x2B5 /* 0b1010110101: 6 busy */, 0x00300040);
    dump_builder b;
    hs_dump *d;
    hs_address_space *as;
    hs_process *p;
    hs_heapset *set = walk_xp(&s, &b, &d, &as, &p);
    const hs_heap *h = &set->heaps[0];
    cr_assert_str_eq(h->layout->name, "nt6.1-x86");
    for (size_t i = 0; i < h->error_count; i++)
        cr_log_error("%s at 0x%llx: %s", h->errors[i].check,
                     (unsigned long long)h->errors[i].address, h->errors[i].detail);
    cr_assert_eq(h->error_count, 0);
    cr_assert_eq(h->lfh_blocks, 10, "the subsegment counts as its chunks");
    cr_assert_eq(h->lfh_busy_blocks, 6);
    cr_assert_eq(h->lfh_free_blocks, 4);
    cr_assert_eq(h->busy_blocks, 2 + 6,
                 "two backend blocks and six chunks; the container is internal");
    const hs_block *c = hs_heap_block_containing(h, user[1] + 0x10 + 2 * 0x18 + 4);
    cr_assert_not_null(c);
    cr_assert_eq(c->kind, HS_BLOCK_LFH);
    cr_assert_eq(c->address, user[1] + 0x10 + 2 * 0x18);
    cr_assert_eq(c->state, HS_BLOCK_BUSY);
    cr_assert_eq(c->requested, 0x18 - 8);
    const hs_block *container = hs_heap_block_containing(h, user[1] + 4);
    cr_assert_not_null(container);
    cr_assert_eq(container->state, HS_BLOCK_INTERNAL,
                 "the UserBlocks header belongs to the container");
    hs_heapset_free(set);
    hs_process_free(p);
    hs_as_free(as);
    hs_dump_free(d);
    bv_free(&b.file);
}

Test(heap_walk_lfh, win7_depth_disagreeing_with_chunks_is_reported)
{
    static synth s;
    synth_init(&s, 4);
    const uint32_t sizes[] = {0x20, 0x108};
    uint64_t user[2];
    synth_heap(&s, 0x00140000, 0x2, sizes, 2, user);
    synth_region_add(&s, 0x00300000, 0x1000, 0x1000, 0x20000, 4);
    synth_lfh_win7(&s, user[1], 0x108, 0x18, 10, 0x3FF, 0x00300040);
    uint16_t depth = 3; /* claims 3 free chunks where all 10 are busy */
    synth_write(&s, 0x00300040 + 8, &depth, 2);
    dump_builder b;
    hs_dump *d;
    hs_address_space *as;
    hs_process *p;
    hs_heapset *set = walk_xp(&s, &b, &d, &as, &p);
    const hs_integrity_error *e = error_with(&set->heaps[0], "lfh_busy_count", user[1]);
    cr_assert_not_null(e);
    cr_assert_str_eq(e->expected, "7");
    cr_assert_str_eq(e->found, "10");
    hs_heapset_free(set);
    hs_process_free(p);
    hs_as_free(as);
    hs_dump_free(d);
    bv_free(&b.file);
}

/* ---- WoW64: a 32-bit process in a 64-bit dump (heap-internals.md §1.3) ---- */

/* Moves region 0 (the TEB synth_init made) to `teb` and points its Self and PEB fields. */
static void move_teb(synth *s, uint64_t teb, unsigned self_off, unsigned peb_off)
{
    s->regions[0].base = teb;
    s->teb = teb;
    synth_put_ptr(s, teb + self_off, teb);
    synth_put_ptr(s, teb + peb_off, s->peb);
}

Test(heap_walk_wow64, both_heap_sets_listed_and_walked_with_their_layouts)
{
    static synth s64, s32;
    const uint64_t teb64 = 0x7EFDB000, teb32 = teb64 + 0x2000;
    synth_init(&s64, 8);
    move_teb(&s64, teb64, 0x30, 0x60);
    synth_module_add(&s64, "C:\\Windows\\System32\\wow64.dll", 0x74E00000, 0x1000, (6u << 16) | 1,
                     7601u << 16);
    synth_module_add(&s64, "C:\\Windows\\System32\\wow64cpu.dll", 0x74F00000, 0x1000,
                     (6u << 16) | 1, 7601u << 16);
    const uint32_t sizes64[] = {0x40, 0x60};
    synth_heap(&s64, 0x00140000, 0x2, sizes64, 2, NULL); /* the 64-bit default heap */

    /* The 32-bit side: its own TEB (TEB64.NtTib.ExceptionList points at it), PEB32 and heaps. */
    synth_init(&s32, 4);
    s32.peb = 0x7EFDE000;
    s32.heap_list = s32.peb + 0x400;
    s32.regions[1].base = s32.peb;
    s32.regions[1].size = 0x1000;
    move_teb(&s32, teb32, 0x18, 0x30);
    synth_put32(&s32, s32.peb + 0x8C, 16);
    synth_put32(&s32, s32.peb + 0x90, (uint32_t)s32.heap_list);
    const uint32_t sizes32[] = {0x20, 0x28, 0x30};
    synth_heap(&s32, 0x00500000, 0x2, sizes32, 3, NULL);    /* the 32-bit default heap */
    synth_heap(&s32, 0x00600000, 0x1002, sizes32, 2, NULL); /* a HeapCreate'd 32-bit heap */
    for (size_t i = 0; i < s32.heap_count; i++)
        synth_put32(&s32, s32.heap_list + 4 * i, (uint32_t)s32.heaps[i]);
    synth_put_ptr(&s64, teb64, teb32);
    /* Move the 32-bit regions (TEB32, PEB32, heaps) into the 64-bit process; its stack is dropped.
     */
    for (size_t i = 0; i < s32.region_count; i++) {
        if (s32.regions[i].base == s32.stack_base) {
            free(s32.regions[i].bytes);
            continue;
        }
        s64.regions[s64.region_count++] = s32.regions[i];
    }
    s32.region_count = 0;

    dump_builder b;
    hs_dump *d;
    hs_address_space *as;
    hs_process *p;
    hs_heapset *set = walk_xp(&s64, &b, &d, &as, &p);
    cr_assert(p->wow64);
    cr_assert_eq(p->peb_count, 2);
    cr_assert_eq(p->pebs[1].address, 0x7EFDE000);
    cr_assert(p->pebs[1].wow64);
    cr_assert_eq(p->pebs[1].ptr_size, 4);
    cr_assert_eq(set->count, 3);
    const hs_heap *h64 = hs_heapset_find(set, 0x00140000), *h32 = hs_heapset_find(set, 0x00500000),
                  *priv32 = hs_heapset_find(set, 0x00600000);
    cr_assert(h64 && h32 && priv32);
    cr_assert_str_eq(h64->layout->name, "nt6.1-x64");
    cr_assert_str_eq(h32->layout->name, "nt6.1-x86");
    cr_assert_eq(h64->peb_index, 0);
    cr_assert_eq(h32->peb_index, 1, "marked with the PEB it came from");
    cr_assert_eq(priv32->list_index, 1);
    cr_assert_eq(h64->error_count + h32->error_count + priv32->error_count, 0);
    cr_assert_eq(h64->busy_blocks, 2);
    cr_assert_eq(h32->busy_blocks, 3);
    cr_assert_eq(priv32->busy_blocks, 2);
    hs_heapset_free(set);
    hs_process_free(p);
    hs_as_free(as);
    hs_dump_free(d);
    bv_free(&b.file);
}
