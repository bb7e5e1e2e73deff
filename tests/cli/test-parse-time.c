/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli/parse-time.c, instants and durations: dl_parse_time() (now, relative,
 * ISO 8601 with and without offset, today/tomorrow/yesterday, DST gaps and
 * repeats), dl_parse_duration(), dl_format_time(), and every parser against
 * short strings and mutated input.  Days and hours: test-parse-schedule.c. */
#include "test-util.h"

#include "parse-test-util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEC INT64_C(1000000)
#define MINUTE (60 * SEC)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

#define BERLIN "Europe/Berlin"
#define NEW_YORK "America/New_York"

/* 2026-06-01 12:00 UTC, a Monday. */
#define NOW utc_usec(2026, 6, 1, 12, 0, 0)

static void set_tz(const char *tz) {
        assert_int_equal(setenv("TZ", tz, 1), 0);
        tzset();
}

static int berlin_setup(void **state) {
        (void)state;
        set_tz(BERLIN);
        return 0;
}

static void assert_time(const char *s, int64_t now, int64_t expected) {
        int64_t t = -1;
        int r = parse_time(s, now, &t);

        if (r < 0)
                fail_msg("\"%s\": %s", s, strerror(-r));
        if (t != expected)
                fail_msg("\"%s\": got %lld, expected %lld (off by %lld s)", s, (long long)t,
                         (long long)expected, (long long)((t - expected) / SEC));
}

static void assert_time_error(const char *s, int64_t now, int error) {
        int64_t t = 4242;
        int r = parse_time(s, now, &t);

        if (r != -error)
                fail_msg("\"%s\": got %d (%s), expected %s", s, r, r < 0 ? strerror(-r) : "success",
                         strerror(error));
        assert_int_equal(t, 4242); /* untouched on failure */
}

static void assert_duration(const char *s, int64_t expected) {
        int64_t d = -1;
        int r = parse_duration(s, &d);

        if (r < 0)
                fail_msg("\"%s\": %s", s, strerror(-r));
        if (d != expected)
                fail_msg("\"%s\": got %lld, expected %lld", s, (long long)d, (long long)expected);
}

static void assert_duration_error(const char *s, int error) {
        int64_t d = 4242;
        int r = parse_duration(s, &d);

        if (r != -error)
                fail_msg("\"%s\": got %d (%s), expected %s", s, r, r < 0 ? strerror(-r) : "success",
                         strerror(error));
        assert_int_equal(d, 4242);
}

/* ---- dl_parse_time ---- */

static void test_time_now(void **state) {
        (void)state;
        assert_time("now", NOW, NOW);
        assert_time("NOW", NOW, NOW);
        assert_time("now", 0, 0);
        assert_time_error("now ", NOW, EINVAL);
        assert_time_error(" now", NOW, EINVAL);
        assert_time_error("nowx", NOW, EINVAL);
        assert_time_error("no", NOW, EINVAL);
        /* "now" itself must be in range. */
        assert_time_error("now", -1, ERANGE);
        assert_time_error("now", INT64_MAX, ERANGE);
}

static void test_time_relative(void **state) {
        (void)state;
        assert_time("+2h", NOW, NOW + 2 * HOUR);
        assert_time("-2h", NOW, NOW - 2 * HOUR);
        assert_time("+90", NOW, NOW + 90 * SEC);
        assert_time("+1h30m", NOW, NOW + 90 * MINUTE);
        assert_time("+1w", NOW, NOW + 7 * DAY);
        assert_time("-366d", NOW, NOW - 366 * DAY);

        assert_time_error("+", NOW, EINVAL);
        assert_time_error("-", NOW, EINVAL);
        assert_time_error("+h", NOW, EINVAL);
        assert_time_error("++1h", NOW, EINVAL);
        assert_time_error("+-1h", NOW, EINVAL);
        assert_time_error("+ 1h", NOW, EINVAL);
        assert_time_error("+1h ", NOW, EINVAL);
        assert_time_error("+0", NOW, EINVAL);
        assert_time_error("+367d", NOW, ERANGE);
}

