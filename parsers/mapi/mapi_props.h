/* MAPI property values (SPropValue) as they lie in a client's memory, and what MAPI accepts as
 * valid. Layouts and tables from docs/reference/mapi.md: §1.1 (SPropValue: 16 bytes on x86, 24 on
 * x64, Value at +8), §1.2 (counted arrays: count at +0, pointer at +4 x86 / +8 x64), §2.1 (types,
 * MV forms), §2.2 (ID ranges), §3.1–3.3 (SCODEs and valid values). */
#ifndef HS_MAPI_PROPS_H
#define HS_MAPI_PROPS_H

#include <stdbool.h>
#include <stdint.h>

#include "reader.h"
#include "status.h"

enum {
    HS_PT_NULL = 0x0001,
    HS_PT_I2 = 0x0002,
    HS_PT_LONG = 0x0003,
    HS_PT_R4 = 0x0004,
    HS_PT_DOUBLE = 0x0005,
    HS_PT_CURRENCY = 0x0006,
    HS_PT_APPTIME = 0x0007,
    HS_PT_ERROR = 0x000A,
    HS_PT_BOOLEAN = 0x000B,
    HS_PT_OBJECT = 0x000D,
    HS_PT_I8 = 0x0014,
    HS_PT_STRING8 = 0x001E,
    HS_PT_UNICODE = 0x001F,
    HS_PT_SYSTIME = 0x0040,
    HS_PT_CLSID = 0x0048,
    HS_PT_SVREID = 0x00FB,
    HS_PT_SRESTRICTION = 0x00FD,
    HS_PT_ACTIONS = 0x00FE,
    HS_PT_BINARY = 0x0102,
    HS_PT_PTR = 0x0103,
    HS_MV_FLAG = 0x1000,
};

/* How the Value union of an entry must be read. */
typedef enum hs_prop_shape {
    HS_PROP_SCALAR,  /* an inline value (no pointer) */
    HS_PROP_POINTER, /* Value holds one pointer (string, GUID, restriction, …) */
    HS_PROP_COUNTED, /* Value holds {count, pointer}: SBinary or an MV array */
} hs_prop_shape;

typedef struct hs_propval {
    uint32_t tag;
    uint32_t pad;  /* dwAlignPad: 0 in every real dump seen (mapi.md §1.1) */
    uint16_t type; /* tag & 0xFFFF */
    uint16_t id;   /* tag >> 16 */
    hs_prop_shape shape;
    uint64_t scalar;  /* the first 8 bytes of Value */
    uint32_t count;   /* COUNTED: cb / cValues */
    uint64_t pointer; /* POINTER / COUNTED: the pointer */
} hs_propval;

/* Size of one SPropValue for a pointer size (16 for 4, 24 for 8). */
unsigned hs_propval_size(unsigned ptr_size);
/* Decodes the SPropValue at the reader's position and advances past it. */
HS_NODISCARD hs_status hs_propval_read(hs_reader *r, unsigned ptr_size, hs_propval *out);

/* True when the type (with or without MV_FLAG) is one a client holds in memory: the strict
 * whitelist of mapi.md §2.1, MV only on types that have an MV form, no MV_INSTANCE or higher bits.
 */
bool hs_prop_type_valid(uint16_t type);
/* True when the tag's ID is usable (not 0 except for PT_NULL/PT_ERROR, not 0xFFFF). */
bool hs_prop_id_valid(uint16_t id, uint16_t type);
/* The name of a type ("PT_STRING8", "PT_MV_BINARY"), or NULL. */
const char *hs_prop_type_name(uint16_t type);
/* Bytes of one element of an MV array type (2, 4, 8, 16, or the pointer / SBinary size). */
unsigned hs_prop_mv_element_size(uint16_t type, unsigned ptr_size);
/* True when an SCODE is a plausible PT_ERROR value (mapi.md §3.1–3.2). */
bool hs_prop_scode_valid(uint32_t scode);
/* True when a FILETIME is plausible: 0, the 4501-01-01 "no date" sentinel, or 1980..2100 (§3.3). */
bool hs_prop_systime_plausible(uint64_t filetime);
/* True when a 32-bit value (or the low half of a 64-bit pointer) is a freed- or debug-fill pattern.
 */
bool hs_fill_pattern(uint64_t value, unsigned width);

#endif
