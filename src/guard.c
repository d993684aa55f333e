/* The module's use of mod_socache: one cache instance per server generation,
 * made in post_config, with a global mutex around read-modify-write updates
 * (and around every call for providers that are not multi-process safe),
 * re-attached to in child_init, the way mod_ssl and mod_authn_socache do.
 *
 * Keys are hashed (sha1 of the key text), so they are short, of a fixed
 * character set, and say nothing about users or numbers to whoever can read
 * memcached or redis. Read-modify-write is atomic within one server; across
 * servers sharing memcached or redis two simultaneous updates may both read
 * the old value, so limits are approximate there by one or two requests. */
#include <stdlib.h>
#include <apr_strings.h>
#include <apr_sha1.h>
#include <apr_global_mutex.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <http_log.h>
#include <util_mutex.h>

#include "config.h"
#include "guard.h"
#include "log.h"

#define GUARD_MUTEX_TYPE "pbxdial-cache"
#define GUARD_DEFAULT "shmcb"
#define GUARD_VALUE_MAX 512

static struct {
    const char *spec;                       /* PbxDialCache as written */
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *instance;
    apr_global_mutex_t *mutex;
} guard;

const char *pbxdial_guard_set_cache(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    const char *sep = strchr(arg, ':');
    const char *name = sep ? apr_pstrmemdup(cmd->pool, arg, sep - arg) : arg;

    if (err)
        return err;
    /* looked up now so that a typo or a missing module fails httpd -t */
    if (!ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name, AP_SOCACHE_PROVIDER_VERSION))
        return apr_psprintf(cmd->pool, "PbxDialCache: unknown cache \"%s\"; load its module "
                            "(e.g. LoadModule socache_%s_module) or use shmcb, memcache:HOST:PORT "
                            "or redis:HOST:PORT", name, name);
    guard.spec = arg;
    return NULL;
}

int pbxdial_guard_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    guard.spec = NULL;          /* every (re)read of the config starts afresh */
    if (ap_mutex_register(pconf, GUARD_MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0) != APR_SUCCESS)
        return HTTP_INTERNAL_SERVER_ERROR;
    return OK;
}

int pbxdial_guard_check_config(server_rec *s)
{
    if (guard.spec || ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, GUARD_DEFAULT, AP_SOCACHE_PROVIDER_VERSION))
        return OK;              /* a configured provider was checked by its directive */
    ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, NULL, PBXLOGNO(0801)
                 "mod_pbxdial needs a socache provider for its shared state: load mod_socache_shmcb "
                 "(a2enmod socache_shmcb, or LoadModule socache_shmcb_module "
                 "/usr/lib/apache2/modules/mod_socache_shmcb.so), or set PbxDialCache "
                 "(e.g. memcache:127.0.0.1:11211)");
    return HTTP_INTERNAL_SERVER_ERROR;
}

static apr_status_t guard_destroy(void *s)
{
    if (guard.provider && guard.instance)
        guard.provider->destroy(guard.instance, s);
    guard.instance = NULL;
    guard.mutex = NULL;
    return APR_SUCCESS;
}

int pbxdial_guard_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    struct ap_socache_hints hints = { 48, 64, 60 };
    const char *spec = guard.spec ? guard.spec : GUARD_DEFAULT;
    const char *sep = strchr(spec, ':');
    const char *name = sep ? apr_pstrmemdup(ptemp, spec, sep - spec) : spec;
    const char *err;
    apr_status_t rv;

    guard.provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name, AP_SOCACHE_PROVIDER_VERSION);
    if (!guard.provider) {
        /* only the default can get here: a configured one was checked */
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, PBXLOGNO(0801)
                     "mod_pbxdial needs a socache provider: LoadModule socache_shmcb_module, "
                     "or set PbxDialCache (e.g. memcache:127.0.0.1:11211)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if ((err = guard.provider->create(&guard.instance, sep ? sep + 1 : NULL, ptemp, pconf))) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, PBXLOGNO(0802)
                     "PbxDialCache %s: %s", spec, err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rv = ap_global_mutex_create(&guard.mutex, NULL, GUARD_MUTEX_TYPE, NULL, s, pconf, 0);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, PBXLOGNO(0803) "cannot create the cache mutex");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rv = guard.provider->init(guard.instance, "mod_pbxdial", &hints, s, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, PBXLOGNO(0804)
                     "PbxDialCache %s could not be initialised", spec);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pconf, s, guard_destroy, apr_pool_cleanup_null);
    return OK;
}

void pbxdial_guard_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv;

    if (!guard.mutex)
        return;
    rv = apr_global_mutex_child_init(&guard.mutex, apr_global_mutex_lockfile(guard.mutex), pchild);
    if (rv != APR_SUCCESS)
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, PBXLOGNO(0805)
                     "cannot attach to the cache mutex in the child");
}

