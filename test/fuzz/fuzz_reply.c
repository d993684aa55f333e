/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Target "reply": what the PBX answers (pbxdial_pbxreply_token on the raw
 * input, NUL bytes included) and the JSON the module answers with
 * (pbxdial_json_login/_websocket/_calling/_error, with the input's
 * NUL-separated fields as values).
 *
 * Invariants:
 * - a token is 1..512 chars of [A-Za-z0-9._~+/=-] (it goes into cookies
 *   and JSON); any other result leaves *token NULL;
 * - FALSE only for a body that is `false` once blanks are trimmed; a bare
 *   (non-JSON) body gives a token only when the token is that body;
 * - every builder's output parses back with jansson as an object; when all
 *   values are valid UTF-8 it holds exactly those keys and values,
 *   otherwise it is the fixed {"error":"internal",...} answer. */
#include <string.h>
#include <apr_strings.h>
#include <jansson.h>

#include "fuzz_common.h"
#include "core/pbxreply.h"
#include "core/json.h"

/* trimming as the parser does it; a NUL byte counts as a blank there
 * (strchr() finds the terminator), so it does here */
static const char *trim(const char *s, size_t *len)
{
    while (*len > 0 && (strchr(" \t\r\n", s[0]) || s[0] == '\0')) {
        s++;
        (*len)--;
    }
    while (*len > 0 && (strchr(" \t\r\n", s[*len - 1]) || s[*len - 1] == '\0'))
        (*len)--;
    return s;
}

static void check_json(apr_pool_t *p, const char *what, const char *out, int n, const char *const kv[][2])
{
    json_error_t jerr;
    json_t *j;
    int i, valid = 1;
    const unsigned char *c;

    FUZZ_CHECK(out != NULL, "%s returned NULL", what);
    for (c = (const unsigned char *)out; *c; c++)
        FUZZ_CHECK(*c >= 0x20, "%s: raw control byte in %s", what, fuzz_escape_c(p, out));
    FUZZ_CHECK(fuzz_utf8_ok(out), "%s: output not UTF-8: %s", what, fuzz_escape_c(p, out));
    j = json_loads(out, JSON_REJECT_DUPLICATES, &jerr);
    FUZZ_CHECK(j && json_is_object(j), "%s: output is not a JSON object (%s): %s", what, jerr.text,
               fuzz_escape_c(p, out));
    for (i = 0; i < n; i++)
        if (!kv[i][1] || !fuzz_utf8_ok(kv[i][1]))
            valid = 0;
    if (valid) {
        FUZZ_CHECK((int)json_object_size(j) == n, "%s: %d keys in %s", what, (int)json_object_size(j),
                   fuzz_escape_c(p, out));
        for (i = 0; i < n; i++) {
            json_t *v = json_object_get(j, kv[i][0]);
            FUZZ_CHECK(json_is_string(v) && json_string_length(v) == strlen(kv[i][1])
                           && !memcmp(json_string_value(v), kv[i][1], strlen(kv[i][1])),
                       "%s: %s does not round-trip in %s", what, kv[i][0], fuzz_escape_c(p, out));
        }
    }
    else {
        json_t *e = json_object_get(j, "error");
        FUZZ_CHECK(json_is_string(e) && !strcmp(json_string_value(e), "internal"),
                   "%s: invalid UTF-8 or NULL accepted: %s", what, fuzz_escape_c(p, out));
    }
    json_decref(j);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool_begin();
    const char *body = (const char *)data, *token = (const char *)1, *tb;
    size_t tlen = size;
    pbxdial_pbxreply_e rc;
    char *f[4];

    /* the PBX's answer */
    rc = pbxdial_pbxreply_token(p, body, size, &token);
    tb = trim(body, &tlen);
    if (rc == PBXDIAL_REPLY_TOKEN) {
        size_t n;
        json_t *j;
        FUZZ_CHECK(token != NULL, "TOKEN without token");
        n = strlen(token);
        FUZZ_CHECK(n >= 1 && n <= 512
                       && strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                                        "qrstuvwxyz0123456789._~+/=-")
                              == n,
                   "token %s from %s", fuzz_escape_c(p, token),
                   fuzz_escape_c(p, apr_pstrmemdup(p, body, size)));
        FUZZ_CHECK(pbxdial_pbxreply_token_ok(token, n), "token_ok refuses a token");
        j = json_loadb(tb, tlen, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
        if (!j)
            FUZZ_CHECK(n == tlen && !memcmp(token, tb, n), "bare token %s is not the body %s",
                       fuzz_escape_c(p, token), fuzz_escape_c(p, apr_pstrmemdup(p, tb, tlen)));
        json_decref(j);
        {
            const char *kv[][2] = {{"session", token},
                                   {"server", "https://pbx.example.com"},
                                   {"user", "40"},
                                   {"domain", "example.com"}};
            check_json(p, "json_login(token)", pbxdial_json_login(p, token, kv[1][1], kv[2][1], kv[3][1]), 4,
                       kv);
        }
    }
    else {
        FUZZ_CHECK(token == NULL, "result %d left a token", rc);
        if (rc == PBXDIAL_REPLY_FALSE)
            FUZZ_CHECK(tlen == 5 && !memcmp(tb, "false", 5), "FALSE for %s",
                       fuzz_escape_c(p, apr_pstrmemdup(p, body, size)));
        FUZZ_CHECK(rc == PBXDIAL_REPLY_FALSE || rc == PBXDIAL_REPLY_EMPTY || rc == PBXDIAL_REPLY_MALFORMED,
                   "result %d", rc);
    }
    FUZZ_CHECK(pbxdial_pbxreply_token(p, NULL, 0, &token) == PBXDIAL_REPLY_EMPTY && !token, "NULL body");

    /* our answers, with the input as values */
    fuzz_fields(p, data, size, '\0', f, 4);
    {
        const char *kv[][2] = {{"session", f[0]}, {"server", f[1]}, {"user", f[2]}, {"domain", f[3]}};
        check_json(p, "json_login", pbxdial_json_login(p, f[0], f[1], f[2], f[3]), 4, kv);
    }
    {
        const char *kv[][2] = {{"websocket", f[0]}, {"user", f[1]}, {"domain", f[2]}};
        check_json(p, "json_websocket", pbxdial_json_websocket(p, f[0], f[1], f[2]), 3, kv);
    }
    {
        const char *kv[][2] = {{"status", "calling"}, {"from", f[0]}, {"dest", f[1]}};
        check_json(p, "json_calling", pbxdial_json_calling(p, f[0], f[1]), 3, kv);
    }
    {
        const char *kv[][2] = {{"error", f[0]}, {"message", f[1]}};
        check_json(p, "json_error", pbxdial_json_error(p, f[0], f[1]), 2, kv);
    }

    fuzz_pool_end(p);
    return 0;
}
