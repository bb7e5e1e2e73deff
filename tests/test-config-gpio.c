/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The GPIO keys of doorlockd.conf ([Gpio], and the GPIO keys of [Keypad]
 * and [Lock]): every key and its default, bounds, bad values, empty
 * resets, the door sensor rule, and the whole-config check after parsing.
 * The file format and the other keys: tests/test-config.c. */
#include "config-fixture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole door on GPIO: every GPIO key given. */
static const char gpio_every_key[] = "[Hardware]\n"
                                     "Backend=gpio\n"
                                     "[Gpio]\n"
                                     "Chip=pinctrl-bcm2835\n"
                                     "[Keypad]\n"
                                     "Type=matrix\n"
                                     "Rows=GPIO5 GPIO6 GPIO13 GPIO19\n"
                                     "Columns=GPIO12 GPIO16 GPIO20 GPIO21\n"
                                     "KeyMap=123A 456B 789C *0#D\n"
                                     "SettleMicroseconds=20\n"
                                     "DebounceMilliseconds=15\n"
                                     "WiegandTiming=slow\n"
                                     "WiegandKeys=8\n"
                                     "[Lock]\n"
                                     "Actuator=motor\n"
                                     "MotorUnlock=GPIO23\n"
                                     "MotorLock=gpiochip0:24\n"
                                     "MotorDeadTimeMilliseconds=50\n"
                                     "MotorTimeoutMilliseconds=3000\n"
                                     "BoltRetracted=GPIO17:active-low\n"
                                     "BoltExtended=/dev/gpiochip0:27:active-low\n"
                                     "Door=GPIO22\n"
                                     "ExitButton=GPIO26:active-low\n"
                                     "Doorbell=GPIO9\n"
                                     "Tamper=GPIO10\n"
                                     "Buzzer=GPIO18\n"
                                     "Led=GPIO25\n"
                                     "InputDebounceMilliseconds=30\n"
                                     "DoorHeldOpenSeconds=60\n";

static void assert_line_is(const struct dl_hw_gpio_line *l, const char *chip, const char *line,
                           bool active_low) {
        assert_true(l->set);
        assert_string_equal(l->chip, chip);
        assert_string_equal(l->line, line);
        assert_int_equal(l->active_low, active_low);
}

static void test_gpio_defaults(void **state) {
        struct fixture *f = *state;
        const struct dl_hw_gpio_config *g = &f->config.gpio;
        struct dl_hw_gpio_config d;

        dl_hw_gpio_config_init(&d);
        assert_gpio_equal(g, &d);
        assert_int_equal(f->config.door_held_open_usec, 0);
        assert_int_equal(g->motor_timeout_usec, f->config.lock.motor_timeout_usec);

        /* A fresh install: Backend=gpio, nothing configured, loads fine and
         * keeps DoorSensor= (yes). */
        load_ok(f, "[Hardware]\nBackend=gpio\n");
        assert_false(dl_hw_gpio_config_any(g));
        assert_true(f->config.lock.door_sensor);
        assert_is_default(&f->config);
        /* A chip alone is no hardware either. */
        load_ok(f, "[Lock]\nDoorSensor=yes\n[Gpio]\nChip=gpiochip0\n");
        assert_true(f->config.lock.door_sensor);
}

