/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* PbxDialUserMap file format. */
#include <string.h>

#include "check_suites.h"
#include "core/usermap.h"

static const char *parse(const char *text, apr_hash_t **m)
{
    return pbxdial_usermap_parse(tp, text, strlen(text), m);
}

START_TEST(usermap_values)
{
    apr_hash_t *m = NULL;
    ck_assert_ptr_null(parse("# demo users\nalice 40\n\n  bob\t41@example.com\r\n", &m));
    ck_assert_int_eq(apr_hash_count(m), 2);
    ck_assert_str_eq(apr_hash_get(m, "alice", APR_HASH_KEY_STRING), "40");
    ck_assert_str_eq(apr_hash_get(m, "bob", APR_HASH_KEY_STRING), "41@example.com");
    ck_assert_ptr_null(parse("", &m));
    ck_assert_int_eq(apr_hash_count(m), 0);
    /* a comment after a stray CR is still a comment (found by fuzz_files) */
    ck_assert_ptr_null(parse("\r# x 40\r\nbob 41\r\n", &m));
    ck_assert_int_eq(apr_hash_count(m), 1);
    ck_assert_ptr_null(parse("dave 44", &m)); /* no final newline */
    ck_assert_str_eq(apr_hash_get(m, "dave", APR_HASH_KEY_STRING), "44");
}
END_TEST

START_TEST(usermap_bad)
{
    apr_hash_t *m = NULL;
    const char *err = parse("alice 40\nbob\n", &m);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "line 2"));
    ck_assert_ptr_nonnull(parse("alice 40 41\n", &m));
    ck_assert_ptr_nonnull(parse("alice 4 0x&\n", &m));
    ck_assert_ptr_nonnull(parse("alice 40&user=41\n", &m));
    ck_assert_ptr_nonnull(parse("alice 40@exa mple\n", &m));
    err = parse("alice 40\nalice 41\n", &m);
    ck_assert_ptr_nonnull(strstr(err, "mapped twice"));
    ck_assert_ptr_nonnull(pbxdial_usermap_parse(tp, "a 4\0b 5", 7, &m));
}
END_TEST

Suite *check_usermap_suite(void)
{
    Suite *s = suite_create("usermap");
    TCase *tc = tcase_create("usermap");
    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, usermap_values);
    tcase_add_test(tc, usermap_bad);
    suite_add_tcase(s, tc);
    return s;
}
