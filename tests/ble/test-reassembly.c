/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reassembly (daemon/ble/reassembly.c): messages of every size at several
 * MTUs, one in flight per link, link ids, index order, lengths, the 2 s
 * timeout, and the junk count with each refusal's errno. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the four above. */
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "frame.h"
#include "reassembly.h"

/* memcpy() of a byte-string literal (not a C string). */
static void put(void *dst, const void *src, size_t n) {
        memcpy(dst, src, n);
}

#define LINK 0x11223344u
#define MS ((uint64_t)1000)
#define T0 ((uint64_t)5000000)

/* Fragments of a message, built by frame.c. */
struct frags {
        size_t n;
        uint8_t p[80][BLE_FRAGMENT_MAX];
        size_t len[80];
};

static int collect(const uint8_t *p, size_t n, void *userdata) {
        struct frags *f = userdata;

        assert_true(f->n < 80);
        memcpy(f->p[f->n], p, n);
        f->len[f->n++] = n;
        return 0;
}

static struct frags *split(uint32_t link, const uint8_t *msg, size_t len, size_t mtu) {
        static struct frags f;

        memset(&f, 0, sizeof(f));
        assert_true(ble_fragments_build(link, msg, len, mtu, collect, &f) > 0);
        return &f;
}

static int push(struct ble_reassembly *r, const uint8_t *p, size_t n, uint64_t now) {
        const uint8_t *msg = NULL;
        size_t len = 0;

        return ble_reassembly_push_raw(r, p, n, now, &msg, &len);
}

static uint8_t msg[BLE_MESSAGE_MAX];

static void fill(void) {
        for (size_t i = 0; i < sizeof(msg); i++)
                msg[i] = (uint8_t)(i ^ 0x5a);
}

static void test_every_size(void **state) {
        static const size_t mtus[] = { 23, 24, 64, 185, 247, 517 };
        struct ble_reassembly r;

        (void)state;
        fill();
        ble_reassembly_init(&r, LINK);
        for (size_t m = 0; m < sizeof(mtus) / sizeof(mtus[0]); m++)
                for (size_t len = 1; len <= BLE_MESSAGE_MAX; len++) {
                        struct frags *f = split(LINK, msg, len, mtus[m]);
                        const uint8_t *out = NULL;
                        size_t outlen = 0;

                        for (size_t i = 0; i < f->n; i++) {
                                int k = ble_reassembly_push_raw(&r, f->p[i], f->len[i], T0 + i * MS, &out,
                                                                &outlen);

                                assert_int_equal(k, i == f->n - 1 ? 1 : 0);
                        }
                        assert_int_equal(outlen, len);
                        assert_memory_equal(out, msg, len);
                        assert_false(r.in_flight);
                }
        assert_int_equal(r.junk, 0);
}

static void test_link_id(void **state) {
        struct ble_reassembly r;
        struct frags *f;
        const uint8_t *out;
        size_t outlen;

        (void)state;
        fill();
        /* a phone's first message: link 0, then the lock names the link */
        ble_reassembly_init(&r, 0);
        f = split(0, msg, 21, 23);
        assert_int_equal(push(&r, f->p[0], f->len[0], T0), 0);
        assert_int_equal(ble_reassembly_push_raw(&r, f->p[1], f->len[1], T0, &out, &outlen), 1);
        assert_int_equal(outlen, 21);
        ble_reassembly_set_link_id(&r, LINK);
        assert_int_equal(r.junk, 0);
        f = split(0, msg, 21, 23);
        assert_int_equal(push(&r, f->p[0], f->len[0], T0), -EXDEV);
        assert_int_equal(r.junk, 1);

        /* another link's fragments in the middle of ours: refused, ours goes on */
        f = split(LINK, msg, 40, 23);
        assert_int_equal(push(&r, f->p[0], f->len[0], T0), 0);
        {
                struct frags other = *split(LINK + 1, msg, 40, 23);

                f = split(LINK, msg, 40, 23);
                assert_int_equal(push(&r, other.p[0], other.len[0], T0), -EXDEV);
                assert_int_equal(push(&r, other.p[1], other.len[1], T0), -EXDEV);
        }
        assert_int_equal(push(&r, f->p[1], f->len[1], T0), 0);
        assert_int_equal(ble_reassembly_push_raw(&r, f->p[2], f->len[2], T0, &out, &outlen), 1);
        assert_int_equal(outlen, 40);
        assert_memory_equal(out, msg, 40);
        assert_int_equal(r.junk, 3);

        /* renaming the link mid-message discards it */
        assert_int_equal(push(&r, f->p[0], f->len[0], T0), 0);
        ble_reassembly_set_link_id(&r, LINK + 5);
        assert_int_equal(r.junk, 4);
        assert_false(r.in_flight);
}

