/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What gpio-v1.c and gpio-v2.c share (gpio-common.c): opening a chip, the
 * walk of /dev/gpiochip* behind dl_gpio_chip_resolve(), finding a line by
 * name or offset (dl_gpio_line_resolve()), the checks of a request that do
 * not depend on libgpiod, and the messages, so that both say the same
 * thing in the same words.  gpiod_chip_open() and gpiod_chip_close() are
 * the same in libgpiod 1.6 and 2.x; what differs is behind the two hooks
 * each implementation provides. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "gpio.h"

struct gpiod_chip;

/* Long enough for any chip or line name and label the kernel reports (32
 * bytes each in its uAPI). */
#define DL_GPIO_NAME_MAX 64

struct dl_gpio_chip_info {
        char name[DL_GPIO_NAME_MAX];  /* "gpiochipN" */
        char label[DL_GPIO_NAME_MAX]; /* "pinctrl-bcm2835"; may be empty */
        unsigned n_lines;
};

/* Hook: the chip's name, label and number of lines.  0 or -errno. */
int dl_gpio_impl_chip_info(struct gpiod_chip *c, struct dl_gpio_chip_info *ret);

/* Hook: the name of the chip's line at offset into buf ("" for a line
 * without one).  0 or -errno. */
int dl_gpio_impl_line_name(struct gpiod_chip *c, unsigned offset, char *buf, size_t size);

/* Open the chip at chip_path: 0, or -errno with a message. */
int dl_gpio_common_open_chip(const char *chip_path, struct gpiod_chip **ret, struct dl_error *err);
void dl_gpio_common_chip_closep(struct gpiod_chip **c);
#define _cleanup_gpiod_chip_ _cleanup_(dl_gpio_common_chip_closep)

/* The offset of a line given by name or decimal offset on the open chip c
 * at path (dl_gpio_line_resolve() on an open chip). */
int dl_gpio_common_line_on_chip(struct gpiod_chip *c, const char *path, const char *line,
                                unsigned *ret_offset, struct dl_error *err);

/* The request's combination is one the kernel takes: edges are for inputs
 * only, drive modes for outputs only, every enum in range.  0 or -EINVAL,
 * with the message naming the line. */
int dl_gpio_common_request_check(const struct dl_gpio_line_spec *spec, const struct dl_gpio_request *req,
                                 struct dl_error *err);

/* -EBUSY with "GPIO line ... is in use by 'consumer'" (consumer NULL or
 * empty: one that gave no name). */
int dl_gpio_common_busy(const char *line_desc, const char *consumer, struct dl_error *err);
