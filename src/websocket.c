/* Same-origin websocket mode (PbxDialWebSocket On). The browser opens the
 * PBX websocket through this site: a <Location> that mod_proxy forwards to
 * the PBX with upgrade=websocket. Before mod_proxy builds the backend
 * request, this fixup makes sure it goes out as the logged-in user's
 * extension and as nothing else:
 *  - the Apache user is mapped to extension and domain as for /rest/pbxlogin;
 *  - a PBX session is minted and activated server-side and sent as the only
 *    cookie (the browser's cookies, and its Authorization header, which may
 *    carry the site password, never reach the PBX);
 *  - the query is replaced by that domain and user, whatever the browser
 *    asked for.
 * The PBX token never reaches the browser, and no third-party cookie is
 * needed. */
#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>

#include "config.h"
#include "identity.h"
#include "log.h"
#include "ratelimit.h"
#include "request.h"
#include "respond.h"
#include "stats.h"
#include "websocket.h"

int pbxdial_websocket_fixup(request_rec *r)
{
    const pbxdial_dir_conf_t *dc = ap_get_module_config(r->per_dir_config, &pbxdial_module);
    const pbxdial_srv_conf_t *sc;
    pbxdial_pbx_conf_t pc;
    pbxdial_pbx_outcome_t out;
    pbxdial_problem_t pr;
    pbxdial_identity_t id;
    const char *msg, *token, *session = NULL;
    int rv;

    if (dc->websocket != 1 || r->main)
        return DECLINED;
    sc = ap_get_module_config(r->server->module_config, &pbxdial_module);
    if (!r->user || !*r->user) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, PBXLOGNO(0701)
                      "PbxDialWebSocket on %s without an authenticated user; protect it with "
                      "Apache authentication and \"Require valid-user\"", r->uri);
        return HTTP_FORBIDDEN;
    }
    /* a websocket handshake carries ambient credentials: refuse other sites */
    if ((msg = pbxdial_request_cross_site(r))) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, PBXLOGNO(0702)
                      "refused a PBX websocket for user \"%s\" to a cross-site request (%s)",
                      ap_escape_logitem(r->pool, r->user), msg);
        return HTTP_FORBIDDEN;
    }
    if (!sc->server || !sc->admin_user) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, PBXLOGNO(0703)
                      "PbxDialWebSocket on %s needs PbxDialServer and PbxDialAdmin", r->uri);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if ((msg = pbxdial_identity_map(r, dc, &id)))
        return HTTP_FORBIDDEN;
    /* before the upgrade: a refused handshake is a plain HTTP answer */
    if ((rv = pbxdial_ratelimit_check(r, dc, apr_pstrcat(r->pool, id.ext, "@", id.domain, NULL))) != OK)
        return rv;

    pbxdial_config_pbx(r, sc, &pc);
    if (pbxdial_pbx_login_3rd(r->pool, &pc, id.domain, id.ext, &token, &out) != PBXDIAL_PBX_OK
        || pbxdial_pbx_activate(r->pool, &pc, token, &session, &out) != PBXDIAL_PBX_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, PBXLOGNO(0704)
                      "PBX session for the websocket of %s@%s (user \"%s\") failed: %s: %s",
                      id.ext, id.domain, ap_escape_logitem(r->pool, r->user),
                      pbxdial_pbx_rc_name(out.rc), out.detail ? out.detail : "");
        pbxdial_respond_pbx_problem(r->pool, &out, &pc, &pr);
        return pr.status;
    }
    apr_table_setn(r->headers_in, "Cookie", apr_pstrcat(r->pool, "session=", session, NULL));
    apr_table_unset(r->headers_in, "Authorization");
    apr_table_unset(r->headers_in, "Proxy-Authorization");
    /* extension and domain names are [A-Za-z0-9._-]: nothing to escape */
    r->args = apr_pstrcat(r->pool, "domain=", id.domain, "&user=", id.ext, NULL);
    r->parsed_uri.query = r->args;
    pbxdial_stats_add(PBXDIAL_STAT_WEBSOCKETS);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, PBXLOGNO(0705)
                  "PBX websocket for %s@%s (user \"%s\"), session ready in %" APR_TIME_T_FMT " ms",
                  id.ext, id.domain, ap_escape_logitem(r->pool, r->user), apr_time_as_msec(out.elapsed));
    return OK;
}
