/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The libgpiod backend: a real door's keypad, actuator and inputs on GPIO
 * lines (gpio.h), behind the same interface as the simulator (hw.h).
 *
 * Which lines exist is the configuration ([Gpio], [Keypad], [Lock] in
 * doorlockd.conf, parsed by config.c into struct dl_hw_gpio_config); this
 * backend requests them, puts every input's event fd into the sd-event
 * loop, and runs the pure decoders (core/matrix-keypad.c, core/wiegand.c,
 * core/motor-drive.c) on what the lines say.  docs/wiring.md is the
 * installer's side of this file.
 *
 * Rejections (events->input_rejected): "wiegand" with
 * dl_wiegand_reject_to_string()'s names; "keypad" with "unclear" (two keys
 * or a ghost, or no two matching scans: matrix-keypad.h).
 *
 * Safety, in this order in dl_hw_gpio_new(): every output is requested with
 * its safe level as the request's initial value, before any input is
 * requested or read: motor lines off, buzzer and LED off, a fail-secure
 * strike de-energised (locked), a fail-safe strike or maglock energised
 * (holding).  stop() and free() put them back there. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "error.h"
#include "gpio.h"
#include "hw.h"
#include "matrix-keypad.h"
#include "wiegand.h"

#define DL_GPIO_CHIP_MAX 64
#define DL_GPIO_NAME_MAX 64

/* One line of the config: "[chip:]line[:active-low]"; chip empty = [Gpio]
 * Chip=.  set false = not configured.
 *
 * The syntax (dl_hw_gpio_line_parse()), read from the right:
 *   - a last part ":active-low" is the flag (the line is active when low);
 *     any other last part starting with "active" is refused as a misspelt
 *     flag;
 *   - then the last ':' splits chip from line: the chip may hold ':', '-',
 *     '.' and '/' (labels such as "pinctrl-bcm2835" or "INT34C5:00",
 *     paths such as "/dev/gpiochip0"), the line may not hold ':';
 *   - without a ':' it is only the line, on [Gpio] Chip=; a line whose
 *     name starts with "active" is refused (a misplaced flag).
 * The line is a name ("GPIO17") or a decimal offset ("17").  No blanks, no
 * control characters, chip and line each shorter than DL_GPIO_CHIP_MAX /
 * DL_GPIO_NAME_MAX.  Examples: "GPIO17", "17", "gpiochip0:17",
 * "/dev/gpiochip0:17", "pinctrl-bcm2835:GPIO17:active-low". */
struct dl_hw_gpio_line {
        bool set;
        char chip[DL_GPIO_CHIP_MAX]; /* label, name or path; "" = the default chip */
        char line[DL_GPIO_NAME_MAX]; /* name or offset */
        bool active_low;
};

enum dl_hw_keypad_type {
        DL_HW_KEYPAD_NONE,
        DL_HW_KEYPAD_MATRIX,
        DL_HW_KEYPAD_WIEGAND,
};

enum dl_hw_actuator {
        DL_HW_ACTUATOR_NONE,
        DL_HW_ACTUATOR_MOTOR,  /* H-bridge: MotorUnlock= MotorLock=, bolt sensors */
        DL_HW_ACTUATOR_STRIKE, /* one line: Strike=, StrikeType= */
};

enum dl_hw_strike_type {
        DL_HW_STRIKE_FAIL_SECURE, /* energise to open (unpowered = locked) */
        DL_HW_STRIKE_FAIL_SAFE,   /* energise to hold (unpowered = open); maglocks */
};

/* The names the config writes (Type=, Actuator=, StrikeType=) and
 * GetHardware reports, by enum value: one table for the parser, the check's
 * messages and the backend. */
#define DL_HW_KEYPAD_TYPES 3
#define DL_HW_ACTUATORS 3
#define DL_HW_STRIKE_TYPES 2
extern const char *const dl_hw_keypad_type_names[DL_HW_KEYPAD_TYPES];
extern const char *const dl_hw_actuator_names[DL_HW_ACTUATORS];
extern const char *const dl_hw_strike_type_names[DL_HW_STRIKE_TYPES];

struct dl_hw_gpio_config {
        char chip[DL_GPIO_CHIP_MAX]; /* [Gpio] Chip=: the default chip, "" none */

        enum dl_hw_keypad_type keypad; /* [Keypad] Type=none|matrix|wiegand */
        struct dl_hw_gpio_line rows[DL_MATRIX_MAX], cols[DL_MATRIX_MAX]; /* Rows= Columns= */
        unsigned n_rows, n_cols;
        struct dl_matrix_config matrix; /* KeyMap= SettleMicroseconds= DebounceMilliseconds= */
        struct dl_hw_gpio_line wiegand_d0, wiegand_d1; /* WiegandD0= WiegandD1= */
        struct dl_wiegand_config wiegand; /* WiegandTiming=standard|slow, WiegandKeys=4|8|both */

