/* CPU architectures and thread contexts (x86, amd64, arm, arm64). Contexts are roots for the
 * reachability scan, so every general-purpose register is kept, not only ip/sp/fp. */
#ifndef HS_CONTEXT_H
#define HS_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "reader.h"
#include "status.h"

typedef enum hs_arch {
    HS_ARCH_UNKNOWN = 0,
    HS_ARCH_X86,
    HS_ARCH_AMD64,
    HS_ARCH_ARM,
    HS_ARCH_ARM64,
    HS_ARCH_PPC,
    HS_ARCH_PPC64,
    HS_ARCH_MIPS,
    HS_ARCH_MIPS64,
    HS_ARCH_SPARC,
    HS_ARCH_RISCV,
    HS_ARCH_RISCV64,
} hs_arch;

/* Breakpad's spelling of the architecture ("x86", "amd64", "arm64", …; "unknown"). */
const char *hs_arch_name(hs_arch arch);
/* Pointer size in bytes: 4 or 8; 0 for HS_ARCH_UNKNOWN. */
unsigned hs_arch_pointer_size(hs_arch arch);
/* Maps SystemInfo.ProcessorArchitecture (PROCESSOR_ARCHITECTURE_* and Breakpad's extensions). */
hs_arch hs_arch_from_processor(uint16_t processor_architecture);

enum { HS_CONTEXT_MAX_REGS = 33 };

typedef struct hs_context {
    bool valid;
    hs_arch arch;
    uint32_t flags; /* ContextFlags as recorded */
    uint64_t ip, sp, fp;
    unsigned reg_count;
    uint64_t regs[HS_CONTEXT_MAX_REGS];
    const char *const *reg_names; /* reg_count names, static */
} hs_context;

/* Decodes a CONTEXT record covering exactly r's window. arch is the dump's architecture (from
 * SystemInfo) or HS_ARCH_UNKNOWN; the record's own ContextFlags confirm or decide it. Returns
 * HS_ERR_TRUNCATED for a short record, HS_ERR_UNSUPPORTED for an architecture without decoding. */
HS_NODISCARD hs_status hs_context_parse(const hs_reader *r, hs_arch arch, hs_context *out);

#endif
