/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* A text file parsed into a hash (PbxDialUserMap, PbxDialLinkPasswords),
 * loaded at start-up and re-read when it changes (checked at most once a
 * second per process). */
#ifndef PBXDIAL_FILEMAP_H
#define PBXDIAL_FILEMAP_H

#include <httpd.h>
#include <apr_hash.h>

typedef struct pbxdial_filemap_t pbxdial_filemap_t;

/* Turns the file's bytes into a hash, or returns a message naming the bad line. */
typedef const char *pbxdial_filemap_parse_fn(apr_pool_t *p, const char *text, apr_size_t len,
                                             apr_hash_t **map);

/* Loads path at configuration time; returns an error for httpd -t. With
 * secret set, a file that everyone may read is refused. */
const char *pbxdial_filemap_open(apr_pool_t *p, const char *path, pbxdial_filemap_parse_fn *parse, int secret,
                                 pbxdial_filemap_t **out);

/* The value for key (copied into r->pool), or NULL. */
const char *pbxdial_filemap_get(request_rec *r, pbxdial_filemap_t *m, const char *key);

#endif
