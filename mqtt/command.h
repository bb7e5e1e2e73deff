/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* doorlockd-mqtt's commands: one JSON message on P/command (docs/mqtt.md),
 * parsed strictly (command_parse()), checked against what the bridge knows
 * (command_check()), answered with a reply document (command_reply_ok(),
 * command_reply_error()).  Pure: no I/O, no clock reads (time is in the
 * context).  A PIN passes through here: struct command holds it until
 * command_done() wipes it; no message and no reply ever holds it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "code-name.h"
#include "command-ids.h"
#include "lock-view.h"
#include "mqtt-config.h"
#include "pin-rules.h"
#include "schedule.h"

/* The bridge's own error names.  D-Bus errors from the daemon pass through
 * by their own name (org.doorlockd.Error.CodeRefused, ...). */
#define MQTT_ERROR_INVALID_PAYLOAD                                                                          \
        "org.doorlockd.Mqtt.Error.InvalidPayload" /* not JSON, too big, wrong type, unknown key, bad id */
#define MQTT_ERROR_UNKNOWN_ACTION "org.doorlockd.Mqtt.Error.UnknownAction"
#define MQTT_ERROR_DISABLED "org.doorlockd.Mqtt.Error.Disabled" /* [Commands] switches it off */
#define MQTT_ERROR_INSECURE "org.doorlockd.Mqtt.Error.Insecure" /* not TLS and not loopback */
#define MQTT_ERROR_STALE                                                                                    \
        "org.doorlockd.Mqtt.Error.Stale" /* no time and no expiry, time outside [now-MaxAge, now+MaxSkew],  \
                                            expiry > MaxAge */
#define MQTT_ERROR_CLOCK_UNTRUSTED                                                                          \
        "org.doorlockd.Mqtt.Error.ClockUntrusted" /* "time" while ClockTrusted is false (expiry alone is    \
                                                     fine) */
#define MQTT_ERROR_PIN_REQUIRED                                                                             \
        "org.doorlockd.Mqtt.Error.PinRequired" /* unlock or passage without pin, unless UnlockWithoutPin */
#define MQTT_ERROR_BUSY "org.doorlockd.Mqtt.Error.Busy" /* rate limit, 8 calls in flight, id cache full */
#define MQTT_ERROR_PREFIX_CONFLICT                                                                          \
        "org.doorlockd.Mqtt.Error.PrefixConflict"                     /* another gateway uses this prefix */
#define MQTT_ERROR_UNAVAILABLE "org.doorlockd.Mqtt.Error.Unavailable" /* doorlockd not on the bus */
#define MQTT_ERROR_NO_SUCH_CODE "org.doorlockd.Mqtt.Error.NoSuchCode" /* code_id the lock does not have */

/* A PIN in a command: 4..12 ASCII digits (the daemon checks it further). */
#define COMMAND_PIN_MIN DL_PIN_LENGTH_FLOOR
#define COMMAND_PIN_MAX DL_PIN_LENGTH_CEILING

enum command_action {
        COMMAND_LOCK,
        COMMAND_UNLOCK,
        COMMAND_MODE,
        COMMAND_ADD_CODE,
        COMMAND_EDIT_CODE,
        COMMAND_REMOVE_CODE,
        COMMAND_ENABLE_CODE,
        COMMAND_DISABLE_CODE,
        _COMMAND_ACTION_MAX,
};

/* "lock", "unlock", "mode", "add_code", "edit_code", "remove_code",
 * "enable_code", "disable_code"; NULL out of range. */
const char *command_action_to_string(enum command_action a);
/* 0 or -EINVAL (nothing written then). */
int command_action_from_string(const char *s, enum command_action *ret);

/* Bolt-moving or code-changing: needs a secure link (lock too: it moves
 * the bolt).  Every action is one of these today. */
bool command_action_needs_secure_link(enum command_action a);

/* Add, edit, remove, enable, disable: [Commands] CodeChanges=. */
bool command_action_changes_codes(enum command_action a);

struct command {
        char id[COMMAND_ID_MAX + 1];
        enum command_action action;
        bool has_time;
        uint64_t time; /* µs since the epoch */
        bool has_pin;
        char pin[DL_PIN_LENGTH_CEILING + 1]; /* wiped by command_done() */
        enum lock_mode mode;                 /* COMMAND_MODE: normal, privacy or passage */
        uint32_t code_id;                    /* edit/remove/enable/disable */
        /* add_code / edit_code fields, each with its has_ flag: */
        bool has_name;
        char name[DL_CODE_NAME_MAX_BYTES];
        bool has_one_time;
        bool one_time; /* add only */
        bool has_enabled;
        bool enabled; /* edit only */
        bool has_valid_from;
        uint64_t valid_from;
        bool has_valid_until;
        uint64_t valid_until;
        bool has_max_uses;
        uint32_t max_uses;
        bool has_schedule;
        size_t n_windows;
        struct dl_window windows[DL_WINDOWS_MAX];
        /* (added) The action could be read: command_reply_error() names it
         * then, null otherwise. */
        bool has_action;
};

/* explicit_bzero of the whole struct. */
void command_done(struct command *c);

struct command_error {
        const char *name; /* MQTT_ERROR_* */
        char message[256];
};

/* Parse one payload (not NUL-terminated, len ≤ max_payload).  0, or -EINVAL
 * with err filled (name + message; the message never quotes the payload's
 * values, so never a PIN).  When the id could be read it is in ret->id
 * even on failure (so the reply carries it); "" otherwise.  *ret is
 * initialised in every case: call command_done() on it either way. */
int command_parse(const void *payload, size_t len, size_t max_payload, struct command *ret,
                  struct command_error *err);

struct command_context {    /* what the bridge knows, time injected */
        uint64_t now;       /* CLOCK_REALTIME µs */
        bool clock_trusted; /* the daemon's ClockTrusted */
        bool has_expiry;
        uint32_t expiry_sec;              /* the MQTT 5 message expiry */
        const struct mqtt_config *config; /* [Commands] switches, MaxAge, MaxSkew */
        bool link_secure;                 /* TLS or loopback */
        bool prefix_conflict;
        bool daemon_present;
};

/* The checks, in this order; 0 or -EPERM with err filled:
 *   PrefixConflict  x->prefix_conflict
 *   Unavailable     !x->daemon_present
 *   Disabled        [Commands] Lock=, Unlock=, Mode= or CodeChanges= off
 *   Insecure        the action needs a secure link and the link is not
 *   Stale           no time and no expiry; expiry above MaxAge; time before
 *                   now - MaxAge or after now + MaxSkew (both edges allowed)
 *   ClockUntrusted  a time given while the clock is not trusted, without an
 *                   expiry (an expiry alone is fine: it needs no clock)
 *   PinRequired     unlock without a pin (unless [Commands]
 *                   UnlockWithoutPin=yes); mode passage or add_code without
 *                   a pin (always) */
int command_check(const struct command *c, const struct command_context *x, struct command_error *err);

/* Replies, malloc'ed NUL-terminated JSON in *ret (0, or -ENOMEM / -EINVAL):
 *   {"id":…,"ok":true,"action":…[,"code_id":n]}
 *   {"id":…|null,"ok":false,"action":…|null,"error":NAME,"message":…}
 * Never a PIN. */
int command_reply_ok(const char *id, enum command_action a, uint32_t code_id /* 0 = none */, char **ret);
int command_reply_error(const char *id /* NULL/"" = null */,
                        const struct command *c /* NULL = unknown action */, const char *error_name,
                        const char *message, char **ret);
