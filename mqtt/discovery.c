/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Home Assistant MQTT discovery messages for one lock (discovery.h).
 *
 * The entities, by object id:
 *   lock/lock                      the bolt (and the door, with a sensor)
 *   binary_sensor/door             device_class door (only with a sensor)
 *   binary_sensor/keypad_locked_out, binary_sensor/clock_untrusted
 *                                  device_class problem
 *   event/access, event/alarm      P/event/access, P/event/alarm
 *   select/mode                    with commands enabled
 *   sensor/mode                    read-only instead, without commands
 *   sensor/code_count, sensor/last_access
 * Which keys Home Assistant needs, and from where we know: see
 * tests/mqtt/ha-required-keys.txt. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build-config.h"
#include "code-name.h"
#include "discovery.h"
#include "json-out.h"
#include "lock-view.h"
#include "macro.h"

#define TOPIC_PREFIX_MAX 1024
#define PIN_LENGTH_MAX 64

/* Home Assistant's Jinja renders the command's id and time when the user
 * acts: µs since the epoch (the bridge's "time", checked against MaxAge),
 * and an id unique enough that two commands within one µs still differ. */
#define JINJA_ID_TIME                                                                                       \
        "{% set t = (now().timestamp() * 1000000) | int %}"                                                 \
        "{\"id\":\"ha-{{ t }}-{{ range(1000000) | random }}\",\"time\":{{ t }},"

/* lock/unlock/open as the bridge's actions (open unlocks: the door is then
 * free to open); the PIN only where the bridge takes one (unlock), never on
 * lock (strict commands: an unknown key is InvalidPayload). */
static const char lock_command_template[] =
        JINJA_ID_TIME "\"action\":\"{{ 'lock' if value == 'lock' else 'unlock' }}\""
                      "{% if value != 'lock' and code %},\"pin\":{{ code | tojson }}{% endif %}}";

static const char mode_command_template[] =
        JINJA_ID_TIME "\"action\":\"mode\",\"mode\":{{ value | tojson }}}";

struct ctx {
        const struct ha_config *c;
        char *node_id;
        char *state_topic;
        char *command_topic;
        char *availability_topic;
        char *access_topic;
        char *alarm_topic;
};

static void ctx_done(struct ctx *x) {
        free(x->node_id);
        free(x->state_topic);
        free(x->command_topic);
        free(x->availability_topic);
        free(x->access_topic);
        free(x->alarm_topic);
}

char *ha_node_id(const char *topic_prefix) {
        char *s;

        if (!topic_prefix)
                return NULL;
        s = strdup(topic_prefix);
        if (!s)
                return NULL;
        for (char *p = s; *p; p++) {
                bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                          *p == '_' || *p == '-';
                if (!ok)
                        *p = '_';
        }
        return s;
}

static bool topic_ok(const char *t) {
        size_t n;

        if (!t)
                return false;
        n = strlen(t);
        if (n == 0 || n > TOPIC_PREFIX_MAX || dl_utf8_length(t, n) < 0)
                return false;
        if (t[0] == '/' || t[n - 1] == '/' || strstr(t, "//"))
                return false;
        return strpbrk(t, "+#") == NULL;
}

static void pin_lengths(const struct ha_config *c, unsigned *min, unsigned *max) {
        *min = c->min_pin_length ? c->min_pin_length : 6;
        *max = c->max_pin_length ? c->max_pin_length : 10;
}

int ha_config_check(const struct ha_config *c) {
        unsigned min, max;

        if (!c || !topic_ok(c->discovery_prefix) || !topic_ok(c->topic_prefix))
                return -EINVAL;
        if (!c->device_name || !*c->device_name ||
            dl_utf8_length(c->device_name, strlen(c->device_name)) < 0)
                return -EINVAL;
        if (c->sw_version && dl_utf8_length(c->sw_version, strlen(c->sw_version)) < 0)
                return -EINVAL;
        pin_lengths(c, &min, &max);
        if (min < 1 || min > max || max > PIN_LENGTH_MAX)
                return -EINVAL;
        return 0;
}

