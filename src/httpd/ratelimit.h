/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* PbxDialRateLimit: how many PBX sessions one extension may have minted per
 * window, whatever the door (a call, /rest/pbxlogin, the same-origin
 * websocket). */
#ifndef PBXDIAL_RATELIMIT_H
#define PBXDIAL_RATELIMIT_H

#include <httpd.h>

#include "httpd/config.h"

/* Counts one use by ext_at ("ext@domain") against the limit of dc. Returns
 * OK when it may go on; HTTP_TOO_MANY_REQUESTS over the limit (Retry-After
 * is set in r->err_headers_out); HTTP_SERVICE_UNAVAILABLE when the cache
 * cannot count (fail closed: an unlimited caller is what the limit is
 * there to stop). Logs the refusals. */
int pbxdial_ratelimit_check(request_rec *r, const pbxdial_dir_conf_t *dc, const char *ext_at);

#endif
