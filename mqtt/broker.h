/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* doorlockd-mqtt's connection to the MQTT broker: libmosquitto (2.0.11 on
 * Debian 12, 2.0.2x on Debian 13) driven by an sd-event loop, no threads.
 * MQTT 5, clean start, session expiry 0 (nothing queued while we were away
 * is ever delivered), the will set before every connect, TLS 1.2 or newer
 * with the peer and its host name checked, keepalive from a timer armed at
 * its deadline (no periodic tick), reconnect with backoff forever. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "mqtt-config.h"

struct broker;

struct broker_message { /* an incoming PUBLISH; valid during the callback only */
        const char *topic;
        const void *payload;
        size_t len;
        bool retain;
        int qos;
        const char *response_topic; /* MQTT 5, NULL if none */
        const void *correlation;    /* NULL/0 if none */
        size_t correlation_len;
        bool has_expiry; /* message expiry interval */
        uint32_t expiry_sec;
};

struct broker_callbacks { /* each may be NULL */
        /* (re)connected (CONNACK with reason 0): subscribe + publish here */
        void (*connected)(struct broker *b, void *userdata);
        /* the connection is gone; reason is libmosquitto's (0: we asked) */
        void (*disconnected)(struct broker *b, int reason, void *userdata);
        void (*message)(struct broker *b, const struct broker_message *m, void *userdata);
};

struct broker_will {
        const char *topic;
        const char *payload;
        bool retain;
        int qos;
};

/* Copies what it needs from c (host, port, TLS files, username, keepalive,
 * reconnect bounds), client_id, password (may be NULL; the copy is wiped on
 * free) and will (may be NULL: no will; broker_stop() then publishes
 * nothing).  -EINVAL for a bad argument, -ENOMEM, -EIO when libmosquitto
 * refuses the settings (e.g. an unreadable CA file). */
int broker_new(sd_event *e, const struct mqtt_config *c, const char *client_id, const char *password,
               const struct broker_will *will, const struct broker_callbacks *cb, void *userdata,
               struct broker **ret);

/* Connect now (non-blocking); reconnect with backoff on loss, forever. */
int broker_start(struct broker *b);

/* Subscribe with MQTT 5 options no-local, retain-as-published, retain
 * handling "do not send retained" (or send, with send_retained=true, for
 * Home Assistant's status topic).  -ENOTCONN when not connected (the
 * connected callback is the place to subscribe). */
int broker_subscribe(struct broker *b, const char *topic, int qos, bool send_retained);

struct broker_publish_props { /* NULL = none */
        const void *correlation;
        size_t correlation_len;
};

/* -ENOTCONN when not connected (nothing is queued for later: everything is
 * republished on reconnect), -EINVAL for a bad topic, -EMSGSIZE. */
int broker_publish(struct broker *b, const char *topic, const void *payload, size_t len, int qos,
                   bool retain, const struct broker_publish_props *props);

bool broker_is_connected(const struct broker *b);
bool broker_is_tls(const struct broker *b);
/* "HOST:PORT", for messages. */
const char *broker_address(const struct broker *b);

/* Publish availability "offline" retained (the will's topic), disconnect
 * cleanly (reason 0: with MQTT 5 the broker then drops the will, hence the
 * explicit "offline"), stop reconnecting.  Calls done(userdata) once, when
 * the disconnect is finished or after timeout_usec, whichever is first
 * (at once, from the event loop, when not connected).  done may be NULL.
 * The broker may be freed from done. */
int broker_stop(struct broker *b, uint64_t timeout_usec, void (*done)(void *userdata));

struct broker *broker_free(struct broker *b);
static inline void broker_freep(struct broker **b) {
        if (*b)
                broker_free(*b);
}
#define _cleanup_broker_ __attribute__((cleanup(broker_freep)))
