/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The head of an HTTP/1.x response as the bytes that go to the client, for
 * a filter that must see a head no request filter sees: the interim 101 of
 * a proxied websocket upgrade, which mod_proxy_http sends with
 * ap_send_interim_response() straight down the connection's filters. */
#ifndef PBXDIAL_HTTPHEAD_H
#define PBXDIAL_HTTPHEAD_H

#include <apr_pools.h>

/* Length of the head in buf (through the blank line's CRLF), or 0 while the
 * blank line has not come. */
apr_size_t pbxdial_httphead_length(const char *buf, apr_size_t len);

/* 1 when buf (at least 5 bytes so far, or all there is) starts a status
 * line "HTTP/"; 0 when it cannot. */
int pbxdial_httphead_starts(const char *buf, apr_size_t len);

/* head without the header lines named in names (NULL-terminated, any case);
 * the status line and the blank line stay. *n is the new length, *dropped
 * how many lines went. */
char *pbxdial_httphead_drop(apr_pool_t *p, const char *head, apr_size_t len, const char *const *names,
                            apr_size_t *n, int *dropped);

#endif
