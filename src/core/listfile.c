/* Shared by the parsers of PbxDialUserMap and PbxDialLinkPasswords files. */
#include <string.h>

#include "core/listfile.h"

int pbxdial_listfile_next(const char **pos, const char *end, const char **line, apr_size_t *len,
                       unsigned *lineno)
{
    while (*pos < end) {
        const char *eol = memchr(*pos, '\n', end - *pos);
        const char *s = *pos, *e = eol ? eol : end;

        *pos = eol ? eol + 1 : end;
        (*lineno)++;
        if (e > s && e[-1] == '\r')
            e--;
        while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s == e || *s == '#')
            continue;
        *line = s;
        *len = e - s;
        return memchr(s, '\0', e - s) ? -1 : 1;
    }
    return 0;
}
