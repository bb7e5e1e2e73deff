/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "motor-drive.h"

#include <errno.h>
#include <string.h>

#include "macro.h"

#define TIMING_MAX (60 * USEC_PER_SEC)

int dl_motor_config_check(const struct dl_motor_config *c, struct dl_error *err) {
        if (!c)
                return -EINVAL;
        if (c->timeout_usec <= 0 || c->timeout_usec > TIMING_MAX)
                return dl_error_set(err, -EINVAL, "Motor timeout must be between 1 µs and 60 s");
        if (c->dead_time_usec < 0 || c->dead_time_usec > TIMING_MAX)
                return dl_error_set(err, -EINVAL, "Motor dead time must be between 0 and 60 s");
        if (c->settle_usec <= 0 || c->settle_usec > TIMING_MAX)
                return dl_error_set(err, -EINVAL, "Bolt sensor settle time must be between 1 µs and 60 s");
        if (!c->has_retracted && !c->has_extended)
                return dl_error_set(err, -EINVAL,
                                    "A motor needs at least one bolt sensor: it would be driven blind");
        return 0;
}

static enum dl_motor_position target_position(const struct dl_motor *m) {
        return m->target_unlocked ? DL_MOTOR_POSITION_UNLOCKED : DL_MOTOR_POSITION_LOCKED;
}

/* The sensor that confirms the target, or -1 when it has none (one-sensor
 * setup, timed drive toward the unsensed position). */
static int target_sensor(const struct dl_motor *m) {
        if (m->target_unlocked)
                return m->config.has_retracted ? DL_MOTOR_SENSOR_RETRACTED : -1;
        return m->config.has_extended ? DL_MOTOR_SENSOR_EXTENDED : -1;
}

/* What the settled switches alone say. */
static enum dl_motor_position sensed(const struct dl_motor *m) {
        bool r = m->stable[DL_MOTOR_SENSOR_RETRACTED], e = m->stable[DL_MOTOR_SENSOR_EXTENDED];

        if (m->config.has_retracted && m->config.has_extended) {
                if (r == e)
                        return DL_MOTOR_POSITION_UNKNOWN; /* both made: wiring fault; neither: between */
                return r ? DL_MOTOR_POSITION_UNLOCKED : DL_MOTOR_POSITION_LOCKED;
        }
        if (m->config.has_retracted)
                return r ? DL_MOTOR_POSITION_UNLOCKED : DL_MOTOR_POSITION_UNKNOWN;
        return e ? DL_MOTOR_POSITION_LOCKED : DL_MOTOR_POSITION_UNKNOWN;
}

enum dl_motor_position dl_motor_position(const struct dl_motor *m) {
        enum dl_motor_position p = sensed(m);

        return p == DL_MOTOR_POSITION_UNKNOWN ? m->inferred : p;
}

static void clamp_now(struct dl_motor *m, int64_t now) {
        if (now > m->now)
                m->now = now;
}

/* Accept the raw levels once they have been stable for settle_usec. */
static void settle(struct dl_motor *m) {
        if (m->changed_at == 0 || m->now < m->changed_at + m->config.settle_usec)
                return;
        memcpy(m->stable, m->raw, sizeof(m->stable));
        m->changed_at = 0;
        /* The one switch made again: the bolt is at the sensed end, the
         * inference is over (a later release is "unknown" until a drive). */
        if (sensed(m) != DL_MOTOR_POSITION_UNKNOWN)
                m->inferred = DL_MOTOR_POSITION_UNKNOWN;
}

static void set_off(struct dl_motor *m) {
        if (m->output != DL_MOTOR_OFF) {
                m->output = DL_MOTOR_OFF;
                m->off_since = m->now;
        }
}

static void result(struct dl_motor *m, enum dl_motor_result r, enum dl_motor_position p,
                   const char *detail) {
        m->action.result = r;
        m->action.position = p;
        m->action.detail = detail;
        m->reported = p;
}

