/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The libgpiod backend (hw-gpio.c) against the real kernel: the VM tier's
 * second scenario.  Runs inside the VM only, started by guest-hw-gpio.py,
 * which makes the gpio-sim chip "dl-hw" (its line names are below) and
 * plays the hardware: it answers one-line commands on the pipe whose fds
 * are in DL_VM_HW_CMD (we write) and DL_VM_HW_REPLY (we read); see the
 * script's docstring.
 *
 * Timings are the VM's (tests/vm/README.md): every edge is a sysfs write
 * through irq_sim under TCG, a few ms from write to reader, so debounce and
 * settle times are tens of ms, the Wiegand profile is "slow", and the
 * motor's bolt takes 150 ms to travel in the script's model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gpio.h"
#include "hw-gpio.h"
#include "macro.h"

#define MS ((int64_t)1000)

static FILE *cmd_out, *reply_in;
static sd_event *event;
static struct dl_hw *hw;

/* ---- what the backend reported ---- */

static struct {
        char keys[32];
        unsigned n_keys;
        enum dl_bolt_position bolt;
        unsigned n_bolt;
        enum dl_door_state door;
        unsigned n_door, n_exit, n_bell, n_tamper;
        bool tamper;
        unsigned n_card, card_bits;
        uint64_t card_data;
        unsigned n_rejected;
        char rejected[64];
        unsigned n_failed;
        char failed[160];
} rec;

static void ev_key(void *u _unused_, char key) {
        if (rec.n_keys < sizeof(rec.keys) - 1)
                rec.keys[rec.n_keys++] = key;
}
static void ev_bolt(void *u _unused_, enum dl_bolt_position b) {
        rec.bolt = b;
        rec.n_bolt++;
}
static void ev_door(void *u _unused_, enum dl_door_state d) {
        rec.door = d;
        rec.n_door++;
}
static void ev_exit(void *u _unused_) {
        rec.n_exit++;
}
static void ev_bell(void *u _unused_) {
        rec.n_bell++;
}
static void ev_tamper(void *u _unused_, bool active) {
        rec.tamper = active;
        rec.n_tamper++;
}
static void ev_card(void *u _unused_, unsigned bits, uint64_t data) {
        rec.n_card++;
        rec.card_bits = bits;
        rec.card_data = data;
}
static void ev_rejected(void *u _unused_, const char *what, const char *reason) {
        rec.n_rejected++;
        (void)snprintf(rec.rejected, sizeof(rec.rejected), "%s/%s", what, reason);
}
static void ev_failed(void *u _unused_, const char *detail) {
        rec.n_failed++;
        (void)snprintf(rec.failed, sizeof(rec.failed), "%s", detail);
}

static const struct dl_hw_events events = {
        .key = ev_key,
        .bolt = ev_bolt,
        .door = ev_door,
        .exit_button = ev_exit,
        .doorbell = ev_bell,
        .tamper = ev_tamper,
        .card = ev_card,
        .input_rejected = ev_rejected,
        .drive_failed = ev_failed,
};

/* ---- the script's side ---- */

static void hwcmd(char *reply, size_t size, const char *fmt, ...) _printf_(3, 4);
static void hwcmd(char *reply, size_t size, const char *fmt, ...) {
        char buf[256];
        va_list ap;

        va_start(ap, fmt);
        (void)vfprintf(cmd_out, fmt, ap);
        va_end(ap);
        (void)fputc('\n', cmd_out);
        (void)fflush(cmd_out);
        if (!fgets(buf, sizeof(buf), reply_in))
                fail_msg("the guest script did not answer");
        buf[strcspn(buf, "\n")] = '\0';
        if (strncmp(buf, "ok", 2) != 0)
                fail_msg("the guest script: %s", buf);
        if (reply) {
                const char *rest = buf[2] == ' ' ? buf + 3 : "";
                size_t n = MIN(strlen(rest), size - 1);

                memcpy(reply, rest, n);
                reply[n] = '\0';
        }
}

