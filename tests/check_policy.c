/* Dial policy: deny wins, allow lists, compile errors. */
#include <string.h>

#include "check_suites.h"
#include "policy.h"

START_TEST(policy_none)
{
    const char *m = "x";
    ck_assert_int_eq(pbxdial_policy_check(NULL, "0900123", &m), PBXDIAL_POLICY_ALLOW);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(pbxdial_policy_count(NULL), 0);
}
END_TEST

START_TEST(policy_deny_wins)
{
    pbxdial_policy_t *pol = NULL;
    const char *m;

    ck_assert_ptr_null(pbxdial_policy_add(tp, &pol, 0, "^0"));
    ck_assert_ptr_null(pbxdial_policy_add(tp, &pol, 1, "^0900"));
    ck_assert_ptr_null(pbxdial_policy_add(tp, &pol, 1, "^\\+(?!49)"));
    ck_assert_int_eq(pbxdial_policy_count(pol), 3);
    ck_assert_int_eq(pbxdial_policy_check(pol, "0301234", &m), PBXDIAL_POLICY_ALLOW);
    ck_assert_str_eq(m, "^0");
    ck_assert_int_eq(pbxdial_policy_check(pol, "0900123", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_str_eq(m, "^0900");
    ck_assert_int_eq(pbxdial_policy_check(pol, "+1617", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_str_eq(m, "^\\+(?!49)");
    ck_assert_int_eq(pbxdial_policy_check(pol, "+4930", &m), PBXDIAL_POLICY_NOT_ALLOWED);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(pbxdial_policy_check(pol, "*98", NULL), PBXDIAL_POLICY_NOT_ALLOWED);
}
END_TEST

START_TEST(policy_allow_only)
{
    pbxdial_policy_t *pol = NULL;
    const char *m;

    ck_assert_ptr_null(pbxdial_policy_add(tp, &pol, 0, "^[1-9][0-9]{1,3}$"));
    ck_assert_ptr_null(pbxdial_policy_add(tp, &pol, 0, "^0[1-8]"));
    ck_assert_int_eq(pbxdial_policy_check(pol, "40", &m), PBXDIAL_POLICY_ALLOW);
    ck_assert_str_eq(m, "^[1-9][0-9]{1,3}$");
    ck_assert_int_eq(pbxdial_policy_check(pol, "0301234", &m), PBXDIAL_POLICY_ALLOW);
    ck_assert_str_eq(m, "^0[1-8]");
    ck_assert_int_eq(pbxdial_policy_check(pol, "0900123", &m), PBXDIAL_POLICY_NOT_ALLOWED);
    ck_assert_int_eq(pbxdial_policy_check(pol, "12345", &m), PBXDIAL_POLICY_NOT_ALLOWED);
}
END_TEST

START_TEST(policy_deny_only)
{
    pbxdial_policy_t *pol = NULL;

    ck_assert_ptr_null(pbxdial_policy_add(tp, &pol, 1, "^00"));
    ck_assert_int_eq(pbxdial_policy_check(pol, "0301234", NULL), PBXDIAL_POLICY_ALLOW);
    ck_assert_int_eq(pbxdial_policy_check(pol, "0041", NULL), PBXDIAL_POLICY_DENIED);
    /* unanchored, as in httpd */
    ck_assert_ptr_null(pbxdial_policy_add(tp, &pol, 1, "666"));
    ck_assert_int_eq(pbxdial_policy_check(pol, "0306661", NULL), PBXDIAL_POLICY_DENIED);
}
END_TEST

START_TEST(policy_bad_regex)
{
    pbxdial_policy_t *pol = NULL;
    const char *err;

    err = pbxdial_policy_add(tp, &pol, 1, "^(09");
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "'^(09'"));
    ck_assert_ptr_nonnull(strstr(err, "missing closing parenthesis"));
    ck_assert_ptr_nonnull(strstr(err, "offset 4"));
    ck_assert_ptr_nonnull(pbxdial_policy_add(tp, &pol, 0, "[0-"));
    ck_assert_ptr_nonnull(pbxdial_policy_add(tp, &pol, 0, ""));
    ck_assert_ptr_null(pol);
}
END_TEST

Suite *check_policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("policy");
    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, policy_none);
    tcase_add_test(tc, policy_deny_wins);
    tcase_add_test(tc, policy_allow_only);
    tcase_add_test(tc, policy_deny_only);
    tcase_add_test(tc, policy_bad_regex);
    suite_add_tcase(s, tc);
    return s;
}
