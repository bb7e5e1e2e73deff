/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "audit-chain.h"
#include "hmac.h"

#include <stdio.h>
#include <string.h>

/* 00 01 02 .. 1f */
static void key_bytes(uint8_t key[DL_KEY_SIZE], uint8_t first) {
        for (int i = 0; i < DL_KEY_SIZE; i++)
                key[i] = (uint8_t)(first + i);
}

static struct dl_hmac_key *key_new(uint8_t first) {
        uint8_t raw[DL_KEY_SIZE];
        struct dl_hmac_key *k = NULL;

        key_bytes(raw, first);
        assert_int_equal(dl_hmac_key_new(raw, &k), 0);
        assert_non_null(k);
        return k;
}

static void entry_init(struct dl_audit_entry *e) {
        *e = (struct dl_audit_entry){
                .seq = 42,
                .time = utc_usec(2026, 6, 1, 12, 0, 0),
                .code_id = 7,
        };
        strcpy(e->event, DL_EVENT_ACCESS_DENIED);
        strcpy(e->source, "keypad");
        strcpy(e->code_name, "Alice");
        strcpy(e->details, "reason=outside-window");
}

static void prev_init(uint8_t prev[DL_MAC_SIZE]) {
        for (int i = 0; i < DL_MAC_SIZE; i++)
                prev[i] = (uint8_t)(0xa0 ^ i);
}

/* ---- dl_hmac itself ---- */

static void test_hmac_known_answer(void **state) {
        /* openssl dgst -sha256 -mac HMAC \
         *   -macopt hexkey:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
         * over "123456" =
         * 8ba539f5f932c3fc8a67c2b866e25bbc326637f3c6c88b7b0e2b666e3cb33066 */
        static const uint8_t expected[] = {
                0x8b, 0xa5, 0x39, 0xf5, 0xf9, 0x32, 0xc3, 0xfc, 0x8a, 0x67, 0xc2,
                0xb8, 0x66, 0xe2, 0x5b, 0xbc, 0x32, 0x66, 0x37, 0xf3, 0xc6, 0xc8,
                0x8b, 0x7b, 0x0e, 0x2b, 0x66, 0x6e, 0x3c, 0xb3, 0x30, 0x66,
        };
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *k = key_new(0x00);
        const struct dl_hmac_part one[] = { { "123456", 6 } };
        const struct dl_hmac_part two[] = { { "12", 2 }, { "3456", 4 } };
        const struct dl_hmac_part three[] = { { "", 0 }, { "123", 3 }, { "456", 3 } };
        uint8_t a[DL_MAC_SIZE], b[DL_MAC_SIZE], c[DL_MAC_SIZE];

        (void)state;
        assert_int_equal(sizeof(expected), DL_MAC_SIZE);
        assert_int_equal(dl_hmac(k, one, ELEMENTSOF(one), a), 0);
        assert_memory_equal(a, expected, DL_MAC_SIZE);

        assert_int_equal(dl_hmac(k, two, ELEMENTSOF(two), b), 0);
        assert_memory_equal(b, expected, DL_MAC_SIZE);
        assert_int_equal(dl_hmac(k, three, ELEMENTSOF(three), c), 0);
        assert_memory_equal(c, expected, DL_MAC_SIZE);

        /* The key's context is reusable: the same MAC again. */
        memset(a, 0, sizeof(a));
        assert_int_equal(dl_hmac(k, one, ELEMENTSOF(one), a), 0);
        assert_memory_equal(a, expected, DL_MAC_SIZE);
}

static void test_hmac_key_and_message_matter(void **state) {
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *k1 = key_new(0x00);
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *k2 = key_new(0x01);
        const struct dl_hmac_part m1[] = { { "123456", 6 } };
        const struct dl_hmac_part m2[] = { { "123457", 6 } };
        uint8_t a[DL_MAC_SIZE], b[DL_MAC_SIZE], c[DL_MAC_SIZE];

        (void)state;
        assert_int_equal(dl_hmac(k1, m1, 1, a), 0);
        assert_int_equal(dl_hmac(k2, m1, 1, b), 0);
        assert_int_equal(dl_hmac(k1, m2, 1, c), 0);
        assert_false(dl_mac_equal(a, b));
        assert_false(dl_mac_equal(a, c));

        /* No parts: the MAC of the empty message, still well defined. */
        assert_int_equal(dl_hmac(k1, NULL, 0, b), 0);
        assert_false(dl_mac_equal(a, b));
}

