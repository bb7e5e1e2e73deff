/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The example configurations of docs/examples/ (installed to
 * /usr/share/doc/doorlockd/examples/, described in docs/wiring.md) load,
 * pass the whole-config check and say what their comments say. */
#include "test-util.h"

/* Not "config.h": that name finds the build's generated config.h first. */
#include "../daemon/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void load_example(const char *name, struct dl_daemon_config *c) {
        const char *root = getenv("SOURCE_ROOT");
        struct dl_error err = {};
        char *path;
        int r;

        if (!root || !*root)
                fail_msg("SOURCE_ROOT is not set");
        if (asprintf(&path, "%s/docs/examples/%s", root, name) < 0)
                abort();
        /* A missing file would load as all defaults: make sure it is there. */
        if (access(path, R_OK) != 0)
                fail_msg("cannot read %s", path);
        dl_daemon_config_init(c);
        r = dl_daemon_config_load(c, path, &err);
        if (r != 0)
                fail_msg("%s: %s", path, dl_error_message(&err, r));
        assert_int_equal(c->backend, DL_BACKEND_GPIO);
        r = dl_hw_gpio_config_check(&c->gpio, &err);
        if (r != 0)
                fail_msg("%s: %s", path, dl_error_message(&err, r));
        assert_true(dl_hw_gpio_config_any(&c->gpio));
        free(path);
}

static void assert_line(const struct dl_hw_gpio_line *l, const char *chip, const char *line,
                        bool active_low) {
        assert_true(l->set);
        assert_string_equal(l->chip, chip);
        assert_string_equal(l->line, line);
        assert_int_equal(l->active_low, active_low);
}

static void test_matrix_motor(void **state _unused_) {
        struct dl_daemon_config c;
        const struct dl_hw_gpio_config *g = &c.gpio;

        load_example("matrix-motor.conf", &c);
        assert_string_equal(g->chip, "pinctrl-bcm2835");
        assert_int_equal(g->keypad, DL_HW_KEYPAD_MATRIX);
        assert_int_equal(g->n_rows, 4);
        assert_int_equal(g->n_cols, 3);
        assert_int_equal(g->matrix.rows, 4);
        assert_int_equal(g->matrix.cols, 3);
        assert_line(&g->rows[0], "", "GPIO5", false);
        assert_line(&g->cols[2], "", "GPIO20", false);
        assert_int_equal(g->actuator, DL_HW_ACTUATOR_MOTOR);
        assert_line(&g->motor_unlock, "", "GPIO23", false);
        assert_line(&g->motor_lock, "", "GPIO24", false);
        assert_line(&g->bolt_retracted, "", "GPIO17", true);
        assert_line(&g->bolt_extended, "", "GPIO27", true);
        assert_line(&g->door, "", "GPIO22", false);
        assert_line(&g->exit_button, "", "GPIO26", true);
        assert_line(&g->buzzer, "", "GPIO18", false);
        assert_line(&g->led, "", "GPIO25", false);
        assert_false(g->doorbell.set);
        assert_false(g->tamper.set);
        assert_false(g->strike.set);
        /* The door sensor follows Door=. */
        assert_true(c.lock.door_sensor);
        assert_int_equal(g->motor_timeout_usec, c.lock.motor_timeout_usec);
        dl_daemon_config_done(&c);
}

static void test_wiegand_strike(void **state _unused_) {
        struct dl_daemon_config c;
        const struct dl_hw_gpio_config *g = &c.gpio;

        load_example("wiegand-strike.conf", &c);
        assert_string_equal(g->chip, "");
        assert_int_equal(g->keypad, DL_HW_KEYPAD_WIEGAND);
        assert_line(&g->wiegand_d0, "pinctrl-bcm2835", "GPIO20", false);
        assert_line(&g->wiegand_d1, "pinctrl-bcm2835", "GPIO21", false);
        assert_false(g->wiegand.keys_4bit);
        assert_int_equal(g->actuator, DL_HW_ACTUATOR_STRIKE);
        assert_line(&g->strike, "pinctrl-bcm2835", "GPIO23", false);
        assert_int_equal(g->strike_type, DL_HW_STRIKE_FAIL_SECURE);
        assert_line(&g->door, "pinctrl-bcm2835", "GPIO22", false);
        assert_line(&g->exit_button, "pinctrl-bcm2835", "GPIO26", true);
        assert_line(&g->doorbell, "pinctrl-bcm2835", "GPIO16", true);
        assert_line(&g->tamper, "pinctrl-bcm2835", "GPIO12", false);
        assert_false(g->buzzer.set);
        assert_false(g->led.set);
        assert_int_equal(g->n_rows, 0);
        assert_true(c.lock.door_sensor);
        dl_daemon_config_done(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_matrix_motor),
                cmocka_unit_test(test_wiegand_strike),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
