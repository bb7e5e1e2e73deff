/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What lockctl accepts on its command line for times, durations and weekly
 * schedules.  Pure logic (local time through the C library's TZ rules, "now"
 * passed in), shared with the fuzzers.  Every function returns 0 or -EINVAL
 * (-ERANGE for numbers out of range) and never reads beyond the string. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* An instant, as µs since the epoch.  Accepted:
 *   now
 *   +DURATION / -DURATION     relative to now (see dl_parse_duration)
 *   today HH:MM, tomorrow HH:MM, yesterday HH:MM   (local time)
 *   YYYY-MM-DD                 local midnight
 *   YYYY-MM-DD[T| ]HH:MM[:SS]  local time, or with Z / +HH:MM / -HH:MM
 * A local time that does not exist (inside the spring-forward gap) is
 * refused with -EINVAL; one that exists twice takes the earlier. */
int dl_parse_time(const char *s, int64_t now_usec, int64_t *ret_usec);

/* A duration, as µs: a plain number of seconds ("90"), or one or more
 * number+unit groups: s, m (or min), h, d, w ("1h30m", "2h", "45s").
 * Must be > 0 and at most 366 days. */
int dl_parse_duration(const char *s, int64_t *ret_usec);

/* Days of the week: a comma-separated list of days and ranges, e.g.
 * "mon-fri,sun", "sat", "fri-mon" (wraps), "daily" or "all" for every day,
 * "weekdays" (mon-fri), "weekends" (sat,sun).  Names are the first three
 * letters or the full English name, any case.  Bit 0 = Monday. */
int dl_parse_days(const char *s, uint8_t *ret_mask);

/* "HH:MM-HH:MM" as minutes: start 00:00..23:59, end 00:01..24:00; an end
 * before the start crosses midnight; start == end is refused. */
int dl_parse_hours(const char *s, uint16_t *ret_start, uint16_t *ret_end);

/* The formatters below write a NUL-terminated string into buf (truncated if
 * it does not fit; these sizes always fit) and return buf, or NULL if buf is
 * NULL or size 0. */
#define DL_FORMAT_TIME_MAX 64
#define DL_FORMAT_DAYS_MAX 32
#define DL_FORMAT_HOURS_MAX 16

/* Format µs since the epoch in local time as "YYYY-MM-DD HH:MM:SS TZ" (or
 * "-" for 0) into buf. */
const char *dl_format_time(int64_t usec, char *buf, size_t size);

/* Format a day mask as "mon-fri,sun" (the shortest ranges; all seven days
 * are "mon-sun", no days "-") and a window as "08:00-18:00" into buf. */
const char *dl_format_days(uint8_t mask, char *buf, size_t size);
const char *dl_format_hours(uint16_t start, uint16_t end, char *buf, size_t size);
