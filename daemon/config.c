/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <ini.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

#include "code-spec.h"
#include "entry-candidates.h"
#include "keypad-entry.h"
#include "macro.h"
#include "pin-rules.h"
#include "tz.h"

#define USEC_PER_MSEC ((int64_t)1000)

#define SIM_MOTOR_USEC_DEFAULT (300 * USEC_PER_MSEC)
#define SIM_KEY_GAP_USEC_DEFAULT (150 * USEC_PER_MSEC)

/* Values longer than this are cut short in error messages. */
#define MESSAGE_VALUE_MAX 64

/* lockout.c's bounds (not exported): attempts 1..255, durations up to 24 h. */
#define LOCKOUT_ATTEMPTS_MAX 255
#define LOCKOUT_SECONDS_MAX 86400

void dl_daemon_config_init(struct dl_daemon_config *c) {
        *c = (struct dl_daemon_config){
                .time_zone = NULL,
                .keypad_timeout_usec = DL_KEYPAD_TIMEOUT_USEC_DEFAULT,
                .lock = {
                        .relock_usec = DL_RELOCK_USEC_DEFAULT,
                        .motor_timeout_usec = DL_MOTOR_TIMEOUT_USEC_DEFAULT,
                        .door_sensor = true,
                },
                .backend = DL_BACKEND_GPIO,
                .sim_motor_usec = SIM_MOTOR_USEC_DEFAULT,
                .sim_key_gap_usec = SIM_KEY_GAP_USEC_DEFAULT,
                .door_held_open_usec = 0,
        };
        dl_store_config_init(&c->store); /* store.time_zone = NULL, as time_zone */
        dl_hw_gpio_config_init(&c->gpio);
        c->gpio.motor_timeout_usec = c->lock.motor_timeout_usec;
}

void dl_daemon_config_done(struct dl_daemon_config *c) {
        if (!c)
                return;
        free(c->time_zone);
        c->time_zone = NULL;
        c->store.time_zone = NULL;
}

/* ---- the keys ---- */

enum key_type {
        KEY_UNSIGNED, /* unsigned, the number as written */
        KEY_USEC,     /* int64_t µs, the number times `scale` */
        KEY_BOOL,     /* bool */
        KEY_TIME_ZONE,
        KEY_BACKEND,        /* enum dl_backend */
        KEY_CHIP,           /* char[DL_GPIO_CHIP_MAX]: a chip's label, name or path */
        KEY_LINE,           /* struct dl_hw_gpio_line */
        KEY_ROWS,           /* gpio.rows, gpio.n_rows */
        KEY_COLUMNS,        /* gpio.cols, gpio.n_cols */
        KEY_KEYMAP,         /* gpio.matrix: rows, cols, keys */
        KEY_KEYPAD_TYPE,    /* enum dl_hw_keypad_type */
        KEY_ACTUATOR,       /* enum dl_hw_actuator */
        KEY_STRIKE_TYPE,    /* enum dl_hw_strike_type */
        KEY_WIEGAND_TIMING, /* gpio.wiegand's intervals, from a profile */
        KEY_WIEGAND_KEYS,   /* gpio.wiegand.keys_4bit */
};

struct key {
        const char *section;
        const char *name;
        enum key_type type;
        size_t offset; /* of the field in struct dl_daemon_config */
        uint64_t min, max;
        int64_t scale; /* KEY_USEC: µs per unit */
};

#define FIELD(f) offsetof(struct dl_daemon_config, f)

