/* Line-by-line reading of the module's small text files. Pure: APR only. */
#ifndef PBXDIAL_LINES_H
#define PBXDIAL_LINES_H

#include <apr_pools.h>

/* The next meaningful line of text between *pos and end: blank lines and
 * lines whose first non-blank character is '#' are skipped, leading blanks (space, tab, CR)
 * and the line end (\n or \r\n) are left out. *lineno counts every line.
 * Returns 1 with *line and *len set, 0 at the end, or -1 when the line holds
 * a NUL byte (which C strings would cut short). */
int pbxdial_listfile_next(const char **pos, const char *end, const char **line, apr_size_t *len,
                       unsigned *lineno);

#endif