static void test_mac_equal(void **state) {
        uint8_t a[DL_MAC_SIZE], b[DL_MAC_SIZE];

        (void)state;
        prev_init(a);
        memcpy(b, a, sizeof(a));
        assert_true(dl_mac_equal(a, b));
        assert_true(dl_mac_equal(a, a));
        for (int i = 0; i < DL_MAC_SIZE; i++) {
                b[i] ^= 0x01;
                assert_false(dl_mac_equal(a, b));
                b[i] ^= 0x81;
                assert_false(dl_mac_equal(a, b));
                b[i] ^= 0x80;
                assert_true(dl_mac_equal(a, b));
        }
}

/* ---- entries ---- */

static void test_seal_verify(void **state) {
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *k = key_new(0x00);
        struct dl_audit_entry e, again;
        uint8_t prev[DL_MAC_SIZE];
        static const uint8_t zero[DL_MAC_SIZE];

        (void)state;
        prev_init(prev);
        entry_init(&e);
        assert_int_equal(dl_audit_entry_seal(k, prev, &e), 0);
        assert_false(dl_mac_equal(e.mac, zero));
        assert_true(dl_audit_entry_verify(k, prev, &e));

        /* Deterministic. */
        again = e;
        memset(again.mac, 0, sizeof(again.mac));
        assert_int_equal(dl_audit_entry_seal(k, prev, &again), 0);
        assert_memory_equal(again.mac, e.mac, DL_MAC_SIZE);

        /* Entry 1 chains to zeros. */
        e.seq = 1;
        assert_int_equal(dl_audit_entry_seal(k, zero, &e), 0);
        assert_true(dl_audit_entry_verify(k, zero, &e));
        assert_false(dl_audit_entry_verify(k, prev, &e));

        /* Empty strings and no code are fine. */
        e = (struct dl_audit_entry){ .seq = 2, .time = 1 };
        assert_int_equal(dl_audit_entry_seal(k, prev, &e), 0);
        assert_true(dl_audit_entry_verify(k, prev, &e));
}

static void test_chain(void **state) {
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *k = key_new(0x00);
        struct dl_audit_entry log[5];
        static const uint8_t zero[DL_MAC_SIZE];

        (void)state;
        for (int i = 0; i < 5; i++) {
                entry_init(&log[i]);
                log[i].seq = i + 1;
                log[i].time += i;
                assert_int_equal(dl_audit_entry_seal(k, i == 0 ? zero : log[i - 1].mac, &log[i]), 0);
        }
        for (int i = 0; i < 5; i++)
                assert_true(dl_audit_entry_verify(k, i == 0 ? zero : log[i - 1].mac, &log[i]));

        /* Identical contents but different positions: different MACs. */
        for (int i = 1; i < 5; i++)
                assert_false(dl_mac_equal(log[i].mac, log[i - 1].mac));

        /* Removing entry 3 breaks entry 4's link. */
        assert_false(dl_audit_entry_verify(k, log[1].mac, &log[3]));
        /* Swapping two entries breaks both. */
        assert_false(dl_audit_entry_verify(k, log[0].mac, &log[2]));
        assert_false(dl_audit_entry_verify(k, log[2].mac, &log[1]));
}

static void assert_tamper_detected(const struct dl_hmac_key *k, const uint8_t prev[DL_MAC_SIZE],
                                   const struct dl_audit_entry *sealed,
                                   const struct dl_audit_entry *tampered, const char *what) {
        if (dl_audit_entry_verify(k, prev, tampered))
                fail_msg("changing %s was not detected", what);
        /* The original still verifies. */
        assert_true(dl_audit_entry_verify(k, prev, sealed));
}

