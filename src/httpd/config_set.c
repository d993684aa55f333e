/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Directive setters. A bad value is refused here, so that
 * `apache2 -t` names the file and line; the message says what to write. */
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

static pbxdial_srv_conf_t *config_srv(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &pbxdial_module);
}

const char *pbxdial_config_set_server(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = pbxdial_url_check_base(cmd->pool, arg, &config_srv(cmd)->server);

    return err ? apr_psprintf(cmd->pool, "%s %s", cmd->cmd->name, err) : NULL;
}

const char *pbxdial_config_set_public_server(cmd_parms *cmd, void *dc, const char *arg)
{
    pbxdial_srv_conf_t *sc = config_srv(cmd);
    const char *err = pbxdial_url_check_public(cmd->pool, arg, &sc->public_server);

    if (err)
        return apr_psprintf(cmd->pool, "%s %s", cmd->cmd->name, err);
    sc->public_server_where =
        apr_psprintf(cmd->pool, "line %d of %s", cmd->directive->line_num, cmd->directive->filename);
    return NULL;
}

/* "file:/path": the first line of that file, so the secret need not be in
 * httpd.conf. Read now, as root, before httpd drops privileges. */
static const char *config_read_secret(cmd_parms *cmd, const char *spec, const char **out)
{
    const char *path = ap_server_root_relative(cmd->pool, spec + 5);
    apr_file_t *f;
    apr_finfo_t fi;
    char line[1024];
    apr_size_t n;
    apr_status_t rv;

    if (!path || !spec[5])
        return "file: needs a path, e.g. file:/etc/apache2/pbx-admin.secret";
    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, cmd->temp_pool);
    if (rv != APR_SUCCESS)
        return apr_psprintf(cmd->pool,
                            "cannot read password file %s: %pm; create it with the "
                            "password on its first line (chmod 0600)",
                            path, &rv);
    if (apr_file_info_get(&fi, APR_FINFO_PROT, f) == APR_SUCCESS && (fi.protection & APR_FPROT_WREAD)) {
        apr_file_close(f);
        return apr_psprintf(cmd->pool,
                            "password file %s is readable by everyone; "
                            "run chmod 0600 %s (or 0640 with group root)",
                            path, path);
    }
    rv = apr_file_gets(line, sizeof(line), f);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF)
        return apr_psprintf(cmd->pool, "cannot read password file %s: %pm", path, &rv);
    if (rv == APR_EOF)
        line[0] = '\0';
    n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n == 0)
        return apr_psprintf(cmd->pool,
                            "password file %s is empty; put the PBX admin password "
                            "on its first line",
                            path);
    *out = apr_pstrdup(cmd->pool, line);
    memset(line, 0, sizeof(line));
    return NULL;
}

const char *pbxdial_config_set_admin(cmd_parms *cmd, void *dc, const char *user, const char *pw)
{
    pbxdial_srv_conf_t *sc = config_srv(cmd);
    const char *err;

    if (!*user)
        return "PbxDialAdmin needs a user name: PbxDialAdmin admin file:/etc/apache2/pbx-admin.secret";
    if (!strncmp(pw, "file:", 5)) {
        if ((err = config_read_secret(cmd, pw, &sc->admin_password)))
            return apr_psprintf(cmd->pool, "PbxDialAdmin: %s", err);
    }
    else if (!*pw) {
        return "PbxDialAdmin needs a password (or file:/path to a file holding it)";
    }
    else {
        sc->admin_password = pw;
    }
    sc->admin_user = user;
    return NULL;
}

