/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* What the browser may say on the same-origin websocket. Pure: APR,
 * jansson and the dial policy (policy.h, number.h).
 *
 * Only what callback.js needs passes: make-call, clear-call, hold-call,
 * get-calls and the keepalives (avoid-disconnect, which callback.js sends,
 * and wskeepalive, the other no-op the protocol notes name). make-call gets
 * the dial policy of remote_call.htm (normalisation, feature codes, deny,
 * allow); the caller adds PbxDialRateLimit, which needs httpd. */
#ifndef PBXDIAL_WSPOLICY_H
#define PBXDIAL_WSPOLICY_H

#include <apr_pools.h>

#include "core/policy.h"

typedef enum {
    PBXDIAL_WSPOLICY_PASS = 0, /* an allowed action: forward the frames unchanged */
    PBXDIAL_WSPOLICY_CALL,     /* make-call the policy allows: forward out->rebuilt */
    PBXDIAL_WSPOLICY_DROP,     /* an action the client does not need: drop it */
    PBXDIAL_WSPOLICY_REFUSE,   /* make-call the policy refuses: tell the browser */
    PBXDIAL_WSPOLICY_MALFORMED /* not a JSON object with a string "action": close (1007) */
} pbxdial_wspolicy_e;

typedef struct {
    const char *action;  /* as sent (DROP: for the log; escape it), or NULL */
    const char *to;      /* make-call: "to" as sent when a string, else NULL */
    const char *number;  /* make-call: normalised, when it could be */
    const char *error;   /* REFUSE: number_not_allowed, feature_code or bad_dest */
    const char *message; /* REFUSE: a sentence for the user, plain ASCII */
    const char *matched; /* REFUSE: the pattern that decided, or NULL */
    const char *rebuilt; /* CALL: {"action":"make-call","to":NUMBER} */
    const char *why;     /* MALFORMED: what is wrong, for the log */
} pbxdial_wspolicy_t;

/* Decides on one text message (text[0..len), UTF-8 already checked). JSON
 * is read strictly: one object, no duplicate keys (the PBX's parser might
 * take the other one), nothing after it. deny/ndeny/allow as for
 * pbxdial_policy_decide. All strings in *out are allocated in p. */
pbxdial_wspolicy_e pbxdial_wspolicy_decide(apr_pool_t *p, const char *text, apr_size_t len,
                                           const pbxdial_policy_t *const *deny, int ndeny,
                                           const pbxdial_policy_t *allow, pbxdial_wspolicy_t *out);

/* The text the browser gets for a refused make-call:
 * {"action":"pbxdial-refused","to":TO,"error":ERROR,"message":MESSAGE}
 * (to is null when the browser sent no string). */
char *pbxdial_wspolicy_refusal(apr_pool_t *p, const char *to, const char *error, const char *message);

#endif