static void test_tamper_fields(void **state) {
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *k = key_new(0x00);
        struct dl_audit_entry e, t;
        uint8_t prev[DL_MAC_SIZE];

        (void)state;
        prev_init(prev);
        entry_init(&e);
        assert_int_equal(dl_audit_entry_seal(k, prev, &e), 0);

        t = e;
        t.seq++;
        assert_tamper_detected(k, prev, &e, &t, "seq");
        t = e;
        t.seq = -e.seq;
        assert_tamper_detected(k, prev, &e, &t, "seq sign");
        t = e;
        t.seq += (int64_t)1 << 40; /* a high byte */
        assert_tamper_detected(k, prev, &e, &t, "seq high byte");

        t = e;
        t.time--;
        assert_tamper_detected(k, prev, &e, &t, "time");
        t = e;
        t.time += (int64_t)1 << 56;
        assert_tamper_detected(k, prev, &e, &t, "time top byte");

        t = e;
        strcpy(t.event, DL_EVENT_ACCESS_GRANTED);
        assert_tamper_detected(k, prev, &e, &t, "event");

        t = e;
        strcpy(t.source, "dbus");
        assert_tamper_detected(k, prev, &e, &t, "source");

        t = e;
        t.code_id = 8;
        assert_tamper_detected(k, prev, &e, &t, "code_id");
        t = e;
        t.code_id = 0;
        assert_tamper_detected(k, prev, &e, &t, "code_id to none");

        t = e;
        strcpy(t.code_name, "Alicf");
        assert_tamper_detected(k, prev, &e, &t, "code_name");
        t = e;
        t.code_name[0] = '\0';
        assert_tamper_detected(k, prev, &e, &t, "code_name emptied");

        t = e;
        strcpy(t.details, "reason=outside-windoW");
        assert_tamper_detected(k, prev, &e, &t, "details");
        t = e;
        strcpy(t.details, "reason=outside-window ");
        assert_tamper_detected(k, prev, &e, &t, "details appended");

        for (int i = 0; i < DL_MAC_SIZE; i++) {
                char what[32];

                t = e;
                t.mac[i] ^= 0x40;
                snprintf(what, sizeof(what), "mac byte %d", i);
                assert_tamper_detected(k, prev, &e, &t, what);
        }
}

static void test_bytes_after_nul_ignored(void **state) {
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *k = key_new(0x00);
        struct dl_audit_entry e, t;
        uint8_t prev[DL_MAC_SIZE];

        (void)state;
        /* Only the strings count, not the rest of the buffers: an entry read
         * back from the database into a fresh struct must still verify. */
        prev_init(prev);
        entry_init(&e);
        assert_int_equal(dl_audit_entry_seal(k, prev, &e), 0);
        t = e;
        memset(t.details + strlen(t.details) + 1, 'x', sizeof(t.details) - strlen(t.details) - 2);
        assert_true(dl_audit_entry_verify(k, prev, &t));
}

static void test_wrong_prev(void **state) {
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *k = key_new(0x00);
        struct dl_audit_entry e;
        uint8_t prev[DL_MAC_SIZE], other[DL_MAC_SIZE];

        (void)state;
        prev_init(prev);
        entry_init(&e);
        assert_int_equal(dl_audit_entry_seal(k, prev, &e), 0);
        for (int i = 0; i < DL_MAC_SIZE; i++) {
                memcpy(other, prev, sizeof(prev));
                other[i] ^= 0x01;
                assert_false(dl_audit_entry_verify(k, other, &e));
        }
        memset(other, 0, sizeof(other));
        assert_false(dl_audit_entry_verify(k, other, &e));
}

static void test_wrong_key(void **state) {
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *k = key_new(0x00);
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *same = key_new(0x00);
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *other = key_new(0x01);
        struct dl_audit_entry e, f;
        uint8_t prev[DL_MAC_SIZE];

        (void)state;
        prev_init(prev);
        entry_init(&e);
        assert_int_equal(dl_audit_entry_seal(k, prev, &e), 0);
        assert_true(dl_audit_entry_verify(same, prev, &e));
        assert_false(dl_audit_entry_verify(other, prev, &e));

        f = e;
        assert_int_equal(dl_audit_entry_seal(other, prev, &f), 0);
        assert_false(dl_mac_equal(e.mac, f.mac));
        assert_false(dl_audit_entry_verify(k, prev, &f));
}

