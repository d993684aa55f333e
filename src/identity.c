/* Mapping of web users to PBX extensions. */
#include <apr_strings.h>

#include "identity.h"
#include "log.h"
#include "names.h"

static const char *identity_eval(request_rec *r, const ap_expr_info_t *expr, const char *directive)
{
    const char *err = NULL;
    const char *v = ap_expr_str_exec(r, expr, &err);

    if (err) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, PBXLOGNO(0201)
                      "%s (%s:%u) could not be evaluated: %s", directive,
                      expr->filename ? expr->filename : "?", expr->line_number, err);
        return NULL;
    }
    return v;
}

const char *pbxdial_identity_domain(request_rec *r, const pbxdial_dir_conf_t *dc)
{
    const char *domain = dc->domain ? identity_eval(r, dc->domain, "PbxDialDomain") : NULL;

    return domain && *domain ? domain : NULL;
}

const char *pbxdial_identity_map(request_rec *r, const pbxdial_dir_conf_t *dc, pbxdial_identity_t *id)
{
    const char *value, *ext, *domain;

    value = dc->usermap ? pbxdial_filemap_get(r, dc->usermap, r->user) : NULL;
    if (!value)
        value = dc->extension ? identity_eval(r, dc->extension, "PbxDialExtension") : r->user;
    pbxdial_names_split(r->pool, value, &ext, &domain);
    if (!pbxdial_names_extension_ok(ext)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, PBXLOGNO(0202)
                      "user \"%s\" maps to no valid PBX extension: PbxDialUserMap/PbxDialExtension gave \"%s\" "
                      "(an extension is 1-64 characters of A-Z a-z 0-9 . _ -)",
                      ap_escape_logitem(r->pool, r->user), value ? ap_escape_logitem(r->pool, value) : "");
        return "Your login does not map to a PBX extension (check PbxDialExtension).";
    }
    if (!domain) {
        domain = pbxdial_identity_domain(r, dc);
        if (!domain) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, PBXLOGNO(0203)
                          "no PBX domain for user \"%s\": set PbxDialDomain (e.g. "
                          "PbxDialDomain \"pbx.example.com\") or make PbxDialExtension give ext@domain",
                          ap_escape_logitem(r->pool, r->user));
            return "No PBX domain is configured for your login (check PbxDialDomain).";
        }
    }
    if (!pbxdial_names_domain_ok(domain)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, PBXLOGNO(0204)
                      "user \"%s\": \"%s\" is not a valid PBX domain (check PbxDialDomain)",
                      ap_escape_logitem(r->pool, r->user), ap_escape_logitem(r->pool, domain));
        return "Your login maps to an invalid PBX domain (check PbxDialDomain).";
    }
    id->ext = ext;
    id->domain = domain;
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, PBXLOGNO(0205)
                  "user \"%s\" is extension %s@%s", ap_escape_logitem(r->pool, r->user), ext, domain);
    return NULL;
}
