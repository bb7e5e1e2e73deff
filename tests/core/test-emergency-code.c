/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "emergency-code.h"
#include "macro.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SEC ((int64_t)1000000)
#define W DL_EC_WINDOW_USEC
#define TOL DL_EC_TOLERANCE_USEC

/* bytes 0x00..0x1f */
static const uint8_t SECRET_A[DL_EC_SECRET_SIZE] = {
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
static const char SECRET_A_BASE32[] = "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ";

/* SHA-256("doorlockd test") */
static const uint8_t SECRET_B[DL_EC_SECRET_SIZE] = {
        0xe0, 0x33, 0xfd, 0x9f, 0xaf, 0x79, 0x79, 0x54, 0x56, 0x2e, 0xa3, 0xff, 0x50, 0xf0, 0x6f, 0xeb,
        0x90, 0xc0, 0x7d, 0xd9, 0xc1, 0x4a, 0x15, 0x9a, 0xc2, 0x27, 0x45, 0x0e, 0x7b, 0x30, 0xab, 0x47,
};
static const char SECRET_B_BASE32[] = "4AZ73H5PPF4VIVROUP7VB4DP5OIMA7OZYFFBLGWCE5CQ46ZQVNDQ";

/* The window of 2026-11-25 12:00 UTC (it starts exactly then). */
#define W_2026 124695

/* From tools/ec-vectors.py (Python's hmac and hashlib, its own truncation);
 * the same table is in docs/emergency-codes.md. */
static const struct vector {
        const uint8_t *secret;
        uint32_t issuer;
        unsigned slot;
        int64_t window;
        const char *code;
} vectors[] = {
        { .secret = SECRET_A, .issuer = 0u, .window = 0, .slot = 0, .code = "87146082" },       /* 1 */
        { .secret = SECRET_A, .issuer = 0u, .window = 1, .slot = 1, .code = "09694982" },       /* 2 */
        { .secret = SECRET_A, .issuer = 1u, .window = 123456, .slot = 15, .code = "77336626" }, /* 3 */
        { .secret = SECRET_A,
          .issuer = 4294967295u,
          .window = W_2026,
          .slot = 0,
          .code = "20640638" },                                                                    /* 4 */
        { .secret = SECRET_A, .issuer = 0u, .window = W_2026, .slot = 15, .code = "13995661" },    /* 5 */
        { .secret = SECRET_B, .issuer = 0u, .window = W_2026, .slot = 0, .code = "48331781" },     /* 6 */
        { .secret = SECRET_B, .issuer = 1u, .window = 0, .slot = 15, .code = "28777361" },         /* 7 */
        { .secret = SECRET_B, .issuer = 4294967295u, .window = 1, .slot = 1, .code = "93502477" }, /* 8 */
        { .secret = SECRET_B, .issuer = 1u, .window = W_2026, .slot = 1, .code = "68126285" },     /* 9 */
        { .secret = SECRET_B,
          .issuer = 4294967295u,
          .window = 123456,
          .slot = 0,
          .code = "25761320" },                                                                 /* 10 */
        { .secret = SECRET_A, .issuer = 1u, .window = W_2026, .slot = 15, .code = "06023697" }, /* 11 */
};

static const char FIXED[] = "&algorithm=SHA256&digits=8&period=14400&slots=16";

/* ---- codes ---- */

static void test_vectors(void **state) {
        bool leading_zero = false;

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                const struct vector *v = &vectors[i];
                char code[DL_EC_DIGITS + 1];

                memset(code, 'x', sizeof(code));
                assert_int_equal(dl_ec_code(v->secret, v->issuer, v->window, v->slot, code), 0);
                assert_string_equal(code, v->code);
                leading_zero = leading_zero || code[0] == '0';
        }
        assert_true(leading_zero);
}

static void test_vector_2026_from_time(void **state) {
        char code[DL_EC_DIGITS + 1];
        int64_t t = utc_usec(2026, 11, 25, 12, 0, 0);

        (void)state;
        assert_int_equal(dl_ec_window(t), W_2026);
        /* The whole window gives the same code; the next µs does not. */
        assert_int_equal(dl_ec_code(SECRET_B, 0, dl_ec_window(t + W - 1), 0, code), 0);
        assert_string_equal(code, "48331781");
        assert_int_equal(dl_ec_code(SECRET_B, 0, dl_ec_window(t + W), 0, code), 0);
        assert_string_not_equal(code, "48331781");
        assert_int_equal(dl_ec_valid_until(W_2026), utc_usec(2026, 11, 25, 20, 0, 0));
}

static void test_codes_are_8_digits(void **state) {
        (void)state;
        for (int64_t window = 0; window < 2000; window += 37)
                for (unsigned slot = 0; slot < DL_EC_SLOTS; slot++) {
                        char code[DL_EC_DIGITS + 2];

                        memset(code, 'x', sizeof(code));
                        assert_int_equal(dl_ec_code(SECRET_B, (uint32_t)window * 7, window, slot, code), 0);
                        assert_int_equal(strlen(code), DL_EC_DIGITS);
                        for (size_t i = 0; i < DL_EC_DIGITS; i++)
                                assert_true(code[i] >= '0' && code[i] <= '9');
                        /* Nothing written past the NUL. */
                        assert_int_equal(code[DL_EC_DIGITS + 1], 'x');
                }
}

