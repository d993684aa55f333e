/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The doctor's steps in the order the module takes them, and what each
 * outcome of the module's PBX client (src/pbx) means to an admin. The
 * PBX operations are the module's own functions: a step that passes here
 * passes for the module, with the same requests, options and parsing. */
#include <string.h>

#include <apr_strings.h>

#include "doctor.h"
#include "core/pbxreply.h"

/* The PBX client reports each exchange; the step shows the last one. */
static void steps_trace(void *baton, const char *method, const char *path, long status,
                        apr_interval_time_t elapsed, const char *error)
{
    doctor_t *d = baton;

    d->trace_exchange = apr_pstrcat(d->p, method, " ", path, NULL);
    d->trace_status = status;
}

doctor_step_t *pbxdial_doctor_step(doctor_t *d, const char *name)
{
    doctor_step_t *s = apr_array_push(d->steps);

    memset(s, 0, sizeof(*s));
    s->name = name;
    s->elapsed = -1;
    s->verdict = DOCTOR_NOT_RUN;
    return s;
}

static void steps_secret(doctor_t *d, const char *s)
{
    if (s && *s)
        APR_ARRAY_PUSH(d->secrets, const char *) = s;
}

/* Fills s from the client's outcome, for the outcomes that mean the same
 * in every step; 0 when the step must judge out->rc itself. */
static int steps_common(doctor_t *d, doctor_step_t *s, const pbxdial_pbx_outcome_t *out)
{
    s->elapsed = out->elapsed;
    s->status = out->status ? out->status : d->trace_status;
    s->exchange = d->trace_exchange;
    /* the next step starts clean, even if its operation sends nothing */
    d->trace_exchange = NULL;
    d->trace_status = 0;
    switch (out->rc) {
    case PBXDIAL_PBX_OK:
        s->verdict = DOCTOR_OK;
        return 0;
    case PBXDIAL_PBX_TIMEOUT:
        s->detail = apr_psprintf(d->p, "no answer within %.3g s: %s", (double)d->timeout / APR_USEC_PER_SEC,
                                 out->detail ? out->detail : "timeout");
        s->fix = "the PBX is slow or overloaded, or a firewall holds the packets; try a larger --timeout, "
                 "and set PbxDialTimeout to what the PBX needs (the module waits no longer than that)";
        break;
    case PBXDIAL_PBX_UNREACHABLE:
        s->detail = apr_psprintf(d->p, "the connection failed: %s", out->detail ? out->detail : "");
        s->fix = "the PBX closed or reset the connection; a proxy, load balancer or firewall in front "
                 "of it may refuse this kind of request; look at the PBX's log";
        break;
    case PBXDIAL_PBX_TLS:
        s->detail = apr_psprintf(d->p, "TLS failed: %s", out->detail ? out->detail : "");
        s->fix = "see the tls step; give --ca (PbxDialCAFile) with the CA of the PBX certificate";
        break;
    case PBXDIAL_PBX_INTERNAL:
        s->detail = out->detail ? out->detail : "internal error";
        s->fix = "a bug or out of memory: report it with this output";
        break;
    default:
        if (s->status >= 500) {
            s->detail = apr_psprintf(d->p, "the PBX answered %ld (a server error)", s->status);
            s->fix = "the PBX failed on its side: look at its own log; it may be starting up, updating "
                     "or overloaded. Try again in a minute";
            break;
        }
        return 0;
    }
    s->verdict = DOCTOR_FAIL;
    return 1;
}