#define HW(...) hwcmd(NULL, 0, __VA_ARGS__)

/* A number in the harness's reply; a reply that is not one fails the test. */
static int number(const char *s) {
        char *end;
        long v;

        assert_non_null(s);
        errno = 0;
        v = strtol(s, &end, 10);
        assert_true(errno == 0 && end != s && v >= INT_MIN && v <= INT_MAX);
        return (int)v;
}

static int get(const char *name) {
        char r[32];

        hwcmd(r, sizeof(r), "get %s", name);
        return number(r);
}

static int64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Run the loop for `ms`, or until *counter reaches `want` (counter may be
 * NULL).  True if it got there. */
static bool run_until(const unsigned *counter, unsigned want, int64_t ms) {
        int64_t end = now_usec() + ms * MS;

        while (now_usec() < end) {
                if (counter && *counter >= want)
                        return true;
                assert_true(sd_event_run(event, 10 * MS) >= 0);
        }
        return counter && *counter >= want;
}

static void run_for(int64_t ms) {
        (void)run_until(NULL, 0, ms);
}

/* ---- configurations ---- */

static void line(struct dl_hw_gpio_line *l, const char *name) {
        *l = (struct dl_hw_gpio_line){ .set = true };
        (void)snprintf(l->line, sizeof(l->line), "%s", name);
}

/* Until the config parser lands (dl_hw_gpio_config_init() is written in
 * hw-gpio-config.c by another change), the fields are filled by hand. */
static void config_base(struct dl_hw_gpio_config *c) {
        *c = (struct dl_hw_gpio_config){ .keypad = DL_HW_KEYPAD_NONE, .actuator = DL_HW_ACTUATOR_NONE };
        (void)snprintf(c->chip, sizeof(c->chip), "dl-hw");
        c->motor_timeout_usec = 400 * MS;
        c->motor_dead_time_usec = 100 * MS;
        c->strike_type = DL_HW_STRIKE_FAIL_SECURE;
        c->input_debounce_usec = 30 * MS;
        assert_int_equal(dl_matrix_config_init(&c->matrix, 3), 0);
        assert_int_equal(dl_wiegand_config_init(&c->wiegand, DL_WIEGAND_PROFILE_SLOW), 0);
}

/* Motor, bolt sensors, 4x3 matrix, door, buttons, tamper, buzzer, LED. */
static void config_motor(struct dl_hw_gpio_config *c) {
        config_base(c);
        c->actuator = DL_HW_ACTUATOR_MOTOR;
        line(&c->motor_unlock, "MOTOR_UNLOCK");
        line(&c->motor_lock, "MOTOR_LOCK");
        line(&c->bolt_retracted, "BOLT_RETRACTED");
        line(&c->bolt_extended, "BOLT_EXTENDED");
        c->keypad = DL_HW_KEYPAD_MATRIX;
        c->n_rows = 4;
        c->n_cols = 3;
        for (unsigned i = 0; i < 4; i++) {
                char n[8];

                (void)snprintf(n, sizeof(n), "ROW%u", i);
                line(&c->rows[i], n);
        }
        for (unsigned i = 0; i < 3; i++) {
                char n[8];

                (void)snprintf(n, sizeof(n), "COL%u", i);
                line(&c->cols[i], n);
        }
        /* The VM's timings (matrix-keypad.h): the script samples the
         * columns every few ms. */
        c->matrix.settle_usec = 25 * MS;
        c->matrix.debounce_usec = 60 * MS;
        line(&c->door, "DOOR");
        line(&c->exit_button, "EXIT");
        line(&c->doorbell, "BELL");
        line(&c->tamper, "TAMPER");
        line(&c->buzzer, "BUZZER");
        line(&c->led, "LED");
}

static void config_strike(struct dl_hw_gpio_config *c, enum dl_hw_strike_type type) {
        config_base(c);
        c->actuator = DL_HW_ACTUATOR_STRIKE;
        line(&c->strike, "STRIKE");
        c->strike_type = type;
        c->strike_usec = 300 * MS;
        c->keypad = DL_HW_KEYPAD_WIEGAND;
        line(&c->wiegand_d0, "WD0");
        line(&c->wiegand_d1, "WD1");
}

