#include "batch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "batch_report.h"
#include "chain.h"
#include "inputs.h"
#include "progress.h"
#include "scan.h"
#include "source.h"
#include "u64_map.h"

enum {
    /* libyara serves at most 32 concurrent scans of one compiled rule set (YR_MAX_THREADS). */
    MAX_JOBS = 32,
    /* Dumps read ahead of the writer per worker: bounds the bytes held in memory. */
    IN_FLIGHT_PER_JOB = 2,
};

/* Dumps at least this large are hashed on their own thread, alongside the analysis. */
#define DIGEST_THREAD_MIN_BYTES (16u << 20)

void hs_batch_options_default(hs_batch_options *o)
{
    memset(o, 0, sizeof *o);
    o->format = HS_BATCH_TEXT;
    o->fail_on = HS_LEVEL_HIGH;
    o->time_budget = 600;
    hs_unpack_limits_default(&o->limits);
    o->out = stdout;
    o->err = stderr;
    o->stdin_list = stdin;
}

/* --dedupe: the first dump seen with each digest. */
typedef struct seen_digests {
    hs_u64_map by_prefix; /* first 64 bits of the digest → index */
    char (*sha)[HS_SHA256_HEX];
    char **chain;
    size_t count, cap_sha, cap_chain;
} seen_digests;

typedef struct pool {
    const hs_batch_options *o;
    const hs_ruleset *rules;
    bool details;
    pthread_mutex_t m;
    pthread_cond_t job_ready, record_done, space;
    hs_record **records; /* by sequence number; NULL once written */
    size_t produced, records_cap;
    hs_record *queue_head, *queue_tail;
    size_t in_flight, max_in_flight;
    bool producer_done, out_of_memory;
    size_t dumps_found, dumps_done;
    uint64_t bytes_done;
    seen_digests seen;
} pool;

/* ---- producer: inputs → records in order ---- */

static void publish(pool *p, hs_record *rec, bool is_job)
{
    pthread_mutex_lock(&p->m);
    while (is_job && p->in_flight >= p->max_in_flight)
        pthread_cond_wait(&p->space, &p->m);
    if (!hs_grow((void **)&p->records, &p->records_cap, p->produced, sizeof *p->records)) {
        p->out_of_memory = true;
        pthread_mutex_unlock(&p->m);
        hs_record_free(rec);
        return;
    }
    rec->seq = p->produced;
    rec->is_job = is_job;
    p->records[p->produced++] = rec;
    if (is_job) {
        p->in_flight++;
        p->dumps_found++;
        if (p->queue_tail)
            p->queue_tail->next_job = rec;
        else
            p->queue_head = rec;
        p->queue_tail = rec;
        pthread_cond_signal(&p->job_ready);
    } else {
        pthread_cond_signal(&p->record_done);
    }
    pthread_mutex_unlock(&p->m);
}

static uint64_t digest_prefix(const char *hex)
{
    uint64_t v = 0;
    for (int i = 0; i < 16; i++)
        v = v << 4 | (uint64_t)(hex[i] <= '9' ? hex[i] - '0' : hex[i] - 'a' + 10);
    return v | 1; /* 0 is the map's empty key */
}

/* Returns the chain of an earlier dump with the same digest, or NULL after remembering this one. */
static const char *seen_before(seen_digests *s, const char *sha, const char *chain)
{
    uint64_t key = digest_prefix(sha);
    int64_t at = hs_u64_map_find(&s->by_prefix, key);
    if (at >= 0)
        return strcmp(s->sha[at], sha) == 0 ? s->chain[at]
                                            : NULL; /* a 64-bit prefix collision: not a copy */
    if (!hs_grow((void **)&s->sha, &s->cap_sha, s->count, sizeof *s->sha) ||
        !hs_grow((void **)&s->chain, &s->cap_chain, s->count, sizeof *s->chain) ||
        !(s->chain[s->count] = hs_strdup(chain)))
        return NULL;
    memcpy(s->sha[s->count], sha, HS_SHA256_HEX);
    if (hs_u64_map_insert(&s->by_prefix, key, (uint32_t)s->count) < 0) {
        hs_free(s->chain[s->count]);
        return NULL;
    }
    s->count++;
    return NULL;
}

