/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "core/promtext.h"
#include "check_suites.h"

START_TEST(family_and_samples)
{
    pbxdial_promtext_t *t = pbxdial_promtext_make(tp);
    const char *const labels[] = {"handler", "call", "result", "ok", NULL};

    ck_assert(pbxdial_promtext_family(t, "pbxdial_requests_total", "counter", "Requests, by handler."));
    ck_assert(pbxdial_promtext_sample(t, "", 42, labels));
    ck_assert(pbxdial_promtext_sample(t, "", 0, NULL));
    ck_assert_str_eq(pbxdial_promtext_text(t, NULL),
                     "# HELP pbxdial_requests_total Requests, by handler.\n"
                     "# TYPE pbxdial_requests_total counter\n"
                     "pbxdial_requests_total{handler=\"call\",result=\"ok\"} 42\n"
                     "pbxdial_requests_total 0\n");
}
END_TEST

START_TEST(escaping)
{
    pbxdial_promtext_t *t = pbxdial_promtext_make(tp);
    const char *const labels[] = {"reason", "a\"b\\c\nd", NULL};

    ck_assert(pbxdial_promtext_family(t, "x", "gauge", "line\none \\ \"quoted\""));
    ck_assert(pbxdial_promtext_sample(t, "", 1.5, labels));
    ck_assert_str_eq(pbxdial_promtext_text(t, NULL), "# HELP x line\\none \\\\ \"quoted\"\n# TYPE x gauge\n"
                                                     "x{reason=\"a\\\"b\\\\c\\nd\"} 1.5\n");
}
END_TEST

START_TEST(refuses_bad_names)
{
    pbxdial_promtext_t *t = pbxdial_promtext_make(tp);
    const char *const bad_label[] = {"9x", "v", NULL};
    const char *const reserved[] = {"__name__", "v", NULL};

    ck_assert(!pbxdial_promtext_sample(t, "", 1, NULL)); /* no family yet */
    ck_assert(!pbxdial_promtext_family(t, "1abc", "counter", ""));
    ck_assert(!pbxdial_promtext_family(t, "a-b", "counter", ""));
    ck_assert(!pbxdial_promtext_family(t, "ok", "summary", ""));
    ck_assert(pbxdial_promtext_family(t, "ok:sub", "counter", ""));
    ck_assert(!pbxdial_promtext_sample(t, "", 1, bad_label));
    ck_assert(!pbxdial_promtext_sample(t, "", 1, reserved));
    ck_assert_str_eq(pbxdial_promtext_text(t, NULL), "# HELP ok:sub \n# TYPE ok:sub counter\n");
}
END_TEST

START_TEST(floats)
{
    ck_assert_str_eq(pbxdial_promtext_float(tp, INFINITY), "+Inf");
    ck_assert_str_eq(pbxdial_promtext_float(tp, -INFINITY), "-Inf");
    ck_assert_str_eq(pbxdial_promtext_float(tp, NAN), "NaN");
    ck_assert_str_eq(pbxdial_promtext_float(tp, 3), "3");
    ck_assert_str_eq(pbxdial_promtext_float(tp, 0.25), "0.25");
    ck_assert_str_eq(pbxdial_promtext_float(tp, 4294967295.0), "4294967295");
    ck_assert_str_eq(pbxdial_promtext_float(tp, 0.00112), "0.00112");
    ck_assert_str_eq(pbxdial_promtext_float(tp, 1e-7), "1e-07");
}
END_TEST

START_TEST(grows)
{
    pbxdial_promtext_t *t = pbxdial_promtext_make(tp);
    apr_size_t len;
    int i;

    ck_assert(pbxdial_promtext_family(t, "big", "counter", "many samples"));
    for (i = 0; i < 2000; i++)
        ck_assert(pbxdial_promtext_sample(t, "", i, NULL));
    ck_assert(strlen(pbxdial_promtext_text(t, &len)) == len);
    ck_assert(len > 4096 * 4);
    ck_assert(strstr(pbxdial_promtext_text(t, NULL), "\nbig 1999\n"));
}
END_TEST

Suite *check_promtext_suite(void)
{
    Suite *s = suite_create("promtext");
    TCase *tc = tcase_create("promtext");

    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, family_and_samples);
    tcase_add_test(tc, escaping);
    tcase_add_test(tc, refuses_bad_names);
    tcase_add_test(tc, floats);
    tcase_add_test(tc, grows);
    suite_add_tcase(s, tc);
    return s;
}
