/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

/* Not "config.h": that name finds the build's generated config.h first. */
#include "../daemon/config.h"
#include "keypad-entry.h"
#include "lock-controller.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MSEC ((int64_t)1000)
#define SEC ((int64_t)1000000)
#define DAY (SEC * 24 * 3600)

struct fixture {
        char *dir;
        char *path; /* dir/doorlockd.conf, not yet written */
        struct dl_daemon_config config;
};

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        f->dir = scratch_dir_new();
        if (asprintf(&f->path, "%s/doorlockd.conf", f->dir) < 0)
                abort();
        dl_daemon_config_init(&f->config);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;

        dl_daemon_config_done(&f->config);
        free(f->path);
        scratch_dir_free(f->dir);
        free(f);
        return 0;
}

static void write_bytes(const char *path, const char *data, size_t size) {
        FILE *file = fopen(path, "we");

        assert_non_null(file);
        assert_int_equal(fwrite(data, 1, size, file), size);
        assert_int_equal(fclose(file), 0);
}

static void write_text(const char *path, const char *text) {
        write_bytes(path, text, strlen(text));
}

/* Write text to the fixture's file and load it into f->config. */
static int load(struct fixture *f, const char *text, struct dl_error *err) {
        write_text(f->path, text);
        return dl_daemon_config_load(&f->config, f->path, err);
}

static void load_ok(struct fixture *f, const char *text) {
        struct dl_error err = {};
        int r = load(f, text, &err);

        if (r != 0)
                fail_msg("loading \"%s\" failed: %d (%s)", text, r, dl_error_message(&err, r));
}

