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
#include <apr_file_io.h>
#include <apr_portable.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>
#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>

#include "pbx/conn.h"
#include "pbx/runner.h"

#if APR_HAS_THREADS

/* The hand-over is on every PBX request's path, so it is built to cost as
 * few system calls as a thread hand-over can (test/bench/run counts them):
 *  - each request thread keeps one job for its whole life (a thread key), so
 *    nothing is created per request, and waits on that job's own semaphore:
 *    one futex wait for the request thread, one wake for the runner. A
 *    mutex and condition cost a third (glibc marks the mutex contended when
 *    a condition wait re-takes it, so the unlock after it always wakes), and
 *    strace counted it. Where unnamed semaphores do not work (sem_init fails),
 *    request threads perform their transfers themselves;
 *  - the runner is woken through a pipe only when it sleeps in poll; while
 *    it works it sees the queue on its next round anyway;
 *  - the pipe is ours (one write, one read per wake-up) rather than
 *    curl_multi_wakeup's socket pair, which curl drains until EAGAIN. */
typedef struct runner_job {
    CURL *h;
    CURLcode rc;             /* published by sem_post, read after sem_wait */
    sem_t done;              /* posted once per hand-over */
    struct runner_job *next; /* guarded by run.mutex while queued */
} runner_job_t;

static struct {
    CURLM *multi;
    apr_thread_t *thread;
    apr_threadkey_t *key; /* a request thread's own runner_job_t */
    apr_file_t *wake_in, *wake_out;
    struct curl_waitfd wake_fd;
    apr_thread_mutex_t *mutex; /* guards head, tail, stop, sleeping */
    runner_job_t *head, *tail; /* handed over, not yet added to the multi */
    int stop;
    int sleeping; /* in poll, and nobody has written to wake it */
    int active;   /* the thread runs: transfers go through it */
} run;

static void runner_finish(runner_job_t *j, CURLcode rc)
{
    j->rc = rc;
    /* the job outlives this call: it belongs to its thread, not to the wait */
    sem_post(&j->done);
}

static void runner_wake(void)
{
    char b = 1;
    apr_size_t n = 1;

    apr_file_write(run.wake_in, &b, &n);
}

/* The queued jobs, in order; with idle, sleeping is set when there are none. */
static runner_job_t *runner_take(int *stop, int idle)
{
    runner_job_t *q;

    apr_thread_mutex_lock(run.mutex);
    q = run.head;
    run.head = run.tail = NULL;
    *stop = run.stop;
    run.sleeping = idle && !q && !*stop;
    apr_thread_mutex_unlock(run.mutex);
    return q;
}

/* Transfers already under way when the child stops still run to their end
 * (each bounded by PbxDialTimeout), so no waiting request thread hangs;
 * new ones are refused. */
static void *APR_THREAD_FUNC runner_main(apr_thread_t *thread, void *unused)
{
    runner_job_t *q = NULL, *next; /* jobs taken from the queue */
    int running = 0, stop = 0;

    for (;;) {
        CURLMsg *m;
        int left, got;

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
        /* one lock a round while busy: take what was queued, or decide to
         * sleep under the lock producers take, so that a job queued after
         * this sees sleeping and writes to the pipe (stopping, it waits
         * for its last transfers the same way, just not for the pipe) */
        if ((q = runner_take(&stop, 1)))
            continue;
        run.wake_fd.revents = 0;
        /* returns early for curl's own timers and sockets, and the pipe */
        curl_multi_poll(run.multi, &run.wake_fd, 1, 1000, &got);
        if (run.wake_fd.revents) {
            char buf[64];
            apr_size_t n = sizeof(buf);
            apr_file_read(run.wake_out, buf, &n); /* one write per sleep: one read */
        }
        q = runner_take(&stop, 0);
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
    runner_wake();
    apr_thread_join(&rv, run.thread);
    run.active = 0;
    curl_multi_cleanup(run.multi);
    run.multi = NULL;
    return APR_SUCCESS;
}

static void runner_job_free(void *data)
{
    runner_job_t *j = data;

    if (j) {
        sem_destroy(&j->done);
        free(j);
    }
}

/* The calling thread's job, made on its first transfer. */
static runner_job_t *runner_job_get(void)
{
    runner_job_t *j = NULL;

    if (apr_threadkey_private_get((void **)&j, run.key) == APR_SUCCESS && j)
        return j;
    if (!(j = calloc(1, sizeof(*j))))
        return NULL;
    if (sem_init(&j->done, 0, 0) != 0) {
        free(j);
        return NULL;
    }
    if (apr_threadkey_private_set(j, run.key) != APR_SUCCESS) {
        runner_job_free(j);
        return NULL;
    }
    return j;
}

apr_status_t pbxdial_runner_child_init(apr_pool_t *pchild, int threads)
{
    apr_os_file_t fd;
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
        rv = apr_threadkey_private_create(&run.key, runner_job_free, pchild);
    /* non-blocking both ends: a full pipe already means "wake up" */
    if (rv == APR_SUCCESS)
        rv = apr_file_pipe_create_ex(&run.wake_out, &run.wake_in, APR_FULL_NONBLOCK, pchild);
    if (rv == APR_SUCCESS)
        rv = apr_os_file_get(&fd, run.wake_out);
    if (rv == APR_SUCCESS) {
        run.wake_fd.fd = fd;
        run.wake_fd.events = CURL_WAIT_POLLIN;
        rv = apr_thread_create(&run.thread, NULL, runner_main, NULL, pchild);
    }
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

CURLcode pbxdial_runner_perform(CURL *h)
{
    runner_job_t *job;
    int wake;

    if (!run.active || !(job = runner_job_get()))
        return curl_easy_perform(h);
    job->h = h;
    job->rc = CURLE_OK; /* no one else touches the job until it is queued */
    job->next = NULL;
    apr_thread_mutex_lock(run.mutex);
    if (run.stop) { /* the child is going away */
        apr_thread_mutex_unlock(run.mutex);
        return CURLE_ABORTED_BY_CALLBACK;
    }
    if (run.tail)
        run.tail->next = job;
    else
        run.head = job;
    run.tail = job;
    wake = run.sleeping;
    run.sleeping = 0; /* one write per sleep is enough */
    apr_thread_mutex_unlock(run.mutex);
    if (wake)
        runner_wake();
    while (sem_wait(&job->done) != 0 && errno == EINTR)
        ;
    return job->rc;
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

CURLcode pbxdial_runner_perform(CURL *h)
{
    return curl_easy_perform(h);
}

#endif
