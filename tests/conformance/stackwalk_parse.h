/* Parser of Breakpad's `minidump_stackwalk -m` output (the machine-readable
 * summary), used by the conformance test as the oracle. */
#ifndef HS_CONFORMANCE_STACKWALK_PARSE_H
#define HS_CONFORMANCE_STACKWALK_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sw_module {
    char *code_file;  /* basename, as Breakpad prints it */
    char *version;    /* "" when Breakpad had none */
    char *debug_file; /* basename */
    char *debug_id;
    uint64_t base;
    uint64_t end; /* inclusive: base + size - 1 */
    bool is_main;
} sw_module;

typedef struct sw_summary {
    bool has_os;       /* an OS| line was present */
    char *os_platform; /* "" when Breakpad had no SystemInfo */
    char *os_version;  /* everything after "OS|platform|": "version csd" */
    bool has_cpu;
    char *cpu_arch; /* "" when unknown */
    unsigned cpu_count;
    sw_module *modules;
    size_t module_count;
    size_t thread_count;   /* distinct thread indices in frame lines */
    long max_thread_index; /* -1 when no frame lines */
} sw_summary;

/* Parses the text; returns false (and sets *err) on a line it cannot read. */
bool sw_parse(const char *text, sw_summary *out, const char **err);
bool sw_parse_file(const char *path, sw_summary *out, const char **err);
void sw_free(sw_summary *s);

/* Basename after the last '/' or '\\'. */
const char *sw_basename(const char *path);

#endif
