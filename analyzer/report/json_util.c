#include "json_util.h"

#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

json_t *hs_json_hex(uint64_t value)
{
    char buf[24];
    snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)value);
    return json_string(buf);
}

json_t *hs_json_size(uint64_t value)
{
    return json_integer(value > INT64_MAX ? INT64_MAX : (json_int_t)value);
}

json_t *hs_json_text(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t n = strlen(s);
    char *buf = hs_malloc(n * 2 + 1);
    if (!buf)
        return json_null();
    size_t len = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x80) {
            buf[len++] = (char)*p;
        } else {
            buf[len++] = (char)(0xC0 | (*p >> 6));
            buf[len++] = (char)(0x80 | (*p & 0x3F));
        }
    }
    j = json_stringn(buf, len);
    hs_free(buf);
    return j ? j : json_null();
}

json_t *hs_json_str_or_null(const char *s) { return s ? hs_json_text(s) : json_null(); }

int hs_json_print(json_t *doc, FILE *out, int compact)
{
    /* One buffer and one write: json_dumpf issues a write per token, which dominates the cost of
     * printing a report on thousands of heaps. */
    size_t flags = JSON_ENSURE_ASCII | (compact ? JSON_COMPACT : JSON_INDENT(2));
    char *text = json_dumps(doc, flags);
    if (!text)
        return -1;
    size_t n = strlen(text);
    int rc = fwrite(text, 1, n, out) == n && fputc('\n', out) != EOF ? 0 : -1;
    free(text);
    return rc;
}
