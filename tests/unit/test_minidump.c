/* The minidump parser on dumps built here (valid and damaged in every way the issue names) and on
 * the real dumps of tests/data/real. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address_space.h"
#include "dump_builder.h"
#include "minidump.h"
#include "test_data.h"

/* True when some recorded problem contains all of the given fragments (NULL-terminated). */
static bool has_problem(const hs_dump *d, const char *where, const char *what)
{
    for (size_t i = 0; i < d->problems.count; i++) {
        const hs_problem *p = &d->problems.items[i];
        if ((!where || strstr(p->where, where)) && (!what || strstr(p->message, what)))
            return true;
    }
    return false;
}

static void dump_problems(const hs_dump *d)
{
    for (size_t i = 0; i < d->problems.count; i++) {
        char buf[1280];
        hs_problem_format(&d->problems.items[i], buf, sizeof buf);
        cr_log_info("problem: %s", buf);
    }
}

/* A complete small x86 Windows XP dump: SystemInfo, ThreadList (one thread with an x86 CONTEXT),
 * ModuleList (RSDS + version), Exception, MiscInfo, MemoryList (the stack). */
static void build_xp_dump(dump_builder *b)
{
    db_init(b);
    b->flags = 0x2; /* MiniDumpWithFullMemory */
    uint32_t csd = db_string(b, "Service Pack 3");
    bytevec si = {0};
    db_system_info(&si, 0, 5, 1, 2600, 2, csd);
    db_stream(b, 7, &si);

    /* x86 CONTEXT: 0x2CC bytes, ContextFlags CONTEXT_i386|FULL; Eip 0x7c90e514, Esp 0x0012ff00. */
    uint8_t ctx[0x2CC] = {0};
    ctx[0] = 0x07;
    ctx[2] = 0x01;
    const struct {
        unsigned off;
        uint32_t v;
    } regs[] = {{0xB0, 0xAAAA0001}, {0xA4, 0xAAAA0002}, {0xAC, 0xAAAA0003},
                {0xA8, 0xAAAA0004}, {0xA0, 0xAAAA0005}, {0x9C, 0xAAAA0006},
                {0xB4, 0x0012ff10}, {0xC4, 0x0012ff00}, {0xB8, 0x7c90e514}};
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        for (int k = 0; k < 4; k++)
            ctx[regs[i].off + (unsigned)k] = (uint8_t)(regs[i].v >> (8 * k));
    uint32_t ctx_rva = db_blob(b, ctx, sizeof ctx);
    uint8_t stack[0x100];
    memset(stack, 0xCC, sizeof stack);
    uint32_t stack_rva = db_blob(b, stack, sizeof stack);

    bytevec tl = {0};
    bv_u32(&tl, 1);
    bv_u32(&tl, 0x1234); /* ThreadId */
    bv_u32(&tl, 0);
    bv_u32(&tl, 0x20);
    bv_u32(&tl, 0);
    bv_u64(&tl, 0x7ffde000); /* Teb */
    bv_u64(&tl, 0x0012ff00); /* Stack.StartOfMemoryRange */
    bv_u32(&tl, sizeof stack);
    bv_u32(&tl, stack_rva);
    bv_u32(&tl, sizeof ctx);
    bv_u32(&tl, ctx_rva);
    db_stream(b, 3, &tl);

    uint32_t name = db_string(b, "C:\\Program Files\\Common Files\\System\\Mapi\\1033\\MAPI32.DLL");
    bytevec cv = {0};
    bv_u32(&cv, 0x53445352);
    const uint8_t guid[16] = {0x78, 0x56, 0x34, 0x12, 0xBC, 0x9A, 0xF0, 0xDE,
                              1,    2,    3,    4,    5,    6,    7,    8};
    bv_put(&cv, guid, 16);
    bv_u32(&cv, 0x1a);
    bv_put(&cv, "mapi32.pdb", 11);
    uint32_t cv_rva = db_blob(b, cv.data, cv.len);
    bytevec ml = {0};
    bv_u32(&ml, 1);
    bv_u64(&ml, 0x35f00000);
    bv_u32(&ml, 0x9d000);
    bv_u32(&ml, 0);
    bv_u32(&ml, 0x3ab0c8f1);
    bv_u32(&ml, name);
    bv_u32(&ml, 0xFEEF04BD); /* VS_FIXEDFILEINFO */
    bv_u32(&ml, 0x00010000);
    bv_u32(&ml, (5u << 16) | 5); /* 5.5.2448.0 */
    bv_u32(&ml, 2448u << 16);
    bv_zero(&ml, 9 * 4);
    bv_u32(&ml, (uint32_t)cv.len);
    bv_u32(&ml, cv_rva);
    bv_zero(&ml, 8 + 16);
    db_stream(b, 4, &ml);

    bytevec ex = {0};
    bv_u32(&ex, 0x1234);
    bv_u32(&ex, 0);
    bv_u32(&ex, 0xC0000005);
    bv_u32(&ex, 0);
    bv_u64(&ex, 0);
    bv_u64(&ex, 0x7c90e514);
    bv_u32(&ex, 2);
    bv_u32(&ex, 0);
    bv_u64(&ex, 1);
    bv_u64(&ex, 0xFEEEFEEE);
    bv_zero(&ex, 13 * 8);
    bv_u32(&ex, sizeof ctx);
    bv_u32(&ex, ctx_rva);
    db_stream(b, 6, &ex);

    bytevec mi = {0};
    bv_u32(&mi, 24);
    bv_u32(&mi, 1);
    bv_u32(&mi, 4242);
    bv_zero(&mi, 12);
    db_stream(b, 15, &mi);

    bytevec mem = {0};
    bv_u32(&mem, 1);
    bv_u64(&mem, 0x0012ff00);
    bv_u32(&mem, sizeof stack);
    bv_u32(&mem, stack_rva);
    db_stream(b, 5, &mem);
    db_finish(b);
    bv_free(&si);
    bv_free(&tl);
    bv_free(&cv);
    bv_free(&ml);
    bv_free(&ex);
    bv_free(&mi);
    bv_free(&mem);
}

