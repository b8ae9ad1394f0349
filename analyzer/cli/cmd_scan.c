/* `heapsleuth scan` and `heapsleuth facts`: the full pipeline per dump, verdicts from the rules. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "chain.h"
#include "cli.h"
#include "inputs.h"
#include "json_util.h"
#include "scan_report.h"

enum { MAX_RULE_PATHS = 64 };

static void scan_usage(FILE *out)
{
    fprintf(
        out,
        "usage: heapsleuth scan [OPTIONS] INPUT...\n"
        "\n"
        "Runs the whole analysis on each dump — heap walk, reachability, MAPI session heaps, "
        "property\n"
        "blocks — computes the facts and evaluates the rules. An INPUT is a dump, a folder "
        "(walked\n"
        "recursively in name order), an archive (zip, 7z, cab, tar and its compressed forms, "
        "rar),\n"
        "a compressed dump (.gz, .xz, .bz2, .zst) or '-' for a list of paths on standard input, "
        "one\n"
        "per line. Archives inside archives are opened too. Dumps are recognised by their MDMP\n"
        "signature, not their name; everything else is skipped and counted. Members are inflated "
        "in\n"
        "memory or an anonymous temporary file, never written under their own names.\n"
        "\n"
        "Output:\n"
        "  -f, --format FORMAT     text (default): for dumps named on the command line the full "
        "report,\n"
        "                          otherwise a verdict line per dump; then a summary table.\n"
        "                          json: one object for one named dump, else an array.\n"
        "                          jsonl: one line per dump and per unreadable input, nothing "
        "else.\n"
        "                          sarif: SARIF 2.1.0, a result per finding.\n"
        "      --brief             text: a verdict line per dump even for named dumps\n"
        "  -v, --verbose           text: every fact and note, and each skipped input with its "
        "reason\n"
        "  -q, --quiet             no progress line on standard error (it is drawn only on a "
        "terminal)\n"
        "\n"
        "Batch:\n"
        "  -j, --jobs N            dumps scanned in parallel (default: the number of processors, "
        "at\n"
        "                          most 32); results are written in input order whatever N\n"
        "      --dedupe            scan each distinct dump (SHA-256 of its bytes) once; copies "
        "are\n"
        "                          reported as duplicates of the first\n"
        "      --shard K/N         only the inputs whose path hashes to K modulo N (0 <= K < N): "
        "N\n"
        "                          machines with the same arguments split the work, and their "
        "JSONL\n"
        "                          outputs concatenate into the whole\n"
        "\n"
        "Limits (SIZE takes a K, M, G or T suffix, powers of 1024):\n"
        "      --max-member-size SIZE  largest archive member or decompressed stream (default "
        "16G)\n"
        "      --max-total-size SIZE   bytes expanded from one input in all (default 64G)\n"
        "      --max-ratio N           largest expansion ratio of a member, against archive bombs\n"
        "                              (default 1000)\n"
        "      --max-depth N           archives nested at most N deep (default 4)\n"
        "      --max-in-memory SIZE    a member larger than this is inflated into an anonymous\n"
        "                              temporary file under $TMPDIR instead of memory (default "
        "256M)\n"
        "      --time-budget SECONDS   analysis time per dump; a dump that takes longer is "
        "reported\n"
        "                              as not scanned (default 600, 0 for none)\n"
        "\n"
        "Rules:\n"
        "  -r, --rules PATH        also load the rule file, or every .yar file in the folder "
        "(repeatable)\n"
        "      --no-default-rules  do not load the shipped rules\n"
        "      --fail-on SEVERITY  exit 1 when a finding is at least this severe: info, low, "
        "medium,\n"
        "                          high (default), critical\n"
        "  -h, --help              this text\n"
        "\n"
        "Shipped rules are read from $HEAPSLEUTH_RULES, the rules/ folder beside the binary, or\n"
        "../share/heapsleuth/rules. A rule file that does not compile is reported (file:line) and\n"
        "the others still run.\n"
        "\n"
        "Exit status: 0 no finding at or above --fail-on; 1 at least one; 2 usage error, or an "
        "input\n"
        "that could not be read, was refused by a limit or is not a usable dump (the others are "
        "still\n"
        "scanned and reported).\n");
}

static void print_problems(const char *cmd, const hs_diag *d)
{
    for (size_t i = 0; i < d->count; i++) {
        char buf[1280];
        hs_problem_format(&d->items[i], buf, sizeof buf);
        fprintf(stderr, "heapsleuth %s: %s\n", cmd, buf);
    }
}

/* "512", "64K", "16G": a byte count with an optional binary suffix. */
static bool parse_size(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || errno || text[0] == '-')
        return false;
    unsigned shift = 0;
    if (*end) {
        const char *units = "KMGT";
        const char *u = strchr(units, *end == 'k' ? 'K' : *end);
        if (!u || !*u || (end[1] && strcmp(end + 1, "B") != 0 && strcmp(end + 1, "iB") != 0))
            return false;
        shift = 10u * (unsigned)(u - units + 1);
    }
    if (v > (UINT64_MAX >> shift))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

