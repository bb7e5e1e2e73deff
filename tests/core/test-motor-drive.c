/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "macro.h"
#include "motor-drive.h"

#define MS ((int64_t)1000)
#define T0 ((int64_t)1000 * USEC_PER_SEC)
#define DEAD (100 * MS)
#define TIMEOUT (2000 * MS)
#define SETTLE (20 * MS)

static const struct dl_motor_config both = {
        .timeout_usec = TIMEOUT,
        .dead_time_usec = DEAD,
        .settle_usec = SETTLE,
        .has_retracted = true,
        .has_extended = true,
};

/* Every action seen by a test, checked for the one rule that must never
 * break and for the dead time between two different "on" outputs. */
struct trace {
        enum dl_motor_output out;
        int64_t off_at; /* when the output last went off */
        int64_t on_at;  /* when the current output went on */
        unsigned n_on;  /* drives started */
};

static void seen(struct trace *t, const struct dl_motor_action *a, int64_t now) {
        assert_true(a->output == DL_MOTOR_OFF || a->output == DL_MOTOR_UNLOCK || a->output == DL_MOTOR_LOCK);
        if (a->output == t->out)
                return;
        if (t->out != DL_MOTOR_OFF) {
                /* Straight from one direction to the other: never. */
                assert_int_equal(a->output, DL_MOTOR_OFF);
                t->off_at = now;
        }
        if (a->output != DL_MOTOR_OFF) {
                assert_true(now - t->off_at >= DEAD);
                t->on_at = now;
                t->n_on++;
        }
        t->out = a->output;
}

static struct dl_motor m;
static struct trace tr;
static struct dl_motor_action act;

static void init(const struct dl_motor_config *c, bool retracted, bool extended) {
        assert_int_equal(dl_motor_init(&m, c, retracted, extended, T0, &act), 0);
        tr = (struct trace){ .off_at = T0 };
        seen(&tr, &act, T0);
}

static void drive(bool unlock, int64_t now) {
        assert_int_equal(dl_motor_drive(&m, unlock, now, &act), 0);
        seen(&tr, &act, now);
}

static void sensor(enum dl_motor_sensor s, bool made, int64_t now) {
        assert_int_equal(dl_motor_sensor(&m, s, made, now, &act), 0);
        seen(&tr, &act, now);
}

/* Run the timer at its deadline (plus late µs). */
static int64_t fire(int64_t late) {
        int64_t now = act.deadline + late;

        assert_true(act.deadline > 0);
        assert_int_equal(dl_motor_timer(&m, now, &act), 0);
        seen(&tr, &act, now);
        return now;
}

static void test_config(void **state _unused_) {
        struct dl_motor_config c = both;
        struct dl_error err = {};

        assert_int_equal(dl_motor_config_check(&c, &err), 0);
        c.has_retracted = c.has_extended = false;
        assert_int_equal(dl_motor_config_check(&c, &err), -EINVAL);
        assert_non_null(strstr(err.message, "sensor"));
        c = both;
        c.timeout_usec = 0;
        assert_int_equal(dl_motor_config_check(&c, NULL), -EINVAL);
        c = both;
        c.dead_time_usec = -1;
        assert_int_equal(dl_motor_config_check(&c, NULL), -EINVAL);
        assert_int_equal(dl_motor_init(&m, &c, false, true, T0, NULL), -EINVAL);
        assert_int_equal(dl_motor_worst_case_usec(&both), 2 * (DEAD + TIMEOUT + SETTLE));
}

static void test_init_position(void **state _unused_) {
        init(&both, false, true);
        assert_int_equal(dl_motor_position(&m), DL_MOTOR_POSITION_LOCKED);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        assert_int_equal(act.deadline, 0);
        assert_int_equal(act.result, DL_MOTOR_NONE);
        init(&both, true, false);
        assert_int_equal(dl_motor_position(&m), DL_MOTOR_POSITION_UNLOCKED);
        init(&both, true, true);
        assert_int_equal(dl_motor_position(&m), DL_MOTOR_POSITION_UNKNOWN);
        init(&both, false, false);
        assert_int_equal(dl_motor_position(&m), DL_MOTOR_POSITION_UNKNOWN);
}

/* The good path: dead time after init, drive, switch made, off at once,
 * settled, reached. */