/* The bytes of a dump: a mapping of the file, or the blob it came in. */
typedef struct dump_bytes {
    hs_source src;
    const uint8_t *data;
    size_t size;
} dump_bytes;

static bool open_bytes(const pool *p, const hs_record *rec, dump_bytes *b, char *err,
                       size_t err_size)
{
    memset(b, 0, sizeof *b);
    if (!rec->path) {
        b->data = rec->blob.data;
        b->size = rec->blob.size;
        return true;
    }
    hs_source_limits limits = {.max_inflated_bytes = p->o->limits.max_member_bytes};
    if (hs_source_open_file(rec->path, &limits, &b->src, err, err_size) != HS_OK)
        return false;
    b->data = b->src.data;
    b->size = b->src.size;
    return true;
}

static bool on_unpacked(void *ctx, hs_unpack_event *ev)
{
    pool *p = ctx;
    hs_record *rec = hs_calloc(1, sizeof *rec);
    if (!rec || !(rec->chain = hs_strdup(ev->chain))) {
        hs_free(rec);
        hs_blob_free(&ev->blob);
        p->out_of_memory = true;
        return false;
    }
    rec->worst = -1;
    if (ev->kind != HS_UNPACK_DUMP) {
        rec->status = ev->kind == HS_UNPACK_ERROR ? HS_REC_ERROR : HS_REC_SKIPPED;
        rec->reason = hs_strdup(ev->reason ? ev->reason : "");
        rec->done = true;
        publish(p, rec, false);
        return !p->out_of_memory;
    }
    rec->blob = ev->blob;
    ev->blob = (hs_blob){0};
    if (ev->path && !(rec->path = hs_strdup(ev->path))) {
        hs_record_free(rec);
        p->out_of_memory = true;
        return false;
    }
    if (p->o->dedupe) {
        /* Decided here, in input order, so that the first copy is the one scanned whatever -j. */
        dump_bytes b;
        char err[512];
        if (!open_bytes(p, rec, &b, err, sizeof err)) {
            rec->status = HS_REC_ERROR;
            rec->reason = hs_strdup(err);
            rec->done = true;
            publish(p, rec, false);
            return !p->out_of_memory;
        }
        rec->size = b.size;
        bool hashed = hs_sha256_hex(b.data, b.size, rec->sha256);
        hs_source_close(&b.src);
        const char *first = hashed ? seen_before(&p->seen, rec->sha256, rec->chain) : NULL;
        if (first) {
            rec->status = HS_REC_DUPLICATE;
            rec->reason = hs_strdup(first);
            rec->done = true;
            hs_blob_free(&rec->blob);
            publish(p, rec, false);
            return !p->out_of_memory;
        }
    }
    publish(p, rec, true);
    return !p->out_of_memory;
}

typedef struct producer_args {
    pool *p;
    const hs_input_list *inputs;
} producer_args;

static void *produce(void *arg)
{
    producer_args *a = arg;
    pool *p = a->p;
    const hs_batch_options *o = p->o;
    for (size_t i = 0; i < a->inputs->count && !p->out_of_memory; i++) {
        const hs_input *in = &a->inputs->items[i];
        if (o->shard_n && !hs_shard_keeps(in->path, o->shard_k, o->shard_n))
            continue;
        if (in->problem) {
            hs_unpack_event ev = {
                .kind = HS_UNPACK_ERROR, .chain = in->path, .reason = in->problem};
            if (!on_unpacked(p, &ev))
                break;
            continue;
        }
        char *outer = hs_chain_outer(in->path);
        bool go_on = outer ? hs_chain_unpack(in->path, outer, &o->limits, on_unpacked, p)
                           : hs_unpack_file(in->path, &o->limits, on_unpacked, p);
        hs_free(outer);
        if (!go_on)
            break;
    }
    pthread_mutex_lock(&p->m);
    p->producer_done = true;
    pthread_cond_broadcast(&p->job_ready);
    pthread_cond_broadcast(&p->record_done);
    pthread_mutex_unlock(&p->m);
    return NULL;
}

/* ---- workers: one dump each at a time ---- */

typedef struct digest_job {
    const uint8_t *data;
    size_t size;
    char *hex;
} digest_job;

