/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The libgpiod backend at start: dl_hw_gpio_new() requests every line the
 * config names, in the order safety asks for (hw-gpio.h): outputs first,
 * each at its safe level by the request itself, then the inputs; then the
 * decoders' starting points from the lines as they read now, and every
 * input into the loop.  An error names the config key and the line.
 * Running the lines is hw-gpio.c's. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw-gpio-private.h"
#include "macro.h"

/* ---- setup ---- */

static int request_at(struct hw_gpio *g, enum kind kind, unsigned index, const char *role, const char *key,
                      const struct dl_hw_gpio_line *l, const struct dl_gpio_request *req, struct slot **ret,
                      struct dl_error *err);

static int request_output(struct hw_gpio *g, enum kind kind, unsigned index, const char *role,
                          const char *key, const struct dl_hw_gpio_line *l, int initial, struct slot **ret,
                          struct dl_error *err) {
        const struct dl_gpio_request req = {
                .direction = DL_GPIO_OUTPUT,
                .drive = DL_GPIO_DRIVE_PUSH_PULL,
                .initial = initial,
        };

        if (!hw_gpio_is_set(l))
                return 0;
        return request_at(g, kind, index, role, key, l, &req, ret, err);
}

static int request_input(struct hw_gpio *g, enum kind kind, unsigned index, const char *role,
                         const char *key, const struct dl_hw_gpio_line *l, enum dl_gpio_bias bias,
                         enum dl_gpio_edge edge, struct slot **ret, struct dl_error *err) {
        const struct dl_gpio_request req = {
                .direction = DL_GPIO_INPUT,
                .bias = bias,
                .edge = edge,
                /* libgpiod 2.x: room for a burst while the loop is busy;
                 * 1.6 ignores it (16, hence the Wiegand thread). */
                .event_buffer = 256,
        };

        if (!hw_gpio_is_set(l))
                return 0;
        return request_at(g, kind, index, role, key, l, &req, ret, err);
}

static int request_at(struct hw_gpio *g, enum kind kind, unsigned index, const char *role, const char *key,
                      const struct dl_hw_gpio_line *l, const struct dl_gpio_request *req, struct slot **ret,
                      struct dl_error *err) {
        const struct dl_gpio_line_spec spec = {
                .chip = l->chip[0] ? l->chip : g->c.chip,
                .line = l->line,
                .active_low = l->active_low,
        };
        struct dl_error e = {};
        struct slot *s;
        int r;

        if (g->n_slots >= SLOTS_MAX)
                return -E2BIG;
        s = &g->slots[g->n_slots];
        *s = (struct slot){
                .g = g, .kind = kind, .index = index, .output = req->direction == DL_GPIO_OUTPUT
        };
        (void)snprintf(s->role, sizeof(s->role), "%s", role);
        (void)snprintf(s->key, sizeof(s->key), "%s", key);
        if (!spec.chip[0])
                return dl_error_set(err, -EINVAL, "%s=%s: no chip given and no [Gpio] Chip=", key, l->line);
        r = dl_gpio_line_request(g->dev_dir, &spec, req, &s->line, &e);
        if (r < 0)
                return dl_error_set(err, r, "%s=%s%s%s%s: %s", key, l->chip, l->chip[0] ? ":" : "", l->line,
                                    l->active_low ? ":active-low" : "", dl_error_message(&e, r));
        s->value = req->initial;
        g->n_slots++;
        if (ret)
                *ret = s;
        return 0;
}

/* The lines that are there or not, each with nothing but a role: where
 * the config has it, where the backend keeps its slot. */
struct optional_line {
        const char *role, *key;
        size_t config; /* offsetof(struct dl_hw_gpio_config, ...) */
        size_t slot;   /* offsetof(struct hw_gpio, ...) */
        enum kind kind;
        bool output; /* requested off; inputs: both edges, bias as is */
};

#define LINE(k, r, cfgkey, cfield, sfield, out)                                                             \
        {                                                                                                   \
                .role = (r), .key = (cfgkey), .config = offsetof(struct dl_hw_gpio_config, cfield),         \
                .slot = offsetof(struct hw_gpio, sfield), .kind = (k), .output = (out)                      \
        }
