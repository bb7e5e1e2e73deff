/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock-controller tests' recorder: a dl_lock_ops that writes every
 * callback down as one line of text, expect_log() to compare those lines,
 * and the steps the tests share (set up, unlock, relock, jam). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lock-controller.h"

#define MSEC ((int64_t)1000)
#define SEC ((int64_t)1000000)
#define T0 (1000 * SEC) /* some monotonic instant */

#define LOG_MAX 64
#define LOG_LINE 128

/* Every callback, as one line of text, in order. */
struct recorder {
        char log[LOG_MAX][LOG_LINE];
        size_t n;
        /* Simulated actuator: report the bolt from inside drive(). */
        struct dl_lock_controller *c;
        bool sim;
        int64_t sim_now;
};

/* Callbacks that record into the struct recorder passed as userdata. */
extern const struct dl_lock_ops recording_ops;

/* The log must be exactly the lines given (a NULL-terminated array); then
 * it is emptied. */
void expect_log_array(struct recorder *r, const char *const *want);

/* expect_log(r, "line", ..., NULL); expect_log(r, NULL) for "nothing".  An
 * array rather than varargs: NULL is a pointer there whatever its type. */
#define expect_log(r, ...) expect_log_array((r), (const char *const[]){ __VA_ARGS__ })

/* Controller with that relock delay, the default motor timeout, and r
 * recording its callbacks; bolt and door unknown. */
void lock_setup(struct dl_lock_controller *c, struct recorder *r, int64_t relock, bool door_sensor);

/* Controller with the defaults (relock 5 s, motor 2 s), bolt locked (and
 * the door closed if there is a sensor); the log is empty. */
void lock_setup_locked(struct dl_lock_controller *c, struct recorder *r, bool door_sensor);

/* Unlock at now (with that hold) and have the bolt arrive after 300 ms;
 * returns the time of arrival. */
int64_t unlock_and_arrive(struct dl_lock_controller *c, struct recorder *r, int64_t now, int64_t hold);

/* The relock fires at `at` (not a µs before) and the bolt arrives. */
void expect_relock_at(struct dl_lock_controller *c, struct recorder *r, int64_t at);

/* Unlock the locked bolt at now and let it never arrive: jammed once the
 * default motor timeout has passed. */
void unlock_and_jam(struct dl_lock_controller *c, struct recorder *r, int64_t now);
