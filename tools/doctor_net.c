/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* The doctor's steps that pbx.h has no operation for: the TCP connection,
 * the TLS details (which of handshake, chain and name failed) and the
 * websocket upgrade with the activated session. libcurl directly, with
 * the options src/pbx/http.c sets (same CA file, same verification), so
 * a verdict here holds for the module's own transfers. */
#include <poll.h>
#include <string.h>
#include <strings.h>

#include <apr_base64.h>
#include <apr_strings.h>
#include <apr_uri.h>
#include <apr_sha1.h>
#include <apr_general.h>
#include <curl/curl.h>
#include <openssl/ssl.h>

#include "doctor.h"
#include "core/wsframe.h"

#define WS_GUID     "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_HEAD_MAX 16384

typedef struct {
    const char *scheme;
    const char *host;     /* without IPv6 brackets */
    const char *hostport; /* as in a URL and a Host header */
    const char *prefix;   /* path prefix of PbxDialServer, "" for none */
    unsigned port;
    int tls;
} net_target_t;

static void net_target(doctor_t *d, net_target_t *t)
{
    apr_uri_t u;

    memset(t, 0, sizeof(*t));
    apr_uri_parse(d->p, d->server, &u); /* checked by pbxdial_url_check_base already */
    t->scheme = u.scheme;
    t->tls = !strcasecmp(u.scheme, "https");
    t->host = u.hostname;
    t->port = u.port ? u.port : (t->tls ? 443 : 80);
    t->hostport = apr_psprintf(d->p, strchr(t->host, ':') ? "[%s]:%u" : "%s:%u", t->host, t->port);
    t->prefix = u.path && strcmp(u.path, "/") ? u.path : "";
}

static const char *net_seconds(doctor_t *d)
{
    return apr_psprintf(d->p, "%.3g s", (double)d->timeout / APR_USEC_PER_SEC);
}

/* A handle that connects (TCP, and TLS for https) and stops there. */
static CURL *net_handle(doctor_t *d, const char *url, int verify_peer, int verify_host, char *errbuf)
{
    CURL *h = curl_easy_init();
    long ms = (long)apr_time_as_msec(d->timeout);

    if (!h)
        return NULL;
    errbuf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, verify_peer ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, verify_host ? 2L : 0L);
    curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
    if (d->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, d->ca_file);
    return h;
}

static const char *net_error(doctor_t *d, CURLcode cc, const char *errbuf)
{
    return apr_psprintf(d->p, "%s (curl %d)", errbuf[0] ? errbuf : curl_easy_strerror(cc), (int)cc);
}

/* When connecting itself fails, the same words for every step. */
static void net_fail_connect(doctor_t *d, doctor_step_t *s, net_target_t *t, CURL *h, CURLcode cc,
                             const char *errbuf)
{
    long oserr = 0;

    /* curl says "Couldn't connect"; the system says whether it was refused */
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
    s->verdict = DOCTOR_FAIL;
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        s->detail = apr_psprintf(d->p, "cannot resolve %s: %s", t->host, net_error(d, cc, errbuf));
        s->fix = apr_psprintf(d->p,
                              "check the host name in PbxDialServer (--server) and this machine's "
                              "DNS: getent hosts %s",
                              t->host);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        s->detail = apr_psprintf(d->p, "no answer from %s within %s: %s", t->hostport, net_seconds(d),
                                 net_error(d, cc, errbuf));
        s->fix = "a firewall between this server and the PBX probably drops the packets; check the "
                 "route and the firewalls (a slow network: raise --timeout and PbxDialTimeout)";
        break;
    default:
        s->detail =
            apr_psprintf(d->p, "no connection to %s: %s%s%s", t->hostport, oserr ? strerror((int)oserr) : "",
                         oserr ? ": " : "", net_error(d, cc, errbuf));
        s->fix = apr_psprintf(d->p,
                              "is the PBX running and listening on port %u? Check the host and port "
                              "in PbxDialServer (--server), and that no firewall rejects this server",
                              t->port);
        break;
    }
}

