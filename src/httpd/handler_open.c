/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The opening the four handlers share: is the request theirs, is the method
 * one they answer, can this server reach a PBX, is there a user. One order
 * and one answer for each refusal, whichever handler meets it; the handler
 * says it in its own voice (a page, JSON, the call's log line). */
#include <apr_strings.h>
#include <httpd.h>
#include <http_log.h>
#include <http_protocol.h>

#include "httpd/config.h"
#include "httpd/handlers.h"
#include "httpd/log.h"

/* The Allow header ("GET, POST") and the same for people ("GET or POST"). */
static void open_methods(request_rec *r, apr_int64_t methods, int flags, const char **allow,
                         const char **words)
{
    const char *names[8], *sep;
    int m, i, n = 0;

    for (m = 0; m < 64 && n < 7; m++) {
        /* unsigned: AP_METHOD_BIT << 63 overflows a signed 64-bit value */
        if (!((apr_uint64_t)methods & ((apr_uint64_t)1 << m)))
            continue;
        /* httpd registers HEAD as M_GET too: name GET itself */
        names[n++] = m == M_GET ? "GET" : ap_method_name_of(r->pool, m);
        if (m == M_GET && !(flags & PBXDIAL_OPEN_NO_HEAD))
            names[n++] = "HEAD";
    }
    *allow = *words = "";
    for (i = 0; i < n; i++) {
        sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
        *allow = apr_pstrcat(r->pool, *allow, i ? ", " : "", names[i], NULL);
        *words = apr_pstrcat(r->pool, *words, sep, names[i], NULL);
    }
}

static const pbxdial_problem_t *open_method_refused(request_rec *r, apr_int64_t methods, int flags)
{
    pbxdial_problem_t *pr = apr_pcalloc(r->pool, sizeof(*pr));
    const char *allow, *words;

    open_methods(r, methods, flags, &allow, &words);
    apr_table_setn(r->headers_out, "Allow", allow);
    pr->status = HTTP_METHOD_NOT_ALLOWED;
    pr->code = "method_not_allowed";
    pr->title = "Method not allowed";
    pr->message = apr_psprintf(r->pool, "Use %s here.", words);
    return pr;
}

int pbxdial_handler_open(request_rec *r, const char *name, apr_int64_t methods, int flags,
                         const pbxdial_problem_t **problem)
{
    static const pbxdial_problem_t not_configured = {HTTP_INTERNAL_SERVER_ERROR, "not_configured",
                                                     "Not configured",
                                                     "The PBX connection is not configured on this server."};
    static const pbxdial_problem_t not_authenticated = {
        HTTP_FORBIDDEN, "not_authenticated", "Not logged in",
        "This location must be protected by Apache authentication."};
    const pbxdial_srv_conf_t *sc;
    int rv;

    *problem = NULL;
    if (!r->handler || strcmp(r->handler, name))
        return DECLINED;
    /* what OPTIONS and an error page's Allow say; HEAD is M_GET */
    r->allowed = methods;
    if (!(methods & (AP_METHOD_BIT << r->method_number))
        || (r->header_only && (flags & PBXDIAL_OPEN_NO_HEAD))) {
        *problem = open_method_refused(r, methods, flags);
        return OK;
    }
    if ((r->method_number != M_POST || !(flags & PBXDIAL_OPEN_READS_POST))
        && (rv = ap_discard_request_body(r)) != OK)
        return rv;
    sc = ap_get_module_config(r->server->module_config, &pbxdial_module);
    if ((flags & PBXDIAL_OPEN_PBX) && !pbxdial_config_has_pbx(sc)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      PBXLOGNO(0103) "%s needs PbxDialServer and PbxDialAdmin in the server or virtual host "
                                     "config",
                      r->uri);
        *problem = &not_configured;
        return OK;
    }
    if ((flags & PBXDIAL_OPEN_USER) && (!r->user || !*r->user)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      PBXLOGNO(0101) "%s is served without an authenticated user; protect it with Apache "
                                     "authentication and \"Require valid-user\"",
                      r->uri);
        *problem = &not_authenticated;
        return OK;
    }
    return OK;
}
