/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* HTTP transport to the PBX with libcurl. Every request gets the configured
 * timeout (at most what is left of its request's deadline), TLS settings
 * and no signals (httpd threads must not get SIGALRM); no redirects are
 * followed and only http/https are spoken, so a PBX reply cannot send the
 * admin credentials elsewhere. */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>
#include <curl/curl.h>
#include <openssl/ssl.h>

#include "pbx/pbx.h"
#include "pbx/conn.h"
#include "pbx/runner.h"

/* Set in the parent before fork and only read afterwards: no lock. */
static pbxdial_pbx_stats_fn *http_stats;
/* Set in child_init, read-only afterwards: curl's TLS is OpenSSL's, its
 * built-in CA file, and the request headers with and without a body. */
static int http_openssl;
static const char *http_ca_default;
static struct curl_slist *http_hdrs, *http_hdrs_body;

/* PBX answers are a few hundred bytes; a larger one is not a PBX answer. */
#define PBXDIAL_BODY_MAX (64 * 1024)

typedef struct {
    apr_pool_t *p;
    char *buf;
    apr_size_t len;
    apr_size_t cap;
    int overflow;
    const char *session_cookie;
} http_sink_t;

static size_t http_on_body(char *data, size_t size, size_t n, void *baton)
{
    http_sink_t *s = baton;
    apr_size_t add = size * n;

    if (s->len + add > PBXDIAL_BODY_MAX) {
        s->overflow = 1;
        return 0; /* makes curl fail the transfer */
    }
    if (s->len + add + 1 > s->cap) {
        apr_size_t cap = s->cap ? s->cap * 2 : 1024;
        char *nb;
        while (cap < s->len + add + 1)
            cap *= 2;
        nb = apr_palloc(s->p, cap);
        if (s->len)
            memcpy(nb, s->buf, s->len);
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, add);
    s->len += add;
    s->buf[s->len] = '\0';
    return add;
}

/* Picks the value of "Set-Cookie: session=VALUE; ..." out of the headers. */
static size_t http_on_header(char *data, size_t size, size_t n, void *baton)
{
    http_sink_t *s = baton;
    apr_size_t len = size * n;
    static const char name[] = "set-cookie:";

    if (len > sizeof(name) - 1 && !strncasecmp(data, name, sizeof(name) - 1)) {
        const char *v = data + sizeof(name) - 1, *end = data + len;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        if (end - v > 8 && !strncmp(v, "session=", 8)) {
            const char *e = v + 8;
            while (e < end && *e != ';' && *e != '\r' && *e != '\n')
                e++;
            s->session_cookie = apr_pstrmemdup(s->p, v + 8, e - (v + 8));
        }
    }
    return len;
}

static pbxdial_pbx_rc_e http_classify(CURLcode cc)
{
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return PBXDIAL_PBX_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_USE_SSL_FAILED:
        return PBXDIAL_PBX_TLS;
    case CURLE_WRITE_ERROR:
        return PBXDIAL_PBX_BAD_REPLY;
    case CURLE_OUT_OF_MEMORY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return PBXDIAL_PBX_INTERNAL;
    default:
        return PBXDIAL_PBX_UNREACHABLE;
    }
}

/* Read-ahead lets OpenSSL take a whole PBX reply (record header and body,
 * often several records) in one recv instead of one per header and per
 * body; curl then meets EAGAIN once. Runs once per new TLS connection. */
static CURLcode http_ssl_ctx(CURL *h, void *ssl_ctx, void *unused)
{
    SSL_CTX_set_read_ahead((SSL_CTX *)ssl_ctx, 1);
    return CURLE_OK;
}

/* What every transfer of every configuration sets alike: once per handle,
 * since a kept handle keeps its options (pbx/conn.c). */
static void http_set_fixed(CURL *h)
{
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    /* the shared connection cache keeps this many idle connections; curl's
     * default of 5 would close most of them under a few parallel requests */
    curl_easy_setopt(h, CURLOPT_MAXCONNECTS, (long)pbxdial_conn_max());
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    if (http_openssl)
        curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, http_ssl_ctx);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "mod_pbxdial/" PBXDIAL_VERSION);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_on_body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_on_header);
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
}

/* Everything that differs between transfers, each set every time, so that
 * nothing of the handle's last transfer (another server's CA file, its
 * body, cookie or admin credentials) reaches this one. */
static void http_set_request(CURL *h, apr_pool_t *p, const pbxdial_pbx_conf_t *c,
                             const pbxdial_pbx_req_t *req, long ms, char *errbuf, http_sink_t *sink)
{
    curl_easy_setopt(h, CURLOPT_URL, apr_pstrcat(p, c->url, req->path, NULL));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->verify_peer ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->verify_peer ? 2L : 0L);
    curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file ? c->ca_file : http_ca_default);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, sink);
    if (req->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(req->body));
    }
    else {
        /* POSTFIELDS NULL still means POST to curl: HTTPGET after it */
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, -1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, req->body ? http_hdrs_body : http_hdrs);
    curl_easy_setopt(h, CURLOPT_COOKIE, req->cookie); /* NULL: none */
    curl_easy_setopt(h, CURLOPT_USERNAME, req->admin_auth ? c->admin_user : NULL);
    curl_easy_setopt(h, CURLOPT_PASSWORD, req->admin_auth ? c->admin_password : NULL);
}

