/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "access-rules.h"

#include <string.h>

#define SEC ((int64_t)1000000)
#define HOUR (3600 * SEC)
#define DAY (24 * HOUR)

/* 2026-06-01 12:00 UTC, a Monday. */
static int64_t t0(void) {
        return utc_usec(2026, 6, 1, 12, 0, 0);
}

static const struct dl_wall monday_noon = { DL_MONDAY, 12 * 60 };
static const struct dl_wall monday_night = { DL_MONDAY, 23 * 60 };
static const struct dl_wall sunday_noon = { DL_SUNDAY, 12 * 60 };

/* Monday to Friday, 08:00-17:00. */
static const struct dl_window office = { 0x1f, 8 * 60, 17 * 60 };

static struct dl_code code_new(void) {
        struct dl_code c = {
                .id = 1,
                .created = t0() - 30 * DAY,
        };

        dl_code_spec_init(&c.spec, "Alice");
        return c;
}

static void set_window(struct dl_code *c, struct dl_window w) {
        c->spec.windows[0] = w;
        c->spec.n_windows = 1;
}

static void test_plain_code(void **state) {
        struct dl_code c = code_new();

        (void)state;
        assert_false(dl_code_is_time_restricted(&c.spec));
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_NONE);
        assert_int_equal(dl_access_evaluate(&c, t0(), &sunday_noon, true), DL_REASON_NONE);
        assert_int_equal(dl_access_evaluate(&c, 1, &monday_night, true), DL_REASON_NONE);
        /* Not time-restricted: an untrusted clock does not matter. */
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, false), DL_REASON_NONE);
        assert_int_equal(dl_code_dead_since(&c, t0()), 0);
}

static void test_disabled(void **state) {
        struct dl_code c = code_new();

        (void)state;
        c.spec.enabled = false;
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_DISABLED);
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, false), DL_REASON_DISABLED);
}

static void test_reason_order(void **state) {
        struct dl_code c = code_new();

        (void)state;
        /* Everything wrong at once: disabled, used up, time-restricted with
         * an untrusted clock, not yet valid (now < from), and outside its
         * window.  Peel the reasons off one at a time. */
        c.spec.enabled = false;
        c.spec.use_limit = 3;
        c.use_count = 3;
        c.last_used = t0() - DAY;
        c.spec.valid_from = t0() + DAY;
        c.spec.valid_until = t0() + 2 * DAY;
        set_window(&c, office);

        assert_int_equal(dl_access_evaluate(&c, t0(), &sunday_noon, false), DL_REASON_DISABLED);
        c.spec.enabled = true;
        assert_int_equal(dl_access_evaluate(&c, t0(), &sunday_noon, false), DL_REASON_USED_UP);
        c.use_count = 2;
        assert_int_equal(dl_access_evaluate(&c, t0(), &sunday_noon, false), DL_REASON_CLOCK_UNTRUSTED);
        assert_int_equal(dl_access_evaluate(&c, t0(), &sunday_noon, true), DL_REASON_NOT_YET_VALID);
        c.spec.valid_from = 0;
        /* Expired beats outside-window. */
        assert_int_equal(dl_access_evaluate(&c, t0() + 3 * DAY, &sunday_noon, true), DL_REASON_EXPIRED);
        assert_int_equal(dl_access_evaluate(&c, t0(), &sunday_noon, true), DL_REASON_OUTSIDE_WINDOW);
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_NONE);
}

static void test_not_yet_valid_beats_expired(void **state) {
        struct dl_code c = code_new();

        (void)state;
        /* Inconsistent on purpose (the spec check refuses from >= until):
         * evaluation still refuses, with not-yet-valid first. */
        c.spec.valid_from = t0() + DAY;
        c.spec.valid_until = t0() - DAY;
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_NOT_YET_VALID);
}