static void test_sequence_refusals(void **state) {
        struct ble_reassembly r;
        struct frags *f;

        (void)state;
        fill();
        ble_reassembly_init(&r, LINK);
        f = split(LINK, msg, 50, 23); /* 4 fragments: 12 + 14 + 14 + 10 */
        assert_int_equal(f->n, 4);

        /* a continuation with nothing in flight */
        assert_int_equal(push(&r, f->p[1], f->len[1], T0), -ENOMSG);
        assert_int_equal(r.junk, 1);

        /* skipped index: refused, message discarded (+2) */
        assert_int_equal(push(&r, f->p[0], f->len[0], T0), 0);
        assert_int_equal(push(&r, f->p[2], f->len[2], T0), -EILSEQ);
        assert_int_equal(r.junk, 3);
        assert_false(r.in_flight);
        assert_int_equal(push(&r, f->p[3], f->len[3], T0), -ENOMSG);
        assert_int_equal(r.junk, 4);

        /* repeated index */
        assert_int_equal(push(&r, f->p[0], f->len[0], T0), 0);
        assert_int_equal(push(&r, f->p[1], f->len[1], T0), 0);
        assert_int_equal(push(&r, f->p[1], f->len[1], T0), -EILSEQ);
        assert_int_equal(r.junk, 6);

        /* a FIRST while one is in flight: the old one discarded (+1), the new one taken */
        assert_int_equal(push(&r, f->p[0], f->len[0], T0), 0);
        assert_int_equal(push(&r, f->p[1], f->len[1], T0), 0);
        assert_int_equal(push(&r, f->p[0], f->len[0], T0), 0);
        assert_int_equal(r.junk, 7);
        assert_int_equal(push(&r, f->p[1], f->len[1], T0), 0);
        assert_int_equal(push(&r, f->p[2], f->len[2], T0), 0);
        assert_int_equal(push(&r, f->p[3], f->len[3], T0), 1);
        assert_int_equal(r.junk, 7);
}

