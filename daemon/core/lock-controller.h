/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bolt: states, auto-relock, jam detection, door, operating modes.
 * Pure logic.  Inputs are calls (commands, sensor reports, time passing);
 * outputs go through struct dl_lock_ops callbacks (drive the actuator,
 * report changes, raise alarms).  Time is monotonic µs passed in by the
 * caller, which arms one timer for dl_lock_next_deadline() and calls
 * dl_lock_tick() when it fires.  It knows nothing of codes, D-Bus or GPIO.
 *
 * States: unknown -> (first bolt report or command) ...
 *   locked --unlock--> unlocking --bolt reports unlocked--> unlocked
 *   unlocked --relock timer / lock--> locking --bolt reports locked--> locked
 *   unlocking/locking --no report within motor timeout--> jammed (+ alarm)
 *   jammed --lock/unlock--> tries again.
 *
 * Auto-relock: `relock_usec` after reaching unlocked (or the hold time of
 * dl_lock_unlock()), but only once the door reports closed when a door
 * sensor is configured: if the door is open at the deadline, the bolt
 * throws as soon as the door closes.  Relocking is off in passage mode and
 * when relock_usec is 0 (an explicit hold_usec of dl_lock_unlock() still
 * relocks).  With a door sensor that has not reported yet (door unknown),
 * the relock also waits for "closed".
 *
 * Modes: normal; privacy (the controller behaves as normal: code rules are
 * the lock service's business); passage (unlock and stay unlocked: no
 * auto-relock, dl_lock_lock() refused with -EPERM; leaving passage starts
 * the relock timer as if just unlocked).
 *
 * Door: door opening while the state is locked raises alarm "door-forced".
 *
 * Bolt reports: while moving, only the position driven to counts (the other
 * one is ignored; the motor timeout decides).  While idle the state follows
 * the report, whoever moved the bolt: one turned open by hand (or found open
 * at start-up) is relocked like after any unlock.
 *
 * Callbacks may call back into the controller (a simulated actuator may
 * report the bolt from inside drive()): the controller updates its fields
 * before it calls out. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lock-operation.h"

enum dl_lock_state {
        DL_LOCK_UNKNOWN,
        DL_LOCK_LOCKED,
        DL_LOCK_UNLOCKING,
        DL_LOCK_UNLOCKED,
        DL_LOCK_LOCKING,
        DL_LOCK_JAMMED,
        _DL_LOCK_STATE_MAX,
};

enum dl_door_state {
        DL_DOOR_UNKNOWN,
        DL_DOOR_CLOSED,
        DL_DOOR_OPEN,
        _DL_DOOR_STATE_MAX,
        _DL_DOOR_STATE_INVALID = -1,
};

enum dl_lock_mode {
        DL_MODE_NORMAL,
        DL_MODE_PRIVACY,
        DL_MODE_PASSAGE,
        _DL_LOCK_MODE_MAX,
        _DL_LOCK_MODE_INVALID = -1,
};

#define DL_RELOCK_USEC_DEFAULT (5 * (int64_t)1000000)
#define DL_MOTOR_TIMEOUT_USEC_DEFAULT (2 * (int64_t)1000000)
#define DL_HOLD_USEC_MAX ((int64_t)24 * 3600 * 1000000)

struct dl_lock_ops {
        /* Drive the bolt: true = to unlocked, false = to locked.  The backend
         * reports the result through dl_lock_bolt_reported(). */
        void (*drive)(void *userdata, bool unlock);
        /* The state, door or mode changed (old value first). */
        void (*state_changed)(void *userdata, enum dl_lock_state old, enum dl_lock_state now);
        void (*door_changed)(void *userdata, enum dl_door_state old, enum dl_door_state now);
        void (*mode_changed)(void *userdata, enum dl_lock_mode old, enum dl_lock_mode now);
        /* kind: "jammed" or "door-forced"; detail: a short sentence. */
        void (*alarm)(void *userdata, const char *kind, const char *detail);
        /* The controller started an auto-relock (source "system"). */
        void (*auto_relock)(void *userdata);
};

struct dl_lock_config {
        int64_t relock_usec;        /* 0 = no auto-relock */
        int64_t motor_timeout_usec; /* > 0 */
        bool door_sensor;           /* relock waits for "closed" */
};

