/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The module's JSON answers: jansson builds them, so every value is escaped
 * whatever the caller passes. */
#include "core/json.h"

#include <stdlib.h>
#include <apr_strings.h>
#include <jansson.h>

/* Serialises and frees j; the text lives in p. */
static char *json_to_pool(apr_pool_t *p, json_t *j)
{
    char *s, *out;

    if (!j)
        return apr_pstrdup(p, "{\"error\":\"internal\",\"message\":\"could not build JSON\"}");
    s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (!s)
        return apr_pstrdup(p, "{\"error\":\"internal\",\"message\":\"could not build JSON\"}");
    out = apr_pstrdup(p, s);
    free(s);
    return out;
}

char *pbxdial_json_login(apr_pool_t *p, const char *session, const char *server, const char *user,
                         const char *domain)
{
    return json_to_pool(p, json_pack("{s:s, s:s, s:s, s:s}", "session", session, "server", server, "user",
                                     user, "domain", domain));
}

char *pbxdial_json_websocket(apr_pool_t *p, const char *path, const char *user, const char *domain)
{
    return json_to_pool(p, json_pack("{s:s, s:s, s:s}", "websocket", path, "user", user, "domain", domain));
}

char *pbxdial_json_calling(apr_pool_t *p, const char *from, const char *dest)
{
    return json_to_pool(p, json_pack("{s:s, s:s, s:s}", "status", "calling", "from", from, "dest", dest));
}

char *pbxdial_json_error(apr_pool_t *p, const char *code, const char *message)
{
    return json_to_pool(p, json_pack("{s:s, s:s}", "error", code, "message", message));
}
