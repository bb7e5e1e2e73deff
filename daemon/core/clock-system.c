/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The system clock: the only place in the core that reads the time. */
#include "clock.h"

#include <sys/timex.h>
#include <time.h>

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

static bool system_synchronized(void *userdata) {
        struct timex tx = { .modes = 0 };

        (void)userdata;
        /* Reading only (modes 0) needs no privilege.  TIME_ERROR or
         * STA_UNSYNC both mean the kernel does not vouch for the clock. */
        if (adjtimex(&tx) < 0)
                return false;
        return !(tx.status & STA_UNSYNC);
}

const struct dl_clock dl_clock_system = {
        .now = system_now,
        .monotonic = system_monotonic,
        .synchronized = system_synchronized,
        .userdata = NULL,
};
