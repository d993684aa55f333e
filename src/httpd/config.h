/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Configuration of mod_pbxdial: per server (the PBX and how to reach it) and
 * per directory (how a web user maps to a PBX extension). */
#ifndef PBXDIAL_CONFIG_H
#define PBXDIAL_CONFIG_H

#include <httpd.h>
#include <http_config.h>
#include <ap_expr.h>
#include <http_core.h>

#include "pbx/pbx.h"
#include "httpd/filemap.h"
#include "core/policy.h"

/* A directive not written in any scope: the accessors below give its default. */
#define PBXDIAL_UNSET (-1)

typedef struct {
    const char *server;              /* PbxDialServer, normalised, NULL if unset */
    const char *public_server;       /* PbxDialPublicServer */
    const char *public_server_where; /* "line N of FILE" of it, for start-up warnings */
    const char *admin_user;          /* PbxDialAdmin */
    const char *admin_password;
    apr_interval_time_t timeout;          /* PbxDialTimeout; PBXDIAL_UNSET */
    apr_interval_time_t session_lifetime; /* PbxDialSessionLifetime; PBXDIAL_UNSET; 0: no cache */
    const char *ca_file;                  /* PbxDialCAFile */
    int verify_peer;                      /* PbxDialVerifyPeer; PBXDIAL_UNSET */
} pbxdial_srv_conf_t;

typedef struct {
    ap_expr_info_t *domain;        /* PbxDialDomain; NULL: none */
    ap_expr_info_t *extension;     /* PbxDialExtension; NULL: REMOTE_USER */
    pbxdial_filemap_t *usermap;    /* PbxDialUserMap; NULL: none */
    apr_array_header_t *providers; /* PbxDialAuthProvider: pbxdial_provider_t; NULL: "file" */
    pbxdial_filemap_t *linkpw;     /* PbxDialLinkPasswords; NULL: signed links refused */
    apr_int64_t lifetime;          /* PbxDialLinkLifetime, seconds; PBXDIAL_UNSET */
    apr_array_header_t *deny;      /* PbxDialDeny: pbxdial_policy_t *, this scope's and inherited */
    pbxdial_policy_t *own_deny;    /* the patterns of this scope, also in deny */
    pbxdial_policy_t *allow;       /* PbxDialAllow; NULL: any number */
    int connect;                   /* PbxDialConnect; PBXDIAL_UNSET: Off */
    int websocket;                 /* PbxDialWebSocket; PBXDIAL_UNSET: Off */
    int link_once;                 /* PbxDialLinkOnce; PBXDIAL_UNSET: Off */
    int rate_max;                  /* PbxDialRateLimit N (0: none); PBXDIAL_UNSET */
    apr_interval_time_t rate_window;
    int fail_max; /* PbxDialFailureLimit N (0: Off); PBXDIAL_UNSET: 5 */
    apr_interval_time_t fail_window;
    const char *websocket_path; /* PbxDialWebSocketPath; NULL: browsers use the PBX */
    int websocket_path_set;
    int domain_set;
    int extension_set;
    int usermap_set;
    int providers_set;
    int linkpw_set;
    int allow_set;
} pbxdial_dir_conf_t;

/* An authn provider named by PbxDialAuthProvider, looked up at start-up. */
typedef struct {
    const char *name;
    const void *provider; /* const authn_provider * (mod_auth.h) */
} pbxdial_provider_t;

extern module AP_MODULE_DECLARE_DATA pbxdial_module;

void *pbxdial_config_srv_create(apr_pool_t *p, server_rec *s);
void *pbxdial_config_srv_merge(apr_pool_t *p, void *basev, void *addv);
void *pbxdial_config_dir_create(apr_pool_t *p, char *dir);
void *pbxdial_config_dir_merge(apr_pool_t *p, void *basev, void *addv);

