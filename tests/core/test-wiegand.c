/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "macro.h"
#include "wiegand.h"

#include <string.h>

#define MS ((int64_t)1000)
#define SEC ((int64_t)1000000)
#define T0 (1000 * SEC) /* some monotonic instant */
#define STEP (2 * MS)   /* a real reader's bit interval */

#define FRAME_MAX 256

/* The edges of the n-bit frame v (first bit = highest of the n), one every
 * `step` µs from t0.  n may exceed 64: the bits above 64 are zeros. */
static size_t frame_edges(uint64_t v, unsigned n, int64_t t0, int64_t step, struct dl_wiegand_edge *e) {
        assert_true(n <= FRAME_MAX);
        for (unsigned i = 0; i < n; i++) {
                unsigned shift = n - 1 - i;

                e[i].usec = t0 + (int64_t)i * step;
                e[i].line = shift < 64 ? (unsigned)(v >> shift) & 1 : 0;
        }
        return n;
}

/* Feed e[0..n) in one batch and run the timer: nothing before the
 * deadline, one result at it, nothing after. */
static void decode_edges(struct dl_wiegand *w, const struct dl_wiegand_edge *e, size_t n,
                         struct dl_wiegand_result *res) {
        int64_t deadline;

        assert_int_equal(dl_wiegand_edges(w, e, n), 0);
        deadline = dl_wiegand_deadline(w);
        assert_int_equal(deadline, e[n - 1].usec + w->config.frame_gap_usec);
        assert_int_equal(dl_wiegand_timer(w, deadline - 1, res), 0);
        assert_int_equal(dl_wiegand_timer(w, deadline, res), 1);
        assert_int_equal(dl_wiegand_deadline(w), 0);
        assert_int_equal(dl_wiegand_timer(w, deadline + SEC, res), 0);
}

static int64_t t_next = T0;

/* A frame on a fresh decoder of the standard profile, well after any
 * previous one. */
static void decode_frame(const struct dl_wiegand_config *c, uint64_t v, unsigned n,
                         struct dl_wiegand_result *res) {
        struct dl_wiegand_edge e[FRAME_MAX];
        struct dl_wiegand w;

        assert_int_equal(dl_wiegand_init(&w, c), 0);
        decode_edges(&w, e, frame_edges(v, n, t_next, STEP, e), res);
        t_next += SEC;
}

static void standard(struct dl_wiegand_config *c) {
        assert_int_equal(dl_wiegand_config_init(c, DL_WIEGAND_PROFILE_STANDARD), 0);
}

/* A 26- or 34-bit card frame with its parity bits, computed the long way
 * (independently of the decoder). */
static uint64_t card_frame(unsigned n, uint64_t data) {
        unsigned half = (n - 2) / 2, even = 0, odd = 0;

        for (unsigned i = 0; i < half; i++) {
                odd += (unsigned)(data >> i) & 1;           /* the low half: the last data bits */
                even += (unsigned)(data >> (half + i)) & 1; /* the high half: the first ones */
        }
        return ((uint64_t)(even % 2) << (n - 1)) | (data << 1) | (uint64_t)(odd % 2 == 0);
}

static void expect_rejected(const struct dl_wiegand_result *res, enum dl_wiegand_reject reason) {
        assert_int_equal(res->kind, DL_WIEGAND_REJECTED);
        assert_string_equal(dl_wiegand_reject_to_string(res->reason), dl_wiegand_reject_to_string(reason));
}

