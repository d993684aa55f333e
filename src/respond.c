/* JSON answers and the mapping of PBX failures to HTTP statuses. */
#include <apr_strings.h>
#include <http_protocol.h>

#include "reply.h"
#include "respond.h"

void pbxdial_respond_nostore(request_rec *r)
{
    /* err_headers_out survives error answers and internal redirects */
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
}

int pbxdial_respond_json(request_rec *r, int status, const char *json)
{
    pbxdial_respond_nostore(r);
    r->status = status;
    ap_set_content_type(r, "application/json");
    ap_set_content_length(r, strlen(json) + 1);
    if (!r->header_only) {
        ap_rputs(json, r);
        ap_rputc('\n', r);
    }
    return OK;
}

int pbxdial_respond_error(request_rec *r, int status, const char *code, const char *message)
{
    return pbxdial_respond_json(r, status, pbxdial_json_error(r->pool, code, message));
}

int pbxdial_respond_pbx_failure(request_rec *r, const pbxdial_pbx_outcome_t *out,
                                const pbxdial_pbx_conf_t *c)
{
    switch (out->rc) {
    case PBXDIAL_PBX_ADMIN_REFUSED:
        return pbxdial_respond_error(r, HTTP_BAD_GATEWAY, "pbx_admin_refused",
                                     "PBX refused the admin credentials");
    case PBXDIAL_PBX_NOT_FOUND:
        return pbxdial_respond_error(r, HTTP_FORBIDDEN, "unknown_extension",
                                     "extension not known to the PBX");
    case PBXDIAL_PBX_TIMEOUT:
        return pbxdial_respond_error(r, HTTP_GATEWAY_TIME_OUT, "pbx_timeout",
                                     apr_psprintf(r->pool, "PBX did not answer within %g s",
                                                  (double)c->timeout / APR_USEC_PER_SEC));
    case PBXDIAL_PBX_UNREACHABLE:
        return pbxdial_respond_error(r, HTTP_BAD_GATEWAY, "pbx_unreachable", "PBX unreachable");
    case PBXDIAL_PBX_TLS:
        return pbxdial_respond_error(r, HTTP_BAD_GATEWAY, "pbx_tls",
                                     "secure connection to the PBX failed");
    case PBXDIAL_PBX_HTTP_ERROR:
        return pbxdial_respond_error(r, HTTP_BAD_GATEWAY, "pbx_error",
                                     apr_psprintf(r->pool, "PBX answered with status %ld", out->status));
    case PBXDIAL_PBX_BAD_REPLY:
        return pbxdial_respond_error(r, HTTP_BAD_GATEWAY, "pbx_bad_reply",
                                     "PBX sent a reply that is not understood");
    case PBXDIAL_PBX_OK:
    case PBXDIAL_PBX_INTERNAL:
        break;
    }
    return pbxdial_respond_error(r, HTTP_INTERNAL_SERVER_ERROR, "internal",
                                 "internal error talking to the PBX");
}
