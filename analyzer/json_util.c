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
    size_t flags = JSON_ENSURE_ASCII | (compact ? JSON_COMPACT : JSON_INDENT(2));
    if (json_dumpf(doc, out, flags) != 0)
        return -1;
    return fputc('\n', out) == EOF ? -1 : 0;
}