static void test_validity_bounds(void **state) {
        struct dl_code c = code_new();
        const int64_t from = t0(), until = t0() + DAY;

        (void)state;
        c.spec.valid_from = from;
        c.spec.valid_until = until;
        assert_true(dl_code_is_time_restricted(&c.spec));

        assert_int_equal(dl_access_evaluate(&c, from - 1, &monday_noon, true), DL_REASON_NOT_YET_VALID);
        /* valid_from is inclusive. */
        assert_int_equal(dl_access_evaluate(&c, from, &monday_noon, true), DL_REASON_NONE);
        assert_int_equal(dl_access_evaluate(&c, until - 1, &monday_noon, true), DL_REASON_NONE);
        /* valid_until is exclusive. */
        assert_int_equal(dl_access_evaluate(&c, until, &monday_noon, true), DL_REASON_EXPIRED);
        assert_int_equal(dl_access_evaluate(&c, until + DAY, &monday_noon, true), DL_REASON_EXPIRED);
}

static void test_only_from_or_until(void **state) {
        struct dl_code c = code_new();

        (void)state;
        c.spec.valid_from = t0();
        assert_true(dl_code_is_time_restricted(&c.spec));
        assert_int_equal(dl_access_evaluate(&c, t0() - 1, &monday_noon, true), DL_REASON_NOT_YET_VALID);
        assert_int_equal(dl_access_evaluate(&c, t0() + 3650 * DAY, &monday_noon, true), DL_REASON_NONE);

        c = code_new();
        c.spec.valid_until = t0();
        assert_true(dl_code_is_time_restricted(&c.spec));
        assert_int_equal(dl_access_evaluate(&c, 1, &monday_noon, true), DL_REASON_NONE);
        assert_int_equal(dl_access_evaluate(&c, t0() - 1, &monday_noon, true), DL_REASON_NONE);
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_EXPIRED);
}

static void test_windows(void **state) {
        struct dl_code c = code_new();
        /* Saturday and Sunday, 10:00-14:00. */
        const struct dl_window weekend = { 0x60, 10 * 60, 14 * 60 };

        (void)state;
        set_window(&c, office);
        assert_true(dl_code_is_time_restricted(&c.spec));

        /* The wall time given decides, not `now`. */
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_NONE);
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_night, true), DL_REASON_OUTSIDE_WINDOW);
        assert_int_equal(dl_access_evaluate(&c, t0(), &sunday_noon, true), DL_REASON_OUTSIDE_WINDOW);
        assert_int_equal(dl_access_evaluate(&c, t0(), &(struct dl_wall){ DL_FRIDAY, 8 * 60 }, true),
                         DL_REASON_NONE);
        assert_int_equal(dl_access_evaluate(&c, t0(), &(struct dl_wall){ DL_FRIDAY, 17 * 60 - 1 }, true),
                         DL_REASON_NONE);
        assert_int_equal(dl_access_evaluate(&c, t0(), &(struct dl_wall){ DL_FRIDAY, 17 * 60 }, true),
                         DL_REASON_OUTSIDE_WINDOW);
        assert_int_equal(dl_access_evaluate(&c, t0(), &(struct dl_wall){ DL_FRIDAY, 8 * 60 - 1 }, true),
                         DL_REASON_OUTSIDE_WINDOW);

        /* Any one window is enough. */
        c.spec.windows[1] = weekend;
        c.spec.n_windows = 2;
        assert_int_equal(dl_access_evaluate(&c, t0(), &sunday_noon, true), DL_REASON_NONE);
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_NONE);
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_night, true), DL_REASON_OUTSIDE_WINDOW);

        /* Outside a window is not "dead". */
        assert_int_equal(dl_code_dead_since(&c, t0()), 0);
}

static void test_no_windows_any_time(void **state) {
        struct dl_code c = code_new();

        (void)state;
        for (int d = DL_MONDAY; d <= DL_SUNDAY; d++)
                for (int m = 0; m < DL_MINUTES_PER_DAY; m += 7) {
                        const struct dl_wall w = { d, m };

                        assert_int_equal(dl_access_evaluate(&c, t0(), &w, true), DL_REASON_NONE);
                }
}

