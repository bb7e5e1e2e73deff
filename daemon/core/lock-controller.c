/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lock-controller.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

/* Every callback may call back into the controller (a simulated actuator
 * may report the bolt from inside ops->drive): each function below updates
 * all of the controller's fields first and calls out last. */

static const char *const lock_state_names[_DL_LOCK_STATE_MAX] = {
        [DL_LOCK_UNKNOWN] = "unknown",   [DL_LOCK_LOCKED] = "locked",   [DL_LOCK_UNLOCKING] = "unlocking",
        [DL_LOCK_UNLOCKED] = "unlocked", [DL_LOCK_LOCKING] = "locking", [DL_LOCK_JAMMED] = "jammed",
};

static const char *const door_state_names[_DL_DOOR_STATE_MAX] = {
        [DL_DOOR_UNKNOWN] = "unknown",
        [DL_DOOR_CLOSED] = "closed",
        [DL_DOOR_OPEN] = "open",
};

static const char *const lock_mode_names[_DL_LOCK_MODE_MAX] = {
        [DL_MODE_NORMAL] = "normal",
        [DL_MODE_PRIVACY] = "privacy",
        [DL_MODE_PASSAGE] = "passage",
};

static int64_t clamp_relock(int64_t relock_usec) {
        if (relock_usec < 0)
                return 0;
        return MIN(relock_usec, DL_HOLD_USEC_MAX);
}

/* now + d as a deadline: never 0 (which means "none"), never overflows. */
static int64_t deadline_after(int64_t now, int64_t d) {
        int64_t t;

        if (now > INT64_MAX - d)
                return INT64_MAX;
        t = now + d;
        return t != 0 ? t : 1;
}

static void set_state(struct dl_lock_controller *c, enum dl_lock_state s) {
        enum dl_lock_state old = c->state;

        if (old == s)
                return;
        c->state = s;
        if (c->ops && c->ops->state_changed)
                c->ops->state_changed(c->userdata, old, s);
}

static void raise_alarm(struct dl_lock_controller *c, const char *kind, const char *detail) {
        if (c->ops && c->ops->alarm)
                c->ops->alarm(c->userdata, kind, detail);
}

static void cancel_relock(struct dl_lock_controller *c) {
        c->relock_at = 0;
        c->relock_when_closed = false;
}

/* The bolt is (now) unlocked: relock after hold_usec, unless in passage
 * mode or the hold is 0.  Replaces any relock pending. */
static void arm_relock(struct dl_lock_controller *c, int64_t now, int64_t hold_usec) {
        cancel_relock(c);
        if (c->mode == DL_MODE_PASSAGE || hold_usec <= 0)
                return;
        c->relock_at = deadline_after(now, hold_usec);
}

static void drive(struct dl_lock_controller *c, int64_t now, bool unlock) {
        c->target_unlocked = unlock;
        c->motor_deadline = deadline_after(now, c->config.motor_timeout_usec);
        set_state(c, unlock ? DL_LOCK_UNLOCKING : DL_LOCK_LOCKING);
        /* Last: the backend may report the bolt from inside this call. */
        if (c->ops && c->ops->drive)
                c->ops->drive(c->userdata, unlock);
}

/* The relock is due and allowed (door closed or no door sensor). */
static void auto_relock(struct dl_lock_controller *c, int64_t now) {
        cancel_relock(c);
        /* Only an unlocked bolt is relocked, never in passage mode.  Every
         * path that leaves "unlocked" or enters passage cancels the relock,
         * so this is a second line, not the rule. */
        if (c->mode == DL_MODE_PASSAGE || c->state != DL_LOCK_UNLOCKED)
                return;
        if (c->ops && c->ops->auto_relock)
                c->ops->auto_relock(c->userdata);
        /* auto_relock() may itself have locked (re-entry): drive only if
         * nothing moved meanwhile. */
        if (c->state == DL_LOCK_UNLOCKED && c->mode != DL_MODE_PASSAGE)
                drive(c, now, false);
}

