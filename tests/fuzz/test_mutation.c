/* Mutation test (issue 7): every dump of corpus/samples/ and of the shared dumps (up to 64 MB each)
 * is damaged MUTATIONS_PER_DUMP times with a fixed-seed xorshift generator — bytes flipped or
 * replaced, 32-bit words set to 0, 0xFFFFFFFF or large values, the file truncated — aimed at the
 * header and stream directory, at the streams, at heap metadata (heap and segment headers, block
 * headers) and anywhere, and each damaged copy runs through the full pipeline (hs_scan_memory_with
 * the shipped rules and tests/fuzz/rules; every other input with the walk and the analysis on
 * four threads). Per input: the result is not NULL, the fuzz invariants
 * hold (fz_check_scan, which aborts with a message), the wall time stays under MAX_MS (a hang
 * detector, not a benchmark), and the most memory the pipeline's allocations hold at once stays
 * under MAX_FIXED_BYTES + MAX_BYTES_PER_INPUT_BYTE x the input's size, with all of it given back
 * afterwards. With the 94 dumps of today's corpus (3 samples, 91 shared) that is
 * 94 x 120 = 11280 pipeline runs, about 15 s in the normal build and 40 s in the sanitizer build;
 * the exact count is printed.
 *
 * Reproduce one input: HS_MUTATION_ONLY=NAME:INDEX runs only that mutation (NAME as printed, e.g.
 * mozilla/windows-x86.dmp), and HS_MUTATION_SAVE=FILE also writes the damaged bytes to FILE. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "fuzz_common.h"
#include "read_file.h"
#include "test_paths.h"

enum {
    MUTATIONS_PER_DUMP = 120,
    MAX_DUMP_BYTES = 64 << 20,
    MAX_MS = 5000,
    /* The memory bound per input: tables of ranges, modules, heaps and blocks grow with the dump,
     * never with what its damaged counts claim (resource_limits.h). Measured 2026-11-30: at most
     * 1.3 MiB (0.15 x an 8 MiB input); the bound leaves room above that without hiding a blow-up.
     */
    MAX_FIXED_BYTES = 16 << 20,
    MAX_BYTES_PER_INPUT_BYTE = 2,
    MAX_OPS = 8,
    MAX_HOT = 4096,
    MAX_DUMPS = 1024,
};

/* ---- a fixed-seed generator (xorshift64*) ---- */

static uint64_t rng_state;

static uint64_t next_u64(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static uint64_t below(uint64_t n) { return n ? next_u64() % n : 0; }

static void seed_for(const char *name, unsigned index)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a of the name: each dump's sequence is its own */
    for (const char *p = name; *p; p++)
        h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    rng_state = h ^ (0x9E3779B97F4A7C15ull * (index + 1)) ^ 0x4845415053ull; /* "HEAPS" */
    if (!rng_state)
        rng_state = 1;
    for (int i = 0; i < 4; i++)
        (void)next_u64();
}

/* ---- the dumps ---- */

typedef struct dump_file {
    char path[4096];
    char name[512]; /* relative to its root, for messages and HS_MUTATION_ONLY */
} dump_file;

static dump_file dumps[MAX_DUMPS];
static size_t dump_count;

static int by_path(const void *a, const void *b)
{
    return strcmp(((const dump_file *)a)->path, ((const dump_file *)b)->path);
}

static void collect(const char *root, const char *rel)
{
    char dir_path[4096];
    snprintf(dir_path, sizeof dir_path, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *dir = opendir(dir_path);
    cr_assert_not_null(dir, "test data missing: %s", dir_path);
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char sub[512], full[4096];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        if (stat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            collect(root, sub);
            continue;
        }
        size_t n = strlen(e->d_name);
        if (!S_ISREG(st.st_mode) || n < 4 || strcmp(e->d_name + n - 4, ".dmp") != 0 ||
            st.st_size > MAX_DUMP_BYTES || dump_count == MAX_DUMPS)
            continue;
        snprintf(dumps[dump_count].path, sizeof dumps[dump_count].path, "%s", full);
        snprintf(dumps[dump_count].name, sizeof dumps[dump_count].name, "%s", sub);
        dump_count++;
    }
    closedir(dir);
}