static void test_clock_untrusted(void **state) {
        struct dl_code c;

        (void)state;
        /* Unrestricted: still granted. */
        c = code_new();
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, false), DL_REASON_NONE);

        /* A use limit alone does not depend on the clock. */
        c.spec.use_limit = 5;
        c.use_count = 4;
        assert_false(dl_code_is_time_restricted(&c.spec));
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, false), DL_REASON_NONE);

        /* Validity period: refused although now is inside it. */
        c = code_new();
        c.spec.valid_from = t0() - DAY;
        c.spec.valid_until = t0() + DAY;
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_NONE);
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, false), DL_REASON_CLOCK_UNTRUSTED);
        /* ... and not reported as expired either: the clock is the reason. */
        assert_int_equal(dl_access_evaluate(&c, t0() + 2 * DAY, &monday_noon, false),
                         DL_REASON_CLOCK_UNTRUSTED);

        /* Only valid_until. */
        c = code_new();
        c.spec.valid_until = t0() + DAY;
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, false), DL_REASON_CLOCK_UNTRUSTED);

        /* Only valid_from. */
        c = code_new();
        c.spec.valid_from = t0() - DAY;
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, false), DL_REASON_CLOCK_UNTRUSTED);

        /* Windows: refused even inside the window. */
        c = code_new();
        set_window(&c, office);
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_NONE);
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, false), DL_REASON_CLOCK_UNTRUSTED);
}

static void test_use_limit(void **state) {
        struct dl_code c = code_new();

        (void)state;
        /* 0 = unlimited. */
        c.spec.use_limit = 0;
        c.use_count = UINT32_MAX;
        c.last_used = t0() - HOUR;
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_NONE);
        assert_int_equal(dl_code_dead_since(&c, t0()), 0);

        c.spec.use_limit = 3;
        c.use_count = 0;
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_NONE);
        c.use_count = 2;
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_NONE);
        assert_int_equal(dl_code_dead_since(&c, t0()), 0);
        c.use_count = 3;
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_USED_UP);
        c.use_count = 4;
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_USED_UP);

        /* One-time codes. */
        c = code_new();
        c.spec.kind = DL_CODE_ONE_TIME;
        c.spec.use_limit = 1;
        assert_int_equal(dl_access_evaluate(&c, t0(), &monday_noon, true), DL_REASON_NONE);
        c.use_count = 1;
        c.last_used = t0();
        assert_int_equal(dl_access_evaluate(&c, t0() + 1, &monday_noon, true), DL_REASON_USED_UP);
        /* Used up is reported even with an untrusted clock. */
        assert_int_equal(dl_access_evaluate(&c, t0() + 1, &monday_noon, false), DL_REASON_USED_UP);
}

static void test_dead_since(void **state) {
        struct dl_code c;

        (void)state;
        /* Used up: since the last use. */
        c = code_new();
        c.spec.use_limit = 2;
        c.use_count = 2;
        c.last_used = t0() - HOUR;
        assert_int_equal(dl_code_dead_since(&c, t0()), t0() - HOUR);

        /* Expired: since valid_until; not before it. */
        c = code_new();
        c.spec.valid_until = t0() - DAY;
        assert_int_equal(dl_code_dead_since(&c, t0()), t0() - DAY);
        assert_int_equal(dl_code_dead_since(&c, t0() - DAY), t0() - DAY);
        assert_int_equal(dl_code_dead_since(&c, t0() - DAY - 1), 0);

        /* Not yet expired. */
        c = code_new();
        c.spec.valid_from = t0() - DAY;
        c.spec.valid_until = t0() + DAY;
        assert_int_equal(dl_code_dead_since(&c, t0()), 0);

        /* Not yet valid is not dead either. */
        c = code_new();
        c.spec.valid_from = t0() + DAY;
        assert_int_equal(dl_code_dead_since(&c, t0()), 0);

        /* Both: the earlier of the two. */
        c = code_new();
        c.spec.use_limit = 1;
        c.use_count = 1;
        c.last_used = t0() - 2 * DAY;
        c.spec.valid_until = t0() - DAY;
        assert_int_equal(dl_code_dead_since(&c, t0()), t0() - 2 * DAY);
        c.last_used = t0() - HOUR;
        assert_int_equal(dl_code_dead_since(&c, t0()), t0() - DAY);
        /* Used up, validity not over yet: the use counts. */
        c.spec.valid_until = t0() + DAY;
        assert_int_equal(dl_code_dead_since(&c, t0()), t0() - HOUR);

        /* Disabled is not dead. */
        c = code_new();
        c.spec.enabled = false;
        assert_int_equal(dl_code_dead_since(&c, t0()), 0);

        /* Outside its window is not dead. */
        c = code_new();
        set_window(&c, office);
        assert_int_equal(dl_code_dead_since(&c, t0()), 0);

        /* Disabled and used up: dead all the same. */
        c = code_new();
        c.spec.enabled = false;
        c.spec.use_limit = 1;
        c.use_count = 1;
        c.last_used = t0() - HOUR;
        assert_int_equal(dl_code_dead_since(&c, t0()), t0() - HOUR);
}

