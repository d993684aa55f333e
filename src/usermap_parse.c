/* PbxDialUserMap file format: one "webuser extension[@domain]" per line. */
#include <string.h>
#include <apr_strings.h>

#include "names.h"
#include "usermap_parse.h"

static int usermap_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

const char *pbxdial_usermap_parse(apr_pool_t *p, const char *text, apr_size_t len, apr_hash_t **map)
{
    apr_hash_t *h = apr_hash_make(p);
    const char *pos = text, *end = text + len;
    unsigned lineno = 0;

    while (pos < end) {
        const char *eol = memchr(pos, '\n', end - pos);
        const char *s = pos, *e = eol ? eol : end;
        const char *user, *target, *ext, *domain;
        char *line, *last;

        pos = eol ? eol + 1 : end;
        lineno++;
        while (s < e && usermap_space(*s))
            s++;
        if (s == e || *s == '#')
            continue;
        if (memchr(s, '\0', e - s))
            return apr_psprintf(p, "line %u contains a NUL byte", lineno);
        line = apr_pstrmemdup(p, s, e - s);
        user = apr_strtok(line, " \t\r", &last);
        target = apr_strtok(NULL, " \t\r", &last);
        if (!target || apr_strtok(NULL, " \t\r", &last))
            return apr_psprintf(p, "line %u: write \"webuser extension\" or "
                                "\"webuser extension@domain\"", lineno);
        pbxdial_names_split(p, target, &ext, &domain);
        if (!pbxdial_names_extension_ok(ext) || (domain && !pbxdial_names_domain_ok(domain)))
            return apr_psprintf(p, "line %u: \"%s\" is not extension[@domain] (an extension is "
                                "A-Z a-z 0-9 . _ -)", lineno, target);
        if (apr_hash_get(h, user, APR_HASH_KEY_STRING))
            return apr_psprintf(p, "line %u: user \"%s\" is mapped twice", lineno, user);
        apr_hash_set(h, user, APR_HASH_KEY_STRING, target);
    }
    *map = h;
    return NULL;
}
