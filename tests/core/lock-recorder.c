/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The recording dl_lock_ops and the shared steps of the lock-controller
 * tests (see lock-recorder.h). */
#include "test-util.h"

#include "lock-recorder.h"
#include "macro.h"

#include <stdio.h>
#include <string.h>

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

const struct dl_lock_ops recording_ops = {
        .drive = on_drive,
        .state_changed = on_state,
        .door_changed = on_door,
        .mode_changed = on_mode,
        .alarm = on_alarm,
        .auto_relock = on_auto_relock,
};

void expect_log_array(struct recorder *r, const char *const *want) {
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

void lock_setup(struct dl_lock_controller *c, struct recorder *r, int64_t relock, bool door_sensor) {
        const struct dl_lock_config config = {
                .relock_usec = relock,
                .motor_timeout_usec = DL_MOTOR_TIMEOUT_USEC_DEFAULT,
                .door_sensor = door_sensor,
        };

        *r = (struct recorder){ .c = c };
        dl_lock_init(c, &config, &recording_ops, r);
}

void lock_setup_locked(struct dl_lock_controller *c, struct recorder *r, bool door_sensor) {
        lock_setup(c, r, DL_RELOCK_USEC_DEFAULT, door_sensor);
        dl_lock_bolt_reported(c, T0, false);
        expect_log(r, "state unknown>locked", NULL);
        if (door_sensor) {
                dl_lock_door_reported(c, T0, DL_DOOR_CLOSED);
                expect_log(r, "door unknown>closed", NULL);
        }
}

int64_t unlock_and_arrive(struct dl_lock_controller *c, struct recorder *r, int64_t now, int64_t hold) {
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

void expect_relock_at(struct dl_lock_controller *c, struct recorder *r, int64_t at) {
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

void unlock_and_jam(struct dl_lock_controller *c, struct recorder *r, int64_t now) {
        assert_int_equal(dl_lock_unlock(c, now, 0), 0);
        dl_lock_tick(c, now + DL_MOTOR_TIMEOUT_USEC_DEFAULT);
        expect_log(r, "state locked>unlocking", "drive unlock", "state unlocking>jammed",
                   "alarm jammed: bolt did not reach unlocked within 2000 ms", NULL);
}
