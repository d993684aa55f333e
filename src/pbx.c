/* Vodia PBX operations on top of the HTTP transport (pbx_http.c). */
#include <apr_strings.h>
#include <jansson.h>
#include <stdlib.h>

#include "pbx.h"
#include "reply.h"

const char *pbxdial_pbx_rc_name(pbxdial_pbx_rc_e rc)
{
    switch (rc) {
    case PBXDIAL_PBX_OK: return "ok";
    case PBXDIAL_PBX_ADMIN_REFUSED: return "admin credentials refused";
    case PBXDIAL_PBX_NOT_FOUND: return "not found";
    case PBXDIAL_PBX_UNREACHABLE: return "unreachable";
    case PBXDIAL_PBX_TLS: return "TLS failure";
    case PBXDIAL_PBX_TIMEOUT: return "timeout";
    case PBXDIAL_PBX_HTTP_ERROR: return "HTTP error";
    case PBXDIAL_PBX_BAD_REPLY: return "malformed reply";
    case PBXDIAL_PBX_INTERNAL: return "internal error";
    }
    return "unknown";
}

static char *pbx_json_body(apr_pool_t *p, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    char *out = s ? apr_pstrdup(p, s) : NULL;

    free(s);
    json_decref(j);
    return out;
}

/* Maps the status of an admin request that did get an answer. */
static pbxdial_pbx_rc_e pbx_judge_status(apr_pool_t *p, const pbxdial_pbx_resp_t *resp,
                                         pbxdial_pbx_outcome_t *out)
{
    if (resp->status >= 200 && resp->status < 300)
        return PBXDIAL_PBX_OK;
    if (resp->status == 404) {
        out->rc = PBXDIAL_PBX_NOT_FOUND;
        out->detail = "PBX answered 404";
    }
    else if (resp->status == 401 || resp->status == 403) {
        out->rc = PBXDIAL_PBX_ADMIN_REFUSED;
        out->detail = apr_psprintf(p, "PBX answered %ld to the admin credentials", resp->status);
    }
    else {
        out->rc = PBXDIAL_PBX_HTTP_ERROR;
        out->detail = apr_psprintf(p, "PBX answered %ld", resp->status);
    }
    return out->rc;
}

pbxdial_pbx_rc_e pbxdial_pbx_login_3rd(apr_pool_t *p, const pbxdial_pbx_conf_t *c,
                                       const char *domain, const char *ext,
                                       const char **token, pbxdial_pbx_outcome_t *out)
{
    pbxdial_pbx_req_t req = { "POST", "/rest/system/session", NULL, NULL, 1 };
    pbxdial_pbx_resp_t resp;

    *token = NULL;
    req.body = pbx_json_body(p, json_pack("{s:s, s:s, s:s}", "name", "3rd",
                                          "domain", domain, "username", ext));
    if (!req.body) {
        out->rc = PBXDIAL_PBX_INTERNAL;
        out->detail = "could not build the login request";
        return out->rc;
    }
    if (pbxdial_pbx_exchange(p, c, &req, &resp, out) != PBXDIAL_PBX_OK)
        return out->rc;
    if (pbx_judge_status(p, &resp, out) != PBXDIAL_PBX_OK)
        return out->rc;

    switch (pbxdial_reply_token(p, resp.body, resp.body_len, token)) {
    case PBXDIAL_REPLY_TOKEN:
        return PBXDIAL_PBX_OK;
    case PBXDIAL_REPLY_FALSE:
        out->rc = PBXDIAL_PBX_ADMIN_REFUSED;
        out->detail = "PBX answered false to the admin credentials";
        break;
    case PBXDIAL_REPLY_EMPTY:
        out->rc = PBXDIAL_PBX_BAD_REPLY;
        out->detail = "PBX answered 200 with an empty body";
        break;
    case PBXDIAL_REPLY_MALFORMED:
        out->rc = PBXDIAL_PBX_BAD_REPLY;
        out->detail = apr_psprintf(p, "PBX answered 200 with %lu bytes that are not a session token",
                                   (unsigned long)resp.body_len);
        break;
    }
    return out->rc;
}
