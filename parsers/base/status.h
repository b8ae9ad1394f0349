/* Status codes shared by every module. One enum, one message table (status.c). */
#ifndef HS_STATUS_H
#define HS_STATUS_H

typedef enum hs_status {
    HS_OK = 0,
    HS_ERR_TRUNCATED = 1,    /* a read ran past the end of its bounded range */
    HS_ERR_OVERFLOW = 2,     /* a count, size or address computation overflowed */
    HS_ERR_FORMAT = 3,       /* the bytes do not have the shape the format requires */
    HS_ERR_LIMIT = 4,        /* a resource limit from limits.h was reached */
    HS_ERR_NOMEM = 5,        /* an allocation failed */
    HS_ERR_IO = 6,           /* the operating system refused a read, map or open */
    HS_ERR_NOT_PRESENT = 7,  /* the address is valid but the dump does not hold its bytes */
    HS_ERR_OUT_OF_RANGE = 8, /* the address range itself is impossible (wraps the address space) */
    HS_ERR_UNSUPPORTED = 9,  /* a valid input this version does not handle */
    HS_ERR_USAGE = 10,       /* the caller passed invalid arguments */
} hs_status;

/* A short, static, human-readable description of a status code. */
const char *hs_status_str(hs_status st);

#if defined(__GNUC__)
#define HS_NODISCARD         __attribute__((warn_unused_result))
#define HS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define HS_NODISCARD
#define HS_PRINTF(fmt, args)
#endif

#endif
