/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Dial policy (PbxDialAllow / PbxDialDeny) on normalised numbers.
 * Pure: APR and PCRE2 (the engine behind httpd's own regexes). */
#ifndef PBXDIAL_POLICY_H
#define PBXDIAL_POLICY_H

#include <apr_pools.h>

typedef struct pbxdial_policy_t pbxdial_policy_t;

typedef enum {
    PBXDIAL_POLICY_ALLOW = 0,   /* may be dialled */
    PBXDIAL_POLICY_DENIED,      /* a deny pattern matched (deny always wins) */
    PBXDIAL_POLICY_NOT_ALLOWED, /* allow patterns exist and none matched */
    PBXDIAL_POLICY_FEATURE_CODE /* '*' or '#' and no allow pattern naming them matched */
} pbxdial_policy_e;

/* Compiles regex and appends it to *pol as a deny (deny != 0) or an allow
 * pattern, creating *pol in p when it is NULL. Patterns are PCRE2 syntax
 * and unanchored, as in httpd: write "^0900" to mean "starts with 0900".
 * The compiled code is freed by a cleanup on p. *pol is changed in place:
 * a configuration merge must not let a child scope add to its parent's
 * policy (give each scope its own, or copy before adding).
 * An empty regex is refused (it would match every number; "^" says so
 * explicitly). Returns NULL, or a message with the regex, PCRE2's error
 * text and the offset, fit for a configuration error. */
const char *pbxdial_policy_add(apr_pool_t *p, pbxdial_policy_t **pol, int deny, const char *regex);

/* Applies pol to a normalised number: DENIED when any deny pattern matches,
 * else NOT_ALLOWED when there are allow patterns and none matches, else
 * ALLOW. A NULL (or empty) policy allows everything. *matched (when matched
 * is not NULL) is set to the regex that decided, or NULL. Failures fail
 * closed: a match error (e.g. PCRE2's match limit) counts as a match for
 * deny patterns and as no match for allow patterns; out of memory is
 * DENIED. Thread-safe: match data is made per call, pol is only read. */
pbxdial_policy_e pbxdial_policy_check(const pbxdial_policy_t *pol, const char *number, const char **matched);

/* The dial policy of a location, as every dialling path applies it (links,
 * and the websocket's make-call): deny holds ndeny policies (PbxDialDeny of
 * this scope and the inherited ones), allow the PbxDialAllow patterns (NULL:
 * none). number must be normalised (pbxdial_number_normalise); anything
 * outside [+0-9*#], a '+' not in front, or NULL/"" is DENIED. In order:
 *   DENIED        a deny pattern matches the number, or what follows any
 *                 '*' or '#' in it (deny wins, and sees through feature
 *                 codes: ^0900 stops *31#0900123);
 *   FEATURE_CODE  the number has '*' or '#' (PBX feature codes: caller-ID
 *                 suppression, call forwarding...) and no allow pattern
 *                 that itself names '*' or '#' (\* [*] # [#]) matches it:
 *                 allow patterns written for digits (^0) never open them;
 *   NOT_ALLOWED   allow patterns exist and none matches;
 *   ALLOW         otherwise.
 * *matched (when not NULL) is the regex that decided, or NULL. Fails
 * closed like pbxdial_policy_check. Thread-safe. */
pbxdial_policy_e pbxdial_policy_decide(const pbxdial_policy_t *const *deny, int ndeny,
                                       const pbxdial_policy_t *allow, const char *number,
                                       const char **matched);

/* Number of patterns in pol (0 for NULL). */
int pbxdial_policy_count(const pbxdial_policy_t *pol);

/* Number of patterns in the n policies of pols (PbxDialDeny of every scope
 * that applies, as pbxdial_policy_decide takes them); 0 for none. */
int pbxdial_policy_count_all(const pbxdial_policy_t *const *pols, int n);

#endif
