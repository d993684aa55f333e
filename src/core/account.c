/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Validation of extension and domain names: they travel into PBX requests,
 * websocket URLs and JSON, so only a plain character set is let through. */
#include <string.h>
#include <apr_strings.h>

#include "core/account.h"

static int names_charset_ok(const char *s, size_t max)
{
    size_t n = 0;

    if (!s || !*s)
        return 0;
    for (; *s; s++, n++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
              || c == '_' || c == '-'))
            return 0;
    }
    return n <= max;
}

int pbxdial_account_extension_ok(const char *s)
{
    return names_charset_ok(s, 64);
}

int pbxdial_account_domain_ok(const char *s)
{
    return names_charset_ok(s, 253);
}

const char *pbxdial_account_domain_canonical(apr_pool_t *p, const char *s)
{
    char *c, *q;
    size_t n;

    if (!s)
        return NULL;
    n = strlen(s);
    if (n > 1 && s[n - 1] == '.')
        n--;
    c = apr_pstrmemdup(p, s, n);
    for (q = c; *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q - 'A' + 'a');
    return pbxdial_account_domain_ok(c) && *c != '.' ? c : NULL;
}

void pbxdial_account_split(apr_pool_t *p, const char *user, const char **ext, const char **domain)
{
    const char *at = user ? strrchr(user, '@') : NULL;

    if (at) {
        *ext = apr_pstrmemdup(p, user, at - user);
        *domain = at + 1;
    }
    else {
        *ext = user;
        *domain = NULL;
    }
}
