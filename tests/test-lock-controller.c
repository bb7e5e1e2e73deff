/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "lock-controller.h"
#include "macro.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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

static _printf_(2, 3) void record(struct recorder *r, const char *fmt, ...) {
        va_list ap;

        assert_true(r->n < LOG_MAX);
        va_start(ap, fmt);
        (void)vsnprintf(r->log[r->n], LOG_LINE, fmt, ap);
        va_end(ap);
        r->n++;
}

static void on_drive(void *userdata, bool unlock) {
        struct recorder *r = userdata;

        record(r, "drive %s", unlock ? "unlock" : "lock");
        if (r->sim)
                dl_lock_bolt_reported(r->c, r->sim_now, unlock);
}

static void on_state(void *userdata, enum dl_lock_state old, enum dl_lock_state now) {
        record(userdata, "state %s>%s", dl_lock_state_to_string(old), dl_lock_state_to_string(now));
}

static void on_door(void *userdata, enum dl_door_state old, enum dl_door_state now) {
        record(userdata, "door %s>%s", dl_door_state_to_string(old), dl_door_state_to_string(now));
}

static void on_mode(void *userdata, enum dl_lock_mode old, enum dl_lock_mode now) {
        record(userdata, "mode %s>%s", dl_lock_mode_to_string(old), dl_lock_mode_to_string(now));
}

static void on_alarm(void *userdata, const char *kind, const char *detail) {
        record(userdata, "alarm %s: %s", kind, detail);
}

static void on_auto_relock(void *userdata) {
        record(userdata, "auto-relock");
}

static const struct dl_lock_ops recording_ops = {
        .drive = on_drive,
        .state_changed = on_state,
        .door_changed = on_door,
        .mode_changed = on_mode,
        .alarm = on_alarm,
        .auto_relock = on_auto_relock,
};

/* The log must be exactly the lines given (a NULL-terminated array); then
 * it is emptied. */
static void expect_log_array(struct recorder *r, const char *const *want) {
        size_t n = 0;
        bool ok;

        while (want[n]) {
                assert_true(n < LOG_MAX);
                n++;
        }

        ok = n == r->n;
        for (size_t i = 0; ok && i < n; i++)
                ok = strcmp(want[i], r->log[i]) == 0;
        if (!ok) {
                for (size_t i = 0; i < MAX(n, r->n); i++)
                        print_error("  %-45s | %s\n", i < n ? want[i] : "", i < r->n ? r->log[i] : "");
                fail_msg("callback log differs (expected | got)");
        }
        r->n = 0;
}

/* expect_log(r, "line", ..., NULL); expect_log(r, NULL) for "nothing".  An
 * array rather than varargs: NULL is a pointer there whatever its type. */
#define expect_log(r, ...) expect_log_array((r), (const char *const[]){ __VA_ARGS__ })

static void setup(struct dl_lock_controller *c, struct recorder *r, int64_t relock, bool door_sensor) {
        const struct dl_lock_config config = {
                .relock_usec = relock,
                .motor_timeout_usec = DL_MOTOR_TIMEOUT_USEC_DEFAULT,
                .door_sensor = door_sensor,
        };

        *r = (struct recorder){ .c = c };
        dl_lock_init(c, &config, &recording_ops, r);
}

/* Controller with the defaults (relock 5 s, motor 2 s), bolt locked. */
static void setup_locked(struct dl_lock_controller *c, struct recorder *r, bool door_sensor) {
        setup(c, r, DL_RELOCK_USEC_DEFAULT, door_sensor);
        dl_lock_bolt_reported(c, T0, false);
        expect_log(r, "state unknown>locked", NULL);
        if (door_sensor) {
                dl_lock_door_reported(c, T0, DL_DOOR_CLOSED);
                expect_log(r, "door unknown>closed", NULL);
        }
}

/* Unlock at now and have the bolt arrive after 300 ms; returns the time of
 * arrival. */
static int64_t unlock_and_arrive(struct dl_lock_controller *c, struct recorder *r, int64_t now,
                                 int64_t hold) {
        assert_int_equal(dl_lock_unlock(c, now, hold), 0);
        expect_log(r, "state locked>unlocking", "drive unlock", NULL);
        assert_int_equal(dl_lock_next_deadline(c), now + DL_MOTOR_TIMEOUT_USEC_DEFAULT);
        now += 300 * MSEC;
        dl_lock_bolt_reported(c, now, true);
        expect_log(r, "state unlocking>unlocked", NULL);
        assert_int_equal(c->state, DL_LOCK_UNLOCKED);
        assert_int_equal(c->motor_deadline, 0);
        return now;
}

/* The relock fires at `at` (not a µs before) and the bolt arrives. */
static void expect_relock_at(struct dl_lock_controller *c, struct recorder *r, int64_t at) {
        assert_int_equal(dl_lock_next_deadline(c), at);
        dl_lock_tick(c, at - 1);
        expect_log(r, NULL);
        dl_lock_tick(c, at);
        expect_log(r, "auto-relock", "state unlocked>locking", "drive lock", NULL);
        assert_int_equal(dl_lock_next_deadline(c), at + DL_MOTOR_TIMEOUT_USEC_DEFAULT);
        dl_lock_bolt_reported(c, at + 250 * MSEC, false);
        expect_log(r, "state locking>locked", NULL);
        assert_int_equal(c->state, DL_LOCK_LOCKED);
        assert_int_equal(dl_lock_next_deadline(c), 0);
}

