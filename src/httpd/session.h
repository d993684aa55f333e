/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The PBX session of an extension, shared by the doors that act as it: a
 * click-to-dial call (handler_call.c) and the same-origin websocket
 * (websocket.c). With PbxDialSessionLifetime, one activated session per
 * extension and PBX lives (sealed) in PbxDialCache and is reused; a new one
 * is minted only when there is none or the PBX refuses the cached one. */
#ifndef PBXDIAL_SESSION_H
#define PBXDIAL_SESSION_H

#include <httpd.h>

#include "httpd/config.h"
#include "httpd/identity.h"
#include "pbx/pbx.h"

typedef struct {
    const char *ext_at; /* "ext@domain", for logs */
    const char *key;    /* cache id; NULL: PbxDialSessionLifetime Off */
    apr_interval_time_t lifetime;
    const char *value; /* the `session` cookie's value, once there */
    int cached;        /* value came from the cache */
} pbxdial_session_t;

/* Uses a session: e.g. remote_call.htm with it. */
typedef pbxdial_pbx_rc_e pbxdial_session_use_fn(void *baton, const char *session, pbxdial_pbx_outcome_t *out);

/* Prepares s for the extension id at the PBX of pc. */
void pbxdial_session_init(request_rec *r, const pbxdial_srv_conf_t *sc, const pbxdial_pbx_conf_t *pc,
                          const pbxdial_identity_t *id, pbxdial_session_t *s);

/* s->value: the cached session, or a new one (third-party login with the
 * admin credentials, activated server-side, then cached). Sessions are
 * secrets: they stay between the module, its cache and the PBX. */
pbxdial_pbx_rc_e pbxdial_session_get(request_rec *r, const pbxdial_pbx_conf_t *pc,
                                     const pbxdial_identity_t *id, pbxdial_session_t *s,
                                     pbxdial_pbx_outcome_t *out);

/* The PBX answered status to a request made with s->value. A 401/403 to a
 * cached session means the PBX no longer knows it: it is dropped from the
 * cache and 1 returned (a fresh session is worth one more try); else 0. */
int pbxdial_session_refused(request_rec *r, pbxdial_session_t *s, long status);

/* get, then use; a cached session the PBX refuses is replaced once. */
pbxdial_pbx_rc_e pbxdial_session_run(request_rec *r, const pbxdial_pbx_conf_t *pc,
                                     const pbxdial_identity_t *id, pbxdial_session_t *s,
                                     pbxdial_session_use_fn *use, void *baton, pbxdial_pbx_outcome_t *out);

#endif
