/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Home Assistant MQTT discovery for one lock (one device): the config
 * messages that make Home Assistant show the lock, its door, problems,
 * events, mode and sensors, and the empty retained messages that remove
 * them again.  Pure code: the caller publishes the list (retained).
 *
 * Topics: <discovery prefix>/<component>/<node id>/<object id>/config, the
 * node id derived from the topic prefix P.  Every entity reads P/state
 * (or its event topic), is available while P/availability is "online",
 * and commands go to P/command as one JSON message with an "id" and a
 * "time" (µs) that Home Assistant's own template fills in (mqtt-design.md,
 * "Command JSON").  tests/mqtt/ha-required-keys.txt lists the keys Home
 * Assistant requires or that the bridge relies on, and where they come
 * from. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct ha_config {
        const char *discovery_prefix; /* [HomeAssistant] DiscoveryPrefix=, "homeassistant" */
        const char *topic_prefix;     /* P */
        const char *device_name;      /* [HomeAssistant] DeviceName= */
        const char *sw_version;       /* NULL: this build's PACKAGE_VERSION */
        bool has_door_sensor;         /* the door binary_sensor; the lock's open/opening states */
        bool passage_selectable;      /* "passage" among the mode select's options */
        bool commands_enabled;        /* [Commands]: else the mode is a read-only sensor */
        unsigned min_pin_length;      /* the lock's code_format; 0 = 6 */
        unsigned max_pin_length;      /* 0 = 10 */
};

struct ha_message {
        char *topic;
        char *payload; /* "" for a removal */
};

struct ha_messages {
        struct ha_message *v;
        size_t n;
};

/* The node id for P: every character but [A-Za-z0-9_-] becomes '_'
 * ("doorlockd/0f3a…" gives "doorlockd_0f3a…").  A new string, or NULL
 * (out of memory, or P is NULL). */
char *ha_node_id(const char *topic_prefix);

/* Check a config: prefixes non-empty, without MQTT wildcards ('+', '#'),
 * without a leading or trailing '/' and without empty levels; a device
 * name; PIN lengths 1 ≤ min ≤ max ≤ 64 once defaulted.  0 or -EINVAL. */
int ha_config_check(const struct ha_config *c);

/* Every config message for this lock, in a stable order.  0, -EINVAL (a
 * bad config, see ha_config_check()) or -ENOMEM; *ret is emptied on
 * failure.  ha_messages_free() afterwards. */
int ha_discovery_build(const struct ha_config *c, struct ha_messages *ret);

/* The removal messages: one empty payload for every entity the bridge may
 * publish with any config (the door sensor, the mode select and the mode
 * sensor included), so changing the config removes what it no longer
 * publishes. */
int ha_discovery_build_removal(const struct ha_config *c, struct ha_messages *ret);

void ha_messages_free(struct ha_messages *m);
