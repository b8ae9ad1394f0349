/* `heapsleuth scan` and `heapsleuth facts`: the full pipeline per dump, verdicts from the rules. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_util.h"
#include "scan_report.h"

enum { MAX_RULE_PATHS = 64 };

static void scan_usage(FILE *out)
{
    fprintf(out,
            "usage: heapsleuth scan [OPTIONS] DUMP...\n"
            "\n"
            "Runs the whole analysis on each dump — heap walk, reachability, MAPI session heaps, property\n"
            "blocks — computes the facts and evaluates the rules. Prints a verdict per dump, then each\n"
            "finding with the facts it used and the evidence behind them.\n"
            "\n"
            "  -f, --format FORMAT     text (default) or json (with several dumps: an array)\n"
            "  -r, --rules PATH        also load the rule file, or every .yar file in the folder (repeatable)\n"
            "      --no-default-rules  do not load the shipped rules\n"
            "      --fail-on SEVERITY  exit 1 when a finding is at least this severe: info, low, medium,\n"
            "                          high (default), critical\n"
            "  -v, --verbose           also print every fact and every note\n"
            "  -h, --help              this text\n"
            "\n"
            "Shipped rules are read from $HEAPSLEUTH_RULES, the rules/ folder beside the binary, or\n"
            "../share/heapsleuth/rules. A rule file that does not compile is reported (file:line) and\n"
            "the others still run.\n"
            "\n"
            "Exit status: 0 no finding at or above --fail-on; 1 at least one; 2 usage error or a dump that\n"
            "could not be read (the others are still scanned and reported).\n");
}

static void print_problems(const char *cmd, const hs_diag *d)
{
    for (size_t i = 0; i < d->count; i++) {
        char buf[1280];
        hs_problem_format(&d->items[i], buf, sizeof buf);
        fprintf(stderr, "heapsleuth %s: %s\n", cmd, buf);
    }
}

int hs_cmd_scan(int argc, char **argv)
{
    hs_format format = HS_FORMAT_TEXT;
    const char *rule_paths[MAX_RULE_PATHS];
    size_t n_rules = 0;
    bool default_rules = true, verbose = false;
    int fail_on = HS_LEVEL_HIGH;
    enum { OPT_NO_DEFAULT = 256, OPT_FAIL_ON };
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'}, {"rules", required_argument, NULL, 'r'},
        {"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT}, {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:r:vh", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (hs_cli_parse_format("scan", optarg, &format) != 0)
                return HS_EXIT_ERROR;
            break;
        case 'r':
            if (n_rules == MAX_RULE_PATHS - 1) {
                fprintf(stderr, "heapsleuth scan: at most %d --rules\n", MAX_RULE_PATHS - 1);
                return HS_EXIT_ERROR;
            }
            rule_paths[n_rules++] = optarg;
            break;
        case OPT_NO_DEFAULT: default_rules = false; break;
        case OPT_FAIL_ON:
            fail_on = hs_severity_parse(optarg);
            if (fail_on < 0) {
                fprintf(stderr, "heapsleuth scan: --fail-on takes info, low, medium, high or critical, not '%s'\n", optarg);
                return HS_EXIT_ERROR;
            }
            break;
        case 'v': verbose = true; break;
        case 'h': scan_usage(stdout); return HS_EXIT_OK;
        default: scan_usage(stderr); return HS_EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "heapsleuth scan: no dump given\n\n");
        scan_usage(stderr);
        return HS_EXIT_ERROR;
    }
    if (default_rules) {
        const char *dir = hs_default_rules_dir();
        if (dir)
            rule_paths[n_rules++] = dir;
        else
            fprintf(stderr, "heapsleuth scan: the shipped rules were not found (set HEAPSLEUTH_RULES)\n");
    }
    hs_arena *arena = hs_arena_new(1u << 24);
    hs_diag rule_problems = {.arena = arena};
    hs_ruleset *rules = hs_ruleset_load(rule_paths, n_rules, &rule_problems);
    print_problems("scan", &rule_problems);
    if (!rules) {
        fprintf(stderr, "heapsleuth scan: the rules engine could not start\n");
        hs_diag_release(&rule_problems);
        hs_arena_free(arena);
        return HS_EXIT_ERROR;
    }
    int exit_code = HS_EXIT_OK;
    bool findings = false;
    json_t *array = format == HS_FORMAT_JSON && argc - optind > 1 ? json_array() : NULL;
    for (int i = optind; i < argc; i++) {
        hs_scan_result *r = hs_scan_path(argv[i], rules);
        if (!r) {
            fprintf(stderr, "heapsleuth scan: %s: out of memory\n", argv[i]);
            exit_code = HS_EXIT_ERROR;
            continue;
        }
        if (!r->dump->valid || r->out_of_memory) {
            exit_code = HS_EXIT_ERROR;
            for (size_t p = 0; p < r->dump->problems.count; p++) {
                char buf[1280];
                hs_problem_format(&r->dump->problems.items[p], buf, sizeof buf);
                fprintf(stderr, "heapsleuth scan: %s: %s\n", argv[i], buf);
            }
            if (r->out_of_memory)
                fprintf(stderr, "heapsleuth scan: %s: out of memory during the analysis\n", argv[i]);
        }
        findings |= hs_scan_worst_severity(r) >= fail_on;
        if (format == HS_FORMAT_JSON) {
            json_t *doc = hs_scan_json(r);
            if (array)
                json_array_append_new(array, doc);
            else {
                if (hs_json_print(doc, stdout, 0) != 0)
                    exit_code = HS_EXIT_ERROR;
                json_decref(doc);
            }
        } else {
            hs_scan_text(stdout, r, verbose);
        }
        hs_scan_result_free(r);
    }
    if (array) {
        if (hs_json_print(array, stdout, 0) != 0)
            exit_code = HS_EXIT_ERROR;
        json_decref(array);
    }
    hs_ruleset_free(rules);
    hs_diag_release(&rule_problems);
    hs_arena_free(arena);
    if (fflush(stdout) != 0)
        exit_code = HS_EXIT_ERROR;
    if (exit_code == HS_EXIT_OK && findings)
        exit_code = HS_EXIT_FINDINGS;
    return exit_code;
}

static void facts_usage(FILE *out)
{
    fprintf(out,
            "usage: heapsleuth facts [--format text|json] DUMP\n"
            "       heapsleuth facts --list [--format text|json]\n"
            "\n"
            "Prints the facts the analyses publish for a dump (unknown ones as 'unknown' / null), or with\n"
            "--list the table of every fact: name, type, unit and meaning. Rules read facts as YARA\n"
            "external variables of the same names (booleans as 0/1, unknown facts as -1).\n");
}

int hs_cmd_facts(int argc, char **argv)
{
    hs_format format = HS_FORMAT_TEXT;
    bool list = false;
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'}, {"list", no_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:lh", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (hs_cli_parse_format("facts", optarg, &format) != 0)
                return HS_EXIT_ERROR;
            break;
        case 'l': list = true; break;
        case 'h': facts_usage(stdout); return HS_EXIT_OK;
        default: facts_usage(stderr); return HS_EXIT_ERROR;
        }
    }
    const hs_fact_def *defs = hs_fact_defs();
    static const char *const type_names[] = {"boolean", "integer", "version"};
    if (list) {
        if (format == HS_FORMAT_JSON) {
            json_t *a = json_array();
            for (int i = 0; i < HS_FACT_COUNT; i++) {
                json_t *o = json_object();
                json_object_set_new(o, "name", json_string(defs[i].name));
                json_object_set_new(o, "type", json_string(type_names[defs[i].type]));
                json_object_set_new(o, "unit", json_string(defs[i].unit));
                json_object_set_new(o, "meaning", json_string(defs[i].meaning));
                json_array_append_new(a, o);
            }
            int rc = hs_json_print(a, stdout, 0);
            json_decref(a);
            return rc == 0 ? HS_EXIT_OK : HS_EXIT_ERROR;
        }
        printf("%-30s %-8s %-22s %s\n", "fact", "type", "unit", "meaning");
        for (int i = 0; i < HS_FACT_COUNT; i++)
            printf("%-30s %-8s %-22s %s\n", defs[i].name, type_names[defs[i].type], defs[i].unit, defs[i].meaning);
        return HS_EXIT_OK;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "heapsleuth facts: expected exactly one dump (or --list)\n\n");
        facts_usage(stderr);
        return HS_EXIT_ERROR;
    }
    hs_scan_result *r = hs_scan_path(argv[optind], NULL);
    if (!r) {
        fprintf(stderr, "heapsleuth facts: %s: out of memory\n", argv[optind]);
        return HS_EXIT_ERROR;
    }
    int rc = HS_EXIT_OK;
    if (!r->dump->valid) {
        print_problems("facts", &r->dump->problems);
        rc = HS_EXIT_ERROR;
    } else if (format == HS_FORMAT_JSON) {
        json_t *o = json_object();
        json_object_set_new(o, "file", hs_json_text(r->dump->path));
        json_object_set_new(o, "facts", hs_facts_json(&r->facts));
        if (hs_json_print(o, stdout, 0) != 0)
            rc = HS_EXIT_ERROR;
        json_decref(o);
    } else {
        printf("%s\n", r->dump->path);
        hs_facts_text(stdout, &r->facts);
    }
    hs_scan_result_free(r);
    return rc;
}
