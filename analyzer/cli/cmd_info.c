/* `heapsleuth info`: what a dump holds, for a person (text) or a program (JSON). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "address_space.h"
#include "chain.h"
#include "cli.h"
#include "info_report.h"
#include "json_util.h"
#include "minidump.h"

static void info_usage(FILE *out)
{
    fprintf(
        out,
        "usage: heapsleuth info [--format text|json] DUMP...\n"
        "\n"
        "Prints what each minidump holds: OS and CPU, the exception, modules with versions and\n"
        "debug identifiers, threads, memory ranges, streams, and every problem found while\n"
        "reading it. DUMP may be gzip-compressed (detected by content).\n"
        "\n"
        "  -f, --format FORMAT  text (default) or json; with several dumps, json prints an array\n"
        "  -h, --help           this text\n"
        "\n"
        "Exit status: 0 when every dump was read (damaged streams are reported and skipped),\n"
        "2 on a usage error or when a dump could not be read at all.\n");
}

int hs_cmd_info(int argc, char **argv)
{
    hs_format format = HS_FORMAT_TEXT;
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:h", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (hs_cli_parse_format("info", optarg, &format) != 0)
                return HS_EXIT_ERROR;
            break;
        case 'h':
            info_usage(stdout);
            return HS_EXIT_OK;
        default:
            info_usage(stderr);
            return HS_EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "heapsleuth info: no dump given\n\n");
        info_usage(stderr);
        return HS_EXIT_ERROR;
    }

    int exit_code = HS_EXIT_OK;
    int n_inputs = argc - optind;
    json_t *array = format == HS_FORMAT_JSON && n_inputs > 1 ? json_array() : NULL;
    for (int i = optind; i < argc; i++) {
        hs_blob member;
        char err[512] = "out of memory";
        hs_dump *dump = hs_chain_open(argv[i], &member, err, sizeof err);
        if (!dump) {
            fprintf(stderr, "heapsleuth info: %s: %s\n", argv[i], err);
            exit_code = HS_EXIT_ERROR;
            continue;
        }
        hs_address_space *as = dump->valid ? hs_as_build(dump) : NULL;
        if (!dump->valid) {
            exit_code = HS_EXIT_ERROR;
            for (size_t p = 0; p < dump->problems.count; p++) {
                char buf[1280];
                hs_problem_format(&dump->problems.items[p], buf, sizeof buf);
                fprintf(stderr, "heapsleuth info: %s: %s\n", argv[i], buf);
            }
        }
        if (format == HS_FORMAT_JSON) {
            json_t *doc = hs_info_json(dump, as);
            if (!doc) {
                fprintf(stderr, "heapsleuth info: %s: out of memory\n", argv[i]);
                exit_code = HS_EXIT_ERROR;
            } else if (array) {
                json_array_append_new(array, doc);
            } else {
                if (hs_json_print(doc, stdout, 0) != 0)
                    exit_code = HS_EXIT_ERROR;
                json_decref(doc);
            }
        } else {
            if (i > optind)
                fputc('\n', stdout);
            hs_info_text(stdout, dump, as);
        }
        hs_as_free(as);
        hs_dump_free(dump);
        hs_blob_free(&member);
    }
    if (array) {
        if (hs_json_print(array, stdout, 0) != 0)
            exit_code = HS_EXIT_ERROR;
        json_decref(array);
    }
    if (fflush(stdout) != 0)
        exit_code = HS_EXIT_ERROR;
    return exit_code;
}
