/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "tz.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HM(h, m) ((h)*60 + (m))
#define MIN_USEC (60 * (int64_t)1000000)
#define HOUR_USEC (60 * MIN_USEC)

#define BERLIN "Europe/Berlin"
#define NEW_YORK "America/New_York"

static const struct dl_window eight_to_nine = { .days = DL_ALL_DAYS, .start = HM(8, 0), .end = HM(9, 0) };

static struct dl_wall wall(const char *zone, int64_t usec) {
        struct dl_wall w = { .weekday = -1, .minute = -1 };
        int r = dl_tz_wall(zone, usec, &w);

        if (r < 0)
                fail_msg("dl_tz_wall(%s, %lld): %s", zone ? zone : "(system)", (long long)usec,
                         strerror(-r));
        return w;
}

static void assert_wall(const char *zone, int64_t usec, int weekday, int hour, int minute) {
        struct dl_wall w = wall(zone, usec);

        if (w.weekday != weekday || w.minute != HM(hour, minute))
                fail_msg("%s at %lld: got day %d %02d:%02d, expected day %d %02d:%02d",
                         zone ? zone : "(system)", (long long)usec, w.weekday, w.minute / 60, w.minute % 60,
                         weekday, hour, minute);
}

static bool in_windows(const char *zone, int64_t usec, const struct dl_window *w, size_t n) {
        struct dl_wall t = wall(zone, usec);

        return dl_windows_contain(w, n, &t);
}

static bool in_window(const char *zone, int64_t usec, const struct dl_window *w) {
        return in_windows(zone, usec, w, 1);
}

/* How many of the minutes in [from, to) does w cover in zone? */
static int count_minutes(const char *zone, int64_t from, int64_t to, const struct dl_window *w) {
        int n = 0;

        for (int64_t t = from; t < to; t += MIN_USEC)
                n += in_window(zone, t, w);
        return n;
}

static void assert_check(const char *zone, int expected, const char *message) {
        struct dl_error err = {};
        int r = dl_tz_check(zone, &err);

        if (r != expected)
                fail_msg("dl_tz_check(\"%s\") = %d (%s), expected %d", zone ? zone : "(null)", r,
                         dl_error_message(&err, r), expected);
        if (expected < 0) {
                assert_int_equal(err.code, expected);
                if (message && !strstr(err.message, message))
                        fail_msg("message \"%s\" does not contain \"%s\"", err.message, message);
        }
        /* Same result without an error struct. */
        assert_int_equal(dl_tz_check(zone, NULL), expected);
}

static void test_check_accepts(void **state) {
        (void)state;
        assert_check(BERLIN, 0, NULL);
        assert_check(NEW_YORK, 0, NULL);
        assert_check("UTC", 0, NULL);
        assert_check("Etc/GMT+5", 0, NULL);
        assert_check("America/Argentina/Buenos_Aires", 0, NULL);
        assert_check("America/Port-au-Prince", 0, NULL);
        assert_check("./Europe/Berlin", 0, NULL);
        assert_check(NULL, 0, NULL); /* system zone */
        assert_check("", 0, NULL);
}

static void test_check_refuses(void **state) {
        char long_name[300];

        (void)state;
        assert_check("../etc/passwd", -EINVAL, "..");
        assert_check("Europe/../../etc/passwd", -EINVAL, "..");
        assert_check("Europe/..", -EINVAL, "..");
        assert_check("..", -EINVAL, "..");
        assert_check("/etc/localtime", -EINVAL, "relative");
        assert_check("/usr/share/zoneinfo/Europe/Berlin", -EINVAL, "relative");
        assert_check("Europe/Ber lin", -EINVAL, "0x20");
        assert_check("Europe/Berlin\n", -EINVAL, "0x0a");
        assert_check("Europe\\Berlin", -EINVAL, "invalid character");
        assert_check("Europe/Berlin;rm", -EINVAL, "invalid character");
        assert_check(":Europe/Berlin", -EINVAL, "invalid character");
        assert_check("CET-1CEST,M3.5.0,M10.5.0/3", -EINVAL,
                     "invalid character"); /* POSIX rule, not a name */
        assert_check("Europe/Berl\xc3\xadn", -EINVAL, "invalid character");

        assert_check("Nowhere/City", -ENOENT, "Nowhere/City");
        assert_check("Europe/Berlin/", -ENOENT, NULL);
        assert_check("Europe", -ENOENT, "not a file");  /* a directory */
        assert_check("..Europe/Berlin", -ENOENT, NULL); /* ".." only as a whole component */

        /* 256 characters: too long, whatever the file system says. */
        memset(long_name, 'a', 256);
        long_name[256] = '\0';
        assert_check(long_name, -EINVAL, "too long");
        /* 255: a legal name, no such zone. */
        long_name[255] = '\0';
        assert_check(long_name, -ENOENT, NULL);
}

