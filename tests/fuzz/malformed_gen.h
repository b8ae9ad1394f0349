/* The hand-made hostile dumps of corpus/malformed/ (issue 7: "a dump claiming 2^32 streams,
 * 2^64 memory ranges, a heap list of 10^9 heaps or a cyclic segment list is rejected or bounded in
 * milliseconds with a clear message"). hs-fuzz-malformed-gen writes them; test_malformed.c checks
 * that the committed files are still exactly what this code makes, then asserts each outcome.
 * Dumps the fuzzers found are kept as found (minimised) and are not made here. */
#ifndef HS_FUZZ_MALFORMED_GEN_H
#define HS_FUZZ_MALFORMED_GEN_H

#include <stddef.h>

#include "dump_builder.h"

typedef struct mf_case {
    const char *file;            /* name in corpus/malformed/ */
    void (*build)(bytevec *out); /* writes the whole file into out (which starts empty) */
} mf_case;

/* Every generated case, in a fixed order. */
const mf_case *mf_cases(size_t *count);

#endif