static void test_init(void **state) {
        struct dl_lock_controller c;
        struct recorder r;

        (void)state;
        setup(&c, &r, DL_RELOCK_USEC_DEFAULT, true);
        assert_int_equal(c.state, DL_LOCK_UNKNOWN);
        assert_int_equal(c.door, DL_DOOR_UNKNOWN);
        assert_int_equal(c.mode, DL_MODE_NORMAL);
        assert_int_equal(c.config.relock_usec, DL_RELOCK_USEC_DEFAULT);
        assert_int_equal(c.config.motor_timeout_usec, DL_MOTOR_TIMEOUT_USEC_DEFAULT);
        assert_true(c.config.door_sensor);
        assert_int_equal(c.motor_deadline, 0);
        assert_int_equal(c.relock_at, 0);
        assert_false(c.relock_when_closed);
        assert_int_equal(dl_lock_next_deadline(&c), 0);
        expect_log(&r, NULL);

        /* Defaults and clamping. */
        dl_lock_init(&c, NULL, NULL, NULL);
        assert_int_equal(c.config.relock_usec, DL_RELOCK_USEC_DEFAULT);
        assert_int_equal(c.config.motor_timeout_usec, DL_MOTOR_TIMEOUT_USEC_DEFAULT);
        assert_false(c.config.door_sensor);
        {
                const struct dl_lock_config bad = { .relock_usec = -1, .motor_timeout_usec = 0 };

                dl_lock_init(&c, &bad, NULL, NULL);
                assert_int_equal(c.config.relock_usec, 0);
                assert_int_equal(c.config.motor_timeout_usec, DL_MOTOR_TIMEOUT_USEC_DEFAULT);
        }

        /* No callbacks at all: nothing crashes. */
        assert_int_equal(dl_lock_unlock(&c, T0, 0), 0);
        assert_int_equal(c.state, DL_LOCK_UNLOCKING);
        dl_lock_tick(&c, T0 + DL_MOTOR_TIMEOUT_USEC_DEFAULT);
        assert_int_equal(c.state, DL_LOCK_JAMMED);
        dl_lock_door_reported(&c, T0, DL_DOOR_OPEN);
        assert_int_equal(dl_lock_set_mode(&c, T0, DL_MODE_PASSAGE), 0);
}

static void test_strings(void **state) {
        static const char *const states[] = { "unknown",  "locked",  "unlocking",
                                              "unlocked", "locking", "jammed" };
        static const char *const doors[] = { "unknown", "closed", "open" };
        static const char *const modes[] = { "normal", "privacy", "passage" };

        (void)state;
        assert_int_equal(ELEMENTSOF(states), _DL_LOCK_STATE_MAX);
        for (size_t i = 0; i < ELEMENTSOF(states); i++)
                assert_string_equal(dl_lock_state_to_string((enum dl_lock_state)i), states[i]);
        assert_null(dl_lock_state_to_string(_DL_LOCK_STATE_MAX));
        assert_null(dl_lock_state_to_string((enum dl_lock_state) - 1));

        assert_int_equal(ELEMENTSOF(doors), _DL_DOOR_STATE_MAX);
        for (size_t i = 0; i < ELEMENTSOF(doors); i++) {
                assert_string_equal(dl_door_state_to_string((enum dl_door_state)i), doors[i]);
                assert_int_equal(dl_door_state_from_string(doors[i]), i);
        }
        assert_null(dl_door_state_to_string(_DL_DOOR_STATE_MAX));
        assert_null(dl_door_state_to_string(_DL_DOOR_STATE_INVALID));
        assert_int_equal(dl_door_state_from_string("ajar"), _DL_DOOR_STATE_INVALID);
        assert_int_equal(dl_door_state_from_string("Open"), _DL_DOOR_STATE_INVALID);
        assert_int_equal(dl_door_state_from_string("open "), _DL_DOOR_STATE_INVALID);
        assert_int_equal(dl_door_state_from_string(""), _DL_DOOR_STATE_INVALID);
        assert_int_equal(dl_door_state_from_string(NULL), _DL_DOOR_STATE_INVALID);
        assert_int_equal(_DL_DOOR_STATE_INVALID, -1);

        assert_int_equal(ELEMENTSOF(modes), _DL_LOCK_MODE_MAX);
        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                assert_string_equal(dl_lock_mode_to_string((enum dl_lock_mode)i), modes[i]);
                assert_int_equal(dl_lock_mode_from_string(modes[i]), i);
        }
        assert_null(dl_lock_mode_to_string(_DL_LOCK_MODE_MAX));
        assert_null(dl_lock_mode_to_string(_DL_LOCK_MODE_INVALID));
        assert_int_equal(dl_lock_mode_from_string("office"), _DL_LOCK_MODE_INVALID);
        assert_int_equal(dl_lock_mode_from_string("PASSAGE"), _DL_LOCK_MODE_INVALID);
        assert_int_equal(dl_lock_mode_from_string(NULL), _DL_LOCK_MODE_INVALID);
}

static void test_unlock_relock_cycle(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        setup_locked(&c, &r, false);

        t = unlock_and_arrive(&c, &r, T0 + SEC, 0);
        assert_int_equal(c.relock_at, t + 5 * SEC);
        expect_relock_at(&c, &r, t + 5 * SEC);

        /* Nothing more is pending. */
        dl_lock_tick(&c, t + 3600 * SEC);
        expect_log(&r, NULL);

        /* And again. */
        t = unlock_and_arrive(&c, &r, t + 60 * SEC, 0);
        expect_relock_at(&c, &r, t + 5 * SEC);
}

static void test_manual_lock(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        setup_locked(&c, &r, false);
        t = unlock_and_arrive(&c, &r, T0, 0);

        /* Lock before the relock: the relock is cancelled. */
        assert_int_equal(dl_lock_lock(&c, t + SEC), 0);
        expect_log(&r, "state unlocked>locking", "drive lock", NULL);
        assert_int_equal(c.relock_at, 0);
        assert_int_equal(dl_lock_next_deadline(&c), t + SEC + DL_MOTOR_TIMEOUT_USEC_DEFAULT);

        /* Lock while locking: no second drive, the motor timeout stays. */
        assert_int_equal(dl_lock_lock(&c, t + 1500 * MSEC), 0);
        expect_log(&r, NULL);
        assert_int_equal(dl_lock_next_deadline(&c), t + SEC + DL_MOTOR_TIMEOUT_USEC_DEFAULT);

        dl_lock_bolt_reported(&c, t + 2 * SEC, false);
        expect_log(&r, "state locking>locked", NULL);

        /* Lock while locked: nothing. */
        assert_int_equal(dl_lock_lock(&c, t + 3 * SEC), 0);
        expect_log(&r, NULL);
        assert_int_equal(dl_lock_next_deadline(&c), 0);
        dl_lock_tick(&c, t + 100 * SEC);
        expect_log(&r, NULL);
}