struct dl_lock_controller {
        struct dl_lock_config config;
        const struct dl_lock_ops *ops;
        void *userdata;
        enum dl_lock_state state;
        enum dl_door_state door;
        enum dl_lock_mode mode;
        bool target_unlocked;   /* where the bolt was last driven */
        int64_t hold_usec;      /* relock delay once the current unlock arrives */
        int64_t motor_deadline; /* 0 = motor idle */
        int64_t relock_at;      /* 0 = none pending */
        bool relock_when_closed;
        bool hold_timed; /* the pending relock ends an explicit hold (UnlockFor) */
};

/* State, door and mode unknown, unknown, normal; no callback is called.
 * config NULL: the defaults, no door sensor.  relock_usec is clamped to
 * 0..DL_HOLD_USEC_MAX; motor_timeout_usec <= 0 selects the default. */
void dl_lock_init(struct dl_lock_controller *c, const struct dl_lock_config *config,
                  const struct dl_lock_ops *ops, void *userdata);

/* Change the relock delay (the D-Bus property AutoRelockSeconds).  Takes
 * effect from the next unlock.  Clamped to 0..DL_HOLD_USEC_MAX. */
void dl_lock_set_relock(struct dl_lock_controller *c, int64_t relock_usec);

/* Unlock; relock after hold_usec (0 = the configured relock delay; at most
 * DL_HOLD_USEC_MAX, -ERANGE above or below 0).  Unlocking an unlocked bolt
 * only restarts the relock timer; while unlocking, only the hold changes.
 * Returns 0. */
int dl_lock_unlock(struct dl_lock_controller *c, int64_t now, int64_t hold_usec);

/* Lock now and cancel any pending relock.  Locked or locking already: no
 * drive.  -EPERM in passage mode. */
int dl_lock_lock(struct dl_lock_controller *c, int64_t now);

/* -EINVAL for an unknown mode; the same mode again changes nothing.
 * Entering passage unlocks; leaving it arms the relock timer (relock_usec)
 * if the bolt is unlocked. */
int dl_lock_set_mode(struct dl_lock_controller *c, int64_t now, enum dl_lock_mode mode);

/* The bolt sensor (or the simulated actuator) reports a position. */
void dl_lock_bolt_reported(struct dl_lock_controller *c, int64_t now, bool unlocked);

/* The bolt sensors report no position (neither switch made, or both).
 * While moving: ignored (the bolt is between them; the motor timeout or
 * dl_lock_drive_failed() decides).  Idle: the state becomes unknown, and a
 * pending relock is cancelled (a bolt that may be half out is not thrown
 * into the frame blindly); the next command drives it again. */
void dl_lock_bolt_unknown(struct dl_lock_controller *c, int64_t now);

/* The actuator stopped without reaching the position (its retries are
 * spent): jammed at once, alarm "jammed" with detail.  Idle: ignored. */
void dl_lock_drive_failed(struct dl_lock_controller *c, int64_t now, const char *detail);

/* The door sensor reports. */
void dl_lock_door_reported(struct dl_lock_controller *c, int64_t now, enum dl_door_state door);

/* Time passed: fire whatever is due (motor timeout -> jammed, relock). */
void dl_lock_tick(struct dl_lock_controller *c, int64_t now);

/* Why the relock that is pending (or that auto_relock() announces) locks:
 * DL_CAUSE_TIMED_UNLOCK_ENDED after an explicit hold_usec of
 * dl_lock_unlock(), else DL_CAUSE_AUTO_RELOCK. */
enum dl_lock_cause dl_lock_relock_cause(const struct dl_lock_controller *c);

/* The earliest pending deadline (monotonic µs), 0 when none. */
int64_t dl_lock_next_deadline(const struct dl_lock_controller *c);

/* to_string: NULL for a value out of range.  from_string: exact match,
 * _DL_DOOR_STATE_INVALID / _DL_LOCK_MODE_INVALID (-1) otherwise. */
const char *dl_lock_state_to_string(enum dl_lock_state s);
const char *dl_door_state_to_string(enum dl_door_state d);
enum dl_door_state dl_door_state_from_string(const char *s);
const char *dl_lock_mode_to_string(enum dl_lock_mode m);
enum dl_lock_mode dl_lock_mode_from_string(const char *s);
