/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Skipping httpd's file-system walk (directory_walk, file_walk) for the
 * module's own handlers, as mod_proxy does for proxied requests: the walk
 * stat()s every segment of DocumentRoot + URL, for a handler that serves no
 * file. Only where the walk cannot change what the admin configured
 * (storage.c says when); else the walk runs as before. */
#ifndef PBXDIAL_STORAGE_H
#define PBXDIAL_STORAGE_H

#include <httpd.h>

/* post_config: decides per server whether the walk may ever be skipped, and
 * logs it (PBXDIAL1060, PBXDIAL1061). */
int pbxdial_storage_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s);

/* map_to_storage, before core's: OK (no walk) or DECLINED (core walks). */
int pbxdial_storage_map(request_rec *r);

#endif