static void write_file(const char *dir, const char *name, const void *data, size_t n) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, n, f), n);
        assert_int_equal(fclose(f), 0);
}

static void copy_file(const char *from, const char *dir, const char *name) {
        char buf[65536];
        FILE *f = fopen(from, "re");
        size_t n;

        assert_non_null(f);
        n = fread(buf, 1, sizeof(buf), f);
        assert_true(n > 4 && n < sizeof(buf));
        fclose(f);
        write_file(dir, name, buf, n);
}

struct tzdir_fixture {
        char *dir;
        char *saved; /* $TZDIR before the test, NULL when unset */
        bool had;
};

static int tzdir_setup(void **state) {
        struct tzdir_fixture *f = calloc(1, sizeof(*f));
        const char *old = getenv("TZDIR");

        if (!f)
                return -1;
        f->dir = scratch_dir_new();
        f->had = old != NULL;
        f->saved = old ? strdup(old) : NULL;
        *state = f;
        return 0;
}

/* Runs even when the test fails, so later tests see the real $TZDIR. */
static int tzdir_teardown(void **state) {
        struct tzdir_fixture *f = *state;

        if (f->had)
                setenv("TZDIR", f->saved, 1);
        else
                unsetenv("TZDIR");
        free(f->saved);
        scratch_dir_free(f->dir);
        free(f);
        return 0;
}

/* $TZDIR is where zones are looked up, for the check and for the C library. */
static void test_tzdir(void **state) {
        struct tzdir_fixture *f = *state;
        const char *dir = f->dir;
        struct dl_wall w = { .weekday = 42, .minute = 42 };
        char sub[512];

        snprintf(sub, sizeof(sub), "%s/My", dir);
        assert_int_equal(mkdir(sub, 0755), 0);
        copy_file("/usr/share/zoneinfo/Asia/Tokyo", dir, "My/Zone");
        write_file(dir, "Fake", "TZ", 2);
        write_file(dir, "NotTZif", "# not a zone file\n", 18);
        write_file(dir, "Empty", "", 0);
        snprintf(sub, sizeof(sub), "%s/Fifo", dir);
        assert_int_equal(mkfifo(sub, 0600), 0);

        assert_int_equal(setenv("TZDIR", dir, 1), 0);
        assert_check("My/Zone", 0, NULL);
        assert_check("Fake", -ENOENT, "not a TZif file");
        assert_check("NotTZif", -ENOENT, "not a TZif file");
        assert_check("Empty", -ENOENT, "not a TZif file");
        assert_check("Fifo", -ENOENT, "not a file");
        assert_check("My", -ENOENT, "not a file");
        /* Zones from the default directory are not found in this one. */
        assert_check(BERLIN, -ENOENT, "Europe/Berlin");

        /* The C library reads the same file: Tokyo is UTC+9, no DST. */
        assert_wall("My/Zone", utc_usec(2026, 7, 15, 0, 0, 0), DL_WEDNESDAY, 9, 0);
        assert_wall("My/Zone", utc_usec(2026, 1, 15, 23, 30, 0), DL_FRIDAY, 8, 30);

        /* A zone that cannot be loaded is an error, not a silent UTC. */
        assert_int_equal(dl_tz_wall(NEW_YORK, 0, &w), -ENOENT);
        assert_int_equal(dl_tz_wall("Fake", 0, &w), -ENOENT);
        assert_int_equal(w.weekday, 42);
        assert_int_equal(w.minute, 42);
        assert_wall("My/Zone", 0, DL_THURSDAY, 9, 0);

        /* An empty $TZDIR means the default. */
        assert_int_equal(setenv("TZDIR", "", 1), 0);
        assert_check(BERLIN, 0, NULL);
        assert_check("My/Zone", -ENOENT, NULL);
        assert_wall(BERLIN, utc_usec(2026, 7, 15, 6, 0, 0), DL_WEDNESDAY, 8, 0);
}