static void test_time_relative_range(void **state) {
        (void)state;
        /* Results outside 1970..9999, and arithmetic that would overflow. */
        assert_time_error("-1d", utc_usec(1970, 1, 1, 12, 0, 0), ERANGE);
        assert_time("-12h", utc_usec(1970, 1, 1, 12, 0, 0), 0);
        assert_time_error("+1d", utc_usec(9999, 12, 31, 12, 0, 0), ERANGE);
        assert_time_error("+1s", INT64_MAX, ERANGE);
        assert_time_error("-1s", INT64_MIN, ERANGE);
        assert_time_error("+1s", INT64_MIN, ERANGE);
}

static void test_time_iso_offsets(void **state) {
        int64_t noon = utc_usec(2026, 6, 1, 12, 0, 0);

        (void)state;
        assert_time("2026-06-01T12:00:00Z", NOW, noon);
        assert_time("2026-06-01T12:00Z", NOW, noon);
        assert_time("2026-06-01 12:00Z", NOW, noon);
        assert_time("2026-06-01T14:00+02:00", NOW, noon);
        assert_time("2026-06-01T14:00+0200", NOW, noon);
        assert_time("2026-06-01T08:00-04:00", NOW, noon);
        assert_time("2026-06-01T06:30-0530", NOW, noon);
        assert_time("2026-06-01T12:00-00:00", NOW, noon);
        assert_time("2026-06-01T12:00:59Z", NOW, noon + 59 * SEC);
        /* The offset may carry the date across midnight. */
        assert_time("2026-06-02T01:00+13:00", NOW, noon);
        assert_time("2026-05-31T23:00-13:00", NOW, noon);

        /* Explicit offsets ignore TZ. */
        set_tz(NEW_YORK);
        assert_time("2026-06-01T14:00+02:00", NOW, noon);
        set_tz(BERLIN);

        assert_time_error("2026-06-01T12:00z", NOW, EINVAL);
        assert_time_error("2026-06-01T12:00+2", NOW, EINVAL);
        assert_time_error("2026-06-01T12:00+02", NOW, EINVAL);
        assert_time_error("2026-06-01T12:00+02:0", NOW, EINVAL);
        assert_time_error("2026-06-01T12:00+020", NOW, EINVAL);
        assert_time_error("2026-06-01T12:00+02000", NOW, EINVAL);
        assert_time_error("2026-06-01T12:00+24:00", NOW, EINVAL);
        assert_time_error("2026-06-01T12:00+02:60", NOW, EINVAL);
        assert_time_error("2026-06-01T12:00 +02:00", NOW, EINVAL);
        assert_time_error("2026-06-01T12:00Z ", NOW, EINVAL);
        assert_time_error("2026-06-01T12:00ZZ", NOW, EINVAL);
        assert_time_error("2026-06-01Z", NOW, EINVAL);
        assert_time_error("2026-06-01+02:00", NOW, EINVAL);
}

static void test_time_iso_local(void **state) {
        (void)state;
        /* Berlin: CEST (+2) in summer, CET (+1) in winter. */
        assert_time("2026-06-01 14:00", NOW, utc_usec(2026, 6, 1, 12, 0, 0));
        assert_time("2026-06-01T14:00", NOW, utc_usec(2026, 6, 1, 12, 0, 0));
        assert_time("2026-06-01 14:00:30", NOW, utc_usec(2026, 6, 1, 12, 0, 30));
        assert_time("2026-06-01 8:05", NOW, utc_usec(2026, 6, 1, 6, 5, 0));
        assert_time("2026-01-15 14:00", NOW, utc_usec(2026, 1, 15, 13, 0, 0));
        assert_time("2026-01-15", NOW, utc_usec(2026, 1, 14, 23, 0, 0));
        assert_time("2026-06-01", NOW, utc_usec(2026, 5, 31, 22, 0, 0));
        assert_time("2028-02-29", NOW, utc_usec(2028, 2, 28, 23, 0, 0));
        assert_time("2000-02-29 12:00", NOW, utc_usec(2000, 2, 29, 11, 0, 0));
        assert_time("2026-12-31 23:59:59", NOW, utc_usec(2026, 12, 31, 22, 59, 59));

        set_tz(NEW_YORK);
        assert_time("2026-06-01 08:00", NOW, utc_usec(2026, 6, 1, 12, 0, 0));
        assert_time("2026-01-15", NOW, utc_usec(2026, 1, 15, 5, 0, 0));

        set_tz("UTC");
        assert_time("2026-06-01 12:00", NOW, utc_usec(2026, 6, 1, 12, 0, 0));
        set_tz(BERLIN);
}

