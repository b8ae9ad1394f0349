#include "yara_api.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "dynlib.h"

/* The SONAME of Debian 12's libyara9 first; later and earlier majors keep the same API for the
 * functions used here. */
static const char *const candidates[] = {"libyara.so.9", "libyara.so.10", "libyara.so.8",
                                         "libyara.so"};

static hs_yara_api api;
static const hs_yara_api *loaded;
static char load_error[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    void *lib = hs_dynlib_open(candidates, sizeof candidates / sizeof candidates[0], "libyara9",
                               load_error, sizeof load_error);
    if (!lib)
        return;
#define HS_YARA_LOAD(name)                                                          \
    if (!hs_dynlib_sym(lib, "libyara", "yr_" #name, (void **)&api.name, load_error, \
                       sizeof load_error))                                          \
        return;
    HS_YARA_FUNCTIONS(HS_YARA_LOAD)
#undef HS_YARA_LOAD
    loaded = &api;
}

const hs_yara_api *hs_yara_api_get(char *err, size_t err_size)
{
    pthread_once(&once, load);
    if (!loaded && err)
        snprintf(err, err_size, "%s", load_error);
    return loaded;
}
