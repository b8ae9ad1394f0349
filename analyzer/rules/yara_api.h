/* libyara, loaded when rules are first needed. Linking it would load OpenSSL and libmagic into
 * every run — about a millisecond of start-up that `info` and `heaps` never use — so the engine
 * reaches YARA through this table, filled by dlopen/dlsym on first use. */
#ifndef HS_YARA_API_H
#define HS_YARA_API_H

#include <stddef.h>
#include <yara.h>

#define HS_YARA_FUNCTIONS(X)            \
    X(initialize)                       \
    X(finalize)                         \
    X(compiler_create)                  \
    X(compiler_destroy)                 \
    X(compiler_set_callback)            \
    X(compiler_define_integer_variable) \
    X(compiler_add_file)                \
    X(compiler_get_rules)               \
    X(rules_destroy)                    \
    X(scanner_create)                   \
    X(scanner_destroy)                  \
    X(scanner_define_integer_variable)  \
    X(scanner_set_callback)             \
    X(scanner_scan_mem)                 \
    X(scanner_scan_mem_blocks)

typedef struct hs_yara_api {
#define HS_YARA_MEMBER(name) __typeof__(&yr_##name) name;
    HS_YARA_FUNCTIONS(HS_YARA_MEMBER)
#undef HS_YARA_MEMBER
} hs_yara_api;

/* The YARA functions, loaded once (thread-safe). NULL when libyara cannot be loaded; then err holds
 * why. */
const hs_yara_api *hs_yara_api_get(char *err, size_t err_size);

#endif
