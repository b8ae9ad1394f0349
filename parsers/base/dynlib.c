#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

void *hs_dynlib_open(const char *const *sonames, size_t count, const char *package, char *err,
                     size_t err_size)
{
    void *lib = NULL;
    for (size_t i = 0; i < count && !lib; i++)
        lib = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(err, err_size, "%s could not be loaded (%s); install the %s package", sonames[0],
                 why ? why : "not found", package);
    }
    return lib;
}

bool hs_dynlib_sym(void *lib, const char *library, const char *symbol, void **slot, char *err,
                   size_t err_size)
{
    *slot = dlsym(lib, symbol);
    if (!*slot)
        snprintf(err, err_size, "%s lacks %s", library, symbol);
    return *slot != NULL;
}
