/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Dial policy: deny wins, allow lists, compile errors. */
#include <string.h>

#include "check_suites.h"
#include "core/policy.h"

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

/* One location's policy as the configuration builds it: deny patterns in
 * one policy (as PbxDialDeny does), allow patterns in another. */
static pbxdial_policy_e decide(const char *const *deny, const char *const *allow, const char *number,
                               const char **m)
{
    pbxdial_policy_t *d = NULL, *a = NULL;
    const pbxdial_policy_t *dv[1];

    for (; deny && *deny; deny++)
        ck_assert_ptr_null(pbxdial_policy_add(tp, &d, 1, *deny));
    for (; allow && *allow; allow++)
        ck_assert_ptr_null(pbxdial_policy_add(tp, &a, 0, *allow));
    dv[0] = d;
    return pbxdial_policy_decide(d ? dv : NULL, d ? 1 : 0, a, number, m);
}

START_TEST(policy_feature_codes_refused)
{
    static const char *const deny[] = {"^0900", NULL};
    static const char *const digits[] = {"^0[1-9]", "^\\+49", ".*", NULL};
    const char *m = "x";

    /* the bypass of issue 11: deny ^0900 did not see *31#0900123 */
    ck_assert_int_eq(decide(deny, NULL, "*31#0900123", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_str_eq(m, "^0900");
    ck_assert_int_eq(decide(deny, NULL, "#31#0900123", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_int_eq(decide(deny, NULL, "*310900123", &m), PBXDIAL_POLICY_FEATURE_CODE);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(decide(deny, NULL, "*31#0301234", &m), PBXDIAL_POLICY_FEATURE_CODE);
    ck_assert_int_eq(decide(deny, NULL, "*", &m), PBXDIAL_POLICY_FEATURE_CODE);
    ck_assert_int_eq(decide(deny, NULL, "#", &m), PBXDIAL_POLICY_FEATURE_CODE);
    ck_assert_int_eq(decide(NULL, NULL, "*98#", &m), PBXDIAL_POLICY_FEATURE_CODE);
    ck_assert_int_eq(decide(NULL, NULL, "0301234", &m), PBXDIAL_POLICY_ALLOW);
    /* allow patterns written for digits never open feature codes, even .* */
    ck_assert_int_eq(decide(deny, digits, "0301234#", &m), PBXDIAL_POLICY_FEATURE_CODE);
    ck_assert_int_eq(decide(deny, digits, "01*31#0900", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_int_eq(decide(deny, digits, "+49*21", &m), PBXDIAL_POLICY_FEATURE_CODE);
    ck_assert_int_eq(decide(deny, digits, "0301234", &m), PBXDIAL_POLICY_ALLOW);
    ck_assert_str_eq(m, "^0[1-9]");
}
END_TEST

START_TEST(policy_feature_codes_allowed)
{
    static const char *const deny[] = {"^0900", "^00", NULL};
    static const char *const allow[] = {"^0[1-9]", "^\\*31#0[1-9]", NULL};
    const char *m;

    ck_assert_int_eq(decide(deny, allow, "*31#0301234", &m), PBXDIAL_POLICY_ALLOW);
    ck_assert_str_eq(m, "^\\*31#0[1-9]");
    /* deny still wins, also behind the code */
    ck_assert_int_eq(decide(deny, allow, "*31#0900123", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_str_eq(m, "^0900");
    ck_assert_int_eq(decide(deny, allow, "*31#0041", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_str_eq(m, "^00");
    /* only the codes the pattern names */
    ck_assert_int_eq(decide(deny, allow, "#31#0301234", &m), PBXDIAL_POLICY_FEATURE_CODE);
    ck_assert_int_eq(decide(deny, allow, "*67#0301234", &m), PBXDIAL_POLICY_FEATURE_CODE);
    ck_assert_int_eq(decide(deny, allow, "0301234*", &m), PBXDIAL_POLICY_FEATURE_CODE);
    ck_assert_int_eq(decide(deny, allow, "*", &m), PBXDIAL_POLICY_FEATURE_CODE);
    ck_assert_int_eq(decide(deny, allow, "0900123", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_int_eq(decide(deny, allow, "+4930", &m), PBXDIAL_POLICY_NOT_ALLOWED);
}
END_TEST

/* Which patterns count as naming '*' or '#': each is tried as the only allow
 * pattern on a number that it matches. */
START_TEST(policy_feature_pattern_forms)
{
    static const struct {
        const char *re;
        const char *number;
        int opens;
    } cases[] = {
        {"^\\*31#", "*31#0301", 1},
        {"^#31#", "#31#0301", 1},
        {"^\\#31", "#310301", 1},
        {"^[*]98", "*98", 1},
        {"^[#*]", "#1", 1},
        {"^[0-9\\*]+$", "0*1", 1},
        {"^\\Q*98\\E", "*98", 1},
        {"^0.*", "0*31#0900", 0}, /* '*' as a quantifier */
        {"^0", "0*31#0900", 0},
        {"^[^*#]", "0*31#0900", 0}, /* a negated class excludes them */
        {"^[^\\*]", "0*31", 0},
        {"^0(?#no * or # here)", "0*31", 0},
        {"(?x) ^0 # national", "0*31", 0},
        {"^\\x2a31", "*31", 0}, /* not recognised: refused, fails closed */
        {"^[[:digit:]*]", "*31", 1},
        {"^[]*]", "*31", 1},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *allow[] = {cases[i].re, NULL}, *m = NULL;
        pbxdial_policy_e rc = decide(NULL, allow, cases[i].number, &m);
        ck_assert_msg(rc == (cases[i].opens ? PBXDIAL_POLICY_ALLOW : PBXDIAL_POLICY_FEATURE_CODE),
                      "%s on %s: %d", cases[i].re, cases[i].number, rc);
    }
}
END_TEST

START_TEST(policy_decide_input)
{
    static const char *const allow[] = {".", NULL};
    const char *m = "x";

    /* only normalised numbers: anything else is refused, whatever the patterns */
    ck_assert_int_eq(decide(NULL, allow, NULL, &m), PBXDIAL_POLICY_DENIED);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(decide(NULL, allow, "", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_int_eq(decide(NULL, allow, "030 123", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_int_eq(decide(NULL, allow, "030-123", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_int_eq(decide(NULL, allow, "49+30", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_int_eq(decide(NULL, NULL, "0301\n", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_int_eq(decide(NULL, allow, "+4930", &m), PBXDIAL_POLICY_ALLOW);
    ck_assert_int_eq(pbxdial_policy_decide(NULL, 0, NULL, "0301", NULL), PBXDIAL_POLICY_ALLOW);
}
END_TEST

/* Several PbxDialDeny scopes (inherited and own): each one applies. */
START_TEST(policy_decide_scopes)
{
    pbxdial_policy_t *outer = NULL, *inner = NULL, *allow = NULL;
    const pbxdial_policy_t *dv[2];
    const char *m;

    ck_assert_ptr_null(pbxdial_policy_add(tp, &outer, 1, "^0900"));
    ck_assert_ptr_null(pbxdial_policy_add(tp, &inner, 1, "^0180"));
    ck_assert_ptr_null(pbxdial_policy_add(tp, &allow, 0, "^0"));
    dv[0] = outer;
    dv[1] = inner;
    ck_assert_int_eq(pbxdial_policy_decide(dv, 2, allow, "0900123", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_str_eq(m, "^0900");
    ck_assert_int_eq(pbxdial_policy_decide(dv, 2, allow, "#31#0180123", &m), PBXDIAL_POLICY_DENIED);
    ck_assert_str_eq(m, "^0180");
    ck_assert_int_eq(pbxdial_policy_decide(dv, 2, allow, "0301", &m), PBXDIAL_POLICY_ALLOW);
    ck_assert_int_eq(pbxdial_policy_decide(dv, 2, allow, "+4930", &m), PBXDIAL_POLICY_NOT_ALLOWED);
}
END_TEST

/* What the call handler logs: patterns over all scopes, not scopes. */
START_TEST(policy_count_scopes)
{
    pbxdial_policy_t *outer = NULL, *inner = NULL;
    const pbxdial_policy_t *dv[3];

    ck_assert_ptr_null(pbxdial_policy_add(tp, &outer, 1, "^0900"));
    ck_assert_ptr_null(pbxdial_policy_add(tp, &outer, 1, "^0180"));
    ck_assert_ptr_null(pbxdial_policy_add(tp, &inner, 1, "^00"));
    dv[0] = outer;
    dv[1] = NULL;
    dv[2] = inner;
    ck_assert_int_eq(pbxdial_policy_count_all(dv, 3), 3);
    ck_assert_int_eq(pbxdial_policy_count_all(dv, 1), 2);
    ck_assert_int_eq(pbxdial_policy_count_all(NULL, 2), 0);
    ck_assert_int_eq(pbxdial_policy_count_all(dv, 0), 0);
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
    tcase_add_test(tc, policy_feature_codes_refused);
    tcase_add_test(tc, policy_feature_codes_allowed);
    tcase_add_test(tc, policy_feature_pattern_forms);
    tcase_add_test(tc, policy_decide_input);
    tcase_add_test(tc, policy_decide_scopes);
    tcase_add_test(tc, policy_count_scopes);
    suite_add_tcase(s, tc);
    return s;
}
