/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* What the same-origin websocket's inspection costs per browser message:
 * the frame parser (unmasking, UTF-8, framing rules) and the message policy
 * (strict JSON, number normalisation, PbxDialDeny/Allow) on the messages a
 * click and an idle page send, against a plain copy of the same bytes
 * (what mod_proxy_wstunnel does with them). CPU time of this process, so
 * other work on the machine does not count; a figure, never a test.
 *
 *   test/bench/frames/run [ROUNDS]   (builds it; default 200000 rounds) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "core/wsframe.h"
#include "core/wspolicy.h"

static double cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

typedef struct {
    const char *name;
    const char *text;
} sample_t;

int main(int argc, char **argv)
{
    static const sample_t samples[] = {
        {"make-call (a click)", "{\"action\":\"make-call\",\"to\":\"+1 (212) 555-0143\"}"},
        {"clear-call (Cancel)", "{\"action\":\"clear-call\",\"id\":\"b1f7c3e2-40\"}"},
        {"avoid-disconnect (idle)", "{\"action\":\"avoid-disconnect\"}"},
        {"make-call, denied", "{\"action\":\"make-call\",\"to\":\"0900 123 456\"}"},
    };
    static const unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    long rounds = argc > 1 ? atol(argv[1]) : 200000, i;
    apr_pool_t *p, *tp;
    pbxdial_policy_t *deny = NULL;
    const pbxdial_policy_t *dv[1];
    volatile unsigned sink = 0;
    size_t k;

    if (rounds < 1)
        rounds = 1;
    apr_initialize();
    apr_pool_create(&p, NULL);
    apr_pool_create(&tp, p);
    if (pbxdial_policy_add(p, &deny, 1, "^0900"))
        return 1;
    dv[0] = deny;
    printf("%-26s %8s %12s %12s %8s\n", "browser message", "bytes", "inspect ns", "copy ns", "ratio");
    for (k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
        apr_size_t flen, used;
        const char *frame =
            pbxdial_wsframe_build(p, PBXDIAL_WS_TEXT, samples[k].text, strlen(samples[k].text), mask, &flen);
        char *copy = apr_palloc(p, flen);
        double t0, inspect, plain;

        /* the module's path: a parser per connection (made once), a
         * decision per message, a request-lifetime pool cleared as the
         * filter clears its own */
        pbxdial_wsframe_parser_t *ps = pbxdial_wsframe_parser_make(p, 64 * 1024);
        t0 = cpu_ns();
        for (i = 0; i < rounds; i++) {
            pbxdial_wsframe_event_t ev;
            pbxdial_wspolicy_t out;

            if (pbxdial_wsframe_feed(ps, frame, flen, &used, &ev) != PBXDIAL_WSFRAME_MESSAGE)
                return 1;
            sink += pbxdial_wspolicy_decide(tp, ev.payload, ev.len, dv, 1, NULL, &out);
            apr_pool_clear(tp);
        }
        inspect = (cpu_ns() - t0) / rounds;
        /* the tunnel's path: the bytes go through untouched */
        t0 = cpu_ns();
        for (i = 0; i < rounds; i++) {
            memcpy(copy, frame, flen);
            sink += (unsigned char)copy[i % flen];
        }
        plain = (cpu_ns() - t0) / rounds;
        printf("%-26s %8lu %12.0f %12.1f %7.0fx\n", samples[k].name, (unsigned long)flen, inspect, plain,
               plain > 0 ? inspect / plain : 0);
    }
    printf("(CPU ns per message, %ld rounds each; a click sends one make-call)\n", rounds);
    apr_pool_destroy(p);
    apr_terminate();
    return sink == 42 ? 2 : 0;
}