static void test_unlock_stops_on_sensor(void **state _unused_) {
        int64_t t;

        init(&both, false, true);
        drive(true, T0 + 10 * MS);
        assert_int_equal(act.output, DL_MOTOR_OFF); /* dead time since init */
        assert_int_equal(act.deadline, T0 + DEAD);
        t = fire(0);
        assert_int_equal(act.output, DL_MOTOR_UNLOCK);
        assert_int_equal(act.deadline, t + TIMEOUT);
        sensor(DL_MOTOR_SENSOR_EXTENDED, false, t + 100 * MS); /* left locked */
        assert_int_equal(act.output, DL_MOTOR_UNLOCK);
        assert_int_equal(act.result, DL_MOTOR_NONE); /* no "unknown" report mid-drive */
        sensor(DL_MOTOR_SENSOR_RETRACTED, true, t + 600 * MS);
        assert_int_equal(act.output, DL_MOTOR_OFF); /* off at the edge, before settling */
        assert_int_equal(act.result, DL_MOTOR_NONE);
        assert_int_equal(act.deadline, t + 600 * MS + SETTLE);
        assert_int_equal(dl_motor_timer(&m, t + 600 * MS + SETTLE - 1, &act), 0);
        assert_int_equal(act.result, DL_MOTOR_NONE);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_REACHED);
        assert_int_equal(act.position, DL_MOTOR_POSITION_UNLOCKED);
        assert_int_equal(act.deadline, 0);
        assert_int_equal(m.state, DL_MOTOR_IDLE);
        assert_int_equal(tr.n_on, 1);
}

static void test_already_there(void **state _unused_) {
        init(&both, false, true);
        drive(false, T0 + 500 * MS);
        assert_int_equal(act.result, DL_MOTOR_REACHED);
        assert_int_equal(act.position, DL_MOTOR_POSITION_LOCKED);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        assert_int_equal(tr.n_on, 0);
}

/* A reversal mid-drive: off at once, dead time from that instant, then the
 * other direction; never both. */
static void test_reversal_dead_time(void **state _unused_) {
        int64_t t, rev;

        init(&both, false, true);
        drive(true, T0 + DEAD);
        assert_int_equal(act.output, DL_MOTOR_UNLOCK);
        t = T0 + DEAD;
        sensor(DL_MOTOR_SENSOR_EXTENDED, false, t + 50 * MS);
        rev = t + 300 * MS;
        drive(false, rev);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        assert_int_equal(act.deadline, rev + DEAD);
        assert_int_equal(dl_motor_timer(&m, rev + DEAD - 1, &act), 0);
        seen(&tr, &act, rev + DEAD - 1);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        /* A drive toward the same target again changes nothing. */
        drive(false, rev + 10 * MS);
        assert_int_equal(act.deadline, rev + DEAD);
        fire(0);
        assert_int_equal(act.output, DL_MOTOR_LOCK);
        sensor(DL_MOTOR_SENSOR_EXTENDED, true, rev + 400 * MS);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_REACHED);
        assert_int_equal(act.position, DL_MOTOR_POSITION_LOCKED);
        assert_int_equal(tr.n_on, 2);
}

/* Reversal just after the dead time has passed: a back-and-forth storm
 * still never turns both on, and every "on" is DEAD after an "off". */
static void test_reversal_storm(void **state _unused_) {
        int64_t t = T0;

        init(&both, false, false);
        for (unsigned i = 0; i < 50; i++) {
                t += (int64_t)(i * 7919 % 150) * MS;
                drive(i % 2 == 0, t);
                if (act.deadline && act.deadline <= t + 200 * MS && i % 3 == 0)
                        t = fire((int64_t)(i % 5) * MS);
        }
        assert_true(tr.n_on > 0);
}

static void test_timeout_one_retry_then_failed(void **state _unused_) {
        int64_t t1, t2, off1;

        init(&both, false, true);
        drive(true, T0 + DEAD);
        t1 = T0 + DEAD;
        assert_int_equal(act.output, DL_MOTOR_UNLOCK);
        assert_int_equal(act.deadline, t1 + TIMEOUT);
        off1 = fire(0); /* timeout: off */
        assert_int_equal(act.output, DL_MOTOR_OFF);
        assert_int_equal(act.result, DL_MOTOR_NONE);
        fire(0); /* settled: not there -> dead time */
        assert_int_equal(act.output, DL_MOTOR_OFF);
        assert_int_equal(act.deadline, off1 + DEAD);
        t2 = fire(0);
        assert_int_equal(act.output, DL_MOTOR_UNLOCK); /* the retry, same direction */
        assert_int_equal(act.deadline, t2 + TIMEOUT);
        fire(0);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_FAILED);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        assert_int_equal(act.deadline, 0);
        assert_non_null(act.detail);
        assert_non_null(strstr(act.detail, "2 tries"));
        assert_int_equal(act.position, DL_MOTOR_POSITION_LOCKED); /* never left */
        assert_int_equal(tr.n_on, 2);
        assert_int_equal(m.state, DL_MOTOR_IDLE);
}

