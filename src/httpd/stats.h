/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Counters shared by all children (pbxdial-status): anonymous shared memory
 * made in post_config, inherited across fork, updated with atomic adds.
 * APR only. Counts start again with each server generation (restart). */
#ifndef PBXDIAL_STATS_H
#define PBXDIAL_STATS_H

#include <apr_pools.h>
#include <apr_time.h>

#include "core/latency.h"
#include "pbx/pbx.h"

/* What is counted; PBXDIAL_STAT_REFUSED_* follow the error codes of answers. */
typedef enum {
    PBXDIAL_STAT_LOGINS = 0,     /* PBX tokens handed to browsers */
    PBXDIAL_STAT_WEBSOCKETS,     /* same-origin websockets opened */
    PBXDIAL_STAT_CALLS,          /* calls the PBX started */
    PBXDIAL_STAT_CONFIRMS,       /* cross-site links asked to confirm */
    PBXDIAL_STAT_SESSION_REUSED, /* calls made with a cached PBX session */
    PBXDIAL_STAT_N
} pbxdial_stat_e;

/* Makes the shared block (in pconf) and registers the PBX client's counter
 * function (pbxdial_pbx_set_stats), which records the latency of every PBX
 * exchange; NULL on success or a message. */
const char *pbxdial_stats_create(apr_pool_t *pconf);

void pbxdial_stats_add(pbxdial_stat_e which);

/* One refusal, by its answer's error code ("bad_dest", "rate_limited"...). */
void pbxdial_stats_refused(const char *code);

/* A PBX operation that failed, by kind. */
void pbxdial_stats_pbx_error(pbxdial_pbx_rc_e rc);

/* The handlers whose answers are counted by status class. */
typedef enum {
    PBXDIAL_HANDLER_IX_CALL = 0,
    PBXDIAL_HANDLER_IX_LOGIN,
    PBXDIAL_HANDLER_IX_SCRIPT,
    PBXDIAL_HANDLER_IX_STATUS,
    PBXDIAL_HANDLER_IX_N
} pbxdial_handler_ix_e;

/* One answer of a pbxdial handler (log_transaction): by handler, status class. */
void pbxdial_stats_request(pbxdial_handler_ix_e handler, int status);
const char *pbxdial_stats_handler_name(pbxdial_handler_ix_e handler);
/* The log_transaction hook that calls it (request_rec, so declared loosely
 * here to keep this header free of httpd's). */
struct request_rec;
int pbxdial_stats_log_transaction(struct request_rec *r);

/* Shared-cache operations, by result. */
typedef enum {
    PBXDIAL_CACHE_OK = 0,
    PBXDIAL_CACHE_MISS,
    PBXDIAL_CACHE_ERROR,
    PBXDIAL_CACHE_N
} pbxdial_cache_result_e;
void pbxdial_stats_cache(pbxdial_cache_result_e result);

/* A snapshot, for the status page. */
typedef struct {
    apr_time_t since;
    unsigned long counts[PBXDIAL_STAT_N];
    int nrefused;
    const char **refused_codes;
    unsigned long *refused;
    unsigned long pbx_errors[PBXDIAL_PBX_INTERNAL + 1];
    unsigned long pbx_requests;
    double p50_ms, p90_ms, p99_ms;                  /* within [min_ms, max_ms] */
    double min_ms, max_ms;                          /* whole ms: min rounded down, max up */
    unsigned long latency[PBXDIAL_LATENCY_BUCKETS]; /* per bucket, not cumulative */
    double latency_sum_s;                           /* of every exchange counted, in seconds */
    unsigned long answers[PBXDIAL_HANDLER_IX_N][5]; /* status classes 1xx..5xx */
    unsigned long cache[PBXDIAL_CACHE_N];
    struct {
        unsigned long ok, failed;
        pbxdial_pbx_rc_e last_rc; /* PBXDIAL_PBX_OK: no failure yet */
        long last_status;         /* its HTTP status, 0: none came */
        apr_time_t last_time;     /* when (whole seconds) */
    } steps[PBXDIAL_PBX_STEP_N];
} pbxdial_stats_view_t;

/* Fills v (allocated in p); returns 0 when there is no shared block. */
int pbxdial_stats_read(apr_pool_t *p, pbxdial_stats_view_t *v);

const char *pbxdial_stats_name(pbxdial_stat_e which);

#endif
