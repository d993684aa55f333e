/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Reused libcurl handles, so that a steady stream of requests to the PBX
 * pays no new TCP and TLS handshake each: finished handles go back to a
 * per-process pool (curl_easy_reset keeps their live connections), and all
 * handles share one connection cache, TLS session cache and DNS cache
 * (a curl share with a mutex per kind of data). The transfers themselves
 * run on the child's transfer thread (pbx/runner.c).
 *
 * Everything here is made in child_init, after fork: a child never uses
 * handles or connections of its parent. A handle whose transfer failed is
 * destroyed, not pooled, so a broken connection or half-read reply never
 * meets the next request. Works for prefork (one thread), worker and event. */
#include <string.h>
#include <apr_thread_mutex.h>
#include <curl/curl.h>

#include "pbx/conn.h"

/* More than this many idle handles are not worth keeping per process. */
#define CONN_POOL_MAX 256

typedef struct conn_node {
    CURL *h;
    struct conn_node *next;
} conn_node_t;

static struct {
    apr_pool_t *p;
    CURLSH *share;
    conn_node_t *idle;  /* handles ready for reuse */
    conn_node_t *spare; /* empty nodes, to avoid allocating per request */
    int nidle;
    long maxconns;
#if APR_HAS_THREADS
    apr_thread_mutex_t *mutex; /* guards idle/spare */
    apr_thread_mutex_t *locks[CURL_LOCK_DATA_LAST];
#endif
} conn;

#if APR_HAS_THREADS
static void conn_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *baton)
{
    if (data < CURL_LOCK_DATA_LAST && conn.locks[data])
        apr_thread_mutex_lock(conn.locks[data]);
}

static void conn_unlock(CURL *h, curl_lock_data data, void *baton)
{
    if (data < CURL_LOCK_DATA_LAST && conn.locks[data])
        apr_thread_mutex_unlock(conn.locks[data]);
}
#endif

static apr_status_t conn_cleanup(void *unused)
{
    conn_node_t *n;

    for (n = conn.idle; n; n = n->next)
        curl_easy_cleanup(n->h);
    conn.idle = NULL;
    conn.nidle = 0;
    if (conn.share) {
        curl_share_cleanup(conn.share);
        conn.share = NULL;
    }
    curl_global_cleanup();
    return APR_SUCCESS;
}

void pbxdial_conn_child_init(apr_pool_t *pchild, int threads)
{
    int i;

    curl_global_init(CURL_GLOBAL_ALL);
    memset(&conn, 0, sizeof(conn));
    /* a pool of our own: at run time only we allocate from it, under the mutex */
    apr_pool_create(&conn.p, pchild);
    apr_pool_cleanup_register(pchild, NULL, conn_cleanup, apr_pool_cleanup_null);
    conn.maxconns = threads > 8 ? threads : 8;
#if APR_HAS_THREADS
    apr_thread_mutex_create(&conn.mutex, APR_THREAD_MUTEX_DEFAULT, pchild);
    for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
        apr_thread_mutex_create(&conn.locks[i], APR_THREAD_MUTEX_DEFAULT, pchild);
#else
    (void)i;
#endif
    conn.share = curl_share_init();
    if (conn.share) {
#if APR_HAS_THREADS
        curl_share_setopt(conn.share, CURLSHOPT_LOCKFUNC, conn_lock);
        curl_share_setopt(conn.share, CURLSHOPT_UNLOCKFUNC, conn_unlock);
#endif
        curl_share_setopt(conn.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
        curl_share_setopt(conn.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
        curl_share_setopt(conn.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    }
}

long pbxdial_conn_max(void)
{
    return conn.maxconns > 0 ? conn.maxconns : 8;
}

CURL *pbxdial_conn_acquire(void)
{
    CURL *h = NULL;

#if APR_HAS_THREADS
    apr_thread_mutex_lock(conn.mutex);
#endif
    if (conn.idle) {
        conn_node_t *n = conn.idle;
        conn.idle = n->next;
        conn.nidle--;
        h = n->h;
        n->next = conn.spare;
        conn.spare = n;
    }
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(conn.mutex);
#endif
    if (h)
        return h;
    h = curl_easy_init();
    if (h && conn.share)
        curl_easy_setopt(h, CURLOPT_SHARE, conn.share);
    return h;
}

void pbxdial_conn_release(CURL *h, int ok)
{
    if (!h)
        return;
    if (ok) {
        /* back to defaults, keeping live connections; the share stays set */
        curl_easy_reset(h);
        if (conn.share)
            curl_easy_setopt(h, CURLOPT_SHARE, conn.share);
#if APR_HAS_THREADS
        apr_thread_mutex_lock(conn.mutex);
#endif
        if (conn.nidle < CONN_POOL_MAX) {
            conn_node_t *n = conn.spare;
            if (n)
                conn.spare = n->next;
            else
                n = apr_palloc(conn.p, sizeof(*n)); /* at most CONN_POOL_MAX of them */
            n->h = h;
            n->next = conn.idle;
            conn.idle = n;
            conn.nidle++;
            h = NULL;
        }
#if APR_HAS_THREADS
        apr_thread_mutex_unlock(conn.mutex);
#endif
    }
    if (h)
        curl_easy_cleanup(h);
}