static void test_wall_bad_zone(void **state) {
        struct dl_wall w = { .weekday = 42, .minute = 42 };

        (void)state;
        assert_int_equal(dl_tz_wall("../etc/passwd", 0, &w), -EINVAL);
        assert_int_equal(dl_tz_wall("/etc/localtime", 0, &w), -EINVAL);
        assert_int_equal(dl_tz_wall("Nowhere/City", 0, &w), -ENOENT);
        assert_int_equal(w.weekday, 42);
        assert_int_equal(w.minute, 42);
        assert_int_equal(dl_tz_wall(BERLIN, 0, NULL), -EINVAL);

        /* A failed switch leaves things usable. */
        assert_wall(BERLIN, 0, DL_THURSDAY, 1, 0);
        assert_int_equal(dl_tz_wall("Nowhere/City", 0, &w), -ENOENT);
        assert_wall(BERLIN, 0, DL_THURSDAY, 1, 0);
}

static void test_utc_epoch_and_rounding(void **state) {
        (void)state;
        /* 1970-01-01 was a Thursday. */
        assert_wall("UTC", 0, DL_THURSDAY, 0, 0);
        assert_wall("UTC", 59999999, DL_THURSDAY, 0, 0);
        assert_wall("UTC", 60000000, DL_THURSDAY, 0, 1);
        /* Negative instants round down, not towards zero. */
        assert_wall("UTC", -1, DL_WEDNESDAY, 23, 59);
        assert_wall("UTC", -999999, DL_WEDNESDAY, 23, 59);
        assert_wall("UTC", -1000000, DL_WEDNESDAY, 23, 59);
        assert_wall("UTC", -60000000, DL_WEDNESDAY, 23, 59);
        assert_wall("UTC", -60000001, DL_WEDNESDAY, 23, 58);
        /* Every weekday of a known week (2026-03-23 is a Monday). */
        for (int d = 0; d < 7; d++)
                assert_wall("UTC", utc_usec(2026, 3, 23 + d, 12, 34, 56), DL_MONDAY + d, 12, 34);
        assert_wall("UTC", utc_usec(2026, 3, 29, 23, 59, 59) + 999999, DL_SUNDAY, 23, 59);
        assert_wall("UTC", utc_usec(2026, 3, 30, 0, 0, 0), DL_MONDAY, 0, 0);
        /* After 2038. */
        assert_wall("UTC", utc_usec(2040, 2, 29, 10, 0, 0), DL_WEDNESDAY, 10, 0);
}

static void test_berlin_winter_summer(void **state) {
        (void)state;
        /* Winter (CET, UTC+1): Thursday 2026-01-15. */
        assert_wall(BERLIN, utc_usec(2026, 1, 15, 7, 0, 0), DL_THURSDAY, 8, 0);
        assert_false(in_window(BERLIN, utc_usec(2026, 1, 15, 6, 59, 59), &eight_to_nine));
        assert_true(in_window(BERLIN, utc_usec(2026, 1, 15, 7, 0, 0), &eight_to_nine));
        assert_true(in_window(BERLIN, utc_usec(2026, 1, 15, 7, 59, 59), &eight_to_nine));
        assert_false(in_window(BERLIN, utc_usec(2026, 1, 15, 8, 0, 0), &eight_to_nine));
        assert_int_equal(count_minutes(BERLIN, utc_usec(2026, 1, 15, 0, 0, 0),
                                       utc_usec(2026, 1, 16, 0, 0, 0), &eight_to_nine),
                         60);

        /* Summer (CEST, UTC+2): Wednesday 2026-07-15. */
        assert_wall(BERLIN, utc_usec(2026, 7, 15, 6, 0, 0), DL_WEDNESDAY, 8, 0);
        assert_false(in_window(BERLIN, utc_usec(2026, 7, 15, 5, 59, 0), &eight_to_nine));
        assert_true(in_window(BERLIN, utc_usec(2026, 7, 15, 6, 0, 0), &eight_to_nine));
        assert_true(in_window(BERLIN, utc_usec(2026, 7, 15, 6, 59, 0), &eight_to_nine));
        assert_false(in_window(BERLIN, utc_usec(2026, 7, 15, 7, 0, 0), &eight_to_nine));

        /* Local midnight decides the weekday: Wednesday 22:30 UTC is
         * already Thursday in Berlin. */
        assert_wall(BERLIN, utc_usec(2026, 7, 15, 22, 30, 0), DL_THURSDAY, 0, 30);
        assert_wall(BERLIN, utc_usec(2026, 1, 14, 23, 30, 0), DL_THURSDAY, 0, 30);
}