static void test_reverse_while_moving(void **state) {
        struct dl_lock_controller c;
        struct recorder r;

        (void)state;
        setup_locked(&c, &r, false);

        assert_int_equal(dl_lock_unlock(&c, T0, 0), 0);
        expect_log(&r, "state locked>unlocking", "drive unlock", NULL);
        assert_int_equal(dl_lock_lock(&c, T0 + 100 * MSEC), 0);
        expect_log(&r, "state unlocking>locking", "drive lock", NULL);
        assert_false(c.target_unlocked);
        assert_int_equal(dl_lock_next_deadline(&c), T0 + 100 * MSEC + DL_MOTOR_TIMEOUT_USEC_DEFAULT);

        /* The bolt had left "locked" and now reports "unlocked" on its way
         * back: not where it is driven, so ignored. */
        dl_lock_bolt_reported(&c, T0 + 200 * MSEC, true);
        expect_log(&r, NULL);
        assert_int_equal(c.state, DL_LOCK_LOCKING);

        assert_int_equal(dl_lock_unlock(&c, T0 + 300 * MSEC, 0), 0);
        expect_log(&r, "state locking>unlocking", "drive unlock", NULL);
        dl_lock_bolt_reported(&c, T0 + 400 * MSEC, true);
        expect_log(&r, "state unlocking>unlocked", NULL);
        assert_int_equal(dl_lock_next_deadline(&c), T0 + 400 * MSEC + 5 * SEC);
}

static void test_opposite_report_ignored(void **state) {
        struct dl_lock_controller c;
        struct recorder r;

        (void)state;
        setup_locked(&c, &r, false);

        assert_int_equal(dl_lock_unlock(&c, T0, 0), 0);
        expect_log(&r, "state locked>unlocking", "drive unlock", NULL);

        /* A late "locked" from where the bolt started. */
        dl_lock_bolt_reported(&c, T0 + 10 * MSEC, false);
        expect_log(&r, NULL);
        assert_int_equal(c.state, DL_LOCK_UNLOCKING);
        assert_int_equal(c.motor_deadline, T0 + DL_MOTOR_TIMEOUT_USEC_DEFAULT);

        /* It never arrives: the motor timeout decides. */
        dl_lock_tick(&c, T0 + DL_MOTOR_TIMEOUT_USEC_DEFAULT);
        expect_log(&r, "state unlocking>jammed", "alarm jammed: bolt did not reach unlocked within 2000 ms",
                   NULL);
}

static void test_motor_timeout(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        setup_locked(&c, &r, false);

        /* Unlocking jams. */
        assert_int_equal(dl_lock_unlock(&c, T0, 0), 0);
        expect_log(&r, "state locked>unlocking", "drive unlock", NULL);
        assert_int_equal(dl_lock_next_deadline(&c), T0 + 2 * SEC);
        dl_lock_tick(&c, T0 + 2 * SEC - 1);
        expect_log(&r, NULL);
        dl_lock_tick(&c, T0 + 2 * SEC);
        expect_log(&r, "state unlocking>jammed", "alarm jammed: bolt did not reach unlocked within 2000 ms",
                   NULL);
        assert_int_equal(c.state, DL_LOCK_JAMMED);
        assert_int_equal(c.motor_deadline, 0);
        assert_int_equal(c.relock_at, 0);
        assert_int_equal(dl_lock_next_deadline(&c), 0);

        /* Nothing more happens by itself. */
        dl_lock_tick(&c, T0 + 3600 * SEC);
        expect_log(&r, NULL);

        /* A later command tries again. */
        t = T0 + 10 * SEC;
        assert_int_equal(dl_lock_unlock(&c, t, 0), 0);
        expect_log(&r, "state jammed>unlocking", "drive unlock", NULL);
        dl_lock_bolt_reported(&c, t + SEC, true);
        expect_log(&r, "state unlocking>unlocked", NULL);

        /* Locking jams too (here: the relock), with its own message. */
        t += SEC;
        dl_lock_tick(&c, t + 5 * SEC);
        expect_log(&r, "auto-relock", "state unlocked>locking", "drive lock", NULL);
        dl_lock_tick(&c, t + 7 * SEC);
        expect_log(&r, "state locking>jammed", "alarm jammed: bolt did not reach locked within 2000 ms",
                   NULL);
        assert_int_equal(dl_lock_next_deadline(&c), 0);

        /* Lock retries from jammed. */
        assert_int_equal(dl_lock_lock(&c, t + 8 * SEC), 0);
        expect_log(&r, "state jammed>locking", "drive lock", NULL);
        dl_lock_bolt_reported(&c, t + 8 * SEC, false);
        expect_log(&r, "state locking>locked", NULL);

        /* A configured motor timeout shows in the message. */
        {
                const struct dl_lock_config config = { .relock_usec = 0, .motor_timeout_usec = 1500 * MSEC };

                dl_lock_init(&c, &config, &recording_ops, &r);
                assert_int_equal(dl_lock_lock(&c, T0), 0);
                expect_log(&r, "state unknown>locking", "drive lock", NULL);
                dl_lock_tick(&c, T0 + 1500 * MSEC);
                expect_log(&r, "state locking>jammed",
                           "alarm jammed: bolt did not reach locked within 1500 ms", NULL);
        }
}

static void test_jammed_then_report(void **state) {
        struct dl_lock_controller c;
        struct recorder r;

        (void)state;
        setup_locked(&c, &r, false);
        assert_int_equal(dl_lock_unlock(&c, T0, 0), 0);
        dl_lock_tick(&c, T0 + 2 * SEC);
        expect_log(&r, "state locked>unlocking", "drive unlock", "state unlocking>jammed",
                   "alarm jammed: bolt did not reach unlocked within 2000 ms", NULL);

        /* The slow bolt does get there after all: the state follows, and the
         * relock is armed as after any unlock. */
        dl_lock_bolt_reported(&c, T0 + 3 * SEC, true);
        expect_log(&r, "state jammed>unlocked", NULL);
        expect_relock_at(&c, &r, T0 + 8 * SEC);
}

