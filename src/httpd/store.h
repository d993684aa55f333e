/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Shared state on mod_socache (PbxDialCache): single-use links, rate limits,
 * failure throttling and cached PBX sessions. With shmcb it is shared by the
 * children of one server; with memcache: or redis: by several servers.
 *
 * Every function may find the cache unavailable: it failed, or (memcache,
 * redis) did not answer within the request's second for it, or an earlier
 * call is still stuck. Then it returns -1 or NULL at once and the caller
 * decides what that means: refuse (link-once: 503; rate limits, failure
 * throttling, confirmations: fail closed) or go on without (session reuse:
 * log in afresh). Values are sealed and ids keyed with the module's secret
 * (secret.h): nothing read back was written by anyone without the key, but
 * callers still check a value's form before they use it. */
#ifndef PBXDIAL_GUARD_H
#define PBXDIAL_GUARD_H

#include <httpd.h>
#include <http_config.h>

/* The cache PbxDialCache names (PROVIDER[:ARGS], its provider already
 * looked up by the setter in config.c) and where it was written, for the
 * start-up messages. Until pre_config of the next reading: the default. */
void pbxdial_store_configure(const char *spec, const char *file, unsigned line);

/* check_config (also under httpd -t): the cache provider must be loaded,
 * and a cache shared by servers (memcache:, redis:) needs PbxDialCacheKey. */
int pbxdial_store_check_config(server_rec *s);

int pbxdial_store_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp);
int pbxdial_store_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s);
void pbxdial_store_child_init(apr_pool_t *pchild, server_rec *s);

/* Marks key as used until expiry. 1: first use; 0: already used; -1: the
 * cache failed (logged), so the caller cannot tell. */
int pbxdial_store_first_use(request_rec *r, const char *key, apr_time_t expiry);

/* A fixed-window counter: adds add (0 to only read) to the count of key in
 * the current window of that length and returns the new count, or -1 when
 * the cache failed (logged). *window_end is when the window closes. */
int pbxdial_store_count(request_rec *r, const char *key, apr_interval_time_t window, int add,
                        apr_time_t *window_end);

/* The same count for state that anyone can create without credentials
 * (failed logins per address and per user): it lives in a cache instance
 * of its own, so a flood of it cannot push security markers out. */
int pbxdial_store_count_unauthenticated(request_rec *r, const char *key, apr_interval_time_t window, int add,
                                        apr_time_t *window_end);

/* A small value (up to 512 bytes) under key: get returns NULL when absent
 * or on failure; put returns 1 when stored, -1 when not; put and drop log
 * their failures. */
const char *pbxdial_store_get(request_rec *r, const char *key);
int pbxdial_store_put(request_rec *r, const char *key, const char *value, apr_time_t expiry);
void pbxdial_store_drop(request_rec *r, const char *key);

#endif