static void test_code_inputs_matter(void **state) {
        char base[DL_EC_DIGITS + 1], code[DL_EC_DIGITS + 1];
        uint8_t other[DL_EC_SECRET_SIZE];

        (void)state;
        assert_int_equal(dl_ec_code(SECRET_A, 5, 1000, 3, base), 0);
        assert_int_equal(dl_ec_code(SECRET_A, 6, 1000, 3, code), 0);
        assert_string_not_equal(base, code);
        assert_int_equal(dl_ec_code(SECRET_A, 5, 1001, 3, code), 0);
        assert_string_not_equal(base, code);
        assert_int_equal(dl_ec_code(SECRET_A, 5, 1000, 4, code), 0);
        assert_string_not_equal(base, code);
        memcpy(other, SECRET_A, sizeof(other));
        other[31] ^= 0x01;
        assert_int_equal(dl_ec_code(other, 5, 1000, 3, code), 0);
        assert_string_not_equal(base, code);
        /* Deterministic. */
        assert_int_equal(dl_ec_code(SECRET_A, 5, 1000, 3, code), 0);
        assert_string_equal(base, code);
}

static void test_code_refusals(void **state) {
        char code[DL_EC_DIGITS + 1];

        (void)state;
        assert_int_equal(dl_ec_code(SECRET_A, 0, 0, DL_EC_SLOTS, code), -EINVAL);
        assert_int_equal(dl_ec_code(SECRET_A, 0, 0, 1000, code), -EINVAL);
        assert_int_equal(dl_ec_code(SECRET_A, 0, -1, 0, code), -EINVAL);
        assert_int_equal(dl_ec_code(SECRET_A, 0, INT64_MIN, 0, code), -EINVAL);
        assert_int_equal(dl_ec_code(NULL, 0, 0, 0, code), -EINVAL);
        assert_int_equal(dl_ec_code(SECRET_A, 0, 0, 0, NULL), -EINVAL);
        /* Slot 15 is the last one. */
        assert_int_equal(dl_ec_code(SECRET_A, 0, 0, DL_EC_SLOTS - 1, code), 0);
        /* A window from a time at the end of int64 still works. */
        assert_int_equal(dl_ec_code(SECRET_A, 0, dl_ec_window(INT64_MAX), 0, code), 0);
}

/* ---- windows ---- */

static void test_window_boundaries(void **state) {
        (void)state;
        assert_int_equal(W, (int64_t)(int64_t)4 * 3600 * SEC);
        assert_int_equal(dl_ec_window(0), 0);
        assert_int_equal(dl_ec_window(W - 1), 0);
        assert_int_equal(dl_ec_window(W), 1);
        assert_int_equal(dl_ec_window(2 * W - 1), 1);
        assert_int_equal(dl_ec_window(2 * W), 2);
        assert_int_equal(dl_ec_window(123456 * W), 123456);
        assert_int_equal(dl_ec_window(123456 * W - 1), 123455);
        assert_int_equal(dl_ec_window(utc_usec(2026, 11, 25, 12, 0, 0)), W_2026);
        assert_int_equal(dl_ec_window(utc_usec(2026, 11, 25, 12, 0, 0) - 1), W_2026 - 1);
        assert_int_equal(dl_ec_window(utc_usec(2026, 11, 25, 15, 59, 59)), W_2026);
        assert_int_equal(dl_ec_window(utc_usec(2026, 11, 25, 16, 0, 0)), W_2026 + 1);
        /* Windows start at 00:00, 04:00, ... 20:00 UTC. */
        assert_int_equal(dl_ec_window(utc_usec(2026, 11, 25, 0, 0, 0)), W_2026 - 3);
        assert_int_equal(dl_ec_window(utc_usec(2026, 11, 25, 3, 59, 59)), W_2026 - 3);
        assert_int_equal(dl_ec_window(utc_usec(2026, 11, 25, 4, 0, 0)), W_2026 - 2);
}

static void test_window_negative(void **state) {
        (void)state;
        /* Floor division, not truncation towards zero. */
        assert_int_equal(dl_ec_window(-1), -1);
        assert_int_equal(dl_ec_window(-W), -1);
        assert_int_equal(dl_ec_window(-W - 1), -2);
        assert_true(dl_ec_window(INT64_MIN) < 0);
        assert_true(dl_ec_window(INT64_MAX) > 0);
}

static void test_window_start_and_valid_until(void **state) {
        (void)state;
        assert_int_equal(dl_ec_window_start(0), 0);
        assert_int_equal(dl_ec_window_start(1), W);
        assert_int_equal(dl_ec_window_start(-1), -W);
        assert_int_equal(dl_ec_window_start(W_2026), utc_usec(2026, 11, 25, 12, 0, 0));
        for (int64_t t = 0; t < 3 * W; t += W / 7) {
                int64_t w = dl_ec_window(t);

                assert_true(dl_ec_window_start(w) <= t);
                assert_true(t < dl_ec_window_start(w + 1));
                /* Valid from the start of its window to the end of the next:
                 * 8 h in all, 4 to 8 h from any instant in the window. */
                assert_int_equal(dl_ec_valid_until(w), dl_ec_window_start(w) + 2 * W);
                assert_int_equal(dl_ec_valid_until(w), dl_ec_window_start(w + 2));
        }
        assert_int_equal(dl_ec_valid_until(0), SEC * 8 * 3600);
        assert_int_equal(dl_ec_valid_until(W_2026), utc_usec(2026, 11, 25, 20, 0, 0));
        /* Saturation instead of overflow. */
        assert_int_equal(dl_ec_window_start(INT64_MAX), INT64_MAX);
        assert_int_equal(dl_ec_window_start(INT64_MIN), INT64_MIN);
        assert_int_equal(dl_ec_valid_until(INT64_MAX), INT64_MAX);
        assert_int_equal(dl_ec_valid_until(dl_ec_window(INT64_MAX)), INT64_MAX);
        assert_true(INT64_MAX - dl_ec_window_start(dl_ec_window(INT64_MAX)) < W);
}

