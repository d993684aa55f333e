/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Create and merge of the module's configuration, and the one place that
 * resolves each directive's default (pbxdial_config_timeout() and the others:
 * no caller tests for an unset value). The setters are in config_set.c. */
#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_file_info.h>
#include <http_core.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <http_request.h>
#include <mod_auth.h>

#include "httpd/config.h"
#include "httpd/log.h"
#include "httpd/store.h"
#include "core/link.h"
#include "core/linkpw.h"
#include "core/url.h"
#include "core/usermap.h"

#define CONFIG_DEFAULT_TIMEOUT apr_time_from_sec(10)
/* well under the PBX's default web session lifetime of 3600 s */
#define CONFIG_DEFAULT_SESSION_LIFETIME apr_time_from_sec(900)
#define CONFIG_DEFAULT_FAIL_MAX         5
#define CONFIG_DEFAULT_FAIL_WINDOW      apr_time_from_sec(600)

void *pbxdial_config_srv_create(apr_pool_t *p, server_rec *s)
{
    pbxdial_srv_conf_t *sc = apr_pcalloc(p, sizeof(*sc));

    sc->timeout = PBXDIAL_UNSET;
    sc->verify_peer = PBXDIAL_UNSET;
    sc->session_lifetime = PBXDIAL_UNSET;
    return sc;
}

void *pbxdial_config_srv_merge(apr_pool_t *p, void *basev, void *addv)
{
    const pbxdial_srv_conf_t *base = basev, *add = addv;
    pbxdial_srv_conf_t *sc = apr_pcalloc(p, sizeof(*sc));

    sc->server = add->server ? add->server : base->server;
    sc->public_server = add->public_server ? add->public_server : base->public_server;
    sc->public_server_where = add->public_server ? add->public_server_where : base->public_server_where;
    sc->admin_user = add->admin_user ? add->admin_user : base->admin_user;
    sc->admin_password = add->admin_user ? add->admin_password : base->admin_password;
    sc->timeout = add->timeout != PBXDIAL_UNSET ? add->timeout : base->timeout;
    sc->ca_file = add->ca_file ? add->ca_file : base->ca_file;
    sc->verify_peer = add->verify_peer != PBXDIAL_UNSET ? add->verify_peer : base->verify_peer;
    sc->session_lifetime =
        add->session_lifetime != PBXDIAL_UNSET ? add->session_lifetime : base->session_lifetime;
    return sc;
}

void *pbxdial_config_dir_create(apr_pool_t *p, char *dir)
{
    pbxdial_dir_conf_t *dc = apr_pcalloc(p, sizeof(*dc));

    dc->lifetime = PBXDIAL_UNSET;
    dc->connect = PBXDIAL_UNSET;
    dc->websocket = PBXDIAL_UNSET;
    dc->link_once = PBXDIAL_UNSET;
    dc->rate_max = PBXDIAL_UNSET;
    dc->fail_max = PBXDIAL_UNSET;
    return dc;
}

void *pbxdial_config_dir_merge(apr_pool_t *p, void *basev, void *addv)
{
    const pbxdial_dir_conf_t *base = basev, *add = addv;
    pbxdial_dir_conf_t *dc = apr_pcalloc(p, sizeof(*dc));

    dc->domain_set = add->domain_set || base->domain_set;
    dc->domain = add->domain_set ? add->domain : base->domain;
    dc->extension_set = add->extension_set || base->extension_set;
    dc->extension = add->extension_set ? add->extension : base->extension;
    dc->usermap_set = add->usermap_set || base->usermap_set;
    dc->usermap = add->usermap_set ? add->usermap : base->usermap;
    dc->providers_set = add->providers_set || base->providers_set;
    dc->providers = add->providers_set ? add->providers : base->providers;
    dc->linkpw_set = add->linkpw_set || base->linkpw_set;
    dc->linkpw = add->linkpw_set ? add->linkpw : base->linkpw;
    dc->lifetime = add->lifetime != PBXDIAL_UNSET ? add->lifetime : base->lifetime;
    dc->allow_set = add->allow_set || base->allow_set;
    dc->allow = add->allow_set ? add->allow : base->allow;
    dc->connect = add->connect != PBXDIAL_UNSET ? add->connect : base->connect;
    dc->websocket = add->websocket != PBXDIAL_UNSET ? add->websocket : base->websocket;
    dc->link_once = add->link_once != PBXDIAL_UNSET ? add->link_once : base->link_once;
    if (add->rate_max != PBXDIAL_UNSET) {
        dc->rate_max = add->rate_max;
        dc->rate_window = add->rate_window;
    }
    else {
        dc->rate_max = base->rate_max;
        dc->rate_window = base->rate_window;
    }
    if (add->fail_max != PBXDIAL_UNSET) {
        dc->fail_max = add->fail_max;
        dc->fail_window = add->fail_window;
    }
    else {
        dc->fail_max = base->fail_max;
        dc->fail_window = base->fail_window;
    }
    dc->websocket_path_set = add->websocket_path_set || base->websocket_path_set;
    dc->websocket_path = add->websocket_path_set ? add->websocket_path : base->websocket_path;
    /* deny patterns add up: an outer PbxDialDeny still holds in an inner scope */
    if (base->deny && add->deny)
        dc->deny = apr_array_append(p, base->deny, add->deny);
    else
        dc->deny = add->deny ? add->deny : base->deny;
    dc->own_deny = add->own_deny;
    return dc;
}

