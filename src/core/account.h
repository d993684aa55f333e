/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* PBX extension and domain names as the module accepts them. Pure. */
#ifndef PBXDIAL_NAMES_H
#define PBXDIAL_NAMES_H

#include <apr_pools.h>

/* 1..64 chars of [A-Za-z0-9._-]. */
int pbxdial_account_extension_ok(const char *s);

/* 1..253 chars of [A-Za-z0-9._-]. */
int pbxdial_account_domain_ok(const char *s);

/* The form in which tenant domains are compared and sent to the PBX: lower
 * case (DNS names are case-insensitive) without one trailing dot (the DNS
 * root: "example.com." is "example.com"). NULL when the result is not a
 * valid domain name. */
const char *pbxdial_account_domain_canonical(apr_pool_t *p, const char *s);

/* Splits "ext@domain" at the last '@'; without one, *domain is NULL. */
void pbxdial_account_split(apr_pool_t *p, const char *user, const char **ext, const char **domain);

#endif