/* ---- candidate windows ---- */

static size_t candidates(int64_t now, int64_t out[DL_EC_MAX_CANDIDATE_WINDOWS]) {
        size_t n;

        for (size_t i = 0; i < DL_EC_MAX_CANDIDATE_WINDOWS; i++)
                out[i] = -12345;
        n = dl_ec_candidate_windows(now, out);
        assert_true(n <= DL_EC_MAX_CANDIDATE_WINDOWS);
        for (size_t i = 0; i < n; i++) {
                assert_true(out[i] >= 0);
                if (i > 0) /* newest first */
                        assert_int_equal(out[i], out[i - 1] - 1);
        }
        for (size_t i = n; i < DL_EC_MAX_CANDIDATE_WINDOWS; i++)
                assert_int_equal(out[i], -12345);
        return n;
}

static void test_candidates_middle(void **state) {
        int64_t out[DL_EC_MAX_CANDIDATE_WINDOWS];
        const int64_t w = W_2026, start = w * W;

        (void)state;
        assert_int_equal(candidates(start + W / 2, out), 2);
        assert_int_equal(out[0], w);
        assert_int_equal(out[1], w - 1);
        /* Just outside both tolerances. */
        assert_int_equal(candidates(start + TOL, out), 2);
        assert_int_equal(out[0], w);
        assert_int_equal(candidates(start + W - TOL - 1, out), 2);
        assert_int_equal(out[0], w);
        assert_int_equal(out[1], w - 1);
}

static void test_candidates_end_tolerance(void **state) {
        int64_t out[DL_EC_MAX_CANDIDATE_WINDOWS];
        const int64_t w = W_2026, end = (w + 1) * W;

        (void)state;
        assert_int_equal(TOL, SEC * 5 * 60);
        /* From 5 minutes before the end, a code of the next window (a phone
         * whose clock is ahead) is accepted too. */
        assert_int_equal(candidates(end - TOL, out), 3);
        assert_int_equal(out[0], w + 1);
        assert_int_equal(out[1], w);
        assert_int_equal(out[2], w - 1);
        assert_int_equal(candidates(end - 1, out), 3);
        assert_int_equal(out[0], w + 1);
        /* At the end, w + 1 is current; w - 1 (now two back) is still
         * accepted for 5 more minutes. */
        assert_int_equal(candidates(end, out), 3);
        assert_int_equal(out[0], w + 1);
        assert_int_equal(out[2], w - 1);
}

static void test_candidates_start_tolerance(void **state) {
        int64_t out[DL_EC_MAX_CANDIDATE_WINDOWS];
        const int64_t w = W_2026, start = w * W;

        (void)state;
        /* For 5 minutes after the start, codes of w - 2 (expired at the
         * start by the generator's clock) are still accepted. */
        assert_int_equal(candidates(start, out), 3);
        assert_int_equal(out[0], w);
        assert_int_equal(out[1], w - 1);
        assert_int_equal(out[2], w - 2);
        assert_int_equal(candidates(start + TOL - 1, out), 3);
        assert_int_equal(out[2], w - 2);
        assert_int_equal(candidates(start + TOL, out), 2);
        assert_int_equal(out[1], w - 1);
}

static void test_candidates_near_epoch(void **state) {
        int64_t out[DL_EC_MAX_CANDIDATE_WINDOWS];

        (void)state;
        /* Window 0: no previous window. */
        assert_int_equal(candidates(0, out), 1);
        assert_int_equal(out[0], 0);
        assert_int_equal(candidates(W / 2, out), 1);
        assert_int_equal(out[0], 0);
        assert_int_equal(candidates(W - TOL, out), 2);
        assert_int_equal(out[0], 1);
        assert_int_equal(out[1], 0);
        /* Window 1: 1 and 0, no -1. */
        assert_int_equal(candidates(W, out), 2);
        assert_int_equal(out[0], 1);
        assert_int_equal(out[1], 0);
        assert_int_equal(candidates(W + W / 2, out), 2);
        /* Window 2, at its start: 2, 1, 0. */
        assert_int_equal(candidates(2 * W, out), 3);
        assert_int_equal(out[2], 0);
        /* Before the epoch: only window 0, within its tolerance. */
        assert_int_equal(candidates(-1, out), 1);
        assert_int_equal(out[0], 0);
        assert_int_equal(candidates(-TOL, out), 1);
        assert_int_equal(candidates(-TOL - 1, out), 0);
        assert_int_equal(candidates(-W, out), 0);
        assert_int_equal(candidates(INT64_MIN, out), 0);
}

static void test_candidates_at_most_4(void **state) {
        int64_t out[DL_EC_MAX_CANDIDATE_WINDOWS];

        (void)state;
        /* 4 windows only when the tolerances overlap, which they do not with
         * 4 h windows and 5 min: the maximum is 3.  The extremes work. */
        for (int64_t t = 10 * W; t < 12 * W; t += 60 * SEC) {
                size_t n = candidates(t, out);

                assert_true(n == 2 || n == 3);
                assert_true(out[0] == dl_ec_window(t) || out[0] == dl_ec_window(t) + 1);
        }
        assert_true(candidates(INT64_MAX, out) >= 2);
}

/* ---- the quota's clock arithmetic ---- */

static void test_oldest_candidate(void **state) {
        const int64_t w = W_2026, start = w * W;

        (void)state;
        /* w - 2 until 5 min into w, then w - 1 until 5 min into w + 1. */
        assert_int_equal(dl_ec_oldest_candidate(start), w - 2);
        assert_int_equal(dl_ec_oldest_candidate(start + TOL - 1), w - 2);
        assert_int_equal(dl_ec_oldest_candidate(start + TOL), w - 1);
        assert_int_equal(dl_ec_oldest_candidate(start + W - 1), w - 1);
        assert_int_equal(dl_ec_oldest_candidate(start + W + TOL - 1), w - 1);
        assert_int_equal(dl_ec_oldest_candidate(0), 0);
        assert_int_equal(dl_ec_oldest_candidate(-W), -1);
}

