/* Destination policy with PCRE2. Patterns are compiled once at
 * configuration time; each check makes its own match data so that the
 * compiled patterns can be shared read-only by all threads of a worker. */
#include "policy.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>

typedef struct {
    int deny;
    const char *regex;
    pcre2_code *code;
} policy_rule_t;

struct pbxdial_policy_t {
    apr_array_header_t *rules;      /* of policy_rule_t, in the order added */
    int nallow;
};

static apr_status_t policy_code_free(void *data)
{
    pcre2_code_free((pcre2_code *)data);
    return APR_SUCCESS;
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
        return apr_psprintf(p, "cannot compile the regular expression '%s': %s at offset %lu",
                            regex, (const char *)msg, (unsigned long)erroff);
    }
    apr_pool_cleanup_register(p, code, policy_code_free, apr_pool_cleanup_null);
    if (!*pol) {
        *pol = apr_pcalloc(p, sizeof(**pol));
        (*pol)->rules = apr_array_make(p, 4, sizeof(policy_rule_t));
    }
    rule = apr_array_push((*pol)->rules);
    rule->deny = deny != 0;
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

pbxdial_policy_e pbxdial_policy_check(const pbxdial_policy_t *pol, const char *number,
                                      const char **matched)
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
    for (i = 0; i < pol->rules->nelts; i++) {      /* deny first: it wins */
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