static void config_trace(void *baton, const char *method, const char *path, long status,
                         apr_interval_time_t elapsed, const char *error)
{
    request_rec *r = baton;

    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                  PBXLOGNO(0150) "PBX %s %s: %ld in %" APR_TIME_T_FMT " ms%s%s", method, path, status,
                  apr_time_as_msec(elapsed), error ? ": " : "", error ? error : "");
}

int pbxdial_config_has_pbx(const pbxdial_srv_conf_t *sc)
{
    return sc->server && sc->admin_user;
}

apr_interval_time_t pbxdial_config_timeout(const pbxdial_srv_conf_t *sc)
{
    return sc->timeout != PBXDIAL_UNSET ? sc->timeout : CONFIG_DEFAULT_TIMEOUT;
}

int pbxdial_config_verify_peer(const pbxdial_srv_conf_t *sc)
{
    return sc->verify_peer != PBXDIAL_UNSET ? sc->verify_peer : 1;
}

apr_interval_time_t pbxdial_config_session_lifetime(const pbxdial_srv_conf_t *sc)
{
    return sc->session_lifetime != PBXDIAL_UNSET ? sc->session_lifetime : CONFIG_DEFAULT_SESSION_LIFETIME;
}

const char *pbxdial_config_public_server(const pbxdial_srv_conf_t *sc)
{
    return sc->public_server ? sc->public_server : sc->server;
}

apr_int64_t pbxdial_config_link_lifetime(const pbxdial_dir_conf_t *dc)
{
    return dc->lifetime != PBXDIAL_UNSET ? dc->lifetime : PBXDIAL_LINK_LIFETIME_DEFAULT;
}

int pbxdial_config_link_once(const pbxdial_dir_conf_t *dc)
{
    return dc->link_once == 1;
}

int pbxdial_config_connect(const pbxdial_dir_conf_t *dc)
{
    return dc->connect == 1;
}

int pbxdial_config_websocket(const pbxdial_dir_conf_t *dc)
{
    return dc->websocket == 1;
}

int pbxdial_config_rate_limit(const pbxdial_dir_conf_t *dc, apr_interval_time_t *window)
{
    *window = dc->rate_max > 0 ? dc->rate_window : 0;
    return dc->rate_max > 0 ? dc->rate_max : 0;
}

int pbxdial_config_failure_limit(const pbxdial_dir_conf_t *dc, apr_interval_time_t *window)
{
    *window = dc->fail_max == PBXDIAL_UNSET ? CONFIG_DEFAULT_FAIL_WINDOW : dc->fail_window;
    return dc->fail_max == PBXDIAL_UNSET ? CONFIG_DEFAULT_FAIL_MAX : dc->fail_max;
}

int pbxdial_config_auth_providers(apr_pool_t *p, const pbxdial_dir_conf_t *dc, const pbxdial_provider_t **pv)
{
    pbxdial_provider_t *dflt;

    if (dc->providers && dc->providers->nelts) {
        *pv = (const pbxdial_provider_t *)dc->providers->elts;
        return dc->providers->nelts;
    }
    /* as mod_auth_basic without AuthBasicProvider */
    dflt = apr_palloc(p, sizeof(*dflt));
    dflt->name = AUTHN_DEFAULT_PROVIDER;
    dflt->provider = ap_lookup_provider(AUTHN_PROVIDER_GROUP, AUTHN_DEFAULT_PROVIDER, AUTHN_PROVIDER_VERSION);
    *pv = dflt;
    return dflt->provider ? 1 : 0;
}

const pbxdial_policy_t *const *pbxdial_config_deny(const pbxdial_dir_conf_t *dc, int *n)
{
    *n = dc->deny ? dc->deny->nelts : 0;
    return dc->deny ? (const pbxdial_policy_t *const *)dc->deny->elts : NULL;
}

void pbxdial_config_pbx(request_rec *r, const pbxdial_srv_conf_t *sc, pbxdial_pbx_conf_t *out)
{
    out->url = sc->server;
    out->admin_user = sc->admin_user;
    out->admin_password = sc->admin_password;
    out->timeout = pbxdial_config_timeout(sc);
    /* PbxDialTimeout bounds the whole request, counted from when it arrived
     * (internal redirects and subrequests keep that time), so the chain of
     * exchanges of one call, or an authn check followed by a call, shares
     * one budget and the client has its answer within it */
    out->deadline = r ? r->request_time + out->timeout : 0;
    out->ca_file = sc->ca_file;
    out->verify_peer = pbxdial_config_verify_peer(sc);
    out->trace = r && APLOGrdebug(r) ? config_trace : NULL;
    out->trace_baton = r;
}