static void start(const struct dl_hw_gpio_config *c) {
        struct dl_error err = {};
        int r;

        memset(&rec, 0, sizeof(rec));
        r = dl_hw_gpio_new(event, c, NULL, &events, NULL, &hw, &err);
        if (r < 0)
                fail_msg("dl_hw_gpio_new: %s", dl_error_message(&err, r));
        HW("reapply");
}

static int teardown(void **state _unused_) {
        dl_hw_free(hw);
        hw = NULL;
        return 0;
}

static int setup_motor(void **state _unused_) {
        struct dl_hw_gpio_config c;

        config_motor(&c);
        start(&c);
        HW("jam 0");
        HW("stats reset");
        return 0;
}

/* ---- motor, matrix and inputs ---- */

/* Run until the motor line is on (after the dead time since the start). */
static void wait_on(const char *name) {
        for (unsigned i = 0; i < 100 && get(name) != 1; i++)
                run_for(5);
        assert_int_equal(get(name), 1);
}

static void test_outputs_safe_at_start(void **state _unused_) {
        struct dl_hw_info info;

        assert_int_equal(get("MOTOR_UNLOCK"), 0);
        assert_int_equal(get("MOTOR_LOCK"), 0);
        assert_int_equal(get("BUZZER"), 0);
        assert_int_equal(get("LED"), 0);
        for (unsigned i = 0; i < 3; i++) {
                char n[8];

                (void)snprintf(n, sizeof(n), "COL%u", i);
                assert_int_equal(get(n), 0); /* idle: all columns active (low) */
        }
        hw->ops->info(hw, &info);
        assert_string_equal(info.backend, "gpio");
        assert_string_equal(info.keypad, "matrix");
        assert_string_equal(info.actuator, "motor");
        assert_true(info.bolt_sensor && info.door_sensor && info.exit_button && info.doorbell &&
                    info.tamper);
        assert_true(info.buzzer && info.led);
}

static void test_report(void **state _unused_) {
        hw->ops->report(hw);
        assert_int_equal(rec.bolt, DL_BOLT_LOCKED);
        assert_int_equal(rec.door, DL_DOOR_CLOSED);
        assert_int_equal(rec.n_tamper, 0);
}

static void test_lines(void **state _unused_) {
        struct dl_hw_line_status l[32];
        size_t n = hw->ops->lines(hw, l, ELEMENTSOF(l));
        bool seen_motor = false, seen_row = false;

        assert_int_equal(n, 2 + 3 + 2 + 2 + 4 + 4); /* motor, cols, buzzer/led, bolt, rows, 4 inputs */
        for (size_t i = 0; i < n; i++) {
                assert_true(l[i].value == 0 || l[i].value == 1);
                if (strcmp(l[i].role, "motor-lock") == 0) {
                        seen_motor = true;
                        assert_true(l[i].output);
                        assert_non_null(strstr(l[i].where, "MOTOR_LOCK"));
                }
                if (strcmp(l[i].role, "keypad-row-2") == 0) {
                        seen_row = true;
                        assert_false(l[i].output);
                        assert_int_equal(l[i].value, 1); /* pulled up, no key */
                }
                if (strcmp(l[i].role, "bolt-extended") == 0)
                        assert_int_equal(l[i].value, 1);
        }
        assert_true(seen_motor && seen_row);
}

