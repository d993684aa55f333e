/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* One thread per child performs every transfer to the PBX, on one curl
 * multi handle; the request thread hands its prepared easy handle over and
 * sleeps until the transfer is done.
 *
 * Why not curl_easy_perform on the request thread: TLS is where the memory
 * goes. A TLS connection to the PBX costs thousands of small allocations
 * (OpenSSL's context, handshake and record state, curl's connection) and
 * OpenSSL keeps state per thread. Made and freed on whichever of the
 * hundreds of worker threads happened to hold the request, that memory is
 * spread over glibc's arenas and per-thread caches, and the children's RSS
 * keeps creeping up long after warm-up (test/faults-load/run measured it:
 * the live heap stays flat, the RSS does not). On one thread it stays in
 * one arena and one cache, which reuse what the last connection freed.
 * The multi handle also waits on all of a child's PBX sockets in one poll
 * instead of one poll loop per busy worker.
 *
 * Timeouts stay on the easy handles (CURLOPT_TIMEOUT_MS), so a black-holed
 * PBX still answers within PbxDialTimeout. Without threads (prefork) or if
 * the thread cannot start, the request thread performs the transfer itself. */
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>
#include <string.h>

#include "pbx/conn.h"
#include "pbx/runner.h"

#if APR_HAS_THREADS

typedef struct runner_job {
    CURL *h;
    CURLcode rc;
    int done;
    apr_thread_cond_t *cond;
    struct runner_job *next;
} runner_job_t;

static struct {
    CURLM *multi;
    apr_thread_t *thread;
    apr_thread_mutex_t *mutex; /* guards head, tail, stop and every job's done/rc */
    runner_job_t *head, *tail; /* handed over, not yet added to the multi */
    int stop;
    int active; /* the thread runs: transfers go through it */
} run;

static void runner_finish(runner_job_t *j, CURLcode rc)
{
    apr_thread_mutex_lock(run.mutex);
    j->rc = rc;
    j->done = 1;
    apr_thread_cond_signal(j->cond);
    apr_thread_mutex_unlock(run.mutex);
}

/* Transfers already under way when the child stops still run to their end
 * (each bounded by PbxDialTimeout), so no waiting request thread hangs;
 * new ones are refused. */
static void *APR_THREAD_FUNC runner_main(apr_thread_t *thread, void *unused)
{
    int running = 0;

    for (;;) {
        runner_job_t *q, *next;
        CURLMsg *m;
        int left, stop;

        apr_thread_mutex_lock(run.mutex);
        q = run.head;
        run.head = run.tail = NULL;
        stop = run.stop;
        apr_thread_mutex_unlock(run.mutex);
        for (; q; q = next) {
            next = q->next;
            if (stop) {
                runner_finish(q, CURLE_ABORTED_BY_CALLBACK);
                continue;
            }
            curl_easy_setopt(q->h, CURLOPT_PRIVATE, q);
            if (curl_multi_add_handle(run.multi, q->h) != CURLM_OK)
                runner_finish(q, CURLE_FAILED_INIT);
        }
        curl_multi_perform(run.multi, &running);
        while ((m = curl_multi_info_read(run.multi, &left))) {
            if (m->msg == CURLMSG_DONE) {
                CURL *e = m->easy_handle; /* m is gone once e is removed */
                CURLcode rc = m->data.result;
                char *job = NULL;

                curl_easy_getinfo(e, CURLINFO_PRIVATE, &job);
                curl_multi_remove_handle(run.multi, e);
                if (job)
                    runner_finish((runner_job_t *)job, rc);
            }
        }
        if (stop && !running)
            break;
        /* returns early for curl's own timers and for curl_multi_wakeup */
        curl_multi_poll(run.multi, NULL, 0, 1000, NULL);
    }
    /* a plain return, not apr_thread_exit: pthread_exit would leave this
     * frame's sanitizer redzones behind, which ASan then trips over */
    return NULL;
}

/* Runs before the curl share and curl's global state go (cleanups run in
 * reverse order of registration); normally the MPM has joined the workers
 * by then, and no transfer is under way. */
static apr_status_t runner_cleanup(void *unused)
{
    apr_status_t rv;

    if (!run.active)
        return APR_SUCCESS;
    apr_thread_mutex_lock(run.mutex);
    run.stop = 1;
    apr_thread_mutex_unlock(run.mutex);
    curl_multi_wakeup(run.multi);
    apr_thread_join(&rv, run.thread);
    run.active = 0;
    curl_multi_cleanup(run.multi);
    run.multi = NULL;
    return APR_SUCCESS;
}

apr_status_t pbxdial_runner_child_init(apr_pool_t *pchild, int threads)
{
    apr_status_t rv;

    memset(&run, 0, sizeof(run));
    /* one thread waits for all: a curl that resolves names synchronously
     * (no CURL_VERSION_ASYNCHDNS) would let one slow DNS answer stall every
     * transfer of the child */
    if (threads <= 1 || !(curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_ASYNCHDNS))
        return APR_SUCCESS;
    run.multi = curl_multi_init();
    if (!run.multi)
        return APR_ENOMEM;
    /* a multi's connection cache otherwise shrinks to 4 per handle in it,
     * and drops idle PBX connections whenever few transfers run */
    curl_multi_setopt(run.multi, CURLMOPT_MAXCONNECTS, pbxdial_conn_max());
    rv = apr_thread_mutex_create(&run.mutex, APR_THREAD_MUTEX_DEFAULT, pchild);
    if (rv == APR_SUCCESS)
        rv = apr_thread_create(&run.thread, NULL, runner_main, NULL, pchild);
    if (rv != APR_SUCCESS) {
        curl_multi_cleanup(run.multi);
        run.multi = NULL;
        return rv;
    }
    run.active = 1;
    apr_pool_cleanup_register(pchild, NULL, runner_cleanup, apr_pool_cleanup_null);
    return APR_SUCCESS;
}

int pbxdial_runner_active(void)
{
    return run.active;
}

CURLcode pbxdial_runner_perform(CURL *h, apr_pool_t *p)
{
    runner_job_t job;

    if (!run.active || apr_thread_cond_create(&job.cond, p) != APR_SUCCESS)
        return curl_easy_perform(h);
    job.h = h;
    job.rc = CURLE_OK;
    job.done = 0;
    job.next = NULL;
    apr_thread_mutex_lock(run.mutex);
    if (run.stop) { /* the child is going away */
        apr_thread_mutex_unlock(run.mutex);
        apr_thread_cond_destroy(job.cond);
        return CURLE_ABORTED_BY_CALLBACK;
    }
    if (run.tail)
        run.tail->next = &job;
    else
        run.head = &job;
    run.tail = &job;
    apr_thread_mutex_unlock(run.mutex);
    curl_multi_wakeup(run.multi);
    apr_thread_mutex_lock(run.mutex);
    while (!job.done)
        apr_thread_cond_wait(job.cond, run.mutex);
    apr_thread_mutex_unlock(run.mutex);
    apr_thread_cond_destroy(job.cond);
    return job.rc;
}

#else /* !APR_HAS_THREADS */

apr_status_t pbxdial_runner_child_init(apr_pool_t *pchild, int threads)
{
    return APR_SUCCESS;
}

int pbxdial_runner_active(void)
{
    return 0;
}

CURLcode pbxdial_runner_perform(CURL *h, apr_pool_t *p)
{
    return curl_easy_perform(h);
}

#endif