static bool parse_count(const char *text, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (end == text || *end || errno || text[0] == '-' || v > max)
        return false;
    *out = v;
    return true;
}

static int bad_value(const char *option, const char *value, const char *expected)
{
    fprintf(stderr, "heapsleuth scan: %s takes %s, not '%s'\n", option, expected, value);
    return HS_EXIT_ERROR;
}

int hs_cmd_scan(int argc, char **argv)
{
    hs_batch_options o;
    hs_batch_options_default(&o);
    const char *rule_paths[MAX_RULE_PATHS];
    size_t n_rules = 0;
    bool default_rules = true;
    enum {
        OPT_NO_DEFAULT = 256,
        OPT_FAIL_ON,
        OPT_DEDUPE,
        OPT_SHARD,
        OPT_BRIEF,
        OPT_MAX_MEMBER,
        OPT_MAX_TOTAL,
        OPT_MAX_RATIO,
        OPT_MAX_DEPTH,
        OPT_TIME_BUDGET,
        OPT_MAX_IN_MEMORY,
    };
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"rules", required_argument, NULL, 'r'},
        {"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"brief", no_argument, NULL, OPT_BRIEF},
        {"jobs", required_argument, NULL, 'j'},
        {"dedupe", no_argument, NULL, OPT_DEDUPE},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"max-member-size", required_argument, NULL, OPT_MAX_MEMBER},
        {"max-total-size", required_argument, NULL, OPT_MAX_TOTAL},
        {"max-ratio", required_argument, NULL, OPT_MAX_RATIO},
        {"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
        {"time-budget", required_argument, NULL, OPT_TIME_BUDGET},
        {"max-in-memory", required_argument, NULL, OPT_MAX_IN_MEMORY},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    unsigned long n;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:r:j:vqh", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "text") == 0)
                o.format = HS_BATCH_TEXT;
            else if (strcmp(optarg, "json") == 0)
                o.format = HS_BATCH_JSON;
            else if (strcmp(optarg, "jsonl") == 0)
                o.format = HS_BATCH_JSONL;
            else if (strcmp(optarg, "sarif") == 0)
                o.format = HS_BATCH_SARIF;
            else
                return bad_value("--format", optarg, "text, json, jsonl or sarif");
            break;
        case 'r':
            if (n_rules == MAX_RULE_PATHS - 1) {
                fprintf(stderr, "heapsleuth scan: at most %d --rules\n", MAX_RULE_PATHS - 1);
                return HS_EXIT_ERROR;
            }
            rule_paths[n_rules++] = optarg;
            break;
        case OPT_NO_DEFAULT:
            default_rules = false;
            break;
        case OPT_FAIL_ON:
            o.fail_on = hs_severity_parse(optarg);
            if (o.fail_on < 0)
                return bad_value("--fail-on", optarg, "info, low, medium, high or critical");
            break;
        case 'v':
            o.verbose = true;
            break;
        case 'q':
            o.quiet = true;
            break;
        case OPT_BRIEF:
            o.brief = true;
            break;
        case OPT_DEDUPE:
            o.dedupe = true;
            break;
        case 'j':
            if (!parse_count(optarg, 1024, &n) || n == 0)
                return bad_value("--jobs", optarg, "a number of workers from 1");
            o.jobs = (unsigned)n;
            break;
        case OPT_SHARD:
            if (!hs_shard_parse(optarg, &o.shard_k, &o.shard_n))
                return bad_value("--shard", optarg, "K/N with 0 <= K < N");
            break;
        case OPT_MAX_MEMBER:
            if (!parse_size(optarg, &o.limits.max_member_bytes) || !o.limits.max_member_bytes)
                return bad_value("--max-member-size", optarg, "a size such as 512M or 16G");
            break;
        case OPT_MAX_TOTAL:
            if (!parse_size(optarg, &o.limits.max_total_bytes) || !o.limits.max_total_bytes)
                return bad_value("--max-total-size", optarg, "a size such as 4G or 64G");
            break;
        case OPT_MAX_IN_MEMORY:
            if (!parse_size(optarg, &o.limits.spill_bytes))
                return bad_value("--max-in-memory", optarg, "a size such as 64M");
            break;
        case OPT_MAX_RATIO:
            if (!parse_count(optarg, 1000000000ul, &n) || n == 0)
                return bad_value("--max-ratio", optarg, "a ratio from 1");
            o.limits.max_ratio = n;
            break;
        case OPT_MAX_DEPTH:
            if (!parse_count(optarg, 64, &n))
                return bad_value("--max-depth", optarg, "a depth from 0 to 64");
            o.limits.max_depth = (unsigned)n;
            break;
        case OPT_TIME_BUDGET: {
            char *end;
            double seconds = strtod(optarg, &end);
            if (end == optarg || *end || !(seconds >= 0 && seconds <= 86400.0 * 365))
                return bad_value("--time-budget", optarg, "a number of seconds (0: none)");
            o.time_budget = seconds;
            break;
        }
        case 'h':
            scan_usage(stdout);
            return HS_EXIT_OK;
        default:
            scan_usage(stderr);
            return HS_EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "heapsleuth scan: no input given\n\n");
        scan_usage(stderr);
        return HS_EXIT_ERROR;
    }
    if (default_rules) {
        const char *dir = hs_default_rules_dir();
        if (dir)
            rule_paths[n_rules++] = dir;
        else
            fprintf(stderr,
                    "heapsleuth scan: the shipped rules were not found (set HEAPSLEUTH_RULES)\n");
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
    int exit_code =
        hs_batch_run((const char *const *)argv + optind, (size_t)(argc - optind), rules, &o);
    hs_ruleset_free(rules);
    hs_diag_release(&rule_problems);
    hs_arena_free(arena);
    return exit_code;
}

