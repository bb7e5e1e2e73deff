/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The naming helpers of gpio-spec.c, and what dl_gpio_chip_resolve() says
 * without any GPIO hardware (a scratch directory as dev_dir).  The real
 * chips are tested in the VM tier: tests/vm/test-gpio-lines.c. */
#include "test-util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "gpio-spec.h"
#include "gpio.h"

static void test_line_offset(void **state _unused_) {
        unsigned v = 99;

        assert_int_equal(dl_gpio_spec_line_offset("17", &v), 0);
        assert_int_equal(v, 17);
        assert_int_equal(dl_gpio_spec_line_offset("0", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(dl_gpio_spec_line_offset("017", &v), 0);
        assert_int_equal(v, 17);
        assert_int_equal(dl_gpio_spec_line_offset("4294967295", &v), 0);
        assert_int_equal(v, UINT_MAX);
        assert_int_equal(dl_gpio_spec_line_offset("4294967296", &v), -ERANGE);
        assert_int_equal(dl_gpio_spec_line_offset("99999999999999999999999", &v), -ERANGE);
        assert_int_equal(dl_gpio_spec_line_offset("17", NULL), 0);
}

static void test_line_name(void **state _unused_) {
        unsigned v = 5;

        /* Names, not offsets: the caller looks them up. */
        assert_int_equal(dl_gpio_spec_line_offset("GPIO17", &v), -EINVAL);
        assert_int_equal(dl_gpio_spec_line_offset("17a", &v), -EINVAL);
        assert_int_equal(dl_gpio_spec_line_offset(" 17", &v), -EINVAL);
        assert_int_equal(dl_gpio_spec_line_offset("+17", &v), -EINVAL);
        assert_int_equal(dl_gpio_spec_line_offset("-1", &v), -EINVAL);
        assert_int_equal(dl_gpio_spec_line_offset("0x11", &v), -EINVAL);
        assert_int_equal(dl_gpio_spec_line_offset("", &v), -EINVAL);
        assert_int_equal(dl_gpio_spec_line_offset(NULL, &v), -EINVAL);
        assert_int_equal(v, 5);
}

static void test_chip_is_path(void **state _unused_) {
        assert_true(dl_gpio_spec_chip_is_path("/dev/gpiochip0"));
        assert_true(dl_gpio_spec_chip_is_path("./gpiochip0"));
        assert_false(dl_gpio_spec_chip_is_path("gpiochip0"));
        assert_false(dl_gpio_spec_chip_is_path("pinctrl-bcm2835"));
        assert_false(dl_gpio_spec_chip_is_path(""));
        assert_false(dl_gpio_spec_chip_is_path(NULL));
}

static void test_chip_number(void **state _unused_) {
        unsigned n = 7;

        assert_int_equal(dl_gpio_spec_chip_number("gpiochip0", &n), 0);
        assert_int_equal(n, 0);
        assert_int_equal(dl_gpio_spec_chip_number("gpiochip512", &n), 0);
        assert_int_equal(n, 512);
        assert_int_equal(dl_gpio_spec_chip_number("gpiochip", &n), -EINVAL);
        assert_int_equal(dl_gpio_spec_chip_number("gpiochip0a", &n), -EINVAL);
        assert_int_equal(dl_gpio_spec_chip_number("gpiochip-1", &n), -EINVAL);
        assert_int_equal(dl_gpio_spec_chip_number("gpiomem", &n), -EINVAL);
        assert_int_equal(dl_gpio_spec_chip_number("xgpiochip0", &n), -EINVAL);
        assert_int_equal(dl_gpio_spec_chip_number(NULL, &n), -EINVAL);
        assert_int_equal(n, 512);
}

static void test_chip_matches(void **state _unused_) {
        assert_true(dl_gpio_spec_chip_matches("pinctrl-rp1", "gpiochip4", "pinctrl-rp1"));
        assert_true(dl_gpio_spec_chip_matches("gpiochip4", "gpiochip4", "pinctrl-rp1"));
        assert_false(dl_gpio_spec_chip_matches("pinctrl", "gpiochip4", "pinctrl-rp1"));
        assert_false(dl_gpio_spec_chip_matches("gpiochip0", "gpiochip4", "pinctrl-rp1"));
        assert_true(dl_gpio_spec_chip_matches("gpiochip4", "gpiochip4", NULL));
        assert_false(dl_gpio_spec_chip_matches("x", NULL, NULL));
        assert_false(dl_gpio_spec_chip_matches("", "", ""));
        assert_false(dl_gpio_spec_chip_matches(NULL, "gpiochip4", "x"));
}

static void test_sort_numbers(void **state _unused_) {
        unsigned a[] = { 10, 2, 512, 0, 1 };
        unsigned b[] = { 3 };

        dl_gpio_spec_sort_numbers(a, ELEMENTSOF(a));
        assert_int_equal(a[0], 0);
        assert_int_equal(a[1], 1);
        assert_int_equal(a[2], 2);
        assert_int_equal(a[3], 10);
        assert_int_equal(a[4], 512);
        dl_gpio_spec_sort_numbers(b, 1);
        dl_gpio_spec_sort_numbers(NULL, 0);
        assert_int_equal(b[0], 3);
}

/* No chip in an empty dev_dir: -ENODEV, and the message names the chip. */
static void test_resolve_none(void **state _unused_) {
        char *dir = scratch_dir_new();
        struct dl_error err = {};
        char *path = NULL;

        assert_int_equal(dl_gpio_chip_resolve(dir, "pinctrl-bcm2835", &path, &err), -ENODEV);
        assert_null(path);
        assert_int_equal(err.code, -ENODEV);
        assert_non_null(strstr(err.message, "'pinctrl-bcm2835'"));
        assert_non_null(strstr(err.message, dir));
        scratch_dir_free(dir);
}

/* A regular file named gpiochip0 is not a chip, and a missing path is none. */
static void test_resolve_not_a_chip(void **state _unused_) {
        char *dir = scratch_dir_new(), *file = NULL, *path = NULL;
        struct dl_error err = {};
        FILE *f;

        assert_true(asprintf(&file, "%s/gpiochip0", dir) > 0);
        f = fopen(file, "w");
        assert_non_null(f);
        fclose(f);

        assert_int_equal(dl_gpio_chip_resolve(dir, "gpiochip0", &path, &err), -ENODEV);
        assert_non_null(strstr(err.message, "(0 looked at)"));
        assert_int_equal(dl_gpio_chip_resolve(NULL, file, &path, &err), -ENODEV);
        assert_non_null(strstr(err.message, "not a character device"));
        assert_int_equal(dl_gpio_chip_resolve(NULL, "/nonexistent/gpiochip9", &path, &err), -ENODEV);
        assert_non_null(strstr(err.message, "/nonexistent/gpiochip9"));
        /* /dev/null is a character device but no GPIO chip. */
        assert_int_equal(dl_gpio_chip_resolve(NULL, "/dev/null", &path, &err), -ENODEV);
        assert_non_null(strstr(err.message, "not a GPIO chip"));
        assert_null(path);
        free(file);
        scratch_dir_free(dir);
}

static void test_resolve_bad_args(void **state _unused_) {
        struct dl_error err = {};
        char *path = NULL;

        assert_int_equal(dl_gpio_chip_resolve(NULL, "", &path, &err), -EINVAL);
        assert_int_equal(dl_gpio_chip_resolve(NULL, NULL, &path, NULL), -EINVAL);
        assert_int_equal(dl_gpio_chip_resolve("/nonexistent-dev-dir", "x", &path, &err), -ENOENT);
        assert_non_null(strstr(err.message, "/nonexistent-dev-dir"));
        assert_null(path);
}

static void test_library_version(void **state _unused_) {
        const char *v = dl_gpio_library_version();

        assert_non_null(v);
        assert_true(v[0] >= '1' && v[0] <= '9');
        assert_non_null(strchr(v, '.'));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_line_offset),      cmocka_unit_test(test_line_name),
                cmocka_unit_test(test_chip_is_path),     cmocka_unit_test(test_chip_number),
                cmocka_unit_test(test_chip_matches),     cmocka_unit_test(test_sort_numbers),
                cmocka_unit_test(test_resolve_none),     cmocka_unit_test(test_resolve_not_a_chip),
                cmocka_unit_test(test_resolve_bad_args), cmocka_unit_test(test_library_version),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
