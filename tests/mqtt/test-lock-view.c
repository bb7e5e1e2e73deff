/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mqtt/lock-view.c: every D-Bus string to its enum and back (unknown
 * strings refused), Home Assistant's lock state for every bolt, door and
 * sensor combination, the P/state document, access and alarm events, and
 * that no output has a PIN-like field. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json-scan.h"
#include "lock-view.h"
#include "macro.h"

/* 2026-06-01 12:00:00.250000 UTC */
#define T0 UINT64_C(1780315200250000)

/* Every lookup below also leaves *ret alone on refusal: it starts at this. */
#define UNTOUCHED 77

static void test_bolt_strings(void **state) {
        static const struct {
                const char *s;
                enum lock_bolt b;
        } map[] = {
                { "unknown", LOCK_BOLT_UNKNOWN },     { "locked", LOCK_BOLT_LOCKED },
                { "unlocking", LOCK_BOLT_UNLOCKING }, { "unlocked", LOCK_BOLT_UNLOCKED },
                { "locking", LOCK_BOLT_LOCKING },     { "jammed", LOCK_BOLT_JAMMED },
        };
        static const char *const bad[] = { "", "Locked", "LOCKED", "open", "locked ", " locked", "lock" };
        enum lock_bolt b;

        (void)state;
        assert_int_equal(ELEMENTSOF(map), _LOCK_BOLT_MAX);
        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                b = (enum lock_bolt)UNTOUCHED;
                assert_int_equal(lock_bolt_from_dbus(map[i].s, &b), 0);
                assert_int_equal(b, map[i].b);
                assert_string_equal(lock_bolt_to_string(map[i].b), map[i].s);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                b = (enum lock_bolt)UNTOUCHED;
                assert_int_equal(lock_bolt_from_dbus(bad[i], &b), -EINVAL);
                assert_int_equal(b, UNTOUCHED);
        }
        assert_int_equal(lock_bolt_from_dbus(NULL, &b), -EINVAL);
        assert_null(lock_bolt_to_string(_LOCK_BOLT_MAX));
        assert_null(lock_bolt_to_string((enum lock_bolt) - 1));
}

static void test_door_mode_strings(void **state) {
        static const char *const doors[] = {
                [LOCK_DOOR_UNKNOWN] = "unknown", [LOCK_DOOR_OPEN] = "open", [LOCK_DOOR_CLOSED] = "closed"
        };
        static const char *const modes[] = { [LOCK_MODE_NORMAL] = "normal",
                                             [LOCK_MODE_PRIVACY] = "privacy",
                                             [LOCK_MODE_PASSAGE] = "passage" };
        enum lock_door d;
        enum lock_mode m;

        (void)state;
        assert_int_equal(ELEMENTSOF(doors), _LOCK_DOOR_MAX);
        assert_int_equal(ELEMENTSOF(modes), _LOCK_MODE_MAX);
        for (unsigned i = 0; i < ELEMENTSOF(doors); i++) {
                assert_int_equal(lock_door_from_dbus(doors[i], &d), 0);
                assert_int_equal(d, i);
                assert_string_equal(lock_door_to_string(d), doors[i]);
        }
        for (unsigned i = 0; i < ELEMENTSOF(modes); i++) {
                assert_int_equal(lock_mode_from_dbus(modes[i], &m), 0);
                assert_int_equal(m, i);
                assert_string_equal(lock_mode_to_string(m), modes[i]);
        }
        d = (enum lock_door)UNTOUCHED;
        m = (enum lock_mode)UNTOUCHED;
        assert_int_equal(lock_door_from_dbus("ajar", &d), -EINVAL);
        assert_int_equal(lock_door_from_dbus("Open", &d), -EINVAL);
        assert_int_equal(lock_door_from_dbus(NULL, &d), -EINVAL);
        assert_int_equal(lock_mode_from_dbus("away", &m), -EINVAL);
        assert_int_equal(lock_mode_from_dbus("", &m), -EINVAL);
        assert_int_equal(lock_mode_from_dbus(NULL, &m), -EINVAL);
        assert_int_equal(d, UNTOUCHED);
        assert_int_equal(m, UNTOUCHED);
        assert_null(lock_door_to_string(_LOCK_DOOR_MAX));
        assert_null(lock_mode_to_string(_LOCK_MODE_MAX));
}