Test(minidump, every_field_of_a_synthetic_xp_dump)
{
    dump_builder b;
    build_xp_dump(&b);
    hs_dump *d = hs_dump_open_memory(b.file.data, b.file.len, "xp.dmp", NULL);
    cr_assert(d->valid);
    dump_problems(d);
    cr_assert_eq(d->problems.count, 0);
    cr_assert_eq(d->header.flags, 2);
    cr_assert_eq(hs_dump_arch(d), HS_ARCH_X86);
    cr_assert_str_eq(d->system_info->csd, "Service Pack 3");
    cr_assert_eq(d->system_info->build, 2600);
    cr_assert_str_eq(d->system_info->cpu_vendor, "GenuineIntel");
    cr_assert(hs_dump_is_windows(d));

    cr_assert_eq(d->thread_count, 1);
    const hs_md_thread *t = &d->threads[0];
    cr_assert_eq(t->id, 0x1234);
    cr_assert_eq(t->teb, 0x7ffde000);
    cr_assert(t->context.valid);
    cr_assert_eq(t->context.arch, HS_ARCH_X86);
    cr_assert_eq(t->context.ip, 0x7c90e514);
    cr_assert_eq(t->context.sp, 0x0012ff00);
    cr_assert_eq(t->context.fp, 0x0012ff10);
    cr_assert_eq(t->context.reg_count, 9);
    cr_assert_eq(t->context.regs[0], 0xAAAA0001, "eax");
    cr_assert_str_eq(t->context.reg_names[5], "edi");
    cr_assert_eq(t->context.regs[5], 0xAAAA0006);

    cr_assert_eq(d->module_count, 1);
    const hs_md_module *m = &d->modules[0];
    cr_assert_str_eq(m->name, "MAPI32.DLL");
    cr_assert_str_eq(m->version, "5.5.2448.0");
    cr_assert_str_eq(m->debug_file, "mapi32.pdb");
    cr_assert_str_eq(m->debug_id, "123456789ABCDEF001020304050607081a",
                     "Breakpad: GUID fields in LE, age lowercase");
    cr_assert_str_eq(m->code_id, "3AB0C8F19d000");

    cr_assert_not_null(d->exception);
    cr_assert_eq(d->exception->code, 0xC0000005);
    cr_assert_eq(d->exception->parameters[1], 0xFEEEFEEE);
    cr_assert_eq(d->exception->context.ip, 0x7c90e514);
    cr_assert_eq(d->misc_info->process_id, 4242);

    hs_address_space *as = hs_as_build(d);
    uint32_t v;
    cr_assert_eq(hs_as_read_u32(as, 0x0012ff00, &v), HS_OK);
    cr_assert_eq(v, 0xCCCCCCCC);
    hs_as_free(as);
    hs_dump_free(d);
    bv_free(&b.file);
}

