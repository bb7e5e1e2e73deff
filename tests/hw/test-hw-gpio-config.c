/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pure part of the GPIO backend's config (daemon/hw/hw-gpio-config.c):
 * defaults, the line syntax "[chip:]line[:active-low]", line lists and the
 * whole-config check.  The keys that fill it are test-config's. */
#include "test-util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hw-gpio.h"
#include "lock-controller.h"

#define MSEC ((int64_t)1000)

static void assert_contains(const char *haystack, const char *needle) {
        if (!strstr(haystack, needle))
                fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static struct dl_hw_gpio_line line_of(const char *spec) {
        struct dl_hw_gpio_line l = {};
        struct dl_error err = {};
        int r = dl_hw_gpio_line_parse(&l, spec, &err);

        if (r < 0)
                fail_msg("\"%s\": %s", spec, dl_error_message(&err, r));
        return l;
}

static void assert_line(const char *spec, const char *chip, const char *line, bool active_low) {
        struct dl_hw_gpio_line l = line_of(spec);

        assert_true(l.set);
        assert_string_equal(l.chip, chip);
        assert_string_equal(l.line, line);
        assert_int_equal(l.active_low, active_low);
}

static void assert_line_bad(const char *spec, const char *needle) {
        struct dl_hw_gpio_line l = { .set = true, .chip = "keep", .line = "me" };
        struct dl_error err = {};

        if (dl_hw_gpio_line_parse(&l, spec, &err) != -EINVAL)
                fail_msg("\"%s\" was accepted", spec);
        assert_int_equal(err.code, -EINVAL);
        if (needle)
                assert_contains(err.message, needle);
        /* Unchanged. */
        assert_true(l.set);
        assert_string_equal(l.chip, "keep");
        assert_string_equal(l.line, "me");
        assert_false(l.active_low);
        /* And without an error struct. */
        assert_int_equal(dl_hw_gpio_line_parse(&l, spec, NULL), -EINVAL);
}

static void test_init(void **state _unused_) {
        struct dl_hw_gpio_config c;
        struct dl_matrix_config m;
        struct dl_wiegand_config w;

        memset(&c, 0xaa, sizeof(c));
        dl_hw_gpio_config_init(&c);
        assert_string_equal(c.chip, "");
        assert_int_equal(c.keypad, DL_HW_KEYPAD_NONE);
        assert_int_equal(c.actuator, DL_HW_ACTUATOR_NONE);
        assert_int_equal(c.n_rows, 0);
        assert_int_equal(c.n_cols, 0);
        for (unsigned i = 0; i < DL_MATRIX_MAX; i++) {
                assert_false(c.rows[i].set);
                assert_false(c.cols[i].set);
        }
        assert_false(c.wiegand_d0.set || c.wiegand_d1.set || c.motor_unlock.set || c.motor_lock.set ||
                     c.bolt_retracted.set || c.bolt_extended.set || c.strike.set || c.door.set ||
                     c.exit_button.set || c.doorbell.set || c.tamper.set || c.buzzer.set || c.led.set);
        assert_int_equal(dl_matrix_config_init(&m, 3), 0);
        assert_int_equal(c.matrix.rows, 4);
        assert_int_equal(c.matrix.cols, 3);
        assert_memory_equal(c.matrix.keys, m.keys, sizeof(m.keys));
        assert_int_equal(c.matrix.settle_usec, DL_MATRIX_SETTLE_USEC_DEFAULT);
        assert_int_equal(c.matrix.debounce_usec, DL_MATRIX_DEBOUNCE_USEC_DEFAULT);
        assert_int_equal(c.matrix.held_poll_usec, 0);
        assert_int_equal(dl_wiegand_config_init(&w, DL_WIEGAND_PROFILE_STANDARD), 0);
        assert_int_equal(c.wiegand.min_interval_usec, w.min_interval_usec);
        assert_int_equal(c.wiegand.max_interval_usec, w.max_interval_usec);
        assert_int_equal(c.wiegand.frame_gap_usec, w.frame_gap_usec);
        assert_true(c.wiegand.keys_4bit);
        assert_int_equal(c.motor_timeout_usec, DL_MOTOR_TIMEOUT_USEC_DEFAULT);
        assert_int_equal(c.motor_dead_time_usec, 100 * MSEC);
        assert_int_equal(c.strike_type, DL_HW_STRIKE_FAIL_SECURE);
        assert_int_equal(c.strike_usec, 0);
        assert_int_equal(c.input_debounce_usec, 20 * MSEC);

        /* A fresh install: nothing configured, and that is consistent. */
        assert_false(dl_hw_gpio_config_any(&c));
        assert_int_equal(dl_hw_gpio_config_check(&c, NULL), 0);
}

static void test_line_syntax(void **state _unused_) {
        assert_line("GPIO17", "", "GPIO17", false);
        assert_line("17", "", "17", false);
        assert_line("017", "", "017", false);
        assert_line("gpiochip0:17", "gpiochip0", "17", false);
        assert_line("pinctrl-bcm2835:GPIO17", "pinctrl-bcm2835", "GPIO17", false);
        assert_line("pinctrl-bcm2835:GPIO17:active-low", "pinctrl-bcm2835", "GPIO17", true);
        assert_line("GPIO17:active-low", "", "GPIO17", true);
        assert_line("17:active-low", "", "17", true);
        /* Paths, and chips with ':' in their label: split at the last ':'. */
        assert_line("/dev/gpiochip0:17", "/dev/gpiochip0", "17", false);
        assert_line("/dev/gpiochip0:17:active-low", "/dev/gpiochip0", "17", true);
        assert_line("./gpiochip1:GPIO4", "./gpiochip1", "GPIO4", false);
        assert_line("INT34C5:00:17", "INT34C5:00", "17", false);
        assert_line("INT34C5:00:17:active-low", "INT34C5:00", "17", true);
        assert_line("gpio-sim.0-node0:door", "gpio-sim.0-node0", "door", false);
        /* The largest offset there is. */
        assert_line("4294967295", "", "4294967295", false);
        /* Longest chip and line that fit. */
        {
                char chip[DL_GPIO_CHIP_MAX], line[DL_GPIO_NAME_MAX], spec[256];

                memset(chip, 'c', sizeof(chip) - 1);
                chip[sizeof(chip) - 1] = '\0';
                memset(line, 'l', sizeof(line) - 1);
                line[sizeof(line) - 1] = '\0';
                snprintf(spec, sizeof(spec), "%s:%s:active-low", chip, line);
                assert_line(spec, chip, line, true);
                snprintf(spec, sizeof(spec), "%sc:%s", chip, line);
                assert_line_bad(spec, "chip name too long");
                snprintf(spec, sizeof(spec), "%s:%sl", chip, line);
                assert_line_bad(spec, "line name too long");
        }
}

static void test_line_bad(void **state _unused_) {
        assert_line_bad("", "empty");
        assert_line_bad(":17", "empty chip");
        assert_line_bad("::17", "empty chip");
        assert_line_bad("a::17", "empty chip");
        assert_line_bad(":a:17", "empty chip");
        assert_line_bad("gpiochip0:", "no line");
        assert_line_bad("gpiochip0::active-low", "no line");
        assert_line_bad(":active-low", "no line");
        assert_line_bad("GPIO17:active_low", "unknown flag");
        assert_line_bad("GPIO17:Active-Low", "unknown flag");
        assert_line_bad("GPIO17:active-high", "unknown flag");
        assert_line_bad("GPIO17:active-low:active-low", "flag in the wrong place");
        assert_line_bad("active-low", "flag in the wrong place");
        assert_line_bad("c:Active:active-low", "flag in the wrong place");
        assert_line_bad("GPIO 17", "blank");
        assert_line_bad("GPIO\t17", "blank");
        assert_line_bad("GPIO\x7f", "control");
        assert_line_bad("GPIO\xc3\xa9", "non-ASCII");
        assert_line_bad("4294967296", "out of range");
        assert_line_bad("gpiochip0:99999999999999999999", "out of range");
        {
                char spec[512];

                memset(spec, 'x', sizeof(spec) - 1);
                spec[sizeof(spec) - 1] = '\0';
                assert_line_bad(spec, "too long");
        }
        assert_int_equal(dl_hw_gpio_line_parse(NULL, "17", NULL), -EINVAL);
        {
                struct dl_hw_gpio_line l = {};

                assert_int_equal(dl_hw_gpio_line_parse(&l, NULL, NULL), -EINVAL);
                assert_false(l.set);
        }
}

static void test_lines(void **state _unused_) {
        struct dl_hw_gpio_line lines[DL_MATRIX_MAX];
        struct dl_error err = {};
        unsigned n = 99;

        memset(lines, 0x55, sizeof(lines));
        assert_int_equal(
                dl_hw_gpio_lines_parse(lines, DL_MATRIX_MAX, &n, "  GPIO5\tc:6:active-low   13 ", &err), 0);
        assert_int_equal(n, 3);
        assert_string_equal(lines[0].line, "GPIO5");
        assert_string_equal(lines[0].chip, "");
        assert_string_equal(lines[1].chip, "c");
        assert_string_equal(lines[1].line, "6");
        assert_true(lines[1].active_low);
        assert_string_equal(lines[2].line, "13");
        for (unsigned i = 3; i < DL_MATRIX_MAX; i++)
                assert_false(lines[i].set);

        /* Eight fit, nine do not. */
        assert_int_equal(dl_hw_gpio_lines_parse(lines, DL_MATRIX_MAX, &n, "1 2 3 4 5 6 7 8", &err), 0);
        assert_int_equal(n, 8);
        assert_int_equal(dl_hw_gpio_lines_parse(lines, DL_MATRIX_MAX, &n, "1 2 3 4 5 6 7 8 9", &err),
                         -EINVAL);
        assert_contains(err.message, "more than 8 lines");
        assert_int_equal(n, 8);
        assert_string_equal(lines[0].line, "1");

        /* A bad item is named; nothing changes. */
        assert_int_equal(dl_hw_gpio_lines_parse(lines, DL_MATRIX_MAX, &n, "GPIO5 :6 GPIO7", &err), -EINVAL);
        assert_contains(err.message, "line 2 (:6): empty chip");
        assert_int_equal(n, 8);
        assert_string_equal(lines[0].line, "1");

        assert_int_equal(dl_hw_gpio_lines_parse(lines, DL_MATRIX_MAX, &n, "   ", &err), -EINVAL);
        assert_contains(err.message, "no line");
        assert_int_equal(dl_hw_gpio_lines_parse(lines, DL_MATRIX_MAX, &n, "", &err), -EINVAL);
        assert_int_equal(dl_hw_gpio_lines_parse(NULL, DL_MATRIX_MAX, &n, "1", &err), -EINVAL);
        assert_int_equal(dl_hw_gpio_lines_parse(lines, 0, &n, "1", &err), -EINVAL);
        assert_int_equal(dl_hw_gpio_lines_parse(lines, DL_MATRIX_MAX + 1, &n, "1", &err), -EINVAL);
        /* A smaller max. */
        assert_int_equal(dl_hw_gpio_lines_parse(lines, 2, &n, "1 2 3", &err), -EINVAL);
        assert_contains(err.message, "more than 2 lines");
}

/* ---- the whole-config check ---- */

static void set_line(struct dl_hw_gpio_line *l, const char *spec) {
        *l = line_of(spec);
}

static void set_lines(struct dl_hw_gpio_line *lines, unsigned *n, const char *spec) {
        struct dl_error err = {};
        int r = dl_hw_gpio_lines_parse(lines, DL_MATRIX_MAX, n, spec, &err);

        if (r < 0)
                fail_msg("\"%s\": %s", spec, dl_error_message(&err, r));
}

/* A complete matrix-and-motor door, all on the default chip. */
static void motor_door(struct dl_hw_gpio_config *c) {
        dl_hw_gpio_config_init(c);
        strcpy(c->chip, "pinctrl-bcm2835");
        c->keypad = DL_HW_KEYPAD_MATRIX;
        set_lines(c->rows, &c->n_rows, "GPIO5 GPIO6 GPIO13 GPIO19");
        set_lines(c->cols, &c->n_cols, "GPIO12 GPIO16 GPIO20");
        c->actuator = DL_HW_ACTUATOR_MOTOR;
        set_line(&c->motor_unlock, "GPIO23");
        set_line(&c->motor_lock, "GPIO24");
        set_line(&c->bolt_retracted, "GPIO17:active-low");
        set_line(&c->bolt_extended, "GPIO27:active-low");
        set_line(&c->door, "GPIO22");
        set_line(&c->exit_button, "GPIO26:active-low");
        set_line(&c->buzzer, "GPIO18");
        set_line(&c->led, "GPIO25");
}

/* A Wiegand-and-strike door, every line with its chip. */
static void strike_door(struct dl_hw_gpio_config *c) {
        dl_hw_gpio_config_init(c);
        c->keypad = DL_HW_KEYPAD_WIEGAND;
        set_line(&c->wiegand_d0, "gpiochip0:GPIO20");
        set_line(&c->wiegand_d1, "gpiochip0:GPIO21");
        c->actuator = DL_HW_ACTUATOR_STRIKE;
        set_line(&c->strike, "gpiochip0:GPIO23");
        set_line(&c->door, "gpiochip0:GPIO22");
        set_line(&c->doorbell, "gpiochip0:GPIO16");
        set_line(&c->tamper, "gpiochip0:GPIO12");
}

static void assert_check_ok(const struct dl_hw_gpio_config *c) {
        struct dl_error err = {};
        int r = dl_hw_gpio_config_check(c, &err);

        if (r < 0)
                fail_msg("check failed: %s", dl_error_message(&err, r));
        assert_true(dl_hw_gpio_config_any(c));
}

static void assert_check_fails(const struct dl_hw_gpio_config *c, const char *needle, const char *needle2) {
        struct dl_error err = {};

        assert_int_equal(dl_hw_gpio_config_check(c, &err), -EINVAL);
        assert_int_equal(err.code, -EINVAL);
        assert_contains(err.message, needle);
        if (needle2)
                assert_contains(err.message, needle2);
        assert_int_equal(dl_hw_gpio_config_check(c, NULL), -EINVAL);
}

static void test_check_complete(void **state _unused_) {
        struct dl_hw_gpio_config c;

        motor_door(&c);
        assert_check_ok(&c);
        strike_door(&c);
        assert_check_ok(&c);
        assert_int_equal(dl_hw_gpio_config_check(NULL, NULL), -EINVAL);
        assert_false(dl_hw_gpio_config_any(NULL));
}

static void test_any(void **state _unused_) {
        struct dl_hw_gpio_config c;

        dl_hw_gpio_config_init(&c);
        strcpy(c.chip, "gpiochip0");
        assert_false(dl_hw_gpio_config_any(&c)); /* a chip alone is no hardware */

        dl_hw_gpio_config_init(&c);
        c.keypad = DL_HW_KEYPAD_WIEGAND;
        assert_true(dl_hw_gpio_config_any(&c));

        dl_hw_gpio_config_init(&c);
        c.actuator = DL_HW_ACTUATOR_STRIKE;
        assert_true(dl_hw_gpio_config_any(&c));

        dl_hw_gpio_config_init(&c);
        set_lines(c.rows, &c.n_rows, "1");
        assert_true(dl_hw_gpio_config_any(&c));

        dl_hw_gpio_config_init(&c);
        set_lines(c.cols, &c.n_cols, "1");
        assert_true(dl_hw_gpio_config_any(&c));

        /* Each single line counts by itself. */
        for (int i = 0; i < 13; i++) {
                struct dl_hw_gpio_line *lines[] = {
                        &c.wiegand_d0,    &c.wiegand_d1, &c.motor_unlock, &c.motor_lock,  &c.bolt_retracted,
                        &c.bolt_extended, &c.strike,     &c.door,         &c.exit_button, &c.doorbell,
                        &c.tamper,        &c.buzzer,     &c.led,
                };

                dl_hw_gpio_config_init(&c);
                assert_false(dl_hw_gpio_config_any(&c));
                set_line(lines[i], "gpiochip0:1");
                assert_true(dl_hw_gpio_config_any(&c));
                /* And alone, without keypad or actuator, is consistent. */
                if (lines[i] != &c.wiegand_d0 && lines[i] != &c.wiegand_d1 && lines[i] != &c.motor_unlock &&
                    lines[i] != &c.motor_lock && lines[i] != &c.strike)
                        assert_int_equal(dl_hw_gpio_config_check(&c, NULL), 0);
        }
}

static void test_check_motor(void **state _unused_) {
        struct dl_hw_gpio_config c;

        motor_door(&c);
        c.motor_lock.set = false;
        assert_check_fails(
                &c, "[Lock] MotorLock= is missing: Actuator=motor needs MotorUnlock= and MotorLock=", NULL);

        motor_door(&c);
        c.motor_unlock.set = false;
        assert_check_fails(&c, "[Lock] MotorUnlock= is missing", NULL);

        /* One bolt sensor is enough, either one; none is not. */
        motor_door(&c);
        c.bolt_retracted.set = false;
        assert_check_ok(&c);
        motor_door(&c);
        c.bolt_extended.set = false;
        assert_check_ok(&c);
        c.bolt_retracted.set = false;
        assert_check_fails(&c, "[Lock] BoltRetracted= and BoltExtended= are both missing", "bolt sensor");

        motor_door(&c);
        c.motor_dead_time_usec = 0;
        assert_check_fails(&c, "MotorDeadTimeMilliseconds=", NULL);
        motor_door(&c);
        c.motor_timeout_usec = 0;
        assert_check_fails(&c, "MotorTimeoutMilliseconds=", NULL);

        /* A strike line with a motor. */
        motor_door(&c);
        set_line(&c.strike, "GPIO4");
        assert_check_fails(&c, "[Lock] Strike= is set, but Actuator=motor", NULL);
}

static void test_check_strike(void **state _unused_) {
        struct dl_hw_gpio_config c;

        strike_door(&c);
        c.strike.set = false;
        assert_check_fails(&c, "[Lock] Strike= is missing: Actuator=strike needs Strike=", NULL);

        /* Bolt sensors are allowed with a strike. */
        strike_door(&c);
        set_line(&c.bolt_extended, "gpiochip0:5");
        assert_check_ok(&c);

        strike_door(&c);
        c.strike_type = DL_HW_STRIKE_FAIL_SAFE;
        assert_check_ok(&c);
        c.strike_type = (enum dl_hw_strike_type)7;
        assert_check_fails(&c, "[Lock] StrikeType=", NULL);

        strike_door(&c);
        c.strike_usec = -1;
        assert_check_fails(&c, "[Lock] StrikeMilliseconds=", NULL);

        /* Motor lines with a strike, or with no actuator. */
        strike_door(&c);
        set_line(&c.motor_unlock, "gpiochip0:5");
        assert_check_fails(&c, "[Lock] MotorUnlock= is set, but Actuator=strike", NULL);
        strike_door(&c);
        set_line(&c.motor_lock, "gpiochip0:5");
        assert_check_fails(&c, "[Lock] MotorLock= is set, but Actuator=strike", NULL);
        strike_door(&c);
        c.actuator = DL_HW_ACTUATOR_NONE;
        assert_check_fails(&c, "[Lock] Strike= is set, but Actuator=none", NULL);
        c.actuator = (enum dl_hw_actuator)9;
        c.strike.set = false;
        assert_check_fails(&c, "[Lock] Actuator=", NULL);

        strike_door(&c);
        c.input_debounce_usec = -1;
        assert_check_fails(&c, "[Lock] InputDebounceMilliseconds=", NULL);
}

static void test_check_matrix(void **state _unused_) {
        struct dl_hw_gpio_config c;
        struct dl_error err = {};

        motor_door(&c);
        c.n_rows = 0;
        assert_check_fails(&c, "[Keypad] Rows= is missing: Type=matrix needs Rows= and Columns=", NULL);
        motor_door(&c);
        c.n_cols = 0;
        assert_check_fails(&c, "[Keypad] Columns= is missing", NULL);

        /* The counts follow the key map. */
        motor_door(&c);
        set_lines(c.rows, &c.n_rows, "GPIO5 GPIO6 GPIO13");
        assert_check_fails(&c, "[Keypad] Rows= names 3 lines, but KeyMap= has 4 rows", NULL);
        motor_door(&c);
        set_lines(c.cols, &c.n_cols, "GPIO12 GPIO16 GPIO20 GPIO21");
        assert_check_fails(&c, "[Keypad] Columns= names 4 lines, but KeyMap= has 3 columns", NULL);
        assert_int_equal(dl_matrix_config_parse_keymap(&c.matrix, "123A 456B 789C *0#D", &err), 0);
        assert_check_ok(&c);
        assert_int_equal(dl_matrix_config_parse_keymap(&c.matrix, "12 34", &err), 0);
        assert_check_fails(&c, "[Keypad] Rows= names 4 lines, but KeyMap= has 2 rows", NULL);

        /* The matrix's own check. */
        motor_door(&c);
        c.matrix.settle_usec = 0;
        assert_check_fails(&c, "[Keypad] KeyMap=, SettleMicroseconds=, DebounceMilliseconds=", "settle");

        /* Matrix lines with another keypad type. */
        motor_door(&c);
        c.keypad = DL_HW_KEYPAD_NONE;
        assert_check_fails(&c, "[Keypad] Rows= is set, but Type=none", NULL);
        c.n_rows = 0;
        assert_check_fails(&c, "[Keypad] Columns= is set, but Type=none", NULL);
        motor_door(&c);
        c.keypad = DL_HW_KEYPAD_WIEGAND;
        set_line(&c.wiegand_d0, "GPIO2");
        set_line(&c.wiegand_d1, "GPIO3");
        assert_check_fails(&c, "[Keypad] Rows= is set, but Type=wiegand", NULL);

        motor_door(&c);
        c.n_rows = DL_MATRIX_MAX + 1;
        assert_check_fails(&c, "at most 8", NULL);
        motor_door(&c);
        c.keypad = (enum dl_hw_keypad_type)5;
        c.n_rows = c.n_cols = 0;
        assert_check_fails(&c, "[Keypad] Type=", NULL);
}

static void test_check_wiegand(void **state _unused_) {
        struct dl_hw_gpio_config c;

        strike_door(&c);
        c.wiegand_d0.set = false;
        assert_check_fails(
                &c, "[Keypad] WiegandD0= is missing: Type=wiegand needs WiegandD0= and WiegandD1=", NULL);
        strike_door(&c);
        c.wiegand_d1.set = false;
        assert_check_fails(&c, "[Keypad] WiegandD1= is missing", NULL);

        strike_door(&c);
        c.wiegand.frame_gap_usec = c.wiegand.max_interval_usec;
        assert_check_fails(&c, "[Keypad] WiegandTiming=", NULL);

        /* Wiegand lines with another type. */
        strike_door(&c);
        c.keypad = DL_HW_KEYPAD_NONE;
        assert_check_fails(&c, "[Keypad] WiegandD0= is set, but Type=none", NULL);
        c.wiegand_d0.set = false;
        assert_check_fails(&c, "[Keypad] WiegandD1= is set, but Type=none", NULL);
}

static void test_check_chip(void **state _unused_) {
        struct dl_hw_gpio_config c;

        /* No chip of its own and no default: named. */
        motor_door(&c);
        c.chip[0] = '\0';
        assert_check_fails(&c, "[Keypad] Rows= (line 1) names no chip (\"GPIO5\")", "[Gpio] Chip=");
        strike_door(&c);
        set_line(&c.led, "GPIO25");
        assert_check_fails(&c, "[Lock] Led= names no chip (\"GPIO25\")", NULL);
        strcpy(c.chip, "gpiochip0");
        assert_check_ok(&c);
}

static void test_check_duplicates(void **state _unused_) {
        struct dl_hw_gpio_config c;

        motor_door(&c);
        set_line(&c.led, "GPIO18"); /* the buzzer's */
        assert_check_fails(&c, "[Lock] Led= is the same line as [Lock] Buzzer= (pinctrl-bcm2835:GPIO18)",
                           NULL);

        /* The default chip written out is the same chip. */
        motor_door(&c);
        set_line(&c.led, "pinctrl-bcm2835:GPIO18:active-low");
        assert_check_fails(&c, "[Lock] Led= is the same line as [Lock] Buzzer=", NULL);

        /* Offsets as numbers. */
        motor_door(&c);
        set_line(&c.buzzer, "18");
        set_line(&c.led, "018");
        assert_check_fails(&c, "[Lock] Led= is the same line as [Lock] Buzzer=", NULL);

        /* Within a list, and across lists. */
        motor_door(&c);
        set_lines(c.rows, &c.n_rows, "GPIO5 GPIO6 GPIO5 GPIO19");
        assert_check_fails(&c, "[Keypad] Rows= (line 3) is the same line as [Keypad] Rows= (line 1)", NULL);
        motor_door(&c);
        set_lines(c.cols, &c.n_cols, "GPIO12 GPIO16 GPIO19");
        assert_check_fails(&c, "[Keypad] Columns= (line 3) is the same line as [Keypad] Rows= (line 4)",
                           NULL);
        motor_door(&c);
        set_line(&c.door, "GPIO24");
        assert_check_fails(&c, "[Lock] Door= is the same line as [Lock] MotorLock=", NULL);

        /* Same line name on another chip, or another line: fine. */
        motor_door(&c);
        set_line(&c.led, "gpiochip9:GPIO18");
        assert_check_ok(&c);
        set_line(&c.led, "GPIO180");
        assert_check_ok(&c);
        /* A name and an offset cannot be compared here. */
        set_line(&c.led, "18");
        assert_check_ok(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_init),           cmocka_unit_test(test_line_syntax),
                cmocka_unit_test(test_line_bad),       cmocka_unit_test(test_lines),
                cmocka_unit_test(test_check_complete), cmocka_unit_test(test_any),
                cmocka_unit_test(test_check_motor),    cmocka_unit_test(test_check_strike),
                cmocka_unit_test(test_check_matrix),   cmocka_unit_test(test_check_wiegand),
                cmocka_unit_test(test_check_chip),     cmocka_unit_test(test_check_duplicates),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
