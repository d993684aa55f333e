/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* pbxdial-login (/rest/pbxlogin): turns the Apache login of the web user into
 * a short-lived PBX session token for that user's extension, asked for with
 * admin credentials the browser never sees. */
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>

#include "httpd/config.h"
#include "httpd/handlers.h"
#include "httpd/identity.h"
#include "httpd/log.h"
#include "httpd/ratelimit.h"
#include "core/json.h"
#include "httpd/reqstate.h"
#include "httpd/respond.h"
#include "httpd/stats.h"

int pbxdial_handler_login(request_rec *r)
{
    const pbxdial_srv_conf_t *sc = ap_get_module_config(r->server->module_config, &pbxdial_module);
    const pbxdial_dir_conf_t *dc = ap_get_module_config(r->per_dir_config, &pbxdial_module);
    pbxdial_pbx_conf_t pc;
    pbxdial_pbx_outcome_t out;
    pbxdial_identity_t id;
    const pbxdial_problem_t *problem;
    const char *msg, *token;
    int rv;

    /* HEAD would mint a token for nothing; an API: every refusal is JSON */
    if ((rv = pbxdial_handler_open(r, PBXDIAL_HANDLER_LOGIN,
                                   (AP_METHOD_BIT << M_GET) | (AP_METHOD_BIT << M_POST),
                                   PBXDIAL_OPEN_NO_HEAD | PBXDIAL_OPEN_PBX | PBXDIAL_OPEN_USER, &problem))
        != OK)
        return rv;
    if (problem)
        return pbxdial_respond_error(r, problem->status, problem->code, problem->message);
    if ((msg = pbxdial_reqstate_cross_site(r))) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      PBXLOGNO(0102) "refused a PBX session for user \"%s\" to a cross-site request (%s)",
                      ap_escape_logitem(r->pool, r->user), msg);
        return pbxdial_respond_error(r, HTTP_FORBIDDEN, "cross_site",
                                     "PBX sessions are only given to pages of this site");
    }
    if ((msg = pbxdial_identity_map(r, dc, &id)))
        return pbxdial_respond_error(r, HTTP_FORBIDDEN, "no_extension", msg);

    if (dc->websocket_path) {
        /* same-origin mode: the session is made when the websocket opens */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, PBXLOGNO(0106) "same-origin websocket %s for %s@%s",
                      dc->websocket_path, id.ext, id.domain);
        return pbxdial_respond_json(r, HTTP_OK,
                                    pbxdial_json_websocket(r->pool, dc->websocket_path, id.ext, id.domain));
    }
    /* a token is a PBX session: it costs what a call's session costs */
    if ((rv = pbxdial_ratelimit_check(r, dc, apr_pstrcat(r->pool, id.ext, "@", id.domain, NULL))) != OK)
        return pbxdial_respond_error(
            r, rv, rv == HTTP_TOO_MANY_REQUESTS ? "rate_limited" : "cache_unavailable",
            rv == HTTP_TOO_MANY_REQUESTS
                ? "too many PBX sessions for this extension; try again later"
                : "the server cannot check its rate limit right now; try again later");
    pbxdial_config_pbx(r, sc, &pc);
    if (pbxdial_pbx_login_3rd(r->pool, &pc, id.domain, id.ext, &token, &out) != PBXDIAL_PBX_OK) {
        ap_log_rerror(APLOG_MARK, out.rc == PBXDIAL_PBX_NOT_FOUND ? APLOG_WARNING : APLOG_ERR, 0, r,
                      PBXLOGNO(0104) "PBX login for %s@%s (user \"%s\") at %s failed after %" APR_TIME_T_FMT
                                     " ms: %s: %s",
                      id.ext, id.domain, ap_escape_logitem(r->pool, r->user), pc.url,
                      apr_time_as_msec(out.elapsed), pbxdial_pbx_rc_name(out.rc),
                      out.detail ? out.detail : "");
        return pbxdial_respond_pbx_failure(r, &out, &pc);
    }
    pbxdial_stats_add(PBXDIAL_STAT_LOGINS);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  PBXLOGNO(0105) "PBX session issued for %s@%s (user \"%s\") in %" APR_TIME_T_FMT " ms",
                  id.ext, id.domain, ap_escape_logitem(r->pool, r->user), apr_time_as_msec(out.elapsed));
    return pbxdial_respond_json(
        r, HTTP_OK, pbxdial_json_login(r->pool, token, pbxdial_config_public_server(sc), id.ext, id.domain));
}
