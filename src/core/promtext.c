/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The Prometheus text exposition format. See promtext.h. The rules are those
 * of https://prometheus.io/docs/instrumenting/exposition_formats/: HELP text
 * escapes \ and newline, label values also escape ", and a family's samples
 * follow its HELP and TYPE lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/promtext.h"

struct pbxdial_promtext_t {
    apr_pool_t *p;
    char *buf; /* the text, NUL-terminated */
    apr_size_t len, cap;
    const char *family; /* the current family, NULL before the first */
};

pbxdial_promtext_t *pbxdial_promtext_make(apr_pool_t *p)
{
    pbxdial_promtext_t *t = apr_pcalloc(p, sizeof(*t));

    t->p = p;
    t->cap = 4096;
    t->buf = apr_palloc(p, t->cap);
    t->buf[0] = '\0';
    return t;
}

static void promtext_put(pbxdial_promtext_t *t, const char *s, apr_size_t n)
{
    if (t->len + n + 1 > t->cap) {
        char *more;
        while (t->len + n + 1 > t->cap)
            t->cap *= 2;
        more = apr_palloc(t->p, t->cap);
        memcpy(more, t->buf, t->len);
        t->buf = more;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void promtext_puts(pbxdial_promtext_t *t, const char *s)
{
    promtext_put(t, s, strlen(s));
}

/* escapes \ and newline, and " too where quoted */
static void promtext_escaped(pbxdial_promtext_t *t, const char *s, int quoted)
{
    const char *run = s;

    for (; *s; s++) {
        const char *esc = *s == '\\' ? "\\\\" : *s == '\n' ? "\\n" : quoted && *s == '"' ? "\\\"" : NULL;
        if (!esc)
            continue;
        promtext_put(t, run, (apr_size_t)(s - run));
        promtext_puts(t, esc);
        run = s + 1;
    }
    promtext_put(t, run, (apr_size_t)(s - run));
}

static int promtext_name_ok(const char *s, int colon)
{
    const char *c = s;

    if (!s || !*s || (*s >= '0' && *s <= '9'))
        return 0;
    for (; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'
              || (colon && *c == ':')))
            return 0;
    return 1;
}

int pbxdial_promtext_family(pbxdial_promtext_t *t, const char *name, const char *type, const char *help)
{
    if (!promtext_name_ok(name, 1) || !type
        || (strcmp(type, "counter") && strcmp(type, "gauge") && strcmp(type, "histogram")))
        return 0;
    t->family = apr_pstrdup(t->p, name);
    promtext_puts(t, "# HELP ");
    promtext_puts(t, name);
    promtext_puts(t, " ");
    promtext_escaped(t, help ? help : "", 0);
    promtext_puts(t, "\n# TYPE ");
    promtext_puts(t, name);
    promtext_puts(t, " ");
    promtext_puts(t, type);
    promtext_puts(t, "\n");
    return 1;
}

const char *pbxdial_promtext_float(apr_pool_t *p, double v)
{
    char buf[32];
    int prec;

    if (isnan(v))
        return "NaN";
    if (isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    /* the shortest text that reads back as the same double (libc's printf:
     * apr_psprintf's %g drops the 0 before the point) */
    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return apr_pstrdup(p, buf);
}

int pbxdial_promtext_sample(pbxdial_promtext_t *t, const char *suffix, double value,
                            const char *const *labels)
{
    const char *const *l;

    if (!t->family)
        return 0;
    for (l = labels; l && l[0]; l += 2)
        if (!promtext_name_ok(l[0], 0) || !strncmp(l[0], "__", 2) || !l[1])
            return 0;
    promtext_puts(t, t->family);
    promtext_puts(t, suffix ? suffix : "");
    if (labels && labels[0]) {
        promtext_puts(t, "{");
        for (l = labels; l[0]; l += 2) {
            if (l != labels)
                promtext_puts(t, ",");
            promtext_puts(t, l[0]);
            promtext_puts(t, "=\"");
            promtext_escaped(t, l[1], 1);
            promtext_puts(t, "\"");
        }
        promtext_puts(t, "}");
    }
    promtext_puts(t, " ");
    promtext_puts(t, pbxdial_promtext_float(t->p, value));
    promtext_puts(t, "\n");
    return 1;
}

const char *pbxdial_promtext_text(const pbxdial_promtext_t *t, apr_size_t *len)
{
    if (len)
        *len = t->len;
    return t->buf;
}
