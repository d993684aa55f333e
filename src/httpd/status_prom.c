/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* pbxdial-status in the Prometheus text format: the same snapshot as the
 * other views, named by Prometheus' conventions (pbxdial_..._total for
 * counters, seconds for times, base units only). Counters start again with
 * each server generation, which Prometheus reads as a counter reset. */
#include <math.h>
#include <string.h>

#include "core/promtext.h"
#include "httpd/status_prom.h"

static void prom_gauge(pbxdial_promtext_t *t, const char *name, const char *help, double v)
{
    pbxdial_promtext_family(t, name, "gauge", help);
    pbxdial_promtext_sample(t, "", v, NULL);
}

static void prom_latency(apr_pool_t *p, pbxdial_promtext_t *t, const pbxdial_stats_view_t *v)
{
    /* a few of the status page's ~12% buckets, at their exact bounds: a
     * scraper's le must be a true bound of what it counts */
    static const double want_ms[] = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};
    unsigned long below = 0;
    apr_size_t w = 0;
    int b;

    pbxdial_promtext_family(t, "pbxdial_pbx_request_duration_seconds", "histogram",
                            "Time of each HTTP exchange with the PBX, whatever its outcome.");
    for (b = 0; b < PBXDIAL_LATENCY_BUCKETS - 1; b++) {
        double bound = pbxdial_latency_bound_ms(b), next = pbxdial_latency_bound_ms(b + 1);
        below += v->latency[b];
        /* the last fine bucket at or under each wanted bound */
        if (w < sizeof(want_ms) / sizeof(want_ms[0]) && next > want_ms[w] && bound <= want_ms[w]) {
            const char *le[] = {"le", pbxdial_promtext_float(p, bound / 1000.0), NULL};
            pbxdial_promtext_sample(t, "_bucket", (double)below, le);
            while (w < sizeof(want_ms) / sizeof(want_ms[0]) && next > want_ms[w])
                w++;
        }
    }
    {
        const char *le[] = {"le", "+Inf", NULL};
        pbxdial_promtext_sample(t, "_bucket", (double)v->pbx_requests, le);
    }
    pbxdial_promtext_sample(t, "_sum", v->latency_sum_s, NULL);
    pbxdial_promtext_sample(t, "_count", (double)v->pbx_requests, NULL);
}

const char *pbxdial_status_prometheus(apr_pool_t *p, const pbxdial_stats_view_t *v, apr_size_t *len)
{
    static const char *const classes[5] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    static const char *const cache_results[PBXDIAL_CACHE_N] = {"ok", "miss", "error"};
    pbxdial_promtext_t *t = pbxdial_promtext_make(p);
    int i, j;

    pbxdial_promtext_family(t, "pbxdial_start_time_seconds", "gauge",
                            "When the counters started: the server's last start or restart (Unix time).");
    pbxdial_promtext_sample(t, "", (double)apr_time_sec(v->since), NULL);

    pbxdial_promtext_family(t, "pbxdial_responses_total", "counter",
                            "Answers of the module's handlers, by handler and status class.");
    for (i = 0; i < PBXDIAL_HANDLER_IX_N; i++)
        for (j = 0; j < 5; j++) {
            const char *l[] = {"handler", pbxdial_stats_handler_name(i), "code", classes[j], NULL};
            if (v->answers[i][j] || j == 1)
                pbxdial_promtext_sample(t, "", (double)v->answers[i][j], l);
        }

    pbxdial_promtext_family(t, "pbxdial_events_total", "counter",
                            "What the module did: PBX tokens handed out (logins), websockets opened, calls "
                            "started, confirmations asked, calls made with a cached session.");
    for (i = 0; i < PBXDIAL_STAT_N; i++) {
        const char *l[] = {"event", pbxdial_stats_name(i), NULL};
        pbxdial_promtext_sample(t, "", (double)v->counts[i], l);
    }

    pbxdial_promtext_family(t, "pbxdial_refused_total", "counter",
                            "Requests refused, by the error code of the answer (link_* for links).");
    for (i = 0; i < v->nrefused; i++) {
        const char *l[] = {"reason", v->refused_codes[i], NULL};
        pbxdial_promtext_sample(t, "", (double)v->refused[i], l);
    }

    pbxdial_promtext_family(t, "pbxdial_throttled_total", "counter",
                            "Requests refused by PbxDialFailureLimit (failures) or PbxDialRateLimit (rate).");
    for (i = 0; i < v->nrefused; i++) {
        const char *kind = !strcmp(v->refused_codes[i], "too_many_failures") ? "failures"
                           : !strcmp(v->refused_codes[i], "rate_limited")    ? "rate"
                                                                             : NULL;
        const char *l[] = {"limit", kind, NULL};
        if (kind)
            pbxdial_promtext_sample(t, "", (double)v->refused[i], l);
    }

    pbxdial_promtext_family(t, "pbxdial_pbx_operations_total", "counter",
                            "PBX operations by step and result (a login answered `false` is an error).");
    for (i = 0; i < PBXDIAL_PBX_STEP_N; i++) {
        const char *ok[] = {"step", pbxdial_pbx_step_name(i), "result", "ok", NULL};
        const char *bad[] = {"step", pbxdial_pbx_step_name(i), "result", "error", NULL};
        pbxdial_promtext_sample(t, "", (double)v->steps[i].ok, ok);
        pbxdial_promtext_sample(t, "", (double)v->steps[i].failed, bad);
    }
    pbxdial_promtext_family(t, "pbxdial_pbx_last_error_timestamp_seconds", "gauge",
                            "When each PBX step last failed (Unix time; absent: not since the start).");
    for (i = 0; i < PBXDIAL_PBX_STEP_N; i++) {
        const char *l[] = {"step", pbxdial_pbx_step_name(i), "error",
                           pbxdial_pbx_rc_name(v->steps[i].last_rc), NULL};
        if (v->steps[i].failed)
            pbxdial_promtext_sample(t, "", (double)apr_time_sec(v->steps[i].last_time), l);
    }
    pbxdial_promtext_family(t, "pbxdial_pbx_errors_total", "counter",
                            "Failed PBX operations, by kind of failure.");
    for (i = 1; i <= PBXDIAL_PBX_INTERNAL; i++) {
        const char *l[] = {"kind", pbxdial_pbx_rc_name(i), NULL};
        pbxdial_promtext_sample(t, "", (double)v->pbx_errors[i], l);
    }
    prom_latency(p, t, v);

    pbxdial_promtext_family(t, "pbxdial_cache_operations_total", "counter",
                            "Reads and writes of PbxDialCache, by result (error: the cache did not answer).");
    for (i = 0; i < PBXDIAL_CACHE_N; i++) {
        const char *l[] = {"result", cache_results[i], NULL};
        pbxdial_promtext_sample(t, "", (double)v->cache[i], l);
    }
    prom_gauge(t, "pbxdial_transfer_thread",
               "Whether this child talks to the PBX from its transfer thread (1).",
               pbxdial_pbx_transfer_thread());
    return pbxdial_promtext_text(t, len);
}
