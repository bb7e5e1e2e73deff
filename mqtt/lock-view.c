/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock as doorlockd-mqtt sees it, and the JSON it publishes of it
 * (lock-view.h).  Every document goes through client/json-out.c, so the
 * escapes are lockctl's. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json-out.h"
#include "lock-view.h"
#include "macro.h"

static const char *const bolt_names[_LOCK_BOLT_MAX] = {
        [LOCK_BOLT_UNKNOWN] = "unknown",     [LOCK_BOLT_LOCKED] = "locked",
        [LOCK_BOLT_UNLOCKING] = "unlocking", [LOCK_BOLT_UNLOCKED] = "unlocked",
        [LOCK_BOLT_LOCKING] = "locking",     [LOCK_BOLT_JAMMED] = "jammed",
};

static const char *const door_names[_LOCK_DOOR_MAX] = {
        [LOCK_DOOR_UNKNOWN] = "unknown",
        [LOCK_DOOR_OPEN] = "open",
        [LOCK_DOOR_CLOSED] = "closed",
};

static const char *const mode_names[_LOCK_MODE_MAX] = {
        [LOCK_MODE_NORMAL] = "normal",
        [LOCK_MODE_PRIVACY] = "privacy",
        [LOCK_MODE_PASSAGE] = "passage",
};

static const char *const source_names[_LOCK_SOURCE_MAX] = {
        [LOCK_SOURCE_KEYPAD] = "keypad", [LOCK_SOURCE_DBUS] = "dbus",     [LOCK_SOURCE_BLE] = "ble",
        [LOCK_SOURCE_SYSTEM] = "system", [LOCK_SOURCE_BUTTON] = "button", [LOCK_SOURCE_MQTT] = "mqtt",
};

static const char *const deny_names[_LOCK_DENY_MAX] = {
        [LOCK_DENY_UNKNOWN_CODE] = "unknown-code",
        [LOCK_DENY_DISABLED] = "disabled",
        [LOCK_DENY_OUTSIDE_WINDOW] = "outside-window",
        [LOCK_DENY_NOT_YET_VALID] = "not-yet-valid",
        [LOCK_DENY_EXPIRED] = "expired",
        [LOCK_DENY_USED_UP] = "used-up",
        [LOCK_DENY_LOCKED_OUT] = "locked-out",
        [LOCK_DENY_CLOCK_UNTRUSTED] = "clock-untrusted",
        [LOCK_DENY_PRIVACY_MODE] = "privacy-mode",
        [LOCK_DENY_EMERGENCY_QUOTA] = "emergency-quota",
};

/* The Alarm signal's kinds (no doorbell: that is its own signal). */
static const char *const alarm_dbus_names[_LOCK_ALARM_MAX] = {
        [LOCK_ALARM_JAMMED] = "jammed",
        [LOCK_ALARM_DOOR_FORCED] = "door-forced",
        [LOCK_ALARM_DURESS] = "duress",
        [LOCK_ALARM_TAMPER] = "tamper",
        [LOCK_ALARM_HELD_OPEN] = "held-open",
        [LOCK_ALARM_DOORBELL] = NULL,
        [LOCK_ALARM_DRIVE_INTERRUPTED] = "drive-interrupted",
        [LOCK_ALARM_LOCKOUT] = "lockout",
};

static const char *const alarm_event_names[_LOCK_ALARM_MAX] = {
        [LOCK_ALARM_JAMMED] = "jammed",
        [LOCK_ALARM_DOOR_FORCED] = "door_forced",
        [LOCK_ALARM_DURESS] = "duress",
        [LOCK_ALARM_TAMPER] = "tamper",
        [LOCK_ALARM_HELD_OPEN] = "held_open",
        [LOCK_ALARM_DOORBELL] = "doorbell",
        [LOCK_ALARM_DRIVE_INTERRUPTED] = "drive_interrupted",
        [LOCK_ALARM_LOCKOUT] = "lockout",
};

static int lookup(const char *const *names, size_t n, const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (names[i] && strcmp(names[i], s) == 0)
                        return (int)i;
        return -EINVAL;
}

int lock_bolt_from_dbus(const char *s, enum lock_bolt *ret) {
        int i = lookup(bolt_names, ELEMENTSOF(bolt_names), s);

        if (i < 0)
                return i;
        *ret = (enum lock_bolt)i;
        return 0;
}

int lock_door_from_dbus(const char *s, enum lock_door *ret) {
        int i = lookup(door_names, ELEMENTSOF(door_names), s);

        if (i < 0)
                return i;
        *ret = (enum lock_door)i;
        return 0;
}

int lock_mode_from_dbus(const char *s, enum lock_mode *ret) {
        int i = lookup(mode_names, ELEMENTSOF(mode_names), s);

        if (i < 0)
                return i;
        *ret = (enum lock_mode)i;
        return 0;
}