static void test_quota_counts(void **state) {
        const int64_t t = W_2026 * W + 1234567;

        (void)state;
        /* A use counts for 4 hours: (now - 4 h, ...], and after now too. */
        assert_int_equal(dl_ec_quota_since(t), t - (int64_t)4 * 3600 * SEC);
        assert_true(dl_ec_quota_counts(t, t));
        assert_true(dl_ec_quota_counts(t, t + (int64_t)4 * 3600 * SEC - 1));
        assert_false(dl_ec_quota_counts(t, t + (int64_t)4 * 3600 * SEC));
        /* Stamped 2 h "in the future" of a clock set back: counts. */
        assert_true(dl_ec_quota_counts(t + (int64_t)2 * 3600 * SEC, t));
        assert_true(dl_ec_quota_counts(INT64_MAX, t));
        assert_int_equal(dl_ec_quota_since(INT64_MIN + 5), INT64_MIN);
        assert_int_equal(DL_EC_QUOTA, DL_EC_SLOTS);
        assert_int_equal(DL_EC_QUOTA_USEC, (int64_t)4 * 3600 * SEC);
}

/* ---- base32 ---- */

static void test_base32_vectors(void **state) {
        char text[DL_EC_SECRET_BASE32_SIZE];
        uint8_t secret[DL_EC_SECRET_SIZE];

        (void)state;
        memset(text, 'x', sizeof(text));
        assert_int_equal(dl_ec_secret_to_base32(SECRET_A, text), 0);
        assert_string_equal(text, SECRET_A_BASE32);
        assert_int_equal(strlen(text), 52);
        assert_int_equal(dl_ec_secret_to_base32(SECRET_B, text), 0);
        assert_string_equal(text, SECRET_B_BASE32);

        assert_int_equal(dl_ec_secret_from_base32(SECRET_A_BASE32, secret), 0);
        assert_memory_equal(secret, SECRET_A, sizeof(secret));
        assert_int_equal(dl_ec_secret_from_base32(SECRET_B_BASE32, secret), 0);
        assert_memory_equal(secret, SECRET_B, sizeof(secret));
}

static void test_base32_round_trip(void **state) {
        (void)state;
        for (unsigned seed = 0; seed < 200; seed++) {
                uint8_t secret[DL_EC_SECRET_SIZE], back[DL_EC_SECRET_SIZE];
                char text[DL_EC_SECRET_BASE32_SIZE];

                for (size_t i = 0; i < sizeof(secret); i++)
                        secret[i] = (uint8_t)((size_t)seed * 131 + i * 29 + (size_t)(seed >> 3) * i * i);
                if (seed == 0)
                        memset(secret, 0xff, sizeof(secret));
                if (seed == 1)
                        memset(secret, 0x00, sizeof(secret));
                assert_int_equal(dl_ec_secret_to_base32(secret, text), 0);
                assert_int_equal(strlen(text), DL_EC_SECRET_BASE32_SIZE - 1);
                assert_int_equal(dl_ec_secret_from_base32(text, back), 0);
                assert_memory_equal(secret, back, sizeof(secret));
        }
}

static void test_base32_tolerance(void **state) {
        uint8_t secret[DL_EC_SECRET_SIZE];
        char buf[128];

        (void)state;
        /* Lower case, mixed case. */
        assert_int_equal(
                dl_ec_secret_from_base32("aaaqeayeaudaocajbifqydiob4ibceqtcqkrmfyydenbwha5dypq", secret), 0);
        assert_memory_equal(secret, SECRET_A, sizeof(secret));
        assert_int_equal(
                dl_ec_secret_from_base32("4az73h5pPF4VIVROUP7VB4DP5OIMA7OZYFFBLGWCE5CQ46ZQVNDQ", secret), 0);
        assert_memory_equal(secret, SECRET_B, sizeof(secret));
        /* The correct padding. */
        snprintf(buf, sizeof(buf), "%s====", SECRET_A_BASE32);
        assert_int_equal(dl_ec_secret_from_base32(buf, secret), 0);
        assert_memory_equal(secret, SECRET_A, sizeof(secret));
        /* Groups of 4 with spaces or dashes, as typed from a printout. */
        assert_int_equal(dl_ec_secret_from_base32(
                                 "AAAQ EAYE AUDA OCAJ BIFQ YDIO B4IB CEQT CQKR MFYY DENB WHA5 DYPQ", secret),
                         0);
        assert_memory_equal(secret, SECRET_A, sizeof(secret));
        assert_int_equal(
                dl_ec_secret_from_base32(" 4AZ7-3H5P-PF4V-IVRO-UP7V-B4DP-5OIM-A7OZ-YFFB-LGWC-E5CQ-46ZQ-VNDQ "
                                         "== ==-",
                                         secret),
                0);
        assert_memory_equal(secret, SECRET_B, sizeof(secret));
}

/* The base32 vectors of docs/emergency-codes.md (tools/ec-vectors.py
 * BASE32_CASES): the C parser and the spec's Python agree. */
