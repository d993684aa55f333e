/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Percentiles from a histogram of PBX latencies (see latency.h). */
#include <math.h>

#include "core/latency.h"

#define LATENCY_BASE 1.12

int pbxdial_latency_bucket(double ms)
{
    int b;

    if (!(ms > 1.0)) /* also NaN */
        return 0;
    b = (int)ceil(log(ms) / log(LATENCY_BASE));
    return b >= PBXDIAL_LATENCY_BUCKETS ? PBXDIAL_LATENCY_BUCKETS - 1 : b;
}

double pbxdial_latency_bound_ms(int b)
{
    return b >= PBXDIAL_LATENCY_BUCKETS - 1 ? INFINITY : b <= 0 ? 1.0 : pow(LATENCY_BASE, b);
}

double pbxdial_latency_percentile(const unsigned long *h, int nbuckets, unsigned long total, double q,
                                  double min_ms, double max_ms)
{
    unsigned long want = (unsigned long)ceil(q * (double)total), seen = 0;
    double v;
    int b;

    if (total == 0 || want == 0)
        return 0.0;
    for (b = 0; b < nbuckets; b++) {
        seen += h[b];
        if (seen >= want)
            break;
    }
    /* the last bucket has no upper bound: its samples are up to the max.
     * Counters read one by one while others add to them can also leave
     * want beyond what the buckets add up to: the max again. */
    v = b >= nbuckets - 1 ? max_ms : pow(LATENCY_BASE, b);
    /* max last: should a racing reader see min > max, the max still holds */
    if (v < min_ms)
        v = min_ms;
    if (v > max_ms)
        v = max_ms;
    return v;
}
