/* The sieve the heap walk runs ahead of itself (analyzer/heap/heap_sieve.c): the words it notes
 * are exactly those of the memory it covered that the handle filter passes, whatever the windows,
 * gaps and order it is fed; a range it did not wholly cover is refused, never answered in part;
 * too many notes or overlapping segments make it give up. Checked against a word-by-word scan of
 * a dump built here, with passing words planted at every window edge. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dump_builder.h"
#include "heap_walk_internal.h"
#include "xorshift.h"

enum { WINDOW = 8192 };
static const uint64_t BASE = 0x10000000, SECOND = 0x10011000; /* a 4 KB hole at 0x10010000 */
static const uint32_t FIRST_SIZE = 0x10000, SECOND_SIZE = 0x4000;

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next_random(void) { return xorshift_next(&rng); }

typedef struct fixture {
    bytevec file;
    hs_dump *dump;
    hs_address_space *as;
    hs_heapset set;
    hs_heap heap;
    walk_ctx c;
    uint8_t memory[0x10000 + 0x4000]; /* both ranges' bytes, in order */
} fixture;

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Random words with values the filter passes planted at every window edge (first and last words of
 * each window, either side) and at random places, about one per 64 bytes in all. */
static void fill(fixture *f, const uint64_t *passing, size_t n_passing, unsigned width)
{
    for (size_t off = 0; off < sizeof f->memory; off += 8)
        put64(f->memory + off, next_random() | 0x1); /* odd: never passes */
    for (size_t off = 0; off < sizeof f->memory; off += WINDOW / 2) {
        size_t at[] = {off, off + width, off ? off - width : 0, off ? off - 2 * width : 0};
        for (size_t k = 0; k < 4; k++)
            if (at[k] + width <= sizeof f->memory)
                memcpy(f->memory + at[k], &passing[next_random() % n_passing], width);
    }
    for (size_t k = 0; k < sizeof f->memory / 64; k++) {
        size_t at = (size_t)(next_random() % (sizeof f->memory / width)) * width;
        memcpy(f->memory + at, &passing[next_random() % n_passing], width);
    }
}

static void build(fixture *f, const uint64_t *handles, size_t n, unsigned width, bool halves)
{
    dump_builder b;
    db_init(&b);
    bytevec list = {0};
    bv_u32(&list, 2);
    uint32_t rva1 = db_blob(&b, f->memory, FIRST_SIZE);
    uint32_t rva2 = db_blob(&b, f->memory + FIRST_SIZE, SECOND_SIZE);
    bv_u64(&list, BASE);
    bv_u32(&list, FIRST_SIZE);
    bv_u32(&list, rva1);
    bv_u64(&list, SECOND);
    bv_u32(&list, SECOND_SIZE);
    bv_u32(&list, rva2);
    db_stream(&b, HS_STREAM_MEMORY_LIST, &list);
    bv_free(&list);
    db_finish(&b);
    f->file = b.file;
    f->dump = hs_dump_open_memory(f->file.data, f->file.len, "sieve-test.dmp", NULL);
    cr_assert(f->dump && f->dump->valid);
    f->as = hs_as_build(f->dump);
    cr_assert_not_null(f->as);
    memset(&f->set, 0, sizeof f->set);
    f->set.sieve_filter = hs_handle_filter_none();
    for (size_t i = 0; i < n; i++)
        hs_handle_filter_add(&f->set.sieve_filter, handles[i]);
    f->set.sieve_width = width;
    f->set.sieve_halves = halves;
    f->set.sieve_notes_per_heap = (FIRST_SIZE + SECOND_SIZE) /
                                  32; /* the planted words fit, a full page of handles does not */
    memset(&f->heap, 0, sizeof f->heap);
    f->heap.sieve.usable = true;
    f->c = (walk_ctx){.set = &f->set, .as = f->as, .h = &f->heap};
}

static void release(fixture *f)
{
    walk_sieve_release(&f->heap.sieve);
    hs_as_free(f->as);
    hs_dump_free(f->dump);
    bv_free(&f->file);
}