static void test_door_sensor_delays_relock(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        setup_locked(&c, &r, true);
        t = unlock_and_arrive(&c, &r, T0, 0);

        /* Opened while unlocked: no alarm. */
        dl_lock_door_reported(&c, t + SEC, DL_DOOR_OPEN);
        expect_log(&r, "door closed>open", NULL);

        /* Relock deadline with the door open: wait. */
        dl_lock_tick(&c, t + 5 * SEC);
        expect_log(&r, NULL);
        assert_true(c.relock_when_closed);
        assert_int_equal(c.relock_at, 0);
        assert_int_equal(dl_lock_next_deadline(&c), 0);
        assert_int_equal(c.state, DL_LOCK_UNLOCKED);
        dl_lock_tick(&c, t + 60 * SEC);
        expect_log(&r, NULL);

        /* A repeated "open" changes nothing. */
        dl_lock_door_reported(&c, t + 61 * SEC, DL_DOOR_OPEN);
        expect_log(&r, NULL);

        /* Closing throws the bolt at once. */
        dl_lock_door_reported(&c, t + 62 * SEC, DL_DOOR_CLOSED);
        expect_log(&r, "door open>closed", "auto-relock", "state unlocked>locking", "drive lock", NULL);
        assert_false(c.relock_when_closed);
        assert_int_equal(dl_lock_next_deadline(&c), t + 64 * SEC);
        dl_lock_bolt_reported(&c, t + 62500 * MSEC, false);
        expect_log(&r, "state locking>locked", NULL);

        /* Opened and closed again before the deadline: relocks on time. */
        t = unlock_and_arrive(&c, &r, t + 100 * SEC, 0);
        dl_lock_door_reported(&c, t + SEC, DL_DOOR_OPEN);
        dl_lock_door_reported(&c, t + 2 * SEC, DL_DOOR_CLOSED);
        expect_log(&r, "door closed>open", "door open>closed", NULL);
        expect_relock_at(&c, &r, t + 5 * SEC);
}

static void test_door_sensor_wait_cancelled(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        setup_locked(&c, &r, true);

        /* Waiting for the door, then locked by command: closing the door
         * later does not drive again. */
        t = unlock_and_arrive(&c, &r, T0, 0);
        dl_lock_door_reported(&c, t, DL_DOOR_OPEN);
        dl_lock_tick(&c, t + 5 * SEC);
        expect_log(&r, "door closed>open", NULL);
        assert_true(c.relock_when_closed);
        assert_int_equal(dl_lock_lock(&c, t + 6 * SEC), 0);
        expect_log(&r, "state unlocked>locking", "drive lock", NULL);
        assert_false(c.relock_when_closed);
        dl_lock_bolt_reported(&c, t + 6 * SEC, false);
        dl_lock_door_reported(&c, t + 7 * SEC, DL_DOOR_CLOSED);
        expect_log(&r, "state locking>locked", "door open>closed", NULL);

        /* Waiting, then unlocked again: the timer starts over. */
        dl_lock_door_reported(&c, t + 8 * SEC, DL_DOOR_OPEN);
        expect_log(&r, "door closed>open", "alarm door-forced: door opened while locked", NULL);
        t = unlock_and_arrive(&c, &r, t + 10 * SEC, 0);
        dl_lock_tick(&c, t + 5 * SEC);
        assert_true(c.relock_when_closed);
        assert_int_equal(dl_lock_unlock(&c, t + 6 * SEC, 0), 0);
        expect_log(&r, NULL);
        assert_false(c.relock_when_closed);
        assert_int_equal(dl_lock_next_deadline(&c), t + 11 * SEC);
        dl_lock_door_reported(&c, t + 7 * SEC, DL_DOOR_CLOSED);
        expect_log(&r, "door open>closed", NULL);
        expect_relock_at(&c, &r, t + 11 * SEC);
}

static void test_door_sensor_unknown(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        /* A door sensor that never reported: "unknown" is not "closed". */
        setup(&c, &r, DL_RELOCK_USEC_DEFAULT, true);
        dl_lock_bolt_reported(&c, T0, false);
        expect_log(&r, "state unknown>locked", NULL);
        t = unlock_and_arrive(&c, &r, T0, 0);
        dl_lock_tick(&c, t + 5 * SEC);
        expect_log(&r, NULL);
        assert_true(c.relock_when_closed);
        dl_lock_door_reported(&c, t + 9 * SEC, DL_DOOR_CLOSED);
        expect_log(&r, "door unknown>closed", "auto-relock", "state unlocked>locking", "drive lock", NULL);
}

static void test_no_door_sensor(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        setup_locked(&c, &r, false);

        /* Reports may still come; they do not hold the relock back. */
        t = unlock_and_arrive(&c, &r, T0, 0);
        dl_lock_door_reported(&c, t + SEC, DL_DOOR_OPEN);
        expect_log(&r, "door unknown>open", NULL);
        expect_relock_at(&c, &r, t + 5 * SEC);
        assert_false(c.relock_when_closed);

        /* Closing later does nothing more. */
        dl_lock_door_reported(&c, t + 10 * SEC, DL_DOOR_CLOSED);
        expect_log(&r, "door open>closed", NULL);

        /* Never any report: relocks all the same. */
        setup_locked(&c, &r, false);
        t = unlock_and_arrive(&c, &r, T0, 0);
        expect_relock_at(&c, &r, t + 5 * SEC);
}