static void test_unlock_then_lock(void **state _unused_) {
        char stats[128];

        hw->ops->drive(hw, true);
        assert_true(run_until(&rec.n_bolt, 1, 2000));
        assert_int_equal(rec.bolt, DL_BOLT_UNLOCKED);
        assert_int_equal(get("MOTOR_UNLOCK"), 0); /* off at the sensor */
        assert_int_equal(get("MOTOR_LOCK"), 0);
        hw->ops->drive(hw, false);
        assert_true(run_until(&rec.n_bolt, 2, 2000));
        assert_int_equal(rec.bolt, DL_BOLT_LOCKED);
        assert_int_equal(get("MOTOR_UNLOCK"), 0);
        assert_int_equal(get("MOTOR_LOCK"), 0);
        run_for(100);
        hwcmd(stats, sizeof(stats), "stats");
        print_message("# motor: %s\n", stats);
        assert_non_null(strstr(stats, "both=0 "));
        assert_non_null(strstr(stats, "drives=2"));
        /* Dead time between the two drives too (100 ms, sampled). */
        assert_true(number(strstr(stats, "gap=") + 4) >= 90);
        assert_int_equal(rec.n_failed, 0);
}

/* A reversal mid-drive: off, the dead time (100 ms) with both off, then
 * the other way; the script never saw both on. */
static void test_reversal(void **state _unused_) {
        char stats[128];
        int gap;

        hw->ops->drive(hw, true);
        wait_on("MOTOR_UNLOCK");
        run_for(50); /* the bolt left the extended switch, not yet there */
        hw->ops->drive(hw, false);
        assert_int_equal(get("MOTOR_UNLOCK"), 0);
        assert_int_equal(get("MOTOR_LOCK"), 0);
        assert_true(run_until(&rec.n_bolt, 1, 2000));
        assert_int_equal(rec.bolt, DL_BOLT_LOCKED);
        hwcmd(stats, sizeof(stats), "stats");
        print_message("# motor: %s\n", stats);
        assert_non_null(strstr(stats, "both=0 "));
        assert_non_null(strstr(stats, "drives=2"));
        gap = number(strstr(stats, "gap=") + 4);
        /* 100 ms; the script samples every ms or so, and a late sample of
         * the "off" shortens what it sees (a real overlap would be ~0) */
        assert_true(gap >= 90);
}

/* The bolt does not move: one retry, then drive_failed, both lines off, no
 * bolt report. */
static void test_jam(void **state _unused_) {
        char stats[128];

        HW("jam 1");
        hw->ops->drive(hw, true);
        /* 2 x (dead 100 + timeout 400 + settle 30) ms, plus the VM */
        assert_true(run_until(&rec.n_failed, 1, 3000));
        print_message("# drive failed: %s\n", rec.failed);
        assert_non_null(strstr(rec.failed, "2 tries"));
        assert_int_equal(rec.n_bolt, 0);
        assert_int_equal(get("MOTOR_UNLOCK"), 0);
        assert_int_equal(get("MOTOR_LOCK"), 0);
        hwcmd(stats, sizeof(stats), "stats");
        assert_non_null(strstr(stats, "drives=2"));
        HW("jam 0");
        hw->ops->drive(hw, false); /* never left: confirmed at once */
        assert_int_equal(rec.n_bolt, 1);
        assert_int_equal(rec.bolt, DL_BOLT_LOCKED);
}

static void test_stop(void **state _unused_) {
        hw->ops->drive(hw, true);
        wait_on("MOTOR_UNLOCK");
        run_for(50);
        hw->ops->stop(hw);
        assert_int_equal(get("MOTOR_UNLOCK"), 0);
        assert_int_equal(get("MOTOR_LOCK"), 0);
        run_for(600);
        assert_int_equal(get("MOTOR_UNLOCK"), 0);
        assert_int_equal(rec.n_failed, 0);
}

static void press(const char *key) {
        unsigned want = (unsigned)rec.n_keys + 1;

        HW("key %s 500", key); /* held 500 ms */
        assert_true(run_until(&rec.n_keys, want, 3000));
        run_for(700); /* released, and nothing more */
        assert_int_equal(rec.n_keys, want);
}

static void test_matrix_keys(void **state _unused_) {
        press("5");
        press("1");
        press("#");
        press("0");
        /* Compared, never printed: keys are PIN digits. */
        assert_memory_equal(rec.keys, "51#0", 4);
        assert_int_equal(rec.n_rejected, 0);
        for (unsigned i = 0; i < 3; i++) {
                char n[8];

                (void)snprintf(n, sizeof(n), "COL%u", i);
                assert_int_equal(get(n), 0); /* back to idle */
        }
}

