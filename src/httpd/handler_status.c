/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* pbxdial-status: what the module did since the server started, like
 * mod_status's server-status: an HTML page, ?auto for scripts (text),
 * ?json (or Accept: application/json) and ?format=prometheus (or a scraper's
 * Accept) for Prometheus. Protect it like any location. */
#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>
#include <jansson.h>
#include <stdlib.h>

#include "httpd/handlers.h"
#include "core/page.h"
#include "httpd/respond.h"
#include "httpd/stats.h"
#include "httpd/status_prom.h"
#include "core/promtext.h"

/* Each PBX step: how often it worked and failed, and its last failure. */
static json_t *status_steps_json(const pbxdial_stats_view_t *v)
{
    json_t *steps = json_object();
    int i;

    for (i = 0; i < PBXDIAL_PBX_STEP_N; i++) {
        json_t *s = json_pack("{s:I, s:I}", "ok", (json_int_t)v->steps[i].ok, "failed",
                              (json_int_t)v->steps[i].failed);
        if (v->steps[i].failed) {
            json_object_set_new(s, "last_error", json_string(pbxdial_pbx_rc_name(v->steps[i].last_rc)));
            json_object_set_new(s, "last_status", json_integer(v->steps[i].last_status));
            json_object_set_new(s, "last_error_time", json_integer(apr_time_sec(v->steps[i].last_time)));
        }
        json_object_set_new(steps, pbxdial_pbx_step_name(i), s);
    }
    return steps;
}

static int status_prometheus(request_rec *r, const pbxdial_stats_view_t *v)
{
    apr_size_t len;
    const char *text = pbxdial_status_prometheus(r->pool, v, &len);

    ap_set_content_type(r, PBXDIAL_PROMTEXT_CONTENT_TYPE);
    ap_set_content_length(r, len);
    if (!r->header_only)
        ap_rwrite(text, (int)len, r);
    return OK;
}

static int status_json(request_rec *r, const pbxdial_stats_view_t *v)
{
    json_t *j = json_object(), *refused = json_object(), *errors = json_object();
    char *text, *out;
    int i;

    json_object_set_new(j, "since", json_integer(apr_time_sec(v->since)));
    for (i = 0; i < PBXDIAL_STAT_N; i++)
        json_object_set_new(j, pbxdial_stats_name(i), json_integer(v->counts[i]));
    for (i = 0; i < v->nrefused; i++)
        if (v->refused[i])
            json_object_set_new(refused, v->refused_codes[i], json_integer(v->refused[i]));
    json_object_set_new(j, "refused", refused);
    for (i = 1; i <= PBXDIAL_PBX_INTERNAL; i++)
        if (v->pbx_errors[i])
            json_object_set_new(errors, pbxdial_pbx_rc_name(i), json_integer(v->pbx_errors[i]));
    json_object_set_new(j, "pbx_errors", errors);
    json_object_set_new(j, "pbx_requests", json_integer(v->pbx_requests));
    json_object_set_new(j, "pbx_transfer_thread", json_boolean(pbxdial_pbx_transfer_thread()));
    json_object_set_new(j, "pbx_latency_ms",
                        json_pack("{s:f, s:f, s:f, s:f}", "p50", v->p50_ms, "p90", v->p90_ms, "p99",
                                  v->p99_ms, "max", v->max_ms));
    json_object_set_new(j, "pbx_steps", status_steps_json(v));
    text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    out = apr_pstrcat(r->pool, text ? text : "{}", "\n", NULL);
    free(text);
    return pbxdial_respond_json(r, HTTP_OK, out);
}