static void test_gpio_every_key(void **state) {
        struct fixture *f = *state;
        const struct dl_hw_gpio_config *g = &f->config.gpio;

        load_ok(f, gpio_every_key);
        assert_string_equal(g->chip, "pinctrl-bcm2835");
        assert_int_equal(g->keypad, DL_HW_KEYPAD_MATRIX);
        assert_int_equal(g->n_rows, 4);
        assert_line_is(&g->rows[0], "", "GPIO5", false);
        assert_line_is(&g->rows[3], "", "GPIO19", false);
        assert_false(g->rows[4].set);
        assert_int_equal(g->n_cols, 4);
        assert_line_is(&g->cols[3], "", "GPIO21", false);
        assert_int_equal(g->matrix.rows, 4);
        assert_int_equal(g->matrix.cols, 4);
        assert_string_equal(g->matrix.keys[3], "*0#D");
        assert_int_equal(g->matrix.settle_usec, 20);
        assert_int_equal(g->matrix.debounce_usec, 15 * MSEC);
        {
                struct dl_wiegand_config slow;

                assert_int_equal(dl_wiegand_config_init(&slow, DL_WIEGAND_PROFILE_SLOW), 0);
                assert_int_equal(g->wiegand.min_interval_usec, slow.min_interval_usec);
                assert_int_equal(g->wiegand.max_interval_usec, slow.max_interval_usec);
                assert_int_equal(g->wiegand.frame_gap_usec, slow.frame_gap_usec);
        }
        assert_false(g->wiegand.keys_4bit);
        assert_int_equal(g->actuator, DL_HW_ACTUATOR_MOTOR);
        assert_line_is(&g->motor_unlock, "", "GPIO23", false);
        assert_line_is(&g->motor_lock, "gpiochip0", "24", false);
        assert_int_equal(g->motor_dead_time_usec, 50 * MSEC);
        assert_int_equal(f->config.lock.motor_timeout_usec, 3000 * MSEC);
        assert_int_equal(g->motor_timeout_usec, 3000 * MSEC);
        assert_line_is(&g->bolt_retracted, "", "GPIO17", true);
        assert_line_is(&g->bolt_extended, "/dev/gpiochip0", "27", true);
        assert_line_is(&g->door, "", "GPIO22", false);
        assert_line_is(&g->exit_button, "", "GPIO26", true);
        assert_line_is(&g->doorbell, "", "GPIO9", false);
        assert_line_is(&g->tamper, "", "GPIO10", false);
        assert_line_is(&g->buzzer, "", "GPIO18", false);
        assert_line_is(&g->led, "", "GPIO25", false);
        assert_int_equal(g->input_debounce_usec, 30 * MSEC);
        assert_int_equal(f->config.door_held_open_usec, 60 * SEC);
        assert_true(f->config.lock.door_sensor); /* Door= is set */

        /* The strike keys and the Wiegand lines. */
        dl_daemon_config_done(&f->config);
        dl_daemon_config_init(&f->config);
        load_ok(f, "[Keypad]\nType=wiegand\nWiegandD0=c:20\nWiegandD1=c:21\nWiegandKeys=4\n"
                   "[Lock]\nActuator=strike\nStrike=c:23:active-low\nStrikeType=fail-safe\n"
                   "StrikeMilliseconds=60000\n");
        assert_int_equal(g->keypad, DL_HW_KEYPAD_WIEGAND);
        assert_line_is(&g->wiegand_d0, "c", "20", false);
        assert_line_is(&g->wiegand_d1, "c", "21", false);
        assert_true(g->wiegand.keys_4bit);
        assert_int_equal(g->actuator, DL_HW_ACTUATOR_STRIKE);
        assert_line_is(&g->strike, "c", "23", true);
        assert_int_equal(g->strike_type, DL_HW_STRIKE_FAIL_SAFE);
        assert_int_equal(g->strike_usec, 60000 * MSEC);
        /* No Door=: no door sensor. */
        assert_false(f->config.lock.door_sensor);
        load_ok(f, "[Keypad]\nWiegandKeys=8\n[Lock]\nStrikeType=fail-secure\nStrikeMilliseconds=0\n");
        assert_false(g->wiegand.keys_4bit);
        assert_int_equal(g->strike_type, DL_HW_STRIKE_FAIL_SECURE);
        assert_int_equal(g->strike_usec, 0);
        load_ok(f, "[Keypad]\nWiegandKeys=both\nWiegandTiming=standard\n");
        assert_true(g->wiegand.keys_4bit);
        {
                struct dl_wiegand_config std;

                assert_int_equal(dl_wiegand_config_init(&std, DL_WIEGAND_PROFILE_STANDARD), 0);
                assert_int_equal(g->wiegand.frame_gap_usec, std.frame_gap_usec);
        }
        /* Type=none, Actuator=none. */
        load_ok(f, "[Keypad]\nType=none\nWiegandD0=\nWiegandD1=\n[Lock]\nActuator=none\nStrike=\n");
        assert_int_equal(g->keypad, DL_HW_KEYPAD_NONE);
        assert_int_equal(g->actuator, DL_HW_ACTUATOR_NONE);
        assert_false(g->strike.set);
        assert_false(g->wiegand_d0.set);
        assert_false(dl_hw_gpio_config_any(g));
}

