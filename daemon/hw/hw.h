/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a hardware backend is: keypad presses, sensor reports and the other
 * inputs of a door come in through struct dl_hw_events; actuator commands,
 * indicator patterns and status questions go out through struct dl_hw_ops.
 * The simulated backend (hw-sim.c) and the libgpiod backend (hw-gpio.c)
 * implement the same interface; nothing above knows which.
 *
 * Every event is an observation, never a decision: the lock service (the
 * one place that decides) turns an exit-button press into an unlock, a
 * door opening while locked into a "door-forced" alarm, a card into a log
 * entry.  Backends carry no rules.
 *
 * Optional hardware: a backend says what it has in struct dl_hw_info.  A
 * door without a door sensor never reports the door; a strike without a
 * bolt sensor reports the bolt position its line implies (never a guess). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lock-controller.h"

/* Where the bolt is, as the sensors (or the actuator's line) say. */
enum dl_bolt_position {
        DL_BOLT_UNKNOWN,  /* sensors disagree, or neither is made (bolt between) */
        DL_BOLT_LOCKED,   /* extended / strike holding */
        DL_BOLT_UNLOCKED, /* retracted / strike released */
};

/* Buzzer and LED patterns (docs/wiring.md describes each). */
enum dl_hw_signal {
        DL_HW_SIGNAL_KEY,         /* key click: buzzer 30 ms */
        DL_HW_SIGNAL_GRANTED,     /* LED on 2 s, buzzer 2 x 80 ms */
        DL_HW_SIGNAL_DENIED,      /* buzzer 600 ms, LED 3 x 100 ms */
        DL_HW_SIGNAL_LOCKED_OUT,  /* LED 5 x 100 ms, buzzer 1 s */
        DL_HW_SIGNAL_PAIRING,     /* LED 1 Hz blink for 5 s */
        DL_HW_SIGNAL_TEST_BUZZER, /* `lockctl hw test buzzer`: buzzer 1 s */
        DL_HW_SIGNAL_TEST_LED,    /* `lockctl hw test led`: LED 1 s */
        _DL_HW_SIGNAL_MAX,
};

struct dl_hw_events {
        void (*key)(void *userdata, char key);
        void (*bolt)(void *userdata, enum dl_bolt_position bolt);
        void (*door)(void *userdata, enum dl_door_state door);
        /* Request-to-exit: the button went down (once per press). */
        void (*exit_button)(void *userdata);
        void (*doorbell)(void *userdata);
        /* The tamper switch opened (true) or closed again (false). */
        void (*tamper)(void *userdata, bool active);
        /* A card frame (Wiegand 26 or 34 bits).  The data is an identifier
         * that opens doors: the receiver hashes it and drops it. */
        void (*card)(void *userdata, unsigned bits, uint64_t data);
        /* Input that was refused: a Wiegand frame of the wrong length or
         * parity, a keypad press with two keys down.  what: "wiegand",
         * "keypad"; reason: a stable name ("parity", "wrong-length", ...). */
        void (*input_rejected)(void *userdata, const char *what, const char *reason);
        /* The drive did not reach its position and the backend stopped it
         * (retries exhausted).  The controller's motor timeout also
         * catches it; this reports it sooner and with a reason. */
        void (*drive_failed)(void *userdata, const char *detail);
};

struct dl_hw;

/* One configured line, for `lockctl hw status`. */
struct dl_hw_line_status {
        const char *role; /* "bolt-retracted", "motor-unlock", "keypad-row-0", ... */
        char where[96];   /* "gpio-sim.0/door (offset 3)" or "simulated" */
        bool output;      /* an output driven by the daemon */
        int value;        /* logical 0/1, or a negative errno when unreadable */
};

struct dl_hw_info {
        const char *backend;  /* "simulated", "gpio" */
        const char *keypad;   /* "simulated", "matrix", "wiegand", "none" */
        const char *actuator; /* "simulated", "motor", "strike", "none" */
        bool door_sensor;     /* door() events come */
        bool bolt_sensor;     /* bolt() is measured, not implied */
        bool exit_button, doorbell, tamper, buzzer, led;
};

struct dl_hw_ops {
        /* Drive the bolt; the result comes back as a bolt event. */
        void (*drive)(struct dl_hw *hw, bool unlock);
        /* Stop any drive at once and leave the outputs in their safe state
         * (a jam; SIGTERM).  Idempotent. */
        void (*stop)(struct dl_hw *hw);
        /* Report the current bolt and door positions (at start). */
        void (*report)(struct dl_hw *hw);
        /* Play a buzzer/LED pattern; no-op without buzzer or LED. */
        void (*signal)(struct dl_hw *hw, enum dl_hw_signal signal);
        /* Fill up to max lines; returns how many there are (may be > max). */
        size_t (*lines)(struct dl_hw *hw, struct dl_hw_line_status *lines, size_t max);
        void (*info)(struct dl_hw *hw, struct dl_hw_info *ret);
        void (*free)(struct dl_hw *hw);
};

struct dl_hw {
        const struct dl_hw_ops *ops;
        const struct dl_hw_events *events;
        void *userdata;
};

static inline void dl_hw_free(struct dl_hw *hw) {
        if (hw)
                hw->ops->free(hw);
}

/* Stable names: "unknown", "locked", "unlocked"; "key", "granted",
 * "denied", "locked-out", "pairing", "test-buzzer", "test-led".  NULL out of range; from:
 * -1 for an unknown name. */
const char *dl_bolt_position_to_string(enum dl_bolt_position b);
const char *dl_hw_signal_to_string(enum dl_hw_signal s);
int dl_hw_signal_from_string(const char *s);
