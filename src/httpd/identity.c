/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Mapping of web users to PBX extensions, and the tenant rule: where
 * PbxDialDomain is set, the server pins the tenant and no request, mapping
 * or link can name another one (ext@other-domain is refused, not dialled).
 * Without PbxDialDomain, ext@domain from the admin's mapping is honoured:
 * that is how one location serves several tenants on purpose. */
#include <apr_strings.h>

#include "httpd/identity.h"
#include "httpd/log.h"
#include "core/account.h"

static const char *identity_eval(request_rec *r, const ap_expr_info_t *expr, const char *directive, int quiet)
{
    const char *err = NULL;
    const char *v = ap_expr_str_exec(r, expr, &err);

    if (err) {
        if (!quiet)
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, PBXLOGNO(0201) "%s (%s:%u) could not be evaluated: %s",
                          directive, expr->filename ? expr->filename : "?", expr->line_number, err);
        return NULL;
    }
    return v;
}

static pbxdial_tenant_e identity_pin(request_rec *r, const pbxdial_dir_conf_t *dc, const char *name,
                                     const char *what, pbxdial_identity_t *id, int quiet)
{
    const char *ext, *given, *named = NULL, *tenant, *v;

    pbxdial_account_split(r->pool, name, &ext, &given);
    /* "40@other.com@example.com" splits into ext "40@other.com": no extension */
    if (!pbxdial_account_extension_ok(ext))
        return PBXDIAL_TENANT_BAD_NAME;
    if (given && !(named = pbxdial_account_domain_canonical(r->pool, given)))
        return PBXDIAL_TENANT_BAD_NAME;
    if (dc->domain) {
        /* set but unusable: refuse rather than trust the name's @domain */
        v = identity_eval(r, dc->domain, "PbxDialDomain", quiet);
        if (!(tenant = v ? pbxdial_account_domain_canonical(r->pool, v) : NULL)) {
            if (!quiet)
                ap_log_rerror(
                    APLOG_MARK, APLOG_ERR, 0, r,
                    PBXLOGNO(0206) "PbxDialDomain (%s:%u) gives no valid PBX domain (\"%s\") for %s \"%s\": "
                                   "refused; make it a domain such as PbxDialDomain \"pbx.example.com\"",
                    dc->domain->filename ? dc->domain->filename : "?", dc->domain->line_number,
                    v ? ap_escape_logitem(r->pool, v) : "", what, ap_escape_logitem(r->pool, name));
            return PBXDIAL_TENANT_UNAVAILABLE;
        }
        if (named && strcmp(named, tenant)) {
            if (!quiet)
                ap_log_rerror(
                    APLOG_MARK, APLOG_WARNING, 0, r,
                    PBXLOGNO(0207) "%s \"%s\" is in PBX tenant %s, but PbxDialDomain pins %s to tenant %s: "
                                   "refused without asking the PBX",
                    what, ap_escape_logitem(r->pool, name), named, r->uri, tenant);
            return PBXDIAL_TENANT_OTHER;
        }
    }
    else if (!(tenant = named))
        return PBXDIAL_TENANT_NO_DOMAIN;
    id->ext = ext;
    id->domain = tenant;
    return PBXDIAL_TENANT_OK;
}

pbxdial_tenant_e pbxdial_identity_pin(request_rec *r, const pbxdial_dir_conf_t *dc, const char *name,
                                      const char *what, pbxdial_identity_t *id)
{
    return identity_pin(r, dc, name, what, id, 0);
}

const char *pbxdial_identity_key(request_rec *r, const pbxdial_dir_conf_t *dc, const char *name)
{
    pbxdial_identity_t id;

    if (name && identity_pin(r, dc, name, "", &id, 1) == PBXDIAL_TENANT_OK)
        return apr_pstrcat(r->pool, id.ext, "@", id.domain, NULL);
    return name;
}

pbxdial_tenant_e pbxdial_identity_resolve(request_rec *r, const pbxdial_dir_conf_t *dc,
                                          pbxdial_identity_t *id, const char **msg)
{
    const char *value, *user = r->user ? ap_escape_logitem(r->pool, r->user) : "";
    pbxdial_tenant_e t;

    value = dc->usermap ? pbxdial_filemap_get(r, dc->usermap, r->user) : NULL;
    if (!value)
        value = dc->extension ? identity_eval(r, dc->extension, "PbxDialExtension", 0) : r->user;
    t = identity_pin(r, dc, value, apr_psprintf(r->pool, "web user \"%s\" maps to", user), id, 0);
    switch (t) {
    case PBXDIAL_TENANT_OK:
        *msg = NULL;
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, PBXLOGNO(0205) "user \"%s\" is extension %s@%s", user,
                      id->ext, id->domain);
        break;
    case PBXDIAL_TENANT_BAD_NAME:
        ap_log_rerror(
            APLOG_MARK, APLOG_WARNING, 0, r,
            PBXLOGNO(0202) "user \"%s\" maps to no valid PBX extension: PbxDialUserMap/PbxDialExtension gave "
                           "\"%s\" "
                           "(an extension is 1-64 characters of A-Z a-z 0-9 . _ -, optionally @domain)",
            user, value ? ap_escape_logitem(r->pool, value) : "");
        *msg = "Your login does not map to a PBX extension (check PbxDialExtension).";
        break;
    case PBXDIAL_TENANT_NO_DOMAIN:
        ap_log_rerror(
            APLOG_MARK, APLOG_WARNING, 0, r,
            PBXLOGNO(0203) "no PBX domain for user \"%s\": set PbxDialDomain (e.g. "
                           "PbxDialDomain \"pbx.example.com\") or make PbxDialExtension give ext@domain",
            user);
        *msg = "No PBX domain is configured for your login (check PbxDialDomain).";
        break;
    case PBXDIAL_TENANT_UNAVAILABLE:
        *msg = "No PBX domain can be determined for your login (check PbxDialDomain).";
        break;
    case PBXDIAL_TENANT_OTHER:
        *msg = "Your login belongs to another PBX tenant than the one this site serves (PbxDialDomain).";
        break;
    }
    return t;
}

const char *pbxdial_identity_map(request_rec *r, const pbxdial_dir_conf_t *dc, pbxdial_identity_t *id)
{
    const char *msg;

    pbxdial_identity_resolve(r, dc, id, &msg);
    return msg;
}
