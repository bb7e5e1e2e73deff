/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mqtt/discovery.c: every config message is one valid JSON object with
 * every key tests/mqtt/ha-required-keys.txt lists for its platform, on
 * <prefix>/<component>/<node id>/<object id>/config, for every combination
 * of door sensor, passage and commands; the entities each config has; the
 * removal messages; config checks; the command templates. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "discovery.h"
#include "json-scan.h"
#include "lock-view.h"
#include "macro.h"

#define PREFIX "doorlockd/0123456789abcdef0123456789abcdef"
#define NODE "doorlockd_0123456789abcdef0123456789abcdef"

struct required {
        char platform[32];
        char key[64];
};

static struct required *required;
static size_t n_required;

static int load_required(void **state) {
        const char *root = getenv("SOURCE_ROOT");
        char path[4096], line[1024];
        FILE *f;

        (void)state;
        snprintf(path, sizeof(path), "%s/tests/mqtt/ha-required-keys.txt", root ? root : ".");
        f = fopen(path, "re");
        if (!f) {
                fprintf(stderr, "cannot open %s (SOURCE_ROOT)\n", path);
                return -1;
        }
        while (fgets(line, sizeof(line), f)) {
                struct required r;
                struct required *v;
                char origin[16];

                if (line[0] == '#' || line[0] == '\n')
                        continue;
                if (sscanf(line, "%31s %63s %15s", r.platform, r.key, origin) != 3 ||
                    (strcmp(origin, "doc") != 0 && strcmp(origin, "memory") != 0)) {
                        fprintf(stderr, "bad line in %s: %s", path, line);
                        fclose(f);
                        return -1;
                }
                v = realloc(required, (n_required + 1) * sizeof(*v));
                if (!v) {
                        fclose(f);
                        return -1;
                }
                required = v;
                required[n_required++] = r;
        }
        fclose(f);
        return n_required > 0 ? 0 : -1;
}

static int free_required(void **state) {
        (void)state;
        free(required);
        required = NULL;
        n_required = 0;
        return 0;
}

static struct ha_config config(bool door, bool passage, bool commands) {
        return (struct ha_config){
                .discovery_prefix = "homeassistant",
                .topic_prefix = PREFIX,
                .device_name = "Front door",
                .sw_version = "9.9.9",
                .has_door_sensor = door,
                .passage_selectable = passage,
                .commands_enabled = commands,
        };
}

/* "homeassistant/<component>/<node>/<object>/config": the component and
 * object, or fail. */
static void split_topic(const char *topic, char *component, char *object) {
        const char *p;
        size_t n;

        assert_int_equal(strncmp(topic, "homeassistant/", 14), 0);
        p = topic + 14;
        n = strcspn(p, "/");
        assert_true(n > 0 && n < 32);
        memcpy(component, p, n);
        component[n] = '\0';
        p += n;
        assert_int_equal(strncmp(p, "/" NODE "/", strlen(NODE) + 2), 0);
        p += strlen(NODE) + 2;
        n = strcspn(p, "/");
        assert_true(n > 0 && n < 32);
        memcpy(object, p, n);
        object[n] = '\0';
        assert_string_equal(p + n, "/config");
}

static bool has_key(const struct json_doc *doc, const char *key) {
        return json_doc_get(doc, key) != NULL;
}

static void check_required(const struct json_doc *doc, const char *component, bool door) {
        size_t checked = 0;

        for (size_t i = 0; i < n_required; i++) {
                const char *pl = required[i].platform;
                bool applies = strcmp(pl, "*") == 0 || strcmp(pl, component) == 0 ||
                               (door && strncmp(pl, component, strlen(component)) == 0 &&
                                strcmp(pl + strlen(component), "+door") == 0);

                if (!applies)
                        continue;
                if (!has_key(doc, required[i].key))
                        fail_msg("%s config lacks required key %s", component, required[i].key);
                checked++;
        }
        assert_true(checked > 10);
}

