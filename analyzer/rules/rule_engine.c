#include "rule_engine.h"

#include "alloc.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yara.h>

#include "yara_api.h"

#ifndef HS_SOURCE_RULES_DIR
#define HS_SOURCE_RULES_DIR "rules"
#endif

struct hs_ruleset {
    YR_RULES *rules;
    hs_rule_info *info;
    size_t count;
    hs_arena *arena;
};

static int yara_users;
/* The loaded YARA functions; set by the first hs_ruleset_load. */
static const hs_yara_api *Y;

int hs_severity_parse(const char *name)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; i++)
        if (name && strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

const char *hs_severity_name(hs_severity_level level)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    return level <= HS_LEVEL_CRITICAL ? names[level] : "?";
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *hs_default_rules_dir(void)
{
    static char found[PATH_MAX + 64];
    const char *env = getenv("HEAPSLEUTH_RULES");
    if (env && *env && is_dir(env))
        return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(found, sizeof found, "%s/rules", exe);
            if (is_dir(found))
                return found;
            snprintf(found, sizeof found, "%s/../share/heapsleuth/rules", exe);
            if (is_dir(found))
                return found;
        }
    }
    return is_dir(HS_SOURCE_RULES_DIR) ? HS_SOURCE_RULES_DIR : NULL;
}

/* ---- compilation ---- */

typedef struct compile_report {
    hs_diag *problems;
    const char *file;
    int errors;
} compile_report;

static void on_compile_message(int level, const char *file_name, int line, const YR_RULE *rule,
                               const char *message, void *user)
{
    (void)rule;
    compile_report *r = user;
    const char *file = file_name ? file_name : r->file;
    if (level == YARA_ERROR_LEVEL_ERROR) {
        r->errors++;
        hs_diag_add(r->problems, HS_SEV_WARNING, HS_ERR_FORMAT, "rules", -1,
                    "%s:%d: %s (file skipped)", file, line, message);
    } else {
        hs_diag_add(r->problems, HS_SEV_NOTE, HS_OK, "rules", -1, "%s:%d: warning: %s", file, line,
                    message);
    }
}

static int define_externals(YR_COMPILER *c)
{
    const hs_fact_def *defs = hs_fact_defs();
    for (int i = 0; i < HS_FACT_COUNT; i++)
        if (Y->compiler_define_integer_variable(c, defs[i].name, -1) != ERROR_SUCCESS)
            return -1;
    return 0;
}

/* Compiles one file alone first: a compiler that saw an error cannot be used again (YARA), so
 * only files that compile cleanly are added to the shared compiler. */
static bool file_compiles(const char *path, hs_diag *problems)
{
    YR_COMPILER *c;
    if (Y->compiler_create(&c) != ERROR_SUCCESS)
        return false;
    compile_report rep = {problems, path, 0};
    Y->compiler_set_callback(c, on_compile_message, &rep);
    FILE *f = fopen(path, "r");
    if (!f) {
        hs_diag_add(problems, HS_SEV_WARNING, HS_ERR_IO, "rules", -1, "%s: cannot open", path);
        Y->compiler_destroy(c);
        return false;
    }
    bool ok = define_externals(c) == 0 && Y->compiler_add_file(c, f, NULL, path) == 0;
    fclose(f);
    Y->compiler_destroy(c);
    return ok && rep.errors == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_rule_suffix(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && strcmp(name + n - 4, ".yar") == 0) ||
           (n > 5 && strcmp(name + n - 5, ".yara") == 0);
}

/* Expands folders into their rule files, sorted, so the order of findings is stable. */
/* Appends a copy of path to the list; false when out of memory (the list stays valid). */
static bool push_path(char ***files, size_t *n, size_t *cap, const char *path)
{
    if (!hs_grow((void **)files, cap, *n, sizeof **files))
        return false;
    char *copy = hs_strdup(path);
    if (!copy)
        return false;
    (*files)[(*n)++] = copy;
    return true;
}

/* Expands folders into their rule files, sorted, so the order of findings is stable. */
static char **expand_paths(const char *const *paths, size_t count, size_t *out_count,
                           hs_diag *problems)
{
    size_t cap = 16, n = 0;
    char **files = hs_malloc(cap * sizeof *files);
    bool ok = files != NULL;
    for (size_t i = 0; ok && i < count; i++) {
        DIR *d = is_dir(paths[i]) ? opendir(paths[i]) : NULL;
        if (!d) {
            ok = push_path(&files, &n, &cap, paths[i]);
            continue;
        }
        size_t first = n;
        for (struct dirent *e; ok && (e = readdir(d)) != NULL;) {
            if (!has_rule_suffix(e->d_name))
                continue;
            char path[4096];
            if (snprintf(path, sizeof path, "%s/%s", paths[i], e->d_name) >= (int)sizeof path)
                continue;
            ok = push_path(&files, &n, &cap, path);
        }
        closedir(d);
        if (n == first)
            hs_diag_add(problems, HS_SEV_NOTE, HS_OK, "rules", -1, "%s: no .yar files", paths[i]);
        if (n - first > 1)
            qsort(files + first, n - first, sizeof *files, by_name);
    }
    if (!ok)
        hs_diag_add(problems, HS_SEV_WARNING, HS_ERR_NOMEM, "rules", -1,
                    "out of memory listing rule files; using %zu", n);
    *out_count = n;
    return files;
}

