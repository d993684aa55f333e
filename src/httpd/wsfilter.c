/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The dial policy on the same-origin websocket (see wsfilter.h).
 *
 * mod_proxy's tunnel reads the browser with ap_get_brigade(AP_MODE_READBYTES,
 * APR_NONBLOCK_READ) on the connection's input filters and writes it to the
 * PBX; it polls the socket, not the filters. So the input filter never keeps
 * bytes it could return: it reads what the socket has, parses frames,
 * returns whole accepted frames as they came (up to readbytes; the tunnel
 * reads again until it gets nothing) and keeps only an incomplete frame or
 * message, for which more bytes must come from the socket anyway. When what
 * it read gives nothing to pass (a dropped message), it reads again, and
 * returns EAGAIN when the socket has no more.
 *
 * Frames towards the browser are written between the PBX's frames only: the
 * output filter follows them (a frame of ours inside one of the PBX's, or
 * inside its fragmented message, would corrupt the stream) and puts ours in
 * at the first place it may. */
#include <apr_strings.h>
#include <httpd.h>
#include <http_protocol.h>
#include <util_filter.h>

#include "httpd/log.h"
#include "httpd/ratelimit.h"
#include "httpd/wsfilter.h"
#include "core/wsframe.h"
#include "core/wspolicy.h"

#define WS_IN  "PBXDIAL_WS_POLICY_IN"
#define WS_OUT "PBXDIAL_WS_POLICY_OUT"

enum { OUT_HEAD = 0, OUT_FRAMES, OUT_PASS, OUT_CLOSED };

typedef struct {
    request_rec *r; /* alive while mod_proxy tunnels (its handler runs) */
    conn_rec *c;
    const pbxdial_dir_conf_t *dc;
    const char *ext_at;
    ap_filter_t *in, *out;
    int removed;
    /* browser to PBX */
    int active; /* the tunnel runs: bytes are frames */
    int failed; /* closed for a protocol error */
    pbxdial_wsframe_parser_t *ps;
    apr_bucket_brigade *tmp;   /* what the filters below gave */
    apr_bucket_brigade *ready; /* accepted frames, for the PBX */
    apr_bucket_brigade *rest;  /* what readbytes leaves of ready */
    apr_pool_t *mp;            /* one message's work, cleared */
    /* PBX to browser */
    int out_state;
    unsigned head_crlf; /* how much of "\r\n\r\n" was seen */
    char head[13];
    apr_size_t head_n;
    pbxdial_wsframe_walk_t walk;
    int at_boundary;
    apr_bucket_brigade *inject; /* our frames, waiting for a place */
    int close_queued;
    apr_bucket_brigade *kick;
} ws_ctx_t;

static apr_status_t ws_remove(void *data)
{
    ws_ctx_t *x = data;

    if (!x->removed) {
        x->removed = 1;
        ap_remove_input_filter(x->in);
        ap_remove_output_filter(x->out);
    }
    return APR_SUCCESS;
}

/* --- PBX to browser */

/* Our frames go in before `before` (the sentinel: at the end). */
static void ws_out_release(ws_ctx_t *x, apr_bucket_brigade *bb, apr_bucket *before)
{
    apr_bucket *e;

    if (APR_BRIGADE_EMPTY(x->inject) || !x->at_boundary || x->walk.closed)
        return;
    while (!APR_BRIGADE_EMPTY(x->inject)) {
        e = APR_BRIGADE_FIRST(x->inject);
        APR_BUCKET_REMOVE(e);
        if (before == APR_BRIGADE_SENTINEL(bb))
            APR_BRIGADE_INSERT_TAIL(bb, e);
        else
            APR_BUCKET_INSERT_BEFORE(before, e);
    }
    if (x->close_queued)
        x->out_state = OUT_CLOSED; /* nothing may follow our close frame */
}

/* The head of the PBX's answer: a 101 turns the stream into frames, anything
 * else leaves it alone. Returns bytes of data that belong to the head. */
static apr_size_t ws_out_head(ws_ctx_t *x, const char *data, apr_size_t n)
{
    static const char end[] = "\r\n\r\n";
    apr_size_t i;

    for (i = 0; i < n; i++) {
        if (x->head_n < sizeof(x->head) - 1)
            x->head[x->head_n++] = data[i];
        x->head_crlf = data[i] == end[x->head_crlf] ? x->head_crlf + 1 : data[i] == '\r';
        if (x->head_crlf == 4) {
            x->out_state = !strncmp(x->head, "HTTP/1.1 101", 12) ? OUT_FRAMES : OUT_PASS;
            x->at_boundary = 1;
            return i + 1;
        }
    }
    return n;
}

