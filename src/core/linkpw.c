/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* PbxDialLinkPasswords file format: one "user:password" per line. Error
 * messages reach the error log and `apachectl -t`, so they name line
 * numbers and never the text after a colon. */
#include <string.h>
#include <apr_strings.h>

#include "core/listfile.h"
#include "core/linkpw.h"
#include "core/account.h"

static int linkpw_blank(char c)
{
    return c == ' ' || c == '\t';
}

static const char *linkpw_line(apr_pool_t *p, const char *s, apr_size_t n, void *baton)
{
    apr_hash_t *h = baton;
    const char *e = s + n, *colon = memchr(s, ':', n);
    const char *user, *ext, *domain;

    if (!colon)
        return "write \"user:password\" (user is extension or extension@domain)";
    user = apr_pstrmemdup(p, s, colon - s);
    pbxdial_account_split(p, user, &ext, &domain);
    if (!pbxdial_account_extension_ok(ext) || (domain && !pbxdial_account_domain_ok(domain)))
        return "the user before the first ':' is not extension or extension@domain (A-Z a-z 0-9 . _ -)";
    if (colon + 1 == e)
        return apr_psprintf(p, "the password of user \"%s\" is empty", user);
    if (linkpw_blank(colon[1]) || linkpw_blank(e[-1]))
        return apr_psprintf(p,
                            "the password of user \"%s\" starts or ends with a space or tab; "
                            "passwords are taken verbatim, remove it",
                            user);
    if (apr_hash_get(h, user, APR_HASH_KEY_STRING))
        return apr_psprintf(p, "user \"%s\" appears twice", user);
    apr_hash_set(h, user, APR_HASH_KEY_STRING, apr_pstrmemdup(p, colon + 1, e - colon - 1));
    return NULL;
}

const char *pbxdial_linkpw_parse(apr_pool_t *p, const char *text, apr_size_t len, apr_hash_t **map)
{
    apr_hash_t *h = apr_hash_make(p);
    const char *err = pbxdial_listfile_each(p, text, len, linkpw_line, h);

    if (!err)
        *map = h;
    return err;
}