static void test_source_reason_strings(void **state) {
        static const char *const sources[] = { "keypad", "dbus", "ble", "system", "button", "mqtt" };
        static const char *const reasons[] = { "unknown-code",   "disabled",        "outside-window",
                                               "not-yet-valid",  "expired",         "used-up",
                                               "locked-out",     "clock-untrusted", "privacy-mode",
                                               "emergency-quota" };
        enum lock_source s;
        enum lock_deny_reason r;

        (void)state;
        assert_int_equal(ELEMENTSOF(sources), _LOCK_SOURCE_MAX);
        assert_int_equal(ELEMENTSOF(reasons), _LOCK_DENY_MAX);
        for (unsigned i = 0; i < ELEMENTSOF(sources); i++) {
                assert_int_equal(lock_source_from_dbus(sources[i], &s), 0);
                assert_int_equal(s, i);
                assert_string_equal(lock_source_to_string(s), sources[i]);
        }
        for (unsigned i = 0; i < ELEMENTSOF(reasons); i++) {
                assert_int_equal(lock_deny_reason_from_dbus(reasons[i], &r), 0);
                assert_int_equal(r, i);
                assert_string_equal(lock_deny_reason_to_string(r), reasons[i]);
        }
        s = (enum lock_source)UNTOUCHED;
        r = (enum lock_deny_reason)UNTOUCHED;
        assert_int_equal(lock_source_from_dbus("phone", &s), -EINVAL);
        assert_int_equal(lock_source_from_dbus("MQTT", &s), -EINVAL);
        assert_int_equal(lock_source_from_dbus(NULL, &s), -EINVAL);
        assert_int_equal(lock_deny_reason_from_dbus("unknown_code", &r), -EINVAL);
        assert_int_equal(lock_deny_reason_from_dbus("wrong-pin", &r), -EINVAL);
        assert_int_equal(lock_deny_reason_from_dbus(NULL, &r), -EINVAL);
        assert_int_equal(s, UNTOUCHED);
        assert_int_equal(r, UNTOUCHED);
        assert_null(lock_source_to_string(_LOCK_SOURCE_MAX));
        assert_null(lock_deny_reason_to_string(_LOCK_DENY_MAX));
}

static void test_alarm_strings(void **state) {
        static const struct {
                const char *dbus;
                enum lock_alarm a;
                const char *event;
        } map[] = {
                { "jammed", LOCK_ALARM_JAMMED, "jammed" },
                { "door-forced", LOCK_ALARM_DOOR_FORCED, "door_forced" },
                { "duress", LOCK_ALARM_DURESS, "duress" },
                { "tamper", LOCK_ALARM_TAMPER, "tamper" },
                { "held-open", LOCK_ALARM_HELD_OPEN, "held_open" },
                { "drive-interrupted", LOCK_ALARM_DRIVE_INTERRUPTED, "drive_interrupted" },
                { "lockout", LOCK_ALARM_LOCKOUT, "lockout" },
        };
        /* The Alarm signal has no doorbell kind, and the event spelling is
         * not the daemon's. */
        static const char *const bad[] = { "doorbell", "door_forced", "held_open", "Jammed", "", "fire" };
        enum lock_alarm a;

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                assert_int_equal(lock_alarm_from_dbus(map[i].dbus, &a), 0);
                assert_int_equal(a, map[i].a);
                assert_string_equal(lock_alarm_to_event_type(a), map[i].event);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                a = (enum lock_alarm)UNTOUCHED;
                assert_int_equal(lock_alarm_from_dbus(bad[i], &a), -EINVAL);
                assert_int_equal(a, UNTOUCHED);
        }
        assert_int_equal(lock_alarm_from_dbus(NULL, &a), -EINVAL);
        assert_string_equal(lock_alarm_to_event_type(LOCK_ALARM_DOORBELL), "doorbell");
        assert_null(lock_alarm_to_event_type(_LOCK_ALARM_MAX));
}

