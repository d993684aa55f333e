/* Per-process cache of a PbxDialUserMap file. Readers and the reloader share
 * one mutex: a lookup is a hash get, so holding it is cheap, and it means a
 * map is never freed while a thread reads it. */
#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_thread_mutex.h>

#include "log.h"
#include "usermap.h"
#include "usermap_parse.h"

#define USERMAP_MAX_BYTES (16 * 1024 * 1024)

struct pbxdial_usermap_t {
    const char *path;
    apr_pool_t *parent;          /* where each map's own pool hangs */
    apr_pool_t *pool;            /* the current map */
    apr_hash_t *map;
    apr_time_t mtime;
    apr_off_t size;
    apr_time_t checked;
#if APR_HAS_THREADS
    apr_thread_mutex_t *mutex;
#endif
};

/* Reads and parses the file into a fresh pool; swaps it in on success. */
static const char *usermap_load(pbxdial_usermap_t *m, apr_pool_t *ptemp)
{
    apr_pool_t *np;
    apr_file_t *f;
    apr_finfo_t fi;
    apr_hash_t *map;
    apr_size_t len;
    char *buf;
    const char *err;
    apr_status_t rv;

    if ((rv = apr_file_open(&f, m->path, APR_FOPEN_READ, 0, ptemp)) != APR_SUCCESS)
        return apr_psprintf(ptemp, "cannot read %s: %pm", m->path, &rv);
    if ((rv = apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_MTIME, f)) != APR_SUCCESS
        || fi.size > USERMAP_MAX_BYTES) {
        apr_file_close(f);
        return apr_psprintf(ptemp, "%s is not a regular file of at most 16 MB", m->path);
    }
    len = (apr_size_t)fi.size;
    buf = apr_palloc(ptemp, len + 1);
    rv = len ? apr_file_read_full(f, buf, len, &len) : APR_SUCCESS;
    apr_file_close(f);
    if (rv != APR_SUCCESS)
        return apr_psprintf(ptemp, "cannot read %s: %pm", m->path, &rv);

    apr_pool_create(&np, m->parent);
    if ((err = pbxdial_usermap_parse(np, buf, len, &map))) {
        err = apr_psprintf(ptemp, "%s %s", m->path, err);
        apr_pool_destroy(np);
        return err;
    }
    if (m->pool)
        apr_pool_destroy(m->pool);
    m->pool = np;
    m->map = map;
    m->mtime = fi.mtime;
    m->size = fi.size;
    return NULL;
}

const char *pbxdial_usermap_open(apr_pool_t *p, const char *path, pbxdial_usermap_t **out)
{
    pbxdial_usermap_t *m = apr_pcalloc(p, sizeof(*m));
    apr_pool_t *ptemp;
    const char *err;

    m->path = path;
    /* a parent of our own: at run time only we (under the mutex) touch it */
    apr_pool_create(&m->parent, p);
#if APR_HAS_THREADS
    apr_thread_mutex_create(&m->mutex, APR_THREAD_MUTEX_DEFAULT, p);
#endif
    apr_pool_create(&ptemp, p);
    err = usermap_load(m, ptemp);
    err = err ? apr_pstrdup(p, err) : NULL;
    apr_pool_destroy(ptemp);
    if (!err)
        *out = m;
    return err;
}

const char *pbxdial_usermap_lookup(request_rec *r, pbxdial_usermap_t *m, const char *user)
{
    const char *v;
    apr_finfo_t fi;
    apr_time_t now = apr_time_now();

#if APR_HAS_THREADS
    apr_thread_mutex_lock(m->mutex);
#endif
    if (now - m->checked > apr_time_from_sec(1)) {
        m->checked = now;
        if (apr_stat(&fi, m->path, APR_FINFO_SIZE | APR_FINFO_MTIME, r->pool) == APR_SUCCESS
            && (fi.mtime != m->mtime || fi.size != m->size)) {
            const char *err = usermap_load(m, r->pool);
            m->mtime = fi.mtime;      /* a broken file is reported once, not every second */
            m->size = fi.size;
            if (err)
                ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, PBXLOGNO(0301)
                              "PbxDialUserMap: keeping the previous map: %s", err);
            else
                ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, PBXLOGNO(0302)
                              "PbxDialUserMap: reloaded %s (%u users)", m->path,
                              apr_hash_count(m->map));
        }
    }
    v = user ? apr_hash_get(m->map, user, APR_HASH_KEY_STRING) : NULL;
    v = v ? apr_pstrdup(r->pool, v) : NULL;
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(m->mutex);
#endif
    return v;
}
