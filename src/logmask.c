/* Secrets in click-to-dial links (auth=user:password, signed hashes) arrive
 * in the query string, which httpd logs in several places: the access log
 * (%r, %q, %U%q), and at LogLevel core:trace5 the raw request line, logged
 * while it is read, before any module hook runs. So: cap core below trace5
 * for exactly that moment, mask the query once the location shows it is a
 * pbxdial-call one, and then log the (masked) line in core's place. */
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>

#include "config.h"
#include "handlers.h"
#include "logmask.h"
#include "query.h"
#include "request.h"

static const char *const logmask_names[] = { "auth", "password", NULL };

int pbxdial_logmask_create_request(request_rec *r)
{
    const struct ap_logconf *cur = ap_get_request_logconf(r);
    pbxdial_request_t *rq;

    if (ap_get_module_loglevel(cur, AP_CORE_MODULE_INDEX) < APLOG_TRACE5)
        return OK;                     /* the usual case: nothing to do */
    rq = pbxdial_request_get(r);
    rq->log_before = (struct ap_logconf *)r->log;
    rq->log_capped = ap_new_log_config(r->pool, cur);
    ap_set_module_loglevel(r->pool, rq->log_capped, AP_CORE_MODULE_INDEX, APLOG_TRACE4);
    r->log = rq->log_capped;
    return OK;
}

int pbxdial_logmask_post_read_request(request_rec *r)
{
    pbxdial_request_t *rq = ap_get_module_config(r->request_config, &pbxdial_module);

    if (rq && rq->log_capped && r->log == rq->log_capped)
        r->log = rq->log_before;
    return DECLINED;
}

int pbxdial_logmask_translate(request_rec *r)
{
    pbxdial_request_t *rq = ap_get_module_config(r->request_config, &pbxdial_module);

    if (r->args && !(rq && rq->args_saved) && pbxdial_request_handler_is(r, PBXDIAL_HANDLER_CALL)) {
        rq = pbxdial_request_get(r);
        rq->args = r->args;           /* the handlers read this copy */
        rq->args_saved = 1;
        r->args = (char *)pbxdial_query_mask(r->pool, rq->args, logmask_names);
        r->parsed_uri.query = r->args;
        r->unparsed_uri = (char *)pbxdial_query_mask_uri(r->pool, r->unparsed_uri, logmask_names);
        r->the_request = (char *)pbxdial_query_mask_uri(r->pool, r->the_request, logmask_names);
    }
    if (rq && rq->log_capped) {
        rq->log_capped = NULL;
        ap_log_rerror_(__FILE__, __LINE__, AP_CORE_MODULE_INDEX, APLOG_TRACE5, 0, r,
                       "Request received from client: %s",
                       ap_escape_logitem(r->pool, r->the_request));
    }
    return DECLINED;
}