static void test_code_path(void **state) {
        static const char *const bad[] = {
                "",
                "/org/doorlockd/Lock1",
                "/org/doorlockd/Lock1/code/",
                "/org/doorlockd/Lock1/code/0",
                "/org/doorlockd/Lock1/code/03",
                "/org/doorlockd/Lock1/code/-3",
                "/org/doorlockd/Lock1/code/3a",
                "/org/doorlockd/Lock1/code/3/x",
                "/org/doorlockd/Lock1/code/4294967296",
                "/org/other/Lock1/code/3",
                "//",
        };
        uint32_t id = UNTOUCHED;

        (void)state;
        assert_int_equal(lock_code_id_from_path("/org/doorlockd/Lock1/code/3", &id), 0);
        assert_int_equal(id, 3);
        assert_int_equal(lock_code_id_from_path("/org/doorlockd/Lock1/code/4294967295", &id), 0);
        assert_int_equal(id, UINT32_MAX);
        assert_int_equal(lock_code_id_from_path("/", &id), 0);
        assert_int_equal(id, 0);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                id = UNTOUCHED;
                assert_int_equal(lock_code_id_from_path(bad[i], &id), -EINVAL);
                assert_int_equal(id, UNTOUCHED);
        }
        assert_int_equal(lock_code_id_from_path(NULL, &id), -EINVAL);
}

/* Every bolt state, each door state, with and without a door sensor. */
static void test_ha_state(void **state) {
        struct lock_view v;

        (void)state;
        for (int sensor = 0; sensor <= 1; sensor++)
                for (unsigned d = 0; d < _LOCK_DOOR_MAX; d++)
                        for (unsigned b = 0; b < _LOCK_BOLT_MAX; b++) {
                                bool door_open = sensor && d == LOCK_DOOR_OPEN;
                                const char *want = NULL;

                                switch (b) {
                                case LOCK_BOLT_UNKNOWN:
                                        want = NULL;
                                        break;
                                case LOCK_BOLT_LOCKED:
                                        want = "locked";
                                        break;
                                case LOCK_BOLT_LOCKING:
                                        want = "locking";
                                        break;
                                case LOCK_BOLT_UNLOCKING:
                                        want = door_open ? "opening" : "unlocking";
                                        break;
                                case LOCK_BOLT_UNLOCKED:
                                        want = door_open ? "open" : "unlocked";
                                        break;
                                case LOCK_BOLT_JAMMED:
                                        want = "jammed";
                                        break;
                                default:
                                        fail();
                                }
                                lock_view_init(&v);
                                v.has_door_sensor = sensor;
                                v.door = d;
                                v.bolt = b;
                                if (want)
                                        assert_string_equal(lock_view_ha_state(&v), want);
                                else
                                        assert_null(lock_view_ha_state(&v));
                        }
        /* A door reported open without a sensor configured never makes
         * "open": the lock entity has no open state then. */
        lock_view_init(&v);
        v.bolt = LOCK_BOLT_UNLOCKED;
        v.door = LOCK_DOOR_OPEN;
        assert_string_equal(lock_view_ha_state(&v), "unlocked");
        /* The modes do not change the state. */
        for (unsigned m = 0; m < _LOCK_MODE_MAX; m++) {
                v.mode = m;
                assert_string_equal(lock_view_ha_state(&v), "unlocked");
        }
}

