/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd-mqtt's command path (bridge-private.h): one P/command message,
 * checked in mqtt-design.md's order, at most one D-Bus call sequence per
 * id, the reply to the message's MQTT 5 response topic (with its
 * correlation data) or to P/reply.
 *
 *   1. retained: ignored, no reply, counted (logged at most once a minute)
 *   2. longer than MaxPayload: InvalidPayload (id null), not parsed
 *   3. command_parse(): InvalidPayload / UnknownAction
 *   4. an id that is live in the cache: its stored reply again, nothing
 *      runs; an id whose call is still running: answered when it ends
 *   5. command_check(): PrefixConflict, Unavailable, Disabled, Insecure,
 *      Stale, ClockUntrusted, PinRequired
 *   6. 8 calls in flight, the id cache full, or the rate limit (10/s,
 *      burst 20): Busy
 *   7. a code_id the lock does not have: NoSuchCode, no call; else the
 *      D-Bus call; its reply or error is the MQTT reply, remembered
 *      under the id.
 * The PIN is wiped (command_done()) as soon as the call is built. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "bridge-private.h"
#include "command.h"
#include "log.h"
#include "macro.h"

#define RETAINED_LOG_INTERVAL_USEC (60 * (uint64_t)USEC_PER_SEC)
#define EDIT_FIELDS_MAX 6

struct reply_to {
        char *topic; /* NULL: P/reply */
        void *correlation;
        size_t correlation_len;
};

struct pending {
        struct bridge *b;
        struct command cmd; /* the PIN is wiped once the call is sent */
        uint64_t seen;      /* CLOCK_REALTIME µs: the id's time in the cache */
        struct reply_to to[1 + BRIDGE_WAITERS_MAX];
        size_t n_to;
        /* edit_code: the Set calls still to make, in order. */
        struct lock_code_value fields[EDIT_FIELDS_MAX];
        size_t n_fields, next_field;
        struct pending *prev, *next;
};

static void reply_to_done(struct reply_to *t) {
        free(t->topic);
        free(t->correlation);
        *t = (struct reply_to){};
}

static int reply_to_set(struct reply_to *t, const struct broker_message *m) {
        *t = (struct reply_to){};
        if (m->response_topic && m->response_topic[0]) {
                t->topic = strdup(m->response_topic);
                if (!t->topic)
                        return -ENOMEM;
        }
        if (m->correlation && m->correlation_len > 0) {
                t->correlation = malloc(m->correlation_len);
                if (!t->correlation) {
                        reply_to_done(t);
                        return -ENOMEM;
                }
                memcpy(t->correlation, m->correlation, m->correlation_len);
                t->correlation_len = m->correlation_len;
        }
        return 0;
}

static void send_reply_to(struct bridge *b, const char *topic, const void *correlation,
                          size_t correlation_len, const char *reply) {
        struct broker_publish_props props = { .correlation = correlation,
                                              .correlation_len = correlation_len };

        if (topic)
                bridge_publish(b, topic, reply, false, correlation ? &props : NULL);
        else
                bridge_publish(b, b->t_reply, reply, false, NULL);
}

/* A reply straight to the message's sender. */
static void send_reply(struct bridge *b, const struct broker_message *m, const char *reply) {
        send_reply_to(b, m->response_topic && m->response_topic[0] ? m->response_topic : NULL,
                      m->correlation, m->correlation_len, reply);
}

static void reply_error(struct bridge *b, const struct broker_message *m, const char *id,
                        const struct command *c, const char *name, const char *message) {
        _cleanup_free_ char *s = NULL;

        if (command_reply_error(id, c, name, message, &s) < 0) {
                log_msg(LOG_WARNING, "Cannot write a reply: out of memory");
                return;
        }
        send_reply(b, m, s);
}

/* ---- pending calls ---- */

static void pending_free(struct pending *p) {
        struct bridge *b = p->b;

        if (p->prev)
                p->prev->next = p->next;
        else
                b->pending = p->next;
        if (p->next)
                p->next->prev = p->prev;
        b->n_pending--;
        for (size_t i = 0; i < p->n_to; i++)
                reply_to_done(&p->to[i]);
        command_done(&p->cmd);
        free(p);
}