const char *pbxdial_config_set_timeout(cmd_parms *cmd, void *dc, const char *arg)
{
    apr_interval_time_t t;

    if (ap_timeout_parameter_parse(arg, &t, "s") != APR_SUCCESS || t <= 0)
        return apr_psprintf(cmd->pool,
                            "PbxDialTimeout '%s' is not a positive duration; write "
                            "seconds (e.g. 10) or milliseconds with ms (e.g. 2500ms)",
                            arg);
    if (t > apr_time_from_sec(300))
        return apr_psprintf(cmd->pool,
                            "PbxDialTimeout '%s' is longer than 300 s; a web request "
                            "should not wait that long for the PBX",
                            arg);
    config_srv(cmd)->timeout = t;
    return NULL;
}

const char *pbxdial_config_set_ca_file(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *path = ap_server_root_relative(cmd->pool, arg);
    apr_finfo_t fi;

    if (!path || apr_stat(&fi, path, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS || fi.filetype != APR_REG)
        return apr_psprintf(cmd->pool,
                            "PbxDialCAFile '%s' is not a readable file; give the PEM "
                            "file of the CA that signed the PBX certificate",
                            arg);
    config_srv(cmd)->ca_file = path;
    return NULL;
}

const char *pbxdial_config_set_verify_peer(cmd_parms *cmd, void *dc, int on)
{
    config_srv(cmd)->verify_peer = on;
    return NULL;
}

static const char *config_parse_expr(cmd_parms *cmd, const char *arg, ap_expr_info_t **out)
{
    const char *err = NULL;

    *out = ap_expr_parse_cmd(cmd, arg, AP_EXPR_FLAG_STRING_RESULT, &err, NULL);
    if (err)
        return apr_psprintf(cmd->pool,
                            "%s: cannot parse expression \"%s\": %s; write a string "
                            "such as \"example.com\" or \"%%{REMOTE_USER}\" "
                            "(see https://httpd.apache.org/docs/2.4/expr.html)",
                            cmd->cmd->name, arg, err);
    return NULL;
}

const char *pbxdial_config_set_domain(cmd_parms *cmd, void *dcv, const char *arg)
{
    pbxdial_dir_conf_t *dc = dcv;

    dc->domain_set = 1;
    return config_parse_expr(cmd, arg, &dc->domain);
}

const char *pbxdial_config_set_extension(cmd_parms *cmd, void *dcv, const char *arg)
{
    pbxdial_dir_conf_t *dc = dcv;

    dc->extension_set = 1;
    return config_parse_expr(cmd, arg, &dc->extension);
}

/* The two file maps: "none" (to switch an inherited one off) or a path,
 * loaded now so that a bad line fails httpd -t. */
typedef struct {
    pbxdial_filemap_parse_fn *parse;
    int secret;       /* refuse a file everyone may read */
    const char *form; /* what a line looks like, for the error */
} config_map_kind_t;

static const char *config_set_map(cmd_parms *cmd, const char *arg, const config_map_kind_t *kind,
                                  pbxdial_filemap_t **map, int *set)
{
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const char *err;

    *set = 1;
    if (!strcasecmp(arg, "none")) {
        *map = NULL;
        return NULL;
    }
    if (!path || (err = pbxdial_filemap_open(cmd->pool, path, kind->parse, kind->secret, map)))
        return apr_psprintf(cmd->pool, "%s: %s; %s", cmd->cmd->name, path ? err : arg, kind->form);
    return NULL;
}

const char *pbxdial_config_set_usermap(cmd_parms *cmd, void *dcv, const char *arg)
{
    static const config_map_kind_t usermap = {
        pbxdial_usermap_parse, 0, "each line is \"webuser extension\" or \"webuser extension@domain\""};
    pbxdial_dir_conf_t *dc = dcv;

    return config_set_map(cmd, arg, &usermap, &dc->usermap, &dc->usermap_set);
}

const char *pbxdial_config_set_auth_provider(cmd_parms *cmd, void *dcv, const char *arg)
{
    pbxdial_dir_conf_t *dc = dcv;
    pbxdial_provider_t *pv;
    const authn_provider *ap;

    /* looked up now, as mod_auth_basic does: a typo fails httpd -t */
    ap = ap_lookup_provider(AUTHN_PROVIDER_GROUP, arg, AUTHN_PROVIDER_VERSION);
    if (!ap)
        return apr_psprintf(cmd->pool,
                            "PbxDialAuthProvider: unknown authn provider \"%s\"; load "
                            "its module (e.g. mod_authn_file for \"file\") or use \"pbx\"",
                            arg);
    if (!ap->check_password)
        return apr_psprintf(cmd->pool,
                            "PbxDialAuthProvider: the \"%s\" provider cannot check "
                            "passwords",
                            arg);
    if (!dc->providers_set || !dc->providers) {
        dc->providers = apr_array_make(cmd->pool, 2, sizeof(pbxdial_provider_t));
        dc->providers_set = 1;
    }
    pv = apr_array_push(dc->providers);
    pv->name = arg;
    pv->provider = ap;
    return NULL;
}

const char *pbxdial_config_set_link_passwords(cmd_parms *cmd, void *dcv, const char *arg)
{
    static const config_map_kind_t linkpw = {pbxdial_linkpw_parse, 1, "each line is \"user:password\""};
    pbxdial_dir_conf_t *dc = dcv;

    return config_set_map(cmd, arg, &linkpw, &dc->linkpw, &dc->linkpw_set);
}

const char *pbxdial_config_set_link_lifetime(cmd_parms *cmd, void *dcv, const char *arg)
{
    pbxdial_dir_conf_t *dc = dcv;
    apr_interval_time_t t;

    if (ap_timeout_parameter_parse(arg, &t, "s") != APR_SUCCESS || t < apr_time_from_sec(1)
        || t > apr_time_from_sec(366 * 86400))
        return apr_psprintf(cmd->pool,
                            "PbxDialLinkLifetime '%s' is not a duration between 1 s "
                            "and a year; write seconds, e.g. 7200, or 2h",
                            arg);
    dc->lifetime = apr_time_sec(t);
    return NULL;
}

static const char *config_add_pattern(cmd_parms *cmd, pbxdial_policy_t **pol, int deny, const char *arg)
{
    const char *err = pbxdial_policy_add(cmd->pool, pol, deny, arg);

    return err ? apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err) : NULL;
}

