/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lockctl's parsing of times, durations and weekly schedules.  The input is
 * untrusted (and fuzzed): every parser walks the string one character at a
 * time, stops at the NUL, does its own ASCII digit and case handling (no
 * locale), and keeps its arithmetic inside int64_t.
 *
 * Error convention: -EINVAL for anything malformed or not a real calendar or
 * clock value (month 13, 30 February, 25:00, a local time in a DST gap);
 * -ERANGE for a well-formed value that lies outside what is supported (an
 * instant before 1970-01-01 00:00:00 UTC or after 9999-12-31 23:59:59 UTC, a
 * duration over 366 days, numbers too large to hold). */
#include "parse-time.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define USEC_PER_SEC INT64_C(1000000)
#define SEC_PER_MIN INT64_C(60)
#define SEC_PER_HOUR INT64_C(3600)
#define SEC_PER_DAY INT64_C(86400)
#define SEC_PER_WEEK (7 * SEC_PER_DAY)

#define DURATION_MAX_USEC (366 * SEC_PER_DAY * USEC_PER_SEC)

/* 9999-12-31 23:59:59 UTC. */
#define TIME_MAX_SEC INT64_C(253402300799)
#define TIME_MAX_USEC (TIME_MAX_SEC * USEC_PER_SEC + (USEC_PER_SEC - 1))

/* Wall-clock years handed to the C library: one either side of 1970..9999,
 * since a local 1969-12-31 23:00 can still be a 1970 instant in UTC. */
#define WALL_YEAR_MIN 1969
#define WALL_YEAR_MAX 10000

#define ALL_DAYS 0x7fu

struct civil {
        int year;
        int month; /* 1..12 */
        int day;   /* 1..31 */
        int hour;
        int minute;
        int second;
};

