/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Self-authenticating click-to-dial links (types 2 and 3) on locations with
 * SetHandler pbxdial-call, so that plain `Require valid-user` works for every
 * link type: a check_authn hook (before mod_auth_basic) verifies a signed
 * link or a user:password link and sets r->user; a link without auth is left
 * to Apache's own authentication (type 1). The secrets in these links are
 * kept out of the logs by logmask.c. */
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_auth.h>

#include "httpd/config.h"
#include "httpd/store.h"
#include "httpd/handlers.h"
#include "httpd/identity.h"
#include "core/link.h"
#include "httpd/linkauth.h"
#include "httpd/log.h"
#include "core/query.h"
#include "httpd/reqstate.h"
#include "httpd/respond.h"
#include "httpd/throttle.h"

/* The answer to a link that does not authenticate: a page (or JSON) that
 * says what is wrong with it, written here; DONE ends the request. */
static int linkauth_refuse(request_rec *r, int status, const char *code, const char *title,
                           const char *message)
{
    pbxdial_problem_t pr = {status, code, title, message};

    pbxdial_respond_problem(r, &pr);
    return DONE;
}

/* PbxDialFailureLimit (throttle.c), before the link's secret is checked. */
static int linkauth_throttled(request_rec *r, const pbxdial_dir_conf_t *dc, const char *user)
{
    switch (pbxdial_throttle_check(r, dc, user, "link login")) {
    case PBXDIAL_THROTTLE_OK:
        return OK;
    case PBXDIAL_THROTTLE_LIMITED:
        return linkauth_refuse(r, HTTP_TOO_MANY_REQUESTS, "too_many_failures", "Too many failed attempts",
                               "Too many wrong links or passwords; try again later.");
    default:
        return linkauth_refuse(r, HTTP_SERVICE_UNAVAILABLE, "cache_unavailable", "Cannot check the link now",
                               "The server cannot count failed logins now; try again later.");
    }
}

static int linkauth_signed(request_rec *r, const pbxdial_dir_conf_t *dc, apr_table_t *q)
{
    const char *user = apr_table_get(q, "user");
    const char *password = NULL;
    apr_int64_t lifetime = pbxdial_config_link_lifetime(dc);
    pbxdial_link_e rc;

    if (!dc->linkpw) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      PBXLOGNO(0501) "signed click-to-dial link refused: no PbxDialLinkPasswords for %s",
                      r->uri);
        return linkauth_refuse(r, HTTP_FORBIDDEN, "link_not_enabled", "Signed links are not accepted here",
                               "This server does not accept signed links (PbxDialLinkPasswords is not set).");
    }
    if (user)
        password = pbxdial_filemap_get(r, dc->linkpw, user);
    /* an unknown user costs the same work and gets the same answer as a wrong hash */
    rc = pbxdial_link_verify(user, password, apr_table_get(q, "dest"), apr_table_get(q, "time"),
                             apr_table_get(q, "duration"), apr_table_get(q, "auth"),
                             apr_time_sec(r->request_time), lifetime, PBXDIAL_LINK_MAX_FUTURE);
    if (rc != PBXDIAL_LINK_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      PBXLOGNO(0502) "signed click-to-dial link for \"%s\" refused: %s",
                      user ? ap_escape_logitem(r->pool, user) : "", pbxdial_link_rc_text(rc));
        if (rc == PBXDIAL_LINK_BAD_HASH)
            pbxdial_throttle_failed(r, dc, user);
        switch (rc) {
        case PBXDIAL_LINK_EXPIRED:
            return linkauth_refuse(r, HTTP_FORBIDDEN, "link_expired", "This link has expired",
                                   "The link is older than it may be. Ask for a new one.");
        case PBXDIAL_LINK_FUTURE:
            return linkauth_refuse(r, HTTP_FORBIDDEN, "link_future", "This link is not valid yet",
                                   "The link's time is in the future; the clock of the system that "
                                   "made it may be wrong.");
        case PBXDIAL_LINK_MALFORMED:
            return linkauth_refuse(r, HTTP_BAD_REQUEST, "link_malformed", "This link is incomplete",
                                   "A signed link needs user, dest, time and auth (32 hex digits); "
                                   "time and duration are whole seconds written without sign, "
                                   "spaces or leading zeros.");
        default:
            return linkauth_refuse(r, HTTP_FORBIDDEN, "link_bad_signature", "This link is not valid",
                                   "The link's signature does not match (or the user is unknown).");
        }
    }
    if (pbxdial_config_link_once(dc)) {
        /* the canonical tuple (the user pinned to its tenant: ext@domain),
         * so no other spelling of a used link (hash case, %-escapes, domain
         * case) counts as unused */
        const char *key = pbxdial_link_once_key(r->pool, pbxdial_identity_key(r, dc, user), NULL,
                                                apr_table_get(q, "dest"), apr_table_get(q, "time"),
                                                apr_table_get(q, "duration"), apr_table_get(q, "auth"));
        /* kept until no clock could call the link valid any more */
        switch (key ? pbxdial_store_first_use(r, key,
                                              r->request_time + apr_time_from_sec(lifetime)
                                                  + apr_time_from_sec(2 * PBXDIAL_LINK_MAX_FUTURE))
                    : -1) {
        case 0:
            ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r,
                          PBXLOGNO(0506) "signed link for \"%s\" replayed (PbxDialLinkOnce)",
                          ap_escape_logitem(r->pool, user));
            return linkauth_refuse(r, HTTP_FORBIDDEN, "link_used", "This link was already used",
                                   "link already used: each signed link dials once.");
        case -1:
            return linkauth_refuse(
                r, HTTP_SERVICE_UNAVAILABLE, "cache_unavailable", "Cannot check the link now",
                "The server cannot tell whether this link was used before; try again later.");
        }
    }
    r->user = apr_pstrdup(r->pool, user);
    r->ap_auth_type = "PbxDialLink";
    pbxdial_reqstate_get(r)->link_type = PBXDIAL_LINK_SIGNED;
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, PBXLOGNO(0507) "signed link of \"%s\" verified",
                  ap_escape_logitem(r->pool, user));
    return OK;
}

