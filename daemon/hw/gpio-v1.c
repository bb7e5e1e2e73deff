/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gpio.h over libgpiod 1.6 (Debian 12, Raspberry Pi OS bookworm).
 *
 * libgpiod 1.6 speaks the kernel's v1 GPIO character device interface:
 *  - line events carry CLOCK_MONOTONIC timestamps from kernel 5.7 on
 *    (CLOCK_REALTIME before; bookworm ships 6.1 and later);
 *  - the kernel keeps at most 16 events per line and drops newer ones when
 *    that queue is full, so req->event_buffer cannot be honoured;
 *  - with both edges requested, the kernel reads the line's level in its
 *    interrupt thread to tell a rising from a falling edge, so two edges in
 *    quick succession may both be reported with the later level.
 * Each requested line has its own gpiod_chip, so two requests of one line
 * in this process meet in the kernel, which answers EBUSY. */
#include "gpio.h"

#include <fcntl.h>
#include <gpiod.h>
#include <stdio.h>

#include "gpio-impl.h"
#include "macro.h"

struct dl_gpio_line {
        struct gpiod_chip *chip;
        struct gpiod_line *line;
        unsigned offset;
        bool output;
        bool edges;
        char *description;
};

int dl_gpio_impl_chip_info(struct gpiod_chip *c, struct dl_gpio_chip_info *ret) {
        (void)snprintf(ret->name, sizeof(ret->name), "%s", gpiod_chip_name(c) ?: "");
        (void)snprintf(ret->label, sizeof(ret->label), "%s", gpiod_chip_label(c) ?: "");
        ret->n_lines = gpiod_chip_num_lines(c);
        return 0;
}

int dl_gpio_impl_line_name(struct gpiod_chip *c, unsigned offset, char *buf, size_t size) {
        /* Owned by the chip: no free. */
        struct gpiod_line *l = gpiod_chip_get_line(c, offset);

        if (!l)
                return -errno;
        (void)snprintf(buf, size, "%s", gpiod_line_name(l) ?: "");
        return 0;
}

static int request_config(const struct dl_gpio_request *req, bool active_low,
                          struct gpiod_line_request_config *cfg) {
        *cfg = (struct gpiod_line_request_config){ .consumer = DL_GPIO_CONSUMER };

        switch (req->direction) {
        case DL_GPIO_OUTPUT:
                cfg->request_type = GPIOD_LINE_REQUEST_DIRECTION_OUTPUT;
                break;
        case DL_GPIO_INPUT:
                switch (req->edge) {
                case DL_GPIO_EDGE_NONE:
                        cfg->request_type = GPIOD_LINE_REQUEST_DIRECTION_INPUT;
                        break;
                case DL_GPIO_EDGE_RISING:
                        cfg->request_type = GPIOD_LINE_REQUEST_EVENT_RISING_EDGE;
                        break;
                case DL_GPIO_EDGE_FALLING:
                        cfg->request_type = GPIOD_LINE_REQUEST_EVENT_FALLING_EDGE;
                        break;
                case DL_GPIO_EDGE_BOTH:
                        cfg->request_type = GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES;
                        break;
                default:
                        return -EINVAL;
                }
                break;
        default:
                return -EINVAL;
        }

        switch (req->bias) {
        case DL_GPIO_BIAS_AS_IS:
                break;
        case DL_GPIO_BIAS_DISABLED:
                cfg->flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
                break;
        case DL_GPIO_BIAS_PULL_UP:
                cfg->flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
                break;
        case DL_GPIO_BIAS_PULL_DOWN:
                cfg->flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
                break;
        default:
                return -EINVAL;
        }

        switch (req->drive) {
        case DL_GPIO_DRIVE_PUSH_PULL:
                break;
        case DL_GPIO_DRIVE_OPEN_DRAIN:
                cfg->flags |= GPIOD_LINE_REQUEST_FLAG_OPEN_DRAIN;
                break;
        case DL_GPIO_DRIVE_OPEN_SOURCE:
                cfg->flags |= GPIOD_LINE_REQUEST_FLAG_OPEN_SOURCE;
                break;
        default:
                return -EINVAL;
        }

        if (active_low)
                cfg->flags |= GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
        return 0;
}

