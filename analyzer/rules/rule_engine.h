/* The rules engine: YARA rules decide verdicts from facts (DESIGN.md "Facts and rules").
 *
 * Every fact is an external variable (integers; booleans as 0/1; unknown facts as -1). A rule's
 * `meta:` carries id, title, kb, severity (info/low/medium/high/critical), summary and remedy. A
 * rule with `strings:` is scanned over the dump's memory blocks at their virtual addresses. Rule
 * files are compiled one by one, so a file that does not compile is reported with its file:line
 * message and the others still run. A rule that matched while reading a fact the dump could not
 * support is not reported as a finding: no rule fires on unknown facts. */
#ifndef HS_RULE_ENGINE_H
#define HS_RULE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "address_space.h"
#include "diag.h"
#include "facts.h"

typedef enum hs_severity_level {
    HS_LEVEL_INFO = 0,
    HS_LEVEL_LOW = 1,
    HS_LEVEL_MEDIUM = 2,
    HS_LEVEL_HIGH = 3,
    HS_LEVEL_CRITICAL = 4,
} hs_severity_level;

typedef struct hs_rule_info {
    const char *identifier; /* the YARA rule name */
    const char *file;
    const char *id, *title, *kb, *summary, *remedy;
    hs_severity_level severity;
    int facts_used[HS_FACT_COUNT];
    size_t facts_used_count;
    bool has_strings;
} hs_rule_info;

typedef struct hs_string_match {
    const char *string_id; /* "$vtable" */
    uint64_t address;      /* virtual address of the match */
} hs_string_match;

typedef struct hs_finding {
    const hs_rule_info *rule;
    hs_string_match *matches;
    size_t match_count;
} hs_finding;

typedef struct hs_ruleset hs_ruleset;

/* Compiles the rule files at paths (files, or folders whose *.yar / *.yara files are taken in name
 * order). Compilation problems are added to problems (file:line: message); NULL only when out of
 * memory or libyara cannot start. */
hs_ruleset *hs_ruleset_load(const char *const *paths, size_t count, hs_diag *problems);
void hs_ruleset_free(hs_ruleset *rs);
/* The rules that compiled, in file order. */
const hs_rule_info *hs_ruleset_rules(const hs_ruleset *rs, size_t *count);

/* Evaluates every rule against facts (and, for rules with strings, the memory of as). The caller
 * frees *findings with hs_findings_free. Returns 0, or -1 when YARA fails (message in problems). */
int hs_ruleset_scan(const hs_ruleset *rs, const hs_facts *facts, const hs_address_space *as,
                    hs_finding **findings, size_t *count, hs_diag *problems);
void hs_findings_free(hs_finding *findings, size_t count);

/* "info" … "critical" ↔ level; returns -1 for an unknown name. */
int hs_severity_parse(const char *name);
const char *hs_severity_name(hs_severity_level level);
/* The folder of shipped rules: $HEAPSLEUTH_RULES, <exe>/rules, <exe>/../share/heapsleuth/rules or
 * the source tree's rules/, the first that exists; NULL when none does. */
const char *hs_default_rules_dir(void);

#endif