        enum dl_hw_actuator actuator; /* [Lock] Actuator=none|motor|strike */
        struct dl_hw_gpio_line motor_unlock, motor_lock;
        int64_t motor_timeout_usec;   /* [Lock] MotorTimeoutMilliseconds= (one try) */
        int64_t motor_dead_time_usec; /* MotorDeadTimeMilliseconds=, default 100 ms */
        struct dl_hw_gpio_line bolt_retracted, bolt_extended; /* BoltRetracted= BoltExtended= */
        struct dl_hw_gpio_line strike;
        enum dl_hw_strike_type strike_type; /* StrikeType=fail-secure|fail-safe */
        int64_t strike_usec;                /* StrikeMilliseconds=: 0 = while unlocked */

        struct dl_hw_gpio_line door;                          /* Door=: active = open */
        struct dl_hw_gpio_line exit_button, doorbell, tamper; /* active = pressed/open */
        struct dl_hw_gpio_line buzzer, led;
        int64_t input_debounce_usec; /* door, button, bell, tamper: default 20 ms */
};

/* All unset: no keypad, no actuator; the matrix 4x3 default map and
 * timings, the standard Wiegand profile, dead time 100 ms, motor timeout
 * DL_MOTOR_TIMEOUT_USEC_DEFAULT, strike fail-secure for 0 (while unlocked). */
void dl_hw_gpio_config_init(struct dl_hw_gpio_config *c);

/* Parse "[chip:]line[:active-low]" into l (set true).  -EINVAL with a
 * message (not repeating the value); l is unchanged then. */
int dl_hw_gpio_line_parse(struct dl_hw_gpio_line *l, const char *value, struct dl_error *err);

/* A blank-separated list of 1..max such lines ("GPIO5 GPIO6 GPIO13") into
 * lines[0..*ret_n), the rest of lines[0..max) cleared.  -EINVAL with a
 * message naming the item; lines and *ret_n are unchanged then. */
int dl_hw_gpio_lines_parse(struct dl_hw_gpio_line *lines, size_t max, unsigned *ret_n, const char *value,
                           struct dl_error *err);

/* Is anything configured at all?  false: a fresh install (no keypad, no
 * actuator, no line; [Gpio] Chip= alone does not count): the daemon runs
 * without hardware (NoHardware). */
bool dl_hw_gpio_config_any(const struct dl_hw_gpio_config *c);

/* The whole config is consistent, -EINVAL with a message naming the key
 * ("[Lock] MotorLock= is missing: ...") otherwise:
 *   - Type=matrix: Rows= and Columns= as many as KeyMap= has rows and
 *     columns, the key map and timings valid; Type=wiegand: WiegandD0= and
 *     WiegandD1=; no keypad line set for another type (or none);
 *   - Actuator=motor: MotorUnlock=, MotorLock= and at least one of
 *     BoltRetracted=, BoltExtended= (without a bolt sensor no drive is ever
 *     confirmed: every one would end as jammed); Actuator=strike: Strike=;
 *     no motor line, and no Strike=, for another actuator (or none);
 *   - every line has a chip: its own or [Gpio] Chip=;
 *   - no line twice: the same chip (its own or the default, as written) and
 *     the same line (offsets compared as numbers: "017" is "17").  A name
 *     and an offset of the same line look different here; requesting the
 *     line twice fails in dl_hw_gpio_new() instead. */
int dl_hw_gpio_config_check(const struct dl_hw_gpio_config *c, struct dl_error *err);

/* Request every line (outputs first, at their safe levels), attach the
 * inputs to the loop.  A wrong chip or line name, a line in use, a missing
 * line: an error naming it (config key and line).  dev_dir: DL_GPIO_DEV_DIR
 * (tests may pass another).  The unfinished-drive marker is the lock
 * service's (store/drive-marker.c), not the backend's. */
int dl_hw_gpio_new(sd_event *event, const struct dl_hw_gpio_config *c, const char *dev_dir,
                   const struct dl_hw_events *events, void *userdata, struct dl_hw **ret,
                   struct dl_error *err);

/* The longest a drive of this config can take in the backend before its
 * bolt event or drive_failed: a motor's tries (core/motor-drive.h: dead
 * time, timeout and settling, twice), 0 for a strike (at once).  The lock
 * controller's motor timeout should be no shorter, or it declares a jam
 * while the backend's retry is still running. */
int64_t dl_hw_gpio_drive_usec_max(const struct dl_hw_gpio_config *c);