static struct pending *pending_find(struct bridge *b, const char *id) {
        for (struct pending *p = b->pending; p; p = p->next)
                if (strcmp(p->cmd.id, id) == 0)
                        return p;
        return NULL;
}

/* The call sequence ended: reply to everyone who asked, remember the
 * reply under the id, forget the call. */
static void pending_finish(struct pending *p, const char *reply) {
        struct bridge *b = p->b;
        int r;

        r = command_ids_remember(b->ids, p->cmd.id, reply, p->seen);
        if (r < 0)
                log_msg(LOG_WARNING, "Cannot remember command id %s: %s", p->cmd.id, strerror(-r));
        for (size_t i = 0; i < p->n_to; i++)
                send_reply_to(b, p->to[i].topic, p->to[i].correlation, p->to[i].correlation_len, reply);
        pending_free(p);
}

static void pending_finish_error(struct pending *p, const char *name, const char *message) {
        _cleanup_free_ char *s = NULL;

        log_msg(LOG_INFO, "Command %s (%s) refused: %s", p->cmd.id, command_action_to_string(p->cmd.action),
                name);
        if (command_reply_error(p->cmd.id, &p->cmd, name, message, &s) < 0) {
                log_msg(LOG_WARNING, "Cannot write a reply: out of memory");
                pending_free(p);
                return;
        }
        pending_finish(p, s);
}

static void pending_finish_ok(struct pending *p, uint32_t code_id) {
        _cleanup_free_ char *s = NULL;

        log_msg(LOG_INFO, "Command %s (%s) done", p->cmd.id, command_action_to_string(p->cmd.action));
        if (command_reply_ok(p->cmd.id, p->cmd.action, code_id, &s) < 0) {
                log_msg(LOG_WARNING, "Cannot write a reply: out of memory");
                pending_free(p);
                return;
        }
        pending_finish(p, s);
}

static bool action_on_code(enum command_action a) {
        return a == COMMAND_EDIT_CODE || a == COMMAND_REMOVE_CODE || a == COMMAND_ENABLE_CODE ||
               a == COMMAND_DISABLE_CODE;
}

static void next_field(struct pending *p);

static void on_call_done(struct lock_client *lc, const struct lock_call_result *r, void *userdata) {
        struct pending *p = userdata;

        (void)lc;
        if (r->cancelled) {
                pending_free(p);
                return;
        }
        if (r->error_name) {
                /* A code that went away between our list and the call. */
                if (action_on_code(p->cmd.action) &&
                    strcmp(r->error_name, "org.freedesktop.DBus.Error.UnknownObject") == 0) {
                        char msg[96];

                        (void)snprintf(msg, sizeof(msg), "The lock has no code %" PRIu32, p->cmd.code_id);
                        pending_finish_error(p, MQTT_ERROR_NO_SUCH_CODE, msg);
                        return;
                }
                pending_finish_error(p, r->error_name, r->error_message);
                return;
        }
        if (p->cmd.action == COMMAND_EDIT_CODE && p->next_field < p->n_fields) {
                next_field(p);
                return;
        }
        switch (p->cmd.action) {
        case COMMAND_ADD_CODE:
        case COMMAND_UNLOCK:
        case COMMAND_MODE:
                pending_finish_ok(p, r->code_id);
                break;
        case COMMAND_EDIT_CODE:
        case COMMAND_REMOVE_CODE:
        case COMMAND_ENABLE_CODE:
        case COMMAND_DISABLE_CODE:
                pending_finish_ok(p, p->cmd.code_id);
                break;
        default:
                pending_finish_ok(p, 0);
        }
}

static void call_failed(struct pending *p, int r) {
        char msg[128];

        (void)snprintf(msg, sizeof(msg), "The D-Bus call could not be sent: %s", strerror(-r));
        pending_finish_error(p, "org.freedesktop.DBus.Error.Failed", msg);
}

/* edit_code: one Set per field, name, valid_from, valid_until, max_uses,
 * schedule, enabled; the first error ends it (not atomic across fields). */