static void test_berlin_spring_forward(void **state) {
        /* Sunday 2026-03-29, 01:00 UTC: 02:00 CET becomes 03:00 CEST. */
        const int64_t jump = utc_usec(2026, 3, 29, 1, 0, 0);
        const int64_t day_start = utc_usec(2026, 3, 28, 23, 0, 0); /* 00:00 CET */
        const int64_t day_end = utc_usec(2026, 3, 29, 22, 0, 0);   /* 00:00 CEST, Monday */
        const struct dl_window skipped = { .days = DL_ALL_DAYS, .start = HM(2, 0), .end = HM(2, 30) };
        const struct dl_window sunday = { .days = DL_DAY_BIT(DL_SUNDAY), .start = 0, .end = 1440 };

        (void)state;
        assert_wall(BERLIN, day_start, DL_SUNDAY, 0, 0);
        assert_wall(BERLIN, jump - 1, DL_SUNDAY, 1, 59);
        assert_wall(BERLIN, jump - MIN_USEC, DL_SUNDAY, 1, 59);
        assert_wall(BERLIN, jump, DL_SUNDAY, 3, 0);
        assert_wall(BERLIN, jump + MIN_USEC, DL_SUNDAY, 3, 1);
        assert_wall(BERLIN, day_end - 1, DL_SUNDAY, 23, 59);
        assert_wall(BERLIN, day_end, DL_MONDAY, 0, 0);

        /* 02:00-02:30 does not exist that day. */
        assert_int_equal(count_minutes(BERLIN, day_start - 2 * HOUR_USEC, day_end + 2 * HOUR_USEC, &skipped),
                         0);
        /* It does the day before and the day after. */
        assert_int_equal(count_minutes(BERLIN, day_start - 24 * HOUR_USEC, day_start, &skipped), 30);
        assert_int_equal(count_minutes(BERLIN, day_end, day_end + 24 * HOUR_USEC, &skipped), 30);

        /* 08:00 is 06:00 UTC already that morning; the whole Sunday is 23 h. */
        assert_false(in_window(BERLIN, utc_usec(2026, 3, 29, 5, 59, 0), &eight_to_nine));
        assert_true(in_window(BERLIN, utc_usec(2026, 3, 29, 6, 0, 0), &eight_to_nine));
        assert_false(in_window(BERLIN, utc_usec(2026, 3, 29, 7, 0, 0), &eight_to_nine));
        assert_true(in_window(BERLIN, utc_usec(2026, 3, 28, 7, 0, 0), &eight_to_nine)); /* Saturday, CET */
        assert_int_equal(count_minutes(BERLIN, day_start - 2 * HOUR_USEC, day_end + 2 * HOUR_USEC, &sunday),
                         23 * 60);
}

static void test_berlin_fall_back(void **state) {
        /* Sunday 2026-10-25, 01:00 UTC: 03:00 CEST becomes 02:00 CET. */
        const int64_t jump = utc_usec(2026, 10, 25, 1, 0, 0);
        const int64_t day_start = utc_usec(2026, 10, 24, 22, 0, 0); /* 00:00 CEST */
        const int64_t day_end = utc_usec(2026, 10, 25, 23, 0, 0);   /* 00:00 CET, Monday */
        const struct dl_window repeated = { .days = DL_DAY_BIT(DL_SUNDAY),
                                            .start = HM(2, 0),
                                            .end = HM(3, 0) };
        const struct dl_window sunday = { .days = DL_DAY_BIT(DL_SUNDAY), .start = 0, .end = 1440 };

        (void)state;
        assert_wall(BERLIN, day_start, DL_SUNDAY, 0, 0);
        assert_wall(BERLIN, jump - HOUR_USEC, DL_SUNDAY, 2, 0);
        assert_wall(BERLIN, jump - 1, DL_SUNDAY, 2, 59);
        assert_wall(BERLIN, jump, DL_SUNDAY, 2, 0);
        assert_wall(BERLIN, jump + 59 * MIN_USEC, DL_SUNDAY, 2, 59);
        assert_wall(BERLIN, jump + HOUR_USEC, DL_SUNDAY, 3, 0);
        assert_wall(BERLIN, day_end, DL_MONDAY, 0, 0);

        /* Both passes of 02:00-03:00. */
        assert_true(in_window(BERLIN, jump - HOUR_USEC, &repeated));
        assert_true(in_window(BERLIN, jump, &repeated));
        assert_int_equal(count_minutes(BERLIN, day_start, day_end, &repeated), 120);

        /* 08:00 CET is 07:00 UTC from that morning on. */
        assert_false(in_window(BERLIN, utc_usec(2026, 10, 25, 6, 0, 0), &eight_to_nine));
        assert_true(in_window(BERLIN, utc_usec(2026, 10, 25, 7, 0, 0), &eight_to_nine));
        assert_true(in_window(BERLIN, utc_usec(2026, 10, 24, 6, 0, 0), &eight_to_nine)); /* Saturday, CEST */
        assert_false(in_window(BERLIN, utc_usec(2026, 10, 24, 7, 0, 0), &eight_to_nine));
        assert_int_equal(count_minutes(BERLIN, day_start - 2 * HOUR_USEC, day_end + 2 * HOUR_USEC, &sunday),
                         25 * 60);
}

