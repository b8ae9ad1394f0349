/* The sieve the walk runs over each segment as it reads it (heap.h, hs_heap_sieve).
 *
 * The walk reads a segment's headers one by one, each known only from the one before, and would
 * wait on memory for most of them; reachability later reads every word of the same blocks for heap
 * handles. Both are served by one pass: the walk reads the segment ahead of itself with the handle
 * sieve (util/handle_filter.h), which streams the bytes into the cache at memory speed, and notes
 * the few words that pass. Reachability then looks only at those words of a block whose memory the
 * sieve covered, and reads the rest as before. The notes are exact (the same filter over the same
 * bytes) or absent: never a guess. */
#include "alloc.h"
#include "checked.h"
#include "heap_walk_internal.h"
#include "sort.h"
#include "sorted_search.h"

/* Covered ranges past this many (a segment in thousands of pieces) are not worth keeping. */
enum { MAX_COVERED = 1u << 16 };

void walk_sieve_release(hs_heap_sieve *s)
{
    hs_free(s->covered);
    hs_free(s->words);
    *s = (hs_heap_sieve){0};
}

static bool note_range(hs_heap_sieve *s, size_t *cap, uint64_t at, uint64_t size)
{
    hs_range *last = s->covered_count ? &s->covered[s->covered_count - 1] : NULL;
    uint64_t last_end;
    if (last && hs_add_u64(last->address, last->size, &last_end) && last_end == at) {
        last->size += size;
        return true;
    }
    if (s->covered_count >= MAX_COVERED ||
        !hs_grow((void **)&s->covered, cap, s->covered_count, sizeof *s->covered))
        return false;
    s->covered[s->covered_count++] = (hs_range){at, size};
    return true;
}

void walk_sieve(walk_ctx *c, uint64_t from, uint64_t to)
{
    const hs_heapset *set = c->set;
    hs_heap_sieve *s = &c->h->sieve;
    unsigned width = set ? set->sieve_width : 0;
    if (!width || !s->usable) {
        hs_as_prefetch_range(c->as, from, to - from);
        return;
    }
    uint64_t at = (from + width - 1) & ~(uint64_t)(width - 1);
    while (at < to && s->usable) {
        hs_reader r;
        if (hs_as_reader_upto(c->as, at, to - at, &r) != HS_OK) {
            uint64_t next = hs_as_next_present(c->as, at);
            if (next <= at || next >= to) /* absent to the end, or unreadable (time budget spent) */
                return;
            at = (next + width - 1) & ~(uint64_t)(width - 1);
            continue;
        }
        size_t words = r.len / width;
        const uint8_t *bytes;
        if (words == 0 || hs_rd_view(&r, words * width, &bytes) != HS_OK)
            return; /* a run of present memory that ends inside a word: the rest is read later */
        hs_filter_cursor k =
            hs_filter_cursor_over(&set->sieve_filter, bytes, width, set->sieve_halves, words);
        for (size_t i = hs_filter_cursor_next(&k, 0); i < words && s->usable;
             i = hs_filter_cursor_next(&k, i + 1)) {
            if (s->word_count >= set->sieve_notes_per_heap ||
                !hs_grow((void **)&s->words, &c->sieve_word_cap, s->word_count, sizeof *s->words)) {
                walk_sieve_release(s);
                break;
            }
            s->words[s->word_count++] = at + (uint64_t)i * width;
        }
        if (!s->usable)
            break;
        if (!note_range(s, &c->sieve_range_cap, at, (uint64_t)words * width)) {
            walk_sieve_release(s);
            break;
        }
        s->sieved_bytes += (uint64_t)words * width;
        if (!hs_add_u64(at, (uint64_t)words * width,
                        &at)) /* cannot pass `to`; checked all the same */
            break;
    }
}

static int compare_ranges(const void *a, const void *b)
{
    const hs_range *x = a, *y = b;
    return x->address < y->address ? -1 : x->address > y->address;
}

static int compare_words(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void walk_sieve_finish(hs_heap *h)
{
    hs_heap_sieve *s = &h->sieve;
    if (!s->usable)
        return;
    /* Segments are walked in list order, not address order. */
    hs_sort(s->covered, s->covered_count, sizeof *s->covered, compare_ranges);
    hs_sort(s->words, s->word_count, sizeof *s->words, compare_words);
    for (size_t i = 1; i < s->covered_count; i++)
        if (s->covered[i].address - s->covered[i - 1].address < s->covered[i - 1].size) {
            walk_sieve_release(
                s); /* segments over the same memory (a hostile dump): its words were noted twice */
            return;
        }
}

/* How many of the n sorted words are below key. */
static size_t count_below(const uint64_t *words, size_t n, uint64_t key)
{
    return key == 0 ? 0 : hs_count_le(words, n, sizeof *words, 0, key - 1);
}

bool hs_heap_sieve_words(const hs_heap *h, uint64_t lo, uint64_t hi, size_t *first, size_t *end)
{
    const hs_heap_sieve *s = &h->sieve;
    if (!s->usable || hi < lo)
        return false;
    size_t n = HS_COUNT_LE(s->covered, s->covered_count, address, lo);
    if (n == 0)
        return false;
    const hs_range *r = &s->covered[n - 1];
    if (lo - r->address > r->size || hi - r->address > r->size)
        return false;
    *first = count_below(s->words, s->word_count, lo);
    *end = count_below(s->words, s->word_count, hi);
    return true;
}