static void facts_usage(FILE *out)
{
    fprintf(
        out,
        "usage: heapsleuth facts [--format text|json] DUMP\n"
        "       heapsleuth facts --list [--format text|json]\n"
        "\n"
        "Prints the facts the analyses publish for a dump (unknown ones as 'unknown' / null), or "
        "with\n"
        "--list the table of every fact: name, type, unit and meaning. Rules read facts as YARA\n"
        "external variables of the same names (booleans as 0/1, unknown facts as -1).\n");
}

int hs_cmd_facts(int argc, char **argv)
{
    hs_format format = HS_FORMAT_TEXT;
    bool list = false;
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"list", no_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:lh", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (hs_cli_parse_format("facts", optarg, &format) != 0)
                return HS_EXIT_ERROR;
            break;
        case 'l':
            list = true;
            break;
        case 'h':
            facts_usage(stdout);
            return HS_EXIT_OK;
        default:
            facts_usage(stderr);
            return HS_EXIT_ERROR;
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
            printf("%-30s %-8s %-22s %s\n", defs[i].name, type_names[defs[i].type], defs[i].unit,
                   defs[i].meaning);
        return HS_EXIT_OK;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "heapsleuth facts: expected exactly one dump (or --list)\n\n");
        facts_usage(stderr);
        return HS_EXIT_ERROR;
    }
    hs_blob member;
    char err[512] = "out of memory";
    hs_dump *dump = hs_chain_open(argv[optind], &member, err, sizeof err);
    hs_scan_result *r = dump ? hs_scan_dump(dump, NULL, NULL) : NULL;
    if (!r) {
        fprintf(stderr, "heapsleuth facts: %s: %s\n", argv[optind], err);
        hs_blob_free(&member);
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
    hs_blob_free(&member);
    return rc;
}