static const char *const day_names[7] = {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static char ascii_lower(char c) {
        if (c >= 'A' && c <= 'Z')
                return "abcdefghijklmnopqrstuvwxyz"[c - 'A'];
        return c;
}

/* Do the n bytes at s equal the first n of the lower-case word, ignoring
 * ASCII case?  The caller makes sure word has at least n. */
static bool chars_eq_nocase(const char *s, const char *word, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (ascii_lower(s[i]) != word[i])
                        return false;
        return true;
}

/* Are the n bytes at s the lower-case word, ignoring ASCII case? */
static bool span_eq_nocase(const char *s, size_t n, const char *word) {
        return strlen(word) == n && chars_eq_nocase(s, word, n);
}

/* If s starts with the lower-case word (any case), the rest of s. */
static const char *startswith_nocase(const char *s, const char *word) {
        for (; *word; s++, word++)
                if (ascii_lower(*s) != *word) /* stops at the NUL of s too */
                        return NULL;
        return s;
}

/* min_digits..max_digits (at most 4) decimal digits not followed by another
 * digit. */
static int parse_digits(const char **p, unsigned min_digits, unsigned max_digits, int *ret) {
        const char *s = *p;
        unsigned n = 0;
        int v = 0;

        while (n < max_digits && is_digit(s[n])) {
                v = v * 10 + (s[n] - '0');
                n++;
        }
        if (n < min_digits || is_digit(s[n]))
                return -EINVAL;

        *p = s + n;
        *ret = v;
        return 0;
}

/* Exactly two digits; what follows is the caller's business. */
static int parse_two_digits(const char **p, int *ret) {
        const char *s = *p;

        if (!is_digit(s[0]) || !is_digit(s[1]))
                return -EINVAL;
        *ret = (s[0] - '0') * 10 + (s[1] - '0');
        *p = s + 2;
        return 0;
}

static bool is_leap_year(int64_t y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m) {
        static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

        return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d) {
        int64_t era, yoe, doy, doe;

        y -= m <= 2;
        era = (y >= 0 ? y : y - 399) / 400;
        yoe = y - era * 400;
        doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *ret_y, int *ret_m, int *ret_d) {
        int64_t era, doe, yoe, doy, mp;

        z += 719468;
        era = (z >= 0 ? z : z - 146096) / 146097;
        doe = z - era * 146097;
        yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        mp = (5 * doy + 2) / 153;
        *ret_d = (int)(doy - (153 * mp + 2) / 5 + 1);
        *ret_m = (int)(mp < 10 ? mp + 3 : mp - 9);
        *ret_y = yoe + era * 400 + (*ret_m <= 2);
}

/* The civil time read as if it were UTC, in seconds. */
static int64_t civil_to_secs(const struct civil *c) {
        return days_from_civil(c->year, c->month, c->day) * SEC_PER_DAY + c->hour * SEC_PER_HOUR +
               c->minute * SEC_PER_MIN + c->second;
}

/* time_t may be 32 bits on the target. */
static bool secs_to_time_t(int64_t s, time_t *ret) {
        time_t t = (time_t)s;

        if ((int64_t)t != s)
                return false;
        *ret = t;
        return true;
}

static int64_t usec_to_secs_floor(int64_t usec) {
        int64_t s = usec / USEC_PER_SEC;

        return usec % USEC_PER_SEC < 0 ? s - 1 : s;
}

static int secs_to_usec(int64_t secs, int64_t *ret) {
        if (secs < 0 || secs > TIME_MAX_SEC)
                return -ERANGE;
        *ret = secs * USEC_PER_SEC;
        return 0;
}

static int check_usec(int64_t usec, int64_t *ret) {
        if (usec < 0 || usec > TIME_MAX_USEC)
                return -ERANGE;
        *ret = usec;
        return 0;
}

static bool tm_is_civil(const struct tm *tm, const struct civil *c) {
        return (int64_t)tm->tm_year + 1900 == c->year && tm->tm_mon + 1 == c->month &&
               tm->tm_mday == c->day && tm->tm_hour == c->hour && tm->tm_min == c->minute &&
               tm->tm_sec == c->second;
}

/* Keep t if it shows as c in local time and is earlier than what we have. */
static void consider_candidate(time_t t, const struct civil *c, bool *found, time_t *best) {
        struct tm tm;

        if (!localtime_r(&t, &tm) || !tm_is_civil(&tm, c))
                return;
        if (!*found || t < *best) {
                *best = t;
                *found = true;
        }
}

/* A local wall time as an instant.  A wall time maps to zero, one or two
 * instants; every candidate is checked by converting it back, so a time in
 * the spring-forward gap finds none (-EINVAL), and of a repeated time the
 * earliest instant wins.  Candidates come from mktime() with each DST hint,
 * and (for offset changes that do not flip tm_isdst) from the UTC offsets in
 * force a day either side. */
static int local_to_usec(const struct civil *c, int64_t *ret) {
        bool found = false;
        time_t best = 0;
        time_t unused;
        int64_t wall;

        if (c->year < WALL_YEAR_MIN || c->year > WALL_YEAR_MAX)
                return -ERANGE;
        /* With a 32-bit time_t, years past 2037 are out of range too. */
        wall = civil_to_secs(c);
        if (!secs_to_time_t(wall - SEC_PER_DAY, &unused) || !secs_to_time_t(wall + SEC_PER_DAY, &unused))
                return -ERANGE;

        tzset();

        static const int hints[] = { 1, 0, -1 };
        for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
                struct tm tm = {
                        .tm_year = c->year - 1900,
                        .tm_mon = c->month - 1,
                        .tm_mday = c->day,
                        .tm_hour = c->hour,
                        .tm_min = c->minute,
                        .tm_sec = c->second,
                        .tm_isdst = hints[i],
                };
                time_t t = mktime(&tm);

                if (t != (time_t)-1)
                        consider_candidate(t, c, &found, &best);
        }

        for (int64_t d = -1; d <= 1; d++) {
                time_t probe, t;
                struct tm tm;

                if (!secs_to_time_t(wall + d * SEC_PER_DAY, &probe) || !localtime_r(&probe, &tm))
                        continue;
                if (secs_to_time_t(wall - tm.tm_gmtoff, &t))
                        consider_candidate(t, c, &found, &best);
        }

        if (!found)
                return -EINVAL;
        return secs_to_usec((int64_t)best, ret);
}

/* H:MM or HH:MM, then optionally :SS.  24:00 is not a time of day. */
static int parse_clock(const char **p, struct civil *c) {
        const char *s = *p;
        int r;

        r = parse_digits(&s, 1, 2, &c->hour);
        if (r < 0)
                return r;
        if (*s != ':')
                return -EINVAL;
        s++;
        r = parse_digits(&s, 2, 2, &c->minute);
        if (r < 0)
                return r;
        c->second = 0;
        if (*s == ':') {
                s++;
                r = parse_digits(&s, 2, 2, &c->second);
                if (r < 0)
                        return r;
        }
        if (c->hour > 23 || c->minute > 59 || c->second > 59)
                return -EINVAL;

        *p = s;
        return 0;
}

