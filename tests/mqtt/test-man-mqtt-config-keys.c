/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd-mqtt.conf(5) against the parser: every key mqtt-config.c
 * knows (mqtt_config_keys(), its real table) is documented in its section
 * of docs/man/doorlockd-mqtt.conf.5.scd, every key documented there is one
 * the parser knows, every "#Key=" of the shipped systemd/mqtt.conf is one
 * too, and each documented default is the one in systemd/mqtt.conf (which
 * test-mqtt-config checks against the code).  The checks are
 * man-config-keys.c's, shared with doorlockd.conf(5)'s. */
#include "../man-config-keys.h"

#include "mqtt-config.h"

static bool mqtt_key(size_t i, const char **ret_section, const char **ret_name) {
        size_t n = 0;
        const struct mqtt_config_key *keys = mqtt_config_keys(&n);

        if (!keys || i >= n)
                return false;
        if (ret_section)
                *ret_section = keys[i].section;
        if (ret_name)
                *ret_name = keys[i].key;
        return true;
}

static struct man_config_check mqtt_config = {
        .man_page = "docs/man/doorlockd-mqtt.conf.5.scd",
        .shipped_config = "systemd/mqtt.conf",
        .key = mqtt_key,
        .min_keys = 25, /* when this was written: 12 [Broker], 5 [HomeAssistant], 8 [Commands] */
};

int main(void) {
        const struct CMUnitTest tests[] = {
                MAN_CONFIG_KEYS_TESTS(&mqtt_config),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