static void test_door_forced(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        setup(&c, &r, DL_RELOCK_USEC_DEFAULT, true);

        /* State unknown: no alarm. */
        dl_lock_door_reported(&c, T0, DL_DOOR_OPEN);
        dl_lock_door_reported(&c, T0, DL_DOOR_CLOSED);
        expect_log(&r, "door unknown>open", "door open>closed", NULL);

        /* Locked: alarm, once per opening. */
        dl_lock_bolt_reported(&c, T0, false);
        expect_log(&r, "state unknown>locked", NULL);
        dl_lock_door_reported(&c, T0 + SEC, DL_DOOR_OPEN);
        expect_log(&r, "door closed>open", "alarm door-forced: door opened while locked", NULL);
        dl_lock_door_reported(&c, T0 + 2 * SEC, DL_DOOR_OPEN);
        expect_log(&r, NULL);
        dl_lock_door_reported(&c, T0 + 3 * SEC, DL_DOOR_CLOSED);
        expect_log(&r, "door open>closed", NULL);
        /* Sensor lost, then open again: still forced. */
        dl_lock_door_reported(&c, T0 + 4 * SEC, DL_DOOR_UNKNOWN);
        dl_lock_door_reported(&c, T0 + 5 * SEC, DL_DOOR_OPEN);
        expect_log(&r, "door closed>unknown", "door unknown>open",
                   "alarm door-forced: door opened while locked", NULL);
        dl_lock_door_reported(&c, T0 + 6 * SEC, DL_DOOR_CLOSED);
        expect_log(&r, "door open>closed", NULL);

        /* Unlocking, unlocked, locking: no alarm. */
        assert_int_equal(dl_lock_unlock(&c, T0 + 10 * SEC, 0), 0);
        dl_lock_door_reported(&c, T0 + 10 * SEC, DL_DOOR_OPEN);
        dl_lock_door_reported(&c, T0 + 10 * SEC, DL_DOOR_CLOSED);
        dl_lock_bolt_reported(&c, T0 + 11 * SEC, true);
        dl_lock_door_reported(&c, T0 + 12 * SEC, DL_DOOR_OPEN);
        dl_lock_door_reported(&c, T0 + 13 * SEC, DL_DOOR_CLOSED);
        expect_log(&r, "state locked>unlocking", "drive unlock", "door closed>open", "door open>closed",
                   "state unlocking>unlocked", "door closed>open", "door open>closed", NULL);
        t = T0 + 16 * SEC;
        dl_lock_tick(&c, t);
        expect_log(&r, "auto-relock", "state unlocked>locking", "drive lock", NULL);
        dl_lock_door_reported(&c, t, DL_DOOR_OPEN);
        expect_log(&r, "door closed>open", NULL);

        /* Jammed: no alarm either. */
        dl_lock_tick(&c, t + 2 * SEC);
        expect_log(&r, "state locking>jammed", "alarm jammed: bolt did not reach locked within 2000 ms",
                   NULL);
        dl_lock_door_reported(&c, t + 3 * SEC, DL_DOOR_CLOSED);
        dl_lock_door_reported(&c, t + 4 * SEC, DL_DOOR_OPEN);
        expect_log(&r, "door open>closed", "door closed>open", NULL);

        /* Out-of-range reports are ignored. */
        dl_lock_door_reported(&c, t, _DL_DOOR_STATE_MAX);
        dl_lock_door_reported(&c, t, _DL_DOOR_STATE_INVALID);
        expect_log(&r, NULL);
        assert_int_equal(c.door, DL_DOOR_OPEN);
}

static void test_passage(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t = T0;

        (void)state;
        setup_locked(&c, &r, true);

        assert_int_equal(dl_lock_set_mode(&c, t, DL_MODE_PASSAGE), 0);
        expect_log(&r, "mode normal>passage", "state locked>unlocking", "drive unlock", NULL);
        assert_int_equal(c.mode, DL_MODE_PASSAGE);
        dl_lock_bolt_reported(&c, t + SEC, true);
        expect_log(&r, "state unlocking>unlocked", NULL);
        assert_int_equal(c.relock_at, 0);
        assert_int_equal(dl_lock_next_deadline(&c), 0);

        /* Stays open. */
        dl_lock_tick(&c, t + 3600 * SEC);
        expect_log(&r, NULL);

        /* Lock refused, unlock harmless, same mode again: nothing. */
        assert_int_equal(dl_lock_lock(&c, t + 3601 * SEC), -EPERM);
        assert_int_equal(dl_lock_unlock(&c, t + 3602 * SEC, 0), 0);
        assert_int_equal(dl_lock_unlock(&c, t + 3602 * SEC, 30 * SEC), 0);
        assert_int_equal(dl_lock_set_mode(&c, t + 3603 * SEC, DL_MODE_PASSAGE), 0);
        expect_log(&r, NULL);
        assert_int_equal(c.state, DL_LOCK_UNLOCKED);
        assert_int_equal(dl_lock_next_deadline(&c), 0);

        /* A hand-turned bolt is not relocked in passage either. */
        dl_lock_bolt_reported(&c, t + 3604 * SEC, false);
        dl_lock_bolt_reported(&c, t + 3605 * SEC, true);
        expect_log(&r, "state unlocked>locked", "state locked>unlocked", NULL);
        assert_int_equal(dl_lock_next_deadline(&c), 0);

        /* Leaving passage arms the relock as if just unlocked. */
        t += 4000 * SEC;
        assert_int_equal(dl_lock_set_mode(&c, t, DL_MODE_NORMAL), 0);
        expect_log(&r, "mode passage>normal", NULL);
        expect_relock_at(&c, &r, t + 5 * SEC);
        assert_int_equal(dl_lock_lock(&c, t + 10 * SEC), 0);

        /* Entering passage with a relock pending cancels it. */
        t = unlock_and_arrive(&c, &r, t + 20 * SEC, 0);
        assert_int_equal(c.relock_at, t + 5 * SEC);
        assert_int_equal(dl_lock_set_mode(&c, t + SEC, DL_MODE_PASSAGE), 0);
        expect_log(&r, "mode normal>passage", NULL);
        assert_int_equal(dl_lock_next_deadline(&c), 0);
        dl_lock_tick(&c, t + 5 * SEC);
        expect_log(&r, NULL);

        /* ... also one waiting for the door. */
        assert_int_equal(dl_lock_set_mode(&c, t + 10 * SEC, DL_MODE_PRIVACY), 0);
        expect_log(&r, "mode passage>privacy", NULL);
        dl_lock_door_reported(&c, t + 11 * SEC, DL_DOOR_OPEN);
        dl_lock_tick(&c, t + 15 * SEC);
        expect_log(&r, "door closed>open", NULL);
        assert_true(c.relock_when_closed);
        assert_int_equal(dl_lock_set_mode(&c, t + 16 * SEC, DL_MODE_PASSAGE), 0);
        assert_false(c.relock_when_closed);
        dl_lock_door_reported(&c, t + 17 * SEC, DL_DOOR_CLOSED);
        expect_log(&r, "mode privacy>passage", "door open>closed", NULL);
        assert_int_equal(c.state, DL_LOCK_UNLOCKED);
}

