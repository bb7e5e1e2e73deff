/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int64_t fake_now(void *userdata) {
        return ((struct fake_clock *)userdata)->now;
}

static int64_t fake_monotonic(void *userdata) {
        return ((struct fake_clock *)userdata)->monotonic;
}

static bool fake_synchronized(void *userdata) {
        return ((struct fake_clock *)userdata)->synchronized;
}

void fake_clock_init(struct fake_clock *fc, int64_t now) {
        *fc = (struct fake_clock){
                .now = now,
                .monotonic = 1000000,
                .synchronized = false,
                .clock = {
                        .now = fake_now,
                        .monotonic = fake_monotonic,
                        .synchronized = fake_synchronized,
                        .userdata = fc,
                },
        };
}

void fake_clock_advance(struct fake_clock *fc, int64_t usec) {
        fc->now += usec;
        fc->monotonic += usec;
}

void fake_clock_set(struct fake_clock *fc, int64_t now) {
        fc->now = now;
}

int64_t utc_usec(int year, int month, int day, int hour, int minute, int second) {
        struct tm tm = {
                .tm_year = year - 1900,
                .tm_mon = month - 1,
                .tm_mday = day,
                .tm_hour = hour,
                .tm_min = minute,
                .tm_sec = second,
        };
        return (int64_t)timegm(&tm) * 1000000;
}

char *scratch_dir_new(void) {
        const char *base = getenv("TMPDIR");
        char *path;

        if (!base || !*base)
                base = "/tmp";
        if (asprintf(&path, "%s/doorlockd-test.XXXXXX", base) < 0)
                abort();
        if (!mkdtemp(path))
                abort();
        return path;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st;
        (void)flag;
        (void)ftw;
        /* Make read-only test directories removable again. */
        chmod(path, 0700);
        return remove(path);
}

void scratch_dir_free(char *path) {
        if (!path)
                return;
        chmod(path, 0700);
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(path);
}
