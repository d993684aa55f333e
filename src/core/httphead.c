/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Header lines removed from a response head in its wire form. A line whose
 * name is listed goes whole; everything else is copied byte for byte. */
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "core/httphead.h"

apr_size_t pbxdial_httphead_length(const char *buf, apr_size_t len)
{
    apr_size_t i;

    for (i = 0; i + 3 < len; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
            return i + 4;
    return 0;
}

int pbxdial_httphead_starts(const char *buf, apr_size_t len)
{
    return !strncmp(buf, "HTTP/", len < 5 ? len : 5);
}

static int httphead_named(const char *line, apr_size_t len, const char *const *names)
{
    const char *colon = memchr(line, ':', len);
    apr_size_t n;

    if (!colon)
        return 0;
    n = colon - line;
    for (; *names; names++)
        if (strlen(*names) == n && !strncasecmp(line, *names, n))
            return 1;
    return 0;
}

char *pbxdial_httphead_drop(apr_pool_t *p, const char *head, apr_size_t len, const char *const *names,
                            apr_size_t *n, int *dropped)
{
    char *out = apr_palloc(p, len + 1);
    apr_size_t i = 0, o = 0;
    int first = 1;

    *dropped = 0;
    while (i < len) {
        const char *nl = memchr(head + i, '\n', len - i);
        apr_size_t l = nl ? (apr_size_t)(nl - (head + i)) + 1 : len - i;

        if (!first && httphead_named(head + i, l, names))
            ++*dropped;
        else {
            memcpy(out + o, head + i, l);
            o += l;
        }
        first = 0;
        i += l;
    }
    out[o] = '\0';
    *n = o;
    return out;
}
