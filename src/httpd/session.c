/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The cached PBX session of an extension (PbxDialSessionLifetime): one
 * place for the call handler and the same-origin websocket, so both reuse
 * the same session and both replace one that the PBX no longer knows. */
#include <apr_strings.h>
#include <httpd.h>
#include <http_log.h>

#include "httpd/store.h"
#include "httpd/log.h"
#include "core/pbxreply.h"
#include "httpd/session.h"

void pbxdial_session_init(request_rec *r, const pbxdial_srv_conf_t *sc, const pbxdial_pbx_conf_t *pc,
                          const pbxdial_identity_t *id, pbxdial_session_t *s)
{
    memset(s, 0, sizeof(*s));
    s->ext_at = apr_pstrcat(r->pool, id->ext, "@", id->domain, NULL);
    s->lifetime = pbxdial_config_session_lifetime(sc);
    /* per PBX: the same extension on another PbxDialServer is another session */
    if (s->lifetime > 0)
        s->key = apr_pstrcat(r->pool, "session|", pc->url, "|", s->ext_at, NULL);
}

pbxdial_pbx_rc_e pbxdial_session_get(request_rec *r, const pbxdial_pbx_conf_t *pc,
                                     const pbxdial_identity_t *id, pbxdial_session_t *s,
                                     pbxdial_pbx_outcome_t *out)
{
    const char *token;

    s->value = s->key ? pbxdial_store_get(r, s->key) : NULL;
    /* it goes into a Cookie header: the form the PBX gave, or a new login */
    if (s->value && !pbxdial_pbxreply_token_ok(s->value, strlen(s->value))) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      PBXLOGNO(0819) "cached PBX session of %s is not a session; logging in again",
                      s->ext_at);
        s->value = NULL;
    }
    if ((s->cached = s->value != NULL)) {
        memset(out, 0, sizeof(*out));
        return PBXDIAL_PBX_OK;
    }
    if (pbxdial_pbx_login_3rd(r->pool, pc, id->domain, id->ext, &token, out) != PBXDIAL_PBX_OK
        || pbxdial_pbx_activate(r->pool, pc, token, &s->value, out) != PBXDIAL_PBX_OK) {
        s->value = NULL;
        return out->rc;
    }
    /* a session the cache did not take is nobody's to reuse: as without a
     * cache, the caller ends it after use instead of leaving it on the PBX */
    if (s->key && pbxdial_store_put(r, s->key, s->value, apr_time_now() + s->lifetime) != 1)
        s->key = NULL;
    return PBXDIAL_PBX_OK;
}

int pbxdial_session_refused(request_rec *r, pbxdial_session_t *s, long status)
{
    if (!s->cached || (status != 401 && status != 403))
        return 0;
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                  PBXLOGNO(0609) "cached PBX session of %s refused by the PBX (%ld); dropped", s->ext_at,
                  status);
    pbxdial_store_drop(r, s->key);
    s->cached = 0;
    s->value = NULL;
    return 1;
}

pbxdial_pbx_rc_e pbxdial_session_run(request_rec *r, const pbxdial_pbx_conf_t *pc,
                                     const pbxdial_identity_t *id, pbxdial_session_t *s,
                                     pbxdial_session_use_fn *use, void *baton, pbxdial_pbx_outcome_t *out)
{
    if (pbxdial_session_get(r, pc, id, s, out) != PBXDIAL_PBX_OK)
        return out->rc;
    if (use(baton, s->value, out) == PBXDIAL_PBX_OK || !pbxdial_session_refused(r, s, out->status))
        return out->rc;
    if (pbxdial_session_get(r, pc, id, s, out) != PBXDIAL_PBX_OK)
        return out->rc;
    return use(baton, s->value, out);
}
