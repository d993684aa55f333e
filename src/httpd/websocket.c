/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Same-origin websocket mode (PbxDialWebSocket On). The browser opens the
 * PBX websocket through this site: a <Location> that mod_proxy forwards to
 * the PBX with upgrade=websocket. Before mod_proxy builds the backend
 * request, this fixup makes sure it goes out as the logged-in user's
 * extension and as nothing else:
 *  - only a real websocket upgrade that mod_proxy will forward is touched;
 *    a plain request to a proxied websocket location is refused (400) and
 *    a location that only inherits PbxDialWebSocket is left alone;
 *  - the Apache user is mapped to extension and domain as for /rest/pbxlogin;
 *  - the extension's PBX session (cached, or minted and activated
 *    server-side, session.c) is sent as the only cookie;
 *  - every other request header is dropped unless it is on a short
 *    allow-list: login modules put tokens and claims into request headers
 *    (Authorization, OIDC_access_token, OIDC_CLAIM_*), and the PBX needs
 *    none of them;
 *  - the query is replaced by that domain and user, whatever the browser
 *    asked for;
 *  - Set-Cookie never reaches the browser from the PBX's answer (a filter on
 *    the connection: the 101 goes out past every request filter).
 * The PBX session never reaches the browser, and no third-party cookie is
 * needed. */
#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_filter.h>

#include "httpd/config.h"
#include "core/httphead.h"
#include "httpd/identity.h"
#include "httpd/log.h"
#include "httpd/ratelimit.h"
#include "httpd/reqstate.h"
#include "httpd/respond.h"
#include "httpd/session.h"
#include "httpd/stats.h"
#include "httpd/websocket.h"
#include "httpd/wsfilter.h"

#define WS_HEAD_FILTER "PBXDIAL_WS_HEAD"
/* a response head larger than this is not one mod_proxy would send */
#define WS_HEAD_MAX (64 * 1024)

/* What the PBX gets from the browser's handshake (mod_proxy adds its own
 * X-Forwarded-* and Via after the fixups; Cookie is the module's). */
static const char *const ws_allowed[] = {"Host",
                                         "Upgrade",
                                         "Connection",
                                         "Sec-WebSocket-Key",
                                         "Sec-WebSocket-Version",
                                         "Sec-WebSocket-Protocol",
                                         "User-Agent",
                                         "Cookie",
                                         NULL};

static const char *const ws_set_cookie[] = {"Set-Cookie", "Set-Cookie2", NULL};

/* mod_proxy's own test in proxy_handler (which runs first among handlers,
 * whatever r->handler says): a ProxyPass or [P] set r->proxyreq and a
 * proxy: filename; SetHandler "proxy:..." names the backend itself. */
static int ws_forwarded(const request_rec *r)
{
    if (r->proxyreq && r->filename && !strncmp(r->filename, "proxy:", 6))
        return 1;
    return !r->proxyreq && r->handler && !strncmp(r->handler, "proxy:", 6);
}

static int ws_refuse(request_rec *r, int status, const char *code, const char *title, const char *message)
{
    pbxdial_problem_t pr = {status, code, title, message};

    /* a subrequest writes nothing: its status is its answer */
    if (r->main)
        return status;
    pbxdial_respond_problem(r, &pr);
    return DONE;
}

/* 1 when r came over HTTP/2. Its Upgrade and Connection can then only be
 * the ones mod_http2 wrote when it turned an extended CONNECT (RFC 8441,
 * H2WebSockets on) into an internal GET: an HTTP/2 client may not send
 * them (RFC 9113 8.2.2), nghttp2 refuses a stream that does. */
static int ws_over_h2(const request_rec *r)
{
    return r->proto_num >= HTTP_VERSION(2, 0) && r->connection->master;
}

/* OK when r is a websocket handshake this fixup may act on: an HTTP/1.1
 * upgrade, or the GET mod_http2 makes of an extended CONNECT. */