static void test_time_bad_dates(void **state) {
        static const char *const bad[] = {
                "",
                " ",
                "2026-13-01",
                "2026-00-10",
                "2026-01-00",
                "2026-01-32",
                "2026-02-30",
                "2026-02-29", /* not a leap year */
                "2100-02-29", /* nor is 2100 */
                "2026-04-31",
                "2026-1-01",
                "2026-01-1",
                "26-01-01",
                "20260-01-01",
                "2026/01/01",
                "2026-01-01x",
                "2026-01-01 ",
                "2026-01-01T",
                "2026-01-01t12:00",
                "2026-01-01  12:00",
                "2026-01-01_12:00",
                "2026-01-01 12",
                "2026-01-01 1200",
                "2026-01-01 12:0",
                "2026-01-01 12:000",
                "2026-01-01 012:00",
                "2026-01-01 12:00:",
                "2026-01-01 12:00:5",
                "2026-01-01 12:00:00.5",
                "2026-01-01 12:00:00:00",
                "2026-01-01 24:00",
                "2026-01-01 25:00",
                "2026-01-01 12:60",
                "2026-01-01 12:00:60",
                "2026-01-01 -1:00",
                "-2026-01-01",
                "+2026-01-01",
                "12:00",
                "24:00",
                "25:00",
                "99999999999999999999",
                "99999999999999999999-01-01",
                "2026-01-01 99999999999999999999:00",
                "2026-\xff-01",
                "２０２６-01-01",
        };

        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_time_error(bad[i], NOW, EINVAL);

        assert_int_equal(dl_parse_time(NULL, NOW, &(int64_t){ 0 }), -EINVAL);
        assert_int_equal(dl_parse_time("now", NOW, NULL), -EINVAL);
}

static void test_time_range(void **state) {
        (void)state;
        assert_time("1970-01-01T00:00:00Z", NOW, 0);
        assert_time("9999-12-31T23:59:59Z", NOW, utc_usec(9999, 12, 31, 23, 59, 59));
        assert_time("9999-12-31 23:59:59", NOW, utc_usec(9999, 12, 31, 22, 59, 59));
        assert_time_error("1969-12-31T23:59:59Z", NOW, ERANGE);
        assert_time_error("1970-01-01T00:30+01:00", NOW, ERANGE);
        assert_time_error("9999-12-31T23:00-01:00", NOW, ERANGE);
        assert_time_error("0000-01-01", NOW, ERANGE);
        assert_time_error("1900-01-01T00:00Z", NOW, ERANGE);
        /* Berlin's local midnight on 1970-01-01 is 1969 in UTC. */
        assert_time_error("1970-01-01", NOW, ERANGE);
        assert_time("1970-01-01 01:00", NOW, 0);

        /* A west-of-UTC wall time in 1969 can still be a 1970 instant. */
        set_tz(NEW_YORK);
        assert_time("1969-12-31 20:00", NOW, utc_usec(1970, 1, 1, 1, 0, 0));
        assert_time_error("1969-12-31 18:00", NOW, ERANGE);
        assert_time_error("9999-12-31 23:00", NOW, ERANGE);
        set_tz(BERLIN);

        /* Validity is checked before range. */
        assert_time_error("1969-02-30", NOW, EINVAL);
}

