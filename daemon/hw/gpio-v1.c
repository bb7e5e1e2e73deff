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

#include <dirent.h>
#include <fcntl.h>
#include <gpiod.h>
#include <stdio.h>
#include <sys/stat.h>

#include "gpio-spec.h"
#include "macro.h"

struct dl_gpio_line {
        struct gpiod_chip *chip;
        struct gpiod_line *line;
        unsigned offset;
        bool output;
        bool edges;
        char *description;
};

static void gpiod_chip_closep(struct gpiod_chip **c) {
        if (*c)
                gpiod_chip_close(*c);
}
#define _cleanup_gpiod_chip_ _cleanup_(gpiod_chip_closep)

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

/* The gpiochipN character devices in dev_dir, in the order of N. */
static int list_chips(const char *dev_dir, unsigned **ret, size_t *ret_n) {
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_free_ unsigned *numbers = NULL;
        size_t n = 0, allocated = 0;
        struct dirent *de;

        d = opendir(dev_dir);
        if (!d)
                return -errno;
        /* readdir_r() is deprecated; one thread, one DIR. */
        while ((de = readdir(d))) { // cppcheck-suppress readdirCalled
                struct stat st;
                unsigned num;

                if (dl_gpio_spec_chip_number(de->d_name, &num) < 0)
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISCHR(st.st_mode))
                        continue;
                if (n == allocated) {
                        size_t more = allocated ? allocated * 2 : 8;
                        unsigned *p = reallocarray(numbers, more, sizeof(*numbers));

                        if (!p)
                                return -ENOMEM;
                        numbers = p;
                        allocated = more;
                }
                numbers[n++] = num;
        }
        dl_gpio_spec_sort_numbers(numbers, n);
        *ret = TAKE_PTR(numbers);
        *ret_n = n;
        return 0;
}

static int resolve_path(const char *chip, char **ret_path, struct dl_error *err) {
        _cleanup_gpiod_chip_ struct gpiod_chip *c = NULL;
        char *p;
        struct stat st;

        if (stat(chip, &st) < 0)
                return dl_error_set(err, -ENODEV, "GPIO chip %s not found: %m", chip);
        if (!S_ISCHR(st.st_mode))
                return dl_error_set(err, -ENODEV, "GPIO chip %s is not a character device", chip);
        c = gpiod_chip_open(chip);
        if (!c) {
                if (errno == EACCES || errno == EPERM)
                        return dl_error_set(err, -errno, "Cannot open GPIO chip %s: %m", chip);
                return dl_error_set(err, -ENODEV, "%s is not a GPIO chip: %m", chip);
        }
        p = strdup(chip);
        if (!p)
                return -ENOMEM;
        *ret_path = p;
        return 0;
}

int dl_gpio_chip_resolve(const char *dev_dir, const char *chip, char **ret_path, struct dl_error *err) {
        _cleanup_free_ unsigned *numbers = NULL;
        _cleanup_free_ char *failed_path = NULL;
        int failed_errno = 0;
        size_t n = 0;
        int r;

        if (!chip || !*chip)
                return dl_error_set(err, -EINVAL, "No GPIO chip given");
        if (!ret_path)
                return -EINVAL;
        if (dl_gpio_spec_chip_is_path(chip))
                return resolve_path(chip, ret_path, err);
        if (!dev_dir)
                dev_dir = DL_GPIO_DEV_DIR;

        r = list_chips(dev_dir, &numbers, &n);
        if (r < 0)
                return dl_error_set(err, r, "Cannot list the GPIO chips in %s: %s", dev_dir, strerror(-r));

        for (size_t i = 0; i < n; i++) {
                _cleanup_gpiod_chip_ struct gpiod_chip *c = NULL;
                _cleanup_free_ char *path = NULL;
                char devname[32];

                (void)snprintf(devname, sizeof(devname), "gpiochip%u", numbers[i]);
                if (asprintf(&path, "%s/%s", dev_dir, devname) < 0)
                        return -ENOMEM;
                c = gpiod_chip_open(path);
                if (!c) {
                        /* Its name is its device's name, which needs no open:
                         * the request will then say why it cannot be opened. */
                        if (strcmp(chip, devname) == 0) {
                                *ret_path = TAKE_PTR(path);
                                return 0;
                        }
                        if (!failed_errno) {
                                failed_errno = errno;
                                failed_path = TAKE_PTR(path);
                        }
                        continue;
                }
                if (dl_gpio_spec_chip_matches(chip, gpiod_chip_name(c), gpiod_chip_label(c)) ||
                    strcmp(chip, devname) == 0) {
                        *ret_path = TAKE_PTR(path);
                        return 0;
                }
        }

        if (failed_errno)
                return dl_error_set(err, -ENODEV,
                                    "GPIO chip '%s' not found: no chip in %s has that label or name "
                                    "(%zu looked at; cannot open %s: %s)",
                                    chip, dev_dir, n, failed_path, strerror(failed_errno));
        return dl_error_set(err, -ENODEV,
                            "GPIO chip '%s' not found: no chip in %s has that label or name (%zu looked at)",
                            chip, dev_dir, n);
}