static const struct key keys[] = {
        { "Codes", "MinPinLength", KEY_UNSIGNED, FIELD(store.pin.min_length), DL_PIN_LENGTH_FLOOR,
          DL_PIN_LENGTH_CEILING, 0 },
        { "Codes", "MaxPinLength", KEY_UNSIGNED, FIELD(store.pin.max_length), DL_PIN_LENGTH_FLOOR,
          DL_PIN_LENGTH_CEILING, 0 },
        { "Codes", "MaxCodes", KEY_UNSIGNED, FIELD(store.max_codes), 1, DL_MAX_CODES_CEILING, 0 },
        { "Codes", "RemoveDeadAfterDays", KEY_USEC, FIELD(store.remove_dead_after_usec), 0, 366,
          USEC_PER_DAY },
        { "Keypad", "AntiPeep", KEY_BOOL, FIELD(store.anti_peep), 0, 0, 0 },
        { "Keypad", "MaxEntryLength", KEY_UNSIGNED, FIELD(store.max_entry_length), DL_PIN_LENGTH_FLOOR,
          DL_ENTRY_MAX_CEILING, 0 },
        { "Keypad", "EntryTimeoutSeconds", KEY_USEC, FIELD(keypad_timeout_usec), 1, 300, USEC_PER_SEC },
        { "Keypad", "Type", KEY_KEYPAD_TYPE, FIELD(gpio.keypad), 0, 0, 0 },
        { "Keypad", "Rows", KEY_ROWS, FIELD(gpio.rows), 0, 0, 0 },
        { "Keypad", "Columns", KEY_COLUMNS, FIELD(gpio.cols), 0, 0, 0 },
        { "Keypad", "KeyMap", KEY_KEYMAP, FIELD(gpio.matrix), 0, 0, 0 },
        { "Keypad", "SettleMicroseconds", KEY_USEC, FIELD(gpio.matrix.settle_usec), 1, 1000000, 1 },
        { "Keypad", "DebounceMilliseconds", KEY_USEC, FIELD(gpio.matrix.debounce_usec), 1, 1000,
          USEC_PER_MSEC },
        { "Keypad", "WiegandD0", KEY_LINE, FIELD(gpio.wiegand_d0), 0, 0, 0 },
        { "Keypad", "WiegandD1", KEY_LINE, FIELD(gpio.wiegand_d1), 0, 0, 0 },
        { "Keypad", "WiegandTiming", KEY_WIEGAND_TIMING, FIELD(gpio.wiegand), 0, 0, 0 },
        { "Keypad", "WiegandKeys", KEY_WIEGAND_KEYS, FIELD(gpio.wiegand.keys_4bit), 0, 0, 0 },
        { "Lockout", "Attempts", KEY_UNSIGNED, FIELD(store.lockout.attempts), 1, LOCKOUT_ATTEMPTS_MAX, 0 },
        { "Lockout", "FirstSeconds", KEY_USEC, FIELD(store.lockout.first_usec), 1, LOCKOUT_SECONDS_MAX,
          USEC_PER_SEC },
        { "Lockout", "MaxSeconds", KEY_USEC, FIELD(store.lockout.max_usec), 1, LOCKOUT_SECONDS_MAX,
          USEC_PER_SEC },
        { "Lock", "AutoRelockSeconds", KEY_USEC, FIELD(lock.relock_usec), 0, 3600, USEC_PER_SEC },
        { "Lock", "MotorTimeoutMilliseconds", KEY_USEC, FIELD(lock.motor_timeout_usec), 100, 60000,
          USEC_PER_MSEC },
        { "Lock", "DoorSensor", KEY_BOOL, FIELD(lock.door_sensor), 0, 0, 0 },
        { "Lock", "DoorHeldOpenSeconds", KEY_USEC, FIELD(door_held_open_usec), 0, 3600, USEC_PER_SEC },
        { "Lock", "Actuator", KEY_ACTUATOR, FIELD(gpio.actuator), 0, 0, 0 },
        { "Lock", "MotorUnlock", KEY_LINE, FIELD(gpio.motor_unlock), 0, 0, 0 },
        { "Lock", "MotorLock", KEY_LINE, FIELD(gpio.motor_lock), 0, 0, 0 },
        { "Lock", "MotorDeadTimeMilliseconds", KEY_USEC, FIELD(gpio.motor_dead_time_usec), 10, 1000,
          USEC_PER_MSEC },
        { "Lock", "BoltRetracted", KEY_LINE, FIELD(gpio.bolt_retracted), 0, 0, 0 },
        { "Lock", "BoltExtended", KEY_LINE, FIELD(gpio.bolt_extended), 0, 0, 0 },
        { "Lock", "Strike", KEY_LINE, FIELD(gpio.strike), 0, 0, 0 },
        { "Lock", "StrikeType", KEY_STRIKE_TYPE, FIELD(gpio.strike_type), 0, 0, 0 },
        { "Lock", "StrikeMilliseconds", KEY_USEC, FIELD(gpio.strike_usec), 0, 60000, USEC_PER_MSEC },
        { "Lock", "Door", KEY_LINE, FIELD(gpio.door), 0, 0, 0 },
        { "Lock", "ExitButton", KEY_LINE, FIELD(gpio.exit_button), 0, 0, 0 },
        { "Lock", "Doorbell", KEY_LINE, FIELD(gpio.doorbell), 0, 0, 0 },
        { "Lock", "Tamper", KEY_LINE, FIELD(gpio.tamper), 0, 0, 0 },
        { "Lock", "Buzzer", KEY_LINE, FIELD(gpio.buzzer), 0, 0, 0 },
        { "Lock", "Led", KEY_LINE, FIELD(gpio.led), 0, 0, 0 },
        { "Lock", "InputDebounceMilliseconds", KEY_USEC, FIELD(gpio.input_debounce_usec), 0, 1000,
          USEC_PER_MSEC },
        { "Clock", "TimeZone", KEY_TIME_ZONE, FIELD(time_zone), 0, 0, 0 },
        { "Log", "MaxEntries", KEY_UNSIGNED, FIELD(store.log_max_entries), DL_LOG_MAX_ENTRIES_MIN,
          DL_LOG_MAX_ENTRIES_CEILING, 0 },
        { "Hardware", "Backend", KEY_BACKEND, FIELD(backend), 0, 0, 0 },
        { "Gpio", "Chip", KEY_CHIP, FIELD(gpio.chip), 0, 0, 0 },
        { "Simulator", "MotorMilliseconds", KEY_USEC, FIELD(sim_motor_usec), 0, 10000, USEC_PER_MSEC },
        { "Simulator", "KeyGapMilliseconds", KEY_USEC, FIELD(sim_key_gap_usec), 0, 5000, USEC_PER_MSEC },
        { "Remote", "UnlockWithoutPin", KEY_BOOL, FIELD(remote.unlock_without_pin), 0, 0, 0 },
        { "Remote", "CodeChanges", KEY_BOOL, FIELD(remote.code_changes), 0, 0, 0 },
};

