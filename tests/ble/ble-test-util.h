/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers of the tests/ble/ tests: hex, and deterministic random sources
 * for the injected ble_random_fn.  Header-only (static inline): each test
 * is one file. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int hex_nibble(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Hex (the vectors' form) to bytes; the length must match exactly. */
static inline void unhex(const char *hex, uint8_t *out, size_t n) {
        assert_int_equal(strlen(hex), 2 * n);
        for (size_t i = 0; i < n; i++) {
                int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);

                assert_true(hi >= 0 && lo >= 0);
                out[i] = (uint8_t)(hi << 4 | lo);
        }
}

static inline void tohex(const uint8_t *p, size_t n, char *out) {
        for (size_t i = 0; i < n; i++)
                sprintf(out + 2 * i, "%02x", p[i]);
        out[2 * n] = 0;
}

/* Bytes against a hex vector, printed both ways when they differ. */
#define assert_hex_equal(p, n, hex)                                                                         \
        do {                                                                                                \
                size_t _n = (n);                                                                            \
                char *_h = malloc(2 * _n + 1);                                                              \
                assert_non_null(_h);                                                                        \
                tohex((p), _n, _h);                                                                         \
                assert_string_equal(_h, (hex));                                                             \
                free(_h);                                                                                   \
        } while (0)
#define assert_hex_not_equal(p, n, hex)                                                                     \
        do {                                                                                                \
                size_t _n = (n);                                                                            \
                char *_h = malloc(2 * _n + 1);                                                              \
                assert_non_null(_h);                                                                        \
                tohex((p), _n, _h);                                                                         \
                assert_string_not_equal(_h, (hex));                                                         \
                free(_h);                                                                                   \
        } while (0)

/* A deterministic source: xorshift64* from seed; or only zeros; or a
 * script of bytes (then the seed's stream after it); fail_after > 0 makes
 * the call after that many fail, and fail makes every call fail. */
struct test_rand {
        uint64_t seed;
        bool zeros;
        const uint8_t *script;
        size_t script_len, pos;
        unsigned calls, fail_after;
        bool fail;
};

static inline int test_rand_fill(void *userdata, void *buf, size_t n) {
        struct test_rand *r = userdata;
        uint8_t *p = buf;

        r->calls++;
        if (r->fail || (r->fail_after > 0 && r->calls > r->fail_after))
                return -5; /* -EIO */
        for (size_t i = 0; i < n; i++) {
                if (r->zeros) {
                        p[i] = 0;
                        continue;
                }
                if (r->script && r->pos < r->script_len) {
                        p[i] = r->script[r->pos++];
                        continue;
                }
                r->seed ^= r->seed >> 12;
                r->seed ^= r->seed << 25;
                r->seed ^= r->seed >> 27;
                if (r->seed == 0)
                        r->seed = 0x9e3779b97f4a7c15ull;
                p[i] = (uint8_t)((r->seed * 0x2545f4914f6cdd1dull) >> 56);
        }
        return 0;
}
