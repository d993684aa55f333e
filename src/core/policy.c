/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Destination policy with PCRE2. Patterns are compiled once at
 * configuration time; each check makes its own match data so that the
 * compiled patterns can be shared read-only by all threads of a worker. */
#include "core/policy.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>

typedef struct {
    int deny;
    int feature; /* names '*' or '#' itself: may open feature codes */
    const char *regex;
    pcre2_code *code;
} policy_rule_t;

struct pbxdial_policy_t {
    apr_array_header_t *rules; /* of policy_rule_t, in the order added */
    int nallow;
};

static apr_status_t policy_code_free(void *data)
{
    pcre2_code_free((pcre2_code *)data);
    return APR_SUCCESS;
}

/* Whether regex names '*' or '#' as a character (\*, \#, #, [*#], \Q*\E),
 * i.e. the admin wrote a feature code on purpose. A '*' quantifier, a
 * negated class ([^*#]), a comment ((?#...), or '#' in extended mode (?x))
 * and spellings this scan does not know (\x2a) do not count: in doubt the
 * number is refused, and the admin is told to write \* or #. */
static int policy_names_feature(const char *re)
{
    int extended = 0;
    const char *s, *opt;

    for (opt = strstr(re, "(?"); opt; opt = strstr(opt + 2, "(?")) {
        size_t n = strspn(opt + 2, "imnsxJU-^");
        if (memchr(opt + 2, 'x', n))
            extended = 1;
    }
    for (s = re; *s; s++) {
        if (s[0] == '(' && s[1] == '?' && s[2] == '#') {
            if (!(s = strchr(s, ')')))
                return 0;
        }
        else if (s[0] == '\\' && s[1] == 'Q') {
            const char *end = strstr(s + 2, "\\E");
            size_t n = end ? (size_t)(end - s - 2) : strlen(s + 2);
            if (memchr(s + 2, '*', n) || memchr(s + 2, '#', n))
                return 1;
            if (!end)
                return 0;
            s = end + 1;
        }
        else if (s[0] == '\\') {
            if (s[1] == '*' || s[1] == '#')
                return 1;
            if (!s[1])
                return 0;
            s++;
        }
        else if (s[0] == '[') {
            int negated = s[1] == '^';
            const char *c = s + 1 + negated;

            if (*c == ']') /* "[]...]": a leading ']' is literal */
                c++;
            for (; *c && *c != ']'; c++) {
                if (*c == '\\' && c[1]) {
                    if (!negated && (c[1] == '*' || c[1] == '#'))
                        return 1;
                    c++;
                }
                else if (c[0] == '[' && c[1] == ':') { /* [:digit:] */
                    const char *e = strstr(c + 2, ":]");
                    if (e)
                        c = e + 1;
                }
                else if (!negated && (*c == '*' || *c == '#')) {
                    return 1;
                }
            }
            if (!*c)
                return 0;
            s = c;
        }
        else if (s[0] == '#' && !extended) {
            return 1;
        }
    }
    return 0;
}

const char *pbxdial_policy_add(apr_pool_t *p, pbxdial_policy_t **pol, int deny, const char *regex)
{
    PCRE2_UCHAR msg[256];
    PCRE2_SIZE erroff = 0;
    policy_rule_t *rule;
    pcre2_code *code;
    int errcode = 0;

    if (!regex || !*regex)
        return "an empty pattern would match every number; write a regular expression "
               "such as ^0900";
    code = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, 0, &errcode, &erroff, NULL);
    if (!code) {
        if (pcre2_get_error_message(errcode, msg, sizeof(msg)) < 0)
            apr_cpystrn((char *)msg, "unknown error", sizeof(msg));
        return apr_psprintf(p, "cannot compile the regular expression '%s': %s at offset %lu", regex,
                            (const char *)msg, (unsigned long)erroff);
    }
    apr_pool_cleanup_register(p, code, policy_code_free, apr_pool_cleanup_null);
    if (!*pol) {
        *pol = apr_pcalloc(p, sizeof(**pol));
        (*pol)->rules = apr_array_make(p, 4, sizeof(policy_rule_t));
    }
    rule = apr_array_push((*pol)->rules);
    rule->deny = deny != 0;
    rule->feature = policy_names_feature(regex);
    rule->regex = apr_pstrdup(p, regex);
    rule->code = code;
    if (!rule->deny)
        (*pol)->nallow++;
    return NULL;
}

