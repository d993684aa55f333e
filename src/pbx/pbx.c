/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Vodia PBX operations on top of the HTTP transport (pbx/http.c). */
#include <apr_strings.h>
#include <apr_md5.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pbx/pbx.h"
#include "core/pbxreply.h"
#include "core/url.h"

const char *pbxdial_pbx_rc_name(pbxdial_pbx_rc_e rc)
{
    switch (rc) {
    case PBXDIAL_PBX_OK:
        return "ok";
    case PBXDIAL_PBX_ADMIN_REFUSED:
        return "admin credentials refused";
    case PBXDIAL_PBX_NOT_FOUND:
        return "not found";
    case PBXDIAL_PBX_UNREACHABLE:
        return "unreachable";
    case PBXDIAL_PBX_TLS:
        return "TLS failure";
    case PBXDIAL_PBX_TIMEOUT:
        return "timeout";
    case PBXDIAL_PBX_HTTP_ERROR:
        return "HTTP error";
    case PBXDIAL_PBX_BAD_REPLY:
        return "malformed reply";
    case PBXDIAL_PBX_INTERNAL:
        return "internal error";
    }
    return "unknown";
}

static pbxdial_pbx_outcome_fn *pbx_outcomes;

void pbxdial_pbx_set_outcomes(pbxdial_pbx_outcome_fn *fn)
{
    pbx_outcomes = fn;
}

const char *pbxdial_pbx_step_name(pbxdial_pbx_step_e step)
{
    static const char *const names[PBXDIAL_PBX_STEP_N] = {"login_3rd", "activate", "remote_call",
                                                          "login_user", "logout"};
    return step < PBXDIAL_PBX_STEP_N ? names[step] : "?";
}

/* An outcome that says nothing until the operation fills it in. */
static pbxdial_pbx_outcome_t *pbx_fresh(pbxdial_pbx_outcome_t *out)
{
    memset(out, 0, sizeof(*out));
    return out;
}

static pbxdial_pbx_rc_e pbx_report(pbxdial_pbx_step_e step, pbxdial_pbx_rc_e rc,
                                   const pbxdial_pbx_outcome_t *out)
{
    if (pbx_outcomes)
        pbx_outcomes(step, rc, rc == PBXDIAL_PBX_OK ? 0 : out->status);
    return rc;
}

static char *pbx_json_body(apr_pool_t *p, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    char *out = s ? apr_pstrdup(p, s) : NULL;

    free(s);
    json_decref(j);
    return out;
}

/* One exchange and the judgement of its status, shared by the operations:
 * j (consumed, may be NULL) becomes the JSON body; 2xx is OK, 404 is
 * NOT_FOUND, 401/403 is `refused` (what a refusal means depends on the
 * operation), anything else HTTP_ERROR. what names the operation in details. */
static pbxdial_pbx_rc_e pbx_send(apr_pool_t *p, const pbxdial_pbx_conf_t *c, pbxdial_pbx_req_t *req,
                                 json_t *j, const char *what, pbxdial_pbx_rc_e refused,
                                 pbxdial_pbx_resp_t *resp, pbxdial_pbx_outcome_t *out)
{
    if (j && !(req->body = pbx_json_body(p, j))) {
        out->rc = PBXDIAL_PBX_INTERNAL;
        out->detail = apr_psprintf(p, "could not build the %s request", what);
        return out->rc;
    }
    if (pbxdial_pbx_exchange(p, c, req, resp, out) != PBXDIAL_PBX_OK)
        return out->rc;
    if (resp->status >= 200 && resp->status < 300)
        return PBXDIAL_PBX_OK;
    out->rc = resp->status == 404                          ? PBXDIAL_PBX_NOT_FOUND
              : resp->status == 401 || resp->status == 403 ? refused
                                                           : PBXDIAL_PBX_HTTP_ERROR;
    out->detail = apr_psprintf(p, "PBX answered %ld to the %s", resp->status, what);
    return out->rc;
}