static char *join(const char *a, const char *b) {
        char *s;

        if (asprintf(&s, "%s/%s", a, b) < 0)
                return NULL;
        return s;
}

static int ctx_init(struct ctx *x, const struct ha_config *c) {
        const char *p = c->topic_prefix;

        *x = (struct ctx){ .c = c };
        x->node_id = ha_node_id(p);
        x->state_topic = join(p, "state");
        x->command_topic = join(p, "command");
        x->availability_topic = join(p, "availability");
        x->access_topic = join(p, "event/access");
        x->alarm_topic = join(p, "event/alarm");
        if (!x->node_id || !x->state_topic || !x->command_topic || !x->availability_topic ||
            !x->access_topic || !x->alarm_topic) {
                ctx_done(x);
                return -ENOMEM;
        }
        return 0;
}

void ha_messages_free(struct ha_messages *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n; i++) {
                free(m->v[i].topic);
                free(m->v[i].payload);
        }
        free(m->v);
        m->v = NULL;
        m->n = 0;
}

/* Takes topic and payload (freed on failure). */
static int messages_add(struct ha_messages *m, char *topic, char *payload) {
        struct ha_message *v;

        if (!topic || !payload) {
                free(topic);
                free(payload);
                return -ENOMEM;
        }
        v = realloc(m->v, (m->n + 1) * sizeof(*v));
        if (!v) {
                free(topic);
                free(payload);
                return -ENOMEM;
        }
        m->v = v;
        m->v[m->n++] = (struct ha_message){ .topic = topic, .payload = payload };
        return 0;
}

static char *config_topic(const struct ctx *x, const char *component, const char *object) {
        char *s;

        if (asprintf(&s, "%s/%s/%s/%s/config", x->c->discovery_prefix, component, x->node_id, object) < 0)
                return NULL;
        return s;
}

static void json_string_array(struct json *j, const char *key, const char *const *v, size_t n) {
        json_key(j, key);
        fputc('[', j->f);
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        fputc(',', j->f);
                json_string(j->f, v[i]);
        }
        fputc(']', j->f);
}

static void json_kv_object_id(struct json *j, const char *key, const struct ctx *x, const char *object) {
        json_key(j, key);
        fputc('"', j->f);
        /* The node id is [A-Za-z0-9_-] and the object ids are literals
         * below: nothing to escape. */
        fprintf(j->f, "%s_%s", x->node_id, object);
        fputc('"', j->f);
}

/* One entity: the keys every entity has, then its own. */
typedef void (*entity_body_t)(struct json *j, const struct ctx *x);

static int add_entity(struct ha_messages *m, const struct ctx *x, const char *component, const char *object,
                      const char *name, entity_body_t body) {
        const char *sw = x->c->sw_version ? x->c->sw_version : PACKAGE_VERSION;
        char *buf = NULL;
        size_t len = 0;
        struct json j, d;
        FILE *f;

        f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        json_begin(&j, f);
        json_key(&j, "name");
        /* null: the device's main feature, named after the device. */
        if (name)
                json_string(f, name);
        else
                fputs("null", f);
        json_kv_object_id(&j, "unique_id", x, object);
        json_kv_object_id(&j, "object_id", x, object);
        body(&j, x);
        json_kv_string(&j, "availability_topic", x->availability_topic);
        json_kv_string(&j, "payload_available", "online");
        json_kv_string(&j, "payload_not_available", "offline");
        json_key(&j, "device");
        json_begin(&d, f);
        json_key(&d, "identifiers");
        fputc('[', f);
        json_string(f, x->node_id);
        fputc(']', f);
        json_kv_string(&d, "name", x->c->device_name);
        json_kv_string(&d, "manufacturer", "doorlockd");
        json_kv_string(&d, "model", "doorlockd-mqtt gateway");
        json_kv_string(&d, "sw_version", sw);
        json_end(&d);
        json_end(&j);
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        return messages_add(m, config_topic(x, component, object), buf);
}

