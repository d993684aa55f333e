/* Confirmation of cross-site click-to-dial links. A type-1 link is
 * authenticated by ambient credentials (a cached Basic login, a cookie), so
 * another site could make the browser follow it: CSRF against the phone
 * bill. Such a request gets a page with a form; the token in it lives five
 * minutes in PbxDialCache, is bound to the user and the exact link, and is
 * good for one POST. The page may not be framed (no clickjacking). */
#include <apr_strings.h>
#include <apr_general.h>
#include <http_protocol.h>

#include "confirm.h"
#include "guard.h"
#include "log.h"
#include "page.h"
#include "request.h"
#include "respond.h"
#include "stats.h"
#include "url.h"

#define CONFIRM_TTL apr_time_from_sec(300)

int pbxdial_confirm_needed(request_rec *r)
{
    const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    const char *referer, *host, *end, *origin;

    if (site)            /* browsers that send fetch metadata tell us outright */
        return !strcasecmp(site, "cross-site");
    if (pbxdial_request_cross_site(r))
        return 1;
    referer = apr_table_get(r->headers_in, "Referer");
    if (!referer || !*referer)
        return 0;
    host = apr_table_get(r->headers_in, "Host");
    /* the Referer's origin: scheme://authority */
    end = strstr(referer, "://");
    end = end ? strchr(end + 3, '/') : NULL;
    origin = end ? apr_pstrmemdup(r->pool, referer, end - referer) : referer;
    return !host || !pbxdial_url_same_origin(r->pool, origin, ap_http_scheme(r), host);
}

static const char *confirm_key(request_rec *r, const char *token)
{
    return apr_pstrcat(r->pool, "confirm|", token, NULL);
}

int pbxdial_confirm_ask(request_rec *r, const char *args, const char *ext_at, const char *dest)
{
    unsigned char raw[16];
    char token[33];
    int i;

    if (apr_generate_random_bytes(raw, sizeof(raw)) != APR_SUCCESS) {
        pbxdial_problem_t pr = { HTTP_SERVICE_UNAVAILABLE, "internal", "Cannot confirm now",
                                 "The server could not make a confirmation; try again." };
        return pbxdial_respond_problem(r, &pr);
    }
    for (i = 0; i < 16; i++)
        apr_snprintf(token + 2 * i, 3, "%02x", raw[i]);
    pbxdial_guard_put(r, confirm_key(r, token), apr_pstrcat(r->pool, r->user, "\n", args ? args : "", NULL),
                      apr_time_now() + CONFIRM_TTL);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, PBXLOGNO(0901)
                  "cross-site click-to-dial link for %s to %s: asking the user to confirm", ext_at, dest);

    pbxdial_stats_add(PBXDIAL_STAT_CONFIRMS);
    pbxdial_respond_nostore(r);
    apr_table_setn(r->err_headers_out, "X-Frame-Options", "DENY");
    apr_table_setn(r->err_headers_out, "Content-Security-Policy",
                   "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    apr_table_mergen(r->headers_out, "Vary", "Accept");
    if (pbxdial_page_prefers_json(apr_table_get(r->headers_in, "Accept")))
        return pbxdial_respond_error(r, HTTP_FORBIDDEN, "confirm_required",
                                     "this link came from another site: open it directly to confirm");
    ap_set_content_type(r, "text/html; charset=utf-8");
    ap_rputs(pbxdial_page_confirm(r->pool, "Confirm the call",
                                  apr_psprintf(r->pool, "Another site opened this link. Call %s from your "
                                               "extension %s?", dest, ext_at),
                                  apr_pstrcat(r->pool, r->uri, args ? "?" : "", args ? args : "", NULL),
                                  token, "Call"), r);
    return OK;
}

const char *pbxdial_confirm_check(request_rec *r, const char *args)
{
    apr_array_header_t *pairs = NULL;
    const char *token = NULL, *stored, *expect;
    int i;

    if (pbxdial_request_cross_site(r))
        return "The confirmation must come from this site's own page.";
    if (ap_parse_form_data(r, NULL, &pairs, 4, 1024) != OK || !pairs)
        return "The confirmation form could not be read.";
    for (i = 0; i < pairs->nelts; i++) {
        ap_form_pair_t *pair = &APR_ARRAY_IDX(pairs, i, ap_form_pair_t);
        if (!strcmp(pair->name, "token")) {
            char buf[40];
            apr_size_t len = sizeof(buf) - 1;
            apr_brigade_flatten(pair->value, buf, &len);
            buf[len] = '\0';
            token = apr_pstrdup(r->pool, buf);
        }
    }
    if (!token || strlen(token) != 32 || strspn(token, "0123456789abcdef") != 32)
        return "The confirmation carries no valid token.";
    stored = pbxdial_guard_get(r, confirm_key(r, token));
    pbxdial_guard_drop(r, confirm_key(r, token));      /* good for one POST */
    expect = apr_pstrcat(r->pool, r->user, "\n", args ? args : "", NULL);
    if (!stored || strcmp(stored, expect))
        return "The confirmation has expired or belongs to another link; open the link again.";
    return NULL;
}
