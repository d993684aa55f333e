/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Extension and domain names. */
#include "check_suites.h"
#include "core/account.h"

START_TEST(extension_names)
{
    ck_assert(pbxdial_account_extension_ok("40"));
    ck_assert(pbxdial_account_extension_ok("john.doe_1-2"));
    ck_assert(!pbxdial_account_extension_ok(""));
    ck_assert(!pbxdial_account_extension_ok(NULL));
    ck_assert(!pbxdial_account_extension_ok("40 41"));
    ck_assert(!pbxdial_account_extension_ok("40&user=41"));
    ck_assert(!pbxdial_account_extension_ok("a@b"));
    ck_assert(!pbxdial_account_extension_ok("\xc3\xa9"));
    ck_assert(
        !pbxdial_account_extension_ok("12345678901234567890123456789012345678901234567890123456789012345"));
}
END_TEST

START_TEST(domain_names)
{
    ck_assert(pbxdial_account_domain_ok("example.com"));
    ck_assert(pbxdial_account_domain_ok("localhost"));
    ck_assert(!pbxdial_account_domain_ok("exa mple.com"));
    ck_assert(!pbxdial_account_domain_ok("example.com/x"));
    ck_assert(!pbxdial_account_domain_ok(""));
}
END_TEST

START_TEST(domain_canonical)
{
    ck_assert_str_eq(pbxdial_account_domain_canonical(tp, "example.com"), "example.com");
    ck_assert_str_eq(pbxdial_account_domain_canonical(tp, "EXAMPLE.Com"), "example.com");
    ck_assert_str_eq(pbxdial_account_domain_canonical(tp, "example.com."), "example.com");
    /* one root dot only: anything else is another name, or none */
    ck_assert_str_eq(pbxdial_account_domain_canonical(tp, "example.com.."), "example.com.");
    ck_assert_ptr_null(pbxdial_account_domain_canonical(tp, "."));
    ck_assert_ptr_null(pbxdial_account_domain_canonical(tp, ""));
    ck_assert_ptr_null(pbxdial_account_domain_canonical(tp, NULL));
    ck_assert_ptr_null(pbxdial_account_domain_canonical(tp, "a@b"));
    ck_assert_ptr_null(pbxdial_account_domain_canonical(tp, "other.com%2e"));
}
END_TEST

START_TEST(split_user)
{
    const char *e, *d;
    pbxdial_account_split(tp, "40@example.com", &e, &d);
    ck_assert_str_eq(e, "40");
    ck_assert_str_eq(d, "example.com");
    pbxdial_account_split(tp, "40", &e, &d);
    ck_assert_str_eq(e, "40");
    ck_assert_ptr_null(d);
    pbxdial_account_split(tp, "a@b@c", &e, &d);
    ck_assert_str_eq(e, "a@b");
    ck_assert_str_eq(d, "c");
    pbxdial_account_split(tp, NULL, &e, &d);
    ck_assert_ptr_null(e);
}
END_TEST

Suite *check_account_suite(void)
{
    Suite *s = suite_create("names");
    TCase *tc = tcase_create("names");
    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, extension_names);
    tcase_add_test(tc, domain_names);
    tcase_add_test(tc, domain_canonical);
    tcase_add_test(tc, split_user);
    suite_add_tcase(s, tc);
    return s;
}
