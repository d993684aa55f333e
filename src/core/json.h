/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The JSON shapes the module answers browsers with. Pure: APR and jansson
 * only, no httpd types (unit-tested, fuzzable). */
#ifndef PBXDIAL_JSON_H
#define PBXDIAL_JSON_H

#include <apr_pools.h>

/* Each returns the text in p; a value jansson cannot take (not UTF-8)
 * gives {"error":"internal",...} rather than NULL. */

/* {"session","server","user","domain"}: the answer of /rest/pbxlogin. */
char *pbxdial_json_login(apr_pool_t *p, const char *session, const char *server, const char *user,
                         const char *domain);

/* {"websocket","user","domain"}: /rest/pbxlogin in same-origin mode. */
char *pbxdial_json_websocket(apr_pool_t *p, const char *path, const char *user, const char *domain);

/* {"status":"calling","from":from,"dest":dest}: the answer of a placed call. */
char *pbxdial_json_calling(apr_pool_t *p, const char *from, const char *dest);

/* {"error":code,"message":message}. */
char *pbxdial_json_error(apr_pool_t *p, const char *code, const char *message);

#endif
