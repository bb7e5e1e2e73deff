/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "schedule.h"

#include <stdio.h>
#include <string.h>

#define HM(h, m) ((h)*60 + (m))
#define WEEKDAYS                                                                                            \
        (DL_DAY_BIT(DL_MONDAY) | DL_DAY_BIT(DL_TUESDAY) | DL_DAY_BIT(DL_WEDNESDAY) |                        \
         DL_DAY_BIT(DL_THURSDAY) | DL_DAY_BIT(DL_FRIDAY))
#define MINUTES_PER_WEEK (7 * DL_MINUTES_PER_DAY)

static bool at(const struct dl_window *w, int weekday, int hour, int minute) {
        struct dl_wall t = { .weekday = weekday, .minute = HM(hour, minute) };

        return dl_window_contains(w, &t);
}

static bool any_at(const struct dl_window *w, size_t n, int weekday, int hour, int minute) {
        struct dl_wall t = { .weekday = weekday, .minute = HM(hour, minute) };

        return dl_windows_contain(w, n, &t);
}

static void assert_invalid(const struct dl_window *w, const char *message) {
        struct dl_error err = {};

        assert_int_equal(dl_window_check(w, &err), -EINVAL);
        assert_int_equal(err.code, -EINVAL);
        if (!strstr(err.message, message))
                fail_msg("message \"%s\" does not contain \"%s\"", err.message, message);
        /* The error is optional. */
        assert_int_equal(dl_window_check(w, NULL), -EINVAL);
}

static void test_check_valid(void **state) {
        const struct dl_window ok[] = {
                { .days = WEEKDAYS, .start = HM(8, 0), .end = HM(17, 0) },
                { .days = DL_ALL_DAYS, .start = 0, .end = DL_MINUTES_PER_DAY },
                { .days = DL_DAY_BIT(DL_MONDAY), .start = 0, .end = 1 },
                { .days = DL_DAY_BIT(DL_SUNDAY), .start = 1439, .end = 1440 },
                { .days = DL_DAY_BIT(DL_FRIDAY), .start = HM(22, 0), .end = HM(6, 0) },
                { .days = DL_DAY_BIT(DL_SATURDAY), .start = 1439, .end = 1 },
                { .days = DL_DAY_BIT(DL_SATURDAY), .start = 1, .end = 1440 },
        };

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                struct dl_error err = {};

                assert_int_equal(dl_window_check(&ok[i], &err), 0);
                assert_int_equal(err.code, 0);
        }
}

static void test_check_invalid(void **state) {
        (void)state;

        assert_int_equal(dl_window_check(NULL, NULL), -EINVAL);
        assert_invalid(&(struct dl_window){ .days = 0, .start = 0, .end = 60 }, "no days");
        assert_invalid(&(struct dl_window){ .days = 0x80, .start = 0, .end = 60 }, "beyond Sunday");
        assert_invalid(&(struct dl_window){ .days = 0xff, .start = 0, .end = 60 }, "beyond Sunday");
        assert_invalid(&(struct dl_window){ .days = 1, .start = 1500, .end = 60 },
                       "Window start minute 1500 is out of range (0-1439)");
        assert_invalid(&(struct dl_window){ .days = 1, .start = 1440, .end = 60 },
                       "Window start minute 1440 is out of range (0-1439)");
        assert_invalid(&(struct dl_window){ .days = 1, .start = 60, .end = 0 },
                       "Window end minute 0 is out of range (1-1440)");
        assert_invalid(&(struct dl_window){ .days = 1, .start = 60, .end = 1441 },
                       "Window end minute 1441 is out of range (1-1440)");
        assert_invalid(&(struct dl_window){ .days = 1, .start = 60, .end = UINT16_MAX }, "out of range");
        assert_invalid(&(struct dl_window){ .days = 1, .start = 600, .end = 600 }, "both minute 600");
        assert_invalid(&(struct dl_window){ .days = 1, .start = 0, .end = 0 }, "out of range");
}

static void test_same_day_edges(void **state) {
        const struct dl_window w = { .days = WEEKDAYS, .start = HM(8, 0), .end = HM(17, 0) };

        (void)state;
        for (int d = DL_MONDAY; d <= DL_FRIDAY; d++) {
                assert_false(at(&w, d, 0, 0));
                assert_false(at(&w, d, 7, 59));
                assert_true(at(&w, d, 8, 0)); /* start inclusive */
                assert_true(at(&w, d, 12, 0));
                assert_true(at(&w, d, 16, 59));
                assert_false(at(&w, d, 17, 0)); /* end exclusive */
                assert_false(at(&w, d, 23, 59));
        }
        for (int d = DL_SATURDAY; d <= DL_SUNDAY; d++)
                for (int m = 0; m < DL_MINUTES_PER_DAY; m++)
                        assert_false(at(&w, d, 0, m));
}

