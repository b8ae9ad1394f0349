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
    FILE *out = fopen(argv[2], "wb");
    if (!out) {
        perror(argv[2]);
        return 2;
    }
    /* A large buffer: bulk scenarios write gigabytes. */
    setvbuf(out, NULL, _IOFBF, 1 << 20);
    int rc = hs_scenario_write(&sc, out);
    if (fclose(out) != 0)
        rc = -1;
    if (rc != 0) {
        perror(argv[2]);
        return 2;
    }
    return 0;
}
