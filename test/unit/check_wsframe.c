/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* RFC 6455 frames (wsframe.c) and the websocket message policy (wspolicy.c). */
#include <string.h>
#include <apr_strings.h>

#include "check_suites.h"
#include "core/wsframe.h"
#include "core/wspolicy.h"

static const unsigned char K[4] = {0x37, 0xfa, 0x21, 0x3d};

/* a masked frame with explicit first byte (FIN, RSV, opcode) */
static char *frame(int b0, const char *payload, apr_size_t len, apr_size_t *n)
{
    char *f = pbxdial_wsframe_build(tp, b0 & 0x0F, payload, len, K, n);

    f[0] = (char)b0;
    return f;
}

/* Feeds s[0..n) in chunks of step bytes; collects events as "M:text",
 * "C9:payload", "E1002" joined by '|'; raw concatenates the raw bytes. */
static const char *run(pbxdial_wsframe_parser_t *ps, const char *s, apr_size_t n, apr_size_t step, char **raw,
                       apr_size_t *raw_n)
{
    const char *out = "";
    pbxdial_wsframe_event_t ev;
    apr_size_t off = 0, used;

    if (raw) {
        *raw = apr_palloc(tp, n + 1);
        *raw_n = 0;
    }
    while (off < n) {
        apr_size_t chunk = n - off < step ? n - off : step, k = 0;

        while (k < chunk) {
            pbxdial_wsframe_e rc = pbxdial_wsframe_feed(ps, s + off + k, chunk - k, &used, &ev);

            ck_assert_uint_le(used, chunk - k);
            k += used;
            if (rc == PBXDIAL_WSFRAME_MESSAGE || rc == PBXDIAL_WSFRAME_CONTROL) {
                out = apr_psprintf(tp, "%s%s%s%.*s", out, *out ? "|" : "",
                                   rc == PBXDIAL_WSFRAME_MESSAGE ? "M:" : apr_psprintf(tp, "C%d:", ev.opcode),
                                   (int)ev.len, ev.payload);
                if (raw) {
                    memcpy(*raw + *raw_n, ev.raw, ev.raw_len);
                    *raw_n += ev.raw_len;
                }
            }
            else if (rc == PBXDIAL_WSFRAME_ERROR) {
                return apr_psprintf(tp, "%s%sE%d", out, *out ? "|" : "", ev.code);
            }
            else {
                ck_assert_uint_eq(k, chunk); /* MORE: everything was taken */
            }
        }
        off += chunk;
    }
    return out;
}

static const char *run_all(const char *s, apr_size_t n, apr_size_t max)
{
    return run(pbxdial_wsframe_parser_make(tp, max), s, n, n, NULL, NULL);
}

START_TEST(wsframe_simple_any_split)
{
    apr_size_t a, b, c, step;
    const char *m1 = "{\"action\":\"get-calls\"}";
    char *f1 = frame(0x81, m1, strlen(m1), &a);
    char *f2 = frame(0x89, "hi", 2, &b);
    char *f3 = frame(0x81, "", 0, &c);
    char *all, *raw;
    apr_size_t n = a + b + c, raw_n;

    all = apr_palloc(tp, n);
    memcpy(all, f1, a);
    memcpy(all + a, f2, b);
    memcpy(all + a + b, f3, c);
    for (step = 1; step <= n; step++) {
        pbxdial_wsframe_parser_t *ps = pbxdial_wsframe_parser_make(tp, 1024);

        ck_assert_str_eq(run(ps, all, n, step, &raw, &raw_n), "M:{\"action\":\"get-calls\"}|C9:hi|M:");
        /* the bytes handed out are the bytes that came, masking included */
        ck_assert_uint_eq(raw_n, n);
        ck_assert_int_eq(memcmp(raw, all, n), 0);
    }
}
END_TEST