static apr_status_t ws_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    ws_ctx_t *x = f->ctx;
    apr_bucket *b, *next;
    const char *data;
    apr_size_t n, k;
    int bd;

    /* ours go first when the stream is between frames; the loop starts
     * after them (a close of ours makes the rest OUT_CLOSED) */
    b = APR_BRIGADE_FIRST(bb);
    if (x->out_state == OUT_FRAMES)
        ws_out_release(x, bb, b);
    for (; b != APR_BRIGADE_SENTINEL(bb); b = next) {
        next = APR_BUCKET_NEXT(b);
        if (x->out_state == OUT_PASS)
            break;
        if (APR_BUCKET_IS_METADATA(b))
            continue;
        if (x->out_state == OUT_CLOSED) {
            apr_bucket_delete(b);
            continue;
        }
        if (apr_bucket_read(b, &data, &n, APR_BLOCK_READ) != APR_SUCCESS || !n)
            continue;
        if (x->out_state == OUT_HEAD)
            k = ws_out_head(x, data, n);
        else {
            k = pbxdial_wsframe_walk(&x->walk, data, n, &bd);
            x->at_boundary = bd;
        }
        if (k < n) {
            apr_bucket_split(b, k);
            next = APR_BUCKET_NEXT(b);
        }
        if (x->out_state == OUT_FRAMES)
            ws_out_release(x, bb, next);
    }
    return ap_pass_brigade(f->next, bb);
}

/* Queues frame for the browser and sends it now if the stream allows. */
static void ws_out_send(ws_ctx_t *x, const char *frame, apr_size_t len, int is_close)
{
    if (x->out_state != OUT_FRAMES)
        return;
    APR_BRIGADE_INSERT_TAIL(x->inject, apr_bucket_heap_create(frame, len, NULL, x->c->bucket_alloc));
    x->close_queued |= is_close;
    APR_BRIGADE_INSERT_TAIL(x->kick, apr_bucket_flush_create(x->c->bucket_alloc));
    ap_pass_brigade(x->c->output_filters, x->kick);
    apr_brigade_cleanup(x->kick);
}

/* --- browser to PBX */

static void ws_in_pass(ws_ctx_t *x, const char *raw, apr_size_t len)
{
    apr_bucket *b = apr_bucket_heap_create(raw, len, NULL, x->c->bucket_alloc);

    APR_BRIGADE_INSERT_TAIL(x->ready, b);
}

static void ws_in_close(ws_ctx_t *x, int code, const char *reason)
{
    apr_size_t n;
    char *frame = pbxdial_wsframe_close(x->mp, code, reason, &n);

    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, x->r,
                  PBXLOGNO(1001) "websocket of %s (user \"%s\") closed with %d: %s", x->ext_at,
                  ap_escape_logitem(x->mp, x->r->user), code, reason);
    x->failed = 1;
    ws_out_send(x, frame, n, 1);
}

static void ws_in_refuse(ws_ctx_t *x, const pbxdial_wspolicy_t *pol, const char *error, const char *message)
{
    const char *text = pbxdial_wspolicy_refusal(x->mp, pol->to, error, message);
    apr_size_t n;
    char *frame = pbxdial_wsframe_build(x->mp, PBXDIAL_WS_TEXT, text, strlen(text), NULL, &n);

    if (x->out_state != OUT_FRAMES)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, x->r,
                      PBXLOGNO(1002) "websocket of %s: the browser cannot be told that its call was refused "
                                     "(the PBX's answer was not read as an HTTP/1.1 101)",
                      x->ext_at);
    ws_out_send(x, frame, n, 0);
}