static void test_config(void **state) {
        struct dl_wiegand_config c;
        struct dl_wiegand w;
        struct dl_error err = {};

        (void)state;
        standard(&c);
        assert_int_equal(c.min_interval_usec, 200);
        assert_int_equal(c.max_interval_usec, 10 * MS);
        assert_int_equal(c.frame_gap_usec, 25 * MS);
        assert_true(c.keys_4bit);
        assert_int_equal(dl_wiegand_config_check(&c, &err), 0);
        assert_int_equal(dl_wiegand_config_init(&c, DL_WIEGAND_PROFILE_SLOW), 0);
        assert_int_equal(c.min_interval_usec, 1 * MS);
        assert_int_equal(c.max_interval_usec, 50 * MS);
        assert_int_equal(c.frame_gap_usec, 150 * MS);
        assert_int_equal(dl_wiegand_config_check(&c, &err), 0);
        assert_int_equal(dl_wiegand_config_init(&c, _DL_WIEGAND_PROFILE_MAX), -EINVAL);
        assert_int_equal(c.frame_gap_usec, 25 * MS);
        assert_int_equal(dl_wiegand_config_init(NULL, DL_WIEGAND_PROFILE_SLOW), -EINVAL);

        c.min_interval_usec = 0;
        assert_int_equal(dl_wiegand_config_check(&c, &err), -EINVAL);
        assert_non_null(strstr(err.message, "minimum"));
        assert_int_equal(dl_wiegand_init(&w, &c), -EINVAL);
        standard(&c);
        c.max_interval_usec = c.min_interval_usec;
        assert_int_equal(dl_wiegand_config_check(&c, &err), -EINVAL);
        assert_non_null(strstr(err.message, "maximum"));
        standard(&c);
        c.frame_gap_usec = c.max_interval_usec;
        assert_int_equal(dl_wiegand_config_check(&c, &err), -EINVAL);
        assert_non_null(strstr(err.message, "frame gap"));
        c.frame_gap_usec = DL_WIEGAND_TIMING_USEC_MAX + 1;
        assert_int_equal(dl_wiegand_config_check(&c, &err), -EINVAL);
        assert_int_equal(dl_wiegand_config_check(NULL, &err), -EINVAL);
        assert_int_equal(dl_wiegand_init(&w, NULL), -EINVAL);
        assert_int_equal(dl_wiegand_init(NULL, &c), -EINVAL);
}

static void test_keys_4bit(void **state) {
        const char keys[] = "0123456789*#";
        struct dl_wiegand_config c;
        struct dl_wiegand_result res;

        (void)state;
        standard(&c);
        for (unsigned v = 0; v < 16; v++) {
                decode_frame(&c, v, 4, &res);
                assert_int_equal(res.bits, 4);
                if (v < 12) {
                        assert_int_equal(res.kind, DL_WIEGAND_KEY);
                        assert_int_equal(res.key, keys[v]);
                } else
                        expect_rejected(&res, DL_WIEGAND_REJECT_BAD_KEY);
        }
        /* 8-bit mode only: a 4-bit burst is refused by its length. */
        c.keys_4bit = false;
        for (unsigned v = 0; v < 16; v++) {
                decode_frame(&c, v, 4, &res);
                expect_rejected(&res, DL_WIEGAND_REJECT_WRONG_LENGTH);
        }
        /* Three bits are never a key. */
        standard(&c);
        for (unsigned v = 0; v < 8; v++) {
                decode_frame(&c, v, 3, &res);
                expect_rejected(&res, DL_WIEGAND_REJECT_WRONG_LENGTH);
        }
}

static void test_keys_8bit(void **state) {
        const char keys[] = "0123456789*#";
        struct dl_wiegand_config c;
        struct dl_wiegand_result res;
        unsigned n_keys = 0;

        (void)state;
        standard(&c);
        /* By hand: '5' = 0101, high nibble ~0101 = 1010: 0xa5; '*' (10) =
         * 0x5a; '#' (11) = 0x4b; '0' = 0xf0. */
        decode_frame(&c, 0xa5, 8, &res);
        assert_int_equal(res.key, '5');
        decode_frame(&c, 0x5a, 8, &res);
        assert_int_equal(res.key, '*');
        decode_frame(&c, 0x4b, 8, &res);
        assert_int_equal(res.key, '#');
        decode_frame(&c, 0xf0, 8, &res);
        assert_int_equal(res.key, '0');

        /* Every one of the 256 values: exactly 12 are keys. */
        for (unsigned v = 0; v < 256; v++) {
                bool check = (v >> 4) == (~v & 0xfu);

                decode_frame(&c, v, 8, &res);
                assert_int_equal(res.bits, 8);
                if (check && (v & 0xf) < 12) {
                        assert_int_equal(res.kind, DL_WIEGAND_KEY);
                        assert_int_equal(res.key, keys[v & 0xf]);
                        n_keys++;
                } else
                        expect_rejected(&res,
                                        check ? DL_WIEGAND_REJECT_BAD_KEY : DL_WIEGAND_REJECT_KEY_CHECK);
        }
        assert_int_equal(n_keys, 12);
        /* The same with 4-bit keys off. */
        c.keys_4bit = false;
        decode_frame(&c, 0xa5, 8, &res);
        assert_int_equal(res.key, '5');
}

