/* Conventions shared by every JSON report: addresses as lowercase "0x…" strings, sizes as
 * integers, absent values as null. jansson does the escaping. */
#ifndef HS_JSON_UTIL_H
#define HS_JSON_UTIL_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* "0x…" for an address or code. */
json_t *hs_json_hex(uint64_t value);
/* An integer for a size or count (sizes above INT64_MAX are clamped; none occur in practice). */
json_t *hs_json_size(uint64_t value);
/* A string; bytes that are not valid UTF-8 (8-bit paths in CodeView records, CommentA) are
 * read as Latin-1 so that no byte is lost. */
json_t *hs_json_text(const char *s);
/* hs_json_text, or null when s is NULL. */
json_t *hs_json_str_or_null(const char *s);
/* Writes the document to out, pretty-printed, with a final newline; returns 0 or -1. */
int hs_json_print(json_t *doc, FILE *out, int compact);

#endif
