/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* URL checks for directives and the Origin comparison. */
#include <string.h>

#include "check_suites.h"
#include "core/url.h"

START_TEST(base_ok)
{
    const char *n = NULL;
    ck_assert_ptr_null(pbxdial_url_check_base(tp, "https://pbx.example.com", &n));
    ck_assert_str_eq(n, "https://pbx.example.com");
    ck_assert_ptr_null(pbxdial_url_check_base(tp, "http://127.0.0.1:8081/", &n));
    ck_assert_str_eq(n, "http://127.0.0.1:8081");
    ck_assert_ptr_null(pbxdial_url_check_base(tp, "https://pbx.example.com/vodia//", &n));
    ck_assert_str_eq(n, "https://pbx.example.com/vodia");
    ck_assert_ptr_null(pbxdial_url_check_base(tp, "https://[::1]:8443", &n));
}
END_TEST

START_TEST(base_bad)
{
    const char *n = NULL;
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "pbx.example.com", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "ftp://pbx.example.com", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "https://", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "https://admin:pw@pbx.example.com", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "https://pbx.example.com/?x=1", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "https://pbx.example.com#f", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "https://pbx example.com", &n));
    ck_assert_ptr_null(n);
}
END_TEST

/* APR keeps a port in 16 bits: 80810 must not pass as 15274 */
START_TEST(base_port)
{
    const char *n = NULL, *e;
    ck_assert_ptr_null(pbxdial_url_check_base(tp, "http://pbx.example.com:65535", &n));
    ck_assert_ptr_null(pbxdial_url_check_base(tp, "http://pbx.example.com:1/vodia", &n));
    ck_assert_ptr_null(pbxdial_url_check_base(tp, "https://[::1]:443/", &n));
    n = NULL;
    e = pbxdial_url_check_base(tp, "http://host:80810", &n);
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_null(n);
    ck_assert_str_eq(e, "'http://host:80810' has an invalid port '80810': a port is a number from 1 "
                        "to 65535; write e.g. http://host:8080, or http://host without a port for "
                        "the default (80)");
    e = pbxdial_url_check_base(tp, "https://pbx.example.com:99999/x", &n);
    ck_assert_ptr_nonnull(strstr(e, "invalid port '99999'"));
    ck_assert_ptr_nonnull(strstr(e, "https://pbx.example.com without a port for the default (443)"));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "http://host:65536", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "http://host:131072", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "http://host:0", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "http://host:00000", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "http://host:", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "http://host:/x", &n));
    ck_assert_ptr_nonnull(strstr(pbxdial_url_check_base(tp, "http://host:80x", &n), "invalid port '80x'"));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "http://host:-1", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "http://host:99999999999999999999", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_base(tp, "https://[::1]:70000", &n));
    /* the public server takes a URL with the same rule */
    ck_assert_ptr_nonnull(pbxdial_url_check_public(tp, "https://pbx.example.com:80810", &n));
}
END_TEST

START_TEST(query_escape)
{
    ck_assert_str_eq(pbxdial_url_query_escape(tp, "+4930123456"), "%2B4930123456");
    ck_assert_str_eq(pbxdial_url_query_escape(tp, "*72#40#"), "*72%2340%23");
    ck_assert_str_eq(pbxdial_url_query_escape(tp, "0049 30"), "0049%2030");
    ck_assert_str_eq(pbxdial_url_query_escape(tp, "a-b_c.d~e"), "a-b_c.d~e");
    ck_assert_str_eq(pbxdial_url_query_escape(tp, "&=?/%"), "%26%3D%3F%2F%25");
    ck_assert_str_eq(pbxdial_url_query_escape(tp, "\xc3\xa9"), "%C3%A9");
    ck_assert_str_eq(pbxdial_url_query_escape(tp, ""), "");
}
END_TEST