/* make-call the number policy allows: PbxDialRateLimit, then the rebuilt frame. */
static void ws_in_call(ws_ctx_t *x, pbxdial_wspolicy_t *pol)
{
    request_rec rr = *x->r, *r = &rr;
    unsigned char mask[4];
    const char *frame, *after;
    apr_size_t n;
    int rv;

    /* the counter allocates in r->pool, which lives as long as the
     * websocket: a copy of r on the message's pool keeps that bounded */
    rr.pool = x->mp;
    rr.err_headers_out = apr_table_make(x->mp, 2);
    rv = pbxdial_ratelimit_check(r, x->dc, x->ext_at);

    if (rv != OK) {
        after = apr_table_get(r->err_headers_out, "Retry-After");
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r,
                      PBXLOGNO(1003) "websocket make-call to %s refused for %s (user \"%s\"): %s",
                      pol->number, x->ext_at, ap_escape_logitem(x->mp, r->user),
                      rv == HTTP_TOO_MANY_REQUESTS ? "PbxDialRateLimit" : "the cache cannot count calls");
        ws_in_refuse(x, pol, rv == HTTP_TOO_MANY_REQUESTS ? "rate_limited" : "unavailable",
                     rv == HTTP_TOO_MANY_REQUESTS
                         ? apr_pstrcat(x->mp, "Too many calls: try again in ", after ? after : "a few",
                                       " seconds.", NULL)
                         : "Calls cannot be counted right now: try again in a moment.");
        return;
    }
    if (apr_generate_random_bytes(mask, sizeof(mask)) != APR_SUCCESS) {
        ws_in_close(x, 1011, "no random bytes to mask a frame");
        return;
    }
    frame = pbxdial_wsframe_build(x->mp, PBXDIAL_WS_TEXT, pol->rebuilt, strlen(pol->rebuilt), mask, &n);
    ws_in_pass(x, frame, n);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  PBXLOGNO(1004) "websocket make-call to %s for %s (user \"%s\") passed the dial policy",
                  pol->number, x->ext_at, ap_escape_logitem(x->mp, r->user));
}

static void ws_in_message(ws_ctx_t *x, const pbxdial_wsframe_event_t *ev)
{
    const pbxdial_dir_conf_t *dc = x->dc;
    request_rec *r = x->r;
    pbxdial_wspolicy_t pol;
    const pbxdial_policy_t *const *deny;
    const char *action;
    int ndeny;

    deny = pbxdial_config_deny(dc, &ndeny);
    switch (pbxdial_wspolicy_decide(x->mp, ev->payload, ev->len, deny, ndeny, dc->allow, &pol)) {
    case PBXDIAL_WSPOLICY_PASS:
        ws_in_pass(x, ev->raw, ev->raw_len);
        return;
    case PBXDIAL_WSPOLICY_CALL:
        ws_in_call(x, &pol);
        return;
    case PBXDIAL_WSPOLICY_DROP:
        action = pol.action;
        if (strlen(action) > 64)
            action = apr_pstrcat(x->mp, apr_pstrndup(x->mp, action, 64), "...", NULL);
        ap_log_rerror(
            APLOG_MARK, APLOG_NOTICE, 0, r,
            PBXLOGNO(1005) "websocket of %s (user \"%s\"): action \"%s\" is not one the click-to-dial "
                           "client sends; dropped, the PBX does not get it",
            x->ext_at, ap_escape_logitem(x->mp, r->user), ap_escape_logitem(x->mp, action));
        return;
    case PBXDIAL_WSPOLICY_REFUSE:
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r,
                      PBXLOGNO(1006) "websocket make-call to %s refused for %s (user \"%s\"): %s%s%s",
                      pol.number ? pol.number : ap_escape_logitem(x->mp, pol.to ? pol.to : "(none)"),
                      x->ext_at, ap_escape_logitem(x->mp, r->user), pol.error, pol.matched ? " by " : "",
                      pol.matched ? pol.matched : "");
        ws_in_refuse(x, &pol, pol.error, pol.message);
        return;
    case PBXDIAL_WSPOLICY_MALFORMED:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, PBXLOGNO(1007) "websocket of %s: a message that is %s",
                      x->ext_at, pol.why);
        ws_in_close(x, PBXDIAL_WS_BAD_DATA, "a message must be a JSON object with an action");
        return;
    }
}

static void ws_in_feed(ws_ctx_t *x, const char *data, apr_size_t n)
{
    pbxdial_wsframe_event_t ev;
    apr_size_t used;

    while (n && !x->failed) {
        pbxdial_wsframe_e rc = pbxdial_wsframe_feed(x->ps, data, n, &used, &ev);

        data += used;
        n -= used;
        apr_pool_clear(x->mp);
        if (rc == PBXDIAL_WSFRAME_CONTROL)
            ws_in_pass(x, ev.raw, ev.raw_len);
        else if (rc == PBXDIAL_WSFRAME_MESSAGE)
            ws_in_message(x, &ev);
        else if (rc == PBXDIAL_WSFRAME_ERROR)
            ws_in_close(x, ev.code, ev.reason);
    }
}

