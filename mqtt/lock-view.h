/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What doorlockd-mqtt knows of one lock, from the daemon's D-Bus properties
 * and signals (docs/dbus-api.md), and the JSON it publishes from that:
 * the retained P/state document, P/event/access and P/event/alarm.
 *
 * Pure code: no I/O and no clock reads.  Times are µs since the epoch, as
 * on the D-Bus API, 0 meaning "none".  Nothing here holds or writes a PIN
 * or a PIN's MAC (security.md S13): the structs have no field for one. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "code-name.h"

/* The bolt: property State. */
enum lock_bolt {
        LOCK_BOLT_UNKNOWN,
        LOCK_BOLT_LOCKED,
        LOCK_BOLT_UNLOCKING,
        LOCK_BOLT_UNLOCKED,
        LOCK_BOLT_LOCKING,
        LOCK_BOLT_JAMMED,
        _LOCK_BOLT_MAX,
};

/* The door: property Door. */
enum lock_door {
        LOCK_DOOR_UNKNOWN,
        LOCK_DOOR_OPEN,
        LOCK_DOOR_CLOSED,
        _LOCK_DOOR_MAX,
};

/* Property Mode. */
enum lock_mode {
        LOCK_MODE_NORMAL,
        LOCK_MODE_PRIVACY,
        LOCK_MODE_PASSAGE,
        _LOCK_MODE_MAX,
};

/* Who caused an event (AccessGranted's and AccessDenied's source). */
enum lock_source {
        LOCK_SOURCE_KEYPAD,
        LOCK_SOURCE_DBUS,
        LOCK_SOURCE_BLE,
        LOCK_SOURCE_SYSTEM,
        LOCK_SOURCE_BUTTON,
        LOCK_SOURCE_MQTT,
        _LOCK_SOURCE_MAX,
};

/* AccessDenied's reasons. */
enum lock_deny_reason {
        LOCK_DENY_UNKNOWN_CODE,
        LOCK_DENY_DISABLED,
        LOCK_DENY_OUTSIDE_WINDOW,
        LOCK_DENY_NOT_YET_VALID,
        LOCK_DENY_EXPIRED,
        LOCK_DENY_USED_UP,
        LOCK_DENY_LOCKED_OUT,
        LOCK_DENY_CLOCK_UNTRUSTED,
        LOCK_DENY_PRIVACY_MODE,
        LOCK_DENY_EMERGENCY_QUOTA,
        _LOCK_DENY_MAX,
};

/* Alarms: the Alarm signal's kinds, and the Doorbell signal.  The daemon
 * spells them with '-' (door-forced); the MQTT events with '_'
 * (door_forced), as Home Assistant's event types. */
enum lock_alarm {
        LOCK_ALARM_JAMMED,
        LOCK_ALARM_DOOR_FORCED,
        LOCK_ALARM_DURESS,
        LOCK_ALARM_TAMPER,
        LOCK_ALARM_HELD_OPEN,
        LOCK_ALARM_DOORBELL,
        LOCK_ALARM_DRIVE_INTERRUPTED,
        LOCK_ALARM_LOCKOUT,
        _LOCK_ALARM_MAX,
};

#define LOCK_ALARM_BIT(a) (1u << (a))

/* The daemon's strings to enums: 0, or -EINVAL for NULL or a string the
 * daemon does not send (nothing is written to *ret then).  The Alarm
 * signal has no "doorbell" kind: lock_alarm_from_dbus() refuses it (the
 * Doorbell signal is its own). */
int lock_bolt_from_dbus(const char *s, enum lock_bolt *ret);
int lock_door_from_dbus(const char *s, enum lock_door *ret);
int lock_mode_from_dbus(const char *s, enum lock_mode *ret);
int lock_source_from_dbus(const char *s, enum lock_source *ret);
int lock_deny_reason_from_dbus(const char *s, enum lock_deny_reason *ret);
int lock_alarm_from_dbus(const char *s, enum lock_alarm *ret);

/* And back, as the daemon spells them (NULL out of range).  Mode is also
 * the select entity's option. */
const char *lock_bolt_to_string(enum lock_bolt b);
const char *lock_door_to_string(enum lock_door d);
const char *lock_mode_to_string(enum lock_mode m);
const char *lock_source_to_string(enum lock_source s);
const char *lock_deny_reason_to_string(enum lock_deny_reason r);
/* The MQTT event type: "jammed", "door_forced", …, "drive_interrupted",
 * "lockout". */
const char *lock_alarm_to_event_type(enum lock_alarm a);

/* A code id from an AccessGranted code path ("/org/doorlockd/Lock1/code/3"
 * gives 3).  "/" (an emergency code or a remote unlock) gives 0.  -EINVAL
 * for anything else. */