/* Cuts the dump at every stream's start and end: the parser reads what is left and names each
 * stream that no longer fits. */
Test(minidump, truncated_at_every_stream_boundary)
{
    dump_builder b;
    build_xp_dump(&b);
    size_t cuts = 0;
    for (size_t s = 0; s < b.n_streams; s++) {
        size_t bounds[2] = {b.rva[s], (size_t)b.rva[s] + b.size[s]};
        for (int k = 0; k < 2; k++) {
            size_t cut = bounds[k];
            if (cut >= b.file.len)
                continue;
            cuts++;
            uint8_t *copy = malloc(cut ? cut : 1);
            memcpy(copy, b.file.data, cut);
            hs_dump *d = hs_dump_open_memory(copy, cut, "cut.dmp", NULL);
            cr_assert(d->valid,
                      "the directory is before every stream, so the dump stays readable (cut %zu)",
                      cut);
            for (size_t t = 0; t < b.n_streams; t++) {
                if ((size_t)b.rva[t] + b.size[t] > cut)
                    cr_assert(
                        has_problem(d, hs_stream_name(b.type[t]), "runs past the end of the file"),
                        "cut at %zu: stream %s not reported", cut, hs_stream_name(b.type[t]));
            }
            hs_address_space *as = hs_as_build(d);
            hs_as_free(as);
            hs_dump_free(d);
            free(copy);
        }
    }
    cr_assert_geq(cuts, 10);
    for (size_t cut = 0; cut < 32 + 12 * DB_MAX_STREAMS; cut += 7) {
        hs_dump *d = hs_dump_open_memory(b.file.data, cut, "short.dmp", NULL);
        cr_assert_eq(d->valid, cut >= 32 + 12 * b.n_streams || (cut >= 32 + 12 && cut >= 32),
                     "a cut inside the directory keeps the whole entries that remain (cut %zu)",
                     cut);
        if (cut < 32)
            cr_assert(has_problem(d, "header", "fewer than the 32 of a minidump header"));
        hs_dump_free(d);
    }
    bv_free(&b.file);
}

Test(minidump, not_a_minidump_and_empty_input)
{
    const char text[] = "this is a text file, not a dump at all";
    hs_dump *d = hs_dump_open_memory(text, sizeof text, "text.txt", NULL);
    cr_assert_not(d->valid);
    cr_assert(has_problem(d, "header", "not a minidump: signature is 0x73696874"));
    cr_assert_eq(hs_diag_worst(&d->problems), HS_SEV_FATAL);
    hs_dump_free(d);

    d = hs_dump_open_memory(NULL, 0, "empty.dmp", NULL);
    cr_assert_not(d->valid);
    cr_assert(has_problem(d, "header", "the file has 0 bytes"));
    hs_dump_free(d);

    d = hs_dump_open("/nonexistent/heapsleuth/x.dmp", NULL);
    cr_assert_not(d->valid);
    cr_assert(has_problem(d, "input", "cannot open: No such file or directory"));
    hs_dump_free(d);
}