static void test_one_minute(void **state) {
        const struct dl_window w = { .days = DL_DAY_BIT(DL_WEDNESDAY),
                                     .start = HM(12, 0),
                                     .end = HM(12, 1) };
        int hits = 0;

        (void)state;
        for (int d = DL_MONDAY; d <= DL_SUNDAY; d++)
                for (int m = 0; m < DL_MINUTES_PER_DAY; m++)
                        hits += at(&w, d, 0, m);
        assert_int_equal(hits, 1);
        assert_true(at(&w, DL_WEDNESDAY, 12, 0));
}

static void test_end_1440(void **state) {
        /* Friday 22:00 to midnight: a same-day window, nothing on Saturday. */
        const struct dl_window evening = { .days = DL_DAY_BIT(DL_FRIDAY), .start = HM(22, 0), .end = 1440 };
        const struct dl_window whole = { .days = DL_DAY_BIT(DL_SUNDAY), .start = 0, .end = 1440 };

        (void)state;
        assert_false(at(&evening, DL_FRIDAY, 21, 59));
        assert_true(at(&evening, DL_FRIDAY, 22, 0));
        assert_true(at(&evening, DL_FRIDAY, 23, 59));
        assert_false(at(&evening, DL_SATURDAY, 0, 0));
        assert_false(at(&evening, DL_SATURDAY, 0, 1));
        assert_false(at(&evening, DL_THURSDAY, 23, 0));

        for (int m = 0; m < DL_MINUTES_PER_DAY; m++) {
                assert_true(at(&whole, DL_SUNDAY, 0, m));
                assert_false(at(&whole, DL_MONDAY, 0, m));
                assert_false(at(&whole, DL_SATURDAY, 0, m));
        }
}

static void test_overnight_friday(void **state) {
        const struct dl_window w = { .days = DL_DAY_BIT(DL_FRIDAY), .start = HM(22, 0), .end = HM(6, 0) };
        const struct dl_window thu_fri = {
                .days = DL_DAY_BIT(DL_THURSDAY) | DL_DAY_BIT(DL_FRIDAY),
                .start = HM(22, 0),
                .end = HM(6, 0),
        };

        (void)state;
        assert_false(at(&w, DL_FRIDAY, 21, 59));
        assert_true(at(&w, DL_FRIDAY, 22, 0));
        assert_true(at(&w, DL_FRIDAY, 23, 0));
        assert_true(at(&w, DL_FRIDAY, 23, 59));
        assert_true(at(&w, DL_SATURDAY, 0, 0));
        assert_true(at(&w, DL_SATURDAY, 5, 59));
        assert_false(at(&w, DL_SATURDAY, 6, 0));
        assert_false(at(&w, DL_SATURDAY, 22, 0)); /* Saturday is not in the mask */
        assert_false(at(&w, DL_SATURDAY, 23, 0));
        assert_false(at(&w, DL_THURSDAY, 23, 0));
        assert_false(at(&w, DL_FRIDAY, 5, 0)); /* would be Thursday night */
        assert_false(at(&w, DL_FRIDAY, 12, 0));
        assert_false(at(&w, DL_SUNDAY, 3, 0));

        /* With Thursday in the mask, Friday early morning is Thursday night. */
        assert_true(at(&thu_fri, DL_FRIDAY, 5, 0));
        assert_true(at(&thu_fri, DL_FRIDAY, 5, 59));
        assert_false(at(&thu_fri, DL_FRIDAY, 6, 0));
        assert_true(at(&thu_fri, DL_THURSDAY, 23, 0));
        assert_false(at(&thu_fri, DL_THURSDAY, 5, 0)); /* Wednesday night */
        assert_true(at(&thu_fri, DL_SATURDAY, 5, 59));
        assert_false(at(&thu_fri, DL_FRIDAY, 12, 0));
}

