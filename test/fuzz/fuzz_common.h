/* Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers of the libFuzzer targets (test/fuzz/fuzz_*.c).
 *
 * Every input gets its own APR pool, on its own allocator, destroyed after
 * the input, so memory kept past an input is a leak LeakSanitizer reports.
 * While an input runs, apr_palloc() on that pool is interposed (fuzz_common.c):
 * every allocation is a separate malloc() block, so AddressSanitizer sees
 * an overflow of a pool buffer by a single byte, which it cannot inside
 * APR's 8 KB pool blocks. */
#ifndef PBXDIAL_FUZZ_COMMON_H
#define PBXDIAL_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <apr_pools.h>

/* apr_initialize() once; call from LLVMFuzzerInitialize. Returns a pool
 * that lives for the whole run (for things compiled once). */
apr_pool_t *fuzz_init(void);

/* A fresh pool for one input, and its end (destroys it and frees every
 * interposed allocation). */
apr_pool_t *fuzz_pool_begin(void);
void fuzz_pool_end(apr_pool_t *p);

/* A NUL-terminated copy of data[0..n) in p, cut at the first NUL byte. */
char *fuzz_cstr(apr_pool_t *p, const uint8_t *data, size_t n);

/* Splits data[0..n) at sep into at most max fields (NUL-terminated copies
 * in p); a field that contains a NUL byte is cut there. Fields beyond the
 * input are NULL. Returns the number of fields present. */
int fuzz_fields(apr_pool_t *p, const uint8_t *data, size_t n, char sep, char **out, int max);

/* A failed invariant: prints what and where, then abort()s, which
 * libFuzzer reports as a crash and saves the input. */
#define FUZZ_CHECK(cond, ...)                                                                                \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "\n==FUZZ== invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);        \
            fprintf(stderr, "==FUZZ== " __VA_ARGS__);                                                        \
            fputc('\n', stderr);                                                                             \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

/* Helpers for the invariants. */
int fuzz_printable_ascii(const char *s);           /* only 0x20..0x7e */
int fuzz_names_user_ok(const char *s);             /* ext or ext@domain, by the documented rule */
int fuzz_utf8_ok(const char *s);                   /* strict UTF-8 as jansson accepts it */
char *fuzz_escape_c(apr_pool_t *p, const char *s); /* for messages: C-escaped copy */

#endif
