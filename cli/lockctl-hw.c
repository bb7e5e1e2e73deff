/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lockctl hw: the installer's wiring checks.  `hw status` shows what
 * hardware the daemon has and every configured line's live level
 * (GetHardware); `hw test PART` moves the bolt, plays the buzzer or LED, or
 * echoes the keys typed on the keypad for 30 s (TestHardware, admins only,
 * audited by the daemon). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>

#include "lockctl.h"

#define LABEL_WIDTH 14
#define KEY_TEST_USEC (30 * (uint64_t)1000000)

static void hw_help(void) {
        printf("lockctl hw status [--json]\n"
               "lockctl hw test lock|unlock|buzzer|led|keypad\n"
               "\n"
               "Check the wiring.  'status' shows the backend, keypad and actuator and\n"
               "the live level of every configured line (1 = active).  'test' locks or\n"
               "unlocks the door, sounds the buzzer or lights the LED for a second, or\n"
               "shows each key typed on the keypad for 30 seconds (the keys are not\n"
               "treated as a code meanwhile).  Tests need an admin and are logged.\n");
}

static const char *const info_keys[] = { "DoorSensor", "BoltSensor", "ExitButton", "Doorbell",
                                         "Tamper",     "Buzzer",     "Led" };

static int verb_hw_status(int argc, char *argv[]) {
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(bus_dict_done) struct bus_dict info = {};
        const char *role, *where;
        int output, value;
        struct json j;
        bool first = true;
        const char *hint;
        int r;

        r = parse_verb_options("hw status", hw_help, argc, argv);
        if (r <= 0)
                return r;
        r = check_args("hw status", argc, argv, 0, "");
        if (r < 0)
                return r;
        r = bus_connect(&bus);
        if (r < 0)
                return r;
        r = bus_call_lock(bus, "GetHardware", &reply, NULL);
        if (r < 0)
                return r;
        r = bus_read_dict(reply, &info);
        if (r < 0)
                return bus_log_parse_error(r);
        hint = bus_dict_string(&info, "Hint");

        if (arg_json) {
                json_begin(&j, stdout);
                json_kv_string(&j, "backend", bus_dict_string(&info, "Backend"));
                json_kv_string(&j, "keypad", bus_dict_string(&info, "Keypad"));
                json_kv_string(&j, "actuator", bus_dict_string(&info, "Actuator"));
                json_kv_bool(&j, "configured", !hint || !*hint);
                for (size_t i = 0; i < ELEMENTSOF(info_keys); i++) {
                        _cleanup_free_ char *k = snake_case(info_keys[i]);

                        if (!k)
                                return log_error(-ENOMEM, "Out of memory.");
                        json_kv_bool(&j, k, bus_dict_bool(&info, info_keys[i], false));
                }
                json_key(&j, "lines");
                fputc('[', stdout);
        } else {
                print_field(LABEL_WIDTH, "Backend", bus_dict_string(&info, "Backend"));
                if (hint && *hint) {
                        printf("\n%s\n", hint);
                        return 0;
                }
                print_field(LABEL_WIDTH, "Keypad", bus_dict_string(&info, "Keypad"));
                print_field(LABEL_WIDTH, "Actuator", bus_dict_string(&info, "Actuator"));
                printf("\n%-18s %-6s %-5s %s\n", "LINE", "DIR", "VALUE", "WHERE");
        }

        r = sd_bus_message_enter_container(reply, 'a', "(ssbi)");
        if (r < 0)
                return bus_log_parse_error(r);
        while ((r = sd_bus_message_read(reply, "(ssbi)", &role, &where, &output, &value)) > 0) {
                char v[16];

                if (value < 0)
                        snprintf(v, sizeof(v), "error");
                else
                        snprintf(v, sizeof(v), "%d", value);
                if (arg_json) {
                        struct json l;

                        if (!first)
                                fputc(',', stdout);
                        first = false;
                        json_begin(&l, stdout);
                        json_kv_string(&l, "role", role);
                        json_kv_string(&l, "where", where);
                        json_kv_string(&l, "direction", output ? "output" : "input");
                        if (value >= 0)
                                json_kv_unsigned(&l, "value", (uint64_t)value);
                        json_end(&l);
                } else {
                        printf("%-18s %-6s %-5s ", role, output ? "out" : "in", v);
                        print_text(stdout, where, false);
                        fputc('\n', stdout);
                }
        }
        if (r < 0)
                return bus_log_parse_error(r);
        if (arg_json) {
                fputc(']', stdout);
                json_end(&j);
                fputc('\n', stdout);
        }
        return 0;
}

static int on_key_test(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *key;

        (void)userdata, (void)ret_error;
        if (sd_bus_message_read(m, "s", &key) < 0)
                return 0;
        printf("key %s\n", key);
        fflush(stdout);
        return 0;
}

static int on_key_test_end(sd_event_source *s, uint64_t usec, void *userdata) {
        (void)usec, (void)userdata;
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int run_keypad_test(sd_bus *bus) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        int r;

        /* Match first, so no key typed right after the call is missed. */
        r = sd_bus_match_signal(bus, NULL, DL_BUS_NAME, DL_LOCK_PATH, DL_LOCK_INTERFACE, "KeyTest",
                                on_key_test, NULL);
        if (r < 0)
                return log_error(r, "Cannot watch for keys: %s", strerror(-r));
        r = bus_call_lock(bus, "TestHardware", NULL, "s", "keypad");
        if (r < 0)
                return r;
        printf("Type on the keypad; each key is shown here for 30 seconds (Ctrl-C ends).\n");
        fflush(stdout);
        r = sd_event_default(&e);
        if (r >= 0)
                r = sd_event_set_signal_exit(e, true);
        if (r >= 0)
                r = sd_bus_attach_event(bus, e, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_event_add_time_relative(e, NULL, CLOCK_MONOTONIC, KEY_TEST_USEC, 0, on_key_test_end,
                                               NULL);
        if (r >= 0)
                r = sd_event_loop(e);
        if (r < 0)
                return log_error(r, "Event loop failed: %s", strerror(-r));
        return 0;
}

static int verb_hw_test(int argc, char *argv[]) {
        static const char *const parts[] = { "lock", "unlock", "buzzer", "led", "keypad" };
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        const char *part;
        bool known = false;
        int r;

        r = parse_verb_options("hw test", hw_help, argc, argv);
        if (r <= 0)
                return r;
        r = check_args("hw test", argc, argv, 1, "part to test (lock, unlock, buzzer, led or keypad)");
        if (r < 0)
                return r;
        part = argv[optind];
        for (size_t i = 0; i < ELEMENTSOF(parts); i++)
                known = known || strcmp(part, parts[i]) == 0;
        if (!known)
                return log_usage("hw test", "Unknown part '%s'; use lock, unlock, buzzer, led or keypad.",
                                 part);

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        if (strcmp(part, "keypad") == 0)
                return run_keypad_test(bus);
        return bus_call_lock(bus, "TestHardware", NULL, "s", part);
}

int verb_hw(int argc, char *argv[]) {
        static const struct verb verbs[] = {
                { "status", verb_hw_status },
                { "test", verb_hw_test },
        };

        return dispatch_group("hw", hw_help, verbs, ELEMENTSOF(verbs), "status", argc, argv);
}
