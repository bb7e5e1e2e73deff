/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The libgpiod backend (hw-gpio.h): lines in, decoders run, events out.
 *
 * Logical levels (gpio.h: active_low flips them in the kernel):
 *   motor lines, buzzer, LED    1 = on
 *   strike                      1 = energised; open = 1 fail-secure, 0 fail-safe
 *   bolt sensors                1 = switch made
 *   door                        1 = open
 *   exit button, doorbell       1 = pressed
 *   tamper                      1 = opened (active)
 *   keypad columns, rows        0 = "active"/"low" in matrix-keypad.h's
 *                               words (columns driven low, a row pulled low
 *                               by a key), as wired; ":active-low" there
 *                               means an inverting buffer in between
 *   Wiegand D0/D1               a falling (logical) edge is a bit
 *
 * Every input's event fd is an sd-event io source; the decoders' deadlines
 * are sd-event timers.  Nothing runs while idle.  Input sources have a
 * higher priority than timers, so edges queued when a deadline fires are
 * fed first (the matrix and Wiegand headers ask for that). */
#include "hw-gpio-private.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"

int64_t hw_gpio_now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Arm (or disarm, at 0) a one-shot CLOCK_MONOTONIC timer. */
static int arm_at(struct hw_gpio *g, sd_event_source **s, int64_t when, sd_event_time_handler_t handler,
                  void *userdata) {
        int r;

        if (when <= 0) {
                if (*s)
                        (void)sd_event_source_set_enabled(*s, SD_EVENT_OFF);
                return 0;
        }
        if (*s) {
                r = sd_event_source_set_time(*s, (uint64_t)when);
                if (r < 0)
                        return r;
                return sd_event_source_set_enabled(*s, SD_EVENT_ONESHOT);
        }
        /* 1 µs accuracy: the keypad's settle time is tens of µs. */
        return sd_event_add_time(g->event, s, CLOCK_MONOTONIC, (uint64_t)when, 1, handler, userdata);
}

static void set_line(struct slot *s, int value) {
        int r;

        if (!s)
                return;
        r = dl_gpio_line_set(s->line, value);
        if (r < 0)
                fprintf(stderr, "doorlockd: cannot set %s (%s) to %d: %s\n", s->role,
                        dl_gpio_line_describe(s->line), value, strerror(-r));
        else
                s->value = value;
}

bool hw_gpio_is_set(const struct dl_hw_gpio_line *l) {
        return l && l->set;
}

/* ---- signals (buzzer, LED) ---- */

#define STEP(b, l, ms)                                                                                      \
        { b, l, ms }
static const struct signal_step sig_key[] = { STEP(1, 0, 30) };
static const struct signal_step sig_granted[] = { STEP(1, 1, 80), STEP(0, 1, 80), STEP(1, 1, 80),
                                                  STEP(0, 1, 1760) };
static const struct signal_step sig_denied[] = { STEP(1, 1, 100), STEP(1, 0, 100), STEP(1, 1, 100),
                                                 STEP(1, 0, 100), STEP(1, 1, 100), STEP(1, 0, 100) };
static const struct signal_step sig_locked_out[] = {
        STEP(1, 1, 100), STEP(1, 0, 100), STEP(1, 1, 100), STEP(1, 0, 100), STEP(1, 1, 100),
        STEP(1, 0, 100), STEP(1, 1, 100), STEP(1, 0, 100), STEP(1, 1, 100), STEP(1, 0, 100),
};
static const struct signal_step sig_pairing[] = { STEP(0, 1, 500), STEP(0, 0, 500), STEP(0, 1, 500),
                                                  STEP(0, 0, 500), STEP(0, 1, 500), STEP(0, 0, 500),
                                                  STEP(0, 1, 500), STEP(0, 0, 500), STEP(0, 1, 500),
                                                  STEP(0, 0, 500) };
static const struct signal_step sig_test_buzzer[] = { STEP(1, 0, 1000) };
static const struct signal_step sig_test_led[] = { STEP(0, 1, 1000) };