static void test_base32_spec_vectors(void **state) {
        static const struct {
                const char *text;
                bool ok;
        } cases[] = {
                { "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ", true },
                { "aaaq-eaye-auda-ocaj-bifq-ydio-b4ib-ceqt-cqkr-mfyy-denb-wha5-dypq====", true },
                { "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPR", false },
                { "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPB", false },
                { "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYP", false },
                { "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ==", false },
        };
        uint8_t secret[DL_EC_SECRET_SIZE];

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int r = dl_ec_secret_from_base32(cases[i].text, secret);

                assert_int_equal(r, cases[i].ok ? 0 : -EINVAL);
                if (cases[i].ok)
                        assert_memory_equal(secret, SECRET_A, DL_EC_SECRET_SIZE);
        }
}

static void test_base32_refusals(void **state) {
        uint8_t secret[DL_EC_SECRET_SIZE];
        char buf[128];

        (void)state;
#define REFUSE(s)                                                                                           \
        do {                                                                                                \
                memset(secret, 0xaa, sizeof(secret));                                                       \
                assert_int_equal(dl_ec_secret_from_base32((s), secret), -EINVAL);                           \
                for (size_t _i = 0; _i < sizeof(secret); _i++)                                              \
                        assert_int_equal(secret[_i], 0);                                                    \
        } while (0)

        REFUSE("");
        REFUSE("    ");
        REFUSE("====");
        /* 51 and 53 characters. */
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYP");
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQA");
        /* 0, 1, 8, 9 are not base32; neither are '+', '/', '_', tabs. */
        REFUSE("0AAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ");
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYP1");
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DY8Q");
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5D9PQ");
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYP+");
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYP/");
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5_YPQ");
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5\tDYPQ");
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ\n");
        /* The last character's 4 unused bits must be zero: Q (10000) is the
         * only other spelling of this ending, R..Z are not. */
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPR");
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPB");
        /* Data after padding; wrong amounts of padding. */
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYP=Q");
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ=");
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ===");
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ=====");
        REFUSE("====AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ");
        /* Base32 of 31 or 33 bytes. */
        REFUSE("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DY");
        snprintf(buf, sizeof(buf), "%sAAAA", SECRET_A_BASE32);
        REFUSE(buf);
#undef REFUSE

        assert_int_equal(dl_ec_secret_from_base32(NULL, secret), -EINVAL);
        assert_int_equal(dl_ec_secret_from_base32(SECRET_A_BASE32, NULL), -EINVAL);
        assert_int_equal(dl_ec_secret_to_base32(NULL, buf), -EINVAL);
        assert_int_equal(dl_ec_secret_to_base32(SECRET_A, NULL), -EINVAL);
}

/* ---- URI ---- */

static const char URI_A_GATEWAY[] = "otpauth://doorlockd-emergency/gateway?secret="
                                    "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ"
                                    "&issuer_id=0&algorithm=SHA256&digits=8&period=14400&slots=16";

static void test_uri_format_exact(void **state) {
        char uri[DL_EC_URI_MAX];

        (void)state;
        assert_int_equal(dl_ec_uri_format(0, "gateway", SECRET_A, uri, sizeof(uri)), 0);
        assert_string_equal(uri, URI_A_GATEWAY);

        /* UTF-8, spaces and '&' percent-encoded (upper-case hex), unreserved
         * characters kept. */
        assert_int_equal(dl_ec_uri_format(4294967295u, "Küche & Flur_2.0~-", SECRET_B, uri, sizeof(uri)), 0);
        assert_string_equal(uri, "otpauth://doorlockd-emergency/K%C3%BCche%20%26%20Flur_2.0~-?secret="
                                 "4AZ73H5PPF4VIVROUP7VB4DP5OIMA7OZYFFBLGWCE5CQ46ZQVNDQ"
                                 "&issuer_id=4294967295&algorithm=SHA256&digits=8&period=14400&slots=16");
}

static void test_uri_round_trip(void **state) {
        static const char *const names[] = {
                "gateway", "Küche & Flur", "Haustür (Anna)", "a=b?c#d/e%f+g", "日本語の名前", "x",
        };

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char uri[DL_EC_URI_MAX], name[129];
                uint8_t secret[DL_EC_SECRET_SIZE];
                uint32_t issuer = 0;

                assert_int_equal(
                        dl_ec_uri_format((uint32_t)i * 1000003u, names[i], SECRET_B, uri, sizeof(uri)), 0);
                memset(secret, 0, sizeof(secret));
                assert_int_equal(dl_ec_uri_parse(uri, &issuer, secret, name, sizeof(name)), 0);
                assert_int_equal(issuer, (uint32_t)i * 1000003u);
                assert_memory_equal(secret, SECRET_B, sizeof(secret));
                assert_string_equal(name, names[i]);
                /* The name is optional. */
                assert_int_equal(dl_ec_uri_parse(uri, &issuer, secret, NULL, 0), 0);
        }
}

static void test_uri_longest(void **state) {
        char name[129], uri[DL_EC_URI_MAX], back[129];
        uint8_t secret[DL_EC_SECRET_SIZE];
        uint32_t issuer;

        (void)state;
        /* 64 × "é" = 128 bytes, every one percent-encoded. */
        for (size_t i = 0; i < 64; i++)
                memcpy(name + 2 * i, "\xc3\xa9", 2);
        name[128] = '\0';
        assert_int_equal(dl_ec_uri_format(4294967295u, name, SECRET_A, uri, sizeof(uri)), 0);
        assert_int_equal(strlen(uri), DL_EC_URI_MAX - 1);
        assert_int_equal(dl_ec_uri_parse(uri, &issuer, secret, back, sizeof(back)), 0);
        assert_string_equal(back, name);
        assert_int_equal(issuer, 4294967295u);

        /* One byte short: refused, and nothing of the secret is left. */
        memset(uri, 'x', sizeof(uri));
        assert_int_equal(dl_ec_uri_format(4294967295u, name, SECRET_A, uri, sizeof(uri) - 1), -ENAMETOOLONG);
        for (size_t i = 0; i < sizeof(uri) - 1; i++)
                assert_int_equal(uri[i], 0);
        assert_int_equal(dl_ec_uri_format(0, "gateway", SECRET_A, uri, sizeof(URI_A_GATEWAY) - 1),
                         -ENAMETOOLONG);
        assert_int_equal(dl_ec_uri_format(0, "gateway", SECRET_A, uri, sizeof(URI_A_GATEWAY)), 0);
        assert_int_equal(dl_ec_uri_format(0, "gateway", SECRET_A, NULL, 0), -ENAMETOOLONG);

        /* Name output too small. */
        assert_int_equal(dl_ec_uri_parse(URI_A_GATEWAY, &issuer, secret, back, 7), -ENAMETOOLONG);
        assert_int_equal(dl_ec_uri_parse(URI_A_GATEWAY, &issuer, secret, back, 8), 0);
        assert_string_equal(back, "gateway");
}