Test(minidump, rvas_past_the_end_and_overflowing_counts)
{
    dump_builder b;
    db_init(&b);
    bytevec tl = {0}, ml = {0}, m64 = {0}, mods = {0};
    bv_u32(&tl, 0xFFFFFFFF); /* 2^32-1 threads in a 4-byte stream */
    db_stream(&b, 3, &tl);
    bv_u32(&ml, 0x10000000); /* 2^28 ranges * 16 bytes = 4 GB */
    db_stream(&b, 5, &ml);
    bv_u64(&m64, UINT64_MAX); /* 2^64-1 ranges */
    bv_u64(&m64, 0);
    bv_u64(&m64, 0x10000);
    bv_u64(&m64, UINT64_MAX); /* a range of 2^64-1 bytes */
    db_stream(&b, 9, &m64);
    bv_u32(&mods, 1);
    bv_u64(&mods, 0x400000);
    bv_u32(&mods, 0x1000);
    bv_zero(&mods, 8);
    bv_u32(&mods, 0x7FFFFFF0); /* name RVA far past the end */
    bv_zero(&mods, 52);
    bv_u32(&mods, 0x100); /* CodeView record past the end */
    bv_u32(&mods, 0xFFFFFF00);
    bv_zero(&mods, 24);
    db_stream(&b, 4, &mods);
    db_stream_at(&b, 7, 0xFFFFFFF0, 56); /* SystemInfo far past the end */
    db_finish(&b);

    hs_dump *d = hs_dump_open_memory(b.file.data, b.file.len, "counts.dmp", NULL);
    dump_problems(d);
    cr_assert(d->valid);
    cr_assert_eq(d->thread_count, 0);
    cr_assert(has_problem(d, "ThreadList",
                          "declares 4294967295 entries of 48 bytes but the stream holds only 0"));
    cr_assert(has_problem(d, "MemoryList",
                          "declares 268435456 entries of 16 bytes but the stream holds only 0"));
    cr_assert(has_problem(d, "Memory64List",
                          "declares 18446744073709551615 ranges but the stream holds only 1"));
    cr_assert(has_problem(d, "Memory64List", "wraps the address space; dropped"));
    cr_assert(has_problem(d, "ModuleList", "name at RVA 0x7ffffff0 is unreadable"));
    cr_assert(has_problem(d, "ModuleList", "CodeView record of 256 bytes is outside the file"));
    cr_assert(has_problem(d, "SystemInfo", "runs past the end of the file"));
    cr_assert_eq(d->module_count, 1, "the module itself is kept");
    cr_assert_eq(d->modules[0].base, 0x400000);
    cr_assert_eq(d->memory_count, 0);
    cr_assert_null(d->system_info);
    hs_dump_free(d);
    bv_free(&tl);
    bv_free(&ml);
    bv_free(&m64);
    bv_free(&mods);
    bv_free(&b.file);
}

Test(minidump, header_claims_2_to_the_32_streams)
{
    dump_builder b;
    build_xp_dump(&b);
    bv_set_u32(&b.file, 8, 0xFFFFFFFF);
    hs_dump *d = hs_dump_open_memory(b.file.data, b.file.len, "streams.dmp", NULL);
    cr_assert(d->valid);
    cr_assert(has_problem(d, "stream directory",
                          "declares 4294967295 streams, more than the limit of 4096"));
    cr_assert_eq(d->thread_count, 1,
                 "the real streams among the first 4096 entries are still read");
    hs_dump_free(d);
    bv_free(&b.file);
}

Test(minidump, directory_pointing_into_itself)
{
    dump_builder b;
    build_xp_dump(&b);
    bv_set_u32(&b.file, 12, 0); /* directory RVA 0: the entries are the header's own bytes */
    hs_dump *d = hs_dump_open_memory(b.file.data, b.file.len, "self.dmp", NULL);
    dump_problems(d);
    cr_assert(d->valid);
    cr_assert(has_problem(d, "stream directory", "the directory starts inside the 32-byte header"));
    /* Entry 0 is {type 'MDMP', size 0xA793, rva stream_count}: an unknown stream, skipped. */
    cr_assert_eq(d->streams[0].type, 0x504D444D);
    cr_assert_eq(d->thread_count, 0);
    hs_dump_free(d);
    bv_free(&b.file);
}

