/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Per-process cache of a file parsed into a hash. Readers and the reloader
 * share one mutex: a lookup is a hash get, so holding it is cheap, and it
 * means a map is never freed while a thread reads it. A file that cannot be
 * re-read (a secret the server's user may not read, or a bad edit) keeps the
 * previous map and is reported once per change. */
#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_thread_mutex.h>

#include "httpd/log.h"
#include "httpd/filemap.h"

#define FILEMAP_MAX_BYTES (16 * 1024 * 1024)

struct pbxdial_filemap_t {
    const char *path;
    pbxdial_filemap_parse_fn *parse;
    int secret;
    apr_pool_t *parent; /* where each map's own pool hangs */
    apr_pool_t *pool;   /* the current map */
    apr_hash_t *map;
    apr_time_t mtime;
    apr_off_t size;
    apr_time_t checked;
#if APR_HAS_THREADS
    apr_thread_mutex_t *mutex;
#endif
};

/* Reads and parses the file into a fresh pool; swaps it in on success. */
static const char *filemap_load(pbxdial_filemap_t *m, apr_pool_t *ptemp)
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
    if ((rv = apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_MTIME | APR_FINFO_PROT, f)) != APR_SUCCESS
        || fi.size > FILEMAP_MAX_BYTES) {
        apr_file_close(f);
        return apr_psprintf(ptemp, "%s is not a regular file of at most 16 MB", m->path);
    }
    if (m->secret && (fi.protection & APR_FPROT_WREAD)) {
        apr_file_close(f);
        return apr_psprintf(ptemp,
                            "%s holds secrets but is readable by everyone; run chmod 0600 %s "
                            "(or 0640 with the server's group)",
                            m->path, m->path);
    }
    len = (apr_size_t)fi.size;
    buf = apr_palloc(ptemp, len + 1);
    rv = len ? apr_file_read_full(f, buf, len, &len) : APR_SUCCESS;
    apr_file_close(f);
    if (rv != APR_SUCCESS)
        return apr_psprintf(ptemp, "cannot read %s: %pm", m->path, &rv);

    apr_pool_create(&np, m->parent);
    if ((err = m->parse(np, buf, len, &map))) {
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

const char *pbxdial_filemap_open(apr_pool_t *p, const char *path, pbxdial_filemap_parse_fn *parse, int secret,
                                 pbxdial_filemap_t **out)
{
    pbxdial_filemap_t *m = apr_pcalloc(p, sizeof(*m));
    apr_pool_t *ptemp;
    const char *err;

    m->path = path;
    m->parse = parse;
    m->secret = secret;
    /* a parent of our own: at run time only we (under the mutex) touch it */
    apr_pool_create(&m->parent, p);
#if APR_HAS_THREADS
    apr_thread_mutex_create(&m->mutex, APR_THREAD_MUTEX_DEFAULT, p);
#endif
    apr_pool_create(&ptemp, p);
    err = filemap_load(m, ptemp);
    err = err ? apr_pstrdup(p, err) : NULL;
    apr_pool_destroy(ptemp);
    if (!err)
        *out = m;
    return err;
}

const char *pbxdial_filemap_get(request_rec *r, pbxdial_filemap_t *m, const char *key)
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
            const char *err = filemap_load(m, r->pool);
            m->mtime = fi.mtime; /* a broken file is reported once, not every second */
            m->size = fi.size;
            if (err)
                ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                              PBXLOGNO(0301) "keeping the previous contents of %s: %s", m->path, err);
            else
                ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, PBXLOGNO(0302) "reloaded %s (%u entries)",
                              m->path, apr_hash_count(m->map));
        }
    }
    v = key ? apr_hash_get(m->map, key, APR_HASH_KEY_STRING) : NULL;
    v = v ? apr_pstrdup(r->pool, v) : NULL;
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(m->mutex);
#endif
    return v;
}