/* Key names and string values that would carry a PIN or a MAC. */
static void assert_no_pin_like(const char *json) {
        struct json_doc doc;

        assert_int_equal(json_scan(json, &doc), 0);
        for (size_t i = 0; i < doc.n; i++) {
                const char *p = doc.items[i].path;
                const char *last = strrchr(p, '.');

                last = last ? last + 1 : p;
                assert_null(strstr(last, "pin"));
                assert_null(strstr(last, "PIN"));
                assert_null(strstr(last, "mac"));
                assert_null(strstr(last, "secret"));
                assert_true(strcmp(last, "code") != 0);
                if (doc.items[i].type == 's') {
                        const char *s = doc.items[i].value;
                        size_t digits = strspn(s, "0123456789");
                        /* No string that is a run of 4 or more digits. */
                        assert_false(digits >= 4 && s[digits] == '\0');
                }
        }
        json_doc_free(&doc);
}

static void test_state_document_initial(void **state) {
        _cleanup_free_ char *s = NULL;
        struct lock_view v;

        (void)state;
        lock_view_init(&v);
        assert_int_equal(lock_view_state_string(&v, &s), 0);
        assert_string_equal(s,
                            "{\"lock\":null,\"bolt\":\"unknown\",\"door\":\"unknown\",\"door_sensor\":false,"
                            "\"mode\":\"normal\",\"keypad_locked_out\":false,\"keypad_locked_until\":0,"
                            "\"network_locked_out\":false,\"network_locked_until\":0,"
                            "\"clock_trusted\":true,\"code_count\":0,\"last_access_time\":0,"
                            "\"last_access_at\":null,\"last_access_name\":\"\","
                            "\"last_access_source\":null,\"alarms\":[],\"prefix_conflict\":false}");
        assert_no_pin_like(s);
}

static void test_state_document_full(void **state) {
        _cleanup_free_ char *s = NULL;
        struct lock_view v;

        (void)state;
        lock_view_init(&v);
        v.bolt = LOCK_BOLT_UNLOCKED;
        v.door = LOCK_DOOR_OPEN;
        v.has_door_sensor = true;
        v.mode = LOCK_MODE_PRIVACY;
        v.keypad_locked_until = T0 + 30000000;
        v.network_locked_until = T0 + 60000000;
        v.clock_trusted = false;
        v.code_count = 7;
        v.alarms = LOCK_ALARM_BIT(LOCK_ALARM_TAMPER) | LOCK_ALARM_BIT(LOCK_ALARM_HELD_OPEN);
        assert_int_equal(lock_view_set_last_access(&v, T0, "Alice \"A\"", LOCK_SOURCE_KEYPAD), 0);
        assert_int_equal(lock_view_state_string(&v, &s), 0);
        assert_string_equal(
                s, "{\"lock\":\"open\",\"bolt\":\"unlocked\",\"door\":\"open\",\"door_sensor\":true,"
                   "\"mode\":\"privacy\",\"keypad_locked_out\":true,"
                   "\"keypad_locked_until\":1780315230250000,"
                   "\"network_locked_out\":true,\"network_locked_until\":1780315260250000,"
                   "\"clock_trusted\":false,\"code_count\":7,"
                   "\"last_access_time\":1780315200250000,"
                   "\"last_access_at\":\"2026-06-01T12:00:00.250000Z\","
                   "\"last_access_name\":\"Alice \\\"A\\\"\",\"last_access_source\":\"keypad\","
                   "\"alarms\":[\"tamper\",\"held_open\"],\"prefix_conflict\":false}");
        assert_no_pin_like(s);
}

