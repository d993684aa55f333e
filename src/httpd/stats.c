/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Shared counters for the status page. A fixed layout of 32-bit counters in
 * anonymous shared memory: every child adds to them with apr_atomic, nobody
 * locks, and a reader sees a consistent-enough snapshot. PBX latency is kept
 * as a histogram (core/latency.c) with its extremes, which bound the
 * percentiles. */
#include <string.h>
#include <math.h>
#include <apr_atomic.h>
#include <apr_shm.h>
#include <apr_strings.h>

#include "core/latency.h"
#include <httpd.h>

#include "httpd/handlers.h"
#include "httpd/stats.h"

/* The error codes answers use, to count refusals by reason; others land in
 * the last slot. Keep in sync with the codes in the handlers (README lists them). */
static const char *const stats_codes[] = {
    "not_authenticated", "cross_site",           "method_not_allowed", "no_extension",
    "unknown_extension", "not_configured",       "bad_query",          "missing_dest",
    "bad_dest",          "bad_connect",          "user_mismatch",      "number_not_allowed",
    "connect_refused",   "rate_limited",         "confirm_required",   "confirmation_invalid",
    "link_malformed",    "link_bad_signature",   "link_expired",       "link_future",
    "link_bad_password", "link_unauthenticated", "link_used",          "link_not_enabled",
    "too_many_failures", "pbx_admin_refused",    "pbx_unreachable",    "pbx_tls",
    "pbx_error",         "pbx_bad_reply",        "pbx_timeout",        "other"};
#define STATS_NCODES  (sizeof(stats_codes) / sizeof(stats_codes[0]))
#define STATS_BUCKETS PBXDIAL_LATENCY_BUCKETS
#define STATS_US_CAP  4000000000u /* 32 bits of microseconds: over an hour */

typedef struct {
    apr_time_t since;
    volatile apr_uint32_t counts[PBXDIAL_STAT_N];
    volatile apr_uint32_t refused[STATS_NCODES];
    volatile apr_uint32_t pbx_errors[PBXDIAL_PBX_INTERNAL + 1];
    volatile apr_uint32_t latency[STATS_BUCKETS];
    volatile apr_uint32_t max_us; /* the extremes, exact to the microsecond */
    volatile apr_uint32_t min_us; /* STATS_US_CAP until the first sample */
    volatile apr_uint64_t sum_us;
    volatile apr_uint32_t answers[PBXDIAL_HANDLER_IX_N][5];
    volatile apr_uint32_t cache[PBXDIAL_CACHE_N];
    struct {
        volatile apr_uint32_t ok, failed;
        /* the last failure: rc, status and time are three words written one
         * after the other; a reader racing a writer may pair one failure's
         * rc with the next one's time, which is harmless for a status page */
        volatile apr_uint32_t last_rc, last_status, last_sec;
    } steps[PBXDIAL_PBX_STEP_N];
} stats_block_t;

static stats_block_t *stats;

static pbxdial_pbx_stats_fn stats_exchange;
static pbxdial_pbx_outcome_fn stats_outcome;

const char *pbxdial_stats_create(apr_pool_t *pconf)
{
    apr_shm_t *shm;
    apr_status_t rv = apr_shm_create(&shm, sizeof(stats_block_t), NULL, pconf);

    stats = NULL;
    pbxdial_pbx_set_stats(stats_exchange);
    pbxdial_pbx_set_outcomes(stats_outcome);
    if (rv != APR_SUCCESS)
        return apr_psprintf(pconf, "cannot create shared memory for the counters: %pm", &rv);
    stats = apr_shm_baseaddr_get(shm);
    memset(stats, 0, sizeof(*stats));
    stats->since = apr_time_now();
    stats->min_us = STATS_US_CAP;
    return NULL;
}

void pbxdial_stats_add(pbxdial_stat_e which)
{
    if (stats && which < PBXDIAL_STAT_N)
        apr_atomic_inc32(&stats->counts[which]);
}

