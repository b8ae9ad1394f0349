/* Libraries loaded on first use (dlopen) rather than linked: libyara, libarchive and libcrypto pull
 * in OpenSSL, libxml2, ICU and a dozen more, whose relocation at start-up costs several times what
 * `info` spends on a whole dump. Each user keeps a table of function pointers filled from here. */
#ifndef HS_DYNLIB_H
#define HS_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

/* Opens the first of sonames that loads (RTLD_NOW | RTLD_LOCAL); NULL with a sentence naming the
 * Debian package in err otherwise. */
void *hs_dynlib_open(const char *const *sonames, size_t count, const char *package, char *err,
                     size_t err_size);
/* Resolves symbol into *slot; false with a sentence in err when the library lacks it. */
bool hs_dynlib_sym(void *lib, const char *library, const char *symbol, void **slot, char *err,
                   size_t err_size);

#endif
