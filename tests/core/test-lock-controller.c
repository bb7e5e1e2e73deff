/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock controller's state machine: initial state and names, unlock and
 * lock commands, bolt reports (also from inside drive()), the next deadline,
 * and NULL arguments.  Auto-relock: test-lock-relock.c; modes:
 * test-lock-modes.c; alarms: test-lock-alarms.c. */
#include "test-util.h"

#include "lock-recorder.h"
#include "macro.h"

#include <errno.h>

static void test_init(void **state) {
        struct dl_lock_controller c;
        struct recorder r;

        (void)state;
        lock_setup(&c, &r, DL_RELOCK_USEC_DEFAULT, true);
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
        lock_setup_locked(&c, &r, false);

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
        lock_setup_locked(&c, &r, false);
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
        lock_setup_locked(&c, &r, false);

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
        lock_setup_locked(&c, &r, false);

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

static void test_next_deadline(void **state) {
        struct dl_lock_controller c;
        struct recorder r;

        (void)state;
        lock_setup(&c, &r, DL_RELOCK_USEC_DEFAULT, false);
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
        lock_setup(&c, &r, DL_RELOCK_USEC_DEFAULT, false);
        assert_int_equal(dl_lock_lock(&c, 0), 0);
        assert_int_equal(dl_lock_next_deadline(&c), 2 * SEC);
        dl_lock_bolt_reported(&c, 0, false);
        dl_lock_bolt_reported(&c, 0, true);
        assert_int_equal(dl_lock_next_deadline(&c), 5 * SEC);
        /* ... and saturates instead of overflowing. */
        assert_int_equal(dl_lock_unlock(&c, INT64_MAX - SEC, DL_HOLD_USEC_MAX), 0);
        assert_int_equal(dl_lock_next_deadline(&c), INT64_MAX);
}

/* The bolt between its sensors: idle, the state becomes unknown and a
 * pending relock is dropped; moving, the report is ignored. */
static void test_bolt_unknown(void **state) {
        struct dl_lock_controller c;
        struct recorder r;

        (void)state;
        lock_setup_locked(&c, &r, false);
        assert_int_equal(dl_lock_unlock(&c, T0, 0), 0);
        expect_log(&r, "state locked>unlocking", "drive unlock", NULL);
        dl_lock_bolt_unknown(&c, T0 + 100);
        assert_int_equal(c.state, DL_LOCK_UNLOCKING); /* moving: between the sensors is normal */
        expect_log(&r, NULL);
        dl_lock_bolt_reported(&c, T0 + SEC, true);
        expect_log(&r, "state unlocking>unlocked", NULL);
        assert_int_not_equal(c.relock_at, 0);

        dl_lock_bolt_unknown(&c, T0 + 2 * SEC);
        expect_log(&r, "state unlocked>unknown", NULL);
        assert_int_equal(c.relock_at, 0);
        assert_int_equal(dl_lock_next_deadline(&c), 0);
        dl_lock_tick(&c, T0 + 60 * SEC);
        expect_log(&r, NULL); /* no relock thrown blindly */
        dl_lock_bolt_unknown(&c, T0 + 61 * SEC);
        expect_log(&r, NULL);

        /* The next command drives it again. */
        assert_int_equal(dl_lock_lock(&c, T0 + 62 * SEC), 0);
        expect_log(&r, "state unknown>locking", "drive lock", NULL);
        dl_lock_bolt_reported(&c, T0 + 63 * SEC, false);
        expect_log(&r, "state locking>locked", NULL);
        dl_lock_bolt_unknown(NULL, T0);
}

/* The actuator gave up (its retries are spent): jammed at once, with its
 * reason; idle, a late report of it is ignored. */
static void test_drive_failed(void **state) {
        struct dl_lock_controller c;
        struct recorder r;

        (void)state;
        lock_setup_locked(&c, &r, false);
        dl_lock_drive_failed(&c, T0, "no confirmation");
        expect_log(&r, NULL);
        assert_int_equal(dl_lock_unlock(&c, T0, 0), 0);
        expect_log(&r, "state locked>unlocking", "drive unlock", NULL);
        dl_lock_drive_failed(&c, T0 + SEC, "bolt-retracted did not close after 2 tries");
        expect_log(&r, "state unlocking>jammed", "alarm jammed: bolt-retracted did not close after 2 tries",
                   NULL);
        assert_int_equal(c.motor_deadline, 0);
        assert_int_equal(dl_lock_next_deadline(&c), 0);
        dl_lock_drive_failed(&c, T0 + 2 * SEC, NULL);
        expect_log(&r, NULL);
        /* A NULL or empty detail still says something. */
        assert_int_equal(dl_lock_lock(&c, T0 + 3 * SEC), 0);
        expect_log(&r, "state jammed>locking", "drive lock", NULL);
        dl_lock_drive_failed(&c, T0 + 4 * SEC, "");
        expect_log(&r, "state locking>jammed", "alarm jammed: the actuator gave up", NULL);
        dl_lock_drive_failed(NULL, T0, NULL);
}

/* A simulated actuator reports the bolt from inside drive(). */
static void test_reentrant_actuator(void **state) {
        struct dl_lock_controller c;
        struct recorder r;

        (void)state;
        lock_setup_locked(&c, &r, true);
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
                cmocka_unit_test(test_next_deadline),
                cmocka_unit_test(test_reentrant_actuator),
                cmocka_unit_test(test_bolt_unknown),
                cmocka_unit_test(test_drive_failed),
                cmocka_unit_test(test_null),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
