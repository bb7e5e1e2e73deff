/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd's configuration file: systemd .conf style (sections, Key=value,
 * yes/no booleans, # comments), read with libinih.  Every key is optional; a
 * missing file means all defaults.  Unknown sections or keys and bad values
 * are errors naming file, line and key.
 *
 *   [Codes]    MinPinLength= MaxPinLength= MaxCodes= RemoveDeadAfterDays=
 *   [Keypad]   AntiPeep= MaxEntryLength= EntryTimeoutSeconds=
 *              Type=none|matrix|wiegand Rows= Columns= KeyMap=
 *              SettleMicroseconds= DebounceMilliseconds=
 *              WiegandD0= WiegandD1= WiegandTiming=standard|slow
 *              WiegandKeys=4|8|both
 *   [Lockout]  Attempts= FirstSeconds= MaxSeconds=
 *   [Lock]     AutoRelockSeconds= MotorTimeoutMilliseconds= DoorSensor=
 *              DoorHeldOpenSeconds= Actuator=none|motor|strike
 *              MotorUnlock= MotorLock= MotorDeadTimeMilliseconds=
 *              BoltRetracted= BoltExtended= Strike= StrikeType= StrikeMilliseconds=
 *              Door= ExitButton= Doorbell= Tamper= Buzzer= Led=
 *              InputDebounceMilliseconds=
 *   [Clock]    TimeZone=
 *   [Log]      MaxEntries=
 *   [Hardware] Backend=simulated|gpio
 *   [Gpio]     Chip=
 *   [Simulator] MotorMilliseconds= KeyGapMilliseconds=
 *   [Remote]   UnlockWithoutPin= CodeChanges=  (what the network may do)
 *
 * The GPIO keys fill struct dl_hw_gpio_config (hw-gpio.h: the line syntax
 * "[chip:]line[:active-low]" and the checks).  With Backend=gpio, once any
 * GPIO hardware is configured (dl_hw_gpio_config_any()), the door sensor
 * is the Door= line: lock.door_sensor follows from it, and a DoorSensor=
 * saying otherwise is an error naming both keys; the whole GPIO config is
 * then checked with dl_hw_gpio_config_check().  With nothing configured (a
 * fresh install, or a config for --simulate) and with Backend=simulated,
 * DoorSensor= keeps its meaning.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "hw-gpio.h"
#include "lock-controller.h"
#include "remote-entry.h"
#include "store.h"

enum dl_backend {
        DL_BACKEND_SIMULATED,
        DL_BACKEND_GPIO,
};

struct dl_daemon_config {
        struct dl_store_config store;   /* store.time_zone points at time_zone */
        char *time_zone;                /* owned; NULL = the system's */
        int64_t keypad_timeout_usec;    /* EntryTimeoutSeconds, default 10 s */
        struct dl_lock_config lock;     /* relock 5 s, motor 2 s, door sensor yes */
        enum dl_backend backend;        /* gpio (the real lock); --simulate overrides */
        int64_t sim_motor_usec;         /* simulated bolt travel, default 300 ms */
        int64_t sim_key_gap_usec;       /* PressKeys gap between keys, default 150 ms */
        struct dl_hw_gpio_config gpio;  /* [Gpio], the GPIO keys of [Keypad] and [Lock] */
        int64_t door_held_open_usec;    /* [Lock] DoorHeldOpenSeconds=, default 0 = no alarm */
        struct dl_remote_policy remote; /* [Remote]: what the remote role may; both no */
};

void dl_daemon_config_init(struct dl_daemon_config *c);
void dl_daemon_config_done(struct dl_daemon_config *c);

/* Read path over the defaults already in c.  -ENOENT is not an error (all
 * defaults, returns 0).  -EINVAL with err->message "PATH:LINE: [Section]
 * Key=: what is wrong" for anything it does not understand; the whole
 * result is also checked with dl_store_config_check(). */
int dl_daemon_config_load(struct dl_daemon_config *c, const char *path, struct dl_error *err);
/* The same from an open stream (not closed here); path only names it in
 * messages.  For the fuzzer, which feeds a memory buffer via fmemopen(). */
int dl_daemon_config_load_stream(struct dl_daemon_config *c, FILE *f, const char *path,
                                 struct dl_error *err);

/* The keys the parser knows, in the order of its table: section and name of
 * key i (pointers into the table).  false past the last one.  For tests
 * that check the documentation against the parser. */
bool dl_daemon_config_key(size_t i, const char **ret_section, const char **ret_name);
