/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BLE fragments (daemon/ble/frame.c): the fragment split of the sealed
 * frame vector at MTU 23 (tools/ble-session-vectors.py; the same in
 * docs/ble-protocol.md section 6), every MTU and length round-tripping
 * through the parser, and each refusal's errno. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the four above. */
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "frame.h"

/* tools/ble-session-vectors.py --c */
static const uint8_t V_FRAME1[42] = { 0x20, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0x00, 0x00,
                                      0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x8f, 0x24, 0xf6, 0xe1, 0xda,
                                      0xf6, 0xdc, 0xc1, 0x54, 0x42, 0x2d, 0x5d, 0x85, 0x32, 0xd7, 0x1c,
                                      0x05, 0x84, 0x79, 0x1e, 0xf4, 0x44, 0x7a, 0x59, 0x4e };
static const uint8_t V_FRAME1_FRAGMENT0[20] = { 0x5e, 0xed, 0x00, 0x01, 0x01, 0x00, 0x00, 0x2a, 0x20, 0xa1,
                                                0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0x00, 0x00, 0x00 };
static const uint8_t V_FRAME1_FRAGMENT1[20] = { 0x5e, 0xed, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                                                0x01, 0x8f, 0x24, 0xf6, 0xe1, 0xda, 0xf6, 0xdc, 0xc1, 0x54 };
static const uint8_t V_FRAME1_FRAGMENT2[20] = { 0x5e, 0xed, 0x00, 0x01, 0x00, 0x02, 0x42, 0x2d, 0x5d, 0x85,
                                                0x32, 0xd7, 0x1c, 0x05, 0x84, 0x79, 0x1e, 0xf4, 0x44, 0x7a };
static const uint8_t V_FRAME1_FRAGMENT3[8] = { 0x5e, 0xed, 0x00, 0x01, 0x02, 0x03, 0x59, 0x4e };

#define LINK 0x5eed0001u

struct sink {
        size_t n;
        uint8_t frag[300][BLE_FRAGMENT_MAX];
        size_t len[300];
        int fail_at; /* emit returns -EPIPE at this fragment (or never: -1) */
};

static int collect(const uint8_t *p, size_t n, void *userdata) {
        struct sink *s = userdata;

        if ((int)s->n == s->fail_at)
                return -EPIPE;
        assert_true(s->n < 300);
        assert_true(n <= BLE_FRAGMENT_MAX);
        memcpy(s->frag[s->n], p, n);
        s->len[s->n++] = n;
        return 0;
}

static struct sink sink;

static void sink_reset(void) {
        memset(&sink, 0, sizeof(sink));
        sink.fail_at = -1;
}

static void test_split_vector(void **state) {
        const uint8_t *want[] = { V_FRAME1_FRAGMENT0, V_FRAME1_FRAGMENT1, V_FRAME1_FRAGMENT2,
                                  V_FRAME1_FRAGMENT3 };
        const size_t want_len[] = { sizeof(V_FRAME1_FRAGMENT0), sizeof(V_FRAME1_FRAGMENT1),
                                    sizeof(V_FRAME1_FRAGMENT2), sizeof(V_FRAME1_FRAGMENT3) };

        (void)state;
        sink_reset();
        assert_int_equal(ble_fragments_count(sizeof(V_FRAME1), BLE_MTU_DEFAULT), 4);
        assert_int_equal(
                ble_fragments_build(LINK, V_FRAME1, sizeof(V_FRAME1), BLE_MTU_DEFAULT, collect, &sink), 4);
        assert_int_equal(sink.n, 4);
        for (size_t i = 0; i < 4; i++) {
                assert_int_equal(sink.len[i], want_len[i]);
                assert_memory_equal(sink.frag[i], want[i], want_len[i]);
                assert_true(sink.len[i] <= BLE_MTU_DEFAULT - 3);
        }
}

