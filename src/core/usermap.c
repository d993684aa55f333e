/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* PbxDialUserMap file format: one "webuser extension[@domain]" per line. */
#include <string.h>
#include <apr_strings.h>

#include "core/account.h"
#include "core/listfile.h"
#include "core/usermap.h"

static const char *usermap_line(apr_pool_t *p, const char *s, apr_size_t n, void *baton)
{
    apr_hash_t *h = baton;
    const char *user, *target, *ext, *domain;
    char *line = apr_pstrmemdup(p, s, n), *last;

    user = apr_strtok(line, " \t\r", &last);
    target = apr_strtok(NULL, " \t\r", &last);
    if (!target || apr_strtok(NULL, " \t\r", &last))
        return "write \"webuser extension\" or \"webuser extension@domain\"";
    pbxdial_account_split(p, target, &ext, &domain);
    if (!pbxdial_account_extension_ok(ext) || (domain && !pbxdial_account_domain_ok(domain)))
        return apr_psprintf(p, "\"%s\" is not extension[@domain] (an extension is A-Z a-z 0-9 . _ -)",
                            target);
    if (apr_hash_get(h, user, APR_HASH_KEY_STRING))
        return apr_psprintf(p, "user \"%s\" is mapped twice", user);
    apr_hash_set(h, user, APR_HASH_KEY_STRING, target);
    return NULL;
}

const char *pbxdial_usermap_parse(apr_pool_t *p, const char *text, apr_size_t len, apr_hash_t **map)
{
    apr_hash_t *h = apr_hash_make(p);
    const char *err = pbxdial_listfile_each(p, text, len, usermap_line, h);

    if (!err)
        *map = h;
    return err;
}