/* "pbx" + 40 hex digits of sha1(key). */
static void guard_id(const char *key, unsigned char *id)
{
    unsigned char d[APR_SHA1_DIGESTSIZE];
    apr_sha1_ctx_t ctx;
    int i;

    apr_sha1_init(&ctx);
    apr_sha1_update(&ctx, key, strlen(key));
    apr_sha1_final(d, &ctx);
    memcpy(id, "pbx", 3);
    for (i = 0; i < APR_SHA1_DIGESTSIZE; i++) {
        id[3 + 2 * i] = "0123456789abcdef"[d[i] >> 4];
        id[4 + 2 * i] = "0123456789abcdef"[d[i] & 15];
    }
}
#define GUARD_ID_LEN (3 + 2 * APR_SHA1_DIGESTSIZE)

static int guard_lock(request_rec *r)
{
    apr_status_t rv;

    if (!guard.instance)
        return 0;
    if (guard.mutex && (rv = apr_global_mutex_lock(guard.mutex)) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, PBXLOGNO(0806) "cannot lock the cache mutex");
        return 0;
    }
    return 1;
}

static void guard_unlock(void)
{
    if (guard.mutex)
        apr_global_mutex_unlock(guard.mutex);
}

/* Retrieve under the lock; APR_NOTFOUND when absent. */
static apr_status_t guard_retrieve(request_rec *r, const unsigned char *id, char *buf, unsigned int *len)
{
    apr_status_t rv = guard.provider->retrieve(guard.instance, r->server, id, GUARD_ID_LEN,
                                               (unsigned char *)buf, len, r->pool);
    if (rv != APR_SUCCESS && rv != APR_NOTFOUND && !APR_STATUS_IS_ENOENT(rv))
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, PBXLOGNO(0807) "PbxDialCache %s: read failed",
                      guard.spec ? guard.spec : GUARD_DEFAULT);
    return APR_STATUS_IS_ENOENT(rv) ? APR_NOTFOUND : rv;
}

static apr_status_t guard_store(request_rec *r, const unsigned char *id, const char *data,
                                unsigned int len, apr_time_t expiry)
{
    apr_status_t rv = guard.provider->store(guard.instance, r->server, id, GUARD_ID_LEN, expiry,
                                            (unsigned char *)data, len, r->pool);
    if (rv != APR_SUCCESS)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, PBXLOGNO(0808) "PbxDialCache %s: write failed",
                      guard.spec ? guard.spec : GUARD_DEFAULT);
    return rv;
}

int pbxdial_guard_first_use(request_rec *r, const char *key, apr_time_t expiry)
{
    unsigned char id[GUARD_ID_LEN];
    char buf[8];
    unsigned int len = sizeof(buf);
    apr_status_t rv;
    int result;

    guard_id(key, id);
    if (!guard_lock(r))
        return -1;
    rv = guard_retrieve(r, id, buf, &len);
    if (rv == APR_SUCCESS)
        result = 0;
    else if (rv != APR_NOTFOUND)
        result = -1;
    else
        result = guard_store(r, id, "1", 1, expiry) == APR_SUCCESS ? 1 : -1;
    guard_unlock();
    return result;
}

int pbxdial_guard_count(request_rec *r, const char *key, apr_interval_time_t window, int add,
                        apr_time_t *window_end)
{
    unsigned char id[GUARD_ID_LEN];
    apr_time_t now = apr_time_now();
    apr_time_t start = now - now % window;
    char buf[24];
    unsigned int len = sizeof(buf) - 1;
    apr_status_t rv;
    int count = 0;

    *window_end = start + window;
    guard_id(apr_psprintf(r->pool, "%s|%" APR_TIME_T_FMT, key, start), id);
    if (!guard_lock(r))
        return -1;
    rv = guard_retrieve(r, id, buf, &len);
    if (rv == APR_SUCCESS) {
        buf[len] = '\0';
        count = atoi(buf);
    }
    else if (rv != APR_NOTFOUND) {
        guard_unlock();
        return -1;
    }
    if (add) {
        count += add;
        len = apr_snprintf(buf, sizeof(buf), "%d", count);
        if (guard_store(r, id, buf, len, *window_end + apr_time_from_sec(1)) != APR_SUCCESS)
            count = -1;
    }
    guard_unlock();
    return count;
}

const char *pbxdial_guard_get(request_rec *r, const char *key)
{
    unsigned char id[GUARD_ID_LEN];
    char buf[GUARD_VALUE_MAX + 1];
    unsigned int len = GUARD_VALUE_MAX;
    apr_status_t rv;

    guard_id(key, id);
    if (!guard_lock(r))
        return NULL;
    rv = guard_retrieve(r, id, buf, &len);
    guard_unlock();
    return rv == APR_SUCCESS ? apr_pstrmemdup(r->pool, buf, len) : NULL;
}

void pbxdial_guard_put(request_rec *r, const char *key, const char *value, apr_time_t expiry)
{
    unsigned char id[GUARD_ID_LEN];
    apr_size_t len = strlen(value);

    if (len > GUARD_VALUE_MAX)
        return;
    guard_id(key, id);
    if (!guard_lock(r))
        return;
    guard_store(r, id, value, (unsigned int)len, expiry);
    guard_unlock();
}

void pbxdial_guard_drop(request_rec *r, const char *key)
{
    unsigned char id[GUARD_ID_LEN];

    guard_id(key, id);
    if (!guard_lock(r))
        return;
    guard.provider->remove(guard.instance, r->server, id, GUARD_ID_LEN, r->pool);
    guard_unlock();
}
