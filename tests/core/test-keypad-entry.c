/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "keypad-entry.h"
#include "macro.h"
#include "verify.h"

#include <string.h>

#define SEC ((int64_t)1000000)
#define T0 (1000 * SEC) /* some monotonic instant */

/* A full keypad buffer is an entry the store still takes (and refuses as a
 * wrong code) rather than bad input it would not count. */
_Static_assert(DL_KEYPAD_BUFFER == DL_ENTRY_INPUT_MAX, "keypad buffer and store input limit differ");

/* Press every key of `keys` at `now`, advancing 100 ms per key; returns the
 * result of the last one. */
static enum dl_key_result press_all(struct dl_keypad_entry *k, const char *keys, int64_t *now, char *out) {
        enum dl_key_result r = DL_KEY_IGNORED;

        for (const char *p = keys; *p; p++) {
                r = dl_keypad_press(k, *p, *now, out);
                *now += SEC / 10;
        }
        return r;
}

static bool all_zero(const void *p, size_t n) {
        const unsigned char *b = p;

        for (size_t i = 0; i < n; i++)
                if (b[i] != 0)
                        return false;
        return true;
}

static void test_init(void **state) {
        struct dl_keypad_entry k;

        (void)state;
        memset(&k, 0xaa, sizeof(k));
        dl_keypad_init(&k, 3 * SEC);
        assert_int_equal(k.n, 0);
        assert_int_equal(k.last_key, 0);
        assert_int_equal(k.timeout_usec, 3 * SEC);
        assert_true(all_zero(k.digits, sizeof(k.digits)));
        assert_int_equal(dl_keypad_deadline(&k), 0);

        dl_keypad_init(&k, 0);
        assert_int_equal(k.timeout_usec, DL_KEYPAD_TIMEOUT_USEC_DEFAULT);
        dl_keypad_init(&k, -5);
        assert_int_equal(k.timeout_usec, DL_KEYPAD_TIMEOUT_USEC_DEFAULT);
}

static void test_digits_submit(void **state) {
        struct dl_keypad_entry k;
        char out[DL_KEYPAD_BUFFER + 1];
        int64_t now = T0;

        (void)state;
        dl_keypad_init(&k, DL_KEYPAD_TIMEOUT_USEC_DEFAULT);
        for (const char *p = "123456"; *p; p++) {
                assert_int_equal(dl_keypad_press(&k, *p, now, out), DL_KEY_NONE);
                now += SEC;
        }
        assert_int_equal(k.n, 6);
        assert_int_equal(dl_keypad_deadline(&k), now - SEC + DL_KEYPAD_TIMEOUT_USEC_DEFAULT);

        memset(out, 'x', sizeof(out));
        assert_int_equal(dl_keypad_press(&k, '#', now, out), DL_KEY_SUBMIT);
        assert_string_equal(out, "123456");
        assert_int_equal(strlen(out), 6);

        /* Empty again, and the digits are gone from the struct. */
        assert_int_equal(k.n, 0);
        assert_int_equal(k.last_key, 0);
        assert_int_equal(dl_keypad_deadline(&k), 0);
        assert_true(all_zero(k.digits, sizeof(k.digits)));

        /* A second '#' has nothing to submit. */
        memset(out, 'x', sizeof(out));
        assert_int_equal(dl_keypad_press(&k, '#', now, out), DL_KEY_IGNORED);
        assert_int_equal(out[0], 'x');

        /* The next entry starts from scratch. */
        assert_int_equal(press_all(&k, "0042#", &now, out), DL_KEY_SUBMIT);
        assert_string_equal(out, "0042");
}

static void test_submit_empty_ignored(void **state) {
        struct dl_keypad_entry k;
        char out[DL_KEYPAD_BUFFER + 1] = "untouched";

        (void)state;
        dl_keypad_init(&k, DL_KEYPAD_TIMEOUT_USEC_DEFAULT);
        assert_int_equal(dl_keypad_press(&k, '#', T0, out), DL_KEY_IGNORED);
        assert_string_equal(out, "untouched");
        assert_int_equal(k.n, 0);
}

static void test_star_clears(void **state) {
        struct dl_keypad_entry k;
        char out[DL_KEYPAD_BUFFER + 1];
        int64_t now = T0;

        (void)state;
        dl_keypad_init(&k, DL_KEYPAD_TIMEOUT_USEC_DEFAULT);
        assert_int_equal(dl_keypad_press(&k, '*', now, out), DL_KEY_IGNORED);

        assert_int_equal(press_all(&k, "9876", &now, out), DL_KEY_NONE);
        assert_int_equal(dl_keypad_press(&k, '*', now, out), DL_KEY_CLEARED);
        assert_int_equal(k.n, 0);
        assert_int_equal(k.last_key, 0);
        assert_true(all_zero(k.digits, sizeof(k.digits)));
        assert_int_equal(dl_keypad_press(&k, '*', now, out), DL_KEY_IGNORED);

        /* What came before '*' is not part of the next entry. */
        assert_int_equal(press_all(&k, "12*34#", &now, out), DL_KEY_SUBMIT);
        assert_string_equal(out, "34");
}