static void assert_contains(const char *haystack, const char *needle) {
        if (!strstr(haystack, needle))
                fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static bool str_eq(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

static void assert_line_equal(const struct dl_hw_gpio_line *a, const struct dl_hw_gpio_line *b) {
        assert_int_equal(a->set, b->set);
        assert_string_equal(a->chip, b->chip);
        assert_string_equal(a->line, b->line);
        assert_int_equal(a->active_low, b->active_low);
}

static void assert_gpio_equal(const struct dl_hw_gpio_config *a, const struct dl_hw_gpio_config *b) {
        const struct dl_hw_gpio_line *la[] = { &a->wiegand_d0, &a->wiegand_d1,     &a->motor_unlock,
                                               &a->motor_lock, &a->bolt_retracted, &a->bolt_extended,
                                               &a->strike,     &a->door,           &a->exit_button,
                                               &a->doorbell,   &a->tamper,         &a->buzzer,
                                               &a->led };
        const struct dl_hw_gpio_line *lb[] = { &b->wiegand_d0, &b->wiegand_d1,     &b->motor_unlock,
                                               &b->motor_lock, &b->bolt_retracted, &b->bolt_extended,
                                               &b->strike,     &b->door,           &b->exit_button,
                                               &b->doorbell,   &b->tamper,         &b->buzzer,
                                               &b->led };

        assert_string_equal(a->chip, b->chip);
        assert_int_equal(a->keypad, b->keypad);
        assert_int_equal(a->n_rows, b->n_rows);
        assert_int_equal(a->n_cols, b->n_cols);
        for (unsigned i = 0; i < DL_MATRIX_MAX; i++) {
                assert_line_equal(&a->rows[i], &b->rows[i]);
                assert_line_equal(&a->cols[i], &b->cols[i]);
        }
        assert_int_equal(a->matrix.rows, b->matrix.rows);
        assert_int_equal(a->matrix.cols, b->matrix.cols);
        for (unsigned i = 0; i < DL_MATRIX_MAX; i++)
                assert_string_equal(a->matrix.keys[i], b->matrix.keys[i]);
        assert_int_equal(a->matrix.settle_usec, b->matrix.settle_usec);
        assert_int_equal(a->matrix.debounce_usec, b->matrix.debounce_usec);
        assert_int_equal(a->matrix.held_poll_usec, b->matrix.held_poll_usec);
        assert_int_equal(a->wiegand.min_interval_usec, b->wiegand.min_interval_usec);
        assert_int_equal(a->wiegand.max_interval_usec, b->wiegand.max_interval_usec);
        assert_int_equal(a->wiegand.frame_gap_usec, b->wiegand.frame_gap_usec);
        assert_int_equal(a->wiegand.keys_4bit, b->wiegand.keys_4bit);
        assert_int_equal(a->actuator, b->actuator);
        assert_int_equal(a->motor_timeout_usec, b->motor_timeout_usec);
        assert_int_equal(a->motor_dead_time_usec, b->motor_dead_time_usec);
        assert_int_equal(a->strike_type, b->strike_type);
        assert_int_equal(a->strike_usec, b->strike_usec);
        assert_int_equal(a->input_debounce_usec, b->input_debounce_usec);
        for (size_t i = 0; i < ELEMENTSOF(la); i++)
                assert_line_equal(la[i], lb[i]);
}

static void assert_config_equal(const struct dl_daemon_config *a, const struct dl_daemon_config *b) {
        assert_int_equal(a->store.pin.min_length, b->store.pin.min_length);
        assert_int_equal(a->store.pin.max_length, b->store.pin.max_length);
        assert_int_equal(a->store.generated_pin_length, b->store.generated_pin_length);
        assert_int_equal(a->store.max_codes, b->store.max_codes);
        assert_int_equal(a->store.remove_dead_after_usec, b->store.remove_dead_after_usec);
        assert_int_equal(a->store.anti_peep, b->store.anti_peep);
        assert_int_equal(a->store.max_entry_length, b->store.max_entry_length);
        assert_int_equal(a->store.lockout.attempts, b->store.lockout.attempts);
        assert_int_equal(a->store.lockout.first_usec, b->store.lockout.first_usec);
        assert_int_equal(a->store.lockout.max_usec, b->store.lockout.max_usec);
        assert_int_equal(a->store.log_max_entries, b->store.log_max_entries);
        assert_int_equal(a->store.busy_timeout_ms, b->store.busy_timeout_ms);
        if (!str_eq(a->time_zone, b->time_zone))
                fail_msg("time zone \"%s\" != \"%s\"", a->time_zone ? a->time_zone : "(null)",
                         b->time_zone ? b->time_zone : "(null)");
        assert_ptr_equal(a->store.time_zone, a->time_zone);
        assert_ptr_equal(b->store.time_zone, b->time_zone);
        assert_int_equal(a->keypad_timeout_usec, b->keypad_timeout_usec);
        assert_int_equal(a->lock.relock_usec, b->lock.relock_usec);
        assert_int_equal(a->lock.motor_timeout_usec, b->lock.motor_timeout_usec);
        assert_int_equal(a->lock.door_sensor, b->lock.door_sensor);
        assert_int_equal(a->backend, b->backend);
        assert_int_equal(a->sim_motor_usec, b->sim_motor_usec);
        assert_int_equal(a->sim_key_gap_usec, b->sim_key_gap_usec);
        assert_int_equal(a->door_held_open_usec, b->door_held_open_usec);
        assert_gpio_equal(&a->gpio, &b->gpio);
}

static void assert_is_default(const struct dl_daemon_config *c) {
        struct dl_daemon_config d;

        dl_daemon_config_init(&d);
        assert_config_equal(c, &d);
        dl_daemon_config_done(&d);
}

/* A deep copy to compare against later. */
static void config_copy(struct dl_daemon_config *to, const struct dl_daemon_config *from) {
        *to = *from;
        to->time_zone = from->time_zone ? strdup(from->time_zone) : NULL;
        to->store.time_zone = to->time_zone;
}

/* Loading text must fail with -EINVAL, a message "PATH:LINE: ..." holding
 * every non-NULL needle, and f->config exactly as it was. */
static void assert_load_fails_at(struct fixture *f, const char *text, unsigned line, const char *needle,
                                 const char *needle2) {
        struct dl_daemon_config before;
        struct dl_error err = {};
        char *prefix;
        int r;

        config_copy(&before, &f->config);
        r = load(f, text, &err);
        if (r != -EINVAL)
                fail_msg("loading \"%s\" gave %d (%s), expected -EINVAL", text, r,
                         dl_error_message(&err, r));
        assert_int_equal(err.code, -EINVAL);
        if (line > 0) {
                if (asprintf(&prefix, "%s:%u: ", f->path, line) < 0)
                        abort();
        } else if (asprintf(&prefix, "%s: ", f->path) < 0)
                abort();
        if (strncmp(err.message, prefix, strlen(prefix)) != 0)
                fail_msg("message \"%s\" does not start with \"%s\"", err.message, prefix);
        free(prefix);
        if (needle)
                assert_contains(err.message, needle);
        if (needle2)
                assert_contains(err.message, needle2);
        assert_config_equal(&f->config, &before);
        dl_daemon_config_done(&before);

        /* Same result without an error struct. */
        assert_int_equal(dl_daemon_config_load(&f->config, f->path, NULL), -EINVAL);
}

/* ---- the tests ---- */

static void test_defaults(void **state) {
        struct fixture *f = *state;
        const struct dl_daemon_config *c = &f->config;

        assert_int_equal(c->store.pin.min_length, 6);
        assert_int_equal(c->store.pin.max_length, 10);
        assert_int_equal(c->store.generated_pin_length, 6);
        assert_int_equal(c->store.max_codes, 200);
        assert_int_equal(c->store.remove_dead_after_usec, 7 * DAY);
        assert_false(c->store.anti_peep);
        assert_int_equal(c->store.max_entry_length, 16);
        assert_int_equal(c->store.lockout.attempts, 5);
        assert_int_equal(c->store.lockout.first_usec, 30 * SEC);
        assert_int_equal(c->store.lockout.max_usec, 3600 * SEC);
        assert_int_equal(c->store.log_max_entries, 10000);
        assert_null(c->time_zone);
        assert_null(c->store.time_zone);
        assert_int_equal(c->keypad_timeout_usec, DL_KEYPAD_TIMEOUT_USEC_DEFAULT);
        assert_int_equal(c->keypad_timeout_usec, 10 * SEC);
        assert_int_equal(c->lock.relock_usec, DL_RELOCK_USEC_DEFAULT);
        assert_int_equal(c->lock.motor_timeout_usec, DL_MOTOR_TIMEOUT_USEC_DEFAULT);
        assert_true(c->lock.door_sensor);
        assert_int_equal(c->backend, DL_BACKEND_GPIO);
        assert_int_equal(c->sim_motor_usec, 300 * MSEC);
        assert_int_equal(c->sim_key_gap_usec, 150 * MSEC);

        assert_int_equal(dl_store_config_check(&c->store, NULL), 0);

        /* done() may be called twice and on NULL. */
        dl_daemon_config_done(&f->config);
        dl_daemon_config_done(NULL);
}

static const char every_key[] = "[Codes]\n"
                                "MinPinLength=5\n"
                                "MaxPinLength=12\n"
                                "MaxCodes=50\n"
                                "RemoveDeadAfterDays=30\n"
                                "[Keypad]\n"
                                "AntiPeep=yes\n"
                                "MaxEntryLength=24\n"
                                "EntryTimeoutSeconds=20\n"
                                "[Lockout]\n"
                                "Attempts=3\n"
                                "FirstSeconds=60\n"
                                "MaxSeconds=7200\n"
                                "[Lock]\n"
                                "AutoRelockSeconds=0\n"
                                "MotorTimeoutMilliseconds=1500\n"
                                "DoorSensor=no\n"
                                "[Clock]\n"
                                "TimeZone=Europe/Berlin\n"
                                "[Log]\n"
                                "MaxEntries=500\n"
                                "[Hardware]\n"
                                "Backend=simulated\n"
                                "[Simulator]\n"
                                "MotorMilliseconds=0\n"
                                "KeyGapMilliseconds=5000\n";

static void test_every_key(void **state) {
        struct fixture *f = *state;
        const struct dl_daemon_config *c = &f->config;

        load_ok(f, every_key);
        assert_int_equal(c->store.pin.min_length, 5);
        assert_int_equal(c->store.pin.max_length, 12);
        assert_int_equal(c->store.generated_pin_length, 6);
        assert_int_equal(c->store.max_codes, 50);
        assert_int_equal(c->store.remove_dead_after_usec, 30 * DAY);
        assert_true(c->store.anti_peep);
        assert_int_equal(c->store.max_entry_length, 24);
        assert_int_equal(c->keypad_timeout_usec, 20 * SEC);
        assert_int_equal(c->store.lockout.attempts, 3);
        assert_int_equal(c->store.lockout.first_usec, 60 * SEC);
        assert_int_equal(c->store.lockout.max_usec, 7200 * SEC);
        assert_int_equal(c->lock.relock_usec, 0);
        assert_int_equal(c->lock.motor_timeout_usec, 1500 * MSEC);
        assert_false(c->lock.door_sensor);
        assert_string_equal(c->time_zone, "Europe/Berlin");
        assert_ptr_equal(c->store.time_zone, c->time_zone);
        assert_int_equal(c->store.log_max_entries, 500);
        assert_int_equal(c->backend, DL_BACKEND_SIMULATED);
        assert_int_equal(c->sim_motor_usec, 0);
        assert_int_equal(c->sim_key_gap_usec, 5000 * MSEC);
        /* Untouched by the file. */
        assert_int_equal(c->store.busy_timeout_ms, 5000);
}

static void test_bounds_accepted(void **state) {
        struct fixture *f = *state;
        const struct dl_daemon_config *c = &f->config;

        load_ok(f, "[Codes]\nMinPinLength=4\nMaxPinLength=4\nMaxCodes=1\nRemoveDeadAfterDays=0\n"
                   "[Keypad]\nMaxEntryLength=4\nEntryTimeoutSeconds=1\n"
                   "[Lockout]\nAttempts=1\nFirstSeconds=1\nMaxSeconds=1\n"
                   "[Lock]\nAutoRelockSeconds=0\nMotorTimeoutMilliseconds=100\n"
                   "[Log]\nMaxEntries=100\n"
                   "[Simulator]\nMotorMilliseconds=0\nKeyGapMilliseconds=0\n");
        assert_int_equal(c->store.pin.min_length, 4);
        assert_int_equal(c->store.pin.max_length, 4);
        assert_int_equal(c->store.generated_pin_length, 4);
        assert_int_equal(c->store.max_codes, 1);
        assert_int_equal(c->store.remove_dead_after_usec, 0);
        assert_int_equal(c->store.max_entry_length, 4);
        assert_int_equal(c->keypad_timeout_usec, 1 * SEC);
        assert_int_equal(c->store.lockout.attempts, 1);
        assert_int_equal(c->store.lockout.first_usec, 1 * SEC);
        assert_int_equal(c->store.lockout.max_usec, 1 * SEC);
        assert_int_equal(c->lock.motor_timeout_usec, 100 * MSEC);
        assert_int_equal(c->store.log_max_entries, 100);

        load_ok(f, "[Codes]\nMinPinLength=12\nMaxPinLength=12\nMaxCodes=200\nRemoveDeadAfterDays=366\n"
                   "[Keypad]\nMaxEntryLength=32\nEntryTimeoutSeconds=300\n"
                   "[Lockout]\nAttempts=255\nFirstSeconds=86400\nMaxSeconds=86400\n"
                   "[Lock]\nAutoRelockSeconds=3600\nMotorTimeoutMilliseconds=60000\n"
                   "[Log]\nMaxEntries=1000000\n"
                   "[Simulator]\nMotorMilliseconds=10000\nKeyGapMilliseconds=5000\n");
        assert_int_equal(c->store.pin.min_length, 12);
        assert_int_equal(c->store.generated_pin_length, 12);
        assert_int_equal(c->store.max_codes, 200);
        assert_int_equal(c->store.remove_dead_after_usec, 366 * DAY);
        assert_int_equal(c->store.max_entry_length, 32);
        assert_int_equal(c->keypad_timeout_usec, 300 * SEC);
        assert_int_equal(c->store.lockout.attempts, 255);
        assert_int_equal(c->store.lockout.first_usec, 86400 * SEC);
        assert_int_equal(c->store.lockout.max_usec, 86400 * SEC);
        assert_int_equal(c->lock.relock_usec, 3600 * SEC);
        assert_int_equal(c->lock.motor_timeout_usec, 60000 * MSEC);
        assert_int_equal(c->store.log_max_entries, 1000000);
        assert_int_equal(c->sim_motor_usec, 10000 * MSEC);
        assert_int_equal(c->sim_key_gap_usec, 5000 * MSEC);

        /* Leading zeros are still decimal (not octal). */
        load_ok(f, "[Codes]\nMaxCodes=010\n");
        assert_int_equal(c->store.max_codes, 10);
}

static void test_booleans(void **state) {
        static const char *const yes[] = { "yes", "YES", "Yes", "y", "true", "TRUE", "t", "on", "On", "1" };
        static const char *const no[] = { "no", "NO", "n", "false", "False", "f", "off", "OFF", "0" };
        struct fixture *f = *state;
        char text[128];

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                snprintf(text, sizeof(text), "[Keypad]\nAntiPeep=%s\n[Lock]\nDoorSensor=no\n", yes[i]);
                load_ok(f, text);
                assert_true(f->config.store.anti_peep);
                assert_false(f->config.lock.door_sensor);
                snprintf(text, sizeof(text), "[Lock]\nDoorSensor=%s\n[Keypad]\nAntiPeep=no\n", yes[i]);
                load_ok(f, text);
                assert_true(f->config.lock.door_sensor);
                assert_false(f->config.store.anti_peep);
        }
        for (size_t i = 0; i < ELEMENTSOF(no); i++) {
                snprintf(text, sizeof(text), "[Keypad]\nAntiPeep=yes\n[Lock]\nDoorSensor=%s\n", no[i]);
                load_ok(f, text);
                assert_false(f->config.lock.door_sensor);
                assert_true(f->config.store.anti_peep);
                snprintf(text, sizeof(text), "[Keypad]\nAntiPeep=%s\n[Lock]\nDoorSensor=yes\n", no[i]);
                load_ok(f, text);
                assert_false(f->config.store.anti_peep);
                assert_true(f->config.lock.door_sensor);
        }

        assert_load_fails_at(f, "[Lock]\nDoorSensor=yess\n", 2, "[Lock] DoorSensor=yess: ", "boolean");
        assert_load_fails_at(f, "[Lock]\nDoorSensor=2\n", 2, "[Lock] DoorSensor=2: ", "boolean");
        assert_load_fails_at(f, "[Keypad]\nAntiPeep=enabled\n", 2, "[Keypad] AntiPeep=enabled: ", "boolean");
        assert_load_fails_at(f, "[Keypad]\nAntiPeep=\"yes\"\n", 2, "[Keypad] AntiPeep=\"yes\": ", NULL);
}

static void test_empty_value_resets(void **state) {
        struct fixture *f = *state;

        load_ok(f, every_key);
        load_ok(f, "[Codes]\nMinPinLength=\nMaxPinLength=\nMaxCodes=\nRemoveDeadAfterDays=\n"
                   "[Keypad]\nAntiPeep=\nMaxEntryLength=\nEntryTimeoutSeconds=\n"
                   "[Lockout]\nAttempts=\nFirstSeconds=\nMaxSeconds=\n"
                   "[Lock]\nAutoRelockSeconds=\nMotorTimeoutMilliseconds=\nDoorSensor=\n"
                   "[Clock]\nTimeZone=\n"
                   "[Log]\nMaxEntries=\n"
                   "[Hardware]\nBackend=\n"
                   "[Simulator]\nMotorMilliseconds=\nKeyGapMilliseconds=  \n");
        assert_is_default(&f->config);

        /* Within one file: set, then reset. */
        load_ok(f, "[Codes]\nMaxCodes=20\nMaxCodes=\n[Clock]\nTimeZone=UTC\nTimeZone=\n");
        assert_int_equal(f->config.store.max_codes, 200);
        assert_null(f->config.time_zone);
        assert_null(f->config.store.time_zone);
}

static void test_keys_apply_over_existing(void **state) {
        struct fixture *f = *state;

        /* A file only changes what it names. */
        load_ok(f, every_key);
        load_ok(f, "[Codes]\nMaxCodes=77\n");
        assert_int_equal(f->config.store.max_codes, 77);
        assert_int_equal(f->config.store.pin.min_length, 5);
        assert_string_equal(f->config.time_zone, "Europe/Berlin");
        assert_int_equal(f->config.backend, DL_BACKEND_SIMULATED);

        /* An empty file or one of comments only changes nothing. */
        load_ok(f, "");
        load_ok(f, "# nothing\n\n");
        assert_int_equal(f->config.store.max_codes, 77);
}

static void test_duplicates_last_wins(void **state) {
        struct fixture *f = *state;

        load_ok(f, "[Codes]\nMaxCodes=10\nMaxCodes=20\n[Lock]\nDoorSensor=no\n[Codes]\nMaxCodes=30\n"
                   "[Clock]\nTimeZone=UTC\nTimeZone=Europe/Berlin\n");
        assert_int_equal(f->config.store.max_codes, 30);
        assert_false(f->config.lock.door_sensor);
        assert_string_equal(f->config.time_zone, "Europe/Berlin");
}

static void test_unknown_section(void **state) {
        struct fixture *f = *state;

        assert_load_fails_at(f, "[Codes]\nMaxCodes=5\n[Foo]\nBar=1\n", 3, "unknown section [Foo]", NULL);
        /* Even without any keys in it. */
        assert_load_fails_at(f, "# x\n[Foo]\n", 2, "unknown section [Foo]", NULL);
        /* Names are case-sensitive, as in systemd. */
        assert_load_fails_at(f, "[codes]\nMaxCodes=5\n", 1, "unknown section [codes]", NULL);
        assert_load_fails_at(f, "[ Codes ]\n", 1, "unknown section [ Codes ]", NULL);
        assert_load_fails_at(f, "[]\n", 1, "unknown section []", NULL);
        /* Not a section header at all. */
        assert_load_fails_at(f, "[Codes\nMaxCodes=5\n", 1, "invalid section header", NULL);
        assert_load_fails_at(f, "[Codes] # comment\n", 1, "invalid section header", NULL);
}

static void test_unknown_key(void **state) {
        struct fixture *f = *state;

        assert_load_fails_at(f, "[Codes]\nMaxCodes=5\nMaxCode=5\n", 3, "[Codes] MaxCode=5: unknown key",
                             NULL);
        assert_load_fails_at(f, "[Codes]\nmaxcodes=5\n", 2, "[Codes] maxcodes=5: unknown key", NULL);
        /* A key in the wrong section. */
        assert_load_fails_at(f, "[Lock]\nMaxCodes=5\n", 2, "[Lock] MaxCodes=5: unknown key", NULL);
        assert_load_fails_at(f, "[Codes]\nMax Codes=5\n", 2, "[Codes] Max Codes=5: unknown key", NULL);
        /* Before any section. */
        assert_load_fails_at(f, "\nMaxCodes=5\n[Codes]\n", 2, "MaxCodes=5: assignment outside of a section",
                             NULL);
        assert_load_fails_at(f, "[Codes]\n=5\n", 2, "missing key name", NULL);
}

static void test_not_assignments(void **state) {
        struct fixture *f = *state;

        assert_load_fails_at(f, "[Codes]\nMaxCodes 5\n", 2, "\"MaxCodes 5\" is not a Key=value assignment",
                             NULL);
        assert_load_fails_at(f, "[Codes]\nMaxCodes\n", 2, "not a Key=value assignment", NULL);
        /* libinih's "name: value" is not systemd's. */
        assert_load_fails_at(f, "[Codes]\nMaxCodes: 5\n", 2, "not a Key=value assignment", NULL);
        assert_load_fails_at(f, "[Codes]\nMaxCodes:x=5\n", 2, "[Codes] MaxCodes:x=5: unknown key", NULL);
}

struct bad_value {
        const char *section, *key, *value, *reason;
};

static void test_bad_numbers(void **state) {
        static const struct bad_value bad[] = {
                { "Codes", "MaxCodes", "12x", "not a decimal number" },
                { "Codes", "MaxCodes", "x12", "not a decimal number" },
                { "Codes", "MaxCodes", "-1", "not a decimal number" },
                { "Codes", "MaxCodes", "+5", "not a decimal number" },
                { "Codes", "MaxCodes", "0x10", "not a decimal number" },
                { "Codes", "MaxCodes", "1e2", "not a decimal number" },
                { "Codes", "MaxCodes", "5.0", "not a decimal number" },
                { "Codes", "MaxCodes", "5 0", "not a decimal number" },
                { "Codes", "MaxCodes", "５", "not a decimal number" },
                /* No inline comments, as in systemd. */
                { "Codes", "MaxCodes", "5 # five", "not a decimal number" },
                { "Codes", "MaxCodes", "5 ; five", "not a decimal number" },
                { "Codes", "MaxCodes", "5;five", "not a decimal number" },
                /* Overflow of every width. */
                { "Codes", "MaxCodes", "4294967296", "out of range (1-200)" },
                { "Codes", "MaxCodes", "18446744073709551615", "out of range (1-200)" },
                { "Codes", "MaxCodes", "18446744073709551616", "out of range (1-200)" },
                { "Codes", "MaxCodes", "99999999999999999999999999", "out of range (1-200)" },
                { "Lock", "AutoRelockSeconds", "9223372036854775808", "out of range (0-3600)" },
                /* Out of range per key. */
                { "Codes", "MinPinLength", "3", "out of range (4-12)" },
                { "Codes", "MaxPinLength", "13", "out of range (4-12)" },
                { "Codes", "MaxCodes", "0", "out of range (1-200)" },
                { "Codes", "MaxCodes", "201", "out of range (1-200)" },
                { "Codes", "RemoveDeadAfterDays", "367", "out of range (0-366)" },
                { "Keypad", "MaxEntryLength", "33", "out of range (4-32)" },
                { "Keypad", "EntryTimeoutSeconds", "0", "out of range (1-300)" },
                { "Keypad", "EntryTimeoutSeconds", "301", "out of range (1-300)" },
                { "Lockout", "Attempts", "0", "out of range (1-255)" },
                { "Lockout", "Attempts", "256", "out of range (1-255)" },
                { "Lockout", "FirstSeconds", "0", "out of range (1-86400)" },
                { "Lockout", "MaxSeconds", "86401", "out of range (1-86400)" },
                { "Lock", "AutoRelockSeconds", "3601", "out of range (0-3600)" },
                { "Lock", "MotorTimeoutMilliseconds", "99", "out of range (100-60000)" },
                { "Lock", "MotorTimeoutMilliseconds", "60001", "out of range (100-60000)" },
                { "Log", "MaxEntries", "99", "out of range (100-1000000)" },
                { "Log", "MaxEntries", "1000001", "out of range (100-1000000)" },
                { "Simulator", "MotorMilliseconds", "10001", "out of range (0-10000)" },
                { "Simulator", "KeyGapMilliseconds", "5001", "out of range (0-5000)" },
                /* Not numbers at all. */
                { "Hardware", "Backend", "GPIO", "unknown backend" },
                { "Hardware", "Backend", "sim", "unknown backend" },
                { "Hardware", "Backend", "simulated gpio", "unknown backend" },
        };
        struct fixture *f = *state;

        load_ok(f, "[Clock]\nTimeZone=UTC\n");
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *text, *what;

                /* The bad line is line 4, blanks around key and value. */
                if (asprintf(&text, "# bad value\n[%s]\n\n  %s  =  %s  \n", bad[i].section, bad[i].key,
                             bad[i].value) < 0 ||
                    asprintf(&what, "[%s] %s=%s: ", bad[i].section, bad[i].key, bad[i].value) < 0)
                        abort();
                /* Non-ASCII shows as '?' in the message. */
                for (char *s = what; *s; s++)
                        if ((unsigned char)*s >= 0x80)
                                *s = '?';
                assert_load_fails_at(f, text, 4, what, bad[i].reason);
                free(text);
                free(what);
        }
}