static int ws_upgrade_check(request_rec *r)
{
    static const char *only = "This location only accepts websocket upgrades.";
    const char *up = apr_table_get(r->headers_in, "Upgrade");
    const char *conn = apr_table_get(r->headers_in, "Connection");
    const char *key = apr_table_get(r->headers_in, "Sec-WebSocket-Key");
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    const char *why = NULL;

    if (r->main || r->prev)
        why = r->main ? "a subrequest" : "an internal redirect";
    if (why) {
        /* mod_proxy would send the browser's headers as they are */
        ap_log_rerror(
            APLOG_MARK, APLOG_INFO, 0, r,
            PBXLOGNO(0720) "PbxDialWebSocket: refused %s to %s; the websocket must be requested directly",
            why, r->uri);
        return ws_refuse(r, HTTP_BAD_REQUEST, "not_websocket", "Not a websocket", only);
    }
    if (r->method_number != M_GET || r->header_only) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      PBXLOGNO(0721) "PbxDialWebSocket: refused method %s on %s", r->method, r->uri);
        apr_table_setn(r->headers_out, "Allow", "GET");
        return ws_refuse(r, HTTP_METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed", only);
    }
    if (r->proto_num < HTTP_VERSION(1, 1))
        why = "HTTP/1.0";
    else if (!up || !ap_find_token(r->pool, up, "websocket"))
        why = "no Upgrade: websocket";
    else if (!conn || !ap_find_token(r->pool, conn, "upgrade"))
        why = "no Connection: upgrade";
    else if (!key || !*key)
        why = "no Sec-WebSocket-Key";
    else if (ws_over_h2(r) ? cl && strcmp(cl, "0")
                           : apr_table_get(r->headers_in, "Transfer-Encoding") || (cl && strcmp(cl, "0")))
        /* it would be tunnelled to the PBX as frames. Over HTTP/2 the
         * stream's DATA are the websocket: mod_http2 marks them
         * "Transfer-Encoding: chunked" for its request body filter, which
         * the tunnel does not read through (the frames reach the
         * connection filters, wsfilter.c, as they are). */
        why = "a request body";
    if (!why)
        return OK;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  PBXLOGNO(0722) "PbxDialWebSocket: %s is not a websocket handshake (%s); "
                                 "refused, the PBX is not asked",
                  r->uri, why);
    return ws_refuse(r, HTTP_BAD_REQUEST, "not_websocket", "Not a websocket", only);
}

static int ws_is_allowed(const char *name)
{
    const char *const *a;

    for (a = ws_allowed; *a; a++)
        if (!strcasecmp(name, *a))
            return 1;
    return 0;
}

/* r->headers_in becomes the allow-listed headers plus the session cookie.
 * Names of the dropped headers are logged at debug, never their values. */
static void ws_headers_allow(request_rec *r, const char *session)
{
    const apr_array_header_t *arr = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    apr_table_t *keep = apr_table_make(r->pool, 8);
    const char *dropped = NULL;
    int i;

    for (i = 0; i < arr->nelts; i++) {
        if (!e[i].key)
            continue;
        if (ws_is_allowed(e[i].key) && strcasecmp(e[i].key, "Cookie"))
            apr_table_addn(keep, e[i].key, e[i].val);
        else if (strcasecmp(e[i].key, "Cookie"))
            dropped = apr_pstrcat(r->pool, dropped ? dropped : "", dropped ? ", " : "",
                                  ap_escape_logitem(r->pool, e[i].key), NULL);
    }
    apr_table_clear(r->headers_in);
    apr_table_overlap(r->headers_in, keep, APR_OVERLAP_TABLES_SET);
    apr_table_setn(r->headers_in, "Cookie", apr_pstrcat(r->pool, "session=", session, NULL));
    if (dropped)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      PBXLOGNO(0723) "PbxDialWebSocket: not sent to the PBX: %s", dropped);
}

