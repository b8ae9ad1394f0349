#include "mapi_props.h"

#include <stddef.h>

unsigned hs_propval_size(unsigned ptr_size) { return ptr_size == 8 ? 24 : 16; }

/* Base types and whether they have an MV form (mapi.md §2.1, strict in-memory whitelist):
 * X(type, name, has_mv, shape, mv_element), mv_element 0: pointer-sized, 1: SBinary-sized. */
#define PROP_TYPES(X)                                                   \
    X(HS_PT_NULL, "PT_NULL", false, HS_PROP_SCALAR, 0)                  \
    X(HS_PT_I2, "PT_I2", true, HS_PROP_SCALAR, 2)                       \
    X(HS_PT_LONG, "PT_LONG", true, HS_PROP_SCALAR, 4)                   \
    X(HS_PT_R4, "PT_R4", true, HS_PROP_SCALAR, 4)                       \
    X(HS_PT_DOUBLE, "PT_DOUBLE", true, HS_PROP_SCALAR, 8)               \
    X(HS_PT_CURRENCY, "PT_CURRENCY", true, HS_PROP_SCALAR, 8)           \
    X(HS_PT_APPTIME, "PT_APPTIME", true, HS_PROP_SCALAR, 8)             \
    X(HS_PT_ERROR, "PT_ERROR", false, HS_PROP_SCALAR, 0)                \
    X(HS_PT_BOOLEAN, "PT_BOOLEAN", false, HS_PROP_SCALAR, 0)            \
    X(HS_PT_OBJECT, "PT_OBJECT", false, HS_PROP_SCALAR, 0)              \
    X(HS_PT_I8, "PT_I8", true, HS_PROP_SCALAR, 8)                       \
    X(HS_PT_STRING8, "PT_STRING8", true, HS_PROP_POINTER, 0)            \
    X(HS_PT_UNICODE, "PT_UNICODE", true, HS_PROP_POINTER, 0)            \
    X(HS_PT_SYSTIME, "PT_SYSTIME", true, HS_PROP_SCALAR, 8)             \
    X(HS_PT_CLSID, "PT_CLSID", true, HS_PROP_POINTER, 16)               \
    X(HS_PT_SVREID, "PT_SVREID", false, HS_PROP_COUNTED, 0)             \
    X(HS_PT_SRESTRICTION, "PT_SRESTRICTION", false, HS_PROP_POINTER, 0) \
    X(HS_PT_ACTIONS, "PT_ACTIONS", false, HS_PROP_POINTER, 0)           \
    X(HS_PT_BINARY, "PT_BINARY", true, HS_PROP_COUNTED, 1)

#define TYPE_ROW(type, name, has_mv, shape, mv_element)  {type, name, has_mv, shape, mv_element},
#define TYPE_ENUM(type, name, has_mv, shape, mv_element) SLOT_##type,
#define TYPE_SLOT(type, name, has_mv, shape, mv_element) [type] = SLOT_##type + 1,

static const struct {
    uint16_t type;
    const char *name;
    bool has_mv;
    hs_prop_shape shape;
    unsigned mv_element;
} types[] = {PROP_TYPES(TYPE_ROW)};

enum { PROP_TYPES(TYPE_ENUM) };
/* types[] index + 1 by base type, 0 for none: every value the scan reads asks this, several times.
 */
static const uint8_t type_slot[HS_PT_BINARY + 1] = {PROP_TYPES(TYPE_SLOT)};

static int find_type(uint16_t base)
{
    return base < sizeof type_slot && type_slot[base] ? type_slot[base] - 1 : -1;
}

bool hs_prop_type_valid(uint16_t type)
{
    if (type & 0xE000) /* MV_INSTANCE (0x2000) and above never appear in stored values */
        return false;
    int i = find_type(type & ~HS_MV_FLAG);
    if (i < 0)
        return false;
    return !(type & HS_MV_FLAG) || types[i].has_mv;
}

bool hs_prop_id_valid(uint16_t id, uint16_t type)
{
    if (id == 0xFFFF) /* PROP_ID_INVALID */
        return false;
    if (id == 0) /* PROP_ID_NULL: only PR_NULL and error placeholders */
        return (type & ~HS_MV_FLAG) == HS_PT_NULL || type == HS_PT_ERROR;
    return true;
}

