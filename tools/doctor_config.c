/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* --config: the PBX settings of a running site, read from its Apache
 * configuration with a simple line reader (no httpd needed, nothing
 * evaluated): continuation lines, quotes, Include and IncludeOptional
 * (with wildcards) and ServerRoot for relative paths. Sections are not
 * told apart: the first value of each directive is taken and a different
 * later one is named in a note, so the admin can pick it with an option. */
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "doctor.h"
#include "core/url.h"

#define CONFIG_DEPTH_MAX 16
#define CONFIG_LINE_MAX  16384

typedef struct {
    doctor_t *d;
    const char *root;
    const char *server, *admin_user, *admin_pw, *ca, *domain, *timeout, *where_admin;
    int verify; /* -1: not set */
} config_t;

/* Splits a directive line into words; "..." and '...' group, \ escapes in quotes. */
static apr_array_header_t *config_words(apr_pool_t *p, const char *line)
{
    apr_array_header_t *w = apr_array_make(p, 4, sizeof(const char *));
    const char *s = line;

    for (;;) {
        char *word, *o;
        while (*s && apr_isspace(*s))
            s++;
        if (!*s)
            break;
        word = o = apr_palloc(p, strlen(s) + 1);
        if (*s == '"' || *s == '\'') {
            char q = *s++;
            while (*s && *s != q) {
                if (*s == '\\' && s[1])
                    s++;
                *o++ = *s++;
            }
            if (*s)
                s++;
        }
        else {
            while (*s && !apr_isspace(*s))
                *o++ = *s++;
        }
        *o = '\0';
        APR_ARRAY_PUSH(w, const char *) = word;
    }
    return w;
}

static const char *config_path(config_t *c, const char *path)
{
    return *path == '/' ? path : apr_pstrcat(c->d->p, c->root, "/", path, NULL);
}

static void config_note(config_t *c, const char *fmt, const char *a, const char *b, const char *where)
{
    APR_ARRAY_PUSH(c->d->notes, const char *) = apr_psprintf(c->d->p, fmt, a, b, where);
}

/* The first value wins; a different later one gets a note. */
static void config_take(config_t *c, const char **slot, const char *name, const char *value,
                        const char *where)
{
    if (!*slot)
        *slot = value;
    else if (strcmp(*slot, value))
        config_note(c, "%s \"%s\" at %s is not tested (the first one is); give the option to test it", name,
                    value, where);
}

static const char *config_file(config_t *c, const char *file, int depth, int optional);

static const char *config_include(config_t *c, const char *pattern, int depth, int optional,
                                  const char *where)
{
    const char *path = config_path(c, pattern);
    struct stat st;
    glob_t g;
    size_t i;
    const char *err = NULL;

    if (depth >= CONFIG_DEPTH_MAX)
        return apr_psprintf(c->d->p, "%s: Include nested more than %d deep", where, CONFIG_DEPTH_MAX);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        path = apr_pstrcat(c->d->p, path, "/*", NULL);
    memset(&g, 0, sizeof(g));
    if (glob(path, 0, NULL, &g) != 0) {
        globfree(&g);
        if (!optional && !strpbrk(path, "*?["))
            config_note(c, "%s at %s cannot be read%s", apr_pstrcat(c->d->p, "Include ", path, NULL), where,
                        "");
        return NULL;
    }
    for (i = 0; i < g.gl_pathc && !err; i++)
        if (stat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode))
            err = config_file(c, apr_pstrdup(c->d->p, g.gl_pathv[i]), depth + 1, optional);
    globfree(&g);
    return err;
}

