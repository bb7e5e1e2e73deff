/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gpio.h over libgpiod 2.x (Debian 13, Raspberry Pi OS trixie).
 *
 * libgpiod 2 speaks the kernel's v2 GPIO character device interface:
 *  - an edge event carries the kernel's timestamp in ns of the clock the
 *    request asked for: CLOCK_MONOTONIC here, said explicitly (it is also
 *    the kernel's default);
 *  - the kernel queue of a request holds req->event_buffer events (0: the
 *    kernel's default, 16 per line; the kernel caps large values), and when
 *    it is full the kernel drops the oldest event, not the newest as v1;
 *  - with both edges requested the kernel still reads the line's level in
 *    its interrupt thread to tell rising from falling (as with v1); with
 *    active_low it swaps rising and falling, so an event's edge is logical.
 * A request is its own file descriptor: the chip is opened to find the line
 * and request it, and closed again (the chip and line lookup is
 * gpio-common.c's, through the two hooks here).  Two requests of one line meet in the
 * kernel, which answers EBUSY. */
#include "gpio.h"

#include <fcntl.h>
#include <gpiod.h>
#include <stdio.h>

#include "gpio-impl.h"
#include "macro.h"

struct dl_gpio_line {
        struct gpiod_line_request *request;
        struct gpiod_edge_event_buffer *events; /* inputs with edges */
        unsigned offset;
        bool output;
        bool edges;
        char *description;
};

/* libgpiod's own buffer (gpiod_edge_event_buffer_new() caps it there). */
#define EVENT_BUFFER_MAX 1024
#define EVENT_BUFFER_DEFAULT 64

static void gpiod_chip_info_freep(struct gpiod_chip_info **i) {
        if (*i)
                gpiod_chip_info_free(*i);
}
#define _cleanup_gpiod_chip_info_ _cleanup_(gpiod_chip_info_freep)

static void gpiod_line_info_freep(struct gpiod_line_info **i) {
        if (*i)
                gpiod_line_info_free(*i);
}
#define _cleanup_gpiod_line_info_ _cleanup_(gpiod_line_info_freep)

static void gpiod_line_settings_freep(struct gpiod_line_settings **s) {
        if (*s)
                gpiod_line_settings_free(*s);
}

static void gpiod_line_config_freep(struct gpiod_line_config **c) {
        if (*c)
                gpiod_line_config_free(*c);
}

static void gpiod_request_config_freep(struct gpiod_request_config **c) {
        if (*c)
                gpiod_request_config_free(*c);
}

int dl_gpio_impl_chip_info(struct gpiod_chip *c, struct dl_gpio_chip_info *ret) {
        _cleanup_gpiod_chip_info_ struct gpiod_chip_info *info = gpiod_chip_get_info(c);

        if (!info)
                return -errno;
        (void)snprintf(ret->name, sizeof(ret->name), "%s", gpiod_chip_info_get_name(info) ?: "");
        (void)snprintf(ret->label, sizeof(ret->label), "%s", gpiod_chip_info_get_label(info) ?: "");
        ret->n_lines = (unsigned)gpiod_chip_info_get_num_lines(info);
        return 0;
}

int dl_gpio_impl_line_name(struct gpiod_chip *c, unsigned offset, char *buf, size_t size) {
        _cleanup_gpiod_line_info_ struct gpiod_line_info *info = gpiod_chip_get_line_info(c, offset);

        if (!info)
                return -errno;
        (void)snprintf(buf, size, "%s", gpiod_line_info_get_name(info) ?: "");
        return 0;
}

/* The settings of one line as req says (dl_gpio_common_request_check() has
 * made sure the combination is valid): 0 or -errno. */
static int line_settings(const struct dl_gpio_request *req, bool active_low, struct gpiod_line_settings *s) {
        static const enum gpiod_line_edge edges[] = {
                [DL_GPIO_EDGE_NONE] = GPIOD_LINE_EDGE_NONE,
                [DL_GPIO_EDGE_RISING] = GPIOD_LINE_EDGE_RISING,
                [DL_GPIO_EDGE_FALLING] = GPIOD_LINE_EDGE_FALLING,
                [DL_GPIO_EDGE_BOTH] = GPIOD_LINE_EDGE_BOTH,
        };
        static const enum gpiod_line_bias biases[] = {
                [DL_GPIO_BIAS_AS_IS] = GPIOD_LINE_BIAS_AS_IS,
                [DL_GPIO_BIAS_DISABLED] = GPIOD_LINE_BIAS_DISABLED,
                [DL_GPIO_BIAS_PULL_UP] = GPIOD_LINE_BIAS_PULL_UP,
                [DL_GPIO_BIAS_PULL_DOWN] = GPIOD_LINE_BIAS_PULL_DOWN,
        };
        static const enum gpiod_line_drive drives[] = {
                [DL_GPIO_DRIVE_PUSH_PULL] = GPIOD_LINE_DRIVE_PUSH_PULL,
                [DL_GPIO_DRIVE_OPEN_DRAIN] = GPIOD_LINE_DRIVE_OPEN_DRAIN,
                [DL_GPIO_DRIVE_OPEN_SOURCE] = GPIOD_LINE_DRIVE_OPEN_SOURCE,
        };
        bool output = req->direction == DL_GPIO_OUTPUT;

        if ((unsigned)req->edge >= ELEMENTSOF(edges) || (unsigned)req->bias >= ELEMENTSOF(biases) ||
            (unsigned)req->drive >= ELEMENTSOF(drives))
                return -EINVAL;
        if (gpiod_line_settings_set_direction(s, output ? GPIOD_LINE_DIRECTION_OUTPUT
                                                        : GPIOD_LINE_DIRECTION_INPUT) < 0 ||
            gpiod_line_settings_set_bias(s, biases[req->bias]) < 0)
                return -errno;
        gpiod_line_settings_set_active_low(s, active_low);
        if (output) {
                if (gpiod_line_settings_set_drive(s, drives[req->drive]) < 0 ||
                    gpiod_line_settings_set_output_value(s, req->initial ? GPIOD_LINE_VALUE_ACTIVE
                                                                         : GPIOD_LINE_VALUE_INACTIVE) < 0)
                        return -errno;
        } else if (req->edge != DL_GPIO_EDGE_NONE) {
                if (gpiod_line_settings_set_edge_detection(s, edges[req->edge]) < 0 ||
                    gpiod_line_settings_set_event_clock(s, GPIOD_LINE_CLOCK_MONOTONIC) < 0)
                        return -errno;
        }
        return 0;
}

/* Request the line at offset on c as req says: the request, or NULL with errno set. */
static struct gpiod_line_request *request_line(struct gpiod_chip *c, unsigned offset,
                                               const struct dl_gpio_request *req, bool active_low) {
        _cleanup_(gpiod_line_settings_freep) struct gpiod_line_settings *settings = NULL;
        _cleanup_(gpiod_line_config_freep) struct gpiod_line_config *line_cfg = NULL;
        _cleanup_(gpiod_request_config_freep) struct gpiod_request_config *req_cfg = NULL;
        int r;

        settings = gpiod_line_settings_new();
        line_cfg = gpiod_line_config_new();
        req_cfg = gpiod_request_config_new();
        if (!settings || !line_cfg || !req_cfg) {
                errno = ENOMEM;
                return NULL;
        }
        r = line_settings(req, active_low, settings);
        if (r < 0) {
                errno = -r;
                return NULL;
        }
        if (gpiod_line_config_add_line_settings(line_cfg, &offset, 1, settings) < 0)
                return NULL;
        gpiod_request_config_set_consumer(req_cfg, DL_GPIO_CONSUMER);
        if (req->direction == DL_GPIO_INPUT && req->edge != DL_GPIO_EDGE_NONE)
                gpiod_request_config_set_event_buffer_size(req_cfg, req->event_buffer);
        return gpiod_chip_request_lines(c, req_cfg, line_cfg);
}

int dl_gpio_line_request(const char *dev_dir, const struct dl_gpio_line_spec *spec,
                         const struct dl_gpio_request *req, struct dl_gpio_line **ret,
                         struct dl_error *err) {
        _cleanup_gpio_line_ struct dl_gpio_line *l = NULL;
        _cleanup_gpiod_chip_ struct gpiod_chip *c = NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        if (!spec || !req || !ret)
                return -EINVAL;
        if (!spec->line || !*spec->line)
                return dl_error_set(err, -EINVAL, "No line given for GPIO chip '%s'", spec->chip ?: "");
        r = dl_gpio_common_request_check(spec, req, err);
        if (r < 0)
                return r;

        r = dl_gpio_chip_resolve(dev_dir, spec->chip, &path, err);
        if (r < 0)
                return r;

        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        r = dl_gpio_common_open_chip(path, &c, err);
        if (r < 0)
                return r;
        r = dl_gpio_common_line_on_chip(c, path, spec->line, &l->offset, err);
        if (r < 0)
                return r;
        if (asprintf(&l->description, "%s/%s (offset %u)", spec->chip, spec->line, l->offset) < 0) {
                l->description = NULL;
                return -ENOMEM;
        }

        l->request = request_line(c, l->offset, req, spec->active_low);
        if (!l->request) {
                r = -errno;
                if (r == -EBUSY) {
                        _cleanup_gpiod_line_info_ struct gpiod_line_info *info =
                                gpiod_chip_get_line_info(c, l->offset);

                        return dl_gpio_common_busy(l->description,
                                                   info ? gpiod_line_info_get_consumer(info) : NULL, err);
                }
                return dl_error_set(err, r, "Cannot request GPIO line %s: %s", l->description, strerror(-r));
        }
        l->output = req->direction == DL_GPIO_OUTPUT;
        l->edges = req->direction == DL_GPIO_INPUT && req->edge != DL_GPIO_EDGE_NONE;

        if (l->edges) {
                /* The user-space side of the queue: read_events() takes
                 * this many at a time from the kernel. */
                size_t capacity = req->event_buffer ? MIN(req->event_buffer, (unsigned)EVENT_BUFFER_MAX)
                                                    : EVENT_BUFFER_DEFAULT;
                int fd = gpiod_line_request_get_fd(l->request), flags;

                l->events = gpiod_edge_event_buffer_new(capacity);
                if (!l->events)
                        return -ENOMEM;
                /* read_events() polls before it reads; non-blocking as well,
                 * so that a readable fd without an event (POLLERR when the
                 * chip goes away) gives an error instead of a stalled loop. */
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
        if (l->request)
                gpiod_line_request_release(l->request);
        if (l->events)
                gpiod_edge_event_buffer_free(l->events);
        free(l->description);
        free(l);
        return NULL;
}

void dl_gpio_line_freep(struct dl_gpio_line **l) {
        if (l)
                *l = dl_gpio_line_free(*l);
}

int dl_gpio_line_get(struct dl_gpio_line *l) {
        enum gpiod_line_value v;

        if (!l)
                return -EINVAL;
        v = gpiod_line_request_get_value(l->request, l->offset);
        if (v == GPIOD_LINE_VALUE_ERROR)
                return -errno;
        return v == GPIOD_LINE_VALUE_ACTIVE ? 1 : 0;
}

int dl_gpio_line_set(struct dl_gpio_line *l, int value) {
        if (!l)
                return -EINVAL;
        if (!l->output)
                return -EPERM;
        if (gpiod_line_request_set_value(l->request, l->offset,
                                         value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) < 0)
                return -errno;
        return 0;
}

int dl_gpio_line_fd(struct dl_gpio_line *l) {
        int fd;

        if (!l || !l->edges)
                return -EINVAL;
        fd = gpiod_line_request_get_fd(l->request);
        return fd < 0 ? -errno : fd;
}

int dl_gpio_line_read_events(struct dl_gpio_line *l, struct dl_gpio_event *ev, size_t max) {
        size_t total = 0;

        if (!l || !l->edges || (!ev && max > 0))
                return -EINVAL;
        while (total < max) {
                size_t want = MIN(max - total, gpiod_edge_event_buffer_get_capacity(l->events));
                int n;

                /* The request's fd is blocking and libgpiod's read would
                 * wait for an edge: read only what is already queued. */
                n = gpiod_line_request_wait_edge_events(l->request, 0);
                if (n == 0)
                        break;
                if (n > 0)
                        n = gpiod_line_request_read_edge_events(l->request, l->events, want);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                break;
                        return total > 0 ? (int)total : -errno;
                }
                for (int i = 0; i < n; i++) {
                        struct gpiod_edge_event *e =
                                gpiod_edge_event_buffer_get_event(l->events, (unsigned long)i);

                        ev[total + (size_t)i] = (struct dl_gpio_event){
                                .timestamp_usec = gpiod_edge_event_get_timestamp_ns(e) / 1000,
                                .rising = gpiod_edge_event_get_event_type(e) == GPIOD_EDGE_EVENT_RISING_EDGE,
                        };
                }
                total += (size_t)n;
                if ((size_t)n < want)
                        break;
        }
        return (int)total;
}

const char *dl_gpio_line_describe(const struct dl_gpio_line *l) {
        return l && l->description ? l->description : "(no line)";
}

const char *dl_gpio_library_version(void) {
        return gpiod_api_version();
}
