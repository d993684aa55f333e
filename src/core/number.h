/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Destination numbers of click-to-dial links. Pure: APR only. */
#ifndef PBXDIAL_NUMBER_H
#define PBXDIAL_NUMBER_H

#include <apr_pools.h>

/* At most this many characters after the optional leading '+'. */
#define PBXDIAL_NUMBER_MAX_DIGITS 32

/* Normalises a dialled number as a user typed or a CRM printed it:
 * - spaces, tabs, '-', '.', '/', '(' and ')' are removed;
 * - one '+' is kept when nothing but those separators comes before it
 *   ("+49 30", "(+49) 30"); any other '+' is an error;
 * - digits, '*' and '#' are kept; "(0)" is NOT dropped: that is a dial-plan
 *   decision the PBX makes, not a formatting one;
 * - anything else is an error naming it safely: "character 'a' at position
 *   3" for harmless printable ASCII, "byte 0x3c at position 1" for markup
 *   characters (< > " ' & ` \), controls and non-ASCII bytes, so the message
 *   can be shown or logged without escaping worries;
 * - nothing left (or only '+') is "empty number"; more than
 *   PBXDIAL_NUMBER_MAX_DIGITS characters after the '+' is an error.
 * Positions count bytes of in from 1. Returns NULL and sets *out (allocated
 * in p), or returns the message. in NULL counts as empty. */
const char *pbxdial_number_normalise(apr_pool_t *p, const char *in, const char **out);

/* Non-zero when two normalised numbers are the same; NULL equals nothing.
 * An exact comparison: "+4930..." and "004930..." differ, since only the
 * PBX's dial plan knows whether they reach the same line. */
int pbxdial_number_same(const char *a, const char *b);

#endif
