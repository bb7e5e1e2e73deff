/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "clock-trust.h"

#include <string.h>

#define SEC ((int64_t)1000000)
#define HOUR (3600 * SEC)
#define DAY (24 * HOUR)

static int64_t t0(void) {
        return utc_usec(2026, 6, 1, 12, 0, 0);
}

/* A fresh struct, as a new store starts it: mark 0, trusted. */
static struct dl_clock_trust fresh(void) {
        return (struct dl_clock_trust){ .mark = 0, .untrusted = false };
}

static void test_first_time_raises_mark(void **state) {
        struct dl_clock_trust t = fresh();

        (void)state;
        assert_int_equal(dl_clock_trust_update(&t, t0(), false), DL_CLOCK_EVENT_NONE);
        assert_int_equal(t.mark, t0());
        assert_false(t.untrusted);
}

static void test_later_times_raise_mark(void **state) {
        struct dl_clock_trust t = fresh();

        (void)state;
        assert_int_equal(dl_clock_trust_update(&t, t0(), false), DL_CLOCK_EVENT_NONE);
        assert_int_equal(dl_clock_trust_update(&t, t0() + 1, false), DL_CLOCK_EVENT_NONE);
        assert_int_equal(t.mark, t0() + 1);
        assert_int_equal(dl_clock_trust_update(&t, t0() + DAY, true), DL_CLOCK_EVENT_NONE);
        assert_int_equal(t.mark, t0() + DAY);
        assert_false(t.untrusted);

        /* The same time again is not a set-back. */
        assert_int_equal(dl_clock_trust_update(&t, t0() + DAY, false), DL_CLOCK_EVENT_NONE);
        assert_int_equal(t.mark, t0() + DAY);
        assert_false(t.untrusted);
}

static void test_set_back(void **state) {
        struct dl_clock_trust t = fresh();

        (void)state;
        dl_clock_trust_update(&t, t0(), false);

        /* One microsecond back is already a set-back. */
        assert_int_equal(dl_clock_trust_update(&t, t0() - 1, false), DL_CLOCK_EVENT_SET_BACK);
        assert_true(t.untrusted);
        assert_int_equal(t.mark, t0());

        /* Reported once: the next call says nothing new, and nothing moves. */
        assert_int_equal(dl_clock_trust_update(&t, t0() - HOUR, false), DL_CLOCK_EVENT_NONE);
        assert_true(t.untrusted);
        assert_int_equal(t.mark, t0());
        assert_int_equal(dl_clock_trust_update(&t, t0() - 1, false), DL_CLOCK_EVENT_NONE);
        assert_true(t.untrusted);
        assert_int_equal(t.mark, t0());
}

static void test_set_back_far(void **state) {
        struct dl_clock_trust t = fresh();

        (void)state;
        /* Battery pulled: the RTC restarts at 1970. */
        dl_clock_trust_update(&t, t0(), false);
        assert_int_equal(dl_clock_trust_update(&t, 0, false), DL_CLOCK_EVENT_SET_BACK);
        assert_true(t.untrusted);
        assert_int_equal(t.mark, t0());
}

static void test_recovered(void **state) {
        struct dl_clock_trust t = fresh();

        (void)state;
        dl_clock_trust_update(&t, t0(), false);
        assert_int_equal(dl_clock_trust_update(&t, t0() - DAY, false), DL_CLOCK_EVENT_SET_BACK);

        /* Reaching the mark exactly counts as passing it. */
        assert_int_equal(dl_clock_trust_update(&t, t0(), false), DL_CLOCK_EVENT_RECOVERED);
        assert_false(t.untrusted);
        assert_int_equal(t.mark, t0());

        assert_int_equal(dl_clock_trust_update(&t, t0() - 1, false), DL_CLOCK_EVENT_SET_BACK);
        assert_int_equal(dl_clock_trust_update(&t, t0() + HOUR, false), DL_CLOCK_EVENT_RECOVERED);
        assert_false(t.untrusted);
        assert_int_equal(t.mark, t0() + HOUR);

        /* Once trusted, later times are quiet again. */
        assert_int_equal(dl_clock_trust_update(&t, t0() + 2 * HOUR, false), DL_CLOCK_EVENT_NONE);
        assert_int_equal(t.mark, t0() + 2 * HOUR);
}

static void test_resynced(void **state) {
        struct dl_clock_trust t = fresh();

        (void)state;
        /* A bad forward jump raised the mark a year ahead. */
        dl_clock_trust_update(&t, t0() + 365 * DAY, false);

        /* NTP says the real time is earlier: believe it, lower the mark. */
        assert_int_equal(dl_clock_trust_update(&t, t0(), true), DL_CLOCK_EVENT_RESYNCED);
        assert_false(t.untrusted);
        assert_int_equal(t.mark, t0());

        assert_int_equal(dl_clock_trust_update(&t, t0() + SEC, true), DL_CLOCK_EVENT_NONE);
        assert_int_equal(t.mark, t0() + SEC);
}

