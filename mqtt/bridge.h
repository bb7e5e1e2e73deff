/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd-mqtt's bridge: the one place that decides.  It owns the broker
 * connection (broker.h) and the D-Bus side (lock-client.h), publishes what
 * the lock is and does (docs/mqtt.md lists the topics), and carries out
 * commands from P/command after the checks in mqtt-design.md's order. */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "mqtt-config.h"

struct bridge;

struct bridge_settings {
        const struct mqtt_config *config; /* copied */
        const char *topic_prefix;         /* P, resolved (never ""); copied */
        const char *client_id;            /* copied */
        const char *password;             /* NULL = none; broker.c keeps (and wipes) its copy */
};

/* bus must be attached to e.  0, -EINVAL (a bad prefix or config), -ENOMEM,
 * or broker_new()'s errors. */
int bridge_new(sd_event *e, sd_bus *bus, const struct bridge_settings *s, struct bridge **ret);
/* Follow doorlockd and make the first broker attempt (does not wait for
 * either). */
int bridge_start(struct bridge *b);
/* Publish "offline", disconnect from the broker, stop reconnecting; then
 * done(userdata), at the latest after timeout_usec.  Commands still in
 * flight get no reply. */
int bridge_stop(struct bridge *b, uint64_t timeout_usec, void (*done)(void *userdata), void *userdata);
struct bridge *bridge_free(struct bridge *b);
static inline void bridge_freep(struct bridge **b) {
        *b = bridge_free(*b);
}