static void test_uri_format_refusals(void **state) {
        char uri[DL_EC_URI_MAX], name[130];

        (void)state;
        assert_int_equal(dl_ec_uri_format(0, NULL, SECRET_A, uri, sizeof(uri)), -EINVAL);
        assert_int_equal(dl_ec_uri_format(0, "x", NULL, uri, sizeof(uri)), -EINVAL);
        assert_int_equal(dl_ec_uri_format(0, "x", SECRET_A, NULL, sizeof(uri)), -EINVAL);
        assert_int_equal(dl_ec_uri_format(0, "", SECRET_A, uri, sizeof(uri)), -EINVAL);
        assert_int_equal(dl_ec_uri_format(0, "bad\xff", SECRET_A, uri, sizeof(uri)), -EINVAL);
        assert_int_equal(dl_ec_uri_format(0, "overlong\xc0\xaf", SECRET_A, uri, sizeof(uri)), -EINVAL);
        assert_int_equal(dl_ec_uri_format(0, "new\nline", SECRET_A, uri, sizeof(uri)), -EINVAL);
        assert_int_equal(dl_ec_uri_format(0, "del\x7f", SECRET_A, uri, sizeof(uri)), -EINVAL);
        memset(name, 'n', 129);
        name[129] = '\0';
        assert_int_equal(dl_ec_uri_format(0, name, SECRET_A, uri, sizeof(uri)), -EINVAL);
        name[128] = '\0';
        assert_int_equal(dl_ec_uri_format(0, name, SECRET_A, uri, sizeof(uri)), 0);
}

static int parse(const char *uri) {
        uint8_t secret[DL_EC_SECRET_SIZE];
        uint32_t issuer = 77;
        char name[129] = "unchanged";
        int r;

        memset(secret, 0x5a, sizeof(secret));
        r = dl_ec_uri_parse(uri, &issuer, secret, name, sizeof(name));
        if (r < 0) {
                /* Nothing written on failure. */
                assert_int_equal(issuer, 77);
                assert_string_equal(name, "unchanged");
                for (size_t i = 0; i < sizeof(secret); i++)
                        assert_int_equal(secret[i], 0x5a);
        }
        return r;
}

/* The gateway URI with its query replaced. */
static int parse_query(const char *query) {
        char uri[2048];

        snprintf(uri, sizeof(uri), "otpauth://doorlockd-emergency/gateway?%s", query);
        return parse(uri);
}

#define S_A "secret=AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ"

static void test_uri_parse_variants(void **state) {
        uint8_t secret[DL_EC_SECRET_SIZE];
        uint32_t issuer = 77;
        char name[129];

        (void)state;
        assert_int_equal(parse(URI_A_GATEWAY), 0);
        /* Any order. */
        assert_int_equal(parse_query("slots=16&period=14400&digits=8&algorithm=SHA256&issuer_id=0&" S_A), 0);
        assert_int_equal(parse_query("issuer_id=12&" S_A "&digits=8&slots=16&algorithm=SHA256&period=14400"),
                         0);
        /* Lower-case secret and padding. */
        assert_int_equal(
                parse_query("secret=aaaqeayeaudaocajbifqydiob4ibceqtcqkrmfyydenbwha5dypq====&issuer_id=0&"
                            "algorithm=SHA256&digits=8&period=14400&slots=16"),
                0);
        /* Lower-case hex and RFC 3986 pchars left unencoded in the name. */
        assert_int_equal(
                dl_ec_uri_parse("otpauth://doorlockd-emergency/K%c3%bcche%20&%20Flur(1):@!$'*+,;=?" S_A
                                "&issuer_id=4294967295&algorithm=SHA256&digits=8&period=14400&slots=16",
                                &issuer, secret, name, sizeof(name)),
                0);
        assert_string_equal(name, "Küche & Flur(1):@!$'*+,;=");
        assert_int_equal(issuer, 4294967295u);
        assert_memory_equal(secret, SECRET_A, sizeof(secret));
}

static void test_uri_refuses_prefix(void **state) {
        (void)state;
        assert_int_equal(parse(""), -EINVAL);
        assert_int_equal(parse("otpauth://doorlockd-emergency/"), -EINVAL);
        assert_int_equal(parse("otpauth://totp/gateway?" S_A "&issuer_id=0&algorithm=SHA256&digits=8&period="
                               "14400&slots=16"),
                         -EINVAL);
        assert_int_equal(parse("OTPAUTH://doorlockd-emergency/gateway?" S_A
                               "&issuer_id=0&algorithm=SHA256&digits=8&period=14400&slots=16"),
                         -EINVAL);
        assert_int_equal(parse("otpauth://Doorlockd-Emergency/gateway?" S_A
                               "&issuer_id=0&algorithm=SHA256&digits=8&period=14400&slots=16"),
                         -EINVAL);
        assert_int_equal(parse("otpauth://doorlockd-emergency:80/gateway?" S_A
                               "&issuer_id=0&algorithm=SHA256&digits=8&period=14400&slots=16"),
                         -EINVAL);
        assert_int_equal(parse(" otpauth://doorlockd-emergency/gateway?" S_A
                               "&issuer_id=0&algorithm=SHA256&digits=8&period=14400&slots=16"),
                         -EINVAL);
        /* No '?' at all. */
        assert_int_equal(parse("otpauth://doorlockd-emergency/gateway"), -EINVAL);
}

