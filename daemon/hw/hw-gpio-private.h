/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the libgpiod backend, shared by its two files and nothing else:
 *   hw-gpio.c        running the lines: the ops, the decoders' timers, the
 *                    input events, the buzzer/LED patterns, free;
 *   hw-gpio-setup.c  requesting them at start (dl_hw_gpio_new()): outputs
 *                    at their safe levels first, then the inputs, the
 *                    decoders' starting points, into the loop. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "hw-gpio.h"
#include "input-debounce.h"
#include "motor-drive.h"
#include "wiegand-reader.h"

enum kind {
        K_ROW,
        K_COL,
        K_WIEGAND_D0,
        K_WIEGAND_D1,
        K_MOTOR_UNLOCK,
        K_MOTOR_LOCK,
        K_STRIKE,
        K_BUZZER,
        K_LED,
        K_BOLT_RETRACTED,
        K_BOLT_EXTENDED,
        K_DOOR,
        K_EXIT,
        K_BELL,
        K_TAMPER,
};

#define SLOTS_MAX (2 * DL_MATRIX_MAX + 13)

struct hw_gpio;

struct slot {
        struct hw_gpio *g;
        enum kind kind;
        unsigned index; /* rows and columns */
        char role[24];
        char key[48]; /* the config key, for messages: "[Lock] MotorLock" */
        struct dl_gpio_line *line;
        bool output;
        int value; /* outputs: the value last set */
        sd_event_source *io;
        struct dl_debounce deb; /* door, exit, bell, tamper; strike's bolt sensors */
        sd_event_source *deb_timer;
};

struct signal_step {
        bool buzzer, led;
        unsigned ms;
};

struct hw_gpio {
        struct dl_hw hw; /* first: a struct dl_hw * is a struct hw_gpio * */
        sd_event *event;
        const char *dev_dir; /* only during dl_hw_gpio_new() */
        struct dl_hw_gpio_config c;
        struct slot slots[SLOTS_MAX];
        size_t n_slots;
        struct slot *rows[DL_MATRIX_MAX], *cols[DL_MATRIX_MAX];
        struct slot *d0, *d1, *motor_unlock, *motor_lock, *strike, *buzzer, *led;
        struct slot *retracted, *extended, *door, *exit_button, *doorbell, *tamper;

        struct dl_matrix_keypad matrix;
        uint32_t columns; /* driven active */
        sd_event_source *matrix_timer;

        struct dl_wiegand wiegand;
        struct dl_wiegand_reader *reader;
        sd_event_source *wiegand_timer;

        struct dl_motor motor;
        sd_event_source *motor_timer;

        bool strike_open;
        sd_event_source *strike_timer;
        enum dl_bolt_position strike_sensed; /* strike with sensors: the last reported */

        const struct signal_step *pattern;
        size_t pattern_n, pattern_i;
        sd_event_source *signal_timer;
};

/* hw-gpio.c */
extern const struct dl_hw_ops hw_gpio_ops;
/* CLOCK_MONOTONIC in µs, the decoders' time base. */
int64_t hw_gpio_now_usec(void);
bool hw_gpio_is_set(const struct dl_hw_gpio_line *l);
/* A strike's position as its bolt sensors (or, without them, its line) say. */
enum dl_bolt_position hw_gpio_strike_sensed(const struct hw_gpio *g);
/* An input's event fd is readable (the io source of every input but D0/D1). */
int hw_gpio_on_line_io(sd_event_source *src, int fd, uint32_t revents, void *userdata);
/* The Wiegand reader has edges for the loop. */
void hw_gpio_on_wiegand_ready(void *userdata);
