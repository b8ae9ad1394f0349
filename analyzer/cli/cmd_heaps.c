/* `heapsleuth heaps`: every heap of the process, walked and validated like `!heap -s`. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "address_space.h"
#include "chain.h"
#include "cli.h"
#include "heap.h"
#include "heaps_report.h"
#include "json_util.h"

static void heaps_usage(FILE *out)
{
    fprintf(out,
            "usage: heapsleuth heaps [--format text|json] [--heap ADDR [--entries] [--stat]] DUMP\n"
            "\n"
            "Finds every heap of the process (PEB.ProcessHeaps; WoW64 32-bit heaps too; by "
            "signature when\n"
            "the list is absent), walks each one and validates it like !heap -s / HeapValidate.\n"
            "\n"
            "  -f, --format FORMAT  text (default) or json\n"
            "      --heap ADDR      only the heap with this handle (hex)\n"
            "      --entries        list every block (address, size, requested size, state, kind)\n"
            "      --stat           busy blocks grouped by size, largest total first (like !heap "
            "-stat)\n"
            "  -h, --help           this text\n"
            "\n"
            "Exit status: 0 when the dump was read (integrity errors are reported, not failures), "
            "2 on a\n"
            "usage error or an unreadable dump.\n");
}

int hs_cmd_heaps(int argc, char **argv)
{
    hs_format format = HS_FORMAT_TEXT;
    hs_heaps_report_options opt = {0};
    enum { OPT_HEAP = 256, OPT_ENTRIES, OPT_STAT };
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"heap", required_argument, NULL, OPT_HEAP},
        {"entries", no_argument, NULL, OPT_ENTRIES},
        {"stat", no_argument, NULL, OPT_STAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:h", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (hs_cli_parse_format("heaps", optarg, &format) != 0)
                return HS_EXIT_ERROR;
            break;
        case OPT_HEAP: {
            char *end;
            opt.heap = strtoull(optarg, &end, 16);
            if (*optarg == '\0' || *end != '\0') {
                fprintf(stderr, "heapsleuth heaps: --heap takes a hexadecimal address, not '%s'\n",
                        optarg);
                return HS_EXIT_ERROR;
            }
            opt.has_heap = true;
            break;
        }
        case OPT_ENTRIES:
            opt.entries = true;
            break;
        case OPT_STAT:
            opt.stat = true;
            break;
        case 'h':
            heaps_usage(stdout);
            return HS_EXIT_OK;
        default:
            heaps_usage(stderr);
            return HS_EXIT_ERROR;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "heapsleuth heaps: expected exactly one dump\n\n");
        heaps_usage(stderr);
        return HS_EXIT_ERROR;
    }
    if ((opt.entries || opt.stat) && !opt.has_heap) {
        fprintf(stderr, "heapsleuth heaps: --entries and --stat need --heap ADDR\n");
        return HS_EXIT_ERROR;
    }
    const char *path = argv[optind];
    hs_blob member;
    char err[512] = "out of memory";
    hs_dump *dump = hs_chain_open(path, &member, err, sizeof err);
    if (!dump) {
        fprintf(stderr, "heapsleuth heaps: %s: %s\n", path, err);
        return HS_EXIT_ERROR;
    }
    int rc = HS_EXIT_OK;
    if (!dump->valid) {
        for (size_t p = 0; p < dump->problems.count; p++) {
            char buf[1280];
            hs_problem_format(&dump->problems.items[p], buf, sizeof buf);
            fprintf(stderr, "heapsleuth heaps: %s: %s\n", path, buf);
        }
        hs_dump_free(dump);
        hs_blob_free(&member);
        return HS_EXIT_ERROR;
    }
    hs_address_space *as = hs_as_build(dump);
    hs_process *proc = as ? hs_process_build(dump, as) : NULL;
    hs_heapset *set = proc ? hs_heaps_walk(dump, as, proc) : NULL;
    if (!set) {
        fprintf(stderr, "heapsleuth heaps: %s: out of memory\n", path);
        rc = HS_EXIT_ERROR;
    } else if (opt.has_heap && !hs_heapset_find(set, opt.heap)) {
        fprintf(stderr,
                "heapsleuth heaps: %s: no heap with handle 0x%" PRIx64
                " (run without --heap to list them)\n",
                path, opt.heap);
        rc = HS_EXIT_ERROR;
    } else if (format == HS_FORMAT_JSON) {
        json_t *doc = hs_heaps_json(dump, set, &opt);
        if (!doc || hs_json_print(doc, stdout, 0) != 0)
            rc = HS_EXIT_ERROR;
        json_decref(doc);
    } else {
        hs_heaps_text(stdout, dump, set, &opt);
    }
    hs_heapset_free(set);
    hs_process_free(proc);
    hs_as_free(as);
    hs_dump_free(dump);
    hs_blob_free(&member);
    if (fflush(stdout) != 0)
        rc = HS_EXIT_ERROR;
    return rc;
}
