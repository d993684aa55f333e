/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Parser of PbxDialLinkPasswords files (passwords that sign type-2 links).
 * Pure: APR only. */
#ifndef PBXDIAL_LINKPW_PARSE_H
#define PBXDIAL_LINKPW_PARSE_H

#include <apr_pools.h>
#include <apr_hash.h>

/* Parses lines "user:password":
 * - user is "ext" or "ext@domain" (pbxdial_names rules), as it appears in
 *   the links' user parameter: "40" and "40@example.com" are different
 *   entries, compared exactly;
 * - the line is split at the FIRST ':' and the password is the rest of the
 *   line verbatim (it may contain ':' and '#'); a password that is empty or
 *   starts or ends with a space or tab is refused, since that is nearly
 *   always an editing accident that would make every link fail;
 * - a line whose first non-blank character is '#' is a comment; blank
 *   lines are skipped; CRLF line ends are fine.
 * Fills *map (user -> password, allocated in p). Returns NULL, or a message
 * naming the first bad line by number; it never contains a password, nor
 * text from a line that has no valid user. */
const char *pbxdial_linkpw_parse(apr_pool_t *p, const char *text, apr_size_t len, apr_hash_t **map);

#endif
