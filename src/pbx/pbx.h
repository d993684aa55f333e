/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The module's only door to the PBX: HTTP(S) requests with libcurl and the
 * Vodia operations built on them. No request_rec here: callers pass a pool
 * and the connection settings, and get back an outcome they can log and map
 * to an HTTP status. Nothing in an outcome contains a secret. */
#ifndef PBXDIAL_PBX_H
#define PBXDIAL_PBX_H

#include <apr_pools.h>
#include <apr_time.h>

/* Called after every exchange, for debug logs: never given bodies, cookies
 * or credentials. */
typedef void pbxdial_pbx_trace_fn(void *baton, const char *method, const char *path, long status,
                                  apr_interval_time_t elapsed, const char *error);

typedef enum {
    PBXDIAL_PBX_OK = 0,
    PBXDIAL_PBX_ADMIN_REFUSED, /* `false` or 401/403 on an admin request */
    PBXDIAL_PBX_NOT_FOUND,     /* 404: unknown domain or extension */
    PBXDIAL_PBX_UNREACHABLE,   /* DNS, refused, reset, nothing answered */
    PBXDIAL_PBX_TLS,           /* handshake or certificate failure */
    PBXDIAL_PBX_TIMEOUT,       /* slower than the configured timeout */
    PBXDIAL_PBX_HTTP_ERROR,    /* any other unexpected status */
    PBXDIAL_PBX_BAD_REPLY,     /* a body the PBX is not known to send */
    PBXDIAL_PBX_INTERNAL       /* could not even build the request */
} pbxdial_pbx_rc_e;

/* Called after every exchange that was attempted (not for one the deadline
 * kept from being sent), for the status counters: the step (method, and path
 * without its query), its transport outcome with the HTTP status (0: none
 * came) and how long it took. Never given bodies, cookies or credentials.
 * Called from many threads at once: it must be thread-safe. */
typedef void pbxdial_pbx_stats_fn(const char *method, const char *path, pbxdial_pbx_rc_e rc, long status,
                                  apr_interval_time_t elapsed);

/* The PBX operations the module relies on, for counters and the last error
 * of each on the status page. */
typedef enum {
    PBXDIAL_PBX_STEP_LOGIN_3RD = 0, /* third-party login with the admin credentials */
    PBXDIAL_PBX_STEP_ACTIVATE,      /* token -> session cookie */
    PBXDIAL_PBX_STEP_REMOTE_CALL,   /* remote_call.htm with the session */
    PBXDIAL_PBX_STEP_LOGIN_USER,    /* a user's own password (the `pbx` provider, auth= links) */
    PBXDIAL_PBX_STEP_LOGOUT,
    PBXDIAL_PBX_STEP_N
} pbxdial_pbx_step_e;

/* Called once per operation with its final outcome (after the reply was
 * read: `false` to a login is an error here even though HTTP said 200).
 * Thread-safe like pbxdial_pbx_stats_fn. */
typedef void pbxdial_pbx_outcome_fn(pbxdial_pbx_step_e step, pbxdial_pbx_rc_e rc, long status);

typedef struct {
    const char *url; /* base URL without trailing slash */
    const char *admin_user;
    const char *admin_password;
    apr_interval_time_t timeout; /* connect and whole transfer */
    apr_time_t deadline;         /* 0: none; else no exchange runs past it, and
                                   * none starts once it has passed: the time
                                   * limit of a whole request, not of each step */
    const char *ca_file;         /* NULL: the system's CA bundle */
    int verify_peer;
    pbxdial_pbx_trace_fn *trace; /* NULL: none */
    void *trace_baton;
} pbxdial_pbx_conf_t;

typedef struct {
    pbxdial_pbx_rc_e rc;
    long status;        /* HTTP status, 0 when none came */
    const char *detail; /* for the error log: curl's text or what was wrong */
    apr_interval_time_t elapsed;
} pbxdial_pbx_outcome_t;

