/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli/parse-time.c, schedules: dl_parse_days() and dl_parse_hours(), their
 * formatting, and round trips (every one of the 127 day masks).  Instants
 * and durations: test-parse-time.c. */
#include "test-util.h"

#include "parse-test-util.h"

#include <errno.h>
#include <string.h>

static void assert_days(const char *s, uint8_t expected) {
        uint8_t m = 0xff;
        int r = parse_days(s, &m);

        if (r < 0)
                fail_msg("\"%s\": %s", s, strerror(-r));
        if (m != expected)
                fail_msg("\"%s\": got 0x%02x, expected 0x%02x", s, m, expected);
}

static void assert_days_error(const char *s) {
        uint8_t m = 0xab;
        int r = parse_days(s, &m);

        if (r != -EINVAL)
                fail_msg("\"%s\": got %d, expected -EINVAL", s, r);
        assert_int_equal(m, 0xab);
}

static void assert_hours(const char *s, int start, int end) {
        uint16_t a = 9999, b = 9999;
        int r = parse_hours(s, &a, &b);

        if (r < 0)
                fail_msg("\"%s\": %s", s, strerror(-r));
        if (a != start || b != end)
                fail_msg("\"%s\": got %u-%u, expected %d-%d", s, a, b, start, end);
}

static void assert_hours_error(const char *s) {
        uint16_t a = 9999, b = 9999;
        int r = parse_hours(s, &a, &b);

        if (r != -EINVAL)
                fail_msg("\"%s\": got %d, expected -EINVAL", s, r);
        assert_int_equal(a, 9999);
        assert_int_equal(b, 9999);
}

/* ---- dl_parse_days ---- */

static void test_days_valid(void **state) {
        (void)state;
        assert_days("mon", 0x01);
        assert_days("tue", 0x02);
        assert_days("sun", 0x40);
        assert_days("Monday", 0x01);
        assert_days("MON", 0x01);
        assert_days("wEdNeSdAy", 0x04);
        assert_days("thu,THURSDAY", 0x08);
        assert_days("mon-fri", 0x1f);
        assert_days("mon-fri,sun", 0x5f);
        assert_days("monday-friday", 0x1f);
        assert_days("sat,sun", 0x60);
        assert_days("sun,sat", 0x60);
        assert_days("fri-mon", 0x71);
        assert_days("sun-mon", 0x41);
        assert_days("sat-fri", 0x7f);
        assert_days("wed-wed", 0x04);
        assert_days("mon,mon", 0x01);
        assert_days("mon-wed,tue-thu", 0x0f);
}

static void test_days_keywords(void **state) {
        (void)state;
        assert_days("daily", 0x7f);
        assert_days("all", 0x7f);
        assert_days("ALL", 0x7f);
        assert_days("Daily", 0x7f);
        assert_days("weekdays", 0x1f);
        assert_days("weekends", 0x60);
        assert_days("weekends,mon", 0x61);
        assert_days("mon-sun", 0x7f);
}

static void test_days_invalid(void **state) {
        static const char *const bad[] = {
                "",        ",",      ",,",       "mon,",        ",mon",         "mon,,tue",  "mo",
                "m",       "mond",   "tues",     "thur",        "monda",        "mondays",   "mon-",
                "-fri",    "-",      "mon--fri", "mon-tue-wed", "mon fri",      "mon, tue",  " mon",
                "mon ",    "funday", "weekday",  "weekend",     "weekdays-sun", "daily-mon", "mon-daily",
                "all-sun", "none",   "1",        "mon;tue",     "mon\xff",      "mon\ttue",  "ｍon",
        };

        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_days_error(bad[i]);
        assert_int_equal(dl_parse_days(NULL, &(uint8_t){ 0 }), -EINVAL);
        assert_int_equal(dl_parse_days("mon", NULL), -EINVAL);
}

/* ---- dl_parse_hours ---- */

static void test_hours_valid(void **state) {
        (void)state;
        assert_hours("08:00-18:00", 480, 1080);
        assert_hours("8:00-18:00", 480, 1080);
        assert_hours("8:00-9:30", 480, 570);
        assert_hours("22:00-06:00", 1320, 360);
        assert_hours("00:00-24:00", 0, 1440);
        assert_hours("23:59-24:00", 1439, 1440);
        assert_hours("00:00-00:01", 0, 1);
        assert_hours("23:00-00:01", 1380, 1);
        assert_hours("0:00-23:59", 0, 1439);
}