void pbxdial_stats_refused(const char *code)
{
    apr_size_t i;

    if (!stats || !code)
        return;
    for (i = 0; i < STATS_NCODES - 1 && strcmp(code, stats_codes[i]); i++)
        ;
    apr_atomic_inc32(&stats->refused[i]);
}

void pbxdial_stats_pbx_error(pbxdial_pbx_rc_e rc)
{
    if (stats && rc != PBXDIAL_PBX_OK && rc <= PBXDIAL_PBX_INTERNAL)
        apr_atomic_inc32(&stats->pbx_errors[rc]);
}

/* pbxdial_pbx_stats_fn: the latency of one HTTP exchange with the PBX,
 * whatever came of it (failures are counted by operation, in respond.c). */
static void stats_exchange(const char *method, const char *path, pbxdial_pbx_rc_e rc, long status,
                           apr_interval_time_t elapsed)
{
    apr_uint32_t old, us = elapsed < 0 ? 0 : elapsed >= STATS_US_CAP ? STATS_US_CAP : (apr_uint32_t)elapsed;

    if (!stats)
        return;
    /* the extremes before the count: a reader who sees the sample counted
     * sees the extremes that bound it */
    while ((old = apr_atomic_read32(&stats->max_us)) < us && apr_atomic_cas32(&stats->max_us, us, old) != old)
        ;
    while ((old = apr_atomic_read32(&stats->min_us)) > us && apr_atomic_cas32(&stats->min_us, us, old) != old)
        ;
    apr_atomic_add64(&stats->sum_us, us);
    apr_atomic_inc32(&stats->latency[pbxdial_latency_bucket((double)elapsed / 1000.0)]);
}

/* pbxdial_pbx_outcome_fn: how each PBX operation ended, and its last failure */
static void stats_outcome(pbxdial_pbx_step_e step, pbxdial_pbx_rc_e rc, long status)
{
    if (!stats || step >= PBXDIAL_PBX_STEP_N)
        return;
    if (rc == PBXDIAL_PBX_OK) {
        apr_atomic_inc32(&stats->steps[step].ok);
        return;
    }
    apr_atomic_set32(&stats->steps[step].last_rc, (apr_uint32_t)rc);
    apr_atomic_set32(&stats->steps[step].last_status, status > 0 && status < 1000 ? (apr_uint32_t)status : 0);
    apr_atomic_set32(&stats->steps[step].last_sec, (apr_uint32_t)apr_time_sec(apr_time_now()));
    apr_atomic_inc32(&stats->steps[step].failed);
}

void pbxdial_stats_request(pbxdial_handler_ix_e handler, int status)
{
    if (stats && handler < PBXDIAL_HANDLER_IX_N && status >= 100 && status < 600)
        apr_atomic_inc32(&stats->answers[handler][status / 100 - 1]);
}

const char *pbxdial_stats_handler_name(pbxdial_handler_ix_e handler)
{
    static const char *const names[PBXDIAL_HANDLER_IX_N] = {"call", "login", "script", "status"};
    return handler < PBXDIAL_HANDLER_IX_N ? names[handler] : "?";
}

void pbxdial_stats_cache(pbxdial_cache_result_e result)
{
    if (stats && result < PBXDIAL_CACHE_N)
        apr_atomic_inc32(&stats->cache[result]);
}

const char *pbxdial_stats_name(pbxdial_stat_e which)
{
    static const char *const names[PBXDIAL_STAT_N] = {"logins", "websockets", "calls", "confirmations",
                                                      "sessions_reused"};
    return which < PBXDIAL_STAT_N ? names[which] : "?";
}