static void next_field(struct pending *p) {
        const struct lock_code_value *v = &p->fields[p->next_field++];
        int r;

        r = lock_client_set_code(p->b->lock, p->cmd.code_id, v, on_call_done, p);
        if (r < 0)
                call_failed(p, r);
}

static void edit_fields(struct pending *p) {
        const struct command *c = &p->cmd;
        struct lock_code_value *f = p->fields;
        size_t n = 0;

        if (c->has_name)
                f[n++] = (struct lock_code_value){ .field = LOCK_CODE_FIELD_NAME, .name = c->name };
        if (c->has_valid_from)
                f[n++] = (struct lock_code_value){ .field = LOCK_CODE_FIELD_VALID_FROM,
                                                   .time = c->valid_from };
        if (c->has_valid_until)
                f[n++] = (struct lock_code_value){ .field = LOCK_CODE_FIELD_VALID_UNTIL,
                                                   .time = c->valid_until };
        if (c->has_max_uses)
                f[n++] = (struct lock_code_value){ .field = LOCK_CODE_FIELD_MAX_USES,
                                                   .max_uses = c->max_uses };
        if (c->has_schedule)
                f[n++] = (struct lock_code_value){ .field = LOCK_CODE_FIELD_SCHEDULE,
                                                   .windows = c->windows,
                                                   .n_windows = c->n_windows };
        if (c->has_enabled)
                f[n++] = (struct lock_code_value){ .field = LOCK_CODE_FIELD_ENABLED, .enabled = c->enabled };
        p->n_fields = n;
        p->next_field = 0;
}

/* The PIN is in the (sensitive) D-Bus message now, or nowhere. */
static void wipe_pin(struct pending *p) {
        explicit_bzero(p->cmd.pin, sizeof(p->cmd.pin));
        p->cmd.has_pin = false;
}

static int with_pin_wiped(struct pending *p, int r) {
        wipe_pin(p);
        return r;
}

/* Start the call(s).  0 when sent, 1 when finished at once (p is gone), a
 * negative errno when nothing could be sent (p is still there).  Every
 * branch wipes the PIN before it returns. */
static int dispatch(struct pending *p) {
        struct bridge *b = p->b;
        struct command *c = &p->cmd;
        struct lock_code_value v = {};
        struct lock_code_options o = {};

        switch (c->action) {
        case COMMAND_LOCK:
                wipe_pin(p);
                return lock_client_lock(b->lock, on_call_done, p);
        case COMMAND_UNLOCK:
                if (c->has_pin)
                        return with_pin_wiped(
                                p, lock_client_submit_pin(b->lock, c->pin, "unlock", on_call_done, p));
                /* Only with [Commands] UnlockWithoutPin=yes (command_check()),
                 * and the daemon's own [Remote] UnlockWithoutPin=yes. */
                return lock_client_unlock(b->lock, on_call_done, p);
        case COMMAND_MODE:
                if (c->mode == LOCK_MODE_PASSAGE && c->has_pin)
                        return with_pin_wiped(
                                p, lock_client_submit_pin(b->lock, c->pin, "passage", on_call_done, p));
                wipe_pin(p);
                /* The daemon refuses SetMode to the remote role: its
                 * AccessDenied passes through. */
                return lock_client_set_mode(b->lock, c->mode, on_call_done, p);
        case COMMAND_ADD_CODE:
                o = (struct lock_code_options){
                        .has_one_time = c->has_one_time,
                        .one_time = c->one_time,
                        .has_valid_from = c->has_valid_from,
                        .valid_from = c->valid_from,
                        .has_valid_until = c->has_valid_until,
                        .valid_until = c->valid_until,
                        .has_max_uses = c->has_max_uses,
                        .max_uses = c->max_uses,
                        .has_schedule = c->has_schedule,
                        .n_windows = c->n_windows,
                        .windows = c->windows,
                };
                return with_pin_wiped(p,
                                      lock_client_add_code(b->lock, c->has_name ? c->name : "",
                                                           c->has_pin ? c->pin : "", &o, on_call_done, p));
        case COMMAND_EDIT_CODE:
                wipe_pin(p);
                edit_fields(p);
                if (p->n_fields == 0) {
                        pending_finish_ok(p, c->code_id);
                        return 1;
                }
                v = p->fields[p->next_field++];
                return lock_client_set_code(b->lock, c->code_id, &v, on_call_done, p);
        case COMMAND_ENABLE_CODE:
        case COMMAND_DISABLE_CODE:
                wipe_pin(p);
                v = (struct lock_code_value){ .field = LOCK_CODE_FIELD_ENABLED,
                                              .enabled = c->action == COMMAND_ENABLE_CODE };
                return lock_client_set_code(b->lock, c->code_id, &v, on_call_done, p);
        case COMMAND_REMOVE_CODE:
                wipe_pin(p);
                return lock_client_remove_code(b->lock, c->code_id, on_call_done, p);
        default:
                wipe_pin(p);
                return -EINVAL;
        }
}

