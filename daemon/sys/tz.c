/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tz.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#define TZ_NAME_MAX 255
#define TZ_DIR_DEFAULT "/usr/share/zoneinfo"
#define TZIF_MAGIC "TZif"

/* The zone last selected through setenv("TZ") + tzset(), so that a run of
 * calls for the same zone does not call tzset() (which stat()s the zone file
 * every time).  One thread only, see tz.h. */
static enum {
        TZ_SELECTED_NONE,   /* nothing selected by us yet */
        TZ_SELECTED_SYSTEM, /* TZ unset: /etc/localtime */
        TZ_SELECTED_NAMED,  /* TZ=tz_selected_name */
} tz_selected = TZ_SELECTED_NONE;
static char tz_selected_name[TZ_NAME_MAX + 1];

static bool is_system_zone(const char *zone) {
        return !zone || !*zone;
}

/* The directory glibc reads zones from: $TZDIR, else the default. */
static const char *tz_dir(void) {
        const char *d = getenv("TZDIR");

        return d && *d ? d : TZ_DIR_DEFAULT;
}

static bool tz_char_ok(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
               c == '_' || c == '+' || c == '-' || c == '.';
}

static int tz_name_check(const char *zone, struct dl_error *err) {
        size_t n = strlen(zone);

        if (n > TZ_NAME_MAX)
                return dl_error_set(err, -EINVAL, "Time zone name is too long (%zu characters, at most %d)",
                                    n, TZ_NAME_MAX);

        /* Before anything echoes the name back: no control characters or
         * quotes in a message. */
        for (size_t i = 0; i < n; i++)
                if (!tz_char_ok(zone[i]))
                        return dl_error_set(
                                err, -EINVAL,
                                "Time zone name contains an invalid character 0x%02x at position %zu "
                                "(allowed: A-Z a-z 0-9 / _ + - .)",
                                (unsigned)(unsigned char)zone[i], i);

        if (zone[0] == '/')
                return dl_error_set(err, -EINVAL,
                                    "Time zone name \"%s\" must be relative (such as Europe/Berlin)", zone);

        for (const char *p = zone; *p;) {
                size_t len = strcspn(p, "/");

                if (len == 2 && p[0] == '.' && p[1] == '.')
                        return dl_error_set(err, -EINVAL, "Time zone name \"%s\" must not contain \"..\"",
                                            zone);
                p += len;
                if (*p == '/')
                        p++;
        }
        return 0;
}

int dl_tz_check(const char *zone, struct dl_error *err) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        const char *dir;
        char magic[sizeof(TZIF_MAGIC) - 1];
        struct stat st;
        ssize_t k;
        int r;

        if (is_system_zone(zone))
                return 0;

        r = tz_name_check(zone, err);
        if (r < 0)
                return r;

        dir = tz_dir();
        if (asprintf(&path, "%s/%s", dir, zone) < 0) {
                path = NULL;
                return dl_error_set(err, -ENOMEM, "Out of memory");
        }

        /* O_NONBLOCK: a FIFO in the zone directory must not hang us. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                r = -errno;
                if (r == -ENOENT || r == -ENOTDIR || r == -ELOOP)
                        return dl_error_set(err, -ENOENT, "Unknown time zone \"%s\" (not found under %s)",
                                            zone, dir);
                return dl_error_set(err, r, "Cannot open time zone file %s: %s", path, strerror(-r));
        }
        if (fstat(fd, &st) < 0) {
                r = -errno;
                return dl_error_set(err, r, "Cannot stat time zone file %s: %s", path, strerror(-r));
        }
        if (!S_ISREG(st.st_mode))
                return dl_error_set(err, -ENOENT, "Unknown time zone \"%s\" (%s is not a file)", zone, path);

        k = read(fd, magic, sizeof(magic));
        if (k < 0) {
                r = -errno;
                return dl_error_set(err, r, "Cannot read time zone file %s: %s", path, strerror(-r));
        }
        if ((size_t)k != sizeof(magic) || memcmp(magic, TZIF_MAGIC, sizeof(magic)) != 0)
                return dl_error_set(err, -ENOENT, "Unknown time zone \"%s\" (%s is not a TZif file)", zone,
                                    path);
        return 0;
}

/* Is `zone` what the C library is using now?  Also look at the environment,
 * in case someone else changed TZ behind our back. */
static bool tz_is_selected(const char *zone) {
        const char *env = getenv("TZ");

        if (is_system_zone(zone))
                return tz_selected == TZ_SELECTED_SYSTEM && !env;
        return tz_selected == TZ_SELECTED_NAMED && strcmp(tz_selected_name, zone) == 0 && env &&
               strcmp(env, zone) == 0;
}

static int tz_select(const char *zone) {
        int r;

        if (tz_is_selected(zone))
                return 0;

        if (is_system_zone(zone)) {
                if (unsetenv("TZ") < 0)
                        return -errno;
                tz_selected = TZ_SELECTED_SYSTEM;
        } else {
                /* glibc silently falls back to UTC for a zone it cannot
                 * load: refuse instead, so that callers fail closed. */
                r = dl_tz_check(zone, NULL);
                if (r < 0)
                        return r;
                if (setenv("TZ", zone, 1) < 0) {
                        r = -errno;
                        tz_selected = TZ_SELECTED_NONE;
                        return r;
                }
                /* Fits: dl_tz_check() limits the length to TZ_NAME_MAX. */
                memcpy(tz_selected_name, zone, strlen(zone) + 1);
                tz_selected = TZ_SELECTED_NAMED;
        }

        tzset();
        return 0;
}

int dl_tz_wall(const char *zone, int64_t usec, struct dl_wall *out) {
        int64_t sec;
        time_t t;
        struct tm tm;
        int r;

        if (!out)
                return -EINVAL;

        r = tz_select(zone);
        if (r < 0)
                return r;

        /* Floor division: -1 µs is 23:59:59 of the day before, not 00:00. */
        sec = usec / USEC_PER_SEC;
        if (usec % USEC_PER_SEC < 0)
                sec--;
        t = (time_t)sec;
        if ((int64_t)t != sec)
                return -EINVAL; /* 32-bit time_t */

        if (!localtime_r(&t, &tm))
                return -EINVAL;
        if (tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 ||
            tm.tm_min > 59)
                return -EINVAL;

        /* tm_wday counts from Sunday = 0; DL_MONDAY is 0. */
        out->weekday = (tm.tm_wday + 6) % 7;
        out->minute = tm.tm_hour * 60 + tm.tm_min;
        return 0;
}
