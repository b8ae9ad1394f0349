/* Names of exception codes: NTSTATUS values for Windows dumps, signals for Linux/macOS dumps. */
#ifndef HS_EXCEPTION_NAMES_H
#define HS_EXCEPTION_NAMES_H

#include <stdint.h>

/* The conventional name of an exception code on a platform (SystemInfo PlatformId), or NULL. */
const char *hs_exception_name(uint32_t platform_id, uint32_t code);

#endif
