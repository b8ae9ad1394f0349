/* heapsleuth: the command-line entry point. Dispatches to one subcommand per job. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "version.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"info", hs_cmd_info,
     "what a dump holds: OS, CPU, exception, modules, threads, memory, streams"},
    {"heaps", hs_cmd_heaps, "every heap of the process, walked and validated like !heap -s"},
    {"scan", hs_cmd_scan,
     "the full analysis and the rules' verdicts, with evidence (KB Q293150 and others)"},
    {"facts", hs_cmd_facts, "the facts the analyses publish for a dump; --list documents them"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: heapsleuth COMMAND [OPTIONS] DUMP...\n"
                 "\n"
                 "Heap and corruption forensics for Windows user-mode minidumps.\n"
                 "\n"
                 "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n"
                 "Run 'heapsleuth COMMAND --help' for the options of a command.\n"
                 "Exit status: 0 success, 1 findings at or above --fail-on, 2 usage error or "
                 "unreadable input.\n");
}

int hs_cli_parse_format(const char *cmd, const char *value, hs_format *out)
{
    if (strcmp(value, "text") == 0)
        *out = HS_FORMAT_TEXT;
    else if (strcmp(value, "json") == 0)
        *out = HS_FORMAT_JSON;
    else {
        fprintf(stderr, "heapsleuth %s: unknown format '%s' (expected text or json)\n", cmd, value);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return HS_EXIT_ERROR;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return HS_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("heapsleuth %s\n", HS_VERSION);
        return HS_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "heapsleuth: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return HS_EXIT_ERROR;
}
