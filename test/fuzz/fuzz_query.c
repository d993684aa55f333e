/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Target "query": pbxdial_query_parse, pbxdial_query_mask and
 * pbxdial_query_mask_uri on a link's query string (the input, cut at its
 * first NUL: httpd's r->args cannot hold one).
 *
 * Invariants:
 * - parse agrees with an independent reference parser written from
 *   query.h (success, names, values, order);
 * - parse's messages are printable ASCII without markup and name a
 *   parameter only when its name is plain [A-Za-z0-9._-];
 * - mask keeps every '&' piece byte for byte, except that a piece with
 *   '=' whose name decodes to auth/password (any case), or cannot be
 *   decoded, becomes "name=***"; mask is idempotent;
 * - when the query parses, the masked one parses to the same names in the
 *   same order, the secrets' values are "***" (or "" without '='), so no
 *   secret value parse would return survives masking;
 * - mask_uri masks exactly the span between the first '?' and the next
 *   ' ' or '#', as a request line "GET /remote_call.htm?Q HTTP/1.1" and as
 *   the input itself. */
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "fuzz_common.h"
#include "core/query.h"

static const char *const secret_names[] = {"auth", "password", NULL};
static const char *const no_names[] = {NULL};

typedef struct {
    int ok;
    int n;
    const char *name[PBXDIAL_QUERY_MAX_PARAMS + 1];
    const char *value[PBXDIAL_QUERY_MAX_PARAMS + 1];
} ref_query_t;

static int ref_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..len): NULL when an escape is malformed or the result
 * holds a NUL byte. */
static char *ref_decode(apr_pool_t *p, const char *s, size_t len, int *had_nul)
{
    char *out = apr_palloc(p, len + 1);
    size_t i, n = 0;

    *had_nul = 0;
    for (i = 0; i < len; i++) {
        if (s[i] != '%') {
            out[n++] = s[i];
            continue;
        }
        if (len - i < 3 || ref_hex(s[i + 1]) < 0 || ref_hex(s[i + 2]) < 0)
            return NULL;
        out[n] = (char)(ref_hex(s[i + 1]) * 16 + ref_hex(s[i + 2]));
        if (out[n] == '\0')
            *had_nul = 1;
        n++;
        i += 2;
    }
    out[n] = '\0';
    return out;
}

static void ref_parse(apr_pool_t *p, const char *q, ref_query_t *r)
{
    char *copy = apr_pstrdup(p, q), *piece, *next;
    int nul;

    r->ok = 0;
    r->n = 0;
    if (strlen(q) > PBXDIAL_QUERY_MAX_BYTES)
        return;
    for (piece = copy; piece; piece = next) {
        char *eq, *name, *value;
        int i;

        next = strchr(piece, '&');
        if (next)
            *next++ = '\0';
        if (!*piece)
            continue;
        if (r->n == PBXDIAL_QUERY_MAX_PARAMS)
            return;
        eq = strchr(piece, '=');
        if (eq)
            *eq = '\0';
        if (!*piece)
            return;
        name = ref_decode(p, piece, strlen(piece), &nul);
        if (!name || nul)
            return;
        value = eq ? ref_decode(p, eq + 1, strlen(eq + 1), &nul) : "";
        if (!value || (eq && nul))
            return;
        for (i = 0; i < r->n; i++)
            if (!strcasecmp(r->name[i], name))
                return;
        r->name[r->n] = name;
        r->value[r->n] = value;
        r->n++;
    }
    r->ok = 1;
}

static int listed(const char *name, const char *const *names)
{
    for (; *names; names++)
        if (!strcasecmp(name, *names))
            return 1;
    return 0;
}

/* mask(in) == out, piece by piece, by the documented rule. */
static void check_mask(apr_pool_t *p, const char *in, const char *out, const char *const *names)
{
    const char *a = in, *b = out;

    for (;;) {
        size_t la = strcspn(a, "&"), lb = strcspn(b, "&");
        const char *eq = memchr(a, '=', la);
        int hide = 0, nul;

        if (eq) {
            char *name = ref_decode(p, a, (size_t)(eq - a), &nul);
            hide = !name || nul || listed(name, names);
        }
        if (hide) {
            size_t keep = (size_t)(eq + 1 - a);
            FUZZ_CHECK(lb == keep + 3 && !memcmp(b, a, keep) && !memcmp(b + keep, "***", 3),
                       "piece %s of %s not masked right in %s", fuzz_escape_c(p, apr_pstrmemdup(p, a, la)),
                       fuzz_escape_c(p, in), fuzz_escape_c(p, out));
        }
        else {
            FUZZ_CHECK(la == lb && !memcmp(a, b, la), "piece %s of %s changed in %s",
                       fuzz_escape_c(p, apr_pstrmemdup(p, a, la)), fuzz_escape_c(p, in),
                       fuzz_escape_c(p, out));
        }
        FUZZ_CHECK(a[la] == b[lb], "pieces differ in number: %s -> %s", fuzz_escape_c(p, in),
                   fuzz_escape_c(p, out));
        if (!a[la])
            break;
        a += la + 1;
        b += lb + 1;
    }
}