static void *digest_in_background(void *arg)
{
    digest_job *j = arg;
    if (!hs_sha256_hex(j->data, j->size, j->hex))
        j->hex[0] = '\0';
    return NULL;
}

static void scan_record(pool *p, hs_record *rec)
{
    dump_bytes b;
    char err[512];
    if (!open_bytes(p, rec, &b, err, sizeof err)) {
        rec->status = HS_REC_ERROR;
        rec->reason = hs_strdup(err);
        return;
    }
    rec->size = b.size;
    /* The digest is reported in JSON, JSONL and SARIF (and --dedupe took it already); the text
     * report does not show it, so it is not computed for text. A large dump is hashed on a second
     * thread while it is analysed: SHA-256 runs at ~2 GB/s, a cost the same order as the analysis
     * itself. */
    digest_job job = {b.data, b.size, rec->sha256};
    pthread_t hasher;
    bool background = false;
    if (!rec->sha256[0] && p->o->format != HS_BATCH_TEXT) {
        background = b.size >= DIGEST_THREAD_MIN_BYTES &&
                     pthread_create(&hasher, NULL, digest_in_background, &job) == 0;
        if (!background)
            digest_in_background(&job);
    }
    hs_scan_options options = {.time_budget = p->o->time_budget};
    hs_scan_result *r = hs_scan_memory_with(b.data, b.size, rec->chain, p->rules, &options);
    if (background)
        pthread_join(hasher, NULL);
    if (r)
        hs_record_fill(rec, r, p->o, p->details);
    else {
        rec->status = HS_REC_INVALID;
        rec->reason = hs_strdup("out of memory");
    }
    hs_scan_result_free(r);
    hs_source_close(&b.src);
    hs_blob_free(&rec->blob);
}

static void *work(void *arg)
{
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->m);
        while (!p->queue_head && !p->producer_done)
            pthread_cond_wait(&p->job_ready, &p->m);
        hs_record *rec = p->queue_head;
        if (!rec) {
            pthread_mutex_unlock(&p->m);
            return NULL;
        }
        p->queue_head = rec->next_job;
        if (!p->queue_head)
            p->queue_tail = NULL;
        pthread_mutex_unlock(&p->m);

        scan_record(p, rec);

        pthread_mutex_lock(&p->m);
        rec->done = true;
        pthread_cond_signal(&p->record_done);
        pthread_mutex_unlock(&p->m);
    }
}

/* ---- the writer: records in sequence order ---- */

static void add_seconds(struct timespec *ts, double s)
{
    clock_gettime(CLOCK_REALTIME, ts);
    long ns = ts->tv_nsec + (long)(s * 1e9);
    ts->tv_sec += ns / 1000000000L;
    ts->tv_nsec = ns % 1000000000L;
}

static void write_in_order(pool *p, hs_report *report, hs_progress *progress)
{
    bool report_on_terminal = progress->enabled && isatty(fileno(p->o->out));
    for (size_t next = 0;;) {
        pthread_mutex_lock(&p->m);
        while (!(next < p->produced && p->records[next]->done) &&
               !(p->producer_done && next == p->produced)) {
            if (progress->enabled) {
                size_t done = p->dumps_done, found = p->dumps_found;
                uint64_t bytes = p->bytes_done;
                bool more = !p->producer_done;
                pthread_mutex_unlock(&p->m);
                hs_progress_update(progress, done, found, more, bytes, hs_report_findings(report),
                                   false);
                pthread_mutex_lock(&p->m);
                if ((next < p->produced && p->records[next]->done) ||
                    (p->producer_done && next == p->produced))
                    break;
                struct timespec until;
                add_seconds(&until, 0.1);
                pthread_cond_timedwait(&p->record_done, &p->m, &until);
            } else {
                pthread_cond_wait(&p->record_done, &p->m);
            }
        }
        if (next == p->produced && p->producer_done) {
            pthread_mutex_unlock(&p->m);
            return;
        }
        hs_record *rec = p->records[next];
        p->records[next] = NULL;
        if (rec->is_job) {
            p->in_flight--;
            p->dumps_done++;
            p->bytes_done += rec->size;
            pthread_cond_signal(&p->space);
        }
        pthread_mutex_unlock(&p->m);
        /* Messages and, on the same terminal, the report go on a clean line; the next update
         * draws the progress again. */
        if (rec->status == HS_REC_ERROR || rec->status == HS_REC_INVALID || report_on_terminal)
            hs_progress_finish(progress);
        hs_report_add(report, rec);
        hs_record_free(rec);
        next++;
    }
}