static void test_overnight_week_wrap(void **state) {
        const struct dl_window sun = { .days = DL_DAY_BIT(DL_SUNDAY), .start = HM(22, 0), .end = HM(6, 0) };
        const struct dl_window mon = { .days = DL_DAY_BIT(DL_MONDAY), .start = HM(22, 0), .end = HM(6, 0) };

        (void)state;
        /* Sunday night runs into Monday morning. */
        assert_true(at(&sun, DL_SUNDAY, 22, 0));
        assert_true(at(&sun, DL_SUNDAY, 23, 59));
        assert_true(at(&sun, DL_MONDAY, 0, 0));
        assert_true(at(&sun, DL_MONDAY, 5, 59));
        assert_false(at(&sun, DL_MONDAY, 6, 0));
        assert_false(at(&sun, DL_MONDAY, 22, 0));
        assert_false(at(&sun, DL_SUNDAY, 5, 0)); /* Saturday night */
        assert_false(at(&sun, DL_SATURDAY, 23, 0));

        /* Monday's morning part would be Sunday night: not in the mask. */
        assert_false(at(&mon, DL_MONDAY, 5, 0));
        assert_true(at(&mon, DL_MONDAY, 23, 0));
        assert_true(at(&mon, DL_TUESDAY, 5, 0));
        assert_false(at(&mon, DL_TUESDAY, 23, 0));
}

static void test_overnight_short(void **state) {
        /* 23:59-00:01 on Saturday: two minutes across midnight. */
        const struct dl_window w = { .days = DL_DAY_BIT(DL_SATURDAY), .start = 1439, .end = 1 };

        (void)state;
        assert_false(at(&w, DL_SATURDAY, 23, 58));
        assert_true(at(&w, DL_SATURDAY, 23, 59));
        assert_true(at(&w, DL_SUNDAY, 0, 0));
        assert_false(at(&w, DL_SUNDAY, 0, 1));
        assert_false(at(&w, DL_SATURDAY, 0, 0));
}

static void test_multiple_windows(void **state) {
        const struct dl_window w[] = {
                { .days = WEEKDAYS, .start = HM(8, 0), .end = HM(12, 0) },
                { .days = WEEKDAYS, .start = HM(13, 0), .end = HM(17, 0) },
                { .days = DL_DAY_BIT(DL_SATURDAY) | DL_DAY_BIT(DL_SUNDAY),
                  .start = HM(10, 0),
                  .end = HM(14, 0) },
                { .days = DL_DAY_BIT(DL_SUNDAY), .start = HM(23, 0), .end = HM(1, 0) },
        };
        const size_t n = ELEMENTSOF(w);

        (void)state;
        assert_true(any_at(w, n, DL_TUESDAY, 8, 0));
        assert_true(any_at(w, n, DL_TUESDAY, 11, 59));
        assert_false(any_at(w, n, DL_TUESDAY, 12, 0)); /* lunch */
        assert_false(any_at(w, n, DL_TUESDAY, 12, 59));
        assert_true(any_at(w, n, DL_TUESDAY, 13, 0));
        assert_false(any_at(w, n, DL_TUESDAY, 17, 0));
        assert_false(any_at(w, n, DL_SATURDAY, 9, 59));
        assert_true(any_at(w, n, DL_SATURDAY, 13, 59));
        assert_false(any_at(w, n, DL_SATURDAY, 14, 0));
        assert_true(any_at(w, n, DL_SUNDAY, 23, 30));
        assert_true(any_at(w, n, DL_MONDAY, 0, 30));
        assert_false(any_at(w, n, DL_MONDAY, 1, 0));
        assert_false(any_at(w, n, DL_SATURDAY, 23, 30));

        /* Only the first k windows count. */
        assert_false(any_at(w, 1, DL_TUESDAY, 13, 0));
        assert_true(any_at(w, 2, DL_TUESDAY, 13, 0));
}

static void test_empty_list(void **state) {
        const struct dl_window none[1] = {};

        (void)state;
        for (int d = DL_MONDAY; d <= DL_SUNDAY; d++)
                for (int m = 0; m < DL_MINUTES_PER_DAY; m += 7) {
                        struct dl_wall t = { .weekday = d, .minute = m };

                        assert_true(dl_windows_contain(NULL, 0, &t));
                        assert_true(dl_windows_contain(none, 0, &t));
                }
}

