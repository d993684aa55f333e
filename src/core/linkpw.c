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

const char *pbxdial_linkpw_parse(apr_pool_t *p, const char *text, apr_size_t len, apr_hash_t **map)
{
    apr_hash_t *h = apr_hash_make(p);
    const char *pos = text, *end = text + len, *s;
    unsigned lineno = 0;
    apr_size_t n;
    int rc;

    while ((rc = pbxdial_listfile_next(&pos, end, &s, &n, &lineno)) != 0) {
        const char *e = s + n, *colon;
        const char *user, *ext, *domain, *pw;

        if (rc < 0)
            return apr_psprintf(p, "line %u contains a NUL byte", lineno);
        colon = memchr(s, ':', e - s);
        if (!colon)
            return apr_psprintf(p, "line %u: write \"user:password\" (user is extension or "
                                "extension@domain)", lineno);
        user = apr_pstrmemdup(p, s, colon - s);
        pbxdial_account_split(p, user, &ext, &domain);
        if (!pbxdial_account_extension_ok(ext) || (domain && !pbxdial_account_domain_ok(domain)))
            return apr_psprintf(p, "line %u: the user before the first ':' is not extension or "
                                "extension@domain (A-Z a-z 0-9 . _ -)", lineno);
        if (colon + 1 == e)
            return apr_psprintf(p, "line %u: the password of user \"%s\" is empty", lineno, user);
        if (linkpw_blank(colon[1]) || linkpw_blank(e[-1]))
            return apr_psprintf(p, "line %u: the password of user \"%s\" starts or ends with a "
                                "space or tab; passwords are taken verbatim, remove it",
                                lineno, user);
        if (apr_hash_get(h, user, APR_HASH_KEY_STRING))
            return apr_psprintf(p, "line %u: user \"%s\" appears twice", lineno, user);
        pw = apr_pstrmemdup(p, colon + 1, e - colon - 1);
        apr_hash_set(h, user, APR_HASH_KEY_STRING, pw);
    }
    *map = h;
    return NULL;
}
