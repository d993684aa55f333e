/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The latency histogram of the status page: buckets of about 12% width
 * from 1 ms to ~75 s, which give percentiles within a bucket's width
 * without storing samples. Pure arithmetic; the shared counters that hold
 * the histogram are in httpd/stats.c. */
#ifndef PBXDIAL_LATENCY_H
#define PBXDIAL_LATENCY_H

#define PBXDIAL_LATENCY_BUCKETS 100

/* The bucket of a sample of ms milliseconds: 0 holds up to 1 ms, bucket i
 * up to 1.12^i ms, the last one everything longer. */
int pbxdial_latency_bucket(double ms);

/* The upper bound in ms of bucket b (the last one has none: INFINITY). */
double pbxdial_latency_bound_ms(int b);

/* The q-quantile (0 < q <= 1) of the total samples counted in h (nbuckets
 * buckets, as pbxdial_latency_bucket assigns them): the upper bound of the
 * bucket it falls in, but never above max_ms nor below min_ms, the extremes
 * the caller saw (a bucket's bound is only an estimate; the extremes are
 * known). 0 when there are no samples. */
double pbxdial_latency_percentile(const unsigned long *h, int nbuckets, unsigned long total, double q,
                                  double min_ms, double max_ms);

#endif
