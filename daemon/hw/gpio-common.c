/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The part of gpio.h both implementations share (gpio-impl.h): finding a
 * chip by label, name or path, and the checks and messages that do not
 * depend on the libgpiod version. */
#include "gpio-impl.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include "gpio-spec.h"
#include "macro.h"

/* Long enough for any chip name and label the kernel reports (32 bytes each
 * in its uAPI). */
#define CHIP_ID_MAX 64

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
        r = dl_gpio_impl_chip_probe(chip, NULL, 0, NULL, 0);
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
                char devname[32], name[CHIP_ID_MAX] = "", label[CHIP_ID_MAX] = "";

                (void)snprintf(devname, sizeof(devname), "gpiochip%u", numbers[i]);
                if (asprintf(&path, "%s/%s", dev_dir, devname) < 0)
                        return -ENOMEM;
                r = dl_gpio_impl_chip_probe(path, name, sizeof(name), label, sizeof(label));
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
                if (dl_gpio_spec_chip_matches(chip, name, label) || strcmp(chip, devname) == 0) {
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

void dl_gpio_common_chip_describe(const char *name, const char *label, const char *path, char *buf,
                                  size_t size) {
        (void)snprintf(buf, size, "'%s' (%s)", label && *label ? label : name ?: "", path);
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

int dl_gpio_common_line_offset(const char *line, unsigned n_lines, const char *chip_desc,
                               unsigned *ret_offset, struct dl_error *err) {
        unsigned offset;
        int r;

        if (!line || !*line)
                return dl_error_set(err, -EINVAL, "No line given for GPIO chip %s", chip_desc);
        r = dl_gpio_spec_line_offset(line, &offset);
        if (r == -ERANGE || (r >= 0 && offset >= n_lines))
                return dl_error_set(err, -ERANGE, "Line offset %s is past the %u lines of GPIO chip %s",
                                    line, n_lines, chip_desc);
        if (r < 0)
                return 1;
        *ret_offset = offset;
        return 0;
}

void dl_gpio_common_name_found(struct dl_gpio_name_scan *s, unsigned offset) {
        if (s->found == 0)
                s->first = offset;
        else if (s->found == 1)
                s->second = offset;
        s->found++;
}

int dl_gpio_common_name_result(const struct dl_gpio_name_scan *s, const char *line, const char *chip_desc,
                               unsigned *ret_offset, struct dl_error *err) {
        if (s->found == 0)
                return dl_error_set(err, -ENOENT, "GPIO chip %s has no line named '%s'", chip_desc, line);
        if (s->found > 1)
                return dl_error_set(err, -ENOTUNIQ,
                                    "Line name '%s' is not unique on GPIO chip %s (%u lines carry it, "
                                    "offsets %u and %u among them): give the offset instead",
                                    line, chip_desc, s->found, s->first, s->second);
        *ret_offset = s->first;
        return 0;
}

int dl_gpio_common_busy(const char *line_desc, const char *consumer, struct dl_error *err) {
        if (consumer && *consumer)
                return dl_error_set(err, -EBUSY, "GPIO line %s is in use by '%s'", line_desc, consumer);
        return dl_error_set(err, -EBUSY, "GPIO line %s is in use by a consumer that gave no name",
                            line_desc);
}
