/* Cross-site requests with ambient credentials (type-1 links): a page asks
 * the user to confirm, and only its POST, carrying a single-use token bound
 * to the user and the link, dials. */
#ifndef PBXDIAL_CONFIRM_H
#define PBXDIAL_CONFIRM_H

#include <httpd.h>

/* Non-zero when this GET came from another site (Sec-Fetch-Site, else
 * Origin, else Referer). A link opened from a mail client or typed in
 * (Sec-Fetch-Site: none, no Referer) is not cross-site. */
int pbxdial_confirm_needed(request_rec *r);

/* Answers the confirmation page for the link (query args) of r->user. */
int pbxdial_confirm_ask(request_rec *r, const char *args, const char *ext_at, const char *dest);

/* Checks the POSTed token against r->user and args, and uses it up.
 * Returns NULL, or a message for the user. */
const char *pbxdial_confirm_check(request_rec *r, const char *args);

#endif