START_TEST(wsframe_fragmented_with_ping)
{
    apr_size_t a, b, c, d, n, step, raw_n;
    char *f1 = frame(0x01, "{\"action\":", 10, &a);
    char *f2 = frame(0x89, "p", 1, &b);
    char *f3 = frame(0x00, "\"get-", 5, &c);
    char *f4 = frame(0x80, "calls\"}", 7, &d);
    char *all, *raw;

    n = a + b + c + d;
    all = apr_palloc(tp, n);
    memcpy(all, f1, a);
    memcpy(all + a, f2, b);
    memcpy(all + a + b, f3, c);
    memcpy(all + a + b + c, f4, d);
    for (step = 1; step <= n; step++) {
        pbxdial_wsframe_parser_t *ps = pbxdial_wsframe_parser_make(tp, 1024);

        /* the ping comes out at once, the message when its last fragment is in */
        ck_assert_str_eq(run(ps, all, n, step, &raw, &raw_n), "C9:p|M:{\"action\":\"get-calls\"}");
        ck_assert_uint_eq(raw_n, n);
        /* ping first, then the three data frames as they came */
        ck_assert_int_eq(memcmp(raw, f2, b), 0);
        ck_assert_int_eq(memcmp(raw + b, f1, a), 0);
        ck_assert_int_eq(memcmp(raw + b + a, f3, c), 0);
    }
}
END_TEST

START_TEST(wsframe_lengths)
{
    apr_size_t n, i;
    char *big = apr_palloc(tp, 70000), *f;
    const char *r;

    for (i = 0; i < 70000; i++)
        big[i] = 'a' + i % 26;
    f = frame(0x81, big, 126, &n); /* 16-bit length */
    ck_assert_uint_eq(n, 2 + 2 + 4 + 126);
    r = run_all(f, n, 1024);
    ck_assert_int_eq(strncmp(r, "M:abc", 5), 0);
    ck_assert_uint_eq(strlen(r), 2 + 126);
    f = frame(0x81, big, 70000, &n); /* 64-bit length */
    ck_assert_uint_eq(n, 2 + 8 + 4 + 70000);
    ck_assert_uint_eq(strlen(run_all(f, n, 100000)), 2 + 70000);
    /* over the limit: refused from the header, before the payload */
    ck_assert_str_eq(run_all(f, 14, 65536), "E1009");
    f = frame(0x81, big, 1025, &n);
    ck_assert_str_eq(run_all(f, 8, 1024), "E1009");
    /* fragments add up */
    {
        apr_size_t a, b;
        char *f1 = frame(0x01, big, 600, &a), *f2 = frame(0x80, big, 600, &b), *all = apr_palloc(tp, a + b);

        memcpy(all, f1, a);
        memcpy(all + a, f2, b);
        ck_assert_str_eq(run_all(all, a + b, 1024), "E1009");
    }
}
END_TEST

START_TEST(wsframe_bad_lengths)
{
    unsigned char f[20] = {0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};

    /* 64-bit length with the top bit set */
    ck_assert_str_eq(run_all((char *)f, 14, 1024), "E1002");
    /* not minimal: 5 in 16 bits, 200 in 64 bits */
    f[1] = 0xFE;
    f[2] = 0;
    f[3] = 5;
    ck_assert_str_eq(run_all((char *)f, 8, 1024), "E1002");
    f[1] = 0xFF;
    f[2] = 0;
    f[3] = 0;
    f[9] = 200;
    ck_assert_str_eq(run_all((char *)f, 14, 1024), "E1002");
}
END_TEST

START_TEST(wsframe_protocol_errors)
{
    apr_size_t n;
    char *f;

    f = frame(0x82, "ab", 2, &n);
    ck_assert_str_eq(run_all(f, n, 1024), "E1003"); /* binary */
    f = frame(0xC1, "ab", 2, &n);
    ck_assert_str_eq(run_all(f, n, 1024), "E1002"); /* RSV1: compressed */
    f = frame(0x83, "ab", 2, &n);
    ck_assert_str_eq(run_all(f, n, 1024), "E1002"); /* reserved opcode */
    f = frame(0x80, "ab", 2, &n);
    ck_assert_str_eq(run_all(f, n, 1024), "E1002"); /* continuation, no message */
    f = frame(0x09, "ab", 2, &n);
    ck_assert_str_eq(run_all(f, n, 1024), "E1002"); /* fragmented ping */
    f = pbxdial_wsframe_build(tp, PBXDIAL_WS_TEXT, "ab", 2, NULL, &n);
    ck_assert_str_eq(run_all(f, n, 1024), "E1002"); /* unmasked */
    {
        char big[126];
        memset(big, 'x', sizeof(big));
        f = frame(0x89, big, 126, &n);
        ck_assert_str_eq(run_all(f, n, 1024), "E1002"); /* control over 125 */
    }
    f = frame(0x81, "\xc3\x28", 2, &n);
    ck_assert_str_eq(run_all(f, n, 1024), "E1007"); /* not UTF-8 */
    f = frame(0x81, "\xed\xa0\x80", 3, &n);
    ck_assert_str_eq(run_all(f, n, 1024), "E1007"); /* a surrogate */
    f = frame(0x88, "\x03", 1, &n);
    ck_assert_str_eq(run_all(f, n, 1024), "E1002"); /* 1-byte close body */
    f = frame(0x88, "\x03\xec", 2, &n);
    ck_assert_str_eq(run_all(f, n, 1024), "E1002"); /* close code 1004 */
    {
        apr_size_t a, b;
        char *f1 = frame(0x01, "a", 1, &a), *f2 = frame(0x81, "b", 1, &b), *all = apr_palloc(tp, a + b);

        memcpy(all, f1, a);
        memcpy(all + a, f2, b);
        ck_assert_str_eq(run_all(all, a + b, 1024), "E1002"); /* new message in a fragmented one */
    }
}
END_TEST

