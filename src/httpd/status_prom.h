/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
#ifndef PBXDIAL_STATUS_PROM_H
#define PBXDIAL_STATUS_PROM_H

#include <apr_pools.h>

#include "httpd/stats.h"

/* The snapshot in the Prometheus text format (PBXDIAL_PROMTEXT_CONTENT_TYPE). */
const char *pbxdial_status_prometheus(apr_pool_t *p, const pbxdial_stats_view_t *v, apr_size_t *len);

#endif