static apr_status_t http_cleanup(void *unused)
{
    curl_slist_free_all(http_hdrs);
    curl_slist_free_all(http_hdrs_body);
    http_hdrs = http_hdrs_body = NULL;
    return APR_SUCCESS;
}

apr_status_t pbxdial_pbx_child_init(apr_pool_t *pchild, int threads)
{
    const char *tls = curl_version_info(CURLVERSION_NOW)->ssl_version;
    char *ca = NULL;
    CURL *probe;

    /* the callback gets the backend's own context type: only OpenSSL's is an SSL_CTX */
    http_openssl = tls && !strncmp(tls, "OpenSSL/", 8);
    pbxdial_conn_child_init(pchild, threads);
    /* the CA file a handle has before anyone sets one, to set back after a
     * PbxDialCAFile of another server (NULL: libcurl has none built in) */
    probe = curl_easy_init();
    if (probe) {
        if (curl_easy_getinfo(probe, CURLINFO_CAINFO, &ca) == CURLE_OK && ca)
            http_ca_default = apr_pstrdup(pchild, ca);
        curl_easy_cleanup(probe);
    }
    /* built once, read by every transfer of the child (curl never changes them) */
    http_hdrs = curl_slist_append(NULL, "Accept: application/json");
    http_hdrs = curl_slist_append(http_hdrs, "Expect:");
    http_hdrs_body = curl_slist_append(NULL, "Content-Type: application/json");
    http_hdrs_body = curl_slist_append(http_hdrs_body, "Accept: application/json");
    http_hdrs_body = curl_slist_append(http_hdrs_body, "Expect:");
    /* after conn's cleanup in registration, so it runs before: no handle
     * points at the lists then (HTTPHEADER is cleared after each transfer) */
    apr_pool_cleanup_register(pchild, NULL, http_cleanup, apr_pool_cleanup_null);
    if (!http_hdrs || !http_hdrs_body)
        return APR_ENOMEM;
    return pbxdial_runner_child_init(pchild, threads);
}

int pbxdial_pbx_transfer_thread(void)
{
    return pbxdial_runner_active();
}

void pbxdial_pbx_set_stats(pbxdial_pbx_stats_fn *fn)
{
    http_stats = fn;
}

const char *pbxdial_pbx_version(void)
{
    return curl_version();
}

pbxdial_pbx_rc_e pbxdial_pbx_exchange(apr_pool_t *p, const pbxdial_pbx_conf_t *c,
                                      const pbxdial_pbx_req_t *req, pbxdial_pbx_resp_t *resp,
                                      pbxdial_pbx_outcome_t *out)
{
    char errbuf[CURL_ERROR_SIZE];
    http_sink_t sink;
    apr_time_t start = apr_time_now();
    apr_interval_time_t budget = c->timeout;
    long ms;
    int fresh;
    CURLcode cc;
    CURL *h;

    memset(resp, 0, sizeof(*resp));
    memset(&sink, 0, sizeof(sink));
    memset(out, 0, sizeof(*out));
    sink.p = p;
    errbuf[0] = '\0';

    /* the request's own deadline: a chain of exchanges shares one budget */
    if (c->deadline && c->deadline - start < budget)
        budget = c->deadline - start;
    ms = (long)apr_time_as_msec(budget);
    if (ms < 1) {
        /* a reply now would come after the client's answer was due */
        out->rc = PBXDIAL_PBX_TIMEOUT;
        out->detail = "no time left of PbxDialTimeout for this request; nothing sent";
        if (c->trace)
            c->trace(c->trace_baton, req->method, "(not sent)", 0, 0, out->detail);
        return out->rc;
    }

    h = pbxdial_conn_acquire(&fresh);
    if (!h) {
        out->rc = PBXDIAL_PBX_INTERNAL;
        out->detail = "could not get a curl handle";
        return out->rc;
    }
    if (fresh)
        http_set_fixed(h);
    http_set_request(h, p, c, req, ms, errbuf, &sink);

    cc = pbxdial_runner_perform(h);
    out->elapsed = apr_time_now() - start;
    if (cc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
        resp->body = sink.buf ? sink.buf : "";
        resp->body_len = sink.len;
        resp->session_cookie = sink.session_cookie;
        out->status = resp->status;
        out->rc = PBXDIAL_PBX_OK;
    }
    else {
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        out->status = status;
        out->rc = sink.overflow ? PBXDIAL_PBX_BAD_REPLY : http_classify(cc);
        out->detail = sink.overflow
                          ? apr_psprintf(p, "reply larger than %d bytes", PBXDIAL_BODY_MAX)
                          : apr_psprintf(p, "%s (curl %d: %s)", errbuf[0] ? errbuf : curl_easy_strerror(cc),
                                         (int)cc, curl_easy_strerror(cc));
    }
    if (c->trace || http_stats) {
        /* the path without its query: it is harmless today, but stays out of logs */
        const char *q = strchr(req->path, '?');
        const char *path = q ? apr_pstrmemdup(p, req->path, q - req->path) : req->path;
        if (http_stats)
            http_stats(req->method, path, out->rc, out->status, out->elapsed);
        if (c->trace)
            c->trace(c->trace_baton, req->method, path, out->status, out->elapsed,
                     cc == CURLE_OK ? NULL : out->detail);
    }
    /* a kept handle must not point into this stack frame or pool */
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    pbxdial_conn_release(h, cc == CURLE_OK);
    return out->rc;
}