START_TEST(wsframe_error_sticks_close_ends)
{
    pbxdial_wsframe_parser_t *ps = pbxdial_wsframe_parser_make(tp, 1024);
    pbxdial_wsframe_event_t ev;
    apr_size_t n, used;
    char *f = frame(0x82, "ab", 2, &n);

    ck_assert_int_eq(pbxdial_wsframe_feed(ps, f, n, &used, &ev), PBXDIAL_WSFRAME_ERROR);
    f = frame(0x81, "ab", 2, &n);
    ck_assert_int_eq(pbxdial_wsframe_feed(ps, f, n, &used, &ev), PBXDIAL_WSFRAME_ERROR);
    ck_assert_int_eq(ev.code, 1003);
    ck_assert_uint_eq(used, n);

    ps = pbxdial_wsframe_parser_make(tp, 1024);
    f = frame(0x88,
              "\x03\xe8"
              "bye",
              5, &n);
    ck_assert_int_eq(pbxdial_wsframe_feed(ps, f, n, &used, &ev), PBXDIAL_WSFRAME_CONTROL);
    ck_assert_int_eq(ev.code, 1000);
    f = frame(0x82, "ab", 2, &n);
    /* after a close frame, anything is swallowed */
    ck_assert_int_eq(pbxdial_wsframe_feed(ps, f, n, &used, &ev), PBXDIAL_WSFRAME_MORE);
    ck_assert_uint_eq(used, n);
}
END_TEST

START_TEST(wsframe_empty_fragments_bounded)
{
    pbxdial_wsframe_parser_t *ps = pbxdial_wsframe_parser_make(tp, 100);
    pbxdial_wsframe_event_t ev;
    apr_size_t n, used, i;
    char *f = frame(0x01, "", 0, &n);
    pbxdial_wsframe_e rc = PBXDIAL_WSFRAME_MORE;

    ck_assert_int_eq(pbxdial_wsframe_feed(ps, f, n, &used, &ev), PBXDIAL_WSFRAME_MORE);
    f = frame(0x00, "", 0, &n);
    for (i = 0; i < 1000 && rc == PBXDIAL_WSFRAME_MORE; i++)
        rc = pbxdial_wsframe_feed(ps, f, n, &used, &ev);
    ck_assert_int_eq(rc, PBXDIAL_WSFRAME_ERROR);
    ck_assert_int_eq(ev.code, 1009);
    ck_assert_uint_lt(i, 300);
}
END_TEST

START_TEST(wsframe_builders)
{
    apr_size_t n;
    char *f = pbxdial_wsframe_build(tp, PBXDIAL_WS_TEXT, "hey", 3, NULL, &n);
    char reason[200];

    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(memcmp(f, "\x81\x03hey", 5), 0);
    f = pbxdial_wsframe_close(tp, 1009, "too big", &n);
    ck_assert_uint_eq(n, 11);
    ck_assert_int_eq(memcmp(f, "\x88\x09\x03\xf1too big", 11), 0);
    /* a long reason is cut to 123 bytes, never inside a UTF-8 sequence */
    memset(reason, 'a', sizeof(reason));
    memcpy(reason + 122, "\xc3\xa9", 2);
    reason[199] = '\0';
    f = pbxdial_wsframe_close(tp, 1000, reason, &n);
    ck_assert_uint_eq(n, 2 + 2 + 122);
    ck_assert_int_eq(pbxdial_wsframe_utf8(f + 4, n - 4), 1);
    /* a built masked frame parses back */
    f = pbxdial_wsframe_build(tp, PBXDIAL_WS_TEXT, "{}", 2, K, &n);
    ck_assert_str_eq(run_all(f, n, 10), "M:{}");
}
END_TEST

