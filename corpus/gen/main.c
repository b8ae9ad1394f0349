/* hs-corpus-gen: writes the minidump of a scenario file.
 *   hs-corpus-gen SCENARIO.scn OUT.dmp */
#include <stdio.h>
#include <stdlib.h>

#include "mapi_scenario.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: hs-corpus-gen SCENARIO.scn OUT.dmp\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    hs_scenario sc;
    char err[256];
    if (hs_scenario_parse(text, &sc, err, sizeof err) != 0) {
        fprintf(stderr, "hs-corpus-gen: %s: %s\n", argv[1], err);
        return 2;
    }
    dump_builder b;
    hs_scenario_build(&sc, &b);
    FILE *out = fopen(argv[2], "wb");
    if (!out || fwrite(b.file.data, 1, b.file.len, out) != b.file.len || fclose(out) != 0) {
        perror(argv[2]);
        bv_free(&b.file);
        return 2;
    }
    bv_free(&b.file);
    return 0;
}
