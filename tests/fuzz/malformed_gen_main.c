/* hs-fuzz-malformed-gen DIR: writes the hand-made hostile dumps of malformed_gen.c into DIR
 * (corpus/malformed/ holds the committed copies). */
#include <stdio.h>
#include <stdlib.h>

#include "malformed_gen.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    size_t n;
    const mf_case *c = mf_cases(&n);
    for (size_t i = 0; i < n; i++) {
        bytevec v = {0};
        c[i].build(&v);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], c[i].file);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(v.data, 1, v.len, f) != v.len || fclose(f) != 0) {
            perror(path);
            return 1;
        }
        printf("%s (%zu bytes)\n", path, v.len);
        bv_free(&v);
    }
    return 0;
}