bool dl_daemon_config_key(size_t i, const char **ret_section, const char **ret_name) {
        if (i >= ELEMENTSOF(keys))
                return false;
        if (ret_section)
                *ret_section = keys[i].section;
        if (ret_name)
                *ret_name = keys[i].name;
        return true;
}

static const char *const backend_names[] = {
        [DL_BACKEND_SIMULATED] = "simulated",
        [DL_BACKEND_GPIO] = "gpio",
};

static const char *const wiegand_timing_names[] = {
        [DL_WIEGAND_PROFILE_STANDARD] = "standard",
        [DL_WIEGAND_PROFILE_SLOW] = "slow",
};

/* WiegandKeys=: which key bursts are accepted.  8-bit bursts carry a check
 * and are always accepted; "8" refuses the unchecked 4-bit ones. */
static const struct {
        const char *name;
        bool keys_4bit;
} wiegand_keys_names[] = {
        { "4", true },
        { "8", false },
        { "both", true },
};

/* The index of v in names[0..n), -EINVAL when it is none of them. */
static int name_index(const char *const *names, size_t n, const char *v) {
        for (size_t i = 0; i < n; i++)
                if (names[i] && strcmp(v, names[i]) == 0)
                        return (int)i;
        return -EINVAL;
}

/* The table's copy of the name, NULL when it is no section of ours. */
static const char *section_find(const char *section) {
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (strcmp(keys[i].section, section) == 0)
                        return keys[i].section;
        return NULL;
}

static const struct key *key_find(const char *section, const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
                        return &keys[i];
        return NULL;
}

