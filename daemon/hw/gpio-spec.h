/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pure part of GPIO naming (gpio.h), under gpio-common.c's lookup for
 * gpio-v1.c and gpio-v2.c:
 * how a config string says which chip and which line it means.  No files,
 * no libgpiod: the host's unit tests run it (tests/hw/test-gpio-spec.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A line given as a decimal offset ("17", also "017"): 0 and *ret set.
 * -EINVAL when it is not one (it is then a name, "GPIO17"); -ERANGE for a
 * number that does not fit. */
int dl_gpio_spec_line_offset(const char *line, unsigned *ret);

/* A chip given as a path: it holds a '/' ("/dev/gpiochip0", "./gpiochip0").
 * Anything else is matched against each chip's label and name. */
bool dl_gpio_spec_chip_is_path(const char *chip);

/* The number of a character device's name "gpiochipN": 0 and *ret set, or
 * -EINVAL for any other name ("gpiochip", "gpiochip0a", "gpiochip-1"). */
int dl_gpio_spec_chip_number(const char *devname, unsigned *ret);

/* Does the chip spec (not a path) name this chip, by its label or its name?
 * Either may be NULL (not known). */
bool dl_gpio_spec_chip_matches(const char *chip, const char *name, const char *label);

/* Sort chip numbers ascending, for the walk of /dev in chip order. */
void dl_gpio_spec_sort_numbers(unsigned *numbers, size_t n);