static void test_uri_refuses_names(void **state) {
        static const char *const bad[] = {
                "",                /* empty */
                "a%2",             /* truncated escape */
                "a%zz",            /* not hex */
                "a%00b",           /* NUL */
                "a%0Ab",           /* control character */
                "a%7F",            /* DEL */
                "a%FF",            /* not UTF-8 */
                "a%C3",            /* truncated UTF-8 */
                "a%C0%AF",         /* overlong */
                "a b",             /* raw space */
                "K\xc3\xbc\x63he", /* raw non-ASCII */
                "a/b",             /* second path segment */
                "a\"b",            /* not a pchar */
                "a#b",             /* fragment */
                "a%%41",           /* '%' not followed by hex */
        };
        char uri[2048];

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                snprintf(uri, sizeof(uri), "otpauth://doorlockd-emergency/%s?%s%s", bad[i],
                         S_A "&issuer_id=0", FIXED);
                assert_int_equal(parse(uri), -EINVAL);
        }
        /* 129 bytes after decoding. */
        snprintf(uri, sizeof(uri), "otpauth://doorlockd-emergency/%0129d?%s%s", 0, S_A "&issuer_id=0",
                 FIXED);
        assert_int_equal(parse(uri), -EINVAL);
        snprintf(uri, sizeof(uri), "otpauth://doorlockd-emergency/%0128d?%s%s", 0, S_A "&issuer_id=0",
                 FIXED);
        assert_int_equal(parse(uri), 0);
}

static void test_uri_refuses_params(void **state) {
        char q[512];

        (void)state;
        /* Unknown parameter (also the common otpauth "issuer"). */
        assert_int_equal(parse_query(S_A "&issuer_id=0&algorithm=SHA256&digits=8&period=14400&slots=16&x=1"),
                         -EINVAL);
        assert_int_equal(
                parse_query(S_A "&issuer_id=0&algorithm=SHA256&digits=8&period=14400&slots=16&issuer=a"),
                -EINVAL);
        /* Case matters in names. */
        assert_int_equal(
                parse_query("SECRET=AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ&issuer_id=0"
                            "&algorithm=SHA256&digits=8&period=14400&slots=16"),
                -EINVAL);
        /* Duplicates, even with the same value. */
        assert_int_equal(
                parse_query(S_A "&issuer_id=0&algorithm=SHA256&digits=8&period=14400&slots=16&slots=16"),
                -EINVAL);
        assert_int_equal(
                parse_query(S_A "&issuer_id=0&issuer_id=1&algorithm=SHA256&digits=8&period=14400&slots=16"),
                -EINVAL);
        assert_int_equal(
                parse_query(S_A "&" S_A "&issuer_id=0&algorithm=SHA256&digits=8&period=14400&slots=16"),
                -EINVAL);
        /* Each of the six missing. */
        assert_int_equal(parse_query("issuer_id=0&algorithm=SHA256&digits=8&period=14400&slots=16"),
                         -EINVAL);
        assert_int_equal(parse_query(S_A "&algorithm=SHA256&digits=8&period=14400&slots=16"), -EINVAL);
        assert_int_equal(parse_query(S_A "&issuer_id=0&digits=8&period=14400&slots=16"), -EINVAL);
        assert_int_equal(parse_query(S_A "&issuer_id=0&algorithm=SHA256&period=14400&slots=16"), -EINVAL);
        assert_int_equal(parse_query(S_A "&issuer_id=0&algorithm=SHA256&digits=8&slots=16"), -EINVAL);
        assert_int_equal(parse_query(S_A "&issuer_id=0&algorithm=SHA256&digits=8&period=14400"), -EINVAL);
        /* Empty query, empty parameter, no '=', fragment. */
        assert_int_equal(parse_query(""), -EINVAL);
        assert_int_equal(parse_query(S_A "&issuer_id=0&algorithm=SHA256&digits=8&period=14400&slots=16&"),
                         -EINVAL);
        assert_int_equal(parse_query(S_A "&&issuer_id=0&algorithm=SHA256&digits=8&period=14400&slots=16"),
                         -EINVAL);
        assert_int_equal(parse_query(S_A "&issuer_id&algorithm=SHA256&digits=8&period=14400&slots=16"),
                         -EINVAL);
        assert_int_equal(parse_query(S_A "&issuer_id=0&algorithm=SHA256&digits=8&period=14400&slots=16#x"),
                         -EINVAL);
        /* Wrong fixed values. */
        static const char *const wrong[] = {
                "algorithm=SHA1&digits=8&period=14400&slots=16",
                "algorithm=sha256&digits=8&period=14400&slots=16",
                "algorithm=SHA-256&digits=8&period=14400&slots=16",
                "algorithm=SHA256&digits=6&period=14400&slots=16",
                "algorithm=SHA256&digits=08&period=14400&slots=16",
                "algorithm=SHA256&digits=&period=14400&slots=16",
                "algorithm=SHA256&digits=8&period=30&slots=16",
                "algorithm=SHA256&digits=8&period=14400.0&slots=16",
                "algorithm=SHA256&digits=8&period=14400&slots=15",
                "algorithm=SHA256&digits=8&period=14400&slots=17",
                "algorithm=SHA256&digits=8&period=14400&slots=16 ",
        };
        for (size_t i = 0; i < ELEMENTSOF(wrong); i++) {
                snprintf(q, sizeof(q), S_A "&issuer_id=0&%s", wrong[i]);
                assert_int_equal(parse_query(q), -EINVAL);
        }
}

