/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* PBX reply parsing (session tokens). */
#include <string.h>

#include "check_suites.h"
#include "core/pbxreply.h"

static pbxdial_pbxreply_e parse(const char *body, const char **tok)
{
    return pbxdial_pbxreply_token(tp, body, strlen(body), tok);
}

START_TEST(token_json_string)
{
    const char *t;
    ck_assert_int_eq(parse("\"abc123def456ghi789jk\"", &t), PBXDIAL_REPLY_TOKEN);
    ck_assert_str_eq(t, "abc123def456ghi789jk");
    ck_assert_int_eq(parse("  \"x-y_z.1\"\r\n", &t), PBXDIAL_REPLY_TOKEN);
    ck_assert_str_eq(t, "x-y_z.1");
}
END_TEST

START_TEST(token_bare_string)
{
    const char *t;
    ck_assert_int_eq(parse("tok123\n", &t), PBXDIAL_REPLY_TOKEN);
    ck_assert_str_eq(t, "tok123");
}
END_TEST

START_TEST(token_object)
{
    const char *t;
    ck_assert_int_eq(parse("{\"session\":\"fromjson\"}", &t), PBXDIAL_REPLY_TOKEN);
    ck_assert_str_eq(t, "fromjson");
    ck_assert_int_eq(parse("{\"value\":\"v1\"}", &t), PBXDIAL_REPLY_TOKEN);
    ck_assert_str_eq(t, "v1");
    ck_assert_int_eq(parse("{\"other\":1}", &t), PBXDIAL_REPLY_MALFORMED);
    ck_assert_ptr_null(t);
}
END_TEST

START_TEST(token_false_and_empty)
{
    const char *t;
    ck_assert_int_eq(parse("false", &t), PBXDIAL_REPLY_FALSE);
    ck_assert_int_eq(parse(" false \n", &t), PBXDIAL_REPLY_FALSE);
    ck_assert_int_eq(parse("", &t), PBXDIAL_REPLY_EMPTY);
    ck_assert_int_eq(parse("  \n", &t), PBXDIAL_REPLY_EMPTY);
    ck_assert_int_eq(parse("\"\"", &t), PBXDIAL_REPLY_EMPTY);
    ck_assert_int_eq(pbxdial_pbxreply_token(tp, NULL, 0, &t), PBXDIAL_REPLY_EMPTY);
}
END_TEST

START_TEST(token_malformed)
{
    const char *t;
    ck_assert_int_eq(parse("<html>oops</html>", &t), PBXDIAL_REPLY_MALFORMED);
    ck_assert_int_eq(parse("\"has space\"", &t), PBXDIAL_REPLY_MALFORMED);
    ck_assert_int_eq(parse("\"semi;colon\"", &t), PBXDIAL_REPLY_MALFORMED);
    ck_assert_int_eq(parse("true", &t), PBXDIAL_REPLY_MALFORMED);
    ck_assert_int_eq(parse("[\"a\"]", &t), PBXDIAL_REPLY_MALFORMED);
    ck_assert_int_eq(parse("12", &t), PBXDIAL_REPLY_MALFORMED);
    /* an embedded NUL must not shorten the token silently */
    ck_assert_int_eq(pbxdial_pbxreply_token(tp, "ab\0cd", 5, &t), PBXDIAL_REPLY_MALFORMED);
    ck_assert_int_eq(parse("\"ab\\u0000cd\"", &t), PBXDIAL_REPLY_MALFORMED);
}
END_TEST

START_TEST(token_length_limit)
{
    char big[600];
    const char *t;
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(parse(big, &t), PBXDIAL_REPLY_MALFORMED);
    big[512] = '\0';
    ck_assert_int_eq(parse(big, &t), PBXDIAL_REPLY_TOKEN);
}
END_TEST

Suite *check_pbxreply_suite(void)
{
    Suite *s = suite_create("reply");
    TCase *tc = tcase_create("reply");
    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, token_json_string);
    tcase_add_test(tc, token_bare_string);
    tcase_add_test(tc, token_object);
    tcase_add_test(tc, token_false_and_empty);
    tcase_add_test(tc, token_malformed);
    tcase_add_test(tc, token_length_limit);
    suite_add_tcase(s, tc);
    return s;
}
