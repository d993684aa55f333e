/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Parsing of what the PBX answers (session tokens). The module's own JSON
 * answers are built in json.c. */
#include "core/pbxreply.h"

#include <string.h>
#include <apr_strings.h>
#include <jansson.h>

#define PBXDIAL_TOKEN_MAX 512

int pbxdial_pbxreply_token_ok(const char *s, apr_size_t len)
{
    apr_size_t i;

    if (!s || len == 0 || len > PBXDIAL_TOKEN_MAX)
        return 0;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || strchr("._~+/=-", c))
            || c == '\0')
            return 0;
    }
    return 1;
}

static pbxdial_pbxreply_e reply_from_string(apr_pool_t *p, const char *s, apr_size_t len, const char **token)
{
    if (len == 0)
        return PBXDIAL_REPLY_EMPTY;
    if (!pbxdial_pbxreply_token_ok(s, len))
        return PBXDIAL_REPLY_MALFORMED;
    *token = apr_pstrmemdup(p, s, len);
    return PBXDIAL_REPLY_TOKEN;
}

pbxdial_pbxreply_e pbxdial_pbxreply_token(apr_pool_t *p, const char *body, apr_size_t len, const char **token)
{
    static const char *const keys[] = {"session", "value", "token"};
    pbxdial_pbxreply_e rv = PBXDIAL_REPLY_MALFORMED;
    json_t *j;
    apr_size_t i;

    *token = NULL;
    if (!body)
        return PBXDIAL_REPLY_EMPTY;
    while (len > 0 && strchr(" \t\r\n", body[0])) {
        body++;
        len--;
    }
    while (len > 0 && strchr(" \t\r\n", body[len - 1]))
        len--;
    if (len == 0)
        return PBXDIAL_REPLY_EMPTY;

    j = json_loadb(body, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
    if (!j) /* not JSON: some PBX versions send the bare token */
        return reply_from_string(p, body, len, token);

    if (json_is_false(j)) {
        rv = PBXDIAL_REPLY_FALSE;
    }
    else if (json_is_string(j)) {
        rv = reply_from_string(p, json_string_value(j), json_string_length(j), token);
    }
    else if (json_is_object(j)) {
        for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            json_t *v = json_object_get(j, keys[i]);
            if (json_is_string(v)) {
                rv = reply_from_string(p, json_string_value(v), json_string_length(v), token);
                break;
            }
        }
    }
    json_decref(j);
    return rv;
}