Test(minidump, padded_lists_and_duplicate_streams)
{
    dump_builder b;
    db_init(&b);
    bytevec tl = {0};
    bv_u32(&tl, 1);
    bv_u32(&tl, 0); /* 4 bytes of padding after the count */
    bv_u32(&tl, 77);
    bv_zero(&tl, 44);
    db_stream(&b, 3, &tl);
    bytevec tl2 = {0};
    bv_u32(&tl2, 0);
    db_stream(&b, 3, &tl2);
    db_finish(&b);
    hs_dump *d = hs_dump_open_memory(b.file.data, b.file.len, "padded.dmp", NULL);
    cr_assert_eq(d->thread_count, 1);
    cr_assert_eq(d->threads[0].id, 77);
    cr_assert(has_problem(d, "ThreadList", "4 bytes of padding after the entry count"));
    cr_assert(has_problem(d, "stream directory",
                          "entry 1 is a second ThreadList stream; the first (entry 0) is used"));
    cr_assert_not(d->streams[1].used);
    hs_dump_free(d);
    bv_free(&tl);
    bv_free(&tl2);
    bv_free(&b.file);
}

Test(minidump, sized_tables_with_damaged_headers)
{
    dump_builder b;
    db_init(&b);
    bytevec ti = {0}, mi = {0}, um = {0};
    bv_u32(&ti, 12); /* ThreadInfoList: header 12, entry 64, 1000 entries, room for 1 */
    bv_u32(&ti, 64);
    bv_u32(&ti, 1000);
    bv_u32(&ti, 0x4d2);
    bv_zero(&ti, 60);
    db_stream(&b, 17, &ti);
    bv_u32(&mi, 16); /* MemoryInfoList with entries of 40 bytes: too small */
    bv_u32(&mi, 40);
    bv_u64(&mi, 1);
    bv_zero(&mi, 40);
    db_stream(&b, 16, &mi);
    bv_u32(&um, 12); /* UnloadedModuleList cut inside its header */
    bv_u32(&um, 24);
    db_stream(&b, 14, &um);
    db_finish(&b);
    hs_dump *d = hs_dump_open_memory(b.file.data, b.file.len, "tables.dmp", NULL);
    dump_problems(d);
    cr_assert_eq(d->thread_info_count, 1);
    cr_assert_eq(d->thread_infos[0].thread_id, 0x4d2);
    cr_assert(has_problem(d, "ThreadInfoList", "declares 1000 entries, only 1 fit; reading 1"));
    cr_assert(has_problem(d, "MemoryInfoList",
                          "header size 16 / entry size 40 are too small (need 16 / 48)"));
    cr_assert_not(d->has_memory_info);
    cr_assert(has_problem(d, "UnloadedModuleList", "header of 8 bytes is truncated"));
    hs_dump_free(d);
    bv_free(&ti);
    bv_free(&mi);
    bv_free(&um);
    bv_free(&b.file);
}

Test(minidump, names_of_types_and_streams)
{
    char buf[256];
    hs_minidump_type_names(0, buf, sizeof buf);
    cr_assert_str_eq(buf, "MiniDumpNormal");
    hs_minidump_type_names(0x21826, buf, sizeof buf);
    cr_assert_str_eq(
        buf, "MiniDumpWithFullMemory|MiniDumpWithHandleData|MiniDumpWithUnloadedModules|"
             "MiniDumpWithFullMemoryInfo|MiniDumpWithThreadInfo|MiniDumpIgnoreInaccessibleMemory");
    hs_minidump_type_names(1ull << 40, buf, sizeof buf);
    cr_assert_str_eq(buf, "0x10000000000");
    cr_assert_str_eq(hs_stream_name(9), "Memory64List");
    cr_assert_str_eq(hs_stream_name(0x47670001), "BreakpadInfo");
    cr_assert_str_eq(hs_stream_name(0x43500001), "CrashpadInfo");
    cr_assert_null(hs_stream_name(0x12345678));
}

/* ---- real dumps (tests/data/real): exact values from Breakpad's minidump_dump output ---- */

static hs_dump *open_shared(const char *rel)
{
    char path[4096];
    hs_dump *d = hs_dump_open(real_dump_path(path, sizeof path, rel), NULL);
    cr_assert_not_null(d);
    return d;
}

