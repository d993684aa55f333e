/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The same-origin websocket's message policy. See wspolicy.h.
 *
 * An allowed make-call is forwarded rebuilt, {"action":"make-call","to":N}
 * with N the normalised number: the PBX dials exactly what was checked (its
 * own reading of "0 900-1" or of fields we do not know is never asked), and
 * the rebuilt text needs no escaping ([+0-9*#] only). The other actions go
 * on as the browser sent them. */
#include <string.h>
#include <apr_strings.h>
#include <jansson.h>

#include "core/number.h"
#include "core/wspolicy.h"

static const char *const ws_pass[] = {"get-calls",        "clear-call",  "hold-call",
                                      "avoid-disconnect", "wskeepalive", NULL};

static int ws_passes(const char *action)
{
    const char *const *a;

    for (a = ws_pass; *a; a++)
        if (!strcmp(action, *a))
            return 1;
    return 0;
}

static pbxdial_wspolicy_e ws_call(apr_pool_t *p, json_t *to, const pbxdial_policy_t *const *deny, int ndeny,
                                  const pbxdial_policy_t *allow, pbxdial_wspolicy_t *out)
{
    const char *err = NULL;

    if (!json_is_string(to)) {
        out->error = "bad_dest";
        out->message = "Not a phone number: the call names no number.";
        return PBXDIAL_WSPOLICY_REFUSE;
    }
    out->to = apr_pstrmemdup(p, json_string_value(to), json_string_length(to));
    if (strlen(out->to) != json_string_length(to)
        || (err = pbxdial_number_normalise(p, out->to, &out->number))) {
        out->error = "bad_dest";
        out->message = apr_pstrcat(
            p, "Not a phone number: ", strlen(out->to) != json_string_length(to) ? "a NUL byte in it" : err,
            ".", NULL);
        return PBXDIAL_WSPOLICY_REFUSE;
    }
    switch (pbxdial_policy_decide(deny, ndeny, allow, out->number, &out->matched)) {
    case PBXDIAL_POLICY_ALLOW:
        out->matched = NULL;
        out->rebuilt = apr_pstrcat(p, "{\"action\":\"make-call\",\"to\":\"", out->number, "\"}", NULL);
        return PBXDIAL_WSPOLICY_CALL;
    case PBXDIAL_POLICY_FEATURE_CODE:
        out->error = "feature_code";
        out->message = apr_pstrcat(p, out->number,
                                   " contains * or #, which dial PBX feature codes; "
                                   "they cannot be dialled from here.",
                                   NULL);
        return PBXDIAL_WSPOLICY_REFUSE;
    default:
        out->error = "number_not_allowed";
        out->message =
            apr_pstrcat(p, "Number not allowed: ", out->number, " may not be dialled from here.", NULL);
        return PBXDIAL_WSPOLICY_REFUSE;
    }
}

pbxdial_wspolicy_e pbxdial_wspolicy_decide(apr_pool_t *p, const char *text, apr_size_t len,
                                           const pbxdial_policy_t *const *deny, int ndeny,
                                           const pbxdial_policy_t *allow, pbxdial_wspolicy_t *out)
{
    json_error_t jerr;
    json_t *j, *action;
    pbxdial_wspolicy_e rc;

    memset(out, 0, sizeof(*out));
    j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        out->why = apr_psprintf(p, "not JSON (%s at byte %d)", jerr.text, jerr.position);
        return PBXDIAL_WSPOLICY_MALFORMED;
    }
    action = json_object_get(j, "action");
    if (!json_is_object(j) || !json_is_string(action)) {
        out->why = json_is_object(j) ? "no string \"action\"" : "not a JSON object";
        json_decref(j);
        return PBXDIAL_WSPOLICY_MALFORMED;
    }
    out->action = apr_pstrmemdup(p, json_string_value(action), json_string_length(action));
    if (!strcmp(out->action, "make-call"))
        rc = ws_call(p, json_object_get(j, "to"), deny, ndeny, allow, out);
    else
        rc = ws_passes(out->action) && strlen(out->action) == json_string_length(action)
                 ? PBXDIAL_WSPOLICY_PASS
                 : PBXDIAL_WSPOLICY_DROP;
    json_decref(j);
    return rc;
}

char *pbxdial_wspolicy_refusal(apr_pool_t *p, const char *to, const char *error, const char *message)
{
    json_t *j = json_pack("{s:s,s:o,s:s,s:s}", "action", "pbxdial-refused", "to",
                          to ? json_string(to) : json_null(), "error", error, "message", message);
    char *s, *copy;

    if (!j) /* to not UTF-8 cannot happen (the parser checked it); out of memory */
        return apr_pstrcat(p, "{\"action\":\"pbxdial-refused\",\"to\":null,\"error\":\"", error,
                           "\",\"message\":\"Call refused.\"}", NULL);
    s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    copy = apr_pstrdup(p, s ? s : "{}");
    free(s);
    return copy;
}
