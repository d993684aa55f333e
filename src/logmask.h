/* Keeps the secrets of click-to-dial links (auth=...) out of every log. */
#ifndef PBXDIAL_LOGMASK_H
#define PBXDIAL_LOGMASK_H

#include <httpd.h>

/* create_request: while the request line is read, holds httpd's core below
 * trace5, where it would log the raw line before any module could mask it. */
int pbxdial_logmask_create_request(request_rec *r);

/* post_read_request: gives the request its log configuration back. */
int pbxdial_logmask_post_read_request(request_rec *r);

/* translate_name (the location is known): masks secret query values in
 * r->args, the URI and the request line (what %r, %q, %U%q and the error log
 * show) for pbxdial-call locations, and logs the request line core would
 * have logged, masked. */
int pbxdial_logmask_translate(request_rec *r);

#endif