/* --- the PBX's answer, as it goes to the browser */

typedef struct {
    request_rec *r;
    pbxdial_session_t *ses;
    ap_filter_t *f;
    char *buf; /* the head so far */
    apr_size_t len, cap;
    int partial; /* gave up inside a head */
    int removed;
} ws_head_t;

static void ws_head_remove(ws_head_t *h)
{
    if (!h->removed) {
        h->removed = 1;
        ap_remove_output_filter(h->f);
    }
}

/* The filter lives on the connection, the request may end without it
 * having seen anything: it must not outlive the request. */
static apr_status_t ws_head_cleanup(void *data)
{
    ws_head_remove(data);
    return APR_SUCCESS;
}

/* The PBX answered status to the upgrade: a cached session it refuses is
 * dropped, so the next websocket of the extension gets a new one. */
static void ws_head_status(ws_head_t *h, int status)
{
    if (status == HTTP_SWITCHING_PROTOCOLS || ap_is_HTTP_INFO(status))
        return;
    if (pbxdial_session_refused(h->r, h->ses, status))
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, h->r,
                      PBXLOGNO(0724) "PBX refused the cached session of %s for a websocket (%d); the next "
                                     "websocket of that extension gets a new one",
                      h->ses->ext_at, status);
    else
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, h->r, PBXLOGNO(0725) "websocket of %s not upgraded: %d",
                      h->ses->ext_at, status);
}

static apr_status_t ws_head_keep(ws_head_t *h, const char *data, apr_size_t n)
{
    if (h->len + n > WS_HEAD_MAX)
        return APR_ENOSPC;
    if (h->len + n > h->cap) {
        char *nb;

        h->cap = h->cap ? h->cap : 1024;
        while (h->cap < h->len + n)
            h->cap *= 2;
        nb = apr_palloc(h->r->pool, h->cap);
        if (h->len)
            memcpy(nb, h->buf, h->len);
        h->buf = nb;
    }
    memcpy(h->buf + h->len, data, n);
    h->len += n;
    return APR_SUCCESS;
}

/* Whole heads in h->buf go out without Set-Cookie. A 1xx other than 101
 * (100 Continue) is followed by another head; anything else ends the work.
 * Returns 1 when done. */
static int ws_head_emit(ws_head_t *h, apr_bucket_brigade *out)
{
    apr_bucket_alloc_t *ba = h->f->c->bucket_alloc;
    apr_size_t hl, n;
    int status, dropped;
    char *head;

    while (h->len && pbxdial_httphead_starts(h->buf, h->len)
           && (hl = pbxdial_httphead_length(h->buf, h->len))) {
        status = hl > 12 ? atoi(h->buf + 9) : 0;
        head = pbxdial_httphead_drop(h->r->pool, h->buf, hl, ws_set_cookie, &n, &dropped);
        APR_BRIGADE_INSERT_TAIL(out, apr_bucket_heap_create(head, n, NULL, ba));
        if (dropped)
            ap_log_rerror(
                APLOG_MARK, APLOG_DEBUG, 0, h->r,
                PBXLOGNO(0726) "websocket of %s: %d Set-Cookie from the PBX's %d answer not sent to "
                               "the browser",
                h->ses->ext_at, dropped, status);
        memmove(h->buf, h->buf + hl, h->len - hl);
        h->len -= hl;
        ws_head_status(h, status);
        if (!ap_is_HTTP_INFO(status) || status == HTTP_SWITCHING_PROTOCOLS)
            return 1;
    }
    /* bytes that cannot start a head: not ours to touch */
    return h->len && !pbxdial_httphead_starts(h->buf, h->len);
}

