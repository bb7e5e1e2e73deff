/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd.conf(5) against the parser: every key the parser knows
 * (dl_daemon_config_key(), its real table) is documented in its section of
 * docs/man/doorlockd.conf.5.scd, every key documented there is one the
 * parser knows, and each documented default is the one in the shipped
 * systemd/doorlockd.conf (which test-config checks against the code).  The
 * checks are man-config-keys.c's, shared with doorlockd-mqtt.conf(5)'s. */
#include "man-config-keys.h"

/* Not "config.h": that name finds the build's generated config.h first. */
#include "../daemon/config.h"

static struct man_config_check daemon_config = {
        .man_page = "docs/man/doorlockd.conf.5.scd",
        .shipped_config = "systemd/doorlockd.conf",
        .key = dl_daemon_config_key,
        .min_keys = 18, /* when this was written */
};

int main(void) {
        const struct CMUnitTest tests[] = {
                MAN_CONFIG_KEYS_TESTS(&daemon_config),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
