/* timeit [-w WARMUPS] RUNS CMD [ARGS...]
 * timeit [-w WARMUPS] RUNS -- CMD1 [ARGS...] -- CMD2 [ARGS...] ...
 *
 * Runs each command RUNS times (after WARMUPS warm-up runs each, default 1) with stdout and stderr
 * to /dev/null, and prints one line per command:
 *
 *   WALL_MEDIAN WALL_MIN WALL_MAX RSS_MEDIAN RSS_MIN RSS_MAX CPU_MEDIAN STATUS
 *
 * wall times and CPU time (user + system of the child) in microseconds, peak resident set sizes of
 * the child in KiB (ru_maxrss from wait4), and the exit status of the last run (128 + signal when
 * it was killed). Several commands are run interleaved (1 2 3 1 2 3 ...), so a burst of load on a
 * shared machine hits all of them alike and their ratios stay fair. The children are started with
 * posix_spawn, so no shell time is in the figures. */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct sample {
    long wall_us, rss_kb, cpu_us;
    int status;
} sample;

static long tv_us(struct timeval t) { return t.tv_sec * 1000000L + t.tv_usec; }

static sample run_once(char **argv)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid;
    int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    if (err != 0) {
        fprintf(stderr, "timeit: %s: %s\n", argv[0], strerror(err));
        exit(2);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("timeit: wait4");
        exit(2);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    posix_spawn_file_actions_destroy(&fa);
    sample s;
    s.wall_us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
    s.rss_kb = ru.ru_maxrss;
    s.cpu_us = tv_us(ru.ru_utime) + tv_us(ru.ru_stime);
    s.status = WIFEXITED(status)     ? WEXITSTATUS(status)
               : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                     : 255;
    return s;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v and returns its median (the lower middle one for an even count). */
static long median(long *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_long);
    return v[(n - 1) / 2];
}

enum { MAX_COMMANDS = 16 };

int main(int argc, char **argv)
{
    int warmups = 1, argi = 1;
    if (argc > 2 && strcmp(argv[1], "-w") == 0) {
        warmups = atoi(argv[2]);
        argi = 3;
    }
    if (argc - argi < 2) {
        fprintf(
            stderr,
            "usage: timeit [-w WARMUPS] RUNS CMD [ARGS...] | RUNS -- CMD [ARGS...] -- CMD ...\n");
        return 2;
    }
    int runs = atoi(argv[argi]);
    if (runs < 1)
        runs = 1;
    /* Split the rest into commands at "--" (argv is NULL-terminated, so each piece can be too). */
    char **cmd[MAX_COMMANDS];
    int n = 0;
    if (strcmp(argv[argi + 1], "--") != 0) {
        cmd[n++] = argv + argi + 1;
    } else {
        for (int i = argi + 1; i < argc; i++) {
            if (strcmp(argv[i], "--") == 0) {
                argv[i] = NULL;
                if (i + 1 < argc && strcmp(argv[i + 1], "--") != 0) {
                    if (n == MAX_COMMANDS) {
                        fprintf(stderr, "timeit: at most %d commands\n", MAX_COMMANDS);
                        return 2;
                    }
                    cmd[n++] = argv + i + 1;
                }
            }
        }
        if (n == 0) {
            fprintf(stderr, "timeit: no command\n");
            return 2;
        }
    }
    long *wall = malloc(sizeof *wall * (size_t)(runs * n)),
         *rss = malloc(sizeof *rss * (size_t)(runs * n)),
         *cpu = malloc(sizeof *cpu * (size_t)(runs * n));
    int status[MAX_COMMANDS] = {0};
    if (!wall || !rss || !cpu)
        return 2;
    for (int i = 0; i < warmups; i++)
        for (int c = 0; c < n; c++)
            run_once(cmd[c]);
    for (int i = 0; i < runs; i++)
        for (int c = 0; c < n; c++) {
            sample s = run_once(cmd[c]);
            wall[c * runs + i] = s.wall_us;
            rss[c * runs + i] = s.rss_kb;
            cpu[c * runs + i] = s.cpu_us;
            status[c] = s.status;
        }
    for (int c = 0; c < n; c++) {
        long *w = wall + c * runs, *r = rss + c * runs, *u = cpu + c * runs;
        long wmed = median(w, runs), rmed = median(r, runs), cmed = median(u, runs);
        printf("%ld %ld %ld %ld %ld %ld %ld %d\n", wmed, w[0], w[runs - 1], rmed, r[0], r[runs - 1],
               cmed, status[c]);
    }
    free(wall);
    free(rss);
    free(cpu);
    return 0;
}
