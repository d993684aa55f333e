/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Target "files": the parsers of PbxDialUserMap and PbxDialLinkPasswords
 * files, both on the raw input (NUL bytes included).
 *
 * Invariants:
 * - usermap: every web user is non-empty, without blanks, and does not
 *   start with '#'; every target is extension[@domain] by account.h's rule;
 *   writing the map out again ("user target\n") parses to the same map;
 * - linkpw: every user is extension[@domain]; every password is non-empty,
 *   without NUL or newline, and does not start or end with a space or tab;
 *   writing the map out again ("user:password\r\n") parses to the same map;
 * - linkpw's messages never show a password, nor text from a line without a
 *   valid user: everything they quote is a valid user or "user:password";
 * - the number of entries never exceeds the number of lines. */
#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>

#include "fuzz_common.h"
#include "core/linkpw.h"
#include "core/usermap.h"

static unsigned count_lines(const uint8_t *data, size_t size)
{
    unsigned n = 0;
    size_t i;

    for (i = 0; i < size; i++)
        n += data[i] == '\n';
    return n + (size > 0 && data[size - 1] != '\n');
}

static void same_map(apr_pool_t *p, const char *what, apr_hash_t *a, apr_hash_t *b)
{
    apr_hash_index_t *hi;

    FUZZ_CHECK(apr_hash_count(a) == apr_hash_count(b), "%s: %u entries, %u after writing out", what,
               apr_hash_count(a), apr_hash_count(b));
    for (hi = apr_hash_first(p, a); hi; hi = apr_hash_next(hi)) {
        const char *k = apr_hash_this_key(hi), *v = apr_hash_this_val(hi);
        const char *v2 = apr_hash_get(b, k, APR_HASH_KEY_STRING);
        FUZZ_CHECK(v2 && !strcmp(v, v2), "%s: %s changed after writing out", what, fuzz_escape_c(p, k));
    }
}

static void check_usermap(apr_pool_t *p, const uint8_t *data, size_t size)
{
    apr_hash_t *m = NULL, *m2 = NULL;
    apr_hash_index_t *hi;
    const char *err, *text = "";

    err = pbxdial_usermap_parse(p, (const char *)data, size, &m);
    if (err)
        return;
    FUZZ_CHECK(apr_hash_count(m) <= count_lines(data, size), "usermap: more entries than lines");
    for (hi = apr_hash_first(p, m); hi; hi = apr_hash_next(hi)) {
        const char *k = apr_hash_this_key(hi), *v = apr_hash_this_val(hi);
        FUZZ_CHECK(*k && !strpbrk(k, " \t\r\n") && k[0] != '#', "usermap: web user %s", fuzz_escape_c(p, k));
        FUZZ_CHECK(fuzz_names_user_ok(v), "usermap: %s maps to %s", fuzz_escape_c(p, k), fuzz_escape_c(p, v));
        text = apr_pstrcat(p, text, k, " ", v, "\n", NULL);
    }
    err = pbxdial_usermap_parse(p, text, strlen(text), &m2);
    FUZZ_CHECK(!err, "usermap written out does not parse: %s", err);
    same_map(p, "usermap", m, m2);
}

static void check_linkpw_message(apr_pool_t *p, const char *err)
{
    const char *q;

    FUZZ_CHECK(!strncmp(err, "line ", 5), "linkpw message %s", fuzz_escape_c(p, err));
    for (q = strchr(err, '"'); q; q = strchr(q + 1, '"')) {
        const char *e = strchr(q + 1, '"');
        char *quoted;
        FUZZ_CHECK(e, "linkpw message with an odd number of quotes: %s", fuzz_escape_c(p, err));
        quoted = apr_pstrmemdup(p, q + 1, (size_t)(e - q - 1));
        FUZZ_CHECK(!strcmp(quoted, "user:password") || fuzz_names_user_ok(quoted),
                   "linkpw message quotes %s: %s", fuzz_escape_c(p, quoted), fuzz_escape_c(p, err));
        q = e;
    }
}

static void check_linkpw(apr_pool_t *p, const uint8_t *data, size_t size)
{
    apr_hash_t *m = NULL, *m2 = NULL;
    apr_hash_index_t *hi;
    const char *err, *text = "";

    err = pbxdial_linkpw_parse(p, (const char *)data, size, &m);
    if (err) {
        check_linkpw_message(p, err);
        return;
    }
    FUZZ_CHECK(apr_hash_count(m) <= count_lines(data, size), "linkpw: more entries than lines");
    for (hi = apr_hash_first(p, m); hi; hi = apr_hash_next(hi)) {
        const char *k = apr_hash_this_key(hi), *v = apr_hash_this_val(hi);
        size_t n = strlen(v);
        FUZZ_CHECK(fuzz_names_user_ok(k), "linkpw: user %s", fuzz_escape_c(p, k));
        FUZZ_CHECK(n > 0 && !strchr(v, '\n') && !strchr(" \t", v[0]) && !strchr(" \t", v[n - 1]),
                   "linkpw: password of %s is %s", k, fuzz_escape_c(p, v));
        text = apr_pstrcat(p, text, k, ":", v, "\r\n", NULL);
    }
    err = pbxdial_linkpw_parse(p, text, strlen(text), &m2);
    FUZZ_CHECK(!err, "linkpw written out does not parse: %s", err);
    same_map(p, "linkpw", m, m2);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool_begin();

    check_usermap(p, data, size);
    check_linkpw(p, data, size);
    fuzz_pool_end(p);
    return 0;
}
