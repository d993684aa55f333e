/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The module's use of mod_socache, the way mod_ssl and mod_authn_socache do
 * it: cache instances made in post_config, re-attached to in child_init.
 *
 * Two instances of the same provider: one for security markers (link-once
 * and confirmation markers, rate counters, cached sessions), one for what
 * anyone can make without credentials (failure counters, written on every
 * wrong password), so that a flood of the latter cannot push the former
 * out of a cache that evicts when full (shmcb drops its oldest entries).
 *
 * Ids and values are keyed by the module's secret (secret.h): an id is the
 * HMAC of the key text, a value is sealed with AES-256-GCM bound to its id.
 * Whoever reads memcached or redis learns neither who nor what, and a value
 * moved to another id does not open.
 *
 * Providers that are not multi-process safe (shmcb, dbm) are called under a
 * global mutex, so read-modify-write updates are atomic on one server.
 * Networked ones (memcache, redis) are called on the child's cache thread
 * (store_thread.c) with a deadline and no global lock: a black-holed cache
 * costs a request at most STORE_WAIT in all and never blocks the others.
 * Their updates are atomic within a child (one thread runs them in turn);
 * across children and servers two simultaneous updates may both read the old
 * value, so limits are approximate there by one or two requests. */
#include <stdlib.h>
#include <apr_strings.h>
#include <apr_global_mutex.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <http_log.h>
#include <util_mutex.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "httpd/config.h"
#include "httpd/stats.h"
#include "httpd/store.h"
#include "httpd/store_thread.h"
#include "httpd/log.h"
#include "httpd/secret.h"

#define STORE_MUTEX_TYPE "pbxdial-cache"
#define STORE_DEFAULT    "shmcb"
/* namespaces: memcache and redis prefix ids with "NAMESPACE:"; redis
 * allows at most 14 characters; shmcb names its default file after it */
#define STORE_NS_MARKS   "mod_pbxdial"
#define STORE_NS_ANON    "pbxdial_anon"
#define STORE_VALUE_MAX  512
#define STORE_ID_LEN     PBXDIAL_SECRET_LEN
#define STORE_NONCE      12
#define STORE_TAG        16
#define STORE_SEALED_MAX (STORE_NONCE + STORE_VALUE_MAX + STORE_TAG)
/* what a request may wait for a networked cache, all its calls together */
#define STORE_WAIT apr_time_from_sec(1)

static struct {
    const char *spec; /* PbxDialCache as written */
    const char *file; /* where it was written */
    unsigned line;
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *marks; /* security markers */
    ap_socache_instance_t *anon;  /* what anyone can create */
    int local;                    /* AP_SOCACHE_FLAG_NOTMPSAFE: mutex, no thread */
    apr_global_mutex_t *mutex;
    unsigned char id_key[PBXDIAL_SECRET_LEN];    /* derived once per generation, */
    unsigned char value_key[PBXDIAL_SECRET_LEN]; /* not on every cache call */
} store;

static const char *store_spec(void)
{
    return store.spec ? store.spec : STORE_DEFAULT;
}

static int store_networked(const char *spec)
{
    return !strncmp(spec, "memcache:", 9) || !strncmp(spec, "redis:", 6);
}

void pbxdial_store_configure(const char *spec, const char *file, unsigned line)
{
    store.spec = spec;
    store.file = file;
    store.line = line;
}

int pbxdial_store_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    store.spec = NULL; /* every (re)read of the config starts afresh */
    OPENSSL_cleanse(store.id_key, sizeof(store.id_key));
    OPENSSL_cleanse(store.value_key, sizeof(store.value_key));
    if (ap_mutex_register(pconf, STORE_MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0) != APR_SUCCESS)
        return HTTP_INTERNAL_SERVER_ERROR;
    return OK;
}

