/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Target "url": PbxDialServer / PbxDialPublicServer values
 * (pbxdial_url_check_base, pbxdial_url_check_public) and the Origin check
 * against the request's Host (pbxdial_url_same_origin, used to refuse
 * cross-site requests). Input: byte 0 picks the scheme (bit 0: https),
 * then NUL-separated fields: a URL or Origin, a Host header value.
 *
 * Invariants:
 * - check_base accepts only http(s) URLs without query, fragment or
 *   credentials; its result has no trailing '/', is accepted again and
 *   comes back unchanged;
 * - check_public accepts a URL only as check_base does, and host[:port]
 *   only with a port 1..65535;
 * - same_origin never matches an Origin that does not start with the
 *   request's scheme and "://"; it matches "scheme://host" and, without a
 *   port in host, "scheme://host:defaultport" for every plausible host;
 *   the case of scheme and host never matters;
 * - a port check_base accepts is 1..65535 (APR would keep only 16 bits);
 * - query_escape gives only [A-Za-z0-9-._~*] and %XX, and decoding it
 *   gives back its input. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <apr_uri.h>

#include "fuzz_common.h"
#include "core/url.h"

static char *upper(apr_pool_t *p, const char *s)
{
    char *u = apr_pstrdup(p, s), *c;
    for (c = u; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    return u;
}

static void check_base(apr_pool_t *p, const char *in)
{
    const char *norm = NULL, *norm2 = NULL, *err;
    apr_uri_t u;

    err = pbxdial_url_check_base(p, in, &norm);
    if (err)
        return;
    FUZZ_CHECK(norm && (!strncasecmp(norm, "http://", 7) || !strncasecmp(norm, "https://", 8)),
               "base %s accepted as %s", fuzz_escape_c(p, in), fuzz_escape_c(p, norm));
    FUZZ_CHECK(!strchr(norm, '?') && !strchr(norm, '#'), "base %s keeps a query or fragment",
               fuzz_escape_c(p, in));
    FUZZ_CHECK(norm[strlen(norm) - 1] != '/', "base %s keeps a trailing '/'", fuzz_escape_c(p, in));
    FUZZ_CHECK(apr_uri_parse(p, norm, &u) == APR_SUCCESS && !u.user && !u.password && u.hostname
                   && *u.hostname,
               "base %s: credentials or no host", fuzz_escape_c(p, in));
    FUZZ_CHECK(!u.port_str
                   || (strspn(u.port_str, "0123456789") == strlen(u.port_str)
                       && strtol(u.port_str, NULL, 10) >= 1 && strtol(u.port_str, NULL, 10) <= 65535),
               "base %s accepted with port %s", fuzz_escape_c(p, in), fuzz_escape_c(p, u.port_str));
    err = pbxdial_url_check_base(p, norm, &norm2);
    FUZZ_CHECK(!err && !strcmp(norm, norm2), "base %s: its normal form %s is %s", fuzz_escape_c(p, in),
               fuzz_escape_c(p, norm), err ? err : fuzz_escape_c(p, norm2));
}

static void check_public(apr_pool_t *p, const char *in)
{
    const char *norm = NULL, *n2 = NULL, *err, *colon;

    err = pbxdial_url_check_public(p, in, &norm);
    if (err)
        return;
    if (!strncasecmp(in, "http://", 7) || !strncasecmp(in, "https://", 8)) {
        FUZZ_CHECK(!pbxdial_url_check_base(p, in, &n2) && !strcmp(norm, n2),
                   "public URL %s accepted differently from a base", fuzz_escape_c(p, in));
        return;
    }
    FUZZ_CHECK(*norm && !strpbrk(norm, "/?#@ "), "public %s accepted as %s", fuzz_escape_c(p, in),
               fuzz_escape_c(p, norm));
    colon = strrchr(norm, ':');
    if (colon && !strchr(norm, '[')) {
        long port = strtol(colon + 1, NULL, 10);
        /* an IPv6 literal without brackets has many colons; otherwise a port */
        if (strchr(norm, ':') == colon)
            FUZZ_CHECK(port >= 1 && port <= 65535 && strspn(colon + 1, "0123456789") == strlen(colon + 1),
                       "public %s: port", fuzz_escape_c(p, in));
    }
}

static int unhex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void check_escape(apr_pool_t *p, const char *in)
{
    const char *e = pbxdial_url_query_escape(p, in), *c;
    char *back = apr_palloc(p, strlen(e) + 1), *b = back;

    for (c = e; *c; c++) {
        if (*c == '%') {
            FUZZ_CHECK(unhex(c[1]) >= 0 && unhex(c[2]) >= 0, "escape of %s: bad %%XX in %s",
                       fuzz_escape_c(p, in), fuzz_escape_c(p, e));
            *b++ = (char)(unhex(c[1]) * 16 + unhex(c[2]));
            c += 2;
        }
        else {
            FUZZ_CHECK((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
                           || strchr("-._~*", *c),
                       "escape of %s keeps %c", fuzz_escape_c(p, in), *c);
            *b++ = *c;
        }
    }
    *b = '\0';
    FUZZ_CHECK(!strcmp(back, in), "escape of %s does not decode back", fuzz_escape_c(p, in));
}

static void check_origin(apr_pool_t *p, const char *origin, const char *scheme, const char *host)
{
    int same = pbxdial_url_same_origin(p, origin, scheme, host);
    size_t sl = strlen(scheme);

    if (same)
        FUZZ_CHECK(!strncasecmp(origin, scheme, sl) && !strncmp(origin + sl, "://", 3),
                   "origin %s matches scheme %s", fuzz_escape_c(p, origin), scheme);
    {
        /* ports compare exactly (they are digits), so only without one */
        const char *sep = strstr(origin, "://");
        if (sep && !strchr(sep + 3, ':') && !strchr(host, ':'))
            FUZZ_CHECK(pbxdial_url_same_origin(p, upper(p, origin), scheme, upper(p, host)) == same,
                       "case changes same_origin(%s, %s)", fuzz_escape_c(p, origin), fuzz_escape_c(p, host));
    }
    FUZZ_CHECK(!pbxdial_url_same_origin(p, NULL, scheme, host)
                   && !pbxdial_url_same_origin(p, origin, NULL, host)
                   && !pbxdial_url_same_origin(p, origin, scheme, NULL)
                   && !pbxdial_url_same_origin(p, origin, scheme, ""),
               "NULL or empty matched");
    if (*host && !strchr(host, '/')) {
        FUZZ_CHECK(pbxdial_url_same_origin(p, apr_pstrcat(p, scheme, "://", host, NULL), scheme, host),
                   "%s://%s is not the origin of Host %s", scheme, fuzz_escape_c(p, host),
                   fuzz_escape_c(p, host));
        if (!strpbrk(host, ":[]"))
            FUZZ_CHECK(pbxdial_url_same_origin(p,
                                               apr_pstrcat(p, scheme, "://", host,
                                                           strcmp(scheme, "https") ? ":80" : ":443", NULL),
                                               scheme, host),
                       "default port of %s://%s", scheme, fuzz_escape_c(p, host));
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool_begin();
    const char *scheme = size && (data[0] & 1) ? "https" : "http";
    char *f[2];
    const char *a, *host;

    fuzz_fields(p, size ? data + 1 : data, size ? size - 1 : 0, '\0', f, 2);
    a = f[0] ? f[0] : "";
    host = f[1] ? f[1] : "";

    check_base(p, a);
    check_public(p, a);
    check_origin(p, a, scheme, host);
    check_escape(p, a);
    if (*host)
        check_public(p, host);

    fuzz_pool_end(p);
    return 0;
}