const char *pbxdial_config_set_server(cmd_parms *cmd, void *dc, const char *arg);
const char *pbxdial_config_set_public_server(cmd_parms *cmd, void *dc, const char *arg);
const char *pbxdial_config_set_admin(cmd_parms *cmd, void *dc, const char *user, const char *pw);
const char *pbxdial_config_set_timeout(cmd_parms *cmd, void *dc, const char *arg);
const char *pbxdial_config_set_ca_file(cmd_parms *cmd, void *dc, const char *arg);
const char *pbxdial_config_set_verify_peer(cmd_parms *cmd, void *dc, int on);
const char *pbxdial_config_set_domain(cmd_parms *cmd, void *dc, const char *arg);
const char *pbxdial_config_set_extension(cmd_parms *cmd, void *dc, const char *arg);
const char *pbxdial_config_set_usermap(cmd_parms *cmd, void *dc, const char *arg);
const char *pbxdial_config_set_auth_provider(cmd_parms *cmd, void *dc, const char *arg);
const char *pbxdial_config_set_link_passwords(cmd_parms *cmd, void *dc, const char *arg);
const char *pbxdial_config_set_link_lifetime(cmd_parms *cmd, void *dc, const char *arg);
const char *pbxdial_config_set_allow(cmd_parms *cmd, void *dc, const char *arg);
const char *pbxdial_config_set_deny(cmd_parms *cmd, void *dc, const char *arg);
const char *pbxdial_config_set_connect(cmd_parms *cmd, void *dc, int on);
const char *pbxdial_config_set_websocket(cmd_parms *cmd, void *dc, int on);
const char *pbxdial_config_set_link_once(cmd_parms *cmd, void *dc, int on);
const char *pbxdial_config_set_rate_limit(cmd_parms *cmd, void *dc, const char *n, const char *window);
const char *pbxdial_config_set_failure_limit(cmd_parms *cmd, void *dc, const char *n, const char *window);
const char *pbxdial_config_set_session_lifetime(cmd_parms *cmd, void *dc, const char *arg);
const char *pbxdial_config_set_websocket_path(cmd_parms *cmd, void *dc, const char *arg);
/* PbxDialCache PROVIDER[:ARGS] (main server only); the store keeps it (store.h). */
const char *pbxdial_config_set_cache(cmd_parms *cmd, void *dc, const char *arg);

/* Each directive's value with its default filled in: the one place that
 * knows the defaults (as mod_md's md_config_get*); nothing else reads an
 * unset field. */

/* PbxDialServer and PbxDialAdmin are both set: this server can reach a PBX. */
int pbxdial_config_has_pbx(const pbxdial_srv_conf_t *sc);
/* PbxDialTimeout: default 10 s. */
apr_interval_time_t pbxdial_config_timeout(const pbxdial_srv_conf_t *sc);
/* PbxDialVerifyPeer: default On. */
int pbxdial_config_verify_peer(const pbxdial_srv_conf_t *sc);
/* PbxDialSessionLifetime: default 900 s; 0 (Off): sessions are not cached. */
apr_interval_time_t pbxdial_config_session_lifetime(const pbxdial_srv_conf_t *sc);
/* The PBX address browsers use: PbxDialPublicServer, else PbxDialServer. */
const char *pbxdial_config_public_server(const pbxdial_srv_conf_t *sc);

/* PbxDialLinkLifetime in seconds: default 7200 (PBXDIAL_LINK_LIFETIME_DEFAULT). */
apr_int64_t pbxdial_config_link_lifetime(const pbxdial_dir_conf_t *dc);
/* PbxDialLinkOnce, PbxDialConnect, PbxDialWebSocket: 1 for On; default Off (0). */
int pbxdial_config_link_once(const pbxdial_dir_conf_t *dc);
int pbxdial_config_connect(const pbxdial_dir_conf_t *dc);
int pbxdial_config_websocket(const pbxdial_dir_conf_t *dc);
/* PbxDialRateLimit: the count per *window, 0 for no limit (the default). */
int pbxdial_config_rate_limit(const pbxdial_dir_conf_t *dc, apr_interval_time_t *window);
/* PbxDialFailureLimit: the count per *window, 0 for Off; default 5 in 600 s. */
int pbxdial_config_failure_limit(const pbxdial_dir_conf_t *dc, apr_interval_time_t *window);
/* PbxDialAuthProvider: sets *pv to the providers and returns how many;
 * default the "file" provider (looked up now, in p), none when its module
 * is not loaded. */
int pbxdial_config_auth_providers(apr_pool_t *p, const pbxdial_dir_conf_t *dc, const pbxdial_provider_t **pv);
/* PbxDialDeny: one policy per scope that writes it, this one's and the
 * enclosing ones' (pbxdial_policy_decide); *n of them, 0 by default. */
const pbxdial_policy_t *const *pbxdial_config_deny(const pbxdial_dir_conf_t *dc, int *n);

/* The server's settings for talking to the PBX, defaults filled in; with r,
 * every exchange is traced at LogLevel pbxdial:debug for that request, and
 * all of the request's exchanges end by r->request_time + PbxDialTimeout. */
void pbxdial_config_pbx(request_rec *r, const pbxdial_srv_conf_t *sc, pbxdial_pbx_conf_t *out);

/* check_config hook: refuses to start when a pbxdial handler is configured in
 * a server that lacks PbxDialServer or PbxDialAdmin (src/startup_check.c). */
int pbxdial_startup_check(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s);

/* The op code of a constant SetHandler (startup_check.c says why), 0 when
 * the probe fails; and the handler a section's SetHandler names when it is
 * that constant, else NULL (none, or an expression). */
int pbxdial_startup_literal_op(apr_pool_t *ptemp, int *op);
const char *pbxdial_startup_literal_handler(const core_dir_config *cd, int literal_op);

#endif
