/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Per-request state and the handler test shared by the hooks. */
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_protocol.h>
#include <apr_strings.h>

#include "httpd/config.h"
#include "httpd/logmask.h"
#include "httpd/reqstate.h"
#include "core/url.h"

pbxdial_reqstate_t *pbxdial_reqstate_get(request_rec *r)
{
    pbxdial_reqstate_t *rq = ap_get_module_config(r->request_config, &pbxdial_module);

    if (!rq) {
        rq = apr_pcalloc(r->pool, sizeof(*rq));
        ap_set_module_config(r->request_config, &pbxdial_module, rq);
    }
    return rq;
}

const char *pbxdial_reqstate_args(request_rec *r)
{
    /* whatever the placement of the handler, a link the module reads is
     * one whose secrets the logs must not show */
    return pbxdial_logmask_apply(r)->args;
}

/* Hooks before the fixups cannot read r->handler yet, so they ask the
 * SetHandler of the sections the request maps to, which wins in the end,
 * else what a server-context RewriteRule [H=] has noted for the type check
 * (mod_rewrite's note; its name is part of mod_rewrite's behaviour since 2.0). */
int pbxdial_reqstate_handler_is(request_rec *r, const char *name)
{
    const core_dir_config *cd = ap_get_core_module_config(r->per_dir_config);
    const char *h = NULL, *err = NULL;

    if (cd && cd->expr_handler)
        h = ap_expr_str_exec(r, cd->expr_handler, &err);
    else if (cd)
        h = cd->handler;
    if (!h && !err)
        h = apr_table_get(r->notes, "rewrite-forced-handler");
    return h && !err && !strcmp(h, name);
}

const char *pbxdial_reqstate_cross_site(request_rec *r)
{
    const char *fetch_site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    const char *origin = apr_table_get(r->headers_in, "Origin");
    const char *host = apr_table_get(r->headers_in, "Host");

    if (fetch_site && !strcasecmp(fetch_site, "cross-site"))
        return "Sec-Fetch-Site: cross-site";
    if (!host)
        host = apr_psprintf(r->pool, "%s:%u", r->hostname ? r->hostname : r->server->server_hostname,
                            ap_get_server_port(r));
    if (origin && !pbxdial_url_same_origin(r->pool, origin, ap_http_scheme(r), host))
        return apr_psprintf(r->pool, "Origin %s", ap_escape_logitem(r->pool, origin));
    return NULL;
}
