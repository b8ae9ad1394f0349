#include "archive_api.h"

#include <pthread.h>
#include <stdio.h>

#include "dynlib.h"

/* Debian 12's SONAMEs first: libarchive13, libssl3 (libcrypto.so.3). */
static const char *const archive_names[] = {"libarchive.so.13", "libarchive.so"};
static const char *const crypto_names[] = {"libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"};

static hs_archive_api archive_api;
static const hs_archive_api *archive_loaded;
static char archive_error[512];
static pthread_once_t archive_once = PTHREAD_ONCE_INIT;

static hs_crypto_api crypto_api;
static const hs_crypto_api *crypto_loaded;
static char crypto_error[512];
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

#define HS_API_LOAD(table, library, err, name)                                      \
    if (!hs_dynlib_sym(lib, library, #name, (void **)&table.name, err, sizeof err)) \
        return;

static void load_archive(void)
{
    void *lib = hs_dynlib_open(archive_names, sizeof archive_names / sizeof archive_names[0],
                               "libarchive13", archive_error, sizeof archive_error);
    if (!lib)
        return;
#define LOAD(name) HS_API_LOAD(archive_api, "libarchive", archive_error, name)
    HS_ARCHIVE_FUNCTIONS(LOAD)
#undef LOAD
    archive_loaded = &archive_api;
}

static void load_crypto(void)
{
    void *lib = hs_dynlib_open(crypto_names, sizeof crypto_names / sizeof crypto_names[0],
                               "libssl3", crypto_error, sizeof crypto_error);
    if (!lib)
        return;
#define LOAD(name) HS_API_LOAD(crypto_api, "libcrypto", crypto_error, name)
    HS_CRYPTO_FUNCTIONS(LOAD)
#undef LOAD
    crypto_loaded = &crypto_api;
}

const hs_archive_api *hs_archive_api_get(char *err, size_t err_size)
{
    pthread_once(&archive_once, load_archive);
    if (!archive_loaded && err)
        snprintf(err, err_size, "%s", archive_error);
    return archive_loaded;
}

const hs_crypto_api *hs_crypto_api_get(char *err, size_t err_size)
{
    pthread_once(&crypto_once, load_crypto);
    if (!crypto_loaded && err)
        snprintf(err, err_size, "%s", crypto_error);
    return crypto_loaded;
}
