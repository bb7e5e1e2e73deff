/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "schedule.h"

int dl_window_check(const struct dl_window *w, struct dl_error *err) {
        if (!w)
                return dl_error_set(err, -EINVAL, "No window given");
        if (w->days == 0)
                return dl_error_set(err, -EINVAL, "Window has no days");
        if (w->days & ~DL_ALL_DAYS)
                return dl_error_set(err, -EINVAL,
                                    "Window days 0x%02x has bits beyond Sunday (allowed 0x01-0x7f)",
                                    (unsigned)w->days);
        if (w->start >= DL_MINUTES_PER_DAY)
                return dl_error_set(err, -EINVAL, "Window start minute %u is out of range (0-%d)",
                                    (unsigned)w->start, DL_MINUTES_PER_DAY - 1);
        if (w->end < 1 || w->end > DL_MINUTES_PER_DAY)
                return dl_error_set(err, -EINVAL, "Window end minute %u is out of range (1-%d)",
                                    (unsigned)w->end, DL_MINUTES_PER_DAY);
        if (w->start == w->end)
                return dl_error_set(err, -EINVAL, "Window start and end are both minute %u",
                                    (unsigned)w->start);
        return 0;
}

static bool window_valid(const struct dl_window *w) {
        return dl_window_check(w, NULL) >= 0;
}

static bool wall_valid(const struct dl_wall *t) {
        return t && t->weekday >= DL_MONDAY && t->weekday <= DL_SUNDAY && t->minute >= 0 &&
               t->minute < DL_MINUTES_PER_DAY;
}

static bool has_day(const struct dl_window *w, int weekday) {
        return w->days & DL_DAY_BIT(weekday);
}

bool dl_window_contains(const struct dl_window *w, const struct dl_wall *t) {
        int previous;

        /* Fail closed on anything that should not reach us. */
        if (!window_valid(w) || !wall_valid(t))
                return false;

        /* Same day, including start..1440 (up to midnight). */
        if (w->start < w->end)
                return has_day(w, t->weekday) && t->minute >= w->start && t->minute < w->end;

        /* Over midnight: the evening part belongs to today's bit, the morning
         * part to yesterday's (Monday's yesterday is Sunday). */
        if (has_day(w, t->weekday) && t->minute >= w->start)
                return true;
        previous = (t->weekday + 6) % 7;
        return has_day(w, previous) && t->minute < w->end;
}

bool dl_windows_contain(const struct dl_window *w, size_t n, const struct dl_wall *t) {
        if (n == 0)
                return true;
        if (!w)
                return false;

        for (size_t i = 0; i < n; i++)
                if (dl_window_contains(&w[i], t))
                        return true;
        return false;
}