int pbxdial_store_check_config(server_rec *s)
{
    if (store.spec && store_networked(store.spec) && !pbxdial_secret_configured()) {
        /* each server would make its own random key: ids would differ, and a
         * link used on one server would dial again on the next */
        ap_log_error(
            APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, NULL,
            PBXLOGNO(0815) "PbxDialCache %s on line %u of %s shares state between servers, so it needs "
                           "PbxDialCacheKey, the same key file on every server that shares the cache: "
                           "add \"PbxDialCacheKey file:/etc/apache2/pbxdial.key\" after making the file "
                           "with: openssl rand -base64 48 > /etc/apache2/pbxdial.key; "
                           "chmod 0600 /etc/apache2/pbxdial.key",
            store.spec, store.line, store.file);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (store.spec
        || ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, STORE_DEFAULT, AP_SOCACHE_PROVIDER_VERSION))
        return OK; /* a configured provider was checked by its directive */
    ap_log_error(
        APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, NULL,
        PBXLOGNO(0801) "mod_pbxdial needs a socache provider for its shared state: load mod_socache_shmcb "
                       "(a2enmod socache_shmcb, or LoadModule socache_shmcb_module "
                       "/usr/lib/apache2/modules/mod_socache_shmcb.so), or set PbxDialCache "
                       "(e.g. memcache:127.0.0.1:11211)");
    return HTTP_INTERNAL_SERVER_ERROR;
}

static apr_status_t store_destroy(void *s)
{
    if (store.provider && store.marks)
        store.provider->destroy(store.marks, s);
    if (store.provider && store.anon)
        store.provider->destroy(store.anon, s);
    store.marks = store.anon = NULL;
    store.mutex = NULL;
    return APR_SUCCESS;
}

/* A local cache's file gets ".anon" before its "(size)" for the second
 * instance (shmcb uses anonymous memory where it can, the file otherwise);
 * a networked one uses the same servers under another namespace. */
static const char *store_anon_args(apr_pool_t *p, const char *args)
{
    const char *paren;

    if (!args || !*args || !store.local)
        return args;
    if ((paren = strrchr(args, '(')))
        return apr_pstrcat(p, apr_pstrmemdup(p, args, paren - args), ".anon", paren, NULL);
    return apr_pstrcat(p, args, ".anon", NULL);
}

static int store_instance(ap_socache_instance_t **inst, const char *args, const char *ns, apr_pool_t *ptemp,
                          apr_pool_t *pconf, server_rec *s)
{
    /* ids are 32 bytes; sealed markers and counters ~30, sessions ~50 */
    struct ap_socache_hints hints = {STORE_ID_LEN, 48, 60};
    const char *err;
    apr_status_t rv;

    if ((err = store.provider->create(inst, args, ptemp, pconf))) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, PBXLOGNO(0802) "PbxDialCache %s: %s", store_spec(), err);
        return 0;
    }
    if ((rv = store.provider->init(*inst, ns, &hints, s, pconf)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     PBXLOGNO(0804) "PbxDialCache %s could not be initialised (%s)", store_spec(), ns);
        *inst = NULL;
        return 0;
    }
    return 1;
}

int pbxdial_store_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    const char *spec = store_spec();
    const char *sep = strchr(spec, ':');
    const char *name = sep ? apr_pstrmemdup(ptemp, spec, sep - spec) : spec;
    const char *args = sep ? sep + 1 : NULL;
    apr_status_t rv;

    store.provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name, AP_SOCACHE_PROVIDER_VERSION);
    if (!store.provider) {
        /* only the default can get here: a configured one was checked */
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     PBXLOGNO(0820) "mod_pbxdial needs a socache provider: LoadModule socache_shmcb_module, "
                                    "or set PbxDialCache (e.g. memcache:127.0.0.1:11211)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    store.local = (store.provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) != 0;
    store.mutex = NULL;
    if (store.local) {
        rv = ap_global_mutex_create(&store.mutex, NULL, STORE_MUTEX_TYPE, NULL, s, pconf, 0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, PBXLOGNO(0803) "cannot create the cache mutex");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    if (!store_instance(&store.marks, args, STORE_NS_MARKS, ptemp, pconf, s)
        || !store_instance(&store.anon, store_anon_args(ptemp, args), STORE_NS_ANON, ptemp, pconf, s))
        return HTTP_INTERNAL_SERVER_ERROR;
    apr_pool_cleanup_register(pconf, s, store_destroy, apr_pool_cleanup_null);
    pbxdial_secret_derive("cache id", store.id_key);
    pbxdial_secret_derive("cache value", store.value_key);
    return OK;
}

void pbxdial_store_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv;

    if (store.mutex) {
        rv = apr_global_mutex_child_init(&store.mutex, apr_global_mutex_lockfile(store.mutex), pchild);
        if (rv != APR_SUCCESS)
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                         PBXLOGNO(0805) "cannot attach to the cache mutex in the child");
    }
    if (store.marks && !store.local && (rv = pbxdial_store_thread_child_init(pchild)) != APR_SUCCESS)
        ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s,
                     PBXLOGNO(0814) "could not start the thread that talks to PbxDialCache %s in this child; "
                                    "its calls now have no deadline",
                     store_spec());
}

