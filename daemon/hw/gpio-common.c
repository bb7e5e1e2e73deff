/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The part of gpio.h both implementations share (gpio-impl.h): finding a
 * chip by label, name or path and a line by name or offset, and the checks
 * and messages that do not depend on the libgpiod version. */
#include "gpio-impl.h"

#include <dirent.h>
#include <gpiod.h>
#include <stdio.h>
#include <sys/stat.h>

#include "gpio-spec.h"
#include "macro.h"

int dl_gpio_common_open_chip(const char *chip_path, struct gpiod_chip **ret, struct dl_error *err) {
        struct gpiod_chip *c = gpiod_chip_open(chip_path);

        if (!c)
                return dl_error_set(err, -errno, "Cannot open GPIO chip %s: %m", chip_path);
        *ret = c;
        return 0;
}

void dl_gpio_common_chip_closep(struct gpiod_chip **c) {
        if (*c)
                gpiod_chip_close(*c);
}

/* Open the chip at path and read its name and label (info may be NULL when
 * only the open matters).  0, or the negative errno of the failed open. */
static int chip_probe(const char *path, struct dl_gpio_chip_info *info) {
        _cleanup_gpiod_chip_ struct gpiod_chip *c = gpiod_chip_open(path);

        if (!c)
                return -errno;
        return info ? dl_gpio_impl_chip_info(c, info) : 0;
}

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
        struct stat st;
        char *p;
        int r;

        if (stat(chip, &st) < 0)
                return dl_error_set(err, -ENODEV, "GPIO chip %s not found: %m", chip);
        if (!S_ISCHR(st.st_mode))
                return dl_error_set(err, -ENODEV, "GPIO chip %s is not a character device", chip);
        r = chip_probe(chip, NULL);
        if (r < 0) {
                if (r == -EACCES || r == -EPERM)
                        return dl_error_set(err, r, "Cannot open GPIO chip %s: %s", chip, strerror(-r));
                return dl_error_set(err, -ENODEV, "%s is not a GPIO chip: %s", chip, strerror(-r));
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
                _cleanup_free_ char *path = NULL;
                struct dl_gpio_chip_info info = {};
                char devname[32];

                (void)snprintf(devname, sizeof(devname), "gpiochip%u", numbers[i]);
                if (asprintf(&path, "%s/%s", dev_dir, devname) < 0)
                        return -ENOMEM;
                r = chip_probe(path, &info);
                if (r < 0) {
                        /* Its name is its device's name, which needs no open:
                         * the request will then say why it cannot be opened. */
                        if (strcmp(chip, devname) == 0) {
                                *ret_path = TAKE_PTR(path);
                                return 0;
                        }
                        if (!failed_errno) {
                                failed_errno = -r;
                                failed_path = TAKE_PTR(path);
                        }
                        continue;
                }
                if (dl_gpio_spec_chip_matches(chip, info.name, info.label) || strcmp(chip, devname) == 0) {
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

int dl_gpio_common_request_check(const struct dl_gpio_line_spec *spec, const struct dl_gpio_request *req,
                                 struct dl_error *err) {
        bool ok = true;

        switch (req->direction) {
        case DL_GPIO_OUTPUT:
                ok = req->edge == DL_GPIO_EDGE_NONE;
                break;
        case DL_GPIO_INPUT:
                ok = req->drive == DL_GPIO_DRIVE_PUSH_PULL && req->edge >= DL_GPIO_EDGE_NONE &&
                     req->edge <= DL_GPIO_EDGE_BOTH;
                break;
        default:
                ok = false;
        }
        ok = ok && req->bias >= DL_GPIO_BIAS_AS_IS && req->bias <= DL_GPIO_BIAS_PULL_DOWN &&
             req->drive >= DL_GPIO_DRIVE_PUSH_PULL && req->drive <= DL_GPIO_DRIVE_OPEN_SOURCE;
        if (!ok)
                return dl_error_set(err, -EINVAL,
                                    "GPIO line %s/%s: edges are for inputs and drive modes for outputs only",
                                    spec->chip ?: "", spec->line);
        return 0;
}

int dl_gpio_common_line_on_chip(struct gpiod_chip *c, const char *path, const char *line,
                                unsigned *ret_offset, struct dl_error *err) {
        struct dl_gpio_chip_info info = {};
        unsigned offset, found = 0, first = 0, second = 0;
        char desc[2 * DL_GPIO_NAME_MAX + 64];
        int r;

        r = dl_gpio_impl_chip_info(c, &info);
        if (r < 0)
                return dl_error_set(err, r, "Cannot read GPIO chip %s: %s", path, strerror(-r));
        /* "'label' (/dev/gpiochipN)", the name when there is no label. */
        (void)snprintf(desc, sizeof(desc), "'%s' (%s)", *info.label ? info.label : info.name, path);
        if (!line || !*line)
                return dl_error_set(err, -EINVAL, "No line given for GPIO chip %s", desc);

        r = dl_gpio_spec_line_offset(line, &offset);
        if (r == -ERANGE || (r >= 0 && offset >= info.n_lines))
                return dl_error_set(err, -ERANGE, "Line offset %s is past the %u lines of GPIO chip %s",
                                    line, info.n_lines, desc);
        if (r >= 0) {
                *ret_offset = offset;
                return 0;
        }

        /* Every line is looked at (libgpiod 2's
         * gpiod_chip_get_line_offset_from_name() stops at the first one), to
         * refuse a name that is not unique. */
        for (unsigned i = 0; i < info.n_lines; i++) {
                char name[DL_GPIO_NAME_MAX];

                r = dl_gpio_impl_line_name(c, i, name, sizeof(name));
                if (r < 0)
                        return dl_error_set(err, r, "Cannot read line %u of GPIO chip %s: %s", i, desc,
                                            strerror(-r));
                if (strcmp(name, line) != 0)
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

int dl_gpio_line_resolve(const char *chip_path, const char *line, unsigned *ret_offset,
                         struct dl_error *err) {
        _cleanup_gpiod_chip_ struct gpiod_chip *c = NULL;
        unsigned offset;
        int r;

        if (!chip_path || !ret_offset)
                return -EINVAL;
        r = dl_gpio_common_open_chip(chip_path, &c, err);
        if (r < 0)
                return r;
        r = dl_gpio_common_line_on_chip(c, chip_path, line, &offset, err);
        if (r < 0)
                return r;
        *ret_offset = offset;
        return 0;
}

int dl_gpio_common_busy(const char *line_desc, const char *consumer, struct dl_error *err) {
        if (consumer && *consumer)
                return dl_error_set(err, -EBUSY, "GPIO line %s is in use by '%s'", line_desc, consumer);
        return dl_error_set(err, -EBUSY, "GPIO line %s is in use by a consumer that gave no name",
                            line_desc);
}