int dl_gpio_line_request(const char *dev_dir, const struct dl_gpio_line_spec *spec,
                         const struct dl_gpio_request *req, struct dl_gpio_line **ret,
                         struct dl_error *err) {
        _cleanup_gpio_line_ struct dl_gpio_line *l = NULL;
        _cleanup_free_ char *path = NULL;
        struct gpiod_line_request_config cfg;
        int r;

        if (!spec || !req || !ret)
                return -EINVAL;
        if (!spec->line || !*spec->line)
                return dl_error_set(err, -EINVAL, "No line given for GPIO chip '%s'", spec->chip ?: "");
        r = dl_gpio_common_request_check(spec, req, err);
        if (r < 0)
                return r;
        r = request_config(req, spec->active_low, &cfg);
        if (r < 0)
                return dl_error_set(err, r, "GPIO line %s/%s: bad request", spec->chip ?: "", spec->line);

        r = dl_gpio_chip_resolve(dev_dir, spec->chip, &path, err);
        if (r < 0)
                return r;

        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        r = dl_gpio_common_open_chip(path, &l->chip, err);
        if (r < 0)
                return r;
        r = dl_gpio_common_line_on_chip(l->chip, path, spec->line, &l->offset, err);
        if (r < 0)
                return r;
        if (asprintf(&l->description, "%s/%s (offset %u)", spec->chip, spec->line, l->offset) < 0) {
                l->description = NULL;
                return -ENOMEM;
        }

        l->line = gpiod_chip_get_line(l->chip, l->offset);
        if (!l->line)
                return dl_error_set(err, -errno, "Cannot read GPIO line %s: %m", l->description);
        if (gpiod_line_request(l->line, &cfg, req->initial ? 1 : 0) < 0) {
                r = -errno;
                if (r == -EBUSY)
                        return dl_gpio_common_busy(
                                l->description,
                                gpiod_line_update(l->line) >= 0 ? gpiod_line_consumer(l->line) : NULL, err);
                return dl_error_set(err, r, "Cannot request GPIO line %s: %s", l->description, strerror(-r));
        }
        l->output = req->direction == DL_GPIO_OUTPUT;
        l->edges = req->direction == DL_GPIO_INPUT && req->edge != DL_GPIO_EDGE_NONE;

        if (l->edges) {
                /* libgpiod reads the event fd with read(2): non-blocking,
                 * an empty queue gives EAGAIN instead of a stalled loop. */
                int fd = gpiod_line_event_get_fd(l->line), flags;

                if (fd < 0)
                        return dl_error_set(err, -errno, "GPIO line %s has no event fd: %m", l->description);
                flags = fcntl(fd, F_GETFL);
                if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                        return dl_error_set(err, -errno,
                                            "Cannot make GPIO line %s's event fd non-blocking: %m",
                                            l->description);
        }

        *ret = TAKE_PTR(l);
        return 0;
}

struct dl_gpio_line *dl_gpio_line_free(struct dl_gpio_line *l) {
        if (!l)
                return NULL;
        if (l->line && gpiod_line_is_requested(l->line))
                gpiod_line_release(l->line);
        if (l->chip)
                gpiod_chip_close(l->chip);
        free(l->description);
        free(l);
        return NULL;
}

void dl_gpio_line_freep(struct dl_gpio_line **l) {
        if (l)
                *l = dl_gpio_line_free(*l);
}

int dl_gpio_line_get(struct dl_gpio_line *l) {
        int v;

        if (!l)
                return -EINVAL;
        v = gpiod_line_get_value(l->line);
        if (v < 0)
                return -errno;
        return v ? 1 : 0;
}

int dl_gpio_line_set(struct dl_gpio_line *l, int value) {
        if (!l)
                return -EINVAL;
        if (!l->output)
                return -EPERM;
        if (gpiod_line_set_value(l->line, value ? 1 : 0) < 0)
                return -errno;
        return 0;
}

int dl_gpio_line_fd(struct dl_gpio_line *l) {
        int fd;

        if (!l || !l->edges)
                return -EINVAL;
        fd = gpiod_line_event_get_fd(l->line);
        return fd < 0 ? -errno : fd;
}

int dl_gpio_line_read_events(struct dl_gpio_line *l, struct dl_gpio_event *ev, size_t max) {
        /* The kernel's queue holds 16; libgpiod 1.6 reads at most that many at once. */
        struct gpiod_line_event buf[16];
        size_t total = 0;

        if (!l || !l->edges || (!ev && max > 0))
                return -EINVAL;
        while (total < max) {
                unsigned want = (unsigned)MIN(max - total, ELEMENTSOF(buf));
                int n = gpiod_line_event_read_multiple(l->line, buf, want);

                if (n < 0) {
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                break;
                        return total > 0 ? (int)total : -errno;
                }
                for (int i = 0; i < n; i++) {
                        ev[total + (size_t)i] = (struct dl_gpio_event){
                                .timestamp_usec = (uint64_t)buf[i].ts.tv_sec * USEC_PER_SEC +
                                                  (uint64_t)buf[i].ts.tv_nsec / 1000,
                                .rising = buf[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE,
                        };
                }
                total += (size_t)n;
                if ((unsigned)n < want)
                        break;
        }
        return (int)total;
}

const char *dl_gpio_line_describe(const struct dl_gpio_line *l) {
        return l && l->description ? l->description : "(no line)";
}

const char *dl_gpio_library_version(void) {
        return gpiod_version_string();
}
