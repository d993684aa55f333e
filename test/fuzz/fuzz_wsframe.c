/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Target "wsframe": the browser's websocket bytes as the same-origin filter
 * reads them (pbxdial_wsframe_feed), and each message through the policy
 * (pbxdial_wspolicy_decide). The first input byte picks the chunk size the
 * rest is fed in (1..256; a frame may be cut anywhere); the rest is the stream.
 *
 * Invariants:
 * - used <= what was given; MORE takes everything; after an ERROR the parser
 *   repeats it with the same code, and the code is 1002, 1003, 1007 or 1009;
 * - the events do not depend on how the stream is cut: fed whole, the same
 *   events with the same payloads come out;
 * - a message's payload is UTF-8 and at most the limit, a control frame's at
 *   most 125 bytes; the bytes handed out (raw) never exceed what came in, and
 *   fed to a fresh parser they give the same events again (the filter passes
 *   raw on unchanged, so the PBX sees what was checked);
 * - the walker, over the same events built as server frames, finds exactly
 *   one boundary per frame; a close frame built from any reason is a valid
 *   control frame;
 * - the policy: CALL only for make-call, its rebuilt text is exactly
 *   {"action":"make-call","to":N} with N in [+0-9*#] and allowed by the
 *   policy; REFUSE messages are printable ASCII without markup. */
#include <string.h>
#include <apr_strings.h>

#include "fuzz_common.h"
#include "core/policy.h"
#include "core/wsframe.h"
#include "core/wspolicy.h"

#define MAX_MSG 512

static pbxdial_policy_t *deny;

typedef struct {
    int kind, opcode, code;
    const char *payload;
    apr_size_t len;
} ev_copy_t;

/* Feeds s in chunks of step; copies events into out (at most max), returns how many. */
static int feed_all(apr_pool_t *p, const char *s, apr_size_t n, apr_size_t step, ev_copy_t *out, int max,
                    char **raw, apr_size_t *raw_n)
{
    pbxdial_wsframe_parser_t *ps = pbxdial_wsframe_parser_make(p, MAX_MSG);
    pbxdial_wsframe_event_t ev;
    apr_size_t off = 0, used;
    int k = 0, err = 0;

    *raw = apr_palloc(p, n + 1);
    *raw_n = 0;
    while (off < n) {
        apr_size_t chunk = n - off < step ? n - off : step, i = 0;

        while (i < chunk) {
            pbxdial_wsframe_e rc = pbxdial_wsframe_feed(ps, s + off + i, chunk - i, &used, &ev);

            FUZZ_CHECK(used <= chunk - i, "used %zu of %zu", used, chunk - i);
            i += used;
            if (rc == PBXDIAL_WSFRAME_MORE) {
                FUZZ_CHECK(i == chunk, "MORE left %zu bytes", chunk - i);
                continue;
            }
            if (err) {
                FUZZ_CHECK(rc == PBXDIAL_WSFRAME_ERROR && ev.code == err, "after error %d: %d/%d", err, rc,
                           ev.code);
                continue;
            }
            if (k < max) {
                out[k].kind = rc;
                out[k].opcode = ev.opcode;
                out[k].code = ev.code;
                out[k].payload = apr_pstrmemdup(p, ev.payload ? ev.payload : "", ev.len);
                out[k].len = ev.len;
                k++;
            }
            if (rc == PBXDIAL_WSFRAME_ERROR) {
                err = ev.code;
                FUZZ_CHECK(err == 1002 || err == 1003 || err == 1007 || err == 1009, "close code %d", err);
                FUZZ_CHECK(ev.reason && fuzz_printable_ascii(ev.reason), "reason");
                continue;
            }
            FUZZ_CHECK(*raw_n + ev.raw_len <= n, "raw %zu+%zu over %zu", *raw_n, ev.raw_len, n);
            memcpy(*raw + *raw_n, ev.raw, ev.raw_len);
            *raw_n += ev.raw_len;
            if (rc == PBXDIAL_WSFRAME_MESSAGE)
                FUZZ_CHECK(ev.opcode == PBXDIAL_WS_TEXT && ev.len <= MAX_MSG
                               && pbxdial_wsframe_utf8(ev.payload, ev.len),
                           "message of %zu bytes", ev.len);
            else
                FUZZ_CHECK(ev.len <= PBXDIAL_WS_CONTROL_MAX
                               && (ev.opcode == 8 || ev.opcode == 9 || ev.opcode == 10),
                           "control %d of %zu", ev.opcode, ev.len);
        }
        off += chunk;
    }
    return k;
}

static void same(const ev_copy_t *a, int na, const ev_copy_t *b, int nb, const char *what)
{
    FUZZ_CHECK(na == nb, "%s: %d events, %d", what, na, nb);
    for (int i = 0; i < na; i++)
        FUZZ_CHECK(a[i].kind == b[i].kind && a[i].opcode == b[i].opcode && a[i].code == b[i].code
                       && a[i].len == b[i].len && !memcmp(a[i].payload, b[i].payload, a[i].len),
                   "%s: event %d differs", what, i);
}

static void check_policy(apr_pool_t *p, const ev_copy_t *e)
{
    const pbxdial_policy_t *dv[1] = {deny};
    pbxdial_wspolicy_t o;
    pbxdial_wspolicy_e rc = pbxdial_wspolicy_decide(p, e->payload, e->len, dv, 1, NULL, &o);

    if (rc == PBXDIAL_WSPOLICY_CALL) {
        const char *want = apr_pstrcat(p, "{\"action\":\"make-call\",\"to\":\"", o.number, "\"}", NULL);
        FUZZ_CHECK(!strcmp(o.action, "make-call") && !strcmp(o.rebuilt, want), "rebuilt %s",
                   fuzz_escape_c(p, o.rebuilt));
        FUZZ_CHECK(*o.number
                       && strspn(o.number + (o.number[0] == '+'), "0123456789*#")
                              == strlen(o.number) - (o.number[0] == '+'),
                   "number %s", fuzz_escape_c(p, o.number));
        FUZZ_CHECK(pbxdial_policy_decide(dv, 1, NULL, o.number, NULL) == PBXDIAL_POLICY_ALLOW, "not allowed");
    }
    else if (rc == PBXDIAL_WSPOLICY_REFUSE) {
        FUZZ_CHECK(!strcmp(o.action, "make-call") && o.error && o.message, "refuse");
        FUZZ_CHECK(fuzz_printable_ascii(o.message) && !strpbrk(o.message, "<>\"&`\\"), "message %s",
                   fuzz_escape_c(p, o.message));
        FUZZ_CHECK(strstr(pbxdial_wspolicy_refusal(p, o.to, o.error, o.message), "pbxdial-refused") != NULL,
                   "refusal");
    }
    else if (rc == PBXDIAL_WSPOLICY_PASS) {
        FUZZ_CHECK(strcmp(o.action, "make-call"), "make-call passed unchanged");
    }
}

static void check_walk(apr_pool_t *p, const ev_copy_t *e, int n)
{
    pbxdial_wsframe_walk_t w;
    apr_size_t len, i, k;
    char *f;
    int bd, frames = 0, bounds = 0;

    memset(&w, 0, sizeof(w));
    for (int j = 0; j < n; j++) {
        if (e[j].kind == PBXDIAL_WSFRAME_ERROR || e[j].opcode == PBXDIAL_WS_CLOSE)
            continue;
        f = pbxdial_wsframe_build(p, e[j].opcode, e[j].payload, e[j].len, NULL, &len);
        frames++;
        for (i = 0; i < len; i += k) {
            k = pbxdial_wsframe_walk(&w, f + i, len - i, &bd);
            FUZZ_CHECK(k > 0 && k <= len - i, "walk took %zu", k);
            bounds += bd;
            FUZZ_CHECK(!bd || i + k == len, "boundary inside a frame");
        }
    }
    FUZZ_CHECK(bounds == frames, "%d boundaries for %d frames", bounds, frames);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    apr_pool_t *g = fuzz_init();

    if (pbxdial_policy_add(g, &deny, 1, "^0900"))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    ev_copy_t a[64], b[64], c[64];
    char *raw, *raw2, *close;
    apr_size_t raw_n, raw2_n, n, step;
    int na, nb, nc, err = 0;

    if (size < 1)
        return 0;
    p = fuzz_pool_begin();
    step = (apr_size_t)data[0] + 1;
    na = feed_all(p, (const char *)data + 1, size - 1, step, a, 64, &raw, &raw_n);
    nb = feed_all(p, (const char *)data + 1, size - 1, size, b, 64, &raw2, &raw2_n);
    same(a, na, b, nb, "cut differently");
    FUZZ_CHECK(raw_n == raw2_n && !memcmp(raw, raw2, raw_n), "raw bytes depend on the cut");
    for (int i = 0; i < na; i++)
        err |= a[i].kind == PBXDIAL_WSFRAME_ERROR;
    /* the passed-on bytes parse to the same events (without the error) */
    nc = feed_all(p, raw, raw_n, 7, c, 64, &raw2, &raw2_n);
    if (na < 64)
        same(a, na - err, c, nc, "raw parsed again");
    for (int i = 0; i < na; i++)
        if (a[i].kind == PBXDIAL_WSFRAME_MESSAGE)
            check_policy(p, &a[i]);
    check_walk(p, a, na);
    close =
        pbxdial_wsframe_close(p, 1008, (const char *)apr_pstrmemdup(p, (const char *)data + 1, size - 1), &n);
    FUZZ_CHECK(n >= 4 && n <= 2 + PBXDIAL_WS_CONTROL_MAX && (unsigned char)close[0] == 0x88
                   && (unsigned char)close[1] == n - 2,
               "close frame of %zu", n);
    fuzz_pool_end(p);
    return 0;
}