const char *hs_prop_type_name(uint16_t type)
{
    static const char *const mv_names[] = {
        [HS_PT_I2] = "PT_MV_I2",
        [HS_PT_LONG] = "PT_MV_LONG",
        [HS_PT_R4] = "PT_MV_R4",
        [HS_PT_DOUBLE] = "PT_MV_DOUBLE",
        [HS_PT_CURRENCY] = "PT_MV_CURRENCY",
        [HS_PT_APPTIME] = "PT_MV_APPTIME",
        [HS_PT_I8] = "PT_MV_I8",
        [HS_PT_STRING8] = "PT_MV_STRING8",
        [HS_PT_UNICODE] = "PT_MV_UNICODE",
        [HS_PT_SYSTIME] = "PT_MV_SYSTIME",
        [HS_PT_CLSID] = "PT_MV_CLSID",
    };
    if (!hs_prop_type_valid(type))
        return NULL;
    uint16_t base = type & ~HS_MV_FLAG;
    if (type & HS_MV_FLAG)
        return base == HS_PT_BINARY                          ? "PT_MV_BINARY"
               : base < sizeof mv_names / sizeof mv_names[0] ? mv_names[base]
                                                             : NULL;
    int i = find_type(base);
    return i < 0 ? NULL : types[i].name;
}

unsigned hs_prop_mv_element_size(uint16_t type, unsigned ptr_size)
{
    int i = find_type(type & ~HS_MV_FLAG);
    if (i < 0)
        return 0;
    if (types[i].mv_element == 0)
        return ptr_size; /* arrays of string pointers */
    if (types[i].mv_element == 1)
        return ptr_size == 8 ? 16 : 8; /* SBinary {cb, lpb} */
    return types[i].mv_element;
}

hs_status hs_propval_read(hs_reader *r, unsigned ptr_size, hs_propval *out)
{
    hs_reader e;
    hs_status st = hs_reader_take(r, hs_propval_size(ptr_size), &e);
    if (st != HS_OK)
        return st;
    if ((st = hs_rd_u32(&e, &out->tag)) != HS_OK || (st = hs_rd_u32(&e, &out->pad)) != HS_OK ||
        (st = hs_rd_u64_at(&e, 8, &out->scalar)) != HS_OK)
        return st;
    out->type = (uint16_t)(out->tag & 0xFFFF);
    out->id = (uint16_t)(out->tag >> 16);
    out->count = 0;
    out->pointer = 0;
    out->shape = HS_PROP_SCALAR;
    if (!hs_prop_type_valid(out->type))
        return HS_OK;
    /* Counted arrays: count at +0 of Value, pointer at +4 (x86) / +8 (x64) (mapi.md §1.2). */
    if (out->type & HS_MV_FLAG) {
        out->shape = HS_PROP_COUNTED;
    } else {
        int i = find_type(out->type);
        out->shape = types[i].shape;
    }
    if (out->shape == HS_PROP_POINTER)
        return hs_rd_ptr_at(&e, 8, ptr_size, &out->pointer);
    if (out->shape == HS_PROP_COUNTED) {
        if ((st = hs_rd_u32_at(&e, 8, &out->count)) != HS_OK)
            return st;
        return hs_rd_ptr_at(&e, 8 + ptr_size, ptr_size, &out->pointer);
    }
    return HS_OK;
}

bool hs_prop_scode_valid(uint32_t scode)
{
    if (hs_fill_pattern(scode, 4))
        return false;
    unsigned facility = (scode >> 16) & 0x1FFF;
    bool failure = scode >> 31;
    /* Warnings: MAPI_W_* live in facility ITF without the severity bit (0x0004xxxx). */
    if (!failure)
        return facility == 4 && (scode & 0xFFFF) != 0;
    /* Failures from MAPI (ITF 4), Win32 (7), storage (3) or NULL (0) facilities (§3.2). */
    return facility == 0 || facility == 3 || facility == 4 || facility == 7;
}

bool hs_prop_systime_plausible(uint64_t ft)
{
    /* 1980-01-01 = 0x01A8E79FE1D58000, 2100-01-01 = 0x022F716377640000, 4501-01-01 =
     * 0x0CB34557A3DD4000 (mapi.md §3.3). */
    return ft == 0 || ft == 0x0CB34557A3DD4000ull ||
           (ft >= 0x01A8E79FE1D58000ull && ft <= 0x022F716377640000ull);
}

bool hs_fill_pattern(uint64_t value, unsigned width)
{
    /* mapi.md §6: NT heap free fill, never-written fill, tail fill, debug MAPI fill, CRT dead land,
     * CRT clean land, CRT no-man's land. */
    uint32_t lo = (uint32_t)value;
    switch (lo) {
    case 0xFEEEFEEE:
    case 0xBAADF00D:
    case 0xABABABAB:
    case 0xFEFEFEFE:
    case 0xDDDDDDDD:
    case 0xCDCDCDCD:
    case 0xFDFDFDFD:
        return width == 4 || (uint32_t)(value >> 32) == lo || (value >> 32) == 0;
    default:
        return false;
    }
}
