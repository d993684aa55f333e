/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Target "page": content negotiation (pbxdial_page_prefers_json on an
 * Accept header) and the HTML pages (pbxdial_page_escape,
 * pbxdial_page_html, pbxdial_page_confirm). Input: byte 0 picks the status
 * (100..599), then NUL-separated fields: Accept header, title, message,
 * and the confirmation form's action, token and button.
 *
 * Invariants:
 * - prefers_json is 0 for NULL and "", and 1 only when the header (blanks
 *   removed, as the parser compares ranges) mentions application/... or a
 *   '*' at all; it gives the same answer twice and leaves the header as it
 *   was;
 * - escape leaves no < > " ' and no '&' that does not start one of its
 *   entities; unescaping gives the input back;
 * - a page (and a confirmation page) holds exactly as many '<', '>' and
 *   '"' as the same page with empty strings (so none from the input), and
 *   holds each value escaped in its place. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>

#include "fuzz_common.h"
#include "core/page.h"

static size_t count(const char *s, char c);

static int same_markup(const char *a, const char *b)
{
    return count(a, '<') == count(b, '<') && count(a, '>') == count(b, '>') && count(a, '"') == count(b, '"');
}

static size_t count(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static int mentions(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (!strncasecmp(s, needle, n))
            return 1;
    return 0;
}

static void check_escape(apr_pool_t *p, const char *s)
{
    static const char *const ent[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    static const char raw[] = "&<>\"'";
    const char *e = pbxdial_page_escape(p, s), *c;
    char *back = apr_palloc(p, strlen(e) + 1), *o = back;
    int i;

    FUZZ_CHECK(!strpbrk(e, "<>\"'"), "escape(%s) = %s", fuzz_escape_c(p, s), fuzz_escape_c(p, e));
    for (c = e; *c;) {
        if (*c != '&') {
            *o++ = *c++;
            continue;
        }
        for (i = 0; i < 5; i++)
            if (!strncmp(c, ent[i], strlen(ent[i])))
                break;
        FUZZ_CHECK(i < 5, "escape(%s) = %s: bare '&'", fuzz_escape_c(p, s), fuzz_escape_c(p, e));
        *o++ = raw[i];
        c += strlen(ent[i]);
    }
    *o = '\0';
    FUZZ_CHECK(!strcmp(back, s), "escape(%s) = %s does not unescape back", fuzz_escape_c(p, s),
               fuzz_escape_c(p, e));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool_begin();
    char *f[6];
    const char *accept, *title, *message, *copy, *html, *empty;
    int status = 100 + (size ? data[0] : 0) * 500 / 256;
    int pj;

    fuzz_fields(p, size ? data + 1 : data, size ? size - 1 : 0, '\0', f, 6);
    accept = f[0] ? f[0] : "";
    title = f[1];
    message = f[2];

    /* negotiation */
    copy = apr_pstrdup(p, accept);
    pj = pbxdial_page_prefers_json(accept);
    FUZZ_CHECK(pj == 0 || pj == 1, "prefers_json = %d", pj);
    FUZZ_CHECK(!strcmp(copy, accept), "prefers_json changed its argument");
    FUZZ_CHECK(pbxdial_page_prefers_json(accept) == pj, "prefers_json not deterministic");
    if (pj) {
        /* ranges are compared with their blanks removed */
        char *packed = apr_pstrdup(p, accept), *o = packed;
        const char *c;
        for (c = accept; *c; c++)
            if (!isspace((unsigned char)*c))
                *o++ = *c;
        *o = '\0';
        FUZZ_CHECK(mentions(packed, "application/") || strchr(packed, '*'), "JSON preferred for %s",
                   fuzz_escape_c(p, accept));
    }
    FUZZ_CHECK(!pbxdial_page_prefers_json(NULL) && !pbxdial_page_prefers_json(""), "NULL/empty Accept");

    /* escaping and pages */
    check_escape(p, accept);
    if (title)
        check_escape(p, title);
    if (message)
        check_escape(p, message);
    FUZZ_CHECK(!strcmp(pbxdial_page_escape(p, NULL), ""), "escape(NULL)");
    html = pbxdial_page_html(p, status, title, message);
    empty = pbxdial_page_html(p, status, "", "");
    FUZZ_CHECK(same_markup(html, empty), "markup from the input in the page for %s / %s",
               fuzz_escape_c(p, title), fuzz_escape_c(p, message));
    {
        const char *et = pbxdial_page_escape(p, title), *em = pbxdial_page_escape(p, message);
        const char *t1 = strstr(html, apr_pstrcat(p, "<title>", et, "</title>", NULL));
        FUZZ_CHECK(t1 && strstr(html, apr_pstrcat(p, "<h1>", et, "</h1>", NULL))
                       && strstr(html, apr_pstrcat(p, "<p>", em, "</p>", NULL)),
                   "page lacks its title or message");
    }

    /* the confirmation page of cross-site links */
    {
        const char *action = f[3], *token = f[4], *button = f[5];
        const char *c = pbxdial_page_confirm(p, title, message, action, token, button);
        const char *c0 = pbxdial_page_confirm(p, "", "", "", "", "");
        const char *et = pbxdial_page_escape(p, title), *em = pbxdial_page_escape(p, message);
        if (action)
            check_escape(p, action);
        if (token)
            check_escape(p, token);
        if (button)
            check_escape(p, button);
        FUZZ_CHECK(same_markup(c, c0),
                   "markup from the input in the confirmation page for %s / %s / "
                   "%s / %s / %s",
                   fuzz_escape_c(p, title), fuzz_escape_c(p, message), fuzz_escape_c(p, action),
                   fuzz_escape_c(p, token), fuzz_escape_c(p, button));
        FUZZ_CHECK(strstr(c, apr_pstrcat(p, "<title>", et, "</title>", NULL))
                       && strstr(c, apr_pstrcat(p, "<h1>", et, "</h1>", NULL))
                       && strstr(c, apr_pstrcat(p, "<p>", em, "</p>", NULL))
                       && strstr(c, apr_pstrcat(p, "action=\"", pbxdial_page_escape(p, action), "\"", NULL))
                       && strstr(c, apr_pstrcat(p, "value=\"", pbxdial_page_escape(p, token), "\"", NULL))
                       && strstr(c, apr_pstrcat(p, ">", pbxdial_page_escape(p, button), "</button>", NULL)),
                   "confirmation page lacks a value");
    }

    fuzz_pool_end(p);
    return 0;
}
