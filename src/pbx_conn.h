/* The per-process pool of libcurl handles behind pbx_http.c. */
#ifndef PBXDIAL_PBX_CONN_H
#define PBXDIAL_PBX_CONN_H

#include <apr_pools.h>
#include <curl/curl.h>

/* In each child, before its threads start: curl's global set-up and the
 * pool. Torn down with pchild. */
void pbxdial_conn_child_init(apr_pool_t *pchild);

/* A handle with default options (a pooled one keeps its connection), or NULL. */
CURL *pbxdial_conn_acquire(void);

/* Gives a handle back after a transfer: pooled when ok, destroyed otherwise. */
void pbxdial_conn_release(CURL *h, int ok);

#endif