void pbxdial_doctor_net_connect(doctor_t *d, doctor_step_t *s)
{
    char errbuf[CURL_ERROR_SIZE];
    net_target_t t;
    apr_time_t start = apr_time_now();
    CURLcode cc;
    CURL *h;
    char *ip = NULL;

    net_target(d, &t);
    /* plain http to the same host and port: a TCP connect and nothing else */
    h = net_handle(d, apr_psprintf(d->p, "http://%s/", t.hostport), 0, 0, errbuf);
    if (!h) {
        s->verdict = DOCTOR_FAIL;
        s->detail = "could not make a curl handle";
        s->fix = "out of memory?";
        return;
    }
    cc = curl_easy_perform(h);
    s->elapsed = apr_time_now() - start;
    if (cc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip);
        s->verdict = DOCTOR_OK;
        s->detail = apr_psprintf(d->p, "TCP connection to %s (address %s)", t.hostport, ip ? ip : "?");
    }
    else {
        net_fail_connect(d, s, &t, h, cc, errbuf);
    }
    curl_easy_cleanup(h);
}

/* "Subject: ..., issued by ..., valid until ..." of the peer's certificate. */
static const char *net_cert(doctor_t *d, CURL *h)
{
    struct curl_certinfo *ci = NULL;
    struct curl_slist *l;
    const char *subject = "?", *issuer = "?", *until = "?", *san = NULL;

    if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
        return "certificate details not available";
    for (l = ci->certinfo[0]; l; l = l->next) {
        if (!strncmp(l->data, "Subject:", 8))
            subject = l->data + 8;
        else if (!strncmp(l->data, "Issuer:", 7))
            issuer = l->data + 7;
        else if (!strncmp(l->data, "Expire date:", 12))
            until = l->data + 12;
        else if (!strncmp(l->data, "X509v3 Subject Alternative Name:", 32))
            san = l->data + 32;
    }
    return apr_psprintf(d->p, "certificate \"%s\"%s%s, issued by \"%s\", valid until %s (%d in the chain)",
                        subject, san ? " for " : "", san ? san : "", issuer, until, ci->num_of_certs);
}

/* The protocol version the handshake settled on: curl keeps no SSL pointer
 * for a connect-only handle, so OpenSSL tells us when the handshake ends
 * (a static: the doctor runs one handshake at a time). */
static const char *net_tls_last = "TLS";

static void net_tls_info(const SSL *ssl, int where, int ret)
{
    if (where & SSL_CB_HANDSHAKE_DONE)
        net_tls_last = SSL_get_version(ssl);
}

static CURLcode net_tls_ctx(CURL *h, void *ctx, void *baton)
{
    SSL_CTX_set_info_callback((SSL_CTX *)ctx, net_tls_info);
    return CURLE_OK;
}

static const char *net_tls_version(CURL *h)
{
    return net_tls_last;
}

/* Whether a probe ended before the certificate could be judged: no answer,
 * or the connection closed or reset during the handshake (OpenSSL reports
 * that as a failed SSL_connect with no TLS alert behind it). */
static int net_tls_dropped(CURLcode cc, const char *err)
{
    return cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_COULDNT_CONNECT || cc == CURLE_RECV_ERROR
           || cc == CURLE_SEND_ERROR || cc == CURLE_GOT_NOTHING
           || (cc == CURLE_SSL_CONNECT_ERROR
               && (strstr(err, "SSL_ERROR_SYSCALL") || strstr(err, "reset by peer")
                   || strstr(err, "unexpected eof")));
}

/* Connects with the given verification; the handle stays open for inspection. */
static CURLcode net_tls_probe(doctor_t *d, net_target_t *t, int peer, int host, CURL **hp, char *errbuf)
{
    CURL *h = net_handle(d, apr_psprintf(d->p, "https://%s/", t->hostport), peer, host, errbuf);

    *hp = h;
    if (!h)
        return CURLE_OUT_OF_MEMORY;
    net_tls_last = "TLS";
    curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, net_tls_ctx);
    return curl_easy_perform(h);
}