static void test_timeout_exact(void **state) {
        const int64_t timeout = 10 * SEC;
        struct dl_keypad_entry k;
        char out[DL_KEYPAD_BUFFER + 1];
        int64_t t;

        (void)state;
        dl_keypad_init(&k, timeout);

        /* One µs before the timeout the entry is still there. */
        assert_int_equal(dl_keypad_press(&k, '1', T0, out), DL_KEY_NONE);
        assert_int_equal(dl_keypad_press(&k, '2', T0, out), DL_KEY_NONE);
        assert_int_equal(dl_keypad_deadline(&k), T0 + timeout);
        assert_false(dl_keypad_expire(&k, T0 + timeout - 1));
        assert_int_equal(dl_keypad_press(&k, '3', T0 + timeout - 1, out), DL_KEY_NONE);
        assert_int_equal(k.n, 3);
        /* Each digit restarts the timeout. */
        assert_int_equal(dl_keypad_deadline(&k), T0 + 2 * timeout - 1);
        assert_int_equal(dl_keypad_press(&k, '#', T0 + 2 * timeout - 2, out), DL_KEY_SUBMIT);
        assert_string_equal(out, "123");

        /* Exactly at the timeout it is dropped (expire). */
        t = T0 + 10 * timeout;
        assert_int_equal(dl_keypad_press(&k, '4', t, out), DL_KEY_NONE);
        assert_false(dl_keypad_expire(&k, t + timeout - 1));
        assert_true(dl_keypad_expire(&k, t + timeout));
        assert_int_equal(k.n, 0);
        assert_true(all_zero(k.digits, sizeof(k.digits)));
        assert_int_equal(dl_keypad_deadline(&k), 0);
        assert_false(dl_keypad_expire(&k, t + timeout));

        /* Exactly at the timeout, a '#' finds nothing to submit. */
        t = T0 + 20 * timeout;
        assert_int_equal(dl_keypad_press(&k, '5', t, out), DL_KEY_NONE);
        memset(out, 'x', sizeof(out));
        assert_int_equal(dl_keypad_press(&k, '#', t + timeout, out), DL_KEY_IGNORED);
        assert_int_equal(out[0], 'x');

        /* ... a '*' finds nothing to clear ... */
        t = T0 + 30 * timeout;
        assert_int_equal(dl_keypad_press(&k, '5', t, out), DL_KEY_NONE);
        assert_int_equal(dl_keypad_press(&k, '*', t + timeout, out), DL_KEY_IGNORED);

        /* ... and a digit starts a new entry. */
        t = T0 + 40 * timeout;
        assert_int_equal(dl_keypad_press(&k, '6', t, out), DL_KEY_NONE);
        assert_int_equal(dl_keypad_press(&k, '7', t + timeout, out), DL_KEY_NONE);
        assert_int_equal(dl_keypad_press(&k, '#', t + timeout, out), DL_KEY_SUBMIT);
        assert_string_equal(out, "7");
}

static void test_unknown_keys(void **state) {
        const char unknown[] = { 'A', 'a', 'D', ' ', '\0', '\n', '+', '/', ':', (char)0xff, (char)0x80 };
        struct dl_keypad_entry k;
        char out[DL_KEYPAD_BUFFER + 1];
        int64_t now = T0;

        (void)state;
        dl_keypad_init(&k, 10 * SEC);
        for (size_t i = 0; i < ELEMENTSOF(unknown); i++)
                assert_int_equal(dl_keypad_press(&k, unknown[i], now, out), DL_KEY_IGNORED);
        assert_int_equal(k.n, 0);

        assert_int_equal(dl_keypad_press(&k, '1', now, out), DL_KEY_NONE);
        for (size_t i = 0; i < ELEMENTSOF(unknown); i++)
                assert_int_equal(dl_keypad_press(&k, unknown[i], now + SEC, out), DL_KEY_IGNORED);
        assert_int_equal(k.n, 1);
        /* Unknown keys do not keep the entry alive. */
        assert_int_equal(dl_keypad_deadline(&k), now + 10 * SEC);
        assert_int_equal(dl_keypad_press(&k, '2', now + 2 * SEC, out), DL_KEY_NONE);
        assert_int_equal(dl_keypad_press(&k, '#', now + 2 * SEC, out), DL_KEY_SUBMIT);
        assert_string_equal(out, "12");
}

