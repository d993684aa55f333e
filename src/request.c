/* Per-request state and the handler test shared by the hooks. */
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>

#include "config.h"
#include "request.h"

pbxdial_request_t *pbxdial_request_get(request_rec *r)
{
    pbxdial_request_t *rq = ap_get_module_config(r->request_config, &pbxdial_module);

    if (!rq) {
        rq = apr_pcalloc(r->pool, sizeof(*rq));
        ap_set_module_config(r->request_config, &pbxdial_module, rq);
    }
    return rq;
}

const char *pbxdial_request_args(request_rec *r)
{
    const pbxdial_request_t *rq = ap_get_module_config(r->request_config, &pbxdial_module);

    return rq && rq->args_saved ? rq->args : r->args;
}

/* Hooks before the fixups cannot read r->handler yet, so they ask the
 * SetHandler of the location the request maps to. */
int pbxdial_request_handler_is(request_rec *r, const char *name)
{
    const core_dir_config *cd = ap_get_core_module_config(r->per_dir_config);
    const char *h = NULL, *err = NULL;

    if (!cd)
        return 0;
    if (cd->expr_handler)
        h = ap_expr_str_exec(r, cd->expr_handler, &err);
    else
        h = cd->handler;
    return h && !err && !strcmp(h, name);
}