static const struct {
        const struct signal_step *steps;
        size_t n;
} patterns[_DL_HW_SIGNAL_MAX] = {
        [DL_HW_SIGNAL_KEY] = { sig_key, ELEMENTSOF(sig_key) },
        [DL_HW_SIGNAL_GRANTED] = { sig_granted, ELEMENTSOF(sig_granted) },
        [DL_HW_SIGNAL_DENIED] = { sig_denied, ELEMENTSOF(sig_denied) },
        [DL_HW_SIGNAL_LOCKED_OUT] = { sig_locked_out, ELEMENTSOF(sig_locked_out) },
        [DL_HW_SIGNAL_PAIRING] = { sig_pairing, ELEMENTSOF(sig_pairing) },
        [DL_HW_SIGNAL_TEST_BUZZER] = { sig_test_buzzer, ELEMENTSOF(sig_test_buzzer) },
        [DL_HW_SIGNAL_TEST_LED] = { sig_test_led, ELEMENTSOF(sig_test_led) },
};

static void pattern_off(struct hw_gpio *g) {
        g->pattern = NULL;
        (void)arm_at(g, &g->signal_timer, 0, NULL, NULL);
        if (g->buzzer && g->buzzer->value)
                set_line(g->buzzer, 0);
        if (g->led && g->led->value)
                set_line(g->led, 0);
}

static int on_signal_timer(sd_event_source *s, uint64_t usec, void *userdata);

static void pattern_step(struct hw_gpio *g, int64_t now) {
        const struct signal_step *st;

        if (!g->pattern || g->pattern_i >= g->pattern_n) {
                pattern_off(g);
                return;
        }
        st = &g->pattern[g->pattern_i++];
        if (g->buzzer && g->buzzer->value != st->buzzer)
                set_line(g->buzzer, st->buzzer);
        if (g->led && g->led->value != st->led)
                set_line(g->led, st->led);
        (void)arm_at(g, &g->signal_timer, now + (int64_t)st->ms * 1000, on_signal_timer, g);
}

static int on_signal_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        struct hw_gpio *g = userdata;

        (void)s;
        pattern_step(g, (int64_t)usec);
        return 0;
}

static void gpio_signal(struct dl_hw *hw, enum dl_hw_signal signal) {
        struct hw_gpio *g = (struct hw_gpio *)hw;

        if ((unsigned)signal >= _DL_HW_SIGNAL_MAX || (!g->buzzer && !g->led))
                return;
        /* A new pattern replaces the running one. */
        g->pattern = patterns[signal].steps;
        g->pattern_n = patterns[signal].n;
        g->pattern_i = 0;
        pattern_step(g, hw_gpio_now_usec());
}

/* ---- motor ---- */

static enum dl_bolt_position from_motor(enum dl_motor_position p) {
        switch (p) {
        case DL_MOTOR_POSITION_LOCKED:
                return DL_BOLT_LOCKED;
        case DL_MOTOR_POSITION_UNLOCKED:
                return DL_BOLT_UNLOCKED;
        default:
                return DL_BOLT_UNKNOWN;
        }
}

static int on_motor_timer(sd_event_source *s, uint64_t usec, void *userdata);

static void motor_apply(struct hw_gpio *g, const struct dl_motor_action *a) {
        bool u = a->output == DL_MOTOR_UNLOCK, l = a->output == DL_MOTOR_LOCK;

        /* Off before on: never both lines at 1, not even between two calls. */
        if (!u && g->motor_unlock->value)
                set_line(g->motor_unlock, 0);
        if (!l && g->motor_lock->value)
                set_line(g->motor_lock, 0);
        if (u && !g->motor_unlock->value)
                set_line(g->motor_unlock, 1);
        if (l && !g->motor_lock->value)
                set_line(g->motor_lock, 1);
        (void)arm_at(g, &g->motor_timer, a->deadline, on_motor_timer, g);

        switch (a->result) {
        case DL_MOTOR_REACHED:
        case DL_MOTOR_MOVED:
                g->hw.events->bolt(g->hw.userdata, from_motor(a->position));
                break;
        case DL_MOTOR_FAILED:
                /* No bolt report: the controller is still waiting for the
                 * target, and a report of where the bolt stuck would end
                 * that wait as if the bolt had been moved by hand. */
                g->hw.events->drive_failed(g->hw.userdata, a->detail);
                break;
        case DL_MOTOR_NONE:
                break;
        }
}

