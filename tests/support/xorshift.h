/* A fixed-seed xorshift64 generator for tests that need many varied inputs and the same ones on
 * every run (a failure names an input that comes back). Header-only. */
#ifndef HS_TEST_XORSHIFT_H
#define HS_TEST_XORSHIFT_H

#include <stdint.h>

static inline uint64_t xorshift_next(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

#endif
