/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* mod_pbxdial: click-to-dial on a Vodia PBX for sites that Apache httpd
 * serves. This file only wires the module: directives, hooks, handlers. The
 * work happens in src/. */
#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <ap_mpm.h>

#define PBXDIAL_DECLARES_MODULE
#include "httpd/log.h"
#include "httpd/authn_pbx.h"
#include "httpd/config.h"
#include "httpd/linkauth.h"
#include "httpd/logmask.h"
#include "httpd/storage.h"
#include "httpd/websocket.h"
#include "httpd/wsfilter.h"
#include "httpd/store.h"
#include "httpd/secret.h"
#include "httpd/stats.h"
#include "httpd/handlers.h"
#include "pbx/pbx.h"

static const command_rec pbxdial_cmds[] = {
    AP_INIT_TAKE1("PbxDialServer", pbxdial_config_set_server, NULL, RSRC_CONF,
                  "Base URL of the PBX, e.g. https://pbx.example.com"),
    AP_INIT_TAKE1("PbxDialPublicServer", pbxdial_config_set_public_server, NULL, RSRC_CONF,
                  "How browsers reach the PBX: host[:port] or a URL (default: PbxDialServer)"),
    AP_INIT_TAKE2("PbxDialAdmin", pbxdial_config_set_admin, NULL, RSRC_CONF,
                  "PBX admin user and password (or file:/path holding the password)"),
    AP_INIT_TAKE1("PbxDialTimeout", pbxdial_config_set_timeout, NULL, RSRC_CONF,
                  "Time limit for the PBX work of one request, in seconds (or with ms), default 10"),
    AP_INIT_TAKE1("PbxDialCacheKey", pbxdial_secret_set_key, NULL, RSRC_CONF,
                  "file:/path of the key that protects shared state (the same on every server)"),
    AP_INIT_TAKE1("PbxDialCAFile", pbxdial_config_set_ca_file, NULL, RSRC_CONF,
                  "PEM file with the CA certificates that sign the PBX certificate"),
    AP_INIT_FLAG("PbxDialVerifyPeer", pbxdial_config_set_verify_peer, NULL, RSRC_CONF,
                 "Verify the PBX TLS certificate and name (default On)"),
    AP_INIT_TAKE1("PbxDialDomain", pbxdial_config_set_domain, NULL, ACCESS_CONF | RSRC_CONF,
                  "PBX tenant domain of the web user (an ap_expr string)"),
    AP_INIT_TAKE1("PbxDialExtension", pbxdial_config_set_extension, NULL, ACCESS_CONF | RSRC_CONF,
                  "PBX extension of the web user (an ap_expr string, default %{REMOTE_USER})"),
    AP_INIT_ITERATE("PbxDialAuthProvider", pbxdial_config_set_auth_provider, NULL, ACCESS_CONF | RSRC_CONF,
                    "Authn providers that check auth=user:password links (default file)"),
    AP_INIT_TAKE1("PbxDialLinkPasswords", pbxdial_config_set_link_passwords, NULL, ACCESS_CONF | RSRC_CONF,
                  "File of user:password lines that sign md5 (type 2) links"),
    AP_INIT_TAKE1("PbxDialLinkLifetime", pbxdial_config_set_link_lifetime, NULL, ACCESS_CONF | RSRC_CONF,
                  "Longest validity of a signed link, in seconds (default 7200)"),
    AP_INIT_ITERATE("PbxDialAllow", pbxdial_config_set_allow, NULL, ACCESS_CONF | RSRC_CONF,
                    "Regexes: only numbers matching one of them may be dialled"),
    AP_INIT_ITERATE("PbxDialDeny", pbxdial_config_set_deny, NULL, ACCESS_CONF | RSRC_CONF,
                    "Regexes: numbers matching any of them are never dialled (wins over allow)"),
    AP_INIT_FLAG("PbxDialConnect", pbxdial_config_set_connect, NULL, ACCESS_CONF | RSRC_CONF,
                 "Honour connect=true (skip the press-1 confirmation); default Off"),
    AP_INIT_FLAG("PbxDialWebSocket", pbxdial_config_set_websocket, NULL, ACCESS_CONF | RSRC_CONF,
                 "On a location proxied to the PBX websocket: inject the user's PBX session"),
    AP_INIT_TAKE1("PbxDialWebSocketPath", pbxdial_config_set_websocket_path, NULL, ACCESS_CONF | RSRC_CONF,
                  "Same-origin mode: /rest/pbxlogin sends browsers to this websocket path (or none)"),
    AP_INIT_TAKE1(
        "PbxDialCache", pbxdial_config_set_cache, NULL, RSRC_CONF,
        "mod_socache provider for shared state: shmcb (default), memcache:HOST:PORT, redis:HOST:PORT"),
    AP_INIT_TAKE1("PbxDialSessionLifetime", pbxdial_config_set_session_lifetime, NULL, RSRC_CONF,
                  "How long a PBX session is reused for calls of one extension (default 900 s), or Off"),
    AP_INIT_FLAG("PbxDialLinkOnce", pbxdial_config_set_link_once, NULL, ACCESS_CONF | RSRC_CONF,
                 "A signed link dials once; a replay is refused"),
    AP_INIT_TAKE12("PbxDialRateLimit", pbxdial_config_set_rate_limit, NULL, ACCESS_CONF | RSRC_CONF,
                   "At most N calls per extension in SECONDS (429 beyond), or Off"),
    AP_INIT_TAKE12("PbxDialFailureLimit", pbxdial_config_set_failure_limit, NULL, ACCESS_CONF | RSRC_CONF,
                   "At most N failed link logins per client address and per user in SECONDS "
                   "(default 5 600), or Off"),
    AP_INIT_TAKE1("PbxDialUserMap", pbxdial_config_set_usermap, NULL, ACCESS_CONF | RSRC_CONF,
                  "File of \"webuser extension[@domain]\" lines, consulted before PbxDialExtension"),
    {NULL}};