void dl_lock_init(struct dl_lock_controller *c, const struct dl_lock_config *config,
                  const struct dl_lock_ops *ops, void *userdata) {
        if (!c)
                return;
        *c = (struct dl_lock_controller){
                .config =
                        {
                                .relock_usec = DL_RELOCK_USEC_DEFAULT,
                                .motor_timeout_usec = DL_MOTOR_TIMEOUT_USEC_DEFAULT,
                                .door_sensor = false,
                        },
                .ops = ops,
                .userdata = userdata,
                .state = DL_LOCK_UNKNOWN,
                .door = DL_DOOR_UNKNOWN,
                .mode = DL_MODE_NORMAL,
        };
        if (config) {
                c->config.relock_usec = clamp_relock(config->relock_usec);
                if (config->motor_timeout_usec > 0)
                        c->config.motor_timeout_usec = config->motor_timeout_usec;
                c->config.door_sensor = config->door_sensor;
        }
        c->hold_usec = c->config.relock_usec;
}

void dl_lock_set_relock(struct dl_lock_controller *c, int64_t relock_usec) {
        if (!c)
                return;
        c->config.relock_usec = clamp_relock(relock_usec);
}

int dl_lock_unlock(struct dl_lock_controller *c, int64_t now, int64_t hold_usec) {
        if (!c)
                return -EINVAL;
        if (hold_usec < 0 || hold_usec > DL_HOLD_USEC_MAX)
                return -ERANGE;
        c->hold_timed = hold_usec != 0;
        if (hold_usec == 0)
                hold_usec = c->config.relock_usec;

        switch (c->state) {
        case DL_LOCK_UNLOCKED:
                /* Already open: only restart the relock timer. */
                arm_relock(c, now, hold_usec);
                return 0;
        case DL_LOCK_UNLOCKING:
                /* On its way: the relock starts when it gets there. */
                c->hold_usec = hold_usec;
                return 0;
        default:
                cancel_relock(c);
                c->hold_usec = hold_usec;
                drive(c, now, true);
                return 0;
        }
}

int dl_lock_lock(struct dl_lock_controller *c, int64_t now) {
        if (!c)
                return -EINVAL;
        if (c->mode == DL_MODE_PASSAGE)
                return -EPERM;

        cancel_relock(c);
        /* Locked or on its way: do not restart the motor timeout. */
        if (c->state == DL_LOCK_LOCKED || c->state == DL_LOCK_LOCKING)
                return 0;
        drive(c, now, false);
        return 0;
}

int dl_lock_set_mode(struct dl_lock_controller *c, int64_t now, enum dl_lock_mode mode) {
        enum dl_lock_mode old;

        if (!c || (unsigned)mode >= _DL_LOCK_MODE_MAX)
                return -EINVAL;
        old = c->mode;
        if (old == mode)
                return 0;

        c->mode = mode;
        if (mode == DL_MODE_PASSAGE) {
                /* Passage never relocks; the unlock below arms nothing. */
                cancel_relock(c);
        } else if (old == DL_MODE_PASSAGE && c->state == DL_LOCK_UNLOCKED) {
                /* As if just unlocked.  Unlocking (or locked, jammed,
                 * unknown) needs nothing: reaching "unlocked" arms it. */
                c->hold_timed = false;
                arm_relock(c, now, c->config.relock_usec);
        }

        if (c->ops && c->ops->mode_changed)
                c->ops->mode_changed(c->userdata, old, mode);

        /* mode_changed() may have changed the mode again (re-entry). */
        if (mode == DL_MODE_PASSAGE && c->mode == DL_MODE_PASSAGE)
                return dl_lock_unlock(c, now, 0);
        return 0;
}

void dl_lock_bolt_reported(struct dl_lock_controller *c, int64_t now, bool unlocked) {
        if (!c)
                return;

        if (c->state == DL_LOCK_UNLOCKING || c->state == DL_LOCK_LOCKING) {
                /* Moving: only the position we drive to counts.  The other
                 * one is where the bolt came from (a late or bouncing
                 * sensor); if the bolt never arrives, the motor timeout
                 * declares it jammed. */
                if (unlocked != c->target_unlocked)
                        return;
                c->motor_deadline = 0;
                if (unlocked)
                        arm_relock(c, now, c->hold_usec);
                else
                        cancel_relock(c);
                set_state(c, unlocked ? DL_LOCK_UNLOCKED : DL_LOCK_LOCKED);
                return;
        }

        /* Idle (unknown, locked, unlocked, jammed): the bolt is where the
         * sensor says, whoever moved it.  A bolt turned open by hand (or
         * found open at start-up) is relocked like after any unlock. */
        if (unlocked) {
                if (c->state == DL_LOCK_UNLOCKED)
                        return;
                c->hold_usec = c->config.relock_usec;
                c->hold_timed = false;
                arm_relock(c, now, c->config.relock_usec);
                set_state(c, DL_LOCK_UNLOCKED);
        } else {
                if (c->state == DL_LOCK_LOCKED)
                        return;
                cancel_relock(c);
                set_state(c, DL_LOCK_LOCKED);
        }
}

