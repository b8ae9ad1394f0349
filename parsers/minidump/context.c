#include "context.h"

#include <string.h>

/* CONTEXT layouts: winnt.h (x86 CONTEXT 0x2CC bytes, AMD64 CONTEXT 0x4D0 bytes, ARM64 CONTEXT
 * 0x390 bytes), and Breakpad's minidump_cpu_*.h for the ARM variants written on Linux/macOS. */

/* ContextFlags CPU-type bits (winnt.h CONTEXT_i386, CONTEXT_AMD64, CONTEXT_ARM, CONTEXT_ARM64;
 * the old Breakpad ARM64 layout shares the register offsets, see parse_arm64). */
enum {
    CTX_FLAG_X86 = 0x00010000,
    CTX_FLAG_AMD64 = 0x00100000,
    CTX_FLAG_ARM = 0x40000000,
    CTX_FLAG_ARM64 = 0x00400000,
};

const char *hs_arch_name(hs_arch arch)
{
    switch (arch) {
    case HS_ARCH_X86:
        return "x86";
    case HS_ARCH_AMD64:
        return "amd64";
    case HS_ARCH_ARM:
        return "arm";
    case HS_ARCH_ARM64:
        return "arm64";
    case HS_ARCH_PPC:
        return "ppc";
    case HS_ARCH_PPC64:
        return "ppc64";
    case HS_ARCH_MIPS:
        return "mips";
    case HS_ARCH_MIPS64:
        return "mips64";
    case HS_ARCH_SPARC:
        return "sparc";
    case HS_ARCH_RISCV:
        return "riscv";
    case HS_ARCH_RISCV64:
        return "riscv64";
    case HS_ARCH_UNKNOWN:
        break;
    }
    return "unknown";
}

unsigned hs_arch_pointer_size(hs_arch arch)
{
    switch (arch) {
    case HS_ARCH_X86:
    case HS_ARCH_ARM:
    case HS_ARCH_PPC:
    case HS_ARCH_MIPS:
    case HS_ARCH_SPARC:
    case HS_ARCH_RISCV:
        return 4;
    case HS_ARCH_AMD64:
    case HS_ARCH_ARM64:
    case HS_ARCH_PPC64:
    case HS_ARCH_MIPS64:
    case HS_ARCH_RISCV64:
        return 8;
    case HS_ARCH_UNKNOWN:
        break;
    }
    return 0;
}

hs_arch hs_arch_from_processor(uint16_t pa)
{
    /* PROCESSOR_ARCHITECTURE_* (winnt.h) and Breakpad's MD_CPU_ARCHITECTURE_* extensions. */
    switch (pa) {
    case 0:
        return HS_ARCH_X86;
    case 1:
        return HS_ARCH_MIPS;
    case 3:
        return HS_ARCH_PPC;
    case 5:
        return HS_ARCH_ARM;
    case 9:
        return HS_ARCH_AMD64;
    case 10:
        return HS_ARCH_X86; /* IA32 on Win64: a 32-bit process */
    case 12:
        return HS_ARCH_ARM64;
    case 0x8001:
        return HS_ARCH_SPARC;
    case 0x8002:
        return HS_ARCH_PPC64;
    case 0x8003:
        return HS_ARCH_ARM64; /* Breakpad's pre-standard ARM64 id */
    case 0x8004:
        return HS_ARCH_MIPS64;
    case 0x8005:
        return HS_ARCH_RISCV;
    case 0x8006:
        return HS_ARCH_RISCV64;
    default:
        return HS_ARCH_UNKNOWN;
    }
}

static const char *const x86_names[] = {"eax", "ebx", "ecx", "edx", "esi",
                                        "edi", "ebp", "esp", "eip"};
static const char *const amd64_names[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp",
                                          "rsi", "rdi", "r8",  "r9",  "r10", "r11",
                                          "r12", "r13", "r14", "r15", "rip"};
static const char *const arm_names[] = {"r0", "r1", "r2",  "r3",  "r4",  "r5", "r6", "r7",
                                        "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc"};
static const char *const arm64_names[] = {
    "x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",  "x9",  "x10",
    "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21",
    "x22", "x23", "x24", "x25", "x26", "x27", "x28", "fp",  "lr",  "sp",  "pc"};