int lock_source_from_dbus(const char *s, enum lock_source *ret) {
        int i = lookup(source_names, ELEMENTSOF(source_names), s);

        if (i < 0)
                return i;
        *ret = (enum lock_source)i;
        return 0;
}

int lock_deny_reason_from_dbus(const char *s, enum lock_deny_reason *ret) {
        int i = lookup(deny_names, ELEMENTSOF(deny_names), s);

        if (i < 0)
                return i;
        *ret = (enum lock_deny_reason)i;
        return 0;
}

int lock_alarm_from_dbus(const char *s, enum lock_alarm *ret) {
        int i = lookup(alarm_dbus_names, ELEMENTSOF(alarm_dbus_names), s);

        if (i < 0)
                return i;
        *ret = (enum lock_alarm)i;
        return 0;
}

const char *lock_bolt_to_string(enum lock_bolt v) {
        return (unsigned)v < ELEMENTSOF(bolt_names) ? bolt_names[v] : NULL;
}

const char *lock_door_to_string(enum lock_door v) {
        return (unsigned)v < ELEMENTSOF(door_names) ? door_names[v] : NULL;
}

const char *lock_mode_to_string(enum lock_mode v) {
        return (unsigned)v < ELEMENTSOF(mode_names) ? mode_names[v] : NULL;
}

const char *lock_source_to_string(enum lock_source v) {
        return (unsigned)v < ELEMENTSOF(source_names) ? source_names[v] : NULL;
}

const char *lock_deny_reason_to_string(enum lock_deny_reason v) {
        return (unsigned)v < ELEMENTSOF(deny_names) ? deny_names[v] : NULL;
}

const char *lock_alarm_to_event_type(enum lock_alarm v) {
        return (unsigned)v < ELEMENTSOF(alarm_event_names) ? alarm_event_names[v] : NULL;
}

#define CODE_PATH_PREFIX "/org/doorlockd/Lock1/code/"

int lock_code_id_from_path(const char *path, uint32_t *ret) {
        const char *p;
        uint64_t id = 0;

        if (!path)
                return -EINVAL;
        if (strcmp(path, "/") == 0) {
                *ret = 0;
                return 0;
        }
        if (strncmp(path, CODE_PATH_PREFIX, strlen(CODE_PATH_PREFIX)) != 0)
                return -EINVAL;
        p = path + strlen(CODE_PATH_PREFIX);
        /* Decimal, no sign, no leading zero, 1 to UINT32_MAX. */
        if (*p < '1' || *p > '9')
                return -EINVAL;
        for (; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                id = id * 10 + (uint64_t)(*p - '0');
                if (id > UINT32_MAX)
                        return -EINVAL;
        }
        *ret = (uint32_t)id;
        return 0;
}

void lock_view_init(struct lock_view *v) {
        *v = (struct lock_view){
                .bolt = LOCK_BOLT_UNKNOWN,
                .door = LOCK_DOOR_UNKNOWN,
                .mode = LOCK_MODE_NORMAL,
                .clock_trusted = true,
                .last_access_source = LOCK_SOURCE_KEYPAD,
        };
}

int lock_view_set_last_access(struct lock_view *v, uint64_t time, const char *name,
                              enum lock_source source) {
        size_t n;

        if (!name || (unsigned)source >= _LOCK_SOURCE_MAX)
                return -EINVAL;
        n = strlen(name);
        if (n >= sizeof(v->last_access_name))
                return -ENAMETOOLONG;
        memcpy(v->last_access_name, name, n + 1);
        v->last_access_time = time;
        v->last_access_source = source;
        return 0;
}

const char *lock_view_ha_state(const struct lock_view *v) {
        bool door_open = v->has_door_sensor && v->door == LOCK_DOOR_OPEN;

        switch (v->bolt) {
        case LOCK_BOLT_LOCKED:
                return "locked";
        case LOCK_BOLT_LOCKING:
                return "locking";
        case LOCK_BOLT_UNLOCKING:
                return door_open ? "opening" : "unlocking";
        case LOCK_BOLT_UNLOCKED:
                return door_open ? "open" : "unlocked";
        case LOCK_BOLT_JAMMED:
                return "jammed";
        default:
                return NULL;
        }
}

static void json_kv_null(struct json *j, const char *key) {
        json_key(j, key);
        fputs("null", j->f);
}

static void json_kv_string_or_null(struct json *j, const char *key, const char *s) {
        if (s)
                json_kv_string(j, key, s);
        else
                json_kv_null(j, key);
}

/* 2026-06-01T12:00:00.000000Z.  gmtime_r() only converts; it reads no
 * clock. */
static void json_kv_iso_time(struct json *j, const char *key, uint64_t usec) {
        time_t sec = (time_t)(usec / 1000000);
        struct tm tm;
        char buf[64];

        if (usec == 0 || usec > (uint64_t)INT64_MAX || !gmtime_r(&sec, &tm) ||
            strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
                json_kv_null(j, key);
                return;
        }
        json_key(j, key);
        fprintf(j->f, "\"%s.%06" PRIu64 "Z\"", buf, usec % 1000000);
}

