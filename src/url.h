/* URL and origin handling. Pure: APR only, no httpd types (unit-tested). */
#ifndef PBXDIAL_URL_H
#define PBXDIAL_URL_H

#include <apr_pools.h>

/* Checks a PBX base URL (PbxDialServer): http or https, a host, an optional
 * port and path prefix, nothing else. On success *norm is the URL without a
 * trailing slash and the result is NULL; otherwise the result says what is
 * wrong, in words fit for a configuration error. */
const char *pbxdial_url_check_base(apr_pool_t *p, const char *in, const char **norm);

/* Checks PbxDialPublicServer: either "host[:port]" (browsers then use https
 * and wss) or a base URL as above. Same contract as pbxdial_url_check_base. */
const char *pbxdial_url_check_public(apr_pool_t *p, const char *in, const char **norm);

/* Non-zero when the Origin header value names the same origin as a request
 * that arrived with this scheme ("http"/"https") and Host header value.
 * Host names compare case-insensitively; default ports are implied. */
int pbxdial_url_same_origin(apr_pool_t *p, const char *origin, const char *scheme, const char *host);

#endif