static void test_parse_vector(void **state) {
        struct ble_fragment f;

        (void)state;
        assert_int_equal(ble_fragment_parse(V_FRAME1_FRAGMENT0, sizeof(V_FRAME1_FRAGMENT0), &f), 0);
        assert_int_equal(f.link_id, LINK);
        assert_int_equal(f.flags, BLE_FRAG_FIRST);
        assert_int_equal(f.index, 0);
        assert_int_equal(f.total_len, sizeof(V_FRAME1));
        assert_int_equal(f.data_len, 12);
        assert_memory_equal(f.data, V_FRAME1, 12);
        assert_int_equal(ble_fragment_parse(V_FRAME1_FRAGMENT3, sizeof(V_FRAME1_FRAGMENT3), &f), 0);
        assert_int_equal(f.flags, BLE_FRAG_LAST);
        assert_int_equal(f.index, 3);
        assert_int_equal(f.total_len, 0);
        assert_int_equal(f.data_len, 2);
}

/* Every MTU 23..517 and a spread of lengths 1..1024: the fragments parse
 * back, fit MTU-3, carry the message in order, and are as few as the MTU
 * allows. */
static void test_roundtrip_all(void **state) {
        static uint8_t msg[BLE_MESSAGE_MAX], back[BLE_MESSAGE_MAX];

        (void)state;
        for (size_t i = 0; i < sizeof(msg); i++)
                msg[i] = (uint8_t)(i * 31 + 7);
        for (size_t mtu = BLE_MTU_DEFAULT; mtu <= BLE_MTU_MAX; mtu += (mtu < 40 ? 1 : 13)) {
                for (size_t len = 1; len <= BLE_MESSAGE_MAX; len += (len < 64 ? 1 : 37)) {
                        size_t have = 0, cap = mtu - 3 - 6;
                        int count;

                        sink_reset();
                        count = ble_fragments_build(7, msg, len, mtu, collect, &sink);
                        assert_int_equal(count, ble_fragments_count(len, mtu));
                        assert_int_equal((size_t)count, (len + 2 + cap - 1) / cap);
                        assert_true(count <= 256);
                        for (int i = 0; i < count; i++) {
                                struct ble_fragment f;

                                assert_true(sink.len[i] <= mtu - 3);
                                assert_int_equal(ble_fragment_parse(sink.frag[i], sink.len[i], &f), 0);
                                assert_int_equal(f.link_id, 7);
                                assert_int_equal(f.index, i);
                                assert_int_equal(!!(f.flags & BLE_FRAG_FIRST), i == 0);
                                assert_int_equal(!!(f.flags & BLE_FRAG_LAST), i == count - 1);
                                if (i == 0)
                                        assert_int_equal(f.total_len, len);
                                /* all but the last are full */
                                if (i < count - 1)
                                        assert_int_equal(sink.len[i], mtu - 3);
                                memcpy(back + have, f.data, f.data_len);
                                have += f.data_len;
                        }
                        assert_int_equal(have, len);
                        assert_memory_equal(back, msg, len);
                }
        }
        /* the most fragments: 1024 bytes at MTU 23, 74 of them */
        assert_int_equal(ble_fragments_count(BLE_MESSAGE_MAX, BLE_MTU_DEFAULT), 74);
}

static void test_build_refusals(void **state) {
        uint8_t msg[BLE_MESSAGE_MAX + 1] = { 0 };

        (void)state;
        sink_reset();
        assert_int_equal(ble_fragments_build(1, msg, 0, 23, collect, &sink), -EDOM);
        assert_int_equal(ble_fragments_build(1, msg, BLE_MESSAGE_MAX + 1, 23, collect, &sink), -EDOM);
        assert_int_equal(ble_fragments_build(1, msg, 10, 22, collect, &sink), -EINVAL);
        assert_int_equal(ble_fragments_build(1, msg, 10, 518, collect, &sink), -EINVAL);
        assert_int_equal(ble_fragments_build(1, NULL, 10, 23, collect, &sink), -EINVAL);
        assert_int_equal(ble_fragments_build(1, msg, 10, 23, NULL, &sink), -EINVAL);
        assert_int_equal(sink.n, 0);
        assert_int_equal(ble_fragments_count(0, 23), -EDOM);
        assert_int_equal(ble_fragments_count(1, 0), -EINVAL);
        /* emit's error stops the build */
        sink.fail_at = 2;
        assert_int_equal(ble_fragments_build(1, msg, 100, 23, collect, &sink), -EPIPE);
        assert_int_equal(sink.n, 2);
}