static void lock_body(struct json *j, const struct ctx *x) {
        unsigned min, max;

        json_kv_string(j, "state_topic", x->state_topic);
        json_kv_string(j, "value_template", "{{ value_json.lock }}");
        json_kv_string(j, "command_topic", x->command_topic);
        json_kv_string(j, "command_template", lock_command_template);
        json_kv_string(j, "payload_lock", "lock");
        json_kv_string(j, "payload_unlock", "unlock");
        json_kv_string(j, "state_locked", "locked");
        json_kv_string(j, "state_unlocked", "unlocked");
        json_kv_string(j, "state_locking", "locking");
        json_kv_string(j, "state_unlocking", "unlocking");
        json_kv_string(j, "state_jammed", "jammed");
        if (x->c->has_door_sensor) {
                json_kv_string(j, "payload_open", "open");
                json_kv_string(j, "state_open", "open");
                json_kv_string(j, "state_opening", "opening");
        }
        pin_lengths(x->c, &min, &max);
        json_key(j, "code_format");
        fprintf(j->f, "\"^\\\\d{%u,%u}$\"", min, max);
        json_kv_bool(j, "optimistic", false);
        json_kv_bool(j, "retain", false);
        json_kv_unsigned(j, "qos", 1);
}

static void binary_common(struct json *j, const struct ctx *x, const char *device_class, const char *tmpl) {
        json_kv_string(j, "state_topic", x->state_topic);
        json_kv_string(j, "value_template", tmpl);
        json_kv_string(j, "payload_on", "ON");
        json_kv_string(j, "payload_off", "OFF");
        json_kv_string(j, "device_class", device_class);
}

static void door_body(struct json *j, const struct ctx *x) {
        /* "None": Home Assistant's unknown, for a door not yet reported. */
        binary_common(j, x, "door",
                      "{{ 'ON' if value_json.door == 'open' else ('OFF' if value_json.door == 'closed' "
                      "else 'None') }}");
}

static void keypad_body(struct json *j, const struct ctx *x) {
        binary_common(j, x, "problem", "{{ 'ON' if value_json.keypad_locked_out else 'OFF' }}");
        json_kv_string(j, "entity_category", "diagnostic");
        json_kv_string(j, "json_attributes_topic", x->state_topic);
        json_kv_string(j, "json_attributes_template",
                       "{{ {'until': value_json.keypad_locked_until, "
                       "'network_locked_out': value_json.network_locked_out, "
                       "'network_until': value_json.network_locked_until} | tojson }}");
}

static void clock_body(struct json *j, const struct ctx *x) {
        binary_common(j, x, "problem", "{{ 'OFF' if value_json.clock_trusted else 'ON' }}");
        json_kv_string(j, "entity_category", "diagnostic");
}

static void access_body(struct json *j, const struct ctx *x) {
        static const char *const types[] = { "granted", "denied" };

        json_kv_string(j, "state_topic", x->access_topic);
        json_string_array(j, "event_types", types, ELEMENTSOF(types));
        json_kv_unsigned(j, "qos", 1);
}

static void alarm_body(struct json *j, const struct ctx *x) {
        const char *types[_LOCK_ALARM_MAX];
        const enum lock_alarm *kinds;
        size_t n;

        kinds = lock_alarm_event_kinds(&n);
        for (size_t i = 0; i < n && i < ELEMENTSOF(types); i++)
                types[i] = lock_alarm_to_event_type(kinds[i]);
        json_kv_string(j, "state_topic", x->alarm_topic);
        json_string_array(j, "event_types", types, MIN(n, ELEMENTSOF(types)));
        json_kv_unsigned(j, "qos", 1);
}

static void mode_options(struct json *j, const struct ctx *x) {
        const char *options[] = { lock_mode_to_string(LOCK_MODE_NORMAL),
                                  lock_mode_to_string(LOCK_MODE_PRIVACY),
                                  lock_mode_to_string(LOCK_MODE_PASSAGE) };

        json_string_array(j, "options", options, x->c->passage_selectable ? 3 : 2);
}

static void mode_select_body(struct json *j, const struct ctx *x) {
        json_kv_string(j, "state_topic", x->state_topic);
        json_kv_string(j, "value_template", "{{ value_json.mode }}");
        json_kv_string(j, "command_topic", x->command_topic);
        json_kv_string(j, "command_template", mode_command_template);
        mode_options(j, x);
        json_kv_bool(j, "optimistic", false);
        json_kv_bool(j, "retain", false);
        json_kv_unsigned(j, "qos", 1);
}

