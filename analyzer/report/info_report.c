#include "info_report.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "exception_names.h"
#include "json_util.h"

static void os_version(const hs_dump *d, char *buf, size_t size)
{
    const hs_md_system_info *si = d->system_info;
    snprintf(buf, size, "%u.%u.%u", si->major, si->minor, si->build);
}

static void iso_time(uint32_t t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm))
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        snprintf(buf, size, "%u", t);
}

static json_t *module_json(const hs_md_module *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", hs_json_text(m->name));
    json_object_set_new(o, "path", hs_json_text(m->path));
    json_object_set_new(o, "base", hs_json_hex(m->base));
    json_object_set_new(o, "size", hs_json_size(m->size));
    json_object_set_new(o, "version", m->version[0] ? json_string(m->version) : json_null());
    json_object_set_new(o, "debug_file", hs_json_str_or_null(m->debug_file));
    json_object_set_new(o, "debug_id", hs_json_str_or_null(m->debug_id));
    json_object_set_new(o, "code_id", hs_json_str_or_null(m->code_id));
    json_object_set_new(o, "timestamp", json_integer(m->time_date_stamp));
    return o;
}

static json_t *thread_json(const hs_md_thread *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(t->id));
    json_object_set_new(o, "name", hs_json_str_or_null(t->name));
    json_object_set_new(o, "teb", hs_json_hex(t->teb));
    json_t *stack = json_object();
    json_object_set_new(stack, "start", hs_json_hex(t->stack_start));
    json_object_set_new(stack, "size", hs_json_size(t->stack_size));
    json_object_set_new(o, "stack", stack);
    if (t->context.valid) {
        json_object_set_new(o, "ip", hs_json_hex(t->context.ip));
        json_object_set_new(o, "sp", hs_json_hex(t->context.sp));
    } else {
        json_object_set_new(o, "ip", json_null());
        json_object_set_new(o, "sp", json_null());
    }
    return o;
}

static json_t *exception_json(const hs_dump *d)
{
    const hs_md_exception *e = d->exception;
    if (!e)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "thread_id", json_integer(e->thread_id));
    json_object_set_new(o, "code", hs_json_hex(e->code));
    uint32_t platform = d->system_info ? d->system_info->platform_id : HS_PLATFORM_WIN32_NT;
    json_object_set_new(o, "name", hs_json_str_or_null(hs_exception_name(platform, e->code)));
    json_object_set_new(o, "address", hs_json_hex(e->address));
    json_object_set_new(o, "flags", hs_json_hex(e->flags));
    json_t *params = json_array();
    uint32_t np = e->parameter_count < 15 ? e->parameter_count : 15;
    for (uint32_t i = 0; i < np; i++)
        json_array_append_new(params, hs_json_hex(e->parameters[i]));
    json_object_set_new(o, "parameters", params);
    return o;
}

static json_t *problems_json(const hs_dump *d)
{
    json_t *a = json_array();
    for (size_t i = 0; i < d->problems.count; i++) {
        char buf[1280];
        hs_problem_format(&d->problems.items[i], buf, sizeof buf);
        json_array_append_new(a, hs_json_text(buf));
    }
    if (d->problems.dropped) {
        char buf[96];
        snprintf(buf, sizeof buf, "%zu further problems not listed", d->problems.dropped);
        json_array_append_new(a, json_string(buf));
    }
    return a;
}