int lock_code_id_from_path(const char *path, uint32_t *ret);

struct lock_view {
        enum lock_bolt bolt;
        enum lock_door door;
        bool has_door_sensor; /* GetHardware's DoorSensor */
        enum lock_mode mode;
        uint64_t keypad_locked_until;  /* KeypadLockedUntil, 0 = none */
        uint64_t network_locked_until; /* NetworkLockedUntil, 0 = none */
        bool clock_trusted;            /* ClockTrusted */
        uint32_t code_count;           /* CodeCount */
        /* The last AccessGranted: when (the bridge's receive time, given
         * to lock_view_set_last_access()), the code's name ("" for a
         * remote unlock) and the source.  time 0: none seen. */
        uint64_t last_access_time;
        char last_access_name[DL_CODE_NAME_MAX_BYTES];
        enum lock_source last_access_source;
        /* Alarms in force, LOCK_ALARM_BIT()s: jammed (State), tamper (the
         * Tamper property), held_open (until held-open-cleared). */
        uint32_t alarms;
        /* Another gateway announces the same topic prefix (the bridge's
         * clone detection, P/gateway/hello); not from the daemon. */
        bool prefix_conflict;
};

/* Unknown bolt and door, normal mode, no door sensor, clock trusted, no
 * lockouts, codes, last access or alarms. */
void lock_view_init(struct lock_view *v);

/* Record an access.  -ENAMETOOLONG for a name of DL_CODE_NAME_MAX_BYTES
 * bytes or more, -EINVAL for NULL or an unknown source; nothing changes
 * then. */
int lock_view_set_last_access(struct lock_view *v, uint64_t time, const char *name, enum lock_source source);

/* Home Assistant's MQTT lock state: "locked", "unlocked", "locking",
 * "unlocking", "jammed", and, only with a door sensor, "open" (bolt
 * unlocked, door open) and "opening" (bolt unlocking while the door is
 * already open).  NULL while the bolt is unknown: the state document
 * then carries null, which Home Assistant's template renders as "None",
 * its "unknown". */
const char *lock_view_ha_state(const struct lock_view *v);

/* The retained P/state document, one JSON object:
 * {"lock":"locked"|…|null, "bolt":"locked"|…|"unknown", "door":…,
 *  "door_sensor":b, "mode":…, "keypad_locked_out":b,
 *  "keypad_locked_until":µs, "network_locked_out":b,
 *  "network_locked_until":µs, "clock_trusted":b, "code_count":n,
 *  "last_access_time":µs, "last_access_at":"ISO 8601 UTC"|null,
 *  "last_access_name":s, "last_access_source":s|null,
 *  "alarms":["jammed",…], "prefix_conflict":b}.
 * A lockout is in force while its "until" is not 0 (the daemon announces
 * the property when a lockout runs out, so no clock is needed here). */
void lock_view_state_json(FILE *f, const struct lock_view *v);

/* An access event for P/event/access (not retained). */
enum lock_access_result {
        LOCK_ACCESS_GRANTED,
        LOCK_ACCESS_DENIED,
};

struct lock_access {
        enum lock_access_result result;
        enum lock_source source;
        uint64_t time;                /* when the bridge saw the signal */
        const char *code_name;        /* granted: the code's name, NULL or "" if none */
        uint32_t code_id;             /* granted: 0 = none (remote unlock, emergency code) */
        enum lock_deny_reason reason; /* denied */
};

/* {"event_type":"granted","source":s,"time":µs,"code_id":n,"name":s} or
 * {"event_type":"denied","source":s,"time":µs,"reason":s}: Home
 * Assistant's event entity reads event_type, the other keys become its
 * attributes.  0, or -EINVAL for an out-of-range enum (nothing written). */
int lock_access_event_json(FILE *f, const struct lock_access *a);

/* {"event_type":"door_forced","time":µs,"detail":s} for P/event/alarm.
 * detail is the Alarm signal's text (for duress, the code's name), may be
 * NULL.  -EINVAL for an out-of-range kind, -EOPNOTSUPP for
 * LOCK_ALARM_LOCKOUT (the keypad-locked-out binary sensor shows that);
 * nothing written then. */
int lock_alarm_event_json(FILE *f, enum lock_alarm kind, uint64_t time, const char *detail);

/* The alarm event types Home Assistant's alarm event entity lists, in
 * order; *n set to how many. */
const enum lock_alarm *lock_alarm_event_kinds(size_t *n);

/* The same documents into a new string (open_memstream()); the caller
 * frees it.  0, -ENOMEM, or the errors above. */
int lock_view_state_string(const struct lock_view *v, char **ret);
int lock_access_event_string(const struct lock_access *a, char **ret);
int lock_alarm_event_string(enum lock_alarm kind, uint64_t time, const char *detail, char **ret);
