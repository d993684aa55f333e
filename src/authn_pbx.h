/* The `pbx` authn provider (AuthBasicProvider pbx). */
#ifndef PBXDIAL_AUTHN_PBX_H
#define PBXDIAL_AUTHN_PBX_H

#include <apr_pools.h>

void pbxdial_authn_pbx_register(apr_pool_t *p);

#endif