static void start_try(struct dl_motor *m) {
        int s = target_sensor(m);

        m->tries++;
        m->inferred = DL_MOTOR_POSITION_UNKNOWN; /* the bolt is about to move */
        if (s >= 0 && m->raw[s]) {
                /* Already on the switch (a retry after a bounce-back that
                 * came to rest after all): only the settling is left. */
                m->state = DL_MOTOR_SETTLING;
                m->off_since = m->now; /* settling counts from here */
                return;
        }
        m->output = m->target_unlocked ? DL_MOTOR_UNLOCK : DL_MOTOR_LOCK;
        m->drive_until = m->now + m->config.timeout_usec;
        m->state = DL_MOTOR_DRIVING;
}

static void end_try(struct dl_motor *m) {
        int s = target_sensor(m);
        bool reached;

        if (s >= 0)
                reached = sensed(m) == target_position(m);
        else
                /* Timed drive toward the unsensed end: the one switch must be
                 * released (the bolt left the sensed end). */
                reached = !m->stable[m->target_unlocked ? DL_MOTOR_SENSOR_EXTENDED
                                                        : DL_MOTOR_SENSOR_RETRACTED];
        if (reached) {
                if (s < 0)
                        m->inferred = target_position(m);
                m->state = DL_MOTOR_IDLE;
                result(m, DL_MOTOR_REACHED, target_position(m), NULL);
                return;
        }
        if (m->tries < DL_MOTOR_TRIES) {
                m->state = DL_MOTOR_DEAD_TIME;
                return;
        }
        m->state = DL_MOTOR_IDLE;
        if (s >= 0)
                result(m, DL_MOTOR_FAILED, dl_motor_position(m),
                       m->target_unlocked ? "the retracted sensor did not confirm the unlock after 2 tries"
                                          : "the extended sensor did not confirm the lock after 2 tries");
        else
                result(m, DL_MOTOR_FAILED, dl_motor_position(m),
                       m->target_unlocked ? "the bolt did not leave the extended position after 2 tries"
                                          : "the bolt did not leave the retracted position after 2 tries");
}

static int64_t settle_deadline(const struct dl_motor *m) {
        /* SETTLING: settled for settle_usec since the stop, and no change
         * pending. */
        return MAX(m->off_since, m->changed_at) + m->config.settle_usec;
}

static int64_t deadline(const struct dl_motor *m) {
        switch (m->state) {
        case DL_MOTOR_IDLE:
                return m->changed_at ? m->changed_at + m->config.settle_usec : 0;
        case DL_MOTOR_DEAD_TIME:
                return m->off_since + m->config.dead_time_usec;
        case DL_MOTOR_DRIVING:
                return m->drive_until;
        case DL_MOTOR_SETTLING:
                return settle_deadline(m);
        }
        return 0;
}

/* Carry out whatever is due at m->now, then fill the action. */
static int step(struct dl_motor *m, struct dl_motor_action *ret) {
        /* Each pass either changes the state or stops; a handful at most
         * (dead time 0: dead time -> driving in the same call). */
        for (unsigned pass = 0; pass < 8; pass++) {
                int64_t d;

                settle(m);
                d = deadline(m);
                if (m->state == DL_MOTOR_IDLE || d == 0 || m->now < d)
                        break;
                switch (m->state) {
                case DL_MOTOR_DEAD_TIME:
                        start_try(m);
                        break;
                case DL_MOTOR_DRIVING:
                        set_off(m);
                        m->state = DL_MOTOR_SETTLING;
                        break;
                case DL_MOTOR_SETTLING:
                        end_try(m);
                        break;
                case DL_MOTOR_IDLE:
                        break;
                }
        }
        if (m->state == DL_MOTOR_IDLE && m->action.result == DL_MOTOR_NONE) {
                enum dl_motor_position p = dl_motor_position(m);

                if (p != m->reported)
                        result(m, DL_MOTOR_MOVED, p, NULL);
        }
        m->action.output = m->output;
        m->action.deadline = deadline(m);
        if (ret)
                *ret = m->action;
        return 0;
}