static void test_comments_and_blanks(void **state) {
        struct fixture *f = *state;

        load_ok(f, "# a comment\n"
                   "; another comment\n"
                   "\n"
                   "   # indented comment\n"
                   "\t\n"
                   "[Codes]\n"
                   "#MaxCodes=7\n"
                   ";MaxCodes=8\n"
                   "  MaxCodes = 9  \n"
                   "\tMinPinLength\t=\t7\t\n"
                   "# [Foo]\n"
                   "#Unknown=1\n"
                   "  [Lock]  \n"
                   "DoorSensor = off\n"
                   "# last line without newline\n"
                   "AutoRelockSeconds=12");
        assert_int_equal(f->config.store.max_codes, 9);
        assert_int_equal(f->config.store.pin.min_length, 7);
        assert_int_equal(f->config.store.generated_pin_length, 7);
        assert_false(f->config.lock.door_sensor);
        assert_int_equal(f->config.lock.relock_usec, 12 * SEC);
}

static void test_indented_is_no_continuation(void **state) {
        struct fixture *f = *state;

        /* libinih would take an indented line as more of the previous
         * value; here it is a key of its own, as in systemd. */
        load_ok(f, "[Codes]\nMaxCodes=9\n    MinPinLength=7\n");
        assert_int_equal(f->config.store.max_codes, 9);
        assert_int_equal(f->config.store.pin.min_length, 7);
        assert_load_fails_at(f, "[Codes]\nMaxCodes=9\n    8\n", 3, "\"8\" is not a Key=value assignment",
                             NULL);
}

