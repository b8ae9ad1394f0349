#include "scan_report.h"

#include <inttypes.h>
#include <string.h>

#include "exception_names.h"
#include "heaps_report.h"
#include "json_util.h"
#include "mapi_props.h"

static json_t *fact_json(hs_fact_id id, const hs_fact_value *v)
{
    if (!v->known)
        return json_null();
    switch (hs_fact_defs()[id].type) {
    case HS_FACT_BOOL:
        return json_boolean(v->value != 0);
    case HS_FACT_VERSION: {
        char buf[48];
        hs_fact_format(id, v, buf, sizeof buf);
        json_t *o = json_object();
        json_object_set_new(o, "packed", json_integer(v->value));
        json_object_set_new(o, "text", json_string(buf));
        return o;
    }
    default:
        return id == HS_FACT_EXCEPTION_CODE ? hs_json_hex((uint64_t)v->value)
                                            : json_integer(v->value);
    }
}

json_t *hs_facts_json(const hs_facts *f)
{
    json_t *o = json_object();
    for (int i = 0; i < HS_FACT_COUNT; i++)
        json_object_set_new(o, hs_fact_defs()[i].name, fact_json((hs_fact_id)i, &f->v[i]));
    return o;
}

void hs_facts_text(FILE *out, const hs_facts *f)
{
    for (int i = 0; i < HS_FACT_COUNT; i++) {
        char buf[64];
        hs_fact_format((hs_fact_id)i, &f->v[i], buf, sizeof buf);
        fprintf(out, "  %-30s %s\n", hs_fact_defs()[i].name, buf);
    }
}

static const hs_finding *top_finding(const hs_scan_result *r)
{
    const hs_finding *top = NULL;
    for (size_t i = 0; i < r->finding_count; i++)
        if (!top || r->findings[i].rule->severity > top->rule->severity)
            top = &r->findings[i];
    return top;
}

void hs_scan_verdict(const hs_scan_result *r, char *buf, size_t size)
{
    if (!r->dump->valid) {
        snprintf(buf, size, "unreadable: not a usable minidump");
        return;
    }
    if (r->out_of_time || r->out_of_memory) {
        snprintf(buf, size, "not analysed: %s",
                 r->out_of_time ? "the analysis ran out of its time budget" : "out of memory");
        return;
    }
    const hs_finding *top = top_finding(r);
    if (!top) {
        if (r->process && r->process->statement)
            snprintf(buf, size, "no finding (%s)", r->process->statement);
        else
            snprintf(buf, size, "no finding");
        return;
    }
    size_t used = (size_t)snprintf(buf, size, "%s (%s): ", top->rule->id,
                                   hs_severity_name(top->rule->severity));
    bool first = true;
    for (size_t i = 0; i < top->rule->facts_used_count && used < size; i++) {
        hs_fact_id id = (hs_fact_id)top->rule->facts_used[i];
        const hs_fact_def *def = &hs_fact_defs()[id];
        if (def->type == HS_FACT_BOOL || id == HS_FACT_MAPI32_VERSION)
            continue;
        char value[48], phrase[160];
        hs_fact_format(id, &r->facts.v[id], value, sizeof value);
        /* The phrase holds one "%s" for the value and, for a count, "{s}" for its plural. */
        const char *mark = strstr(def->phrase, "%s");
        if (mark)
            snprintf(phrase, sizeof phrase, "%.*s%s%s", (int)(mark - def->phrase), def->phrase,
                     value, mark + 2);
        else
            snprintf(phrase, sizeof phrase, "%s", def->phrase);
        char *plural = strstr(phrase, "{s}");
        if (plural) {
            bool one = strcmp(value, "1") == 0;
            memmove(plural + (one ? 0 : 1), plural + 3, strlen(plural + 3) + 1);
            if (!one)
                plural[0] = 's';
        }
        used += (size_t)snprintf(buf + used, size - used, "%s%s", first ? "" : ", ", phrase);
        first = false;
    }
    if (first && used < size)
        used += (size_t)snprintf(buf + used, size - used, "%s", top->rule->title);
    if (r->mapi && r->mapi->primary && used < size) {
        const hs_md_module *m = r->mapi->primary;
        snprintf(buf + used, size - used, "; %s %s", m->name,
                 m->version[0] ? m->version : "(no version)");
    }
}

