/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* HTML pages and content negotiation for answers that people or scripts read. */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_lib.h>

#include "core/page.h"

char *pbxdial_page_escape(apr_pool_t *p, const char *s)
{
    apr_size_t n = 0;
    const char *c;
    char *out, *o;

    if (!s)
        return apr_pstrdup(p, "");
    for (c = s; *c; c++)
        n += strchr("&<>\"'", *c) ? 6 : 1;
    o = out = apr_palloc(p, n + 1);
    for (c = s; *c; c++) {
        switch (*c) {
        case '&':
            memcpy(o, "&amp;", 5);
            o += 5;
            break;
        case '<':
            memcpy(o, "&lt;", 4);
            o += 4;
            break;
        case '>':
            memcpy(o, "&gt;", 4);
            o += 4;
            break;
        case '"':
            memcpy(o, "&quot;", 6);
            o += 6;
            break;
        case '\'':
            memcpy(o, "&#39;", 5);
            o += 5;
            break;
        default:
            *o++ = *c;
        }
    }
    *o = '\0';
    return out;
}

/* The start of every page, up to and including the h1; color marks the
 * top border (green success, red refusal, amber failure, blue question). */
static char *page_head(apr_pool_t *p, const char *title, const char *color)
{
    const char *t = pbxdial_page_escape(p, title);

    return apr_psprintf(
        p,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>%s</title>\n<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;"
        "background:#f4f5f7;color:#1f2430}main{max-width:34em;margin:12vh auto;padding:1.5em 2em;"
        "background:#fff;border-radius:10px;box-shadow:0 1px 4px rgba(0,0,0,.12);"
        "border-top:5px solid %s}h1{font-size:1.3em;margin:0 0 .5em}button{font:inherit;"
        "padding:.5em 1.4em;border:0;border-radius:6px;background:#137a3a;color:#fff;cursor:pointer}"
        "</style></head>\n<body><main><h1>%s</h1>\n",
        t, color, t);
}

char *pbxdial_page_html(apr_pool_t *p, int status, const char *title, const char *message)
{
    const char *color = status < 300 ? "#137a3a" : status < 500 ? "#a4262c" : "#8a5300";

    return apr_pstrcat(p, page_head(p, title, color), "<p>", pbxdial_page_escape(p, message),
                       "</p></main></body></html>\n", NULL);
}

char *pbxdial_page_confirm(apr_pool_t *p, const char *title, const char *message, const char *action,
                           const char *token, const char *button)
{
    return apr_pstrcat(p, page_head(p, title, "#2456c9"), "<p>", pbxdial_page_escape(p, message),
                       "</p>\n<form method=\"post\" action=\"", pbxdial_page_escape(p, action),
                       "\"><input type=\"hidden\" name=\"token\" value=\"", pbxdial_page_escape(p, token),
                       "\"><button type=\"submit\">", pbxdial_page_escape(p, button),
                       "</button></form></main></body></html>\n", NULL);
}

/* q-value that accept gives type/subtype: the most specific matching range
 * decides (type/subtype, then type/any, then any/any); 0 when none matches. */
static double page_quality(const char *accept, const char *type, const char *subtype, int *rank_out)
{
    double best = 0.0;
    int best_rank = -1;
    const char *start = accept;

    while (start && *start) {
        const char *end = strchr(start, ',');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        char range[128], *semi, *slash, *r = range;
        double q = 1.0;
        int rank = -1;

        if (len < sizeof(range)) {
            memcpy(range, start, len);
            range[len] = '\0';
            if ((semi = strchr(range, ';'))) {
                const char *qp = strstr(semi, "q=");
                if (qp)
                    q = atof(qp + 2);
                *semi = '\0';
            }
            apr_collapse_spaces(r, r);
            if ((slash = strchr(r, '/'))) {
                *slash = '\0';
                if (!strcasecmp(r, type) && !strcasecmp(slash + 1, subtype))
                    rank = 2;
                else if (!strcasecmp(r, type) && !strcmp(slash + 1, "*"))
                    rank = 1;
                else if (!strcmp(r, "*") && !strcmp(slash + 1, "*"))
                    rank = 0;
            }
            if (rank > best_rank) {
                best_rank = rank;
                best = q;
            }
        }
        start = end ? end + 1 : NULL;
    }
    *rank_out = best_rank;
    return best;
}

int pbxdial_page_prefers_json(const char *accept)
{
    if (!accept || !*accept)
        return 0;
    int rj, rh;
    double qj = page_quality(accept, "application", "json", &rj);
    double qh = page_quality(accept, "text", "html", &rh);

    /* at equal quality the type named outright beats one matched by a
     * wildcard: "application/json, * / *" asks for JSON */
    return qj > qh || (qj == qh && qj > 0 && rj > rh);
}

int pbxdial_page_prefers_prometheus(const char *accept)
{
    const char *start = accept;

    /* a scraper names its formats outright; a browser's or a script's
     * wildcards never select the metrics */
    while (start && *start) {
        const char *end = strchr(start, ',');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        char range[128];

        if (len < sizeof(range)) {
            const char *q;
            memcpy(range, start, len);
            range[len] = '\0';
            apr_collapse_spaces(range, range);
            q = strstr(range, ";q=");
            if (!(q && atof(q + 3) <= 0.0)
                && (!strncasecmp(range, "application/openmetrics-text", 28)
                    || (!strncasecmp(range, "text/plain;", 11) && strstr(range, ";version=0.0.4"))))
                return 1;
        }
        start = end ? end + 1 : NULL;
    }
    return 0;
}
