/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Auto-relock: the hold of UnlockFor, relock turned off or changed, bolts
 * turned by hand, and the wait for a door sensor to report "closed". */
#include "test-util.h"

#include "lock-recorder.h"

#include <errno.h>

static void test_hold(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        lock_setup_locked(&c, &r, false);

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
        lock_setup(&c, &r, 0, true);
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

static void test_set_relock(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        lock_setup_locked(&c, &r, false);

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

static void test_hand_turned(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t = T0;

        (void)state;
        lock_setup_locked(&c, &r, false);

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
        lock_setup(&c, &r, DL_RELOCK_USEC_DEFAULT, false);
        dl_lock_bolt_reported(&c, T0, true);
        expect_log(&r, "state unknown>unlocked", NULL);
        expect_relock_at(&c, &r, T0 + 5 * SEC);

        /* The hand-turn uses the current relock delay. */
        dl_lock_set_relock(&c, 12 * SEC);
        dl_lock_bolt_reported(&c, T0 + 100 * SEC, true);
        expect_log(&r, "state locked>unlocked", NULL);
        expect_relock_at(&c, &r, T0 + 112 * SEC);
}

static void test_door_sensor_delays_relock(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        lock_setup_locked(&c, &r, true);
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
        lock_setup_locked(&c, &r, true);

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
        lock_setup(&c, &r, DL_RELOCK_USEC_DEFAULT, true);
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
        lock_setup_locked(&c, &r, false);

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
        lock_setup_locked(&c, &r, false);
        t = unlock_and_arrive(&c, &r, T0, 0);
        expect_relock_at(&c, &r, t + 5 * SEC);
}

/* What the relock is for: the end of an UnlockFor() hold or an auto-relock
 * (the lock service logs it as the lock's cause). */
static void test_relock_cause(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        lock_setup_locked(&c, &r, false);
        assert_int_equal(dl_lock_relock_cause(&c), DL_CAUSE_AUTO_RELOCK);

        t = unlock_and_arrive(&c, &r, T0, 30 * SEC);
        assert_int_equal(dl_lock_relock_cause(&c), DL_CAUSE_TIMED_UNLOCK_ENDED);
        expect_relock_at(&c, &r, t + 30 * SEC);
        assert_int_equal(dl_lock_relock_cause(&c), DL_CAUSE_TIMED_UNLOCK_ENDED);

        /* A plain unlock after a timed one: an auto-relock again. */
        t = unlock_and_arrive(&c, &r, t + 100 * SEC, 0);
        assert_int_equal(dl_lock_relock_cause(&c), DL_CAUSE_AUTO_RELOCK);
        /* UnlockFor() while unlocked makes the pending relock a timed one,
         * and a plain Unlock() after it an auto-relock. */
        assert_int_equal(dl_lock_unlock(&c, t + SEC, 60 * SEC), 0);
        assert_int_equal(dl_lock_relock_cause(&c), DL_CAUSE_TIMED_UNLOCK_ENDED);
        assert_int_equal(dl_lock_unlock(&c, t + 2 * SEC, 0), 0);
        assert_int_equal(dl_lock_relock_cause(&c), DL_CAUSE_AUTO_RELOCK);
        expect_log(&r, NULL);
        expect_relock_at(&c, &r, t + 7 * SEC);

        /* A bolt turned open by hand after a timed unlock: auto-relock. */
        t = unlock_and_arrive(&c, &r, t + 100 * SEC, 30 * SEC);
        expect_relock_at(&c, &r, t + 30 * SEC);
        dl_lock_bolt_reported(&c, t + 40 * SEC, true);
        assert_int_equal(dl_lock_relock_cause(&c), DL_CAUSE_AUTO_RELOCK);
        assert_int_equal(dl_lock_relock_cause(NULL), DL_CAUSE_AUTO_RELOCK);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hold),
                cmocka_unit_test(test_relock_disabled),
                cmocka_unit_test(test_set_relock),
                cmocka_unit_test(test_hand_turned),
                cmocka_unit_test(test_door_sensor_delays_relock),
                cmocka_unit_test(test_door_sensor_wait_cancelled),
                cmocka_unit_test(test_door_sensor_unknown),
                cmocka_unit_test(test_no_door_sensor),
                cmocka_unit_test(test_relock_cause),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