static bool rule_uses(const hs_rule_info *rule, hs_fact_id id)
{
    for (size_t i = 0; i < rule->facts_used_count; i++)
        if (rule->facts_used[i] == (int)id)
            return true;
    return false;
}

static json_t *prop_block_json(const hs_prop_block *pb)
{
    json_t *o = json_object();
    json_object_set_new(o, "address", hs_json_hex(pb->address));
    json_object_set_new(o, "heap", hs_json_hex(pb->heap));
    json_object_set_new(o, "block", hs_json_hex(pb->block));
    json_object_set_new(o, "entries", json_integer(pb->entries));
    json_object_set_new(o, "entry_index", json_integer(pb->bad_index));
    json_object_set_new(o, "tag", hs_json_hex(pb->bad_tag));
    json_object_set_new(o, "check", hs_json_str_or_null(pb->check));
    json_object_set_new(o, "detail", hs_json_str_or_null(pb->detail));
    json_object_set_new(o, "hex", hs_json_str_or_null(pb->hex));
    return o;
}

static json_t *evidence_json(const hs_scan_result *r, const hs_finding *f)
{
    json_t *ev = json_object();
    if (r->mapi && r->reach &&
        (rule_uses(f->rule, HS_FACT_MAPI_ORPHANED_SESSION_HEAPS) ||
         rule_uses(f->rule, HS_FACT_MAPI_SESSION_HEAPS))) {
        json_t *a = json_array();
        for (size_t i = 0; i < r->heaps->count; i++)
            if (r->mapi->heaps[i].session && r->reach->state[i] == HS_REACH_ORPHANED)
                json_array_append_new(a, hs_json_hex(r->heaps->heaps[i].handle));
        json_object_set_new(ev, "orphaned_session_heaps", a);
    }
    if (r->props && (rule_uses(f->rule, HS_FACT_MAPI_CORRUPT_PROP_BLOCKS) ||
                     rule_uses(f->rule, HS_FACT_MAPI_PROP_BLOCKS))) {
        json_t *a = json_array();
        for (size_t i = 0; i < r->props->count; i++)
            if (r->props->blocks[i].corrupt)
                json_array_append_new(a, prop_block_json(&r->props->blocks[i]));
        json_object_set_new(ev, "corrupt_prop_blocks", a);
    }
    if (r->heaps && rule_uses(f->rule, HS_FACT_HEAP_INTEGRITY_ERRORS)) {
        json_t *a = json_array();
        for (size_t i = 0; i < r->heaps->count; i++) {
            const hs_heap *h = &r->heaps->heaps[i];
            for (size_t e = 0; e < h->error_count; e++)
                json_array_append_new(a, hs_integrity_error_json(h, &h->errors[e]));
        }
        json_object_set_new(ev, "integrity_errors", a);
    }
    if (f->match_count) {
        json_t *a = json_array();
        for (size_t i = 0; i < f->match_count; i++) {
            json_t *mo = json_object();
            json_object_set_new(mo, "string", hs_json_text(f->matches[i].string_id));
            json_object_set_new(mo, "address", hs_json_hex(f->matches[i].address));
            json_array_append_new(a, mo);
        }
        json_object_set_new(ev, "string_matches", a);
    }
    return ev;
}