/* 1 match, 0 no match, -1 error (including out of memory). */
static int policy_match(const policy_rule_t *rule, const char *number, pcre2_match_data *md)
{
    int rc = pcre2_match(rule->code, (PCRE2_SPTR)number, strlen(number), 0, 0, md, NULL);

    if (rc >= 0)
        return 1;
    return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

pbxdial_policy_e pbxdial_policy_check(const pbxdial_policy_t *pol, const char *number, const char **matched)
{
    const policy_rule_t *rules;
    pbxdial_policy_e rv;
    pcre2_match_data *md;
    int i;

    if (matched)
        *matched = NULL;
    if (!pol || pol->rules->nelts == 0)
        return PBXDIAL_POLICY_ALLOW;
    if (!number)
        return PBXDIAL_POLICY_DENIED;
    md = pcre2_match_data_create(1, NULL);
    if (!md)
        return PBXDIAL_POLICY_DENIED;
    rules = (const policy_rule_t *)pol->rules->elts;
    rv = pol->nallow ? PBXDIAL_POLICY_NOT_ALLOWED : PBXDIAL_POLICY_ALLOW;
    for (i = 0; i < pol->rules->nelts; i++) { /* deny first: it wins */
        if (rules[i].deny && policy_match(&rules[i], number, md) != 0) {
            if (matched)
                *matched = rules[i].regex;
            rv = PBXDIAL_POLICY_DENIED;
            goto done;
        }
    }
    for (i = 0; rv == PBXDIAL_POLICY_NOT_ALLOWED && i < pol->rules->nelts; i++) {
        if (!rules[i].deny && policy_match(&rules[i], number, md) == 1) {
            if (matched)
                *matched = rules[i].regex;
            rv = PBXDIAL_POLICY_ALLOW;
        }
    }
done:
    pcre2_match_data_free(md);
    return rv;
}

int pbxdial_policy_count(const pbxdial_policy_t *pol)
{
    return pol ? pol->rules->nelts : 0;
}

int pbxdial_policy_count_all(const pbxdial_policy_t *const *pols, int n)
{
    int i, count = 0;

    for (i = 0; pols && i < n; i++)
        count += pbxdial_policy_count(pols[i]);
    return count;
}

/* Deny patterns see through feature codes: they are tried on the number and
 * on what follows each '*' or '#' in it, so ^0900 also stops *31#0900123. */
static int policy_denies(const pbxdial_policy_t *pol, const char *number, pcre2_match_data *md,
                         const char **matched)
{
    const policy_rule_t *rules = (const policy_rule_t *)pol->rules->elts;
    const char *tail;
    int i;

    for (i = 0; i < pol->rules->nelts; i++) {
        if (!rules[i].deny)
            continue;
        for (tail = number;; tail++) {
            if (policy_match(&rules[i], tail, md) != 0) {
                *matched = rules[i].regex;
                return 1;
            }
            if (!(tail = strpbrk(tail, "*#")))
                break;
        }
    }
    return 0;
}

/* An allow pattern that matches; with feature, only one that names '*'/'#'. */
static int policy_allows(const pbxdial_policy_t *pol, const char *number, int feature, pcre2_match_data *md,
                         const char **matched)
{
    const policy_rule_t *rules = (const policy_rule_t *)pol->rules->elts;
    int i;

    for (i = 0; i < pol->rules->nelts; i++) {
        if (!rules[i].deny && (!feature || rules[i].feature) && policy_match(&rules[i], number, md) == 1) {
            *matched = rules[i].regex;
            return 1;
        }
    }
    return 0;
}

pbxdial_policy_e pbxdial_policy_decide(const pbxdial_policy_t *const *deny, int ndeny,
                                       const pbxdial_policy_t *allow, const char *number,
                                       const char **matched)
{
    const char *m = NULL;
    pbxdial_policy_e rv = PBXDIAL_POLICY_DENIED;
    pcre2_match_data *md;
    int i, nallow = 0, feature;
    size_t len;

    if (matched)
        *matched = NULL;
    /* only a normalised number: anything else would dodge the patterns */
    len = number ? strlen(number) : 0;
    if (len == 0 || strspn(number, "+0123456789*#") != len || strchr(number + 1, '+')
        || !(md = pcre2_match_data_create(1, NULL)))
        return PBXDIAL_POLICY_DENIED;
    for (i = 0; i < ndeny + 1; i++) { /* deny first: it wins */
        const pbxdial_policy_t *pol = i < ndeny ? deny[i] : allow;
        if (pol && policy_denies(pol, number, md, &m))
            goto done;
        if (pol)
            nallow += pol->nallow;
    }
    feature = strpbrk(number, "*#") != NULL;
    rv = feature ? PBXDIAL_POLICY_FEATURE_CODE : nallow ? PBXDIAL_POLICY_NOT_ALLOWED : PBXDIAL_POLICY_ALLOW;
    for (i = 0; rv != PBXDIAL_POLICY_ALLOW && i < ndeny + 1; i++) {
        const pbxdial_policy_t *pol = i < ndeny ? deny[i] : allow;
        if (pol && policy_allows(pol, number, feature, md, &m))
            rv = PBXDIAL_POLICY_ALLOW;
    }
done:
    pcre2_match_data_free(md);
    if (matched)
        *matched = m;
    return rv;
}
