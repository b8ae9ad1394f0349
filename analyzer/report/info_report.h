/* The `info` report: what a dump is (OS, CPU, exception, modules, threads, memory, streams,
 * problems), as JSON and as text for a person. */
#ifndef HS_INFO_REPORT_H
#define HS_INFO_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "address_space.h"
#include "minidump.h"

/* The JSON object documented in README.md ("heapsleuth info --format json"). as may be NULL when
 * the dump could not be parsed. Returns a new reference, NULL when out of memory. */
json_t *hs_info_json(const hs_dump *dump, const hs_address_space *as);
/* The same facts as text, in the spirit of minidump_stackwalk without stacks. */
void hs_info_text(FILE *out, const hs_dump *dump, const hs_address_space *as);

#endif