START_TEST(public_forms)
{
    const char *n = NULL;
    ck_assert_ptr_null(pbxdial_url_check_public(tp, "pbx.example.com", &n));
    ck_assert_str_eq(n, "pbx.example.com");
    ck_assert_ptr_null(pbxdial_url_check_public(tp, "pbx.example.com:8443", &n));
    ck_assert_ptr_null(pbxdial_url_check_public(tp, "http://127.0.0.1:8081/", &n));
    ck_assert_str_eq(n, "http://127.0.0.1:8081");
    ck_assert_ptr_nonnull(pbxdial_url_check_public(tp, "pbx.example.com:", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_public(tp, "pbx.example.com:99999", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_public(tp, "pbx.example.com:80x", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_public(tp, "pbx/x", &n));
    ck_assert_ptr_nonnull(pbxdial_url_check_public(tp, "", &n));
}
END_TEST

START_TEST(origin_compare)
{
    ck_assert(pbxdial_url_same_origin(tp, "https://crm.example.com", "https", "crm.example.com"));
    ck_assert(pbxdial_url_same_origin(tp, "https://CRM.example.com:443", "https", "crm.example.com"));
    ck_assert(pbxdial_url_same_origin(tp, "http://127.0.0.1:8080", "http", "127.0.0.1:8080"));
    ck_assert(pbxdial_url_same_origin(tp, "http://[::1]:8080", "http", "[::1]:8080"));
    ck_assert(!pbxdial_url_same_origin(tp, "http://127.0.0.1:8081", "http", "127.0.0.1:8080"));
    ck_assert(!pbxdial_url_same_origin(tp, "http://crm.example.com", "https", "crm.example.com"));
    ck_assert(!pbxdial_url_same_origin(tp, "https://evil.example", "https", "crm.example.com"));
    ck_assert(
        !pbxdial_url_same_origin(tp, "https://crm.example.com.evil.example", "https", "crm.example.com"));
    ck_assert(!pbxdial_url_same_origin(tp, "null", "https", "crm.example.com"));
    ck_assert(!pbxdial_url_same_origin(tp, "https://crm.example.com/x", "https", "crm.example.com"));
    ck_assert(!pbxdial_url_same_origin(tp, "https://crm.example.com", "https", ""));
}
END_TEST

START_TEST(origin_parse)
{
    pbxdial_url_origin_t o;
    ck_assert(pbxdial_url_origin_parse(tp, "HTTPS://CRM.Example.COM.", 0, &o));
    ck_assert_str_eq(o.scheme, "https");
    ck_assert_str_eq(o.host, "crm.example.com");
    ck_assert_uint_eq(o.port, 443);
    ck_assert(pbxdial_url_origin_parse(tp, "http://[::1]:8080", 0, &o));
    ck_assert_str_eq(o.host, "::1");
    ck_assert_uint_eq(o.port, 8080);
    ck_assert(pbxdial_url_origin_parse(tp, "http://crm.example.com/a/b?c=d#e", 1, &o));
    ck_assert_uint_eq(o.port, 80);
    ck_assert(pbxdial_url_origin_parse(tp, "http://crm.example.com?c", 1, &o));
    /* an Origin has nothing after the authority; a Referer may */
    ck_assert(!pbxdial_url_origin_parse(tp, "http://crm.example.com/", 0, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "null", 0, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, NULL, 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "/relative/path", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "ftp://crm.example.com/", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "httpx://crm.example.com/", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://crm.example.com@evil.example/", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://u:p@crm.example.com/", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://crm.example.com\\@evil.example/", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://crm%2eexample.com/", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https:///x", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://./x", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://crm.example.com:/x", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://crm.example.com:0/x", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://crm.example.com:65536/x", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://crm.example.com:44x/x", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://crm.example.com:+443/x", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://::1/x", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://[crm.example.com]/x", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://[::1]x/", 1, &o));
    ck_assert(!pbxdial_url_origin_parse(tp, "https://a, https://b", 0, &o));
}
END_TEST

START_TEST(origin_is)
{
    pbxdial_url_origin_t own, v6;
    ck_assert(pbxdial_url_origin_make(tp, "https", "CRM.example.com.", 443, &own));
    ck_assert(pbxdial_url_origin_is(tp, "https://crm.example.com", 0, &own));
    ck_assert(pbxdial_url_origin_is(tp, "https://crm.example.com:443", 0, &own));
    ck_assert(pbxdial_url_origin_is(tp, "https://Crm.Example.Com./contacts?id=1", 1, &own));
    ck_assert(!pbxdial_url_origin_is(tp, "http://crm.example.com", 0, &own));
    ck_assert(!pbxdial_url_origin_is(tp, "https://crm.example.com:8443", 0, &own));
    ck_assert(!pbxdial_url_origin_is(tp, "https://www.crm.example.com/", 1, &own));
    ck_assert(!pbxdial_url_origin_is(tp, "https://example.com/", 1, &own));
    ck_assert(!pbxdial_url_origin_is(tp, "https://crm.example.com.evil.example/", 1, &own));
    ck_assert(!pbxdial_url_origin_is(tp, "https://crm.example.com@evil.example/", 1, &own));
    ck_assert(!pbxdial_url_origin_is(tp, "null", 0, &own));
    ck_assert(!pbxdial_url_origin_is(tp, "https://crm.example.com", 0, NULL));
    /* port 0: the scheme's default */
    ck_assert(pbxdial_url_origin_make(tp, "HTTP", "crm.example.com", 0, &own));
    ck_assert(pbxdial_url_origin_is(tp, "http://crm.example.com:80/", 1, &own));
    ck_assert(pbxdial_url_origin_make(tp, "http", "::1", 8080, &v6));
    ck_assert(pbxdial_url_origin_is(tp, "http://[::1]:8080/x", 1, &v6));
    ck_assert(pbxdial_url_origin_make(tp, "http", "[::1]", 8080, &v6));
    ck_assert(pbxdial_url_origin_is(tp, "http://[::1]:8080", 0, &v6));
    ck_assert(!pbxdial_url_origin_make(tp, "ftp", "crm.example.com", 21, &own));
    ck_assert(!pbxdial_url_origin_make(tp, "https", "", 443, &own));
    ck_assert(!pbxdial_url_origin_make(tp, "https", "crm example", 443, &own));
}
END_TEST

Suite *check_url_suite(void)
{
    Suite *s = suite_create("url");
    TCase *tc = tcase_create("url");
    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, base_ok);
    tcase_add_test(tc, base_bad);
    tcase_add_test(tc, base_port);
    tcase_add_test(tc, query_escape);
    tcase_add_test(tc, public_forms);
    tcase_add_test(tc, origin_compare);
    tcase_add_test(tc, origin_parse);
    tcase_add_test(tc, origin_is);
    suite_add_tcase(s, tc);
    return s;
}
