/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The per-child thread that performs the transfers to the PBX (pbx/runner.c). */
#ifndef PBXDIAL_PBX_RUNNER_H
#define PBXDIAL_PBX_RUNNER_H

#include <apr_pools.h>
#include <curl/curl.h>

/* In each child, after pbxdial_conn_child_init: starts the thread when the
 * MPM runs more than one thread per child; stopped with pchild. On failure
 * the request threads perform their transfers themselves. */
apr_status_t pbxdial_runner_child_init(apr_pool_t *pchild, int threads);

/* curl_easy_perform, done by the child's transfer thread when there is one. */
CURLcode pbxdial_runner_perform(CURL *h);

/* Whether this child's transfers go through the transfer thread. */
int pbxdial_runner_active(void);

#endif