static void test_crlf(void **state) {
        struct fixture *f = *state;

        /* CRLF line ends are tolerated. */
        load_ok(f, "# written on Windows\r\n[Codes]\r\nMaxCodes=42\r\n\r\n[Lock]\r\nDoorSensor=no\r\n"
                   "[Clock]\r\nTimeZone=UTC\r\n");
        assert_int_equal(f->config.store.max_codes, 42);
        assert_false(f->config.lock.door_sensor);
        assert_string_equal(f->config.time_zone, "UTC");
        /* A CR inside a value is not a line end. */
        assert_load_fails_at(f, "[Codes]\r\nMaxCodes=4\r2\r\n", 2,
                             "[Codes] MaxCodes=4?2: ", "not a decimal");
}

static void test_bom(void **state) {
        struct fixture *f = *state;

        load_ok(f, "\xef\xbb\xbf[Codes]\nMaxCodes=11\n");
        assert_int_equal(f->config.store.max_codes, 11);
        /* Only at the very start. */
        assert_load_fails_at(f, "[Codes]\n\xef\xbb\xbfMaxCodes=11\n", 2, "unknown key", NULL);
}

static void test_nul_byte(void **state) {
        static const char text[] = "[Codes]\nMaxCodes=1\0002\n";
        struct fixture *f = *state;
        struct dl_error err = {};

        write_bytes(f->path, text, sizeof(text) - 1);
        assert_int_equal(dl_daemon_config_load(&f->config, f->path, &err), -EINVAL);
        assert_contains(err.message, ":2: ");
        assert_contains(err.message, "NUL");
        assert_is_default(&f->config);
}

static void test_long_values(void **state) {
        struct fixture *f = *state;
        char value[301], *text, *shown;
        struct dl_error err = {};

        memset(value, '7', sizeof(value) - 1);
        value[sizeof(value) - 1] = '\0';

        /* A long value is cut short in the message. */
        if (asprintf(&text, "[Codes]\nMaxCodes=%.100s\n", value) < 0 ||
            asprintf(&shown, "[Codes] MaxCodes=%.61s...: out of range", value) < 0)
                abort();
        assert_load_fails_at(f, text, 2, shown, NULL);
        free(text);
        free(shown);

        /* An over-long line is refused, not split or cut. */
        if (asprintf(&text, "[Clock]\nTimeZone=%s\n", value) < 0)
                abort();
        assert_int_equal(load(f, text, &err), -EINVAL);
        assert_contains(err.message, ":2: [Clock] TimeZone=777");
        assert_contains(err.message, "...: line too long");
        assert_null(strstr(err.message, value + 300 - 65));
        free(text);

        /* Long comments are fine. */
        if (asprintf(&text, "# %s\n[Codes]\n;%s\nMaxCodes=3\n", value, value) < 0)
                abort();
        load_ok(f, text);
        assert_int_equal(f->config.store.max_codes, 3);
        free(text);
}

