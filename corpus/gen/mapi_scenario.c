#include "mapi_scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthetic_process.h"

enum { MAPI32_SIZE = 0x9D000, NTDLL = 0x7C900000, VTABLE = HS_SCN_MAPI32 + 0x1000 };

void hs_scenario_default(hs_scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->os = HS_SCN_XP;
    sc->mapi = true;
    sc->mapi_version_ms = (5u << 16) | 5; /* 5.5.2448.0: Exchange 5.5 SP3-era MAPI32 */
    sc->mapi_version_ls = 2448u << 16;
    sc->live_sessions = 2;
    sc->corrupt_kinds = 4;
    snprintf(sc->mapi_module, sizeof sc->mapi_module, "MAPI32.DLL");
}

static bool parse_bool(const char *v, bool *out)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "1") == 0)
        *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "0") == 0)
        *out = false;
    else
        return false;
    return true;
}

static bool parse_uint(const char *v, unsigned max, unsigned *out)
{
    char *end;
    unsigned long x = strtoul(v, &end, 0);
    if (*v == '\0' || *end != '\0' || x > max)
        return false;
    *out = (unsigned)x;
    return true;
}

int hs_scenario_parse(const char *text, hs_scenario *sc, char *err, size_t err_size)
{
    hs_scenario_default(sc);
    unsigned line_no = 0;
    const char *p = text;
    while (*p) {
        line_no++;
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char line[256];
        if (len >= sizeof line) {
            snprintf(err, err_size, "line %u: longer than %zu characters", line_no,
                     sizeof line - 1);
            return -1;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (eol ? 1 : 0);
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char key[64], value[128];
        if (sscanf(line, " %63[a-z_] = %127s", key, value) != 2) {
            for (char *q = line; *q; q++)
                if (*q != ' ' && *q != '\t' && *q != '\r') {
                    snprintf(err, err_size, "line %u: expected 'key = value'", line_no);
                    return -1;
                }
            continue;
        }
        bool ok = true;
        if (strcmp(key, "os") == 0) {
            if (strcmp(value, "xp") == 0)
                sc->os = HS_SCN_XP;
            else if (strcmp(value, "win7-x86") == 0)
                sc->os = HS_SCN_WIN7_X86;
            else if (strcmp(value, "win7-x64") == 0)
                sc->os = HS_SCN_WIN7_X64;
            else if (strcmp(value, "win10-x64") == 0)
                sc->os = HS_SCN_WIN10_X64;
            else
                ok = false;
        } else if (strcmp(key, "mapi") == 0) {
            unsigned a, b, c, d;
            if (strcmp(value, "none") == 0)
                sc->mapi = false;
            else if (sscanf(value, "%u.%u.%u.%u", &a, &b, &c, &d) == 4 && a < 65536 && b < 65536 &&
                     c < 65536 && d < 65536) {
                sc->mapi = true;
                sc->mapi_version_ms = a << 16 | b;
                sc->mapi_version_ls = c << 16 | d;
            } else {
                ok = false;
            }
        } else if (strcmp(key, "mapi_module") == 0) {
            ok = strcmp(value, "MAPI32.DLL") == 0 || strcmp(value, "MSMAPI32.DLL") == 0 ||
                 strcmp(value, "OLMAPI32.DLL") == 0;
            if (ok)
                snprintf(sc->mapi_module, sizeof sc->mapi_module, "%.15s", value);
        } else if (strcmp(key, "alloc_chains") == 0) {
            ok = parse_bool(value, &sc->alloc_chains);
        } else if (strcmp(key, "providers") == 0) {
            ok = parse_bool(value, &sc->providers);
        } else if (strcmp(key, "live_sessions") == 0) {
            ok = parse_uint(value, 16, &sc->live_sessions);
        } else if (strcmp(key, "leaked_sessions") == 0) {
            ok = parse_uint(value, 7000, &sc->leaked_sessions);
        } else if (strcmp(key, "corrupt_blocks") == 0) {
            ok = parse_uint(value, 7000, &sc->corrupt_blocks);
        } else if (strcmp(key, "corrupt_kinds") == 0) {
            ok = parse_uint(value, 7, &sc->corrupt_kinds) && sc->corrupt_kinds >= 1;
        } else if (strcmp(key, "decoy_heaps") == 0) {
            ok = parse_uint(value, 1000, &sc->decoy_heaps);
        } else if (strcmp(key, "lookalike_heaps") == 0) {
            ok = parse_uint(value, 1000, &sc->lookalike_heaps);
        } else if (strcmp(key, "memory_list_only") == 0) {
            ok = parse_bool(value, &sc->memory_list_only);
        } else if (strcmp(key, "lookaside_cached") == 0) {
            ok = parse_uint(value, 12, &sc->lookaside_cached);
        } else if (strcmp(key, "lfh_heaps") == 0) {
            ok = parse_uint(value, 64, &sc->lfh_heaps);
        } else if (strcmp(key, "large_blocks") == 0) {
            ok = parse_uint(value, 64, &sc->large_blocks);
        } else if (strcmp(key, "bulk_mb") == 0) {
            ok = parse_uint(value, 7000, &sc->bulk_mb);
        } else if (strcmp(key, "heap_corruption") == 0) {
            ok = strcmp(value, "previous_size") == 0 || strcmp(value, "header_checksum") == 0 ||
                 strcmp(value, "past_segment_end") == 0 || strcmp(value, "free_list_link") == 0 ||
                 strcmp(value, "segment_list_cycle") == 0;
            if (ok)
                snprintf(sc->heap_corruption, sizeof sc->heap_corruption, "%.31s", value);
        } else if (strcmp(key, "exception") == 0) {
            unsigned x = 0;
            ok = parse_uint(value, 0xFFFFFFFFu, &x);
            sc->exception = x;
        } else {
            snprintf(err, err_size, "line %u: unknown key '%s'", line_no, key);
            return -1;
        }
        if (!ok) {
            snprintf(err, err_size, "line %u: bad value '%s' for %s", line_no, value, key);
            return -1;
        }
    }
    if (sc->lfh_heaps && sc->os == HS_SCN_XP) {
        snprintf(err, err_size, "lfh_heaps needs os = win7-x86, win7-x64 or win10-x64");
        return -1;
    }
    if (sc->lookaside_cached && sc->os != HS_SCN_XP) {
        snprintf(err, err_size, "lookaside_cached needs os = xp (the look-aside front end)");
        return -1;
    }
    if (sc->large_blocks && sc->os == HS_SCN_XP) {
        snprintf(err, err_size, "large_blocks needs a Vista+ os");
        return -1;
    }
    if (sc->bulk_mb && sc->os != HS_SCN_WIN7_X64 && sc->os != HS_SCN_WIN10_X64) {
        snprintf(err, err_size, "bulk_mb needs os = win7-x64 or win10-x64");
        return -1;
    }
    /* The PEB's heap list has room for 8064 pointers on x64 (synth_init). */
    if (sc->bulk_mb && 1u + sc->live_sessions + sc->leaked_sessions + sc->decoy_heaps +
                               sc->lookalike_heaps + sc->lfh_heaps + (sc->heap_corruption[0] != 0) +
                               sc->bulk_mb >
                           8000) {
        snprintf(err, err_size, "bulk_mb: too many heaps for the process model (8000 in all)");
        return -1;
    }
    if (sc->corrupt_blocks > sc->leaked_sessions) {
        snprintf(err, err_size, "corrupt_blocks (%u) exceeds leaked_sessions (%u)",
                 sc->corrupt_blocks, sc->leaked_sessions);
        return -1;
    }
    if (sc->live_sessions + sc->leaked_sessions > 7800 ||
        sc->decoy_heaps + sc->lookalike_heaps > 1000) {
        snprintf(err, err_size, "too many heaps for the process model");
        return -1;
    }
    return 0;
}

/* Writes one SPropValue (mapi.md §1.1: tag, pad, Value at +8; SBinary {cb, lpb} with lpb at +4 on
 * x86 and +8 on x64 within Value). */
static void put_prop(synth *s, uint64_t at, uint32_t tag, uint64_t value, uint64_t lpb)
{
    synth_put32(s, at, tag);
    synth_put_ptr(s, at + 8, value);
    if (lpb)
        synth_put_ptr(s, at + 8 + s->ptr, lpb);
}

/* A session heap: a MAPI object (vtable into MAPI32) and a MAPIAllocateBuffer block holding a
 * 4-entry SPropValue array (after a two-pointer allocator header, mapi.md §4.3) with its strings
 * and binary inside the block. corrupt_kind 0: none; 1..6 the corruption kinds.
 *
 * chained: the MAPIAllocateBuffer/MAPIAllocateMore form of mapi.md §4.3 item 6 instead — the array
 * block's second header slot links to a second block (header {0x10000001, 0}) that holds the
 * strings, the binary and a fifth, multi-valued property: PR_..._A as PT_MV_STRING8 {2, lppszA}
 * whose array of two string pointers and both strings also live in the linked block. */
static void session_heap(synth *s, uint64_t base, unsigned corrupt_kind, bool chained)
{
    unsigned esize = s->ptr == 8 ? 24 : 16, gran = s->ptr == 8 ? 16 : 8, mapi_hdr = 2 * s->ptr;
    unsigned entries = chained ? 5 : 4;
    uint32_t data = mapi_hdr + entries * esize, strings = 8 + 24 + 16;
    uint32_t mv_len = 2 * s->ptr + 8 + 8; /* the lppszA array and "Inbox", "Outbox" */
    uint32_t more_len = mapi_hdr + strings + mv_len;
    uint32_t user_len = chained ? data : data + strings;
    uint32_t sizes[3] = {2 * gran + 16, (user_len + gran + gran - 1) & ~(gran - 1),
                         (more_len + gran + gran - 1) & ~(gran - 1)};
    uint64_t user[3];
    synth_heap(s, base, 0x1002, sizes, chained ? 3 : 2, user);
    synth_put_ptr(s, user[0], VTABLE);
    synth_put32(s, user[0] + s->ptr, 1); /* refcount */
    uint64_t u = user[1], a = u + mapi_hdr;
    uint64_t str1 = chained ? user[2] + mapi_hdr : u + data, str2 = str1 + 8, bin = str2 + 24;
    /* The free block that follows the busy ones (synth_heap leaves one). */
    uint64_t free_block_data = chained ? user[2] + sizes[2] : user[1] + sizes[1];
    synth_put32(s, u, 0x10000001); /* allocator tag seen in real MAPI blocks */
    if (chained) {
        synth_put_ptr(s, u + s->ptr, user[2]); /* the link to the MAPIAllocateMore block */
        synth_put32(s, user[2], 0x10000001);
    }
    put_prop(s, a, 0x3001001E, str1, 0);       /* PR_DISPLAY_NAME_A */
    put_prop(s, a + esize, 0x0FFE0003, 11, 0); /* PR_OBJECT_TYPE = MAPI_SESSION */
    uint32_t profile_tag = 0x3D12001E;         /* PR_PROFILE_NAME_A */
    uint64_t profile_ptr = str2;
    uint32_t entryid_cb = 16;
    switch (corrupt_kind) {
    case 1:
        profile_tag = 0xFEEEFEEE;
        break; /* freed fill over the tag */
    case 2:
        profile_tag = 0x3D120099;
        break; /* a type MAPI never stores */
    case 3:
        profile_ptr = free_block_data;
        break; /* string pointer into a free block */
    case 4:
        entryid_cb = 0x01000001;
        break; /* an SBinary.cb that cannot be true */
    case 5:
        profile_ptr = HS_SCN_RELEASED_HEAP + 0x5A0;
        break; /* into a heap destroyed since */
    case 6:
        profile_ptr = HS_SCN_ABSENT + 0x40;
        break; /* into committed memory the dump does not hold */
    case 7:
        profile_ptr = 0xFEEEFEEE;
        break; /* HeapFree's fill where a pointer was */
    default:
        break;
    }
    put_prop(s, a + 2 * esize, profile_tag, profile_ptr, 0);
    put_prop(s, a + 3 * esize, 0x0FFF0102, entryid_cb, bin); /* PR_ENTRYID */
    synth_write(s, str1, "Session", 8);
    synth_write(s, str2, "MS Exchange Settings", 21);
    synth_write(s, bin, "\x81\x2b\x1f\xa4\xbe\xa3\x10\x19\x9d\x6e\x00\xdd\x01\x0f\x54\x02", 16);
    if (chained) {
        /* PR_PROVIDER_DISPLAY_A's id with PT_MV_STRING8 (0x101E): SLPSTRArray {cValues, lppszA}. */
        uint64_t mv = bin + 16, mv1 = mv + 2 * s->ptr, mv2 = mv1 + 8;
        put_prop(s, a + 4 * esize, 0x3006101E, 2, mv);
        synth_put_ptr(s, mv, mv1);
        synth_put_ptr(s, mv + s->ptr, mv2);
        synth_write(s, mv1, "Inbox", 6);
        synth_write(s, mv2, "Outbox", 7);
    }
}

/* Blocks the application freed and the XP look-aside front end kept (heap-internals.md §4.2): busy
 * in their headers and holding what they held when freed, their first pointer overwritten by the
 * list link. Rotating: a MAPIAllocateBuffer property array of four SPropValues (10 granules; the
 * allocator tag is where the link now is, the second entry's tag is HeapFree's fill), a MAPI
 * object (4 granules, vtable into MAPI32 after the link slot) and text (6 granules). Nothing in
 * them is live: a precise tool neither counts the array as a property block nor the object as MAPI
 * evidence. */
enum { CACHED_KINDS = 3 };
static const uint32_t cached_granules[CACHED_KINDS] = {10, 4, 6};

static void lookaside_cached_block(synth *s, uint64_t user, unsigned k)
{
    switch (k % CACHED_KINDS) {
    case 0:
        synth_put32(s, user + 4, 0);                       /* MAPIAllocateMore link: none */
        put_prop(s, user + 8, 0x0FFE0003, 6, 0);           /* PR_OBJECT_TYPE = MAPI_MESSAGE */
        put_prop(s, user + 24, 0xFEEEFEEE, 0xFEEEFEEE, 0); /* freed fill */
        put_prop(s, user + 40, 0x39000003, 0, 0);          /* PR_DISPLAY_TYPE */
        put_prop(s, user + 56, 0x0E070003, 0x21, 0);       /* PR_MESSAGE_FLAGS */
        break;
    case 1:
        synth_put32(s, user + 4, (uint32_t)VTABLE);
        synth_put32(s, user + 8, 1);
        break;
    default:
        synth_write(s, user + 4, "Inbox - Outlook", 16);
        break;
    }
}

static void decoy_heap(synth *s, uint64_t base)
{
    unsigned gran = s->ptr == 8 ? 16 : 8;
    const uint32_t sizes[] = {8 * gran, 8 * gran, 4 * gran};
    uint64_t user[3];
    synth_heap(s, base, 0x1002, sizes, 3, user);
    synth_write(s, user[0], "application data, not MAPI", 27);
    synth_put32(s, user[1], 0x12345678);
}

/* Random data shaped like SPropValue arrays: valid-looking types, garbage values and pointers. */
static void lookalike_heap(synth *s, uint64_t base, uint32_t seed)
{
    unsigned gran = s->ptr == 8 ? 16 : 8, esize = s->ptr == 8 ? 24 : 16;
    const uint32_t sizes[] = {gran + 6 * esize};
    uint64_t user[1];
    synth_heap(s, base, 0x1002, sizes, 1, user);
    static const uint16_t types[] = {0x0003, 0x001E, 0x0102, 0x000B, 0x0040, 0x101E};
    uint32_t x = seed * 2654435761u + 1;
    for (unsigned i = 0; i < 6; i++) {
        x = x * 1664525u + 1013904223u;
        uint32_t tag = (0x4000u + (x >> 20)) << 16 | types[i % 6];
        x = x * 1664525u + 1013904223u;
        put_prop(s, user[0] + (uint64_t)i * esize, tag, 0x0B000000u + (x & 0x00FFFFF0u), 0);
    }
}

/* ---- bulk heaps (bulk_mb) ---- */

enum { BULK_RESERVE = HS_SCN_BULK_STRIDE, BULK_COMMIT = 0x100000, BULK_RECENT = 8 };

/* xorshift64* (Vigna): deterministic on every host, seeded per heap. */
static uint64_t rnd(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545F4914F6CDD1Dull;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

static const char bulk_text[] =
    "Re: quarterly figures for the northern region are attached; please review before Friday. "
    "Meeting moved to room 4.12, bring the printed agenda and the draft budget. "
    "C:\\Users\\Public\\Documents\\Reports\\2003\\summary-final-v2.doc "
    "The delivery to the warehouse was delayed by the weather; the new estimate is next Tuesday. ";

/* Fills len bytes of a block's data at p (user address u) with what applications keep in heaps:
 * objects (pointers to other blocks of the heap, small integers, zeros), text, binary data, or
 * zeros (calloc'd memory, left as is). */
static void bulk_fill(uint8_t *p, uint64_t u, size_t len, uint64_t *x, const uint64_t *recent)
{
    uint64_t r = rnd(x);
    unsigned kind = (unsigned)(r % 100);
    if (kind < 40) {
        for (size_t k = 0; k + 8 <= len; k += 8) {
            uint64_t w = rnd(x);
            switch (w & 3) {
            case 0:
                put64(p + k, recent[(w >> 8) % BULK_RECENT]);
                break; /* a pointer into the heap */
            case 1:
                put64(p + k, (w >> 16) & 0xFFFF);
                break; /* a count, an id, a flag */
            case 2:
                put64(p + k, u + k);
                break; /* a self-pointer (list head) */
            default:
                break; /* zero */
            }
        }
    } else if (kind < 65) {
        /* The text from a pseudo-random point, wrapping, NUL-terminated by the zeroed last byte. */
        size_t off = (size_t)(r >> 32) % (sizeof bulk_text - 1);
        for (size_t k = 0; k + 1 < len;) {
            size_t n = sizeof bulk_text - 1 - off;
            if (n > len - 1 - k)
                n = len - 1 - k;
            memcpy(p + k, bulk_text + off, n);
            k += n;
            off = 0;
        }
    } else if (kind < 85) {
        for (size_t k = 0; k + 8 <= len; k += 8)
            put64(p + k, rnd(x));
    }
}

/* One bulk heap of BULK_COMMIT committed bytes, its first block holding next_heap (0: none). The
 * arrays have room for every block the commit can hold. */
static void bulk_heap(synth *s, uint64_t base, unsigned index, uint64_t next_heap, uint32_t *sizes,
                      bool *is_free, uint64_t *user)
{
    const unsigned gran = 16;
    uint64_t x = 0x9E3779B97F4A7C15ull * (index + 1ull);
    uint32_t left = (BULK_COMMIT - synth_heap_overhead(s)) / gran; /* granules for the entries */
    size_t n = 0;
    sizes[n] = 4 * gran; /* the first block: the link to the next heap */
    is_free[n++] = false;
    left -= 4;
    for (;;) {
        uint64_t r = rnd(&x);
        unsigned pct = (unsigned)(r % 100), g;
        uint64_t v = r >> 16;
        if (pct < 70)
            g = 2 + (unsigned)(v % 15); /* 32-256 bytes */
        else if (pct < 95)
            g = 17 + (unsigned)(v % 112); /* 272 bytes - 2 KiB */
        else
            g = 129 + (unsigned)(v % 896); /* 2-16 KiB */
        if (g + 2 > left)
            break; /* the rest (at least two granules) is the trailing free block */
        is_free[n] = !is_free[n - 1] && ((r >> 56) & 7) == 0;
        sizes[n++] = g * gran;
        left -= g;
    }
    is_free[n - 1] = false; /* the trailing free block must not touch another free one */
    synth_heap_ex(s, base, 0x1000, BULK_RESERVE, BULK_COMMIT, sizes, is_free, n, user);
    uint8_t *mem = synth_bytes(s, base, BULK_COMMIT);
    uint64_t recent[BULK_RECENT];
    for (unsigned k = 0; k < BULK_RECENT; k++)
        recent[k] = user[0];
    put64(mem + (user[0] - base), next_heap);
    put64(mem + (user[0] - base) + 8, index);
    for (size_t i = 1; i < n; i++) {
        /* A free block keeps stale data after its FreeList links. */
        size_t skip = is_free[i] ? 16 : 0, len = sizes[i] - gran - skip;
        bulk_fill(mem + (user[i] - base) + skip, user[i] + skip, len, &x, recent);
        if (!is_free[i])
            recent[i % BULK_RECENT] = user[i];
    }
}

static void bulk_heaps(synth *s, unsigned count, uint64_t first_holder)
{
    size_t cap = BULK_COMMIT / 32 + 2;
    uint32_t *sizes = malloc(cap * sizeof *sizes);
    bool *is_free = malloc(cap * sizeof *is_free);
    uint64_t *user = malloc(cap * sizeof *user);
    if (!sizes || !is_free || !user)
        abort();
    synth_put_ptr(s, first_holder, HS_SCN_BULK_HEAP);
    for (unsigned i = 0; i < count; i++) {
        uint64_t base = HS_SCN_BULK_HEAP + (uint64_t)HS_SCN_BULK_STRIDE * i;
        bulk_heap(s, base, i, i + 1 < count ? base + HS_SCN_BULK_STRIDE : 0, sizes, is_free, user);
    }
    free(sizes);
    free(is_free);
    free(user);
}

/* Composes the scenario's process in s. */
static void compose(const hs_scenario *sc, synth *s)
{
    if (sc->os == HS_SCN_XP)
        synth_init_xp(s);
    else
        synth_init(s, sc->os == HS_SCN_WIN7_X86 ? 4 : 8);
    s->win10 = sc->os == HS_SCN_WIN10_X64;
    s->memory_list_only = sc->memory_list_only;
    s->exception_code = sc->exception;
    s->exception_address = sc->exception ? 0x35F01234 : 0;
    /* ntdll's file version of each OS: XP SP3 5.1.2600.5512, Windows 7 SP1 6.1.7601.17514,
     * Windows 10 2004 10.0.19041.1 (the RTM builds of those releases). */
    if (sc->os == HS_SCN_XP)
        synth_module_add(s, "C:\\WINDOWS\\system32\\ntdll.dll", NTDLL, 0x1000, (5u << 16) | 1,
                         2600u << 16 | 5512);
    else if (sc->os == HS_SCN_WIN10_X64)
        synth_module_add(s, "C:\\Windows\\System32\\ntdll.dll", NTDLL, 0x1000, 10u << 16,
                         19041u << 16 | 1);
    else
        synth_module_add(s, "C:\\Windows\\System32\\ntdll.dll", NTDLL, 0x1000, (6u << 16) | 1,
                         7601u << 16 | 17514);
    if (sc->mapi) {
        /* Install paths: System32-era MAPI under Common Files\System\Mapi, Outlook 2000-2003's
         * under Common Files\System\MSMAPI, Outlook 2007's in the Office12 folder (mapi.md §5). */
        const char *path =
            strcmp(sc->mapi_module, "MSMAPI32.DLL") == 0
                ? "C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MSMAPI32.DLL"
            : strcmp(sc->mapi_module, "OLMAPI32.DLL") == 0
                ? "C:\\Program Files\\Microsoft Office\\Office12\\OLMAPI32.DLL"
                : "C:\\Program Files\\Common Files\\System\\Mapi\\1033\\MAPI32.DLL";
        synth_module_add(s, path, HS_SCN_MAPI32, MAPI32_SIZE, sc->mapi_version_ms,
                         sc->mapi_version_ls);
        if (sc->providers) {
            synth_module_add(s, "C:\\WINDOWS\\system32\\EMSMDB32.DLL", HS_SCN_EMSMDB32, 0x80000,
                             sc->mapi_version_ms, sc->mapi_version_ls);
            synth_module_add(s, "C:\\WINDOWS\\system32\\EMSABP32.DLL", HS_SCN_EMSABP32, 0x40000,
                             sc->mapi_version_ms, sc->mapi_version_ls);
            if (sc->os == HS_SCN_XP)
                synth_module_add(s, "C:\\WINDOWS\\system32\\CDO.DLL", HS_SCN_CDO, 0x60000,
                                 sc->mapi_version_ms, sc->mapi_version_ls);
        }
        synth_put_ptr(s, VTABLE,
                      HS_SCN_MAPI32 + 0x500); /* first vtable slot: code of the same module */
    }
    /* PEB.ProcessHeaps as ntdll keeps it (heap-internals.md §8.3): first a fixed array — on XP the
     * rest of the PEB's page after the 0x210-byte PEB, on Vista+ the 16-entry
     * RtlpProcessHeapsListBuffer in ntdll's data — and when a heap would not fit, an array of twice
     * the maximum allocated from the process heap, the old entries copied over. */
    size_t heaps = 1u + sc->live_sessions + sc->leaked_sessions + sc->decoy_heaps +
                   sc->lookalike_heaps + sc->lfh_heaps + (sc->heap_corruption[0] != 0) +
                   sc->bulk_mb;
    uint64_t fixed_list = s->xp ? s->peb + 0x210 : NTDLL + 0x1000;
    uint32_t fixed_max = s->xp ? (0x1000 - 0x210) / 4 : 16, max = fixed_max;
    while (max < heaps)
        max *= 2;
    bool grown = max > fixed_max;
    /* The process heap holds one session object per live session, with its heap handle, then
     * (grown) the heap list. */
    unsigned gran = s->ptr == 8 ? 16 : 8;
    uint32_t ph_sizes[32];
    uint64_t ph_user[32];
    unsigned ph_count = sc->live_sessions + 1;
    for (unsigned i = 0; i < sc->live_sessions; i++)
        ph_sizes[i] = 4 * gran;
    ph_sizes[sc->live_sessions] = 0x100;
    if (grown)
        ph_sizes[ph_count++] = (uint32_t)((max * s->ptr + gran + gran - 1) & ~(uint64_t)(gran - 1));
    unsigned cached_first = ph_count;
    for (unsigned k = 0; k < sc->lookaside_cached; k++)
        ph_sizes[ph_count++] = cached_granules[k % CACHED_KINDS] * gran;
    /* A list past 32 KB (thousands of heaps on x64) does not fit the 64 KB reservation the small
     * scenarios use: the process heap then reserves 1 MB, the default of a process heap. */
    if (!s->xp && grown && ph_sizes[ph_count - 1] > 0x8000)
        synth_heap_ex(s, HS_SCN_PROCESS_HEAP, 0x2, 0x100000, 0, ph_sizes, NULL, ph_count, ph_user);
    else
        synth_heap(s, HS_SCN_PROCESS_HEAP, 0x2, ph_sizes, ph_count, ph_user);
    synth_heap_list_at(s, grown ? ph_user[cached_first - 1] : fixed_list, max);
    for (unsigned k = 0; k < sc->lookaside_cached; k++) {
        lookaside_cached_block(s, ph_user[cached_first + k], k);
        synth_lookaside_push(s, HS_SCN_PROCESS_HEAP, ph_user[cached_first + k]);
    }
    for (unsigned i = 0; i < sc->live_sessions; i++) {
        uint64_t heap = HS_SCN_LIVE_HEAP + 0x10000ull * i;
        session_heap(s, heap, 0, sc->alloc_chains);
        synth_put_ptr(s, ph_user[i], sc->mapi ? VTABLE : 0);
        synth_put_ptr(s, ph_user[i] + 2 * s->ptr, heap);
    }
    for (unsigned i = 0; i < sc->leaked_sessions; i++)
        session_heap(s, HS_SCN_LEAKED_HEAP + 0x10000ull * i,
                     i < sc->corrupt_blocks ? 1 + i % sc->corrupt_kinds : 0, sc->alloc_chains);
    if (sc->corrupt_kinds >= 5 && sc->corrupt_blocks >= 5)
        synth_released(s, HS_SCN_RELEASED_HEAP, 0x10000);
    if (sc->corrupt_kinds >= 6 && sc->corrupt_blocks >= 6)
        synth_uncaptured(s, HS_SCN_ABSENT, 0x1000);
    for (unsigned i = 0; i < sc->decoy_heaps; i++)
        decoy_heap(s, HS_SCN_DECOY_HEAP + 0x10000ull * i);
    for (unsigned i = 0; i < sc->lookalike_heaps; i++)
        lookalike_heap(s, HS_SCN_LOOKALIKE_HEAP + 0x10000ull * i, i);
    /* LFH heaps: block 1 becomes a UserBlocks container of 10 chunks of 3 granules, 6 busy. */
    if (sc->lfh_heaps)
        synth_region_add(s, HS_SCN_LFH_ZONE, 0x1000, 0x1000, 0x20000, 4);
    for (unsigned i = 0; i < sc->lfh_heaps; i++) {
        /* Chunks start after the UserBlocks header: 0x10 / 0x20 on Windows 7, 0x40 on 8+ x64. */
        uint32_t header = s->win10 ? 0x40 : s->ptr == 8 ? 0x20 : 0x10, chunk = 3 * gran;
        uint32_t container = (gran + header + 10 * chunk + gran - 1) & ~(gran - 1);
        const uint32_t sizes[] = {4 * gran, container, 4 * gran};
        uint64_t user[3];
        synth_heap(s, HS_SCN_LFH_HEAP + 0x10000ull * i, 0x1002, sizes, 3, user);
        if (s->win10)
            synth_lfh_win8(s, user[1], container, chunk, 10, 0x2B5, HS_SCN_LFH_ZONE + 0x40ull * i);
        else
            synth_lfh_win7(s, user[1], container, chunk, 10, 0x2B5, HS_SCN_LFH_ZONE + 0x40ull * i);
    }
    for (unsigned i = 0; i < sc->large_blocks; i++)
        synth_virtual_block(s, HS_SCN_PROCESS_HEAP, HS_SCN_LARGE_BLOCK + 0x100000ull * i, 0x21000,
                            0x20000);
    if (sc->heap_corruption[0]) {
        const uint32_t sizes[] = {4 * gran, 4 * gran, 4 * gran};
        uint64_t user[3];
        synth_heap(s, HS_SCN_VICTIM_HEAP, 0x1002, sizes, 3, user);
        synth_corrupt(s, HS_SCN_VICTIM_HEAP, user, sc->heap_corruption);
    }
    if (sc->bulk_mb) {
        /* The process heap's last block (0x100 bytes, otherwise unused) holds the first handle. */
        s->memory_last = true;
        bulk_heaps(s, sc->bulk_mb, ph_user[sc->live_sessions]);
    }
    /* A grown list leaves the first entries behind in the fixed array it was copied from. */
    if (grown)
        for (size_t i = 0; i < fixed_max; i++)
            synth_put_ptr(s, fixed_list + s->ptr * i, s->heaps[i]);
    if (s->heap_count != heaps)
        abort(); /* the count above must follow compose() */
}

static synth model; /* too large for the stack */

void hs_scenario_build(const hs_scenario *sc, dump_builder *b)
{
    compose(sc, &model);
    synth_finish(&model, b);
    synth_free(&model);
}

int hs_scenario_write(const hs_scenario *sc, FILE *f)
{
    compose(sc, &model);
    int rc = synth_write_file(&model, f);
    synth_free(&model);
    return rc;
}