/* The id: HMAC-SHA256 of the key text, 32 binary bytes. Binary on purpose:
 * shmcb picks one of its subcaches from an id's first byte (SHMCB_MASK), so
 * ids must spread over all of them or the module's state would live in
 * one; memcache and redis hex-encode ids themselves behind their namespace
 * prefix (mc_session_id2sz, socache_rd_id2key in httpd's modules/cache). */
static void store_id(const char *key, unsigned char id[STORE_ID_LEN])
{
    unsigned int len = 0;

    /* = pbxdial_secret_hmac("cache id", ...), with the purpose's key kept */
    HMAC(EVP_sha256(), store.id_key, sizeof(store.id_key), (const unsigned char *)key, strlen(key), id, &len);
}

/* nonce | AES-256-GCM(value) | tag, the id as additional data. */
static int store_seal(const unsigned char *id, const char *in, unsigned int len, unsigned char *out,
                      unsigned int *olen)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, f = 0, ok = 0;

    if (c && RAND_bytes(out, STORE_NONCE) == 1
        && EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, store.value_key, out)
        && EVP_EncryptUpdate(c, NULL, &n, id, STORE_ID_LEN)
        && EVP_EncryptUpdate(c, out + STORE_NONCE, &n, (const unsigned char *)in, (int)len)
        && EVP_EncryptFinal_ex(c, out + STORE_NONCE + n, &f)
        && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, STORE_TAG, out + STORE_NONCE + n + f)) {
        *olen = STORE_NONCE + n + f + STORE_TAG;
        ok = 1;
    }
    EVP_CIPHER_CTX_free(c);
    return ok;
}

static int store_open(const unsigned char *id, const unsigned char *in, unsigned int len, char *out,
                      unsigned int *olen)
{
    EVP_CIPHER_CTX *c;
    int n = 0, f = 0, ok = 0;

    if (len < STORE_NONCE + STORE_TAG || len > STORE_SEALED_MAX || !(c = EVP_CIPHER_CTX_new()))
        return 0;
    if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, store.value_key, in)
        && EVP_DecryptUpdate(c, NULL, &n, id, STORE_ID_LEN)
        && EVP_DecryptUpdate(c, (unsigned char *)out, &n, in + STORE_NONCE,
                             (int)(len - STORE_NONCE - STORE_TAG))
        && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, STORE_TAG, (void *)(in + len - STORE_TAG))
        && EVP_DecryptFinal_ex(c, (unsigned char *)out + n, &f) == 1) {
        *olen = n + f;
        ok = 1;
    }
    EVP_CIPHER_CTX_free(c);
    return ok;
}

/* One operation, with everything it needs: it may run on the cache thread
 * and outlive its request (store_thread.h). */
enum { OP_GET, OP_PUT, OP_DROP, OP_FIRST_USE, OP_COUNT };

typedef struct {
    int kind;
    ap_socache_instance_t *instance;
    server_rec *s;
    unsigned char id[STORE_ID_LEN];
    apr_time_t expiry;
    int add;
    char value[STORE_VALUE_MAX + 1]; /* clear text in and out */
    unsigned int len;
    int result;         /* what the public function returns */
    apr_status_t rv;    /* the provider's failure */
    const char *failed; /* "read", "write", "seal" */
    int undecryptable;
} store_op_t;

/* APR_NOTFOUND when absent or unreadable (a value that does not open is as
 * good as none: whoever could forge one could as well delete it). */
static apr_status_t op_read(store_op_t *op, apr_pool_t *p)
{
    unsigned char sealed[STORE_SEALED_MAX];
    unsigned int slen = sizeof(sealed);
    apr_status_t rv = store.provider->retrieve(op->instance, op->s, op->id, STORE_ID_LEN, sealed, &slen, p);

    if (rv == APR_NOTFOUND || APR_STATUS_IS_ENOENT(rv))
        return APR_NOTFOUND;
    if (rv != APR_SUCCESS) {
        op->rv = rv;
        op->failed = "read";
        return rv;
    }
    if (!store_open(op->id, sealed, slen, op->value, &op->len)) {
        op->undecryptable = 1;
        return APR_NOTFOUND;
    }
    op->value[op->len] = '\0';
    return APR_SUCCESS;
}

