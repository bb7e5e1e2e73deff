/* SPDX-License-Identifier: GPL-2.0-or-later */
/* GPIO lines through the kernel's GPIO character device: the one small
 * interface the libgpiod backend uses, implemented twice and chosen at
 * build time by meson from the libgpiod version found:
 *
 *   gpio-v1.c  libgpiod 1.6 (Debian 12, Raspberry Pi OS bookworm)
 *   gpio-v2.c  libgpiod 2.x (Debian 13, Raspberry Pi OS trixie)
 *
 * Nothing above this header knows which one it got.
 *
 * Naming.  A line is named in the config by its chip and the line itself:
 *   chip  the chip's label ("pinctrl-bcm2835", "pinctrl-rp1"; recommended,
 *         because chip numbers move, e.g. on the Pi 5), its name
 *         ("gpiochip0") or its path ("/dev/gpiochip0");
 *   line  the line's name ("GPIO17") or its offset ("17").
 * libgpiod 2.x has no lookup helpers, so both implementations walk
 * /dev/gpiochip* themselves (dl_gpio_chip_resolve(), shared in
 * gpio-common.c), in the order of the chip numbers, and the first chip
 * whose label or name matches wins.  A name
 * that more than one line of the chosen chip carries is refused (-ENOTUNIQ):
 * the wrong line may drive a motor.
 *
 * Values are logical: 1 is "active", and active_low flips the electrical
 * level in the kernel (so an input read and an event's edge are logical
 * too).
 *
 * Events.  An input requested with edge detection has a file descriptor
 * that becomes readable when the kernel has queued edges; the backend puts
 * it into the sd-event loop and calls dl_gpio_line_read_events(), which
 * never blocks.  Timestamps are the kernel's, CLOCK_MONOTONIC, in µs (the
 * pure logic's time base).  libgpiod 1.6's kernel interface keeps at most
 * 16 events per line; 2.x lets the request ask for more (event_buffer). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define DL_GPIO_CONSUMER "doorlockd"
#define DL_GPIO_DEV_DIR "/dev"

struct dl_gpio_line;

struct dl_gpio_line_spec {
        const char *chip; /* label, name or path */
        const char *line; /* name or decimal offset */
        bool active_low;
};

enum dl_gpio_direction {
        DL_GPIO_INPUT,
        DL_GPIO_OUTPUT,
};

enum dl_gpio_bias {
        DL_GPIO_BIAS_AS_IS,
        DL_GPIO_BIAS_DISABLED,
        DL_GPIO_BIAS_PULL_UP,
        DL_GPIO_BIAS_PULL_DOWN,
};

enum dl_gpio_edge {
        DL_GPIO_EDGE_NONE,
        DL_GPIO_EDGE_RISING,
        DL_GPIO_EDGE_FALLING,
        DL_GPIO_EDGE_BOTH,
};

enum dl_gpio_drive {
        DL_GPIO_DRIVE_PUSH_PULL,
        DL_GPIO_DRIVE_OPEN_DRAIN,
        DL_GPIO_DRIVE_OPEN_SOURCE,
};

struct dl_gpio_request {
        enum dl_gpio_direction direction;
        enum dl_gpio_bias bias;   /* inputs; outputs with open drain/source */
        enum dl_gpio_edge edge;   /* inputs only */
        enum dl_gpio_drive drive; /* outputs only */
        int initial;              /* outputs: the logical value set by the request itself */
        unsigned event_buffer;    /* inputs with edges: kernel queue size wanted; 0 = the default.
                                   * libgpiod 1.6 cannot change it (16) */
};

struct dl_gpio_event {
        uint64_t timestamp_usec; /* CLOCK_MONOTONIC, from the kernel */
        bool rising;             /* logical: false = became inactive */
};

/* Where a chip given by label, name or path is: *ret_path = "/dev/gpiochipN"
 * (to free).  Walks dev_dir (DL_GPIO_DEV_DIR; tests may pass another) for
 * gpiochip* character devices.  -ENODEV with a message naming the chip when
 * none matches. */
int dl_gpio_chip_resolve(const char *dev_dir, const char *chip, char **ret_path, struct dl_error *err);

/* The offset of a line given by name or decimal offset on the chip at
 * chip_path.  -ENOENT: no such line; -ENOTUNIQ: the name is not unique on
 * the chip; -ERANGE: offset past the chip's lines. */
int dl_gpio_line_resolve(const char *chip_path, const char *line, unsigned *ret_offset,
                         struct dl_error *err);

/* Resolve spec and request the line as req says.  -EBUSY with a message
 * naming the line and its current consumer when it is in use. */
int dl_gpio_line_request(const char *dev_dir, const struct dl_gpio_line_spec *spec,
                         const struct dl_gpio_request *req, struct dl_gpio_line **ret, struct dl_error *err);

/* Release the line (outputs keep their last value in the kernel until the
 * chip driver resets it: the backend drives them to their safe state
 * first). NULL is fine. */
struct dl_gpio_line *dl_gpio_line_free(struct dl_gpio_line *l);
void dl_gpio_line_freep(struct dl_gpio_line **l);
#define _cleanup_gpio_line_ _cleanup_(dl_gpio_line_freep)

/* The logical value (0 or 1), or a negative errno. */
int dl_gpio_line_get(struct dl_gpio_line *l);
/* Set an output's logical value. */
int dl_gpio_line_set(struct dl_gpio_line *l, int value);

/* The file descriptor that becomes readable when edges are queued, or
 * -EINVAL for a line requested without edge detection. */
int dl_gpio_line_fd(struct dl_gpio_line *l);

/* Read up to max queued edges without blocking: the number read (0 when
 * none is queued), or a negative errno. */
int dl_gpio_line_read_events(struct dl_gpio_line *l, struct dl_gpio_event *ev, size_t max);

/* "chip/line (offset N)" for messages and `lockctl hw status`. */
const char *dl_gpio_line_describe(const struct dl_gpio_line *l);

/* The libgpiod this was built with: "1.6.3", "2.1.3". */
const char *dl_gpio_library_version(void);