/* Every bolt, door and mode in the document parses and names itself. */
static void test_state_document_every_state(void **state) {
        struct lock_view v;

        (void)state;
        for (unsigned b = 0; b < _LOCK_BOLT_MAX; b++)
                for (unsigned d = 0; d < _LOCK_DOOR_MAX; d++)
                        for (unsigned m = 0; m < _LOCK_MODE_MAX; m++) {
                                _cleanup_free_ char *s = NULL;
                                const struct json_item *it;
                                struct json_doc doc;

                                lock_view_init(&v);
                                v.bolt = b;
                                v.door = d;
                                v.mode = m;
                                v.has_door_sensor = true;
                                v.alarms = UINT32_MAX; /* every alarm, and bits beyond them */
                                assert_int_equal(lock_view_state_string(&v, &s), 0);
                                assert_no_pin_like(s);
                                assert_int_equal(json_scan(s, &doc), 0);
                                assert_string_equal(json_doc_get(&doc, "bolt")->value,
                                                    lock_bolt_to_string(b));
                                assert_string_equal(json_doc_get(&doc, "door")->value,
                                                    lock_door_to_string(d));
                                assert_string_equal(json_doc_get(&doc, "mode")->value,
                                                    lock_mode_to_string(m));
                                it = json_doc_get(&doc, "lock");
                                if (b == LOCK_BOLT_UNKNOWN)
                                        assert_int_equal(it->type, 'z');
                                else
                                        assert_string_equal(it->value, lock_view_ha_state(&v));
                                assert_int_equal(json_doc_count(&doc, "alarms[]"), _LOCK_ALARM_MAX);
                                json_doc_free(&doc);
                        }
}

static void test_last_access(void **state) {
        char name[DL_CODE_NAME_MAX_BYTES + 1];
        struct lock_view v;

        (void)state;
        lock_view_init(&v);
        memset(name, 'a', sizeof(name) - 1);
        name[sizeof(name) - 1] = '\0';
        assert_int_equal(lock_view_set_last_access(&v, T0, name, LOCK_SOURCE_KEYPAD), -ENAMETOOLONG);
        assert_int_equal(v.last_access_time, 0);
        /* DL_CODE_NAME_MAX_BYTES - 1 bytes: 32 code points of 4 bytes. */
        name[DL_CODE_NAME_MAX_BYTES - 1] = '\0';
        assert_int_equal(lock_view_set_last_access(&v, T0, name, LOCK_SOURCE_MQTT), 0);
        assert_string_equal(v.last_access_name, name);
        assert_int_equal(v.last_access_source, LOCK_SOURCE_MQTT);
        assert_int_equal(lock_view_set_last_access(&v, T0, NULL, LOCK_SOURCE_MQTT), -EINVAL);
        assert_int_equal(lock_view_set_last_access(&v, T0, "x", _LOCK_SOURCE_MAX), -EINVAL);
        /* A remote unlock has no name. */
        assert_int_equal(lock_view_set_last_access(&v, T0 + 1, "", LOCK_SOURCE_DBUS), 0);
        assert_string_equal(v.last_access_name, "");
        assert_int_equal(v.last_access_time, T0 + 1);
}

static void test_access_events(void **state) {
        struct lock_access granted = {
                .result = LOCK_ACCESS_GRANTED,
                .source = LOCK_SOURCE_KEYPAD,
                .time = T0,
                .code_name = "Alice",
                .code_id = 3,
        };
        struct lock_access remote = {
                .result = LOCK_ACCESS_GRANTED,
                .source = LOCK_SOURCE_MQTT,
                .time = T0,
        };
        char *s = NULL;

        (void)state;
        assert_int_equal(lock_access_event_string(&granted, &s), 0);
        assert_string_equal(s, "{\"event_type\":\"granted\",\"source\":\"keypad\",\"time\":1780315200250000,"
                               "\"code_id\":3,\"name\":\"Alice\"}");
        assert_no_pin_like(s);
        free(s);
        assert_int_equal(lock_access_event_string(&remote, &s), 0);
        assert_string_equal(s, "{\"event_type\":\"granted\",\"source\":\"mqtt\",\"time\":1780315200250000,"
                               "\"code_id\":0,\"name\":\"\"}");
        free(s);

        for (unsigned r = 0; r < _LOCK_DENY_MAX; r++)
                for (unsigned src = 0; src < _LOCK_SOURCE_MAX; src++) {
                        struct lock_access denied = {
                                .result = LOCK_ACCESS_DENIED,
                                .source = src,
                                .time = T0,
                                .code_name = "ignored",
                                .reason = r,
                        };
                        char want[256];

                        assert_int_equal(lock_access_event_string(&denied, &s), 0);
                        snprintf(want, sizeof(want),
                                 "{\"event_type\":\"denied\",\"source\":\"%s\",\"time\":1780315200250000,"
                                 "\"reason\":\"%s\"}",
                                 lock_source_to_string(src), lock_deny_reason_to_string(r));
                        assert_string_equal(s, want);
                        assert_no_pin_like(s);
                        free(s);
                }

        s = NULL;
        granted.source = _LOCK_SOURCE_MAX;
        assert_int_equal(lock_access_event_string(&granted, &s), -EINVAL);
        assert_null(s);
        granted.source = LOCK_SOURCE_KEYPAD;
        granted.result = (enum lock_access_result)5;
        assert_int_equal(lock_access_event_string(&granted, &s), -EINVAL);
        granted.result = LOCK_ACCESS_DENIED;
        granted.reason = _LOCK_DENY_MAX;
        assert_int_equal(lock_access_event_string(&granted, &s), -EINVAL);
        assert_null(s);
}

