/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Strict query-string parsing for links, and masking of secrets in the raw
 * query before it reaches a log. Links are attacker-controlled input, so
 * anything ambiguous (duplicates, bad escapes, NULs) is refused rather than
 * guessed at. */
#include "core/query.h"

#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <apr_lib.h>

static int query_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes len bytes of s; '+' is kept as it is. Returns the decoded string
 * (its length in *outlen, which differs from strlen when it holds a NUL),
 * or NULL on a malformed escape. */
static char *query_decode(apr_pool_t *p, const char *s, apr_size_t len, apr_size_t *outlen)
{
    char *out = apr_palloc(p, len + 1);
    apr_size_t i, n = 0;

    for (i = 0; i < len; i++) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= len)
                return NULL;
            hi = query_hexval(s[i + 1]);
            lo = query_hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return NULL;
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
        }
        else {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
    *outlen = n;
    return out;
}

/* How a message refers to a parameter: by name when the name is plain and
 * short (so it cannot carry markup or a secret), else by position. */
static const char *query_label(apr_pool_t *p, const char *name, apr_size_t namelen, unsigned idx)
{
    apr_size_t i;

    if (name && namelen > 0 && namelen <= 32) {
        for (i = 0; i < namelen; i++)
            if (!apr_isalnum(name[i]) && name[i] != '.' && name[i] != '_' && name[i] != '-')
                break;
        if (i == namelen)
            return apr_psprintf(p, "parameter '%s'", name);
    }
    return apr_psprintf(p, "parameter number %u", idx);
}

const char *pbxdial_query_parse(apr_pool_t *p, const char *args, apr_table_t **out)
{
    apr_table_t *t;
    const char *pos, *end;
    unsigned idx = 0;
    apr_size_t total;

    total = args ? strlen(args) : 0;
    if (total > PBXDIAL_QUERY_MAX_BYTES)
        return apr_psprintf(p, "the query string is longer than %d bytes", PBXDIAL_QUERY_MAX_BYTES);
    t = apr_table_make(p, 8);
    pos = args ? args : "";
    end = pos + total;
    while (pos < end) {
        const char *amp = memchr(pos, '&', end - pos);
        const char *e = amp ? amp : end;
        const char *eq = memchr(pos, '=', e - pos);
        const char *nend = eq ? eq : e;
        const char *label;
        char *name, *value;
        apr_size_t nlen, vlen;

        if (e == pos) { /* "a=1&&b=2" or a trailing '&' */
            pos = e + 1;
            continue;
        }
        if (++idx > PBXDIAL_QUERY_MAX_PARAMS)
            return apr_psprintf(p, "the query has more than %d parameters", PBXDIAL_QUERY_MAX_PARAMS);
        if (nend == pos)
            return apr_psprintf(p, "parameter number %u has no name", idx);
        name = query_decode(p, pos, nend - pos, &nlen);
        if (!name)
            return apr_psprintf(p, "parameter number %u has a malformed %%-escape in its name", idx);
        label = query_label(p, name, nlen, idx);
        if (nlen != strlen(name))
            return apr_psprintf(p, "%s contains a NUL byte in its name", label);
        value = eq ? query_decode(p, eq + 1, e - eq - 1, &vlen) : apr_pstrdup(p, "");
        if (!value)
            return apr_psprintf(p, "%s has a malformed %%-escape (write %%XX with two hex digits)", label);
        if (eq && vlen != strlen(value))
            return apr_psprintf(p, "%s contains a NUL byte", label);
        if (apr_table_get(t, name))
            return apr_psprintf(p, "%s is given more than once", label);
        apr_table_setn(t, name, value);
        pos = amp ? amp + 1 : end;
    }
    *out = t;
    return NULL;
}

static int query_name_listed(const char *name, const char *const *names)
{
    for (; names && *names; names++)
        if (!strcasecmp(name, *names))
            return 1;
    return 0;
}

/* Masks the query in s[0..len) into a new string. */
static char *query_mask_span(apr_pool_t *p, const char *s, apr_size_t len, const char *const *names)
{
    /* A masked piece grows by at most 3 bytes ("=" + "***" for "="), and
     * there are at most len + 1 pieces. */
    char *buf = apr_palloc(p, len * 4 + 4), *o = buf;
    const char *pos = s, *end = s + len;

    while (pos < end) {
        const char *amp = memchr(pos, '&', end - pos);
        const char *e = amp ? amp : end;
        const char *eq = memchr(pos, '=', e - pos);
        int hide = 0;

        if (eq) {
            apr_size_t nlen;
            char *name = query_decode(p, pos, eq - pos, &nlen);
            hide = !name || nlen != strlen(name) || query_name_listed(name, names);
        }
        if (hide) {
            memcpy(o, pos, eq + 1 - pos);
            o += eq + 1 - pos;
            memcpy(o, "***", 3);
            o += 3;
        }
        else {
            memcpy(o, pos, e - pos);
            o += e - pos;
        }
        if (amp)
            *o++ = '&';
        pos = amp ? amp + 1 : end;
    }
    *o = '\0';
    return buf;
}

const char *pbxdial_query_mask(apr_pool_t *p, const char *args, const char *const *names)
{
    if (!args)
        return NULL;
    return query_mask_span(p, args, strlen(args), names);
}

const char *pbxdial_query_mask_uri(apr_pool_t *p, const char *uri, const char *const *names)
{
    const char *q, *qend;

    if (!uri)
        return NULL;
    q = strchr(uri, '?');
    if (!q)
        return uri;
    q++;
    qend = q + strcspn(q, " #");
    return apr_pstrcat(p, apr_pstrmemdup(p, uri, q - uri), query_mask_span(p, q, qend - q, names), qend,
                       NULL);
}