json_t *hs_scan_json(const hs_scan_result *r)
{
    json_t *o = json_object();
    char buf[1024];
    json_object_set_new(o, "file", hs_json_text(r->dump->path));
    json_object_set_new(o, "valid", json_boolean(r->dump->valid));
    hs_scan_verdict(r, buf, sizeof buf);
    json_object_set_new(o, "verdict", hs_json_text(buf));
    json_object_set_new(o, "statement",
                        hs_json_str_or_null(r->process ? r->process->statement : NULL));
    json_object_set_new(o, "facts", hs_facts_json(&r->facts));
    json_object_set_new(
        o, "reachability_unknown_reason",
        hs_json_str_or_null(r->reach && !r->reach->known ? r->reach->unknown_reason : NULL));
    json_t *findings = json_array();
    for (size_t i = 0; i < r->finding_count; i++) {
        const hs_finding *f = &r->findings[i];
        json_t *fo = json_object();
        json_object_set_new(fo, "id", hs_json_str_or_null(f->rule->id));
        json_object_set_new(fo, "rule", hs_json_str_or_null(f->rule->identifier));
        json_object_set_new(fo, "title", hs_json_str_or_null(f->rule->title));
        json_object_set_new(fo, "kb", hs_json_str_or_null(f->rule->kb));
        json_object_set_new(fo, "severity", json_string(hs_severity_name(f->rule->severity)));
        json_object_set_new(fo, "summary", hs_json_str_or_null(f->rule->summary));
        json_object_set_new(fo, "remedy", hs_json_str_or_null(f->rule->remedy));
        json_object_set_new(fo, "rule_file", hs_json_str_or_null(f->rule->file));
        json_t *used = json_object();
        for (size_t k = 0; k < f->rule->facts_used_count; k++) {
            hs_fact_id id = (hs_fact_id)f->rule->facts_used[k];
            json_object_set_new(used, hs_fact_defs()[id].name, fact_json(id, &r->facts.v[id]));
        }
        json_object_set_new(fo, "facts_used", used);
        json_object_set_new(fo, "evidence", evidence_json(r, f));
        json_array_append_new(findings, fo);
    }
    json_object_set_new(o, "findings", findings);
    json_t *heaps = json_array();
    for (size_t i = 0; r->heaps && i < r->heaps->count; i++) {
        const hs_heap *h = &r->heaps->heaps[i];
        json_t *ho = json_object();
        json_object_set_new(ho, "handle", hs_json_hex(h->handle));
        json_object_set_new(
            ho, "reachability",
            json_string(r->reach ? hs_reachability_name(r->reach->state[i]) : "unknown"));
        json_object_set_new(ho, "reachability_evidence",
                            hs_json_str_or_null(r->reach ? r->reach->evidence[i] : NULL));
        const hs_mapi_heap *mh = r->mapi ? &r->mapi->heaps[i] : NULL;
        json_object_set_new(ho, "mapi_session", json_boolean(mh && mh->session));
        if (mh && mh->eligible) {
            json_t *ev = json_object();
            json_object_set_new(ev, "vtable_objects", json_integer(mh->vtable_objects));
            json_object_set_new(ev, "prop_blocks", json_integer(mh->prop_blocks));
            json_object_set_new(ev, "corrupt_prop_blocks",
                                json_integer(r->props ? r->props->per_heap_corrupt[i] : 0));
            json_object_set_new(ev, "alloc_chain_links", json_integer(mh->alloc_chain_links));
            json_object_set_new(
                ev, "cluster", mh->cluster == UINT32_MAX ? json_null() : json_integer(mh->cluster));
            json_object_set_new(ev, "by_cluster", json_boolean(mh->by_cluster));
            json_object_set_new(ho, "mapi_evidence", ev);
        } else {
            json_object_set_new(ho, "mapi_evidence", json_null());
        }
        json_object_set_new(ho, "busy_blocks", hs_json_size(h->busy_blocks));
        json_object_set_new(ho, "integrity_errors", hs_json_size(h->error_count));
        json_array_append_new(heaps, ho);
    }
    json_object_set_new(o, "heaps", heaps);
    json_t *problems = json_array();
    const hs_diag *lists[] = {&r->dump->problems, &r->problems};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->count; i++) {
            hs_problem_format(&lists[l]->items[i], buf, sizeof buf);
            json_array_append_new(problems, hs_json_text(buf));
        }
    json_object_set_new(o, "problems", problems);
    return o;
}