static void assert_macs_differ(const struct dl_hmac_key *k, const uint8_t prev[DL_MAC_SIZE],
                               struct dl_audit_entry *a, struct dl_audit_entry *b) {
        assert_int_equal(dl_audit_entry_seal(k, prev, a), 0);
        assert_int_equal(dl_audit_entry_seal(k, prev, b), 0);
        assert_false(dl_mac_equal(a->mac, b->mac));
        /* Moving a's MAC onto b must not verify. */
        memcpy(b->mac, a->mac, DL_MAC_SIZE);
        assert_false(dl_audit_entry_verify(k, prev, b));
}

static void test_field_boundaries(void **state) {
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *k = key_new(0x00);
        struct dl_audit_entry a, b;
        uint8_t prev[DL_MAC_SIZE];

        (void)state;
        prev_init(prev);

        /* event "ab" + source "c" vs event "a" + source "bc". */
        entry_init(&a);
        entry_init(&b);
        strcpy(a.event, "ab");
        strcpy(a.source, "c");
        strcpy(b.event, "a");
        strcpy(b.source, "bc");
        assert_macs_differ(k, prev, &a, &b);

        /* source / code_name. */
        entry_init(&a);
        entry_init(&b);
        strcpy(a.source, "keypadA");
        strcpy(a.code_name, "lice");
        strcpy(b.source, "keypad");
        strcpy(b.code_name, "Alice");
        assert_macs_differ(k, prev, &a, &b);

        /* code_name / details. */
        entry_init(&a);
        entry_init(&b);
        strcpy(a.code_name, "Alice ");
        strcpy(a.details, "x");
        strcpy(b.code_name, "Alice");
        strcpy(b.details, " x");
        assert_macs_differ(k, prev, &a, &b);

        /* Everything moved into details. */
        entry_init(&a);
        entry_init(&b);
        a.event[0] = a.source[0] = a.code_name[0] = '\0';
        snprintf(a.details, sizeof(a.details), "%s%s%s%s", b.event, b.source, b.code_name, b.details);
        assert_macs_differ(k, prev, &a, &b);
}

static void test_head_anchor_tags(void **state) {
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *k = key_new(0x00);
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *other = key_new(0x01);
        uint8_t mac[DL_MAC_SIZE], mac2[DL_MAC_SIZE];
        uint8_t head[DL_MAC_SIZE], anchor[DL_MAC_SIZE], t[DL_MAC_SIZE];
        struct dl_audit_entry e;

        (void)state;
        prev_init(mac);

        assert_int_equal(dl_audit_head_tag(k, 10, mac, head), 0);
        assert_int_equal(dl_audit_anchor_tag(k, 10, mac, anchor), 0);
        /* Domain separation: a head tag is never valid as an anchor. */
        assert_false(dl_mac_equal(head, anchor));

        /* Deterministic. */
        assert_int_equal(dl_audit_head_tag(k, 10, mac, t), 0);
        assert_memory_equal(t, head, DL_MAC_SIZE);
        assert_int_equal(dl_audit_anchor_tag(k, 10, mac, t), 0);
        assert_memory_equal(t, anchor, DL_MAC_SIZE);

        /* Depends on seq. */
        assert_int_equal(dl_audit_head_tag(k, 11, mac, t), 0);
        assert_false(dl_mac_equal(t, head));
        assert_int_equal(dl_audit_anchor_tag(k, 11, mac, t), 0);
        assert_false(dl_mac_equal(t, anchor));
        assert_int_equal(dl_audit_head_tag(k, 10 + ((int64_t)1 << 48), mac, t), 0);
        assert_false(dl_mac_equal(t, head));

        /* Depends on the MAC. */
        memcpy(mac2, mac, sizeof(mac));
        mac2[DL_MAC_SIZE - 1] ^= 0x01;
        assert_int_equal(dl_audit_head_tag(k, 10, mac2, t), 0);
        assert_false(dl_mac_equal(t, head));
        assert_int_equal(dl_audit_anchor_tag(k, 10, mac2, t), 0);
        assert_false(dl_mac_equal(t, anchor));

        /* Depends on the key. */
        assert_int_equal(dl_audit_head_tag(other, 10, mac, t), 0);
        assert_false(dl_mac_equal(t, head));
        assert_int_equal(dl_audit_anchor_tag(other, 10, mac, t), 0);
        assert_false(dl_mac_equal(t, anchor));

        /* Neither tag is an entry MAC. */
        entry_init(&e);
        e.seq = 10;
        assert_int_equal(dl_audit_entry_seal(k, mac, &e), 0);
        assert_false(dl_mac_equal(e.mac, head));
        assert_false(dl_mac_equal(e.mac, anchor));
}

