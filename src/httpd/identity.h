/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Who the web user is on the PBX: extension and tenant domain, from
 * PbxDialUserMap / PbxDialExtension / PbxDialDomain evaluated for the
 * request. Where PbxDialDomain is set it is the only tenant: a name that
 * says @another-domain is refused, never followed. */
#ifndef PBXDIAL_IDENTITY_H
#define PBXDIAL_IDENTITY_H

#include <httpd.h>

#include "httpd/config.h"

typedef struct {
    const char *ext;
    const char *domain; /* canonical (account.h) */
} pbxdial_identity_t;

typedef enum {
    PBXDIAL_TENANT_OK = 0,
    PBXDIAL_TENANT_BAD_NAME,    /* not ext[@domain] */
    PBXDIAL_TENANT_NO_DOMAIN,   /* a bare ext, and PbxDialDomain is not set */
    PBXDIAL_TENANT_UNAVAILABLE, /* PbxDialDomain is set but empty, invalid or failed */
    PBXDIAL_TENANT_OTHER        /* @domain is not the tenant PbxDialDomain pins */
} pbxdial_tenant_e;

/* Pins a user name (ext or ext@domain) to the tenant of the location: with
 * PbxDialDomain set, the result's domain is always PbxDialDomain's (an
 * @domain must be the same name, compared canonically); without it, the
 * name's own @domain. Refusals other than BAD_NAME and NO_DOMAIN are logged
 * here (OTHER names both domains); what says whose name it is ("user",
 * "link user") for the log. */
pbxdial_tenant_e pbxdial_identity_pin(request_rec *r, const pbxdial_dir_conf_t *dc, const char *name,
                                      const char *what, pbxdial_identity_t *id);

/* The key under which name is counted or cached: its canonical ext@domain
 * when it pins, else the name as given. Logs nothing. */
const char *pbxdial_identity_key(request_rec *r, const pbxdial_dir_conf_t *dc, const char *name);

/* Maps the authenticated user (r->user) to an extension and domain and pins
 * the tenant. Returns PBXDIAL_TENANT_OK, or the refusal with *msg, a message
 * for the user that names the directive to fix (the detail is logged). */
pbxdial_tenant_e pbxdial_identity_resolve(request_rec *r, const pbxdial_dir_conf_t *dc,
                                          pbxdial_identity_t *id, const char **msg);

/* pbxdial_identity_resolve for callers that only need the message: NULL on
 * success. */
const char *pbxdial_identity_map(request_rec *r, const pbxdial_dir_conf_t *dc, pbxdial_identity_t *id);

#endif
