#include "digest.h"

#include "archive_api.h"

bool hs_sha256_hex(const void *data, size_t size, char hex[HS_SHA256_HEX])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    const hs_crypto_api *C = hs_crypto_api_get(NULL, 0);
    if (!C || C->EVP_Digest(data, size, md, &len, C->EVP_sha256(), NULL) != 1 || len != 32) {
        hex[0] = '\0';
        return false;
    }
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < len; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
    return true;
}