static void check_message(apr_pool_t *p, const char *err)
{
    const char *q;

    FUZZ_CHECK(fuzz_printable_ascii(err) && !strpbrk(err, "<>\"&\\`"), "message not plain: %s",
               fuzz_escape_c(p, err));
    /* a name is quoted only when plain and short */
    for (q = strchr(err, '\''); q; q = strchr(q + 1, '\'')) {
        const char *e = strchr(q + 1, '\'');
        size_t n;
        FUZZ_CHECK(e != NULL, "unbalanced quote in %s", fuzz_escape_c(p, err));
        n = (size_t)(e - q - 1);
        FUZZ_CHECK(n >= 1 && n <= 32
                       && strspn(q + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789._-")
                              == n,
                   "quoted name not plain in %s", fuzz_escape_c(p, err));
        q = e;
    }
}

static void check_uri(apr_pool_t *p, const char *uri)
{
    const char *m = pbxdial_query_mask_uri(p, uri, secret_names);
    const char *q = strchr(uri, '?');
    const char *expect;
    size_t qlen;

    if (!q) {
        FUZZ_CHECK(m == uri || !strcmp(m, uri), "uri without '?' changed: %s", fuzz_escape_c(p, uri));
        return;
    }
    q++;
    qlen = strcspn(q, " #");
    expect = apr_pstrcat(p, apr_pstrmemdup(p, uri, (size_t)(q - uri)),
                         pbxdial_query_mask(p, apr_pstrmemdup(p, q, qlen), secret_names), q + qlen, NULL);
    FUZZ_CHECK(!strcmp(m, expect), "mask_uri(%s) = %s, expected %s", fuzz_escape_c(p, uri),
               fuzz_escape_c(p, m), fuzz_escape_c(p, expect));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool_begin();
    const char *args = fuzz_cstr(p, data, size);
    apr_table_t *t = NULL, *mt = NULL;
    const char *err, *merr, *m, *m0;
    ref_query_t ref;
    int i;

    /* parse, against the reference */
    err = pbxdial_query_parse(p, args, &t);
    ref_parse(p, args, &ref);
    FUZZ_CHECK((err == NULL) == ref.ok, "parse(%s): %s, reference says %s", fuzz_escape_c(p, args),
               err ? err : "ok", ref.ok ? "ok" : "error");
    if (err) {
        check_message(p, err);
    }
    else {
        const apr_array_header_t *arr = apr_table_elts(t);
        const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
        FUZZ_CHECK(arr->nelts == ref.n, "parse(%s): %d parameters, reference %d", fuzz_escape_c(p, args),
                   arr->nelts, ref.n);
        for (i = 0; i < ref.n; i++)
            FUZZ_CHECK(!strcmp(e[i].key, ref.name[i]) && !strcmp(e[i].val, ref.value[i]),
                       "parse(%s): parameter %d is %s=%s, reference %s=%s", fuzz_escape_c(p, args), i,
                       fuzz_escape_c(p, e[i].key), fuzz_escape_c(p, e[i].val), fuzz_escape_c(p, ref.name[i]),
                       fuzz_escape_c(p, ref.value[i]));
    }

    /* mask */
    m = pbxdial_query_mask(p, args, secret_names);
    FUZZ_CHECK(m != NULL, "mask returned NULL");
    check_mask(p, args, m, secret_names);
    FUZZ_CHECK(!strcmp(pbxdial_query_mask(p, m, secret_names), m), "mask not idempotent on %s",
               fuzz_escape_c(p, args));
    m0 = pbxdial_query_mask(p, args, no_names);
    check_mask(p, args, m0, no_names);
    FUZZ_CHECK(pbxdial_query_mask(p, NULL, secret_names) == NULL, "mask(NULL) not NULL");

    /* what a reader of the masked query sees */
    merr = pbxdial_query_parse(p, m, &mt);
    if (!err && strlen(m) <= PBXDIAL_QUERY_MAX_BYTES) { /* "***" may push it over */
        const apr_array_header_t *a1 = apr_table_elts(t), *a2;
        const apr_table_entry_t *e1 = (const apr_table_entry_t *)a1->elts, *e2;
        FUZZ_CHECK(merr == NULL, "%s parses but its masked form %s does not: %s", fuzz_escape_c(p, args),
                   fuzz_escape_c(p, m), merr);
        a2 = apr_table_elts(mt);
        e2 = (const apr_table_entry_t *)a2->elts;
        FUZZ_CHECK(a1->nelts == a2->nelts, "masking changed the number of parameters of %s",
                   fuzz_escape_c(p, args));
        for (i = 0; i < a1->nelts; i++) {
            FUZZ_CHECK(!strcmp(e1[i].key, e2[i].key), "masking renamed a parameter of %s",
                       fuzz_escape_c(p, args));
            if (listed(e1[i].key, secret_names))
                FUZZ_CHECK(!strcmp(e2[i].val, "***") || !*e2[i].val, "secret %s of %s survives masking as %s",
                           e1[i].key, fuzz_escape_c(p, args), fuzz_escape_c(p, e2[i].val));
            else
                FUZZ_CHECK(!strcmp(e1[i].val, e2[i].val), "masking changed %s of %s",
                           fuzz_escape_c(p, e1[i].key), fuzz_escape_c(p, args));
        }
    }
    if (!merr) {
        /* whatever parses after masking holds no secret */
        const char *a = apr_table_get(mt, "auth"), *pw = apr_table_get(mt, "password");
        FUZZ_CHECK(!a || !*a || !strcmp(a, "***"), "auth=%s readable after masking %s", fuzz_escape_c(p, a),
                   fuzz_escape_c(p, args));
        FUZZ_CHECK(!pw || !*pw || !strcmp(pw, "***"), "password=%s readable after masking %s",
                   fuzz_escape_c(p, pw), fuzz_escape_c(p, args));
    }

    /* in a request line, and the input as a URI */
    check_uri(p, apr_pstrcat(p, "GET /remote_call.htm?", args, " HTTP/1.1", NULL));
    check_uri(p, args);
    FUZZ_CHECK(pbxdial_query_mask_uri(p, NULL, secret_names) == NULL, "mask_uri(NULL) not NULL");

    fuzz_pool_end(p);
    return 0;
}