void lock_view_state_json(FILE *f, const struct lock_view *v) {
        struct json j;
        bool first = true;

        json_begin(&j, f);
        json_kv_string_or_null(&j, "lock", lock_view_ha_state(v));
        json_kv_string_or_null(&j, "bolt", lock_bolt_to_string(v->bolt));
        json_kv_string_or_null(&j, "door", lock_door_to_string(v->door));
        json_kv_bool(&j, "door_sensor", v->has_door_sensor);
        json_kv_string_or_null(&j, "mode", lock_mode_to_string(v->mode));
        json_kv_bool(&j, "keypad_locked_out", v->keypad_locked_until != 0);
        json_kv_unsigned(&j, "keypad_locked_until", v->keypad_locked_until);
        json_kv_bool(&j, "network_locked_out", v->network_locked_until != 0);
        json_kv_unsigned(&j, "network_locked_until", v->network_locked_until);
        json_kv_bool(&j, "clock_trusted", v->clock_trusted);
        json_kv_unsigned(&j, "code_count", v->code_count);
        json_kv_unsigned(&j, "last_access_time", v->last_access_time);
        json_kv_iso_time(&j, "last_access_at", v->last_access_time);
        json_kv_string(&j, "last_access_name", v->last_access_time ? v->last_access_name : "");
        json_kv_string_or_null(&j, "last_access_source",
                               v->last_access_time ? lock_source_to_string(v->last_access_source) : NULL);
        json_key(&j, "alarms");
        fputc('[', f);
        for (unsigned a = 0; a < _LOCK_ALARM_MAX; a++) {
                if (!(v->alarms & LOCK_ALARM_BIT(a)))
                        continue;
                if (!first)
                        fputc(',', f);
                first = false;
                json_string(f, alarm_event_names[a]);
        }
        fputc(']', f);
        json_kv_bool(&j, "prefix_conflict", v->prefix_conflict);
        json_end(&j);
}

int lock_access_event_json(FILE *f, const struct lock_access *a) {
        const char *source = lock_source_to_string(a->source);
        const char *reason = NULL;
        struct json j;

        if (!source)
                return -EINVAL;
        if (a->result == LOCK_ACCESS_DENIED) {
                reason = lock_deny_reason_to_string(a->reason);
                if (!reason)
                        return -EINVAL;
        } else if (a->result != LOCK_ACCESS_GRANTED)
                return -EINVAL;

        json_begin(&j, f);
        json_kv_string(&j, "event_type", reason ? "denied" : "granted");
        json_kv_string(&j, "source", source);
        json_kv_unsigned(&j, "time", a->time);
        if (reason)
                json_kv_string(&j, "reason", reason);
        else {
                json_kv_unsigned(&j, "code_id", a->code_id);
                json_kv_string(&j, "name", a->code_name ? a->code_name : "");
        }
        json_end(&j);
        return 0;
}

int lock_alarm_event_json(FILE *f, enum lock_alarm kind, uint64_t time, const char *detail) {
        struct json j;

        if ((unsigned)kind >= _LOCK_ALARM_MAX)
                return -EINVAL;
        if (kind == LOCK_ALARM_LOCKOUT)
                return -EOPNOTSUPP;
        json_begin(&j, f);
        json_kv_string(&j, "event_type", alarm_event_names[kind]);
        json_kv_unsigned(&j, "time", time);
        json_kv_string(&j, "detail", detail ? detail : "");
        json_end(&j);
        return 0;
}

static const enum lock_alarm event_kinds[] = {
        LOCK_ALARM_JAMMED,
        LOCK_ALARM_DOOR_FORCED,
        LOCK_ALARM_DURESS,
        LOCK_ALARM_TAMPER,
        LOCK_ALARM_HELD_OPEN,
        LOCK_ALARM_DOORBELL,
        LOCK_ALARM_DRIVE_INTERRUPTED,
};

const enum lock_alarm *lock_alarm_event_kinds(size_t *n) {
        *n = ELEMENTSOF(event_kinds);
        return event_kinds;
}

/* A memory stream's end: the string to *ret on success, freed on failure. */
static int stream_finish(FILE *f, char **buf, int r, char **ret) {
        /* open_memstream() sets *buf at fclose(), not before. */
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(*buf);
                *buf = NULL;
                return r;
        }
        *ret = *buf;
        return 0;
}

int lock_view_state_string(const struct lock_view *v, char **ret) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return -ENOMEM;
        lock_view_state_json(f, v);
        return stream_finish(f, &buf, 0, ret);
}

int lock_access_event_string(const struct lock_access *a, char **ret) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return -ENOMEM;
        return stream_finish(f, &buf, lock_access_event_json(f, a), ret);
}

int lock_alarm_event_string(enum lock_alarm kind, uint64_t time, const char *detail, char **ret) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return -ENOMEM;
        return stream_finish(f, &buf, lock_alarm_event_json(f, kind, time, detail), ret);
}