static void test_store_violations(void **state) {
        struct fixture *f = *state;

        /* Each key in range, but not together: dl_store_config_check(). */
        assert_load_fails_at(f, "[Codes]\nMinPinLength=9\nMaxPinLength=8\n", 0, "Minimum PIN length 9",
                             NULL);
        assert_load_fails_at(f, "[Keypad]\nMaxEntryLength=11\n[Codes]\nMaxPinLength=12\n", 0,
                             "MaxEntryLength=11", NULL);
        assert_load_fails_at(f, "[Keypad]\nMaxEntryLength=9\n", 0, "MaxEntryLength=9", NULL);
        assert_load_fails_at(f, "[Lockout]\nFirstSeconds=120\nMaxSeconds=60\n", 0, "shorter than the first",
                             NULL);
        assert_load_fails_at(f, "[Lockout]\nFirstSeconds=7200\n", 0, "shorter than the first", NULL);
        /* Those the keys' own ranges catch name the line. */
        assert_load_fails_at(f, "[Codes]\nMinPinLength=3\n", 2, "[Codes] MinPinLength=3: ", "out of range");
        assert_load_fails_at(f, "[Codes]\n\nMaxCodes=201\n", 3, "[Codes] MaxCodes=201: ", "out of range");

        /* Fixed together, they pass; generated PINs follow the bounds. */
        load_ok(f, "[Codes]\nMinPinLength=8\nMaxPinLength=12\n[Keypad]\nMaxEntryLength=12\n");
        assert_int_equal(f->config.store.pin.min_length, 8);
        assert_int_equal(f->config.store.generated_pin_length, 8);
        assert_int_equal(dl_store_config_check(&f->config.store, NULL), 0);
}

static void test_time_zone(void **state) {
        struct fixture *f = *state;

        load_ok(f, "[Clock]\nTimeZone=America/New_York\n");
        assert_string_equal(f->config.time_zone, "America/New_York");
        assert_ptr_equal(f->config.store.time_zone, f->config.time_zone);
        load_ok(f, "[Clock]\nTimeZone=  UTC  \n");
        assert_string_equal(f->config.time_zone, "UTC");
        assert_ptr_equal(f->config.store.time_zone, f->config.time_zone);

        assert_load_fails_at(f, "[Clock]\nTimeZone=Mars/Olympus_Mons\n", 2,
                             "[Clock] TimeZone=Mars/Olympus_Mons: ", "Unknown time zone");
        assert_load_fails_at(f, "[Clock]\nTimeZone=../../etc/passwd\n", 2,
                             "[Clock] TimeZone=../../etc/passwd: ", NULL);
        assert_load_fails_at(f, "[Clock]\nTimeZone=/etc/localtime\n", 2,
                             "[Clock] TimeZone=/etc/localtime: ", NULL);
        assert_string_equal(f->config.time_zone, "UTC");
}

static void test_error_leaves_config_unchanged(void **state) {
        struct fixture *f = *state;
        struct dl_daemon_config before;
        char *tz;

        load_ok(f, every_key);
        config_copy(&before, &f->config);
        tz = f->config.time_zone;

        /* Many good keys first (a new time zone among them), then a bad
         * one: nothing of it sticks. */
        assert_load_fails_at(f,
                             "[Codes]\nMaxCodes=3\nMinPinLength=\n[Clock]\nTimeZone=UTC\n[Hardware]\n"
                             "Backend=simulated\n[Lock]\nDoorSensor=maybe\n",
                             9, "[Lock] DoorSensor=maybe: ", NULL);
        assert_config_equal(&f->config, &before);
        assert_ptr_equal(f->config.time_zone, tz);

        assert_load_fails_at(f, "[Clock]\nTimeZone=\n[Codes]\nMaxPinLength=11\nMinPinLength=12\n", 0,
                             "Minimum PIN length 12", NULL);
        assert_config_equal(&f->config, &before);
        assert_ptr_equal(f->config.time_zone, tz);

        /* Errors that are not about the content leave it alone too. */
        assert_int_equal(unlink(f->path), 0);
        assert_int_equal(mkdir(f->path, 0700), 0);
        assert_int_equal(dl_daemon_config_load(&f->config, f->path, NULL), -EISDIR);
        assert_config_equal(&f->config, &before);
        dl_daemon_config_done(&before);
}

static void test_missing_file(void **state) {
        struct fixture *f = *state;
        struct dl_error err = {};
        char *path;

        /* Keeps what is there (defaults, or an earlier file's values). */
        assert_int_equal(dl_daemon_config_load(&f->config, f->path, &err), 0);
        assert_int_equal(err.code, 0);
        assert_is_default(&f->config);

        load_ok(f, "[Codes]\nMaxCodes=12\n");
        assert_int_equal(unlink(f->path), 0);
        assert_int_equal(dl_daemon_config_load(&f->config, f->path, &err), 0);
        assert_int_equal(f->config.store.max_codes, 12);

        /* A missing directory is a missing file too. */
        if (asprintf(&path, "%s/no/such/dir.conf", f->dir) < 0)
                abort();
        assert_int_equal(dl_daemon_config_load(&f->config, path, &err), 0);
        free(path);
}

static void test_not_a_file(void **state) {
        struct fixture *f = *state;
        struct dl_error err = {};
        char *path;

        assert_int_equal(mkdir(f->path, 0700), 0);
        assert_int_equal(dl_daemon_config_load(&f->config, f->path, &err), -EISDIR);
        assert_int_equal(err.code, -EISDIR);
        assert_contains(err.message, f->path);
        assert_contains(err.message, "directory");
        assert_is_default(&f->config);

        /* A file where a directory should be. */
        assert_int_equal(rmdir(f->path), 0);
        write_text(f->path, "");
        if (asprintf(&path, "%s/x.conf", f->path) < 0)
                abort();
        memset(&err, 0, sizeof(err));
        assert_int_equal(dl_daemon_config_load(&f->config, path, &err), -ENOTDIR);
        assert_contains(err.message, path);
        free(path);

        /* Not a regular file. */
        memset(&err, 0, sizeof(err));
        assert_int_equal(dl_daemon_config_load(&f->config, "/dev/null", &err), -EINVAL);
        assert_contains(err.message, "/dev/null");
        assert_contains(err.message, "not a regular file");
}

#define NOBODY 65534
#define CHILD_SKIP 77

/* In a child, as a user that may not read f->path (root drops to nobody,
 * as mode 0 does not stop root): the load must fail with -EACCES. */
static int child_unreadable(struct fixture *f) {
        struct dl_error err = {};
        int r;

        if (geteuid() == 0) {
                if (chmod(f->dir, 0755) < 0)
                        return CHILD_SKIP;
                if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
                        return CHILD_SKIP;
        }
        /* The directory must be reachable and the file really unreadable. */
        if (access(f->dir, X_OK) < 0 || access(f->path, R_OK) == 0 || errno != EACCES)
                return CHILD_SKIP;

        r = dl_daemon_config_load(&f->config, f->path, &err);
        if (r != -EACCES || err.code != -EACCES)
                return 1;
        if (!strstr(err.message, f->path))
                return 2;
        if (f->config.store.max_codes != 200)
                return 3;
        return 0;
}

static void test_unreadable(void **state) {
        struct fixture *f = *state;
        int status;
        pid_t pid;

        write_text(f->path, "[Codes]\nMaxCodes=5\n");
        assert_int_equal(chmod(f->path, 0), 0);

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(child_unreadable(f));
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == CHILD_SKIP)
                skip();
        if (WEXITSTATUS(status) != 0)
                fail_msg("child check %d failed", WEXITSTATUS(status));
}

static void test_bad_arguments(void **state) {
        struct fixture *f = *state;
        struct dl_error err = {};

        assert_int_equal(dl_daemon_config_load(&f->config, NULL, &err), -EINVAL);
        assert_int_equal(dl_daemon_config_load(NULL, f->path, NULL), -EINVAL);
}

/* The shipped file, with every line commented out and with every key line
 * uncommented, is exactly the defaults: the documentation matches the code. */
static void test_shipped_file(void **state) {
        struct fixture *f = *state;
        const char *root = getenv("SOURCE_ROOT");
        char *shipped, *line = NULL;
        size_t size = 0, keys = 0;
        struct dl_error err = {};
        FILE *in, *out;
        int r;

        if (!root || !*root)
                skip();
        if (asprintf(&shipped, "%s/systemd/doorlockd.conf", root) < 0)
                abort();

        r = dl_daemon_config_load(&f->config, shipped, &err);
        if (r != 0)
                fail_msg("%s: %s", shipped, dl_error_message(&err, r));
        assert_is_default(&f->config);

        in = fopen(shipped, "re");
        assert_non_null(in);
        out = fopen(f->path, "we");
        assert_non_null(out);
        while (getline(&line, &size, in) > 0) {
                /* "#Key=value" (no blank after '#') is a commented-out key. */
                if (line[0] == '#' && line[1] >= 'A' && line[1] <= 'Z' && strchr(line, '=')) {
                        fputs(line + 1, out);
                        keys++;
                } else
                        fputs(line, out);
        }
        free(line);
        assert_int_equal(fclose(in), 0);
        assert_int_equal(fclose(out), 0);
        assert_int_equal(keys, 46);

        r = dl_daemon_config_load(&f->config, f->path, &err);
        if (r != 0)
                fail_msg("%s uncommented: %s", shipped, dl_error_message(&err, r));
        assert_is_default(&f->config);
        free(shipped);
}