static void test_gpio_bounds(void **state) {
        struct fixture *f = *state;
        const struct dl_hw_gpio_config *g = &f->config.gpio;

        load_ok(f, "[Keypad]\nSettleMicroseconds=1\nDebounceMilliseconds=1\n"
                   "[Lock]\nMotorDeadTimeMilliseconds=10\nInputDebounceMilliseconds=0\nDoorHeldOpenSeconds="
                   "0\n");
        assert_int_equal(g->matrix.settle_usec, 1);
        assert_int_equal(g->matrix.debounce_usec, 1 * MSEC);
        assert_int_equal(g->motor_dead_time_usec, 10 * MSEC);
        assert_int_equal(g->input_debounce_usec, 0);
        load_ok(f, "[Keypad]\nSettleMicroseconds=1000000\nDebounceMilliseconds=1000\n"
                   "[Lock]\nMotorDeadTimeMilliseconds=1000\nInputDebounceMilliseconds=1000\n"
                   "DoorHeldOpenSeconds=3600\nStrikeMilliseconds=60000\n");
        assert_int_equal(g->matrix.settle_usec, 1000000);
        assert_int_equal(g->matrix.debounce_usec, 1000 * MSEC);
        assert_int_equal(g->motor_dead_time_usec, 1000 * MSEC);
        assert_int_equal(g->input_debounce_usec, 1000 * MSEC);
        assert_int_equal(f->config.door_held_open_usec, 3600 * SEC);

        assert_load_fails_at(f, "[Keypad]\nSettleMicroseconds=0\n", 2,
                             "[Keypad] SettleMicroseconds=0: out of range", NULL);
        assert_load_fails_at(f, "[Keypad]\nSettleMicroseconds=1000001\n", 2, "out of range", NULL);
        assert_load_fails_at(f, "[Keypad]\nDebounceMilliseconds=0\n", 2,
                             "DebounceMilliseconds=0: out of range", NULL);
        assert_load_fails_at(f, "[Keypad]\nDebounceMilliseconds=1001\n", 2, "out of range", NULL);
        assert_load_fails_at(f, "[Lock]\nMotorDeadTimeMilliseconds=9\n", 2, "out of range (10-1000)", NULL);
        assert_load_fails_at(f, "[Lock]\nMotorDeadTimeMilliseconds=1001\n", 2, "out of range", NULL);
        assert_load_fails_at(f, "[Lock]\nStrikeMilliseconds=60001\n", 2,
                             "StrikeMilliseconds=60001: out of range", NULL);
        assert_load_fails_at(f, "[Lock]\nInputDebounceMilliseconds=1001\n", 2, "out of range", NULL);
        assert_load_fails_at(f, "[Lock]\nDoorHeldOpenSeconds=3601\n", 2,
                             "DoorHeldOpenSeconds=3601: out of range", NULL);
        assert_load_fails_at(f, "[Lock]\nDoorHeldOpenSeconds=-1\n", 2, "not a decimal number", NULL);
}