static int on_motor_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        struct hw_gpio *g = userdata;
        struct dl_motor_action a;

        (void)s;
        (void)usec;
        if (dl_motor_timer(&g->motor, hw_gpio_now_usec(), &a) >= 0)
                motor_apply(g, &a);
        return 0;
}

/* ---- strike ---- */

static int strike_open_level(const struct hw_gpio *g) {
        return g->c.strike_type == DL_HW_STRIKE_FAIL_SECURE ? 1 : 0;
}

static bool has_bolt_sensor(const struct hw_gpio *g) {
        return g->retracted || g->extended;
}

/* Strike with sensors: what the debounced switches say (as motor-drive
 * decides it, without inference). */
enum dl_bolt_position hw_gpio_strike_sensed(const struct hw_gpio *g) {
        bool r = g->retracted && g->retracted->deb.stable, e = g->extended && g->extended->deb.stable;

        if (g->retracted && g->extended)
                return r == e ? DL_BOLT_UNKNOWN : r ? DL_BOLT_UNLOCKED : DL_BOLT_LOCKED;
        if (g->retracted)
                return r ? DL_BOLT_UNLOCKED : DL_BOLT_UNKNOWN;
        return e ? DL_BOLT_LOCKED : DL_BOLT_UNKNOWN;
}

static void strike_set(struct hw_gpio *g, bool open) {
        g->strike_open = open;
        set_line(g->strike, open ? strike_open_level(g) : !strike_open_level(g));
        if (!has_bolt_sensor(g))
                /* The position the line implies, nothing more. */
                g->hw.events->bolt(g->hw.userdata, open ? DL_BOLT_UNLOCKED : DL_BOLT_LOCKED);
}

static int on_strike_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        struct hw_gpio *g = userdata;

        (void)s;
        (void)usec;
        strike_set(g, false); /* the pulse ended: holding again */
        return 0;
}

/* ---- ops ---- */

static void gpio_drive(struct dl_hw *hw, bool unlock) {
        struct hw_gpio *g = (struct hw_gpio *)hw;

        switch (g->c.actuator) {
        case DL_HW_ACTUATOR_MOTOR: {
                struct dl_motor_action a;

                if (dl_motor_drive(&g->motor, unlock, hw_gpio_now_usec(), &a) >= 0)
                        motor_apply(g, &a);
                break;
        }
        case DL_HW_ACTUATOR_STRIKE:
                (void)arm_at(g, &g->strike_timer, 0, NULL, NULL);
                if (unlock && g->c.strike_usec > 0)
                        (void)arm_at(g, &g->strike_timer, hw_gpio_now_usec() + g->c.strike_usec,
                                     on_strike_timer, g);
                strike_set(g, unlock);
                break;
        case DL_HW_ACTUATOR_NONE:
                break;
        }
}

/* "Stop moving": the motor off at once and the pattern off.  The strike
 * stays where it is: it does not move, and releasing a held-open strike
 * here would relock behind the controller's back. */
static void gpio_stop(struct dl_hw *hw) {
        struct hw_gpio *g = (struct hw_gpio *)hw;

        if (g->c.actuator == DL_HW_ACTUATOR_MOTOR) {
                struct dl_motor_action a;

                if (dl_motor_stop(&g->motor, hw_gpio_now_usec(), &a) >= 0)
                        motor_apply(g, &a);
                /* Whatever the state machine says: both off. */
                set_line(g->motor_unlock, 0);
                set_line(g->motor_lock, 0);
        }
        pattern_off(g);
}