static void steps_login(doctor_t *d, doctor_step_t *s, doctor_step_t *tok)
{
    pbxdial_pbx_outcome_t out;
    const char *token = NULL;
    pbxdial_pbx_rc_e rc = pbxdial_pbx_login_3rd(d->p, &d->pc, d->domain, d->ext, &token, &out);

    steps_secret(d, token);
    if (steps_common(d, s, &out))
        return;
    if (rc == PBXDIAL_PBX_OK || (rc == PBXDIAL_PBX_BAD_REPLY && s->status / 100 == 2)) {
        /* the PBX took the admin: whether its answer is a token is the next step */
        s->verdict = DOCTOR_OK;
        s->detail = apr_psprintf(d->p, "the PBX answered %ld: it accepted the admin \"%s\" for %s@%s",
                                 s->status, d->admin_user, d->ext, d->domain);
        tok->elapsed = 0;
        if (rc == PBXDIAL_PBX_OK) {
            tok->verdict = DOCTOR_OK;
            tok->detail = apr_psprintf(d->p,
                                       "a single-use token of %lu characters of [A-Za-z0-9._~+/=-] "
                                       "(a Vodia PBX sends 20; value hidden)",
                                       (unsigned long)strlen(token));
            d->session = token; /* activated next */
            return;
        }
        tok->verdict = DOCTOR_FAIL;
        tok->status = s->status;
        tok->detail = out.detail;
        tok->fix =
            strstr(out.detail, "empty")
                ? "the PBX sent nothing: some firmware answers an empty body where others say false "
                  "(wrong admin password or no API access); check both, and the PBX's log"
                : "that is no PBX session token: is --server (PbxDialServer) the PBX itself, and not a web "
                  "server, a login page or a proxy's error page in front of it? A token is a JSON string "
                  "such as \"AbCd...\" (20 characters)";
        return;
    }
    s->verdict = DOCTOR_FAIL;
    if (rc == PBXDIAL_PBX_ADMIN_REFUSED && s->status / 100 == 2) {
        s->detail = apr_psprintf(d->p,
                                 "the PBX answered %ld with `false`: it does not accept the admin "
                                 "\"%s\" with this password",
                                 s->status, d->admin_user);
        s->fix = "check PbxDialAdmin's user and password (--admin); on the PBX this admin needs API access "
                 "(Settings > Security > Login), and the PBX may block this server's address after "
                 "failed logins (check its access list)";
    }
    else if (rc == PBXDIAL_PBX_ADMIN_REFUSED) {
        s->detail = apr_psprintf(d->p, "the PBX answered %ld: %s", s->status,
                                 s->status == 401 ? "it wants admin credentials and did not take these"
                                                  : "the admin may not use the REST API from here");
        s->fix = s->status == 401
                     ? "check PbxDialAdmin (--admin): the system admin's name and password, not a tenant's"
                     : "on the PBX, give this admin API access (Settings > Security > Login) and allow this "
                       "server's address (access list, blocked addresses)";
    }
    else if (rc == PBXDIAL_PBX_NOT_FOUND) {
        s->detail = apr_psprintf(d->p, "the PBX answered 404: it knows no extension %s in the domain %s",
                                 d->ext, d->domain);
        s->fix = "check the extension and the domain as the PBX spells them (--extension EXT@DOMAIN; "
                 "PbxDialDomain, PbxDialUserMap); a PBX without /rest/system/session (very old "
                 "firmware) answers 404 too";
    }
    else {
        s->detail = out.detail;
        s->fix = "the PBX does not answer a third-party login as a Vodia PBX does; check that --server "
                 "is the PBX itself and its firmware version";
    }
}

static void steps_activate(doctor_t *d, doctor_step_t *s)
{
    pbxdial_pbx_outcome_t out;
    const char *token = d->session, *session = NULL;
    pbxdial_pbx_rc_e rc = pbxdial_pbx_activate(d->p, &d->pc, token, &session, &out);

    d->session = NULL;
    steps_secret(d, session);
    if (steps_common(d, s, &out))
        return;
    if (rc == PBXDIAL_PBX_OK) {
        d->session = session;
        s->detail =
            apr_psprintf(d->p, "the PBX answered %ld and set a session cookie (value hidden)", s->status);
        return;
    }
    s->verdict = DOCTOR_FAIL;
    if (rc == PBXDIAL_PBX_BAD_REPLY) {
        s->detail = apr_psprintf(d->p, "the PBX answered %ld but set no usable `session` cookie", s->status);
        s->fix = "the module needs that cookie for calls and the websocket; a proxy or load balancer in "
                 "front of the PBX may drop Set-Cookie: let it through (or point --server at the PBX)";
    }
    else {
        s->detail = apr_psprintf(d->p, "the PBX refused the fresh token (%ld): %s", s->status,
                                 out.detail ? out.detail : "");
        s->fix = "third-party tokens are single use and live about 10 s: something delayed or replayed "
                 "the request (a caching proxy?), or the PBX wants the activation from another address";
    }
}

static void steps_call(doctor_t *d, doctor_step_t *s)
{
    pbxdial_pbx_outcome_t out;
    pbxdial_pbx_rc_e rc = pbxdial_pbx_remote_call(d->p, &d->pc, d->session, d->dest, 0, &out);

    if (steps_common(d, s, &out))
        return;
    if (rc == PBXDIAL_PBX_OK) {
        s->detail = apr_psprintf(d->p,
                                 "the PBX answered %ld: the phones of %s@%s should ring now; "
                                 "answer and press 1 to dial %s",
                                 s->status, d->ext, d->domain, d->dest);
        return;
    }
    s->verdict = DOCTOR_FAIL;
    s->detail = apr_psprintf(d->p, "the PBX answered %ld to remote_call.htm with the session", s->status);
    s->fix = s->status == 400
                 ? "the PBX did not take the number; try it in the form the PBX's dial plan expects"
                 : "the PBX does not place calls for a third-party session: check that the extension may use "
                   "click-to-dial (its permissions on the PBX) and has a registered phone";
}

