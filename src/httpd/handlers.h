/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The content handlers (one file each) and what they share. */
#ifndef PBXDIAL_HANDLERS_H
#define PBXDIAL_HANDLERS_H

#include <httpd.h>

#include "httpd/respond.h"

#define PBXDIAL_HANDLER_LOGIN  "pbxdial-login"
#define PBXDIAL_HANDLER_SCRIPT "pbxdial-script"
#define PBXDIAL_HANDLER_CALL   "pbxdial-call"
#define PBXDIAL_HANDLER_STATUS "pbxdial-status"

/* What a handler needs before it starts (pbxdial_handler_open's flags). */
#define PBXDIAL_OPEN_NO_HEAD    0x1 /* HEAD is refused: it would do what GET does */
#define PBXDIAL_OPEN_PBX        0x2 /* needs PbxDialServer and PbxDialAdmin */
#define PBXDIAL_OPEN_USER       0x4 /* needs an authenticated user */
#define PBXDIAL_OPEN_READS_POST 0x8 /* reads a POST body itself; other bodies are discarded */

/* The opening every handler shares (handler_open.c). DECLINED unless r is
 * for the handler name. Else, in this order: methods (AP_METHOD_BIT <<
 * M_GET | ...) become r->allowed; a method not in them, or HEAD with
 * NO_HEAD, is refused (405, with Allow); a request body the handler will
 * not read is discarded; with PBX a server without PbxDialServer and
 * PbxDialAdmin is refused (500 not_configured, logged); with USER a request
 * without r->user (403 not_authenticated, logged: the location lacks
 * Apache authentication). Returns OK with *problem NULL to go on, or with
 * the refusal for the handler to answer in its own voice; or the status to
 * return when the body could not be read. */
int pbxdial_handler_open(request_rec *r, const char *name, apr_int64_t methods, int flags,
                         const pbxdial_problem_t **problem);

int pbxdial_handler_login(request_rec *r);
int pbxdial_handler_script(request_rec *r);
int pbxdial_handler_call(request_rec *r);
int pbxdial_handler_status(request_rec *r);

#endif