static const char *config_line(config_t *c, const char *line, const char *where, int depth)
{
    apr_pool_t *p = c->d->p;
    apr_array_header_t *w = config_words(p, line);
    const char **a = (const char **)w->elts;
    const char *name;

    if (w->nelts == 0)
        return NULL;
    name = a[0];
    if (!strcasecmp(name, "ServerRoot") && w->nelts >= 2)
        c->root = a[1];
    else if ((!strcasecmp(name, "Include") || !strcasecmp(name, "IncludeOptional")) && w->nelts >= 2)
        return config_include(c, a[1], depth, !strcasecmp(name, "IncludeOptional"), where);
    else if (!strcasecmp(name, "PbxDialServer") && w->nelts >= 2)
        config_take(c, &c->server, name, a[1], where);
    else if (!strcasecmp(name, "PbxDialAdmin") && w->nelts >= 3) {
        if (!c->admin_user) {
            c->admin_user = a[1];
            c->admin_pw = a[2];
            c->where_admin = where;
        }
        else if (strcmp(c->admin_user, a[1]))
            config_note(c, "%s \"%s\" at %s is not tested (the first one is); give the option to test it",
                        name, a[1], where);
    }
    else if (!strcasecmp(name, "PbxDialCAFile") && w->nelts >= 2)
        config_take(c, &c->ca, name, config_path(c, a[1]), where);
    else if (!strcasecmp(name, "PbxDialVerifyPeer") && w->nelts >= 2 && c->verify < 0)
        c->verify = strcasecmp(a[1], "off") != 0;
    else if (!strcasecmp(name, "PbxDialTimeout") && w->nelts >= 2)
        config_take(c, &c->timeout, name, a[1], where);
    else if (!strcasecmp(name, "PbxDialDomain") && w->nelts >= 2) {
        if (strstr(a[1], "%{"))
            config_note(c, "%s \"%s\" at %s is an expression: give --extension EXT@DOMAIN", name, a[1],
                        where);
        else
            config_take(c, &c->domain, name, a[1], where);
    }
    return NULL;
}

static const char *config_file(config_t *c, const char *file, int depth, int optional)
{
    apr_pool_t *p = c->d->p;
    apr_file_t *f;
    apr_status_t rv;
    char buf[CONFIG_LINE_MAX];
    const char *pending = NULL, *err;
    int lineno = 0, start = 0;

    rv = apr_file_open(&f, file, APR_FOPEN_READ, 0, p);
    if (rv != APR_SUCCESS) {
        if (optional)
            return NULL;
        return apr_psprintf(p, "cannot read %s: %pm", file, &rv);
    }
    while (apr_file_gets(buf, sizeof(buf), f) == APR_SUCCESS) {
        apr_size_t n = strlen(buf);
        const char *line;
        lineno++;
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = '\0';
        if (!pending)
            start = lineno;
        /* a backslash at the end continues the directive on the next line */
        if (n && buf[n - 1] == '\\') {
            buf[n - 1] = ' ';
            pending = apr_pstrcat(p, pending ? pending : "", buf, NULL);
            continue;
        }
        line = apr_pstrcat(p, pending ? pending : "", buf, NULL);
        pending = NULL;
        while (apr_isspace(*line))
            line++;
        if (*line == '#' || !*line)
            continue;
        if ((err = config_line(c, line, apr_psprintf(p, "%s line %d", file, start), depth))) {
            apr_file_close(f);
            return err;
        }
    }
    apr_file_close(f);
    return NULL;
}

const char *pbxdial_doctor_config_read(doctor_t *d, const char *file)
{
    config_t c;
    const char *err, *norm;

    memset(&c, 0, sizeof(c));
    c.d = d;
    c.verify = -1;
    /* Debian's layout: /etc/apache2 is the compiled-in ServerRoot */
    if (!strncmp(file, "/etc/apache2/", 13))
        c.root = "/etc/apache2";
    else {
        const char *slash = strrchr(file, '/');
        c.root = slash ? apr_pstrmemdup(d->p, file, slash - file) : ".";
        if (!*c.root)
            c.root = "/";
    }
    if ((err = config_file(&c, file, 0, 0)))
        return err;
    if (!d->server && c.server) {
        if ((err = pbxdial_url_check_base(d->p, c.server, &norm)))
            return apr_psprintf(d->p, "PbxDialServer in %s: %s", file, err);
        d->server = norm;
    }
    if (!d->admin_user && c.admin_user) {
        d->admin_user = c.admin_user;
        if (!(d->admin_password = pbxdial_doctor_secret(
                  d,
                  !strncmp(c.admin_pw, "file:", 5)
                      ? apr_pstrcat(d->p, "file:", config_path(&c, c.admin_pw + 5), NULL)
                      : c.admin_pw,
                  &err)))
            return apr_psprintf(d->p, "PbxDialAdmin at %s: %s", c.where_admin, err);
    }
    if (!d->ca_file && c.ca)
        d->ca_file = c.ca;
    if (c.verify == 0)
        d->insecure = 1;
    if (!d->domain && c.domain)
        d->domain = c.domain;
    if (!d->timeout && c.timeout) {
        char *end;
        double v = strtod(c.timeout, &end);
        if (end != c.timeout && v > 0 && (!strcmp(end, "ms") || !*end || !strcmp(end, "s")))
            d->timeout = (apr_interval_time_t)(v * (strcmp(end, "ms") ? APR_USEC_PER_SEC : 1000));
    }
    d->source = apr_pstrcat(d->p, "--config ", file, NULL);
    return NULL;
}
