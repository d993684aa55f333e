/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* RFC 6455 frames: a streaming parser of the browser's frames, a walker over
 * the PBX's, and builders. See wsframe.h. */
#include <string.h>
#include <apr_strings.h>

#include "core/wsframe.h"

/* frame overhead allowed per message on top of its payload: a browser
 * fragments rarely, and empty fragments must not buy unbounded memory */
#define WS_RAW_SLACK 1024

struct pbxdial_wsframe_parser_t {
    apr_pool_t *p;
    apr_size_t max;     /* payload of a message */
    apr_size_t raw_max; /* bytes of a message's frames */
    /* the frame being read */
    unsigned char hdr[14];
    unsigned hlen, hneed;
    int opcode, fin;
    unsigned char mask[4];
    apr_size_t left; /* payload bytes still to come */
    apr_size_t pos;  /* payload bytes of this frame so far (mask index) */
    /* the data message being gathered */
    int in_message;
    char *msg; /* unmasked, max + 1 */
    apr_size_t msg_len, msg_cap;
    char *raw;
    apr_size_t raw_len, raw_cap;
    /* the control frame being read */
    char ctl[PBXDIAL_WS_CONTROL_MAX + 1];
    apr_size_t ctl_len;
    char ctl_raw[14 + PBXDIAL_WS_CONTROL_MAX];
    apr_size_t ctl_raw_len;
    int handed; /* an event was handed out: reset before going on */
    int closed;
    int error;
    const char *reason;
};

pbxdial_wsframe_parser_t *pbxdial_wsframe_parser_make(apr_pool_t *p, apr_size_t max_message)
{
    pbxdial_wsframe_parser_t *ps = apr_pcalloc(p, sizeof(*ps));

    ps->p = p;
    ps->max = max_message;
    ps->raw_max = 2 * max_message + WS_RAW_SLACK;
    ps->hneed = 2;
    return ps;
}

/* Buffers grow by doubling up to their bound: the old block stays in the
 * pool, so a connection's total stays under twice the bound. */
static void ws_grow(apr_pool_t *p, char **buf, apr_size_t *cap, apr_size_t used, apr_size_t need,
                    apr_size_t bound)
{
    apr_size_t c = *cap ? *cap : 256;
    char *nb;

    if (need <= *cap)
        return;
    while (c < need)
        c *= 2;
    if (c > bound)
        c = bound;
    nb = apr_palloc(p, c);
    if (used)
        memcpy(nb, *buf, used);
    *buf = nb;
    *cap = c;
}

static pbxdial_wsframe_e ws_fail(pbxdial_wsframe_parser_t *ps, pbxdial_wsframe_event_t *ev, int code,
                                 const char *reason)
{
    if (!ps->error) {
        ps->error = code;
        ps->reason = reason;
    }
    memset(ev, 0, sizeof(*ev));
    ev->code = ps->error;
    ev->reason = ps->reason;
    return PBXDIAL_WSFRAME_ERROR;
}

