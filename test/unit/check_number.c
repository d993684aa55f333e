/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Normalisation of destination numbers. */
#include <string.h>

#include "check_suites.h"
#include "core/number.h"

static const char *norm_ok(const char *in)
{
    const char *out = NULL, *err = pbxdial_number_normalise(tp, in, &out);
    ck_assert_msg(err == NULL, "'%s': %s", in, err ? err : "");
    return out;
}

static const char *norm_err(const char *in)
{
    const char *out = NULL, *err = pbxdial_number_normalise(tp, in, &out);
    ck_assert_msg(err != NULL, "'%s' was accepted", in);
    ck_assert_ptr_null(out);
    return err;
}

START_TEST(number_separators)
{
    ck_assert_str_eq(norm_ok("0123456789"), "0123456789");
    ck_assert_str_eq(norm_ok(" 0123 456\t789 "), "0123456789");
    ck_assert_str_eq(norm_ok("(0) 30/1234-5"), "03012345");
    ck_assert_str_eq(norm_ok("030.1234.56"), "030123456");
    ck_assert_str_eq(norm_ok("+49 (0) 30 1234-56"), "+49030123456");
    ck_assert_str_eq(norm_ok(" +1 (617) 399-8147"), "+16173998147");
    ck_assert_str_eq(norm_ok("(+49) 30"), "+4930");
    ck_assert_str_eq(norm_ok("*98#"), "*98#");
    ck_assert_str_eq(norm_ok("#31#0123"), "#31#0123");
    /* feature codes keep their '*' and '#' (the dial policy decides on
     * them), and separators inside them go like anywhere else */
    ck_assert_str_eq(norm_ok("*31# 0900-123"), "*31#0900123");
    ck_assert_str_eq(norm_ok("(*31#) 0900 123"), "*31#0900123");
    ck_assert_str_eq(norm_ok("*"), "*");
}
END_TEST

START_TEST(number_plus)
{
    const char *err = norm_err("49+30");
    ck_assert_ptr_nonnull(strstr(err, "position 3"));
    norm_err("++4930");
    norm_err("+49 +30");
    err = norm_err("+");
    ck_assert_str_eq(err, "empty number");
}
END_TEST

START_TEST(number_bad_characters)
{
    const char *err;

    err = norm_err("01a3");
    ck_assert_str_eq(err, "character 'a' at position 3 is not allowed in a number");
    err = norm_err("0800-CALLME");
    ck_assert_ptr_nonnull(strstr(err, "'C' at position 6"));
    err = norm_err("<script>alert(1)</script>");
    ck_assert_str_eq(err, "byte 0x3c at position 1 is not allowed in a number");
    err = norm_err("12\"34");
    ck_assert_ptr_nonnull(strstr(err, "byte 0x22 at position 3"));
    err = norm_err("12'34");
    ck_assert_ptr_nonnull(strstr(err, "byte 0x27"));
    err = norm_err("12&34");
    ck_assert_ptr_nonnull(strstr(err, "byte 0x26"));
    err = norm_err("12%34");
    ck_assert_ptr_nonnull(strstr(err, "byte 0x25"));
    err = norm_err("12\n34");
    ck_assert_ptr_nonnull(strstr(err, "byte 0x0a"));
    err = norm_err("12\xc3\xa4"
                   "34");
    ck_assert_ptr_nonnull(strstr(err, "byte 0xc3 at position 3"));
    norm_err("12,34");
    norm_err("12_34");
}
END_TEST

START_TEST(number_empty_and_long)
{
    const char *err;

    ck_assert_str_eq(norm_err(""), "empty number");
    ck_assert_str_eq(norm_err(" - ( ) "), "empty number");
    ck_assert_str_eq(norm_err(NULL), "empty number");
    ck_assert_str_eq(norm_ok("12345678901234567890123456789012"), "12345678901234567890123456789012");
    ck_assert_str_eq(norm_ok("+12345678901234567890123456789012"), "+12345678901234567890123456789012");
    ck_assert_str_eq(norm_ok("1234 5678 9012 3456 7890 1234 5678 9012"), "12345678901234567890123456789012");
    err = norm_err("123456789012345678901234567890123");
    ck_assert_ptr_nonnull(strstr(err, "more than 32"));
}
END_TEST

START_TEST(number_compare)
{
    ck_assert(pbxdial_number_same("+4930", "+4930"));
    ck_assert(!pbxdial_number_same("+4930", "004930"));
    ck_assert(!pbxdial_number_same("+4930", NULL));
    ck_assert(!pbxdial_number_same(NULL, NULL));
}
END_TEST

Suite *check_number_suite(void)
{
    Suite *s = suite_create("number");
    TCase *tc = tcase_create("number");
    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, number_separators);
    tcase_add_test(tc, number_plus);
    tcase_add_test(tc, number_bad_characters);
    tcase_add_test(tc, number_empty_and_long);
    tcase_add_test(tc, number_compare);
    suite_add_tcase(s, tc);
    return s;
}
