#define _GNU_SOURCE /* open_memstream */
#include "batch_report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "json_util.h"
#include "scan_report.h"
#include "version.h"

enum { MAX_SKIP_REASONS = 32 };

void hs_record_free(hs_record *rec)
{
    if (!rec)
        return;
    hs_free(rec->chain);
    hs_free(rec->reason);
    hs_free(rec->hits);
    hs_free(rec->text);
    json_decref(rec->json);
    hs_free(rec->path);
    hs_blob_free(&rec->blob);
    hs_free(rec);
}

static const char *const status_names[] = {"scanned", "invalid", "duplicate", "error", "skipped"};

/* {"file", "status", "sha256", "size"} first, so every line starts alike. */
static json_t *record_head(const hs_record *rec)
{
    json_t *o = json_object();
    json_object_set_new(o, "file", hs_json_text(rec->chain));
    json_object_set_new(o, "status", json_string(status_names[rec->status]));
    json_object_set_new(o, "sha256", rec->sha256[0] ? json_string(rec->sha256) : json_null());
    json_object_set_new(o, "size", rec->sha256[0] ? hs_json_size(rec->size) : json_null());
    return o;
}

json_t *hs_record_plain_json(const hs_record *rec)
{
    if (rec->status == HS_REC_SKIPPED)
        return NULL;
    json_t *o = record_head(rec);
    if (rec->status == HS_REC_DUPLICATE)
        json_object_set_new(o, "duplicate_of", hs_json_text(rec->reason));
    else
        json_object_set_new(o, "error", hs_json_str_or_null(rec->reason));
    return o;
}

static char *first_error(const hs_scan_result *r, const hs_batch_options *o)
{
    if (r->out_of_memory)
        return hs_strdup("out of memory during the analysis");
    if (r->out_of_time) {
        char buf[160];
        snprintf(buf, sizeof buf,
                 "the analysis took longer than its time budget of %g s (--time-budget)",
                 o->time_budget);
        return hs_strdup(buf);
    }
    for (size_t i = 0; i < r->dump->problems.count; i++) {
        const hs_problem *p = &r->dump->problems.items[i];
        if (p->severity != HS_SEV_FATAL)
            continue;
        char buf[1280];
        hs_problem_format(p, buf, sizeof buf);
        return hs_strdup(buf);
    }
    return hs_strdup("not a usable minidump");
}

void hs_record_fill(hs_record *rec, const hs_scan_result *r, const hs_batch_options *o,
                    bool details)
{
    bool usable = r->dump->valid && !r->out_of_memory && !r->out_of_time;
    rec->status = usable ? HS_REC_SCANNED : HS_REC_INVALID;
    if (!usable)
        rec->reason = first_error(r, o);
    rec->worst = hs_scan_worst_severity(r);
    if (r->finding_count) {
        rec->hits = hs_calloc(r->finding_count, sizeof *rec->hits);
        for (size_t i = 0; rec->hits && i < r->finding_count; i++)
            rec->hits[rec->hit_count++] = r->findings[i].rule;
    }
    if (o->format != HS_BATCH_TEXT) {
        json_t *doc = hs_scan_json(r);
        rec->json = record_head(rec);
        json_object_update(rec->json, doc);
        if (!usable)
            json_object_set_new(rec->json, "error", hs_json_text(rec->reason ? rec->reason : ""));
        json_decref(doc);
        return;
    }
    if (details) {
        size_t len = 0;
        FILE *f = open_memstream(&rec->text, &len);
        if (!f)
            return;
        hs_scan_text(f, r, o->verbose);
        fclose(f);
        return;
    }
    char verdict[1024];
    hs_scan_verdict(r, verdict, sizeof verdict);
    size_t n = strlen(rec->chain) + strlen(verdict) + (rec->reason ? strlen(rec->reason) : 0) + 32;
    rec->text = hs_malloc(n);
    if (!rec->text)
        return;
    if (usable)
        snprintf(rec->text, n, "%s: %s\n", rec->chain, verdict);
    else
        snprintf(rec->text, n, "%s: not scanned: %s\n", rec->chain, rec->reason ? rec->reason : "");
}

/* ---- the writer ---- */

typedef struct rule_count {
    const hs_rule_info *rule;
    size_t dumps;
} rule_count;

