/* Who the web user is on the PBX: extension and tenant domain, from
 * PbxDialExtension / PbxDialDomain evaluated for the request. */
#ifndef PBXDIAL_IDENTITY_H
#define PBXDIAL_IDENTITY_H

#include <httpd.h>

#include "config.h"

typedef struct {
    const char *ext;
    const char *domain;
} pbxdial_identity_t;

/* The value of PbxDialDomain for this request, or NULL when it is unset,
 * empty or fails to evaluate (logged): the domain of a bare extension. */
const char *pbxdial_identity_domain(request_rec *r, const pbxdial_dir_conf_t *dc);

/* Maps the authenticated user (r->user) to an extension and domain. Returns
 * NULL on success, else a message for the user that names the directive to
 * fix (the detail also goes to the error log). */
const char *pbxdial_identity_map(request_rec *r, const pbxdial_dir_conf_t *dc, pbxdial_identity_t *id);

#endif
