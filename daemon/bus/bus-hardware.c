/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The hardware part of org.doorlockd.Lock1: the Hardware and Tamper
 * properties, GetHardware() (what is there and every line's live level,
 * for `lockctl hw status`), TestHardware() (`lockctl hw test`), and the
 * Doorbell and KeyTest signals.  KeyTest goes only to the admin who
 * started the keypad test (a unicast signal), never to every observer. */
#include <stdlib.h>
#include <string.h>

#include "bus-private.h"

#define LINES_MAX 64

int dl_bus_hardware_prop(struct dl_bus *b, const char *prop, sd_bus_message *reply) {
        struct dl_hw_info info;

        if (strcmp(prop, "Hardware") == 0) {
                dl_service_hw_info(b->service, &info);
                return sd_bus_message_append(reply, "s", info.backend);
        }
        if (strcmp(prop, "Tamper") == 0)
                return sd_bus_message_append(reply, "b", dl_service_tamper(b->service));
        return -ENOENT;
}

int dl_bus_method_get_hardware(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        _cleanup_msg_ sd_bus_message *reply = NULL;
        struct dl_hw_line_status lines[LINES_MAX];
        struct dl_hw_info info;
        struct dl_caller c;
        struct dl_error err = {};
        size_t n;
        int r;

        dl_bus_get_caller(b, m, &c);
        r = dl_service_check_read(&c, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);
        dl_service_hw_info(b->service, &info);
        n = dl_service_hw_lines(b->service, lines, LINES_MAX);
        if (n > LINES_MAX)
                n = LINES_MAX;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}", "Backend", "s", info.backend, "Keypad", "s",
                                          info.keypad, "Actuator", "s", info.actuator);
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}", "Hint", "s",
                                          dl_service_hw_configured(b->service) ? "" : dl_service_no_hw_hint);
        {
                const struct {
                        const char *key;
                        bool value;
                } parts[] = {
                        { "DoorSensor", info.door_sensor },
                        { "BoltSensor", info.bolt_sensor },
                        { "ExitButton", info.exit_button },
                        { "Doorbell", info.doorbell },
                        { "Tamper", info.tamper },
                        { "Buzzer", info.buzzer },
                        { "Led", info.led },
                };

                for (size_t i = 0; r >= 0 && i < ELEMENTSOF(parts); i++)
                        r = sd_bus_message_append(reply, "{sv}", parts[i].key, "b", parts[i].value);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ssbi)");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(reply, "(ssbi)", lines[i].role, lines[i].where, lines[i].output,
                                          (int32_t)lines[i].value);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

int dl_bus_method_test_hardware(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;
        struct dl_error err = {};
        const char *what;
        int r;

        r = sd_bus_message_read(m, "s", &what);
        if (r < 0)
                return r;
        dl_bus_get_caller(b, m, &c);
        r = dl_service_hw_test(b->service, &c, what, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);
        if (strcmp(what, "keypad") == 0) {
                char *sender = strdup(sd_bus_message_get_sender(m) ?: "");

                if (!sender)
                        return -ENOMEM;
                free(b->key_test_sender);
                b->key_test_sender = sender;
        }
        return sd_bus_reply_method_return(m, NULL);
}

void dl_bus_emit_doorbell(struct dl_bus *b) {
        (void)sd_bus_emit_signal(b->bus, DL_BUS_PATH, DL_BUS_NAME, "Doorbell", "");
}

void dl_bus_emit_key_test(struct dl_bus *b, char key) {
        _cleanup_msg_ sd_bus_message *m = NULL;
        char k[2] = { key, 0 };
        int r;

        if (!b->key_test_sender || !*b->key_test_sender)
                return;
        r = sd_bus_message_new_signal(b->bus, &m, DL_BUS_PATH, DL_BUS_NAME, "KeyTest");
        if (r >= 0)
                r = sd_bus_message_set_destination(m, b->key_test_sender);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", k);
        if (r >= 0)
                (void)sd_bus_send(b->bus, m, NULL);
}
