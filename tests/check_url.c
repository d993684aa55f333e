/* URL checks for directives and the Origin comparison. */
#include "check_suites.h"
#include "url.h"

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
    ck_assert(!pbxdial_url_same_origin(tp, "https://crm.example.com.evil.example", "https", "crm.example.com"));
    ck_assert(!pbxdial_url_same_origin(tp, "null", "https", "crm.example.com"));
    ck_assert(!pbxdial_url_same_origin(tp, "https://crm.example.com/x", "https", "crm.example.com"));
    ck_assert(!pbxdial_url_same_origin(tp, "https://crm.example.com", "https", ""));
}
END_TEST

Suite *check_url_suite(void)
{
    Suite *s = suite_create("url");
    TCase *tc = tcase_create("url");
    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, base_ok);
    tcase_add_test(tc, base_bad);
    tcase_add_test(tc, public_forms);
    tcase_add_test(tc, origin_compare);
    suite_add_tcase(s, tc);
    return s;
}
