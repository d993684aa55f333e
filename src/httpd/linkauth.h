/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Authentication of self-authenticating click-to-dial links (types 2, 3). */
#ifndef PBXDIAL_LINKAUTH_H
#define PBXDIAL_LINKAUTH_H

#include <httpd.h>

/* check_authn hook: verifies a signed or user:password link. */
int pbxdial_linkauth_check(request_rec *r);

#endif