START_TEST(wsframe_walk)
{
    pbxdial_wsframe_walk_t w;
    apr_size_t n1, n2, n3, i, k;
    char *a = pbxdial_wsframe_build(tp, PBXDIAL_WS_TEXT, "0123456789", 10, NULL, &n1);
    char *b = pbxdial_wsframe_build(tp, PBXDIAL_WS_PING, "", 0, NULL, &n2);
    char *c = pbxdial_wsframe_build(tp, PBXDIAL_WS_CLOSE, "\x03\xe8", 2, NULL, &n3);
    char all[64];
    int bd, bounds = 0;

    memcpy(all, a, n1);
    all[0] = 0x01; /* a first fragment: no boundary after it */
    memcpy(all + n1, b, n2);
    memcpy(all + n1 + n2, a, n1);
    all[n1 + n2] = (char)0x80; /* the last fragment */
    memcpy(all + 2 * n1 + n2, c, n3);
    memset(&w, 0, sizeof(w));
    for (i = 0; i < 2 * n1 + n2 + n3; i += k) {
        k = pbxdial_wsframe_walk(&w, all + i, 1, &bd);
        ck_assert_uint_eq(k, 1);
        if (bd) {
            bounds++;
            ck_assert_uint_eq(i + 1, 2 * n1 + n2); /* only after the message's last fragment */
        }
    }
    ck_assert_int_eq(bounds, 1);
    ck_assert_int_eq(w.closed, 1);
    /* whole: stops at each frame end */
    memset(&w, 0, sizeof(w));
    ck_assert_uint_eq(pbxdial_wsframe_walk(&w, all, sizeof(all), &bd), n1);
    ck_assert_int_eq(bd, 0);
}
END_TEST

/* --- the message policy */

static pbxdial_policy_t *deny_pol, *allow_pol;

static pbxdial_wspolicy_e decide(const char *text, pbxdial_wspolicy_t *out)
{
    const pbxdial_policy_t *dv[1];

    deny_pol = allow_pol = NULL;
    ck_assert_ptr_null(pbxdial_policy_add(tp, &deny_pol, 1, "^0900"));
    dv[0] = deny_pol;
    return pbxdial_wspolicy_decide(tp, text, strlen(text), dv, 1, NULL, out);
}

START_TEST(wspolicy_actions)
{
    pbxdial_wspolicy_t o;

    ck_assert_int_eq(decide("{\"action\":\"get-calls\"}", &o), PBXDIAL_WSPOLICY_PASS);
    ck_assert_int_eq(decide("{\"action\":\"clear-call\",\"id\":\"3\"}", &o), PBXDIAL_WSPOLICY_PASS);
    ck_assert_int_eq(decide("{\"action\":\"hold-call\",\"id\":\"3\"}", &o), PBXDIAL_WSPOLICY_PASS);
    ck_assert_int_eq(decide("{\"action\":\"avoid-disconnect\"}", &o), PBXDIAL_WSPOLICY_PASS);
    ck_assert_int_eq(decide("{\"action\":\"chat\",\"dest\":\"41\"}", &o), PBXDIAL_WSPOLICY_DROP);
    ck_assert_str_eq(o.action, "chat");
    ck_assert_int_eq(decide("{\"action\":\"sdp-packet\",\"to\":\"0900\"}", &o), PBXDIAL_WSPOLICY_DROP);
    ck_assert_int_eq(decide("{\"action\":\"Make-Call\",\"to\":\"0900\"}", &o), PBXDIAL_WSPOLICY_DROP);
    ck_assert_int_eq(decide("{\"action\":\"get-calls\\u0000x\"}", &o), PBXDIAL_WSPOLICY_MALFORMED);
    ck_assert_int_eq(decide("{\"action\":\"get-calls\"", &o), PBXDIAL_WSPOLICY_MALFORMED);
    ck_assert_int_eq(decide("[\"make-call\"]", &o), PBXDIAL_WSPOLICY_MALFORMED);
    ck_assert_int_eq(decide("{\"action\":5}", &o), PBXDIAL_WSPOLICY_MALFORMED);
    ck_assert_int_eq(decide("{\"action\":\"get-calls\"} x", &o), PBXDIAL_WSPOLICY_MALFORMED);
    /* duplicate keys: the PBX might read the other one */
    ck_assert_int_eq(decide("{\"action\":\"get-calls\",\"action\":\"make-call\",\"to\":\"0900\"}", &o),
                     PBXDIAL_WSPOLICY_MALFORMED);
    ck_assert_int_eq(decide("{\"action\":\"make-call\",\"to\":\"0301\",\"to\":\"0900\"}", &o),
                     PBXDIAL_WSPOLICY_MALFORMED);
}
END_TEST