/* ---- one message ---- */

static void on_retained(struct bridge *b) {
        uint64_t now = bridge_now_monotonic();

        b->retained_ignored++;
        if (b->retained_logged_at == 0 || now - b->retained_logged_at >= RETAINED_LOG_INTERVAL_USEC) {
                log_msg(LOG_WARNING,
                        "Ignored a retained message on %s (%" PRIu64
                        " so far): commands are never taken from retained messages",
                        b->t_command, b->retained_ignored);
                b->retained_logged_at = now;
        }
}

static int new_pending(struct bridge *b, struct command *c, uint64_t now, const struct broker_message *m,
                       struct pending **ret) {
        struct pending *p;
        int r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->b = b;
        p->cmd = *c;
        p->seen = now;
        r = reply_to_set(&p->to[0], m);
        if (r < 0) {
                command_done(&p->cmd);
                free(p);
                return r;
        }
        p->n_to = 1;
        p->next = b->pending;
        if (p->next)
                p->next->prev = p;
        b->pending = p;
        b->n_pending++;
        *ret = p;
        return 0;
}

static void command_run(struct bridge *b, const struct broker_message *m, struct command *c) {
        struct command_error err = {};
        struct command_context x;
        struct pending *p;
        const char *stored;
        uint64_t now = bridge_now_realtime();
        int r;

        /* 4. A repeat: answered, never run again. */
        stored = command_ids_lookup(b->ids, c->id, now);
        if (stored) {
                log_msg(LOG_INFO, "Command %s repeated: sending its reply again", c->id);
                send_reply(b, m, stored);
                return;
        }
        p = pending_find(b, c->id);
        if (p) {
                log_msg(LOG_INFO, "Command %s repeated while it runs: it will be answered when it ends",
                        c->id);
                if (p->n_to < ELEMENTSOF(p->to) && reply_to_set(&p->to[p->n_to], m) >= 0)
                        p->n_to++;
                return;
        }

        /* 5. What the bridge knows. */
        x = (struct command_context){
                .now = now,
                .clock_trusted = lock_client_view(b->lock)->clock_trusted,
                .has_expiry = m->has_expiry,
                .expiry_sec = m->expiry_sec,
                .config = &b->config,
                .link_secure = bridge_link_secure(b),
                .prefix_conflict = b->prefix_conflict,
                .daemon_present = lock_client_present(b->lock),
        };
        r = command_check(c, &x, &err);
        if (r < 0) {
                log_msg(LOG_INFO, "Command %s (%s) refused: %s", c->id, command_action_to_string(c->action),
                        err.name ? err.name : "?");
                reply_error(b, m, c->id, c, err.name ? err.name : MQTT_ERROR_INVALID_PAYLOAD, err.message);
                return;
        }

        /* 6. Bounds. */
        if (b->n_pending >= BRIDGE_CALLS_IN_FLIGHT_MAX) {
                reply_error(b, m, c->id, c, MQTT_ERROR_BUSY, "Too many commands are running; try again");
                return;
        }
        if (command_ids_live(b->ids, now) + b->n_pending >= b->ids_capacity) {
                reply_error(b, m, c->id, c, MQTT_ERROR_BUSY,
                            "Too many command ids are remembered (MaxAge); try again later");
                return;
        }
        if (!rate_limit_take(&b->rate, bridge_now_monotonic())) {
                reply_error(b, m, c->id, c, MQTT_ERROR_BUSY, "Too many commands; try again");
                return;
        }

        /* 7. The code must exist (no call for one that does not). */
        if (action_on_code(c->action) && !lock_client_find_code(b->lock, c->code_id)) {
                char msg[96];

                (void)snprintf(msg, sizeof(msg), "The lock has no code %" PRIu32, c->code_id);
                reply_error(b, m, c->id, c, MQTT_ERROR_NO_SUCH_CODE, msg);
                return;
        }

        r = new_pending(b, c, now, m, &p);
        if (r < 0) {
                reply_error(b, m, c->id, c, "org.freedesktop.DBus.Error.NoMemory", "Out of memory");
                return;
        }
        log_msg(LOG_INFO, "Command %s (%s)", p->cmd.id, command_action_to_string(p->cmd.action));
        r = dispatch(p);
        if (r < 0)
                call_failed(p, r);
}

