/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The per-child thread that performs the calls to a networked PbxDialCache
 * (memcache:, redis:), so that a request waits for them no longer than its
 * deadline (store_thread.c). */
#ifndef PBXDIAL_GUARD_THREAD_H
#define PBXDIAL_GUARD_THREAD_H

#include <apr_pools.h>
#include <apr_time.h>

/* A job: fn(arg, pool) runs on the cache thread; pool is the thread's own,
 * cleared after each job. arg must be malloc()ed and hold everything fn
 * needs: the requester may be gone when a stuck call returns. */
typedef void (*pbxdial_store_job_fn)(void *arg, apr_pool_t *pool);

/* In each child: starts the thread (returns why not otherwise; jobs then
 * run on the requester's thread, without a deadline). */
apr_status_t pbxdial_store_thread_child_init(apr_pool_t *pchild);

/* Whether jobs go through the thread. */
int pbxdial_store_thread_active(void);

/* Runs fn(arg) on the cache thread and waits at most wait for it.
 * APR_SUCCESS: fn ran; the caller frees arg.
 * APR_TIMEUP: not done in time; the thread owns arg now (free()s it when
 *   the call returns), the caller must not touch it.
 * APR_EAGAIN: the thread is stuck in an earlier call past its deadline
 *   (circuit open) or the child is stopping: fn did not run; the caller
 *   frees arg. */
apr_status_t pbxdial_store_thread_run(pbxdial_store_job_fn fn, void *arg, apr_interval_time_t wait);

#endif
