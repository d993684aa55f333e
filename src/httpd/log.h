/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Logging conventions: every message carries a stable number, like httpd's
 * APLOGNO, so admins can search for it; per-module LogLevel works because
 * each file declares the module. Never log passwords, hashes, tokens or
 * sessions. */
#ifndef PBXDIAL_LOG_H
#define PBXDIAL_LOG_H

#include <httpd.h>
#include <http_log.h>

#define PBXLOGNO(n) "PBXDIAL" #n ": "

/* mod_pbxdial.c declares the module itself (AP_DECLARE_MODULE does this) */
#ifndef PBXDIAL_DECLARES_MODULE
APLOG_USE_MODULE(pbxdial);
#endif

#endif
