/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* URL and origin handling for configuration values and request headers. */
#include "core/url.h"

#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_lib.h>
#include <apr_uri.h>

static int url_host_ok(const char *h)
{
    if (!h || !*h || strlen(h) > 253)
        return 0;
    if (strchr(h, ':')) { /* IPv6 literal; apr_uri strips the brackets */
        for (; *h; h++)
            if (!apr_isxdigit(*h) && *h != ':' && *h != '.')
                return 0;
        return 1;
    }
    for (; *h; h++)
        if (!apr_isalnum(*h) && *h != '-' && *h != '.' && *h != '_')
            return 0;
    return 1;
}

/* The port of a URL, checked by hand before apr_uri_parse sees it: APR
 * keeps the port in 16 bits, so :80810 would become 15274 and every request
 * would then fail; a non-digit would only give "is not a URL". NULL when the
 * port is absent or 1..65535, else the message. */
static const char *url_check_port(apr_pool_t *p, const char *in)
{
    const char *sep = strstr(in, "://"), *auth, *end, *at, *colon, *d;
    const char *scheme_default;
    char *base;
    unsigned long port = 0;

    if (!sep)
        return NULL; /* not a URL: said elsewhere */
    scheme_default = (sep - in == 5 && !strncasecmp(in, "https", 5)) ? "443" : "80";
    auth = sep + 3;
    end = auth + strcspn(auth, "/?#");
    for (at = end; at > auth && at[-1] != '@'; at--)
        ;
    auth = at;          /* credentials are refused elsewhere */
    if (*auth == '[') { /* IPv6 literal: the port follows ']' */
        const char *rb = memchr(auth, ']', end - auth);
        colon = rb && rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
    }
    else {
        colon = memchr(auth, ':', end - auth);
    }
    if (!colon)
        return NULL;
    for (d = colon + 1; d < end && apr_isdigit(*d) && port <= 65535; d++)
        port = port * 10 + (unsigned long)(*d - '0');
    if (colon + 1 < end && d == end && port >= 1 && port <= 65535)
        return NULL;
    base = apr_pstrmemdup(p, in, colon - in);
    return apr_psprintf(p,
                        "'%s' has an invalid port '%s': a port is a number from 1 to 65535; "
                        "write e.g. %s:8080, or %s without a port for the default (%s)",
                        in, apr_pstrmemdup(p, colon + 1, end - colon - 1), base, base, scheme_default);
}

const char *pbxdial_url_check_base(apr_pool_t *p, const char *in, const char **norm)
{
    apr_uri_t u;
    apr_size_t n;
    const char *err;

    if (!in || !*in)
        return "is empty; write a URL such as https://pbx.example.com";
    if ((err = url_check_port(p, in)))
        return err;
    if (apr_uri_parse(p, in, &u) != APR_SUCCESS || !u.scheme)
        return apr_psprintf(p, "'%s' is not a URL; write e.g. https://pbx.example.com", in);
    if (strcasecmp(u.scheme, "http") && strcasecmp(u.scheme, "https"))
        return apr_psprintf(p, "'%s' must start with http:// or https://", in);
    if (!url_host_ok(u.hostname))
        return apr_psprintf(p, "'%s' has no valid host name; write e.g. https://pbx.example.com", in);
    if (u.user || u.password)
        return "must not contain credentials; put them in PbxDialAdmin";
    if (u.query || u.fragment)
        return apr_psprintf(
            p, "'%s' must not have a query or fragment; write only scheme, host, port and path", in);
    *norm = apr_pstrdup(p, in);
    n = strlen(*norm);
    while (n > 0 && (*norm)[n - 1] == '/')
        ((char *)*norm)[--n] = '\0';
    return NULL;
}

const char *pbxdial_url_check_public(apr_pool_t *p, const char *in, const char **norm)
{
    const char *colon;

    if (in && (!strncasecmp(in, "http://", 7) || !strncasecmp(in, "https://", 8)))
        return pbxdial_url_check_base(p, in, norm);
    if (!in || !*in)
        return "is empty; write host[:port] or a URL such as https://pbx.example.com";
    colon = strrchr(in, ':');
    if (colon) {
        const char *c;
        char *host = apr_pstrmemdup(p, in, colon - in);
        if (!colon[1] || strlen(colon + 1) > 5)
            return apr_psprintf(p, "'%s' has an invalid port; write host[:port]", in);
        for (c = colon + 1; *c; c++)
            if (!apr_isdigit(*c))
                return apr_psprintf(p, "'%s' has an invalid port; write host[:port]", in);
        if (atoi(colon + 1) < 1 || atoi(colon + 1) > 65535)
            return apr_psprintf(p, "'%s' has an invalid port; write host[:port]", in);
        if (!url_host_ok(host))
            return apr_psprintf(p, "'%s' is not host[:port]; write e.g. pbx.example.com:443", in);
    }
    else if (!url_host_ok(in)) {
        return apr_psprintf(p, "'%s' is not host[:port]; write e.g. pbx.example.com or a https:// URL", in);
    }
    *norm = in;
    return NULL;
}

static const char *url_default_port(const char *scheme)
{
    return strcasecmp(scheme, "https") ? "80" : "443";
}

/* Splits "host[:port]" (IPv6 literals in brackets) and fills in the default port. */
static void url_split_authority(apr_pool_t *p, const char *auth, const char *scheme, const char **host,
                                const char **port)
{
    const char *colon = strrchr(auth, ':');
    const char *bracket = strrchr(auth, ']');

    if (colon && (!bracket || colon > bracket)) {
        *host = apr_pstrmemdup(p, auth, colon - auth);
        *port = colon + 1;
    }
    else {
        *host = auth;
        *port = url_default_port(scheme);
    }
}

