/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Answers the module writes itself, never cached: JSON for scripts, small
 * HTML pages for people (chosen from Accept where both make sense). */
#ifndef PBXDIAL_RESPOND_H
#define PBXDIAL_RESPOND_H

#include <httpd.h>

#include "pbx/pbx.h"

/* What went wrong, in the words every kind of answer needs. */
typedef struct {
    int status;
    const char *code;    /* machine-readable, e.g. "pbx_timeout" */
    const char *title;   /* page title, e.g. "The PBX did not answer" */
    const char *message; /* one or two sentences for the user */
} pbxdial_problem_t;

/* The confirmation page's lock-down: no framing (X-Frame-Options DENY, CSP
 * frame-ancestors 'none'), no script or other loads (default-src 'none'),
 * forms only to this site. */
#define PBXDIAL_RESPOND_CSP                                                                                  \
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"

/* Headers of every answer the module writes itself, errors, JSON and the
 * status page included: Cache-Control: no-store, nosniff, and the
 * lock-down above. */
void pbxdial_respond_nostore(request_rec *r);

/* Sends json with this status; returns what the handler should return. */
int pbxdial_respond_json(request_rec *r, int status, const char *json);

/* {"error":code,"message":message} with this status. */
int pbxdial_respond_error(request_rec *r, int status, const char *code, const char *message);

/* A page (title, message) with this status, or the JSON error when the
 * client prefers application/json. */
int pbxdial_respond_problem(request_rec *r, const pbxdial_problem_t *pr);

/* A success page, or json when the client prefers application/json. */
int pbxdial_respond_success(request_rec *r, const char *title, const char *message, const char *json);

/* The problem for a failed PBX exchange: 502/504 (403 for an unknown extension). */
void pbxdial_respond_pbx_problem(apr_pool_t *p, const pbxdial_pbx_outcome_t *out, const pbxdial_pbx_conf_t *c,
                                 pbxdial_problem_t *pr);

/* The JSON error for a failed PBX exchange. */
int pbxdial_respond_pbx_failure(request_rec *r, const pbxdial_pbx_outcome_t *out,
                                const pbxdial_pbx_conf_t *c);

#endif