/* The retry succeeds. */
static void test_retry_reaches(void **state _unused_) {
        init(&both, false, true);
        drive(false, T0);
        assert_int_equal(act.result, DL_MOTOR_REACHED); /* already locked */
        drive(true, T0 + DEAD);
        fire(0);
        fire(0);
        fire(0); /* retry started */
        assert_int_equal(act.output, DL_MOTOR_UNLOCK);
        sensor(DL_MOTOR_SENSOR_EXTENDED, false, act.deadline - TIMEOUT + 100 * MS);
        sensor(DL_MOTOR_SENSOR_RETRACTED, true, act.deadline - TIMEOUT + 500 * MS);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_REACHED);
        assert_int_equal(tr.n_on, 2);
}

/* The switch bounces when made: off at the first edge, reached once it has
 * stayed made for the settle time; bounces only push the decision later. */
static void test_sensor_bounce(void **state _unused_) {
        int64_t t = T0 + DEAD, e;

        init(&both, false, true);
        drive(true, t);
        sensor(DL_MOTOR_SENSOR_EXTENDED, false, t + 100 * MS);
        e = t + 500 * MS;
        sensor(DL_MOTOR_SENSOR_RETRACTED, true, e);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        sensor(DL_MOTOR_SENSOR_RETRACTED, false, e + 1 * MS);
        sensor(DL_MOTOR_SENSOR_RETRACTED, true, e + 3 * MS);
        sensor(DL_MOTOR_SENSOR_RETRACTED, false, e + 4 * MS);
        sensor(DL_MOTOR_SENSOR_RETRACTED, true, e + 6 * MS);
        assert_int_equal(act.output, DL_MOTOR_OFF); /* a bounce never restarts the motor */
        assert_int_equal(act.deadline, e + 6 * MS + SETTLE);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_REACHED);
        assert_int_equal(tr.n_on, 1);
}

/* The bolt bounces back off the switch and stays off: the try failed, the
 * retry drives again. */
static void test_bounce_back_retries(void **state _unused_) {
        int64_t t = T0 + DEAD, e = t + 500 * MS;

        init(&both, false, true);
        drive(true, t);
        sensor(DL_MOTOR_SENSOR_EXTENDED, false, t + 100 * MS);
        sensor(DL_MOTOR_SENSOR_RETRACTED, true, e);
        sensor(DL_MOTOR_SENSOR_RETRACTED, false, e + 5 * MS);
        assert_int_equal(act.deadline, e + 5 * MS + SETTLE);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_NONE);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        assert_int_equal(act.deadline, e + DEAD); /* dead time from the stop */
        fire(0);
        assert_int_equal(act.output, DL_MOTOR_UNLOCK);
        assert_int_equal(tr.n_on, 2);
}

static void test_stop(void **state _unused_) {
        init(&both, false, true);
        drive(true, T0 + DEAD);
        assert_int_equal(act.output, DL_MOTOR_UNLOCK);
        assert_int_equal(dl_motor_stop(&m, T0 + DEAD + 50 * MS, &act), 0);
        seen(&tr, &act, T0 + DEAD + 50 * MS);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        assert_int_equal(act.result, DL_MOTOR_NONE);
        assert_int_equal(act.deadline, 0);
        assert_int_equal(dl_motor_stop(&m, T0 + DEAD + 60 * MS, &act), 0);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        /* A new drive after the stop keeps the dead time from the stop. */
        drive(false, T0 + DEAD + 70 * MS);
        assert_int_equal(act.result, DL_MOTOR_REACHED); /* still on the extended switch */
        drive(true, T0 + DEAD + 80 * MS);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        assert_int_equal(act.deadline, T0 + DEAD + 50 * MS + DEAD);
}

/* Idle: a hand turns the bolt; reported once settled, bounces filtered. */
static void test_idle_moved(void **state _unused_) {
        init(&both, false, true);
        sensor(DL_MOTOR_SENSOR_EXTENDED, false, T0 + 1000 * MS);
        assert_int_equal(act.result, DL_MOTOR_NONE);
        sensor(DL_MOTOR_SENSOR_EXTENDED, true, T0 + 1005 * MS);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_NONE); /* came back: nothing */
        sensor(DL_MOTOR_SENSOR_EXTENDED, false, T0 + 2000 * MS);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_MOVED);
        assert_int_equal(act.position, DL_MOTOR_POSITION_UNKNOWN);
        sensor(DL_MOTOR_SENSOR_RETRACTED, true, T0 + 2500 * MS);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_MOVED);
        assert_int_equal(act.position, DL_MOTOR_POSITION_UNLOCKED);
        assert_int_equal(tr.n_on, 0);
}