static void test_alarm_events(void **state) {
        const enum lock_alarm *kinds;
        size_t n;
        char *s = NULL;

        (void)state;
        kinds = lock_alarm_event_kinds(&n);
        assert_int_equal(n, 7);
        for (size_t i = 0; i < n; i++) {
                char want[256];

                assert_int_not_equal(kinds[i], LOCK_ALARM_LOCKOUT);
                assert_int_equal(lock_alarm_event_string(kinds[i], T0, "bolt did not reach locked", &s), 0);
                snprintf(want, sizeof(want),
                         "{\"event_type\":\"%s\",\"time\":1780315200250000,\"detail\":\"bolt did not reach "
                         "locked\"}",
                         lock_alarm_to_event_type(kinds[i]));
                assert_string_equal(s, want);
                assert_no_pin_like(s);
                free(s);
        }
        /* The six the issue names, in its order, then drive_interrupted. */
        assert_string_equal(lock_alarm_to_event_type(kinds[0]), "jammed");
        assert_string_equal(lock_alarm_to_event_type(kinds[1]), "door_forced");
        assert_string_equal(lock_alarm_to_event_type(kinds[2]), "duress");
        assert_string_equal(lock_alarm_to_event_type(kinds[3]), "tamper");
        assert_string_equal(lock_alarm_to_event_type(kinds[4]), "held_open");
        assert_string_equal(lock_alarm_to_event_type(kinds[5]), "doorbell");

        assert_int_equal(lock_alarm_event_string(LOCK_ALARM_DOORBELL, T0, NULL, &s), 0);
        assert_string_equal(s, "{\"event_type\":\"doorbell\",\"time\":1780315200250000,\"detail\":\"\"}");
        free(s);
        s = NULL;
        assert_int_equal(lock_alarm_event_string(LOCK_ALARM_LOCKOUT, T0, "keypad locked", &s), -EOPNOTSUPP);
        assert_int_equal(lock_alarm_event_string(_LOCK_ALARM_MAX, T0, "x", &s), -EINVAL);
        assert_null(s);
        /* Text from the daemon is escaped, never raw. */
        assert_int_equal(lock_alarm_event_string(LOCK_ALARM_DURESS, T0, "Bob\n\"}", &s), 0);
        assert_string_equal(
                s, "{\"event_type\":\"duress\",\"time\":1780315200250000,\"detail\":\"Bob\\n\\\"}\"}");
        free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bolt_strings),
                cmocka_unit_test(test_door_mode_strings),
                cmocka_unit_test(test_source_reason_strings),
                cmocka_unit_test(test_alarm_strings),
                cmocka_unit_test(test_code_path),
                cmocka_unit_test(test_ha_state),
                cmocka_unit_test(test_state_document_initial),
                cmocka_unit_test(test_state_document_full),
                cmocka_unit_test(test_state_document_every_state),
                cmocka_unit_test(test_last_access),
                cmocka_unit_test(test_access_events),
                cmocka_unit_test(test_alarm_events),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
