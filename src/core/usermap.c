/* PbxDialUserMap file format: one "webuser extension[@domain]" per line. */
#include <string.h>
#include <apr_strings.h>

#include "core/account.h"
#include "core/listfile.h"
#include "core/usermap.h"

const char *pbxdial_usermap_parse(apr_pool_t *p, const char *text, apr_size_t len, apr_hash_t **map)
{
    apr_hash_t *h = apr_hash_make(p);
    const char *pos = text, *end = text + len, *s;
    unsigned lineno = 0;
    apr_size_t n;
    int rc;

    while ((rc = pbxdial_listfile_next(&pos, end, &s, &n, &lineno)) != 0) {
        const char *user, *target, *ext, *domain;
        char *line, *last;

        if (rc < 0)
            return apr_psprintf(p, "line %u contains a NUL byte", lineno);
        line = apr_pstrmemdup(p, s, n);
        user = apr_strtok(line, " \t\r", &last);
        target = apr_strtok(NULL, " \t\r", &last);
        if (!target || apr_strtok(NULL, " \t\r", &last))
            return apr_psprintf(p, "line %u: write \"webuser extension\" or "
                                "\"webuser extension@domain\"", lineno);
        pbxdial_account_split(p, target, &ext, &domain);
        if (!pbxdial_account_extension_ok(ext) || (domain && !pbxdial_account_domain_ok(domain)))
            return apr_psprintf(p, "line %u: \"%s\" is not extension[@domain] (an extension is "
                                "A-Z a-z 0-9 . _ -)", lineno, target);
        if (apr_hash_get(h, user, APR_HASH_KEY_STRING))
            return apr_psprintf(p, "line %u: user \"%s\" is mapped twice", lineno, user);
        apr_hash_set(h, user, APR_HASH_KEY_STRING, target);
    }
    *map = h;
    return NULL;
}