/* The same parser over an open stream (the fuzzer's way in): the name
 * given stands in for the path in messages, the stream stays open. */
static void test_load_stream(void **state) {
        static const char good[] = "[Codes]\nMaxCodes=7\n", bad[] = "[Codes]\nMaxCodes=0\n";
        struct fixture *f = *state;
        struct dl_error err = {};
        FILE *m;

        m = fmemopen((void *)good, sizeof(good) - 1, "r");
        assert_non_null(m);
        assert_int_equal(dl_daemon_config_load_stream(&f->config, m, "mem.conf", &err), 0);
        assert_int_equal(f->config.store.max_codes, 7);
        assert_int_equal(fclose(m), 0);

        dl_daemon_config_done(&f->config);
        dl_daemon_config_init(&f->config);
        m = fmemopen((void *)bad, sizeof(bad) - 1, "r");
        assert_non_null(m);
        assert_int_equal(dl_daemon_config_load_stream(&f->config, m, "mem.conf", &err), -EINVAL);
        assert_contains(err.message, "mem.conf:2: [Codes] MaxCodes=0: out of range");
        assert_is_default(&f->config);
        assert_int_equal(fclose(m), 0);

        assert_int_equal(dl_daemon_config_load_stream(&f->config, NULL, "mem.conf", &err), -EINVAL);
}

/* ---- the GPIO keys ---- */

/* A whole door on GPIO: every GPIO key given. */
static const char gpio_every_key[] = "[Hardware]\n"
                                     "Backend=gpio\n"
                                     "[Gpio]\n"
                                     "Chip=pinctrl-bcm2835\n"
                                     "[Keypad]\n"
                                     "Type=matrix\n"
                                     "Rows=GPIO5 GPIO6 GPIO13 GPIO19\n"
                                     "Columns=GPIO12 GPIO16 GPIO20 GPIO21\n"
                                     "KeyMap=123A 456B 789C *0#D\n"
                                     "SettleMicroseconds=20\n"
                                     "DebounceMilliseconds=15\n"
                                     "WiegandTiming=slow\n"
                                     "WiegandKeys=8\n"
                                     "[Lock]\n"
                                     "Actuator=motor\n"
                                     "MotorUnlock=GPIO23\n"
                                     "MotorLock=gpiochip0:24\n"
                                     "MotorDeadTimeMilliseconds=50\n"
                                     "MotorTimeoutMilliseconds=3000\n"
                                     "BoltRetracted=GPIO17:active-low\n"
                                     "BoltExtended=/dev/gpiochip0:27:active-low\n"
                                     "Door=GPIO22\n"
                                     "ExitButton=GPIO26:active-low\n"
                                     "Doorbell=GPIO9\n"
                                     "Tamper=GPIO10\n"
                                     "Buzzer=GPIO18\n"
                                     "Led=GPIO25\n"
                                     "InputDebounceMilliseconds=30\n"
                                     "DoorHeldOpenSeconds=60\n";

static void assert_line_is(const struct dl_hw_gpio_line *l, const char *chip, const char *line,
                           bool active_low) {
        assert_true(l->set);
        assert_string_equal(l->chip, chip);
        assert_string_equal(l->line, line);
        assert_int_equal(l->active_low, active_low);
}

static void test_gpio_defaults(void **state) {
        struct fixture *f = *state;
        const struct dl_hw_gpio_config *g = &f->config.gpio;
        struct dl_hw_gpio_config d;

        dl_hw_gpio_config_init(&d);
        assert_gpio_equal(g, &d);
        assert_int_equal(f->config.door_held_open_usec, 0);
        assert_int_equal(g->motor_timeout_usec, f->config.lock.motor_timeout_usec);

        /* A fresh install: Backend=gpio, nothing configured, loads fine and
         * keeps DoorSensor= (yes). */
        load_ok(f, "[Hardware]\nBackend=gpio\n");
        assert_false(dl_hw_gpio_config_any(g));
        assert_true(f->config.lock.door_sensor);
        assert_is_default(&f->config);
        /* A chip alone is no hardware either. */
        load_ok(f, "[Lock]\nDoorSensor=yes\n[Gpio]\nChip=gpiochip0\n");
        assert_true(f->config.lock.door_sensor);
}

static void test_gpio_every_key(void **state) {
        struct fixture *f = *state;
        const struct dl_hw_gpio_config *g = &f->config.gpio;

        load_ok(f, gpio_every_key);
        assert_string_equal(g->chip, "pinctrl-bcm2835");
        assert_int_equal(g->keypad, DL_HW_KEYPAD_MATRIX);
        assert_int_equal(g->n_rows, 4);
        assert_line_is(&g->rows[0], "", "GPIO5", false);
        assert_line_is(&g->rows[3], "", "GPIO19", false);
        assert_false(g->rows[4].set);
        assert_int_equal(g->n_cols, 4);
        assert_line_is(&g->cols[3], "", "GPIO21", false);
        assert_int_equal(g->matrix.rows, 4);
        assert_int_equal(g->matrix.cols, 4);
        assert_string_equal(g->matrix.keys[3], "*0#D");
        assert_int_equal(g->matrix.settle_usec, 20);
        assert_int_equal(g->matrix.debounce_usec, 15 * MSEC);
        {
                struct dl_wiegand_config slow;

                assert_int_equal(dl_wiegand_config_init(&slow, DL_WIEGAND_PROFILE_SLOW), 0);
                assert_int_equal(g->wiegand.min_interval_usec, slow.min_interval_usec);
                assert_int_equal(g->wiegand.max_interval_usec, slow.max_interval_usec);
                assert_int_equal(g->wiegand.frame_gap_usec, slow.frame_gap_usec);
        }
        assert_false(g->wiegand.keys_4bit);
        assert_int_equal(g->actuator, DL_HW_ACTUATOR_MOTOR);
        assert_line_is(&g->motor_unlock, "", "GPIO23", false);
        assert_line_is(&g->motor_lock, "gpiochip0", "24", false);
        assert_int_equal(g->motor_dead_time_usec, 50 * MSEC);
        assert_int_equal(f->config.lock.motor_timeout_usec, 3000 * MSEC);
        assert_int_equal(g->motor_timeout_usec, 3000 * MSEC);
        assert_line_is(&g->bolt_retracted, "", "GPIO17", true);
        assert_line_is(&g->bolt_extended, "/dev/gpiochip0", "27", true);
        assert_line_is(&g->door, "", "GPIO22", false);
        assert_line_is(&g->exit_button, "", "GPIO26", true);
        assert_line_is(&g->doorbell, "", "GPIO9", false);
        assert_line_is(&g->tamper, "", "GPIO10", false);
        assert_line_is(&g->buzzer, "", "GPIO18", false);
        assert_line_is(&g->led, "", "GPIO25", false);
        assert_int_equal(g->input_debounce_usec, 30 * MSEC);
        assert_int_equal(f->config.door_held_open_usec, 60 * SEC);
        assert_true(f->config.lock.door_sensor); /* Door= is set */

        /* The strike keys and the Wiegand lines. */
        dl_daemon_config_done(&f->config);
        dl_daemon_config_init(&f->config);
        load_ok(f, "[Keypad]\nType=wiegand\nWiegandD0=c:20\nWiegandD1=c:21\nWiegandKeys=4\n"
                   "[Lock]\nActuator=strike\nStrike=c:23:active-low\nStrikeType=fail-safe\n"
                   "StrikeMilliseconds=60000\n");
        assert_int_equal(g->keypad, DL_HW_KEYPAD_WIEGAND);
        assert_line_is(&g->wiegand_d0, "c", "20", false);
        assert_line_is(&g->wiegand_d1, "c", "21", false);
        assert_true(g->wiegand.keys_4bit);
        assert_int_equal(g->actuator, DL_HW_ACTUATOR_STRIKE);
        assert_line_is(&g->strike, "c", "23", true);
        assert_int_equal(g->strike_type, DL_HW_STRIKE_FAIL_SAFE);
        assert_int_equal(g->strike_usec, 60000 * MSEC);
        /* No Door=: no door sensor. */
        assert_false(f->config.lock.door_sensor);
        load_ok(f, "[Keypad]\nWiegandKeys=8\n[Lock]\nStrikeType=fail-secure\nStrikeMilliseconds=0\n");
        assert_false(g->wiegand.keys_4bit);
        assert_int_equal(g->strike_type, DL_HW_STRIKE_FAIL_SECURE);
        assert_int_equal(g->strike_usec, 0);
        load_ok(f, "[Keypad]\nWiegandKeys=both\nWiegandTiming=standard\n");
        assert_true(g->wiegand.keys_4bit);
        {
                struct dl_wiegand_config std;

                assert_int_equal(dl_wiegand_config_init(&std, DL_WIEGAND_PROFILE_STANDARD), 0);
                assert_int_equal(g->wiegand.frame_gap_usec, std.frame_gap_usec);
        }
        /* Type=none, Actuator=none. */
        load_ok(f, "[Keypad]\nType=none\nWiegandD0=\nWiegandD1=\n[Lock]\nActuator=none\nStrike=\n");
        assert_int_equal(g->keypad, DL_HW_KEYPAD_NONE);
        assert_int_equal(g->actuator, DL_HW_ACTUATOR_NONE);
        assert_false(g->strike.set);
        assert_false(g->wiegand_d0.set);
        assert_false(dl_hw_gpio_config_any(g));
}