void pbxdial_doctor_net_tls(doctor_t *d, doctor_step_t *s)
{
    char errbuf[CURL_ERROR_SIZE], err2[CURL_ERROR_SIZE];
    net_target_t t;
    apr_time_t start = apr_time_now();
    const char *trust =
        d->ca_file ? apr_psprintf(d->p, "the CA file %s", d->ca_file) : "the system's CA bundle";
    CURL *h, *h2;
    CURLcode cc, cc2;

    net_target(d, &t);
    if (!t.tls) {
        s->verdict = DOCTOR_SKIP;
        s->detail = "PbxDialServer is http://: no TLS (the admin password crosses the network in clear)";
        return;
    }
    /* as the module connects: verified unless PbxDialVerifyPeer off */
    cc = net_tls_probe(d, &t, !d->insecure, !d->insecure, &h, errbuf);
    s->elapsed = apr_time_now() - start;
    if (cc == CURLE_OK) {
        s->verdict = DOCTOR_OK;
        s->detail = apr_psprintf(d->p, "%s, %s; %s", net_tls_version(h), net_cert(d, h),
                                 d->insecure ? "NOT verified (--insecure)"
                                             : apr_psprintf(d->p, "chain and name verified with %s", trust));
        if (d->insecure) {
            /* say what verification would say, so the admin knows what to fix */
            cc2 = net_tls_probe(d, &t, 1, 1, &h2, err2);
            s->note = cc2 == CURLE_OK
                          ? "the certificate would pass verification: drop --insecure (PbxDialVerifyPeer off)"
                          : apr_psprintf(d->p, "verification would fail: %s", net_error(d, cc2, err2));
            if (h2)
                curl_easy_cleanup(h2);
        }
        curl_easy_cleanup(h);
        return;
    }
    if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_OPERATION_TIMEDOUT) {
        net_fail_connect(d, s, &t, h, cc, errbuf);
        curl_easy_cleanup(h);
        return;
    }
    curl_easy_cleanup(h);
    s->verdict = DOCTOR_FAIL;

    /* which part failed: the handshake itself, the chain, or the name */
    cc2 = net_tls_probe(d, &t, 0, 0, &h2, err2);
    if (cc2 != CURLE_OK) {
        s->detail = apr_psprintf(d->p, "handshake: %s", net_error(d, cc2, err2));
        s->fix = apr_psprintf(d->p,
                              "does port %u speak TLS? A plain-HTTP port needs http:// in "
                              "PbxDialServer; otherwise the PBX and this OpenSSL share no protocol "
                              "version or cipher (check the PBX's TLS settings)",
                              t.port);
        if (h2)
            curl_easy_cleanup(h2);
        return;
    }
    {
        const char *cert = net_cert(d, h2);
        CURL *h3;
        CURLcode cc3 = net_tls_probe(d, &t, 1, 0, &h3, err2);

        if (h3)
            curl_easy_cleanup(h3);
        if (net_tls_dropped(cc3, err2)) {
            /* the verifying probe never got as far as the certificate: no
             * verdict on chain or name can be drawn from it */
            s->detail =
                apr_psprintf(d->p, "handshake: the PBX did not complete a second TLS connection: %s; %s",
                             net_error(d, cc3, err2), cert);
            s->fix =
                "the PBX (or a firewall or proxy in front of it) accepts only some connections; try again, "
                "and check its connection limits";
        }
        else if (cc3 != CURLE_OK && strstr(err2, "expired")) {
            s->detail = apr_psprintf(d->p, "certificate: expired: %s; %s", net_error(d, cc3, err2), cert);
            s->fix = "renew the PBX's certificate (Vodia: Settings > Certificates, or Let's Encrypt)";
        }
        else if (cc3 != CURLE_OK) {
            s->detail =
                apr_psprintf(d->p, "chain: not trusted by %s: %s; %s", trust, net_error(d, cc3, err2), cert);
            s->fix =
                d->ca_file
                    ? "the CA file does not hold the CA that signed the PBX certificate (or the PBX does not "
                      "send its intermediate certificates); give the right PEM with --ca (PbxDialCAFile)"
                    : "give the PEM of the CA that signed the PBX certificate with --ca (PbxDialCAFile), or "
                      "have the PBX send its full chain; --insecure (PbxDialVerifyPeer off) only for a test";
        }
        else {
            s->detail = apr_psprintf(d->p, "name: the certificate does not name %s: %s; %s", t.host,
                                     net_error(d, cc, errbuf), cert);
            s->fix = "write a host name in PbxDialServer (--server) that the certificate names, or get "
                     "the PBX a certificate for this name";
        }
        curl_easy_cleanup(h2);
    }
}

/* ----------------------------------------------------------- websocket */

static int net_wait(curl_socket_t fd, short events, apr_time_t deadline)
{
    struct pollfd pfd;
    apr_interval_time_t left = deadline - apr_time_now();

    if (left <= 0)
        return 0;
    pfd.fd = fd;
    pfd.events = events;
    pfd.revents = 0;
    return poll(&pfd, 1, (int)(apr_time_as_msec(left) + 1)) > 0;
}

static CURLcode net_send_all(CURL *h, curl_socket_t fd, const char *buf, apr_size_t len, apr_time_t deadline)
{
    while (len) {
        size_t n = 0;
        CURLcode cc = curl_easy_send(h, buf, len, &n);
        if (cc == CURLE_AGAIN) {
            if (!net_wait(fd, POLLOUT, deadline))
                return CURLE_OPERATION_TIMEDOUT;
            continue;
        }
        if (cc != CURLE_OK)
            return cc;
        buf += n;
        len -= n;
    }
    return CURLE_OK;
}