static void print_finding(FILE *out, const hs_scan_result *r, const hs_finding *f)
{
    const hs_rule_info *rule = f->rule;
    fprintf(out, "  finding %s (%s): %s%s%s%s\n", rule->id, hs_severity_name(rule->severity),
            rule->title, rule->kb ? " [" : "", rule->kb ? rule->kb : "", rule->kb ? "]" : "");
    if (rule->summary)
        fprintf(out, "    %s\n", rule->summary);
    if (rule->remedy)
        fprintf(out, "    remedy: %s\n", rule->remedy);
    fprintf(out, "    facts:");
    for (size_t k = 0; k < rule->facts_used_count; k++) {
        char v[48];
        hs_fact_id id = (hs_fact_id)rule->facts_used[k];
        hs_fact_format(id, &r->facts.v[id], v, sizeof v);
        fprintf(out, " %s=%s", hs_fact_defs()[id].name, v);
    }
    fputc('\n', out);
    if (r->mapi && r->reach && rule_uses(rule, HS_FACT_MAPI_ORPHANED_SESSION_HEAPS)) {
        size_t shown = 0, total = 0;
        fprintf(out, "    orphaned MAPI session heaps:");
        for (size_t i = 0; i < r->heaps->count; i++) {
            if (!(r->mapi->heaps[i].session && r->reach->state[i] == HS_REACH_ORPHANED))
                continue;
            if (shown++ < 8)
                fprintf(out, " 0x%" PRIx64, r->heaps->heaps[i].handle);
            total++;
        }
        fprintf(out, "%s (%zu)\n", total > 8 ? " …" : "", total);
    }
    if (r->props && rule_uses(rule, HS_FACT_MAPI_CORRUPT_PROP_BLOCKS)) {
        size_t shown = 0;
        for (size_t i = 0; i < r->props->count && shown < 5; i++) {
            const hs_prop_block *pb = &r->props->blocks[i];
            if (!pb->corrupt)
                continue;
            shown++;
            const char *type = hs_prop_type_name((uint16_t)pb->bad_tag);
            fprintf(out,
                    "    corrupted property block 0x%" PRIx64 " (heap 0x%" PRIx64
                    ", block 0x%" PRIx64 "): entry %u, tag 0x%08x%s%s%s, %s: %s\n",
                    pb->address, pb->heap, pb->block, pb->bad_index, pb->bad_tag, type ? " (" : "",
                    type ? type : "", type ? ")" : "", pb->check, pb->detail ? pb->detail : "");
            if (pb->hex)
                fprintf(out, "      bytes: %s\n", pb->hex);
            if (shown == 1)
                fprintf(out, "      check it: heapsleuth heaps --heap 0x%" PRIx64 " --entries %s\n",
                        pb->heap, r->dump->path);
        }
        if (r->props->corrupt > shown)
            fprintf(out, "    … %zu more corrupted property blocks (--format json lists all)\n",
                    r->props->corrupt - shown);
    }
    if (r->heaps && rule_uses(rule, HS_FACT_HEAP_INTEGRITY_ERRORS)) {
        size_t shown = 0;
        for (size_t i = 0; i < r->heaps->count && shown < 5; i++)
            for (size_t e = 0; e < r->heaps->heaps[i].error_count && shown < 5; e++, shown++)
                fprintf(out, "    heap 0x%" PRIx64 ": %s at 0x%" PRIx64 ": %s\n",
                        r->heaps->heaps[i].handle, r->heaps->heaps[i].errors[e].check,
                        r->heaps->heaps[i].errors[e].address,
                        r->heaps->heaps[i].errors[e].detail ? r->heaps->heaps[i].errors[e].detail
                                                            : "");
    }
    for (size_t i = 0; i < f->match_count && i < 8; i++)
        fprintf(out, "    string %s at 0x%" PRIx64 "\n", f->matches[i].string_id,
                f->matches[i].address);
}

void hs_scan_text(FILE *out, const hs_scan_result *r, bool verbose)
{
    char verdict[1024];
    hs_scan_verdict(r, verdict, sizeof verdict);
    fprintf(out, "%s\n  verdict: %s\n", r->dump->path, verdict);
    for (size_t i = 0; i < r->finding_count; i++)
        print_finding(out, r, &r->findings[i]);
    if (r->reach && !r->reach->known)
        fprintf(out,
                "  reachability unknown: %s; orphaned-heap facts are unknown and no rule fires on "
                "them\n",
                r->reach->unknown_reason ? r->reach->unknown_reason : "");
    if (verbose) {
        fprintf(out, "  facts:\n");
        hs_facts_text(out, &r->facts);
    }
    const hs_diag *lists[] = {&r->dump->problems, &r->problems};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->count; i++) {
            const hs_problem *p = &lists[l]->items[i];
            if (p->severity == HS_SEV_NOTE && !verbose)
                continue;
            char buf[1280];
            hs_problem_format(p, buf, sizeof buf);
            fprintf(out, "  problem: %s\n", buf);
        }
}