/* mod_auth_basic's provider loop: "not found" asks the next provider. */
static authn_status linkauth_check_password(request_rec *r, const pbxdial_dir_conf_t *dc, const char *user,
                                            const char *password)
{
    authn_status st = AUTH_USER_NOT_FOUND;
    const pbxdial_provider_t *pv;
    int i, n = pbxdial_config_auth_providers(r->pool, dc, &pv);

    if (n == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      PBXLOGNO(0503) "auth=user:password links need an authn provider: load mod_authn_file "
                                     "or set PbxDialAuthProvider");
        return AUTH_GENERAL_ERROR;
    }
    for (i = 0; i < n; i++) {
        const authn_provider *ap = pv[i].provider;
        apr_table_setn(r->notes, AUTHN_PROVIDER_NAME_NOTE, pv[i].name);
        st = ap->check_password(r, user, password);
        apr_table_unset(r->notes, AUTHN_PROVIDER_NAME_NOTE);
        if (st != AUTH_USER_NOT_FOUND)
            break;
    }
    return st;
}

static int linkauth_password(request_rec *r, const pbxdial_dir_conf_t *dc, const char *auth)
{
    const char *colon = strchr(auth, ':');
    const char *user, *password;

    if (!colon || colon == auth)
        return linkauth_refuse(r, HTTP_BAD_REQUEST, "link_malformed", "This link is incomplete",
                               "auth must be user:password (or a signed link with time).");
    user = apr_pstrmemdup(r->pool, auth, colon - auth);
    password = colon + 1;
    switch (linkauth_check_password(r, dc, user, password)) {
    case AUTH_GRANTED:
        r->user = (char *)user;
        r->ap_auth_type = "PbxDialLink";
        pbxdial_reqstate_get(r)->link_type = PBXDIAL_LINK_PASSWORD;
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      PBXLOGNO(0508) "auth=user:password link of \"%s\" accepted",
                      ap_escape_logitem(r->pool, user));
        return OK;
    case AUTH_GENERAL_ERROR:
        return linkauth_refuse(r, HTTP_INTERNAL_SERVER_ERROR, "auth_error", "Cannot check the link",
                               "The server could not check the user name and password.");
    default:
        pbxdial_throttle_failed(r, dc, user);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      PBXLOGNO(0504) "click-to-dial link with a wrong password or unknown user \"%s\"",
                      ap_escape_logitem(r->pool, user));
        return linkauth_refuse(r, HTTP_FORBIDDEN, "link_bad_password", "Wrong user name or password",
                               "The user name or password in the link is not correct.");
    }
}

int pbxdial_linkauth_check(request_rec *r)
{
    const pbxdial_dir_conf_t *dc;
    apr_table_t *q;
    const char *err, *auth, *colon;
    int rv;

    if (!pbxdial_reqstate_handler_is(r, PBXDIAL_HANDLER_CALL))
        return DECLINED;
    if ((err = pbxdial_query_parse(r->pool, pbxdial_reqstate_args(r), &q)))
        return linkauth_refuse(r, HTTP_BAD_REQUEST, "bad_query", "This link is not well-formed", err);
    auth = apr_table_get(q, "auth");
    if (!auth) {
        if (ap_auth_type(r))
            return DECLINED; /* type 1: Apache challenges */
        return linkauth_refuse(r, HTTP_FORBIDDEN, "link_unauthenticated", "This link is not signed",
                               "The link carries no auth parameter, and this location accepts "
                               "no other login.");
    }
    dc = ap_get_module_config(r->per_dir_config, &pbxdial_module);
    if (apr_table_get(q, "time") || apr_table_get(q, "extension")) {
        if ((rv = linkauth_throttled(r, dc, apr_table_get(q, "user"))) != OK)
            return rv;
        return linkauth_signed(r, dc, q);
    }
    colon = strchr(auth, ':');
    if ((rv = linkauth_throttled(r, dc, colon ? apr_pstrmemdup(r->pool, auth, colon - auth) : NULL)) != OK)
        return rv;
    return linkauth_password(r, dc, auth);
}