static void test_time_berlin_spring_forward(void **state) {
        (void)state;
        /* 2026-03-29 02:00 CET -> 03:00 CEST: 02:00..02:59 do not exist. */
        assert_time_error("2026-03-29 02:30", NOW, EINVAL);
        assert_time_error("2026-03-29 02:00", NOW, EINVAL);
        assert_time_error("2026-03-29 02:59:59", NOW, EINVAL);
        assert_time_error("2026-03-29T02:30", NOW, EINVAL);
        assert_time("2026-03-29 01:59:59", NOW, utc_usec(2026, 3, 29, 0, 59, 59));
        assert_time("2026-03-29 03:00", NOW, utc_usec(2026, 3, 29, 1, 0, 0));
        assert_time("2026-03-29", NOW, utc_usec(2026, 3, 28, 23, 0, 0));
        /* With an explicit offset there is no gap. */
        assert_time("2026-03-29T02:30+01:00", NOW, utc_usec(2026, 3, 29, 1, 30, 0));
}

static void test_time_berlin_fall_back(void **state) {
        (void)state;
        /* 2026-10-25 03:00 CEST -> 02:00 CET: 02:00..02:59 happen twice;
         * the earlier (CEST) one wins. */
        assert_time("2026-10-25 02:30", NOW, utc_usec(2026, 10, 25, 0, 30, 0));
        assert_time("2026-10-25 02:00", NOW, utc_usec(2026, 10, 25, 0, 0, 0));
        assert_time("2026-10-25 02:59:59", NOW, utc_usec(2026, 10, 25, 0, 59, 59));
        assert_time("2026-10-25 01:59:59", NOW, utc_usec(2026, 10, 24, 23, 59, 59));
        assert_time("2026-10-25 03:00", NOW, utc_usec(2026, 10, 25, 2, 0, 0));
        /* Whatever the previous call left in the C library's state. */
        assert_time("2026-10-25 03:00", NOW, utc_usec(2026, 10, 25, 2, 0, 0));
        assert_time("2026-10-25 02:30", NOW, utc_usec(2026, 10, 25, 0, 30, 0));
        assert_time("2026-06-01 02:30", NOW, utc_usec(2026, 6, 1, 0, 30, 0));
        assert_time("2026-10-25 02:30", NOW, utc_usec(2026, 10, 25, 0, 30, 0));
        assert_time("2026-12-01 02:30", NOW, utc_usec(2026, 12, 1, 1, 30, 0));
        assert_time("2026-10-25 02:30", NOW, utc_usec(2026, 10, 25, 0, 30, 0));
}

static void test_time_new_york_dst(void **state) {
        (void)state;
        set_tz(NEW_YORK);
        /* 2026-03-08 02:00 EST -> 03:00 EDT. */
        assert_time_error("2026-03-08 02:30", NOW, EINVAL);
        assert_time("2026-03-08 01:59", NOW, utc_usec(2026, 3, 8, 6, 59, 0));
        assert_time("2026-03-08 03:00", NOW, utc_usec(2026, 3, 8, 7, 0, 0));
        /* 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 EDT (05:30 UTC) wins
         * over 01:30 EST (06:30 UTC). */
        assert_time("2026-11-01 01:30", NOW, utc_usec(2026, 11, 1, 5, 30, 0));
        assert_time("2026-11-01 01:00", NOW, utc_usec(2026, 11, 1, 5, 0, 0));
        assert_time("2026-11-01 02:00", NOW, utc_usec(2026, 11, 1, 7, 0, 0));
        assert_time("2026-11-01 00:59", NOW, utc_usec(2026, 11, 1, 4, 59, 0));
        set_tz(BERLIN);
}

static void test_time_offset_changes_without_dst(void **state) {
        (void)state;
        /* Moscow, 2014-10-26 02:00 MSK (+4) -> 01:00 MSK (+3): tm_isdst is 0
         * on both sides, so the hint to mktime() cannot tell them apart. */
        set_tz("Europe/Moscow");
        assert_time("2014-10-26 01:30", NOW, utc_usec(2014, 10, 25, 21, 30, 0));
        assert_time("2014-10-26 02:00", NOW, utc_usec(2014, 10, 25, 23, 0, 0));
        /* 2011-03-27 02:00 (+3) -> 03:00 (+4), also without DST. */
        assert_time_error("2011-03-27 02:30", NOW, EINVAL);
        assert_time("2011-03-27 03:00", NOW, utc_usec(2011, 3, 26, 23, 0, 0));

        /* Samoa skipped 2011-12-30 altogether. */
        set_tz("Pacific/Apia");
        assert_time_error("2011-12-30", NOW, EINVAL);
        assert_time_error("2011-12-30 12:00", NOW, EINVAL);
        assert_time("2011-12-31", NOW, utc_usec(2011, 12, 30, 10, 0, 0));
        assert_time_error("tomorrow 12:00", utc_usec(2011, 12, 29, 22, 0, 0), EINVAL);
        set_tz(BERLIN);
}

