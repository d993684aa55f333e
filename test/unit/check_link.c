/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Type-2 links: known md5 vectors, the time window, malformed input, the
 * password file, and that minted links verify. Expected hashes were
 * computed outside this code, e.g.
 *   printf %s '40secret01234567891700000000' | md5sum */
#include <string.h>

#include "check_suites.h"
#include "core/link.h"
#include "core/linkpw.h"
#include "core/query.h"

#define T0       "1700000000"
#define T0_N     APR_INT64_C(1700000000)
#define H_PLAIN  "8f70b9ac02c838b3bdebd4b0f69a8fad" /* 40 secret 0123456789 T0 */
#define H_DUR    "159812e617a80f845baf291a952b927f" /* ... + 3600 */
#define H_DOMAIN "deb323c99d0b8f6eeee2155f342851da" /* 40@example.com pa:ss#1 +4930123456 T0 600 */

static pbxdial_link_e verify(const char *time, const char *dur, const char *auth, apr_int64_t now,
                             apr_int64_t lifetime)
{
    return pbxdial_link_verify("40", "secret", "0123456789", time, dur, auth, now, lifetime,
                               PBXDIAL_LINK_MAX_FUTURE);
}

START_TEST(link_sign_vectors)
{
    ck_assert_str_eq(pbxdial_link_sign(tp, "40", "secret", "0123456789", T0, NULL), H_PLAIN);
    ck_assert_str_eq(pbxdial_link_sign(tp, "40", "secret", "0123456789", T0, "3600"), H_DUR);
    ck_assert_str_eq(pbxdial_link_sign(tp, "40@example.com", "pa:ss#1", "+4930123456", T0, "600"), H_DOMAIN);
    ck_assert_ptr_null(pbxdial_link_sign(tp, "40", NULL, "0123456789", T0, NULL));
}
END_TEST

START_TEST(link_verify_hash)
{
    apr_int64_t now = T0_N + 10;
    char upper[] = H_PLAIN, wrong[] = H_PLAIN;
    int i;

    for (i = 0; upper[i]; i++)
        if (upper[i] >= 'a' && upper[i] <= 'f')
            upper[i] = (char)(upper[i] - 'a' + 'A');
    wrong[31] = wrong[31] == 'd' ? 'e' : 'd';
    ck_assert_int_eq(verify(T0, NULL, H_PLAIN, now, 7200), PBXDIAL_LINK_OK);
    ck_assert_int_eq(verify(T0, NULL, upper, now, 7200), PBXDIAL_LINK_OK);
    ck_assert_int_eq(verify(T0, NULL, wrong, now, 7200), PBXDIAL_LINK_BAD_HASH);
    ck_assert_int_eq(verify(T0, "3600", H_DUR, now, 7200), PBXDIAL_LINK_OK);
    /* the duration is signed: dropping or changing it breaks the hash */
    ck_assert_int_eq(verify(T0, NULL, H_DUR, now, 7200), PBXDIAL_LINK_BAD_HASH);
    ck_assert_int_eq(verify(T0, "3601", H_DUR, now, 7200), PBXDIAL_LINK_BAD_HASH);
    ck_assert_int_eq(
        pbxdial_link_verify("40@example.com", "pa:ss#1", "+4930123456", T0, "600", H_DOMAIN, now, 7200, 300),
        PBXDIAL_LINK_OK);
    /* other dest, user or password */
    ck_assert_int_eq(pbxdial_link_verify("40", "secret", "0123456788", T0, NULL, H_PLAIN, now, 7200, 300),
                     PBXDIAL_LINK_BAD_HASH);
    ck_assert_int_eq(pbxdial_link_verify("41", "secret", "0123456789", T0, NULL, H_PLAIN, now, 7200, 300),
                     PBXDIAL_LINK_BAD_HASH);
    ck_assert_int_eq(pbxdial_link_verify("40", "Secret", "0123456789", T0, NULL, H_PLAIN, now, 7200, 300),
                     PBXDIAL_LINK_BAD_HASH);
    /* unknown user: BAD_HASH, like a wrong password */
    ck_assert_int_eq(pbxdial_link_verify("40", NULL, "0123456789", T0, NULL, H_PLAIN, now, 7200, 300),
                     PBXDIAL_LINK_BAD_HASH);
}
END_TEST

