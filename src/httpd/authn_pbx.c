/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The `pbx` authn provider: checks a user/password pair against the PBX's own
 * extension passwords, so `AuthBasicProvider pbx` (or AuthFormProvider, or
 * behind mod_authn_socache) lets users log in with their PBX credentials.
 * The PBX only says yes or no, not whether the user exists: a refusal is
 * AUTH_DENIED, so list `pbx` after providers that know their users.
 * Only users of the location's tenant (PbxDialDomain, required) are
 * checked, and only within PbxDialFailureLimit. */
#include <apr_strings.h>
#include <apr_md5.h>
#include <apr_optional.h>
#include <ap_provider.h>
#include <http_request.h>
#include <mod_auth.h>

#include "httpd/authn_pbx.h"
#include "httpd/config.h"
#include "httpd/identity.h"
#include "httpd/log.h"
#include "httpd/throttle.h"

/* mod_authn_socache caches what a provider stores through this; the PBX
 * gives no hash of its own, so we store a fresh bcrypt hash of the password
 * that it accepted, which mod_authn_socache then verifies. */
static APR_OPTIONAL_FN_TYPE(ap_authn_cache_store) * authn_pbx_cache_store;

void pbxdial_authn_pbx_retrieve(void)
{
    authn_pbx_cache_store = APR_RETRIEVE_OPTIONAL_FN(ap_authn_cache_store);
}

/* Stored under the identity the PBX checked (ext@domain, canonical), so
 * the entry says which tenant's password it is. mod_authn_socache looks up
 * what the client types, so a login typed as a bare "40" would never find
 * it; that spelling is stored too, under the location's pinned tenant, and
 * is as tenant-safe as AuthnCacheContext: the default (host + directory)
 * never spans two PbxDialDomain values unless PbxDialDomain varies within
 * one host and directory. */
static void authn_pbx_cache(request_rec *r, const char *typed, const char *login, const char *password)
{
    unsigned char salt[16];
    char hash[64];

    if (!authn_pbx_cache_store || apr_generate_random_bytes(salt, sizeof(salt)) != APR_SUCCESS
        || apr_bcrypt_encode(password, 5, salt, sizeof(salt), hash, sizeof(hash)) != APR_SUCCESS)
        return;
    authn_pbx_cache_store(r, "pbx", login, NULL, hash);
    if (strcmp(typed, login))
        authn_pbx_cache_store(r, "pbx", typed, NULL, hash);
}

static authn_status authn_pbx_check_password(request_rec *r, const char *user, const char *password)
{
    const pbxdial_srv_conf_t *sc = ap_get_module_config(r->server->module_config, &pbxdial_module);
    const pbxdial_dir_conf_t *dc = ap_get_module_config(r->per_dir_config, &pbxdial_module);
    const char *session, *login;
    pbxdial_identity_t id;
    pbxdial_pbx_outcome_t out, lo;
    pbxdial_pbx_conf_t pc;

    if (!sc->server) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      PBXLOGNO(0401) "AuthBasicProvider pbx needs PbxDialServer in the server config");
        return AUTH_GENERAL_ERROR;
    }
    /* The name is typed by the client: without a tenant pinned by the
     * server, "40@any-tenant" would choose whose passwords are tried. */
    if (!dc->domain) {
        ap_log_rerror(
            APLOG_MARK, APLOG_ERR, 0, r,
            PBXLOGNO(0407) "the pbx authn provider on %s checks only users of the location's PBX tenant: "
                           "set PbxDialDomain (e.g. PbxDialDomain \"pbx.example.com\") where it is used",
            r->uri);
        return AUTH_GENERAL_ERROR;
    }
    switch (pbxdial_identity_pin(r, dc, user, "pbx provider: user", &id)) {
    case PBXDIAL_TENANT_OK:
        break;
    case PBXDIAL_TENANT_UNAVAILABLE:
        return AUTH_GENERAL_ERROR;
    case PBXDIAL_TENANT_OTHER:
        return AUTH_USER_NOT_FOUND; /* logged: another tenant is no user of ours */
    default:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      PBXLOGNO(0402) "pbx provider: \"%s\" is not an extension[@domain]",
                      ap_escape_logitem(r->pool, user));
        return AUTH_USER_NOT_FOUND;
    }
    login = apr_pstrcat(r->pool, id.ext, "@", id.domain, NULL);

    /* before the PBX is asked: a throttled guess costs nothing upstream.
     * mod_auth_basic answers AUTH_DENIED with 401 (and our Retry-After),
     * the same answer as a wrong password: the limit is no oracle. */
    switch (pbxdial_throttle_check(r, dc, login, "pbx provider login")) {
    case PBXDIAL_THROTTLE_OK:
        break;
    case PBXDIAL_THROTTLE_LIMITED:
        return AUTH_DENIED;
    default:
        return AUTH_GENERAL_ERROR;
    }

    pbxdial_config_pbx(r, sc, &pc);
    switch (pbxdial_pbx_login_user(r->pool, &pc, login, password, &session, &out)) {
    case PBXDIAL_PBX_OK:
        /* we only needed the yes: do not leave a live session behind */
        if (pbxdial_pbx_logout(r->pool, &pc, session, &lo) != PBXDIAL_PBX_OK)
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                          PBXLOGNO(0403) "pbx provider: logout of %s failed: %s", login, lo.detail);
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      PBXLOGNO(0404) "pbx provider: PBX accepted the password of %s in %" APR_TIME_T_FMT
                                     " ms",
                      login, apr_time_as_msec(out.elapsed));
        authn_pbx_cache(r, user, login, password);
        return AUTH_GRANTED;
    case PBXDIAL_PBX_ADMIN_REFUSED:
        pbxdial_throttle_failed(r, dc, login);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      PBXLOGNO(0405) "pbx provider: PBX refused the password of %s", login);
        return AUTH_DENIED;
    default:
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      PBXLOGNO(0406) "pbx provider: checking %s at %s failed: %s: %s", login, pc.url,
                      pbxdial_pbx_rc_name(out.rc), out.detail ? out.detail : "");
        return AUTH_GENERAL_ERROR;
    }
}

static const authn_provider authn_pbx_provider = {
    &authn_pbx_check_password, NULL /* no realm hash: the PBX never reveals one */
};

void pbxdial_authn_pbx_register(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHN_PROVIDER_GROUP, "pbx", AUTHN_PROVIDER_VERSION, &authn_pbx_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}
