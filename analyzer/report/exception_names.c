#include "exception_names.h"

#include <stddef.h>

#include "minidump.h"

/* NTSTATUS values (ntstatus.h / winnt.h EXCEPTION_*). */
static const struct {
    uint32_t code;
    const char *name;
} windows_codes[] = {
    {0x80000001, "EXCEPTION_GUARD_PAGE"},
    {0x80000002, "EXCEPTION_DATATYPE_MISALIGNMENT"},
    {0x80000003, "EXCEPTION_BREAKPOINT"},
    {0x80000004, "EXCEPTION_SINGLE_STEP"},
    {0xC0000005, "EXCEPTION_ACCESS_VIOLATION"},
    {0xC0000006, "EXCEPTION_IN_PAGE_ERROR"},
    {0xC0000008, "EXCEPTION_INVALID_HANDLE"},
    {0xC000001D, "EXCEPTION_ILLEGAL_INSTRUCTION"},
    {0xC0000025, "EXCEPTION_NONCONTINUABLE_EXCEPTION"},
    {0xC0000026, "EXCEPTION_INVALID_DISPOSITION"},
    {0xC000008C, "EXCEPTION_ARRAY_BOUNDS_EXCEEDED"},
    {0xC000008D, "EXCEPTION_FLT_DENORMAL_OPERAND"},
    {0xC000008E, "EXCEPTION_FLT_DIVIDE_BY_ZERO"},
    {0xC000008F, "EXCEPTION_FLT_INEXACT_RESULT"},
    {0xC0000090, "EXCEPTION_FLT_INVALID_OPERATION"},
    {0xC0000091, "EXCEPTION_FLT_OVERFLOW"},
    {0xC0000092, "EXCEPTION_FLT_STACK_CHECK"},
    {0xC0000093, "EXCEPTION_FLT_UNDERFLOW"},
    {0xC0000094, "EXCEPTION_INT_DIVIDE_BY_ZERO"},
    {0xC0000095, "EXCEPTION_INT_OVERFLOW"},
    {0xC0000096, "EXCEPTION_PRIV_INSTRUCTION"},
    {0xC00000FD, "EXCEPTION_STACK_OVERFLOW"},
    {0xC0000017, "STATUS_NO_MEMORY"},
    {0xC0000194, "EXCEPTION_POSSIBLE_DEADLOCK"},
    {0xC0000374, "STATUS_HEAP_CORRUPTION"},
    {0xC0000409, "STATUS_STACK_BUFFER_OVERRUN"},
    {0xC0000420, "STATUS_ASSERTION_FAILURE"},
    {0xC000041D, "STATUS_FATAL_USER_CALLBACK_EXCEPTION"},
    {0xE06D7363, "Microsoft C++ exception"},
    {0x40010006, "DBG_PRINTEXCEPTION_C"},
    {0x406D1388, "MS_VC_EXCEPTION (thread name)"},
};

/* POSIX signal numbers on Linux (Breakpad writes the signal as the exception code). */
static const char *const linux_signals[] = {
    NULL,        "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS",
};

/* macOS: Mach exception types (Breakpad writes EXC_* as the code). */
static const char *const mach_exceptions[] = {
    NULL,           "EXC_BAD_ACCESS", "EXC_BAD_INSTRUCTION", "EXC_ARITHMETIC",    "EXC_EMULATION",
    "EXC_SOFTWARE", "EXC_BREAKPOINT", "EXC_SYSCALL",         "EXC_MACH_SYSCALL",  "EXC_RPC_ALERT",
    "EXC_CRASH",    "EXC_RESOURCE",   "EXC_GUARD",           "EXC_CORPSE_NOTIFY",
};

const char *hs_exception_name(uint32_t platform_id, uint32_t code)
{
    switch (platform_id) {
    case HS_PLATFORM_LINUX:
    case HS_PLATFORM_ANDROID:
        return code < sizeof linux_signals / sizeof linux_signals[0] ? linux_signals[code] : NULL;
    case HS_PLATFORM_MACOS:
    case HS_PLATFORM_IOS:
        return code < sizeof mach_exceptions / sizeof mach_exceptions[0] ? mach_exceptions[code]
                                                                         : NULL;
    default:
        for (size_t i = 0; i < sizeof windows_codes / sizeof windows_codes[0]; i++)
            if (windows_codes[i].code == code)
                return windows_codes[i].name;
        return NULL;
    }
}
