/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* pbxdial-doctor: what its files share. The doctor walks the PBX steps the
 * module relies on with the module's own PBX client (src/pbx) and pure core
 * (src/core); only what pbx.h has no operation for (the TCP and TLS
 * details, the websocket upgrade) is done here with libcurl directly
 * (doctor_net.c). Nothing a step records may hold a secret: the report
 * also hides every secret it knows of, as a last guard (doctor_report.c). */
#ifndef PBXDIAL_DOCTOR_H
#define PBXDIAL_DOCTOR_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "pbx/pbx.h"

typedef enum {
    DOCTOR_OK = 0,
    DOCTOR_FAIL,
    DOCTOR_SKIP,   /* not asked for (--dest, --password) or not relevant (tls on http) */
    DOCTOR_NOT_RUN /* an earlier step failed */
} doctor_verdict_e;

typedef struct {
    const char *name; /* "connect", "tls", "login", ... (stable: JSON and tests) */
    doctor_verdict_e verdict;
    apr_interval_time_t elapsed; /* -1: nothing was timed */
    long status;                 /* last HTTP status of the step, 0: none */
    const char *exchange;        /* "POST /rest/system/session", or NULL */
    const char *detail;          /* what happened, for the admin */
    const char *fix;             /* FAIL: what to try */
    const char *note;            /* OK: a warning worth reading, or NULL */
} doctor_step_t;

typedef struct {
    apr_pool_t *p;
    /* what to test */
    const char *server; /* normalised base URL */
    const char *admin_user;
    const char *admin_password;
    const char *ext;
    const char *domain;
    const char *ca_file;       /* NULL: the system's CA bundle */
    int insecure;              /* PbxDialVerifyPeer off */
    const char *dest;          /* normalised; NULL: no call */
    const char *user_password; /* NULL: no password check */
    apr_interval_time_t timeout;
    int json;
    const char *source;        /* "--config FILE" or NULL: where values came from */
    apr_array_header_t *notes; /* const char *: said before the steps (config reading) */
    /* state */
    apr_array_header_t *secrets; /* const char *: never printed */
    apr_array_header_t *steps;   /* doctor_step_t */
    pbxdial_pbx_conf_t pc;
    const char *session;        /* the activated third-party session */
    const char *trace_exchange; /* last exchange the PBX client traced */
    long trace_status;
} doctor_t;

/* doctor_steps.c: runs every step in order; returns 0 when all passed. */
int pbxdial_doctor_run(doctor_t *d);
doctor_step_t *pbxdial_doctor_step(doctor_t *d, const char *name);

/* doctor_net.c: steps without an operation in pbx.h */
void pbxdial_doctor_net_connect(doctor_t *d, doctor_step_t *s);
void pbxdial_doctor_net_tls(doctor_t *d, doctor_step_t *s);
void pbxdial_doctor_net_websocket(doctor_t *d, doctor_step_t *s);

/* doctor_config.c: reads PbxDialServer, PbxDialAdmin, PbxDialCAFile,
 * PbxDialVerifyPeer, PbxDialTimeout and PbxDialDomain from an Apache
 * configuration file (Include followed); values already set in d are kept.
 * NULL on success, else what is wrong (exit 2). */
const char *pbxdial_doctor_config_read(doctor_t *d, const char *file);

/* "file:PATH": the first line of PATH, else spec itself. NULL and *err set
 * when the file cannot be read or is empty. */
const char *pbxdial_doctor_secret(doctor_t *d, const char *spec, const char **err);

/* doctor_report.c */
void pbxdial_doctor_report(doctor_t *d, int failed_index);
/* s with every known secret replaced by "[hidden]" */
const char *pbxdial_doctor_hide(doctor_t *d, const char *s);

#endif
