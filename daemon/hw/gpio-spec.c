/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "gpio-spec.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int parse_decimal(const char *s, unsigned *ret) {
        unsigned long v = 0;

        if (!s || !*s)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned long)(*p - '0');
                if (v > UINT_MAX)
                        return -ERANGE;
        }
        *ret = (unsigned)v;
        return 0;
}

int dl_gpio_spec_line_offset(const char *line, unsigned *ret) {
        unsigned v;
        int r;

        r = parse_decimal(line, &v);
        if (r < 0)
                return r;
        if (ret)
                *ret = v;
        return 0;
}

bool dl_gpio_spec_chip_is_path(const char *chip) {
        return chip && strchr(chip, '/');
}

int dl_gpio_spec_chip_number(const char *devname, unsigned *ret) {
        unsigned v;
        int r;

        if (!devname || strncmp(devname, "gpiochip", strlen("gpiochip")) != 0)
                return -EINVAL;
        r = parse_decimal(devname + strlen("gpiochip"), &v);
        if (r < 0)
                return -EINVAL;
        if (ret)
                *ret = v;
        return 0;
}

bool dl_gpio_spec_chip_matches(const char *chip, const char *name, const char *label) {
        if (!chip || !*chip)
                return false;
        return (label && strcmp(chip, label) == 0) || (name && strcmp(chip, name) == 0);
}

static int cmp_unsigned(const void *a, const void *b) {
        unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

        return (x > y) - (x < y);
}

void dl_gpio_spec_sort_numbers(unsigned *numbers, size_t n) {
        if (n > 1)
                qsort(numbers, n, sizeof(*numbers), cmp_unsigned);
}