/* "'label' (/dev/gpiochipN)" for messages. */
static void chip_describe(struct gpiod_chip *c, const char *path, char *buf, size_t size) {
        const char *label = gpiod_chip_label(c);

        (void)snprintf(buf, size, "'%s' (%s)", label && *label ? label : gpiod_chip_name(c), path);
}

static int resolve_on_chip(struct gpiod_chip *c, const char *path, const char *line, unsigned *ret_offset,
                           struct dl_error *err) {
        unsigned n = gpiod_chip_num_lines(c), found = 0, first = 0, second = 0, offset;
        char desc[128];
        int r;

        chip_describe(c, path, desc, sizeof(desc));
        if (!line || !*line)
                return dl_error_set(err, -EINVAL, "No line given for GPIO chip %s", desc);

        r = dl_gpio_spec_line_offset(line, &offset);
        if (r == -ERANGE || (r >= 0 && offset >= n))
                return dl_error_set(err, -ERANGE, "Line offset %s is past the %u lines of GPIO chip %s",
                                    line, n, desc);
        if (r >= 0) {
                *ret_offset = offset;
                return 0;
        }

        for (unsigned i = 0; i < n; i++) {
                struct gpiod_line *l = gpiod_chip_get_line(c, i);
                const char *name;

                if (!l)
                        return dl_error_set(err, -errno, "Cannot read line %u of GPIO chip %s: %m", i, desc);
                name = gpiod_line_name(l);
                if (!name || strcmp(name, line) != 0)
                        continue;
                if (found == 0)
                        first = i;
                else if (found == 1)
                        second = i;
                found++;
        }
        if (found == 0)
                return dl_error_set(err, -ENOENT, "GPIO chip %s has no line named '%s'", desc, line);
        if (found > 1)
                return dl_error_set(err, -ENOTUNIQ,
                                    "Line name '%s' is not unique on GPIO chip %s (%u lines carry it, "
                                    "offsets %u and %u among them): give the offset instead",
                                    line, desc, found, first, second);
        *ret_offset = first;
        return 0;
}

static int open_chip(const char *chip_path, struct gpiod_chip **ret, struct dl_error *err) {
        struct gpiod_chip *c = gpiod_chip_open(chip_path);

        if (!c)
                return dl_error_set(err, -errno, "Cannot open GPIO chip %s: %m", chip_path);
        *ret = c;
        return 0;
}

int dl_gpio_line_resolve(const char *chip_path, const char *line, unsigned *ret_offset,
                         struct dl_error *err) {
        _cleanup_gpiod_chip_ struct gpiod_chip *c = NULL;
        unsigned offset;
        int r;

        if (!chip_path || !ret_offset)
                return -EINVAL;
        r = open_chip(chip_path, &c, err);
        if (r < 0)
                return r;
        r = resolve_on_chip(c, chip_path, line, &offset, err);
        if (r < 0)
                return r;
        *ret_offset = offset;
        return 0;
}

static int request_config(const struct dl_gpio_request *req, bool active_low,
                          struct gpiod_line_request_config *cfg) {
        *cfg = (struct gpiod_line_request_config){ .consumer = DL_GPIO_CONSUMER };

        switch (req->direction) {
        case DL_GPIO_OUTPUT:
                if (req->edge != DL_GPIO_EDGE_NONE)
                        return -EINVAL;
                cfg->request_type = GPIOD_LINE_REQUEST_DIRECTION_OUTPUT;
                break;
        case DL_GPIO_INPUT:
                if (req->drive != DL_GPIO_DRIVE_PUSH_PULL)
                        return -EINVAL;
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
        r = request_config(req, spec->active_low, &cfg);
        if (r < 0)
                return dl_error_set(err, r,
                                    "GPIO line %s/%s: edges are for inputs and drive modes for outputs only",
                                    spec->chip ?: "", spec->line);

        r = dl_gpio_chip_resolve(dev_dir, spec->chip, &path, err);
        if (r < 0)
                return r;

        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        r = open_chip(path, &l->chip, err);
        if (r < 0)
                return r;
        r = resolve_on_chip(l->chip, path, spec->line, &l->offset, err);
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
                if (r == -EBUSY) {
                        const char *consumer = NULL;

                        if (gpiod_line_update(l->line) >= 0)
                                consumer = gpiod_line_consumer(l->line);
                        if (consumer && *consumer)
                                return dl_error_set(err, r, "GPIO line %s is in use by '%s'", l->description,
                                                    consumer);
                        return dl_error_set(err, r, "GPIO line %s is in use by a consumer that gave no name",
                                            l->description);
                }
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