static void steps_password(doctor_t *d, doctor_step_t *s)
{
    pbxdial_pbx_outcome_t out, lo;
    const char *user = apr_pstrcat(d->p, d->ext, "@", d->domain, NULL), *session = NULL;
    pbxdial_pbx_rc_e rc = pbxdial_pbx_login_user(d->p, &d->pc, user, d->user_password, &session, &out);

    steps_secret(d, session);
    if (steps_common(d, s, &out))
        return;
    if (rc == PBXDIAL_PBX_OK) {
        /* only the yes was wanted, as in the provider: log the session out again */
        int gone = pbxdial_pbx_logout(d->p, &d->pc, session, &lo) == PBXDIAL_PBX_OK;
        d->trace_exchange = NULL;
        d->trace_status = 0;
        s->detail = apr_psprintf(d->p, "the PBX accepted the password of %s (answered %ld)%s", user,
                                 s->status, gone ? "" : "; its session could not be logged out");
        return;
    }
    s->verdict = DOCTOR_FAIL;
    if (rc == PBXDIAL_PBX_ADMIN_REFUSED) {
        s->detail = apr_psprintf(d->p, "the PBX refused the password of %s (answered %ld)", user, s->status);
        s->fix = "the `pbx` provider checks the extension's web password (the one of the PBX's user "
                 "portal), not its SIP password; set or reset it on the PBX";
    }
    else {
        s->detail = out.detail;
        s->fix = "the PBX does not answer a user login ({\"name\":\"auth\"}) as a Vodia PBX does; "
                 "check its firmware version";
    }
}

static void steps_logout(doctor_t *d, doctor_step_t *s)
{
    pbxdial_pbx_outcome_t out;
    pbxdial_pbx_rc_e rc = pbxdial_pbx_logout(d->p, &d->pc, d->session, &out);

    d->session = NULL;
    if (steps_common(d, s, &out))
        return;
    if (rc == PBXDIAL_PBX_OK) {
        s->detail = apr_psprintf(d->p, "the PBX answered %ld: session ended", s->status);
        return;
    }
    s->verdict = DOCTOR_FAIL;
    s->detail = apr_psprintf(d->p, "the PBX answered %ld to the logout", s->status);
    s->fix = "harmless for calls (the session expires after the PBX's session timeout), but sessions "
             "pile up until then; check the PBX's log";
}

static void steps_skip(doctor_step_t *s, const char *why)
{
    s->verdict = DOCTOR_SKIP;
    s->detail = why;
}

int pbxdial_doctor_run(doctor_t *d)
{
    doctor_step_t *connect, *tls, *login, *token, *activate, *ws, *call, *password, *logout;
    int i, failed = -1;

    memset(&d->pc, 0, sizeof(d->pc));
    d->pc.url = d->server;
    d->pc.admin_user = d->admin_user;
    d->pc.admin_password = d->admin_password;
    d->pc.timeout = d->timeout;
    d->pc.ca_file = d->ca_file;
    d->pc.verify_peer = !d->insecure;
    d->pc.trace = steps_trace;
    d->pc.trace_baton = d;

    connect = pbxdial_doctor_step(d, "connect");
    tls = pbxdial_doctor_step(d, "tls");
    login = pbxdial_doctor_step(d, "login");
    token = pbxdial_doctor_step(d, "token");
    activate = pbxdial_doctor_step(d, "activate");
    ws = pbxdial_doctor_step(d, "websocket");
    call = pbxdial_doctor_step(d, "call");
    password = pbxdial_doctor_step(d, "password");
    logout = pbxdial_doctor_step(d, "logout");

    /* each step runs only when every one before it passed (or was skipped) */
    pbxdial_doctor_net_connect(d, connect);
    if (connect->verdict == DOCTOR_OK)
        pbxdial_doctor_net_tls(d, tls);
    if (tls->verdict == DOCTOR_OK || tls->verdict == DOCTOR_SKIP)
        steps_login(d, login, token);
    if (token->verdict == DOCTOR_OK)
        steps_activate(d, activate);
    if (activate->verdict == DOCTOR_OK)
        pbxdial_doctor_net_websocket(d, ws);
    if (ws->verdict == DOCTOR_OK) {
        if (d->dest)
            steps_call(d, call);
        else
            steps_skip(call, apr_psprintf(d->p, "give --dest NUMBER to ring %s@%s and dial NUMBER", d->ext,
                                          d->domain));
    }
    if (call->verdict == DOCTOR_OK || call->verdict == DOCTOR_SKIP) {
        if (d->user_password)
            steps_password(d, password);
        else
            steps_skip(password, "give --password to check the `pbx` provider's login with the "
                                 "extension's password");
    }
    /* a session we hold is logged out even after a failure: no leftovers */
    if (d->session)
        steps_logout(d, logout);

    for (i = 0; i < d->steps->nelts; i++)
        if (APR_ARRAY_IDX(d->steps, i, doctor_step_t).verdict == DOCTOR_FAIL) {
            failed = i;
            break;
        }
    pbxdial_doctor_report(d, failed);
    return failed < 0 ? 0 : 1;
}
