/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Small self-contained HTML pages for people, and the choice between HTML and
 * JSON from the Accept header. Pure: APR only. */
#ifndef PBXDIAL_PAGE_H
#define PBXDIAL_PAGE_H

#include <apr_pools.h>

/* Escapes & < > " ' for HTML text and attribute values. */
char *pbxdial_page_escape(apr_pool_t *p, const char *s);

/* A complete page; title and message are escaped here. */
char *pbxdial_page_html(apr_pool_t *p, int status, const char *title, const char *message);

/* A page that asks the user to confirm with a POST of a hidden token to
 * action (all escaped here). */
char *pbxdial_page_confirm(apr_pool_t *p, const char *title, const char *message, const char *action,
                           const char *token, const char *button);

/* Non-zero when Accept ranks application/json above text/html (q-values and
 * wildcards considered; no header or a tie means HTML). */
int pbxdial_page_prefers_json(const char *accept);

/* Whether accept is a metrics scraper's: it names application/openmetrics-text
 * or text/plain;version=0.0.4 (with a q above 0). */
int pbxdial_page_prefers_prometheus(const char *accept);

#endif