json_t *hs_info_json(const hs_dump *d, const hs_address_space *as)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "file", hs_json_text(d->path));
    json_object_set_new(o, "valid", json_boolean(d->valid));
    if (!d->valid) {
        json_object_set_new(o, "problems", problems_json(d));
        return o;
    }
    char buf[1024];
    json_object_set_new(o, "arch", json_string(hs_arch_name(hs_dump_arch(d))));
    if (d->system_info) {
        json_t *os = json_object();
        json_object_set_new(os, "platform",
                            json_string(hs_platform_name(d->system_info->platform_id)));
        os_version(d, buf, sizeof buf);
        json_object_set_new(os, "version", json_string(buf));
        json_object_set_new(os, "csd", hs_json_text(d->system_info->csd));
        json_object_set_new(os, "platform_id", json_integer(d->system_info->platform_id));
        json_object_set_new(o, "os", os);
        json_object_set_new(o, "cpu_count", json_integer(d->system_info->cpu_count));
    } else {
        json_object_set_new(o, "os", json_null());
        json_object_set_new(o, "cpu_count", json_null());
    }
    json_t *type = json_object();
    json_object_set_new(type, "flags", hs_json_hex(d->header.flags));
    hs_minidump_type_names(d->header.flags, buf, sizeof buf);
    json_object_set_new(type, "names", json_string(buf));
    json_object_set_new(o, "dump_type", type);
    iso_time(d->header.time_date_stamp, buf, sizeof buf);
    json_object_set_new(o, "timestamp", json_string(buf));
    if (d->misc_info && (d->misc_info->flags1 & 1))
        json_object_set_new(o, "process_id", json_integer(d->misc_info->process_id));
    else
        json_object_set_new(o, "process_id", json_null());

    json_t *mods = json_array();
    for (size_t i = 0; i < d->module_count; i++)
        json_array_append_new(mods, module_json(&d->modules[i]));
    json_object_set_new(o, "modules", mods);

    json_t *threads = json_array();
    for (size_t i = 0; i < d->thread_count; i++)
        json_array_append_new(threads, thread_json(&d->threads[i]));
    json_object_set_new(o, "threads", threads);

    json_object_set_new(o, "exception", exception_json(d));
    if (d->breakpad_info) {
        json_t *bi = json_object();
        json_object_set_new(bi, "dump_thread_id",
                            d->breakpad_info->dump_thread_valid
                                ? json_integer(d->breakpad_info->dump_thread_id)
                                : json_null());
        json_object_set_new(bi, "requesting_thread_id",
                            d->breakpad_info->requesting_thread_valid
                                ? json_integer(d->breakpad_info->requesting_thread_id)
                                : json_null());
        json_object_set_new(o, "breakpad_info", bi);
    } else {
        json_object_set_new(o, "breakpad_info", json_null());
    }

    json_t *mem = json_object();
    json_object_set_new(mem, "ranges", hs_json_size(d->memory_count));
    json_object_set_new(mem, "bytes", hs_json_size(as ? hs_as_total_bytes(as) : 0));
    json_object_set_new(mem, "full_memory",
                        json_boolean((d->header.flags & HS_MDT_WITH_FULL_MEMORY) != 0));
    json_object_set_new(mem, "memory64", json_boolean(d->has_memory64));
    json_object_set_new(mem, "memory_info_regions",
                        d->has_memory_info ? hs_json_size(d->memory_info_count) : json_null());
    json_object_set_new(o, "memory", mem);

    json_t *streams = json_array();
    for (size_t i = 0; i < d->stream_count; i++) {
        const hs_md_stream *s = &d->streams[i];
        json_t *so = json_object();
        json_object_set_new(so, "type", json_integer(s->type));
        json_object_set_new(so, "name", hs_json_str_or_null(hs_stream_name(s->type)));
        json_object_set_new(so, "size", json_integer(s->size));
        json_object_set_new(so, "rva", hs_json_hex(s->rva));
        json_array_append_new(streams, so);
    }
    json_object_set_new(o, "streams", streams);
    json_object_set_new(o, "problems", problems_json(d));
    return o;
}

static void print_problems(FILE *out, const hs_dump *d)
{
    if (!d->problems.count)
        return;
    fprintf(out, "\nProblems (%zu):\n", d->problems.count + d->problems.dropped);
    static const char *const sev[] = {"note", "warning", "fatal"};
    for (size_t i = 0; i < d->problems.count; i++) {
        char buf[1280];
        hs_problem_format(&d->problems.items[i], buf, sizeof buf);
        fprintf(out, "  %-7s %s\n", sev[d->problems.items[i].severity], buf);
    }
    if (d->problems.dropped)
        fprintf(out, "  ... %zu further problems not listed\n", d->problems.dropped);
}