static void test_source_strings(void **state) {
        static const struct {
                enum dl_source s;
                const char *name;
        } table[] = {
                { DL_SOURCE_KEYPAD, "keypad" }, { DL_SOURCE_DBUS, "dbus" },     { DL_SOURCE_BLE, "ble" },
                { DL_SOURCE_SYSTEM, "system" }, { DL_SOURCE_BUTTON, "button" }, { DL_SOURCE_MQTT, "mqtt" },
        };

        (void)state;
        assert_int_equal(ELEMENTSOF(table), _DL_SOURCE_MAX);
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                const char *name = dl_source_to_string(table[i].s);

                assert_non_null(name);
                assert_string_equal(name, table[i].name);
                assert_true(strlen(name) < DL_AUDIT_SOURCE_MAX);
                assert_int_equal(dl_source_from_string(name), table[i].s);
        }

        assert_null(dl_source_to_string(_DL_SOURCE_MAX));
        assert_null(dl_source_to_string(_DL_SOURCE_INVALID));
        assert_null(dl_source_to_string((enum dl_source)100));

        assert_int_equal(dl_source_from_string(NULL), _DL_SOURCE_INVALID);
        assert_int_equal(dl_source_from_string(""), _DL_SOURCE_INVALID);
        assert_int_equal(dl_source_from_string("Keypad"), _DL_SOURCE_INVALID);
        assert_int_equal(dl_source_from_string("keypad "), _DL_SOURCE_INVALID);
        assert_int_equal(dl_source_from_string("key"), _DL_SOURCE_INVALID);
        assert_int_equal(dl_source_from_string("bluetooth"), _DL_SOURCE_INVALID);
        assert_int_equal(dl_source_from_string("MQTT"), _DL_SOURCE_INVALID);
}

static void test_event_names_fit(void **state) {
        const char *events[] = {
                DL_EVENT_ACCESS_GRANTED, DL_EVENT_ACCESS_DENIED, DL_EVENT_CODE_ADDED,
                DL_EVENT_CODE_REMOVED,   DL_EVENT_CODE_CHANGED,  DL_EVENT_LOCKOUT,
                DL_EVENT_ALARM,          DL_EVENT_CLOCK,         DL_EVENT_LOG,
        };

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(events); i++) {
                assert_true(strlen(events[i]) > 0);
                assert_true(strlen(events[i]) < DL_AUDIT_EVENT_MAX);
                for (size_t j = 0; j < i; j++)
                        assert_string_not_equal(events[i], events[j]);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hmac_known_answer),
                cmocka_unit_test(test_hmac_key_and_message_matter),
                cmocka_unit_test(test_mac_equal),
                cmocka_unit_test(test_seal_verify),
                cmocka_unit_test(test_chain),
                cmocka_unit_test(test_tamper_fields),
                cmocka_unit_test(test_bytes_after_nul_ignored),
                cmocka_unit_test(test_wrong_prev),
                cmocka_unit_test(test_wrong_key),
                cmocka_unit_test(test_field_boundaries),
                cmocka_unit_test(test_head_anchor_tags),
                cmocka_unit_test(test_source_strings),
                cmocka_unit_test(test_event_names_fit),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
