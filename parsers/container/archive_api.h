/* libarchive and libcrypto, loaded on first use (util/dynlib.h): `info` and `heaps` never pay
 * for them, and neither does `scan` of a plain dump until it needs a digest. */
#ifndef HS_ARCHIVE_API_H
#define HS_ARCHIVE_API_H

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <stddef.h>

#define HS_ARCHIVE_FUNCTIONS(X)         \
    X(archive_read_new)                 \
    X(archive_read_free)                \
    X(archive_read_support_filter_all)  \
    X(archive_read_support_format_zip)  \
    X(archive_read_support_format_7zip) \
    X(archive_read_support_format_cab)  \
    X(archive_read_support_format_tar)  \
    X(archive_read_support_format_rar)  \
    X(archive_read_support_format_rar5) \
    X(archive_read_support_format_raw)  \
    X(archive_read_set_read_callback)   \
    X(archive_read_set_skip_callback)   \
    X(archive_read_set_seek_callback)   \
    X(archive_read_set_callback_data)   \
    X(archive_read_open1)               \
    X(archive_read_next_header)         \
    X(archive_read_data)                \
    X(archive_error_string)             \
    X(archive_set_error)                \
    X(archive_format)                   \
    X(archive_entry_pathname)           \
    X(archive_entry_filetype)           \
    X(archive_entry_is_encrypted)

#define HS_CRYPTO_FUNCTIONS(X) \
    X(EVP_Digest)              \
    X(EVP_sha256)

typedef struct hs_archive_api {
#define HS_API_MEMBER(name) __typeof__(&name) name;
    HS_ARCHIVE_FUNCTIONS(HS_API_MEMBER)
} hs_archive_api;

typedef struct hs_crypto_api {
    HS_CRYPTO_FUNCTIONS(HS_API_MEMBER)
#undef HS_API_MEMBER
} hs_crypto_api;

/* The tables, loaded once (thread-safe); NULL with the reason in err when the library is missing.
 */
const hs_archive_api *hs_archive_api_get(char *err, size_t err_size);
const hs_crypto_api *hs_crypto_api_get(char *err, size_t err_size);

#endif
