/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Type-2 (md5) links. md5 is Vodia's choice, not ours: the construction is
 * kept bit for bit so links minted for a real PBX work here and back.
 * What we add is strict parsing, a constant-time compare, and a time
 * check that only speaks after the hash was right. */
#include "core/link.h"

#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_md5.h>
#include <openssl/crypto.h>

#include "core/account.h"
#include "core/number.h"
#include "core/url.h"

#define LINK_HEX_LEN    (2 * APR_MD5_DIGESTSIZE)
#define LINK_INT_DIGITS 15

static void link_md5_add(apr_md5_ctx_t *ctx, const char *s)
{
    if (s)
        apr_md5_update(ctx, s, strlen(s));
}

/* out receives LINK_HEX_LEN lowercase hex digits and a NUL. */
static void link_hex(char *out, const char *user, const char *password, const char *dest, const char *time,
                     const char *duration)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char digest[APR_MD5_DIGESTSIZE];
    apr_md5_ctx_t ctx;
    int i;

    apr_md5_init(&ctx);
    link_md5_add(&ctx, user);
    link_md5_add(&ctx, password);
    link_md5_add(&ctx, dest);
    link_md5_add(&ctx, time);
    link_md5_add(&ctx, duration);
    apr_md5_final(digest, &ctx);
    for (i = 0; i < APR_MD5_DIGESTSIZE; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0x0f];
    }
    out[LINK_HEX_LEN] = '\0';
}

const char *pbxdial_link_sign(apr_pool_t *p, const char *user, const char *password, const char *dest,
                              const char *time, const char *duration)
{
    char *out;

    if (!user || !password || !dest || !time)
        return NULL;
    out = apr_palloc(p, LINK_HEX_LEN + 1);
    link_hex(out, user, password, dest, time, duration);
    return out;
}

int pbxdial_link_parse_int(const char *s, apr_int64_t *v)
{
    apr_int64_t n = 0;
    int digits = 0;

    /* One spelling per value: the hash covers the text, and the once-marker
     * must not see two texts for one link ("0T" would also be "T" with a
     * digit moved over from dest). So no sign, no leading zero, no space. */
    if (!s || (s[0] == '0' && s[1] != '\0'))
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || ++digits > LINK_INT_DIGITS)
            return 0;
        n = n * 10 + (*s - '0');
    }
    if (digits == 0)
        return 0;
    *v = n;
    return 1;
}

/* Lowercases 32 hex digits into out; 0 when auth is not exactly that. */
static int link_auth_lower(const char *auth, char *out)
{
    int i;

    for (i = 0; i < LINK_HEX_LEN; i++) {
        char c = auth[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0; /* also stops at the NUL of a short auth */
        out[i] = c;
    }
    out[LINK_HEX_LEN] = '\0';
    return auth[LINK_HEX_LEN] == '\0';
}

pbxdial_link_e pbxdial_link_verify(const char *user, const char *password, const char *dest, const char *time,
                                   const char *duration, const char *auth, apr_int64_t now,
                                   apr_int64_t lifetime, apr_int64_t max_future)
{
    char want[LINK_HEX_LEN + 1], got[LINK_HEX_LEN + 1];
    apr_int64_t t, d = 0, limit, age;
    int same;

    if (!user || !dest || !time || !auth)
        return PBXDIAL_LINK_MALFORMED;
    if (!pbxdial_link_parse_int(time, &t) || (duration && !pbxdial_link_parse_int(duration, &d)))
        return PBXDIAL_LINK_MALFORMED;
    if (!link_auth_lower(auth, got))
        return PBXDIAL_LINK_MALFORMED;

    /* An unknown user costs the same md5 and compare as a known one. */
    link_hex(want, user, password ? password : "\x01unknown user\x01", dest, time, duration);
    same = CRYPTO_memcmp(want, got, LINK_HEX_LEN) == 0;
    if (!same || !password)
        return PBXDIAL_LINK_BAD_HASH;

    limit = lifetime;
    if (duration) {
        if (d == 0)
            return PBXDIAL_LINK_EXPIRED;
        if (d < limit)
            limit = d;
    }
    age = now - t; /* 0 <= t < 10^15 and |now| <= 2^62: no overflow */
    if (age > limit)
        return PBXDIAL_LINK_EXPIRED;
    if (-age > max_future)
        return PBXDIAL_LINK_FUTURE;
    return PBXDIAL_LINK_OK;
}

/* "<length>:<value>|": no value can end a field early or start the next */
static const char *link_key_field(apr_pool_t *p, const char *v)
{
    return apr_psprintf(p, "%" APR_SIZE_T_FMT ":%s|", strlen(v), v);
}

const char *pbxdial_link_once_key(apr_pool_t *p, const char *user, const char *default_domain,
                                  const char *dest, const char *time, const char *duration, const char *auth)
{
    char lower[LINK_HEX_LEN + 1], *domain, *c;
    const char *ext, *at_domain;
    apr_int64_t v;

    if (!user || !dest || !time || !auth || !pbxdial_link_parse_int(time, &v)
        || (duration && !pbxdial_link_parse_int(duration, &v)) || !link_auth_lower(auth, lower))
        return NULL;
    pbxdial_account_split(p, user, &ext, &at_domain);
    domain = apr_pstrdup(p, at_domain ? at_domain : default_domain ? default_domain : "");
    for (c = domain; *c; c++) /* tenant names are case-blind */
        *c = (char)apr_tolower(*c);
    return apr_pstrcat(p, "once|", link_key_field(p, ext), link_key_field(p, domain), link_key_field(p, dest),
                       link_key_field(p, time), duration ? link_key_field(p, duration) : "~|", lower, NULL);
}

const char *pbxdial_link_rc_text(pbxdial_link_e rc)
{
    switch (rc) {
    case PBXDIAL_LINK_OK:
        return "link valid";
    case PBXDIAL_LINK_MALFORMED:
        return "malformed link (time, duration or auth is not in the expected form)";
    case PBXDIAL_LINK_BAD_HASH:
        return "link signature does not match (wrong user, password or changed link)";
    case PBXDIAL_LINK_EXPIRED:
        return "link expired";
    case PBXDIAL_LINK_FUTURE:
        return "link time is in the future (check the clocks)";
    }
    return "unknown link result";
}

const char *pbxdial_link_encode(apr_pool_t *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    apr_size_t len = s ? strlen(s) : 0, i;
    char *out = apr_palloc(p, 3 * len + 1), *o = out;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
            || c == '_' || c == '~') {
            *o++ = (char)c;
        }
        else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 0x0f];
        }
    }
    *o = '\0';
    return out;
}

