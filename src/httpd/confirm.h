/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Type-1 links (ambient credentials) that do not come with proof of this
 * site: a page asks the user to confirm, and only its POST, carrying a
 * signed single-use token bound to the user and the link, dials. */
#ifndef PBXDIAL_CONFIRM_H
#define PBXDIAL_CONFIRM_H

#include <httpd.h>

#include "httpd/respond.h"

/* Zero only on positive evidence that this GET came from this site or from
 * the user directly: Sec-Fetch-Site same-origin or none; or, without
 * Sec-Fetch-Site, an Origin and/or Referer that all name this site's own
 * origin. No headers, same-site, cross-site, foreign or unreadable values:
 * non-zero (confirm). */
int pbxdial_confirm_needed(request_rec *r);

/* Answers the confirmation page for the link (query args) of r->user. It
 * writes nothing to PbxDialCache. */
int pbxdial_confirm_ask(request_rec *r, const char *args, const char *ext_at, const char *dest);

/* Checks the POSTed token against the path, r->user, args and the clock,
 * and uses it up. Returns NULL, or the problem to answer (403
 * confirmation_invalid; 503 cache_unavailable when PbxDialCache cannot tell
 * whether it was used). */
const pbxdial_problem_t *pbxdial_confirm_check(request_rec *r, const char *args);

#endif