static void test_gpio_bounds(void **state) {
        struct fixture *f = *state;
        const struct dl_hw_gpio_config *g = &f->config.gpio;

        load_ok(f, "[Keypad]\nSettleMicroseconds=1\nDebounceMilliseconds=1\n"
                   "[Lock]\nMotorDeadTimeMilliseconds=10\nInputDebounceMilliseconds=0\nDoorHeldOpenSeconds="
                   "0\n");
        assert_int_equal(g->matrix.settle_usec, 1);
        assert_int_equal(g->matrix.debounce_usec, 1 * MSEC);
        assert_int_equal(g->motor_dead_time_usec, 10 * MSEC);
        assert_int_equal(g->input_debounce_usec, 0);
        load_ok(f, "[Keypad]\nSettleMicroseconds=1000000\nDebounceMilliseconds=1000\n"
                   "[Lock]\nMotorDeadTimeMilliseconds=1000\nInputDebounceMilliseconds=1000\n"
                   "DoorHeldOpenSeconds=3600\nStrikeMilliseconds=60000\n");
        assert_int_equal(g->matrix.settle_usec, 1000000);
        assert_int_equal(g->matrix.debounce_usec, 1000 * MSEC);
        assert_int_equal(g->motor_dead_time_usec, 1000 * MSEC);
        assert_int_equal(g->input_debounce_usec, 1000 * MSEC);
        assert_int_equal(f->config.door_held_open_usec, 3600 * SEC);

        assert_load_fails_at(f, "[Keypad]\nSettleMicroseconds=0\n", 2,
                             "[Keypad] SettleMicroseconds=0: out of range", NULL);
        assert_load_fails_at(f, "[Keypad]\nSettleMicroseconds=1000001\n", 2, "out of range", NULL);
        assert_load_fails_at(f, "[Keypad]\nDebounceMilliseconds=0\n", 2,
                             "DebounceMilliseconds=0: out of range", NULL);
        assert_load_fails_at(f, "[Keypad]\nDebounceMilliseconds=1001\n", 2, "out of range", NULL);
        assert_load_fails_at(f, "[Lock]\nMotorDeadTimeMilliseconds=9\n", 2, "out of range (10-1000)", NULL);
        assert_load_fails_at(f, "[Lock]\nMotorDeadTimeMilliseconds=1001\n", 2, "out of range", NULL);
        assert_load_fails_at(f, "[Lock]\nStrikeMilliseconds=60001\n", 2,
                             "StrikeMilliseconds=60001: out of range", NULL);
        assert_load_fails_at(f, "[Lock]\nInputDebounceMilliseconds=1001\n", 2, "out of range", NULL);
        assert_load_fails_at(f, "[Lock]\nDoorHeldOpenSeconds=3601\n", 2,
                             "DoorHeldOpenSeconds=3601: out of range", NULL);
        assert_load_fails_at(f, "[Lock]\nDoorHeldOpenSeconds=-1\n", 2, "not a decimal number", NULL);
}

static void test_gpio_bad_values(void **state) {
        struct fixture *f = *state;

        assert_load_fails_at(f, "[Keypad]\nType=membrane\n", 2,
                             "[Keypad] Type=membrane: unknown keypad type (none, matrix or wiegand)", NULL);
        assert_load_fails_at(f, "[Keypad]\nType=Matrix\n", 2, "unknown keypad type", NULL);
        assert_load_fails_at(f, "[Lock]\nActuator=solenoid\n", 2,
                             "[Lock] Actuator=solenoid: unknown actuator (none, motor or strike)", NULL);
        assert_load_fails_at(f, "[Lock]\nStrikeType=failsafe\n", 2,
                             "[Lock] StrikeType=failsafe: unknown strike type (fail-secure or fail-safe)",
                             NULL);
        assert_load_fails_at(f, "[Keypad]\nWiegandTiming=fast\n", 2,
                             "[Keypad] WiegandTiming=fast: unknown timing profile (standard or slow)", NULL);
        assert_load_fails_at(f, "[Keypad]\nWiegandKeys=26\n", 2,
                             "[Keypad] WiegandKeys=26: unknown key burst size (4, 8 or both)", NULL);
        assert_load_fails_at(f, "[Keypad]\nKeyMap=123 45\n", 2, "[Keypad] KeyMap=123 45: ", NULL);
        assert_load_fails_at(f, "[Keypad]\nKeyMap=1x3 456\n", 2, "[Keypad] KeyMap=1x3 456: ", NULL);
        assert_load_fails_at(f, "[Keypad]\nKeyMap=121 456\n", 2, "[Keypad] KeyMap=121 456: ", NULL);
        assert_load_fails_at(f, "[Keypad]\nRows=1 2 3 4 5 6 7 8 9\n", 2,
                             "[Keypad] Rows=1 2 3 4 5 6 7 8 9: more than 8", NULL);
        assert_load_fails_at(f, "[Keypad]\nColumns=GPIO1 :2\n", 2,
                             "[Keypad] Columns=GPIO1 :2: line 2 (:2): empty chip", NULL);
        assert_load_fails_at(f, "[Lock]\nDoor=GPIO22:activelow\n", 2,
                             "[Lock] Door=GPIO22:activelow: unknown flag \"activelow\"", NULL);
        assert_load_fails_at(f, "[Lock]\nLed=:25\n", 2, "[Lock] Led=:25: empty chip", NULL);
        assert_load_fails_at(f, "[Lock]\nBuzzer=gpiochip0:\n", 2, "no line after the chip", NULL);
        assert_load_fails_at(f, "[Lock]\nTamper=gpiochip0:99999999999\n", 2, "out of range", NULL);
        assert_load_fails_at(f, "[Lock]\nStrike=GPIO 23\n", 2, "blank", NULL);
        assert_load_fails_at(f, "[Gpio]\nChip=gpio chip\n", 2,
                             "[Gpio] Chip=gpio chip: a chip may hold no blank", NULL);
        {
                char text[256];

                snprintf(text, sizeof(text), "[Gpio]\nChip=%0*d\n", DL_GPIO_CHIP_MAX, 0);
                assert_load_fails_at(f, text, 2, "too long for a chip", NULL);
                snprintf(text, sizeof(text), "[Gpio]\nChip=%0*d\n", DL_GPIO_CHIP_MAX - 1, 0);
                load_ok(f, text);
                assert_int_equal(strlen(f->config.gpio.chip), DL_GPIO_CHIP_MAX - 1);
        }
        /* Unknown key in the new section. */
        assert_load_fails_at(f, "[Gpio]\nDevice=gpiochip0\n", 2, "[Gpio] Device=gpiochip0: unknown key",
                             NULL);
}

