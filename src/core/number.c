/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Normalisation of destination numbers. The result goes to the PBX, into
 * the dial policy and into HTML/JSON answers, so only a tiny alphabet
 * survives, and errors never echo a byte that could be markup. */
#include "core/number.h"

#include <string.h>
#include <apr_strings.h>

static int number_separator(char c)
{
    return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')';
}

/* A byte that may appear quoted in a message as it is. */
static int number_echo_ok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || (c != '\0' && strchr("!$,:;=?@[]^_{|}~", c));
}

static const char *number_bad(apr_pool_t *p, unsigned char c, apr_size_t pos)
{
    if (c == '+')
        return apr_psprintf(p, "'+' at position %" APR_SIZE_T_FMT " (a '+' may only start the number)", pos);
    if (number_echo_ok(c))
        return apr_psprintf(p, "character '%c' at position %" APR_SIZE_T_FMT " is not allowed in a number", c,
                            pos);
    return apr_psprintf(p, "byte 0x%02x at position %" APR_SIZE_T_FMT " is not allowed in a number", c, pos);
}

const char *pbxdial_number_normalise(apr_pool_t *p, const char *in, const char **out)
{
    apr_size_t len = in ? strlen(in) : 0, i, n = 0, digits = 0;
    char *buf = apr_palloc(p, len + 1);

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];

        if (number_separator((char)c))
            continue;
        if (c == '+' && n == 0) {
            buf[n++] = '+';
            continue;
        }
        if (!((c >= '0' && c <= '9') || c == '*' || c == '#'))
            return number_bad(p, c, i + 1);
        if (++digits > PBXDIAL_NUMBER_MAX_DIGITS)
            return apr_psprintf(p, "number has more than %d digits", PBXDIAL_NUMBER_MAX_DIGITS);
        buf[n++] = (char)c;
    }
    if (digits == 0)
        return "empty number";
    buf[n] = '\0';
    *out = buf;
    return NULL;
}

int pbxdial_number_same(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}
