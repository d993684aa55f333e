/* The content handlers (one file each) and what they share. */
#ifndef PBXDIAL_HANDLERS_H
#define PBXDIAL_HANDLERS_H

#include <httpd.h>

#define PBXDIAL_HANDLER_LOGIN  "pbxdial-login"
#define PBXDIAL_HANDLER_SCRIPT "pbxdial-script"
#define PBXDIAL_HANDLER_CALL   "pbxdial-call"
#define PBXDIAL_HANDLER_STATUS "pbxdial-status"

int pbxdial_handler_login(request_rec *r);
int pbxdial_handler_script(request_rec *r);
int pbxdial_handler_call(request_rec *r);
int pbxdial_handler_status(request_rec *r);

#endif
