/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Start-up check: a pbxdial handler configured in a server that cannot reach
 * the PBX would only fail at the first click, so refuse to start instead.
 * Runs as check_config, which `apache2 -t` also runs. */
#include <apr_hash.h>
#include <apr_strings.h>
#include <http_core.h>

#include "httpd/config.h"
#include "httpd/store.h"
#include "httpd/handlers.h"
#include "httpd/log.h"

/* SetHandler stores an ap_expr. Its node type is private, but every node
 * starts with its op code, and a constant string (SetHandler pbxdial-login)
 * is returned by ap_expr_str_exec without touching the request. So we compare
 * the op code with that of a literal we parse ourselves, and only on a match
 * ask for the string. Dynamic SetHandler expressions are left to the run-time
 * check in the handlers. */
int pbxdial_startup_literal_op(apr_pool_t *ptemp, int *op)
{
    ap_expr_info_t info = {0};

    info.flags = AP_EXPR_FLAG_STRING_RESULT;
    info.filename = "mod_pbxdial";
    if (ap_expr_parse(ptemp, ptemp, &info, "pbxdial-probe", NULL) || !info.root_node)
        return 0;
    *op = *(const int *)info.root_node;
    return 1;
}

const char *pbxdial_startup_literal_handler(const core_dir_config *cd, int literal_op)
{
    const char *err = NULL, *h;

    if (!cd || !cd->expr_handler || !cd->expr_handler->root_node
        || *(const int *)cd->expr_handler->root_node != literal_op)
        return NULL;
    h = ap_expr_str_exec(NULL, cd->expr_handler, &err);
    return err ? NULL : h;
}

static const char *check_section_handler(const ap_conf_vector_t *sec, int literal_op, const char **where,
                                         unsigned *line)
{
    const core_dir_config *cd = ap_get_core_module_config(sec);
    const char *h = pbxdial_startup_literal_handler(cd, literal_op);

    *where = "?";
    *line = 0;
    if (!h)
        return NULL;
    if (cd->expr_handler->filename)
        *where = cd->expr_handler->filename;
    *line = cd->expr_handler->line_number;
    return h;
}

static int check_needs_pbx(const char *handler)
{
    return handler && (!strcmp(handler, PBXDIAL_HANDLER_LOGIN) || !strcmp(handler, PBXDIAL_HANDLER_CALL));
}

/* Counts the problems in these sections and the <Files>/<If> inside them. */
static int check_sections(server_rec *s, const pbxdial_srv_conf_t *sc, const apr_array_header_t *secs,
                          int literal_op)
{
    int i, problems = 0;

    for (i = 0; secs && i < secs->nelts; i++) {
        ap_conf_vector_t *sec = APR_ARRAY_IDX(secs, i, ap_conf_vector_t *);
        const core_dir_config *cd = ap_get_core_module_config(sec);
        const char *where;
        unsigned line;
        const char *h = check_section_handler(sec, literal_op, &where, &line);

        if (check_needs_pbx(h) && (!sc->server || !sc->admin_user)) {
            ap_log_error(
                APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, NULL,
                PBXLOGNO(0001) "SetHandler %s on line %u of %s (section %s) needs %s%s%s in the server "
                               "config or in the <VirtualHost> of %s; add e.g. "
                               "\"PbxDialServer https://pbx.example.com\" and "
                               "\"PbxDialAdmin admin file:/etc/apache2/pbx-admin.secret\"",
                h, line, where, cd && cd->d ? cd->d : "?", sc->server ? "" : "PbxDialServer",
                !sc->server && !sc->admin_user ? " and " : "", sc->admin_user ? "" : "PbxDialAdmin",
                s->server_hostname ? s->server_hostname : "the main server");
            problems++;
        }
        if (cd) {
            problems += check_sections(s, sc, cd->sec_file, literal_op);
            problems += check_sections(s, sc, cd->sec_if, literal_op);
        }
    }
    return problems;
}

/* A warning, not an error: a lab or a same-origin-only site may mean it.
 * In the cookie mode the browser gets a PBX session and uses it on the PBX
 * directly, so over http: anyone on the path can take it. Once per
 * directive, however many virtual hosts inherit it. */
static void check_public_server(apr_pool_t *ptemp, server_rec *s)
{
    apr_hash_t *seen = apr_hash_make(ptemp);

    for (; s; s = s->next) {
        const pbxdial_srv_conf_t *sc = ap_get_module_config(s->module_config, &pbxdial_module);
        const char *where = sc->public_server_where ? sc->public_server_where : "?";

        if (!sc->public_server || strncasecmp(sc->public_server, "http://", 7)
            || apr_hash_get(seen, where, APR_HASH_KEY_STRING))
            continue;
        apr_hash_set(seen, where, APR_HASH_KEY_STRING, where);
        ap_log_error(
            APLOG_MARK, APLOG_STARTUP | APLOG_WARNING, 0, NULL,
            PBXLOGNO(1040) "PbxDialPublicServer %s on %s is plain http: in the cookie mode browsers "
                           "get a PBX session from /rest/pbxlogin and send it to the PBX unencrypted; "
                           "write the PBX's https:// address instead, e.g. \"PbxDialPublicServer "
                           "https://pbx.example.com\", or use the same-origin mode (PbxDialWebSocketPath "
                           "and PbxDialWebSocket On), where browsers never talk to the PBX",
            sc->public_server, where);
    }
}

int pbxdial_startup_check(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    int literal_op, problems = 0;

    check_public_server(ptemp, s);
    if (pbxdial_store_check_config(s) != OK)
        problems++;
    if (!pbxdial_startup_literal_op(ptemp, &literal_op))
        return problems ? HTTP_INTERNAL_SERVER_ERROR : OK; /* the handlers check at run time */
    for (; s; s = s->next) {
        const pbxdial_srv_conf_t *sc = ap_get_module_config(s->module_config, &pbxdial_module);
        const core_server_config *csc = ap_get_core_module_config(s->module_config);

        problems += check_sections(s, sc, csc->sec_dir, literal_op);
        problems += check_sections(s, sc, csc->sec_url, literal_op);
    }
    return problems ? HTTP_INTERNAL_SERVER_ERROR : OK;
}
