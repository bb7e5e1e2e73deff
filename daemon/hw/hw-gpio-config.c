/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pure part of hw-gpio.h: the config's defaults, the line syntax and
 * the whole-config check.  No files, no libgpiod: config.c and the unit
 * tests (tests/hw/test-hw-gpio-config.c) use it on any host. */
#include "hw-gpio.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lock-controller.h"
#include "macro.h"

#define USEC_PER_MSEC ((int64_t)1000)

#define MOTOR_DEAD_TIME_USEC_DEFAULT (100 * USEC_PER_MSEC)
#define INPUT_DEBOUNCE_USEC_DEFAULT (20 * USEC_PER_MSEC)

#define FLAG_ACTIVE_LOW "active-low"

void dl_hw_gpio_config_init(struct dl_hw_gpio_config *c) {
        *c = (struct dl_hw_gpio_config){
                .keypad = DL_HW_KEYPAD_NONE,
                .actuator = DL_HW_ACTUATOR_NONE,
                .motor_timeout_usec = DL_MOTOR_TIMEOUT_USEC_DEFAULT,
                .motor_dead_time_usec = MOTOR_DEAD_TIME_USEC_DEFAULT,
                .strike_type = DL_HW_STRIKE_FAIL_SECURE,
                .strike_usec = 0,
                .input_debounce_usec = INPUT_DEBOUNCE_USEC_DEFAULT,
        };
        (void)dl_matrix_config_init(&c->matrix, 3);
        (void)dl_wiegand_config_init(&c->wiegand, DL_WIEGAND_PROFILE_STANDARD);
}

