/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Target "number": pbxdial_number_normalise and the dial policy
 * (pbxdial_policy_check) on a destination number as a link carries it (the
 * input, cut at its first NUL).
 *
 * Invariants:
 * - normalise agrees with a reference written from number.h; its result is
 *   ^\+?[0-9*#]{1,32}$ and normalising it again gives it back;
 * - its messages are printable ASCII without markup (< > " & ` \), so they
 *   can be shown without escaping;
 * - three policies compiled once (deny only, allow only, mixed) decide as
 *   plain C predicates for the same patterns say, on the normalised number
 *   and on the raw input; deny always wins; *matched names the deciding
 *   pattern; a NULL or empty policy allows, a NULL number is denied;
 * - pbxdial_policy_decide with deny ^0900 ^00 and allow ^0[1-9] ^\*31#0[1-9]
 *   agrees with the rule of policy.h written again: deny on the number or
 *   behind any '*'/'#'; then feature codes only by the pattern that names
 *   them; anything not normalised is denied. */
#include <string.h>
#include <apr_strings.h>

#include "fuzz_common.h"
#include "core/number.h"
#include "core/policy.h"

static pbxdial_policy_t *pol_deny, *pol_allow, *pol_mixed, *dec_deny, *dec_allow;

/* deny only: international calls except to Germany, and 0900 */
static const char *const deny_only[] = {"^\\+(?!49)", "^00(?!49)", "^0900"};
/* allow only: Germany, and short internal extensions */
static const char *const allow_only[] = {"^\\+49", "^[1-9][0-9]{0,3}$"};
/* mixed, in this order: allow national, deny premium and feature codes */
static const char *const mixed[][2] = {
    {"a", "^0"}, {"d", "^0900"}, {"d", "^0137"}, {"a", "^\\+49"}, {"d", "^\\+49900"}, {"d", "[*#]"},
};

static int starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

/* the regexes above, by hand; -1 when none matches */
static int deny_only_match(const char *s)
{
    if (starts(s, "+") && !starts(s, "+49"))
        return 0;
    if (starts(s, "00") && !starts(s, "0049"))
        return 1;
    if (starts(s, "0900"))
        return 2;
    return -1;
}

static int short_ext(const char *s)
{
    /* ^[1-9][0-9]{0,3}$, where $ also matches before a final newline */
    size_t n = strspn(s, "0123456789");
    if (n < 1 || n > 4 || s[0] == '0')
        return 0;
    return s[n] == '\0' || (s[n] == '\n' && s[n + 1] == '\0');
}

static int allow_only_match(const char *s)
{
    if (starts(s, "+49"))
        return 0;
    if (short_ext(s))
        return 1;
    return -1;
}

static int mixed_match(const char *s, int deny)
{
    int pred[6];
    int i;

    pred[0] = starts(s, "0");
    pred[1] = starts(s, "0900");
    pred[2] = starts(s, "0137");
    pred[3] = starts(s, "+49");
    pred[4] = starts(s, "+49900");
    pred[5] = strpbrk(s, "*#") != NULL;
    for (i = 0; i < 6; i++)
        if (pred[i] && (mixed[i][0][0] == 'd') == deny)
            return i;
    return -1;
}

static void check_policy(apr_pool_t *p, const char *s)
{
    const char *matched;
    pbxdial_policy_e rc;
    int i, d;

    rc = pbxdial_policy_check(pol_deny, s, &matched);
    i = deny_only_match(s);
    if (i >= 0)
        FUZZ_CHECK(rc == PBXDIAL_POLICY_DENIED && matched && !strcmp(matched, deny_only[i]),
                   "deny-only policy on %s: rc %d, matched %s; expected denied by %s", fuzz_escape_c(p, s),
                   rc, matched ? matched : "-", deny_only[i]);
    else
        FUZZ_CHECK(rc == PBXDIAL_POLICY_ALLOW && !matched, "deny-only policy on %s: rc %d",
                   fuzz_escape_c(p, s), rc);

    rc = pbxdial_policy_check(pol_allow, s, &matched);
    i = allow_only_match(s);
    if (i >= 0)
        FUZZ_CHECK(rc == PBXDIAL_POLICY_ALLOW && matched && !strcmp(matched, allow_only[i]),
                   "allow-only policy on %s: rc %d, matched %s; expected allowed by %s", fuzz_escape_c(p, s),
                   rc, matched ? matched : "-", allow_only[i]);
    else
        FUZZ_CHECK(rc == PBXDIAL_POLICY_NOT_ALLOWED && !matched, "allow-only policy on %s: rc %d",
                   fuzz_escape_c(p, s), rc);

    rc = pbxdial_policy_check(pol_mixed, s, &matched);
    d = mixed_match(s, 1);
    i = mixed_match(s, 0);
    if (d >= 0)
        FUZZ_CHECK(rc == PBXDIAL_POLICY_DENIED && matched && !strcmp(matched, mixed[d][1]),
                   "mixed policy on %s: rc %d, matched %s; expected denied by %s", fuzz_escape_c(p, s), rc,
                   matched ? matched : "-", mixed[d][1]);
    else if (i >= 0)
        FUZZ_CHECK(rc == PBXDIAL_POLICY_ALLOW && matched && !strcmp(matched, mixed[i][1]),
                   "mixed policy on %s: rc %d, matched %s; expected allowed by %s", fuzz_escape_c(p, s), rc,
                   matched ? matched : "-", mixed[i][1]);
    else
        FUZZ_CHECK(rc == PBXDIAL_POLICY_NOT_ALLOWED && !matched, "mixed policy on %s: rc %d",
                   fuzz_escape_c(p, s), rc);
    /* matched may be NULL */
    FUZZ_CHECK(pbxdial_policy_check(pol_mixed, s, NULL) == rc, "matched=NULL changes the answer");
    FUZZ_CHECK(pbxdial_policy_check(NULL, s, &matched) == PBXDIAL_POLICY_ALLOW && !matched,
               "NULL policy does not allow");
}

/* pbxdial_policy_decide(dec_deny, dec_allow) by hand */
static pbxdial_policy_e ref_decide(const char *s, const char **why)
{
    const char *tail;
    size_t len = strlen(s);

    *why = NULL;
    if (len == 0 || strspn(s, "+0123456789*#") != len || strchr(s + 1, '+'))
        return PBXDIAL_POLICY_DENIED;
    /* pattern by pattern, in order; each on the number and every tail */
    for (tail = s; tail; tail = strpbrk(tail, "*#") ? strpbrk(tail, "*#") + 1 : NULL)
        if (starts(tail, "0900"))
            *why = "^0900";
    for (tail = s; !*why && tail; tail = strpbrk(tail, "*#") ? strpbrk(tail, "*#") + 1 : NULL)
        if (starts(tail, "00"))
            *why = "^00";
    if (*why)
        return PBXDIAL_POLICY_DENIED;
    if (strpbrk(s, "*#")) {
        if (starts(s, "*31#0") && s[5] >= '1' && s[5] <= '9') {
            *why = "^\\*31#0[1-9]";
            return PBXDIAL_POLICY_ALLOW;
        }
        return PBXDIAL_POLICY_FEATURE_CODE;
    }
    if (s[0] == '0' && s[1] >= '1' && s[1] <= '9') {
        *why = "^0[1-9]";
        return PBXDIAL_POLICY_ALLOW;
    }
    return PBXDIAL_POLICY_NOT_ALLOWED;
}

static void check_decide(apr_pool_t *p, const char *s)
{
    const pbxdial_policy_t *dv[1] = {dec_deny};
    const char *matched = "x", *why;
    pbxdial_policy_e rc = pbxdial_policy_decide(dv, 1, dec_allow, s, &matched);
    pbxdial_policy_e want = ref_decide(s, &why);

    FUZZ_CHECK(rc == want && (why ? matched && !strcmp(matched, why) : !matched),
               "decide(%s) = %d by %s, expected %d by %s", fuzz_escape_c(p, s), rc, matched ? matched : "-",
               want, why ? why : "-");
    FUZZ_CHECK(pbxdial_policy_decide(dv, 1, dec_allow, s, NULL) == rc, "matched=NULL changes decide");
}

static pbxdial_policy_t *compile(apr_pool_t *g, const char *const (*rules)[2], const char *const *plain,
                                 int n, int deny)
{
    pbxdial_policy_t *pol = NULL;
    const char *err;
    int i;

    for (i = 0; i < n; i++) {
        if (rules)
            err = pbxdial_policy_add(g, &pol, rules[i][0][0] == 'd', rules[i][1]);
        else
            err = pbxdial_policy_add(g, &pol, deny, plain[i]);
        if (err) {
            fprintf(stderr, "fuzz_number: %s\n", err);
            abort();
        }
    }
    return pol;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    apr_pool_t *g = fuzz_init();

    pol_deny = compile(g, NULL, deny_only, 3, 1);
    pol_allow = compile(g, NULL, allow_only, 2, 0);
    pol_mixed = compile(g, mixed, NULL, 6, 0);
    dec_deny = compile(g, NULL, (const char *const[]){"^0900", "^00"}, 2, 1);
    dec_allow = compile(g, NULL, (const char *const[]){"^0[1-9]", "^\\*31#0[1-9]"}, 2, 0);
    if (pbxdial_policy_count(pol_mixed) != 6 || pbxdial_policy_count(NULL) != 0
        || !pbxdial_policy_add(g, &pol_deny, 1, "") || !pbxdial_policy_add(g, &pol_deny, 1, "(")
        || pbxdial_policy_count(pol_deny) != 3)
        abort();
    return 0;
}

/* the documented rule, written again */
static const char *ref_normalise(apr_pool_t *p, const char *in, int *ok)
{
    char *out = apr_palloc(p, strlen(in) + 1);
    size_t n = 0, digits = 0;

    *ok = 0;
    for (; *in; in++) {
        if (strchr(" \t-./()", *in))
            continue;
        if (*in == '+' && n == 0) {
            out[n++] = '+';
        }
        else if ((*in >= '0' && *in <= '9') || *in == '*' || *in == '#') {
            if (++digits > PBXDIAL_NUMBER_MAX_DIGITS)
                return NULL;
            out[n++] = *in;
        }
        else {
            return NULL;
        }
    }
    out[n] = '\0';
    *ok = digits > 0;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool_begin();
    const char *in = fuzz_cstr(p, data, size);
    const char *out = NULL, *out2 = NULL, *err, *ref;
    const char *matched;
    int ok;

    err = pbxdial_number_normalise(p, in, &out);
    ref = ref_normalise(p, in, &ok);
    FUZZ_CHECK((err == NULL) == ok, "normalise(%s): %s, reference %s", fuzz_escape_c(p, in), err ? err : "ok",
               ok ? "ok" : "error");
    if (err) {
        FUZZ_CHECK(fuzz_printable_ascii(err) && !strpbrk(err, "<>\"&`\\"), "message not plain: %s",
                   fuzz_escape_c(p, err));
    }
    else {
        size_t lead = out[0] == '+';
        FUZZ_CHECK(!strcmp(out, ref), "normalise(%s) = %s, reference %s", fuzz_escape_c(p, in),
                   fuzz_escape_c(p, out), fuzz_escape_c(p, ref));
        FUZZ_CHECK(strlen(out) > lead && strlen(out) - lead <= PBXDIAL_NUMBER_MAX_DIGITS
                       && strspn(out + lead, "0123456789*#") == strlen(out) - lead,
                   "normalised %s is %s", fuzz_escape_c(p, in), fuzz_escape_c(p, out));
        FUZZ_CHECK(!pbxdial_number_normalise(p, out, &out2) && !strcmp(out, out2),
                   "normalise not idempotent on %s", fuzz_escape_c(p, out));
        FUZZ_CHECK(pbxdial_number_same(out, out2) && !pbxdial_number_same(out, NULL)
                       && !pbxdial_number_same(NULL, out),
                   "number_same");
        check_policy(p, out);
        check_decide(p, out);
    }
    check_policy(p, in);
    check_decide(p, in);
    FUZZ_CHECK(pbxdial_policy_check(pol_mixed, NULL, &matched) == PBXDIAL_POLICY_DENIED && !matched,
               "NULL number not denied");

    fuzz_pool_end(p);
    return 0;
}