static void test_long_entries(void **state) {
        char keys[128], out[DL_KEYPAD_BUFFER + 1], expect[DL_KEYPAD_BUFFER + 1];
        struct dl_keypad_entry k;
        int64_t now = T0;

        (void)state;
        dl_keypad_init(&k, 10 * SEC);

        /* Exactly DL_KEYPAD_BUFFER (64) digits: all of them. */
        for (size_t i = 0; i < DL_KEYPAD_BUFFER; i++)
                keys[i] = (char)('0' + i % 10);
        keys[DL_KEYPAD_BUFFER] = '\0';
        memcpy(expect, keys, sizeof(expect));
        assert_int_equal(press_all(&k, keys, &now, out), DL_KEY_NONE);
        assert_int_equal(k.n, 64);
        assert_int_equal(dl_keypad_press(&k, '#', now, out), DL_KEY_SUBMIT);
        assert_int_equal(strlen(out), 64);
        assert_string_equal(out, expect);
        assert_true(all_zero(k.digits, sizeof(k.digits)));

        /* 70 digits: the first 64, never fewer (so never a short entry that
         * a store could match). */
        for (size_t i = 0; i < 70; i++)
                keys[i] = (char)('0' + (i * 7) % 10);
        keys[70] = '\0';
        memcpy(expect, keys, DL_KEYPAD_BUFFER);
        expect[DL_KEYPAD_BUFFER] = '\0';
        assert_int_equal(press_all(&k, keys, &now, out), DL_KEY_NONE);
        assert_int_equal(k.n, 70);
        assert_int_equal(k.digits[DL_KEYPAD_BUFFER], '\0');
        memset(out, 'x', sizeof(out));
        assert_int_equal(dl_keypad_press(&k, '#', now, out), DL_KEY_SUBMIT);
        assert_int_equal(strlen(out), DL_KEYPAD_BUFFER);
        assert_string_equal(out, expect);
        assert_int_equal(k.n, 0);
        assert_true(all_zero(k.digits, sizeof(k.digits)));

        /* A too-long entry can be cleared like any other. */
        assert_int_equal(press_all(&k, keys, &now, out), DL_KEY_NONE);
        assert_int_equal(dl_keypad_press(&k, '*', now, out), DL_KEY_CLEARED);
        assert_true(all_zero(k.digits, sizeof(k.digits)));

        /* ... and times out like any other. */
        assert_int_equal(press_all(&k, keys, &now, out), DL_KEY_NONE);
        assert_true(dl_keypad_expire(&k, now + 10 * SEC));
        assert_int_equal(k.n, 0);
        assert_true(all_zero(k.digits, sizeof(k.digits)));

        /* 1000 digits: still exactly 64 submitted. */
        for (int i = 0; i < 1000; i++)
                assert_int_equal(dl_keypad_press(&k, '5', now, out), DL_KEY_NONE);
        assert_int_equal(dl_keypad_press(&k, '#', now, out), DL_KEY_SUBMIT);
        assert_int_equal(strlen(out), DL_KEYPAD_BUFFER);
}

/* End to end: an over-long entry that starts with a valid PIN is submitted
 * as 64 digits, refused by the store and counted as one wrong entry, in
 * plain and in anti-peep mode. */
static void long_entry_through_store(bool anti_peep) {
        struct store_fixture *f;
        struct dl_keypad_entry k;
        struct dl_lockout_state lo;
        struct dl_decision d;
        char keys[80], out[DL_KEYPAD_BUFFER + 1];
        void *fixture;
        int64_t now = T0;

        assert_int_equal(store_fixture_setup(&fixture), 0);
        f = fixture;
        f->config.anti_peep = anti_peep;
        store_fixture_open(f);
        (void)add_code(f, "Alice", "624791");
        dl_keypad_init(&k, 10 * SEC);

        /* The PIN, then 64 more digits. */
        strcpy(keys, "624791");
        for (size_t i = 6; i < 70; i++)
                keys[i] = (char)('0' + (i * 3) % 10);
        keys[70] = '\0';
        assert_int_equal(press_all(&k, keys, &now, out), DL_KEY_NONE);
        assert_int_equal(dl_keypad_press(&k, '#', now, out), DL_KEY_SUBMIT);
        assert_int_equal(strlen(out), DL_KEYPAD_BUFFER);

        assert_int_equal(dl_store_verify(f->store, out, DL_SOURCE_KEYPAD, &d, NULL), 0);
        assert_false(d.granted);
        assert_int_equal(d.reason, DL_REASON_UNKNOWN_CODE);
        assert_int_equal(dl_store_lockout_state(f->store, &lo, NULL), 0);
        assert_int_equal(lo.failures, 1);

        /* The PIN alone still opens (and clears the count). */
        assert_int_equal(press_all(&k, "624791#", &now, out), DL_KEY_SUBMIT);
        assert_int_equal(dl_store_verify(f->store, out, DL_SOURCE_KEYPAD, &d, NULL), 0);
        assert_true(d.granted);
        assert_int_equal(dl_store_lockout_state(f->store, &lo, NULL), 0);
        assert_int_equal(lo.failures, 0);

        assert_int_equal(store_fixture_teardown(&fixture), 0);
}