static void check_messages(const struct ha_config *c, const struct ha_messages *m) {
        char expected_uid[128];

        for (size_t i = 0; i < m->n; i++) {
                char component[32], object[32];
                const struct json_item *it;
                struct json_doc doc;

                split_topic(m->v[i].topic, component, object);
                if (json_scan(m->v[i].payload, &doc) < 0)
                        fail_msg("not JSON on %s: %s", m->v[i].topic, m->v[i].payload);
                assert_int_equal(doc.items[0].type, 'o');
                check_required(&doc, component, c->has_door_sensor);

                snprintf(expected_uid, sizeof(expected_uid), NODE "_%s", object);
                assert_string_equal(json_doc_get(&doc, "unique_id")->value, expected_uid);
                assert_string_equal(json_doc_get(&doc, "object_id")->value, expected_uid);
                assert_string_equal(json_doc_get(&doc, "availability_topic")->value, PREFIX "/availability");
                assert_string_equal(json_doc_get(&doc, "payload_available")->value, "online");
                assert_string_equal(json_doc_get(&doc, "payload_not_available")->value, "offline");
                assert_int_equal(json_doc_count(&doc, "device.identifiers[]"), 1);
                assert_string_equal(json_doc_get(&doc, "device.identifiers[]")->value, NODE);
                assert_string_equal(json_doc_get(&doc, "device.name")->value, "Front door");
                assert_string_equal(json_doc_get(&doc, "device.manufacturer")->value, "doorlockd");
                assert_string_equal(json_doc_get(&doc, "device.sw_version")->value, "9.9.9");
                /* No PIN field in any config (the template only names
                 * where HA's code goes). */
                assert_false(has_key(&doc, "pin"));
                assert_false(has_key(&doc, "code"));

                it = json_doc_get(&doc, "state_topic");
                assert_non_null(it);
                if (strcmp(component, "event") == 0)
                        assert_string_equal(it->value, strcmp(object, "access") == 0 ? PREFIX "/event/access"
                                                                                     : PREFIX
                                                               "/event/alarm");
                else
                        assert_string_equal(it->value, PREFIX "/state");
                it = json_doc_get(&doc, "command_topic");
                if (it)
                        assert_string_equal(it->value, PREFIX "/command");
                json_doc_free(&doc);

                /* Topics are unique. */
                for (size_t k = 0; k < i; k++)
                        assert_string_not_equal(m->v[k].topic, m->v[i].topic);
        }
}

static bool has_topic(const struct ha_messages *m, const char *component, const char *object) {
        char t[256];

        snprintf(t, sizeof(t), "homeassistant/%s/" NODE "/%s/config", component, object);
        for (size_t i = 0; i < m->n; i++)
                if (strcmp(m->v[i].topic, t) == 0)
                        return true;
        return false;
}

static const char *payload_of(const struct ha_messages *m, const char *component, const char *object) {
        char t[256];

        snprintf(t, sizeof(t), "homeassistant/%s/" NODE "/%s/config", component, object);
        for (size_t i = 0; i < m->n; i++)
                if (strcmp(m->v[i].topic, t) == 0)
                        return m->v[i].payload;
        fail_msg("no %s", t);
        return NULL;
}

static void test_every_config(void **state) {
        (void)state;
        for (unsigned bits = 0; bits < 8; bits++) {
                struct ha_config c = config(bits & 1, bits & 2, bits & 4);
                struct ha_messages m;

                assert_int_equal(ha_discovery_build(&c, &m), 0);
                check_messages(&c, &m);
                assert_true(has_topic(&m, "lock", "lock"));
                assert_int_equal(has_topic(&m, "binary_sensor", "door"), c.has_door_sensor);
                assert_true(has_topic(&m, "binary_sensor", "keypad_locked_out"));
                assert_true(has_topic(&m, "binary_sensor", "clock_untrusted"));
                assert_true(has_topic(&m, "event", "access"));
                assert_true(has_topic(&m, "event", "alarm"));
                assert_int_equal(has_topic(&m, "select", "mode"), c.commands_enabled);
                assert_int_equal(has_topic(&m, "sensor", "mode"), !c.commands_enabled);
                assert_true(has_topic(&m, "sensor", "code_count"));
                assert_true(has_topic(&m, "sensor", "last_access"));
                assert_int_equal(m.n, 8 + (c.has_door_sensor ? 1 : 0));
                ha_messages_free(&m);
                assert_int_equal(m.n, 0);
                assert_null(m.v);
        }
}

