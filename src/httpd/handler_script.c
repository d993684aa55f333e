/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* pbxdial-script (/js/callback.js): the browser script, compiled into the
 * module so that it always matches the module's JSON, served from memory with
 * a content-hash ETag so browsers revalidate cheaply (304). */
#include <apr_buckets.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_filter.h>

#include "httpd/handlers.h"
#include "httpd/callback_js.h"

/* mod_deflate and mod_brotli send the tag as "hash-gzip" / "hash-br" with a
 * compressed body (DeflateAlterETag AddSuffix, the default); a browser
 * revalidates with that, which would never match: take it as our tag. */
static void script_unsuffix_etag(request_rec *r)
{
    static const char *const suffixes[] = {"-gzip\"", "-br\"", NULL};
    const char *inm = apr_table_get(r->headers_in, "If-None-Match");
    apr_size_t taglen = sizeof(pbxdial_callback_js_etag) - 2; /* without the closing quote */
    const char *hit;
    int i;

    if (!inm || !(hit = strstr(inm, apr_pstrndup(r->pool, pbxdial_callback_js_etag, taglen))))
        return;
    for (i = 0; suffixes[i]; i++)
        if (!strncmp(hit + taglen, suffixes[i], strlen(suffixes[i]))) {
            apr_table_setn(r->headers_in, "If-None-Match", pbxdial_callback_js_etag);
            return;
        }
}

int pbxdial_handler_script(request_rec *r)
{
    const pbxdial_problem_t *problem;
    apr_bucket_brigade *bb;
    int rv;

    if ((rv = pbxdial_handler_open(r, PBXDIAL_HANDLER_SCRIPT, AP_METHOD_BIT << M_GET, 0, &problem)) != OK)
        return rv;
    if (problem)
        return pbxdial_respond_problem(r, problem);

    ap_set_content_type(r, "text/javascript; charset=utf-8");
    apr_table_setn(r->headers_out, "ETag", pbxdial_callback_js_etag);
    apr_table_setn(r->headers_out, "Cache-Control", "no-cache");
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    script_unsuffix_etag(r);
    ap_update_mtime(r, pbxdial_callback_js_mtime);
    ap_set_last_modified(r);
    if ((rv = ap_meets_conditions(r)) != OK)
        return rv; /* 304 Not Modified, 412 */

    ap_set_content_length(r, pbxdial_callback_js_len);
    if (r->header_only)
        return OK;
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    APR_BRIGADE_INSERT_TAIL(bb,
                            apr_bucket_immortal_create((const char *)pbxdial_callback_js,
                                                       pbxdial_callback_js_len, r->connection->bucket_alloc));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(r->connection->bucket_alloc));
    return ap_pass_brigade_fchk(r, bb, "pbxdial: sending callback.js");
}