static void test_new_york_winter_summer(void **state) {
        (void)state;
        /* EST, UTC-5 */
        assert_wall(NEW_YORK, utc_usec(2026, 1, 15, 13, 0, 0), DL_THURSDAY, 8, 0);
        assert_true(in_window(NEW_YORK, utc_usec(2026, 1, 15, 13, 0, 0), &eight_to_nine));
        assert_false(in_window(NEW_YORK, utc_usec(2026, 1, 15, 12, 0, 0), &eight_to_nine));
        assert_false(in_window(NEW_YORK, utc_usec(2026, 1, 15, 14, 0, 0), &eight_to_nine));
        /* EDT, UTC-4 */
        assert_wall(NEW_YORK, utc_usec(2026, 7, 15, 12, 0, 0), DL_WEDNESDAY, 8, 0);
        assert_true(in_window(NEW_YORK, utc_usec(2026, 7, 15, 12, 0, 0), &eight_to_nine));
        assert_false(in_window(NEW_YORK, utc_usec(2026, 7, 15, 13, 0, 0), &eight_to_nine));
        assert_false(in_window(NEW_YORK, utc_usec(2026, 7, 15, 11, 59, 0), &eight_to_nine));
        /* Early UTC morning is still the evening before. */
        assert_wall(NEW_YORK, utc_usec(2026, 7, 16, 2, 0, 0), DL_WEDNESDAY, 22, 0);
}

static void test_new_york_spring_forward(void **state) {
        /* Sunday 2026-03-08, 07:00 UTC: 02:00 EST becomes 03:00 EDT. */
        const int64_t jump = utc_usec(2026, 3, 8, 7, 0, 0);
        const int64_t day_start = utc_usec(2026, 3, 8, 5, 0, 0); /* 00:00 EST */
        const int64_t day_end = utc_usec(2026, 3, 9, 4, 0, 0);   /* 00:00 EDT, Monday */
        const struct dl_window skipped = { .days = DL_ALL_DAYS, .start = HM(2, 0), .end = HM(2, 30) };
        const struct dl_window sunday = { .days = DL_DAY_BIT(DL_SUNDAY), .start = 0, .end = 1440 };

        (void)state;
        assert_wall(NEW_YORK, day_start, DL_SUNDAY, 0, 0);
        assert_wall(NEW_YORK, jump - MIN_USEC, DL_SUNDAY, 1, 59);
        assert_wall(NEW_YORK, jump - 1, DL_SUNDAY, 1, 59);
        assert_wall(NEW_YORK, jump, DL_SUNDAY, 3, 0);
        assert_wall(NEW_YORK, jump + MIN_USEC, DL_SUNDAY, 3, 1);
        assert_wall(NEW_YORK, day_end, DL_MONDAY, 0, 0);

        assert_int_equal(
                count_minutes(NEW_YORK, day_start - 2 * HOUR_USEC, day_end + 2 * HOUR_USEC, &skipped), 0);
        assert_int_equal(count_minutes(NEW_YORK, day_start - 24 * HOUR_USEC, day_start, &skipped), 30);
        assert_int_equal(count_minutes(NEW_YORK, day_start, day_end, &sunday), 23 * 60);

        assert_true(in_window(NEW_YORK, utc_usec(2026, 3, 8, 12, 0, 0), &eight_to_nine)); /* EDT */
        assert_false(in_window(NEW_YORK, utc_usec(2026, 3, 8, 13, 0, 0), &eight_to_nine));
        assert_true(in_window(NEW_YORK, utc_usec(2026, 3, 7, 13, 0, 0), &eight_to_nine)); /* EST */
}