int pbxdial_url_same_origin(apr_pool_t *p, const char *origin, const char *scheme, const char *host)
{
    const char *sep, *oscheme, *ohost, *oport, *rhost, *rport;

    if (!origin || !scheme || !host || !*host)
        return 0;
    sep = strstr(origin, "://");
    if (!sep)
        return 0; /* "null" and other opaque origins never match */
    oscheme = apr_pstrmemdup(p, origin, sep - origin);
    if (strcasecmp(oscheme, scheme))
        return 0;
    if (strchr(sep + 3, '/'))
        return 0; /* an Origin has no path */
    url_split_authority(p, sep + 3, oscheme, &ohost, &oport);
    url_split_authority(p, host, scheme, &rhost, &rport);
    return !strcasecmp(ohost, rhost) && !strcmp(oport, rport);
}

/* Lower case, without IPv6 brackets and without one trailing dot (the root
 * label: "crm.example.com." names the same host), or NULL when what is left
 * is not a host name a browser would send. */
static const char *url_canon_host(apr_pool_t *p, const char *h, apr_size_t len, int bare_v6)
{
    char *c;
    apr_size_t i;

    if (len >= 2 && h[0] == '[' && h[len - 1] == ']') {
        h++;
        len -= 2;
        if (!memchr(h, ':', len))
            return NULL; /* brackets are only for IPv6 literals */
    }
    else if ((!bare_v6 && memchr(h, ':', len)) || memchr(h, '[', len) || memchr(h, ']', len)) {
        return NULL; /* in a URL, an IPv6 literal has brackets */
    }
    if (len > 0 && h[len - 1] == '.')
        len--;
    if (len == 0 || len > 253)
        return NULL;
    c = apr_pstrmemdup(p, h, len);
    for (i = 0; i < len; i++)
        c[i] = apr_tolower(c[i]);
    return url_host_ok(c) && c[0] != '.' ? c : NULL;
}

static unsigned url_scheme_port(const char *scheme)
{
    return strcmp(scheme, "https") ? 80 : 443;
}

int pbxdial_url_origin_parse(apr_pool_t *p, const char *value, int is_referer, pbxdial_url_origin_t *out)
{
    const char *sep, *auth, *end, *colon, *bracket;
    apr_size_t hostlen;

    if (!value)
        return 0;
    sep = strstr(value, "://");
    if (!sep)
        return 0; /* "null", opaque and relative values */
    if (sep - value == 4 && !strncasecmp(value, "http", 4))
        out->scheme = "http";
    else if (sep - value == 5 && !strncasecmp(value, "https", 5))
        out->scheme = "https";
    else
        return 0;
    auth = sep + 3;
    end = auth + strcspn(auth, "/?#");
    if (*end && !is_referer)
        return 0; /* an Origin is scheme://host[:port], nothing more */
    /* user info ("https://crm.example.com@evil.example/") is never sent by a
     * browser and hides the real host; backslashes, spaces, percent signs
     * and the like are other ways to make two parsers disagree */
    if (strcspn(auth, "@\\%; \t,") < (apr_size_t)(end - auth))
        return 0;
    bracket = memchr(auth, ']', end - auth);
    colon = NULL;
    for (sep = end; sep > (bracket ? bracket : auth); sep--)
        if (sep[-1] == ':') {
            colon = sep - 1;
            break;
        }
    hostlen = colon ? (apr_size_t)(colon - auth) : (apr_size_t)(end - auth);
    out->host = url_canon_host(p, auth, hostlen, 0);
    if (!out->host)
        return 0;
    if (colon) {
        const char *d;
        unsigned long port = 0;
        if (colon + 1 == end || end - colon - 1 > 5)
            return 0;
        for (d = colon + 1; d < end; d++) {
            if (!apr_isdigit(*d))
                return 0;
            port = port * 10 + (*d - '0');
        }
        if (port < 1 || port > 65535)
            return 0;
        out->port = (unsigned)port;
    }
    else {
        out->port = url_scheme_port(out->scheme);
    }
    return 1;
}

int pbxdial_url_origin_make(apr_pool_t *p, const char *scheme, const char *host, unsigned port,
                            pbxdial_url_origin_t *out)
{
    if (!scheme || !host)
        return 0;
    if (!strcasecmp(scheme, "http"))
        out->scheme = "http";
    else if (!strcasecmp(scheme, "https"))
        out->scheme = "https";
    else
        return 0;
    out->host = url_canon_host(p, host, strlen(host), 1);
    out->port = port ? port : url_scheme_port(out->scheme);
    return out->host != NULL && port <= 65535;
}

int pbxdial_url_origin_is(apr_pool_t *p, const char *value, int is_referer, const pbxdial_url_origin_t *own)
{
    pbxdial_url_origin_t o;

    return own && own->host && pbxdial_url_origin_parse(p, value, is_referer, &o)
           && !strcmp(o.scheme, own->scheme) && !strcmp(o.host, own->host) && o.port == own->port;
}

/* Unreserved characters (RFC 3986) stay; so does '*', legal in a query and
 * the start of PBX feature codes (*72...), which the PBX reads either way. */
char *pbxdial_url_query_escape(apr_pool_t *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    apr_size_t n = 0;
    const char *c;
    char *out, *o;

    for (c = s; *c; c++)
        n += apr_isalnum(*c) || strchr("-._~*", *c) ? 1 : 3;
    out = o = apr_palloc(p, n + 1);
    for (c = s; *c; c++) {
        unsigned char b = (unsigned char)*c;
        if (apr_isalnum(b) || strchr("-._~*", b)) {
            *o++ = (char)b;
        }
        else {
            *o++ = '%';
            *o++ = hex[b >> 4];
            *o++ = hex[b & 15];
        }
    }
    *o = '\0';
    return out;
}
