/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The libcurl handles behind pbx/http.c: one per thread, one share per process. */
#ifndef PBXDIAL_PBX_CONN_H
#define PBXDIAL_PBX_CONN_H

#include <apr_pools.h>
#include <curl/curl.h>

/* In each child, before its threads start: curl's global set-up, the thread key
 * and the share. Torn down with pchild. */
void pbxdial_conn_child_init(apr_pool_t *pchild, int threads);

/* How many idle connections a child keeps (its threads, at least 8). */
long pbxdial_conn_max(void);

/* A handle with default options (and the share set), or NULL. */
CURL *pbxdial_conn_acquire(void);

/* Gives a handle back after a transfer: kept for the thread when ok, destroyed otherwise. */
void pbxdial_conn_release(CURL *h, int ok);

#endif