static void test_time_relative_days(void **state) {
        int64_t now = utc_usec(2026, 6, 1, 10, 0, 0); /* 12:00 CEST */

        (void)state;
        assert_time("today 18:00", now, utc_usec(2026, 6, 1, 16, 0, 0));
        assert_time("today 08:00", now, utc_usec(2026, 6, 1, 6, 0, 0));
        assert_time("today 8:00", now, utc_usec(2026, 6, 1, 6, 0, 0));
        assert_time("today 18:00:30", now, utc_usec(2026, 6, 1, 16, 0, 30));
        assert_time("tomorrow 18:00", now, utc_usec(2026, 6, 2, 16, 0, 0));
        assert_time("yesterday 18:00", now, utc_usec(2026, 5, 31, 16, 0, 0));
        assert_time("Tomorrow 00:00", now, utc_usec(2026, 6, 1, 22, 0, 0));
        assert_time("TODAY 23:59", now, utc_usec(2026, 6, 1, 21, 59, 0));

        /* "today" is the local date: 23:30 UTC is already tomorrow in Berlin. */
        now = utc_usec(2026, 6, 1, 23, 30, 0);
        assert_time("today 12:00", now, utc_usec(2026, 6, 2, 10, 0, 0));

        /* Across month and year ends. */
        assert_time("tomorrow 12:00", utc_usec(2026, 12, 31, 12, 0, 0), utc_usec(2027, 1, 1, 11, 0, 0));
        assert_time("yesterday 12:00", utc_usec(2026, 3, 1, 12, 0, 0), utc_usec(2026, 2, 28, 11, 0, 0));
        assert_time("yesterday 12:00", utc_usec(2028, 3, 1, 12, 0, 0), utc_usec(2028, 2, 29, 11, 0, 0));

        assert_time_error("today", now, EINVAL);
        assert_time_error("today ", now, EINVAL);
        assert_time_error("today  12:00", now, EINVAL);
        assert_time_error("today\t12:00", now, EINVAL);
        assert_time_error("today12:00", now, EINVAL);
        assert_time_error("todays 12:00", now, EINVAL);
        assert_time_error("tod 12:00", now, EINVAL);
        assert_time_error("today 24:00", now, EINVAL);
        assert_time_error("today 25:00", now, EINVAL);
        assert_time_error("today 12:00 ", now, EINVAL);
        assert_time_error("today 12:00Z", now, EINVAL);
        assert_time_error("today 2026-06-01", now, EINVAL);
        assert_time_error("tomorrow", now, EINVAL);

        /* Out of range. */
        assert_time_error("yesterday 12:00", 0, ERANGE);
        assert_time_error("tomorrow 12:00", utc_usec(9999, 12, 31, 12, 0, 0), ERANGE);
        assert_time_error("today 12:00", INT64_MAX, ERANGE);
        assert_time_error("today 12:00", INT64_MIN, ERANGE);
}

