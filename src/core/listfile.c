/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The one line loop of the PbxDialUserMap and PbxDialLinkPasswords parsers:
 * they differ only in what a line holds. */
#include <string.h>
#include <apr_strings.h>

#include "core/listfile.h"

const char *pbxdial_listfile_each(apr_pool_t *p, const char *text, apr_size_t len,
                                  pbxdial_listfile_line_fn *fn, void *baton)
{
    const char *pos = text, *end = text + len;
    unsigned lineno = 0;

    while (pos < end) {
        const char *eol = memchr(pos, '\n', end - pos);
        const char *s = pos, *e = eol ? eol : end, *err;

        pos = eol ? eol + 1 : end;
        lineno++;
        if (e > s && e[-1] == '\r')
            e--;
        while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s == e || *s == '#')
            continue;
        if (memchr(s, '\0', e - s))
            return apr_psprintf(p, "line %u contains a NUL byte", lineno);
        if ((err = fn(p, s, e - s, baton)))
            return apr_psprintf(p, "line %u: %s", lineno, err);
    }
    return NULL;
}
