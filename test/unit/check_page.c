/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* HTML pages and Accept negotiation. */
#include <string.h>

#include "check_suites.h"
#include "core/page.h"

START_TEST(escape_markup)
{
    ck_assert_str_eq(pbxdial_page_escape(tp, "<script>alert(\"x\")</script> & 'y'"),
                     "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;");
    ck_assert_str_eq(pbxdial_page_escape(tp, NULL), "");
}
END_TEST

START_TEST(page_escapes_everything)
{
    const char *html = pbxdial_page_html(tp, 400, "Bad <number>", "dest \"<b>\" has 'x'");
    ck_assert_ptr_null(strstr(html, "<number>"));
    ck_assert_ptr_null(strstr(html, "<b>"));
    ck_assert_ptr_nonnull(strstr(html, "<title>Bad &lt;number&gt;</title>"));
}
END_TEST

START_TEST(accept_negotiation)
{
    ck_assert(!pbxdial_page_prefers_json(NULL));
    ck_assert(!pbxdial_page_prefers_json(""));
    ck_assert(pbxdial_page_prefers_json("application/json"));
    ck_assert(pbxdial_page_prefers_json("application/json, text/plain, */*"));
    ck_assert(!pbxdial_page_prefers_json("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
    ck_assert(!pbxdial_page_prefers_json("*/*"));
    ck_assert(pbxdial_page_prefers_json("text/html;q=0.5, application/json"));
    ck_assert(!pbxdial_page_prefers_json("text/html, application/json;q=0.9"));
    ck_assert(pbxdial_page_prefers_json("application/*"));
    ck_assert(!pbxdial_page_prefers_json("application/json;q=0, */*"));
}
END_TEST

START_TEST(prefers_prometheus)
{
    ck_assert(
        pbxdial_page_prefers_prometheus("application/openmetrics-text;version=1.0.0,application/"
                                        "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;"
                                        "q=0.5,*/*;q=0.1"));
    ck_assert(pbxdial_page_prefers_prometheus("text/plain;version=0.0.4"));
    ck_assert(pbxdial_page_prefers_prometheus("text/plain; version=0.0.4; q=0.5"));
    ck_assert(!pbxdial_page_prefers_prometheus("text/plain"));
    ck_assert(!pbxdial_page_prefers_prometheus("text/html,application/xhtml+xml,*/*;q=0.8"));
    ck_assert(!pbxdial_page_prefers_prometheus("*/*"));
    ck_assert(!pbxdial_page_prefers_prometheus("text/plain;version=0.0.4;q=0"));
    ck_assert(!pbxdial_page_prefers_prometheus(NULL));
    ck_assert(!pbxdial_page_prefers_prometheus(""));
}
END_TEST

Suite *check_page_suite(void)
{
    Suite *s = suite_create("page");
    TCase *tc = tcase_create("page");
    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, escape_markup);
    tcase_add_test(tc, page_escapes_everything);
    tcase_add_test(tc, accept_negotiation);
    tcase_add_test(tc, prefers_prometheus);
    suite_add_tcase(s, tc);
    return s;
}