static void test_passage_while_moving(void **state) {
        struct dl_lock_controller c;
        struct recorder r;

        (void)state;
        setup_locked(&c, &r, false);

        /* Entering passage while locking reverses the bolt. */
        (void)unlock_and_arrive(&c, &r, T0, 0);
        assert_int_equal(dl_lock_lock(&c, T0 + SEC), 0);
        expect_log(&r, "state unlocked>locking", "drive lock", NULL);
        assert_int_equal(dl_lock_set_mode(&c, T0 + SEC, DL_MODE_PASSAGE), 0);
        expect_log(&r, "mode normal>passage", "state locking>unlocking", "drive unlock", NULL);

        /* Leaving passage before the bolt arrives: arriving arms the relock. */
        assert_int_equal(dl_lock_set_mode(&c, T0 + 1100 * MSEC, DL_MODE_NORMAL), 0);
        expect_log(&r, "mode passage>normal", NULL);
        assert_int_equal(dl_lock_next_deadline(&c), T0 + SEC + DL_MOTOR_TIMEOUT_USEC_DEFAULT);
        dl_lock_bolt_reported(&c, T0 + 1200 * MSEC, true);
        expect_log(&r, "state unlocking>unlocked", NULL);
        expect_relock_at(&c, &r, T0 + 6200 * MSEC);

        /* Entering passage from jammed retries the unlock. */
        assert_int_equal(dl_lock_unlock(&c, T0 + 20 * SEC, 0), 0);
        dl_lock_tick(&c, T0 + 22 * SEC);
        expect_log(&r, "state locked>unlocking", "drive unlock", "state unlocking>jammed",
                   "alarm jammed: bolt did not reach unlocked within 2000 ms", NULL);
        assert_int_equal(dl_lock_set_mode(&c, T0 + 23 * SEC, DL_MODE_PASSAGE), 0);
        expect_log(&r, "mode normal>passage", "state jammed>unlocking", "drive unlock", NULL);
        dl_lock_bolt_reported(&c, T0 + 23 * SEC, true);
        expect_log(&r, "state unlocking>unlocked", NULL);
        assert_int_equal(dl_lock_next_deadline(&c), 0);
}

static void test_privacy_is_normal(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        setup_locked(&c, &r, true);

        assert_int_equal(dl_lock_set_mode(&c, T0, DL_MODE_PRIVACY), 0);
        expect_log(&r, "mode normal>privacy", NULL);
        assert_int_equal(c.state, DL_LOCK_LOCKED);

        t = unlock_and_arrive(&c, &r, T0 + SEC, 0);
        expect_relock_at(&c, &r, t + 5 * SEC);

        assert_int_equal(dl_lock_unlock(&c, t + 10 * SEC, 0), 0);
        assert_int_equal(dl_lock_lock(&c, t + 10 * SEC), 0);
        expect_log(&r, "state locked>unlocking", "drive unlock", "state unlocking>locking", "drive lock",
                   NULL);

        dl_lock_bolt_reported(&c, t + 11 * SEC, false);
        dl_lock_door_reported(&c, t + 12 * SEC, DL_DOOR_OPEN);
        expect_log(&r, "state locking>locked", "door closed>open",
                   "alarm door-forced: door opened while locked", NULL);

        /* Back to normal: nothing but the mode. */
        assert_int_equal(dl_lock_set_mode(&c, t + 20 * SEC, DL_MODE_NORMAL), 0);
        expect_log(&r, "mode privacy>normal", NULL);
        assert_int_equal(dl_lock_next_deadline(&c), 0);
}

static void test_set_mode_invalid(void **state) {
        struct dl_lock_controller c;
        struct recorder r;

        (void)state;
        setup_locked(&c, &r, false);
        assert_int_equal(dl_lock_set_mode(&c, T0, _DL_LOCK_MODE_MAX), -EINVAL);
        assert_int_equal(dl_lock_set_mode(&c, T0, _DL_LOCK_MODE_INVALID), -EINVAL);
        assert_int_equal(dl_lock_set_mode(&c, T0, (enum dl_lock_mode)42), -EINVAL);
        assert_int_equal(dl_lock_set_mode(&c, T0, DL_MODE_NORMAL), 0);
        expect_log(&r, NULL);
        assert_int_equal(c.mode, DL_MODE_NORMAL);
}

static void test_hold(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        setup_locked(&c, &r, false);

        /* UnlockFor(30 s): relocks 30 s after arriving, not 5 s. */
        t = unlock_and_arrive(&c, &r, T0, 30 * SEC);
        assert_int_equal(c.relock_at, t + 30 * SEC);
        dl_lock_tick(&c, t + 5 * SEC);
        expect_log(&r, NULL);

        /* Unlocking again extends: no drive, the timer restarts. */
        assert_int_equal(dl_lock_unlock(&c, t + 20 * SEC, 30 * SEC), 0);
        expect_log(&r, NULL);
        assert_int_equal(dl_lock_next_deadline(&c), t + 50 * SEC);
        dl_lock_tick(&c, t + 30 * SEC);
        expect_log(&r, NULL);

        /* A plain unlock restarts it with the configured delay, even if
         * that is sooner. */
        assert_int_equal(dl_lock_unlock(&c, t + 40 * SEC, 0), 0);
        expect_log(&r, NULL);
        expect_relock_at(&c, &r, t + 45 * SEC);

        /* A hold given while the bolt is still moving counts from arrival. */
        t += 100 * SEC;
        assert_int_equal(dl_lock_unlock(&c, t, 0), 0);
        expect_log(&r, "state locked>unlocking", "drive unlock", NULL);
        assert_int_equal(dl_lock_unlock(&c, t + 100 * MSEC, 60 * SEC), 0);
        expect_log(&r, NULL);
        assert_int_equal(dl_lock_next_deadline(&c), t + DL_MOTOR_TIMEOUT_USEC_DEFAULT);
        dl_lock_bolt_reported(&c, t + SEC, true);
        expect_log(&r, "state unlocking>unlocked", NULL);
        expect_relock_at(&c, &r, t + 61 * SEC);

        /* The longest hold, and out of range. */
        t += 100 * SEC;
        assert_int_equal(dl_lock_unlock(&c, t, DL_HOLD_USEC_MAX + 1), -ERANGE);
        assert_int_equal(dl_lock_unlock(&c, t, -1), -ERANGE);
        assert_int_equal(dl_lock_unlock(&c, t, INT64_MIN), -ERANGE);
        assert_int_equal(dl_lock_unlock(&c, t, INT64_MAX), -ERANGE);
        expect_log(&r, NULL);
        assert_int_equal(c.state, DL_LOCK_LOCKED);
        t = unlock_and_arrive(&c, &r, t, DL_HOLD_USEC_MAX);
        assert_int_equal(dl_lock_next_deadline(&c), t + DL_HOLD_USEC_MAX);
        /* Out of range while unlocked changes nothing either. */
        assert_int_equal(dl_lock_unlock(&c, t + SEC, DL_HOLD_USEC_MAX + 1), -ERANGE);
        assert_int_equal(dl_lock_next_deadline(&c), t + DL_HOLD_USEC_MAX);
        expect_relock_at(&c, &r, t + DL_HOLD_USEC_MAX);
}

