/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Same-origin websocket mode: the PBX session injected into a proxied upgrade. */
#ifndef PBXDIAL_WEBSOCKET_H
#define PBXDIAL_WEBSOCKET_H

#include <httpd.h>

/* fixups hook, ordered before mod_proxy's. */
int pbxdial_websocket_fixup(request_rec *r);

/* register_hooks: the filter that keeps the PBX's Set-Cookie from the browser. */
void pbxdial_websocket_register(apr_pool_t *p);

#endif