static int op_write(store_op_t *op, const char *value, unsigned int len, apr_pool_t *p)
{
    unsigned char sealed[STORE_SEALED_MAX];
    unsigned int slen;

    if (!store_seal(op->id, value, len, sealed, &slen)) {
        op->failed = "seal";
        return -1;
    }
    op->rv = store.provider->store(op->instance, op->s, op->id, STORE_ID_LEN, op->expiry, sealed, slen, p);
    if (op->rv != APR_SUCCESS) {
        op->failed = "write";
        return -1;
    }
    return 1;
}

static void op_run(void *arg, apr_pool_t *p)
{
    store_op_t *op = arg;
    apr_status_t rv;
    int count;
    char num[24];

    switch (op->kind) {
    case OP_GET:
        rv = op_read(op, p);
        op->result = rv == APR_SUCCESS ? 1 : rv == APR_NOTFOUND ? 0 : -1;
        break;
    case OP_PUT:
        op->result = op_write(op, op->value, op->len, p);
        break;
    case OP_DROP:
        store.provider->remove(op->instance, op->s, op->id, STORE_ID_LEN, p);
        op->result = 1;
        break;
    case OP_FIRST_USE:
        rv = op_read(op, p);
        op->result = rv == APR_SUCCESS ? 0 : rv != APR_NOTFOUND ? -1 : op_write(op, "1", 1, p);
        break;
    case OP_COUNT:
        rv = op_read(op, p);
        if (rv != APR_SUCCESS && rv != APR_NOTFOUND) {
            op->result = -1;
            break;
        }
        count = rv == APR_SUCCESS ? atoi(op->value) : 0;
        /* apr_memcache and apr_redis answer "not found" once they have
         * marked every server dead, so a read-only count of 0 could be a
         * cache that is down: a throttle would open. A write tells. */
        if (!op->add && rv == APR_NOTFOUND && !store.local) {
            if (op_write(op, "0", 1, p) < 0)
                count = -1;
        }
        else if (op->add) {
            count += op->add;
            if (op_write(op, num, (unsigned int)apr_snprintf(num, sizeof(num), "%d", count), p) < 0)
                count = -1;
        }
        op->result = count;
        break;
    }
}

static store_op_t *store_op(request_rec *r, int kind, ap_socache_instance_t *instance, const char *key)
{
    store_op_t *op = calloc(1, sizeof(*op));

    if (!op)
        return NULL;
    op->kind = kind;
    op->instance = instance;
    op->s = r->server;
    store_id(key, op->id);
    return op;
}

/* What is left of this request's STORE_WAIT. */
static apr_interval_time_t *store_budget(request_rec *r)
{
    static const char note[] = "pbxdial-store-budget";
    apr_interval_time_t *left = NULL;

    apr_pool_userdata_get((void **)&left, note, r->pool);
    if (!left) {
        left = apr_palloc(r->pool, sizeof(*left));
        *left = STORE_WAIT;
        apr_pool_userdata_setn(left, note, NULL, r->pool);
    }
    return left;
}

static void store_report(request_rec *r, const store_op_t *op)
{
    static int warned;

    if (op->failed)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, op->rv, r,
                      op->failed[0] == 'r' ? PBXLOGNO(0807) "PbxDialCache %s: %s failed"
                                           : PBXLOGNO(0808) "PbxDialCache %s: %s failed",
                      store_spec(), op->failed);
    if (op->undecryptable && !warned) {
        warned = 1; /* once per child: whoever wrote it may write many */
        ap_log_rerror(
            APLOG_MARK, APLOG_WARNING, 0, r,
            PBXLOGNO(0813) "PbxDialCache %s holds a value that does not decrypt with this server's key "
                           "(another PbxDialCacheKey, or tampering); treated as absent",
            store_spec());
    }
}

/* Runs op (then freed) and returns its result, -1 when the cache failed or
 * did not answer in time. *value: the value read (OP_GET). */