int pbxdial_wsframe_utf8(const char *str, apr_size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    apr_size_t i = 0;

    while (i < n) {
        unsigned c = s[i], k, cp, min;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            k = 1, cp = c & 0x1F, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF)
            k = 2, cp = c & 0x0F, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4)
            k = 3, cp = c & 0x07, min = 0x10000;
        else
            return 0;
        if (n - i <= k)
            return 0;
        for (unsigned j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* A close frame's body: empty, or a code a peer may send and a UTF-8 reason. */
static int ws_close_ok(const char *b, apr_size_t n, int *code)
{
    int c;

    if (n == 0)
        return 1;
    if (n == 1)
        return 0;
    c = ((unsigned char)b[0] << 8) | (unsigned char)b[1];
    *code = c;
    if (!((c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1011) || (c >= 3000 && c <= 4999)))
        return 0;
    return 1;
}

/* The header is complete in ps->hdr: check it. Returns 0 or an ERROR. */
static pbxdial_wsframe_e ws_header(pbxdial_wsframe_parser_t *ps, pbxdial_wsframe_event_t *ev)
{
    unsigned len7 = ps->hdr[1] & 0x7F;
    apr_uint64_t len = len7;
    unsigned m = ps->hlen - 4; /* where the mask starts */

    if (len7 == 126) {
        len = ((apr_uint64_t)ps->hdr[2] << 8) | ps->hdr[3];
        if (len < 126)
            return ws_fail(ps, ev, PBXDIAL_WS_PROTOCOL_ERROR, "length not minimally encoded");
    }
    else if (len7 == 127) {
        len = 0;
        for (int i = 2; i < 10; i++)
            len = (len << 8) | ps->hdr[i];
        if (len >> 63)
            return ws_fail(ps, ev, PBXDIAL_WS_PROTOCOL_ERROR, "64-bit length with the top bit set");
        if (len < 65536)
            return ws_fail(ps, ev, PBXDIAL_WS_PROTOCOL_ERROR, "length not minimally encoded");
    }
    if (ps->opcode & 0x8) {
        if (len > PBXDIAL_WS_CONTROL_MAX)
            return ws_fail(ps, ev, PBXDIAL_WS_PROTOCOL_ERROR, "control frame over 125 bytes");
        if (len == 1 && ps->opcode == PBXDIAL_WS_CLOSE)
            return ws_fail(ps, ev, PBXDIAL_WS_PROTOCOL_ERROR, "close frame with a 1-byte body");
    }
    else if (len > ps->max - ps->msg_len)
        return ws_fail(ps, ev, PBXDIAL_WS_TOO_BIG, "message too big");
    else if (ps->raw_len + ps->hlen + len > ps->raw_max)
        return ws_fail(ps, ev, PBXDIAL_WS_TOO_BIG, "message too big (too many fragments)");
    memcpy(ps->mask, ps->hdr + m, 4);
    ps->left = (apr_size_t)len;
    ps->pos = 0;
    if (ps->opcode & 0x8) {
        memcpy(ps->ctl_raw, ps->hdr, ps->hlen);
        ps->ctl_raw_len = ps->hlen;
        ps->ctl_len = 0;
    }
    else {
        if (ps->opcode == PBXDIAL_WS_TEXT)
            ps->in_message = 1;
        ws_grow(ps->p, &ps->raw, &ps->raw_cap, ps->raw_len, ps->raw_len + ps->hlen + ps->left, ps->raw_max);
        ws_grow(ps->p, &ps->msg, &ps->msg_cap, ps->msg_len, ps->msg_len + ps->left + 1, ps->max + 1);
        memcpy(ps->raw + ps->raw_len, ps->hdr, ps->hlen);
        ps->raw_len += ps->hlen;
    }
    return PBXDIAL_WSFRAME_MORE;
}

/* The first two header bytes: what the frame may be, and how long its header is. */
static pbxdial_wsframe_e ws_first(pbxdial_wsframe_parser_t *ps, pbxdial_wsframe_event_t *ev)
{
    unsigned b0 = ps->hdr[0], b1 = ps->hdr[1], len7 = b1 & 0x7F;

    ps->fin = !!(b0 & 0x80);
    ps->opcode = b0 & 0x0F;
    if (b0 & 0x70)
        return ws_fail(ps, ev, PBXDIAL_WS_PROTOCOL_ERROR, "RSV bits set (no extension was negotiated)");
    if (!(b1 & 0x80))
        return ws_fail(ps, ev, PBXDIAL_WS_PROTOCOL_ERROR, "unmasked frame from the browser");
    switch (ps->opcode) {
    case PBXDIAL_WS_BINARY:
        return ws_fail(ps, ev, PBXDIAL_WS_UNSUPPORTED, "binary frame (the PBX speaks JSON text)");
    case PBXDIAL_WS_TEXT:
        if (ps->in_message)
            return ws_fail(ps, ev, PBXDIAL_WS_PROTOCOL_ERROR, "new message inside a fragmented one");
        ps->msg_len = ps->raw_len = 0;
        break;
    case PBXDIAL_WS_CONT:
        if (!ps->in_message)
            return ws_fail(ps, ev, PBXDIAL_WS_PROTOCOL_ERROR, "continuation frame without a message");
        break;
    case PBXDIAL_WS_CLOSE:
    case PBXDIAL_WS_PING:
    case PBXDIAL_WS_PONG:
        if (!ps->fin)
            return ws_fail(ps, ev, PBXDIAL_WS_PROTOCOL_ERROR, "fragmented control frame");
        break;
    default:
        return ws_fail(ps, ev, PBXDIAL_WS_PROTOCOL_ERROR, "unknown opcode");
    }
    ps->hneed = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
    return PBXDIAL_WSFRAME_MORE;
}

/* The frame's payload is all in: hand out what it completes, if anything. */
static pbxdial_wsframe_e ws_frame_done(pbxdial_wsframe_parser_t *ps, pbxdial_wsframe_event_t *ev)
{
    int code = 0;

    ps->hlen = 0;
    ps->hneed = 2;
    memset(ev, 0, sizeof(*ev));
    if (ps->opcode & 0x8) {
        ps->ctl[ps->ctl_len] = '\0';
        if (ps->opcode == PBXDIAL_WS_CLOSE) {
            if (!ws_close_ok(ps->ctl, ps->ctl_len, &code))
                return ws_fail(ps, ev, PBXDIAL_WS_PROTOCOL_ERROR, "close frame with an invalid code");
            if (ps->ctl_len > 2 && !pbxdial_wsframe_utf8(ps->ctl + 2, ps->ctl_len - 2))
                return ws_fail(ps, ev, PBXDIAL_WS_BAD_DATA, "close reason not UTF-8");
            ps->closed = 1;
        }
        ev->opcode = ps->opcode;
        ev->payload = ps->ctl;
        ev->len = ps->ctl_len;
        ev->raw = ps->ctl_raw;
        ev->raw_len = ps->ctl_raw_len;
        ev->code = code;
        return PBXDIAL_WSFRAME_CONTROL;
    }
    if (!ps->fin)
        return PBXDIAL_WSFRAME_MORE;
    ps->in_message = 0;
    ps->msg[ps->msg_len] = '\0';
    if (!pbxdial_wsframe_utf8(ps->msg, ps->msg_len))
        return ws_fail(ps, ev, PBXDIAL_WS_BAD_DATA, "text message not UTF-8");
    ps->handed = 1;
    ev->opcode = PBXDIAL_WS_TEXT;
    ev->payload = ps->msg;
    ev->len = ps->msg_len;
    ev->raw = ps->raw;
    ev->raw_len = ps->raw_len;
    return PBXDIAL_WSFRAME_MESSAGE;
}

pbxdial_wsframe_e pbxdial_wsframe_feed(pbxdial_wsframe_parser_t *ps, const char *data, apr_size_t len,
                                       apr_size_t *used, pbxdial_wsframe_event_t *ev)
{
    const unsigned char *d = (const unsigned char *)data;
    pbxdial_wsframe_e rc = PBXDIAL_WSFRAME_MORE;
    apr_size_t i = 0, n;

    memset(ev, 0, sizeof(*ev));
    if (ps->error) {
        *used = len;
        return ws_fail(ps, ev, ps->error, ps->reason);
    }
    if (ps->handed) {
        ps->handed = 0;
        ps->msg_len = ps->raw_len = 0;
    }
    while (i < len && rc == PBXDIAL_WSFRAME_MORE) {
        if (ps->closed) { /* nothing may follow a close frame */
            i = len;
            break;
        }
        if (ps->hlen < ps->hneed) {
            ps->hdr[ps->hlen++] = d[i++];
            if (ps->hlen == 2)
                rc = ws_first(ps, ev);
            if (rc == PBXDIAL_WSFRAME_MORE && ps->hlen == ps->hneed) {
                rc = ws_header(ps, ev);
                if (rc == PBXDIAL_WSFRAME_MORE && !ps->left)
                    rc = ws_frame_done(ps, ev);
            }
            continue;
        }
        n = len - i < ps->left ? len - i : ps->left;
        if (ps->opcode & 0x8) {
            memcpy(ps->ctl_raw + ps->ctl_raw_len, d + i, n);
            ps->ctl_raw_len += n;
            for (apr_size_t j = 0; j < n; j++, ps->pos++)
                ps->ctl[ps->ctl_len++] = (char)(d[i + j] ^ ps->mask[ps->pos & 3]);
        }
        else {
            memcpy(ps->raw + ps->raw_len, d + i, n);
            ps->raw_len += n;
            for (apr_size_t j = 0; j < n; j++, ps->pos++)
                ps->msg[ps->msg_len++] = (char)(d[i + j] ^ ps->mask[ps->pos & 3]);
        }
        i += n;
        ps->left -= n;
        if (!ps->left)
            rc = ws_frame_done(ps, ev);
    }
    *used = rc == PBXDIAL_WSFRAME_ERROR ? len : i;
    return rc;
}

char *pbxdial_wsframe_build(apr_pool_t *p, int opcode, const char *payload, apr_size_t len,
                            const unsigned char *mask, apr_size_t *out_len)
{
    apr_size_t h = 2 + (len > 65535 ? 8 : len > 125 ? 2 : 0) + (mask ? 4 : 0);
    unsigned char *f = apr_palloc(p, h + len + 1);
    apr_size_t i = 2;

    f[0] = (unsigned char)(0x80 | (opcode & 0x0F));
    if (len > 65535) {
        f[1] = 127;
        for (int k = 7; k >= 0; k--)
            f[i++] = (unsigned char)(((apr_uint64_t)len >> (8 * k)) & 0xFF);
    }
    else if (len > 125) {
        f[1] = 126;
        f[i++] = (unsigned char)(len >> 8);
        f[i++] = (unsigned char)(len & 0xFF);
    }
    else {
        f[1] = (unsigned char)len;
    }
    if (mask) {
        f[1] |= 0x80;
        memcpy(f + i, mask, 4);
        i += 4;
    }
    for (apr_size_t j = 0; j < len; j++)
        f[i + j] = (unsigned char)payload[j] ^ (mask ? mask[j & 3] : 0);
    f[h + len] = 0;
    *out_len = h + len;
    return (char *)f;
}

char *pbxdial_wsframe_close(apr_pool_t *p, int code, const char *reason, apr_size_t *out_len)
{
    char body[PBXDIAL_WS_CONTROL_MAX];
    apr_size_t n = reason ? strlen(reason) : 0;

    if (n > PBXDIAL_WS_CONTROL_MAX - 2)
        n = PBXDIAL_WS_CONTROL_MAX - 2;
    /* back off over continuation bytes so no sequence is cut */
    while (n && n < strlen(reason) && ((unsigned char)reason[n] & 0xC0) == 0x80)
        n--;
    body[0] = (char)((code >> 8) & 0xFF);
    body[1] = (char)(code & 0xFF);
    if (n)
        memcpy(body + 2, reason, n);
    return pbxdial_wsframe_build(p, PBXDIAL_WS_CLOSE, body, n + 2, NULL, out_len);
}

apr_size_t pbxdial_wsframe_walk(pbxdial_wsframe_walk_t *w, const char *data, apr_size_t len, int *boundary)
{
    const unsigned char *d = (const unsigned char *)data;
    apr_size_t i = 0, n;
    unsigned need;

    *boundary = 0;
    while (i < len) {
        if (w->closed == 1)
            return len;
        if (!w->in_payload) {
            w->hdr[w->hlen++] = d[i++];
            if (w->hlen < 2)
                continue;
            need = 2
                   + ((w->hdr[1] & 0x7F) == 126   ? 2
                      : (w->hdr[1] & 0x7F) == 127 ? 8
                                                  : 0)
                   + ((w->hdr[1] & 0x80) ? 4 : 0);
            if (w->hlen < need)
                continue;
            w->left = w->hdr[1] & 0x7F;
            if (w->left == 126)
                w->left = ((apr_uint64_t)w->hdr[2] << 8) | w->hdr[3];
            else if (w->left == 127) {
                w->left = 0;
                for (int k = 2; k < 10; k++)
                    w->left = (w->left << 8) | w->hdr[k];
            }
            w->in_payload = 1;
            w->fin = !!(w->hdr[0] & 0x80);
            if (!(w->hdr[0] & 0x08)) /* data frames open or close a message */
                w->fragmented = !w->fin;
            if ((w->hdr[0] & 0x0F) == PBXDIAL_WS_CLOSE)
                w->closed = 2; /* once its payload is through */
        }
        else {
            n = (apr_uint64_t)(len - i) < w->left ? len - i : (apr_size_t)w->left;
            i += n;
            w->left -= n;
        }
        if (w->in_payload && !w->left) {
            w->in_payload = 0;
            w->hlen = 0;
            if (w->closed == 2) {
                w->closed = 1;
                return i;
            }
            *boundary = !w->fragmented;
            return i;
        }
    }
    return i;
}
