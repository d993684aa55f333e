/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The dial policy on the same-origin websocket: filters on the browser's
 * connection that read its frames before mod_proxy's tunnel hands them to
 * the PBX (wsframe.c parses, wspolicy.c decides). */
#ifndef PBXDIAL_WSFILTER_H
#define PBXDIAL_WSFILTER_H

#include <httpd.h>

#include "httpd/config.h"

/* The payload limit of one browser message (fragments together). */
#define PBXDIAL_WS_MESSAGE_MAX (16 * 1024)

void pbxdial_wsfilter_register(apr_pool_t *p);

/* From the websocket fixup, once it has accepted the upgrade: filters on
 * r->connection for ext_at ("ext@domain") under dc's policy. They act only
 * once mod_proxy tunnels (101), and go when r ends. */
void pbxdial_wsfilter_add(request_rec *r, const pbxdial_dir_conf_t *dc, const char *ext_at);

#endif