/* Known 26-bit vectors, computed by hand:
 *   facility 1, number 1: data 0x010001 (24 bits).  Bits 2-13 = the first
 *   12 data bits 0000 0001 0000: one 1, so the even parity bit is 1.  Bits
 *   14-25 = 0000 0000 0001: one 1, so the odd parity bit is 0.  Frame:
 *   1 | 0x010001 << 1 | 0 = 0x2000000 + 0x020002 = 0x2020002.
 *   facility 123 (0x7b), number 45678 (0xb26e): data 0x7bb26e.  First 12
 *   bits 0x7bb = 0111 1011 1011: nine 1s, even parity bit 1.  Last 12
 *   0x26e = 0010 0110 1110: six 1s, odd parity bit 1.  Frame:
 *   0x2000000 + (0x7bb26e << 1 = 0xf764dc) + 1 = 0x2f764dd. */
static void test_card_26(void **state) {
        struct dl_wiegand_config c;
        struct dl_wiegand_result res;

        (void)state;
        standard(&c);
        decode_frame(&c, 0x2020002, 26, &res);
        assert_int_equal(res.kind, DL_WIEGAND_CARD);
        assert_int_equal(res.card.bits, 26);
        assert_int_equal(res.card.data, 0x010001);
        assert_int_equal(dl_wiegand_card_facility(&res.card), 1);
        assert_int_equal(dl_wiegand_card_number(&res.card), 1);

        decode_frame(&c, 0x2f764dd, 26, &res);
        assert_int_equal(res.kind, DL_WIEGAND_CARD);
        assert_int_equal(res.card.data, 0x7bb26e);
        assert_int_equal(dl_wiegand_card_facility(&res.card), 123);
        assert_int_equal(dl_wiegand_card_number(&res.card), 45678);
        assert_int_equal(card_frame(26, 0x7bb26e), 0x2f764dd);
        assert_int_equal(card_frame(26, 0x010001), 0x2020002);

        /* Any single bit flipped: parity. */
        for (unsigned i = 0; i < 26; i++) {
                decode_frame(&c, 0x2f764dd ^ (UINT64_C(1) << i), 26, &res);
                expect_rejected(&res, DL_WIEGAND_REJECT_PARITY);
        }
        /* A line stuck: all zeros fails the odd bit, all ones the even. */
        decode_frame(&c, 0, 26, &res);
        expect_rejected(&res, DL_WIEGAND_REJECT_PARITY);
        decode_frame(&c, (UINT64_C(1) << 26) - 1, 26, &res);
        expect_rejected(&res, DL_WIEGAND_REJECT_PARITY);
        /* Both parity bits wrong at once. */
        decode_frame(&c, 0x2f764dd ^ 0x2000001, 26, &res);
        expect_rejected(&res, DL_WIEGAND_REJECT_PARITY);

        /* Many data values round-trip. */
        for (uint64_t d = 0; d < (UINT64_C(1) << 24); d += 0x012345) {
                decode_frame(&c, card_frame(26, d), 26, &res);
                assert_int_equal(res.kind, DL_WIEGAND_CARD);
                assert_int_equal(res.card.data, d);
        }
}

/* A 34-bit vector by hand: data 0x12345678.  First 16 bits 0x1234 = 0001
 * 0010 0011 0100: five 1s, even parity bit 1.  Last 16 0x5678 = 0101 0110
 * 0111 1000: eight 1s, odd parity bit 1.  Frame: 1 << 33 = 0x200000000,
 * plus 0x12345678 << 1 = 0x2468acf0, plus 1: 0x22468acf1. */
static void test_card_34(void **state) {
        struct dl_wiegand_config c;
        struct dl_wiegand_result res;

        (void)state;
        standard(&c);
        decode_frame(&c, UINT64_C(0x22468acf1), 34, &res);
        assert_int_equal(res.kind, DL_WIEGAND_CARD);
        assert_int_equal(res.card.bits, 34);
        assert_int_equal(res.card.data, 0x12345678);
        assert_int_equal(dl_wiegand_card_facility(&res.card), 0x1234);
        assert_int_equal(dl_wiegand_card_number(&res.card), 0x5678);
        assert_int_equal(card_frame(34, 0x12345678), UINT64_C(0x22468acf1));
        for (unsigned i = 0; i < 34; i++) {
                decode_frame(&c, UINT64_C(0x22468acf1) ^ (UINT64_C(1) << i), 34, &res);
                expect_rejected(&res, DL_WIEGAND_REJECT_PARITY);
        }
        decode_frame(&c, 0, 34, &res);
        expect_rejected(&res, DL_WIEGAND_REJECT_PARITY);
        decode_frame(&c, (UINT64_C(1) << 34) - 1, 34, &res);
        expect_rejected(&res, DL_WIEGAND_REJECT_PARITY);
        decode_frame(&c, card_frame(34, 0xffffffff), 34, &res);
        assert_int_equal(res.card.data, 0xffffffff);
}