static void test_gpio_bad_values(void **state) {
        struct fixture *f = *state;

        assert_load_fails_at(f, "[Keypad]\nType=membrane\n", 2,
                             "[Keypad] Type=membrane: unknown keypad type (none, matrix or wiegand)", NULL);
        assert_load_fails_at(f, "[Keypad]\nType=Matrix\n", 2, "unknown keypad type", NULL);
        assert_load_fails_at(f, "[Lock]\nActuator=solenoid\n", 2,
                             "[Lock] Actuator=solenoid: unknown actuator (none, motor or strike)", NULL);
        assert_load_fails_at(f, "[Lock]\nStrikeType=failsafe\n", 2,
                             "[Lock] StrikeType=failsafe: unknown strike type (fail-secure or fail-safe)",
                             NULL);
        assert_load_fails_at(f, "[Keypad]\nWiegandTiming=fast\n", 2,
                             "[Keypad] WiegandTiming=fast: unknown timing profile (standard or slow)", NULL);
        assert_load_fails_at(f, "[Keypad]\nWiegandKeys=26\n", 2,
                             "[Keypad] WiegandKeys=26: unknown key burst size (4, 8 or both)", NULL);
        assert_load_fails_at(f, "[Keypad]\nKeyMap=123 45\n", 2, "[Keypad] KeyMap=123 45: ", NULL);
        assert_load_fails_at(f, "[Keypad]\nKeyMap=1x3 456\n", 2, "[Keypad] KeyMap=1x3 456: ", NULL);
        assert_load_fails_at(f, "[Keypad]\nKeyMap=121 456\n", 2, "[Keypad] KeyMap=121 456: ", NULL);
        assert_load_fails_at(f, "[Keypad]\nRows=1 2 3 4 5 6 7 8 9\n", 2,
                             "[Keypad] Rows=1 2 3 4 5 6 7 8 9: more than 8", NULL);
        assert_load_fails_at(f, "[Keypad]\nColumns=GPIO1 :2\n", 2,
                             "[Keypad] Columns=GPIO1 :2: line 2 (:2): empty chip", NULL);
        assert_load_fails_at(f, "[Lock]\nDoor=GPIO22:activelow\n", 2,
                             "[Lock] Door=GPIO22:activelow: unknown flag \"activelow\"", NULL);
        assert_load_fails_at(f, "[Lock]\nLed=:25\n", 2, "[Lock] Led=:25: empty chip", NULL);
        assert_load_fails_at(f, "[Lock]\nBuzzer=gpiochip0:\n", 2, "no line after the chip", NULL);
        assert_load_fails_at(f, "[Lock]\nTamper=gpiochip0:99999999999\n", 2, "out of range", NULL);
        assert_load_fails_at(f, "[Lock]\nStrike=GPIO 23\n", 2, "blank", NULL);
        assert_load_fails_at(f, "[Gpio]\nChip=gpio chip\n", 2,
                             "[Gpio] Chip=gpio chip: a chip may hold no blank", NULL);
        {
                char text[256];

                snprintf(text, sizeof(text), "[Gpio]\nChip=%0*d\n", DL_GPIO_CHIP_MAX, 0);
                assert_load_fails_at(f, text, 2, "too long for a chip", NULL);
                snprintf(text, sizeof(text), "[Gpio]\nChip=%0*d\n", DL_GPIO_CHIP_MAX - 1, 0);
                load_ok(f, text);
                assert_int_equal(strlen(f->config.gpio.chip), DL_GPIO_CHIP_MAX - 1);
        }
        /* Unknown key in the new section. */
        assert_load_fails_at(f, "[Gpio]\nDevice=gpiochip0\n", 2, "[Gpio] Device=gpiochip0: unknown key",
                             NULL);
}