/* Reads a file into memory (rule files are small). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = hs_malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
        n += got;
        if (n + 1 == cap && (cap < (1u << 24)))
            buf = hs_realloc(buf, cap *= 2);
        else if (n + 1 == cap)
            break;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* The facts a rule's condition names: identifiers between "condition:" and the rule's closing
 * brace, matched against the fact table. Strings and comments are skipped. */
static void find_facts_used(const char *text, const char *rule_name, hs_rule_info *info)
{
    size_t name_len = strlen(rule_name);
    const char *p = text;
    while ((p = strstr(p, rule_name)) != NULL) {
        bool word_start = p == text || !(p[-1] == '_' || (p[-1] >= '0' && p[-1] <= '9') ||
                                         ((p[-1] | 0x20) >= 'a' && (p[-1] | 0x20) <= 'z'));
        char next = p[name_len];
        bool word_end = !(next == '_' || (next >= '0' && next <= '9') ||
                          ((next | 0x20) >= 'a' && (next | 0x20) <= 'z'));
        const char *kw = p;
        while (kw > text && (kw[-1] == ' ' || kw[-1] == '\t'))
            kw--;
        if (word_start && word_end && kw - text >= 4 && strncmp(kw - 4, "rule", 4) == 0)
            break;
        p += name_len;
    }
    if (!p)
        return;
    const char *cond = strstr(p, "condition:");
    if (!cond)
        return;
    int depth = 1;
    for (const char *q = cond + 10; *q && depth > 0;) {
        if (*q == '"') {
            for (q++; *q && *q != '"'; q++)
                if (*q == '\\' && q[1])
                    q++;
            if (*q)
                q++;
            continue;
        }
        if (q[0] == '/' && q[1] == '/') {
            while (*q && *q != '\n')
                q++;
            continue;
        }
        if (q[0] == '/' && q[1] == '*') {
            const char *e = strstr(q + 2, "*/");
            q = e ? e + 2 : q + strlen(q);
            continue;
        }
        if (*q == '{')
            depth++;
        else if (*q == '}')
            depth--;
        if (*q == '_' || ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z')) {
            char ident[64];
            size_t n = 0;
            while ((*q == '_' || (*q >= '0' && *q <= '9') ||
                    ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z'))) {
                if (n < sizeof ident - 1)
                    ident[n++] = *q;
                q++;
            }
            ident[n] = '\0';
            int id = hs_fact_lookup(ident);
            bool seen = false;
            for (size_t k = 0; k < info->facts_used_count; k++)
                seen |= info->facts_used[k] == id;
            if (id >= 0 && !seen)
                info->facts_used[info->facts_used_count++] = id;
            continue;
        }
        q++;
    }
}

static void read_meta(hs_ruleset *rs, const YR_RULE *rule, hs_rule_info *info, hs_diag *problems)
{
    const YR_META *meta;
    info->severity = HS_LEVEL_INFO;
    yr_rule_metas_foreach(rule, meta)
    {
        if (meta->type != META_TYPE_STRING)
            continue;
        const char *v = hs_arena_printf(rs->arena, "%s", meta->string);
        if (strcmp(meta->identifier, "id") == 0)
            info->id = v;
        else if (strcmp(meta->identifier, "title") == 0)
            info->title = v;
        else if (strcmp(meta->identifier, "kb") == 0)
            info->kb = v;
        else if (strcmp(meta->identifier, "summary") == 0)
            info->summary = v;
        else if (strcmp(meta->identifier, "remedy") == 0)
            info->remedy = v;
        else if (strcmp(meta->identifier, "severity") == 0) {
            int s = hs_severity_parse(meta->string);
            if (s < 0)
                hs_diag_add(problems, HS_SEV_WARNING, HS_ERR_FORMAT, "rules", -1,
                            "rule %s: severity \"%s\" is not info, low, medium, high or critical; "
                            "using info",
                            rule->identifier, meta->string);
            else
                info->severity = (hs_severity_level)s;
        }
    }
    if (!info->id)
        info->id = info->identifier;
    if (!info->title)
        info->title = info->identifier;
}

hs_ruleset *hs_ruleset_load(const char *const *paths, size_t count, hs_diag *problems)
{
    char why[512];
    if (!Y && !(Y = hs_yara_api_get(why, sizeof why))) {
        hs_diag_add(problems, HS_SEV_WARNING, HS_ERR_UNSUPPORTED, "rules", -1, "%s", why);
        return NULL;
    }
    if (yara_users++ == 0 && Y->initialize() != ERROR_SUCCESS) {
        yara_users--;
        return NULL;
    }
    hs_ruleset *rs = hs_calloc(1, sizeof *rs);
    YR_COMPILER *c = NULL;
    size_t nfiles = 0;
    char **files = expand_paths(paths, count, &nfiles, problems);
    if (!rs || !files || !(rs->arena = hs_arena_new(1u << 24)) ||
        Y->compiler_create(&c) != ERROR_SUCCESS || define_externals(c) != 0) {
        if (c)
            Y->compiler_destroy(c);
        for (size_t i = 0; i < nfiles; i++)
            hs_free(files[i]);
        hs_free(files);
        hs_ruleset_free(rs);
        return NULL;
    }
    compile_report rep = {problems, NULL, 0};
    Y->compiler_set_callback(c, on_compile_message, &rep);
    for (size_t i = 0; i < nfiles; i++) {
        if (!file_compiles(files[i], problems))
            continue;
        FILE *f = fopen(files[i], "r");
        rep.file = files[i];
        if (f) {
            Y->compiler_add_file(c, f, NULL, files[i]);
            fclose(f);
        }
    }
    if (Y->compiler_get_rules(c, &rs->rules) != ERROR_SUCCESS)
        rs->rules = NULL;
    Y->compiler_destroy(c);

    if (rs->rules) {
        size_t n = 0;
        const YR_RULE *rule;
        yr_rules_foreach(rs->rules, rule) n++;
        rs->info = hs_arena_array(rs->arena, n ? n : 1, sizeof *rs->info);
        /* Rules come out in compilation order; attribute each to the file that defines it. */
        char **texts = hs_calloc(nfiles ? nfiles : 1, sizeof *texts);
        for (size_t i = 0; i < nfiles && texts; i++)
            texts[i] = slurp(files[i]);
        yr_rules_foreach(rs->rules, rule)
        {
            hs_rule_info *info = &rs->info[rs->count++];
            info->identifier = hs_arena_printf(rs->arena, "%s", rule->identifier);
            read_meta(rs, rule, info, problems);
            const YR_STRING *s;
            yr_rule_strings_foreach(rule, s) info->has_strings = true;
            char needle[256];
            snprintf(needle, sizeof needle, "rule %s", rule->identifier);
            for (size_t i = 0; i < nfiles && texts; i++) {
                if (texts[i] && strstr(texts[i], needle)) {
                    info->file = hs_arena_printf(rs->arena, "%s", files[i]);
                    find_facts_used(texts[i], rule->identifier, info);
                    break;
                }
            }
        }
        for (size_t i = 0; i < nfiles && texts; i++)
            hs_free(texts[i]);
        hs_free(texts);
    }
    for (size_t i = 0; i < nfiles; i++)
        hs_free(files[i]);
    hs_free(files);
    return rs;
}

void hs_ruleset_free(hs_ruleset *rs)
{
    if (!rs)
        return;
    if (rs->rules)
        Y->rules_destroy(rs->rules);
    hs_arena_free(rs->arena);
    hs_free(rs);
    if (--yara_users == 0)
        Y->finalize();
}

const hs_rule_info *hs_ruleset_rules(const hs_ruleset *rs, size_t *count)
{
    *count = rs->count;
    return rs->info;
}

/* ---- scanning ---- */

typedef struct block_iter {
    const hs_address_space *as;
    const hs_as_range *ranges;
    size_t count, next;
    YR_MEMORY_BLOCK block;
} block_iter;

static const uint8_t *fetch_block(YR_MEMORY_BLOCK *b)
{
    block_iter *it = b->context;
    hs_reader r;
    if (hs_as_reader(it->as, b->base, b->size, &r) != HS_OK)
        return NULL;
    const uint8_t *p;
    return hs_rd_view(&r, r.len, &p) == HS_OK ? p : NULL;
}

static YR_MEMORY_BLOCK *next_block(YR_MEMORY_BLOCK_ITERATOR *self)
{
    block_iter *it = self->context;
    self->last_error = ERROR_SUCCESS;
    if (it->next >= it->count)
        return NULL;
    const hs_as_range *r = &it->ranges[it->next++];
    it->block = (YR_MEMORY_BLOCK){
        .size = (size_t)r->size, .base = r->start, .context = it, .fetch_data = fetch_block};
    return &it->block;
}

static YR_MEMORY_BLOCK *first_block(YR_MEMORY_BLOCK_ITERATOR *self)
{
    ((block_iter *)self->context)->next = 0;
    return next_block(self);
}

typedef struct scan_state {
    const hs_ruleset *rs;
    const hs_facts *facts;
    hs_finding *findings;
    size_t count, cap;
} scan_state;

static const hs_rule_info *info_of(const hs_ruleset *rs, const char *identifier)
{
    for (size_t i = 0; i < rs->count; i++)
        if (strcmp(rs->info[i].identifier, identifier) == 0)
            return &rs->info[i];
    return NULL;
}

static int on_scan_message(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
    if (message != CALLBACK_MSG_RULE_MATCHING)
        return CALLBACK_CONTINUE;
    scan_state *st = user;
    YR_RULE *rule = data;
    const hs_rule_info *info = info_of(st->rs, rule->identifier);
    if (!info)
        return CALLBACK_CONTINUE;
    for (size_t i = 0; i < info->facts_used_count; i++)
        if (!st->facts->v[info->facts_used[i]].known)
            return CALLBACK_CONTINUE; /* no rule fires on unknown facts */
    if (!hs_grow((void **)&st->findings, &st->cap, st->count, sizeof *st->findings))
        return CALLBACK_ERROR;
    hs_finding *f = &st->findings[st->count++];
    memset(f, 0, sizeof *f);
    f->rule = info;
    const YR_STRING *s;
    yr_rule_strings_foreach(rule, s)
    {
        /* Not yr_string_matches_foreach: libyara 4.2 (Debian 12) allocates each YR_MATCH in its
         * notebook right after the previous match's data, without aligning it, so a match that
         * follows a 4-byte string sits at an address that is 4 mod 8. Member access through such a
         * pointer is undefined (UBSan aborts on it; found by fuzz_pipeline): copy each record out
         * through a byte pointer first. */
        const unsigned char *at = (const unsigned char *)ctx->matches[s->idx].head;
        while (at && f->match_count < 64) {
            YR_MATCH m;
            memcpy(&m, at, sizeof m);
            at = (const unsigned char *)m.next;
            if (m.is_private)
                continue;
            hs_string_match *nm = hs_realloc(f->matches, (f->match_count + 1) * sizeof *nm);
            if (!nm)
                break;
            f->matches = nm;
            f->matches[f->match_count++] =
                (hs_string_match){s->identifier, (uint64_t)m.base + (uint64_t)m.offset};
        }
    }
    return CALLBACK_CONTINUE;
}

int hs_ruleset_scan(const hs_ruleset *rs, const hs_facts *facts, const hs_address_space *as,
                    hs_finding **findings, size_t *count, hs_diag *problems)
{
    *findings = NULL;
    *count = 0;
    if (!rs->rules)
        return 0;
    YR_SCANNER *scanner;
    if (Y->scanner_create(rs->rules, &scanner) != ERROR_SUCCESS) {
        hs_diag_add(problems, HS_SEV_WARNING, HS_ERR_NOMEM, "rules", -1,
                    "YARA could not create a scanner");
        return -1;
    }
    const hs_fact_def *defs = hs_fact_defs();
    for (int i = 0; i < HS_FACT_COUNT; i++)
        Y->scanner_define_integer_variable(scanner, defs[i].name,
                                           facts->v[i].known ? facts->v[i].value : -1);
    scan_state st = {.rs = rs, .facts = facts};
    Y->scanner_set_callback(scanner, on_scan_message, &st);
    int rc;
    bool strings = false;
    for (size_t i = 0; i < rs->count; i++)
        strings |= rs->info[i].has_strings;
    if (strings && as) {
        block_iter it = {.as = as};
        it.ranges = hs_as_ranges(as, &it.count);
        YR_MEMORY_BLOCK_ITERATOR iter = {.context = &it, .first = first_block, .next = next_block};
        rc = Y->scanner_scan_mem_blocks(scanner, &iter);
    } else {
        /* No rule reads memory: evaluate the conditions over nothing instead of every byte. */
        static const uint8_t none[1];
        rc = Y->scanner_scan_mem(scanner, none, 0);
    }
    Y->scanner_destroy(scanner);
    if (rc != ERROR_SUCCESS) {
        hs_diag_add(problems, HS_SEV_WARNING, HS_ERR_FORMAT, "rules", -1,
                    "YARA scan failed with error %d", rc);
        hs_findings_free(st.findings, st.count);
        return -1;
    }
    *findings = st.findings;
    *count = st.count;
    return 0;
}

void hs_findings_free(hs_finding *findings, size_t count)
{
    for (size_t i = 0; i < count; i++)
        hs_free(findings[i].matches);
    hs_free(findings);
}
