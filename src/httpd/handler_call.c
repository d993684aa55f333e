/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* pbxdial-call (/remote_call.htm): click-to-dial links. Apache (type 1) or
 * linkauth.c (types 2, 3) has authenticated the caller; this handler checks
 * who may dial from which extension, normalises the number, applies the dial
 * policy and has the PBX ring the caller's phone and dial. */
#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>

#include "httpd/config.h"
#include "httpd/confirm.h"
#include "httpd/store.h"
#include "httpd/handlers.h"
#include "httpd/identity.h"
#include "httpd/log.h"
#include "core/account.h"
#include "core/number.h"
#include "core/query.h"
#include "httpd/ratelimit.h"
#include "core/json.h"
#include "httpd/reqstate.h"
#include "httpd/respond.h"
#include "httpd/session.h"
#include "httpd/stats.h"

typedef struct {
    request_rec *r;
    const char *ext_at; /* ext@domain dialling, once known */
    const char *dest;   /* normalised, once known */
    int link_type;
} call_ctx_t;

/* One info line per attempt, whatever its outcome. */
static int call_answer(call_ctx_t *cx, const pbxdial_problem_t *pr)
{
    request_rec *r = cx->r;

    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  PBXLOGNO(0601) "click-to-dial: user \"%s\" extension %s dest %s link type %d: %s",
                  r->user ? ap_escape_logitem(r->pool, r->user) : "-", cx->ext_at ? cx->ext_at : "-",
                  cx->dest ? cx->dest : "-", cx->link_type,
                  pr ? apr_psprintf(r->pool, "%d %s", pr->status, pr->code) : "200 calling");
    return pr ? pbxdial_respond_problem(r, pr) : OK;
}

static int call_refuse(call_ctx_t *cx, int status, const char *code, const char *title, const char *message)
{
    pbxdial_problem_t pr = {status, code, title, message};

    return call_answer(cx, &pr);
}

/* Who dials: the link's own user for signed links, else the authenticated
 * user mapped like /rest/pbxlogin does; a link naming another extension than
 * the caller's own is refused. Every name is pinned to the location's tenant
 * (PbxDialDomain): a signed link's hash does not cover a domain, so the link
 * acts in the tenant of the location that verifies it, and an @domain that
 * names another tenant is refused before the PBX hears of it. Returns NULL,
 * or the problem to answer. */
static const pbxdial_problem_t *call_identity(call_ctx_t *cx, const pbxdial_dir_conf_t *dc, apr_table_t *q,
                                              pbxdial_identity_t *id)
{
    static const pbxdial_problem_t bad_link_user = {
        HTTP_FORBIDDEN, "no_extension", "Unknown extension",
        "The link's user is not extension@domain, and PbxDialDomain gives no domain."};
    static const pbxdial_problem_t wrong_tenant = {
        HTTP_FORBIDDEN, "wrong_tenant", "This link is for another PBX",
        "The link or login names a PBX domain that this site does not serve."};
    static const pbxdial_problem_t mismatch = {HTTP_FORBIDDEN, "user_mismatch",
                                               "This link is for someone else",
                                               "The link names another extension than yours."};
    request_rec *r = cx->r;
    const char *user = apr_table_get(q, "user"), *msg;
    pbxdial_identity_t lid;
    pbxdial_problem_t *pr;
    pbxdial_tenant_e t;

    if (cx->link_type == PBXDIAL_LINK_SIGNED) {
        t = pbxdial_identity_pin(r, dc, r->user, "signed link user", id);
        return t == PBXDIAL_TENANT_OK ? NULL : t == PBXDIAL_TENANT_OTHER ? &wrong_tenant : &bad_link_user;
    }
    if ((t = pbxdial_identity_resolve(r, dc, id, &msg)) != PBXDIAL_TENANT_OK) {
        if (t == PBXDIAL_TENANT_OTHER)
            return &wrong_tenant;
        pr = apr_pcalloc(r->pool, sizeof(*pr));
        pr->status = HTTP_FORBIDDEN;
        pr->code = "no_extension";
        pr->title = "No extension for your login";
        pr->message = msg;
        return pr;
    }
    if (user) {
        /* another tenant is logged by the pin, naming both; to the user
         * it is what it always was: a link for someone else */
        t = pbxdial_identity_pin(r, dc, user, "link parameter user", &lid);
        if (t != PBXDIAL_TENANT_OK || strcmp(lid.ext, id->ext) || strcmp(lid.domain, id->domain)) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                          PBXLOGNO(0602) "user \"%s\" (extension %s@%s) followed a link for \"%s\"",
                          ap_escape_logitem(r->pool, r->user), id->ext, id->domain,
                          ap_escape_logitem(r->pool, user));
            return &mismatch;
        }
    }
    return NULL;
}

