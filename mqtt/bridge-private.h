/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What bridge.c (publishing) and bridge-command.c (the command path)
 * share. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bridge.h"
#include "broker.h"
#include "command-ids.h"
#include "lock-client.h"
#include "rate-limit.h"

/* The command path's bounds (mqtt-design.md, step 6). */
#define BRIDGE_RATE_PER_SEC 10
#define BRIDGE_RATE_BURST 20
#define BRIDGE_CALLS_IN_FLIGHT_MAX 8
/* Repeats of an id whose call is still running, answered when it ends. */
#define BRIDGE_WAITERS_MAX 4

struct pending;

struct bridge {
        sd_event *event;
        struct mqtt_config config;
        char *prefix;
        char *t_availability, *t_state, *t_codes, *t_log, *t_access, *t_alarm, *t_command, *t_reply,
                *t_hello;
        char instance[33]; /* random 128-bit hex, P/gateway/hello */

        struct broker *broker;
        struct lock_client *lock;

        bool ever_present;          /* the lock was read once: state and codes are worth publishing */
        bool discovery_door_sensor; /* what the last discovery said */
        bool discovery_published;
        bool prefix_conflict;
        char conflict_instance[33];

        /* The command path. */
        struct command_ids *ids;
        size_t ids_capacity;
        struct rate_limit rate;
        struct pending *pending;
        unsigned n_pending;
        uint64_t retained_ignored;
        uint64_t retained_logged_at; /* monotonic µs */
        bool insecure_warned;

        bool stopping;
        void (*stop_done)(void *userdata);
        void *stop_userdata;
};

uint64_t bridge_now_realtime(void);
uint64_t bridge_now_monotonic(void);

/* Publishing (bridge.c).  Each does nothing while the broker is down. */
void bridge_publish(struct bridge *b, const char *topic, const char *payload, bool retain,
                    const struct broker_publish_props *props);
void bridge_publish_state(struct bridge *b);
void bridge_update_status(struct bridge *b);

/* The link a command may cross: TLS, or a loopback broker. */
bool bridge_link_secure(const struct bridge *b);

/* The command path (bridge-command.c). */
size_t bridge_ids_capacity(const struct mqtt_config *c);
int bridge_commands_init(struct bridge *b);
void bridge_commands_done(struct bridge *b);
void bridge_on_command(struct bridge *b, const struct broker_message *m);