void dl_lock_door_reported(struct dl_lock_controller *c, int64_t now, enum dl_door_state door) {
        enum dl_door_state old;

        if (!c || (unsigned)door >= _DL_DOOR_STATE_MAX)
                return;
        old = c->door;
        if (old == door)
                return;

        c->door = door;
        if (c->ops && c->ops->door_changed)
                c->ops->door_changed(c->userdata, old, door);

        if (door == DL_DOOR_OPEN && c->state == DL_LOCK_LOCKED)
                raise_alarm(c, "door-forced", "door opened while locked");
        else if (door == DL_DOOR_CLOSED && c->relock_when_closed)
                auto_relock(c, now);
}

static void jam(struct dl_lock_controller *c, const char *detail) {
        c->motor_deadline = 0;
        cancel_relock(c);
        set_state(c, DL_LOCK_JAMMED);
        raise_alarm(c, "jammed", detail);
}

void dl_lock_bolt_unknown(struct dl_lock_controller *c, int64_t now) {
        (void)now;
        if (!c || c->state == DL_LOCK_UNLOCKING || c->state == DL_LOCK_LOCKING)
                return; /* moving: the bolt is between its sensors; the motor decides */
        if (c->state == DL_LOCK_UNKNOWN || c->state == DL_LOCK_JAMMED)
                return;
        cancel_relock(c);
        set_state(c, DL_LOCK_UNKNOWN);
}

void dl_lock_drive_failed(struct dl_lock_controller *c, int64_t now, const char *detail) {
        (void)now;
        if (!c || (c->state != DL_LOCK_UNLOCKING && c->state != DL_LOCK_LOCKING))
                return;
        jam(c, detail && *detail ? detail : "the actuator gave up");
}

void dl_lock_tick(struct dl_lock_controller *c, int64_t now) {
        if (!c)
                return;

        if (c->motor_deadline != 0 && now >= c->motor_deadline) {
                char detail[80];

                (void)snprintf(detail, sizeof(detail), "bolt did not reach %s within %" PRId64 " ms",
                               c->target_unlocked ? "unlocked" : "locked",
                               c->config.motor_timeout_usec / 1000);
                jam(c, detail);
        }

        if (c->relock_at != 0 && now >= c->relock_at) {
                c->relock_at = 0;
                if (c->config.door_sensor && c->door != DL_DOOR_CLOSED)
                        /* Throwing the bolt into an open door's frame
                         * would jam it: wait for "closed". */
                        c->relock_when_closed = true;
                else
                        auto_relock(c, now);
        }
}

enum dl_lock_cause dl_lock_relock_cause(const struct dl_lock_controller *c) {
        return c && c->hold_timed ? DL_CAUSE_TIMED_UNLOCK_ENDED : DL_CAUSE_AUTO_RELOCK;
}

int64_t dl_lock_next_deadline(const struct dl_lock_controller *c) {
        if (!c)
                return 0;
        if (c->motor_deadline == 0)
                return c->relock_at;
        if (c->relock_at == 0)
                return c->motor_deadline;
        return MIN(c->motor_deadline, c->relock_at);
}

const char *dl_lock_state_to_string(enum dl_lock_state s) {
        if ((unsigned)s >= _DL_LOCK_STATE_MAX)
                return NULL;
        return lock_state_names[s];
}

const char *dl_door_state_to_string(enum dl_door_state d) {
        if ((unsigned)d >= _DL_DOOR_STATE_MAX)
                return NULL;
        return door_state_names[d];
}

enum dl_door_state dl_door_state_from_string(const char *s) {
        for (int i = 0; s && i < _DL_DOOR_STATE_MAX; i++)
                if (strcmp(s, door_state_names[i]) == 0)
                        return (enum dl_door_state)i;
        return _DL_DOOR_STATE_INVALID;
}

const char *dl_lock_mode_to_string(enum dl_lock_mode m) {
        if ((unsigned)m >= _DL_LOCK_MODE_MAX)
                return NULL;
        return lock_mode_names[m];
}

enum dl_lock_mode dl_lock_mode_from_string(const char *s) {
        for (int i = 0; s && i < _DL_LOCK_MODE_MAX; i++)
                if (strcmp(s, lock_mode_names[i]) == 0)
                        return (enum dl_lock_mode)i;
        return _DL_LOCK_MODE_INVALID;
}
