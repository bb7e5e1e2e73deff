/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config-fixture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        f->dir = scratch_dir_new();
        if (asprintf(&f->path, "%s/doorlockd.conf", f->dir) < 0)
                abort();
        dl_daemon_config_init(&f->config);
        *state = f;
        return 0;
}

int teardown(void **state) {
        struct fixture *f = *state;

        dl_daemon_config_done(&f->config);
        free(f->path);
        scratch_dir_free(f->dir);
        free(f);
        return 0;
}

void write_bytes(const char *path, const char *data, size_t size) {
        FILE *file = fopen(path, "we");

        assert_non_null(file);
        assert_int_equal(fwrite(data, 1, size, file), size);
        assert_int_equal(fclose(file), 0);
}

void write_text(const char *path, const char *text) {
        write_bytes(path, text, strlen(text));
}

/* Write text to the fixture's file and load it into f->config. */
int load(struct fixture *f, const char *text, struct dl_error *err) {
        write_text(f->path, text);
        return dl_daemon_config_load(&f->config, f->path, err);
}

void load_ok(struct fixture *f, const char *text) {
        struct dl_error err = {};
        int r = load(f, text, &err);

        if (r != 0)
                fail_msg("loading \"%s\" failed: %d (%s)", text, r, dl_error_message(&err, r));
}

void assert_contains(const char *haystack, const char *needle) {
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

void assert_gpio_equal(const struct dl_hw_gpio_config *a, const struct dl_hw_gpio_config *b) {
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

void assert_config_equal(const struct dl_daemon_config *a, const struct dl_daemon_config *b) {
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
        assert_int_equal(a->remote.unlock_without_pin, b->remote.unlock_without_pin);
        assert_int_equal(a->remote.code_changes, b->remote.code_changes);
        assert_gpio_equal(&a->gpio, &b->gpio);
}

void assert_is_default(const struct dl_daemon_config *c) {
        struct dl_daemon_config d;

        dl_daemon_config_init(&d);
        assert_config_equal(c, &d);
        dl_daemon_config_done(&d);
}

/* A deep copy to compare against later. */
void config_copy(struct dl_daemon_config *to, const struct dl_daemon_config *from) {
        *to = *from;
        to->time_zone = from->time_zone ? strdup(from->time_zone) : NULL;
        to->store.time_zone = to->time_zone;
}

/* Loading text must fail with -EINVAL, a message "PATH:LINE: ..." of
 * printable ASCII holding every non-NULL needle, and f->config exactly as
 * it was. */
void assert_load_fails_at(struct fixture *f, const char *text, unsigned line, const char *needle,
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
        for (const char *c = err.message; *c; c++)
                if (*c < 0x20 || *c >= 0x7f)
                        fail_msg("message \"%s\" holds a byte that is not printable ASCII", err.message);
        if (needle)
                assert_contains(err.message, needle);
        if (needle2)
                assert_contains(err.message, needle2);
        assert_config_equal(&f->config, &before);
        dl_daemon_config_done(&before);

        /* Same result without an error struct. */
        assert_int_equal(dl_daemon_config_load(&f->config, f->path, NULL), -EINVAL);
}