/* Reads until the end of the response head; *closed when the peer closed first. */
static CURLcode net_read_head(CURL *h, curl_socket_t fd, char *buf, apr_size_t cap, apr_size_t *len,
                              int *closed, apr_time_t deadline)
{
    *len = 0;
    *closed = 0;
    while (*len < cap - 1) {
        size_t n = 0;
        CURLcode cc = curl_easy_recv(h, buf + *len, cap - 1 - *len, &n);
        if (cc == CURLE_AGAIN) {
            if (!net_wait(fd, POLLIN, deadline))
                return CURLE_OPERATION_TIMEDOUT;
            continue;
        }
        if (cc != CURLE_OK)
            return cc;
        if (n == 0) {
            *closed = 1;
            break;
        }
        *len += n;
        buf[*len] = '\0';
        if (strstr(buf, "\r\n\r\n"))
            break;
    }
    buf[*len] = '\0';
    return CURLE_OK;
}

/* Value of header name (lower case, with the colon) in a response head. */
static const char *net_header(apr_pool_t *p, const char *head, const char *name)
{
    const char *l = strstr(head, "\r\n");
    apr_size_t nl = strlen(name);

    while (l && l[2] && !(l[2] == '\r' && l[3] == '\n')) {
        const char *line = l + 2, *end = strstr(line, "\r\n");
        if (!end)
            break;
        if (!strncasecmp(line, name, nl)) {
            const char *v = line + nl;
            while (*v == ' ' || *v == '\t')
                v++;
            return apr_pstrmemdup(p, v, end - v);
        }
        l = end;
    }
    return NULL;
}

static const char *net_ws_accept(apr_pool_t *p, const char *key)
{
    apr_sha1_ctx_t ctx;
    unsigned char digest[APR_SHA1_DIGESTSIZE];
    char *out = apr_palloc(p, apr_base64_encode_len(APR_SHA1_DIGESTSIZE));

    apr_sha1_init(&ctx);
    apr_sha1_update(&ctx, key, strlen(key));
    apr_sha1_update(&ctx, WS_GUID, strlen(WS_GUID));
    apr_sha1_final(digest, &ctx);
    apr_base64_encode(out, (const char *)digest, APR_SHA1_DIGESTSIZE);
    return out;
}

static void net_ws_judge(doctor_t *d, doctor_step_t *s, const char *head, const char *key)
{
    long status = 0;
    const char *accept;

    if (sscanf(head, "HTTP/%*s %ld", &status) != 1) {
        s->verdict = DOCTOR_FAIL;
        s->detail = "the answer to the upgrade is not HTTP";
        s->fix = "is --server the PBX? Something else answers on this port";
        return;
    }
    s->status = status;
    if (status == 101) {
        accept = net_header(d->p, head, "sec-websocket-accept:");
        if (accept && !strcmp(accept, net_ws_accept(d->p, key))) {
            s->verdict = DOCTOR_OK;
            s->detail = "101 Switching Protocols with the right Sec-WebSocket-Accept: the PBX took the "
                        "session for the websocket";
            return;
        }
        s->verdict = DOCTOR_FAIL;
        s->detail = accept ? "101 with a wrong Sec-WebSocket-Accept" : "101 without Sec-WebSocket-Accept";
        s->fix = "a proxy between this server and the PBX answers the upgrade itself; let it pass "
                 "websockets through to the PBX unchanged";
        return;
    }
    s->verdict = DOCTOR_FAIL;
    switch (status) {
    case 401:
    case 403:
        s->detail = apr_psprintf(d->p, "the PBX refused the websocket with the fresh session (%ld)", status);
        s->fix = apr_psprintf(d->p,
                              "the PBX must accept the session cookie for user=%s&domain=%s; a proxy in "
                              "front of the PBX must pass the Cookie header; otherwise keep "
                              "PbxDialWebSocket off (calls still work through remote_call.htm)",
                              d->ext, d->domain);
        break;
    case 400:
        s->detail = "the PBX answered 400: it saw a plain GET, not an upgrade";
        s->fix = "a proxy in front of the PBX drops the Upgrade and Connection headers; let it pass "
                 "websockets (e.g. nginx: proxy_set_header Upgrade/Connection)";
        break;
    case 404:
        s->detail = "the PBX has no websocket at /websocket (404)";
        s->fix =
            "an older PBX firmware? Keep PbxDialWebSocket off (calls still work through remote_call.htm)";
        break;
    default:
        s->detail = apr_psprintf(d->p, "the PBX answered %ld to the websocket upgrade", status);
        s->fix = status >= 500 ? "the PBX failed: look at its own log; it may be starting up or overloaded"
                               : "keep PbxDialWebSocket off until the PBX accepts the upgrade";
        break;
    }
}