static unsigned online_processors(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_JOBS ? MAX_JOBS : (unsigned)n;
}

static bool is_folder(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int hs_batch_run(const char *const *args, size_t count, const hs_ruleset *rules,
                 const hs_batch_options *o)
{
    bool named_files = true; /* no folder and no "-": every input was named by the user */
    for (size_t i = 0; i < count; i++)
        if (strcmp(args[i], "-") == 0 || is_folder(args[i]))
            named_files = false;
    hs_input_list inputs = {0};
    if (!hs_inputs_expand(args, count, o->stdin_list, &inputs)) {
        fprintf(o->err, "heapsleuth scan: out of memory listing the inputs\n");
        hs_input_list_free(&inputs);
        return 2;
    }
    unsigned jobs = o->jobs ? (o->jobs > MAX_JOBS ? MAX_JOBS : o->jobs) : online_processors();
    pool p = {.o = o, .rules = rules, .details = named_files && !o->brief};
    p.max_in_flight = (size_t)jobs * IN_FLIGHT_PER_JOB + 1;
    pthread_mutex_init(&p.m, NULL);
    pthread_cond_init(&p.job_ready, NULL);
    pthread_cond_init(&p.record_done, NULL);
    pthread_cond_init(&p.space, NULL);
    int exit_code = 0;
    hs_report *report =
        hs_report_new(o, rules, named_files && count == 1 ? args[0] : NULL, p.details);
    if (!report || (o->dedupe && !hs_u64_map_init(&p.seen.by_prefix, 1024))) {
        fprintf(o->err, "heapsleuth scan: out of memory\n");
        hs_report_free(report);
        hs_input_list_free(&inputs);
        return 2;
    }
    hs_progress progress;
    hs_progress_init(&progress, o->err, o->quiet);
    pthread_t producer, workers[MAX_JOBS];
    producer_args pa = {.p = &p, .inputs = &inputs};
    unsigned started = 0;
    for (unsigned i = 0; i < jobs; i++)
        if (pthread_create(&workers[i], NULL, work, &p) == 0)
            started++;
    bool producer_started = started > 0 && pthread_create(&producer, NULL, produce, &pa) == 0;
    if (producer_started) {
        write_in_order(&p, report, &progress);
        pthread_join(producer, NULL);
    } else {
        fprintf(o->err, "heapsleuth scan: could not start threads\n");
        exit_code = 2;
        pthread_mutex_lock(&p.m);
        p.producer_done = true; /* releases the workers */
        pthread_cond_broadcast(&p.job_ready);
        pthread_mutex_unlock(&p.m);
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(workers[i], NULL);
    hs_progress_finish(&progress);
    if (hs_report_finish(report) != 0) {
        fprintf(o->err, "heapsleuth scan: could not write the report\n");
        exit_code = 2;
    }
    if (p.out_of_memory) {
        fprintf(o->err, "heapsleuth scan: out of memory; the report is incomplete\n");
        exit_code = 2;
    }
    if (hs_report_failures(report))
        exit_code = 2;
    else if (exit_code == 0 && hs_report_flagged(report))
        exit_code = 1;
    /* Records a stopped producer left behind (only after out of memory or thread failure). */
    for (size_t i = 0; i < p.produced; i++)
        hs_record_free(p.records[i]);
    hs_free(p.records);
    for (size_t i = 0; i < p.seen.count; i++)
        hs_free(p.seen.chain[i]);
    hs_free(p.seen.chain);
    hs_free(p.seen.sha);
    hs_u64_map_release(&p.seen.by_prefix);
    hs_report_free(report);
    hs_input_list_free(&inputs);
    pthread_cond_destroy(&p.job_ready);
    pthread_cond_destroy(&p.record_done);
    pthread_cond_destroy(&p.space);
    pthread_mutex_destroy(&p.m);
    return exit_code;
}