static void test_dead_since_never_used(void **state) {
        struct dl_code c = code_new();

        (void)state;
        /* Used up without a recorded use (a limit lowered below the count):
         * dead since creation, never 0. */
        c.spec.use_limit = 1;
        c.use_count = 1;
        c.last_used = 0;
        assert_int_equal(dl_code_dead_since(&c, t0()), c.created);
}

static void test_reason_strings(void **state) {
        static const struct {
                enum dl_reason r;
                const char *s;
        } table[] = {
                { DL_REASON_NONE, "granted" },
                { DL_REASON_UNKNOWN_CODE, "unknown-code" },
                { DL_REASON_DISABLED, "disabled" },
                { DL_REASON_OUTSIDE_WINDOW, "outside-window" },
                { DL_REASON_NOT_YET_VALID, "not-yet-valid" },
                { DL_REASON_EXPIRED, "expired" },
                { DL_REASON_USED_UP, "used-up" },
                { DL_REASON_LOCKED_OUT, "locked-out" },
                { DL_REASON_CLOCK_UNTRUSTED, "clock-untrusted" },
                { DL_REASON_PRIVACY_MODE, "privacy-mode" },
                { DL_REASON_EMERGENCY_QUOTA, "emergency-quota" },
        };

        (void)state;
        assert_int_equal(ELEMENTSOF(table), _DL_REASON_MAX);
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                const char *s = dl_reason_to_string(table[i].r);

                assert_non_null(s);
                assert_string_equal(s, table[i].s);
        }
        assert_null(dl_reason_to_string(_DL_REASON_MAX));
        assert_null(dl_reason_to_string((enum dl_reason)(_DL_REASON_MAX + 1)));
        assert_null(dl_reason_to_string((enum dl_reason)(-1)));
        assert_null(dl_reason_to_string((enum dl_reason)INT32_MAX));
}

static void test_time_restricted(void **state) {
        struct dl_code_spec s;

        (void)state;
        dl_code_spec_init(&s, "Bob");
        assert_false(dl_code_is_time_restricted(&s));
        s.use_limit = 1;
        s.kind = DL_CODE_ONE_TIME;
        s.duress = true;
        s.enabled = false;
        assert_false(dl_code_is_time_restricted(&s));

        dl_code_spec_init(&s, "Bob");
        s.valid_from = 1;
        assert_true(dl_code_is_time_restricted(&s));

        dl_code_spec_init(&s, "Bob");
        s.valid_until = 1;
        assert_true(dl_code_is_time_restricted(&s));

        dl_code_spec_init(&s, "Bob");
        s.windows[0] = office;
        s.n_windows = 1;
        assert_true(dl_code_is_time_restricted(&s));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                /* dl_access_evaluate */
                cmocka_unit_test(test_plain_code),
                cmocka_unit_test(test_disabled),
                cmocka_unit_test(test_reason_order),
                cmocka_unit_test(test_not_yet_valid_beats_expired),
                cmocka_unit_test(test_validity_bounds),
                cmocka_unit_test(test_only_from_or_until),
                cmocka_unit_test(test_windows),
                cmocka_unit_test(test_no_windows_any_time),
                cmocka_unit_test(test_clock_untrusted),
                cmocka_unit_test(test_use_limit),
                /* dl_code_dead_since */
                cmocka_unit_test(test_dead_since),
                cmocka_unit_test(test_dead_since_never_used),
                /* the rest */
                cmocka_unit_test(test_reason_strings),
                cmocka_unit_test(test_time_restricted),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
