/* Replay driver: main() for a fuzz target built without libFuzzer (any compiler). Runs
 * LLVMFuzzerTestOneInput once over every file named on the command line and every file found
 * (recursively, in name order) in the directories named, so ctest replays each target's seed
 * corpus and every saved crash in every build, sanitizer build included.
 *
 *   fuzz_replay_NAME [--suffix .dmp]... [--slow SECONDS] PATH...
 *
 * --suffix     take only files with one of these endings from directories (files named
 *              directly are always taken); without it, every regular file
 * --slow       fail when one input takes longer than SECONDS of wall time (a hang detector,
 *              default 0: off)
 *
 * Inputs larger than 64 MB are skipped and counted: the corpus keeps small inputs by design (the
 * largest shared dump is 9 MB), and a bigger file is a full dump that belongs to a benchmark, not
 * to a replay that CI runs under AddressSanitizer in a Debug build. A path that does not exist is
 * reported and skipped; the run fails when it found no input at all. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_INPUT_BYTES = 64 << 20, MAX_SUFFIXES = 16 };

typedef struct replay {
    const char *suffix[MAX_SUFFIXES];
    size_t suffixes;
    double slow_limit;
    size_t inputs, skipped, missing, slow;
    uint64_t bytes;
    double total_ms, slowest_ms;
    char slowest[4096];
} replay;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool wanted(const replay *rp, const char *name)
{
    if (rp->suffixes == 0)
        return true;
    size_t n = strlen(name);
    for (size_t i = 0; i < rp->suffixes; i++) {
        size_t k = strlen(rp->suffix[i]);
        if (n >= k && strcmp(name + n - k, rp->suffix[i]) == 0)
            return true;
    }
    return false;
}

static void run_file(replay *rp, const char *path, off_t size)
{
    if (size > MAX_INPUT_BYTES) {
        fprintf(stderr, "replay: skipping %s (%lld bytes, more than %d)\n", path, (long long)size,
                MAX_INPUT_BYTES);
        rp->skipped++;
        return;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        rp->missing++;
        return;
    }
    /* An exact-size buffer: a read one byte past the input is an ASan report, as under libFuzzer.
     */
    uint8_t *data = malloc(size ? (size_t)size : 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    double t0 = now_ms();
    LLVMFuzzerTestOneInput(data, (size_t)size);
    double ms = now_ms() - t0;
    free(data);
    rp->inputs++;
    rp->bytes += (uint64_t)size;
    rp->total_ms += ms;
    if (ms > rp->slowest_ms) {
        rp->slowest_ms = ms;
        snprintf(rp->slowest, sizeof rp->slowest, "%s", path);
    }
    if (rp->slow_limit > 0 && ms > rp->slow_limit * 1e3) {
        fprintf(stderr, "replay: SLOW: %s took %.0f ms (limit %.0f s)\n", path, ms, rp->slow_limit);
        rp->slow++;
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(replay *rp, const char *path, bool from_dir)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s (skipped)\n", path, strerror(errno));
        rp->missing++;
        return;
    }
    if (S_ISREG(st.st_mode)) {
        if (!from_dir || wanted(rp, path))
            run_file(rp, path, st.st_size);
        return;
    }
    if (!S_ISDIR(st.st_mode))
        return;
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "replay: cannot list %s: %s\n", path, strerror(errno));
        rp->missing++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                exit(2);
            names = grown;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(len)))
            exit(2);
        snprintf(names[n++], len, "%s/%s", path, e->d_name);
    }
    closedir(dir);
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        run_path(rp, names[i], true);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    static replay rp;
    int first = 1;
    for (; first < argc; first++) {
        if (strcmp(argv[first], "--suffix") == 0 && first + 1 < argc && rp.suffixes < MAX_SUFFIXES)
            rp.suffix[rp.suffixes++] = argv[++first];
        else if (strcmp(argv[first], "--slow") == 0 && first + 1 < argc)
            rp.slow_limit = atof(argv[++first]);
        else
            break;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [--suffix .dmp]... [--slow SECONDS] PATH...\n", argv[0]);
        return 2;
    }
    for (int i = first; i < argc; i++)
        run_path(&rp, argv[i], false);
    printf("replayed %zu inputs (%llu bytes) in %.0f ms; slowest %.0f ms (%s); %zu skipped as "
           "larger than 64 MB; "
           "%zu paths missing\n",
           rp.inputs, (unsigned long long)rp.bytes, rp.total_ms, rp.slowest_ms,
           rp.inputs ? rp.slowest : "-", rp.skipped, rp.missing);
    if (rp.inputs == 0) {
        fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    return rp.slow ? 1 : 0;
}