/* Where each architecture keeps its general-purpose registers in the CONTEXT record: registers
 * `first` + i·`stride` for i < count (x86 lists its scattered offsets instead), and which of them
 * are the instruction, stack and frame pointers. */
typedef struct context_layout {
    hs_arch arch;
    unsigned count, width;
    const uint32_t *offsets; /* NULL: first + i·stride */
    uint32_t first, stride;
    const char *const *names;
    unsigned ip, sp, fp;
} context_layout;

/* CONTEXT (x86): Eax 0xB0, Ebx 0xA4, Ecx 0xAC, Edx 0xA8, Esi 0xA0, Edi 0x9C, Ebp 0xB4, Esp 0xC4,
 * Eip 0xB8. */
static const uint32_t x86_offsets[] = {0xB0, 0xA4, 0xAC, 0xA8, 0xA0, 0x9C, 0xB4, 0xC4, 0xB8};
static const context_layout layouts[] = {
    {HS_ARCH_X86, 9, 4, x86_offsets, 0, 0, x86_names, 8, 7, 6},
    /* CONTEXT (AMD64): Rax … R15 from 0x78 in steps of 8, Rip 0xF8. */
    {HS_ARCH_AMD64, 17, 8, NULL, 0x78, 8, amd64_names, 16, 4, 5},
    /* Breakpad MDRawContextARM: iregs[16] (r0-r12, sp, lr, pc) from 4. */
    {HS_ARCH_ARM, 16, 4, NULL, 4, 4, arm_names, 15, 13, 11},
    /* CONTEXT (ARM64): X0..X28, Fp, Lr from 8, Sp 0x100, Pc 0x108. Breakpad's old ARM64 layout
     * (u64 flags, iregs[32] from 8, pc at 0x108) puts the same registers at the same offsets. */
    {HS_ARCH_ARM64, 33, 8, NULL, 8, 8, arm64_names, 32, 31, 29},
};

static hs_status read_registers(const hs_reader *r, const context_layout *l, uint32_t flags,
                                hs_context *out)
{
    for (unsigned i = 0; i < l->count; i++) {
        uint32_t off = l->offsets ? l->offsets[i] : l->first + l->stride * i;
        hs_status st = hs_rd_ptr_at(r, off, l->width, &out->regs[i]);
        if (st != HS_OK)
            return st;
    }
    out->reg_count = l->count;
    out->arch = l->arch;
    out->flags = flags;
    out->reg_names = l->names;
    out->ip = out->regs[l->ip];
    out->sp = out->regs[l->sp];
    out->fp = out->regs[l->fp];
    return HS_OK;
}

hs_status hs_context_parse(const hs_reader *r, hs_arch arch, hs_context *out)
{
    memset(out, 0, sizeof *out);
    uint32_t flags0 = 0, flags_amd64 = 0;
    bool have0 = hs_rd_u32_at(r, 0, &flags0) == HS_OK;
    bool have_amd64 = hs_rd_u32_at(r, 0x30, &flags_amd64) == HS_OK;
    if (!have0)
        return HS_ERR_TRUNCATED;

    /* Let the record's own flags decide when SystemInfo is missing or disagrees. */
    if (arch == HS_ARCH_UNKNOWN || arch == HS_ARCH_X86 || arch == HS_ARCH_AMD64) {
        if (have_amd64 && (flags_amd64 & CTX_FLAG_AMD64) && r->len >= 0x100)
            arch = HS_ARCH_AMD64;
        else if (flags0 & CTX_FLAG_X86)
            arch = HS_ARCH_X86;
    }
    if (arch == HS_ARCH_UNKNOWN) {
        if (flags0 & CTX_FLAG_ARM64)
            arch = HS_ARCH_ARM64;
        else if (flags0 & CTX_FLAG_ARM)
            arch = HS_ARCH_ARM;
    }

    hs_status st = HS_ERR_UNSUPPORTED;
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        if (layouts[i].arch == arch)
            st = read_registers(r, &layouts[i], arch == HS_ARCH_AMD64 ? flags_amd64 : flags0, out);
    if (st == HS_ERR_UNSUPPORTED)
        return st;
    out->valid = st == HS_OK;
    return st;
}