#define OPTIONAL(k, r, cfgkey, field, out) LINE(k, r, cfgkey, field, field, out)

static const struct optional_line optional_outputs[] = {
        OPTIONAL(K_BUZZER, "buzzer", "[Lock] Buzzer", buzzer, true),
        OPTIONAL(K_LED, "led", "[Lock] Led", led, true),
};

static const struct optional_line bolt_sensors[] = {
        LINE(K_BOLT_RETRACTED, "bolt-retracted", "[Lock] BoltRetracted", bolt_retracted, retracted, false),
        LINE(K_BOLT_EXTENDED, "bolt-extended", "[Lock] BoltExtended", bolt_extended, extended, false),
};

static const struct optional_line optional_inputs[] = {
        OPTIONAL(K_DOOR, "door", "[Lock] Door", door, false),
        OPTIONAL(K_EXIT, "exit-button", "[Lock] ExitButton", exit_button, false),
        OPTIONAL(K_BELL, "doorbell", "[Lock] Doorbell", doorbell, false),
        OPTIONAL(K_TAMPER, "tamper", "[Lock] Tamper", tamper, false),
};

static int request_optional(struct hw_gpio *g, const struct optional_line *lines, size_t n,
                            struct dl_error *err) {
        for (size_t i = 0; i < n; i++) {
                const struct dl_hw_gpio_line *l =
                        (const struct dl_hw_gpio_line *)((const char *)&g->c + lines[i].config);
                struct slot **slot = (struct slot **)((char *)g + lines[i].slot);
                int r;

                if (lines[i].output)
                        r = request_output(g, lines[i].kind, 0, lines[i].role, lines[i].key, l, 0, slot,
                                           err);
                else
                        r = request_input(g, lines[i].kind, 0, lines[i].role, lines[i].key, l,
                                          DL_GPIO_BIAS_AS_IS, DL_GPIO_EDGE_BOTH, slot, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The motor's timings from the config; the sensors are the caller's. */
static void motor_config(const struct dl_hw_gpio_config *c, struct dl_motor_config *ret) {
        *ret = (struct dl_motor_config){
                .timeout_usec =
                        c->motor_timeout_usec > 0 ? c->motor_timeout_usec : DL_MOTOR_TIMEOUT_USEC_DEFAULT,
                .dead_time_usec = MAX(c->motor_dead_time_usec, 0),
                /* the bolt switches settle like the other slow inputs */
                .settle_usec = MAX(c->input_debounce_usec, 1),
        };
}

static void hw_freep(struct hw_gpio **g) {
        if (*g)
                hw_gpio_ops.free(&(*g)->hw);
}

static int attach(struct hw_gpio *g, struct slot *s) {
        int fd, r;

        if (!s || s->kind == K_WIEGAND_D0 || s->kind == K_WIEGAND_D1)
                return 0; /* the Wiegand reader has its own */
        fd = dl_gpio_line_fd(s->line);
        if (fd < 0)
                return fd;
        r = sd_event_add_io(g->event, &s->io, fd, EPOLLIN, hw_gpio_on_line_io, s);
        if (r < 0)
                return r;
        /* Edges before timers (see the top of this file). */
        return sd_event_source_set_priority(s->io, SD_EVENT_PRIORITY_IMPORTANT);
}

int dl_hw_gpio_new(sd_event *event, const struct dl_hw_gpio_config *c, const char *dev_dir,
                   const struct dl_hw_events *events, void *userdata, struct dl_hw **ret,
                   struct dl_error *err) {
        _cleanup_(hw_freep) struct hw_gpio *g = NULL;
        struct dl_matrix_action ma = {};
        char role[24];
        int r;

        if (!event || !c || !events || !ret)
                return -EINVAL;
        g = calloc(1, sizeof(*g));
        if (!g)
                return -ENOMEM;
        g->hw = (struct dl_hw){ .ops = &hw_gpio_ops, .events = events, .userdata = userdata };
        g->event = sd_event_ref(event);
        g->c = *c;
        g->dev_dir = dev_dir;

        if (c->actuator == DL_HW_ACTUATOR_MOTOR && !hw_gpio_is_set(&c->bolt_retracted) &&
            !hw_gpio_is_set(&c->bolt_extended))
                return dl_error_set(err, -EINVAL,
                                    "[Lock] Actuator=motor needs BoltRetracted= or BoltExtended=: "
                                    "a motor without a bolt sensor would be driven blind");
        if (c->keypad == DL_HW_KEYPAD_MATRIX) {
                r = dl_matrix_init(&g->matrix, &c->matrix, &ma);
                if (r < 0)
                        return dl_error_set(err, r, "[Keypad] the matrix configuration is invalid");
                if (c->n_rows != c->matrix.rows || c->n_cols != c->matrix.cols)
                        return dl_error_set(
                                err, -EINVAL,
                                "[Keypad] Rows= and Columns= (%u x %u) do not match KeyMap= (%u x %u)",
                                c->n_rows, c->n_cols, c->matrix.rows, c->matrix.cols);
        }
        if (c->keypad == DL_HW_KEYPAD_WIEGAND) {
                r = dl_wiegand_init(&g->wiegand, &c->wiegand);
                if (r < 0)
                        return dl_error_set(err, r, "[Keypad] the Wiegand timing is invalid");
        }

        /* 1. Outputs, each at its safe level by the request itself. */
        if (c->actuator == DL_HW_ACTUATOR_MOTOR) {
                r = request_output(g, K_MOTOR_UNLOCK, 0, "motor-unlock", "[Lock] MotorUnlock",
                                   &c->motor_unlock, 0, &g->motor_unlock, err);
                if (r < 0)
                        return r;
                r = request_output(g, K_MOTOR_LOCK, 0, "motor-lock", "[Lock] MotorLock", &c->motor_lock, 0,
                                   &g->motor_lock, err);
                if (r < 0)
                        return r;
                if (!g->motor_unlock || !g->motor_lock)
                        return dl_error_set(err, -EINVAL,
                                            "[Lock] Actuator=motor needs MotorUnlock= and MotorLock=");
        }
        if (c->actuator == DL_HW_ACTUATOR_STRIKE) {
                r = request_output(g, K_STRIKE, 0, "strike", "[Lock] Strike", &c->strike,
                                   c->strike_type == DL_HW_STRIKE_FAIL_SECURE ? 0 : 1, &g->strike, err);
                if (r < 0)
                        return r;
                if (!g->strike)
                        return dl_error_set(err, -EINVAL, "[Lock] Actuator=strike needs Strike=");
        }
        r = request_optional(g, optional_outputs, ELEMENTSOF(optional_outputs), err);
        if (r < 0)
                return r;
        if (c->keypad == DL_HW_KEYPAD_MATRIX)
                for (unsigned i = 0; i < c->n_cols; i++) {
                        char key[32];

                        (void)snprintf(role, sizeof(role), "keypad-column-%u", i);
                        (void)snprintf(key, sizeof(key), "[Keypad] Columns (column %u)", i);
                        /* The first action's drive (all active = 0). */
                        r = request_output(g, K_COL, i, role, key, &c->cols[i],
                                           (ma.columns >> i) & 1 ? 0 : 1, &g->cols[i], err);
                        if (r < 0)
                                return r;
                        if (!g->cols[i])
                                return dl_error_set(err, -EINVAL, "[Keypad] Columns=: column %u is not set",
                                                    i);
                }
        g->columns = ma.columns;

        /* 2. Inputs. */
        if (c->keypad == DL_HW_KEYPAD_MATRIX)
                for (unsigned i = 0; i < c->n_rows; i++) {
                        char key[32];

                        (void)snprintf(role, sizeof(role), "keypad-row-%u", i);
                        (void)snprintf(key, sizeof(key), "[Keypad] Rows (row %u)", i);
                        r = request_input(g, K_ROW, i, role, key, &c->rows[i], DL_GPIO_BIAS_PULL_UP,
                                          DL_GPIO_EDGE_BOTH, &g->rows[i], err);
                        if (r < 0)
                                return r;
                        if (!g->rows[i])
                                return dl_error_set(err, -EINVAL, "[Keypad] Rows=: row %u is not set", i);
                }
        if (c->keypad == DL_HW_KEYPAD_WIEGAND) {
                r = request_input(g, K_WIEGAND_D0, 0, "wiegand-d0", "[Keypad] WiegandD0", &c->wiegand_d0,
                                  DL_GPIO_BIAS_AS_IS, DL_GPIO_EDGE_FALLING, &g->d0, err);
                if (r < 0)
                        return r;
                r = request_input(g, K_WIEGAND_D1, 0, "wiegand-d1", "[Keypad] WiegandD1", &c->wiegand_d1,
                                  DL_GPIO_BIAS_AS_IS, DL_GPIO_EDGE_FALLING, &g->d1, err);
                if (r < 0)
                        return r;
                if (!g->d0 || !g->d1)
                        return dl_error_set(err, -EINVAL,
                                            "[Keypad] Type=wiegand needs WiegandD0= and WiegandD1=");
        }
        if (c->actuator != DL_HW_ACTUATOR_NONE) {
                r = request_optional(g, bolt_sensors, ELEMENTSOF(bolt_sensors), err);
                if (r < 0)
                        return r;
        }
        r = request_optional(g, optional_inputs, ELEMENTSOF(optional_inputs), err);
        if (r < 0)
                return r;

        /* 3. The decoders' starting points, from the lines as they read
         * now (edges from here on are queued in the kernel). */
        for (size_t i = 0; i < g->n_slots; i++) {
                struct slot *s = &g->slots[i];
                int v;

                if (s->output || s->kind == K_ROW || s->kind == K_WIEGAND_D0 || s->kind == K_WIEGAND_D1)
                        continue;
                v = dl_gpio_line_get(s->line);
                if (v < 0)
                        return dl_error_set(err, v, "%s=: cannot read %s: %s", s->key,
                                            dl_gpio_line_describe(s->line), strerror(-v));
                dl_debounce_init(&s->deb, v, c->input_debounce_usec);
        }
        if (c->actuator == DL_HW_ACTUATOR_MOTOR) {
                struct dl_motor_config mc;
                struct dl_motor_action a;

                motor_config(c, &mc);
                mc.has_retracted = g->retracted;
                mc.has_extended = g->extended;

                r = dl_motor_init(&g->motor, &mc, g->retracted && g->retracted->deb.stable,
                                  g->extended && g->extended->deb.stable, hw_gpio_now_usec(), &a);
                if (r < 0)
                        return dl_error_set(err, r, "[Lock] the motor timings are invalid");
        }
        if (c->actuator == DL_HW_ACTUATOR_STRIKE)
                g->strike_sensed = hw_gpio_strike_sensed(g);

        /* 4. Into the loop. */
        for (size_t i = 0; i < g->n_slots; i++) {
                if (g->slots[i].output)
                        continue;
                r = attach(g, &g->slots[i]);
                if (r < 0)
                        return dl_error_set(err, r, "%s=: cannot watch %s: %s", g->slots[i].key,
                                            dl_gpio_line_describe(g->slots[i].line), strerror(-r));
        }
        if (g->d0) {
                /* libgpiod 1.6 keeps 16 events per line: a thread of its own. */
                bool threaded = strncmp(dl_gpio_library_version(), "1.", 2) == 0;

                r = dl_wiegand_reader_new(event, g->d0->line, g->d1->line, threaded,
                                          hw_gpio_on_wiegand_ready, g, &g->reader);
                if (r < 0)
                        return dl_error_set(err, r, "[Keypad] cannot start the Wiegand reader: %s",
                                            strerror(-r));
        }

        *ret = &TAKE_PTR(g)->hw;
        return 0;
}

int64_t dl_hw_gpio_drive_usec_max(const struct dl_hw_gpio_config *c) {
        struct dl_motor_config mc;

        motor_config(c, &mc);
        return c->actuator == DL_HW_ACTUATOR_MOTOR ? dl_motor_worst_case_usec(&mc) : 0;
}
