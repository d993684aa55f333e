/* Directive setters, create and merge. A bad value is refused here, so that
 * `apache2 -t` names the file and line; the message says what to write. */
#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_file_info.h>
#include <http_core.h>

#include "config.h"
#include "log.h"
#include "url.h"

void *pbxdial_config_srv_create(apr_pool_t *p, server_rec *s)
{
    pbxdial_srv_conf_t *sc = apr_pcalloc(p, sizeof(*sc));

    sc->timeout = PBXDIAL_UNSET;
    sc->verify_peer = PBXDIAL_UNSET;
    return sc;
}

void *pbxdial_config_srv_merge(apr_pool_t *p, void *basev, void *addv)
{
    const pbxdial_srv_conf_t *base = basev, *add = addv;
    pbxdial_srv_conf_t *sc = apr_pcalloc(p, sizeof(*sc));

    sc->server = add->server ? add->server : base->server;
    sc->public_server = add->public_server ? add->public_server : base->public_server;
    sc->admin_user = add->admin_user ? add->admin_user : base->admin_user;
    sc->admin_password = add->admin_user ? add->admin_password : base->admin_password;
    sc->timeout = add->timeout != PBXDIAL_UNSET ? add->timeout : base->timeout;
    sc->ca_file = add->ca_file ? add->ca_file : base->ca_file;
    sc->verify_peer = add->verify_peer != PBXDIAL_UNSET ? add->verify_peer : base->verify_peer;
    return sc;
}

void *pbxdial_config_dir_create(apr_pool_t *p, char *dir)
{
    return apr_pcalloc(p, sizeof(pbxdial_dir_conf_t));
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
    return dc;
}

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
    const char *err = pbxdial_url_check_public(cmd->pool, arg, &config_srv(cmd)->public_server);

    return err ? apr_psprintf(cmd->pool, "%s %s", cmd->cmd->name, err) : NULL;
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
        return apr_psprintf(cmd->pool, "cannot read password file %s: %pm; create it with the "
                            "password on its first line (chmod 0600)", path, &rv);
    if (apr_file_info_get(&fi, APR_FINFO_PROT, f) == APR_SUCCESS && (fi.protection & APR_FPROT_WREAD)) {
        apr_file_close(f);
        return apr_psprintf(cmd->pool, "password file %s is readable by everyone; "
                            "run chmod 0600 %s (or 0640 with group root)", path, path);
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
        return apr_psprintf(cmd->pool, "password file %s is empty; put the PBX admin password "
                            "on its first line", path);
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
        return apr_psprintf(cmd->pool, "PbxDialTimeout '%s' is not a positive duration; write "
                            "seconds (e.g. 10) or milliseconds with ms (e.g. 2500ms)", arg);
    if (t > apr_time_from_sec(300))
        return apr_psprintf(cmd->pool, "PbxDialTimeout '%s' is longer than 300 s; a web request "
                            "should not wait that long for the PBX", arg);
    config_srv(cmd)->timeout = t;
    return NULL;
}

const char *pbxdial_config_set_ca_file(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *path = ap_server_root_relative(cmd->pool, arg);
    apr_finfo_t fi;

    if (!path || apr_stat(&fi, path, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS
        || fi.filetype != APR_REG)
        return apr_psprintf(cmd->pool, "PbxDialCAFile '%s' is not a readable file; give the PEM "
                            "file of the CA that signed the PBX certificate", arg);
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
        return apr_psprintf(cmd->pool, "%s: cannot parse expression \"%s\": %s; write a string "
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

const char *pbxdial_config_set_usermap(cmd_parms *cmd, void *dcv, const char *arg)
{
    pbxdial_dir_conf_t *dc = dcv;
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const char *err;

    dc->usermap_set = 1;
    if (!strcasecmp(arg, "none")) {
        dc->usermap = NULL;
        return NULL;
    }
    if (!path || (err = pbxdial_usermap_open(cmd->pool, path, &dc->usermap)))
        return apr_psprintf(cmd->pool, "PbxDialUserMap: %s; each line is \"webuser extension\" "
                            "or \"webuser extension@domain\"", path ? err : arg);
    return NULL;
}

void pbxdial_config_pbx(const pbxdial_srv_conf_t *sc, pbxdial_pbx_conf_t *out)
{
    out->url = sc->server;
    out->admin_user = sc->admin_user;
    out->admin_password = sc->admin_password;
    out->timeout = sc->timeout != PBXDIAL_UNSET ? sc->timeout : PBXDIAL_DEFAULT_TIMEOUT;
    out->ca_file = sc->ca_file;
    out->verify_peer = sc->verify_peer != PBXDIAL_UNSET ? sc->verify_peer : 1;
}
