/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* PbxDialRateLimit, shared by the three places that mint PBX sessions.
 *
 * One counter per extension ("rate|ext@domain"), not one per door: a call,
 * a /rest/pbxlogin token and a same-origin websocket each cost the PBX a
 * third-party login, and what the limit protects against (a stolen login or
 * a runaway script making the PBX work for one extension) is the same
 * whichever door is used. So calls, logins and websockets share one budget. */
#include <apr_strings.h>
#include <httpd.h>
#include <http_log.h>

#include "httpd/store.h"
#include "httpd/log.h"
#include "httpd/ratelimit.h"

int pbxdial_ratelimit_check(request_rec *r, const pbxdial_dir_conf_t *dc, const char *ext_at)
{
    apr_interval_time_t window;
    apr_time_t end;
    int max = pbxdial_config_rate_limit(dc, &window), n;

    if (max <= 0)
        return OK;
    n = pbxdial_store_count(r, apr_pstrcat(r->pool, "rate|", ext_at, NULL), window, 1, &end);
    if (n < 0) {
        ap_log_rerror(
            APLOG_MARK, APLOG_ERR, 0, r,
            PBXLOGNO(0152) "PbxDialRateLimit: the cache (PbxDialCache) could not count the request of %s; "
                           "refused until it can",
            ext_at);
        apr_table_setn(r->err_headers_out, "Retry-After", "10");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if (n <= max)
        return OK;
    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r,
                  PBXLOGNO(0153) "PbxDialRateLimit: %s is over %d in %" APR_TIME_T_FMT " s", ext_at, max,
                  apr_time_sec(window));
    apr_table_setn(r->err_headers_out, "Retry-After",
                   apr_psprintf(r->pool, "%" APR_TIME_T_FMT, apr_time_sec(end - apr_time_now()) + 1));
    return HTTP_TOO_MANY_REQUESTS;
}
