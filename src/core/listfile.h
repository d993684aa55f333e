/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Line-by-line reading of the module's small text files (PbxDialUserMap,
 * PbxDialLinkPasswords). Pure: APR only. */
#ifndef PBXDIAL_LISTFILE_H
#define PBXDIAL_LISTFILE_H

#include <apr_pools.h>

/* Takes one meaningful line: s..s+len, without leading blanks and line end,
 * not NUL-terminated, holding no NUL byte. Returns NULL, or what is wrong
 * with the line (pbxdial_listfile_each adds "line N: "). */
typedef const char *pbxdial_listfile_line_fn(apr_pool_t *p, const char *s, apr_size_t len, void *baton);

/* Calls fn for each meaningful line of text: blank lines and lines whose
 * first non-blank character is '#' are skipped, leading blanks (space, tab,
 * CR) and the line end (\n or \r\n) are left out. Stops at the first line
 * fn refuses or that holds a NUL byte (which C strings would cut short).
 * Returns NULL, or a message that starts with the line's number. */
const char *pbxdial_listfile_each(apr_pool_t *p, const char *text, apr_size_t len,
                                  pbxdial_listfile_line_fn *fn, void *baton);

#endif
