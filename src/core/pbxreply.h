/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Parsing of PBX replies (the JSON answers of the module are in json.h).
 * Pure: APR and jansson only, no httpd types (unit-tested, fuzzable). */
#ifndef PBXDIAL_REPLY_H
#define PBXDIAL_REPLY_H

#include <apr_pools.h>

typedef enum {
    PBXDIAL_REPLY_TOKEN = 0, /* *token is set */
    PBXDIAL_REPLY_FALSE,     /* the PBX said `false`: credentials refused */
    PBXDIAL_REPLY_EMPTY,     /* nothing, or an empty string */
    PBXDIAL_REPLY_MALFORMED  /* not a shape the PBX is known to send */
} pbxdial_pbxreply_e;

/* Reads a session token from a /rest/system/session body. The PBX has been
 * seen to send a JSON string, a bare string, or {"session": ...} (also
 * "value"/"token"). Tokens are limited to a safe character set because they
 * end up in cookies and JSON. */
pbxdial_pbxreply_e pbxdial_pbxreply_token(apr_pool_t *p, const char *body, apr_size_t len,
                                          const char **token);

/* Non-zero when s is a plausible PBX token (1..512 chars of [A-Za-z0-9._~+/=-]). */
int pbxdial_pbxreply_token_ok(const char *s, apr_size_t len);

#endif