static bool all_digits(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

/* A decimal offset that fits an unsigned: 0; -ERANGE otherwise. */
static int offset_value(const char *s, unsigned *ret) {
        unsigned long v = 0;

        for (; *s; s++) {
                v = v * 10 + (unsigned long)(*s - '0');
                if (v > UINT_MAX)
                        return -ERANGE;
        }
        *ret = (unsigned)v;
        return 0;
}

int dl_hw_gpio_line_parse(struct dl_hw_gpio_line *l, const char *value, struct dl_error *err) {
        struct dl_hw_gpio_line n = { .set = true };
        char buf[DL_GPIO_CHIP_MAX + DL_GPIO_NAME_MAX + sizeof(":" FLAG_ACTIVE_LOW)];
        char *last, *line;
        unsigned offset;
        size_t len;

        if (!l || !value)
                return dl_error_set(err, -EINVAL, "no line given");
        if (!*value)
                return dl_error_set(err, -EINVAL, "empty line");
        for (const char *s = value; *s; s++)
                if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
                        return dl_error_set(err, -EINVAL,
                                            "a line may hold no blank, control or non-ASCII character");
        len = strlen(value);
        if (len >= sizeof(buf))
                return dl_error_set(err, -EINVAL, "too long for a line (at most %zu characters)",
                                    sizeof(buf) - 1);
        memcpy(buf, value, len + 1);

        /* The flag: the last part, when it is one. */
        last = strrchr(buf, ':');
        if (last) {
                if (strcmp(last + 1, FLAG_ACTIVE_LOW) == 0) {
                        n.active_low = true;
                        *last = '\0';
                } else if (strncasecmp(last + 1, "active", strlen("active")) == 0)
                        return dl_error_set(err, -EINVAL,
                                            "unknown flag \"%s\" (the only one is :" FLAG_ACTIVE_LOW ")",
                                            last + 1);
        }

        /* Chip and line: the last ':' left splits them. */
        last = strrchr(buf, ':');
        if (last) {
                *last = '\0';
                line = last + 1;
                if (!*buf || buf[0] == ':' || buf[strlen(buf) - 1] == ':' || strstr(buf, "::"))
                        return dl_error_set(err, -EINVAL, "empty chip, or empty part of it, before ':'");
                if (strlen(buf) >= sizeof(n.chip))
                        return dl_error_set(err, -EINVAL, "chip name too long (at most %zu characters)",
                                            sizeof(n.chip) - 1);
                memcpy(n.chip, buf, strlen(buf) + 1);
        } else
                line = buf;

        if (!*line)
                return dl_error_set(err, -EINVAL, "no line after the chip");
        /* "chip:active-low:active-low", "active-low" alone: a flag where the
         * line should be. */
        if (strncasecmp(line, "active", strlen("active")) == 0)
                return dl_error_set(err, -EINVAL, "\"%s\" is no line: a flag in the wrong place?", line);
        if (strlen(line) >= sizeof(n.line))
                return dl_error_set(err, -EINVAL, "line name too long (at most %zu characters)",
                                    sizeof(n.line) - 1);
        if (all_digits(line) && offset_value(line, &offset) < 0)
                return dl_error_set(err, -EINVAL, "line offset %s out of range", line);
        memcpy(n.line, line, strlen(line) + 1);

        *l = n;
        return 0;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

int dl_hw_gpio_lines_parse(struct dl_hw_gpio_line *lines, size_t max, unsigned *ret_n, const char *value,
                           struct dl_error *err) {
        struct dl_hw_gpio_line parsed[DL_MATRIX_MAX] = {};
        unsigned n = 0;
        const char *s;

        if (!lines || !ret_n || !value || max == 0 || max > ELEMENTSOF(parsed))
                return dl_error_set(err, -EINVAL, "no lines given");

        for (s = value;;) {
                char item[DL_GPIO_CHIP_MAX + DL_GPIO_NAME_MAX + 16];
                struct dl_error e = {};
                size_t len;
                int r;

                while (is_blank(*s))
                        s++;
                if (!*s)
                        break;
                len = strcspn(s, " \t");
                if (n >= max)
                        return dl_error_set(err, -EINVAL, "more than %zu lines", max);
                if (len >= sizeof(item))
                        return dl_error_set(err, -EINVAL, "line %u: too long for a line", n + 1);
                memcpy(item, s, len);
                item[len] = '\0';
                r = dl_hw_gpio_line_parse(&parsed[n], item, &e);
                if (r < 0)
                        return dl_error_set(err, r, "line %u (%s): %s", n + 1, item,
                                            dl_error_message(&e, r));
                n++;
                s += len;
        }
        if (n == 0)
                return dl_error_set(err, -EINVAL, "no line given");

        for (size_t i = 0; i < max; i++)
                lines[i] = i < n ? parsed[i] : (struct dl_hw_gpio_line){};
        *ret_n = n;
        return 0;
}

/* ---- the whole config ---- */

/* Every single line of the config, with its key. */
struct line_key {
        const char *key; /* "[Lock] MotorLock" */
        size_t offset;   /* of the struct dl_hw_gpio_line in struct dl_hw_gpio_config */
};

#define LINE(key, field)                                                                                    \
        { key, offsetof(struct dl_hw_gpio_config, field) }

static const struct line_key line_keys[] = {
        LINE("[Keypad] WiegandD0", wiegand_d0),
        LINE("[Keypad] WiegandD1", wiegand_d1),
        LINE("[Lock] MotorUnlock", motor_unlock),
        LINE("[Lock] MotorLock", motor_lock),
        LINE("[Lock] BoltRetracted", bolt_retracted),
        LINE("[Lock] BoltExtended", bolt_extended),
        LINE("[Lock] Strike", strike),
        LINE("[Lock] Door", door),
        LINE("[Lock] ExitButton", exit_button),
        LINE("[Lock] Doorbell", doorbell),
        LINE("[Lock] Tamper", tamper),
        LINE("[Lock] Buzzer", buzzer),
        LINE("[Lock] Led", led),
};

static const struct dl_hw_gpio_line *line_at(const struct dl_hw_gpio_config *c, size_t i) {
        return (const struct dl_hw_gpio_line *)((const char *)c + line_keys[i].offset);
}

/* One entry of the list of every configured line, for the checks. */
struct used_line {
        const struct dl_hw_gpio_line *line;
        char key[40]; /* "[Keypad] Rows= (line 2)" */
};

/* Every set line of c into used (room for all), the count returned. */
static size_t used_lines(const struct dl_hw_gpio_config *c, struct used_line *used) {
        size_t n = 0;

        for (unsigned i = 0; i < c->n_rows && i < DL_MATRIX_MAX; i++) {
                used[n].line = &c->rows[i];
                snprintf(used[n++].key, sizeof(used[0].key), "[Keypad] Rows= (line %u)", i + 1);
        }
        for (unsigned i = 0; i < c->n_cols && i < DL_MATRIX_MAX; i++) {
                used[n].line = &c->cols[i];
                snprintf(used[n++].key, sizeof(used[0].key), "[Keypad] Columns= (line %u)", i + 1);
        }
        for (size_t i = 0; i < ELEMENTSOF(line_keys); i++)
                if (line_at(c, i)->set) {
                        used[n].line = line_at(c, i);
                        snprintf(used[n++].key, sizeof(used[0].key), "%s=", line_keys[i].key);
                }
        return n;
}

bool dl_hw_gpio_config_any(const struct dl_hw_gpio_config *c) {
        struct used_line used[(size_t)2 * DL_MATRIX_MAX + ELEMENTSOF(line_keys)];

        if (!c)
                return false;
        return c->keypad != DL_HW_KEYPAD_NONE || c->actuator != DL_HW_ACTUATOR_NONE ||
               used_lines(c, used) > 0;
}

static const char *chip_of(const struct dl_hw_gpio_config *c, const struct dl_hw_gpio_line *l) {
        return l->chip[0] ? l->chip : c->chip;
}

static bool same_line(const struct dl_hw_gpio_config *c, const struct dl_hw_gpio_line *a,
                      const struct dl_hw_gpio_line *b) {
        unsigned x, y;

        if (strcmp(chip_of(c, a), chip_of(c, b)) != 0)
                return false;
        if (all_digits(a->line) && all_digits(b->line) && offset_value(a->line, &x) == 0 &&
            offset_value(b->line, &y) == 0)
                return x == y;
        return strcmp(a->line, b->line) == 0;
}

const char *const dl_hw_keypad_type_names[DL_HW_KEYPAD_TYPES] = {
        [DL_HW_KEYPAD_NONE] = "none",
        [DL_HW_KEYPAD_MATRIX] = "matrix",
        [DL_HW_KEYPAD_WIEGAND] = "wiegand",
};

const char *const dl_hw_actuator_names[DL_HW_ACTUATORS] = {
        [DL_HW_ACTUATOR_NONE] = "none",
        [DL_HW_ACTUATOR_MOTOR] = "motor",
        [DL_HW_ACTUATOR_STRIKE] = "strike",
};

const char *const dl_hw_strike_type_names[DL_HW_STRIKE_TYPES] = {
        [DL_HW_STRIKE_FAIL_SECURE] = "fail-secure",
        [DL_HW_STRIKE_FAIL_SAFE] = "fail-safe",
};

static int check_keypad(const struct dl_hw_gpio_config *c, struct dl_error *err) {
        const char *type = (unsigned)c->keypad < ELEMENTSOF(dl_hw_keypad_type_names)
                                   ? dl_hw_keypad_type_names[c->keypad]
                                   : "?";
        struct dl_error e = {};
        int r;

        if (c->keypad != DL_HW_KEYPAD_MATRIX) {
                if (c->n_rows > 0)
                        return dl_error_set(err, -EINVAL,
                                            "[Keypad] Rows= is set, but Type=%s: Rows= and Columns= are for "
                                            "Type=matrix",
                                            type);
                if (c->n_cols > 0)
                        return dl_error_set(err, -EINVAL,
                                            "[Keypad] Columns= is set, but Type=%s: Rows= and Columns= are "
                                            "for Type=matrix",
                                            type);
        }
        if (c->keypad != DL_HW_KEYPAD_WIEGAND) {
                if (c->wiegand_d0.set)
                        return dl_error_set(err, -EINVAL,
                                            "[Keypad] WiegandD0= is set, but Type=%s: WiegandD0= and "
                                            "WiegandD1= are for Type=wiegand",
                                            type);
                if (c->wiegand_d1.set)
                        return dl_error_set(err, -EINVAL,
                                            "[Keypad] WiegandD1= is set, but Type=%s: WiegandD0= and "
                                            "WiegandD1= are for Type=wiegand",
                                            type);
        }

        switch (c->keypad) {
        case DL_HW_KEYPAD_NONE:
                return 0;
        case DL_HW_KEYPAD_MATRIX:
                if (c->n_rows == 0)
                        return dl_error_set(
                                err, -EINVAL,
                                "[Keypad] Rows= is missing: Type=matrix needs Rows= and Columns=");
                if (c->n_cols == 0)
                        return dl_error_set(err, -EINVAL,
                                            "[Keypad] Columns= is missing: Type=matrix needs Rows= and "
                                            "Columns=");
                r = dl_matrix_config_check(&c->matrix, &e);
                if (r < 0)
                        return dl_error_set(err, -EINVAL,
                                            "[Keypad] KeyMap=, SettleMicroseconds=, "
                                            "DebounceMilliseconds=: %s",
                                            dl_error_message(&e, r));
                if (c->n_rows != c->matrix.rows)
                        return dl_error_set(err, -EINVAL,
                                            "[Keypad] Rows= names %u lines, but KeyMap= has %u rows",
                                            c->n_rows, c->matrix.rows);
                if (c->n_cols != c->matrix.cols)
                        return dl_error_set(err, -EINVAL,
                                            "[Keypad] Columns= names %u lines, but KeyMap= has %u columns",
                                            c->n_cols, c->matrix.cols);
                return 0;
        case DL_HW_KEYPAD_WIEGAND:
                if (!c->wiegand_d0.set)
                        return dl_error_set(err, -EINVAL,
                                            "[Keypad] WiegandD0= is missing: Type=wiegand needs WiegandD0= "
                                            "and WiegandD1=");
                if (!c->wiegand_d1.set)
                        return dl_error_set(err, -EINVAL,
                                            "[Keypad] WiegandD1= is missing: Type=wiegand needs WiegandD0= "
                                            "and WiegandD1=");
                r = dl_wiegand_config_check(&c->wiegand, &e);
                if (r < 0)
                        return dl_error_set(err, -EINVAL, "[Keypad] WiegandTiming=: %s",
                                            dl_error_message(&e, r));
                return 0;
        }
        return dl_error_set(err, -EINVAL, "[Keypad] Type=: unknown keypad type %d", (int)c->keypad);
}

static int check_actuator(const struct dl_hw_gpio_config *c, struct dl_error *err) {
        const char *type = (unsigned)c->actuator < ELEMENTSOF(dl_hw_actuator_names)
                                   ? dl_hw_actuator_names[c->actuator]
                                   : "?";

        if (c->actuator != DL_HW_ACTUATOR_MOTOR) {
                if (c->motor_unlock.set)
                        return dl_error_set(err, -EINVAL,
                                            "[Lock] MotorUnlock= is set, but Actuator=%s: the motor lines "
                                            "are for Actuator=motor",
                                            type);
                if (c->motor_lock.set)
                        return dl_error_set(err, -EINVAL,
                                            "[Lock] MotorLock= is set, but Actuator=%s: the motor lines are "
                                            "for Actuator=motor",
                                            type);
        }
        if (c->actuator != DL_HW_ACTUATOR_STRIKE && c->strike.set)
                return dl_error_set(err, -EINVAL,
                                    "[Lock] Strike= is set, but Actuator=%s: Strike= is for Actuator=strike",
                                    type);

        switch (c->actuator) {
        case DL_HW_ACTUATOR_NONE:
                return 0;
        case DL_HW_ACTUATOR_MOTOR:
                if (!c->motor_unlock.set)
                        return dl_error_set(err, -EINVAL,
                                            "[Lock] MotorUnlock= is missing: Actuator=motor needs "
                                            "MotorUnlock= and MotorLock=");
                if (!c->motor_lock.set)
                        return dl_error_set(
                                err, -EINVAL,
                                "[Lock] MotorLock= is missing: Actuator=motor needs MotorUnlock= "
                                "and MotorLock=");
                if (!c->bolt_retracted.set && !c->bolt_extended.set)
                        return dl_error_set(err, -EINVAL,
                                            "[Lock] BoltRetracted= and BoltExtended= are both missing: "
                                            "Actuator=motor needs at least one bolt sensor (without one no "
                                            "drive is ever confirmed and every drive ends as jammed)");
                if (c->motor_timeout_usec <= 0)
                        return dl_error_set(err, -EINVAL,
                                            "[Lock] MotorTimeoutMilliseconds= must be positive");
                if (c->motor_dead_time_usec <= 0)
                        return dl_error_set(err, -EINVAL,
                                            "[Lock] MotorDeadTimeMilliseconds= must be positive");
                return 0;
        case DL_HW_ACTUATOR_STRIKE:
                if (!c->strike.set)
                        return dl_error_set(err, -EINVAL,
                                            "[Lock] Strike= is missing: Actuator=strike needs Strike=");
                if (c->strike_type != DL_HW_STRIKE_FAIL_SECURE && c->strike_type != DL_HW_STRIKE_FAIL_SAFE)
                        return dl_error_set(err, -EINVAL, "[Lock] StrikeType=: unknown strike type %d",
                                            (int)c->strike_type);
                if (c->strike_usec < 0)
                        return dl_error_set(err, -EINVAL, "[Lock] StrikeMilliseconds= must not be negative");
                return 0;
        }
        return dl_error_set(err, -EINVAL, "[Lock] Actuator=: unknown actuator %d", (int)c->actuator);
}

int dl_hw_gpio_config_check(const struct dl_hw_gpio_config *c, struct dl_error *err) {
        struct used_line used[(size_t)2 * DL_MATRIX_MAX + ELEMENTSOF(line_keys)];
        size_t n;
        int r;

        if (!c)
                return dl_error_set(err, -EINVAL, "no GPIO config");
        if (c->n_rows > DL_MATRIX_MAX || c->n_cols > DL_MATRIX_MAX)
                return dl_error_set(err, -EINVAL, "[Keypad] Rows= and Columns= name at most %d lines each",
                                    DL_MATRIX_MAX);

        r = check_keypad(c, err);
        if (r < 0)
                return r;
        r = check_actuator(c, err);
        if (r < 0)
                return r;
        if (c->input_debounce_usec < 0)
                return dl_error_set(err, -EINVAL, "[Lock] InputDebounceMilliseconds= must not be negative");

        n = used_lines(c, used);
        for (size_t i = 0; i < n; i++) {
                if (!chip_of(c, used[i].line)[0])
                        return dl_error_set(err, -EINVAL,
                                            "%s names no chip (\"%s\"), and [Gpio] Chip= is not set: write "
                                            "chip:line or set [Gpio] Chip=",
                                            used[i].key, used[i].line->line);
                for (size_t j = 0; j < i; j++)
                        if (same_line(c, used[i].line, used[j].line))
                                return dl_error_set(err, -EINVAL, "%s is the same line as %s (%s:%s)",
                                                    used[i].key, used[j].key, chip_of(c, used[i].line),
                                                    used[i].line->line);
        }
        return 0;
}