const char *pbxdial_link_url(apr_pool_t *p, const char *base, const char *user, const char *dest,
                             const char *time, const char *duration, const char *auth, int connect)
{
    return apr_pstrcat(p, base, "?user=", pbxdial_link_encode(p, user),
                       "&extension=true&dest=", pbxdial_link_encode(p, dest),
                       "&time=", pbxdial_link_encode(p, time), duration ? "&duration=" : "",
                       duration ? pbxdial_link_encode(p, duration) : "",
                       "&auth=", pbxdial_link_encode(p, auth), connect ? "&connect=true" : "", NULL);
}

static const char *link_check_user(apr_pool_t *p, const char *user)
{
    const char *ext, *domain;

    if (!user || !*user)
        return "no user; give the extension, e.g. 40 or 40@example.com";
    pbxdial_account_split(p, user, &ext, &domain);
    if (!pbxdial_account_extension_ok(ext) || (domain && !pbxdial_account_domain_ok(domain)))
        return "the user must be an extension or extension@domain (A-Z a-z 0-9 . _ -)";
    return NULL;
}

const char *pbxdial_link_mint(apr_pool_t *p, const pbxdial_link_spec_t *spec, const char **url)
{
    const char *base, *sep, *dest, *err, *time, *duration = NULL, *auth;
    apr_int64_t max = APR_INT64_C(999999999999999); /* LINK_INT_DIGITS nines */

    if ((err = pbxdial_url_check_base(p, spec->base, &base)))
        return apr_pstrcat(p, "base URL ", err, NULL);
    sep = strstr(base, "://");
    if (sep && !strchr(sep + 3, '/'))
        base = apr_pstrcat(p, base, "/", NULL); /* "https://h/?user=", not "https://h?user=" */
    if ((err = link_check_user(p, spec->user)))
        return err;
    if (!spec->password || !*spec->password)
        return "the password is empty";
    if ((err = pbxdial_number_normalise(p, spec->dest, &dest)))
        return apr_pstrcat(p, "dest: ", err, NULL);
    if (spec->time < 0 || spec->time > max)
        return "time must be seconds since 1970 (0 to 999999999999999)";
    if (spec->lifetime < 0 || spec->lifetime > max)
        return "lifetime must be a positive number of seconds";
    time = apr_psprintf(p, "%" APR_INT64_T_FMT, spec->time);
    if (spec->lifetime > 0)
        duration = apr_psprintf(p, "%" APR_INT64_T_FMT, spec->lifetime);
    auth = pbxdial_link_sign(p, spec->user, spec->password, dest, time, duration);
    *url = pbxdial_link_url(p, base, spec->user, dest, time, duration, auth, spec->connect);
    return NULL;
}
