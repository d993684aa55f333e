/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Parser of PbxDialUserMap files. Pure: APR only. */
#ifndef PBXDIAL_USERMAP_PARSE_H
#define PBXDIAL_USERMAP_PARSE_H

#include <apr_pools.h>
#include <apr_hash.h>

/* Parses lines "webuser extension[@domain]"; '#' starts a comment, blank
 * lines are skipped. Fills *map (web user -> "ext[@domain]", allocated in p).
 * Returns NULL, or a message naming the first bad line. */
const char *pbxdial_usermap_parse(apr_pool_t *p, const char *text, apr_size_t len, apr_hash_t **map);

#endif
