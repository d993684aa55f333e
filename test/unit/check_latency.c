/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Latency buckets and percentiles of the status page. */
#include <math.h>
#include <string.h>

#include "check_suites.h"
#include "core/latency.h"

START_TEST(bucket_bounds)
{
    ck_assert_int_eq(pbxdial_latency_bucket(0.0), 0);
    ck_assert_int_eq(pbxdial_latency_bucket(1.0), 0);
    ck_assert_int_eq(pbxdial_latency_bucket(-3.0), 0);
    ck_assert_int_eq(pbxdial_latency_bucket(NAN), 0);
    ck_assert_int_eq(pbxdial_latency_bucket(1.12), 1);
    ck_assert_int_eq(pbxdial_latency_bucket(1.13), 2);
    ck_assert_int_eq(pbxdial_latency_bucket(5.0), 15); /* 1.12^15 = 5.47 */
    ck_assert_int_eq(pbxdial_latency_bucket(1e9), PBXDIAL_LATENCY_BUCKETS - 1);
}
END_TEST

/* the status page once showed p99 5.5 above max 5: samples of 5 ms fall in
 * the bucket up to 5.47 ms, whose bound is only an estimate */
START_TEST(percentile_not_above_max)
{
    unsigned long h[PBXDIAL_LATENCY_BUCKETS] = {0};
    h[pbxdial_latency_bucket(5.0)] = 100;
    ck_assert(pbxdial_latency_percentile(h, PBXDIAL_LATENCY_BUCKETS, 100, 0.99, 4.0, 5.0) == 5.0);
    ck_assert(pbxdial_latency_percentile(h, PBXDIAL_LATENCY_BUCKETS, 100, 0.50, 4.0, 5.0) == 5.0);
    /* without the clamp the bound would be 1.12^15 */
    ck_assert(pbxdial_latency_percentile(h, PBXDIAL_LATENCY_BUCKETS, 100, 0.99, 0.0, 100.0) == pow(1.12, 15));
}
END_TEST

START_TEST(percentile_not_below_min)
{
    unsigned long h[PBXDIAL_LATENCY_BUCKETS] = {0};
    h[0] = 10; /* up to 1 ms: the bound says 1 */
    h[pbxdial_latency_bucket(3.0)] = 10;
    ck_assert(pbxdial_latency_percentile(h, PBXDIAL_LATENCY_BUCKETS, 20, 0.50, 2.0, 3.0) == 2.0);
    ck_assert(pbxdial_latency_percentile(h, PBXDIAL_LATENCY_BUCKETS, 20, 0.50, 0.0, 3.0) == 1.0);
    ck_assert(pbxdial_latency_percentile(h, PBXDIAL_LATENCY_BUCKETS, 20, 0.90, 0.0, 3.0) == 3.0);
}
END_TEST

START_TEST(percentile_order_and_edges)
{
    unsigned long h[PBXDIAL_LATENCY_BUCKETS] = {0};
    double p50, p90, p99;
    int i;

    ck_assert(pbxdial_latency_percentile(h, PBXDIAL_LATENCY_BUCKETS, 0, 0.5, 0.0, 0.0) == 0.0);
    for (i = 1; i <= 100; i++)
        h[pbxdial_latency_bucket(i)]++;
    p50 = pbxdial_latency_percentile(h, PBXDIAL_LATENCY_BUCKETS, 100, 0.50, 1.0, 100.0);
    p90 = pbxdial_latency_percentile(h, PBXDIAL_LATENCY_BUCKETS, 100, 0.90, 1.0, 100.0);
    p99 = pbxdial_latency_percentile(h, PBXDIAL_LATENCY_BUCKETS, 100, 0.99, 1.0, 100.0);
    ck_assert(1.0 <= p50 && p50 <= p90 && p90 <= p99 && p99 <= 100.0);
    ck_assert(p50 >= 50.0 && p50 < 50.0 * 1.12); /* within a bucket's width */
    /* the last bucket has no bound: its samples are up to the max */
    memset(h, 0, sizeof(h));
    h[PBXDIAL_LATENCY_BUCKETS - 1] = 1;
    ck_assert(pbxdial_latency_percentile(h, PBXDIAL_LATENCY_BUCKETS, 1, 0.5, 0.0, 250000.0) == 250000.0);
    /* a total larger than the buckets hold (counters read while others add) */
    ck_assert(pbxdial_latency_percentile(h, PBXDIAL_LATENCY_BUCKETS, 5, 0.99, 0.0, 7.0) == 7.0);
}
END_TEST

Suite *check_latency_suite(void)
{
    Suite *s = suite_create("latency");
    TCase *tc = tcase_create("latency");
    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, bucket_bounds);
    tcase_add_test(tc, percentile_not_above_max);
    tcase_add_test(tc, percentile_not_below_min);
    tcase_add_test(tc, percentile_order_and_edges);
    suite_add_tcase(s, tc);
    return s;
}