const char *pbxdial_config_set_allow(cmd_parms *cmd, void *dcv, const char *arg)
{
    pbxdial_dir_conf_t *dc = dcv;

    dc->allow_set = 1;
    return config_add_pattern(cmd, &dc->allow, 0, arg);
}

const char *pbxdial_config_set_deny(cmd_parms *cmd, void *dcv, const char *arg)
{
    pbxdial_dir_conf_t *dc = dcv;

    if (!dc->own_deny) {
        const char *err = config_add_pattern(cmd, &dc->own_deny, 1, arg);
        if (err)
            return err;
        dc->deny = apr_array_make(cmd->pool, 1, sizeof(pbxdial_policy_t *));
        APR_ARRAY_PUSH(dc->deny, pbxdial_policy_t *) = dc->own_deny;
        return NULL;
    }
    return config_add_pattern(cmd, &dc->own_deny, 1, arg);
}

const char *pbxdial_config_set_connect(cmd_parms *cmd, void *dcv, int on)
{
    ((pbxdial_dir_conf_t *)dcv)->connect = on;
    return NULL;
}

const char *pbxdial_config_set_websocket(cmd_parms *cmd, void *dcv, int on)
{
    ((pbxdial_dir_conf_t *)dcv)->websocket = on;
    return NULL;
}