START_TEST(link_verify_window)
{
    /* no duration: the lifetime */
    ck_assert_int_eq(verify(T0, NULL, H_PLAIN, T0_N + 7199, 7200), PBXDIAL_LINK_OK);
    ck_assert_int_eq(verify(T0, NULL, H_PLAIN, T0_N + 7200, 7200), PBXDIAL_LINK_OK);
    ck_assert_int_eq(verify(T0, NULL, H_PLAIN, T0_N + 7201, 7200), PBXDIAL_LINK_EXPIRED);
    /* duration shorter than the lifetime: the duration */
    ck_assert_int_eq(verify(T0, "3600", H_DUR, T0_N + 3599, 7200), PBXDIAL_LINK_OK);
    ck_assert_int_eq(verify(T0, "3600", H_DUR, T0_N + 3600, 7200), PBXDIAL_LINK_OK);
    ck_assert_int_eq(verify(T0, "3600", H_DUR, T0_N + 3601, 7200), PBXDIAL_LINK_EXPIRED);
    /* duration longer than the lifetime: the lifetime wins */
    ck_assert_int_eq(verify(T0, "3600", H_DUR, T0_N + 1800, 1800), PBXDIAL_LINK_OK);
    ck_assert_int_eq(verify(T0, "3600", H_DUR, T0_N + 1801, 1800), PBXDIAL_LINK_EXPIRED);
    /* future skew: 300 s tolerated, 301 not */
    ck_assert_int_eq(verify(T0, NULL, H_PLAIN, T0_N - 299, 7200), PBXDIAL_LINK_OK);
    ck_assert_int_eq(verify(T0, NULL, H_PLAIN, T0_N - 300, 7200), PBXDIAL_LINK_OK);
    ck_assert_int_eq(verify(T0, NULL, H_PLAIN, T0_N - 301, 7200), PBXDIAL_LINK_FUTURE);
    /* a wrong hash says nothing about time */
    ck_assert_int_eq(verify(T0, NULL, H_DUR, T0_N + 99999, 7200), PBXDIAL_LINK_BAD_HASH);
    ck_assert_int_eq(verify(T0, NULL, H_DUR, T0_N - 99999, 7200), PBXDIAL_LINK_BAD_HASH);
    ck_assert_int_eq(verify(T0, NULL, H_PLAIN, T0_N, 0), PBXDIAL_LINK_OK);
    ck_assert_int_eq(verify(T0, NULL, H_PLAIN, T0_N + 1, 0), PBXDIAL_LINK_EXPIRED);
}
END_TEST

START_TEST(link_verify_duration_nonpositive)
{
    const char *h0 = pbxdial_link_sign(tp, "40", "secret", "0123456789", T0, "0");
    const char *hm = pbxdial_link_sign(tp, "40", "secret", "0123456789", T0, "-5");
    ck_assert_int_eq(verify(T0, "0", h0, T0_N, 7200), PBXDIAL_LINK_EXPIRED);
    /* a sign is not canonical: refused before the hash is looked at */
    ck_assert_int_eq(verify(T0, "-5", hm, T0_N, 7200), PBXDIAL_LINK_MALFORMED);
}
END_TEST