static void test_inputs(void **state _unused_) {
        HW("pull DOOR 1");
        assert_true(run_until(&rec.n_door, 1, 1000));
        assert_int_equal(rec.door, DL_DOOR_OPEN);
        HW("pull DOOR 0");
        assert_true(run_until(&rec.n_door, 2, 1000));
        assert_int_equal(rec.door, DL_DOOR_CLOSED);

        HW("pull EXIT 1");
        run_for(100);
        HW("pull EXIT 0");
        assert_true(run_until(&rec.n_exit, 1, 1000));
        run_for(100);
        assert_int_equal(rec.n_exit, 1); /* once per press */

        HW("pull BELL 1");
        run_for(100);
        HW("pull BELL 0");
        assert_true(run_until(&rec.n_bell, 1, 1000));

        HW("pull TAMPER 1");
        assert_true(run_until(&rec.n_tamper, 1, 1000));
        assert_true(rec.tamper);
        HW("pull TAMPER 0");
        assert_true(run_until(&rec.n_tamper, 2, 1000));
        assert_false(rec.tamper);

        /* A blip shorter than the debounce time (30 ms) is nothing. */
        HW("pull DOOR 1");
        HW("pull DOOR 0");
        run_for(200);
        assert_int_equal(rec.n_door, 2);
}

static void test_signals(void **state _unused_) {
        hw->ops->signal(hw, DL_HW_SIGNAL_KEY);
        assert_int_equal(get("BUZZER"), 1);
        run_for(150);
        assert_int_equal(get("BUZZER"), 0);

        hw->ops->signal(hw, DL_HW_SIGNAL_GRANTED);
        assert_int_equal(get("LED"), 1);
        assert_int_equal(get("BUZZER"), 1);
        run_for(400);
        assert_int_equal(get("LED"), 1); /* 2 s */
        assert_int_equal(get("BUZZER"), 0);
        /* A new pattern replaces it: DENIED's buzzer for 600 ms. */
        hw->ops->signal(hw, DL_HW_SIGNAL_DENIED);
        assert_int_equal(get("BUZZER"), 1);
        run_for(900);
        assert_int_equal(get("BUZZER"), 0);
        assert_int_equal(get("LED"), 0);
        /* The installer's tests: one part each. */
        hw->ops->signal(hw, DL_HW_SIGNAL_TEST_BUZZER);
        assert_int_equal(get("BUZZER"), 1);
        assert_int_equal(get("LED"), 0);
        hw->ops->signal(hw, DL_HW_SIGNAL_TEST_LED);
        assert_int_equal(get("BUZZER"), 0);
        assert_int_equal(get("LED"), 1);
        hw->ops->stop(hw); /* the pattern off */
        assert_int_equal(get("BUZZER"), 0);
        assert_int_equal(get("LED"), 0);
}

/* Free: everything back to safe levels, every line released. */
static void test_free_releases(void **state _unused_) {
        const struct dl_gpio_line_spec spec = { .chip = "dl-hw", .line = "MOTOR_UNLOCK" };
        const struct dl_gpio_request out = { .direction = DL_GPIO_OUTPUT };
        struct dl_gpio_line *l = NULL;
        struct dl_error err = {};

        hw->ops->drive(hw, true);
        run_for(150);
        dl_hw_free(hw);
        hw = NULL;
        /* gpio-sim returns a released line to its pull (0 here), so this
         * only shows the line is not left driven; the request shows it was
         * released. */
        assert_int_equal(get("MOTOR_UNLOCK"), 0);
        assert_int_equal(dl_gpio_line_request(NULL, &spec, &out, &l, &err), 0);
        dl_gpio_line_free(l);
}

/* A line in use: the error names the config key, the line and its
 * consumer, and the lines requested before it are released again. */