static size_t key_size(enum key_type type) {
        switch (type) {
        case KEY_UNSIGNED:
                return sizeof(unsigned);
        case KEY_USEC:
                return sizeof(int64_t);
        case KEY_BOOL:
                return sizeof(bool);
        case KEY_TIME_ZONE:
                return sizeof(char *);
        case KEY_BACKEND:
                return sizeof(enum dl_backend);
        case KEY_CHIP:
                return DL_GPIO_CHIP_MAX;
        case KEY_LINE:
                return sizeof(struct dl_hw_gpio_line);
        case KEY_KEYPAD_TYPE:
                return sizeof(enum dl_hw_keypad_type);
        case KEY_ACTUATOR:
                return sizeof(enum dl_hw_actuator);
        case KEY_STRIKE_TYPE:
                return sizeof(enum dl_hw_strike_type);
        case KEY_WIEGAND_KEYS:
                return sizeof(bool);
        case KEY_ROWS:
        case KEY_COLUMNS:
        case KEY_KEYMAP:
        case KEY_WIEGAND_TIMING:
                return 0; /* more than one field: see reset_value() */
        }
        return 0;
}

/* As systemd's parse_boolean(). */
static int parse_boolean(const char *v) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        return -EINVAL;
}

/* Decimal digits only: no sign, no blanks, no base prefix, no junk.
 * -EINVAL when it is not such a number, -ERANGE when it does not fit. */