static void test_relock_disabled(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        setup(&c, &r, 0, true);
        dl_lock_bolt_reported(&c, T0, false);
        dl_lock_door_reported(&c, T0, DL_DOOR_CLOSED);
        expect_log(&r, "state unknown>locked", "door unknown>closed", NULL);

        t = unlock_and_arrive(&c, &r, T0, 0);
        assert_int_equal(c.relock_at, 0);
        assert_int_equal(dl_lock_next_deadline(&c), 0);
        dl_lock_tick(&c, t + 24 * (3600 * SEC));
        expect_log(&r, NULL);
        assert_int_equal(c.state, DL_LOCK_UNLOCKED);

        /* A hand-turned bolt stays open too. */
        dl_lock_bolt_reported(&c, t, false);
        dl_lock_bolt_reported(&c, t, true);
        expect_log(&r, "state unlocked>locked", "state locked>unlocked", NULL);
        assert_int_equal(dl_lock_next_deadline(&c), 0);

        /* An explicit hold (UnlockFor) still relocks. */
        assert_int_equal(dl_lock_unlock(&c, t + SEC, 30 * SEC), 0);
        expect_log(&r, NULL);
        expect_relock_at(&c, &r, t + 31 * SEC);

        /* Leaving passage arms nothing. */
        assert_int_equal(dl_lock_set_mode(&c, t + 40 * SEC, DL_MODE_PASSAGE), 0);
        dl_lock_bolt_reported(&c, t + 41 * SEC, true);
        assert_int_equal(dl_lock_set_mode(&c, t + 42 * SEC, DL_MODE_NORMAL), 0);
        expect_log(&r, "mode normal>passage", "state locked>unlocking", "drive unlock",
                   "state unlocking>unlocked", "mode passage>normal", NULL);
        assert_int_equal(dl_lock_next_deadline(&c), 0);
}

static void test_hand_turned(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t = T0;

        (void)state;
        setup_locked(&c, &r, false);

        /* Turned open by hand: relocked like after an unlock. */
        dl_lock_bolt_reported(&c, t, true);
        expect_log(&r, "state locked>unlocked", NULL);
        assert_int_equal(c.motor_deadline, 0);
        /* Repeated reports do not move the deadline. */
        dl_lock_bolt_reported(&c, t + 2 * SEC, true);
        expect_log(&r, NULL);
        expect_relock_at(&c, &r, t + 5 * SEC);

        /* Turned open, then shut by hand before the relock: cancelled. */
        t += 100 * SEC;
        dl_lock_bolt_reported(&c, t, true);
        dl_lock_bolt_reported(&c, t + SEC, false);
        dl_lock_bolt_reported(&c, t + 2 * SEC, false);
        expect_log(&r, "state locked>unlocked", "state unlocked>locked", NULL);
        assert_int_equal(dl_lock_next_deadline(&c), 0);
        dl_lock_tick(&c, t + 10 * SEC);
        expect_log(&r, NULL);

        /* After an unlock, shut by hand: no relock drive later. */
        t = unlock_and_arrive(&c, &r, t + 20 * SEC, 30 * SEC);
        dl_lock_bolt_reported(&c, t + SEC, false);
        expect_log(&r, "state unlocked>locked", NULL);
        assert_int_equal(dl_lock_next_deadline(&c), 0);

        /* At start-up, found open: relocked. */
        setup(&c, &r, DL_RELOCK_USEC_DEFAULT, false);
        dl_lock_bolt_reported(&c, T0, true);
        expect_log(&r, "state unknown>unlocked", NULL);
        expect_relock_at(&c, &r, T0 + 5 * SEC);

        /* The hand-turn uses the current relock delay. */
        dl_lock_set_relock(&c, 12 * SEC);
        dl_lock_bolt_reported(&c, T0 + 100 * SEC, true);
        expect_log(&r, "state locked>unlocked", NULL);
        expect_relock_at(&c, &r, T0 + 112 * SEC);
}

static void test_next_deadline(void **state) {
        struct dl_lock_controller c;
        struct recorder r;

        (void)state;
        setup(&c, &r, DL_RELOCK_USEC_DEFAULT, false);
        assert_int_equal(dl_lock_next_deadline(&c), 0);
        assert_int_equal(dl_lock_next_deadline(NULL), 0);

        /* Motor only, relock only. */
        assert_int_equal(dl_lock_unlock(&c, T0, 0), 0);
        assert_int_equal(dl_lock_next_deadline(&c), T0 + 2 * SEC);
        dl_lock_bolt_reported(&c, T0 + SEC, true);
        assert_int_equal(dl_lock_next_deadline(&c), T0 + 6 * SEC);

        /* The earlier of the two, whichever it is. */
        c.motor_deadline = T0 + 3 * SEC;
        assert_int_equal(dl_lock_next_deadline(&c), T0 + 3 * SEC);
        c.motor_deadline = T0 + 7 * SEC;
        assert_int_equal(dl_lock_next_deadline(&c), T0 + 6 * SEC);
        c.relock_at = 0;
        assert_int_equal(dl_lock_next_deadline(&c), T0 + 7 * SEC);
        c.motor_deadline = 0;
        assert_int_equal(dl_lock_next_deadline(&c), 0);

        /* Time 0 is a valid instant; a deadline is never 0. */
        setup(&c, &r, DL_RELOCK_USEC_DEFAULT, false);
        assert_int_equal(dl_lock_lock(&c, 0), 0);
        assert_int_equal(dl_lock_next_deadline(&c), 2 * SEC);
        dl_lock_bolt_reported(&c, 0, false);
        dl_lock_bolt_reported(&c, 0, true);
        assert_int_equal(dl_lock_next_deadline(&c), 5 * SEC);
        /* ... and saturates instead of overflowing. */
        assert_int_equal(dl_lock_unlock(&c, INT64_MAX - SEC, DL_HOLD_USEC_MAX), 0);
        assert_int_equal(dl_lock_next_deadline(&c), INT64_MAX);
}