/* Decode frame v of n bits with edge `lost` missing; must be refused. */
static void expect_lost_rejected(const struct dl_wiegand_config *c, uint64_t v, unsigned n, unsigned lost) {
        struct dl_wiegand_edge e[FRAME_MAX];
        struct dl_wiegand_result res;
        struct dl_wiegand w;

        assert_int_equal(dl_wiegand_init(&w, c), 0);
        frame_edges(v, n, t_next, STEP, e);
        memmove(e + lost, e + lost + 1, (n - lost - 1) * sizeof(e[0]));
        decode_edges(&w, e, n - 1, &res);
        expect_rejected(&res, DL_WIEGAND_REJECT_WRONG_LENGTH);
        assert_int_equal(res.bits, n - 1);
        t_next += SEC;
}

static void test_lost_edge(void **state) {
        const uint64_t cards26[] = { 0x2020002, 0x2f764dd, card_frame(26, 0xffffff), card_frame(26, 0) };
        struct dl_wiegand_config c;

        (void)state;
        standard(&c);
        for (size_t k = 0; k < ELEMENTSOF(cards26); k++)
                for (unsigned i = 0; i < 26; i++)
                        expect_lost_rejected(&c, cards26[k], 26, i);
        for (unsigned i = 0; i < 34; i++)
                expect_lost_rejected(&c, UINT64_C(0x22468acf1), 34, i);
        /* Every 8-bit key, every position. */
        for (unsigned k = 0; k < 12; k++)
                for (unsigned i = 0; i < 8; i++)
                        expect_lost_rejected(&c, ((~k & 0xfu) << 4) | k, 8, i);
        /* Every 4-bit key: 3 bits are refused. */
        for (unsigned k = 0; k < 12; k++)
                for (unsigned i = 0; i < 4; i++)
                        expect_lost_rejected(&c, k, 4, i);
}

/* The residual risk the header states: an 8-bit burst that lost all four
 * of its D1 edges is 0000, the valid 4-bit key '0'.  With 4-bit keys off
 * it is refused. */
static void test_lost_line_8bit(void **state) {
        struct dl_wiegand_edge e[8], d0[8];
        struct dl_wiegand_config c;
        struct dl_wiegand_result res;
        struct dl_wiegand w;
        size_t n = 0;

        (void)state;
        standard(&c);
        frame_edges(0xa5, 8, T0, STEP, e); /* '5' */
        for (size_t i = 0; i < 8; i++)
                if (e[i].line == DL_WIEGAND_D0)
                        d0[n++] = e[i];
        assert_int_equal(n, 4);
        assert_int_equal(dl_wiegand_init(&w, &c), 0);
        decode_edges(&w, d0, n, &res);
        assert_int_equal(res.kind, DL_WIEGAND_KEY);
        assert_int_equal(res.key, '0');

        c.keys_4bit = false;
        assert_int_equal(dl_wiegand_init(&w, &c), 0);
        decode_edges(&w, d0, n, &res);
        expect_rejected(&res, DL_WIEGAND_REJECT_WRONG_LENGTH);
}

