/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The doctor's report: one line per step (or one JSON object), then the
 * first failure with a fix to try. Every string goes through
 * pbxdial_doctor_hide: the steps never put a secret in their texts, and
 * this keeps it so should a PBX or curl ever echo one back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <jansson.h>

#include "doctor.h"

static const char *report_title(const char *name)
{
    static const char *const titles[][2] = {
        {"connect", "TCP connection"},
        {"tls", "TLS certificate, chain and name"},
        {"login", "third-party login (admin)"},
        {"token", "token shape"},
        {"activate", "session activation (cookie)"},
        {"websocket", "websocket upgrade"},
        {"call", "remote_call.htm with the session"},
        {"password", "`pbx` provider password check"},
        {"logout", "logout"},
    };
    apr_size_t i;

    for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
        if (!strcmp(titles[i][0], name))
            return titles[i][1];
    return name;
}

static const char *report_verdict(doctor_verdict_e v)
{
    switch (v) {
    case DOCTOR_OK:
        return "ok";
    case DOCTOR_FAIL:
        return "fail";
    case DOCTOR_SKIP:
        return "skip";
    case DOCTOR_NOT_RUN:
        return "not run";
    }
    return "?";
}

const char *pbxdial_doctor_hide(doctor_t *d, const char *s)
{
    int i;

    if (!s)
        return NULL;
    for (i = 0; i < d->secrets->nelts; i++) {
        const char *secret = APR_ARRAY_IDX(d->secrets, i, const char *);
        apr_size_t n = strlen(secret);
        const char *hit;
        /* a secret of one or two characters would blank out ordinary words;
         * such a password is the admin's real problem, not this output's */
        if (n < 3)
            continue;
        while ((hit = strstr(s, secret)))
            s = apr_pstrcat(d->p, apr_pstrmemdup(d->p, s, hit - s), "[hidden]", hit + n, NULL);
    }
    return s;
}

/* milliseconds to a tenth: finer is noise */
static double report_ms(const doctor_step_t *s)
{
    return (double)((s->elapsed + 50) / 100) / 10.0;
}

static void report_json(doctor_t *d, int failed)
{
    json_t *o = json_object(), *steps = json_array();
    char *text;
    int i;

#define HIDE(x) ((x) ? json_string(pbxdial_doctor_hide(d, (x))) : json_null())
    json_object_set_new(o, "server", HIDE(d->server));
    json_object_set_new(o, "admin", HIDE(d->admin_user));
    json_object_set_new(o, "extension", HIDE(apr_pstrcat(d->p, d->ext, "@", d->domain, NULL)));
    json_object_set_new(o, "timeout", json_real((double)d->timeout / APR_USEC_PER_SEC));
    json_object_set_new(o, "ok", json_boolean(failed < 0));
    json_object_set_new(o, "exit", json_integer(failed < 0 ? 0 : 1));
    if (d->notes->nelts) {
        json_t *notes = json_array();
        for (i = 0; i < d->notes->nelts; i++)
            json_array_append_new(notes, HIDE(APR_ARRAY_IDX(d->notes, i, const char *)));
        json_object_set_new(o, "notes", notes);
    }
    for (i = 0; i < d->steps->nelts; i++) {
        const doctor_step_t *s = &APR_ARRAY_IDX(d->steps, i, doctor_step_t);
        json_t *j = json_object();
        json_object_set_new(j, "name", json_string(s->name));
        json_object_set_new(j, "title", json_string(report_title(s->name)));
        json_object_set_new(j, "verdict", json_string(report_verdict(s->verdict)));
        json_object_set_new(j, "ms", s->elapsed >= 0 ? json_real(report_ms(s)) : json_null());
        json_object_set_new(j, "status", s->status ? json_integer(s->status) : json_null());
        json_object_set_new(j, "exchange", HIDE(s->exchange));
        json_object_set_new(j, "detail", HIDE(s->detail));
        json_object_set_new(j, "fix", HIDE(s->fix));
        json_object_set_new(j, "note", HIDE(s->note));
        json_array_append_new(steps, j);
    }
    json_object_set_new(o, "steps", steps);
    if (failed >= 0) {
        const doctor_step_t *s = &APR_ARRAY_IDX(d->steps, failed, doctor_step_t);
        json_object_set_new(o, "failed", json_string(s->name));
        json_object_set_new(o, "fix", HIDE(s->fix));
    }
    else {
        json_object_set_new(o, "failed", json_null());
        json_object_set_new(o, "fix", json_null());
    }
#undef HIDE
    text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text)
        puts(text);
    free(text);
    json_decref(o);
}

static void report_text(doctor_t *d, int failed)
{
    int i, passed = 0;

    printf("pbxdial-doctor %s: PBX %s, admin \"%s\", extension %s@%s, timeout %.3g s%s%s\n", PBXDIAL_VERSION,
           pbxdial_doctor_hide(d, d->server), pbxdial_doctor_hide(d, d->admin_user), d->ext, d->domain,
           (double)d->timeout / APR_USEC_PER_SEC, d->source ? ", from " : "", d->source ? d->source : "");
    for (i = 0; i < d->notes->nelts; i++)
        printf("  note: %s\n", pbxdial_doctor_hide(d, APR_ARRAY_IDX(d->notes, i, const char *)));
    for (i = 0; i < d->steps->nelts; i++) {
        const doctor_step_t *s = &APR_ARRAY_IDX(d->steps, i, doctor_step_t);
        char ms[32] = "";
        const char *detail = s->detail;

        if (s->elapsed >= 0)
            apr_snprintf(ms, sizeof(ms), "%.0f ms", report_ms(s) < 1 && s->elapsed > 0 ? 1.0 : report_ms(s));
        if (s->verdict == DOCTOR_NOT_RUN)
            detail = failed >= 0 ? apr_psprintf(d->p, "not run: %s failed",
                                                APR_ARRAY_IDX(d->steps, failed, doctor_step_t).name)
                                 : "not run";
        if (s->exchange && s->verdict != DOCTOR_NOT_RUN && s->verdict != DOCTOR_SKIP)
            detail = apr_pstrcat(d->p, s->exchange, ": ", detail ? detail : "", NULL);
        printf("  %-4s  %-9s %7s  %s\n",
               s->verdict == DOCTOR_FAIL   ? "FAIL"
               : s->verdict == DOCTOR_OK   ? "ok"
               : s->verdict == DOCTOR_SKIP ? "skip"
                                           : "-",
               s->name, ms, pbxdial_doctor_hide(d, detail ? detail : ""));
        if (s->note)
            printf("  %-4s  %-9s %7s  note: %s\n", "", "", "", pbxdial_doctor_hide(d, s->note));
        if (s->verdict == DOCTOR_OK)
            passed++;
    }
    if (failed < 0) {
        printf("All %d steps that ran passed: the module can use this PBX.\n", passed);
        return;
    }
    {
        const doctor_step_t *s = &APR_ARRAY_IDX(d->steps, failed, doctor_step_t);
        printf("FAILED at step %s (%s).\nFix: %s\n", s->name, report_title(s->name),
               pbxdial_doctor_hide(d, s->fix ? s->fix : "see the line above"));
    }
}

void pbxdial_doctor_report(doctor_t *d, int failed)
{
    if (d->json)
        report_json(d, failed);
    else
        report_text(d, failed);
    fflush(stdout);
}
