/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers of the libFuzzer targets: see fuzz_common.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fuzz_common.h"

#include <dlfcn.h>
#include <string.h>
#include <apr_general.h>
#include <apr_allocator.h>
#include <apr_strings.h>

/* --- apr_palloc interposition (this executable's definition wins over
 * libapr's, also for libapr's own calls: apr_pstrdup, apr_table_*, ...).
 * apr_psprintf writes into the pool's blocks directly and is not seen. */

typedef void *(*fuzz_palloc_fn)(apr_pool_t *, apr_size_t);

static fuzz_palloc_fn fuzz_real_palloc;
static apr_pool_t *fuzz_cur_pool; /* the pool of the running input */
static void **fuzz_blocks;
static size_t fuzz_nblocks, fuzz_capblocks;

void *apr_palloc(apr_pool_t *p, apr_size_t size)
{
    void *m;

    if (p != fuzz_cur_pool) {
        if (!fuzz_real_palloc)
            fuzz_real_palloc = (fuzz_palloc_fn)dlsym(RTLD_NEXT, "apr_palloc");
        return fuzz_real_palloc(p, size);
    }
    if (fuzz_nblocks == fuzz_capblocks) {
        size_t cap = fuzz_capblocks ? 2 * fuzz_capblocks : 1024;
        void **nb = realloc(fuzz_blocks, cap * sizeof(*nb));
        if (!nb)
            abort();
        fuzz_blocks = nb;
        fuzz_capblocks = cap;
    }
    m = malloc(size); /* exactly size: one byte more is an ASan report */
    if (!m)
        abort();
    fuzz_blocks[fuzz_nblocks++] = m;
    return m;
}

/* apr_pools.h makes apr_pcalloc a macro over apr_palloc; libapr itself
 * calls the function. */
#undef apr_pcalloc
void *apr_pcalloc(apr_pool_t *p, apr_size_t size);
void *apr_pcalloc(apr_pool_t *p, apr_size_t size)
{
    void *m = apr_palloc(p, size);
    if (m)
        memset(m, 0, size);
    return m;
}

apr_pool_t *fuzz_init(void)
{
    static apr_pool_t *global;

    if (!global) {
        if (apr_initialize() != APR_SUCCESS)
            abort();
        atexit(apr_terminate);
        if (apr_pool_create(&global, NULL) != APR_SUCCESS)
            abort();
    }
    return global;
}

apr_pool_t *fuzz_pool_begin(void)
{
    apr_allocator_t *a;
    apr_pool_t *p;

    if (apr_allocator_create(&a) != APR_SUCCESS)
        abort();
    if (apr_pool_create_unmanaged_ex(&p, NULL, a) != APR_SUCCESS)
        abort();
    apr_allocator_owner_set(a, p); /* destroying p frees its blocks to the system */
    fuzz_cur_pool = p;
    return p;
}

void fuzz_pool_end(apr_pool_t *p)
{
    size_t i;

    apr_pool_destroy(p);
    fuzz_cur_pool = NULL;
    for (i = 0; i < fuzz_nblocks; i++)
        free(fuzz_blocks[i]);
    fuzz_nblocks = 0;
}

char *fuzz_cstr(apr_pool_t *p, const uint8_t *data, size_t n)
{
    const uint8_t *nul = memchr(data, 0, n);
    return apr_pstrmemdup(p, (const char *)data, nul ? (size_t)(nul - data) : n);
}

int fuzz_fields(apr_pool_t *p, const uint8_t *data, size_t n, char sep, char **out, int max)
{
    const uint8_t *pos = data, *end = data + n;
    int k = 0;

    memset(out, 0, sizeof(*out) * (size_t)max);
    if (n == 0)
        return 0;
    while (k < max) {
        const uint8_t *e = memchr(pos, sep, (size_t)(end - pos));
        if (!e || k == max - 1)
            e = end;
        out[k++] = fuzz_cstr(p, pos, (size_t)(e - pos));
        if (e == end)
            break;
        pos = e + 1;
    }
    return k;
}

int fuzz_printable_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return 0;
    return 1;
}

static int fuzz_charset_len(const char *s, size_t len, size_t max)
{
    size_t i;

    if (len == 0 || len > max)
        return 0;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
              || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int fuzz_names_user_ok(const char *s)
{
    const char *at = strrchr(s, '@');

    if (!at)
        return fuzz_charset_len(s, strlen(s), 64);
    return fuzz_charset_len(s, (size_t)(at - s), 64) && fuzz_charset_len(at + 1, strlen(at + 1), 253);
}

int fuzz_utf8_ok(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;

    while (*s) {
        unsigned c = *s, cp, n, i, min;
        if (c < 0x80) {
            s++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
            min = 0x80;
        }
        else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
            min = 0x800;
        }
        else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
            min = 0x10000;
        }
        else {
            return 0;
        }
        for (i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        s += n + 1;
    }
    return 1;
}

char *fuzz_escape_c(apr_pool_t *p, const char *s)
{
    size_t len = s ? strlen(s) : 0, i;
    char *out = apr_palloc(p, 4 * len + 8), *o = out;

    if (!s)
        return apr_pstrdup(p, "(null)");
    *o++ = '"';
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            *o++ = (char)c;
        else
            o += sprintf(o, "\\x%02x", c);
    }
    *o++ = '"';
    *o = '\0';
    return out;
}
