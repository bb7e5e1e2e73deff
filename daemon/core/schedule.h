/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Weekly windows: "Monday to Friday, 08:00 to 17:00" in the gateway's local
 * time.  Pure logic on wall-clock time; turning an instant into wall-clock
 * time (with the real time-zone rules) is tz.h's job. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum {
        DL_MONDAY,
        DL_TUESDAY,
        DL_WEDNESDAY,
        DL_THURSDAY,
        DL_FRIDAY,
        DL_SATURDAY,
        DL_SUNDAY,
};
#define DL_DAY_BIT(d) (1u << (d))
#define DL_ALL_DAYS 0x7fu
#define DL_MINUTES_PER_DAY 1440
#define DL_WINDOWS_MAX 16

/* days: bit 0 Monday .. bit 6 Sunday.  start: minute 0..1439; end: minute
 * 1..1440, exclusive.  end < start runs over midnight into the next day: a
 * Friday window 22:00-06:00 covers Friday 22:00 to Saturday 06:00. */
struct dl_window {
        uint8_t days;
        uint16_t start;
        uint16_t end;
};

/* Wall-clock time: weekday (DL_MONDAY..DL_SUNDAY) and minute of the day. */
struct dl_wall {
        int weekday;
        int minute;
};

/* -EINVAL with a message: no days, days beyond bit 6, start/end out of range,
 * start == end. */
int dl_window_check(const struct dl_window *w, struct dl_error *err);

/* Does window w cover wall time t?  (w must pass dl_window_check.) */
bool dl_window_contains(const struct dl_window *w, const struct dl_wall *t);

/* Does any of the n windows cover t?  No windows means "any time": true. */
bool dl_windows_contain(const struct dl_window *w, size_t n, const struct dl_wall *t);