static void test_busy(void **state _unused_) {
        const struct dl_gpio_line_spec spec = { .chip = "dl-hw", .line = "BUSY" };
        const struct dl_gpio_request in = { .direction = DL_GPIO_INPUT };
        _cleanup_gpio_line_ struct dl_gpio_line *busy = NULL, *again = NULL;
        const struct dl_gpio_line_spec unlock_spec = { .chip = "dl-hw", .line = "MOTOR_UNLOCK" };
        const struct dl_gpio_request out = { .direction = DL_GPIO_OUTPUT };
        struct dl_hw_gpio_config c;
        struct dl_error err = {};
        struct dl_hw *h = NULL;
        int r;

        assert_int_equal(dl_gpio_line_request(NULL, &spec, &in, &busy, &err), 0);
        config_motor(&c);
        line(&c.motor_lock, "BUSY");
        r = dl_hw_gpio_new(event, &c, NULL, &events, NULL, &h, &err);
        assert_int_equal(r, -EBUSY);
        print_message("# %s\n", err.message);
        assert_non_null(strstr(err.message, "[Lock] MotorLock=BUSY: "));
        assert_non_null(strstr(err.message, "in use by 'doorlockd'"));
        assert_int_equal(dl_gpio_line_request(NULL, &unlock_spec, &out, &again, &err), 0);
        again = dl_gpio_line_free(again);

        config_motor(&c);
        line(&c.door, "NO_SUCH_LINE");
        r = dl_hw_gpio_new(event, &c, NULL, &events, NULL, &h, &err);
        assert_true(r < 0);
        print_message("# %s\n", err.message);
        assert_non_null(strstr(err.message, "[Lock] Door=NO_SUCH_LINE: "));
}

/* ---- strike and Wiegand ---- */

static int setup_strike(void **state _unused_) {
        struct dl_hw_gpio_config c;

        config_strike(&c, DL_HW_STRIKE_FAIL_SECURE);
        start(&c);
        return 0;
}

static void test_strike_fail_secure(void **state _unused_) {
        assert_int_equal(get("STRIKE"), 0); /* de-energised: locked */
        hw->ops->report(hw);
        assert_int_equal(rec.bolt, DL_BOLT_LOCKED);
        hw->ops->drive(hw, true);
        assert_int_equal(get("STRIKE"), 1);
        assert_int_equal(rec.bolt, DL_BOLT_UNLOCKED);
        /* The 300 ms pulse ends: holding again, reported. */
        assert_true(run_until(&rec.n_bolt, 3, 1000));
        assert_int_equal(rec.bolt, DL_BOLT_LOCKED);
        assert_int_equal(get("STRIKE"), 0);
}

static void test_strike_fail_safe(void **state _unused_) {
        struct dl_hw_gpio_config c;

        dl_hw_free(hw);
        config_strike(&c, DL_HW_STRIKE_FAIL_SAFE);
        c.strike_usec = 0; /* while unlocked */
        start(&c);
        assert_int_equal(get("STRIKE"), 1); /* energised: holding */
        hw->ops->drive(hw, true);
        assert_int_equal(get("STRIKE"), 0);
        run_for(500);
        assert_int_equal(get("STRIKE"), 0);
        assert_int_equal(rec.bolt, DL_BOLT_UNLOCKED);
        hw->ops->drive(hw, false);
        assert_int_equal(get("STRIKE"), 1);
        assert_int_equal(rec.bolt, DL_BOLT_LOCKED);
        /* (After dl_hw_free() the line cannot be checked: gpio-sim sets a
         * released line back to its pull.) */
}

static size_t bits_of(uint64_t v, unsigned n, char *out) {
        for (unsigned i = 0; i < n; i++)
                out[i] = (v >> (n - 1 - i)) & 1 ? '1' : '0';
        out[n] = '\0';
        return n;
}