static void begin(struct dl_motor *m, int64_t now) {
        clamp_now(m, now);
        m->action.result = DL_MOTOR_NONE;
        m->action.position = DL_MOTOR_POSITION_UNKNOWN;
        m->action.detail = NULL;
}

int dl_motor_init(struct dl_motor *m, const struct dl_motor_config *c, bool retracted, bool extended,
                  int64_t now, struct dl_motor_action *ret) {
        int r;

        if (!m)
                return -EINVAL;
        r = dl_motor_config_check(c, NULL);
        if (r < 0)
                return r;
        *m = (struct dl_motor){
                .config = *c,
                .state = DL_MOTOR_IDLE,
                .output = DL_MOTOR_OFF,
                .now = now,
                .off_since = now,
        };
        m->raw[DL_MOTOR_SENSOR_RETRACTED] = m->stable[DL_MOTOR_SENSOR_RETRACTED] =
                c->has_retracted && retracted;
        m->raw[DL_MOTOR_SENSOR_EXTENDED] = m->stable[DL_MOTOR_SENSOR_EXTENDED] = c->has_extended && extended;
        m->reported = dl_motor_position(m);
        begin(m, now);
        return step(m, ret);
}

int dl_motor_drive(struct dl_motor *m, bool unlock, int64_t now, struct dl_motor_action *ret) {
        if (!m)
                return -EINVAL;
        begin(m, now);
        settle(m);
        if (m->state != DL_MOTOR_IDLE && m->target_unlocked == unlock)
                return step(m, ret); /* already on its way there */

        m->target_unlocked = unlock;
        m->tries = 0;
        if (target_sensor(m) >= 0 && m->changed_at == 0 && sensed(m) == target_position(m)) {
                /* The switches confirm it already: no motor needed. */
                set_off(m);
                m->state = DL_MOTOR_IDLE;
                result(m, DL_MOTOR_REACHED, target_position(m), NULL);
                return step(m, ret);
        }
        set_off(m); /* a reversal: off first, then the dead time */
        m->state = DL_MOTOR_DEAD_TIME;
        return step(m, ret);
}

int dl_motor_stop(struct dl_motor *m, int64_t now, struct dl_motor_action *ret) {
        if (!m)
                return -EINVAL;
        begin(m, now);
        set_off(m);
        m->state = DL_MOTOR_IDLE;
        return step(m, ret);
}

int dl_motor_sensor(struct dl_motor *m, enum dl_motor_sensor s, bool made, int64_t now,
                    struct dl_motor_action *ret) {
        if (!m || (s != DL_MOTOR_SENSOR_RETRACTED && s != DL_MOTOR_SENSOR_EXTENDED))
                return -EINVAL;
        begin(m, now);
        if (s == DL_MOTOR_SENSOR_RETRACTED ? !m->config.has_retracted : !m->config.has_extended)
                return step(m, ret);
        settle(m);
        if (m->raw[s] != made) {
                m->raw[s] = made;
                m->changed_at = m->now;
        }
        /* The target's switch made: off at once, before any settling. */
        if (m->state == DL_MOTOR_DRIVING && made && (int)s == target_sensor(m)) {
                set_off(m);
                m->state = DL_MOTOR_SETTLING;
        }
        return step(m, ret);
}

int dl_motor_timer(struct dl_motor *m, int64_t now, struct dl_motor_action *ret) {
        if (!m)
                return -EINVAL;
        begin(m, now);
        return step(m, ret);
}

int64_t dl_motor_worst_case_usec(const struct dl_motor_config *c) {
        return DL_MOTOR_TRIES * (c->dead_time_usec + c->timeout_usec + c->settle_usec);
}

const char *dl_motor_state_to_string(enum dl_motor_state s) {
        static const char *const names[] = {
                [DL_MOTOR_IDLE] = "idle",
                [DL_MOTOR_DEAD_TIME] = "dead-time",
                [DL_MOTOR_DRIVING] = "driving",
                [DL_MOTOR_SETTLING] = "settling",
        };

        if ((unsigned)s >= ELEMENTSOF(names))
                return NULL;
        return names[s];
}