static void test_too_long(void **state) {
        const unsigned lengths[] = { 0, 1, 2, 5, 7, 9, 25, 27, 33, 35, 63, 64, 65, 100, 127, 128 };
        struct dl_wiegand_edge e[FRAME_MAX];
        struct dl_wiegand_config c;
        struct dl_wiegand_result res;
        struct dl_wiegand w;

        (void)state;
        standard(&c);
        for (size_t i = 0; i < ELEMENTSOF(lengths); i++) {
                if (lengths[i] == 0)
                        continue;
                decode_frame(&c, UINT64_MAX, lengths[i], &res);
                expect_rejected(&res, DL_WIEGAND_REJECT_WRONG_LENGTH);
                assert_int_equal(res.bits, lengths[i]);
        }
        /* 90 bits whose last 26 are a valid card: the length decides. */
        decode_frame(&c, 0x2f764dd, 90, &res);
        expect_rejected(&res, DL_WIEGAND_REJECT_WRONG_LENGTH);

        /* More edges than the decoder keeps: counted, not stored, and all
         * of it is one rejection once the lines are quiet. */
        assert_int_equal(dl_wiegand_init(&w, &c), 0);
        for (unsigned batch = 0; batch < 3; batch++) {
                frame_edges(0, 100, T0 + (int64_t)batch * 100 * STEP, STEP, e);
                assert_int_equal(dl_wiegand_edges(&w, e, 100), 0);
        }
        assert_int_equal(w.n_pending, DL_WIEGAND_PENDING_MAX);
        assert_int_equal(w.n_overrun, 300 - DL_WIEGAND_PENDING_MAX);
        assert_int_equal(dl_wiegand_deadline(&w), T0 + 299 * STEP + c.frame_gap_usec);
        assert_int_equal(dl_wiegand_timer(&w, T0 + 299 * STEP + c.frame_gap_usec - 1, &res), 0);
        assert_int_equal(dl_wiegand_timer(&w, T0 + 299 * STEP + c.frame_gap_usec, &res), 1);
        expect_rejected(&res, DL_WIEGAND_REJECT_OVERRUN);
        assert_int_equal(res.bits, 300);
        assert_int_equal(dl_wiegand_deadline(&w), 0);
        assert_int_equal(w.n_pending, 0);
        /* And the decoder works again. */
        frame_edges(0xa5, 8, T0 + SEC, STEP, e);
        decode_edges(&w, e, 8, &res);
        assert_int_equal(res.key, '5');
}

static void test_timing(void **state) {
        struct dl_wiegand_edge e[FRAME_MAX];
        struct dl_wiegand_config c;
        struct dl_wiegand_result res;
        struct dl_wiegand w;

        (void)state;
        standard(&c);
        /* Too fast on one line. */
        assert_int_equal(dl_wiegand_init(&w, &c), 0);
        frame_edges(0xf0, 8, T0, STEP, e); /* '0' */
        e[2].usec = e[1].usec + 150;
        decode_edges(&w, e, 8, &res);
        expect_rejected(&res, DL_WIEGAND_REJECT_TIMING);
        /* Exactly the minimum is fine. */
        frame_edges(0xf0, 8, T0 + SEC, c.min_interval_usec, e);
        decode_edges(&w, e, 8, &res);
        assert_int_equal(res.key, '0');
        /* Both lines falling at once: the same instant, or within the
         * minimum. */
        frame_edges(0xa5, 8, T0 + 2 * SEC, STEP, e); /* 1010 0101 */
        e[1].usec = e[0].usec;
        decode_edges(&w, e, 8, &res);
        expect_rejected(&res, DL_WIEGAND_REJECT_BOTH_LINES);
        frame_edges(0xa5, 8, T0 + 3 * SEC, STEP, e);
        e[3].usec = e[2].usec + 199; /* a 1 then a 0 */
        decode_edges(&w, e, 8, &res);
        expect_rejected(&res, DL_WIEGAND_REJECT_BOTH_LINES);
        /* Too slow inside a frame: over the maximum, under the gap. */
        frame_edges(0x2f764dd, 26, T0 + 4 * SEC, STEP, e);
        for (unsigned i = 13; i < 26; i++)
                e[i].usec += 15 * MS;
        decode_edges(&w, e, 26, &res);
        expect_rejected(&res, DL_WIEGAND_REJECT_TIMING);
        assert_int_equal(res.bits, 26);
        /* Exactly the maximum is fine. */
        frame_edges(0x2f764dd, 26, T0 + 5 * SEC, c.max_interval_usec, e);
        decode_edges(&w, e, 26, &res);
        assert_int_equal(res.kind, DL_WIEGAND_CARD);
        /* A gap splits: two 4-bit bursts 25 ms apart are two keys. */
        frame_edges(0x1, 4, T0 + 6 * SEC, STEP, e);
        frame_edges(0x2, 4, e[3].usec + c.frame_gap_usec, STEP, e + 4);
        assert_int_equal(dl_wiegand_edges(&w, e, 8), 0);
        assert_int_equal(dl_wiegand_timer(&w, e[7].usec + c.frame_gap_usec, &res), 1);
        assert_int_equal(res.key, '1');
        assert_int_equal(dl_wiegand_timer(&w, e[7].usec + c.frame_gap_usec, &res), 1);
        assert_int_equal(res.key, '2');
        assert_int_equal(dl_wiegand_timer(&w, e[7].usec + c.frame_gap_usec, &res), 0);
}