static void test_gpio_empty_resets(void **state) {
        struct fixture *f = *state;
        struct dl_hw_gpio_config d;

        load_ok(f, gpio_every_key);
        /* Backend=simulated: the partial config below is not checked. */
        load_ok(f, "[Hardware]\nBackend=simulated\n[Gpio]\nChip=\n"
                   "[Keypad]\nType=\nRows=\nColumns=\nKeyMap=\nSettleMicroseconds=\nDebounceMilliseconds=\n"
                   "WiegandD0=\nWiegandD1=\nWiegandTiming=\nWiegandKeys=\n"
                   "[Lock]\nActuator=\nMotorUnlock=\nMotorLock=\nMotorDeadTimeMilliseconds=\n"
                   "MotorTimeoutMilliseconds=\nBoltRetracted=\nBoltExtended=\nStrike=\nStrikeType=\n"
                   "StrikeMilliseconds=\nDoor=\nExitButton=\nDoorbell=\nTamper=\nBuzzer=\nLed=\n"
                   "InputDebounceMilliseconds=\nDoorHeldOpenSeconds=\n");
        dl_hw_gpio_config_init(&d);
        assert_gpio_equal(&f->config.gpio, &d);
        assert_int_equal(f->config.door_held_open_usec, 0);

        /* KeyMap= alone resets the map, not the timings. */
        load_ok(f, "[Keypad]\nKeyMap=12 34\nSettleMicroseconds=7\n");
        assert_int_equal(f->config.gpio.matrix.rows, 2);
        load_ok(f, "[Keypad]\nKeyMap=\n");
        assert_int_equal(f->config.gpio.matrix.rows, 4);
        assert_int_equal(f->config.gpio.matrix.cols, 3);
        assert_int_equal(f->config.gpio.matrix.settle_usec, 7);
        /* WiegandTiming= resets the timings, not WiegandKeys=. */
        load_ok(f, "[Keypad]\nWiegandKeys=8\nWiegandTiming=slow\n");
        load_ok(f, "[Keypad]\nWiegandTiming=\n");
        assert_int_equal(f->config.gpio.wiegand.frame_gap_usec, d.wiegand.frame_gap_usec);
        assert_false(f->config.gpio.wiegand.keys_4bit);
}

static void test_gpio_door_sensor(void **state) {
        struct fixture *f = *state;

        /* Under Backend=gpio with hardware, DoorSensor follows Door=. */
        load_ok(f, "[Lock]\nActuator=strike\nStrike=c:1\nDoor=c:2\n");
        assert_true(f->config.lock.door_sensor);
        dl_daemon_config_done(&f->config);
        dl_daemon_config_init(&f->config);
        load_ok(f, "[Lock]\nActuator=strike\nStrike=c:1\n");
        assert_false(f->config.lock.door_sensor);
        /* Saying the same is fine. */
        load_ok(f, "[Lock]\nActuator=strike\nStrike=c:1\nDoorSensor=no\n");
        assert_false(f->config.lock.door_sensor);
        load_ok(f, "[Lock]\nActuator=strike\nStrike=c:1\nDoor=c:2\nDoorSensor=yes\n");
        assert_true(f->config.lock.door_sensor);

        /* Contradictions name both keys and the DoorSensor= line. */
        dl_daemon_config_done(&f->config);
        dl_daemon_config_init(&f->config);
        assert_load_fails_at(f, "[Lock]\nActuator=strike\nDoorSensor=yes\nStrike=c:1\n", 3,
                             "[Lock] DoorSensor=yes contradicts Door=, which is not set", "Backend=gpio");
        assert_load_fails_at(f, "[Lock]\nDoorSensor=no\nActuator=strike\nStrike=c:1\nDoor=c:2\n", 2,
                             "[Lock] DoorSensor=no contradicts Door=, which is set", NULL);
        /* DoorSensor= emptied is not explicit. */
        load_ok(f, "[Lock]\nDoorSensor=no\nDoorSensor=\nActuator=strike\nStrike=c:1\nDoor=c:2\n");
        assert_true(f->config.lock.door_sensor);

        /* Backend=simulated: DoorSensor= keeps its meaning, lines or not. */
        dl_daemon_config_done(&f->config);
        dl_daemon_config_init(&f->config);
        load_ok(f, "[Hardware]\nBackend=simulated\n[Lock]\nDoorSensor=yes\nActuator=strike\nStrike=c:1\n");
        assert_true(f->config.lock.door_sensor);
        load_ok(f, "[Hardware]\nBackend=simulated\n[Lock]\nDoorSensor=no\nDoor=c:2\n");
        assert_false(f->config.lock.door_sensor);

        /* Nothing configured (a fresh install, a config for --simulate): too. */
        dl_daemon_config_done(&f->config);
        dl_daemon_config_init(&f->config);
        load_ok(f, "[Lock]\nDoorSensor=yes\n");
        assert_true(f->config.lock.door_sensor);
        load_ok(f, "[Lock]\nDoorSensor=no\n");
        assert_false(f->config.lock.door_sensor);
}

