/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* RFC 6455 frames of the same-origin websocket. Pure: APR only.
 *
 * The parser reads what a browser sends (client to server: every frame
 * masked), fed in chunks cut anywhere, and hands back whole text messages
 * and control frames together with the bytes they arrived as, so a frame
 * the policy accepts goes on to the PBX exactly as the browser sent it.
 * The walker follows the PBX's frames towards the browser only far enough
 * to know where a frame of our own may be put in. The builders make frames. */
#ifndef PBXDIAL_WSFRAME_H
#define PBXDIAL_WSFRAME_H

#include <apr_pools.h>

#define PBXDIAL_WS_CONT   0x0
#define PBXDIAL_WS_TEXT   0x1
#define PBXDIAL_WS_BINARY 0x2
#define PBXDIAL_WS_CLOSE  0x8
#define PBXDIAL_WS_PING   0x9
#define PBXDIAL_WS_PONG   0xA

/* close codes (RFC 6455 7.4.1) */
#define PBXDIAL_WS_NORMAL         1000
#define PBXDIAL_WS_PROTOCOL_ERROR 1002
#define PBXDIAL_WS_UNSUPPORTED    1003
#define PBXDIAL_WS_BAD_DATA       1007
#define PBXDIAL_WS_POLICY         1008
#define PBXDIAL_WS_TOO_BIG        1009

#define PBXDIAL_WS_CONTROL_MAX 125

typedef enum {
    PBXDIAL_WSFRAME_MORE = 0, /* everything given was used; nothing complete yet */
    PBXDIAL_WSFRAME_MESSAGE,  /* a whole text message (one frame or several) */
    PBXDIAL_WSFRAME_CONTROL,  /* a close, ping or pong frame */
    PBXDIAL_WSFRAME_ERROR     /* the browser broke the protocol: close with ev->code */
} pbxdial_wsframe_e;

typedef struct {
    int opcode;          /* TEXT for a message, else CLOSE/PING/PONG */
    const char *payload; /* unmasked, NUL-terminated (a NUL inside is possible for controls) */
    apr_size_t len;
    const char *raw; /* the frame(s) as received, masking included */
    apr_size_t raw_len;
    int code;           /* ERROR: the close code to send */
    const char *reason; /* ERROR: why, static text fit for a log and a close frame */
} pbxdial_wsframe_event_t;

typedef struct pbxdial_wsframe_parser_t pbxdial_wsframe_parser_t;

/* A parser for one connection, allocated in p (its buffers grow in p up to
 * about three times max_message, and are reused). max_message bounds the
 * payload of a text message, fragments together; a frame that would pass it
 * is refused from its header (1009), before any byte of it is buffered. */
pbxdial_wsframe_parser_t *pbxdial_wsframe_parser_make(apr_pool_t *p, apr_size_t max_message);

/* Reads data[0..len) up to the end of the next complete message or control
 * frame; *used is how many bytes were taken (call again with the rest).
 * An event's pointers stay valid until the next call. Rules (each an ERROR
 * with the code in brackets): frames must be masked, RSV bits 0 (no
 * extension is ever negotiated), lengths minimally encoded and under 2^63
 * [1002]; opcodes 0, 1, 8, 9, 10 only [1002], binary [1003]; control frames
 * unfragmented and <= 125 bytes, a close frame's code valid and its reason
 * UTF-8 [1002/1007]; continuation only inside a fragmented message and no
 * new message inside one [1002]; a message's text UTF-8 [1007]; its payload
 * at most max_message and its frames' bytes at most 2 * max_message + 1024
 * (empty fragments cost too) [1009]. Control frames between fragments are
 * handed out at once. After an ERROR the parser only repeats it; after a
 * close frame it swallows whatever follows (nothing may). */
pbxdial_wsframe_e pbxdial_wsframe_feed(pbxdial_wsframe_parser_t *ps, const char *data, apr_size_t len,
                                       apr_size_t *used, pbxdial_wsframe_event_t *ev);

/* A frame of opcode with FIN set: masked with mask[4] when mask is not NULL
 * (client to server), else unmasked (server to client). */
char *pbxdial_wsframe_build(apr_pool_t *p, int opcode, const char *payload, apr_size_t len,
                            const unsigned char *mask, apr_size_t *out_len);

/* An unmasked close frame: code, then reason cut to fit 125 bytes without
 * splitting a UTF-8 sequence. */
char *pbxdial_wsframe_close(apr_pool_t *p, int code, const char *reason, apr_size_t *out_len);

/* Non-zero when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or
 * code points above U+10FFFF). */
int pbxdial_wsframe_utf8(const char *s, apr_size_t n);

/* Where the server's stream may take a frame of ours: between two frames and
 * outside a fragmented message. Zero-initialise it. */
typedef struct {
    unsigned char hdr[14];
    unsigned hlen;     /* header bytes seen of the current frame */
    apr_uint64_t left; /* payload bytes still to come */
    int in_payload;
    int fragmented; /* inside a data message whose last frame has not come */
    int fin;
    int closed; /* a close frame went by: nothing may follow */
} pbxdial_wsframe_walk_t;

/* Goes through data[0..len), stopping right after the first frame that
 * ends in it. Returns the bytes gone through; *boundary is set when they end
 * exactly where a frame of ours may go. */
apr_size_t pbxdial_wsframe_walk(pbxdial_wsframe_walk_t *w, const char *data, apr_size_t len, int *boundary);

#endif
