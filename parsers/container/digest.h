/* SHA-256 of a dump's bytes (OpenSSL libcrypto), so the same dump in many tickets is recognisable.
 */
#ifndef HS_DIGEST_H
#define HS_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

enum { HS_SHA256_HEX = 65 }; /* 64 hex digits and the terminator */

/* Writes the lowercase hex digest of data into hex; false when libcrypto fails. */
bool hs_sha256_hex(const void *data, size_t size, char hex[HS_SHA256_HEX]);

#endif