static int store_run_op(request_rec *r, store_op_t *op, const char **value)
{
    apr_interval_time_t *left;
    apr_time_t start;
    apr_status_t rv;
    int result;

    if (!op)
        return -1;
    if (!op->instance) {
        free(op);
        return -1;
    }
    if (store.local || !pbxdial_store_thread_active()) {
        if (store.mutex && (rv = apr_global_mutex_lock(store.mutex)) != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, PBXLOGNO(0806) "cannot lock the cache mutex");
            free(op);
            return -1;
        }
        op_run(op, r->pool);
        if (store.mutex)
            apr_global_mutex_unlock(store.mutex);
        rv = APR_SUCCESS;
    }
    else {
        left = store_budget(r);
        start = apr_time_now();
        rv = *left > 0 ? pbxdial_store_thread_run(op_run, op, *left) : APR_EAGAIN;
        *left -= apr_time_now() - start;
        if (rv == APR_TIMEUP) { /* op belongs to the thread now */
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                          PBXLOGNO(0811) "PbxDialCache %s did not answer within %" APR_TIME_T_FMT " ms; "
                                         "going on without it",
                          store_spec(), apr_time_as_msec(STORE_WAIT));
            return -1;
        }
        if (rv != APR_SUCCESS) {
            ap_log_rerror(
                APLOG_MARK, APLOG_ERR, 0, r,
                PBXLOGNO(0812) "PbxDialCache %s is not answering (an earlier call is stuck, or this "
                               "request's %" APR_TIME_T_FMT " ms for it are spent); going on without it",
                store_spec(), apr_time_as_msec(STORE_WAIT));
            free(op);
            return -1;
        }
    }
    store_report(r, op);
    result = op->result;
    if (value)
        *value = result == 1 ? apr_pstrmemdup(r->pool, op->value, op->len) : NULL;
    OPENSSL_cleanse(op->value, sizeof(op->value));
    free(op);
    return result;
}

/* store_run_op, counted for the status page: error (failed or no answer in
 * time), miss (nothing found, or not stored because already there), ok */
static int store_run(request_rec *r, store_op_t *op, const char **value)
{
    int result = store_run_op(r, op, value);

    pbxdial_stats_cache(result < 0    ? PBXDIAL_CACHE_ERROR
                        : result == 0 ? PBXDIAL_CACHE_MISS
                                      : PBXDIAL_CACHE_OK);
    return result;
}

int pbxdial_store_first_use(request_rec *r, const char *key, apr_time_t expiry)
{
    store_op_t *op = store_op(r, OP_FIRST_USE, store.marks, key);

    if (op)
        op->expiry = expiry;
    return store_run(r, op, NULL);
}

static int store_count(request_rec *r, ap_socache_instance_t *instance, const char *key,
                       apr_interval_time_t window, int add, apr_time_t *window_end)
{
    apr_time_t now = apr_time_now();
    apr_time_t start = now - now % window;
    store_op_t *op;

    *window_end = start + window;
    /* the window's length is part of the key: locations with other windows
     * must not share (and reset) each other's counts when their starts meet */
    op = store_op(r, OP_COUNT, instance,
                  apr_psprintf(r->pool, "%s|%" APR_TIME_T_FMT "+%" APR_TIME_T_FMT, key, start, window));
    if (op) {
        op->add = add;
        op->expiry = *window_end + apr_time_from_sec(1);
    }
    return store_run(r, op, NULL);
}

int pbxdial_store_count(request_rec *r, const char *key, apr_interval_time_t window, int add,
                        apr_time_t *window_end)
{
    return store_count(r, store.marks, key, window, add, window_end);
}

int pbxdial_store_count_unauthenticated(request_rec *r, const char *key, apr_interval_time_t window, int add,
                                        apr_time_t *window_end)
{
    return store_count(r, store.anon, key, window, add, window_end);
}

const char *pbxdial_store_get(request_rec *r, const char *key)
{
    const char *value = NULL;

    store_run(r, store_op(r, OP_GET, store.marks, key), &value);
    return value;
}

int pbxdial_store_put(request_rec *r, const char *key, const char *value, apr_time_t expiry)
{
    apr_size_t len = strlen(value);
    store_op_t *op;

    if (len > STORE_VALUE_MAX)
        return -1;
    if ((op = store_op(r, OP_PUT, store.marks, key))) {
        memcpy(op->value, value, len);
        op->len = (unsigned int)len;
        op->expiry = expiry;
    }
    return store_run(r, op, NULL) == 1 ? 1 : -1;
}

void pbxdial_store_drop(request_rec *r, const char *key)
{
    store_run(r, store_op(r, OP_DROP, store.marks, key), NULL);
}