/* Z, +HH:MM, -HH:MM, +HHMM, -HHMM, as seconds east of UTC. */
static int parse_offset(const char **p, int64_t *ret) {
        const char *s = *p;
        int sign, h, m, r;

        if (*s == 'Z') {
                *p = s + 1;
                *ret = 0;
                return 0;
        }
        if (*s != '+' && *s != '-')
                return -EINVAL;
        sign = *s == '-' ? -1 : 1;
        s++;
        r = parse_two_digits(&s, &h);
        if (r < 0)
                return r;
        if (*s == ':')
                s++;
        r = parse_two_digits(&s, &m);
        if (r < 0)
                return r;
        if (h > 23 || m > 59)
                return -EINVAL;

        *p = s;
        *ret = sign * (h * SEC_PER_HOUR + m * SEC_PER_MIN);
        return 0;
}

static int parse_iso(const char *s, int64_t *ret) {
        struct civil c = {};
        int64_t offset;
        int r;

        r = parse_digits(&s, 4, 4, &c.year);
        if (r < 0)
                return r;
        if (*s != '-')
                return -EINVAL;
        s++;
        r = parse_digits(&s, 2, 2, &c.month);
        if (r < 0)
                return r;
        if (*s != '-')
                return -EINVAL;
        s++;
        r = parse_digits(&s, 2, 2, &c.day);
        if (r < 0)
                return r;
        if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > days_in_month(c.year, c.month))
                return -EINVAL;

        if (*s == '\0')
                return local_to_usec(&c, ret);
        if (*s != 'T' && *s != ' ')
                return -EINVAL;
        s++;
        r = parse_clock(&s, &c);
        if (r < 0)
                return r;
        if (*s == '\0')
                return local_to_usec(&c, ret);

        r = parse_offset(&s, &offset);
        if (r < 0)
                return r;
        if (*s != '\0')
                return -EINVAL;
        return secs_to_usec(civil_to_secs(&c) - offset, ret);
}

/* "today HH:MM" and friends: the wall time on the local date delta days
 * from now's, so "tomorrow 18:00" is 18:00 even across a DST change. */
static int parse_relative_day(const char *s, int delta, int64_t now_usec, int64_t *ret) {
        struct civil c = {};
        int64_t y, days;
        struct tm tm;
        time_t now;
        int r;

        r = parse_clock(&s, &c);
        if (r < 0)
                return r;
        if (*s != '\0')
                return -EINVAL;

        tzset();
        if (!secs_to_time_t(usec_to_secs_floor(now_usec), &now) || !localtime_r(&now, &tm))
                return -ERANGE;
        y = (int64_t)tm.tm_year + 1900;
        if (y < WALL_YEAR_MIN || y > WALL_YEAR_MAX)
                return -ERANGE;

        days = days_from_civil(y, tm.tm_mon + 1, tm.tm_mday) + delta;
        civil_from_days(days, &y, &c.month, &c.day);
        if (y < WALL_YEAR_MIN || y > WALL_YEAR_MAX)
                return -ERANGE;
        c.year = (int)y;

        return local_to_usec(&c, ret);
}

int dl_parse_time(const char *s, int64_t now_usec, int64_t *ret_usec) {
        static const struct {
                const char *word;
                int delta;
        } days[] = {
                { "today", 0 },
                { "tomorrow", 1 },
                { "yesterday", -1 },
        };
        int64_t d, t;
        int r;

        if (!s || !ret_usec)
                return -EINVAL;

        if (span_eq_nocase(s, strlen(s), "now"))
                return check_usec(now_usec, ret_usec);

        if (s[0] == '+' || s[0] == '-') {
                r = dl_parse_duration(s + 1, &d);
                if (r < 0)
                        return r;
                if (s[0] == '+' ? __builtin_add_overflow(now_usec, d, &t)
                                : __builtin_sub_overflow(now_usec, d, &t))
                        return -ERANGE;
                return check_usec(t, ret_usec);
        }

        for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
                const char *rest = startswith_nocase(s, days[i].word);

                if (rest) {
                        if (*rest != ' ')
                                return -EINVAL;
                        return parse_relative_day(rest + 1, days[i].delta, now_usec, ret_usec);
                }
        }

        return parse_iso(s, ret_usec);
}