static int parse_decimal(const char *v, uint64_t *ret) {
        uint64_t n = 0;

        if (!*v)
                return -EINVAL;
        for (const char *s = v; *s; s++) {
                unsigned d;

                if (*s < '0' || *s > '9')
                        return -EINVAL;
                d = (unsigned)(*s - '0');
                if (n > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                n = n * 10 + d;
        }
        *ret = n;
        return 0;
}

/* ---- reading the file ---- */

struct parser {
        const char *path;
        FILE *f;
        unsigned line;
        char *buf;
        size_t bufsz;
        /* The current line's section header, key and value, stripped (point
         * into buf). */
        const char *section; /* NULL before the first header */
        const char *key;
        const char *value;

        struct dl_daemon_config *config; /* the copy being filled in */
        const struct dl_daemon_config *defaults;

        unsigned door_sensor_line; /* [Lock] DoorSensor= given explicitly there, 0 = not */

        int r; /* first error; once set, the reader stops */
        struct dl_error *err;
};

/* A copy of s for a message: anything but printable ASCII becomes '?' (a
 * message may end up on D-Bus, which wants UTF-8) and anything
 * longer than MESSAGE_VALUE_MAX is cut short with "...".  buf must hold
 * MESSAGE_VALUE_MAX + 1 bytes. */
static const char *printable(const char *s, char buf[static MESSAGE_VALUE_MAX + 1]) {
        size_t len = strlen(s), n = len > MESSAGE_VALUE_MAX ? MESSAGE_VALUE_MAX - 3 : len;

        for (size_t i = 0; i < n; i++) {
                buf[i] = s[i];
                if (s[i] < 0x20 || s[i] >= 0x7f)
                        buf[i] = '?';
        }
        if (len > MESSAGE_VALUE_MAX)
                memcpy(buf + n, "...", 3);
        buf[len > MESSAGE_VALUE_MAX ? MESSAGE_VALUE_MAX : n] = '\0';
        return buf;
}

static int parser_fail(struct parser *p, const char *fmt, ...) _printf_(2, 3);
static int parser_fail(struct parser *p, const char *fmt, ...) {
        char reason[DL_ERROR_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        /* Every message passes here, including the ones other parsers
         * (the GPIO line syntax) wrote around a piece of the value: it
         * leaves as printable ASCII, whoever quoted what. */
        for (char *c = reason; *c; c++)
                if (*c < 0x20 || *c >= 0x7f)
                        *c = '?';
        p->r = dl_error_set(p->err, -EINVAL, "%s:%u: %s", p->path, p->line, reason);
        return p->r;
}

/* "PATH:LINE: [Section] Key=VALUE: reason" */
static int key_fail(struct parser *p, const char *reason, ...) _printf_(2, 3);
static int key_fail(struct parser *p, const char *reason, ...) {
        char why[DL_ERROR_MAX], k[MESSAGE_VALUE_MAX + 1], v[MESSAGE_VALUE_MAX + 1];
        va_list ap;

        va_start(ap, reason);
        vsnprintf(why, sizeof(why), reason, ap);
        va_end(ap);
        if (p->section)
                return parser_fail(p, "[%s] %s=%s: %s", p->section, printable(p->key, k),
                                   printable(p->value, v), why);
        return parser_fail(p, "%s=%s: %s", printable(p->key, k), printable(p->value, v), why);
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static char *strip(char *s) {
        size_t n;

        while (is_blank(*s))
                s++;
        n = strlen(s);
        while (n > 0 && is_blank(s[n - 1]))
                s[--n] = '\0';
        return s;
}

static bool key_name_valid(const char *s) {
        for (; *s; s++)
                if (!(*s >= 'A' && *s <= 'Z') && !(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') &&
                    !strchr("_-.", *s))
                        return false;
        return true;
}

/* Hand libinih one line, already checked and normalised: "" for blank
 * lines and comments, "[Section]" or "Key=Value".  libinih alone would
 * accept things systemd does not (indented continuation lines, "Key: v",
 * "; inline" comments, depending on how it was built) and cannot report
 * line numbers to the handler, so this reader counts lines, refuses those
 * forms and keeps the exact value for the handler. */
static int parser_next(struct parser *p, char *out, size_t size) {
        ssize_t n;
        char *s, *eq;

        p->key = p->value = NULL;
        errno = 0;
        n = getline(&p->buf, &p->bufsz, p->f);
        if (n < 0) {
                if (ferror(p->f)) {
                        p->r = errno > 0 ? -errno : -EIO;
                        return dl_error_set(p->err, p->r, "Cannot read %s: %s", p->path, strerror(-p->r));
                }
                return 0; /* end of file */
        }
        p->line++;
        if (memchr(p->buf, '\0', (size_t)n))
                return parser_fail(p, "line contains a NUL byte");

        s = p->buf;
        /* A UTF-8 byte order mark, as systemd skips it. */
        if (p->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
                s += 3;
        /* Trailing "\n" and "\r\n" go with the blanks: CRLF files work. */
        s = strip(s);

        if (*s == '\0' || *s == '#' || *s == ';') {
                snprintf(out, size, "\n");
                return 1;
        }

        if (*s == '[') {
                char shown[MESSAGE_VALUE_MAX + 1];
                size_t len = strlen(s);
                char *name = s + 1;

                if (len < 2 || s[len - 1] != ']')
                        return parser_fail(p, "invalid section header \"%s\"", printable(s, shown));
                s[len - 1] = '\0';
                p->section = section_find(name);
                if (!p->section)
                        return parser_fail(p, "unknown section [%s]", printable(name, shown));
                if ((size_t)snprintf(out, size, "[%s]\n", name) >= size)
                        return parser_fail(p, "line too long");
                return 1;
        }

        eq = strchr(s, '=');
        if (!eq) {
                char shown[MESSAGE_VALUE_MAX + 1];

                return parser_fail(p, "\"%s\" is not a Key=value assignment", printable(s, shown));
        }
        *eq = '\0';
        p->key = strip(s);
        p->value = strip(eq + 1);

        if (!p->section)
                return key_fail(p, "assignment outside of a section");
        if (!*p->key)
                return key_fail(p, "missing key name");
        /* Anything else in a name ("Key:", blanks, ...) would confuse
         * libinih and can be no key of ours anyway. */
        if (!key_name_valid(p->key))
                return key_fail(p, "unknown key");
        if ((size_t)snprintf(out, size, "%s=%s\n", p->key, p->value) >= size)
                return key_fail(p, "line too long (at most %zu characters)", size > 3 ? size - 3 : 0);
        return 1;
}

static char *parser_reader(char *str, int num, void *stream) {
        struct parser *p = stream;

        if (p->r < 0 || num < 2)
                return NULL;
        if (parser_next(p, str, (size_t)num) <= 0)
                return NULL;
        return str;
}

/* Empty: back to the built-in default, as systemd does. */
static void reset_value(struct parser *p, const struct key *k) {
        struct dl_hw_gpio_config *g = &p->config->gpio;
        const struct dl_hw_gpio_config *d = &p->defaults->gpio;

        switch (k->type) {
        case KEY_TIME_ZONE:
                free(p->config->time_zone);
                p->config->time_zone = NULL;
                p->config->store.time_zone = NULL;
                return;
        case KEY_ROWS:
                memcpy(g->rows, d->rows, sizeof(g->rows));
                g->n_rows = d->n_rows;
                return;
        case KEY_COLUMNS:
                memcpy(g->cols, d->cols, sizeof(g->cols));
                g->n_cols = d->n_cols;
                return;
        case KEY_KEYMAP:
                g->matrix.rows = d->matrix.rows;
                g->matrix.cols = d->matrix.cols;
                memcpy(g->matrix.keys, d->matrix.keys, sizeof(g->matrix.keys));
                return;
        case KEY_WIEGAND_TIMING:
                g->wiegand.min_interval_usec = d->wiegand.min_interval_usec;
                g->wiegand.max_interval_usec = d->wiegand.max_interval_usec;
                g->wiegand.frame_gap_usec = d->wiegand.frame_gap_usec;
                return;
        default:
                memcpy((char *)p->config + k->offset, (const char *)p->defaults + k->offset,
                       key_size(k->type));
                return;
        }
}

/* An enum key: v one of names[], stored as the enum (size `size`). */
static int parse_enum(struct parser *p, void *field, size_t size, const char *const *names, size_t n,
                      const char *v, const char *what) {
        int i = name_index(names, n, v);

        if (i < 0)
                return key_fail(p, "%s", what);
        if (size == sizeof(int)) {
                int e = i;

                memcpy(field, &e, size);
        } else
                return key_fail(p, "internal error: enum of size %zu", size);
        return 0;
}

static int parse_gpio_value(struct parser *p, const struct key *k, void *field, const char *v) {
        struct dl_hw_gpio_config *g = &p->config->gpio;
        struct dl_error e = {};
        int r;

        switch (k->type) {
        case KEY_CHIP:
                for (const char *s = v; *s; s++)
                        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
                                return key_fail(p,
                                                "a chip may hold no blank, control or non-ASCII character");
                if (strlen(v) >= DL_GPIO_CHIP_MAX)
                        return key_fail(p, "too long for a chip (at most %d characters)",
                                        DL_GPIO_CHIP_MAX - 1);
                memset(field, 0, DL_GPIO_CHIP_MAX);
                memcpy(field, v, strlen(v));
                return 0;

        case KEY_LINE:
                r = dl_hw_gpio_line_parse(field, v, &e);
                if (r < 0)
                        return key_fail(p, "%s", dl_error_message(&e, r));
                return 0;

        case KEY_ROWS:
                r = dl_hw_gpio_lines_parse(g->rows, ELEMENTSOF(g->rows), &g->n_rows, v, &e);
                if (r < 0)
                        return key_fail(p, "%s", dl_error_message(&e, r));
                return 0;

        case KEY_COLUMNS:
                r = dl_hw_gpio_lines_parse(g->cols, ELEMENTSOF(g->cols), &g->n_cols, v, &e);
                if (r < 0)
                        return key_fail(p, "%s", dl_error_message(&e, r));
                return 0;

        case KEY_KEYMAP:
                r = dl_matrix_config_parse_keymap(&g->matrix, v, &e);
                if (r < 0)
                        return key_fail(p, "%s", dl_error_message(&e, r));
                return 0;

        case KEY_KEYPAD_TYPE:
                return parse_enum(p, field, sizeof(enum dl_hw_keypad_type), dl_hw_keypad_type_names,
                                  ELEMENTSOF(dl_hw_keypad_type_names), v,
                                  "unknown keypad type (none, matrix or wiegand)");

        case KEY_ACTUATOR:
                return parse_enum(p, field, sizeof(enum dl_hw_actuator), dl_hw_actuator_names,
                                  ELEMENTSOF(dl_hw_actuator_names), v,
                                  "unknown actuator (none, motor or strike)");

        case KEY_STRIKE_TYPE:
                return parse_enum(p, field, sizeof(enum dl_hw_strike_type), dl_hw_strike_type_names,
                                  ELEMENTSOF(dl_hw_strike_type_names), v,
                                  "unknown strike type (fail-secure or fail-safe)");

        case KEY_WIEGAND_TIMING: {
                struct dl_wiegand_config w;
                int i = name_index(wiegand_timing_names, ELEMENTSOF(wiegand_timing_names), v);

                if (i < 0 || dl_wiegand_config_init(&w, (enum dl_wiegand_profile)i) < 0)
                        return key_fail(p, "unknown timing profile (standard or slow)");
                g->wiegand.min_interval_usec = w.min_interval_usec;
                g->wiegand.max_interval_usec = w.max_interval_usec;
                g->wiegand.frame_gap_usec = w.frame_gap_usec;
                return 0;
        }

        case KEY_WIEGAND_KEYS:
                for (size_t i = 0; i < ELEMENTSOF(wiegand_keys_names); i++)
                        if (strcmp(v, wiegand_keys_names[i].name) == 0) {
                                *(bool *)field = wiegand_keys_names[i].keys_4bit;
                                return 0;
                        }
                return key_fail(p, "unknown key burst size (4, 8 or both)");

        default:
                return key_fail(p, "internal error: unknown key type");
        }
}

static int parse_value(struct parser *p, const struct key *k, const char *v) {
        void *field = (char *)p->config + k->offset;
        uint64_t n;
        int r;

        if (k->type == KEY_BOOL && k->offset == FIELD(lock.door_sensor))
                p->door_sensor_line = *v ? p->line : 0;

        if (*v == '\0') {
                reset_value(p, k);
                return 0;
        }

        switch (k->type) {
        case KEY_UNSIGNED:
        case KEY_USEC:
                r = parse_decimal(v, &n);
                if (r == -EINVAL)
                        return key_fail(p, "not a decimal number");
                if (r < 0 || n < k->min || n > k->max)
                        return key_fail(p, "out of range (%" PRIu64 "-%" PRIu64 ")", k->min, k->max);
                if (k->type == KEY_UNSIGNED)
                        *(unsigned *)field = (unsigned)n;
                else
                        *(int64_t *)field = (int64_t)n * k->scale;
                return 0;

        case KEY_BOOL:
                r = parse_boolean(v);
                if (r < 0)
                        return key_fail(p, "not a boolean (yes/no, true/false, on/off, 1/0)");
                *(bool *)field = r;
                return 0;

        case KEY_TIME_ZONE: {
                struct dl_error e = {};
                char *copy;

                r = dl_tz_check(v, &e);
                if (r < 0)
                        return key_fail(p, "%s", dl_error_message(&e, r));
                copy = strdup(v);
                if (!copy)
                        return p->r = dl_error_set(p->err, -ENOMEM, "Out of memory");
                free(p->config->time_zone);
                p->config->time_zone = copy;
                p->config->store.time_zone = copy;
                return 0;
        }

        case KEY_BACKEND:
                for (size_t i = 0; i < ELEMENTSOF(backend_names); i++)
                        if (strcmp(v, backend_names[i]) == 0) {
                                *(enum dl_backend *)field = (enum dl_backend)i;
                                return 0;
                        }
                return key_fail(p, "unknown backend (simulated or gpio)");

        default:
                return parse_gpio_value(p, k, field, v);
        }
}

static int parser_handler(void *user, const char *section, const char *name, const char *value) {
        struct parser *p = user;
        const struct key *k;

        (void)value; /* p->value is the line as written (see parser_next()) */
        if (!name)
                return 1; /* a section start, when libinih was built to report those */
        if (p->r < 0 || !p->key)
                return 0;
        k = key_find(section, name);
        if (!k) {
                key_fail(p, "unknown key");
                return 0;
        }
        return parse_value(p, k, p->value) >= 0;
}

static int open_config(const char *path, FILE **ret, struct dl_error *err) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        FILE *f;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                if (errno == ENOENT) {
                        *ret = NULL;
                        return 0;
                }
                return dl_error_set(err, -errno, "Cannot open %s: %m", path);
        }
        if (fstat(fd, &st) < 0)
                return dl_error_set(err, -errno, "Cannot stat %s: %m", path);
        if (S_ISDIR(st.st_mode))
                return dl_error_set(err, -EISDIR, "Cannot read %s: it is a directory", path);
        if (!S_ISREG(st.st_mode))
                return dl_error_set(err, -EINVAL, "Cannot read %s: not a regular file", path);
        f = fdopen(fd, "re");
        if (!f)
                return dl_error_set(err, -errno, "Cannot open %s: %m", path);
        TAKE_FD(fd);
        *ret = f;
        return 0;
}

int dl_daemon_config_load(struct dl_daemon_config *c, const char *path, struct dl_error *err) {
        FILE *f = NULL;
        int r;

        if (!c || !path)
                return dl_error_set(err, -EINVAL, "No configuration or no path given");

        r = open_config(path, &f, err);
        if (r < 0)
                return r;
        if (!f)
                return 0; /* no file: everything stays as it is */
        r = dl_daemon_config_load_stream(c, f, path, err);
        fclose(f);
        return r;
}

int dl_daemon_config_load_stream(struct dl_daemon_config *c, FILE *f, const char *path,
                                 struct dl_error *err) {
        struct dl_daemon_config defaults, n;
        struct parser p;
        int r;

        if (!c || !f || !path)
                return dl_error_set(err, -EINVAL, "No configuration, stream or name given");

        /* Work on a copy: c only changes when the whole file is good. */
        dl_daemon_config_init(&defaults);
        n = *c;
        n.time_zone = NULL;
        if (c->time_zone) {
                n.time_zone = strdup(c->time_zone);
                if (!n.time_zone)
                        return dl_error_set(err, -ENOMEM, "Out of memory");
        }
        n.store.time_zone = n.time_zone;

        p = (struct parser){
                .path = path,
                .f = f,
                .config = &n,
                .defaults = &defaults,
                .err = err,
        };
        r = ini_parse_stream(parser_reader, &p, parser_handler, &p);
        free(p.buf);
        if (p.r < 0)
                r = p.r;
        else if (r == -2)
                r = dl_error_set(err, -ENOMEM, "Out of memory");
        else if (r != 0)
                r = dl_error_set(err, -EINVAL, "%s:%d: cannot parse line", path, r);
        if (r < 0)
                goto fail;

        /* No key of its own: generated PINs follow the length bounds. */
        if (n.store.pin.min_length <= n.store.pin.max_length)
                n.store.generated_pin_length = MIN(MAX(n.store.generated_pin_length, n.store.pin.min_length),
                                                   n.store.pin.max_length);

        {
                struct dl_error e = {};

                r = dl_store_config_check(&n.store, &e);
                if (r < 0) {
                        r = dl_error_set(err, -EINVAL, "%s: %s", path, dl_error_message(&e, r));
                        goto fail;
                }
        }

        /* [Lock] MotorTimeoutMilliseconds= is the GPIO motor's too (one try). */
        n.gpio.motor_timeout_usec = n.lock.motor_timeout_usec;

        if (n.backend == DL_BACKEND_GPIO) {
                struct dl_error e = {};

                /* The door sensor is the Door= line, once there is hardware. */
                if (dl_hw_gpio_config_any(&n.gpio)) {
                        if (p.door_sensor_line > 0 && n.lock.door_sensor != n.gpio.door.set) {
                                r = dl_error_set(
                                        err, -EINVAL,
                                        "%s:%u: [Lock] DoorSensor=%s contradicts Door=, which is %s: "
                                        "with Backend=gpio a door sensor is fitted exactly when "
                                        "Door= names its line; drop DoorSensor=",
                                        path, p.door_sensor_line, n.lock.door_sensor ? "yes" : "no",
                                        n.gpio.door.set ? "set" : "not set");
                                goto fail;
                        }
                        n.lock.door_sensor = n.gpio.door.set;
                }

                r = dl_hw_gpio_config_check(&n.gpio, &e);
                if (r < 0) {
                        r = dl_error_set(err, -EINVAL, "%s: %s", path, dl_error_message(&e, r));
                        goto fail;
                }
        }

        free(c->time_zone);
        *c = n;
        return 0;

fail:
        free(n.time_zone);
        return r;
}
