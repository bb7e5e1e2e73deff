/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "input-debounce.h"
#include "macro.h"

#define MS ((int64_t)1000)
#define T0 ((int64_t)1000 * USEC_PER_SEC)
#define SETTLE (20 * MS)

static void test_accept_after_stable(void **state _unused_) {
        struct dl_debounce d;

        dl_debounce_init(&d, false, SETTLE);
        assert_int_equal(dl_debounce_deadline(&d), 0);
        dl_debounce_edge(&d, true, T0);
        assert_int_equal(dl_debounce_deadline(&d), T0 + SETTLE);
        assert_int_equal(dl_debounce_timer(&d, T0 + SETTLE - 1), 0);
        assert_false(d.stable);
        assert_int_equal(dl_debounce_timer(&d, T0 + SETTLE), 1);
        assert_true(d.stable);
        assert_int_equal(dl_debounce_deadline(&d), 0);
        assert_int_equal(dl_debounce_timer(&d, T0 + 2 * SETTLE), 0);
}

static void test_bounce(void **state _unused_) {
        struct dl_debounce d;

        dl_debounce_init(&d, false, SETTLE);
        for (int i = 0; i < 10; i++)
                dl_debounce_edge(&d, i % 2 == 0, T0 + i * MS);
        /* ends low (i = 9 was false): back where it was, nothing */
        assert_int_equal(dl_debounce_deadline(&d), T0 + 9 * MS + SETTLE);
        assert_int_equal(dl_debounce_timer(&d, T0 + 9 * MS + SETTLE), 0);
        assert_false(d.stable);
        for (int i = 0; i < 9; i++)
                dl_debounce_edge(&d, i % 2 == 0, T0 + 100 * MS + i * MS);
        assert_int_equal(dl_debounce_timer(&d, T0 + 108 * MS + SETTLE - 1), 0);
        assert_int_equal(dl_debounce_timer(&d, T0 + 108 * MS + SETTLE), 1);
        assert_true(d.stable);
}

static void test_short_press_ignored(void **state _unused_) {
        struct dl_debounce d;

        dl_debounce_init(&d, false, SETTLE);
        dl_debounce_edge(&d, true, T0);
        dl_debounce_edge(&d, false, T0 + SETTLE / 2);
        assert_int_equal(dl_debounce_timer(&d, T0 + 2 * SETTLE), 0);
        assert_false(d.stable);
}

/* A late timer after a change: accepted at the late call; an edge
 * timestamped earlier than one seen counts as the latest time. */
static void test_time_order(void **state _unused_) {
        struct dl_debounce d;

        dl_debounce_init(&d, true, SETTLE);
        dl_debounce_edge(&d, false, T0 + 50 * MS);
        dl_debounce_edge(&d, false, T0 + 10 * MS);
        assert_int_equal(dl_debounce_deadline(&d), T0 + 50 * MS + SETTLE);
        assert_int_equal(dl_debounce_timer(&d, T0 + 500 * MS), 1);
        assert_false(d.stable);
        dl_debounce_init(&d, true, 0); /* 0 is treated as 1 µs */
        dl_debounce_edge(&d, false, T0);
        assert_int_equal(dl_debounce_deadline(&d), T0 + 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_accept_after_stable),
                cmocka_unit_test(test_bounce),
                cmocka_unit_test(test_short_press_ignored),
                cmocka_unit_test(test_time_order),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
