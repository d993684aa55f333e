/* pbxdial-status: what the module did since the server started, like
 * mod_status's server-status: an HTML page, ?auto for scripts (text) and
 * ?json (or Accept: application/json). Protect it like any location. */
#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>
#include <jansson.h>
#include <stdlib.h>

#include "httpd/handlers.h"
#include "core/page.h"
#include "httpd/respond.h"
#include "httpd/stats.h"

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
    json_object_set_new(j, "pbx_latency_ms", json_pack("{s:f, s:f, s:f, s:f}", "p50", v->p50_ms,
                                                       "p90", v->p90_ms, "p99", v->p99_ms, "max", v->max_ms));
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
    ap_rprintf(r, "pbx_requests: %lu\npbx_latency_p50_ms: %.1f\npbx_latency_p90_ms: %.1f\n"
               "pbx_latency_p99_ms: %.1f\npbx_latency_max_ms: %.0f\n",
               v->pbx_requests, v->p50_ms, v->p90_ms, v->p99_ms, v->max_ms);
    ap_rprintf(r, "pbx_transfer_thread: %d\n", pbxdial_pbx_transfer_thread());
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
             ".n{text-align:right;font-variant-numeric:tabular-nums}</style></head><body>\n", r);
    ap_rprintf(r, "<h1>mod_pbxdial status</h1>\n<p>Counting since %s, for all children of this server. "
               "Also as <a href=\"?auto\">text</a> and <a href=\"?json\">JSON</a>.</p>\n", since);
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
    ap_rprintf(r, "<tr><td>latency p50 / p90 / p99</td><td class=n>%.1f / %.1f / %.1f ms</td></tr>\n"
               "<tr><td>latency max</td><td class=n>%.0f ms</td></tr>\n"
               "<tr><td>this child's transfers</td><td class=n>%s</td></tr>\n</table>\n</body></html>\n",
               v->p50_ms, v->p90_ms, v->p99_ms, v->max_ms,
               pbxdial_pbx_transfer_thread() ? "its transfer thread" : "its worker threads");
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
    if ((r->args && !strcasecmp(r->args, "json"))
        || pbxdial_page_prefers_json(apr_table_get(r->headers_in, "Accept")))
        return status_json(r, &v);
    if (r->header_only) {
        ap_set_content_type(r, "text/html; charset=utf-8");
        return OK;
    }
    if (r->args && !strcasecmp(r->args, "auto"))
        status_auto(r, &v);
    else
        status_html(r, &v);
    return OK;
}
