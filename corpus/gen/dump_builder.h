/* Builds minidumps in memory for tests: valid ones, and every kind of damaged one. */
#ifndef HS_TEST_DUMP_BUILDER_H
#define HS_TEST_DUMP_BUILDER_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte vector with little-endian writers. */
typedef struct bytevec {
    uint8_t *data;
    size_t len, cap;
} bytevec;

void bv_put(bytevec *v, const void *p, size_t n);
void bv_u8(bytevec *v, uint8_t x);
void bv_u16(bytevec *v, uint16_t x);
void bv_u32(bytevec *v, uint32_t x);
void bv_u64(bytevec *v, uint64_t x);
void bv_zero(bytevec *v, size_t n);
void bv_free(bytevec *v);
/* Overwrites 4 bytes at off (which must exist). */
void bv_set_u32(bytevec *v, size_t off, uint32_t x);

enum { DB_MAX_STREAMS = 32 };

/* A dump under construction: header and directory are reserved at the start of `file` and written
 * by db_finish; streams and the data they point to are appended in between. */
typedef struct dump_builder {
    bytevec file;
    size_t n_streams;
    uint32_t type[DB_MAX_STREAMS], size[DB_MAX_STREAMS], rva[DB_MAX_STREAMS];
    uint64_t flags;
} dump_builder;

void db_init(dump_builder *b);
/* Appends bytes and returns their RVA. */
uint32_t db_blob(dump_builder *b, const void *p, size_t n);
/* Appends a MINIDUMP_STRING made from ASCII text; returns its RVA. */
uint32_t db_string(dump_builder *b, const char *ascii);
/* Appends a stream's bytes and adds a directory entry for them. */
void db_stream(dump_builder *b, uint32_t type, const bytevec *content);
/* Adds a directory entry with an arbitrary location (for damaged dumps). */
void db_stream_at(dump_builder *b, uint32_t type, uint32_t rva, uint32_t size);
/* Writes header and directory; the caller owns b->file afterwards. */
void db_finish(dump_builder *b);

/* Stream contents for the common streams. */
void db_system_info(bytevec *v, uint16_t arch, uint32_t major, uint32_t minor, uint32_t build,
                    uint32_t platform, uint32_t csd_rva);
/* A memory list with one descriptor per (start, size); the bytes are filled with `fill`+index. */
void db_memory_list(dump_builder *b, bytevec *v, const uint64_t *starts, const uint32_t *sizes,
                    size_t n);

#endif