static void status_auto(request_rec *r, const pbxdial_stats_view_t *v)
{
    int i;

    ap_set_content_type(r, "text/plain; charset=us-ascii");
    ap_rprintf(r, "Since: %" APR_TIME_T_FMT "\n", apr_time_sec(v->since));
    for (i = 0; i < PBXDIAL_STAT_N; i++)
        ap_rprintf(r, "%s: %lu\n", pbxdial_stats_name(i), v->counts[i]);
    for (i = 0; i < v->nrefused; i++)
        if (v->refused[i])
            ap_rprintf(r, "refused_%s: %lu\n", v->refused_codes[i], v->refused[i]);
    for (i = 1; i <= PBXDIAL_PBX_INTERNAL; i++)
        if (v->pbx_errors[i])
            ap_rprintf(r, "pbx_error_%d: %lu (%s)\n", i, v->pbx_errors[i], pbxdial_pbx_rc_name(i));
    ap_rprintf(r,
               "pbx_requests: %lu\npbx_latency_p50_ms: %.1f\npbx_latency_p90_ms: %.1f\n"
               "pbx_latency_p99_ms: %.1f\npbx_latency_max_ms: %.0f\n",
               v->pbx_requests, v->p50_ms, v->p90_ms, v->p99_ms, v->max_ms);
    ap_rprintf(r, "pbx_transfer_thread: %d\n", pbxdial_pbx_transfer_thread());
    for (i = 0; i < PBXDIAL_PBX_STEP_N; i++) {
        ap_rprintf(r, "pbx_step_%s_ok: %lu\npbx_step_%s_failed: %lu\n", pbxdial_pbx_step_name(i),
                   v->steps[i].ok, pbxdial_pbx_step_name(i), v->steps[i].failed);
        if (v->steps[i].failed)
            ap_rprintf(r, "pbx_step_%s_last_error: %s (%ld) at %" APR_TIME_T_FMT "\n",
                       pbxdial_pbx_step_name(i), pbxdial_pbx_rc_name(v->steps[i].last_rc),
                       v->steps[i].last_status, apr_time_sec(v->steps[i].last_time));
    }
}

static void status_row(request_rec *r, const char *name, unsigned long n)
{
    ap_rprintf(r, "<tr><td>%s</td><td class=n>%lu</td></tr>\n", pbxdial_page_escape(r->pool, name), n);
}

static void status_html(request_rec *r, const pbxdial_stats_view_t *v)
{
    char since[APR_RFC822_DATE_LEN];
    int i, any = 0;

    apr_rfc822_date(since, v->since);
    ap_set_content_type(r, "text/html; charset=utf-8");
    ap_rputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mod_pbxdial status"
             "</title>\n<style>body{font:15px/1.5 system-ui,sans-serif;margin:2em;color:#1f2430}"
             "table{border-collapse:collapse;margin:0 2em 1.5em 0;display:inline-table;vertical-align:top}"
             "td,th{padding:.2em .8em;border-bottom:1px solid #e3e6ec;text-align:left}"
             ".n{text-align:right;font-variant-numeric:tabular-nums}</style></head><body>\n",
             r);
    ap_rprintf(r,
               "<h1>mod_pbxdial status</h1>\n<p>Counting since %s, for all children of this server. "
               "Also as <a href=\"?auto\">text</a> and <a href=\"?json\">JSON</a>.</p>\n",
               since);
    ap_rputs("<table><tr><th>Activity</th><th class=n>count</th></tr>\n", r);
    for (i = 0; i < PBXDIAL_STAT_N; i++)
        status_row(r, pbxdial_stats_name(i), v->counts[i]);
    ap_rputs("</table>\n<table><tr><th>Refused, by reason</th><th class=n>count</th></tr>\n", r);
    for (i = 0; i < v->nrefused; i++)
        if (v->refused[i] && (any = 1))
            status_row(r, v->refused_codes[i], v->refused[i]);
    if (!any)
        ap_rputs("<tr><td colspan=2>none</td></tr>\n", r);
    ap_rputs("</table>\n<table><tr><th>PBX</th><th class=n></th></tr>\n", r);
    status_row(r, "requests", v->pbx_requests);
    for (i = 1; i <= PBXDIAL_PBX_INTERNAL; i++)
        if (v->pbx_errors[i])
            status_row(r, apr_pstrcat(r->pool, "errors: ", pbxdial_pbx_rc_name(i), NULL), v->pbx_errors[i]);
    ap_rprintf(r,
               "<tr><td>latency p50 / p90 / p99</td><td class=n>%.1f / %.1f / %.1f ms</td></tr>\n"
               "<tr><td>latency max</td><td class=n>%.0f ms</td></tr>\n"
               "<tr><td>this child's transfers</td><td class=n>%s</td></tr>\n</table>\n",
               v->p50_ms, v->p90_ms, v->p99_ms, v->max_ms,
               pbxdial_pbx_transfer_thread() ? "its transfer thread" : "its worker threads");
    /* the last failure of each step: what a failing site tells its admin */
    ap_rputs(
        "<table><tr><th>PBX step</th><th class=n>ok</th><th class=n>failed</th><th>last failure</th></tr>\n",
        r);
    for (i = 0; i < PBXDIAL_PBX_STEP_N; i++) {
        char when[APR_RFC822_DATE_LEN] = "";
        if (v->steps[i].failed)
            apr_rfc822_date(when, v->steps[i].last_time);
        ap_rprintf(
            r, "<tr><td>%s</td><td class=n>%lu</td><td class=n>%lu</td><td>%s</td></tr>\n",
            pbxdial_pbx_step_name(i), v->steps[i].ok, v->steps[i].failed,
            v->steps[i].failed ? apr_psprintf(
                r->pool, "%s%s, %s", pbxdial_pbx_rc_name(v->steps[i].last_rc),
                v->steps[i].last_status ? apr_psprintf(r->pool, " (HTTP %ld)", v->steps[i].last_status) : "",
                when)
                               : "none");
    }
    ap_rputs("</table>\n</body></html>\n", r);
}

