/* PbxDialUserMap: web user -> extension[@domain] from a text file, re-read
 * when the file changes (checked at most once a second per process). */
#ifndef PBXDIAL_USERMAP_H
#define PBXDIAL_USERMAP_H

#include <httpd.h>

typedef struct pbxdial_usermap_t pbxdial_usermap_t;

/* Loads the file at configuration time; returns an error for httpd -t. */
const char *pbxdial_usermap_open(apr_pool_t *p, const char *path, pbxdial_usermap_t **out);

/* The "ext[@domain]" for user (copied into r->pool), or NULL. */
const char *pbxdial_usermap_lookup(request_rec *r, pbxdial_usermap_t *m, const char *user);

#endif
