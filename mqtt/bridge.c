/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd-mqtt's bridge, the publishing side (bridge.h): availability,
 * state, codes, the live log, access and alarm events, Home Assistant
 * discovery (and the removal of what it no longer publishes), the
 * republish on Home Assistant's birth message, and clone detection on
 * P/gateway/hello. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-id128.h>
#include <time.h>

#include "bridge-private.h"
#include "build-config.h"
#include "code-info.h"
#include "discovery.h"
#include "json-out.h"
#include "log-entry.h"
#include "log.h"
#include "macro.h"

#define QOS 1
#define HELLO_MAX 512

uint64_t bridge_now_realtime(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * (uint64_t)USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t bridge_now_monotonic(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * (uint64_t)USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

bool bridge_link_secure(const struct bridge *b) {
        return broker_is_tls(b->broker) || mqtt_config_link_secure(&b->config);
}

void bridge_publish(struct bridge *b, const char *topic, const char *payload, bool retain,
                    const struct broker_publish_props *props) {
        int r;

        if (!b->broker || !broker_is_connected(b->broker))
                return;
        r = broker_publish(b->broker, topic, payload, strlen(payload), QOS, retain, props);
        if (r < 0 && r != -ENOTCONN)
                log_msg(LOG_WARNING, "Cannot publish to %s: %s", topic, strerror(-r));
}

void bridge_update_status(struct bridge *b) {
        bool up = b->broker && broker_is_connected(b->broker);

        (void)sd_notifyf(false, "STATUS=Broker %s %s; doorlockd %s%s",
                         b->broker ? broker_address(b->broker) : "?", up ? "connected" : "not connected",
                         lock_client_present(b->lock) ? "on the bus" : "not on the bus",
                         b->prefix_conflict ? "; another gateway uses this topic prefix" : "");
}

static void publish_availability(struct bridge *b) {
        bool online = !b->stopping && lock_client_present(b->lock);

        bridge_publish(b, b->t_availability, online ? "online" : "offline", true, NULL);
}

void bridge_publish_state(struct bridge *b) {
        _cleanup_free_ char *s = NULL;
        struct lock_view v;
        int r;

        if (!b->ever_present)
                return;
        v = *lock_client_view(b->lock);
        v.prefix_conflict = b->prefix_conflict;
        r = lock_view_state_string(&v, &s);
        if (r < 0) {
                log_msg(LOG_WARNING, "Cannot write the state: %s", strerror(-r));
                return;
        }
        bridge_publish(b, b->t_state, s, true, NULL);
}

static void publish_codes(struct bridge *b) {
        _cleanup_free_ char *buf = NULL;
        const struct code_info *codes;
        size_t len = 0, n;
        FILE *f;

        if (!b->ever_present)
                return;
        codes = lock_client_codes(b->lock, &n);
        f = open_memstream(&buf, &len);
        if (!f) {
                log_msg(LOG_WARNING, "Cannot write the code list: out of memory");
                return;
        }
        fputs("{\"codes\":[", f);
        for (size_t i = 0; i < n; i++) {
                if (i)
                        fputc(',', f);
                json_code(f, &codes[i]);
        }
        fputs("]}", f);
        if (fclose(f) != 0 || !buf) {
                log_msg(LOG_WARNING, "Cannot write the code list: out of memory");
                return;
        }
        bridge_publish(b, b->t_codes, buf, true, NULL);
}

static bool in_messages(const struct ha_messages *m, const char *topic) {
        for (size_t i = 0; i < m->n; i++)
                if (strcmp(m->v[i].topic, topic) == 0)
                        return true;
        return false;
}

static void publish_discovery(struct bridge *b) {
        struct ha_messages build = {}, removal = {};
        struct ha_config hc = {
                .discovery_prefix = b->config.ha.discovery_prefix,
                .topic_prefix = b->prefix,
                .device_name = b->config.ha.device_name,
                .has_door_sensor = lock_client_view(b->lock)->has_door_sensor,
                /* The mode is a read-only sensor, never a select: a select
                 * sends no PIN, the network enters passage mode only with
                 * one (SubmitPin), and doorlockd refuses SetMode (normal,
                 * privacy) to the remote role this bridge runs with, so a
                 * select could only ever be refused.  Passage goes by a
                 * "mode" command carrying a PIN (docs/home-assistant.md). */
                .passage_selectable = false,
                .commands_enabled = false,
        };
        int r;

        if (!b->ever_present || !broker_is_connected(b->broker))
                return;
        r = ha_discovery_build_removal(&hc, &removal);
        if (r < 0) {
                log_msg(LOG_WARNING, "Cannot build Home Assistant discovery: %s", strerror(-r));
                return;
        }
        if (b->config.ha.discovery) {
                r = ha_discovery_build(&hc, &build);
                if (r < 0) {
                        log_msg(LOG_WARNING, "Cannot build Home Assistant discovery: %s", strerror(-r));
                        ha_messages_free(&removal);
                        return;
                }
        }
        /* First remove what this config does not publish, then publish. */
        for (size_t i = 0; i < removal.n; i++)
                if (!in_messages(&build, removal.v[i].topic))
                        bridge_publish(b, removal.v[i].topic, "", true, NULL);
        for (size_t i = 0; i < build.n; i++)
                bridge_publish(b, build.v[i].topic, build.v[i].payload, true, NULL);
        b->discovery_published = true;
        b->discovery_door_sensor = hc.has_door_sensor;
        ha_messages_free(&build);
        ha_messages_free(&removal);
}

static void publish_hello(struct bridge *b, bool reply) {
        char buf[HELLO_MAX];
        int n;

        n = snprintf(buf, sizeof(buf), "{\"instance\":\"%s\",\"version\":\"%s\",\"reply\":%s}", b->instance,
                     PACKAGE_VERSION, reply ? "true" : "false");
        if (n < 0 || (size_t)n >= sizeof(buf))
                return;
        bridge_publish(b, b->t_hello, buf, false, NULL);
}

static void publish_everything(struct bridge *b) {
        publish_availability(b);
        publish_discovery(b);
        bridge_publish_state(b);
        publish_codes(b);
}

/* ---- the broker's callbacks ---- */

static void subscribe(struct bridge *b, const char *topic, bool send_retained) {
        int r = broker_subscribe(b->broker, topic, QOS, send_retained);

        if (r < 0)
                log_msg(LOG_WARNING, "Cannot subscribe to %s: %s", topic, strerror(-r));
}

static void on_connected(struct broker *br, void *userdata) {
        struct bridge *b = userdata;

        (void)br;
        subscribe(b, b->t_command, false);
        subscribe(b, b->t_hello, false);
        if (b->config.ha.discovery && b->config.ha.status_topic[0])
                subscribe(b, b->config.ha.status_topic, true);
        publish_hello(b, false);
        publish_everything(b);
        if (!bridge_link_secure(b) && !b->insecure_warned) {
                log_msg(LOG_WARNING,
                        "The link to %s is neither TLS nor loopback: every command is refused (Insecure)",
                        broker_address(b->broker));
                b->insecure_warned = true;
        }
        bridge_update_status(b);
}

static void on_disconnected(struct broker *br, int reason, void *userdata) {
        struct bridge *b = userdata;

        (void)br;
        (void)reason;
        bridge_update_status(b);
}

/* The instance id in a hello ({"instance":"<32 hex>",…,"reply":b}); the
 * bridge wrote it, but anyone may publish there, so it is read with care. */
static int parse_hello(const void *payload, size_t len, char instance[static 33], bool *ret_reply) {
        static const char key[] = "\"instance\":\"";
        char buf[HELLO_MAX + 1];
        const char *p;
        size_t n;

        if (len > HELLO_MAX)
                return -EINVAL;
        memcpy(buf, payload, len);
        buf[len] = '\0';
        p = strstr(buf, key);
        if (!p)
                return -EINVAL;
        p += sizeof(key) - 1;
        n = strspn(p, "0123456789abcdef");
        if (n != 32 || p[n] != '"')
                return -EINVAL;
        memcpy(instance, p, 32);
        instance[32] = '\0';
        *ret_reply = strstr(buf, "\"reply\":true") != NULL;
        return 0;
}

static void on_hello(struct bridge *b, const struct broker_message *m) {
        char instance[33];
        bool reply = false;

        if (m->retain || parse_hello(m->payload, m->len, instance, &reply) < 0)
                return;
        if (strcmp(instance, b->instance) == 0)
                return;
        if (!b->prefix_conflict || strcmp(instance, b->conflict_instance) != 0) {
                log_msg(LOG_ERR,
                        "Another gateway (instance %s) uses the topic prefix %s (a cloned SD card?): "
                        "commands are refused; give each gateway its own TopicPrefix= in %s",
                        instance, b->prefix, MQTT_CONFIG_FILE);
                memcpy(b->conflict_instance, instance, sizeof(instance));
        }
        b->prefix_conflict = true;
        /* It connected after us and did not hear our hello: answer once,
         * never an answer (no ping-pong). */
        if (!reply)
                publish_hello(b, true);
        bridge_publish_state(b);
        bridge_update_status(b);
}

static bool topic_is(const struct broker_message *m, const char *topic) {
        return m->topic && strcmp(m->topic, topic) == 0;
}

static void on_message(struct broker *br, const struct broker_message *m, void *userdata) {
        struct bridge *b = userdata;

        (void)br;
        if (b->stopping)
                return;
        if (topic_is(m, b->t_command))
                bridge_on_command(b, m);
        else if (topic_is(m, b->t_hello))
                on_hello(b, m);
        else if (b->config.ha.discovery && topic_is(m, b->config.ha.status_topic)) {
                if (m->len == 6 && memcmp(m->payload, "online", 6) == 0) {
                        log_msg(LOG_INFO, "Home Assistant is online: publishing discovery and state again");
                        publish_everything(b);
                }
        }
}

/* ---- the lock's callbacks ---- */

static void on_appeared(struct lock_client *lc, void *userdata) {
        struct bridge *b = userdata;

        (void)lc;
        b->ever_present = true;
        publish_everything(b);
        bridge_update_status(b);
}

static void on_vanished(struct lock_client *lc, void *userdata) {
        struct bridge *b = userdata;

        (void)lc;
        /* The state keeps its last retained value; the lock is unavailable. */
        publish_availability(b);
        bridge_update_status(b);
}

static void on_state_changed(struct lock_client *lc, void *userdata) {
        struct bridge *b = userdata;

        if (b->discovery_published && lock_client_view(lc)->has_door_sensor != b->discovery_door_sensor)
                publish_discovery(b);
        bridge_publish_state(b);
}

static void on_codes_changed(struct lock_client *lc, void *userdata) {
        (void)lc;
        publish_codes(userdata);
}

static void on_access(struct lock_client *lc, const struct lock_access *a, void *userdata) {
        struct bridge *b = userdata;
        _cleanup_free_ char *s = NULL;

        (void)lc;
        if (lock_access_event_string(a, &s) < 0)
                return;
        bridge_publish(b, b->t_access, s, false, NULL);
}

static void on_alarm(struct lock_client *lc, enum lock_alarm kind, uint64_t time, const char *detail,
                     void *userdata) {
        struct bridge *b = userdata;
        _cleanup_free_ char *s = NULL;

        (void)lc;
        /* A lockout is the keypad-locked-out sensor's, not an event. */
        if (lock_alarm_event_string(kind, time, detail, &s) < 0)
                return;
        bridge_publish(b, b->t_alarm, s, false, NULL);
}

static void on_log_entry(struct lock_client *lc, const struct log_entry *e, void *userdata) {
        struct bridge *b = userdata;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        FILE *f;

        (void)lc;
        f = open_memstream(&buf, &len);
        if (!f)
                return;
        json_log_entry(f, e);
        if (fclose(f) != 0 || !buf)
                return;
        bridge_publish(b, b->t_log, buf, false, NULL);
}

/* ---- life ---- */

static char *join(const char *prefix, const char *suffix) {
        char *s = NULL;

        if (asprintf(&s, "%s/%s", prefix, suffix) < 0)
                return NULL;
        return s;
}

int bridge_new(sd_event *e, sd_bus *bus, const struct bridge_settings *s, struct bridge **ret) {
        static const struct lock_client_callbacks lock_cb = {
                .appeared = on_appeared,
                .vanished = on_vanished,
                .state_changed = on_state_changed,
                .codes_changed = on_codes_changed,
                .access = on_access,
                .alarm = on_alarm,
                .log_entry = on_log_entry,
        };
        static const struct broker_callbacks broker_cb = {
                .connected = on_connected,
                .disconnected = on_disconnected,
                .message = on_message,
        };
        struct bridge *b;
        struct broker_will will;
        sd_id128_t id;
        int r;

        if (!e || !bus || !s || !s->config || !s->client_id || !mqtt_topic_prefix_valid(s->topic_prefix))
                return -EINVAL;
        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        b->event = sd_event_ref(e);
        b->config = *s->config;
        b->prefix = strdup(s->topic_prefix);
        if (!b->prefix) {
                r = -ENOMEM;
                goto fail;
        }
        b->t_availability = join(b->prefix, "availability");
        b->t_state = join(b->prefix, "state");
        b->t_codes = join(b->prefix, "codes");
        b->t_log = join(b->prefix, "log");
        b->t_access = join(b->prefix, "event/access");
        b->t_alarm = join(b->prefix, "event/alarm");
        b->t_command = join(b->prefix, "command");
        b->t_reply = join(b->prefix, "reply");
        b->t_hello = join(b->prefix, "gateway/hello");
        if (!b->t_availability || !b->t_state || !b->t_codes || !b->t_log || !b->t_access || !b->t_alarm ||
            !b->t_command || !b->t_reply || !b->t_hello) {
                r = -ENOMEM;
                goto fail;
        }
        r = sd_id128_randomize(&id);
        if (r < 0)
                goto fail;
        (void)sd_id128_to_string(id, b->instance);

        r = bridge_commands_init(b);
        if (r < 0)
                goto fail;
        r = lock_client_new(bus, &lock_cb, b, &b->lock);
        if (r < 0)
                goto fail;
        will = (struct broker_will){
                .topic = b->t_availability, .payload = "offline", .retain = true, .qos = QOS
        };
        r = broker_new(e, &b->config, s->client_id, s->password, &will, &broker_cb, b, &b->broker);
        if (r < 0)
                goto fail;
        *ret = b;
        return 0;
fail:
        bridge_free(b);
        return r;
}

int bridge_start(struct bridge *b) {
        int r;

        r = lock_client_start(b->lock);
        if (r < 0)
                return r;
        r = broker_start(b->broker);
        if (r < 0)
                return r;
        bridge_update_status(b);
        return 0;
}

static void on_broker_stopped(void *userdata) {
        struct bridge *b = userdata;
        void (*done)(void *) = b->stop_done;

        b->stop_done = NULL;
        if (done)
                done(b->stop_userdata);
}

int bridge_stop(struct bridge *b, uint64_t timeout_usec, void (*done)(void *userdata), void *userdata) {
        if (b->stopping)
                return 0;
        b->stopping = true;
        b->stop_done = done;
        b->stop_userdata = userdata;
        log_msg(LOG_INFO, "Stopping: availability offline, disconnecting from %s",
                broker_address(b->broker));
        return broker_stop(b->broker, timeout_usec, on_broker_stopped);
}

struct bridge *bridge_free(struct bridge *b) {
        if (!b)
                return NULL;
        /* First the lock: its pending calls end (cancelled) and free what
         * the command path holds for them. */
        b->stopping = true;
        lock_client_free(b->lock);
        b->lock = NULL;
        if (b->broker)
                broker_free(b->broker);
        bridge_commands_done(b);
        free(b->prefix);
        free(b->t_availability);
        free(b->t_state);
        free(b->t_codes);
        free(b->t_log);
        free(b->t_access);
        free(b->t_alarm);
        free(b->t_command);
        free(b->t_reply);
        free(b->t_hello);
        sd_event_unref(b->event);
        free(b);
        return NULL;
}