static void test_hours_invalid(void **state) {
        static const char *const bad[] = {
                "",
                "-",
                "08:00",
                "08:00-",
                "-18:00",
                "08:00-08:00",
                "24:00-24:00",
                "24:00-08:00",
                "08:00-00:00",
                "00:00-00:00",
                "25:00-26:00",
                "08:00-25:00",
                "08:00-24:01",
                "08:60-09:00",
                "08:00-09:60",
                "8-18",
                "08-18:00",
                "08:00-18",
                "0800-1800",
                "08:00 - 18:00",
                " 08:00-18:00",
                "08:00-18:00 ",
                "08:00-18:00x",
                "008:00-09:00",
                "08:0-09:00",
                "08:000-09:00",
                "08:00:00-09:00",
                "08:00-18:00-20:00",
                "08.00-18.00",
                "8:00am-5:00pm",
                "99999999999999999999:00-01:00",
                "-1:00-02:00",
                "+8:00-18:00",
        };

        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_hours_error(bad[i]);
        assert_int_equal(dl_parse_hours(NULL, &(uint16_t){ 0 }, &(uint16_t){ 0 }), -EINVAL);
        assert_int_equal(dl_parse_hours("08:00-09:00", NULL, &(uint16_t){ 0 }), -EINVAL);
        assert_int_equal(dl_parse_hours("08:00-09:00", &(uint16_t){ 0 }, NULL), -EINVAL);
}

/* ---- formatting ---- */

static void test_format_days(void **state) {
        char buf[DL_FORMAT_DAYS_MAX];

        (void)state;
        assert_string_equal(dl_format_days(0x01, buf, sizeof(buf)), "mon");
        assert_string_equal(dl_format_days(0x1f, buf, sizeof(buf)), "mon-fri");
        assert_string_equal(dl_format_days(0x5f, buf, sizeof(buf)), "mon-fri,sun");
        assert_string_equal(dl_format_days(0x60, buf, sizeof(buf)), "sat,sun");
        assert_string_equal(dl_format_days(0x71, buf, sizeof(buf)), "mon,fri-sun");
        assert_string_equal(dl_format_days(0x55, buf, sizeof(buf)), "mon,wed,fri,sun");
        assert_string_equal(dl_format_days(0x5b, buf, sizeof(buf)), "mon,tue,thu,fri,sun");
        assert_string_equal(dl_format_days(0x7f, buf, sizeof(buf)), "mon-sun");
        assert_string_equal(dl_format_days(0x3e, buf, sizeof(buf)), "tue-sat");
        assert_string_equal(dl_format_days(0x00, buf, sizeof(buf)), "-");
        /* Bit 7 is not a day. */
        assert_string_equal(dl_format_days(0x81, buf, sizeof(buf)), "mon");
        assert_string_equal(dl_format_days(0x80, buf, sizeof(buf)), "-");

        assert_string_equal(dl_format_days(0x5f, buf, 4), "mon");
        assert_null(dl_format_days(0x5f, buf, 0));
        assert_null(dl_format_days(0x5f, NULL, 8));
}

static void test_format_days_round_trip(void **state) {
        char buf[DL_FORMAT_DAYS_MAX], buf2[DL_FORMAT_DAYS_MAX];
        size_t longest = 0;

        (void)state;
        for (unsigned mask = 1; mask <= 0x7f; mask++) {
                uint8_t back = 0;
                size_t n;

                dl_format_days((uint8_t)mask, buf, sizeof(buf));
                n = strlen(buf);
                if (n > longest)
                        longest = n;
                if (parse_days(buf, &back) < 0 || back != mask)
                        fail_msg("0x%02x -> \"%s\" -> 0x%02x", mask, buf, back);
                /* Canonical: formatting what was parsed gives the same. */
                assert_string_equal(dl_format_days(back, buf2, sizeof(buf2)), buf);
        }
        assert_int_equal(longest, strlen("mon,tue,thu,fri,sun"));
        assert_true(longest < DL_FORMAT_DAYS_MAX);
}

static void test_format_hours(void **state) {
        char buf[DL_FORMAT_HOURS_MAX];

        (void)state;
        assert_string_equal(dl_format_hours(480, 1080, buf, sizeof(buf)), "08:00-18:00");
        assert_string_equal(dl_format_hours(0, 1440, buf, sizeof(buf)), "00:00-24:00");
        assert_string_equal(dl_format_hours(1320, 360, buf, sizeof(buf)), "22:00-06:00");
        assert_string_equal(dl_format_hours(UINT16_MAX, UINT16_MAX, buf, sizeof(buf)), "1092:15-1092:15");
        assert_string_equal(dl_format_hours(480, 1080, buf, 6), "08:00");
        assert_null(dl_format_hours(480, 1080, NULL, 0));
}

static void test_format_hours_round_trip(void **state) {
        char buf[DL_FORMAT_HOURS_MAX];

        (void)state;
        /* Every valid start with many ends round-trips. */
        for (int start = 0; start < 24 * 60; start++)
                for (int end = 1; end <= 24 * 60; end += 7) {
                        uint16_t a, b;

                        if (start == end)
                                continue;
                        dl_format_hours((uint16_t)start, (uint16_t)end, buf, sizeof(buf));
                        assert_int_equal(dl_parse_hours(buf, &a, &b), 0);
                        assert_int_equal(a, start);
                        assert_int_equal(b, end);
                }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_days_valid),
                cmocka_unit_test(test_days_keywords),
                cmocka_unit_test(test_days_invalid),
                cmocka_unit_test(test_hours_valid),
                cmocka_unit_test(test_hours_invalid),
                cmocka_unit_test(test_format_days),
                cmocka_unit_test(test_format_days_round_trip),
                cmocka_unit_test(test_format_hours),
                cmocka_unit_test(test_format_hours_round_trip),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