/* One sensor (retracted only): unlock is confirmed by it; lock is a timed
 * drive, inferred if the switch released, "unknown" once a hand moves it. */
static void test_one_sensor(void **state _unused_) {
        struct dl_motor_config c = both;
        int64_t t;

        c.has_extended = false;
        init(&c, true, true); /* the unconfigured level is ignored */
        assert_int_equal(dl_motor_position(&m), DL_MOTOR_POSITION_UNLOCKED);
        drive(false, T0 + DEAD);
        t = T0 + DEAD;
        assert_int_equal(act.output, DL_MOTOR_LOCK);
        sensor(DL_MOTOR_SENSOR_RETRACTED, false, t + 100 * MS);
        assert_int_equal(act.output, DL_MOTOR_LOCK); /* nothing confirms: drive on */
        fire(0);                                     /* the timeout ends the timed drive */
        assert_int_equal(act.output, DL_MOTOR_OFF);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_REACHED);
        assert_int_equal(act.position, DL_MOTOR_POSITION_LOCKED);
        assert_int_equal(dl_motor_position(&m), DL_MOTOR_POSITION_LOCKED);
        /* A lock drive toward an inferred position runs anyway. */
        drive(false, t + 5000 * MS);
        assert_int_equal(act.output, DL_MOTOR_LOCK);
        fire(0);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_REACHED);
        /* The switch made and released by hand: unknown, not locked. */
        sensor(DL_MOTOR_SENSOR_RETRACTED, true, t + 9000 * MS);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_MOVED);
        assert_int_equal(act.position, DL_MOTOR_POSITION_UNLOCKED);
        sensor(DL_MOTOR_SENSOR_RETRACTED, false, t + 9500 * MS);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_MOVED);
        assert_int_equal(act.position, DL_MOTOR_POSITION_UNKNOWN);
}

/* One sensor, timed drive, but the switch never releases (jammed at the
 * sensed end): one retry, then failed. */
static void test_one_sensor_jammed(void **state _unused_) {
        struct dl_motor_config c = both;

        c.has_extended = false;
        init(&c, true, false);
        drive(false, T0 + DEAD);
        fire(0);
        fire(0);
        fire(0);
        assert_int_equal(act.output, DL_MOTOR_LOCK);
        fire(0);
        fire(0);
        assert_int_equal(act.result, DL_MOTOR_FAILED);
        assert_non_null(strstr(act.detail, "did not leave the retracted"));
        assert_int_equal(act.position, DL_MOTOR_POSITION_UNLOCKED);
        assert_int_equal(tr.n_on, 2);
}

static void test_time_never_goes_back(void **state _unused_) {
        init(&both, false, true);
        drive(true, T0 + DEAD);
        assert_int_equal(act.output, DL_MOTOR_UNLOCK);
        assert_int_equal(dl_motor_timer(&m, T0, &act), 0); /* older: counts as the latest */
        assert_int_equal(act.output, DL_MOTOR_UNLOCK);
        assert_int_equal(act.deadline, T0 + DEAD + TIMEOUT);
        assert_string_equal(dl_motor_state_to_string(m.state), "driving");
        assert_null(dl_motor_state_to_string(99));
}

static void test_dead_time_zero(void **state _unused_) {
        struct dl_motor_config c = both;

        c.dead_time_usec = 0;
        assert_int_equal(dl_motor_init(&m, &c, false, true, T0, &act), 0);
        assert_int_equal(dl_motor_drive(&m, true, T0 + 1, &act), 0);
        assert_int_equal(act.output, DL_MOTOR_UNLOCK);
        assert_int_equal(dl_motor_drive(&m, false, T0 + 2, &act), 0);
        assert_int_equal(act.output, DL_MOTOR_OFF);
        assert_int_equal(act.result, DL_MOTOR_REACHED); /* still on the extended switch */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_config),
                cmocka_unit_test(test_init_position),
                cmocka_unit_test(test_unlock_stops_on_sensor),
                cmocka_unit_test(test_already_there),
                cmocka_unit_test(test_reversal_dead_time),
                cmocka_unit_test(test_reversal_storm),
                cmocka_unit_test(test_timeout_one_retry_then_failed),
                cmocka_unit_test(test_retry_reaches),
                cmocka_unit_test(test_sensor_bounce),
                cmocka_unit_test(test_bounce_back_retries),
                cmocka_unit_test(test_stop),
                cmocka_unit_test(test_idle_moved),
                cmocka_unit_test(test_one_sensor),
                cmocka_unit_test(test_one_sensor_jammed),
                cmocka_unit_test(test_time_never_goes_back),
                cmocka_unit_test(test_dead_time_zero),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