static apr_status_t ws_head_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    ws_head_t *h = f->ctx;
    apr_bucket_brigade *out = apr_brigade_create(h->r->pool, f->c->bucket_alloc);
    apr_bucket *b;
    const char *data;
    apr_size_t n;
    apr_status_t rv;
    int done = 0;

    while (!done && !APR_BRIGADE_EMPTY(bb)) {
        b = APR_BRIGADE_FIRST(bb);
        if (APR_BUCKET_IS_METADATA(b)) {
            if (h->len && APR_BUCKET_IS_FLUSH(b)) {
                apr_bucket_delete(b); /* the head is not complete: nothing to flush */
                continue;
            }
            /* HTTP/2's final head is a metadata bucket, not text */
            if (!h->len && !APR_BUCKET_IS_FLUSH(b) && !APR_BUCKET_IS_EOS(b)) {
                ws_head_status(h, h->r->status);
                done = 1;
                break;
            }
            if (h->len) {
                /* the response ends inside a head: it goes as it is, minus cookies */
                h->partial = 1;
                done = 1;
                break;
            }
            APR_BUCKET_REMOVE(b);
            APR_BRIGADE_INSERT_TAIL(out, b);
            continue;
        }
        if ((rv = apr_bucket_read(b, &data, &n, APR_BLOCK_READ)) != APR_SUCCESS)
            return rv;
        if (ws_head_keep(h, data, n) != APR_SUCCESS) {
            /* fail closed: never send a head that was not looked at */
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, h->r,
                          PBXLOGNO(0727) "websocket of %s: a response head over %d bytes; connection closed",
                          h->ses->ext_at, WS_HEAD_MAX);
            f->c->aborted = 1;
            ws_head_remove(h);
            return APR_ECONNABORTED;
        }
        apr_bucket_delete(b);
        done = ws_head_emit(h, out);
    }
    if (done) {
        if (h->len && h->partial && pbxdial_httphead_starts(h->buf, h->len)) {
            int dropped;

            h->buf = pbxdial_httphead_drop(h->r->pool, h->buf, h->len, ws_set_cookie, &n, &dropped);
            h->len = n;
        }
        if (h->len)
            APR_BRIGADE_INSERT_TAIL(out, apr_bucket_heap_create(h->buf, h->len, NULL, f->c->bucket_alloc));
        h->len = 0;
        APR_BRIGADE_CONCAT(out, bb);
        ws_head_remove(h);
    }
    else if (!APR_BRIGADE_EMPTY(out)) {
        APR_BRIGADE_INSERT_TAIL(out, apr_bucket_flush_create(f->c->bucket_alloc));
    }
    if (APR_BRIGADE_EMPTY(out))
        return APR_SUCCESS;
    return ap_pass_brigade(f->next, out);
}

/* Before mod_proxy answers: whatever head goes to the browser first on
 * this connection passes the filter. */
static void ws_watch(request_rec *r, pbxdial_session_t *ses)
{
    ws_head_t *h = apr_pcalloc(r->pool, sizeof(*h));

    h->r = r;
    h->ses = ses;
    h->f = ap_add_output_filter(WS_HEAD_FILTER, h, NULL, r->connection);
    if (!h->f) {
        h->removed = 1;
        return;
    }
    apr_pool_cleanup_register(r->pool, h, ws_head_cleanup, apr_pool_cleanup_null);
}

void pbxdial_websocket_register(apr_pool_t *p)
{
    ap_register_output_filter(WS_HEAD_FILTER, ws_head_filter, NULL, AP_FTYPE_CONNECTION);
}