/* ---- where to aim: the directory, the streams, heap metadata ---- */

typedef struct hot {
    size_t offset, len;
} hot;

static hot hots[MAX_HOT];
static size_t hot_count;

static void add_hot(size_t offset, size_t len, size_t file)
{
    if (hot_count == MAX_HOT || offset >= file || len == 0)
        return;
    hots[hot_count++] = (hot){offset, len < file - offset ? len : file - offset};
}

/* The file bytes behind [va, va+len), when present. */
static void add_hot_va(const hs_address_space *as, uint64_t va, size_t len, size_t file)
{
    const hs_as_range *r = hs_as_find(as, va);
    if (r)
        add_hot((size_t)(r->file_offset + (va - r->start)), len, file);
}

static void find_hot(const uint8_t *data, size_t size, const char *name)
{
    hot_count = 0;
    add_hot(0, 32, size);
    hs_scan_result *r = hs_scan_memory(data, size, name, NULL);
    cr_assert_not_null(r);
    const hs_dump *d = r->dump;
    if (d->valid) {
        add_hot(d->header.directory_rva, (size_t)d->stream_count * 12, size);
        for (size_t i = 0; i < d->stream_count; i++)
            add_hot(d->streams[i].rva, d->streams[i].size, size);
    }
    if (r->heaps)
        for (size_t i = 0; i < r->heaps->count; i++) {
            const hs_heap *h = &r->heaps->heaps[i];
            add_hot_va(r->as, h->handle, 0x800, size);
            for (size_t s = 0; s < h->segment_count; s++)
                add_hot_va(r->as, h->segments[s].address, 0x100, size);
            size_t step = h->block_count / 32 + 1;
            for (size_t b = 0; b < h->block_count; b += step)
                add_hot_va(r->as, h->blocks[b].address, 32, size);
        }
    if (r->process)
        for (size_t i = 0; i < r->process->peb_count; i++)
            add_hot_va(r->as, r->process->pebs[i].address, 0x100, size);
    hs_scan_result_free(r);
}

/* ---- damage ---- */