static void test_fail_closed(void **state) {
        const struct dl_window bad[] = {
                { .days = 0, .start = 0, .end = 1440 },
                { .days = 0xff, .start = 0, .end = 1440 },
                { .days = DL_ALL_DAYS, .start = 2000, .end = 100 },
                { .days = DL_ALL_DAYS, .start = 0, .end = 2000 },
                { .days = DL_ALL_DAYS, .start = 100, .end = 100 },
        };
        const struct dl_window all = { .days = DL_ALL_DAYS, .start = 0, .end = 1440 };
        const struct dl_wall bad_walls[] = {
                { .weekday = -1, .minute = 0 },  { .weekday = 7, .minute = 0 },
                { .weekday = 0, .minute = -1 },  { .weekday = 0, .minute = 1440 },
                { .weekday = 100, .minute = 5 },
        };

        (void)state;
        /* Windows that fail the check match nothing, not everything. */
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                for (int d = DL_MONDAY; d <= DL_SUNDAY; d++)
                        for (int m = 0; m < DL_MINUTES_PER_DAY; m += 11)
                                assert_false(at(&bad[i], d, 0, m));
        assert_false(any_at(bad, ELEMENTSOF(bad), DL_MONDAY, 12, 0));

        for (size_t i = 0; i < ELEMENTSOF(bad_walls); i++) {
                assert_false(dl_window_contains(&all, &bad_walls[i]));
                assert_false(dl_windows_contain(&all, 1, &bad_walls[i]));
        }
        assert_false(dl_window_contains(&all, NULL));
        assert_false(dl_window_contains(NULL, &(struct dl_wall){ .weekday = 0, .minute = 0 }));
        assert_false(dl_windows_contain(NULL, 1, &(struct dl_wall){ .weekday = 0, .minute = 0 }));
}

/* Reference model: mark every minute of the week a window covers, walking
 * from each start day's start minute for the window's length. */
static void model_mark(const struct dl_window *w, bool week[MINUTES_PER_WEEK]) {
        int len = w->start < w->end ? w->end - w->start : DL_MINUTES_PER_DAY - w->start + w->end;

        for (int d = DL_MONDAY; d <= DL_SUNDAY; d++) {
                if (!(w->days & DL_DAY_BIT(d)))
                        continue;
                for (int i = 0; i < len; i++)
                        week[(d * DL_MINUTES_PER_DAY + w->start + i) % MINUTES_PER_WEEK] = true;
        }
}

static void test_against_model(void **state) {
        static bool week[MINUTES_PER_WEEK];
        /* A fixed LCG: reproducible without touching rand()'s state. */
        uint32_t seed = 12345;
        unsigned checked = 0;

        (void)state;
        for (int iter = 0; iter < 400; iter++) {
                struct dl_window w;

                seed = seed * 1103515245u + 12345u;
                w.days = (uint8_t)(1 + (seed >> 8) % 127);
                seed = seed * 1103515245u + 12345u;
                w.start = (uint16_t)((seed >> 8) % 1440);
                seed = seed * 1103515245u + 12345u;
                w.end = (uint16_t)(1 + (seed >> 8) % 1440);
                /* Make the edges frequent. */
                if (iter % 5 == 0)
                        w.end = 1440;
                if (iter % 7 == 0)
                        w.start = 0;
                if (w.start == w.end)
                        continue;
                assert_int_equal(dl_window_check(&w, NULL), 0);

                memset(week, 0, sizeof(week));
                model_mark(&w, week);
                for (int m = 0; m < MINUTES_PER_WEEK; m++) {
                        struct dl_wall t = { .weekday = m / DL_MINUTES_PER_DAY,
                                             .minute = m % DL_MINUTES_PER_DAY };

                        if (dl_window_contains(&w, &t) != week[m])
                                fail_msg("window days=0x%02x %u-%u at day %d minute %d: expected %d", w.days,
                                         w.start, w.end, t.weekday, t.minute, week[m]);
                        checked++;
                }
        }
        assert_true(checked > 300 * MINUTES_PER_WEEK);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_check_valid),
                cmocka_unit_test(test_check_invalid),
                cmocka_unit_test(test_same_day_edges),
                cmocka_unit_test(test_one_minute),
                cmocka_unit_test(test_end_1440),
                cmocka_unit_test(test_overnight_friday),
                cmocka_unit_test(test_overnight_week_wrap),
                cmocka_unit_test(test_overnight_short),
                cmocka_unit_test(test_multiple_windows),
                cmocka_unit_test(test_empty_list),
                cmocka_unit_test(test_fail_closed),
                cmocka_unit_test(test_against_model),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
