/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The file-system walk for the module's handlers. httpd's map_to_storage
 * (core_map_to_storage: directory_walk + file_walk) stat()s every segment of
 * DocumentRoot + URL and merges <Directory>, <Files> and .htaccess sections;
 * our handlers serve no file, so for them it costs ~5 system calls a request
 * and can only matter through those sections. mod_proxy skips it for proxied
 * requests by returning OK from map_to_storage; we do the same, but only
 * where the sections the walk would merge cannot change the outcome:
 *
 * per server, at start-up (else the walk always runs, PBXDIAL1061):
 *  - no .htaccess can be read: AllowOverride (and AllowOverrideList) is None
 *    in the server's defaults and in every <Directory>/<DirectoryMatch>;
 *  - every <Directory>, <DirectoryMatch>, <Files>, <FilesMatch> (and what is
 *    nested in them) holds only directives of storage_harmless: those that
 *    only matter for serving files; Require, which the <Location>'s own
 *    Require replaces (mod_authz_core merges a later section's Require over
 *    an earlier one's unless AuthMerging says otherwise); SetHandler, which
 *    the <Location>'s literal SetHandler replaces the same way (core merges
 *    <Location> after <Directory> and <Files>; Debian's php-fpm puts one in
 *    a <FilesMatch>). So no PbxDial* directive, Order/Deny, <If>, <Limit>,
 *    Header, Rewrite*, LimitRequestBody... in them;
 *  - no AuthMerging And/Or anywhere (it would combine <Directory> Require
 *    with the <Location>'s);
 * per request (else DECLINED):
 *  - a main request, not proxied, not TRACE (core answers TRACE in
 *    map_to_storage), with r->filename from translate_name;
 *  - the <Location>s matching the URL set one of our handlers by a literal
 *    SetHandler, and require authentication (AuthType, and a Require that
 *    needs a user): then the <Location>'s Require is the one that applies,
 *    walk or not. A handler location without authentication (callback.js,
 *    a public status page, a login that relies on <Directory> Require) is
 *    walked: there a <Directory> Require may be the only protection.
 *
 * Skipping leaves r->filename as translate_name made it (DocumentRoot +
 * URI, as mod_proxy leaves its "proxy:" name) and r->finfo empty (no file,
 * as the walk leaves it for a path that does not exist); nothing in the
 * module reads either. The location walk that runs after map_to_storage
 * merges the same <Location> sections as before. */
#include <apr_hash.h>
#include <apr_strings.h>
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_request.h>

#include "httpd/config.h"
#include "httpd/handlers.h"
#include "httpd/log.h"
#include "httpd/storage.h"

/* Per server: why the walk must always run ("": it may be skipped). */
typedef struct {
    apr_hash_t *reasons; /* server_rec * -> const char * reason */
    int literal_op;      /* op code of a constant ap_expr string */
    int have_literal_op;
} storage_state_t;

/* Built in pconf by post_config, read-only in the children (fork copies it). */
static storage_state_t *storage;

/* Directives that may stand in a <Directory>/<Files> section without
 * forcing the walk. Each either only affects how a file is served or
 * listed, which our handlers never do, or is Require or SetHandler, which
 * the <Location>'s own replace (the skip needs both in the <Location>).
 * Everything else (unknown modules included) keeps the walk: fail closed. */
static const char *const storage_harmless[] = {
    "Options",        "AllowOverride", "AllowOverrideList", "Require",
    "<RequireAll",    "<RequireAny",   "<RequireNone",      "DirectoryIndex",
    "DirectorySlash", "IndexOptions",  "IndexIgnore",       "IndexOrderDefault",
    "HeaderName",     "ReadmeName",    "AddIcon",           "AddIconByType",
    "AddDescription", "DefaultIcon",   "AddType",           "AddCharset",
    "AddLanguage",    "AddEncoding",   "SSLOptions",        "EnableSendfile",
    "EnableMMAP",     "FileETag",      "SetHandler",        NULL};

static int storage_is_harmless(const char *name)
{
    const char *const *h;

    for (h = storage_harmless; *h; h++)
        if (!strcasecmp(name, *h))
            return 1;
    return 0;
}

static int storage_is_file_section(const char *name)
{
    return !strcasecmp(name, "<Directory") || !strcasecmp(name, "<DirectoryMatch")
           || !strcasecmp(name, "<Files") || !strcasecmp(name, "<FilesMatch");
}

/* The server a <VirtualHost> node of the tree became (httpd records where
 * each virtual host was defined), NULL for an unknown one. */
static server_rec *storage_vhost_of(server_rec *s, const ap_directive_t *node)
{
    for (; s; s = s->next)
        if (s->is_virtual && s->defn_name && node->filename && !strcmp(s->defn_name, node->filename)
            && s->defn_line_number == (unsigned)node->line_num)
            return s;
    return NULL;
}

static void storage_note(apr_pool_t *p, apr_hash_t *reasons, server_rec *key, const ap_directive_t *node,
                         const char *why)
{
    const char *r;

    if (apr_hash_get(reasons, &key, sizeof(key)))
        return; /* the first reason is enough to explain */
    r = apr_psprintf(p, "%s %s on line %d of %s %s", node->directive, node->args ? node->args : "",
                     node->line_num, node->filename ? node->filename : "?", why);
    apr_hash_set(reasons, apr_pmemdup(p, &key, sizeof(key)), sizeof(key), r);
}

/* Walks the configuration tree; key is the <VirtualHost>'s server (NULL
 * for the main server's context, which every virtual host inherits). An
 * unknown <VirtualHost> counts as the main server: every server walks. */
static void storage_scan(apr_pool_t *p, apr_hash_t *reasons, server_rec *s, server_rec *key,
                         const ap_directive_t *node, const ap_directive_t *file_section)
{
    for (; node; node = node->next) {
        const char *name = node->directive;
        server_rec *k = key;
        const ap_directive_t *fs = file_section;

        if (!name)
            continue;
        if (!strcasecmp(name, "AuthMerging") && node->args && strcasecmp(node->args, "off"))
            storage_note(p, reasons, key, node, "combines <Directory> Require with the <Location>'s");
        /* a <Files> in a <Directory> is judged by what it holds */
        if (file_section && !storage_is_harmless(name) && !storage_is_file_section(name)) {
            storage_note(p, reasons, key, node,
                         apr_psprintf(p, "is inside %s %s (line %d), which only the walk applies",
                                      file_section->directive, file_section->args, file_section->line_num));
            continue;
        }
        if (!strcasecmp(name, "<VirtualHost"))
            k = storage_vhost_of(s, node);
        else if (!file_section && storage_is_file_section(name))
            fs = node;
        storage_scan(p, reasons, s, k, node->first_child, fs);
    }
}

/* Whether this section (or the server's defaults) lets .htaccess files in. */
static int storage_overrides(const core_dir_config *cd)
{
    return cd && (((cd->override & ~OR_UNSET) != OR_NONE) || cd->override_list);
}

static const char *storage_override_reason(apr_pool_t *p, server_rec *s)
{
    const core_server_config *csc = ap_get_core_module_config(s->module_config);
    int i;

    if (storage_overrides(ap_get_core_module_config(s->lookup_defaults)))
        return "AllowOverride is not None by default: .htaccess files would be read";
    for (i = 0; csc->sec_dir && i < csc->sec_dir->nelts; i++) {
        const core_dir_config *cd =
            ap_get_core_module_config(APR_ARRAY_IDX(csc->sec_dir, i, ap_conf_vector_t *));
        if (storage_overrides(cd))
            return apr_psprintf(p, "AllowOverride in <Directory %s>: .htaccess files would be read",
                                cd->d ? cd->d : "?");
    }
    return NULL;
}

/* The handler a literal SetHandler names (startup_check.c), NULL for none
 * or an expression, which could name another handler later: fail closed. */
static const char *storage_literal_handler(const core_dir_config *cd)
{
    if (!storage || !storage->have_literal_op)
        return NULL;
    return pbxdial_startup_literal_handler(cd, storage->literal_op);
}

static int storage_is_ours(const char *h)
{
    return h
           && (!strcmp(h, PBXDIAL_HANDLER_LOGIN) || !strcmp(h, PBXDIAL_HANDLER_CALL)
               || !strcmp(h, PBXDIAL_HANDLER_SCRIPT) || !strcmp(h, PBXDIAL_HANDLER_STATUS));
}

/* "<Location /a> (pbxdial-login), ..." for this server's handler locations. */
static const char *storage_locations(apr_pool_t *p, server_rec *s)
{
    const core_server_config *csc = ap_get_core_module_config(s->module_config);
    const char *list = NULL;
    int i;

    for (i = 0; csc->sec_url && i < csc->sec_url->nelts; i++) {
        const core_dir_config *cd =
            ap_get_core_module_config(APR_ARRAY_IDX(csc->sec_url, i, ap_conf_vector_t *));
        const char *h = storage_literal_handler(cd);

        if (!storage_is_ours(h))
            continue;
        list = apr_psprintf(p, "%s%s<Location%s %s> (%s)", list ? list : "", list ? ", " : "",
                            cd->r ? "Match" : "", cd->d ? cd->d : "?", h);
    }
    return list;
}

int pbxdial_storage_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    apr_hash_t *scanned = apr_hash_make(ptemp);
    server_rec *main_s = s, *none = NULL;
    const char *main_reason;

    storage = apr_pcalloc(pconf, sizeof(*storage));
    storage->reasons = apr_hash_make(pconf);
    storage->have_literal_op = pbxdial_startup_literal_op(ptemp, &storage->literal_op);
    storage_scan(ptemp, scanned, main_s, NULL, ap_conftree, NULL);
    main_reason = apr_hash_get(scanned, &none, sizeof(none));
    for (; s; s = s->next) {
        const char *why = main_reason ? main_reason : apr_hash_get(scanned, &s, sizeof(s));
        const char *where = storage_locations(ptemp, s);
        const char *name = s->server_hostname ? s->server_hostname : "the main server";

        if (!why)
            why = storage_override_reason(ptemp, s);
        /* nothing to skip for: requests then cost a hash look-up, not a
         * second location walk */
        if (!why && !where)
            why = "no <Location> with a literal SetHandler of the module";
        if (!storage->have_literal_op)
            why = "the SetHandler probe failed";
        /* "" for a server that may skip: a server missing here walks */
        apr_hash_set(storage->reasons, apr_pmemdup(pconf, &s, sizeof(s)), sizeof(s),
                     apr_pstrdup(pconf, why ? why : ""));
        if (!where)
            continue;
        if (why)
            ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                         PBXLOGNO(1061) "%s (%s:%u): the file-system walk runs for %s as for files, "
                                        "because of %s",
                         name, s->defn_name ? s->defn_name : "-", s->defn_line_number, where, why);
        else
            ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                         PBXLOGNO(1060) "%s (%s:%u): requests to %s that the <Location> itself requires "
                                        "authentication for skip the file-system walk, as mod_proxy's "
                                        "do: <Directory>, <Files> and .htaccess do not apply to them; "
                                        "without AuthType and Require in the <Location> the walk runs",
                         name, s->defn_name ? s->defn_name : "-", s->defn_line_number, where);
    }
    return OK;
}

int pbxdial_storage_map(request_rec *r)
{
    const char *why, *h;
    int skip;

    if (!storage || r->main || r->proxyreq || r->method_number == M_TRACE || !r->filename)
        return DECLINED;
    why = apr_hash_get(storage->reasons, &r->server, sizeof(r->server));
    if (!why || *why)
        return DECLINED;
    /* map_to_storage starts from the server's defaults; the <Location>
     * merge is cached, so this walk and the one after map_to_storage cost
     * one merge, as before */
    ap_location_walk(r);
    h = storage_literal_handler(ap_get_core_module_config(r->per_dir_config));
    skip = storage_is_ours(h) && ap_auth_type(r) && ap_some_authn_required(r);
    /* core's walk (when we decline) and the location walk after us both
     * start from the server's defaults, as without this hook */
    r->per_dir_config = r->server->lookup_defaults;
    if (!skip)
        return DECLINED;
    ap_log_rerror(
        APLOG_MARK, APLOG_TRACE1, 0, r,
        PBXLOGNO(1062) "%s: no file-system walk (SetHandler %s with authentication in the <Location>)",
        r->uri, h);
    return OK;
}