static pbxdial_pbx_rc_e pbx_op_login_3rd(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *domain,
                                         const char *ext, const char **token, pbxdial_pbx_outcome_t *out)
{
    pbxdial_pbx_req_t req = {"POST", "/rest/system/session", NULL, NULL, 1};
    pbxdial_pbx_resp_t resp;

    *token = NULL;
    if (pbx_send(p, c, &req, json_pack("{s:s, s:s, s:s}", "name", "3rd", "domain", domain, "username", ext),
                 "third-party login with the admin credentials", PBXDIAL_PBX_ADMIN_REFUSED, &resp, out)
        != PBXDIAL_PBX_OK)
        return out->rc;

    switch (pbxdial_pbxreply_token(p, resp.body, resp.body_len, token)) {
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

static pbxdial_pbx_rc_e pbx_op_activate(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *token,
                                        const char **session, pbxdial_pbx_outcome_t *out)
{
    pbxdial_pbx_req_t req = {"POST", "/rest/system/session", NULL, NULL, 0};
    pbxdial_pbx_resp_t resp;

    *session = NULL;
    /* 401/403 here means the fresh token was refused: an error, not the admin's */
    if (pbx_send(p, c, &req, json_pack("{s:s, s:s}", "name", "session", "value", token), "session activation",
                 PBXDIAL_PBX_HTTP_ERROR, &resp, out)
        != PBXDIAL_PBX_OK)
        return out->rc;
    if (!resp.session_cookie
        || !pbxdial_pbxreply_token_ok(resp.session_cookie, strlen(resp.session_cookie))) {
        out->rc = PBXDIAL_PBX_BAD_REPLY;
        out->detail = "PBX activated the token but set no usable session cookie";
        return out->rc;
    }
    *session = resp.session_cookie;
    return PBXDIAL_PBX_OK;
}

static pbxdial_pbx_rc_e pbx_op_remote_call(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *session,
                                           const char *dest, int connect, pbxdial_pbx_outcome_t *out)
{
    pbxdial_pbx_req_t req = {"GET", NULL, NULL, NULL, 0};
    pbxdial_pbx_resp_t resp;

    /* a normalised number is [+0-9*#], and '+' and '#' mean something in a URL */
    req.path = apr_pstrcat(p, "/remote_call.htm?dest=", pbxdial_url_query_escape(p, dest),
                           connect ? "&connect=true" : "", NULL);
    req.cookie = apr_pstrcat(p, "session=", session, NULL);
    return pbx_send(p, c, &req, NULL, "call (remote_call.htm)", PBXDIAL_PBX_HTTP_ERROR, &resp, out);
}

static pbxdial_pbx_rc_e pbx_op_login_user(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *user,
                                          const char *password, const char **session,
                                          pbxdial_pbx_outcome_t *out)
{
    pbxdial_pbx_req_t req = {"PUT", "/rest/system/session", NULL, NULL, 0};
    pbxdial_pbx_resp_t resp;
    unsigned char digest[APR_MD5_DIGESTSIZE];
    char hex[2 * APR_MD5_DIGESTSIZE + 1];
    const char *value;
    int i;

    *session = NULL;
    /* the PBX's own login page sends md5hex(password), and "" for an empty one */
    hex[0] = '\0';
    if (*password) {
        apr_md5(digest, password, strlen(password));
        for (i = 0; i < APR_MD5_DIGESTSIZE; i++)
            apr_snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    }
    value = apr_pstrcat(p, user, " ", hex, NULL);
    memset(hex, 0, sizeof(hex));
    memset(digest, 0, sizeof(digest));
    if (pbx_send(p, c, &req, json_pack("{s:s, s:s}", "name", "auth", "value", value), "user login",
                 PBXDIAL_PBX_ADMIN_REFUSED, &resp, out)
        != PBXDIAL_PBX_OK)
        return out->rc;
    switch (pbxdial_pbxreply_token(p, resp.body, resp.body_len, session)) {
    case PBXDIAL_REPLY_TOKEN:
        return PBXDIAL_PBX_OK;
    case PBXDIAL_REPLY_FALSE:
    case PBXDIAL_REPLY_EMPTY:
        out->rc = PBXDIAL_PBX_ADMIN_REFUSED;
        out->detail = "PBX refused the user's password";
        return out->rc;
    case PBXDIAL_REPLY_MALFORMED:
        break;
    }
    out->rc = PBXDIAL_PBX_BAD_REPLY;
    out->detail = "PBX answered the user login with something that is not a session";
    return out->rc;
}

static pbxdial_pbx_rc_e pbx_op_logout(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *session,
                                      pbxdial_pbx_outcome_t *out)
{
    pbxdial_pbx_req_t req = {"DELETE", "/rest/system/session", NULL, NULL, 0};
    pbxdial_pbx_resp_t resp;

    req.cookie = apr_pstrcat(p, "session=", session, NULL);
    return pbx_send(p, c, &req, NULL, "logout", PBXDIAL_PBX_HTTP_ERROR, &resp, out);
}

/* The public operations: each reports its outcome once, whichever way it ended. */
pbxdial_pbx_rc_e pbxdial_pbx_login_3rd(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *domain,
                                       const char *ext, const char **token, pbxdial_pbx_outcome_t *out)
{
    return pbx_report(PBXDIAL_PBX_STEP_LOGIN_3RD, pbx_op_login_3rd(p, c, domain, ext, token, pbx_fresh(out)),
                      out);
}

pbxdial_pbx_rc_e pbxdial_pbx_activate(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *token,
                                      const char **session, pbxdial_pbx_outcome_t *out)
{
    return pbx_report(PBXDIAL_PBX_STEP_ACTIVATE, pbx_op_activate(p, c, token, session, pbx_fresh(out)), out);
}

pbxdial_pbx_rc_e pbxdial_pbx_remote_call(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *session,
                                         const char *dest, int connect, pbxdial_pbx_outcome_t *out)
{
    return pbx_report(PBXDIAL_PBX_STEP_REMOTE_CALL,
                      pbx_op_remote_call(p, c, session, dest, connect, pbx_fresh(out)), out);
}

pbxdial_pbx_rc_e pbxdial_pbx_login_user(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *user,
                                        const char *password, const char **session,
                                        pbxdial_pbx_outcome_t *out)
{
    return pbx_report(PBXDIAL_PBX_STEP_LOGIN_USER,
                      pbx_op_login_user(p, c, user, password, session, pbx_fresh(out)), out);
}

pbxdial_pbx_rc_e pbxdial_pbx_logout(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *session,
                                    pbxdial_pbx_outcome_t *out)
{
    return pbx_report(PBXDIAL_PBX_STEP_LOGOUT, pbx_op_logout(p, c, session, pbx_fresh(out)), out);
}
