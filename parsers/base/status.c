#include "status.h"

const char *hs_status_str(hs_status st)
{
    switch (st) {
    case HS_OK:
        return "ok";
    case HS_ERR_TRUNCATED:
        return "truncated data";
    case HS_ERR_OVERFLOW:
        return "arithmetic overflow in a size, count or address";
    case HS_ERR_FORMAT:
        return "malformed data";
    case HS_ERR_LIMIT:
        return "resource limit reached";
    case HS_ERR_NOMEM:
        return "out of memory";
    case HS_ERR_IO:
        return "input/output error";
    case HS_ERR_NOT_PRESENT:
        return "memory not present in the dump";
    case HS_ERR_OUT_OF_RANGE:
        return "address range out of bounds";
    case HS_ERR_UNSUPPORTED:
        return "unsupported";
    case HS_ERR_USAGE:
        return "invalid arguments";
    }
    return "unknown status";
}
