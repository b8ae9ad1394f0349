/* For the tests that scan with the rules heapsleuth ships (rules/): compiled once per test
 * process, on first use, and kept for its life — findings point into the ruleset. The compile
 * must raise no problem. */
#ifndef HS_TEST_SHIPPED_RULES_H
#define HS_TEST_SHIPPED_RULES_H

#include <criterion/criterion.h>

#include "rule_engine.h"
#include "test_paths.h"

static inline const hs_ruleset *shipped_rules(void)
{
    static hs_ruleset *rs;
    if (!rs) {
        static hs_diag problems;
        problems.arena = hs_arena_new(1 << 20);
        const char *dir = HS_SOURCE_ROOT "/rules";
        rs = hs_ruleset_load(&dir, 1, &problems);
        cr_assert_eq(problems.count, 0);
    }
    return rs;
}

#endif
