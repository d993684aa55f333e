/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Secrets in click-to-dial links (auth=user:password, signed hashes) arrive
 * in the query string, which httpd logs in several places: the access log
 * (%r, %q, %U%q), and at LogLevel core:trace5 the raw request line, logged
 * while it is read, before any module hook runs.
 *
 * Where pbxdial-call is the handler decides when the module can know it:
 *  - SetHandler in <Location>: at translate_name (the first location walk);
 *  - SetHandler in <Directory>, <Files>, <If>: once all sections are
 *    merged (post_perdir_config), still before authentication;
 *  - AddHandler by extension or RewriteRule [H=]: only at type checking,
 *    after authentication; so the fixups, and log_transaction for requests
 *    that ended before (a 401 from Apache's auth), where httpd's own type
 *    check is asked which handler the request would have had.
 * And whatever reads the link (linkauth, the handler) goes through
 * pbxdial_reqstate_args, which masks first. Masking is idempotent.
 *
 * core:trace5: core is held below trace5 while the line is read, and the
 * (masked) line is logged in core's place once the handler is known. */
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_request.h>

#include "httpd/config.h"
#include "httpd/handlers.h"
#include "httpd/logmask.h"
#include "core/query.h"
#include "httpd/reqstate.h"

static const char *const logmask_names[] = {"auth", "password", NULL};

int pbxdial_logmask_create_request(request_rec *r)
{
    const struct ap_logconf *cur = ap_get_request_logconf(r);
    pbxdial_reqstate_t *rq;

    if (ap_get_module_loglevel(cur, AP_CORE_MODULE_INDEX) < APLOG_TRACE5)
        return OK; /* the usual case: nothing to do */
    rq = pbxdial_reqstate_get(r);
    rq->log_before = (struct ap_logconf *)r->log;
    rq->log_capped = ap_new_log_config(r->pool, cur);
    ap_set_module_loglevel(r->pool, rq->log_capped, AP_CORE_MODULE_INDEX, APLOG_TRACE4);
    r->log = rq->log_capped;
    return OK;
}

int pbxdial_logmask_post_read_request(request_rec *r)
{
    pbxdial_reqstate_t *rq = ap_get_module_config(r->request_config, &pbxdial_module);

    if (rq && rq->log_capped && r->log == rq->log_capped)
        r->log = rq->log_before;
    return DECLINED;
}

/* What %r, %U and %q show of one request_rec. */
static void logmask_rec(request_rec *r)
{
    if (r->args)
        r->args = (char *)pbxdial_query_mask(r->pool, r->args, logmask_names);
    r->parsed_uri.query = r->args;
    r->unparsed_uri = (char *)pbxdial_query_mask_uri(r->pool, r->unparsed_uri, logmask_names);
    r->the_request = (char *)pbxdial_query_mask_uri(r->pool, r->the_request, logmask_names);
}

pbxdial_reqstate_t *pbxdial_logmask_apply(request_rec *r)
{
    pbxdial_reqstate_t *rq = pbxdial_reqstate_get(r);
    request_rec *o;

    if (rq->args_saved)
        return rq;
    rq->args = r->args; /* the module reads this copy */
    rq->args_saved = 1;
    /* an internal redirect's request line is its original's: the access log
     * shows %r and %U of the first request, %q of the last */
    for (o = r; o; o = o->prev)
        logmask_rec(o);
    return rq;
}

/* core's trace5 line, once: masked when the request is a pbxdial-call one. */
static void logmask_trace(request_rec *r)
{
    pbxdial_reqstate_t *rq = ap_get_module_config(r->request_config, &pbxdial_module);

    if (rq && rq->log_capped) {
        rq->log_capped = NULL;
        ap_log_rerror_(__FILE__, __LINE__, AP_CORE_MODULE_INDEX, APLOG_TRACE5, 0, r,
                       "Request received from client: %s", ap_escape_logitem(r->pool, r->the_request));
    }
}

int pbxdial_logmask_translate(request_rec *r)
{
    if (r->args && pbxdial_reqstate_handler_is(r, PBXDIAL_HANDLER_CALL)) {
        pbxdial_logmask_apply(r);
        logmask_trace(r);
    }
    return DECLINED;
}

/* Whether r's query has a value that masking would hide. */
static int logmask_has_secret(request_rec *r)
{
    return r->args && strcmp(pbxdial_query_mask(r->pool, r->args, logmask_names), r->args);
}

static int logmask_done(request_rec *r)
{
    const pbxdial_reqstate_t *rq = ap_get_module_config(r->request_config, &pbxdial_module);

    return rq && rq->args_saved;
}

int pbxdial_logmask_post_perdir(request_rec *r)
{
    if (r->args && pbxdial_reqstate_handler_is(r, PBXDIAL_HANDLER_CALL))
        pbxdial_logmask_apply(r);
    /* a secret-looking query whose handler may still come by type: the
     * trace5 line waits for the fixups (or the log) */
    if (logmask_done(r) || !logmask_has_secret(r))
        logmask_trace(r);
    return DECLINED;
}

int pbxdial_logmask_fixups(request_rec *r)
{
    if (r->args && r->handler && !strcmp(r->handler, PBXDIAL_HANDLER_CALL))
        pbxdial_logmask_apply(r);
    logmask_trace(r);
    return DECLINED;
}

int pbxdial_logmask_log(request_rec *r)
{
    request_rec *last = r;
    const char *h;

    while (last->next)
        last = last->next;
    if (!logmask_done(last) && last->filename && logmask_has_secret(last)) {
        /* a secret-looking query on a request that ended before its handler
         * was known (AddHandler, [H=] and a 401 or 403 from Apache's auth):
         * ask httpd's type check now, when the answer has been sent anyway */
        h = pbxdial_reqstate_handler_is(last, PBXDIAL_HANDLER_CALL) ? PBXDIAL_HANDLER_CALL : last->handler;
        if (!h) {
            ap_run_type_checker(last);
            h = last->handler;
            last->handler = NULL;
        }
        if (h && !strcmp(h, PBXDIAL_HANDLER_CALL))
            pbxdial_logmask_apply(last);
    }
    logmask_trace(r);
    return DECLINED;
}