static void test_new_york_fall_back(void **state) {
        /* Sunday 2026-11-01, 06:00 UTC: 02:00 EDT becomes 01:00 EST. */
        const int64_t jump = utc_usec(2026, 11, 1, 6, 0, 0);
        const int64_t day_start = utc_usec(2026, 11, 1, 4, 0, 0); /* 00:00 EDT */
        const int64_t day_end = utc_usec(2026, 11, 2, 5, 0, 0);   /* 00:00 EST, Monday */
        const struct dl_window one_to_two = { .days = DL_DAY_BIT(DL_SUNDAY),
                                              .start = HM(1, 0),
                                              .end = HM(2, 0) };
        const struct dl_window sunday = { .days = DL_DAY_BIT(DL_SUNDAY), .start = 0, .end = 1440 };

        (void)state;
        assert_wall(NEW_YORK, day_start, DL_SUNDAY, 0, 0);
        assert_wall(NEW_YORK, utc_usec(2026, 11, 1, 5, 0, 0), DL_SUNDAY, 1, 0); /* EDT */
        assert_wall(NEW_YORK, jump - MIN_USEC, DL_SUNDAY, 1, 59);
        assert_wall(NEW_YORK, jump - 1, DL_SUNDAY, 1, 59);
        assert_wall(NEW_YORK, jump, DL_SUNDAY, 1, 0); /* EST */
        assert_wall(NEW_YORK, jump + MIN_USEC, DL_SUNDAY, 1, 1);
        assert_wall(NEW_YORK, jump + HOUR_USEC, DL_SUNDAY, 2, 0);
        assert_wall(NEW_YORK, day_end, DL_MONDAY, 0, 0);

        /* 01:00-02:00 matches both passes: two UTC hours. */
        assert_false(in_window(NEW_YORK, utc_usec(2026, 11, 1, 4, 59, 0), &one_to_two));
        assert_true(in_window(NEW_YORK, utc_usec(2026, 11, 1, 5, 0, 0), &one_to_two));
        assert_true(in_window(NEW_YORK, utc_usec(2026, 11, 1, 5, 30, 0), &one_to_two));
        assert_true(in_window(NEW_YORK, utc_usec(2026, 11, 1, 6, 0, 0), &one_to_two));
        assert_true(in_window(NEW_YORK, utc_usec(2026, 11, 1, 6, 30, 0), &one_to_two));
        assert_true(in_window(NEW_YORK, utc_usec(2026, 11, 1, 6, 59, 59), &one_to_two));
        assert_false(in_window(NEW_YORK, utc_usec(2026, 11, 1, 7, 0, 0), &one_to_two));
        assert_int_equal(count_minutes(NEW_YORK, day_start, day_end, &one_to_two), 120);
        assert_int_equal(
                count_minutes(NEW_YORK, day_start - 2 * HOUR_USEC, day_end + 2 * HOUR_USEC, &sunday),
                25 * 60);

        assert_true(in_window(NEW_YORK, utc_usec(2026, 11, 1, 13, 0, 0), &eight_to_nine)); /* EST */
        assert_false(in_window(NEW_YORK, utc_usec(2026, 11, 1, 12, 0, 0), &eight_to_nine));
        assert_true(in_window(NEW_YORK, utc_usec(2026, 10, 31, 12, 0, 0), &eight_to_nine)); /* EDT */
}

