/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What gpio-v1.c and gpio-v2.c share (gpio-common.c): the walk of
 * /dev/gpiochip* behind dl_gpio_chip_resolve(), the checks of a request
 * that do not depend on libgpiod, and the messages, so that both say the
 * same thing in the same words.  Each implementation provides the one hook
 * the walk needs, dl_gpio_impl_chip_probe(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "gpio.h"

/* Hook, one per implementation: open the chip at path, copy its name
 * ("gpiochipN") and label into name and label (each of its size; either may
 * be NULL, when only the open matters) and close it.  0, or the negative
 * errno of the failed open. */
int dl_gpio_impl_chip_probe(const char *path, char *name, size_t name_size, char *label, size_t label_size);

/* "'label' (/dev/gpiochipN)" (the name when the label is empty), for messages. */
void dl_gpio_common_chip_describe(const char *name, const char *label, const char *path, char *buf,
                                  size_t size);

/* The request's combination is one the kernel takes: edges are for inputs
 * only, drive modes for outputs only, every enum in range.  0 or -EINVAL,
 * with the message naming the line. */
int dl_gpio_common_request_check(const struct dl_gpio_line_spec *spec, const struct dl_gpio_request *req,
                                 struct dl_error *err);

/* The line string of a config before any name is looked at, on a chip of
 * n_lines lines described by chip_desc: 0 and *ret_offset set for an offset;
 * 1 for a name, which the caller then looks up line by line, feeding each
 * line that carries it to dl_gpio_common_name_found(); or a negative errno
 * with a message (-EINVAL: no line given; -ERANGE: offset past the last
 * line). */
int dl_gpio_common_line_offset(const char *line, unsigned n_lines, const char *chip_desc,
                               unsigned *ret_offset, struct dl_error *err);

struct dl_gpio_name_scan {
        unsigned found;  /* lines carrying the name */
        unsigned first;  /* offset of the first of them */
        unsigned second; /* and of the second */
};

/* One more line, at offset, carries the name looked for. */
void dl_gpio_common_name_found(struct dl_gpio_name_scan *s, unsigned offset);

/* The outcome of the scan: 0 and *ret_offset for a unique name; -ENOENT
 * (no line has it) or -ENOTUNIQ (two or more, both offsets named in the
 * message), with a message. */
int dl_gpio_common_name_result(const struct dl_gpio_name_scan *s, const char *line, const char *chip_desc,
                               unsigned *ret_offset, struct dl_error *err);

/* -EBUSY with "GPIO line ... is in use by 'consumer'" (consumer NULL or
 * empty: one that gave no name). */
int dl_gpio_common_busy(const char *line_desc, const char *consumer, struct dl_error *err);
