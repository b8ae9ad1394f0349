/* The minidump parser: header, stream directory and every stream a Windows crash dump carries,
 * exposed as typed C structures. Layouts from Microsoft's minidumpapiset.h documentation
 * (MINIDUMP_* structures), cross-checked against Breakpad's minidump_format.h and the dumps in
 * tests/data/real. Nothing here trusts the file: each stream is parsed through a reader bounded to
 * its LOCATION_DESCRIPTOR, and a damaged stream is recorded in `problems` and skipped. */
#ifndef HS_MINIDUMP_H
#define HS_MINIDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "context.h"
#include "diag.h"
#include "source.h"
#include "status.h"

/* Stream type ids: MINIDUMP_STREAM_TYPE (minidumpapiset.h); Breakpad/Crashpad ids from
 * Breakpad's minidump_format.h. */
enum {
    HS_STREAM_THREAD_LIST = 3,
    HS_STREAM_MODULE_LIST = 4,
    HS_STREAM_MEMORY_LIST = 5,
    HS_STREAM_EXCEPTION = 6,
    HS_STREAM_SYSTEM_INFO = 7,
    HS_STREAM_THREAD_EX_LIST = 8,
    HS_STREAM_MEMORY64_LIST = 9,
    HS_STREAM_COMMENT_A = 10,
    HS_STREAM_COMMENT_W = 11,
    HS_STREAM_HANDLE_DATA = 12,
    HS_STREAM_UNLOADED_MODULE_LIST = 14,
    HS_STREAM_MISC_INFO = 15,
    HS_STREAM_MEMORY_INFO_LIST = 16,
    HS_STREAM_THREAD_INFO_LIST = 17,
    HS_STREAM_THREAD_NAMES = 24,
    HS_STREAM_BREAKPAD_INFO = 0x47670001,
};

/* MINIDUMP_TYPE bits recorded in the header's Flags (minidumpapiset.h). */
enum {
    HS_MDT_WITH_DATA_SEGS = 0x1,
    HS_MDT_WITH_FULL_MEMORY = 0x2,
    HS_MDT_WITH_PROCESS_THREAD_DATA = 0x100,
    HS_MDT_WITH_PRIVATE_RW_MEMORY = 0x200,
    HS_MDT_WITH_FULL_MEMORY_INFO = 0x800,
};

/* MINIDUMP_MEMORY_INFO State / Type values (winnt.h). */
enum {
    HS_MEM_COMMIT = 0x1000,
    HS_MEM_RESERVE = 0x2000,
    HS_MEM_FREE = 0x10000,
    HS_MEM_PRIVATE = 0x20000,
    HS_MEM_MAPPED = 0x40000,
    HS_MEM_IMAGE = 0x1000000,
};

/* SystemInfo PlatformId values: VER_PLATFORM_WIN32_NT and Breakpad's MD_OS_* extensions. */
enum {
    HS_PLATFORM_WIN32S = 0,
    HS_PLATFORM_WIN32_WINDOWS = 1,
    HS_PLATFORM_WIN32_NT = 2,
    HS_PLATFORM_MACOS = 0x8101,
    HS_PLATFORM_IOS = 0x8102,
    HS_PLATFORM_LINUX = 0x8201,
    HS_PLATFORM_SOLARIS = 0x8202,
    HS_PLATFORM_ANDROID = 0x8203,
    HS_PLATFORM_PS3 = 0x8204,
    HS_PLATFORM_NACL = 0x8205,
    HS_PLATFORM_FUCHSIA = 0x8206,
};

typedef struct hs_md_header {
    uint32_t signature;
    uint32_t version; /* low 16 bits: 0xA793 (MINIDUMP_VERSION); high: implementation */
    uint32_t stream_count;
    uint32_t directory_rva;
    uint32_t checksum;
    uint32_t time_date_stamp;
    uint64_t flags; /* MINIDUMP_TYPE */
} hs_md_header;

typedef struct hs_md_stream {
    uint32_t type;
    uint32_t size;
    uint32_t rva;
    bool used; /* parsed as the stream of its type (duplicates are not) */
} hs_md_stream;