static void test_set_relock(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        setup_locked(&c, &r, false);

        /* A relock already running keeps its deadline. */
        t = unlock_and_arrive(&c, &r, T0, 0);
        dl_lock_set_relock(&c, 60 * SEC);
        assert_int_equal(c.config.relock_usec, 60 * SEC);
        expect_log(&r, NULL);
        expect_relock_at(&c, &r, t + 5 * SEC);

        /* The next unlock uses the new delay. */
        t = unlock_and_arrive(&c, &r, t + 10 * SEC, 0);
        expect_relock_at(&c, &r, t + 60 * SEC);

        /* 0 turns auto-relock off from the next unlock. */
        dl_lock_set_relock(&c, 0);
        t = unlock_and_arrive(&c, &r, t + 100 * SEC, 0);
        assert_int_equal(dl_lock_next_deadline(&c), 0);

        /* And back on: a plain unlock of the unlocked bolt arms it. */
        dl_lock_set_relock(&c, 5 * SEC);
        assert_int_equal(dl_lock_unlock(&c, t + SEC, 0), 0);
        expect_relock_at(&c, &r, t + 6 * SEC);

        /* Clamped. */
        dl_lock_set_relock(&c, -SEC);
        assert_int_equal(c.config.relock_usec, 0);
        dl_lock_set_relock(&c, INT64_MAX);
        assert_int_equal(c.config.relock_usec, DL_HOLD_USEC_MAX);
        dl_lock_set_relock(NULL, SEC);
}

/* A simulated actuator reports the bolt from inside drive(). */
static void test_reentrant_actuator(void **state) {
        struct dl_lock_controller c;
        struct recorder r;

        (void)state;
        setup_locked(&c, &r, true);
        r.sim = true;

        r.sim_now = T0;
        assert_int_equal(dl_lock_unlock(&c, T0, 0), 0);
        expect_log(&r, "state locked>unlocking", "drive unlock", "state unlocking>unlocked", NULL);
        assert_int_equal(c.state, DL_LOCK_UNLOCKED);
        assert_int_equal(c.motor_deadline, 0);
        assert_int_equal(dl_lock_next_deadline(&c), T0 + 5 * SEC);

        r.sim_now = T0 + 5 * SEC;
        dl_lock_tick(&c, T0 + 5 * SEC);
        expect_log(&r, "auto-relock", "state unlocked>locking", "drive lock", "state locking>locked", NULL);
        assert_int_equal(c.state, DL_LOCK_LOCKED);
        assert_int_equal(dl_lock_next_deadline(&c), 0);

        /* Passage, through the same path. */
        r.sim_now = T0 + 10 * SEC;
        assert_int_equal(dl_lock_set_mode(&c, T0 + 10 * SEC, DL_MODE_PASSAGE), 0);
        expect_log(&r, "mode normal>passage", "state locked>unlocking", "drive unlock",
                   "state unlocking>unlocked", NULL);
        assert_int_equal(dl_lock_next_deadline(&c), 0);

        /* Relock after the door closes, through the same path. */
        assert_int_equal(dl_lock_set_mode(&c, T0 + 20 * SEC, DL_MODE_NORMAL), 0);
        dl_lock_door_reported(&c, T0 + 21 * SEC, DL_DOOR_OPEN);
        dl_lock_tick(&c, T0 + 25 * SEC);
        r.sim_now = T0 + 30 * SEC;
        dl_lock_door_reported(&c, T0 + 30 * SEC, DL_DOOR_CLOSED);
        expect_log(&r, "mode passage>normal", "door closed>open", "door open>closed", "auto-relock",
                   "state unlocked>locking", "drive lock", "state locking>locked", NULL);
        assert_int_equal(dl_lock_next_deadline(&c), 0);
}

static void test_null(void **state) {
        (void)state;
        dl_lock_init(NULL, NULL, NULL, NULL);
        assert_int_equal(dl_lock_unlock(NULL, T0, 0), -EINVAL);
        assert_int_equal(dl_lock_lock(NULL, T0), -EINVAL);
        assert_int_equal(dl_lock_set_mode(NULL, T0, DL_MODE_NORMAL), -EINVAL);
        dl_lock_bolt_reported(NULL, T0, true);
        dl_lock_door_reported(NULL, T0, DL_DOOR_OPEN);
        dl_lock_tick(NULL, T0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_init),
                cmocka_unit_test(test_strings),
                cmocka_unit_test(test_unlock_relock_cycle),
                cmocka_unit_test(test_manual_lock),
                cmocka_unit_test(test_reverse_while_moving),
                cmocka_unit_test(test_opposite_report_ignored),
                cmocka_unit_test(test_motor_timeout),
                cmocka_unit_test(test_jammed_then_report),
                cmocka_unit_test(test_door_sensor_delays_relock),
                cmocka_unit_test(test_door_sensor_wait_cancelled),
                cmocka_unit_test(test_door_sensor_unknown),
                cmocka_unit_test(test_no_door_sensor),
                cmocka_unit_test(test_door_forced),
                cmocka_unit_test(test_passage),
                cmocka_unit_test(test_passage_while_moving),
                cmocka_unit_test(test_privacy_is_normal),
                cmocka_unit_test(test_set_mode_invalid),
                cmocka_unit_test(test_hold),
                cmocka_unit_test(test_relock_disabled),
                cmocka_unit_test(test_hand_turned),
                cmocka_unit_test(test_next_deadline),
                cmocka_unit_test(test_set_relock),
                cmocka_unit_test(test_reentrant_actuator),
                cmocka_unit_test(test_null),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
