/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* One thread per child performs every call to a networked PbxDialCache; the
 * request thread hands a job over and waits for it until its deadline.
 *
 * Why a thread: apr_memcache reads with no timeout once connected
 * (conn_connect sets the socket's timeout to -1) and nothing outside it can
 * give it one, so a memcached that accepts and never answers would hold the
 * request thread for good. On this thread the call may hang; the request
 * does not: it gives up at its deadline and answers "unavailable".
 *
 * A call that outlived its requester's deadline is "stuck": while it is,
 * new jobs fail at once (circuit open) instead of queueing behind it, and
 * nothing else of the child waits. Jobs run one at a time, so the
 * read-modify-write updates of one child never interleave.
 *
 * Everything the thread touches lives in memory that outlives the child's
 * pool (an unmanaged pool, malloc'd jobs): a stuck call that returns while
 * the child exits finds its mutex and its job still there. A stuck thread
 * does not hold up the child's exit; the process's end takes it. */
#include <stdlib.h>
#include <string.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "httpd/store_thread.h"

#if APR_HAS_THREADS

enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

typedef struct gt_job {
    pbxdial_store_job_fn fn;
    void *arg;
    int state;
    int abandoned; /* its requester gave up: the thread frees it */
    struct gt_job *next;
} gt_job_t;

static struct {
    apr_pool_t *pool; /* unmanaged: kept if the thread is stuck at exit */
    apr_thread_t *thread;
    apr_thread_mutex_t *mutex; /* guards everything below and every job's state */
    apr_thread_cond_t *work;   /* the thread waits for jobs */
    apr_thread_cond_t *done;   /* requesters wait for theirs (broadcast) */
    gt_job_t *head, *tail;
    gt_job_t *running;
    int stop, exited, active;
} gt;

static void *APR_THREAD_FUNC gt_main(apr_thread_t *thread, void *unused)
{
    apr_pool_t *p = NULL;

    apr_pool_create_unmanaged_ex(&p, NULL, NULL);
    apr_thread_mutex_lock(gt.mutex);
    for (;;) {
        gt_job_t *j;

        while (!gt.head && !gt.stop)
            apr_thread_cond_wait(gt.work, gt.mutex);
        if (gt.stop)
            break;
        j = gt.head;
        gt.head = j->next;
        if (!gt.head)
            gt.tail = NULL;
        j->state = JOB_RUNNING;
        gt.running = j;
        apr_thread_mutex_unlock(gt.mutex);
        j->fn(j->arg, p);
        if (p)
            apr_pool_clear(p);
        apr_thread_mutex_lock(gt.mutex);
        gt.running = NULL;
        if (j->abandoned) {
            free(j->arg);
            free(j);
        }
        else {
            j->state = JOB_DONE;
            apr_thread_cond_broadcast(gt.done);
        }
    }
    gt.exited = 1;
    apr_thread_cond_broadcast(gt.done);
    apr_thread_mutex_unlock(gt.mutex);
    if (p)
        apr_pool_destroy(p);
    /* a plain return, not apr_thread_exit (see pbx/runner.c) */
    return NULL;
}

/* An idle thread exits at once and is joined; a stuck one is left to the
 * process's end, with the memory it will touch when its call returns. */
static apr_status_t gt_cleanup(void *unused)
{
    apr_time_t until = apr_time_now() + apr_time_from_msec(200);
    apr_status_t rv;
    int exited;

    if (!gt.active)
        return APR_SUCCESS;
    apr_thread_mutex_lock(gt.mutex);
    gt.stop = 1;
    apr_thread_cond_broadcast(gt.work);
    apr_thread_cond_broadcast(gt.done);
    while (!gt.exited && apr_time_now() < until)
        apr_thread_cond_timedwait(gt.done, gt.mutex, until - apr_time_now());
    exited = gt.exited;
    apr_thread_mutex_unlock(gt.mutex);
    gt.active = 0;
    if (exited) {
        apr_thread_join(&rv, gt.thread);
        apr_pool_destroy(gt.pool);
    }
    return APR_SUCCESS;
}

apr_status_t pbxdial_store_thread_child_init(apr_pool_t *pchild)
{
    apr_status_t rv;

    memset(&gt, 0, sizeof(gt));
    if ((rv = apr_pool_create_unmanaged_ex(&gt.pool, NULL, NULL)) != APR_SUCCESS)
        return rv;
    if ((rv = apr_thread_mutex_create(&gt.mutex, APR_THREAD_MUTEX_DEFAULT, gt.pool)) != APR_SUCCESS
        || (rv = apr_thread_cond_create(&gt.work, gt.pool)) != APR_SUCCESS
        || (rv = apr_thread_cond_create(&gt.done, gt.pool)) != APR_SUCCESS
        || (rv = apr_thread_create(&gt.thread, NULL, gt_main, NULL, gt.pool)) != APR_SUCCESS) {
        apr_pool_destroy(gt.pool);
        gt.pool = NULL;
        return rv;
    }
    gt.active = 1;
    apr_pool_cleanup_register(pchild, NULL, gt_cleanup, apr_pool_cleanup_null);
    return APR_SUCCESS;
}

int pbxdial_store_thread_active(void)
{
    return gt.active;
}

apr_status_t pbxdial_store_thread_run(pbxdial_store_job_fn fn, void *arg, apr_interval_time_t wait)
{
    apr_time_t deadline = apr_time_now() + wait;
    gt_job_t *j = calloc(1, sizeof(*j)), **pp;

    if (!j)
        return APR_ENOMEM;
    j->fn = fn;
    j->arg = arg;
    j->state = JOB_QUEUED;
    apr_thread_mutex_lock(gt.mutex);
    if (gt.stop || (gt.running && gt.running->abandoned)) {
        apr_thread_mutex_unlock(gt.mutex);
        free(j);
        return APR_EAGAIN;
    }
    if (gt.tail)
        gt.tail->next = j;
    else
        gt.head = j;
    gt.tail = j;
    apr_thread_cond_signal(gt.work);
    while (j->state != JOB_DONE && !gt.stop) {
        apr_time_t left = deadline - apr_time_now();

        if (left <= 0)
            break;
        apr_thread_cond_timedwait(gt.done, gt.mutex, left);
    }
    if (j->state == JOB_DONE) {
        apr_thread_mutex_unlock(gt.mutex);
        free(j);
        return APR_SUCCESS;
    }
    if (j->state == JOB_RUNNING) {
        j->abandoned = 1;
        apr_thread_mutex_unlock(gt.mutex);
        return APR_TIMEUP;
    }
    for (pp = &gt.head; *pp && *pp != j; pp = &(*pp)->next)
        ;
    if (*pp) {
        *pp = j->next;
        if (gt.tail == j) {
            gt_job_t *t = gt.head;

            while (t && t->next)
                t = t->next;
            gt.tail = t;
        }
    }
    apr_thread_mutex_unlock(gt.mutex);
    free(j);
    return APR_EAGAIN;
}

#else /* !APR_HAS_THREADS */

apr_status_t pbxdial_store_thread_child_init(apr_pool_t *pchild)
{
    return APR_ENOTIMPL;
}

int pbxdial_store_thread_active(void)
{
    return 0;
}

apr_status_t pbxdial_store_thread_run(pbxdial_store_job_fn fn, void *arg, apr_interval_time_t wait)
{
    return APR_ENOTIMPL;
}

#endif
