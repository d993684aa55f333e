/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* JSON answers, HTML pages and the mapping of PBX failures to statuses. */
#include <apr_strings.h>
#include <http_protocol.h>

#include "core/page.h"
#include "core/json.h"
#include "httpd/respond.h"
#include "httpd/stats.h"

void pbxdial_respond_nostore(request_rec *r)
{
    /* err_headers_out survives error answers and internal redirects */
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
    /* JSON too: a browser opening a JSON URL renders it as a document, and
     * one header set for every answer leaves no page type to forget */
    apr_table_setn(r->err_headers_out, "X-Frame-Options", "DENY");
    apr_table_setn(r->err_headers_out, "Content-Security-Policy", PBXDIAL_RESPOND_CSP);
}

static int respond_body(request_rec *r, int status, const char *type, const char *body)
{
    pbxdial_respond_nostore(r);
    r->status = status;
    ap_set_content_type(r, type);
    ap_set_content_length(r, strlen(body));
    if (!r->header_only)
        ap_rputs(body, r);
    return OK;
}

int pbxdial_respond_json(request_rec *r, int status, const char *json)
{
    return respond_body(r, status, "application/json", apr_pstrcat(r->pool, json, "\n", NULL));
}

int pbxdial_respond_error(request_rec *r, int status, const char *code, const char *message)
{
    pbxdial_stats_refused(code);
    return pbxdial_respond_json(r, status, pbxdial_json_error(r->pool, code, message));
}

static int respond_wants_json(request_rec *r)
{
    apr_table_mergen(r->headers_out, "Vary", "Accept");
    return pbxdial_page_prefers_json(apr_table_get(r->headers_in, "Accept"));
}

int pbxdial_respond_problem(request_rec *r, const pbxdial_problem_t *pr)
{
    if (respond_wants_json(r))
        return pbxdial_respond_error(r, pr->status, pr->code, pr->message);
    pbxdial_stats_refused(pr->code);
    return respond_body(r, pr->status, "text/html; charset=utf-8",
                        pbxdial_page_html(r->pool, pr->status, pr->title, pr->message));
}

int pbxdial_respond_success(request_rec *r, const char *title, const char *message, const char *json)
{
    if (respond_wants_json(r))
        return pbxdial_respond_json(r, HTTP_OK, json);
    return respond_body(r, HTTP_OK, "text/html; charset=utf-8",
                        pbxdial_page_html(r->pool, HTTP_OK, title, message));
}

/* What each kind of PBX failure means to the user, by pbxdial_pbx_rc_e. */
static const pbxdial_problem_t respond_pbx_problems[] = {
    [PBXDIAL_PBX_OK] = {HTTP_INTERNAL_SERVER_ERROR, "internal", "Internal error",
                        "internal error talking to the PBX"},
    [PBXDIAL_PBX_ADMIN_REFUSED] = {HTTP_BAD_GATEWAY, "pbx_admin_refused", "The PBX refused the call",
                                   "PBX refused the admin credentials"},
    [PBXDIAL_PBX_NOT_FOUND] = {HTTP_FORBIDDEN, "unknown_extension", "Unknown extension",
                               "extension not known to the PBX"},
    [PBXDIAL_PBX_UNREACHABLE] = {HTTP_BAD_GATEWAY, "pbx_unreachable", "The PBX cannot be reached",
                                 "PBX unreachable"},
    [PBXDIAL_PBX_TLS] = {HTTP_BAD_GATEWAY, "pbx_tls", "The PBX cannot be reached",
                         "secure connection to the PBX failed"},
    [PBXDIAL_PBX_TIMEOUT] = {HTTP_GATEWAY_TIME_OUT, "pbx_timeout", "The PBX did not answer", NULL},
    [PBXDIAL_PBX_HTTP_ERROR] = {HTTP_BAD_GATEWAY, "pbx_error", "The PBX refused the call", NULL},
    [PBXDIAL_PBX_BAD_REPLY] = {HTTP_BAD_GATEWAY, "pbx_bad_reply", "The PBX sent a strange answer",
                               "PBX sent a reply that is not understood"},
    [PBXDIAL_PBX_INTERNAL] = {HTTP_INTERNAL_SERVER_ERROR, "internal", "Internal error",
                              "internal error talking to the PBX"},
};

void pbxdial_respond_pbx_problem(apr_pool_t *p, const pbxdial_pbx_outcome_t *out, const pbxdial_pbx_conf_t *c,
                                 pbxdial_problem_t *pr)
{
    /* every handler's failed PBX operation passes here: count it by kind */
    pbxdial_stats_pbx_error(out->rc);
    *pr = respond_pbx_problems[out->rc <= PBXDIAL_PBX_INTERNAL ? out->rc : PBXDIAL_PBX_INTERNAL];
    if (out->rc == PBXDIAL_PBX_TIMEOUT)
        pr->message =
            apr_psprintf(p, "PBX did not answer within %g s", (double)c->timeout / APR_USEC_PER_SEC);
    else if (out->rc == PBXDIAL_PBX_HTTP_ERROR)
        pr->message = apr_psprintf(p, "PBX answered with status %ld", out->status);
}

int pbxdial_respond_pbx_failure(request_rec *r, const pbxdial_pbx_outcome_t *out, const pbxdial_pbx_conf_t *c)
{
    pbxdial_problem_t pr;

    pbxdial_respond_pbx_problem(r->pool, out, c, &pr);
    return pbxdial_respond_error(r, pr.status, pr.code, pr.message);
}