/* The byte of memory at va, which must be in one of the two ranges. */
static const uint8_t *at_va(const fixture *f, uint64_t va)
{
    return va < SECOND ? f->memory + (va - BASE) : f->memory + FIRST_SIZE + (va - SECOND);
}

/* The words of [lo, hi) (both multiples of width, present) the filter passes, one by one. */
static size_t reference_words(const fixture *f, uint64_t lo, uint64_t hi, uint64_t *out)
{
    unsigned width = f->set.sieve_width;
    size_t n = 0;
    for (uint64_t va = lo; va < hi; va += width) {
        const uint8_t *p = at_va(f, va);
        bool pass = hs_handle_filter_passes(&f->set.sieve_filter, hs_word_le(p, width));
        if (f->set.sieve_halves && width == 8)
            pass |= hs_handle_filter_passes(&f->set.sieve_filter, hs_word_le(p, 4)) ||
                    hs_handle_filter_passes(&f->set.sieve_filter, hs_word_le(p + 4, 4));
        if (pass)
            out[n++] = va;
    }
    return n;
}

static uint64_t reference[0x14000 / 4];

/* Windows as the walk takes them, over both ranges and the hole between them. */
static void sieve_all(fixture *f)
{
    for (uint64_t from = BASE; from < SECOND + SECOND_SIZE; from += WINDOW)
        walk_sieve(&f->c, from, from + WINDOW);
    walk_sieve_finish(&f->heap);
}

