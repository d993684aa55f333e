/* Reused libcurl handles, so that a steady stream of requests to the PBX
 * pays no new TCP and TLS handshake each: finished handles go back to a
 * per-process pool, and curl_easy_reset keeps each handle's live
 * connection. The pool is last-in first-out, so the handles in use are the
 * ones with warm connections, and there are never more connections than
 * handles busy at once. (A curl share of one connection cache for all
 * handles was tried first: its locks cost more under load than they saved.)
 *
 * Everything here is made in child_init, after fork: a child never uses
 * handles or connections of its parent. A handle whose transfer failed is
 * destroyed, not pooled, so a broken connection or half-read reply never
 * meets the next request. Works for prefork (one thread), worker and event. */
#include <string.h>
#include <apr_thread_mutex.h>
#include <curl/curl.h>

#include "pbx_conn.h"

/* More than this many idle handles are not worth keeping per process. */
#define CONN_POOL_MAX 256

typedef struct conn_node {
    CURL *h;
    struct conn_node *next;
} conn_node_t;

static struct {
    apr_pool_t *p;
    conn_node_t *idle;            /* handles ready for reuse */
    conn_node_t *spare;           /* empty nodes, to avoid allocating per request */
    int nidle;
#if APR_HAS_THREADS
    apr_thread_mutex_t *mutex;    /* guards idle/spare */
#endif
} conn;

static apr_status_t conn_cleanup(void *unused)
{
    conn_node_t *n;

    for (n = conn.idle; n; n = n->next)
        curl_easy_cleanup(n->h);
    conn.idle = NULL;
    conn.nidle = 0;
    curl_global_cleanup();
    return APR_SUCCESS;
}

void pbxdial_conn_child_init(apr_pool_t *pchild)
{
    curl_global_init(CURL_GLOBAL_ALL);
    memset(&conn, 0, sizeof(conn));
    /* a pool of our own: at run time only we allocate from it, under the mutex */
    apr_pool_create(&conn.p, pchild);
    apr_pool_cleanup_register(pchild, NULL, conn_cleanup, apr_pool_cleanup_null);
#if APR_HAS_THREADS
    apr_thread_mutex_create(&conn.mutex, APR_THREAD_MUTEX_DEFAULT, pchild);
#endif
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
    return curl_easy_init();
}

void pbxdial_conn_release(CURL *h, int ok)
{
    if (!h)
        return;
    if (ok) {
        /* back to defaults, keeping the live connection */
        curl_easy_reset(h);
#if APR_HAS_THREADS
        apr_thread_mutex_lock(conn.mutex);
#endif
        if (conn.nidle < CONN_POOL_MAX) {
            conn_node_t *n = conn.spare;
            if (n)
                conn.spare = n->next;
            else
                n = apr_palloc(conn.p, sizeof(*n));   /* at most CONN_POOL_MAX of them */
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