const char *pbxdial_config_set_websocket_path(cmd_parms *cmd, void *dcv, const char *arg)
{
    pbxdial_dir_conf_t *dc = dcv;
    const char *c;

    dc->websocket_path_set = 1;
    if (!strcasecmp(arg, "none")) {
        dc->websocket_path = NULL;
        return NULL;
    }
    /* a path on this site: the browser adds scheme and host itself */
    if (arg[0] != '/' || arg[1] == '/')
        return apr_psprintf(cmd->pool,
                            "PbxDialWebSocketPath '%s' must be a path on this site, "
                            "e.g. /pbx/websocket (the <Location> with PbxDialWebSocket On)",
                            arg);
    for (c = arg; *c; c++)
        if (*c == '?' || *c == '#' || *c == '"' || *c == '\\' || (unsigned char)*c <= ' ')
            return apr_psprintf(cmd->pool,
                                "PbxDialWebSocketPath '%s' must be a plain path without "
                                "query, spaces or quotes",
                                arg);
    dc->websocket_path = arg;
    return NULL;
}

const char *pbxdial_config_set_link_once(cmd_parms *cmd, void *dcv, int on)
{
    ((pbxdial_dir_conf_t *)dcv)->link_once = on;
    return NULL;
}

/* "N DURATION" for the limits; N 0 or "Off" turns the limit off. */
static const char *config_limit(cmd_parms *cmd, const char *n, const char *window, int *max,
                                apr_interval_time_t *win)
{
    apr_interval_time_t t;
    char *end;
    long v;

    if (!strcasecmp(n, "off") && !window) {
        *max = 0;
        *win = 0;
        return NULL;
    }
    v = strtol(n, &end, 10);
    if (*end || v < 0 || v > 1000000 || !window || ap_timeout_parameter_parse(window, &t, "s") != APR_SUCCESS
        || t < apr_time_from_sec(1) || t > apr_time_from_sec(86400))
        return apr_psprintf(cmd->pool,
                            "%s needs a count and a duration of 1 s to 1 day, e.g. "
                            "\"%s 10 60\" (10 per minute), or Off",
                            cmd->cmd->name, cmd->cmd->name);
    *max = (int)v;
    *win = t;
    return NULL;
}

const char *pbxdial_config_set_rate_limit(cmd_parms *cmd, void *dcv, const char *n, const char *window)
{
    pbxdial_dir_conf_t *dc = dcv;

    return config_limit(cmd, n, window, &dc->rate_max, &dc->rate_window);
}

const char *pbxdial_config_set_failure_limit(cmd_parms *cmd, void *dcv, const char *n, const char *window)
{
    pbxdial_dir_conf_t *dc = dcv;

    return config_limit(cmd, n, window, &dc->fail_max, &dc->fail_window);
}

const char *pbxdial_config_set_session_lifetime(cmd_parms *cmd, void *dcv, const char *arg)
{
    apr_interval_time_t t;

    if (!strcasecmp(arg, "off")) {
        config_srv(cmd)->session_lifetime = 0;
        return NULL;
    }
    if (ap_timeout_parameter_parse(arg, &t, "s") != APR_SUCCESS || t < apr_time_from_sec(1)
        || t > apr_time_from_sec(3000))
        return apr_psprintf(cmd->pool,
                            "PbxDialSessionLifetime '%s' must be between 1 s and 3000 s "
                            "(the PBX's web sessions last 3600 s by default), or Off",
                            arg);
    config_srv(cmd)->session_lifetime = t;
    return NULL;
}

const char *pbxdial_config_set_cache(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    const char *sep = strchr(arg, ':');
    const char *name = sep ? apr_pstrmemdup(cmd->pool, arg, sep - arg) : arg;

    if (err)
        return err;
    /* looked up now so that a typo or a missing module fails httpd -t */
    if (!ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name, AP_SOCACHE_PROVIDER_VERSION))
        return apr_psprintf(cmd->pool,
                            "PbxDialCache: unknown cache \"%s\"; load its module "
                            "(e.g. LoadModule socache_%s_module) or use shmcb, memcache:HOST:PORT "
                            "or redis:HOST:PORT",
                            name, name);
    pbxdial_store_configure(arg, cmd->directive ? cmd->directive->filename : "?",
                            cmd->directive ? (unsigned)cmd->directive->line_num : 0);
    return NULL;
}
