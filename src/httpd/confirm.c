/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Confirmation of click-to-dial links that ride on ambient credentials. A
 * type-1 link is authenticated by a cached Basic login or a cookie, so any
 * page can make the browser follow it: CSRF against the phone bill. Such a
 * GET dials at once only on positive evidence that it came from this site
 * (or from the user directly); anything else gets a page with a form.
 *
 * The form's token is stateless: an HMAC (secret.h) over the path, the user,
 * the exact link and an expiry, so showing the page writes nothing to
 * PbxDialCache and a flood of pages cannot push security markers out. Only
 * a POST by that user with a valid token records it as used (single use).
 * The page may not be framed (no clickjacking). */
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_log.h>
#include <openssl/crypto.h>

#include "httpd/confirm.h"
#include "httpd/store.h"
#include "httpd/log.h"
#include "core/page.h"
#include "httpd/reqstate.h"
#include "httpd/secret.h"
#include "httpd/stats.h"
#include "core/url.h"

#define CONFIRM_TTL       300 /* seconds a page's token is good */
#define CONFIRM_PURPOSE   "confirm token"
#define CONFIRM_NONCE     8 /* random bytes: one page, one token */
#define CONFIRM_MAC_HEX   (2 * PBXDIAL_SECRET_LEN)
#define CONFIRM_TOKEN_MAX (20 + 1 + 2 * CONFIRM_NONCE + 1 + CONFIRM_MAC_HEX)

/* Is this value of Origin (is_referer 0) or Referer (1) the site's own
 * origin? The site's own origin is httpd's: ap_http_scheme, and the name
 * and port of ap_get_server_name/ap_get_server_port. Under the default
 * UseCanonicalName Off that is the Host header the browser sent (httpd has
 * checked and lower-cased it); Host is client input, but a browser always
 * sends the host it is talking to, and a client that forges Host is not a
 * browser carrying a victim's credentials. With UseCanonicalName On it is
 * ServerName, which also shuts out a DNS name rebound to this server. */
static int confirm_is_own(request_rec *r, const char *value, int is_referer)
{
    pbxdial_url_origin_t own;

    if (!pbxdial_url_origin_make(r->pool, ap_http_scheme(r), ap_get_server_name(r), ap_get_server_port(r),
                                 &own))
        return 0;
    return pbxdial_url_origin_is(r->pool, value, is_referer, &own);
}

int pbxdial_confirm_needed(request_rec *r)
{
    const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    const char *origin = apr_table_get(r->headers_in, "Origin");
    const char *referer = apr_table_get(r->headers_in, "Referer");

    /* the browser's own word wins: no page can set or change it. "same-site"
     * is not enough (a sibling subdomain may be anyone's); "none" is the
     * user's own action (typed, bookmark, another application) */
    if (site)
        return strcasecmp(site, "same-origin") && strcasecmp(site, "none");
    /* no fetch metadata (plain http:// hosts, older browsers): every header
     * that is there must name this site, and one must be there; a request
     * with none (referrerpolicy=no-referrer) proves nothing */
    if (!origin && (!referer || !*referer))
        return 1;
    if (origin && !confirm_is_own(r, origin, 0))
        return 1;
    if (referer && *referer && !confirm_is_own(r, referer, 1))
        return 1;
    return 0;
}

static void confirm_hex(char *out, const unsigned char *raw, int n)
{
    int i;

    for (i = 0; i < n; i++)
        apr_snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

/* hex HMAC over everything the token vouches for; the lengths keep the
 * fields from sliding into one another */
static const char *confirm_mac(request_rec *r, const char *args, apr_int64_t expiry, const char *nonce)
{
    unsigned char mac[PBXDIAL_SECRET_LEN];
    char hex[CONFIRM_MAC_HEX + 1];
    const char *a = args ? args : "";
    const char *data = apr_psprintf(
        r->pool,
        "%" APR_SIZE_T_FMT ":%s|%" APR_SIZE_T_FMT ":%s|%" APR_SIZE_T_FMT ":%s|%" APR_INT64_T_FMT "|%s",
        strlen(r->uri), r->uri, strlen(r->user), r->user, strlen(a), a, expiry, nonce);

    pbxdial_secret_hmac(CONFIRM_PURPOSE, data, strlen(data), mac);
    confirm_hex(hex, mac, PBXDIAL_SECRET_LEN);
    OPENSSL_cleanse(mac, sizeof(mac));
    return apr_pstrdup(r->pool, hex);
}

int pbxdial_confirm_ask(request_rec *r, const char *args, const char *ext_at, const char *dest)
{
    apr_int64_t expiry = apr_time_sec(apr_time_now()) + CONFIRM_TTL;
    unsigned char raw[CONFIRM_NONCE];
    char nonce[2 * CONFIRM_NONCE + 1];
    const char *token;

    if (apr_generate_random_bytes(raw, sizeof(raw)) != APR_SUCCESS) {
        pbxdial_problem_t pr = {HTTP_SERVICE_UNAVAILABLE, "internal", "Cannot confirm now",
                                "The server could not make a confirmation; try again."};
        return pbxdial_respond_problem(r, &pr);
    }
    confirm_hex(nonce, raw, CONFIRM_NONCE);
    token = apr_psprintf(r->pool, "%" APR_INT64_T_FMT ".%s.%s", expiry, nonce,
                         confirm_mac(r, args, expiry, nonce));

    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  PBXLOGNO(0901) "click-to-dial link for %s to %s without proof that it came from this site: "
                                 "asking the user to confirm",
                  ext_at, dest);

    pbxdial_stats_add(PBXDIAL_STAT_CONFIRMS);
    pbxdial_respond_nostore(r); /* no-store, and cannot be framed (the page is the clickjacking target) */
    apr_table_mergen(r->headers_out, "Vary", "Accept");
    if (pbxdial_page_prefers_json(apr_table_get(r->headers_in, "Accept")))
        return pbxdial_respond_error(r, HTTP_FORBIDDEN, "confirm_required",
                                     "this link did not come from this site's own page: open it directly "
                                     "to confirm");
    ap_set_content_type(r, "text/html; charset=utf-8");
    ap_rputs(pbxdial_page_confirm(r->pool, "Confirm the call",
                                  apr_psprintf(r->pool,
                                               "A link asks to call %s from your extension %s. "
                                               "Place the call?",
                                               dest, ext_at),
                                  apr_pstrcat(r->pool, r->uri, args ? "?" : "", args ? args : "", NULL),
                                  token, "Call"),
             r);
    return OK;
}