typedef struct hs_md_thread {
    uint32_t id;
    uint32_t suspend_count;
    uint32_t priority_class;
    uint32_t priority;
    uint64_t teb;
    uint64_t stack_start;
    uint64_t stack_size; /* as declared; the bytes may be absent */
    uint32_t stack_rva;
    uint32_t context_rva;
    uint32_t context_size;
    hs_context context;           /* context.valid is false when it could not be read */
    uint64_t backing_store_start; /* ThreadExList only (IA64), else 0 */
    uint64_t backing_store_size;
    const char *name; /* from ThreadNames, or NULL */
} hs_md_thread;

typedef struct hs_md_version_info {
    bool present; /* VS_FIXEDFILEINFO with signature 0xFEEF04BD */
    uint32_t signature, struct_version;
    uint32_t file_version_ms, file_version_ls;
    uint32_t product_version_ms, product_version_ls;
    uint32_t file_flags_mask, file_flags, file_os, file_type, file_subtype;
    uint32_t file_date_ms, file_date_ls;
} hs_md_version_info;

typedef enum hs_cv_kind {
    HS_CV_NONE = 0,
    HS_CV_PDB70, /* 'RSDS': GUID, age, PDB path */
    HS_CV_PDB20, /* 'NB10': offset, timestamp signature, age, PDB path */
    HS_CV_ELF,   /* 'BpEL': Breakpad's ELF build id */
    HS_CV_OTHER,
} hs_cv_kind;

typedef struct hs_md_module {
    uint64_t base;
    uint32_t size;
    uint32_t checksum;
    uint32_t time_date_stamp;
    const char *path; /* as recorded (UTF-8) */
    const char *name; /* last component of path (either separator) */
    hs_md_version_info version_info;
    char version[48]; /* "a.b.c.d" from version_info, "" when absent */
    hs_cv_kind cv_kind;
    const char *debug_file; /* PDB path for RSDS/NB10, the module path for ELF; NULL when none */
    const char *debug_id;   /* Breakpad's spelling; NULL when none */
    const char *code_id;    /* "TIMESTAMPsize" (Breakpad's code identifier) for PE modules */
} hs_md_module;

typedef struct hs_md_unloaded_module {
    uint64_t base;
    uint32_t size;
    uint32_t checksum;
    uint32_t time_date_stamp;
    const char *path;
} hs_md_unloaded_module;

typedef struct hs_md_exception {
    uint32_t thread_id;
    uint32_t code;
    uint32_t flags;
    uint64_t record;
    uint64_t address;
    uint32_t parameter_count; /* as declared (may exceed 15) */
    uint64_t parameters[15];
    uint32_t context_rva, context_size;
    hs_context context;
} hs_md_exception;

typedef struct hs_md_system_info {
    uint16_t processor_architecture; /* PROCESSOR_ARCHITECTURE_* */
    uint16_t processor_level;
    uint16_t processor_revision;
    uint8_t cpu_count;
    uint8_t product_type;
    uint32_t major, minor, build;
    uint32_t platform_id;
    const char *csd; /* "" when absent */
    uint16_t suite_mask;
    char cpu_vendor[13]; /* x86/amd64: CPUID vendor string */
    uint32_t cpu_version_info, cpu_feature_info, amd_extended_features;
    uint64_t processor_features[2]; /* other architectures */
} hs_md_system_info;

typedef struct hs_md_misc_info {
    uint32_t size_of_info; /* 24, 44, 232, 832 or 1364 (MINIDUMP_MISC_INFO .. _5) */
    uint32_t flags1;
    uint32_t process_id;
    uint32_t process_create_time, process_user_time, process_kernel_time;
    uint32_t processor_max_mhz, processor_current_mhz, processor_mhz_limit;
    uint32_t processor_max_idle_state, processor_current_idle_state;
    uint32_t process_integrity_level, process_execute_flags, protected_process;
    uint32_t time_zone_id;
    int32_t time_zone_bias;
    const char *time_zone_standard_name, *time_zone_daylight_name;
    const char *build_string, *dbg_build_string;
    uint64_t xstate_enabled_features;
    uint32_t process_cookie;
} hs_md_misc_info;

typedef struct hs_md_memory_info {
    uint64_t base;
    uint64_t allocation_base;
    uint32_t allocation_protect;
    uint64_t region_size;
    uint32_t state;
    uint32_t protect;
    uint32_t type;
} hs_md_memory_info;