struct hs_report {
    const hs_batch_options *o;
    const hs_ruleset *rules;
    const char *single_path;
    bool details;
    size_t records, scanned, invalid, duplicates, errors, skipped, flagged, findings;
    struct {
        char *reason;
        size_t count;
    } skip_reasons[MAX_SKIP_REASONS];
    size_t skip_reason_count, skip_other;
    rule_count *by_rule;
    size_t by_rule_count;
    /* json: the first object is held back until a second one shows whether to print an array. */
    json_t *held;
    bool array_open;
    /* sarif */
    json_t *sarif_results, *sarif_artifacts, *sarif_notes;
    int write_error;
};

hs_report *hs_report_new(const hs_batch_options *o, const hs_ruleset *rules,
                         const char *single_path, bool details)
{
    hs_report *w = hs_calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->o = o;
    w->rules = rules;
    w->single_path = single_path;
    w->details = details;
    size_t n = 0;
    if (rules)
        hs_ruleset_rules(rules, &n);
    w->by_rule = n ? hs_calloc(n, sizeof *w->by_rule) : NULL;
    if (n && !w->by_rule) {
        hs_free(w);
        return NULL;
    }
    if (o->format == HS_BATCH_SARIF) {
        w->sarif_results = json_array();
        w->sarif_artifacts = json_array();
        w->sarif_notes = json_array();
    }
    return w;
}

static void print_json(hs_report *w, json_t *doc, bool compact, const char *before)
{
    size_t flags = JSON_ENSURE_ASCII | (compact ? JSON_COMPACT : JSON_INDENT(2));
    char *text = json_dumps(doc, flags);
    if (!text || fputs(before, w->o->out) == EOF || fputs(text, w->o->out) == EOF)
        w->write_error = -1;
    free(text);
}

static void count_skip(hs_report *w, const char *reason)
{
    for (size_t i = 0; i < w->skip_reason_count; i++)
        if (strcmp(w->skip_reasons[i].reason, reason) == 0) {
            w->skip_reasons[i].count++;
            return;
        }
    if (w->skip_reason_count < MAX_SKIP_REASONS &&
        (w->skip_reasons[w->skip_reason_count].reason = hs_strdup(reason))) {
        w->skip_reasons[w->skip_reason_count++].count = 1;
        return;
    }
    w->skip_other++;
}

static void count_hits(hs_report *w, const hs_record *rec)
{
    size_t n = 0;
    const hs_rule_info *all = w->rules ? hs_ruleset_rules(w->rules, &n) : NULL;
    for (size_t h = 0; h < rec->hit_count; h++) {
        w->findings++;
        for (size_t i = 0; i < n; i++)
            if (&all[i] == rec->hits[h]) {
                w->by_rule[i].rule = rec->hits[h];
                w->by_rule[i].dumps++;
            }
    }
}

/* A SARIF artifactLocation.uri: the chain with bytes outside RFC 3986's unreserved set, '/' and
 * '!' percent-encoded. */
static json_t *sarif_uri(const char *chain)
{
    size_t n = strlen(chain);
    char *s = hs_malloc(3 * n + 1);
    if (!s)
        return json_string("");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)chain[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~/!", c))
            s[k++] = (char)c;
        else
            k += (size_t)sprintf(s + k, "%%%02X", c);
    }
    s[k] = '\0';
    json_t *j = json_string(s);
    hs_free(s);
    return j;
}

static const char *sarif_level(hs_severity_level level)
{
    return level >= HS_LEVEL_HIGH ? "error" : level == HS_LEVEL_MEDIUM ? "warning" : "note";
}

static json_t *artifact_location(const hs_record *rec, json_int_t index)
{
    json_t *loc = json_object();
    json_object_set_new(loc, "uri", sarif_uri(rec->chain));
    if (index >= 0)
        json_object_set_new(loc, "index", json_integer(index));
    json_t *phys = json_object();
    json_object_set_new(phys, "artifactLocation", loc);
    json_t *l = json_object();
    json_object_set_new(l, "physicalLocation", phys);
    json_t *a = json_array();
    json_array_append_new(a, l);
    return a;
}

