/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The module's secret key. It keys the ids of shared state, encrypts what
 * the shared cache holds and signs confirmation tokens. PbxDialCacheKey
 * file:/path gives it (the same file on every server that shares
 * PbxDialCache); unset, 32 random bytes are made once per httpd parent, so
 * a graceful restart keeps them and every child shares them.
 *
 * Each use derives its own key from it (pbxdial_secret_hmac's purpose), so a
 * value made for one purpose is never accepted for another. */
#ifndef PBXDIAL_SECRET_H
#define PBXDIAL_SECRET_H

#include <httpd.h>
#include <http_config.h>

#define PBXDIAL_SECRET_LEN 32 /* bytes: HMAC-SHA256 and AES-256 keys */

/* PbxDialCacheKey file:/path (main server only). */
const char *pbxdial_secret_set_key(cmd_parms *cmd, void *dc, const char *arg);

int pbxdial_secret_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp);

/* post_config: makes the random key if none was configured or made before.
 * Returns OK, or HTTP_INTERNAL_SERVER_ERROR (logged) when no random bytes
 * can be had. */
int pbxdial_secret_post_config(server_rec *s);

/* Non-zero when PbxDialCacheKey set the key (it is then the same on every
 * server that reads the same file). */
int pbxdial_secret_configured(void);

/* out = HMAC-SHA256(HMAC-SHA256(key, purpose), data). */
void pbxdial_secret_hmac(const char *purpose, const void *data, apr_size_t len,
                         unsigned char out[PBXDIAL_SECRET_LEN]);

/* out = HMAC-SHA256(key, purpose): a key of its own for one purpose (e.g.
 * the AES-GCM key of cached values). */
void pbxdial_secret_derive(const char *purpose, unsigned char out[PBXDIAL_SECRET_LEN]);

#endif