/* One process, zones in any order: each call must use its own zone. */
static void test_switching(void **state) {
        const int64_t summer = utc_usec(2026, 7, 15, 6, 0, 0);
        const int64_t winter = utc_usec(2026, 1, 15, 13, 0, 0);

        (void)state;
        for (int i = 0; i < 3; i++) {
                assert_wall(BERLIN, summer, DL_WEDNESDAY, 8, 0);
                assert_wall(NEW_YORK, summer, DL_WEDNESDAY, 2, 0);
                assert_wall("UTC", summer, DL_WEDNESDAY, 6, 0);
                assert_wall(BERLIN, winter, DL_THURSDAY, 14, 0);
                assert_wall(BERLIN, winter, DL_THURSDAY, 14, 0); /* same zone twice */
                assert_wall(NEW_YORK, winter, DL_THURSDAY, 8, 0);
                assert_wall("Asia/Tokyo", winter, DL_THURSDAY, 22, 0);
                assert_wall("Australia/Lord_Howe", winter, DL_FRIDAY, 0, 0); /* +11 in January */
                assert_wall("Asia/Kolkata", winter, DL_THURSDAY, 18, 30);
                (void)wall(NULL, winter);
                assert_wall(BERLIN, summer, DL_WEDNESDAY, 8, 0);
                (void)wall("", winter);
                assert_wall(NEW_YORK, winter, DL_THURSDAY, 8, 0);
        }

        /* Someone else changing TZ behind our back does not confuse us. */
        assert_wall(BERLIN, summer, DL_WEDNESDAY, 8, 0);
        assert_int_equal(setenv("TZ", NEW_YORK, 1), 0);
        tzset();
        assert_wall(BERLIN, summer, DL_WEDNESDAY, 8, 0);
        assert_int_equal(setenv("TZ", "Asia/Tokyo", 1), 0);
        tzset();
        assert_wall(BERLIN, winter, DL_THURSDAY, 14, 0);
        assert_int_equal(unsetenv("TZ"), 0);
        tzset();
        assert_wall(BERLIN, winter, DL_THURSDAY, 14, 0);
}

/* The system zone (NULL or "") is whatever /etc/localtime says: compare with
 * the C library with TZ unset (which dl_tz_wall(NULL) leaves behind), and with
 * the named zone /etc/localtime links to, when it is such a link. */
static void test_system_zone(void **state) {
        const int64_t instants[] = {
                0,
                -1,
                utc_usec(2026, 1, 15, 7, 0, 0),
                utc_usec(2026, 3, 29, 1, 0, 0),
                utc_usec(2026, 7, 15, 6, 0, 0),
                utc_usec(2026, 11, 1, 6, 0, 0),
        };
        char link[PATH_MAX] = {};
        const char *linked = NULL, *p;
        ssize_t k;

        (void)state;
        k = readlink("/etc/localtime", link, sizeof(link) - 1);
        if (k > 0 && (p = strstr(link, "zoneinfo/")) && dl_tz_check(p + strlen("zoneinfo/"), NULL) == 0)
                linked = p + strlen("zoneinfo/");

        for (size_t i = 0; i < ELEMENTSOF(instants); i++)
                for (int pass = 0; pass < 2; pass++) {
                        const char *zone = pass ? "" : NULL;
                        int64_t sec = instants[i] / 1000000 - (instants[i] % 1000000 < 0);
                        time_t t = (time_t)sec;
                        struct dl_wall w;
                        struct tm tm;

                        /* Select another zone first, so that the switch back
                         * is tested. */
                        (void)wall(pass ? NEW_YORK : BERLIN, instants[i]);

                        w = wall(zone, instants[i]);
                        assert_null(getenv("TZ"));
                        assert_non_null(localtime_r(&t, &tm));
                        assert_int_equal(w.weekday, (tm.tm_wday + 6) % 7);
                        assert_int_equal(w.minute, tm.tm_hour * 60 + tm.tm_min);

                        if (linked) {
                                struct dl_wall named = wall(linked, instants[i]);

                                assert_int_equal(named.weekday, w.weekday);
                                assert_int_equal(named.minute, w.minute);
                        }
                }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_check_accepts),
                cmocka_unit_test(test_check_refuses),
                cmocka_unit_test_setup_teardown(test_tzdir, tzdir_setup, tzdir_teardown),
                cmocka_unit_test(test_wall_bad_zone),
                cmocka_unit_test(test_utc_epoch_and_rounding),
                cmocka_unit_test(test_berlin_winter_summer),
                cmocka_unit_test(test_berlin_spring_forward),
                cmocka_unit_test(test_berlin_fall_back),
                cmocka_unit_test(test_new_york_winter_summer),
                cmocka_unit_test(test_new_york_spring_forward),
                cmocka_unit_test(test_new_york_fall_back),
                cmocka_unit_test(test_switching),
                cmocka_unit_test(test_system_zone),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
