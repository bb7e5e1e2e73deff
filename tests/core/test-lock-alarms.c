/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock controller's alarms: "jammed" when the bolt misses the motor
 * timeout (and what follows), and "door-forced" when a locked door opens. */
#include "test-util.h"

#include "lock-recorder.h"

static void test_motor_timeout(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        lock_setup_locked(&c, &r, false);

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
        lock_setup_locked(&c, &r, false);
        unlock_and_jam(&c, &r, T0);

        /* The slow bolt does get there after all: the state follows, and the
         * relock is armed as after any unlock. */
        dl_lock_bolt_reported(&c, T0 + 3 * SEC, true);
        expect_log(&r, "state jammed>unlocked", NULL);
        expect_relock_at(&c, &r, T0 + 8 * SEC);
}

static void test_door_forced(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t;

        (void)state;
        lock_setup(&c, &r, DL_RELOCK_USEC_DEFAULT, true);

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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_motor_timeout),
                cmocka_unit_test(test_jammed_then_report),
                cmocka_unit_test(test_door_forced),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
