/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* URL and origin handling. Pure: APR only, no httpd types (unit-tested). */
#ifndef PBXDIAL_URL_H
#define PBXDIAL_URL_H

#include <apr_pools.h>

/* Checks a PBX base URL (PbxDialServer): http or https, a host, an optional
 * port (1..65535) and path prefix, nothing else. On success *norm is the URL without a
 * trailing slash and the result is NULL; otherwise the result says what is
 * wrong, in words fit for a configuration error. */
const char *pbxdial_url_check_base(apr_pool_t *p, const char *in, const char **norm);

/* s as a query parameter value: every byte but the unreserved characters
 * of RFC 3986 and '*' percent-encoded ("+49#1" gives "%2B49%231"). */
char *pbxdial_url_query_escape(apr_pool_t *p, const char *s);

/* Checks PbxDialPublicServer: either "host[:port]" (browsers then use https
 * and wss) or a base URL as above. Same contract as pbxdial_url_check_base. */
const char *pbxdial_url_check_public(apr_pool_t *p, const char *in, const char **norm);

/* Non-zero when the Origin header value names the same origin as a request
 * that arrived with this scheme ("http"/"https") and Host header value.
 * Host names compare case-insensitively; default ports are implied. */
int pbxdial_url_same_origin(apr_pool_t *p, const char *origin, const char *scheme, const char *host);

/* An origin in canonical form: scheme "http" or "https", the host in lower
 * case without IPv6 brackets or a trailing dot, the port a number (the
 * scheme's default when the value names none). */
typedef struct {
    const char *scheme;
    const char *host;
    unsigned port;
} pbxdial_url_origin_t;

/* Reads the origin out of an Origin header value (is_referer 0: exactly
 * scheme://host[:port]) or a Referer (is_referer 1: a path, query or
 * fragment may follow). Returns 1 and fills out, or 0 for anything that is
 * not plainly an http(s) origin as browsers send it: "null", other schemes,
 * user info, an empty or invalid host, a bad port. */
int pbxdial_url_origin_parse(apr_pool_t *p, const char *value, int is_referer, pbxdial_url_origin_t *out);

/* The canonical origin of scheme, host (IPv6 with or without brackets) and
 * port (0: the scheme's default). Returns 0 when they make no origin. */
int pbxdial_url_origin_make(apr_pool_t *p, const char *scheme, const char *host, unsigned port,
                            pbxdial_url_origin_t *out);

/* 1 when the Origin (is_referer 0) or Referer (1) value names exactly own. */
int pbxdial_url_origin_is(apr_pool_t *p, const char *value, int is_referer, const pbxdial_url_origin_t *own);

#endif
