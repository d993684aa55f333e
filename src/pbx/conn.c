/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Reused libcurl handles, so that a steady stream of requests to the PBX
 * pays no new TCP and TLS handshake each: all handles share one connection
 * cache, TLS session cache and DNS cache (a curl share with a mutex per kind
 * of data), and each thread keeps its one handle between requests, with
 * the options that are the same for every transfer (pbx/http.c sets them
 * once per handle and the rest on every transfer). The transfers
 * themselves run on the child's transfer thread (pbx/runner.c).
 *
 * One handle per thread rather than a pool all threads take from: a request
 * then takes no lock here, and a handle is only ever touched by its thread
 * and, during its transfer, the transfer thread (test/bench/run counted the
 * pool's mutex and curl's share lock, taken again on every release, among
 * the extra futex calls per request against mod_proxy).
 *
 * Everything here is made in child_init, after fork: a child never uses
 * handles or connections of its parent. A handle whose transfer failed is
 * destroyed, not kept, so a broken connection or half-read reply never
 * meets the next request. Works for prefork (one thread), worker and event. */
#include <string.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>
#include <curl/curl.h>

#include "pbx/conn.h"

static struct {
    CURLSH *share;
    long maxconns;
#if APR_HAS_THREADS
    apr_threadkey_t *key; /* the calling thread's idle handle */
    apr_thread_mutex_t *locks[CURL_LOCK_DATA_LAST];
#else
    CURL *idle;
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

/* The calling thread's idle handle, taken out of its slot (NULL: none). */
static CURL *conn_take(void)
{
    CURL *h = NULL;

#if APR_HAS_THREADS
    if (conn.key && apr_threadkey_private_get((void **)&h, conn.key) == APR_SUCCESS && h)
        apr_threadkey_private_set(NULL, conn.key);
#else
    h = conn.idle;
    conn.idle = NULL;
#endif
    return h;
}

/* Keeps h as the calling thread's idle handle; 0 if the slot is taken. */
static int conn_keep(CURL *h)
{
#if APR_HAS_THREADS
    CURL *old = NULL;

    if (!conn.key || (apr_threadkey_private_get((void **)&old, conn.key) == APR_SUCCESS && old))
        return 0;
    return apr_threadkey_private_set(h, conn.key) == APR_SUCCESS;
#else
    if (conn.idle)
        return 0;
    conn.idle = h;
    return 1;
#endif
}

#if APR_HAS_THREADS
/* A worker thread that ends (MaxRequestsPerChild, a shrinking pool) takes
 * its handle with it. */
static void conn_thread_gone(void *h)
{
    if (h)
        curl_easy_cleanup(h);
}
#endif

/* Runs after the MPM joined the workers (their handles went with them):
 * what is left is this thread's, and the share must be unused to go. */
static apr_status_t conn_cleanup(void *unused)
{
    CURL *h = conn_take();

    if (h)
        curl_easy_cleanup(h);
#if APR_HAS_THREADS
    if (conn.key)
        apr_threadkey_private_delete(conn.key);
    conn.key = NULL;
#endif
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
    conn.maxconns = threads > 8 ? threads : 8;
#if APR_HAS_THREADS
    if (apr_threadkey_private_create(&conn.key, conn_thread_gone, pchild) != APR_SUCCESS)
        conn.key = NULL; /* then every request makes its handle */
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
    /* registered after the mutexes: cleanups run in reverse order, and
     * curl takes the share's locks while the handles and the share go */
    apr_pool_cleanup_register(pchild, NULL, conn_cleanup, apr_pool_cleanup_null);
}

long pbxdial_conn_max(void)
{
    return conn.maxconns > 0 ? conn.maxconns : 8;
}

CURL *pbxdial_conn_acquire(int *fresh)
{
    CURL *h = conn_take();

    *fresh = !h;
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
    /* no curl_easy_reset: it frees and the next transfer allocates again
     * every string option, and CURLOPT_SHARE set again would take the
     * share's lock twice; pbx/http.c sets each per-transfer option anew */
    if (ok && conn_keep(h))
        return;
    curl_easy_cleanup(h);
}