/* D0 and D1 read from two fds, in two batches, either order, or mixed up
 * in one: the same card. */
static void test_batches(void **state) {
        struct dl_wiegand_edge e[34], d0[34], d1[34], mixed[34];
        struct dl_wiegand_config c;
        struct dl_wiegand_result res;
        struct dl_wiegand w;
        size_t n0 = 0, n1 = 0;
        int64_t t = T0;

        (void)state;
        standard(&c);
        assert_int_equal(dl_wiegand_init(&w, &c), 0);
        for (unsigned order = 0; order < 4; order++) {
                frame_edges(UINT64_C(0x22468acf1), 34, t, STEP, e);
                n0 = n1 = 0;
                for (size_t i = 0; i < 34; i++) {
                        if (e[i].line == DL_WIEGAND_D0)
                                d0[n0++] = e[i];
                        else
                                d1[n1++] = e[i];
                }
                switch (order) {
                case 0:
                        assert_int_equal(dl_wiegand_edges(&w, d0, n0), 0);
                        assert_int_equal(dl_wiegand_edges(&w, d1, n1), 0);
                        break;
                case 1:
                        assert_int_equal(dl_wiegand_edges(&w, d1, n1), 0);
                        assert_int_equal(dl_wiegand_edges(&w, d0, n0), 0);
                        break;
                case 2:
                        /* Reversed in one batch. */
                        for (size_t i = 0; i < 34; i++)
                                mixed[i] = e[33 - i];
                        assert_int_equal(dl_wiegand_edges(&w, mixed, 34), 0);
                        break;
                default:
                        /* Small batches of either line, as they come from
                         * two fds read in turn. */
                        for (size_t i = 0; i < MAX(n0, n1); i += 3) {
                                assert_int_equal(
                                        dl_wiegand_edges(&w, d1 + MIN(i, n1), MIN(3, n1 - MIN(i, n1))), 0);
                                assert_int_equal(
                                        dl_wiegand_edges(&w, d0 + MIN(i, n0), MIN(3, n0 - MIN(i, n0))), 0);
                        }
                        break;
                }
                assert_int_equal(w.n_pending, 34);
                assert_int_equal(dl_wiegand_timer(&w, e[33].usec + c.frame_gap_usec, &res), 1);
                assert_int_equal(res.kind, DL_WIEGAND_CARD);
                assert_int_equal(res.card.data, 0x12345678);
                t += SEC;
        }
        /* A bad line takes nothing. */
        e[0] = (struct dl_wiegand_edge){ .usec = t, .line = DL_WIEGAND_D1 };
        e[1] = (struct dl_wiegand_edge){ .usec = t + STEP, .line = 2 };
        assert_int_equal(dl_wiegand_edges(&w, e, 2), -EINVAL);
        assert_int_equal(w.n_pending, 0);
        assert_int_equal(dl_wiegand_edges(&w, NULL, 0), 0);
        assert_int_equal(dl_wiegand_edges(&w, NULL, 1), -EINVAL);
        assert_int_equal(dl_wiegand_edges(NULL, e, 1), -EINVAL);
}

/* Ordering lost: one line's edges come after the frame was decided. */
static void test_out_of_order(void **state) {
        struct dl_wiegand_edge e[8], d0[8], d1[8];
        struct dl_wiegand_config c;
        struct dl_wiegand_result res;
        struct dl_wiegand w;
        size_t n0 = 0, n1 = 0;
        int64_t decided;

        (void)state;
        standard(&c);
        c.keys_4bit = false; /* 8-bit mode, as the header recommends */
        assert_int_equal(dl_wiegand_init(&w, &c), 0);
        frame_edges(0xa5, 8, T0, STEP, e);
        for (size_t i = 0; i < 8; i++) {
                if (e[i].line == DL_WIEGAND_D0)
                        d0[n0++] = e[i];
                else
                        d1[n1++] = e[i];
        }
        assert_int_equal(dl_wiegand_edges(&w, d0, n0), 0);
        decided = dl_wiegand_deadline(&w);
        assert_int_equal(dl_wiegand_timer(&w, decided, &res), 1);
        expect_rejected(&res, DL_WIEGAND_REJECT_WRONG_LENGTH);
        /* D1's batch, too late: its own rejection, never a key. */
        assert_int_equal(dl_wiegand_edges(&w, d1, n1), 0);
        assert_int_equal(dl_wiegand_timer(&w, decided + SEC, &res), 1);
        expect_rejected(&res, DL_WIEGAND_REJECT_OUT_OF_ORDER);
        assert_int_equal(res.bits, 4);

        /* A late edge that falls into the next frame spoils that frame. */
        frame_edges(0x5a, 8, decided + 2 * SEC, STEP, e);
        assert_int_equal(dl_wiegand_edges(&w, e, 8), 0);
        assert_int_equal(dl_wiegand_timer(&w, e[7].usec + c.frame_gap_usec, &res), 1);
        assert_int_equal(res.key, '*');
        decided = e[7].usec + c.frame_gap_usec;
        frame_edges(0x4b, 8, decided - 5 * MS, STEP, e); /* began before the decision, fed after */
        assert_int_equal(dl_wiegand_edges(&w, e, 8), 0);
        assert_int_equal(dl_wiegand_timer(&w, e[7].usec + c.frame_gap_usec, &res), 1);
        expect_rejected(&res, DL_WIEGAND_REJECT_OUT_OF_ORDER);

        /* After that, frames decode again. */
        frame_edges(0xa5, 8, decided + SEC, STEP, e);
        decode_edges(&w, e, 8, &res);
        assert_int_equal(res.key, '5');
}