START_TEST(wspolicy_make_call)
{
    pbxdial_wspolicy_t o;
    char *r;

    ck_assert_int_eq(decide("{\"action\":\"make-call\",\"to\":\"030 12-34\",\"from\":\"41\"}", &o),
                     PBXDIAL_WSPOLICY_CALL);
    ck_assert_str_eq(o.rebuilt, "{\"action\":\"make-call\",\"to\":\"0301234\"}");
    ck_assert_int_eq(decide("{\"action\":\"make-call\",\"to\":\"0 900-1\"}", &o), PBXDIAL_WSPOLICY_REFUSE);
    ck_assert_str_eq(o.error, "number_not_allowed");
    ck_assert_str_eq(o.to, "0 900-1");
    ck_assert_str_eq(o.matched, "^0900");
    ck_assert_int_eq(decide("{\"action\":\"make-call\",\"to\":\"*31#0301\"}", &o), PBXDIAL_WSPOLICY_REFUSE);
    ck_assert_str_eq(o.error, "feature_code");
    ck_assert_int_eq(decide("{\"action\":\"make-call\",\"to\":\"*31#0900\"}", &o), PBXDIAL_WSPOLICY_REFUSE);
    ck_assert_str_eq(o.error, "number_not_allowed");
    ck_assert_int_eq(decide("{\"action\":\"make-call\",\"to\":9001}", &o), PBXDIAL_WSPOLICY_REFUSE);
    ck_assert_str_eq(o.error, "bad_dest");
    ck_assert_ptr_null(o.to);
    ck_assert_int_eq(decide("{\"action\":\"make-call\"}", &o), PBXDIAL_WSPOLICY_REFUSE);
    ck_assert_int_eq(decide("{\"action\":\"make-call\",\"to\":\"<b>1\"}", &o), PBXDIAL_WSPOLICY_REFUSE);
    ck_assert_str_eq(o.error, "bad_dest");
    ck_assert_ptr_null(strchr(o.message, '<'));
    r = pbxdial_wspolicy_refusal(tp, "0 900\"1", "number_not_allowed", "Number not allowed.");
    ck_assert_str_eq(r,
                     "{\"action\":\"pbxdial-refused\",\"to\":\"0 900\\\"1\",\"error\":\"number_not_allowed\","
                     "\"message\":\"Number not allowed.\"}");
    r = pbxdial_wspolicy_refusal(tp, NULL, "bad_dest", "x");
    ck_assert_ptr_nonnull(strstr(r, "\"to\":null"));
}
END_TEST

Suite *check_wsframe_suite(void)
{
    Suite *s = suite_create("wsframe");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, wsframe_simple_any_split);
    tcase_add_test(tc, wsframe_fragmented_with_ping);
    tcase_add_test(tc, wsframe_lengths);
    tcase_add_test(tc, wsframe_bad_lengths);
    tcase_add_test(tc, wsframe_protocol_errors);
    tcase_add_test(tc, wsframe_error_sticks_close_ends);
    tcase_add_test(tc, wsframe_empty_fragments_bounded);
    tcase_add_test(tc, wsframe_builders);
    tcase_add_test(tc, wsframe_walk);
    tcase_add_test(tc, wspolicy_actions);
    tcase_add_test(tc, wspolicy_make_call);
    suite_add_tcase(s, tc);
    return s;
}