static void test_lock_entity(void **state) {
        struct ha_config c = config(true, false, true);
        const struct json_item *it;
        struct ha_messages m;
        struct json_doc doc;

        (void)state;
        assert_int_equal(ha_discovery_build(&c, &m), 0);
        assert_int_equal(json_scan(payload_of(&m, "lock", "lock"), &doc), 0);
        assert_int_equal(json_doc_get(&doc, "name")->type, 'z');
        assert_string_equal(json_doc_get(&doc, "value_template")->value, "{{ value_json.lock }}");
        assert_string_equal(json_doc_get(&doc, "code_format")->value, "^\\d{6,10}$");
        assert_string_equal(json_doc_get(&doc, "payload_open")->value, "open");
        assert_string_equal(json_doc_get(&doc, "state_open")->value, "open");
        assert_string_equal(json_doc_get(&doc, "state_opening")->value, "opening");
        /* Every state lock_view_ha_state() can give has its state_ key. */
        {
                static const char *const keys[] = { "state_locked",    "state_unlocked", "state_locking",
                                                    "state_unlocking", "state_jammed",   "state_open",
                                                    "state_opening" };
                static const char *const values[] = { "locked", "unlocked", "locking", "unlocking",
                                                      "jammed", "open",     "opening" };
                for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                        assert_string_equal(json_doc_get(&doc, keys[i])->value, values[i]);
        }
        /* One JSON command with an id and a time in µs, rendered by HA. */
        it = json_doc_get(&doc, "command_template");
        assert_non_null(strstr(it->value, "now().timestamp() * 1000000"));
        assert_non_null(strstr(it->value, "\"id\":\"ha-{{ t }}-"));
        assert_non_null(strstr(it->value, "\"time\":{{ t }}"));
        assert_non_null(strstr(it->value, "\"action\":"));
        assert_non_null(strstr(it->value, "{% if value != 'lock' and code %},\"pin\":{{ code | tojson }}"));
        json_doc_free(&doc);
        ha_messages_free(&m);

        /* Without a door sensor: no open, no opening. */
        c = config(false, false, true);
        c.min_pin_length = 4;
        c.max_pin_length = 12;
        assert_int_equal(ha_discovery_build(&c, &m), 0);
        assert_int_equal(json_scan(payload_of(&m, "lock", "lock"), &doc), 0);
        assert_false(has_key(&doc, "payload_open"));
        assert_false(has_key(&doc, "state_open"));
        assert_false(has_key(&doc, "state_opening"));
        assert_string_equal(json_doc_get(&doc, "code_format")->value, "^\\d{4,12}$");
        json_doc_free(&doc);
        ha_messages_free(&m);
}

static void test_other_entities(void **state) {
        struct ha_config c = config(true, true, true);
        const enum lock_alarm *kinds;
        struct ha_messages m;
        struct json_doc doc;
        size_t n;

        (void)state;
        assert_int_equal(ha_discovery_build(&c, &m), 0);

        assert_int_equal(json_scan(payload_of(&m, "binary_sensor", "door"), &doc), 0);
        assert_string_equal(json_doc_get(&doc, "device_class")->value, "door");
        json_doc_free(&doc);
        assert_int_equal(json_scan(payload_of(&m, "binary_sensor", "keypad_locked_out"), &doc), 0);
        assert_string_equal(json_doc_get(&doc, "device_class")->value, "problem");
        json_doc_free(&doc);
        assert_int_equal(json_scan(payload_of(&m, "binary_sensor", "clock_untrusted"), &doc), 0);
        assert_string_equal(json_doc_get(&doc, "device_class")->value, "problem");
        assert_non_null(strstr(json_doc_get(&doc, "value_template")->value, "clock_trusted"));
        json_doc_free(&doc);

        assert_int_equal(json_scan(payload_of(&m, "event", "access"), &doc), 0);
        assert_int_equal(json_doc_count(&doc, "event_types[]"), 2);
        assert_string_equal(doc.items[json_doc_get(&doc, "event_types[]") - doc.items].value, "granted");
        assert_string_equal(doc.items[json_doc_get(&doc, "event_types[]") - doc.items + 1].value, "denied");
        json_doc_free(&doc);

        /* The alarm event types are the ones lock-view.c publishes. */
        kinds = lock_alarm_event_kinds(&n);
        assert_int_equal(json_scan(payload_of(&m, "event", "alarm"), &doc), 0);
        assert_int_equal(json_doc_count(&doc, "event_types[]"), n);
        for (size_t i = 0; i < n; i++) {
                const struct json_item *first = json_doc_get(&doc, "event_types[]");
                assert_string_equal(first[i].value, lock_alarm_to_event_type(kinds[i]));
        }
        json_doc_free(&doc);

        assert_int_equal(json_scan(payload_of(&m, "select", "mode"), &doc), 0);
        assert_int_equal(json_doc_count(&doc, "options[]"), 3);
        assert_non_null(strstr(json_doc_get(&doc, "command_template")->value, "\"action\":\"mode\""));
        assert_non_null(strstr(json_doc_get(&doc, "command_template")->value, "\"time\":{{ t }}"));
        json_doc_free(&doc);

        assert_int_equal(json_scan(payload_of(&m, "sensor", "last_access"), &doc), 0);
        assert_string_equal(json_doc_get(&doc, "device_class")->value, "timestamp");
        json_doc_free(&doc);
        ha_messages_free(&m);

        /* Passage not selectable: two options. */
        c = config(true, false, true);
        assert_int_equal(ha_discovery_build(&c, &m), 0);
        assert_int_equal(json_scan(payload_of(&m, "select", "mode"), &doc), 0);
        assert_int_equal(json_doc_count(&doc, "options[]"), 2);
        json_doc_free(&doc);
        ha_messages_free(&m);

        /* No commands: the mode is a read-only enum sensor, all three. */
        c = config(true, false, false);
        assert_int_equal(ha_discovery_build(&c, &m), 0);
        assert_int_equal(json_scan(payload_of(&m, "sensor", "mode"), &doc), 0);
        assert_string_equal(json_doc_get(&doc, "device_class")->value, "enum");
        assert_int_equal(json_doc_count(&doc, "options[]"), 3);
        assert_false(has_key(&doc, "command_topic"));
        json_doc_free(&doc);
        ha_messages_free(&m);
}