/* A 26-bit frame: even parity over bits 2-13, odd over bits 14-25. */
static uint64_t frame26(uint32_t data) {
        unsigned hi = (unsigned)__builtin_popcount((data >> 12) & 0xfff);
        unsigned lo = (unsigned)__builtin_popcount(data & 0xfff);

        return ((uint64_t)(hi & 1) << 25) | ((uint64_t)data << 1) | (lo & 1 ? 0 : 1);
}

static void test_wiegand_key(void **state _unused_) {
        char bits[80];

        /* 8-bit burst: the high nibble the complement of the key. */
        bits_of(0xa5, 8, bits); /* '5' */
        HW("wiegand %s", bits);
        assert_true(run_until(&rec.n_keys, 1, 1000));
        assert_int_equal(rec.keys[0], '5');
        assert_int_equal(rec.n_rejected, 0);
}

/* A card with 21 zeros: more than the 16 events libgpiod 1.6 keeps per
 * line, while the loop is blocked for the whole burst (hwcmd waits for the
 * script's reply): the reader thread must have taken them. */
static void test_wiegand_card_loop_blocked(void **state _unused_) {
        char bits[80];
        uint32_t data = (1u << 16) | 2u; /* facility 1, number 2 */

        bits_of(frame26(data), 26, bits);
        HW("wiegand %s", bits);
        assert_true(run_until(&rec.n_card, 1, 1000));
        assert_int_equal(rec.card_bits, 26);
        assert_true(rec.card_data == data); /* not printed: it opens doors */
        assert_int_equal(rec.n_rejected, 0);
}

static void test_wiegand_parity(void **state _unused_) {
        char bits[80];

        bits_of(frame26(0x123456) ^ 1, 26, bits);
        HW("wiegand %s", bits);
        assert_true(run_until(&rec.n_rejected, 1, 1000));
        assert_string_equal(rec.rejected, "wiegand/parity");
        assert_int_equal(rec.n_card, 0);
}

int main(void) {
        const char *c = getenv("DL_VM_HW_CMD"), *r = getenv("DL_VM_HW_REPLY");
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_outputs_safe_at_start, setup_motor, teardown),
                cmocka_unit_test_setup_teardown(test_report, setup_motor, teardown),
                cmocka_unit_test_setup_teardown(test_lines, setup_motor, teardown),
                cmocka_unit_test_setup_teardown(test_unlock_then_lock, setup_motor, teardown),
                cmocka_unit_test_setup_teardown(test_reversal, setup_motor, teardown),
                cmocka_unit_test_setup_teardown(test_jam, setup_motor, teardown),
                cmocka_unit_test_setup_teardown(test_stop, setup_motor, teardown),
                cmocka_unit_test_setup_teardown(test_matrix_keys, setup_motor, teardown),
                cmocka_unit_test_setup_teardown(test_inputs, setup_motor, teardown),
                cmocka_unit_test_setup_teardown(test_signals, setup_motor, teardown),
                cmocka_unit_test_setup_teardown(test_free_releases, setup_motor, teardown),
                cmocka_unit_test_teardown(test_busy, teardown),
                cmocka_unit_test_setup_teardown(test_strike_fail_secure, setup_strike, teardown),
                cmocka_unit_test_setup_teardown(test_strike_fail_safe, setup_strike, teardown),
                cmocka_unit_test_setup_teardown(test_wiegand_key, setup_strike, teardown),
                cmocka_unit_test_setup_teardown(test_wiegand_card_loop_blocked, setup_strike, teardown),
                cmocka_unit_test_setup_teardown(test_wiegand_parity, setup_strike, teardown),
        };
        int rc;

        if (!c || !r) {
                printf("Bail out! DL_VM_HW_CMD/DL_VM_HW_REPLY not set: run through guest-hw-gpio.py\n");
                return 1;
        }
        cmd_out = fdopen(number(c), "w");
        reply_in = fdopen(number(r), "r");
        if (!cmd_out || !reply_in || sd_event_default(&event) < 0) {
                printf("Bail out! cannot open the command pipe or the event loop\n");
                return 1;
        }
        rc = cmocka_run_group_tests(tests, NULL, NULL);
        sd_event_unref(event);
        return rc;
}