/* PbxDialDeny / PbxDialAllow on the normalised number (pbxdial_policy_decide,
 * which the websocket applies too). Returns NULL, or the problem to answer. */
static const pbxdial_problem_t *call_policy(call_ctx_t *cx, const pbxdial_dir_conf_t *dc)
{
    request_rec *r = cx->r;
    const pbxdial_policy_t *const *deny;
    pbxdial_problem_t *pr;
    const char *matched = NULL;
    pbxdial_policy_e rc;
    int ndeny;

    deny = pbxdial_config_deny(dc, &ndeny);
    rc = pbxdial_policy_decide(deny, ndeny, dc->allow, cx->dest, &matched);
    if (rc == PBXDIAL_POLICY_ALLOW)
        return NULL;
    pr = apr_pcalloc(r->pool, sizeof(*pr));
    if (rc == PBXDIAL_POLICY_FEATURE_CODE) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r,
                      PBXLOGNO(0615) "number %s refused for %s: '*' and '#' dial PBX feature codes, and no "
                                     "PbxDialAllow pattern that names them matches",
                      cx->dest, cx->ext_at);
        pr->status = HTTP_BAD_REQUEST;
        pr->code = "feature_code";
        pr->title = "Feature codes are not allowed";
        /* the number is [+0-9*#] after normalisation: safe to show */
        pr->message = apr_psprintf(r->pool,
                                   "%s contains * or #, which dial PBX feature codes; "
                                   "links may not use them here. An administrator allows a code "
                                   "with a PbxDialAllow pattern that contains it, written \\* or #, "
                                   "e.g. PbxDialAllow \"^\\*31#0[1-9]\".",
                                   cx->dest);
        return pr;
    }
    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r,
                  PBXLOGNO(0608) "number %s refused for %s by the dial policy%s%s", cx->dest, cx->ext_at,
                  matched ? ": " : " (no PbxDialAllow pattern matches)", matched ? matched : "");
    pr->status = HTTP_FORBIDDEN;
    pr->code = "number_not_allowed";
    pr->title = "Number not allowed";
    pr->message = apr_psprintf(r->pool, "number not allowed: %s may not be dialled from here.", cx->dest);
    return pr;
}

/* The call itself, made with a session of the extension (session.c). */
typedef struct {
    request_rec *r;
    const pbxdial_pbx_conf_t *pc;
    const char *dest;
    int connect;
} call_use_t;

static pbxdial_pbx_rc_e call_session(void *baton, const char *session, pbxdial_pbx_outcome_t *out)
{
    call_use_t *u = baton;

    return pbxdial_pbx_remote_call(u->r->pool, u->pc, session, u->dest, u->connect, out);
}

/* The PBX part: remote_call.htm with a session of the extension, the cached
 * one when there is one (replaced once when the PBX no longer knows it);
 * without a cache the session is ended after the call. */
static int call_place(call_ctx_t *cx, const pbxdial_srv_conf_t *sc, const pbxdial_identity_t *id, int connect)
{
    request_rec *r = cx->r;
    pbxdial_pbx_conf_t pc;
    pbxdial_pbx_outcome_t out, lo;
    pbxdial_problem_t pr;
    pbxdial_session_t ses;
    call_use_t use = {r, &pc, cx->dest, connect};
    apr_time_t start = apr_time_now();

    pbxdial_config_pbx(r, sc, &pc);
    pbxdial_session_init(r, sc, &pc, id, &ses);
    pbxdial_session_run(r, &pc, id, &ses, call_session, &use, &out);
    if (ses.value && !ses.key && pbxdial_pbx_logout(r->pool, &pc, ses.value, &lo) != PBXDIAL_PBX_OK)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, PBXLOGNO(0603) "PBX logout after the call failed: %s",
                      lo.detail ? lo.detail : "");
    if (out.rc != PBXDIAL_PBX_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      PBXLOGNO(0604) "PBX call for %s to %s at %s failed after %" APR_TIME_T_FMT
                                     " ms: %s: %s",
                      cx->ext_at, cx->dest, pc.url, apr_time_as_msec(apr_time_now() - start),
                      pbxdial_pbx_rc_name(out.rc), out.detail ? out.detail : "");
        pbxdial_respond_pbx_problem(r->pool, &out, &pc, &pr);
        return call_answer(cx, &pr);
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                  PBXLOGNO(0605) "PBX placed the call in %" APR_TIME_T_FMT " ms (%s session)",
                  apr_time_as_msec(apr_time_now() - start), ses.cached ? "cached" : "new");
    call_answer(cx, NULL);
    pbxdial_stats_add(PBXDIAL_STAT_CALLS);
    if (ses.cached)
        pbxdial_stats_add(PBXDIAL_STAT_SESSION_REUSED);
    return pbxdial_respond_success(
        r, apr_psprintf(r->pool, "Calling %s", cx->dest),
        apr_psprintf(
            r->pool,
            connect ? "Your phone (extension %s) rings now; pick it up to be connected to %s."
                    : "Your phone (extension %s) rings now; pick it up and press 1 to be connected to %s.",
            id->ext, cx->dest),
        pbxdial_json_calling(r->pool, cx->ext_at, cx->dest));
}