/* The timer fires late (the daemon was busy) after the next frame began:
 * both frames decode, in order. */
static void test_late_timer(void **state) {
        struct dl_wiegand_edge e[8 + 26 + 4];
        struct dl_wiegand_config c;
        struct dl_wiegand_result res;
        struct dl_wiegand w;
        int64_t now;

        (void)state;
        standard(&c);
        assert_int_equal(dl_wiegand_init(&w, &c), 0);
        frame_edges(0xa5, 8, T0, STEP, e);
        frame_edges(0x2f764dd, 26, T0 + 100 * MS, STEP, e + 8);
        frame_edges(0xb, 4, T0 + 300 * MS, STEP, e + 34);
        /* The timer for the key fires 70 ms late, 10 ms into the card:
         * everything up to then has been drained (6 of its edges). */
        assert_int_equal(dl_wiegand_edges(&w, e, 14), 0);
        assert_int_equal(dl_wiegand_deadline(&w), e[7].usec + c.frame_gap_usec);
        now = T0 + 110 * MS;
        assert_int_equal(dl_wiegand_timer(&w, now, &res), 1);
        assert_int_equal(res.key, '5');
        assert_int_equal(dl_wiegand_deadline(&w), e[13].usec + c.frame_gap_usec);
        assert_int_equal(dl_wiegand_timer(&w, now, &res), 0); /* the card is not over */
        assert_int_equal(dl_wiegand_edges(&w, e + 14, 24), 0);
        now = T0 + SEC;
        assert_int_equal(dl_wiegand_timer(&w, now, &res), 1);
        assert_int_equal(res.kind, DL_WIEGAND_CARD);
        assert_int_equal(res.card.data, 0x7bb26e);
        assert_int_equal(dl_wiegand_timer(&w, now, &res), 1);
        assert_int_equal(res.key, '#');
        assert_int_equal(dl_wiegand_timer(&w, now, &res), 0);
        assert_int_equal(w.n_frames, 3);
        assert_int_equal(w.n_rejected, 0);
}

/* A software-emulated keypad in a VM: bits 5-20 ms apart. */
static void test_slow_profile(void **state) {
        struct dl_wiegand_edge e[34];
        struct dl_wiegand_config slow, std;
        struct dl_wiegand_result res;
        struct dl_wiegand w;
        int64_t t = T0;

        (void)state;
        assert_int_equal(dl_wiegand_config_init(&slow, DL_WIEGAND_PROFILE_SLOW), 0);
        standard(&std);
        frame_edges(UINT64_C(0x22468acf1), 34, T0, STEP, e);
        for (unsigned i = 0; i < 34; i++) {
                e[i].usec = t;
                t += 5 * MS + (int64_t)((i * 7919) % 16) * MS; /* 5..20 ms */
        }
        assert_int_equal(dl_wiegand_init(&w, &slow), 0);
        decode_edges(&w, e, 34, &res);
        assert_int_equal(res.kind, DL_WIEGAND_CARD);
        assert_int_equal(res.card.data, 0x12345678);
        /* The standard profile splits it at every gap over 25 ms or
         * rejects it for its slow bits: never a card. */
        assert_int_equal(dl_wiegand_init(&w, &std), 0);
        assert_int_equal(dl_wiegand_edges(&w, e, 34), 0);
        while (dl_wiegand_timer(&w, t + SEC, &res) > 0)
                assert_int_equal(res.kind, DL_WIEGAND_REJECTED);
        /* Keys at the slow pace. */
        assert_int_equal(dl_wiegand_init(&w, &slow), 0);
        frame_edges(0x4b, 8, t + SEC, 18 * MS, e);
        decode_edges(&w, e, 8, &res);
        assert_int_equal(res.key, '#');
}