static void test_time_relative_days_dst(void **state) {
        (void)state;
        /* From 2026-03-28 12:00 CET, tomorrow 18:00 is 18:00 CEST, not 24 h
         * plus six. */
        assert_time("tomorrow 18:00", utc_usec(2026, 3, 28, 11, 0, 0), utc_usec(2026, 3, 29, 16, 0, 0));
        assert_time("tomorrow 01:00", utc_usec(2026, 3, 28, 11, 0, 0), utc_usec(2026, 3, 29, 0, 0, 0));
        assert_time_error("tomorrow 02:30", utc_usec(2026, 3, 28, 11, 0, 0), EINVAL);
        assert_time_error("today 02:30", utc_usec(2026, 3, 29, 10, 0, 0), EINVAL);
        assert_time("yesterday 18:00", utc_usec(2026, 3, 30, 10, 0, 0), utc_usec(2026, 3, 29, 16, 0, 0));
        /* The repeated hour, from either side. */
        assert_time("tomorrow 02:30", utc_usec(2026, 10, 24, 10, 0, 0), utc_usec(2026, 10, 25, 0, 30, 0));
        assert_time("yesterday 02:30", utc_usec(2026, 10, 26, 10, 0, 0), utc_usec(2026, 10, 25, 0, 30, 0));
        assert_time("today 02:30", utc_usec(2026, 10, 25, 1, 45, 0), utc_usec(2026, 10, 25, 0, 30, 0));

        set_tz(NEW_YORK);
        /* 2026-03-07 12:00 EST -> 2026-03-08 18:00 EDT. */
        assert_time("tomorrow 18:00", utc_usec(2026, 3, 7, 17, 0, 0), utc_usec(2026, 3, 8, 22, 0, 0));
        assert_time("tomorrow 18:00", utc_usec(2026, 10, 31, 16, 0, 0), utc_usec(2026, 11, 1, 23, 0, 0));
        set_tz(BERLIN);
}

/* ---- dl_parse_duration ---- */

static void test_duration_valid(void **state) {
        (void)state;
        assert_duration("90", 90 * SEC);
        assert_duration("1", SEC);
        assert_duration("0090", 90 * SEC);
        assert_duration("45s", 45 * SEC);
        assert_duration("2h", 2 * HOUR);
        assert_duration("15m", 15 * MINUTE);
        assert_duration("15min", 15 * MINUTE);
        assert_duration("1h30m", 90 * MINUTE);
        assert_duration("1h30min", 90 * MINUTE);
        assert_duration("1min30s", 90 * SEC);
        assert_duration("2d12h", 60 * HOUR);
        assert_duration("1w", 7 * DAY);
        assert_duration("1w2d3h4m5s", 9 * DAY + 3 * HOUR + 4 * MINUTE + 5 * SEC);
        assert_duration("30m1h", 90 * MINUTE);
        assert_duration("0h30m", 30 * MINUTE);
        assert_duration("366d", 366 * DAY);
        assert_duration("52w2d", 366 * DAY);
        assert_duration("31622400", 366 * DAY);
        assert_duration("365d23h59m60s", 366 * DAY);
}

static void test_duration_invalid(void **state) {
        static const char *const bad[] = {
                "",       "0",
                "00",     "0s",
                "0h0m",   "h",
                "s",      "m",
                "min",    "1h1h",
                "1m1min", "1s1s",
                "1h30",   "1h 30m",
                " 1h",    "1h ",
                "1 h",    "1H",
                "1S",     "1.5h",
                "1,5h",   "-1h",
                "+1h",    "1x",
                "1ms",    "1mi",
                "1mins",  "1hm",
                "1hh",    "1y",
                "1M",     "1sec",
                "1d-1h",  "1e3",
                "0x10",   "１h",
                "1h\xff", "99999999999999999999999x",
        };

        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_duration_error(bad[i], EINVAL);
        assert_int_equal(dl_parse_duration(NULL, &(int64_t){ 0 }), -EINVAL);
        assert_int_equal(dl_parse_duration("1h", NULL), -EINVAL);
}

static void test_duration_range(void **state) {
        (void)state;
        assert_duration_error("367d", ERANGE);
        assert_duration_error("53w", ERANGE);
        assert_duration_error("366d1s", ERANGE);
        assert_duration_error("31622401", ERANGE);
        assert_duration_error("8785h", ERANGE);
        assert_duration_error("99999999999999999999", ERANGE);
        assert_duration_error("99999999999999999999999999999999999999w", ERANGE);
        assert_duration_error("9223372036854775807s", ERANGE);
        assert_duration_error("18446744073709551616s", ERANGE);
        assert_duration_error("1w366d", ERANGE);
        /* Syntax before range. */
        assert_duration_error("99999999999999999999w1w", EINVAL);
}

/* ---- dl_format_time ---- */

