/* The process model: from a thread's TEB to the PEB and its heap list (heap-internals.md §1.2,
 * §1.3, §2). WoW64 processes have two PEBs — the native 64-bit one and the 32-bit one — and both
 * heap lists are kept, each heap marked with the PEB it came from. When a dump lacks the
 * ProcessHeaps array (Windows 8+ keeps its first copy in ntdll's data section, which small dumps
 * omit), the list is reconstructed from PEB.ProcessHeap and heap signatures at the allocation
 * bases of MemoryInfoList, and marked as reconstructed. */
#ifndef HS_PROCESS_H
#define HS_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "address_space.h"
#include "minidump.h"

typedef struct hs_peb {
    uint64_t address;
    unsigned ptr_size; /* 4 for x86 and the WoW64 PEB32, 8 for x64/arm64 */
    bool wow64;        /* the 32-bit PEB of a WoW64 process */
    bool present;      /* its heap fields could be read */
    uint64_t process_heap;
    uint32_t number_of_heaps;
    uint32_t maximum_number_of_heaps;
    uint64_t process_heaps;  /* address of the ProcessHeaps array */
    bool heap_array_present; /* all NumberOfHeaps entries were readable */
} hs_peb;

typedef struct hs_heap_ref {
    uint64_t handle;
    unsigned peb_index;
    int list_index; /* position in ProcessHeaps, -1 when found by signature */
} hs_heap_ref;

typedef struct hs_process {
    hs_arch arch;
    uint32_t os_major, os_minor, os_build;
    bool windows;
    bool wow64;
    hs_peb pebs[2];
    size_t peb_count;
    hs_heap_ref *heaps;
    size_t heap_count;
    bool list_reconstructed; /* some heaps come from signatures, not from ProcessHeaps */
    bool memory_present;     /* the dump holds process memory at all */
    const char *statement;   /* when heaps cannot be walked: why, for a person; else NULL */
    hs_diag notes;           /* what the model had to work around */
    hs_arena *arena;
} hs_process;

/* Builds the process model. NULL when out of memory. */
hs_process *hs_process_build(const hs_dump *dump, const hs_address_space *as);
/* Frees it. Accepts NULL. */
void hs_process_free(hs_process *p);

#endif