static void gpio_report(struct dl_hw *hw) {
        struct hw_gpio *g = (struct hw_gpio *)hw;

        switch (g->c.actuator) {
        case DL_HW_ACTUATOR_MOTOR: {
                /* Read the switches now: a level that differs from the
                 * last edge seen (an edge still queued, or lost) goes in
                 * first.  The report is the settled position; a change
                 * found here comes as its own bolt event once settled. */
                struct slot *sw[2] = { g->retracted, g->extended };

                for (unsigned i = 0; i < 2; i++) {
                        struct dl_motor_action a;
                        int v = sw[i] ? dl_gpio_line_get(sw[i]->line) : -EINVAL;

                        if (v >= 0 && (bool)v != g->motor.raw[i] &&
                            dl_motor_sensor(&g->motor, i, v, hw_gpio_now_usec(), &a) >= 0)
                                motor_apply(g, &a);
                }
                g->hw.events->bolt(g->hw.userdata, from_motor(dl_motor_position(&g->motor)));
                break;
        }
        case DL_HW_ACTUATOR_STRIKE:
                if (has_bolt_sensor(g))
                        g->hw.events->bolt(g->hw.userdata, g->strike_sensed = hw_gpio_strike_sensed(g));
                else
                        g->hw.events->bolt(g->hw.userdata,
                                           g->strike_open ? DL_BOLT_UNLOCKED : DL_BOLT_LOCKED);
                break;
        case DL_HW_ACTUATOR_NONE:
                break;
        }
        if (g->door) {
                int v = dl_gpio_line_get(g->door->line);

                if (v >= 0 && !g->door->deb.changed_at)
                        dl_debounce_init(&g->door->deb, v, g->c.input_debounce_usec);
                g->hw.events->door(g->hw.userdata, v < 0                 ? DL_DOOR_UNKNOWN
                                                   : g->door->deb.stable ? DL_DOOR_OPEN
                                                                         : DL_DOOR_CLOSED);
        }
        if (g->tamper && g->tamper->deb.stable)
                g->hw.events->tamper(g->hw.userdata, true);
}

static size_t gpio_lines(struct dl_hw *hw, struct dl_hw_line_status *lines, size_t max) {
        struct hw_gpio *g = (struct hw_gpio *)hw;

        for (size_t i = 0; i < g->n_slots && i < max; i++) {
                struct slot *s = &g->slots[i];

                lines[i] = (struct dl_hw_line_status){ .role = s->role, .output = s->output };
                (void)snprintf(lines[i].where, sizeof(lines[i].where), "%s", dl_gpio_line_describe(s->line));
                if (g->reader && (s == g->d0 || s == g->d1))
                        lines[i].value = dl_wiegand_reader_get(g->reader, s == g->d1);
                else
                        lines[i].value = dl_gpio_line_get(s->line);
        }
        return g->n_slots;
}

static void gpio_info(struct dl_hw *hw, struct dl_hw_info *ret) {
        struct hw_gpio *g = (struct hw_gpio *)hw;

        *ret = (struct dl_hw_info){
                .backend = "gpio",
                .keypad = (unsigned)g->c.keypad < DL_HW_KEYPAD_TYPES ? dl_hw_keypad_type_names[g->c.keypad]
                                                                     : "none",
                .actuator = (unsigned)g->c.actuator < DL_HW_ACTUATORS ? dl_hw_actuator_names[g->c.actuator]
                                                                      : "none",
                .door_sensor = g->door,
                .bolt_sensor = has_bolt_sensor(g) && g->c.actuator != DL_HW_ACTUATOR_NONE,
                .exit_button = g->exit_button,
                .doorbell = g->doorbell,
                .tamper = g->tamper,
                .buzzer = g->buzzer,
                .led = g->led,
        };
}

static int safe_level(const struct hw_gpio *g, const struct slot *s) {
        switch (s->kind) {
        case K_STRIKE:
                return !strike_open_level(g); /* holding: locked */
        case K_COL:
                return 0; /* all columns active: the matrix idle drive */
        default:
                return 0;
        }
}

static void gpio_free(struct dl_hw *hw) {
        struct hw_gpio *g = (struct hw_gpio *)hw;

        if (!g)
                return;
        /* The thread first: it reads the Wiegand lines. */
        g->reader = dl_wiegand_reader_free(g->reader);
        for (size_t i = 0; i < g->n_slots; i++) {
                struct slot *s = &g->slots[i];

                if (s->output && s->line)
                        (void)dl_gpio_line_set(s->line, safe_level(g, s));
                s->io = sd_event_source_disable_unref(s->io);
                s->deb_timer = sd_event_source_disable_unref(s->deb_timer);
        }
        for (size_t i = 0; i < g->n_slots; i++)
                g->slots[i].line = dl_gpio_line_free(g->slots[i].line);
        sd_event_source_disable_unref(g->matrix_timer);
        sd_event_source_disable_unref(g->wiegand_timer);
        sd_event_source_disable_unref(g->motor_timer);
        sd_event_source_disable_unref(g->strike_timer);
        sd_event_source_disable_unref(g->signal_timer);
        sd_event_unref(g->event);
        /* The decoders may hold a frame's edges or a held key. */
        secure_zero(&g->wiegand, sizeof(g->wiegand));
        secure_zero(&g->matrix, sizeof(g->matrix));
        free(g);
}