/* One HTTP exchange. */
typedef struct {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* appended to the base URL, starts with '/' */
    const char *body;   /* JSON text or NULL */
    const char *cookie; /* "session=..." or NULL */
    int admin_auth;     /* send the admin's Basic credentials */
} pbxdial_pbx_req_t;

typedef struct {
    long status;
    const char *body;
    apr_size_t body_len;
    const char *session_cookie; /* value of a Set-Cookie: session=..., or NULL */
} pbxdial_pbx_resp_t;

/* Once per child process, before its threads start (child_init): curl's
 * global set-up, the pool of reused connections and the transfer thread.
 * Not APR_SUCCESS: no transfer thread (the request threads do the work). */
apr_status_t pbxdial_pbx_child_init(apr_pool_t *pchild, int threads);
const char *pbxdial_pbx_version(void);
/* The one counter function of the process (NULL: none). Set before the
 * children start (post_config): they inherit it across fork. */
void pbxdial_pbx_set_stats(pbxdial_pbx_stats_fn *fn);
/* Likewise for the outcome of each operation (NULL: none). */
void pbxdial_pbx_set_outcomes(pbxdial_pbx_outcome_fn *fn);
/* "login_3rd", "activate", ...: names for counters and the status page. */
const char *pbxdial_pbx_step_name(pbxdial_pbx_step_e step);
/* 1 when this child's PBX transfers run on its transfer thread, 0 when its
 * worker threads perform them (prefork, or the thread could not start). */
int pbxdial_pbx_transfer_thread(void);

/* Performs req, within c->timeout and whatever is left until c->deadline;
 * when nothing is left it sends nothing and gives PBXDIAL_PBX_TIMEOUT.
 * Transport failures (no HTTP answer) set out->rc and return it;
 * any HTTP answer returns PBXDIAL_PBX_OK with resp filled in: judging the
 * status is the caller's business. */
pbxdial_pbx_rc_e pbxdial_pbx_exchange(apr_pool_t *p, const pbxdial_pbx_conf_t *c,
                                      const pbxdial_pbx_req_t *req, pbxdial_pbx_resp_t *resp,
                                      pbxdial_pbx_outcome_t *out);

/* Third-party login: a single-use token for extension ext in domain, asked
 * with the admin credentials (POST /rest/system/session {"name":"3rd",...}). */
pbxdial_pbx_rc_e pbxdial_pbx_login_3rd(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *domain,
                                       const char *ext, const char **token, pbxdial_pbx_outcome_t *out);

/* Activates a third-party token server-side: POST {"name":"session",
 * "value":token}; *session is the value of the `session` cookie the PBX sets. */
pbxdial_pbx_rc_e pbxdial_pbx_activate(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *token,
                                      const char **session, pbxdial_pbx_outcome_t *out);

/* Places a call as the session's extension: GET /remote_call.htm?dest=...
 * [&connect=true] with the session cookie. dest must be normalised. */
pbxdial_pbx_rc_e pbxdial_pbx_remote_call(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *session,
                                         const char *dest, int connect, pbxdial_pbx_outcome_t *out);

/* User login with a password (PUT {"name":"auth","value":"USER md5hex(PW)"}):
 * OK with *session set, ADMIN_REFUSED when the PBX says no ("" or false or
 * 401/403), or a transport failure. Used by the `pbx` authn provider. */
pbxdial_pbx_rc_e pbxdial_pbx_login_user(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *user,
                                        const char *password, const char **session,
                                        pbxdial_pbx_outcome_t *out);

/* Ends a session (DELETE /rest/system/session); failures are only logged by
 * the caller: the session expires on the PBX anyway. */
pbxdial_pbx_rc_e pbxdial_pbx_logout(apr_pool_t *p, const pbxdial_pbx_conf_t *c, const char *session,
                                    pbxdial_pbx_outcome_t *out);

/* Short English name of an rc, for logs. */
const char *pbxdial_pbx_rc_name(pbxdial_pbx_rc_e rc);

#endif
