/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Target "link": signed (type 2) links. pbxdial_link_verify,
 * pbxdial_link_sign, pbxdial_link_parse_int, pbxdial_link_encode,
 * pbxdial_link_url and pbxdial_link_mint.
 *
 * Input layout (see README.md; test/fuzz/corpus/link/ has examples):
 *   byte 0      flags: 0x01 password NULL (unknown user), 0x02 no duration,
 *               0x04 auth := the right signature, 0x08 upper-case it,
 *               0x10 then change one digit of it, 0x20 now := time + a
 *               small offset, 0x40 mint with the input's base URL,
 *               0x80 connect=true
 *   bytes 1-24  now, lifetime, max_future: little-endian int64, halved (the
 *               contract is |value| <= 2^62); with 0x20, now is time plus
 *               the int16 in bytes 1-2
 *   the rest    '\n'-separated: user, password, dest, time, duration, auth,
 *               base; a missing field is NULL
 *
 * Invariants:
 * - verify returns what a reference written from link.h returns (same
 *   checks in the same order, the hash computed with OpenSSL's md5, not
 *   APR's); in particular OK only when auth is the signature of the fields
 *   and the password is known;
 * - sign equals OpenSSL's md5 of the concatenation, in lowercase hex;
 * - parse_int agrees with a reference ("0" or 1..15 digits without a
 *   leading zero; no sign);
 * - once_key exists exactly when verify would not say MALFORMED for its
 *   values, and is the same for the hash in upper and lower case;
 * - encode gives only [A-Za-z0-9._~-] and %XX, and decodes back;
 * - the query of link_url parses (pbxdial_query_parse) back to its values;
 * - mint succeeds exactly when its inputs are valid, and the link it makes
 *   parses and verifies OK at its own time. */
#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <openssl/evp.h>

#include "fuzz_common.h"
#include "core/link.h"
#include "core/number.h"
#include "core/query.h"
#include "core/url.h"

#define HEX32 32

static const char *fixed_base = "https://pbx.example.com/remote_call.htm";

static int ref_int(const char *s, apr_int64_t *v)
{
    size_t i, n;
    apr_int64_t x = 0;

    if (!s)
        return 0;
    n = strspn(s, "0123456789");
    if (n < 1 || n > 15 || s[n] != '\0' || (s[0] == '0' && n > 1))
        return 0;
    for (i = 0; s[i]; i++)
        x = x * 10 + (s[i] - '0');
    *v = x;
    return 1;
}

static int ref_hex32(const char *s, char *lower)
{
    int i;

    if (strlen(s) != HEX32 || strspn(s, "0123456789abcdefABCDEF") != HEX32)
        return 0;
    for (i = 0; i <= HEX32; i++)
        lower[i] = (s[i] >= 'A' && s[i] <= 'F') ? (char)(s[i] - 'A' + 'a') : s[i];
    return 1;
}

/* lowercase hex md5 of the concatenation, with OpenSSL */
static const char *ref_md5(apr_pool_t *p, const char *a, const char *b, const char *c, const char *d,
                           const char *e)
{
    static const char hex[] = "0123456789abcdef";
    const char *cat = apr_pstrcat(p, a, b, c, d, e ? e : "", NULL);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    char *out = apr_palloc(p, 2 * 16 + 1);

    if (!EVP_Digest(cat, strlen(cat), md, &mdlen, EVP_md5(), NULL) || mdlen != 16)
        abort();
    for (i = 0; i < 16; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[32] = '\0';
    return out;
}

static pbxdial_link_e ref_verify(apr_pool_t *p, const char *user, const char *password, const char *dest,
                                 const char *time, const char *duration, const char *auth, apr_int64_t now,
                                 apr_int64_t lifetime, apr_int64_t max_future)
{
    apr_int64_t t, d = 0, limit, age;
    char lower[HEX32 + 1];

    if (!user || !dest || !time || !auth)
        return PBXDIAL_LINK_MALFORMED;
    if (!ref_int(time, &t) || (duration && !ref_int(duration, &d)))
        return PBXDIAL_LINK_MALFORMED;
    if (!ref_hex32(auth, lower))
        return PBXDIAL_LINK_MALFORMED;
    if (!password || strcmp(lower, ref_md5(p, user, password, dest, time, duration)))
        return PBXDIAL_LINK_BAD_HASH;
    limit = lifetime;
    if (duration) {
        if (d <= 0)
            return PBXDIAL_LINK_EXPIRED;
        if (d < limit)
            limit = d;
    }
    age = now - t;
    if (age > limit)
        return PBXDIAL_LINK_EXPIRED;
    if (-age > max_future)
        return PBXDIAL_LINK_FUTURE;
    return PBXDIAL_LINK_OK;
}

static apr_int64_t get64(const uint8_t *b)
{
    apr_uint64_t v = 0;
    int i;

    for (i = 7; i >= 0; i--)
        v = (v << 8) | b[i];
    return (apr_int64_t)v / 2; /* within +-2^62 */
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : c - 'A' + 10;
}

static void check_encode(apr_pool_t *p, const char *s)
{
    const char *e = pbxdial_link_encode(p, s);
    char *dec = apr_palloc(p, strlen(e) + 1), *o = dec;
    const char *c;

    for (c = e; *c; c++) {
        if (*c == '%') {
            FUZZ_CHECK(strspn(c + 1, "0123456789ABCDEF") >= 2, "bad escape in %s", fuzz_escape_c(p, e));
            *o++ = (char)(hexval(c[1]) * 16 + hexval(c[2]));
            c += 2;
        }
        else {
            FUZZ_CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", *c),
                       "encode(%s) left %c", fuzz_escape_c(p, s), *c);
            *o++ = *c;
        }
    }
    *o = '\0';
    FUZZ_CHECK(!strcmp(dec, s), "encode(%s) = %s does not decode back", fuzz_escape_c(p, s),
               fuzz_escape_c(p, e));
}

/* the query of url parses to exactly these values (NULL: absent) */
static apr_table_t *check_url_query(apr_pool_t *p, const char *url, const char *const kv[][2], int n)
{
    const char *q = strchr(url, '?'), *err;
    apr_table_t *t = NULL;
    int i;

    FUZZ_CHECK(q && !strncmp(q, "?user=", 6), "link %s: its first '?' does not start the query",
               fuzz_escape_c(p, url));
    err = pbxdial_query_parse(p, q + 1, &t);
    if (strlen(q + 1) > PBXDIAL_QUERY_MAX_BYTES) {
        FUZZ_CHECK(err != NULL, "an over-long query parsed");
        return NULL;
    }
    FUZZ_CHECK(err == NULL, "link %s does not parse: %s", fuzz_escape_c(p, url), err);
    for (i = 0; i < n; i++) {
        const char *v = apr_table_get(t, kv[i][0]);
        FUZZ_CHECK(kv[i][1] ? v && !strcmp(v, kv[i][1]) : !v, "link %s: %s is %s, expected %s",
                   fuzz_escape_c(p, url), kv[i][0], fuzz_escape_c(p, v), fuzz_escape_c(p, kv[i][1]));
    }
    return t;
}

static void check_mint(apr_pool_t *p, const char *base, const char *user, const char *password,
                       const char *dest, apr_int64_t time, apr_int64_t lifetime, int connect)
{
    pbxdial_link_spec_t spec = {base, user, password, dest, time, lifetime, connect};
    const apr_int64_t max = APR_INT64_C(999999999999999);
    const char *url = NULL, *err, *norm, *ndest = NULL, *tstr, *dstr;
    int expect_ok;
    apr_table_t *t;

    err = pbxdial_link_mint(p, &spec, &url);
#ifdef FUZZ_VERBOSE
    fprintf(stderr, "mint: %s\n", err ? err : url);
#endif
    expect_ok = !pbxdial_url_check_base(p, base, &norm) && user && fuzz_names_user_ok(user) && password
                && *password && !pbxdial_number_normalise(p, dest, &ndest) && time >= 0 && time <= max
                && lifetime >= 0 && lifetime <= max;
    FUZZ_CHECK((err == NULL) == expect_ok, "mint(base %s, user %s, dest %s, time %lld, lifetime %lld): %s",
               fuzz_escape_c(p, base), fuzz_escape_c(p, user), fuzz_escape_c(p, dest), (long long)time,
               (long long)lifetime, err ? err : "ok");
    if (err) {
        /* the message never shows the password: another one gives the same */
        if (password && *password) {
            pbxdial_link_spec_t other = spec;
            const char *url2 = NULL, *err2;
            other.password = "\x01";
            err2 = pbxdial_link_mint(p, &other, &url2);
            FUZZ_CHECK(err2 && !strcmp(err, err2), "mint's message depends on the password: %s / %s",
                       fuzz_escape_c(p, err), fuzz_escape_c(p, err2));
        }
        return;
    }
    FUZZ_CHECK(!strncmp(url, norm, strlen(norm)), "link %s does not start with %s", fuzz_escape_c(p, url),
               fuzz_escape_c(p, norm));
    tstr = apr_psprintf(p, "%" APR_INT64_T_FMT, time);
    dstr = lifetime > 0 ? apr_psprintf(p, "%" APR_INT64_T_FMT, lifetime) : NULL;
    {
        const char *kv[][2] = {
            {"user", user}, {"extension", "true"}, {"dest", ndest},
            {"time", tstr}, {"duration", dstr},    {"connect", connect ? "true" : NULL},
        };
        t = check_url_query(p, url, kv, 6);
    }
    if (t) {
        const char *auth = apr_table_get(t, "auth");
        FUZZ_CHECK(auth && strlen(auth) == HEX32 && strspn(auth, "0123456789abcdef") == HEX32,
                   "minted auth %s", fuzz_escape_c(p, auth));
        FUZZ_CHECK(apr_table_elts(t)->nelts == 5 + (dstr != NULL) + (connect != 0),
                   "link %s has extra parameters", fuzz_escape_c(p, url));
        FUZZ_CHECK(pbxdial_link_verify(apr_table_get(t, "user"), password, apr_table_get(t, "dest"),
                                       apr_table_get(t, "time"), apr_table_get(t, "duration"), auth, time,
                                       PBXDIAL_LINK_LIFETIME_DEFAULT, PBXDIAL_LINK_MAX_FUTURE)
                       == PBXDIAL_LINK_OK,
                   "minted link %s does not verify", fuzz_escape_c(p, url));
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    uint8_t head[25] = {0};
    char *f[7];
    const char *user, *password, *dest, *time, *duration, *auth, *base;
    apr_int64_t now, lifetime, max_future, t = 0, d = 0;
    int flags, tok, dok;
    pbxdial_link_e rc, want;

    p = fuzz_pool_begin();
    memcpy(head, data, size < 25 ? size : 25);
    flags = head[0];
    now = get64(head + 1);
    lifetime = get64(head + 9);
    max_future = get64(head + 17);
    fuzz_fields(p, size > 25 ? data + 25 : data, size > 25 ? size - 25 : 0, '\n', f, 7);
    user = f[0];
    password = (flags & 0x01) ? NULL : f[1];
    dest = f[2];
    time = f[3];
    duration = (flags & 0x02) ? NULL : f[4];
    auth = f[5];
    base = f[6];

    /* parse_int */
    tok = pbxdial_link_parse_int(time, &t);
    {
        apr_int64_t r = 0;
        FUZZ_CHECK(tok == ref_int(time, &r) && (!tok || r == t), "parse_int(%s)", fuzz_escape_c(p, time));
        dok = pbxdial_link_parse_int(duration, &d);
        FUZZ_CHECK(dok == ref_int(duration, &r) && (!dok || r == d), "parse_int(%s)",
                   fuzz_escape_c(p, duration));
    }
    if ((flags & 0x20) && tok)
        now = t + (int16_t)(head[1] | head[2] << 8);

    /* sign */
    if (user && dest && time) {
        const char *sig = pbxdial_link_sign(p, user, password ? password : "", dest, time, duration);
        FUZZ_CHECK(sig && !strcmp(sig, ref_md5(p, user, password ? password : "", dest, time, duration)),
                   "sign differs from OpenSSL md5");
        if (flags & 0x04) {
            char *a = apr_pstrdup(p, sig);
            int i;
            if (flags & 0x08)
                for (i = 0; a[i]; i++)
                    if (a[i] >= 'a' && a[i] <= 'f')
                        a[i] = (char)(a[i] - 'a' + 'A');
            if (flags & 0x10) {
                i = head[3] % HEX32;
                a[i] = a[i] == '0' ? '1' : '0';
            }
            auth = a;
        }
    }
    FUZZ_CHECK(pbxdial_link_sign(p, user, NULL, dest, time, duration) == NULL, "sign without password");

    /* verify */
    rc = pbxdial_link_verify(user, password, dest, time, duration, auth, now, lifetime, max_future);
    want = ref_verify(p, user, password, dest, time, duration, auth, now, lifetime, max_future);
    FUZZ_CHECK(rc == want,
               "verify(user %s, dest %s, time %s, duration %s, auth %s, password %s, "
               "now %lld, lifetime %lld, max_future %lld) = %d, expected %d",
               fuzz_escape_c(p, user), fuzz_escape_c(p, dest), fuzz_escape_c(p, time),
               fuzz_escape_c(p, duration), fuzz_escape_c(p, auth), password ? "set" : "NULL", (long long)now,
               (long long)lifetime, (long long)max_future, rc, want);
    FUZZ_CHECK(pbxdial_link_rc_text(rc) != NULL, "no text");

    /* the once-marker's key (the password field stands in for PbxDialDomain) */
    {
        char lower[HEX32 + 1];
        const char *key = pbxdial_link_once_key(p, user, password, dest, time, duration, auth);
        int wellformed = user && dest && time && auth && tok && (!duration || dok) && ref_hex32(auth, lower);
        FUZZ_CHECK((key != NULL) == wellformed, "once_key(%s, %s, %s, %s, %s) %s", fuzz_escape_c(p, user),
                   fuzz_escape_c(p, dest), fuzz_escape_c(p, time), fuzz_escape_c(p, duration),
                   fuzz_escape_c(p, auth), key ? "made" : "NULL");
        FUZZ_CHECK(!key || rc != PBXDIAL_LINK_MALFORMED, "a key for a malformed link");
        if (key) {
            char *up = apr_pstrdup(p, auth);
            int i;
            for (i = 0; up[i]; i++)
                if (up[i] >= 'a' && up[i] <= 'f')
                    up[i] = (char)(up[i] - 'a' + 'A');
            FUZZ_CHECK(!strcmp(key, pbxdial_link_once_key(p, user, password, dest, time, duration, up)),
                       "once_key depends on the case of the hash");
        }
    }
#ifdef FUZZ_VERBOSE
    fprintf(stderr, "verify: %s\n", pbxdial_link_rc_text(rc));
#endif

    /* encode and url */
    if (user)
        check_encode(p, user);
    if (dest)
        check_encode(p, dest);
    if (auth)
        check_encode(p, auth);
    if (user && dest && time && auth) {
        const char *url = pbxdial_link_url(p, fixed_base, user, dest, time, duration, auth, flags & 0x80);
        const char *kv[][2] = {
            {"user", user},
            {"extension", "true"},
            {"dest", dest},
            {"time", time},
            {"duration", duration},
            {"auth", auth},
            {"connect", (flags & 0x80) ? "true" : NULL},
        };
        FUZZ_CHECK(!strncmp(url, fixed_base, strlen(fixed_base)), "url lost its base");
        check_url_query(p, url, kv, 7);
    }

    /* mint */
    check_mint(p, (flags & 0x40) && base ? base : fixed_base, user, password, dest,
               tok ? t : APR_INT64_C(1700000000), dok ? d : 0, flags & 0x80);

    fuzz_pool_end(p);
    return 0;
}