/* libcurl's global set-up is not thread-safe, and connections must not be
 * shared with the parent: once per child, before the MPM starts threads. */
static void pbxdial_child_init(apr_pool_t *p, server_rec *s)
{
    int threads = 1;
    apr_status_t rv;

    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    rv = pbxdial_pbx_child_init(p, threads);
    if (rv != APR_SUCCESS)
        ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s,
                     PBXLOGNO(0151) "could not start the thread that "
                                    "talks to the PBX in this child; its worker threads do it themselves");
    pbxdial_store_child_init(p, s);
}

static int pbxdial_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    const char *err;

    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, PBXLOGNO(0154) "mod_pbxdial/%s (%s)", PBXDIAL_VERSION,
                 pbxdial_pbx_version());
    if ((err = pbxdial_stats_create(pconf)))
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, PBXLOGNO(0155) "%s; pbxdial-status shows nothing", err);
    if (pbxdial_secret_post_config(s) != OK)
        return HTTP_INTERNAL_SERVER_ERROR;
    return pbxdial_store_post_config(pconf, plog, ptemp, s);
}

static void pbxdial_register_hooks(apr_pool_t *p)
{
    /* the websocket's cookie and query must be set before mod_proxy uses them */
    static const char *const before_proxy[] = {"mod_proxy.c", NULL};
    /* after mod_rewrite: a per-directory [P] is then known to be proxied */
    static const char *const after_rewrite[] = {"mod_rewrite.c", NULL};

    ap_hook_pre_config(pbxdial_store_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_config(pbxdial_secret_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(pbxdial_startup_check, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(pbxdial_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(pbxdial_storage_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* before core's directory walk, like mod_proxy's */
    ap_hook_map_to_storage(pbxdial_storage_map, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_child_init(pbxdial_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(pbxdial_handler_login, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(pbxdial_handler_script, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(pbxdial_handler_call, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(pbxdial_handler_status, NULL, NULL, APR_HOOK_MIDDLE);
    /* link secrets masked before anything logs the query */
    ap_hook_create_request(pbxdial_logmask_create_request, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_post_read_request(pbxdial_logmask_post_read_request, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_translate_name(pbxdial_logmask_translate, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_post_perdir_config(pbxdial_logmask_post_perdir, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_fixups(pbxdial_logmask_fixups, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_log_transaction(pbxdial_logmask_log, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_log_transaction(pbxdial_stats_log_transaction, NULL, NULL, APR_HOOK_MIDDLE);
    /* links checked before mod_auth_basic would challenge */
    ap_hook_check_authn(pbxdial_linkauth_check, NULL, NULL, APR_HOOK_FIRST, AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_fixups(pbxdial_websocket_fixup, after_rewrite, before_proxy, APR_HOOK_FIRST);
    pbxdial_websocket_register(p);
    pbxdial_wsfilter_register(p);
    pbxdial_authn_pbx_register(p);
    ap_hook_optional_fn_retrieve(pbxdial_authn_pbx_retrieve, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(pbxdial) = {STANDARD20_MODULE_STUFF,   pbxdial_config_dir_create, pbxdial_config_dir_merge,
                              pbxdial_config_srv_create, pbxdial_config_srv_merge,  pbxdial_cmds,
                              pbxdial_register_hooks};
