/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where "now" comes from.  Nothing in the core calls time() or
 * clock_gettime(): it asks a struct dl_clock, which the daemon fills with the
 * system clock and tests fill with a fake one. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct dl_clock {
        /* Wall-clock time, µs since the Unix epoch (CLOCK_REALTIME). */
        int64_t (*now)(void *userdata);
        /* Monotonic time in µs (CLOCK_MONOTONIC), for timers. */
        int64_t (*monotonic)(void *userdata);
        /* True when the kernel says the clock is synchronised (NTP). */
        bool (*synchronized)(void *userdata);
        void *userdata;
};

static inline int64_t dl_clock_now(const struct dl_clock *c) {
        return c->now(c->userdata);
}
static inline int64_t dl_clock_monotonic(const struct dl_clock *c) {
        return c->monotonic(c->userdata);
}
static inline bool dl_clock_synchronized(const struct dl_clock *c) {
        return c->synchronized(c->userdata);
}

/* The real clocks of this machine: clock_gettime() and adjtimex(). */
extern const struct dl_clock dl_clock_system;