static void test_uri_issuer_ids(void **state) {
        static const char *const bad[] = {
                "",           "-1",          "+1", "01",   "00", "4294967296",
                "9999999999", "42949672950", "1a", "0x10", " 1", "1%20",
        };
        static const struct {
                const char *text;
                uint32_t value;
        } good[] = {
                { "0", 0 },
                { "1", 1 },
                { "10", 10 },
                { "4294967295", 4294967295u },
                { "1000000000", 1000000000u },
        };
        uint8_t secret[DL_EC_SECRET_SIZE];
        char q[512];

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                snprintf(q, sizeof(q), S_A "&issuer_id=%s%s", bad[i], FIXED);
                assert_int_equal(parse_query(q), -EINVAL);
        }
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                char uri[1024];
                uint32_t issuer = 77;

                snprintf(uri, sizeof(uri), "otpauth://doorlockd-emergency/x?" S_A "&issuer_id=%s%s",
                         good[i].text, FIXED);
                assert_int_equal(dl_ec_uri_parse(uri, &issuer, secret, NULL, 0), 0);
                assert_int_equal(issuer, good[i].value);
        }
}

static void test_uri_refuses_secrets(void **state) {
        static const char *const bad[] = {
                "",
                "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYP",              /* 51 */
                "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQA",            /* 53 */
                "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPR",             /* trailing bits */
                "AAAQ-EAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ",            /* dash */
                "AAAQ%20EAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ",          /* escape */
                "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ==",           /* padding */
                "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ=====",        /* padding */
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", /* hex */
        };
        char q[512];

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                snprintf(q, sizeof(q), "secret=%s&issuer_id=0%s", bad[i], FIXED);
                assert_int_equal(parse_query(q), -EINVAL);
        }
        /* Too long for the parser as a whole. */
        {
                char uri[DL_EC_URI_MAX + 64];

                snprintf(uri, sizeof(uri), "%s&", URI_A_GATEWAY);
                memset(uri + strlen(uri), 'a', sizeof(uri) - strlen(uri) - 1);
                uri[sizeof(uri) - 1] = '\0';
                assert_int_equal(parse(uri), -EINVAL);
        }
        assert_int_equal(dl_ec_uri_parse(NULL, &(uint32_t){ 0 }, (uint8_t[DL_EC_SECRET_SIZE]){}, NULL, 0),
                         -EINVAL);
        assert_int_equal(dl_ec_uri_parse(URI_A_GATEWAY, NULL, (uint8_t[DL_EC_SECRET_SIZE]){}, NULL, 0),
                         -EINVAL);
        assert_int_equal(dl_ec_uri_parse(URI_A_GATEWAY, &(uint32_t){ 0 }, NULL, NULL, 0), -EINVAL);
}

/* The URI, parsed, computes the same codes as the raw secret: what the
 * phone does after scanning the QR code. */
static void test_uri_then_code(void **state) {
        char uri[DL_EC_URI_MAX], code[DL_EC_DIGITS + 1];
        uint8_t secret[DL_EC_SECRET_SIZE];
        uint32_t issuer;

        (void)state;
        assert_int_equal(dl_ec_uri_format(4294967295u, "Anna's phone", SECRET_B, uri, sizeof(uri)), 0);
        assert_int_equal(dl_ec_uri_parse(uri, &issuer, secret, NULL, 0), 0);
        assert_int_equal(dl_ec_code(secret, issuer, 123456, 0, code), 0);
        assert_string_equal(code, "25761320");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vectors),
                cmocka_unit_test(test_vector_2026_from_time),
                cmocka_unit_test(test_codes_are_8_digits),
                cmocka_unit_test(test_code_inputs_matter),
                cmocka_unit_test(test_code_refusals),
                cmocka_unit_test(test_window_boundaries),
                cmocka_unit_test(test_window_negative),
                cmocka_unit_test(test_window_start_and_valid_until),
                cmocka_unit_test(test_candidates_middle),
                cmocka_unit_test(test_candidates_end_tolerance),
                cmocka_unit_test(test_candidates_start_tolerance),
                cmocka_unit_test(test_candidates_near_epoch),
                cmocka_unit_test(test_candidates_at_most_4),
                cmocka_unit_test(test_oldest_candidate),
                cmocka_unit_test(test_base32_spec_vectors),
                cmocka_unit_test(test_quota_counts),
                cmocka_unit_test(test_base32_vectors),
                cmocka_unit_test(test_base32_round_trip),
                cmocka_unit_test(test_base32_tolerance),
                cmocka_unit_test(test_base32_refusals),
                cmocka_unit_test(test_uri_format_exact),
                cmocka_unit_test(test_uri_round_trip),
                cmocka_unit_test(test_uri_longest),
                cmocka_unit_test(test_uri_format_refusals),
                cmocka_unit_test(test_uri_parse_variants),
                cmocka_unit_test(test_uri_refuses_prefix),
                cmocka_unit_test(test_uri_refuses_names),
                cmocka_unit_test(test_uri_refuses_params),
                cmocka_unit_test(test_uri_issuer_ids),
                cmocka_unit_test(test_uri_refuses_secrets),
                cmocka_unit_test(test_uri_then_code),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