START_TEST(link_verify_malformed)
{
    apr_int64_t now = T0_N;
    ck_assert_int_eq(verify("12a", NULL, H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify("", NULL, H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify("-", NULL, H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify(" 1700000000", NULL, H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify("+1700000000", NULL, H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify("01700000000", NULL, H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify("-1700000000", NULL, H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify("1700000000 ", NULL, H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify(T0, "03600", H_DUR, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify(T0, "+3600", H_DUR, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify("99999999999999999999999", NULL, H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify("1000000000000000", NULL, H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify(NULL, NULL, H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify(T0, "", H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify(T0, "1h", H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify(T0, "99999999999999999999", H_PLAIN, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify(T0, NULL, "8f70b9ac02c838b3bdebd4b0f69a8fa", now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify(T0, NULL, H_PLAIN "0", now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify(T0, NULL, "8f70b9ac02c838b3bdebd4b0f69a8fag", now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify(T0, NULL, "", now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(verify(T0, NULL, NULL, now, 7200), PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(pbxdial_link_verify(NULL, "secret", "0123456789", T0, NULL, H_PLAIN, now, 7200, 300),
                     PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(pbxdial_link_verify("40", "secret", NULL, T0, NULL, H_PLAIN, now, 7200, 300),
                     PBXDIAL_LINK_MALFORMED);
    ck_assert_ptr_nonnull(strstr(pbxdial_link_rc_text(PBXDIAL_LINK_EXPIRED), "expired"));
}
END_TEST

START_TEST(link_parse_int)
{
    static const char *const refused[] = {
        "007",
        "00",
        "01700000000",
        "-42",
        "-0",
        "+1",
        " 1",
        "1 ",
        "1\t",
        "",
        "-",
        "+",
        "1000000000000000",
        "0999999999999999",
        "1e3",
        "--1",
        "0x10",
        "1.0",
        "\xd9\xa1",
    };
    apr_int64_t v = 0;
    size_t i;

    ck_assert(pbxdial_link_parse_int("0", &v) && v == 0);
    ck_assert(pbxdial_link_parse_int("7", &v) && v == 7);
    ck_assert(pbxdial_link_parse_int("10", &v) && v == 10);
    ck_assert(pbxdial_link_parse_int(T0, &v) && v == T0_N);
    ck_assert(pbxdial_link_parse_int("999999999999999", &v) && v == APR_INT64_C(999999999999999));
    ck_assert(!pbxdial_link_parse_int(NULL, &v));
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        v = 12345;
        ck_assert_msg(!pbxdial_link_parse_int(refused[i], &v), "'%s' accepted", refused[i]);
        ck_assert_msg(v == 12345, "'%s' changed the value", refused[i]);
    }
}
END_TEST

/* The md5 has no separators: moving a digit between dest and time keeps the
 * hash. Only a leading zero in time (or duration) could carry it unchanged
 * in value; that is refused, and the other directions change the time by a
 * factor of ten, which the window refuses. */
START_TEST(link_verify_shifted)
{
    const char *h = pbxdial_link_sign(tp, "40", "secret", "0301230", T0, NULL);
    const char *hd = pbxdial_link_sign(tp, "40", "secret", "0301230", T0, "3600");

    ck_assert_int_eq(pbxdial_link_verify("40", "secret", "0301230", T0, NULL, h, T0_N, 7200, 300),
                     PBXDIAL_LINK_OK);
    ck_assert_str_eq(pbxdial_link_sign(tp, "40", "secret", "030123", "0" T0, NULL), h);
    ck_assert_int_eq(pbxdial_link_verify("40", "secret", "030123", "0" T0, NULL, h, T0_N, 7200, 300),
                     PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(pbxdial_link_verify("40", "secret", "03012301", "700000000", NULL, h, T0_N, 7200, 300),
                     PBXDIAL_LINK_EXPIRED);
    /* between time and duration */
    ck_assert_int_eq(pbxdial_link_verify("40", "secret", "0301230", T0 "3", "600", hd, T0_N, 7200, 300),
                     PBXDIAL_LINK_FUTURE);
    ck_assert_int_eq(
        pbxdial_link_verify("40", "secret", "0301230", "170000000", "03600", hd, T0_N, 7200, 300),
        PBXDIAL_LINK_MALFORMED);
    ck_assert_int_eq(pbxdial_link_verify("40", "secret", "0301230", "170000000", "3600", h, T0_N, 7200, 300),
                     PBXDIAL_LINK_BAD_HASH);
}
END_TEST

START_TEST(link_once_key)
{
    const char *k = pbxdial_link_once_key(tp, "40", "example.com", "0301230", T0, NULL, H_PLAIN);
    char upper[] = H_PLAIN;
    int i;

    for (i = 0; upper[i]; i++)
        if (upper[i] >= 'a' && upper[i] <= 'f')
            upper[i] = (char)(upper[i] - 'a' + 'A');
    ck_assert_str_eq(k, "once|2:40|11:example.com|7:0301230|10:" T0 "|~|" H_PLAIN);
    /* the same link in other spellings: the same key */
    ck_assert_str_eq(pbxdial_link_once_key(tp, "40", "example.com", "0301230", T0, NULL, upper), k);
    ck_assert_str_eq(pbxdial_link_once_key(tp, "40", "Example.COM", "0301230", T0, NULL, H_PLAIN), k);
    ck_assert_str_eq(pbxdial_link_once_key(tp, "40@example.com", NULL, "0301230", T0, NULL, H_PLAIN), k);
    ck_assert_str_eq(pbxdial_link_once_key(tp, "40@EXAMPLE.com", "other.com", "0301230", T0, NULL, H_PLAIN),
                     k);
    /* non-canonical values have no key */
    ck_assert_ptr_null(pbxdial_link_once_key(tp, "40", "example.com", "030123", "0" T0, NULL, H_PLAIN));
    ck_assert_ptr_null(pbxdial_link_once_key(tp, "40", "example.com", "0301230", T0, "03600", H_PLAIN));
    ck_assert_ptr_null(pbxdial_link_once_key(tp, "40", "example.com", "0301230", T0, "", H_PLAIN));
    ck_assert_ptr_null(pbxdial_link_once_key(tp, "40", "example.com", "0301230", T0, NULL, H_PLAIN "0"));
    ck_assert_ptr_null(pbxdial_link_once_key(tp, "40", "example.com", NULL, T0, NULL, H_PLAIN));
    ck_assert_ptr_null(pbxdial_link_once_key(tp, NULL, "example.com", "0301230", T0, NULL, H_PLAIN));
    /* another tenant, dest, time, duration or hash: another key */
    ck_assert_str_ne(pbxdial_link_once_key(tp, "40", "other.com", "0301230", T0, NULL, H_PLAIN), k);
    ck_assert_str_ne(pbxdial_link_once_key(tp, "40", NULL, "0301230", T0, NULL, H_PLAIN), k);
    ck_assert_str_ne(pbxdial_link_once_key(tp, "40", "example.com", "030123", T0, NULL, H_PLAIN), k);
    ck_assert_str_ne(pbxdial_link_once_key(tp, "40", "example.com", "0301230", T0, "0", H_PLAIN), k);
    ck_assert_str_ne(pbxdial_link_once_key(tp, "40", "example.com", "0301230", T0, NULL, H_DUR), k);
    /* values that contain the old separator cannot forge a neighbour's key */
    ck_assert_str_ne(pbxdial_link_once_key(tp, "4", "0|example.com", "0301230", T0, NULL, H_PLAIN),
                     pbxdial_link_once_key(tp, "40|", "example.com", "0301230", T0, NULL, H_PLAIN));
    ck_assert_str_ne(pbxdial_link_once_key(tp, "40", "", "1:x|0301230", T0, NULL, H_PLAIN),
                     pbxdial_link_once_key(tp, "40", "1:x", "0301230", T0, NULL, H_PLAIN));
}
END_TEST

START_TEST(link_url_encoding)
{
    ck_assert_str_eq(pbxdial_link_encode(tp, "40@example.com"), "40%40example.com");
    ck_assert_str_eq(pbxdial_link_encode(tp, "+49 30#*"), "%2B49%2030%23%2A");
    ck_assert_str_eq(pbxdial_link_encode(tp, "a-._~Z"), "a-._~Z");
    ck_assert_str_eq(pbxdial_link_url(tp, "https://crm.example.com/remote_call.htm", "40@example.com",
                                      "+4930123456", T0, "600", H_DOMAIN, 1),
                     "https://crm.example.com/remote_call.htm?user=40%40example.com&extension=true"
                     "&dest=%2B4930123456&time=1700000000&duration=600&auth=" H_DOMAIN "&connect=true");
    ck_assert_str_eq(pbxdial_link_url(tp, "http://h/r", "40", "1", "2", NULL, "x", 0),
                     "http://h/r?user=40&extension=true&dest=1&time=2&auth=x");
}
END_TEST

/* Mints a link, takes it apart as the handler will, and verifies it. */
static pbxdial_link_e mint_and_verify(const pbxdial_link_spec_t *spec, apr_int64_t now, apr_table_t **q)
{
    const char *url = NULL, *err;

    err = pbxdial_link_mint(tp, spec, &url);
    ck_assert_msg(err == NULL, "mint: %s", err ? err : "");
    ck_assert_ptr_nonnull(strchr(url, '?'));
    ck_assert_ptr_null(pbxdial_query_parse(tp, strchr(url, '?') + 1, q));
    ck_assert_str_eq(apr_table_get(*q, "extension"), "true");
    return pbxdial_link_verify(apr_table_get(*q, "user"), spec->password, apr_table_get(*q, "dest"),
                               apr_table_get(*q, "time"), apr_table_get(*q, "duration"),
                               apr_table_get(*q, "auth"), now, PBXDIAL_LINK_LIFETIME_DEFAULT,
                               PBXDIAL_LINK_MAX_FUTURE);
}

START_TEST(link_mint_roundtrip)
{
    pbxdial_link_spec_t spec = {"https://crm.example.com/remote_call.htm",
                                "40@example.com",
                                "pa:ss#1 &x=",
                                "+49 (0) 30/1234-56",
                                T0_N,
                                3600,
                                1};
    apr_table_t *q;
    const char *url;

    ck_assert_int_eq(mint_and_verify(&spec, T0_N + 3600, &q), PBXDIAL_LINK_OK);
    ck_assert_str_eq(apr_table_get(q, "dest"), "+49030123456");
    ck_assert_str_eq(apr_table_get(q, "user"), "40@example.com");
    ck_assert_str_eq(apr_table_get(q, "duration"), "3600");
    ck_assert_str_eq(apr_table_get(q, "connect"), "true");
    ck_assert_int_eq(mint_and_verify(&spec, T0_N + 3601, &q), PBXDIAL_LINK_EXPIRED);
    spec.lifetime = 0;
    spec.connect = 0;
    ck_assert_int_eq(mint_and_verify(&spec, T0_N + 7200, &q), PBXDIAL_LINK_OK);
    ck_assert_ptr_null(apr_table_get(q, "duration"));
    ck_assert_ptr_null(apr_table_get(q, "connect"));
    spec.base = "https://crm.example.com";
    ck_assert_ptr_null(pbxdial_link_mint(tp, &spec, &url));
    ck_assert(!strncmp(url, "https://crm.example.com/?user=40%40example.com&", 47));
    ck_assert_ptr_null(strstr(url, "pa:ss"));
}
END_TEST

START_TEST(link_mint_bad)
{
    pbxdial_link_spec_t ok = {"https://crm.example.com/remote_call.htm", "40", "secret", "0123", T0_N, 0, 0},
                        s;
    const char *url = NULL, *err;

    s = ok;
    s.base = "crm.example.com";
    ck_assert_ptr_nonnull(pbxdial_link_mint(tp, &s, &url));
    s = ok;
    s.base = "https://crm.example.com/r?x=1";
    ck_assert_ptr_nonnull(pbxdial_link_mint(tp, &s, &url));
    s = ok;
    s.user = "4 0";
    ck_assert_ptr_nonnull(pbxdial_link_mint(tp, &s, &url));
    s = ok;
    s.user = "";
    ck_assert_ptr_nonnull(pbxdial_link_mint(tp, &s, &url));
    s = ok;
    s.password = "";
    ck_assert_ptr_nonnull(pbxdial_link_mint(tp, &s, &url));
    s = ok;
    s.dest = "0800-CALLME";
    err = pbxdial_link_mint(tp, &s, &url);
    ck_assert_ptr_nonnull(strstr(err, "'C' at position 6"));
    s = ok;
    s.time = -1;
    ck_assert_ptr_nonnull(pbxdial_link_mint(tp, &s, &url));
    s = ok;
    s.lifetime = -1;
    ck_assert_ptr_nonnull(pbxdial_link_mint(tp, &s, &url));
    ck_assert_ptr_null(url);
}
END_TEST

static const char *pwparse(const char *text, apr_hash_t **m)
{
    return pbxdial_linkpw_parse(tp, text, strlen(text), m);
}

START_TEST(linkpw_values)
{
    apr_hash_t *m = NULL;
    ck_assert_ptr_null(pwparse("# link passwords\n40:secret\n\n  41@example.com:a:b:c\r\n"
                               "42:#not-a-comment\n\t\n43:x y",
                               &m));
    ck_assert_int_eq(apr_hash_count(m), 4);
    ck_assert_str_eq(apr_hash_get(m, "40", APR_HASH_KEY_STRING), "secret");
    ck_assert_str_eq(apr_hash_get(m, "41@example.com", APR_HASH_KEY_STRING), "a:b:c");
    ck_assert_str_eq(apr_hash_get(m, "42", APR_HASH_KEY_STRING), "#not-a-comment");
    ck_assert_str_eq(apr_hash_get(m, "43", APR_HASH_KEY_STRING), "x y");
    ck_assert_ptr_null(apr_hash_get(m, "41", APR_HASH_KEY_STRING));
    ck_assert_ptr_null(pwparse("", &m));
    ck_assert_int_eq(apr_hash_count(m), 0);
}
END_TEST

START_TEST(linkpw_bad)
{
    apr_hash_t *m = NULL;
    const char *err;

    err = pwparse("40:secret\nhunter2\n", &m);
    ck_assert_ptr_nonnull(strstr(err, "line 2"));
    ck_assert_ptr_null(strstr(err, "hunter2"));
    err = pwparse("40:secret\n\n4 1:hunter2\n", &m);
    ck_assert_ptr_nonnull(strstr(err, "line 3"));
    ck_assert_ptr_null(strstr(err, "hunter2"));
    err = pwparse("40:\n", &m);
    ck_assert_ptr_nonnull(strstr(err, "empty"));
    err = pwparse("40: hunter2\n", &m);
    ck_assert_ptr_nonnull(strstr(err, "line 1"));
    ck_assert_ptr_null(strstr(err, "hunter2"));
    ck_assert_ptr_nonnull(pwparse("40:hunter2 \n", &m));
    ck_assert_ptr_nonnull(pwparse(":hunter2\n", &m));
    ck_assert_ptr_nonnull(pwparse("40@:hunter2\n", &m));
    err = pwparse("40:a\n40:hunter2\n", &m);
    ck_assert_ptr_nonnull(strstr(err, "appears twice"));
    ck_assert_ptr_null(strstr(err, "hunter2"));
    ck_assert_ptr_nonnull(pbxdial_linkpw_parse(tp, "40:a\0b", 6, &m));
}
END_TEST

Suite *check_link_suite(void)
{
    Suite *s = suite_create("link");
    TCase *tc = tcase_create("link");
    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, link_sign_vectors);
    tcase_add_test(tc, link_verify_hash);
    tcase_add_test(tc, link_verify_window);
    tcase_add_test(tc, link_verify_duration_nonpositive);
    tcase_add_test(tc, link_verify_malformed);
    tcase_add_test(tc, link_parse_int);
    tcase_add_test(tc, link_verify_shifted);
    tcase_add_test(tc, link_once_key);
    tcase_add_test(tc, link_url_encoding);
    tcase_add_test(tc, link_mint_roundtrip);
    tcase_add_test(tc, link_mint_bad);
    tcase_add_test(tc, linkpw_values);
    tcase_add_test(tc, linkpw_bad);
    suite_add_tcase(s, tc);
    return s;
}