/* The form's token field (one, at most CONFIRM_TOKEN_MAX bytes), or NULL. */
static const char *confirm_form_token(request_rec *r)
{
    apr_array_header_t *pairs = NULL;
    const char *token = NULL;
    int i;

    if (ap_parse_form_data(r, NULL, &pairs, 4, 1024) != OK || !pairs)
        return NULL;
    for (i = 0; i < pairs->nelts; i++) {
        ap_form_pair_t *pair = &APR_ARRAY_IDX(pairs, i, ap_form_pair_t);
        char buf[CONFIRM_TOKEN_MAX + 2];
        apr_size_t len = sizeof(buf) - 1;

        if (strcmp(pair->name, "token"))
            continue;
        if (token)
            return NULL;
        apr_brigade_flatten(pair->value, buf, &len);
        buf[len] = '\0';
        token = apr_pstrdup(r->pool, buf);
    }
    return token;
}

const pbxdial_problem_t *pbxdial_confirm_check(request_rec *r, const char *args)
{
    static const pbxdial_problem_t foreign = {HTTP_FORBIDDEN, "confirmation_invalid", "Call not confirmed",
                                              "The confirmation must come from this site's own page."};
    static const pbxdial_problem_t malformed = {HTTP_FORBIDDEN, "confirmation_invalid", "Call not confirmed",
                                                "The confirmation carries no valid token."};
    static const pbxdial_problem_t stale = {
        HTTP_FORBIDDEN, "confirmation_invalid", "Call not confirmed",
        "The confirmation has expired or belongs to another link; open the link again."};
    static const pbxdial_problem_t used = {HTTP_FORBIDDEN, "confirmation_invalid", "Call not confirmed",
                                           "This confirmation was already used; open the link again."};
    static const pbxdial_problem_t unavailable = {
        HTTP_SERVICE_UNAVAILABLE, "cache_unavailable", "Cannot confirm now",
        "The server cannot tell whether this confirmation was used before; try again later."};
    const char *token, *dot, *mac, *why, *nonce;
    apr_int64_t expiry, now = apr_time_sec(apr_time_now());
    char *end;

    if ((why = pbxdial_reqstate_cross_site(r))) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r,
                      PBXLOGNO(0902) "confirmation POST for \"%s\" refused: %s",
                      ap_escape_logitem(r->pool, r->user), why);
        return &foreign;
    }
    /* EXPIRY.NONCE.MAC: decimal seconds, then lower-case hex */
    token = confirm_form_token(r);
    dot = token ? strchr(token, '.') : NULL;
    if (!dot || dot == token || *token == '0' || strspn(token, "0123456789") != (apr_size_t)(dot - token)
        || strspn(dot + 1, "0123456789abcdef") != 2 * CONFIRM_NONCE || dot[1 + 2 * CONFIRM_NONCE] != '.')
        return &malformed;
    nonce = apr_pstrmemdup(r->pool, dot + 1, 2 * CONFIRM_NONCE);
    mac = dot + 2 + 2 * CONFIRM_NONCE;
    if (strlen(mac) != CONFIRM_MAC_HEX)
        return &malformed;
    expiry = apr_strtoi64(token, &end, 10);
    if (end != dot || expiry <= 0)
        return &malformed;
    /* the MAC first: an expiry we did not write is tampering, not staleness */
    if (CRYPTO_memcmp(confirm_mac(r, args, expiry, nonce), mac, CONFIRM_MAC_HEX)) {
        ap_log_rerror(
            APLOG_MARK, APLOG_NOTICE, 0, r,
            PBXLOGNO(0903) "confirmation POST for \"%s\": the token was not made for this user and link",
            ap_escape_logitem(r->pool, r->user));
        return &stale;
    }
    if (expiry < now || expiry > now + CONFIRM_TTL + 5)
        return &stale;
    /* spent only here, by an authenticated user holding a token the server
     * made for them: a state write nobody can make cheaply */
    switch (pbxdial_store_first_use(r, apr_pstrcat(r->pool, "confirm|", mac, NULL),
                                    apr_time_from_sec(expiry + 1))) {
    case 1:
        return NULL;
    case 0:
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, PBXLOGNO(0904) "confirmation POST for \"%s\" replayed",
                      ap_escape_logitem(r->pool, r->user));
        return &used;
    default:
        ap_log_rerror(
            APLOG_MARK, APLOG_ERR, 0, r,
            PBXLOGNO(0905) "confirmation POST for \"%s\" refused: PbxDialCache cannot say whether it was "
                           "used before",
            ap_escape_logitem(r->pool, r->user));
        return &unavailable;
    }
}
