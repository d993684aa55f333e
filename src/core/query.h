/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Query strings of click-to-dial links: strict parsing and masking of
 * secrets for logs. Pure: APR only, no httpd types (unit-tested). */
#ifndef PBXDIAL_QUERY_H
#define PBXDIAL_QUERY_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Limits of pbxdial_query_parse: a link has about eight parameters, so
 * anything near these is an attack or a mistake. */
#define PBXDIAL_QUERY_MAX_PARAMS 64
#define PBXDIAL_QUERY_MAX_BYTES  8192

/* Splits "a=b&c=d" into *out (name -> value, both percent-decoded).
 * - "%XX" is decoded; a malformed escape is an error.
 * - '+' stays '+': it is NOT a space (Vodia links carry "+49..." raw).
 * - "name" without '=' gives the value ""; empty pieces ("a=1&&b=2",
 *   a trailing '&') are skipped; "=value" (no name) is an error.
 * - A NUL byte after decoding is an error.
 * - A parameter given twice is an error, compared case-insensitively
 *   because apr_table lookups are: "user=40&USER=41" is refused, so no
 *   reader of the table can see a different "user" than another.
 * - More than PBXDIAL_QUERY_MAX_PARAMS parameters or a query longer than
 *   PBXDIAL_QUERY_MAX_BYTES is an error.
 * args NULL or "" gives an empty table. Returns NULL on success (then *out
 * is set), or a message fit to show a user: it names the parameter only
 * when the name is plain [A-Za-z0-9._-] (else by position) and never
 * contains a value. */
const char *pbxdial_query_parse(apr_pool_t *p, const char *args, apr_table_t **out);

/* Returns a copy of the raw query string args in which the value of every
 * parameter named in names (a NULL-terminated list) is replaced by "***".
 * Names are compared after percent-decoding and case-insensitively, as the
 * parser and apr_table see them, so "%61uth=" and "AUTH=" are masked too.
 * A parameter whose name cannot be decoded has its value masked as well:
 * when in doubt, hide. Everything else is kept byte for byte. NULL in,
 * NULL out. */
const char *pbxdial_query_mask(apr_pool_t *p, const char *args, const char *const *names);

/* The same for a string that contains a query after its first '?': a
 * request line ("GET /remote_call.htm?auth=x HTTP/1.1", r->the_request,
 * logged by %r) or a URI (r->unparsed_uri). The query ends at the first
 * space or '#'; what comes before and after is kept. Without '?' the
 * string is returned as it is. NULL in, NULL out. */
const char *pbxdial_query_mask_uri(apr_pool_t *p, const char *uri, const char *const *names);

#endif