static bool all_zero(const void *p, size_t n) {
        const unsigned char *b = p;

        for (size_t i = 0; i < n; i++)
                if (b[i] != 0)
                        return false;
        return true;
}

/* No card bits stay behind in the decoder; results can be wiped. */
static void test_wipe(void **state) {
        struct dl_wiegand_edge e[26];
        struct dl_wiegand_config c;
        struct dl_wiegand_result res;
        struct dl_wiegand w;

        (void)state;
        standard(&c);
        assert_int_equal(dl_wiegand_init(&w, &c), 0);
        decode_edges(&w, e, frame_edges(0x2f764dd, 26, T0, STEP, e), &res);
        assert_int_equal(res.kind, DL_WIEGAND_CARD);
        assert_true(all_zero(w.pending, sizeof(w.pending)));
        dl_wiegand_result_clear(&res);
        assert_true(all_zero(&res, sizeof(res)));
        dl_wiegand_result_clear(NULL);
}

static void test_strings_and_null(void **state) {
        struct dl_wiegand_card card = { .bits = 37, .data = 0xffffffff };
        struct dl_wiegand_result res;

        (void)state;
        assert_string_equal(dl_wiegand_reject_to_string(DL_WIEGAND_REJECT_WRONG_LENGTH), "wrong-length");
        assert_string_equal(dl_wiegand_reject_to_string(DL_WIEGAND_REJECT_PARITY), "parity");
        assert_string_equal(dl_wiegand_reject_to_string(DL_WIEGAND_REJECT_KEY_CHECK), "key-check");
        assert_string_equal(dl_wiegand_reject_to_string(DL_WIEGAND_REJECT_BAD_KEY), "bad-key");
        assert_string_equal(dl_wiegand_reject_to_string(DL_WIEGAND_REJECT_TIMING), "timing");
        assert_string_equal(dl_wiegand_reject_to_string(DL_WIEGAND_REJECT_BOTH_LINES), "both-lines");
        assert_string_equal(dl_wiegand_reject_to_string(DL_WIEGAND_REJECT_OUT_OF_ORDER), "out-of-order");
        assert_string_equal(dl_wiegand_reject_to_string(DL_WIEGAND_REJECT_OVERRUN), "overrun");
        for (int r = 0; r < _DL_WIEGAND_REJECT_MAX; r++) {
                assert_non_null(dl_wiegand_reject_to_string(r));
                for (int q = 0; q < r; q++)
                        assert_string_not_equal(dl_wiegand_reject_to_string(r),
                                                dl_wiegand_reject_to_string(q));
        }
        assert_null(dl_wiegand_reject_to_string(_DL_WIEGAND_REJECT_MAX));
        assert_null(dl_wiegand_reject_to_string((enum dl_wiegand_reject) - 1));
        assert_int_equal(dl_wiegand_card_facility(&card), 0);
        assert_int_equal(dl_wiegand_card_number(&card), 0);
        assert_int_equal(dl_wiegand_card_facility(NULL), 0);
        assert_int_equal(dl_wiegand_card_number(NULL), 0);
        assert_int_equal(dl_wiegand_deadline(NULL), 0);
        assert_int_equal(dl_wiegand_timer(NULL, T0, &res), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_config),           cmocka_unit_test(test_keys_4bit),
                cmocka_unit_test(test_keys_8bit),        cmocka_unit_test(test_card_26),
                cmocka_unit_test(test_card_34),          cmocka_unit_test(test_lost_edge),
                cmocka_unit_test(test_lost_line_8bit),   cmocka_unit_test(test_too_long),
                cmocka_unit_test(test_timing),           cmocka_unit_test(test_batches),
                cmocka_unit_test(test_out_of_order),     cmocka_unit_test(test_late_timer),
                cmocka_unit_test(test_slow_profile),     cmocka_unit_test(test_wipe),
                cmocka_unit_test(test_strings_and_null),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