static void test_long_entry_store_plain(void **state) {
        (void)state;
        long_entry_through_store(false);
}

static void test_long_entry_store_anti_peep(void **state) {
        (void)state;
        long_entry_through_store(true);
}

static void test_clear(void **state) {
        struct dl_keypad_entry k;
        char out[DL_KEYPAD_BUFFER + 1];
        int64_t now = T0;

        (void)state;
        dl_keypad_init(&k, 10 * SEC);
        assert_int_equal(press_all(&k, "424242", &now, out), DL_KEY_NONE);
        dl_keypad_clear(&k);
        assert_int_equal(k.n, 0);
        assert_int_equal(k.last_key, 0);
        assert_int_equal(k.timeout_usec, 10 * SEC);
        assert_true(all_zero(k.digits, sizeof(k.digits)));
        assert_int_equal(dl_keypad_press(&k, '#', now, out), DL_KEY_IGNORED);
}

/* Monotonic time 0 is an instant like any other. */
static void test_time_zero(void **state) {
        struct dl_keypad_entry k;
        char out[DL_KEYPAD_BUFFER + 1];

        (void)state;
        dl_keypad_init(&k, 10 * SEC);
        assert_int_equal(dl_keypad_press(&k, '7', 0, out), DL_KEY_NONE);
        assert_int_equal(dl_keypad_deadline(&k), 10 * SEC);
        assert_false(dl_keypad_expire(&k, 10 * SEC - 1));
        assert_int_equal(dl_keypad_press(&k, '#', 10 * SEC - 1, out), DL_KEY_SUBMIT);
        assert_string_equal(out, "7");

        assert_int_equal(dl_keypad_press(&k, '7', 0, out), DL_KEY_NONE);
        assert_true(dl_keypad_expire(&k, 10 * SEC));

        /* A clock that went back does not drop (or underflow). */
        assert_int_equal(dl_keypad_press(&k, '8', T0, out), DL_KEY_NONE);
        assert_false(dl_keypad_expire(&k, T0 - 100 * SEC));
        assert_false(dl_keypad_expire(&k, INT64_MIN));
        assert_int_equal(k.n, 1);

        /* A deadline near the end of time saturates. */
        dl_keypad_clear(&k);
        assert_int_equal(dl_keypad_press(&k, '9', INT64_MAX - 1, out), DL_KEY_NONE);
        assert_int_equal(dl_keypad_deadline(&k), INT64_MAX);
        assert_false(dl_keypad_expire(&k, INT64_MAX - 1));
}

static void test_null(void **state) {
        struct dl_keypad_entry k;
        char out[DL_KEYPAD_BUFFER + 1];

        (void)state;
        dl_keypad_init(NULL, SEC);
        dl_keypad_clear(NULL);
        assert_false(dl_keypad_expire(NULL, T0));
        assert_int_equal(dl_keypad_deadline(NULL), 0);
        assert_int_equal(dl_keypad_press(NULL, '1', T0, out), DL_KEY_IGNORED);

        dl_keypad_init(&k, SEC);
        assert_int_equal(dl_keypad_press(&k, '1', T0, NULL), DL_KEY_IGNORED);
        assert_int_equal(k.n, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_init),
                cmocka_unit_test(test_digits_submit),
                cmocka_unit_test(test_submit_empty_ignored),
                cmocka_unit_test(test_star_clears),
                cmocka_unit_test(test_timeout_exact),
                cmocka_unit_test(test_unknown_keys),
                cmocka_unit_test(test_long_entries),
                cmocka_unit_test(test_long_entry_store_plain),
                cmocka_unit_test(test_long_entry_store_anti_peep),
                cmocka_unit_test(test_clear),
                cmocka_unit_test(test_time_zero),
                cmocka_unit_test(test_null),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