/* Up to readbytes of the accepted frames into bb. */
static void ws_in_give(ws_ctx_t *x, apr_bucket_brigade *bb, apr_off_t readbytes)
{
    apr_bucket *after;

    if (readbytes > 0 && apr_brigade_partition(x->ready, readbytes, &after) == APR_SUCCESS
        && after != APR_BRIGADE_SENTINEL(x->ready)) {
        apr_brigade_split_ex(x->ready, after, x->rest);
        APR_BRIGADE_CONCAT(bb, x->ready);
        APR_BRIGADE_CONCAT(x->ready, x->rest);
        return;
    }
    APR_BRIGADE_CONCAT(bb, x->ready);
}

static apr_status_t ws_in_filter(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
                                 apr_read_type_e block, apr_off_t readbytes)
{
    ws_ctx_t *x = f->ctx;
    apr_bucket *b;
    const char *data;
    apr_size_t n;
    apr_status_t rv;

    if (!x->active) {
        /* before the PBX's 101 (or without one) the bytes are HTTP, not ours */
        if (mode != AP_MODE_READBYTES || x->r->status != HTTP_SWITCHING_PROTOCOLS)
            return ap_get_brigade(f->next, bb, mode, block, readbytes);
        x->active = 1;
    }
    if (mode != AP_MODE_READBYTES)
        return mode == AP_MODE_INIT ? ap_get_brigade(f->next, bb, mode, block, readbytes) : APR_ENOTIMPL;
    for (;;) {
        if (!APR_BRIGADE_EMPTY(x->ready)) {
            ws_in_give(x, bb, readbytes);
            return APR_SUCCESS;
        }
        if (x->failed)
            return APR_ECONNABORTED; /* ends the tunnel; our close frame went out */
        apr_brigade_cleanup(x->tmp);
        rv = ap_get_brigade(f->next, x->tmp, AP_MODE_READBYTES, block, readbytes);
        if (rv != APR_SUCCESS || APR_BRIGADE_EMPTY(x->tmp))
            return rv;
        while (!APR_BRIGADE_EMPTY(x->tmp)) {
            b = APR_BRIGADE_FIRST(x->tmp);
            if (APR_BUCKET_IS_METADATA(b)) {
                APR_BUCKET_REMOVE(b);
                APR_BRIGADE_INSERT_TAIL(x->ready, b); /* EOS after the frames before it */
                continue;
            }
            if ((rv = apr_bucket_read(b, &data, &n, APR_BLOCK_READ)) != APR_SUCCESS)
                return rv;
            ws_in_feed(x, data, n);
            apr_bucket_delete(b);
        }
    }
}

void pbxdial_wsfilter_register(apr_pool_t *p)
{
    ap_register_input_filter(WS_IN, ws_in_filter, NULL, AP_FTYPE_CONNECTION);
    ap_register_output_filter(WS_OUT, ws_out_filter, NULL, AP_FTYPE_CONNECTION);
}

void pbxdial_wsfilter_add(request_rec *r, const pbxdial_dir_conf_t *dc, const char *ext_at)
{
    conn_rec *c = r->connection;
    ws_ctx_t *x = apr_pcalloc(c->pool, sizeof(*x));

    x->r = r;
    x->c = c;
    x->dc = dc;
    x->ext_at = apr_pstrdup(c->pool, ext_at);
    x->ps = pbxdial_wsframe_parser_make(c->pool, PBXDIAL_WS_MESSAGE_MAX);
    x->tmp = apr_brigade_create(c->pool, c->bucket_alloc);
    x->ready = apr_brigade_create(c->pool, c->bucket_alloc);
    x->rest = apr_brigade_create(c->pool, c->bucket_alloc);
    x->inject = apr_brigade_create(c->pool, c->bucket_alloc);
    x->kick = apr_brigade_create(c->pool, c->bucket_alloc);
    /* no scratch pool: the first read ends the tunnel (never unfiltered) */
    if (apr_pool_create(&x->mp, c->pool) != APR_SUCCESS)
        x->failed = 1;
    x->in = ap_add_input_filter(WS_IN, x, NULL, c);
    x->out = ap_add_output_filter(WS_OUT, x, NULL, c);
    apr_pool_cleanup_register(r->pool, x, ws_remove, apr_pool_cleanup_null);
}