int pbxdial_handler_call(request_rec *r)
{
    const pbxdial_srv_conf_t *sc = ap_get_module_config(r->server->module_config, &pbxdial_module);
    const pbxdial_dir_conf_t *dc = ap_get_module_config(r->per_dir_config, &pbxdial_module);
    const pbxdial_reqstate_t *rq;
    const pbxdial_problem_t *problem;
    pbxdial_identity_t id;
    call_ctx_t cx = {r, NULL, NULL, PBXDIAL_LINK_NONE};
    apr_table_t *q;
    const char *err, *dest, *connect_arg;
    const pbxdial_policy_t *const *deny;
    int connect, rv, ndeny;

    /* GET follows a link; POST confirms a cross-site one (its body holds
     * the confirmation); HEAD never dials */
    if ((rv = pbxdial_handler_open(
             r, PBXDIAL_HANDLER_CALL, (AP_METHOD_BIT << M_GET) | (AP_METHOD_BIT << M_POST),
             PBXDIAL_OPEN_NO_HEAD | PBXDIAL_OPEN_READS_POST | PBXDIAL_OPEN_PBX | PBXDIAL_OPEN_USER, &problem))
        != OK)
        return rv;
    rq = pbxdial_reqstate_get(r);
    cx.link_type = rq->link_type;
    if (problem)
        return call_answer(&cx, problem);
    if ((err = pbxdial_query_parse(r->pool, pbxdial_reqstate_args(r), &q)))
        return call_refuse(&cx, HTTP_BAD_REQUEST, "bad_query", "This link is not well-formed", err);

    dest = apr_table_get(q, "dest");
    if (!dest || !*dest)
        return call_refuse(&cx, HTTP_BAD_REQUEST, "missing_dest", "No number to call",
                           "The link has no dest parameter.");
    if ((err = pbxdial_number_normalise(r->pool, dest, &cx.dest)))
        return call_refuse(&cx, HTTP_BAD_REQUEST, "bad_dest", "Not a phone number",
                           apr_psprintf(r->pool, "dest is not a phone number: %s.", err));

    connect_arg = apr_table_get(q, "connect");
    connect = connect_arg && !strcasecmp(connect_arg, "true");
    if (connect_arg && !connect && strcasecmp(connect_arg, "false"))
        return call_refuse(&cx, HTTP_BAD_REQUEST, "bad_connect", "Bad link",
                           "connect must be true or false.");

    if ((problem = call_identity(&cx, dc, q, &id)))
        return call_answer(&cx, problem);
    cx.ext_at = apr_pstrcat(r->pool, id.ext, "@", id.domain, NULL);

    if (connect && !pbxdial_config_connect(dc))
        return call_refuse(&cx, HTTP_FORBIDDEN, "connect_refused", "connect=true is not allowed",
                           "This server asks you to confirm each call on the phone (PbxDialConnect Off): "
                           "remove connect=true from the link.");
    if ((problem = call_policy(&cx, dc)))
        return call_answer(&cx, problem);
    deny = pbxdial_config_deny(dc, &ndeny);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                  PBXLOGNO(0610) "link type %d: %s may dial %s (connect=%s, %d deny and %d allow patterns)",
                  cx.link_type, cx.ext_at, cx.dest, connect ? "true" : "false",
                  pbxdial_policy_count_all(deny, ndeny), pbxdial_policy_count(dc->allow));
    if (r->method_number == M_POST) {
        if (cx.link_type != PBXDIAL_LINK_NONE)
            return call_refuse(&cx, HTTP_FORBIDDEN, "confirmation_invalid", "Call not confirmed",
                               "Only links opened with a login are confirmed.");
        if ((problem = pbxdial_confirm_check(r, pbxdial_reqstate_args(r))))
            return call_answer(&cx, problem);
    }
    else if (cx.link_type == PBXDIAL_LINK_NONE && pbxdial_confirm_needed(r)) {
        /* ambient credentials, another site: the user must say yes here */
        return pbxdial_confirm_ask(r, pbxdial_reqstate_args(r), cx.ext_at, cx.dest);
    }
    if ((rv = pbxdial_ratelimit_check(r, dc, cx.ext_at)) == HTTP_TOO_MANY_REQUESTS)
        return call_refuse(&cx, rv, "rate_limited", "Too many calls",
                           "Too many calls from this extension; try again in a moment.");
    if (rv != OK)
        return call_refuse(&cx, rv, "cache_unavailable", "Try again in a moment",
                           "The server cannot check its call limit right now, so it places no call.");
    return call_place(&cx, sc, &id, connect);
}