static void test_format_time(void **state) {
        char buf[DL_FORMAT_TIME_MAX];

        (void)state;
        assert_string_equal(dl_format_time(0, buf, sizeof(buf)), "-");
        assert_string_equal(dl_format_time(utc_usec(2026, 6, 1, 12, 0, 0), buf, sizeof(buf)),
                            "2026-06-01 14:00:00 CEST");
        assert_string_equal(dl_format_time(utc_usec(2026, 1, 15, 12, 0, 0) + 999999, buf, sizeof(buf)),
                            "2026-01-15 13:00:00 CET");
        assert_string_equal(dl_format_time(utc_usec(2026, 10, 25, 0, 30, 0), buf, sizeof(buf)),
                            "2026-10-25 02:30:00 CEST");
        assert_string_equal(dl_format_time(utc_usec(2026, 10, 25, 1, 30, 0), buf, sizeof(buf)),
                            "2026-10-25 02:30:00 CET");
        assert_string_equal(dl_format_time(-1, buf, sizeof(buf)), "1970-01-01 00:59:59 CET");

        set_tz(NEW_YORK);
        assert_string_equal(dl_format_time(utc_usec(2026, 6, 1, 12, 0, 0), buf, sizeof(buf)),
                            "2026-06-01 08:00:00 EDT");
        set_tz("UTC");
        assert_string_equal(dl_format_time(utc_usec(9999, 12, 31, 23, 59, 59), buf, sizeof(buf)),
                            "9999-12-31 23:59:59 UTC");
        /* Numeric zone names come through; odd ones become an offset. */
        set_tz("<+0530>-5:30");
        assert_string_equal(dl_format_time(utc_usec(2026, 6, 1, 12, 0, 0), buf, sizeof(buf)),
                            "2026-06-01 17:30:00 +0530");
        set_tz("<ABCDEFGHIJKLMNOPQRSTUVWXYZ>3");
        assert_string_equal(dl_format_time(utc_usec(2026, 6, 1, 12, 0, 0), buf, sizeof(buf)),
                            "2026-06-01 09:00:00 -0300");
        set_tz(BERLIN);
}

static void test_format_time_buffers(void **state) {
        char buf[DL_FORMAT_TIME_MAX];

        (void)state;
        /* Far beyond what the C library converts. */
        assert_true(strlen(dl_format_time(INT64_MAX, buf, sizeof(buf))) < sizeof(buf));
        assert_true(strlen(dl_format_time(INT64_MIN, buf, sizeof(buf))) < sizeof(buf));

        /* Small buffers truncate; none at all is NULL. */
        assert_string_equal(dl_format_time(utc_usec(2026, 6, 1, 12, 0, 0), buf, 5), "2026");
        assert_string_equal(dl_format_time(utc_usec(2026, 6, 1, 12, 0, 0), buf, 1), "");
        assert_null(dl_format_time(utc_usec(2026, 6, 1, 12, 0, 0), buf, 0));
        assert_null(dl_format_time(utc_usec(2026, 6, 1, 12, 0, 0), NULL, 10));
}

static void test_format_time_round_trip(void **state) {
        char buf[DL_FORMAT_TIME_MAX];

        (void)state;
        /* Every hour of 2026 (including the DST days): the formatted local
         * time, without its zone name, parses back to the same instant except
         * for the second pass through the repeated hour. */
        for (int64_t t = utc_usec(2026, 1, 1, 0, 0, 0); t < utc_usec(2027, 1, 1, 0, 0, 0); t += HOUR / 2) {
                int64_t back = -1;
                char *sp;

                dl_format_time(t, buf, sizeof(buf));
                sp = strrchr(buf, ' ');
                assert_non_null(sp);
                *sp = '\0';
                assert_int_equal(dl_parse_time(buf, NOW, &back), 0);
                if (back != t)
                        assert_true(back == t - HOUR && strcmp(sp + 1, "CET") == 0);
        }
}

/* ---- robustness ---- */

/* Every string of up to three characters from an alphabet that reaches all
 * the parsers' branches, each in an exactly sized heap block. */
