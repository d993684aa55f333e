/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Failed-login throttling (PbxDialFailureLimit) on the shared state of
 * store.c. Past the limit every login is refused for the rest of the window,
 * right or wrong, so the answer never tells a guess apart. The state is
 * consulted before the password is checked: a throttled attempt costs no PBX
 * request. When the cache cannot answer, logins are refused: a throttle that
 * opens whenever memcached is down is none. */
#include <apr_strings.h>

#include "httpd/store.h"
#include "httpd/identity.h"
#include "httpd/log.h"
#include "httpd/throttle.h"

/* r->notes: this request's failure is counted already */
#define THROTTLE_COUNTED_NOTE "pbxdial-throttle-counted"

int pbxdial_throttle_max(const pbxdial_dir_conf_t *dc, apr_interval_time_t *window)
{
    return pbxdial_config_failure_limit(dc, window);
}

/* One counter per user whatever its spelling: "40", "40@example.com" and
 * "40@EXAMPLE.COM." are the same extension, so must share their budget. */
static const char *throttle_user_key(request_rec *r, const pbxdial_dir_conf_t *dc, const char *user)
{
    return apr_pstrcat(r->pool, "fail-user|", pbxdial_identity_key(r, dc, user), NULL);
}

pbxdial_throttle_e pbxdial_throttle_check(request_rec *r, const pbxdial_dir_conf_t *dc, const char *user,
                                          const char *what)
{
    apr_interval_time_t window;
    apr_time_t end_ip, end_user = 0;
    int max = pbxdial_throttle_max(dc, &window), n_ip, n_user;

    if (max <= 0)
        return PBXDIAL_THROTTLE_OK;
    n_ip = pbxdial_store_count_unauthenticated(r, apr_pstrcat(r->pool, "fail-ip|", r->useragent_ip, NULL),
                                               window, 0, &end_ip);
    n_user =
        user ? pbxdial_store_count_unauthenticated(r, throttle_user_key(r, dc, user), window, 0, &end_user)
             : 0;
    if (n_ip < 0 || n_user < 0) {
        ap_log_rerror(
            APLOG_MARK, APLOG_ERR, 0, r,
            PBXLOGNO(0950) "%s refused: PbxDialCache cannot tell how many logins failed from %s "
                           "(PbxDialFailureLimit %d); fix the cache, or set PbxDialFailureLimit Off",
            what, r->useragent_ip, max);
        return PBXDIAL_THROTTLE_UNKNOWN;
    }
    if (n_ip < max && n_user < max)
        return PBXDIAL_THROTTLE_OK;
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                  PBXLOGNO(0951) "%s refused: %d failed attempts from %s, %d for user \"%s\" "
                                 "(PbxDialFailureLimit %d)",
                  what, n_ip, r->useragent_ip, n_user, user ? ap_escape_logitem(r->pool, user) : "", max);
    if (n_user >= max && end_user > end_ip)
        end_ip = end_user;
    apr_table_setn(r->err_headers_out, "Retry-After",
                   apr_psprintf(r->pool, "%" APR_TIME_T_FMT, apr_time_sec(end_ip - apr_time_now()) + 1));
    return PBXDIAL_THROTTLE_LIMITED;
}

void pbxdial_throttle_failed(request_rec *r, const pbxdial_dir_conf_t *dc, const char *user)
{
    apr_interval_time_t window;
    apr_time_t end;

    if (pbxdial_throttle_max(dc, &window) <= 0 || apr_table_get(r->notes, THROTTLE_COUNTED_NOTE))
        return;
    apr_table_setn(r->notes, THROTTLE_COUNTED_NOTE, "1");
    pbxdial_store_count_unauthenticated(r, apr_pstrcat(r->pool, "fail-ip|", r->useragent_ip, NULL), window, 1,
                                        &end);
    if (user)
        pbxdial_store_count_unauthenticated(r, throttle_user_key(r, dc, user), window, 1, &end);
}
