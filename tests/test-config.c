/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config-fixture.h"
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
        assert_false(c->remote.unlock_without_pin);
        assert_false(c->remote.code_changes);

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
                                "KeyGapMilliseconds=5000\n"
                                "[Remote]\n"
                                "UnlockWithoutPin=yes\n"
                                "CodeChanges=yes\n";

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
        assert_true(c->remote.unlock_without_pin);
        assert_true(c->remote.code_changes);
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
        assert_load_fails_at(f, "[Remote]\nUnlockWithoutPin=sure\n", 2,
                             "[Remote] UnlockWithoutPin=sure: ", "boolean");
        assert_load_fails_at(f, "[Remote]\nCodeChanges=2\n", 2, "[Remote] CodeChanges=2: ", "boolean");
        assert_load_fails_at(f, "[Remote]\nUnlock=yes\n", 2, "Unlock", NULL);
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
                   "[Simulator]\nMotorMilliseconds=\nKeyGapMilliseconds=  \n"
                   "[Remote]\nUnlockWithoutPin=\nCodeChanges=\n");
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
        assert_int_equal(keys, 48);

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
        };
#undef T

        return cmocka_run_group_tests(tests, NULL, NULL);
}
