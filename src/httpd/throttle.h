/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* PbxDialFailureLimit: failed logins counted per client address and per
 * user in PbxDialCache, shared by every way the module checks a password
 * (signed and user:password links, the `pbx` authn provider), so that
 * guessing does not pay whichever door is tried. */
#ifndef PBXDIAL_THROTTLE_H
#define PBXDIAL_THROTTLE_H

#include <httpd.h>

#include "httpd/config.h"

typedef enum {
    PBXDIAL_THROTTLE_OK = 0,
    PBXDIAL_THROTTLE_LIMITED, /* past the limit: refuse, right password or not */
    PBXDIAL_THROTTLE_UNKNOWN  /* the cache cannot say: refuse (fail closed) */
} pbxdial_throttle_e;

/* The limit in force (<= 0: Off) and its window. */
int pbxdial_throttle_max(const pbxdial_dir_conf_t *dc, apr_interval_time_t *window);

/* Before a login is checked: may user (as given; counted under its
 * canonical ext@domain) try from this address? LIMITED sets Retry-After in
 * r->err_headers_out; LIMITED and UNKNOWN are logged, naming what (e.g.
 * "link login"). */
pbxdial_throttle_e pbxdial_throttle_check(request_rec *r, const pbxdial_dir_conf_t *dc, const char *user,
                                          const char *what);

/* After a wrong password or signature: counts it for the address and the
 * user (NULL: the address only). Counted once per request, so a link login
 * that goes through the `pbx` provider is not counted twice. */
void pbxdial_throttle_failed(request_rec *r, const pbxdial_dir_conf_t *dc, const char *user);

#endif
