/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Keeps the secrets of click-to-dial links (auth=...) out of every log,
 * wherever the pbxdial-call handler is set (src/logmask.c says how). */
#ifndef PBXDIAL_LOGMASK_H
#define PBXDIAL_LOGMASK_H

#include <httpd.h>

#include "httpd/reqstate.h"

/* create_request: while the request line is read, holds httpd's core below
 * trace5, where it would log the raw line before any module could mask it. */
int pbxdial_logmask_create_request(request_rec *r);

/* post_read_request: gives the request its log configuration back. */
int pbxdial_logmask_post_read_request(request_rec *r);

/* Masks secret query values in r->args, the URI and the request line (what
 * %r, %q, %U%q and the error log show), of r and of the requests it was
 * internally redirected from, after keeping the query as received for the
 * module (pbxdial_reqstate_args). Once per request; later calls do nothing. */
pbxdial_reqstate_t *pbxdial_logmask_apply(request_rec *r);

/* translate_name (<Location> is known), post_perdir_config (all sections
 * are), fixups (the handler from AddHandler or RewriteRule [H=] is):
 * mask for pbxdial-call requests; the first two log core's trace5 line,
 * masked, in core's place. */
int pbxdial_logmask_translate(request_rec *r);
int pbxdial_logmask_post_perdir(request_rec *r);
int pbxdial_logmask_fixups(request_rec *r);

/* log_transaction, before the access log: the last chance, for requests
 * that ended before a handler set by type was known. */
int pbxdial_logmask_log(request_rec *r);

#endif