/* The whole-config check runs after parsing, with Backend=gpio only, and
 * names the key; the config is left as it was. */
static void test_gpio_check_after_parse(void **state) {
        struct fixture *f = *state;

        assert_load_fails_at(
                f, "[Gpio]\nChip=c\n[Lock]\nActuator=motor\nMotorUnlock=1\nBoltExtended=3\n", 0,
                "[Lock] MotorLock= is missing: Actuator=motor needs MotorUnlock= and MotorLock=", NULL);
        assert_load_fails_at(f, "[Gpio]\nChip=c\n[Lock]\nActuator=motor\nMotorUnlock=1\nMotorLock=2\n", 0,
                             "BoltRetracted= and BoltExtended= are both missing", NULL);
        assert_load_fails_at(f, "[Lock]\nActuator=strike\n", 0, "[Lock] Strike= is missing", NULL);
        assert_load_fails_at(f, "[Keypad]\nType=wiegand\nWiegandD0=c:1\n", 0,
                             "[Keypad] WiegandD1= is missing", NULL);
        assert_load_fails_at(f, "[Gpio]\nChip=c\n[Keypad]\nType=matrix\nRows=1 2 3\nColumns=4 5 6\n", 0,
                             "[Keypad] Rows= names 3 lines, but KeyMap= has 4 rows", NULL);
        assert_load_fails_at(f, "[Lock]\nDoor=22\n", 0, "[Lock] Door= names no chip", "[Gpio] Chip=");
        assert_load_fails_at(f, "[Gpio]\nChip=c\n[Lock]\nBuzzer=18\nLed=c:18\n", 0,
                             "[Lock] Led= is the same line as [Lock] Buzzer=", NULL);
        assert_load_fails_at(f, "[Gpio]\nChip=c\n[Keypad]\nRows=1\n", 0,
                             "[Keypad] Rows= is set, but Type=none", NULL);
        assert_is_default(&f->config);

        /* The same with Backend=simulated loads: unchecked. */
        load_ok(f, "[Hardware]\nBackend=simulated\n[Lock]\nActuator=strike\n");
        assert_int_equal(f->config.gpio.actuator, DL_HW_ACTUATOR_STRIKE);
        /* A good one. */
        dl_daemon_config_done(&f->config);
        dl_daemon_config_init(&f->config);
        load_ok(f, "[Gpio]\nChip=c\n[Keypad]\nType=matrix\nRows=1 2 3 4\nColumns=5 6 7\n"
                   "[Lock]\nActuator=motor\nMotorUnlock=8\nMotorLock=9\nBoltRetracted=10\n");
        assert_false(f->config.lock.door_sensor);
}

/* A line list's own error quotes a piece of the value; a byte that is not
 * printable ASCII must not reach the message (it goes out on D-Bus, which
 * wants UTF-8).  Found by fuzz-config. */
static void test_gpio_message_printable(void **state) {
        struct fixture *f = *state;

        assert_load_fails_at(f, "[Keypad]\nColumns=Ms\x9dp\n", 2, "[Keypad] Columns=Ms?p", NULL);
        assert_load_fails_at(f, "[Keypad]\nRows=A,\x80:active-high\n", 2, "[Keypad] Rows=A,?", NULL);
        assert_load_fails_at(f, "[Lock]\nDoor=0:\xff\n", 2, "[Lock] Door=0:?", NULL);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
        const struct CMUnitTest tests[] = {
                T(test_gpio_defaults),          T(test_gpio_every_key),         T(test_gpio_bounds),
                T(test_gpio_bad_values),        T(test_gpio_empty_resets),      T(test_gpio_door_sensor),
                T(test_gpio_check_after_parse), T(test_gpio_message_printable),
        };
#undef T

        return cmocka_run_group_tests(tests, NULL, NULL);
}
