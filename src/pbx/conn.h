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

/* The calling thread's handle, or NULL. *fresh is 1 for a new handle (default
 * options and the share), 0 for a kept one, which still has the options of
 * its last transfer. */
CURL *pbxdial_conn_acquire(int *fresh);

/* Gives a handle back after a transfer: kept for the thread, options and all,
 * when ok; destroyed otherwise. */
void pbxdial_conn_release(CURL *h, int ok);

#endif