static void test_short_strings(void **state) {
        static const char alphabet[] = "019:-+ TZzsmhdwinotaeufr,\xff";
        const size_t k = sizeof(alphabet) - 1;
        char s[4];

        (void)state;
        for (size_t len = 0; len <= 3; len++) {
                size_t total = 1;

                for (size_t i = 0; i < len; i++)
                        total *= k;
                for (size_t n = 0; n < total; n++) {
                        size_t x = n;
                        int64_t t;
                        uint16_t a, b;
                        uint8_t m;
                        int r;

                        for (size_t i = 0; i < len; i++) {
                                s[i] = alphabet[x % k];
                                x /= k;
                        }
                        s[len] = '\0';

                        r = parse_time(s, NOW, &t);
                        assert_true(r == 0 || r == -EINVAL || r == -ERANGE);
                        r = parse_duration(s, &t);
                        assert_true(r == 0 || r == -EINVAL || r == -ERANGE);
                        if (r == 0)
                                assert_true(t > 0 && t <= 366 * DAY);
                        r = parse_days(s, &m);
                        assert_true(r == 0 || r == -EINVAL);
                        if (r == 0)
                                assert_true(m != 0 && m <= 0x7f);
                        r = parse_hours(s, &a, &b);
                        assert_int_equal(r, -EINVAL);
                }
        }
}

/* Every parser on s, results ignored: only a crash or a sanitizer report
 * fails. */
static void parse_all(const char *s) {
        int64_t t;
        uint16_t a, b;
        uint8_t m;

        (void)parse_time(s, NOW, &t);
        (void)parse_duration(s, &t);
        (void)parse_days(s, &m);
        (void)parse_hours(s, &a, &b);
}

/* Every prefix of valid inputs (a prefix may be valid too, but nothing may
 * crash or read on), and random byte flips with a fixed seed. */
static void test_prefixes_and_mutations(void **state) {
        static const char *const valid[] = {
                "2026-10-25T02:30:15+02:00", "tomorrow 18:00", "yesterday 8:30:01", "+1w2d3h4min5s",
                "mon-fri,sun,weekends",      "08:00-24:00",    "2026-03-29 02:30",  "now",
        };
        uint32_t seed = 12345;

        (void)state;
        for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
                size_t n = strlen(valid[i]);

                for (size_t len = 0; len <= n; len++) {
                        char s[64];

                        memcpy(s, valid[i], len);
                        s[len] = '\0';
                        parse_all(s);
                }

                for (int round = 0; round < 2000; round++) {
                        char s[64];

                        memcpy(s, valid[i], n + 1);
                        for (int flips = 0; flips < 3; flips++) {
                                seed = seed * 1103515245u + 12345u;
                                s[(seed >> 8) % n] = (char)(seed >> 20);
                        }
                        parse_all(s);
                }
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_time_now, berlin_setup),
                cmocka_unit_test_setup(test_time_relative, berlin_setup),
                cmocka_unit_test_setup(test_time_relative_range, berlin_setup),
                cmocka_unit_test_setup(test_time_iso_offsets, berlin_setup),
                cmocka_unit_test_setup(test_time_iso_local, berlin_setup),
                cmocka_unit_test_setup(test_time_bad_dates, berlin_setup),
                cmocka_unit_test_setup(test_time_range, berlin_setup),
                cmocka_unit_test_setup(test_time_berlin_spring_forward, berlin_setup),
                cmocka_unit_test_setup(test_time_berlin_fall_back, berlin_setup),
                cmocka_unit_test_setup(test_time_new_york_dst, berlin_setup),
                cmocka_unit_test_setup(test_time_offset_changes_without_dst, berlin_setup),
                cmocka_unit_test_setup(test_time_relative_days, berlin_setup),
                cmocka_unit_test_setup(test_time_relative_days_dst, berlin_setup),
                cmocka_unit_test(test_duration_valid),
                cmocka_unit_test(test_duration_invalid),
                cmocka_unit_test(test_duration_range),
                cmocka_unit_test_setup(test_format_time, berlin_setup),
                cmocka_unit_test_setup(test_format_time_buffers, berlin_setup),
                cmocka_unit_test_setup(test_format_time_round_trip, berlin_setup),
                cmocka_unit_test_setup(test_short_strings, berlin_setup),
                cmocka_unit_test_setup(test_prefixes_and_mutations, berlin_setup),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
