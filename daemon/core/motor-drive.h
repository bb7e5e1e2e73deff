/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An H-bridge bolt motor as a pure state machine.  No GPIO, no timers, no
 * clock reads: the backend (hw-gpio.c) passes monotonic µs in (kernel edge
 * timestamps for sensor edges), and after every call carries out the one
 * action returned, like matrix-keypad.h.
 *
 * Hardware: two outputs, "toward unlocked" and "toward locked", and one or
 * two bolt switches, "retracted" (made = unlocked) and "extended" (made =
 * locked).
 *
 * The action (struct dl_motor_action), returned by every call:
 *   output    the one output to drive now (DL_MOTOR_OFF: both off).  The
 *             backend turns the other line off before it turns this one on.
 *   deadline  0, or call dl_motor_timer() at this monotonic µs (one timer;
 *             each action replaces the previous deadline).
 *   result    DL_MOTOR_REACHED (report `position`), DL_MOTOR_FAILED (stop
 *             was done; report `position` and `detail`), DL_MOTOR_MOVED
 *             (idle: the sensors settled on a new `position`), or NONE.
 *
 * Decisions:
 *  - Never both outputs on: the action names one output.  Between any two
 *    drives (a reversal, a retry, a new drive after a stop) both are off
 *    for at least dead_time_usec, counted from the instant the output went
 *    off, also when a drive reverses a drive in progress: an H-bridge
 *    switched straight across shorts its supply through the half-bridges
 *    that have not turned off yet, and the motor's back EMF needs to decay.
 *    The dead time is also kept after dl_motor_init(): the daemon may have
 *    been restarted with the motor just switched off.
 *  - A try drives toward the target until the target's switch is made (then
 *    off at once: driving on grinds the bolt into its end stop) or
 *    timeout_usec.  The switch must then stay made for settle_usec (a
 *    bouncing contact, a bolt bouncing back off the stop): only then is the
 *    target reached.  Otherwise (timeout, or the switch released again)
 *    the try failed: off, dead time, one more try toward the target; after
 *    DL_MOTOR_TRIES tries DL_MOTOR_FAILED, off, idle.
 *  - One sensor only: the position it senses is confirmed by it as above.
 *    The other position cannot be seen; a drive toward it runs for the
 *    whole timeout_usec (a timed drive) and succeeds if the one switch is
 *    then released and stays released for settle_usec.  That position is
 *    then inferred, and stays inferred until the switch is made again (a
 *    released switch at start, or after a failed drive, or after the
 *    switch was made and released by hand, is DL_BOLT-"unknown": never a
 *    guess).
 *  - A drive toward a position the sensors already confirm (settled) needs
 *    no motor: REACHED at once.  A drive toward an inferred position runs
 *    anyway (a hand may have moved the bolt without touching the switch).
 *  - A drive toward the target already being driven to changes nothing; a
 *    drive toward the other position starts over (tries reset).
 *  - Sensor changes while idle are reported once they have been stable for
 *    settle_usec (MOVED).  During a drive only the outcome is reported.
 *  - Time never goes back: an older `now` counts as the latest seen. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define DL_MOTOR_TRIES 2 /* the first try and one retry */

enum dl_motor_position {
        DL_MOTOR_POSITION_UNKNOWN,
        DL_MOTOR_POSITION_LOCKED,   /* extended */
        DL_MOTOR_POSITION_UNLOCKED, /* retracted */
};

enum dl_motor_output {
        DL_MOTOR_OFF,
        DL_MOTOR_UNLOCK, /* the "toward unlocked" output on, the other off */
        DL_MOTOR_LOCK,   /* the "toward locked" output on, the other off */
};

enum dl_motor_sensor {
        DL_MOTOR_SENSOR_RETRACTED,
        DL_MOTOR_SENSOR_EXTENDED,
};

enum dl_motor_result {
        DL_MOTOR_NONE,
        DL_MOTOR_REACHED, /* the drive's target was reached */
        DL_MOTOR_FAILED,  /* the drive gave up */
        DL_MOTOR_MOVED,   /* idle: the settled position changed */
};

enum dl_motor_state {
        DL_MOTOR_IDLE,
        DL_MOTOR_DEAD_TIME, /* both off, waiting to drive */
        DL_MOTOR_DRIVING,
        DL_MOTOR_SETTLING, /* both off, waiting for the switch to stay */
};

struct dl_motor_config {
        int64_t timeout_usec;             /* one try, > 0 */
        int64_t dead_time_usec;           /* >= 0 */
        int64_t settle_usec;              /* sensor stability, > 0 */
        bool has_retracted, has_extended; /* at least one */
};

struct dl_motor_action {
        enum dl_motor_output output;
        int64_t deadline; /* 0 = no timer */
        enum dl_motor_result result;
        enum dl_motor_position position; /* REACHED, FAILED, MOVED */
        const char *detail;              /* FAILED: a short sentence (static) */
};

struct dl_motor {
        struct dl_motor_config config;
        enum dl_motor_state state;
        enum dl_motor_output output;
        bool target_unlocked;
        unsigned tries;                  /* tries started for the current target */
        int64_t now;                     /* latest time seen */
        int64_t off_since;               /* when the outputs last went (or were found) off */
        int64_t drive_until;             /* DRIVING: the try's timeout */
        bool raw[2];                     /* the switches' latest levels (made = true) */
        bool stable[2];                  /* the levels settled for settle_usec */
        int64_t changed_at;              /* latest raw change; 0 = settled */
        enum dl_motor_position inferred; /* one sensor: the unsensed position, or UNKNOWN */
        enum dl_motor_position reported; /* the latest position reported (or at init) */
        struct dl_motor_action action;   /* the current one */
};

/* timeout > 0, dead time >= 0, settle > 0 (each at most 60 s), at least one
 * sensor.  -EINVAL with a message in err (may be NULL). */
int dl_motor_config_check(const struct dl_motor_config *c, struct dl_error *err);

/* Idle, outputs off, the switches as read now (unconfigured ones are
 * ignored) taken as settled.  ret (may be NULL) gets the first action. */
int dl_motor_init(struct dl_motor *m, const struct dl_motor_config *c, bool retracted, bool extended,
                  int64_t now, struct dl_motor_action *ret);

/* Drive toward unlocked (true) or locked (false). */
int dl_motor_drive(struct dl_motor *m, bool unlock, int64_t now, struct dl_motor_action *ret);

/* Stop at once: outputs off, idle, no result.  Idempotent. */
int dl_motor_stop(struct dl_motor *m, int64_t now, struct dl_motor_action *ret);

/* A switch changed (made = true), told at `now`.  Pass the time of the
 * call, not the edge's kernel timestamp: an output this call turns off goes
 * off now, and the dead time must count from that instant. */
int dl_motor_sensor(struct dl_motor *m, enum dl_motor_sensor s, bool made, int64_t now,
                    struct dl_motor_action *ret);

/* The timer fired.  Early calls change nothing (the same action returns). */
int dl_motor_timer(struct dl_motor *m, int64_t now, struct dl_motor_action *ret);

/* The settled position (sensors, plus an inferred one; see above). */
enum dl_motor_position dl_motor_position(const struct dl_motor *m);

/* The longest a drive can take until REACHED or FAILED: the controller's
 * motor timeout should be no shorter. */
int64_t dl_motor_worst_case_usec(const struct dl_motor_config *c);

const char *dl_motor_state_to_string(enum dl_motor_state s);