static void test_gpio_empty_resets(void **state) {
        struct fixture *f = *state;
        struct dl_hw_gpio_config d;

        load_ok(f, gpio_every_key);
        /* Backend=simulated: the partial config below is not checked. */
        load_ok(f, "[Hardware]\nBackend=simulated\n[Gpio]\nChip=\n"
                   "[Keypad]\nType=\nRows=\nColumns=\nKeyMap=\nSettleMicroseconds=\nDebounceMilliseconds=\n"
                   "WiegandD0=\nWiegandD1=\nWiegandTiming=\nWiegandKeys=\n"
                   "[Lock]\nActuator=\nMotorUnlock=\nMotorLock=\nMotorDeadTimeMilliseconds=\n"
                   "MotorTimeoutMilliseconds=\nBoltRetracted=\nBoltExtended=\nStrike=\nStrikeType=\n"
                   "StrikeMilliseconds=\nDoor=\nExitButton=\nDoorbell=\nTamper=\nBuzzer=\nLed=\n"
                   "InputDebounceMilliseconds=\nDoorHeldOpenSeconds=\n");
        dl_hw_gpio_config_init(&d);
        assert_gpio_equal(&f->config.gpio, &d);
        assert_int_equal(f->config.door_held_open_usec, 0);

        /* KeyMap= alone resets the map, not the timings. */
        load_ok(f, "[Keypad]\nKeyMap=12 34\nSettleMicroseconds=7\n");
        assert_int_equal(f->config.gpio.matrix.rows, 2);
        load_ok(f, "[Keypad]\nKeyMap=\n");
        assert_int_equal(f->config.gpio.matrix.rows, 4);
        assert_int_equal(f->config.gpio.matrix.cols, 3);
        assert_int_equal(f->config.gpio.matrix.settle_usec, 7);
        /* WiegandTiming= resets the timings, not WiegandKeys=. */
        load_ok(f, "[Keypad]\nWiegandKeys=8\nWiegandTiming=slow\n");
        load_ok(f, "[Keypad]\nWiegandTiming=\n");
        assert_int_equal(f->config.gpio.wiegand.frame_gap_usec, d.wiegand.frame_gap_usec);
        assert_false(f->config.gpio.wiegand.keys_4bit);
}

static void test_gpio_door_sensor(void **state) {
        struct fixture *f = *state;

        /* Under Backend=gpio with hardware, DoorSensor follows Door=. */
        load_ok(f, "[Lock]\nActuator=strike\nStrike=c:1\nDoor=c:2\n");
        assert_true(f->config.lock.door_sensor);
        dl_daemon_config_done(&f->config);
        dl_daemon_config_init(&f->config);
        load_ok(f, "[Lock]\nActuator=strike\nStrike=c:1\n");
        assert_false(f->config.lock.door_sensor);
        /* Saying the same is fine. */
        load_ok(f, "[Lock]\nActuator=strike\nStrike=c:1\nDoorSensor=no\n");
        assert_false(f->config.lock.door_sensor);
        load_ok(f, "[Lock]\nActuator=strike\nStrike=c:1\nDoor=c:2\nDoorSensor=yes\n");
        assert_true(f->config.lock.door_sensor);

        /* Contradictions name both keys and the DoorSensor= line. */
        dl_daemon_config_done(&f->config);
        dl_daemon_config_init(&f->config);
        assert_load_fails_at(f, "[Lock]\nActuator=strike\nDoorSensor=yes\nStrike=c:1\n", 3,
                             "[Lock] DoorSensor=yes contradicts Door=, which is not set", "Backend=gpio");
        assert_load_fails_at(f, "[Lock]\nDoorSensor=no\nActuator=strike\nStrike=c:1\nDoor=c:2\n", 2,
                             "[Lock] DoorSensor=no contradicts Door=, which is set", NULL);
        /* DoorSensor= emptied is not explicit. */
        load_ok(f, "[Lock]\nDoorSensor=no\nDoorSensor=\nActuator=strike\nStrike=c:1\nDoor=c:2\n");
        assert_true(f->config.lock.door_sensor);

        /* Backend=simulated: DoorSensor= keeps its meaning, lines or not. */
        dl_daemon_config_done(&f->config);
        dl_daemon_config_init(&f->config);
        load_ok(f, "[Hardware]\nBackend=simulated\n[Lock]\nDoorSensor=yes\nActuator=strike\nStrike=c:1\n");
        assert_true(f->config.lock.door_sensor);
        load_ok(f, "[Hardware]\nBackend=simulated\n[Lock]\nDoorSensor=no\nDoor=c:2\n");
        assert_false(f->config.lock.door_sensor);

        /* Nothing configured (a fresh install, a config for --simulate): too. */
        dl_daemon_config_done(&f->config);
        dl_daemon_config_init(&f->config);
        load_ok(f, "[Lock]\nDoorSensor=yes\n");
        assert_true(f->config.lock.door_sensor);
        load_ok(f, "[Lock]\nDoorSensor=no\n");
        assert_false(f->config.lock.door_sensor);
}

/* The whole-config check runs after parsing, with Backend=gpio only, and
 * names the key; the config is left as it was. */
static void test_gpio_check_after_parse(void **state) {
        struct fixture *f = *state;

        assert_load_fails_at(
                f, "[Gpio]\nChip=c\n[Lock]\nActuator=motor\nMotorUnlock=1\nBoltExtended=3\n", 0,
                "[Lock] MotorLock= is missing: Actuator=motor needs MotorUnlock= and MotorLock=", NULL);
        assert_load_fails_at(f, "[Gpio]\nChip=c\n[Lock]\nActuator=motor\nMotorUnlock=1\nMotorLock=2\n", 0,
                             "BoltRetracted= and BoltExtended= are both missing", NULL);
        assert_load_fails_at(f, "[Lock]\nActuator=strike\n", 0, "[Lock] Strike= is missing", NULL);
        assert_load_fails_at(f, "[Keypad]\nType=wiegand\nWiegandD0=c:1\n", 0,
                             "[Keypad] WiegandD1= is missing", NULL);
        assert_load_fails_at(f, "[Gpio]\nChip=c\n[Keypad]\nType=matrix\nRows=1 2 3\nColumns=4 5 6\n", 0,
                             "[Keypad] Rows= names 3 lines, but KeyMap= has 4 rows", NULL);
        assert_load_fails_at(f, "[Lock]\nDoor=22\n", 0, "[Lock] Door= names no chip", "[Gpio] Chip=");
        assert_load_fails_at(f, "[Gpio]\nChip=c\n[Lock]\nBuzzer=18\nLed=c:18\n", 0,
                             "[Lock] Led= is the same line as [Lock] Buzzer=", NULL);
        assert_load_fails_at(f, "[Gpio]\nChip=c\n[Keypad]\nRows=1\n", 0,
                             "[Keypad] Rows= is set, but Type=none", NULL);
        assert_is_default(&f->config);

        /* The same with Backend=simulated loads: unchecked. */
        load_ok(f, "[Hardware]\nBackend=simulated\n[Lock]\nActuator=strike\n");
        assert_int_equal(f->config.gpio.actuator, DL_HW_ACTUATOR_STRIKE);
        /* A good one. */
        dl_daemon_config_done(&f->config);
        dl_daemon_config_init(&f->config);
        load_ok(f, "[Gpio]\nChip=c\n[Keypad]\nType=matrix\nRows=1 2 3 4\nColumns=5 6 7\n"
                   "[Lock]\nActuator=motor\nMotorUnlock=8\nMotorLock=9\nBoltRetracted=10\n");
        assert_false(f->config.lock.door_sensor);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
        const struct CMUnitTest tests[] = {
                T(test_defaults),
                T(test_every_key),
                T(test_bounds_accepted),
                T(test_booleans),
                T(test_empty_value_resets),
                T(test_keys_apply_over_existing),
                T(test_duplicates_last_wins),
                T(test_unknown_section),
                T(test_unknown_key),
                T(test_not_assignments),
                T(test_bad_numbers),
                T(test_comments_and_blanks),
                T(test_indented_is_no_continuation),
                T(test_crlf),
                T(test_bom),
                T(test_nul_byte),
                T(test_long_values),
                T(test_store_violations),
                T(test_time_zone),
                T(test_error_leaves_config_unchanged),
                T(test_missing_file),
                T(test_not_a_file),
                T(test_unreadable),
                T(test_bad_arguments),
                T(test_shipped_file),
                T(test_load_stream),
                T(test_gpio_defaults),
                T(test_gpio_every_key),
                T(test_gpio_bounds),
                T(test_gpio_bad_values),
                T(test_gpio_empty_resets),
                T(test_gpio_door_sensor),
                T(test_gpio_check_after_parse),
        };
#undef T

        return cmocka_run_group_tests(tests, NULL, NULL);
}