typedef struct hs_md_thread_info {
    uint32_t thread_id, dump_flags, dump_error, exit_status;
    uint64_t create_time, exit_time, kernel_time, user_time, start_address, affinity;
} hs_md_thread_info;

typedef struct hs_md_handle {
    uint64_t handle;
    const char *type_name; /* NULL when absent */
    const char *object_name;
    uint32_t attributes, granted_access, handle_count, pointer_count;
} hs_md_handle;

/* One memory range as stored in the file, from MemoryList or Memory64List. */
/* Breakpad's own stream (minidump_format.h MDRawBreakpadInfo): which thread wrote the dump and
 * which one asked for it. Breakpad's processor leaves the writing thread out of its thread list. */
typedef struct hs_md_breakpad_info {
    bool dump_thread_valid, requesting_thread_valid;
    uint32_t dump_thread_id;
    uint32_t requesting_thread_id;
} hs_md_breakpad_info;

typedef struct hs_md_memory_range {
    uint64_t start; /* virtual address */
    uint64_t size;  /* bytes present in the file (clipped to the file if truncated) */
    uint64_t rva;   /* file offset of the bytes */
    bool from_memory64;
} hs_md_memory_range;

typedef struct hs_dump {
    const char *path; /* for messages; the caller's string is copied */
    hs_source source;
    hs_arena *arena;
    hs_diag problems;

    bool valid; /* the header and directory could be read */
    hs_md_header header;
    hs_md_stream *streams;
    size_t stream_count;

    hs_md_thread *threads;
    size_t thread_count;
    bool has_thread_list;
    hs_md_module *modules;
    size_t module_count;
    bool has_module_list;
    hs_md_unloaded_module *unloaded_modules;
    size_t unloaded_module_count;
    hs_md_exception *exception;     /* NULL when no exception stream */
    hs_md_system_info *system_info; /* NULL when no (readable) SystemInfo */
    hs_md_misc_info *misc_info;
    hs_md_memory_info *memory_info; /* sorted by base */
    size_t memory_info_count;
    bool has_memory_info;
    hs_md_thread_info *thread_infos;
    size_t thread_info_count;
    hs_md_handle *handles;
    size_t handle_count;
    const char *comment_a;
    const char *comment_w;
    hs_md_breakpad_info *breakpad_info; /* NULL without a BreakpadInfo stream */
    hs_md_memory_range *memory;         /* in stream order: MemoryList entries, then Memory64List */
    size_t memory_count;
    bool has_memory64;
} hs_dump;

typedef struct hs_dump_options {
    hs_source_limits source_limits;
} hs_dump_options;

/* Opens and parses the dump at path. Returns NULL only when out of memory; otherwise check
 * dump->valid and dump->problems. options may be NULL. */
hs_dump *hs_dump_open(const char *path, const hs_dump_options *options);
/* Parses a dump held in caller-owned memory (kept borrowed unless it is gzip); name is for
 * messages. */
hs_dump *hs_dump_open_memory(const void *data, size_t size, const char *name,
                             const hs_dump_options *options);
/* Frees the dump and everything parsed from it. Accepts NULL. */
void hs_dump_free(hs_dump *dump);

/* The stream's name: "ThreadList", "BreakpadInfo", …, or NULL when the type is not known. */
const char *hs_stream_name(uint32_t type);
/* Writes the names of the MINIDUMP_TYPE bits set in flags, '|'-separated ("MiniDumpNormal" for 0).
 */
void hs_minidump_type_names(uint64_t flags, char *buf, size_t size);
/* The architecture of the dump's process, from SystemInfo (HS_ARCH_UNKNOWN without it). */
hs_arch hs_dump_arch(const hs_dump *dump);
/* Breakpad's OS name for a platform id ("Windows NT", "Linux", "Mac OS X", …). */
const char *hs_platform_name(uint32_t platform_id);
/* True when the dump came from a Windows process (platform id VER_PLATFORM_WIN32_*). */
bool hs_dump_is_windows(const hs_dump *dump);
/* The first stream of a type, or NULL. */
const hs_md_stream *hs_dump_find_stream(const hs_dump *dump, uint32_t type);
/* The thread with this id, or NULL. */
const hs_md_thread *hs_dump_find_thread(const hs_dump *dump, uint32_t id);

#endif