int pbxdial_stats_read(apr_pool_t *p, pbxdial_stats_view_t *v)
{
    unsigned long h[STATS_BUCKETS];
    apr_size_t i, j;

    memset(v, 0, sizeof(*v));
    if (!stats)
        return 0;
    v->since = stats->since;
    for (i = 0; i < PBXDIAL_STAT_N; i++)
        v->counts[i] = apr_atomic_read32(&stats->counts[i]);
    v->nrefused = STATS_NCODES;
    v->refused_codes = (const char **)stats_codes;
    v->refused = apr_pcalloc(p, sizeof(unsigned long) * STATS_NCODES);
    for (i = 0; i < STATS_NCODES; i++)
        v->refused[i] = apr_atomic_read32(&stats->refused[i]);
    for (i = 0; i <= PBXDIAL_PBX_INTERNAL; i++)
        v->pbx_errors[i] = apr_atomic_read32(&stats->pbx_errors[i]);
    for (i = 0; i < STATS_BUCKETS; i++) {
        v->latency[i] = h[i] = apr_atomic_read32(&stats->latency[i]);
        v->pbx_requests += h[i];
    }
    v->latency_sum_s = (double)apr_atomic_read64(&stats->sum_us) / 1e6;
    for (i = 0; i < PBXDIAL_HANDLER_IX_N; i++)
        for (j = 0; j < 5; j++)
            v->answers[i][j] = apr_atomic_read32(&stats->answers[i][j]);
    for (i = 0; i < PBXDIAL_CACHE_N; i++)
        v->cache[i] = apr_atomic_read32(&stats->cache[i]);
    for (i = 0; i < PBXDIAL_PBX_STEP_N; i++) {
        v->steps[i].ok = apr_atomic_read32(&stats->steps[i].ok);
        v->steps[i].failed = apr_atomic_read32(&stats->steps[i].failed);
        v->steps[i].last_rc = (pbxdial_pbx_rc_e)apr_atomic_read32(&stats->steps[i].last_rc);
        v->steps[i].last_status = (long)apr_atomic_read32(&stats->steps[i].last_status);
        v->steps[i].last_time = apr_time_from_sec(apr_atomic_read32(&stats->steps[i].last_sec));
    }
    /* whole milliseconds, rounded outwards: the page prints the max without
     * decimals, and no percentile may read above it or below the min */
    if (v->pbx_requests) {
        v->max_ms = ceil(apr_atomic_read32(&stats->max_us) / 1000.0);
        apr_uint32_t min_us = apr_atomic_read32(&stats->min_us);
        v->min_ms = min_us == STATS_US_CAP ? 0.0 : floor(min_us / 1000.0);
    }
    v->p50_ms = pbxdial_latency_percentile(h, STATS_BUCKETS, v->pbx_requests, 0.50, v->min_ms, v->max_ms);
    v->p90_ms = pbxdial_latency_percentile(h, STATS_BUCKETS, v->pbx_requests, 0.90, v->min_ms, v->max_ms);
    v->p99_ms = pbxdial_latency_percentile(h, STATS_BUCKETS, v->pbx_requests, 0.99, v->min_ms, v->max_ms);
    return 1;
}

/* log_transaction: counts the answer of a pbxdial handler. The status is the
 * final one (after an ErrorDocument or other internal redirect), as
 * mod_log_config's %>s; the handler is the one the request was given. */
int pbxdial_stats_log_transaction(request_rec *r)
{
    static const char *const handlers[PBXDIAL_HANDLER_IX_N] = {
        PBXDIAL_HANDLER_CALL, PBXDIAL_HANDLER_LOGIN, PBXDIAL_HANDLER_SCRIPT, PBXDIAL_HANDLER_STATUS};
    request_rec *last = r;
    int i;

    if (!stats || !r->handler)
        return DECLINED;
    for (i = 0; i < PBXDIAL_HANDLER_IX_N && strcmp(r->handler, handlers[i]); i++)
        ;
    while (last->next)
        last = last->next;
    if (i < PBXDIAL_HANDLER_IX_N)
        pbxdial_stats_request((pbxdial_handler_ix_e)i, last->status);
    return DECLINED;
}