void hs_info_text(FILE *out, const hs_dump *d, const hs_address_space *as)
{
    char buf[1024];
    fprintf(out, "File:       %s\n", d->path);
    if (!d->valid) {
        fprintf(out, "            not a readable minidump\n");
        print_problems(out, d);
        return;
    }
    iso_time(d->header.time_date_stamp, buf, sizeof buf);
    fprintf(out, "Written:    %s (minidump version 0x%x)\n", buf, d->header.version);
    hs_minidump_type_names(d->header.flags, buf, sizeof buf);
    fprintf(out, "Dump type:  0x%" PRIx64 " %s\n", d->header.flags, buf);
    const hs_md_system_info *si = d->system_info;
    if (si) {
        os_version(d, buf, sizeof buf);
        fprintf(out, "OS:         %s %s%s%s\n", hs_platform_name(si->platform_id), buf,
                si->csd[0] ? " " : "", si->csd);
        fprintf(out, "CPU:        %s, %u CPU%s", hs_arch_name(hs_dump_arch(d)), si->cpu_count,
                si->cpu_count == 1 ? "" : "s");
        if (si->cpu_vendor[0])
            fprintf(out, " (%s, level %u, revision 0x%x)", si->cpu_vendor, si->processor_level,
                    si->processor_revision);
        fputc('\n', out);
    } else {
        fprintf(out, "OS/CPU:     unknown (no SystemInfo stream)\n");
    }
    if (d->misc_info && (d->misc_info->flags1 & 1))
        fprintf(out, "Process:    pid %u\n", d->misc_info->process_id);
    if (d->exception) {
        const hs_md_exception *e = d->exception;
        const char *name = hs_exception_name(si ? si->platform_id : HS_PLATFORM_WIN32_NT, e->code);
        fprintf(out, "Exception:  %s (0x%08x) at 0x%" PRIx64 " in thread %u\n",
                name ? name : "unknown", e->code, e->address, e->thread_id);
        if (e->code == 0xC0000005 && e->parameter_count >= 2)
            fprintf(out, "            %s of address 0x%" PRIx64 "\n",
                    e->parameters[0] == 0   ? "read"
                    : e->parameters[0] == 1 ? "write"
                                            : "execute",
                    e->parameters[1]);
    } else {
        fprintf(out, "Exception:  none recorded\n");
    }
    fprintf(out, "Memory:     %zu ranges, %" PRIu64 " bytes%s%s", d->memory_count,
            as ? hs_as_total_bytes(as) : 0,
            (d->header.flags & HS_MDT_WITH_FULL_MEMORY) ? ", full memory" : "",
            d->has_memory64 ? " (Memory64List)" : "");
    if (d->has_memory_info)
        fprintf(out, ", %zu regions described", d->memory_info_count);
    fputc('\n', out);

    fprintf(out, "\nThreads (%zu):\n", d->thread_count);
    if (d->thread_count)
        fprintf(out, "  %-8s %-18s %-18s %-10s %-18s %s\n", "id", "teb", "stack", "stack size",
                "ip", "name");
    for (size_t i = 0; i < d->thread_count; i++) {
        const hs_md_thread *t = &d->threads[i];
        char ip[24] = "-";
        if (t->context.valid)
            snprintf(ip, sizeof ip, "0x%" PRIx64, t->context.ip);
        fprintf(out, "  %-8u 0x%-16" PRIx64 " 0x%-16" PRIx64 " %-10" PRIu64 " %-18s %s%s\n", t->id,
                t->teb, t->stack_start, t->stack_size, ip, t->name ? t->name : "",
                d->exception && d->exception->thread_id == t->id ? " (crashed)" : "");
    }
    fprintf(out, "\nModules (%zu):\n", d->module_count);
    if (d->module_count)
        fprintf(out, "  %-18s %-18s %-16s %-34s %s\n", "base", "end", "version", "debug id",
                "name");
    for (size_t i = 0; i < d->module_count; i++) {
        const hs_md_module *m = &d->modules[i];
        fprintf(out, "  0x%-16" PRIx64 " 0x%-16" PRIx64 " %-16s %-34s %s\n", m->base,
                m->base + (m->size ? m->size - 1 : 0), m->version[0] ? m->version : "-",
                m->debug_id ? m->debug_id : "-", m->name);
    }
    if (d->unloaded_module_count)
        fprintf(out, "\nUnloaded modules: %zu\n", d->unloaded_module_count);
    fprintf(out, "\nStreams (%zu):\n", d->stream_count);
    for (size_t i = 0; i < d->stream_count; i++) {
        const hs_md_stream *s = &d->streams[i];
        const char *name = hs_stream_name(s->type);
        fprintf(out, "  %2zu  0x%08x  %-24s %10u bytes at 0x%x%s\n", i, s->type,
                name ? name : "(unknown)", s->size, s->rva,
                s->used || s->type == 0 || s->size == 0 ? "" : "  (duplicate, ignored)");
    }
    print_problems(out, d);
}