static json_int_t rule_index(const hs_report *w, const char *identifier)
{
    size_t n = 0;
    const hs_rule_info *all = w->rules ? hs_ruleset_rules(w->rules, &n) : NULL;
    for (size_t i = 0; i < n; i++)
        if (identifier && strcmp(all[i].identifier, identifier) == 0)
            return (json_int_t)i;
    return -1;
}

static void sarif_add(hs_report *w, const hs_record *rec)
{
    if (rec->status == HS_REC_SKIPPED)
        return;
    if (rec->status == HS_REC_ERROR || rec->status == HS_REC_INVALID) {
        json_t *note = json_object();
        json_object_set_new(note, "level", json_string("error"));
        json_t *msg = json_object();
        json_object_set_new(msg, "text",
                            hs_json_text(rec->reason ? rec->reason : "could not be read"));
        json_object_set_new(note, "message", msg);
        json_object_set_new(note, "locations", artifact_location(rec, -1));
        json_array_append_new(w->sarif_notes, note);
        if (rec->status == HS_REC_ERROR)
            return;
    }
    json_int_t index = (json_int_t)json_array_size(w->sarif_artifacts);
    json_t *art = json_object();
    json_t *loc = json_object();
    json_object_set_new(loc, "uri", sarif_uri(rec->chain));
    json_object_set_new(art, "location", loc);
    if (rec->sha256[0]) {
        json_object_set_new(art, "length", hs_json_size(rec->size));
        json_t *hashes = json_object();
        json_object_set_new(hashes, "sha-256", json_string(rec->sha256));
        json_object_set_new(art, "hashes", hashes);
    }
    json_array_append_new(w->sarif_artifacts, art);
    json_t *findings = rec->json ? json_object_get(rec->json, "findings") : NULL;
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f)
    {
        const char *identifier = json_string_value(json_object_get(f, "rule"));
        const char *title = json_string_value(json_object_get(f, "title"));
        int sev = hs_severity_parse(json_string_value(json_object_get(f, "severity")));
        json_t *res = json_object();
        json_object_set_new(res, "ruleId", json_string(identifier ? identifier : "?"));
        json_int_t ri = rule_index(w, identifier);
        if (ri >= 0)
            json_object_set_new(res, "ruleIndex", json_integer(ri));
        json_object_set_new(
            res, "level",
            json_string(sarif_level(sev < 0 ? HS_LEVEL_INFO : (hs_severity_level)sev)));
        char text[1024];
        const char *verdict = json_string_value(json_object_get(rec->json, "verdict"));
        snprintf(text, sizeof text, "%s%s%s",
                 title        ? title
                 : identifier ? identifier
                              : "finding",
                 i == 0 && verdict ? ": " : "", i == 0 && verdict ? verdict : "");
        json_t *msg = json_object();
        json_object_set_new(msg, "text", hs_json_text(text));
        json_object_set_new(res, "message", msg);
        json_object_set_new(res, "locations", artifact_location(rec, index));
        json_t *props = json_object();
        json_object_set(props, "severity", json_object_get(f, "severity"));
        json_object_set(props, "kb", json_object_get(f, "kb"));
        json_object_set(props, "facts_used", json_object_get(f, "facts_used"));
        json_object_set(props, "evidence", json_object_get(f, "evidence"));
        json_object_set_new(res, "properties", props);
        json_array_append_new(w->sarif_results, res);
    }
}

static void report_error_line(hs_report *w, const hs_record *rec)
{
    fprintf(w->o->err, "heapsleuth scan: %s: %s\n", rec->chain,
            rec->reason ? rec->reason : "could not be read");
}

