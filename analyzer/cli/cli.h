/* Shared by the CLI's subcommands: exit codes (DESIGN.md "Reports and exit codes"), output
 * formats and the subcommand entry points. */
#ifndef HS_CLI_H
#define HS_CLI_H

enum {
    HS_EXIT_OK = 0,       /* every input read, no finding at or above --fail-on */
    HS_EXIT_FINDINGS = 1, /* at least one finding at or above --fail-on */
    HS_EXIT_ERROR = 2,    /* usage error, or an input could not be read */
};

typedef enum hs_format { HS_FORMAT_TEXT, HS_FORMAT_JSON } hs_format;

/* Parses a --format value; returns 0, or -1 after printing an error naming the command. */
int hs_cli_parse_format(const char *cmd, const char *value, hs_format *out);

int hs_cmd_info(int argc, char **argv);
int hs_cmd_heaps(int argc, char **argv);
int hs_cmd_scan(int argc, char **argv);
int hs_cmd_facts(int argc, char **argv);

#endif
