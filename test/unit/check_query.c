/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Query parsing of links and masking of secrets for logs. */
#include <string.h>
#include <apr_strings.h>

#include "check_suites.h"
#include "core/query.h"

static const char *const secret_names[] = {"auth", "password", NULL};

START_TEST(query_decoding)
{
    apr_table_t *t = NULL;
    ck_assert_ptr_null(pbxdial_query_parse(tp,
                                           "user=123%40example.com&dest=%2B49+30&auth="
                                           "123%40example.com%3As%3Dcr%26t&connect",
                                           &t));
    ck_assert_int_eq(apr_table_elts(t)->nelts, 4);
    ck_assert_str_eq(apr_table_get(t, "user"), "123@example.com");
    ck_assert_str_eq(apr_table_get(t, "dest"), "+49+30"); /* '+' is not a space */
    ck_assert_str_eq(apr_table_get(t, "auth"), "123@example.com:s=cr&t");
    ck_assert_str_eq(apr_table_get(t, "connect"), "");
    /* raw '@', ':' and '+' as real clients send them */
    ck_assert_ptr_null(pbxdial_query_parse(tp,
                                           "user=446@192.168.1.113&dest=+4930&"
                                           "auth=446@192.168.1.113:zxc&x=a=b",
                                           &t));
    ck_assert_str_eq(apr_table_get(t, "user"), "446@192.168.1.113");
    ck_assert_str_eq(apr_table_get(t, "dest"), "+4930");
    ck_assert_str_eq(apr_table_get(t, "auth"), "446@192.168.1.113:zxc");
    ck_assert_str_eq(apr_table_get(t, "x"), "a=b");
    /* encoded names, lower-case hex, empty pieces */
    ck_assert_ptr_null(pbxdial_query_parse(tp, "%75ser=4%3a0&&dest=1&", &t));
    ck_assert_str_eq(apr_table_get(t, "user"), "4:0");
    ck_assert_int_eq(apr_table_elts(t)->nelts, 2);
    ck_assert_ptr_null(pbxdial_query_parse(tp, "", &t));
    ck_assert_int_eq(apr_table_elts(t)->nelts, 0);
    ck_assert_ptr_null(pbxdial_query_parse(tp, NULL, &t));
    ck_assert_int_eq(apr_table_elts(t)->nelts, 0);
}
END_TEST

START_TEST(query_refused)
{
    apr_table_t *t = NULL;
    const char *err;

    err = pbxdial_query_parse(tp, "user=40&dest=1&user=41", &t);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "'user'"));
    ck_assert_ptr_nonnull(strstr(err, "more than once"));
    ck_assert_ptr_null(strstr(err, "41"));
    ck_assert_ptr_nonnull(pbxdial_query_parse(tp, "user=40&USER=41", &t));
    ck_assert_ptr_nonnull(pbxdial_query_parse(tp, "user=40&%75ser=41", &t));
    err = pbxdial_query_parse(tp, "user=40&auth=secret%zz", &t);
    ck_assert_ptr_nonnull(strstr(err, "'auth'"));
    ck_assert_ptr_null(strstr(err, "secret"));
    ck_assert_ptr_nonnull(pbxdial_query_parse(tp, "auth=ab%4", &t));
    ck_assert_ptr_nonnull(pbxdial_query_parse(tp, "auth=ab%", &t));
    ck_assert_ptr_nonnull(pbxdial_query_parse(tp, "a%=1", &t));
    err = pbxdial_query_parse(tp, "dest=12%00<script>", &t);
    ck_assert_ptr_nonnull(strstr(err, "NUL"));
    ck_assert_ptr_null(strstr(err, "<script>"));
    ck_assert_ptr_nonnull(pbxdial_query_parse(tp, "us%00er=1", &t));
    err = pbxdial_query_parse(tp, "x=1&=2", &t);
    ck_assert_ptr_nonnull(strstr(err, "number 2"));
    /* a name that is not plain is referred to by position, not echoed */
    err = pbxdial_query_parse(tp, "%3Cb%3E=1&%3Cb%3E=2", &t);
    ck_assert_ptr_nonnull(strstr(err, "number 2"));
    ck_assert_ptr_null(strstr(err, "<"));
    ck_assert_ptr_null(t);
}
END_TEST