void bridge_on_command(struct bridge *b, const struct broker_message *m) {
        struct command c = {};
        struct command_error err = {};
        size_t max = b->config.commands.max_payload;
        int r;

        /* 1. Never a retained message: it could be any age. */
        if (m->retain) {
                on_retained(b);
                return;
        }
        /* 2. Too big: not even parsed. */
        if (m->len > max) {
                char msg[128];

                (void)snprintf(msg, sizeof(msg), "The command is %zu bytes, more than MaxPayload=%zu",
                               m->len, max);
                reply_error(b, m, NULL, NULL, MQTT_ERROR_INVALID_PAYLOAD, msg);
                return;
        }
        /* 3. Strict parse. */
        r = command_parse(m->payload, m->len, max, &c, &err);
        if (r < 0) {
                log_msg(LOG_INFO, "Command %s refused: %s", c.id[0] ? c.id : "(no id)",
                        err.name ? err.name : "?");
                /* The action may not have been read: null in the reply. */
                reply_error(b, m, c.id, NULL, err.name ? err.name : MQTT_ERROR_INVALID_PAYLOAD, err.message);
                command_done(&c);
                return;
        }
        command_run(b, m, &c);
        command_done(&c);
}

/* Room for every id the rate limit can let through while an id is kept
 * (a burst, then PER_SEC for each second of MaxAge + 2 MaxSkew, plus the
 * calls in flight): a flood is then refused by the rate limit alone, and
 * the cache never fills with ids the flood got in, which would refuse
 * everyone's commands (Busy) until they expire.  428 slots (38 KiB) with
 * the defaults, 42,028 (3.7 MiB) at MaxAge=3600 and MaxSkew=300. */
size_t bridge_ids_capacity(const struct mqtt_config *c) {
        uint64_t keep_sec = (mqtt_config_id_keep_usec(c) + 999999) / 1000000;
        uint64_t n = BRIDGE_RATE_BURST + BRIDGE_RATE_PER_SEC * keep_sec + BRIDGE_CALLS_IN_FLIGHT_MAX;

        if (n < COMMAND_IDS_CAPACITY_DEFAULT)
                n = COMMAND_IDS_CAPACITY_DEFAULT;
        if (n > COMMAND_IDS_CAPACITY_MAX)
                n = COMMAND_IDS_CAPACITY_MAX;
        return (size_t)n;
}

int bridge_commands_init(struct bridge *b) {
        b->ids_capacity = bridge_ids_capacity(&b->config);
        rate_limit_init(&b->rate, BRIDGE_RATE_PER_SEC, BRIDGE_RATE_BURST);
        return command_ids_new(b->ids_capacity, mqtt_config_id_keep_usec(&b->config), &b->ids);
}

void bridge_commands_done(struct bridge *b) {
        while (b->pending)
                pending_free(b->pending);
        b->ids = command_ids_free(b->ids);
}
