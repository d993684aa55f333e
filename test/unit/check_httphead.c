/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Header lines dropped from a response head in its wire form. */
#include <string.h>
#include "check_suites.h"
#include "core/httphead.h"

static const char *const cookies[] = {"Set-Cookie", "Set-Cookie2", NULL};

START_TEST(head_length)
{
    const char *h = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello";
    ck_assert_uint_eq(pbxdial_httphead_length(h, strlen(h)), strlen(h) - 7);
    ck_assert_uint_eq(pbxdial_httphead_length(h, 40), 0);
    ck_assert_uint_eq(pbxdial_httphead_length("\r\n\r", 3), 0);
    ck_assert_uint_eq(pbxdial_httphead_length("", 0), 0);
    ck_assert_int_eq(pbxdial_httphead_starts("HTTP/1.1 101", 12), 1);
    ck_assert_int_eq(pbxdial_httphead_starts("HTT", 3), 1);
    ck_assert_int_eq(pbxdial_httphead_starts("\x81\x05hello", 7), 0);
}
END_TEST

START_TEST(head_drop)
{
    const char *h = "HTTP/1.1 101 Switching Protocols\r\nSet-Cookie: session=abc; Path=/\r\n"
                    "Upgrade: websocket\r\nset-cookie:x=1\r\nSET-COOKIE2: y=2\r\n"
                    "X-Set-Cookie: keep\r\nSet-Cookies: keep\r\n\r\n";
    apr_size_t n;
    int d;
    char *o = pbxdial_httphead_drop(tp, h, strlen(h), cookies, &n, &d);

    ck_assert_int_eq(d, 3);
    ck_assert_str_eq(o, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "X-Set-Cookie: keep\r\nSet-Cookies: keep\r\n\r\n");
    ck_assert_uint_eq(n, strlen(o));
    /* the status line is never a header, whatever it says */
    o = pbxdial_httphead_drop(tp, "Set-Cookie: a\r\n\r\n", 17, cookies, &n, &d);
    ck_assert_int_eq(d, 0);
    ck_assert_uint_eq(n, 17);
}
END_TEST

Suite *check_httphead_suite(void)
{
    Suite *s = suite_create("httphead");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, head_length);
    tcase_add_test(tc, head_drop);
    suite_add_tcase(s, tc);
    return s;
}
