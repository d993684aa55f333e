/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Signed (type 2, md5) click-to-dial links: signing, verification and
 * building the URL. Pure: APR, APR-util (md5) and OpenSSL (constant-time
 * compare); no httpd types (unit-tested).
 *
 * A link is ?user=U&extension=true&dest=D&time=T[&duration=N]&auth=H with
 * H = lowercase hex md5(U + PASSWORD + D + T [+ N]), the values
 * concatenated without separators exactly as they appear after
 * percent-decoding (Vodia's definition). connect=true is NOT covered by
 * the hash: anyone holding a link can add it, so PbxDialConnect decides. */
#ifndef PBXDIAL_LINK_H
#define PBXDIAL_LINK_H

#include <apr_pools.h>

#define PBXDIAL_LINK_LIFETIME_DEFAULT 7200 /* s, PbxDialLinkLifetime */
#define PBXDIAL_LINK_MAX_FUTURE       300  /* s, tolerated clock skew */

typedef enum {
    PBXDIAL_LINK_OK = 0,
    PBXDIAL_LINK_MALFORMED, /* missing value, time/duration not an integer, auth not 32 hex */
    PBXDIAL_LINK_BAD_HASH,  /* auth does not match (also: unknown user) */
    PBXDIAL_LINK_EXPIRED,   /* older than min(duration, lifetime), or duration <= 0 */
    PBXDIAL_LINK_FUTURE     /* time more than max_future seconds ahead */
} pbxdial_link_e;

/* Returns the 32 lowercase hex digits of md5(user password dest time
 * [duration]); duration is NULL when the link has none. NULL when user,
 * password, dest or time is NULL. */
const char *pbxdial_link_sign(apr_pool_t *p, const char *user, const char *password, const char *dest,
                              const char *time, const char *duration);

/* Verifies a type-2 link. The strings are the decoded query values as they
 * came (dest NOT normalised: the signer hashed what it put in the link);
 * duration is NULL when absent. password is the user's link password, or
 * NULL when the user is unknown: then the same work is done and the answer
 * is BAD_HASH, so the answer and its timing do not tell whether the user
 * exists. The checks run in this order, and the first failure is returned:
 *   MALFORMED  user/dest/time/auth NULL; time or duration not a canonical
 *              decimal integer (pbxdial_link_parse_int: no sign, no
 *              leading zero, no space, 1..15 digits); auth not exactly 32
 *              hex digits (either case).
 *   BAD_HASH   auth differs from the expected hash (constant-time compare
 *              with CRYPTO_memcmp after lowercasing auth).
 *   EXPIRED    now - time > min(duration, lifetime) (without duration:
 *              lifetime), or duration 0.
 *   FUTURE     time - now > max_future.
 * Only after a valid hash is anything said about time, so a forger learns
 * nothing about the window from a wrong hash. now, lifetime and max_future
 * are seconds (now since 1970) within +-2^62; lifetime <= 0 expires every
 * link. */
pbxdial_link_e pbxdial_link_verify(const char *user, const char *password, const char *dest, const char *time,
                                   const char *duration, const char *auth, apr_int64_t now,
                                   apr_int64_t lifetime, apr_int64_t max_future);

/* A short English text for a result ("link expired"), for pages and logs. */
const char *pbxdial_link_rc_text(pbxdial_link_e rc);

/* Parses a canonical decimal integer as verify accepts it: "0", or 1..15
 * digits without a leading zero; no sign, space or anything else, so each
 * value has exactly one spelling (the md5 has no separators: a leading zero
 * in time is a digit moved over from dest). Returns non-zero on success;
 * *v is then 0..999999999999999. */
int pbxdial_link_parse_int(const char *s, apr_int64_t *v);

/* The PbxDialLinkOnce key of a link: user's extension, the tenant (the
 * link's @domain, else default_domain (PbxDialDomain), else ""; lower
 * case), dest as signed, time, duration (absent is distinct from any value)
 * and auth in lower case, each length-prefixed ("once|2:40|11:example.com|
 * ..."), so that no two links that verify share a key and no spelling of a
 * link (upper-case hash, %-escapes, a digit moved between fields) gets a
 * fresh one. NULL when a value is missing or not canonical (verify would
 * say MALFORMED). The hash is a secret: never log the key. */
const char *pbxdial_link_once_key(apr_pool_t *p, const char *user, const char *default_domain,
                                  const char *dest, const char *time, const char *duration, const char *auth);

/* Percent-encodes s for a query value: everything but A-Z a-z 0-9 - . _ ~
 * becomes %XX (upper-case hex), so '@' is %40, '+' is %2B, '#' is %23. */
const char *pbxdial_link_encode(apr_pool_t *p, const char *s);

/* Builds base?user=..&extension=true&dest=..&time=..[&duration=..]&auth=..
 * [&connect=true] with every value percent-encoded. base must not have a
 * query. duration may be NULL. */
const char *pbxdial_link_url(apr_pool_t *p, const char *base, const char *user, const char *dest,
                             const char *time, const char *duration, const char *auth, int connect);

/* What pbxdial-link mints. */
typedef struct {
    const char *base;     /* http(s) URL of remote_call.htm, no query */
    const char *user;     /* ext or ext@domain */
    const char *password; /* the user's link password, not empty */
    const char *dest;     /* as typed: normalised before signing */
    apr_int64_t time;     /* seconds since 1970 */
    apr_int64_t lifetime; /* > 0: sent as duration; 0: no duration */
    int connect;          /* add connect=true */
} pbxdial_link_spec_t;

/* Checks spec, normalises dest (pbxdial_number_normalise), signs and sets
 * *url. Returns NULL, or a message saying what is wrong (never the
 * password). */
const char *pbxdial_link_mint(apr_pool_t *p, const pbxdial_link_spec_t *spec, const char **url);

#endif