void hs_report_add(hs_report *w, hs_record *rec)
{
    const hs_batch_options *o = w->o;
    w->records++;
    switch (rec->status) {
    case HS_REC_SCANNED:
        w->scanned++;
        break;
    case HS_REC_INVALID:
        w->invalid++;
        break;
    case HS_REC_DUPLICATE:
        w->duplicates++;
        break;
    case HS_REC_ERROR:
        w->errors++;
        break;
    case HS_REC_SKIPPED:
        w->skipped++;
        count_skip(w, rec->reason ? rec->reason : "?");
        break;
    }
    count_hits(w, rec);
    if (rec->worst >= o->fail_on)
        w->flagged++;
    bool failed = rec->status == HS_REC_ERROR || rec->status == HS_REC_INVALID;
    if (failed && o->format != HS_BATCH_TEXT)
        report_error_line(w, rec);
    if (!rec->json && o->format != HS_BATCH_TEXT)
        rec->json = hs_record_plain_json(rec);
    switch (o->format) {
    case HS_BATCH_TEXT:
        /* Full reports leave the reason of a failure to standard error; verdict lines carry it. */
        if (failed && w->details)
            report_error_line(w, rec);
        if (rec->text) {
            if (fputs(rec->text, o->out) == EOF)
                w->write_error = -1;
        } else if (failed && !w->details) {
            fprintf(o->out, "%s: not scanned: %s\n", rec->chain, rec->reason ? rec->reason : "");
        } else if (rec->status == HS_REC_DUPLICATE) {
            fprintf(o->out, "%s: duplicate of %s\n", rec->chain, rec->reason);
        } else if (rec->status == HS_REC_SKIPPED && o->verbose) {
            fprintf(o->out, "%s: skipped: %s\n", rec->chain, rec->reason ? rec->reason : "");
        }
        break;
    case HS_BATCH_JSONL:
        if (rec->json) {
            print_json(w, rec->json, true, "");
            if (fputc('\n', o->out) == EOF)
                w->write_error = -1;
        }
        break;
    case HS_BATCH_JSON:
        if (!rec->json)
            break;
        if (!w->held && !w->array_open) {
            w->held = json_incref(rec->json);
            break;
        }
        if (w->held) {
            print_json(w, w->held, false, "[\n");
            json_decref(w->held);
            w->held = NULL;
            w->array_open = true;
        }
        print_json(w, rec->json, false, ",\n");
        break;
    case HS_BATCH_SARIF:
        sarif_add(w, rec);
        break;
    }
    json_decref(rec->json);
    rec->json = NULL;
    hs_free(rec->text);
    rec->text = NULL;
}