int pbxdial_websocket_fixup(request_rec *r)
{
    const pbxdial_dir_conf_t *dc = ap_get_module_config(r->per_dir_config, &pbxdial_module);
    const pbxdial_srv_conf_t *sc;
    pbxdial_pbx_conf_t pc;
    pbxdial_pbx_outcome_t out;
    pbxdial_problem_t pr;
    pbxdial_identity_t id;
    pbxdial_session_t *ses;
    const char *msg;
    int rv;

    if (!pbxdial_config_websocket(dc))
        return DECLINED;
    if (!ws_forwarded(r)) {
        /* an inner location that inherits PbxDialWebSocket: not the PBX's */
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                      PBXLOGNO(0616) "PbxDialWebSocket: %s is not forwarded by mod_proxy; left alone",
                      r->uri);
        return DECLINED;
    }
    if ((rv = ws_upgrade_check(r)) != OK)
        return rv;
    sc = ap_get_module_config(r->server->module_config, &pbxdial_module);
    if (!r->user || !*r->user) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      PBXLOGNO(0701) "PbxDialWebSocket on %s without an authenticated user; protect it with "
                                     "Apache authentication and \"Require valid-user\"",
                      r->uri);
        return HTTP_FORBIDDEN;
    }
    /* a websocket handshake carries ambient credentials: refuse other sites */
    if ((msg = pbxdial_reqstate_cross_site(r))) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      PBXLOGNO(0702) "refused a PBX websocket for user \"%s\" to a cross-site request (%s)",
                      ap_escape_logitem(r->pool, r->user), msg);
        return HTTP_FORBIDDEN;
    }
    if (!sc->server || !sc->admin_user) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      PBXLOGNO(0703) "PbxDialWebSocket on %s needs PbxDialServer and PbxDialAdmin", r->uri);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if ((msg = pbxdial_identity_map(r, dc, &id)))
        return HTTP_FORBIDDEN;
    /* before the upgrade: a refused handshake is a plain HTTP answer; a
     * reused session counts too (the budget is of websockets, not logins) */
    if ((rv = pbxdial_ratelimit_check(r, dc, apr_pstrcat(r->pool, id.ext, "@", id.domain, NULL))) != OK)
        return rv;

    pbxdial_config_pbx(r, sc, &pc);
    ses = apr_palloc(r->pool, sizeof(*ses));
    pbxdial_session_init(r, sc, &pc, &id, ses);
    if (pbxdial_session_get(r, &pc, &id, ses, &out) != PBXDIAL_PBX_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      PBXLOGNO(0704) "PBX session for the websocket of %s@%s (user \"%s\") failed: %s: %s",
                      id.ext, id.domain, ap_escape_logitem(r->pool, r->user), pbxdial_pbx_rc_name(out.rc),
                      out.detail ? out.detail : "");
        pbxdial_respond_pbx_problem(r->pool, &out, &pc, &pr);
        return pr.status;
    }
    ws_headers_allow(r, ses->value);
    /* extension and domain names are [A-Za-z0-9._-]: nothing to escape */
    r->args = apr_pstrcat(r->pool, "domain=", id.domain, "&user=", id.ext, NULL);
    r->parsed_uri.query = r->args;
    ws_watch(r, ses);
    pbxdial_stats_add(PBXDIAL_STAT_WEBSOCKETS);
    if (ses->cached)
        pbxdial_stats_add(PBXDIAL_STAT_SESSION_REUSED);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  PBXLOGNO(0705) "PBX websocket for %s@%s (user \"%s\"), %s session ready in %" APR_TIME_T_FMT
                                 " ms",
                  id.ext, id.domain, ap_escape_logitem(r->pool, r->user), ses->cached ? "cached" : "new",
                  apr_time_as_msec(out.elapsed));
    /* Over HTTP/2, mod_proxy's tunnel cannot half-close the browser's side
     * (a stream, not a socket it can shut down for writing): when the PBX
     * closes, the tunnel would wait for the browser, which keeps waiting
     * for the end of the stream, and a dropped PBX websocket would look
     * alive until a timeout. A websocket has no half-close of its own: the
     * tunnel ends when either side does, and the stream with it. */
    if (ws_over_h2(r))
        apr_table_setn(r->subprocess_env, "proxy-nohalfclose", "1");
    apr_table_unset(r->headers_in, "Sec-WebSocket-Extensions"); /* frames are read: never compressed */
    pbxdial_wsfilter_add(r, dc, apr_pstrcat(r->pool, id.ext, "@", id.domain, NULL));
    return OK;
}
