/* Answers the module writes itself: JSON for scripts, never cached. */
#ifndef PBXDIAL_RESPOND_H
#define PBXDIAL_RESPOND_H

#include <httpd.h>

#include "pbx.h"

/* Cache-Control: no-store on every answer, errors included. */
void pbxdial_respond_nostore(request_rec *r);

/* Sends json with this status; returns what the handler should return. */
int pbxdial_respond_json(request_rec *r, int status, const char *json);

/* {"error":code,"message":message} with this status. */
int pbxdial_respond_error(request_rec *r, int status, const char *code, const char *message);

/* The JSON error for a failed PBX exchange: 502/503/504 as the outcome says. */
int pbxdial_respond_pbx_failure(request_rec *r, const pbxdial_pbx_outcome_t *out,
                                const pbxdial_pbx_conf_t *c);

#endif