static json_t *sarif_rules(const hs_report *w)
{
    json_t *a = json_array();
    size_t n = 0;
    const hs_rule_info *all = w->rules ? hs_ruleset_rules(w->rules, &n) : NULL;
    for (size_t i = 0; i < n; i++) {
        const hs_rule_info *r = &all[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", hs_json_text(r->identifier));
        json_object_set_new(o, "name", hs_json_text(r->identifier));
        json_t *s = json_object();
        json_object_set_new(s, "text", hs_json_text(r->title ? r->title : r->identifier));
        json_object_set_new(o, "shortDescription", s);
        if (r->summary) {
            json_t *full = json_object();
            json_object_set_new(full, "text", hs_json_text(r->summary));
            json_object_set_new(o, "fullDescription", full);
        }
        if (r->remedy) {
            json_t *help = json_object();
            json_object_set_new(help, "text", hs_json_text(r->remedy));
            json_object_set_new(o, "help", help);
        }
        json_t *conf = json_object();
        json_object_set_new(conf, "level", json_string(sarif_level(r->severity)));
        json_object_set_new(o, "defaultConfiguration", conf);
        json_t *props = json_object();
        json_object_set_new(props, "severity", json_string(hs_severity_name(r->severity)));
        json_object_set_new(props, "kb", hs_json_str_or_null(r->kb));
        json_object_set_new(props, "heapsleuth_id", hs_json_str_or_null(r->id));
        json_object_set_new(props, "rule_file", hs_json_str_or_null(r->file));
        json_object_set_new(o, "properties", props);
        json_array_append_new(a, o);
    }
    return a;
}

static void finish_sarif(hs_report *w)
{
    json_t *driver = json_object();
    json_object_set_new(driver, "name", json_string("heapsleuth"));
    json_object_set_new(driver, "version", json_string(HS_VERSION));
    json_object_set_new(driver, "rules", sarif_rules(w));
    json_t *tool = json_object();
    json_object_set_new(tool, "driver", driver);
    json_t *inv = json_object();
    json_object_set_new(inv, "executionSuccessful",
                        json_boolean(w->errors == 0 && w->invalid == 0));
    json_object_set_new(inv, "toolExecutionNotifications", w->sarif_notes);
    w->sarif_notes = NULL;
    json_t *invocations = json_array();
    json_array_append_new(invocations, inv);
    json_t *run = json_object();
    json_object_set_new(run, "tool", tool);
    json_object_set_new(run, "invocations", invocations);
    json_object_set_new(run, "artifacts", w->sarif_artifacts);
    json_object_set_new(run, "results", w->sarif_results);
    w->sarif_artifacts = w->sarif_results = NULL;
    json_t *props = json_object();
    json_object_set_new(props, "dumps_scanned", json_integer((json_int_t)w->scanned));
    json_object_set_new(props, "dumps_invalid", json_integer((json_int_t)w->invalid));
    json_object_set_new(props, "duplicates", json_integer((json_int_t)w->duplicates));
    json_object_set_new(props, "errors", json_integer((json_int_t)w->errors));
    json_object_set_new(props, "skipped", json_integer((json_int_t)w->skipped));
    json_object_set_new(run, "properties", props);
    json_t *runs = json_array();
    json_array_append_new(runs, run);
    json_t *log = json_object();
    json_object_set_new(log, "$schema",
                        json_string("https://json.schemastore.org/sarif-2.1.0.json"));
    json_object_set_new(log, "version", json_string("2.1.0"));
    json_object_set_new(log, "runs", runs);
    if (hs_json_print(log, w->o->out, 0) != 0)
        w->write_error = -1;
    json_decref(log);
}

static void finish_text(hs_report *w)
{
    FILE *out = w->o->out;
    fprintf(out, "\nsummary\n");
    fprintf(out, "  %8zu  dumps scanned\n", w->scanned);
    if (w->duplicates)
        fprintf(out, "  %8zu  duplicates (--dedupe)\n", w->duplicates);
    fprintf(out, "  %8zu  failed (not readable, refused by a limit or not a usable dump)\n",
            w->errors + w->invalid);
    fprintf(out, "  %8zu  skipped\n", w->skipped);
    for (size_t i = 0; i < w->skip_reason_count; i++)
        fprintf(out, "  %8zu    %s\n", w->skip_reasons[i].count, w->skip_reasons[i].reason);
    if (w->skip_other)
        fprintf(out, "  %8zu    other reasons\n", w->skip_other);
    size_t n = 0;
    if (w->rules)
        hs_ruleset_rules(w->rules, &n);
    fprintf(out, "  findings by rule (dumps)%s\n", w->findings ? "" : ": none");
    for (size_t i = 0; i < n; i++)
        if (w->by_rule[i].dumps)
            fprintf(out, "  %8zu    %s (%s)\n", w->by_rule[i].dumps, w->by_rule[i].rule->identifier,
                    hs_severity_name(w->by_rule[i].rule->severity));
}

int hs_report_finish(hs_report *w)
{
    switch (w->o->format) {
    case HS_BATCH_TEXT:
        /* One dump named on the command line needs no table. */
        if (w->records > 1 || w->o->brief || !w->single_path)
            finish_text(w);
        break;
    case HS_BATCH_JSON: {
        const char *held_file =
            w->held ? json_string_value(json_object_get(w->held, "file")) : NULL;
        if (held_file && w->single_path && strcmp(held_file, w->single_path) == 0) {
            print_json(w, w->held, false, ""); /* one named dump: the object itself */
        } else if (w->held) {
            print_json(w, w->held, false, "[\n");
            fputs("\n]", w->o->out);
        } else if (w->array_open) {
            fputs("\n]", w->o->out);
        } else {
            fputs("[]", w->o->out); /* nothing to report */
        }
        fputc('\n', w->o->out);
        json_decref(w->held);
        w->held = NULL;
        break;
    }
    case HS_BATCH_JSONL:
        break;
    case HS_BATCH_SARIF:
        finish_sarif(w);
        break;
    }
    if (fflush(w->o->out) != 0)
        w->write_error = -1;
    return w->write_error;
}

size_t hs_report_failures(const hs_report *w) { return w->errors + w->invalid; }
size_t hs_report_flagged(const hs_report *w) { return w->flagged; }
size_t hs_report_findings(const hs_report *w) { return w->findings; }

void hs_report_free(hs_report *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->skip_reason_count; i++)
        hs_free(w->skip_reasons[i].reason);
    hs_free(w->by_rule);
    json_decref(w->held);
    json_decref(w->sarif_results);
    json_decref(w->sarif_artifacts);
    json_decref(w->sarif_notes);
    hs_free(w);
}