typedef enum { STATUS_HTML, STATUS_AUTO, STATUS_JSON, STATUS_PROMETHEUS, STATUS_UNKNOWN } status_format_e;

/* ?auto and ?json as mod_status has them, ?format=NAME for all four; without
 * a query, the Accept header chooses (a scraper's, JSON, else the page) */
static status_format_e status_format(request_rec *r)
{
    static const char *const names[] = {"html", "auto", "json", "prometheus"};
    const char *accept = apr_table_get(r->headers_in, "Accept");
    int i;

    if (r->args && *r->args) {
        const char *f = !strncasecmp(r->args, "format=", 7) ? r->args + 7 : r->args;
        for (i = 0; i < 4; i++)
            if (!strcasecmp(f, names[i]) && (f != r->args || i == STATUS_AUTO || i == STATUS_JSON))
                return (status_format_e)i;
        return STATUS_UNKNOWN;
    }
    if (pbxdial_page_prefers_prometheus(accept))
        return STATUS_PROMETHEUS;
    return pbxdial_page_prefers_json(accept) ? STATUS_JSON : STATUS_HTML;
}

int pbxdial_handler_status(request_rec *r)
{
    const pbxdial_problem_t *problem;
    pbxdial_stats_view_t v;
    int rv;

    if ((rv = pbxdial_handler_open(r, PBXDIAL_HANDLER_STATUS, AP_METHOD_BIT << M_GET, 0, &problem)) != OK)
        return rv;
    if (problem)
        return pbxdial_respond_problem(r, problem);
    /* the HTML and ?auto forms are written here, not by respond.c */
    pbxdial_respond_nostore(r);
    pbxdial_stats_read(r->pool, &v);
    switch (status_format(r)) {
    case STATUS_PROMETHEUS:
        return status_prometheus(r, &v);
    case STATUS_JSON:
        return status_json(r, &v);
    case STATUS_UNKNOWN:
        return pbxdial_respond_error(r, HTTP_BAD_REQUEST, "bad_query",
                                     "Unknown format: use ?format=html, json, auto or prometheus.");
    default:
        break;
    }
    if (r->header_only) {
        ap_set_content_type(r, "text/html; charset=utf-8");
        return OK;
    }
    if (status_format(r) == STATUS_AUTO)
        status_auto(r, &v);
    else
        status_html(r, &v);
    return OK;
}
