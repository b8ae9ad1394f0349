/* Unit test of the stackwalk -m parser on real files and on inline text. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "stackwalk_parse.h"
#include "test_data.h"

static void path_of(char *buf, size_t n, const char *rel) { real_dump_path(buf, n, rel); }

Test(stackwalk_parse, minidump2)
{
    char p[4096];
    path_of(p, sizeof p, "breakpad/minidump2.stackwalk.txt");
    sw_summary s;
    const char *err = NULL;
    cr_assert(sw_parse_file(p, &s, &err), "%s", err);
    cr_expect_str_eq(s.os_platform, "Windows NT");
    cr_expect_str_eq(s.os_version, "5.1.2600 Service Pack 2");
    cr_expect_str_eq(s.cpu_arch, "x86");
    cr_expect_eq(s.cpu_count, 1u);
    cr_assert_geq(s.module_count, 2u);
    cr_expect_str_eq(s.modules[0].code_file, "test_app.exe");
    cr_expect_str_eq(s.modules[0].version, "");
    cr_expect_str_eq(s.modules[0].debug_file, "test_app.pdb");
    cr_expect_str_eq(s.modules[0].debug_id, "5A9832E5287241C1838ED98914E9B7FF1");
    cr_expect_eq(s.modules[0].base, 0x400000u);
    cr_expect_eq(s.modules[0].end, 0x42cfffu);
    cr_expect(s.modules[0].is_main);
    cr_expect_str_eq(s.modules[1].version, "5.1.2600.2180");
    cr_expect_eq(s.thread_count, 1u);
    sw_free(&s);
}

Test(stackwalk_parse, no_system_info)
{
    char p[4096];
    path_of(p, sizeof p, "lldb/thread-list-padded.stackwalk.txt");
    sw_summary s;
    const char *err = NULL;
    cr_assert(sw_parse_file(p, &s, &err), "%s", err);
    cr_expect(s.has_os);
    cr_expect_str_eq(s.os_platform, "");
    cr_expect_str_eq(s.cpu_arch, "");
    cr_expect_eq(s.module_count, 0u);
    cr_expect_eq(s.thread_count, 0u);
    cr_expect_eq(s.max_thread_index, -1);
    sw_free(&s);
}

Test(stackwalk_parse, inline_text)
{
    const char *t = "OS|Windows NT|10.0.19041 \nCPU|amd64|x|8\nGPU|||\nCrash|No crash||\n"
                    "Module|a.dll|1.2.3.4|a.pdb|ABC1|0x7ff600000000|0x7ff600000fff|1\n\n"
                    "0|0|a.dll||||0x10\n0|1|a.dll||||0x20\n3|0|a.dll||||0x30\n";
    sw_summary s;
    const char *err = NULL;
    cr_assert(sw_parse(t, &s, &err), "%s", err);
    cr_expect_str_eq(s.os_version, "10.0.19041 ");
    cr_expect_eq(s.cpu_count, 8u);
    cr_expect_eq(s.modules[0].base, 0x7ff600000000ull);
    cr_expect_eq(s.thread_count, 2u);
    cr_expect_eq(s.max_thread_index, 3);
    cr_expect_str_eq(sw_basename("c:\\x/y\\z.pdb"), "z.pdb");
    sw_free(&s);
    cr_expect_not(sw_parse("Module|a|b\n", &s, &err));
}