Test(shared_dumps, mozilla_windows_x86_matches_minidump_dump)
{
    hs_dump *d = open_shared("mozilla/windows-x86.dmp");
    cr_assert(d->valid);
    cr_assert_eq(d->header.stream_count, 16);
    cr_assert_eq(d->header.flags, 0x960);
    cr_assert_eq(d->thread_count, 95);
    cr_assert_eq(d->memory_count, 1516);
    cr_assert_eq(d->exception->code, 0x80000003);
    cr_assert_eq(d->exception->thread_id, 11336);
    cr_assert_str_eq(d->threads[0].name, "MainThread");
    cr_assert_eq(d->unloaded_module_count, 2);
    cr_assert_eq(d->misc_info->size_of_info, 1364);
    cr_assert_eq(d->misc_info->process_id, 11340);
    cr_assert(d->has_memory_info);
    cr_assert_eq(d->memory_info_count, 3980);
    hs_dump_free(d);
}

Test(shared_dumps, arm_and_arm64_contexts_match_minidump_dump)
{
    /* minidump_dump: MDRawContextARM r0..r12 = 1..13, sp 0xe, lr 0xf, pc 0x10. */
    hs_dump *d = open_shared("lldb/arm-linux.dmp");
    const hs_context *c = &d->threads[0].context;
    cr_assert(c->valid);
    cr_assert_eq(c->arch, HS_ARCH_ARM);
    cr_assert_eq(c->reg_count, 16);
    cr_assert_eq(c->regs[0], 1);
    cr_assert_eq(c->regs[12], 0xd);
    cr_assert_eq(c->sp, 0xe);
    cr_assert_eq(c->ip, 0x10);
    cr_assert_str_eq(c->reg_names[14], "lr");
    hs_dump_free(d);
    /* minidump_dump (Windows ARM64): thread 0 iregs[31] (sp) = 0x51c21fa790, iregs[30] (lr). */
    d = open_shared("mozilla/windows-aarch64.dmp");
    c = &d->threads[0].context;
    cr_assert(c->valid);
    cr_assert_eq(c->arch, HS_ARCH_ARM64);
    cr_assert_eq(c->sp, 0x51c21fa790);
    cr_assert_eq(c->regs[30], 0x7fff09f9da3c);
    hs_dump_free(d);
}

Test(shared_dumps, breakpad_info_names_the_writing_thread)
{
    /* minidump_dump: MDRawBreakpadInfo validity 0x3, dump_thread_id 0x11c0, requesting 0xbf4. */
    hs_dump *d = open_shared("breakpad/minidump2.dmp");
    cr_assert_not_null(d->breakpad_info);
    cr_assert(d->breakpad_info->dump_thread_valid && d->breakpad_info->requesting_thread_valid);
    cr_assert_eq(d->breakpad_info->dump_thread_id, 0x11c0);
    cr_assert_eq(d->breakpad_info->requesting_thread_id, 0xbf4);
    cr_assert_eq(d->thread_count, 2);
    cr_assert_eq(d->threads[0].id, 0xbf4);
    hs_dump_free(d);
}

Test(shared_dumps, invalid_dumps_are_read_where_the_bytes_allow)
{
    hs_dump *d = open_shared("rust-minidump/invalid-range.dmp");
    cr_assert(d->valid);
    cr_assert(has_problem(d, "stream directory", "the directory starts inside the 32-byte header"));
    cr_assert(has_problem(d, "stream type 0xa793504d (directory entry 0)",
                          "stream of 262158 bytes runs past the end"));
    hs_dump_free(d);

    d = open_shared("rust-minidump/invalid-record-count.dmp");
    cr_assert(d->valid);
    cr_assert(has_problem(d, "MozMacosCrashInfo stream (directory entry 0)",
                          "runs past the end of the file (235 bytes)"));
    hs_dump_free(d);

    d = open_shared("lldb/bad_duplicate_streams.dmp");
    cr_assert(d->valid);
    cr_assert(has_problem(d, "stream directory",
                          "entry 10 is a second ThreadList stream; the first (entry 0) is used"));
    hs_dump_free(d);

    d = open_shared("lldb/bad_overlapping_streams.dmp");
    cr_assert(d->valid);
    cr_assert(has_problem(d, "stream directory",
                          "streams in directory entries 1 and 7 overlap in the file"));
    hs_dump_free(d);
}