static void check_notes(fixture *f)
{
    const hs_heap_sieve *s = &f->heap.sieve;
    cr_assert(s->usable);
    cr_assert_eq(s->covered_count, 2, "the hole splits what was sieved in two");
    cr_assert(s->covered[0].address == BASE && s->covered[0].size == FIRST_SIZE);
    cr_assert(s->covered[1].address == SECOND && s->covered[1].size == SECOND_SIZE);
    cr_assert_eq(s->sieved_bytes, FIRST_SIZE + SECOND_SIZE);
    size_t n = reference_words(f, BASE, BASE + FIRST_SIZE, reference);
    n += reference_words(f, SECOND, SECOND + SECOND_SIZE, reference + n);
    cr_assert_gt(n, 300, "the planted words pass");
    cr_assert_eq(s->word_count, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(s->words[i], reference[i], "note %zu", i);
    /* Lookups: inside a covered range the notes of exactly [lo, hi); across the hole or outside,
     * refused. */
    unsigned width = f->set.sieve_width;
    for (int q = 0; q < 2000; q++) {
        uint64_t lo = BASE + (next_random() % ((FIRST_SIZE + 0x2000) / width)) * width;
        uint64_t hi = lo + (next_random() % (WINDOW / width)) * width;
        size_t first, end;
        bool inside = (hi <= BASE + FIRST_SIZE) || (lo >= SECOND && hi <= SECOND + SECOND_SIZE);
        bool answered = hs_heap_sieve_words(&f->heap, lo, hi, &first, &end);
        cr_assert_eq(answered, inside, "[0x%llx, 0x%llx)", (unsigned long long)lo,
                     (unsigned long long)hi);
        if (!answered)
            continue;
        size_t want = reference_words(f, lo, hi, reference);
        cr_assert_eq(end - first, want, "[0x%llx, 0x%llx)", (unsigned long long)lo,
                     (unsigned long long)hi);
        for (size_t i = 0; i < want; i++)
            cr_assert_eq(s->words[first + i], reference[i]);
    }
    size_t first, end;
    cr_assert(!hs_heap_sieve_words(&f->heap, BASE - 8, BASE + 8, &first, &end), "starts before");
    cr_assert(!hs_heap_sieve_words(&f->heap, SECOND + SECOND_SIZE - 8, SECOND + SECOND_SIZE + 8,
                                   &first, &end),
              "ends after");
}

Test(heap_sieve, x64_notes_are_the_passing_words_of_what_was_covered)
{
    static fixture f;
    uint64_t handles[] = {0x000001E5A2B60000ull, 0x000001E5A2A00000ull, 0x000001E5A0000000ull};
    uint64_t passing[] = {0x000001E5A2B60000ull, 0x000001E5A2A00000ull, 0x000001E5A1000000ull,
                          0x000001E5A0000000ull};
    fill(&f, passing, 4, 8);
    build(&f, handles, 3, 8, false);
    sieve_all(&f);
    check_notes(&f);
    release(&f);
}

Test(heap_sieve, x86_notes)
{
    static fixture f;
    uint64_t handles[] = {0x00150000, 0x00250000, 0x7FFD0000};
    uint64_t passing[] = {0x00150000, 0x00250000, 0x7FFD0000, 0x00400000};
    fill(&f, passing, 4, 4);
    build(&f, handles, 3, 4, false);
    sieve_all(&f);
    check_notes(&f);
    release(&f);
}

Test(heap_sieve, wow64_halves_are_noted_by_their_word)
{
    static fixture f;
    uint64_t handles[] = {0x00150000, 0x00250000};
    uint64_t passing[] = {0x00150000, 0x0025000000000000ull, 0x0015000000250000ull};
    fill(&f, passing, 3, 8);
    build(&f, handles, 2, 8, true);
    sieve_all(&f);
    check_notes(&f);
    release(&f);
}

Test(heap_sieve, segments_out_of_address_order_and_windows_that_overlap)
{
    static fixture f;
    uint64_t handles[] = {0x000001E5A2B60000ull};
    uint64_t passing[] = {0x000001E5A2B60000ull};
    fill(&f, passing, 1, 8);
    build(&f, handles, 1, 8, false);
    /* The second range first, then the first one backwards: sorted at the end. */
    walk_sieve(&f.c, SECOND, SECOND + SECOND_SIZE);
    for (uint64_t to = BASE + FIRST_SIZE; to > BASE; to -= WINDOW)
        walk_sieve(&f.c, to - WINDOW, to);
    walk_sieve_finish(&f.heap);
    cr_assert(f.heap.sieve.usable);
    cr_assert_eq(f.heap.sieve.covered_count, 1 + FIRST_SIZE / WINDOW,
                 "windows out of order are not merged");
    for (size_t i = 1; i < f.heap.sieve.word_count; i++)
        cr_assert_lt(f.heap.sieve.words[i - 1], f.heap.sieve.words[i]);
    /* Memory sieved twice (segments of a hostile heap over the same bytes): given up. */
    walk_sieve(&f.c, BASE, BASE + WINDOW);
    walk_sieve_finish(&f.heap);
    cr_assert(!f.heap.sieve.usable);
    cr_assert(f.heap.sieve.words == NULL && f.heap.sieve.covered == NULL &&
              f.heap.sieve.word_count == 0);
    size_t first, end;
    cr_assert(!hs_heap_sieve_words(&f.heap, BASE, BASE + 8, &first, &end));
    release(&f);
}

Test(heap_sieve, memory_full_of_handles_is_given_up_not_kept)
{
    static fixture f;
    uint64_t handles[] = {0x00150000, 0x00250000};
    for (size_t off = 0; off < sizeof f.memory; off += 4)
        memcpy(f.memory + off, &handles[off / 4 % 2], 4);
    build(&f, handles, 2, 4, false);
    sieve_all(&f);
    cr_assert(!f.heap.sieve.usable, "one note per 4 bytes is past the bound of one per 32");
    cr_assert(f.heap.sieve.words == NULL && f.heap.sieve.word_count == 0);
    release(&f);
}

Test(heap_sieve, no_width_means_no_notes)
{
    static fixture f;
    uint64_t handles[] = {0x00150000};
    uint64_t passing[] = {0x00150000};
    fill(&f, passing, 1, 4);
    build(&f, handles, 1, 4, false);
    f.set.sieve_width = 0; /* an architecture the walk has no pointer size for */
    sieve_all(&f);
    cr_assert_eq(f.heap.sieve.word_count, 0);
    cr_assert_eq(f.heap.sieve.covered_count, 0);
    release(&f);
}