static void mode_sensor_body(struct json *j, const struct ctx *x) {
        const char *options[] = { lock_mode_to_string(LOCK_MODE_NORMAL),
                                  lock_mode_to_string(LOCK_MODE_PRIVACY),
                                  lock_mode_to_string(LOCK_MODE_PASSAGE) };

        json_kv_string(j, "state_topic", x->state_topic);
        json_kv_string(j, "value_template", "{{ value_json.mode }}");
        json_kv_string(j, "device_class", "enum");
        /* The sensor shows every mode the lock may be in, whoever set it. */
        json_string_array(j, "options", options, ELEMENTSOF(options));
}

static void code_count_body(struct json *j, const struct ctx *x) {
        json_kv_string(j, "state_topic", x->state_topic);
        json_kv_string(j, "value_template", "{{ value_json.code_count }}");
        json_kv_string(j, "state_class", "measurement");
        json_kv_string(j, "icon", "mdi:form-textbox-password");
}

static void last_access_body(struct json *j, const struct ctx *x) {
        json_kv_string(j, "state_topic", x->state_topic);
        /* null before any access: "None", Home Assistant's unknown. */
        json_kv_string(j, "value_template", "{{ value_json.last_access_at }}");
        json_kv_string(j, "device_class", "timestamp");
        json_kv_string(j, "json_attributes_topic", x->state_topic);
        json_kv_string(j, "json_attributes_template",
                       "{{ {'name': value_json.last_access_name, 'source': value_json.last_access_source} "
                       "| tojson }}");
}

struct entity {
        const char *component;
        const char *object;
        const char *name;
        entity_body_t body;
};

/* Every entity the bridge may publish, in publishing order. */
static const struct entity entities[] = {
        { "lock", "lock", NULL, lock_body },
        { "binary_sensor", "door", "Door", door_body },
        { "binary_sensor", "keypad_locked_out", "Keypad locked out", keypad_body },
        { "binary_sensor", "clock_untrusted", "Clock untrusted", clock_body },
        { "event", "access", "Access", access_body },
        { "event", "alarm", "Alarm", alarm_body },
        { "select", "mode", "Mode", mode_select_body },
        { "sensor", "mode", "Mode", mode_sensor_body },
        { "sensor", "code_count", "Codes", code_count_body },
        { "sensor", "last_access", "Last access", last_access_body },
};

static bool entity_wanted(const struct entity *e, const struct ha_config *c) {
        if (e->body == door_body)
                return c->has_door_sensor;
        if (e->body == mode_select_body)
                return c->commands_enabled;
        if (e->body == mode_sensor_body)
                return !c->commands_enabled;
        return true;
}

int ha_discovery_build(const struct ha_config *c, struct ha_messages *ret) {
        struct ha_messages m = {};
        struct ctx x;
        int r;

        *ret = (struct ha_messages){};
        r = ha_config_check(c);
        if (r < 0)
                return r;
        r = ctx_init(&x, c);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(entities); i++) {
                if (!entity_wanted(&entities[i], c))
                        continue;
                r = add_entity(&m, &x, entities[i].component, entities[i].object, entities[i].name,
                               entities[i].body);
                if (r < 0)
                        break;
        }
        ctx_done(&x);
        if (r < 0) {
                ha_messages_free(&m);
                return r;
        }
        *ret = m;
        return 0;
}

int ha_discovery_build_removal(const struct ha_config *c, struct ha_messages *ret) {
        struct ha_messages m = {};
        struct ctx x;
        int r;

        *ret = (struct ha_messages){};
        r = ha_config_check(c);
        if (r < 0)
                return r;
        r = ctx_init(&x, c);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(entities); i++) {
                r = messages_add(&m, config_topic(&x, entities[i].component, entities[i].object),
                                 strdup(""));
                if (r < 0)
                        break;
        }
        ctx_done(&x);
        if (r < 0) {
                ha_messages_free(&m);
                return r;
        }
        *ret = m;
        return 0;
}
