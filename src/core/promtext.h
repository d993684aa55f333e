/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The Prometheus text exposition format (version 0.0.4), written: metric
 * families with HELP and TYPE, samples with escaped label values. Pure: the
 * status handler fills it from the shared counters, unit tests read it back. */
#ifndef PBXDIAL_PROMTEXT_H
#define PBXDIAL_PROMTEXT_H

#include <apr_pools.h>
#include <apr_strings.h>

#define PBXDIAL_PROMTEXT_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef struct pbxdial_promtext_t pbxdial_promtext_t;

pbxdial_promtext_t *pbxdial_promtext_make(apr_pool_t *p);

/* Starts a family: name [a-zA-Z_:][a-zA-Z0-9_:]*, type "counter", "gauge" or
 * "histogram"; a family is written once. Returns 0 on a bad name or type. */
int pbxdial_promtext_family(pbxdial_promtext_t *t, const char *name, const char *type, const char *help);

/* One sample of the current family: suffix "" or "_bucket", "_sum", "_count"
 * (histograms); label names and values alternate in labels, NULL-terminated
 * (an empty list: NULL). Returns 0 on a bad label name. */
int pbxdial_promtext_sample(pbxdial_promtext_t *t, const char *suffix, double value,
                            const char *const *labels);

/* The text so far (NUL-terminated, in the pool of make). */
const char *pbxdial_promtext_text(const pbxdial_promtext_t *t, apr_size_t *len);

/* Prometheus' own float rendering for le="...": +Inf, integers without a
 * fraction, others with up to 17 significant digits. */
const char *pbxdial_promtext_float(apr_pool_t *p, double v);

#endif