void pbxdial_doctor_net_websocket(doctor_t *d, doctor_step_t *s)
{
    char errbuf[CURL_ERROR_SIZE];
    char head[WS_HEAD_MAX];
    unsigned char rnd[16], mask[4];
    char key[32];
    net_target_t t;
    apr_time_t start = apr_time_now(), deadline = start + d->timeout;
    apr_size_t len = 0;
    curl_socket_t fd = CURL_SOCKET_BAD;
    const char *req;
    int closed = 0;
    CURLcode cc;
    CURL *h;

    net_target(d, &t);
    s->exchange = "GET /websocket (upgrade)";
    apr_generate_random_bytes(rnd, sizeof(rnd));
    apr_generate_random_bytes(mask, sizeof(mask));
    apr_base64_encode(key, (const char *)rnd, sizeof(rnd));
    req = apr_psprintf(d->p,
                       "GET %s/websocket?domain=%s&user=%s HTTP/1.1\r\n"
                       "Host: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                       "Cookie: session=%s\r\nUser-Agent: pbxdial-doctor/" PBXDIAL_VERSION "\r\n\r\n",
                       t.prefix, d->domain, d->ext, t.hostport, key, d->session);
    h = net_handle(d, apr_psprintf(d->p, "%s://%s/", t.scheme, t.hostport), !d->insecure, !d->insecure,
                   errbuf);
    if (!h) {
        s->verdict = DOCTOR_FAIL;
        s->detail = "could not make a curl handle";
        s->fix = "out of memory?";
        return;
    }
    cc = curl_easy_perform(h);
    if (cc == CURLE_OK)
        cc = curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &fd);
    if (cc == CURLE_OK)
        cc = net_send_all(h, fd, req, strlen(req), deadline);
    if (cc == CURLE_OK)
        cc = net_read_head(h, fd, head, sizeof(head), &len, &closed, deadline);
    s->elapsed = apr_time_now() - start;
    if (cc == CURLE_OPERATION_TIMEDOUT) {
        s->verdict = DOCTOR_FAIL;
        s->detail = apr_psprintf(d->p, "no answer to the websocket upgrade within %s", net_seconds(d));
        s->fix =
            "a proxy in front of the PBX may hold upgrades; raise --timeout to see whether the PBX is slow";
    }
    else if (cc != CURLE_OK) {
        s->verdict = DOCTOR_FAIL;
        s->detail = apr_psprintf(d->p, "the websocket upgrade failed: %s", net_error(d, cc, errbuf));
        s->fix = "the steps before reached the PBX: something refuses long-lived connections "
                 "(a proxy or firewall in front of the PBX)";
    }
    else if (len == 0 || !strstr(head, "\r\n\r\n")) {
        s->verdict = DOCTOR_FAIL;
        s->detail = len == 0 ? "the PBX closed the connection without answering the websocket upgrade"
                             : "the PBX closed the connection in the middle of its answer";
        s->fix = "a proxy or firewall in front of the PBX refuses websocket upgrades; let it pass them, "
                 "or keep PbxDialWebSocket off (calls still work through remote_call.htm)";
    }
    else {
        net_ws_judge(d, s, head, key);
        if (s->status == 101) {
            /* leave as RFC 6455 asks: a close frame (masked: we are the client) */
            apr_size_t flen;
            char *frame = pbxdial_wsframe_build(d->p, PBXDIAL_WS_CLOSE, "\x03\xe8", 2, mask, &flen);
            if (frame
                && net_send_all(h, fd, frame, flen, apr_time_now() + apr_time_from_sec(1)) == CURLE_OK) {
                char junk[256];
                apr_time_t until = apr_time_now() + apr_time_from_msec(500);
                size_t n;
                /* the PBX's close frame, briefly: it may wait for ours before closing */
                while (curl_easy_recv(h, junk, sizeof(junk), &n) == CURLE_AGAIN
                       && net_wait(fd, POLLIN, until))
                    ;
            }
        }
    }
    memset(head, 0, sizeof(head));
    curl_easy_cleanup(h);
}
