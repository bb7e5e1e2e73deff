/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lock modes: passage (held open, lock refused), privacy (behaves as
 * normal), and invalid modes. */
#include "test-util.h"

#include "lock-recorder.h"

#include <errno.h>

static void test_passage(void **state) {
        struct dl_lock_controller c;
        struct recorder r;
        int64_t t = T0;

        (void)state;
        lock_setup_locked(&c, &r, true);

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
        lock_setup_locked(&c, &r, false);

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
        unlock_and_jam(&c, &r, T0 + 20 * SEC);
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
        lock_setup_locked(&c, &r, true);

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
        lock_setup_locked(&c, &r, false);
        assert_int_equal(dl_lock_set_mode(&c, T0, _DL_LOCK_MODE_MAX), -EINVAL);
        assert_int_equal(dl_lock_set_mode(&c, T0, _DL_LOCK_MODE_INVALID), -EINVAL);
        assert_int_equal(dl_lock_set_mode(&c, T0, (enum dl_lock_mode)42), -EINVAL);
        assert_int_equal(dl_lock_set_mode(&c, T0, DL_MODE_NORMAL), 0);
        expect_log(&r, NULL);
        assert_int_equal(c.mode, DL_MODE_NORMAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_passage),
                cmocka_unit_test(test_passage_while_moving),
                cmocka_unit_test(test_privacy_is_normal),
                cmocka_unit_test(test_set_mode_invalid),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