static void test_length_refusals(void **state) {
        struct ble_reassembly r;
        uint8_t p[40];

        (void)state;
        ble_reassembly_init(&r, LINK);
        /* FIRST: total 20, 12 bytes */
        put(p,
            "\x11\x22\x33\x44\x01\x00\x00\x14"
            "abcdefghijkl",
            20);
        /* past total_len: 12 + 14 > 20 */
        assert_int_equal(push(&r, p, 20, T0), 0);
        put(p,
            "\x11\x22\x33\x44\x00\x01"
            "mnopqrstuvwxyz",
            20);
        assert_int_equal(push(&r, p, 20, T0), -EOVERFLOW);
        assert_int_equal(r.junk, 2);
        /* LAST too early: 12 + 4 < 20 */
        put(p,
            "\x11\x22\x33\x44\x01\x00\x00\x14"
            "abcdefghijkl",
            20);
        assert_int_equal(push(&r, p, 20, T0), 0);
        put(p,
            "\x11\x22\x33\x44\x02\x01"
            "mnop",
            10);
        assert_int_equal(push(&r, p, 10, T0), -ERANGE);
        assert_int_equal(r.junk, 4);
        /* total reached without LAST */
        put(p,
            "\x11\x22\x33\x44\x01\x00\x00\x14"
            "abcdefghijkl",
            20);
        assert_int_equal(push(&r, p, 20, T0), 0);
        put(p,
            "\x11\x22\x33\x44\x00\x01"
            "mnopqrst",
            14);
        assert_int_equal(push(&r, p, 14, T0), -EBADE);
        assert_int_equal(r.junk, 6);
        /* and exactly: taken */
        put(p,
            "\x11\x22\x33\x44\x01\x00\x00\x14"
            "abcdefghijkl",
            20);
        assert_int_equal(push(&r, p, 20, T0), 0);
        put(p,
            "\x11\x22\x33\x44\x02\x01"
            "mnopqrst",
            14);
        {
                const uint8_t *out;
                size_t len;

                assert_int_equal(ble_reassembly_push_raw(&r, p, 14, T0, &out, &len), 1);
                assert_int_equal(len, 20);
                assert_memory_equal(out, "abcdefghijklmnopqrst", 20);
        }
        /* a single FIRST|LAST fragment: short, long, no LAST */
        put(p,
            "\x11\x22\x33\x44\x03\x00\x00\x05"
            "abcd",
            12);
        assert_int_equal(push(&r, p, 12, T0), -ERANGE);
        put(p,
            "\x11\x22\x33\x44\x03\x00\x00\x03"
            "abcd",
            12);
        assert_int_equal(push(&r, p, 12, T0), -EOVERFLOW);
        put(p,
            "\x11\x22\x33\x44\x01\x00\x00\x04"
            "abcd",
            12);
        assert_int_equal(push(&r, p, 12, T0), -EBADE);
        /* a refused FIRST counts once */
        assert_int_equal(r.junk, 9);
        assert_false(r.in_flight);
        /* parse refusals count too, and keep a message in flight */
        put(p,
            "\x11\x22\x33\x44\x01\x00\x00\x14"
            "abcdefghijkl",
            20);
        assert_int_equal(push(&r, p, 20, T0), 0);
        assert_int_equal(push(&r, p, 3, T0), -EMSGSIZE);
        put(p + 20,
            "\x11\x22\x33\x44\x04\x01"
            "x",
            7);
        assert_int_equal(push(&r, p + 20, 7, T0), -EPROTO);
        assert_int_equal(r.junk, 11);
        assert_true(r.in_flight);
}

/* The 256th fragment: index 255 is the last one a message can have. */
static void test_index_wrap(void **state) {
        struct ble_reassembly r;
        struct ble_fragment f = { .link_id = LINK };
        static const uint8_t one[1] = { 'x' };
        const uint8_t *out;
        size_t len;

        (void)state;
        ble_reassembly_init(&r, LINK);
        /* FIRST with total 1024 and no data would not parse; build by hand: 1 byte each */
        f.flags = BLE_FRAG_FIRST;
        f.total_len = 1024;
        f.data = one;
        f.data_len = 1;
        assert_int_equal(ble_reassembly_push(&r, &f, T0, &out, &len), 0);
        f.flags = 0;
        f.total_len = 0;
        for (unsigned i = 1; i <= 255; i++) {
                f.index = (uint8_t)i;
                assert_int_equal(ble_reassembly_push(&r, &f, T0, &out, &len), 0);
        }
        /* index 0 again (the wrap) and anything else are refused */
        f.index = 0;
        assert_int_equal(ble_reassembly_push(&r, &f, T0, &out, &len), -EILSEQ);
        assert_int_equal(r.junk, 2);
}