static void test_parse_refusals(void **state) {
        uint8_t p[BLE_FRAGMENT_MAX + 1] = { 0, 0, 0, 1, BLE_FRAG_FIRST, 0, 0, 5, 'h', 'e', 'l', 'l', 'o' };
        struct ble_fragment f = { .link_id = 99 };

        (void)state;
        assert_int_equal(ble_fragment_parse(p, 13, &f), 0);
        assert_int_equal(f.total_len, 5);
        assert_int_equal(f.data_len, 5);
        f.link_id = 99;

        assert_int_equal(ble_fragment_parse(NULL, 13, &f), -EINVAL);
        assert_int_equal(ble_fragment_parse(p, 13, NULL), -EINVAL);
        for (size_t n = 0; n < 6; n++)
                assert_int_equal(ble_fragment_parse(p, n, &f), -EMSGSIZE);
        /* FIRST without total_len, or half of it */
        assert_int_equal(ble_fragment_parse(p, 6, &f), -EMSGSIZE);
        assert_int_equal(ble_fragment_parse(p, 7, &f), -EMSGSIZE);
        assert_int_equal(ble_fragment_parse(p, BLE_FRAGMENT_MAX + 1, &f), -E2BIG);
        assert_int_equal(ble_fragment_parse(p, BLE_FRAGMENT_MAX, &f), 0);
        f.link_id = 99;
        for (int bit = 2; bit < 8; bit++) {
                p[4] = (uint8_t)(BLE_FRAG_FIRST | 1u << bit);
                assert_int_equal(ble_fragment_parse(p, 13, &f), -EPROTO);
                p[4] = (uint8_t)(1u << bit);
                assert_int_equal(ble_fragment_parse(p, 13, &f), -EPROTO);
        }
        p[4] = BLE_FRAG_FIRST;
        p[5] = 1;
        assert_int_equal(ble_fragment_parse(p, 13, &f), -EBADSLT);
        p[5] = 0;
        p[6] = 0;
        p[7] = 0;
        assert_int_equal(ble_fragment_parse(p, 13, &f), -EDOM);
        p[6] = 0x04;
        p[7] = 0x01; /* 1025 */
        assert_int_equal(ble_fragment_parse(p, 13, &f), -EDOM);
        p[7] = 0x00; /* 1024 */
        assert_int_equal(ble_fragment_parse(p, 13, &f), 0);
        f.link_id = 99;
        /* a continuation with nothing in it */
        p[4] = 0;
        p[5] = 1;
        assert_int_equal(ble_fragment_parse(p, 6, &f), -ENODATA);
        p[4] = BLE_FRAG_LAST;
        assert_int_equal(ble_fragment_parse(p, 6, &f), -ENODATA);
        assert_int_equal(ble_fragment_parse(p, 7, &f), 0);
        assert_int_equal(f.data_len, 1);
        assert_int_equal(f.total_len, 0);
}

/* A refusal leaves *ret as it was. */
static void test_parse_refusal_keeps_ret(void **state) {
        const uint8_t p[6] = { 0, 0, 0, 1, 0x80, 0 };
        struct ble_fragment f = { .link_id = 42, .index = 9 };

        (void)state;
        assert_int_equal(ble_fragment_parse(p, 6, &f), -EPROTO);
        assert_int_equal(f.link_id, 42);
        assert_int_equal(f.index, 9);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_split_vector),   cmocka_unit_test(test_parse_vector),
                cmocka_unit_test(test_roundtrip_all),  cmocka_unit_test(test_build_refusals),
                cmocka_unit_test(test_parse_refusals), cmocka_unit_test(test_parse_refusal_keeps_ret),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