static size_t pick_offset(size_t size)
{
    if (hot_count && below(3) != 0) {
        const hot *h = &hots[below(hot_count)];
        return h->offset + (size_t)below(h->len);
    }
    return (size_t)below(size);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Damages buf (a copy of the dump) in place; returns the size to scan (truncation). */
static size_t damage(uint8_t *buf, size_t size)
{
    unsigned ops = 1 + (unsigned)below(MAX_OPS);
    for (unsigned k = 0; k < ops && size; k++) {
        size_t at = pick_offset(size);
        switch (below(6)) {
        case 0: /* flip a bit */
            buf[at] ^= (uint8_t)(1u << below(8));
            break;
        case 1: /* replace a byte */
            buf[at] = (uint8_t)next_u64();
            break;
        case 2:
        case 3:
        case 4: { /* set an aligned u32 to a hostile value */
            at &= ~(size_t)3;
            if (at + 4 > size)
                break;
            static const uint32_t values[] = {0,           0xFFFFFFFFu, 0x7FFFFFFFu, 0x80000000u,
                                              0x10000000u, 0x00010000u, 0xFFFFFFF0u, 0x1000u};
            uint32_t v = below(4) == 0 ? (uint32_t)next_u64()
                                       : values[below(sizeof values / sizeof values[0])];
            put_u32(buf + at, v);
            break;
        }
        default: /* truncate (rarely: most of the file is memory) */
            if (below(4) == 0)
                size = at;
            else
                buf[at] = 0;
            break;
        }
    }
    return size;
}

/* ---- the run ---- */

static volatile sig_atomic_t current_dump = -1, current_index = -1;

static void on_fatal(int sig)
{
    /* Name the input that crashed, so HS_MUTATION_ONLY can reproduce it (async-signal-safe). */
    char msg[700];
    int i = current_dump;
    if (i >= 0) {
        int n = snprintf(msg, sizeof msg, "\nmutation test: crashed on %s mutation %d\n",
                         dumps[i].name, (int)current_index);
        if (n > 0)
            (void)!write(2, msg, (size_t)n);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

Test(fuzz, mutated_dumps_through_the_whole_pipeline, .timeout = 900)
{
    collect(HS_SOURCE_ROOT "/corpus/samples", "");
    size_t samples = dump_count;
    collect(HS_REAL_DUMPS, "");
    cr_assert_gt(dump_count, 0, "no dump found");
    qsort(dumps, samples, sizeof *dumps, by_path);
    qsort(dumps + samples, dump_count - samples, sizeof *dumps, by_path);

    const char *only = getenv("HS_MUTATION_ONLY"), *save = getenv("HS_MUTATION_SAVE");
    signal(SIGABRT, on_fatal);
    signal(SIGSEGV, on_fatal);
    const hs_ruleset *rules = fz_rules();
    size_t runs = 0, truncated = 0;
    double total_ms = 0, slowest_ms = 0;
    char slowest[600] = "";
    long long most_bytes = 0;
    double most_ratio = 0;
    char most[600] = "";
    hs_alloc_track(true);
    for (size_t i = 0; i < dump_count; i++) {
        size_t size;
        uint8_t *original = read_whole_file(dumps[i].path, &size);
        find_hot(original, size, dumps[i].name);
        uint8_t *buf = malloc(size ? size : 1);
        cr_assert_not_null(buf);
        for (unsigned m = 0; m < MUTATIONS_PER_DUMP; m++) {
            char id[600];
            snprintf(id, sizeof id, "%s:%u", dumps[i].name, m);
            if (only && strcmp(only, id) != 0)
                continue;
            seed_for(dumps[i].name, m);
            memcpy(buf, original, size);
            size_t n = damage(buf, size);
            truncated += n < size;
            if (only && save) {
                FILE *f = fopen(save, "wb");
                cr_assert(f && fwrite(buf, 1, n, f) == n && fclose(f) == 0, "cannot write %s",
                          save);
            }
            current_dump = (sig_atomic_t)i;
            current_index = (sig_atomic_t)m;
            long long held_before = hs_alloc_live_bytes();
            hs_alloc_peak_reset();
            double t0 = now_ms();
            /* Every other input through the threaded walk and analysis (forced: these dumps are
             * below the size where the scan would choose threads itself). */
            hs_scan_options options = {.threads = m % 2 ? 0 : 4};
            hs_scan_result *r = hs_scan_memory_with(buf, n, dumps[i].name, rules, &options);
            double ms = now_ms() - t0;
            cr_assert_not_null(r, "%s: hs_scan_memory returned NULL", id);
            fz_check_scan(r);
            hs_scan_result_free(r);
            long long bytes = hs_alloc_peak_reset() - held_before;
            current_dump = -1;
            cr_assert_lt(ms, MAX_MS, "%s took %.0f ms", id, ms);
            cr_assert_eq(hs_alloc_live_bytes(), held_before,
                         "%s: %lld bytes still held after the scan", id,
                         hs_alloc_live_bytes() - held_before);
            cr_assert_leq(bytes,
                          (long long)MAX_FIXED_BYTES +
                              (long long)MAX_BYTES_PER_INPUT_BYTE * (long long)n,
                          "%s held %lld bytes at once for a %zu-byte input", id, bytes, n);
            if (bytes > most_bytes) {
                most_bytes = bytes;
                most_ratio = n ? (double)bytes / (double)n : 0;
                snprintf(most, sizeof most, "%s", id);
            }
            runs++;
            total_ms += ms;
            if (ms > slowest_ms) {
                slowest_ms = ms;
                snprintf(slowest, sizeof slowest, "%s", id);
            }
        }
        free(buf);
        free(original);
    }
    printf("mutation test: %zu dumps, %zu mutated inputs (%zu truncated) through the pipeline in "
           "%.0f ms; slowest "
           "%.0f ms (%s)\n",
           dump_count, runs, truncated, total_ms, slowest_ms, slowest);
    printf("mutation test: most memory held at once %.1f MiB (%s, %.2f x its input)\n",
           most_bytes / 1048576.0, most, most_ratio);
    hs_alloc_track(false);
    cr_log_info("%zu dumps, %zu mutated inputs, %.0f ms, slowest %.0f ms (%s)", dump_count, runs,
                total_ms, slowest_ms, slowest);
    if (!only)
        cr_assert_geq(runs, 1000, "only %zu mutated inputs: the corpus is missing", runs);
}
