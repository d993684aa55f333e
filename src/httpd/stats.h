/* Counters shared by all children (pbxdial-status): anonymous shared memory
 * made in post_config, inherited across fork, updated with atomic adds.
 * APR only. Counts start again with each server generation (restart). */
#ifndef PBXDIAL_STATS_H
#define PBXDIAL_STATS_H

#include <apr_pools.h>
#include <apr_time.h>

#include "pbx/pbx.h"

/* What is counted; PBXDIAL_STAT_REFUSED_* follow the error codes of answers. */
typedef enum {
    PBXDIAL_STAT_LOGINS = 0,      /* PBX tokens handed to browsers */
    PBXDIAL_STAT_WEBSOCKETS,      /* same-origin websockets opened */
    PBXDIAL_STAT_CALLS,           /* calls the PBX started */
    PBXDIAL_STAT_CONFIRMS,        /* cross-site links asked to confirm */
    PBXDIAL_STAT_SESSION_REUSED,  /* calls made with a cached PBX session */
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

/* A snapshot, for the status page. */
typedef struct {
    apr_time_t since;
    unsigned long counts[PBXDIAL_STAT_N];
    int nrefused;
    const char **refused_codes;
    unsigned long *refused;
    unsigned long pbx_errors[PBXDIAL_PBX_INTERNAL + 1];
    unsigned long pbx_requests;
    double p50_ms, p90_ms, p99_ms;  /* within [min_ms, max_ms] */
    double min_ms, max_ms;          /* whole ms: min rounded down, max up */
} pbxdial_stats_view_t;

/* Fills v (allocated in p); returns 0 when there is no shared block. */
int pbxdial_stats_read(apr_pool_t *p, pbxdial_stats_view_t *v);

const char *pbxdial_stats_name(pbxdial_stat_e which);

#endif