static void test_removal(void **state) {
        (void)state;
        for (unsigned bits = 0; bits < 8; bits++) {
                struct ha_config c = config(bits & 1, bits & 2, bits & 4);
                struct ha_messages m, rm;

                assert_int_equal(ha_discovery_build(&c, &m), 0);
                assert_int_equal(ha_discovery_build_removal(&c, &rm), 0);
                assert_int_equal(rm.n, 10);
                for (size_t i = 0; i < rm.n; i++) {
                        char component[32], object[32];

                        split_topic(rm.v[i].topic, component, object);
                        assert_string_equal(rm.v[i].payload, "");
                }
                /* Whatever a config publishes, the removal clears. */
                for (size_t i = 0; i < m.n; i++) {
                        bool found = false;
                        for (size_t k = 0; k < rm.n; k++)
                                found = found || strcmp(m.v[i].topic, rm.v[k].topic) == 0;
                        assert_true(found);
                }
                ha_messages_free(&m);
                ha_messages_free(&rm);
        }
}

static void test_node_id(void **state) {
        _cleanup_free_ char *a = ha_node_id(PREFIX);
        _cleanup_free_ char *b = ha_node_id("site/B 2/ä.x-y_z");

        (void)state;
        assert_string_equal(a, NODE);
        assert_string_equal(b, "site_B_2____x-y_z");
        for (const char *p = b; *p; p++)
                assert_non_null(
                        strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *p));
        assert_null(ha_node_id(NULL));
}

static void test_bad_config(void **state) {
        static const char *const bad_topics[] = {
                "", "/a", "a/", "a//b", "a/+/b", "a/#", "#", "+", "a\xff"
        };
        struct ha_config c;
        struct ha_messages m = { .n = 99 };
        char long_topic[1100];

        (void)state;
        c = config(true, true, true);
        assert_int_equal(ha_config_check(&c), 0);
        assert_int_equal(ha_config_check(NULL), -EINVAL);
        for (size_t i = 0; i < ELEMENTSOF(bad_topics); i++) {
                c = config(true, true, true);
                c.topic_prefix = bad_topics[i];
                assert_int_equal(ha_config_check(&c), -EINVAL);
                assert_int_equal(ha_discovery_build(&c, &m), -EINVAL);
                assert_int_equal(m.n, 0);
                assert_int_equal(ha_discovery_build_removal(&c, &m), -EINVAL);
                c = config(true, true, true);
                c.discovery_prefix = bad_topics[i];
                assert_int_equal(ha_config_check(&c), -EINVAL);
        }
        memset(long_topic, 'a', sizeof(long_topic) - 1);
        long_topic[sizeof(long_topic) - 1] = '\0';
        c = config(true, true, true);
        c.topic_prefix = long_topic;
        assert_int_equal(ha_config_check(&c), -EINVAL);
        c = config(true, true, true);
        c.topic_prefix = NULL;
        assert_int_equal(ha_config_check(&c), -EINVAL);
        c = config(true, true, true);
        c.device_name = "";
        assert_int_equal(ha_config_check(&c), -EINVAL);
        c.device_name = NULL;
        assert_int_equal(ha_config_check(&c), -EINVAL);
        c = config(true, true, true);
        c.min_pin_length = 11; /* above the default max of 10 */
        assert_int_equal(ha_config_check(&c), -EINVAL);
        c.max_pin_length = 65;
        assert_int_equal(ha_config_check(&c), -EINVAL);
        c.max_pin_length = 64;
        assert_int_equal(ha_config_check(&c), 0);
        /* Device names are escaped, not rejected, when odd but valid. */
        c = config(false, false, false);
        c.device_name = "Door \"A\"\n";
        c.sw_version = NULL;
        assert_int_equal(ha_discovery_build(&c, &m), 0);
        for (size_t i = 0; i < m.n; i++) {
                struct json_doc doc;
                assert_int_equal(json_scan(m.v[i].payload, &doc), 0);
                assert_string_equal(json_doc_get(&doc, "device.name")->value, "Door \"A\"\n");
                assert_non_null(json_doc_get(&doc, "device.sw_version"));
                json_doc_free(&doc);
        }
        ha_messages_free(&m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_config),   cmocka_unit_test(test_lock_entity),
                cmocka_unit_test(test_other_entities), cmocka_unit_test(test_removal),
                cmocka_unit_test(test_node_id),        cmocka_unit_test(test_bad_config),
        };

        return cmocka_run_group_tests(tests, load_required, free_required);
}
