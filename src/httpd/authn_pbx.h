/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The `pbx` authn provider (AuthBasicProvider pbx). */
#ifndef PBXDIAL_AUTHN_PBX_H
#define PBXDIAL_AUTHN_PBX_H

#include <apr_pools.h>

void pbxdial_authn_pbx_register(apr_pool_t *p);

/* optional_fn_retrieve hook: finds mod_authn_socache's store function. */
void pbxdial_authn_pbx_retrieve(void);

#endif