static void test_resynced_while_untrusted(void **state) {
        struct dl_clock_trust t = fresh();

        (void)state;
        dl_clock_trust_update(&t, t0(), false);
        assert_int_equal(dl_clock_trust_update(&t, t0() - DAY, false), DL_CLOCK_EVENT_SET_BACK);
        assert_true(t.untrusted);

        assert_int_equal(dl_clock_trust_update(&t, t0() - HOUR, true), DL_CLOCK_EVENT_RESYNCED);
        assert_false(t.untrusted);
        assert_int_equal(t.mark, t0() - HOUR);
}

static void test_admin_reset(void **state) {
        struct dl_clock_trust t = fresh();

        (void)state;
        dl_clock_trust_update(&t, t0() + 365 * DAY, false);
        assert_int_equal(dl_clock_trust_update(&t, t0(), false), DL_CLOCK_EVENT_SET_BACK);
        assert_true(t.untrusted);

        dl_clock_trust_reset(&t, t0());
        assert_false(t.untrusted);
        assert_int_equal(t.mark, t0());

        /* The new mark is in force: time goes on quietly, a set-back is
         * detected against it. */
        assert_int_equal(dl_clock_trust_update(&t, t0() + SEC, false), DL_CLOCK_EVENT_NONE);
        assert_int_equal(t.mark, t0() + SEC);
        assert_int_equal(dl_clock_trust_update(&t, t0(), false), DL_CLOCK_EVENT_SET_BACK);

        /* A reset on a trusted clock also just sets the mark. */
        dl_clock_trust_reset(&t, t0() - DAY);
        assert_false(t.untrusted);
        assert_int_equal(t.mark, t0() - DAY);
}

static void test_with_fake_clock(void **state) {
        struct fake_clock fc;
        struct dl_clock_trust t = fresh();
        const struct dl_clock *c = &fc.clock;

        (void)state;
        fake_clock_init(&fc, t0());
        assert_int_equal(dl_clock_trust_update(&t, dl_clock_now(c), dl_clock_synchronized(c)),
                         DL_CLOCK_EVENT_NONE);
        fake_clock_advance(&fc, HOUR);
        assert_int_equal(dl_clock_trust_update(&t, dl_clock_now(c), dl_clock_synchronized(c)),
                         DL_CLOCK_EVENT_NONE);

        /* `date -s` an hour back. */
        fake_clock_set(&fc, t0());
        assert_int_equal(dl_clock_trust_update(&t, dl_clock_now(c), dl_clock_synchronized(c)),
                         DL_CLOCK_EVENT_SET_BACK);
        fake_clock_advance(&fc, HOUR - 1);
        assert_int_equal(dl_clock_trust_update(&t, dl_clock_now(c), dl_clock_synchronized(c)),
                         DL_CLOCK_EVENT_NONE);
        assert_true(t.untrusted);
        fake_clock_advance(&fc, 1);
        assert_int_equal(dl_clock_trust_update(&t, dl_clock_now(c), dl_clock_synchronized(c)),
                         DL_CLOCK_EVENT_RECOVERED);
        assert_false(t.untrusted);
}

static void test_event_strings(void **state) {
        const enum dl_clock_event events[] = {
                DL_CLOCK_EVENT_SET_BACK,
                DL_CLOCK_EVENT_RECOVERED,
                DL_CLOCK_EVENT_RESYNCED,
        };

        (void)state;
        assert_null(dl_clock_event_to_string(DL_CLOCK_EVENT_NONE));
        for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
                const char *s = dl_clock_event_to_string(events[i]);

                assert_non_null(s);
                assert_true(strlen(s) > 0);
                for (size_t j = 0; j < i; j++)
                        assert_string_not_equal(s, dl_clock_event_to_string(events[j]));
        }
        assert_null(dl_clock_event_to_string((enum dl_clock_event)42));
        assert_null(dl_clock_event_to_string((enum dl_clock_event)(-1)));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_first_time_raises_mark),
                cmocka_unit_test(test_later_times_raise_mark),
                cmocka_unit_test(test_set_back),
                cmocka_unit_test(test_set_back_far),
                cmocka_unit_test(test_recovered),
                cmocka_unit_test(test_resynced),
                cmocka_unit_test(test_resynced_while_untrusted),
                cmocka_unit_test(test_admin_reset),
                cmocka_unit_test(test_with_fake_clock),
                cmocka_unit_test(test_event_strings),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
