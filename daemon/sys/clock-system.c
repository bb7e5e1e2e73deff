/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The system clock: the only place in the core that reads the time. */
#include "clock-system.h"
#include "clock.h"

#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

static int64_t timespec_usec(const struct timespec *ts) {
        return (int64_t)ts->tv_sec * 1000000 + ts->tv_nsec / 1000;
}

static int64_t system_now(void *userdata) {
        struct timespec ts;

        (void)userdata;
        clock_gettime(CLOCK_REALTIME, &ts);
        return timespec_usec(&ts);
}

static int64_t system_monotonic(void *userdata) {
        struct timespec ts;

        (void)userdata;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return timespec_usec(&ts);
}

bool dl_clock_synchronized_from(int (*adjtimex_fn)(struct timex *tx), const char *flag_path) {
        struct timex tx = { .modes = 0 };

        /* Reading only (modes 0) needs no privilege.  TIME_ERROR or
         * STA_UNSYNC both mean the kernel does not vouch for the clock. */
        if (adjtimex_fn(&tx) >= 0)
                return !(tx.status & STA_UNSYNC);

        /* Refused (EPERM from a seccomp filter) or missing: the only other
         * witness is systemd-timesyncd's flag file.  Without it, the clock
         * counts as not synchronised. */
        return flag_path && access(flag_path, F_OK) == 0;
}

static bool system_synchronized(void *userdata) {
        (void)userdata;
        return dl_clock_synchronized_from(adjtimex, DL_TIMESYNC_FLAG_FILE);
}

const struct dl_clock dl_clock_system = {
        .now = system_now,
        .monotonic = system_monotonic,
        .synchronized = system_synchronized,
        .userdata = NULL,
};