const struct dl_hw_ops hw_gpio_ops = {
        .drive = gpio_drive,
        .stop = gpio_stop,
        .report = gpio_report,
        .signal = gpio_signal,
        .lines = gpio_lines,
        .info = gpio_info,
        .free = gpio_free,
};

/* ---- matrix keypad ---- */

static int on_matrix_timer(sd_event_source *s, uint64_t usec, void *userdata);

static void matrix_apply(struct hw_gpio *g, const struct dl_matrix_action *a, enum dl_matrix_state before) {
        int64_t deadline = a->deadline;

        if (a->columns != g->columns) {
                /* Inactive first, then active: two columns never both
                 * active by accident of ordering during a scan step. */
                for (unsigned c = 0; c < g->c.n_cols; c++)
                        if (!(a->columns & (1u << c)))
                                set_line(g->cols[c], 1);
                for (unsigned c = 0; c < g->c.n_cols; c++)
                        if (a->columns & (1u << c))
                                set_line(g->cols[c], 0);
                g->columns = a->columns;
                /* The settle time counts from this drive, not from the
                 * edge that asked for it: a scan's first deadline is the
                 * edge's timestamp + settle, and when the loop gets to the
                 * edge later than that (a busy board, a VM), the rows
                 * would be read right after the columns changed.  Later
                 * than the decoder's deadline is allowed. */
                if (a->next == DL_MATRIX_READ_ROWS)
                        deadline = MAX(deadline, hw_gpio_now_usec() + g->c.matrix.settle_usec);
        }
        (void)arm_at(g, &g->matrix_timer, a->next == DL_MATRIX_READ_ROWS ? deadline : 0, on_matrix_timer, g);
        if (a->key)
                g->hw.events->key(g->hw.userdata, a->key);
        else if (before != DL_MATRIX_HELD && g->matrix.state == DL_MATRIX_HELD && g->matrix.held == '\0')
                /* Refused: two keys (or a ghost), or no two matching scans. */
                g->hw.events->input_rejected(g->hw.userdata, "keypad", "unclear");
}

static int on_matrix_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        struct hw_gpio *g = userdata;
        enum dl_matrix_state before = g->matrix.state;
        struct dl_matrix_action a;
        uint32_t low = 0;
        int64_t now = hw_gpio_now_usec();

        (void)s;
        (void)usec;
        for (unsigned r = 0; r < g->c.n_rows; r++)
                if (dl_gpio_line_get(g->rows[r]->line) == 0)
                        low |= 1u << r;
        if (dl_matrix_rows_read(&g->matrix, low, now, &a) >= 0)
                matrix_apply(g, &a, before);
        return 0;
}

static void on_row_events(struct hw_gpio *g, const struct dl_gpio_event *ev, int n) {
        for (int i = 0; i < n; i++) {
                enum dl_matrix_state before = g->matrix.state;
                struct dl_matrix_action a;

                if (dl_matrix_row_edge(&g->matrix, (int64_t)ev[i].timestamp_usec, &a) >= 0)
                        matrix_apply(g, &a, before);
        }
}

/* ---- Wiegand ---- */

static int on_wiegand_timer(sd_event_source *s, uint64_t usec, void *userdata);

static void wiegand_feed(struct hw_gpio *g) {
        struct dl_wiegand_edge e[128];
        size_t n;

        do {
                n = dl_wiegand_reader_drain(g->reader, e, ELEMENTSOF(e));
                if (n > 0)
                        (void)dl_wiegand_edges(&g->wiegand, e, n);
        } while (n == ELEMENTSOF(e));
        secure_zero(e, sizeof(e));
        (void)arm_at(g, &g->wiegand_timer, dl_wiegand_deadline(&g->wiegand), on_wiegand_timer, g);
}

void hw_gpio_on_wiegand_ready(void *userdata) {
        wiegand_feed(userdata);
}