int dl_parse_duration(const char *s, int64_t *ret_usec) {
        /* Units seen so far, one bit each: a unit may appear only once. */
        unsigned seen = 0;
        bool overflow = false;
        int64_t total = 0;
        const char *p = s;

        if (!s || !ret_usec || *s == '\0')
                return -EINVAL;

        do {
                const char *digits = p;
                uint64_t v = 0;
                int64_t unit;
                unsigned bit;

                for (; is_digit(*p); p++)
                        /* Saturate far above any valid count; the limit
                         * check below turns it into -ERANGE. */
                        if (v < UINT64_C(100000000000000))
                                v = v * 10 + (uint64_t)(*p - '0');
                if (p == digits)
                        return -EINVAL;

                switch (*p) {
                case '\0':
                        /* A bare number of seconds, only as the whole string. */
                        if (digits != s)
                                return -EINVAL;
                        unit = USEC_PER_SEC;
                        bit = 1u << 0;
                        break;
                case 's':
                        unit = USEC_PER_SEC;
                        bit = 1u << 0;
                        p++;
                        break;
                case 'm':
                        unit = SEC_PER_MIN * USEC_PER_SEC;
                        bit = 1u << 1;
                        p++;
                        if (p[0] == 'i' && p[1] == 'n')
                                p += 2;
                        break;
                case 'h':
                        unit = SEC_PER_HOUR * USEC_PER_SEC;
                        bit = 1u << 2;
                        p++;
                        break;
                case 'd':
                        unit = SEC_PER_DAY * USEC_PER_SEC;
                        bit = 1u << 3;
                        p++;
                        break;
                case 'w':
                        unit = SEC_PER_WEEK * USEC_PER_SEC;
                        bit = 1u << 4;
                        p++;
                        break;
                default:
                        return -EINVAL;
                }

                if (seen & bit)
                        return -EINVAL;
                seen |= bit;

                /* Each term is at most DURATION_MAX_USEC, so five of them
                 * cannot overflow the sum. */
                if (v > (uint64_t)(DURATION_MAX_USEC / unit))
                        overflow = true;
                else
                        total += (int64_t)v * unit;
        } while (*p != '\0');

        if (overflow || total > DURATION_MAX_USEC)
                return -ERANGE;
        if (total == 0)
                return -EINVAL;

        *ret_usec = total;
        return 0;
}

/* A day name: the first three letters or the full name, any case. */
static int parse_day_name(const char *s, size_t n) {
        for (int i = 0; i < 7; i++)
                if ((n == 3 || n == strlen(day_names[i])) && chars_eq_nocase(s, day_names[i], n))
                        return i;
        return -EINVAL;
}

/* One comma-separated item: a keyword, a day, or a range of days. */
static int parse_days_item(const char *s, size_t n, uint8_t *mask) {
        static const struct {
                const char *word;
                uint8_t mask;
        } keywords[] = {
                { "daily", ALL_DAYS },
                { "all", ALL_DAYS },
                { "weekdays", 0x1f },
                { "weekends", 0x60 },
        };
        const char *dash;
        int a, b;

        for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
                if (span_eq_nocase(s, n, keywords[i].word)) {
                        *mask |= keywords[i].mask;
                        return 0;
                }

        dash = memchr(s, '-', n);
        if (!dash) {
                a = parse_day_name(s, n);
                if (a < 0)
                        return a;
                *mask |= (uint8_t)(1u << a);
                return 0;
        }

        a = parse_day_name(s, (size_t)(dash - s));
        if (a < 0)
                return a;
        b = parse_day_name(dash + 1, n - (size_t)(dash - s) - 1);
        if (b < 0)
                return b;
        /* Ranges wrap past Sunday: fri-mon is fri,sat,sun,mon. */
        for (int i = a;; i = (i + 1) % 7) {
                *mask |= (uint8_t)(1u << i);
                if (i == b)
                        break;
        }
        return 0;
}

int dl_parse_days(const char *s, uint8_t *ret_mask) {
        uint8_t mask = 0;

        if (!s || !ret_mask)
                return -EINVAL;

        for (;;) {
                size_t n = strcspn(s, ",");
                int r;

                if (n == 0) /* empty string, empty item, leading or trailing comma */
                        return -EINVAL;
                r = parse_days_item(s, n, &mask);
                if (r < 0)
                        return r;
                s += n;
                if (*s == '\0')
                        break;
                s++; /* the comma */
        }

        *ret_mask = mask;
        return 0;
}

/* H:MM or HH:MM as minutes, hour up to 24. */
static int parse_hour_minute(const char **p, int *ret) {
        int h, m, r;

        r = parse_digits(p, 1, 2, &h);
        if (r < 0)
                return r;
        if (**p != ':')
                return -EINVAL;
        (*p)++;
        r = parse_digits(p, 2, 2, &m);
        if (r < 0)
                return r;
        if (h > 24 || m > 59 || (h == 24 && m != 0))
                return -EINVAL;

        *ret = h * 60 + m;
        return 0;
}