static void test_timeout(void **state) {
        struct ble_reassembly r;
        struct frags *f;
        const uint8_t *out;
        size_t len;

        (void)state;
        fill();
        ble_reassembly_init(&r, LINK);
        f = split(LINK, msg, 40, 23);
        /* exactly 2 s between fragments is fine */
        assert_int_equal(push(&r, f->p[0], f->len[0], T0), 0);
        assert_int_equal(push(&r, f->p[1], f->len[1], T0 + 2000 * MS), 0);
        assert_int_equal(ble_reassembly_push_raw(&r, f->p[2], f->len[2], T0 + 4000 * MS, &out, &len), 1);
        assert_int_equal(r.junk, 0);
        /* 2 s + 1 µs: discarded (+1) and the late fragment refused (+1) */
        assert_int_equal(push(&r, f->p[0], f->len[0], T0), 0);
        assert_int_equal(push(&r, f->p[1], f->len[1], T0 + 2000 * MS + 1), -ETIMEDOUT);
        assert_int_equal(r.junk, 2);
        assert_false(r.in_flight);
        assert_int_equal(push(&r, f->p[2], f->len[2], T0 + 2000 * MS + 2), -ENOMSG);
        assert_int_equal(r.junk, 3);
        /* the caller's timer */
        assert_int_equal(push(&r, f->p[0], f->len[0], T0), 0);
        assert_false(ble_reassembly_expire(&r, T0 + 2000 * MS));
        assert_true(ble_reassembly_expire(&r, T0 + 2000 * MS + 1));
        assert_false(ble_reassembly_expire(&r, T0 + 9000 * MS));
        assert_int_equal(r.junk, 4);
        /* a FIRST after a timed-out one: the old one counted, the new one taken */
        assert_int_equal(push(&r, f->p[0], f->len[0], T0), 0);
        assert_int_equal(push(&r, f->p[0], f->len[0], T0 + 9000 * MS), 0);
        assert_int_equal(r.junk, 5);
        /* a clock that went back counts as no time passed */
        assert_int_equal(push(&r, f->p[1], f->len[1], T0), 0);
        assert_int_equal(r.junk, 5);
}

static void test_reset_and_args(void **state) {
        struct ble_reassembly r;
        struct ble_fragment f = { 0 };
        const uint8_t *out;
        size_t len;
        uint8_t p[20] = { 0x11, 0x22, 0x33, 0x44, 0x01, 0x00, 0x00, 0x20, 's', 'e', 'c', 'r', 'e', 't' };

        (void)state;
        ble_reassembly_init(&r, LINK);
        assert_int_equal(push(&r, p, 14, T0), 0);
        ble_reassembly_reset(&r);
        assert_false(r.in_flight);
        assert_int_equal(r.junk, 0);
        for (size_t i = 0; i < sizeof(r.buf); i++)
                assert_int_equal(r.buf[i], 0);
        assert_int_equal(ble_reassembly_push(NULL, &f, T0, &out, &len), -EINVAL);
        assert_int_equal(ble_reassembly_push(&r, NULL, T0, &out, &len), -EINVAL);
        assert_int_equal(ble_reassembly_push_raw(&r, NULL, 3, T0, &out, &len), -EINVAL);
        assert_int_equal(r.junk, 0);
        ble_reassembly_init(NULL, 0);
        ble_reassembly_reset(NULL);
        ble_reassembly_set_link_id(NULL, 0);
        assert_false(ble_reassembly_expire(NULL, 0));
}

/* A flood of junk allocates nothing and costs one counter step each. */
static void test_junk_flood(void **state) {
        struct ble_reassembly r;
        uint8_t p[20];

        (void)state;
        ble_reassembly_init(&r, LINK);
        for (unsigned i = 0; i < 100000; i++) {
                for (size_t k = 0; k < sizeof(p); k++)
                        p[k] = (uint8_t)(i * 2654435761u >> (k % 24));
                (void)push(&r, p, 1 + i % 20, T0 + i);
        }
        assert_true(r.junk > 90000);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_size),        cmocka_unit_test(test_link_id),
                cmocka_unit_test(test_sequence_refusals), cmocka_unit_test(test_length_refusals),
                cmocka_unit_test(test_index_wrap),        cmocka_unit_test(test_timeout),
                cmocka_unit_test(test_reset_and_args),    cmocka_unit_test(test_junk_flood),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