START_TEST(query_limits)
{
    apr_table_t *t = NULL;
    char *many = "", *big;
    int i;

    for (i = 0; i < PBXDIAL_QUERY_MAX_PARAMS; i++)
        many = apr_psprintf(tp, "%s%sp%d=%d", many, i ? "&" : "", i, i);
    ck_assert_ptr_null(pbxdial_query_parse(tp, many, &t));
    ck_assert_int_eq(apr_table_elts(t)->nelts, PBXDIAL_QUERY_MAX_PARAMS);
    ck_assert_ptr_nonnull(pbxdial_query_parse(tp, apr_pstrcat(tp, many, "&x=1", NULL), &t));

    big = apr_palloc(tp, PBXDIAL_QUERY_MAX_BYTES + 2);
    memset(big, 'a', PBXDIAL_QUERY_MAX_BYTES + 1);
    big[0] = 'x';
    big[1] = '=';
    big[PBXDIAL_QUERY_MAX_BYTES] = '\0';
    ck_assert_ptr_null(pbxdial_query_parse(tp, big, &t));
    big[PBXDIAL_QUERY_MAX_BYTES] = 'a';
    big[PBXDIAL_QUERY_MAX_BYTES + 1] = '\0';
    ck_assert_ptr_nonnull(pbxdial_query_parse(tp, big, &t));
}
END_TEST

START_TEST(query_masking)
{
    ck_assert_str_eq(pbxdial_query_mask(tp, "user=40&dest=%2B49&auth=40%3Asecret&connect=true", secret_names),
                     "user=40&dest=%2B49&auth=***&connect=true");
    ck_assert_str_eq(pbxdial_query_mask(tp, "%61uth=x&AUTH=y&Password=z&auth2=keep", secret_names),
                     "%61uth=***&AUTH=***&Password=***&auth2=keep");
    ck_assert_str_eq(pbxdial_query_mask(tp, "auth=a=b&&auth&x=1&", secret_names), "auth=***&&auth&x=1&");
    ck_assert_str_eq(pbxdial_query_mask(tp, "auth=", secret_names), "auth=***");
    /* a name that cannot be decoded: hide its value, when in doubt */
    ck_assert_str_eq(pbxdial_query_mask(tp, "a%zuth=secret&x=1", secret_names), "a%zuth=***&x=1");
    ck_assert_str_eq(pbxdial_query_mask(tp, "au%00th=secret", secret_names), "au%00th=***");
    ck_assert_str_eq(pbxdial_query_mask(tp, "", secret_names), "");
    ck_assert_ptr_null(pbxdial_query_mask(tp, NULL, secret_names));
    ck_assert_str_eq(pbxdial_query_mask(tp, "auth=x", NULL), "auth=x");
}
END_TEST

START_TEST(query_masking_uri)
{
    ck_assert_str_eq(
        pbxdial_query_mask_uri(tp, "GET /remote_call.htm?user=40&auth=s3cret HTTP/1.1", secret_names),
        "GET /remote_call.htm?user=40&auth=*** HTTP/1.1");
    ck_assert_str_eq(pbxdial_query_mask_uri(tp, "/remote_call.htm?auth=s3cret#frag", secret_names),
                     "/remote_call.htm?auth=***#frag");
    ck_assert_str_eq(pbxdial_query_mask_uri(tp, "/remote_call.htm?auth=s3cret", secret_names),
                     "/remote_call.htm?auth=***");
    ck_assert_str_eq(pbxdial_query_mask_uri(tp, "GET / HTTP/1.1", secret_names), "GET / HTTP/1.1");
    ck_assert_ptr_null(pbxdial_query_mask_uri(tp, NULL, secret_names));
}
END_TEST

Suite *check_query_suite(void)
{
    Suite *s = suite_create("query");
    TCase *tc = tcase_create("query");
    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, query_decoding);
    tcase_add_test(tc, query_refused);
    tcase_add_test(tc, query_limits);
    tcase_add_test(tc, query_masking);
    tcase_add_test(tc, query_masking_uri);
    suite_add_tcase(s, tc);
    return s;
}