int dl_parse_hours(const char *s, uint16_t *ret_start, uint16_t *ret_end) {
        int start, end, r;

        if (!s || !ret_start || !ret_end)
                return -EINVAL;

        r = parse_hour_minute(&s, &start);
        if (r < 0)
                return r;
        if (*s != '-')
                return -EINVAL;
        s++;
        r = parse_hour_minute(&s, &end);
        if (r < 0)
                return r;
        if (*s != '\0')
                return -EINVAL;

        if (start >= 24 * 60 || end == 0 || start == end)
                return -EINVAL;

        *ret_start = (uint16_t)start;
        *ret_end = (uint16_t)end;
        return 0;
}

/* The zone abbreviation if it is short and plain, else "+HHMM". */
static void format_zone(const struct tm *tm, char *buf, size_t size) {
        const char *z = tm->tm_zone;
        long off = tm->tm_gmtoff;
        size_t n;

        n = z ? strnlen(z, size) : 0;
        if (n > 0 && n < size) {
                bool plain = true;

                for (size_t i = 0; i < n; i++)
                        if (!((z[i] >= 'A' && z[i] <= 'Z') || (z[i] >= 'a' && z[i] <= 'z') ||
                              is_digit(z[i]) || z[i] == '+' || z[i] == '-'))
                                plain = false;
                if (plain) {
                        memcpy(buf, z, n);
                        buf[n] = '\0';
                        return;
                }
        }

        /* Offsets are well under a day; the modulo keeps the negation
         * and the digits in bounds whatever the C library says. */
        char sign = off < 0 ? '-' : '+';
        int a = (int)(off < 0 ? -(off % SEC_PER_DAY) : off % SEC_PER_DAY);
        if (a % 60 != 0)
                (void)snprintf(buf, size, "%c%02d%02d%02d", sign, a / 3600, a / 60 % 60, a % 60);
        else
                (void)snprintf(buf, size, "%c%02d%02d", sign, a / 3600, a / 60 % 60);
}

const char *dl_format_time(int64_t usec, char *buf, size_t size) {
        char zone[16];
        int64_t secs;
        struct tm tm;
        time_t t;

        if (!buf || size == 0)
                return NULL;

        if (usec == 0) {
                (void)snprintf(buf, size, "-");
                return buf;
        }

        tzset();
        secs = usec_to_secs_floor(usec);
        if (!secs_to_time_t(secs, &t) || !localtime_r(&t, &tm)) {
                (void)snprintf(buf, size, "@%" PRIi64, secs);
                return buf;
        }

        format_zone(&tm, zone, sizeof(zone));
        (void)snprintf(buf, size, "%04" PRIi64 "-%02d-%02d %02d:%02d:%02d %s", (int64_t)tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, zone);
        return buf;
}

const char *dl_format_days(uint8_t mask, char *buf, size_t size) {
        static const char *const abbr[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
        /* At most "mon,tue,thu,fri,sun"; never more than 7 names. */
        char tmp[DL_FORMAT_DAYS_MAX];
        size_t pos = 0;

        if (!buf || size == 0)
                return NULL;

        mask &= ALL_DAYS;
        if (mask == 0) {
                (void)snprintf(buf, size, "-");
                return buf;
        }

        /* Each run of consecutive days, Monday first: one day as "mon", two
         * as "sat,sun", three or more as "mon-fri".  No wrapping past
         * Sunday, so every day appears at most once and all seven are
         * "mon-sun". */
        for (int i = 0; i < 7;) {
                int j = i;

                if (!(mask & (1u << i))) {
                        i++;
                        continue;
                }
                while (j + 1 < 7 && (mask & (1u << (j + 1))))
                        j++;

                if (pos > 0)
                        tmp[pos++] = ',';
                memcpy(tmp + pos, abbr[i], 3);
                pos += 3;
                if (j > i) {
                        tmp[pos++] = j == i + 1 ? ',' : '-';
                        memcpy(tmp + pos, abbr[j], 3);
                        pos += 3;
                }
                i = j + 1;
        }
        tmp[pos] = '\0';

        (void)snprintf(buf, size, "%s", tmp);
        return buf;
}

const char *dl_format_hours(uint16_t start, uint16_t end, char *buf, size_t size) {
        if (!buf || size == 0)
                return NULL;

        (void)snprintf(buf, size, "%02d:%02d-%02d:%02d", start / 60, start % 60, end / 60, end % 60);
        return buf;
}
