/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* What the module remembers about one request between its hooks. */
#ifndef PBXDIAL_REQUEST_H
#define PBXDIAL_REQUEST_H

#include <httpd.h>

typedef enum {
    PBXDIAL_LINK_NONE = 0,    /* Apache's own authentication (type 1) */
    PBXDIAL_LINK_SIGNED = 2,  /* md5-signed link (type 2) */
    PBXDIAL_LINK_PASSWORD = 3 /* auth=user:password (type 3) */
} pbxdial_link_type_e;

typedef struct {
    const char *args; /* the query as received, secrets included */
    int args_saved;   /* args is set: r->args has been masked */
    pbxdial_link_type_e link_type;
    struct ap_logconf *log_before; /* r->log while the request line is read */
    struct ap_logconf *log_capped; /* what we put there instead (logmask.c) */
} pbxdial_reqstate_t;

/* The module's per-request state (created on first use). */
pbxdial_reqstate_t *pbxdial_reqstate_get(request_rec *r);

/* The query string as received. The one way the module reads a link: it
 * masks the secrets in what httpd logs of r first (logmask.c). */
const char *pbxdial_reqstate_args(request_rec *r);

/* NULL for a request from this site's own pages; else why it is cross-site
 * (Sec-Fetch-Site: cross-site, or an Origin of another origin), for the log.
 * Used wherever ambient credentials could be abused from another site. */
const char *pbxdial_reqstate_cross_site(request_rec *r);

/* Non-zero when the request's SetHandler (evaluated for it) is name. */
int pbxdial_reqstate_handler_is(request_rec *r, const char *name);

#endif