static int on_wiegand_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        struct hw_gpio *g = userdata;
        struct dl_wiegand_result res;
        int64_t now;

        (void)s;
        (void)usec;
        /* Both lines drained before any decision (wiegand.h). */
        now = hw_gpio_now_usec();
        wiegand_feed(g);
        while (dl_wiegand_timer(&g->wiegand, now, &res) > 0) {
                switch (res.kind) {
                case DL_WIEGAND_KEY:
                        g->hw.events->key(g->hw.userdata, res.key);
                        break;
                case DL_WIEGAND_CARD:
                        g->hw.events->card(g->hw.userdata, res.card.bits, res.card.data);
                        break;
                case DL_WIEGAND_REJECTED:
                        g->hw.events->input_rejected(g->hw.userdata, "wiegand",
                                                     dl_wiegand_reject_to_string(res.reason));
                        break;
                }
                dl_wiegand_result_clear(&res);
        }
        (void)arm_at(g, &g->wiegand_timer, dl_wiegand_deadline(&g->wiegand), on_wiegand_timer, g);
        return 0;
}

/* ---- debounced inputs ---- */

static void debounced(struct hw_gpio *g, struct slot *s) {
        bool v = s->deb.stable;

        switch (s->kind) {
        case K_DOOR:
                g->hw.events->door(g->hw.userdata, v ? DL_DOOR_OPEN : DL_DOOR_CLOSED);
                break;
        case K_EXIT:
                if (v)
                        g->hw.events->exit_button(g->hw.userdata);
                break;
        case K_BELL:
                if (v)
                        g->hw.events->doorbell(g->hw.userdata);
                break;
        case K_TAMPER:
                g->hw.events->tamper(g->hw.userdata, v);
                break;
        case K_BOLT_RETRACTED:
        case K_BOLT_EXTENDED: {
                enum dl_bolt_position p = hw_gpio_strike_sensed(g);

                if (p != g->strike_sensed) {
                        g->strike_sensed = p;
                        g->hw.events->bolt(g->hw.userdata, p);
                }
                break;
        }
        default:
                break;
        }
}

static int on_deb_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        struct slot *s = userdata;

        (void)src;
        (void)usec;
        if (dl_debounce_timer(&s->deb, hw_gpio_now_usec()) > 0)
                debounced(s->g, s);
        (void)arm_at(s->g, &s->deb_timer, dl_debounce_deadline(&s->deb), on_deb_timer, s);
        return 0;
}

int hw_gpio_on_line_io(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        struct slot *s = userdata;
        struct hw_gpio *g = s->g;
        struct dl_gpio_event ev[32];
        bool motor_sensor = (s->kind == K_BOLT_RETRACTED || s->kind == K_BOLT_EXTENDED) &&
                            g->c.actuator == DL_HW_ACTUATOR_MOTOR;
        int n;

        (void)src;
        (void)fd;
        (void)revents;
        do {
                n = dl_gpio_line_read_events(s->line, ev, ELEMENTSOF(ev));
                if (n < 0) {
                        fprintf(stderr, "doorlockd: cannot read the events of %s (%s): %s\n", s->role,
                                dl_gpio_line_describe(s->line), strerror(-n));
                        return 0;
                }
                if (s->kind == K_ROW) {
                        on_row_events(g, ev, n);
                        continue;
                }
                for (int i = 0; i < n; i++) {
                        struct dl_motor_action a;

                        if (!motor_sensor) {
                                dl_debounce_edge(&s->deb, ev[i].rising, (int64_t)ev[i].timestamp_usec);
                                continue;
                        }
                        /* Raw edges: the motor stops at the first one, and
                         * motor-drive does its own settling.  The time is
                         * now, not the edge's: the output goes off now, and
                         * the dead time counts from there (an edge's
                         * timestamp would shorten it by the loop's
                         * latency; the settling only gets longer). */
                        if (dl_motor_sensor(&g->motor,
                                            s->kind == K_BOLT_RETRACTED ? DL_MOTOR_SENSOR_RETRACTED
                                                                        : DL_MOTOR_SENSOR_EXTENDED,
                                            ev[i].rising, hw_gpio_now_usec(), &a) >= 0)
                                motor_apply(g, &a);
                }
                if (!motor_sensor)
                        (void)arm_at(g, &s->deb_timer, dl_debounce_deadline(&s->deb), on_deb_timer, s);
        } while (n == (int)ELEMENTSOF(ev));
        return 0;
}
