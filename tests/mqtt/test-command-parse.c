/* SPDX-License-Identifier: GPL-2.0-or-later */
/* command_parse(): every action with every field, and every way a payload
 * is refused (InvalidPayload naming the key, UnknownAction), with the id
 * kept for the reply whenever it could be read, and never a PIN in a
 * message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the four above. */
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"

#define MAX_PAYLOAD 4096
#define PIN "482913"

static int parse(const char *s, struct command *c, struct command_error *e) {
        return command_parse(s, strlen(s), MAX_PAYLOAD, c, e);
}

static void parses(const char *s, struct command *c) {
        struct command_error e;

        if (parse(s, c, &e) != 0)
                fail_msg("%s: %s: %s", s, e.name, e.message);
        assert_null(e.name);
}

/* Refused with name; the message holds want (when given), and neither the
 * PIN nor any digit run of four or more that the payload holds. */
static void refused_id(const char *s, const char *name, const char *want, const char *id) {
        struct command c;
        struct command_error e;
        int r = parse(s, &c, &e);

        if (r != -EINVAL)
                fail_msg("%s: %d, not -EINVAL", s, r);
        assert_non_null(e.name);
        if (strcmp(e.name, name) != 0)
                fail_msg("%s: %s (%s), wanted %s", s, e.name, e.message, name);
        if (want && !strstr(e.message, want))
                fail_msg("%s: message \"%s\" does not say \"%s\"", s, e.message, want);
        assert_null(strstr(e.message, PIN));
        assert_string_equal(c.id, id);
        command_done(&c);
}

static void refused(const char *s, const char *want) {
        refused_id(s, MQTT_ERROR_INVALID_PAYLOAD, want, "c1");
}

static void test_lock(void **state) {
        struct command c;

        (void)state;
        parses("{\"id\":\"c1\",\"time\":1764870000000000,\"action\":\"lock\"}", &c);
        assert_string_equal(c.id, "c1");
        assert_int_equal(c.action, COMMAND_LOCK);
        assert_true(c.has_action);
        assert_true(c.has_time);
        assert_true(c.time == UINT64_C(1764870000000000));
        assert_false(c.has_pin);
        command_done(&c);

        /* time may be left out (an MQTT 5 expiry then carries it: the check's
         * business); key order does not matter. */
        parses("{\"action\":\"lock\",\"id\":\"A-z_0.9:x\"}", &c);
        assert_string_equal(c.id, "A-z_0.9:x");
        assert_false(c.has_time);
        command_done(&c);
}

static void test_unlock(void **state) {
        struct command c;

        (void)state;
        parses("{\"id\":\"c2\",\"time\":1,\"action\":\"unlock\",\"pin\":\"" PIN "\"}", &c);
        assert_int_equal(c.action, COMMAND_UNLOCK);
        assert_true(c.has_pin);
        assert_string_equal(c.pin, PIN);
        command_done(&c);
        /* command_done() wipes it all. */
        for (size_t i = 0; i < sizeof(c); i++)
                assert_int_equal(((const unsigned char *)&c)[i], 0);

        parses("{\"id\":\"c2\",\"time\":1,\"action\":\"unlock\"}", &c);
        assert_false(c.has_pin);
        command_done(&c);
        parses("{\"id\":\"c\",\"action\":\"unlock\",\"pin\":\"1234\"}", &c);
        assert_string_equal(c.pin, "1234");
        command_done(&c);
        parses("{\"id\":\"c\",\"action\":\"unlock\",\"pin\":\"012345678901\"}", &c);
        assert_string_equal(c.pin, "012345678901");
        command_done(&c);
}

static void test_mode(void **state) {
        static const struct {
                const char *name;
                enum lock_mode mode;
        } modes[] = {
                { "normal", LOCK_MODE_NORMAL },
                { "privacy", LOCK_MODE_PRIVACY },
                { "passage", LOCK_MODE_PASSAGE },
        };
        struct command c;
        char text[256];

        (void)state;
        for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
                snprintf(text, sizeof(text),
                         "{\"id\":\"c3\",\"time\":1,\"action\":\"mode\",\"mode\":\"%s\"}", modes[i].name);
                parses(text, &c);
                assert_int_equal(c.action, COMMAND_MODE);
                assert_int_equal(c.mode, modes[i].mode);
                assert_false(c.has_pin);
                command_done(&c);
        }
        parses("{\"id\":\"c3\",\"time\":1,\"action\":\"mode\",\"mode\":\"passage\",\"pin\":\"" PIN "\"}",
               &c);
        assert_int_equal(c.mode, LOCK_MODE_PASSAGE);
        assert_string_equal(c.pin, PIN);
        command_done(&c);
}

static void test_add_code(void **state) {
        struct command c;

        (void)state;
        parses("{\"id\":\"c4\",\"time\":1,\"action\":\"add_code\",\"name\":\"Anna\",\"pin\":\"" PIN "\","
               "\"one_time\":false,\"valid_from\":1000,\"valid_until\":2000,\"max_uses\":5,"
               "\"schedule\":[{\"days\":31,\"start\":480,\"end\":1080},{\"end\":360,\"start\":1320,\"days\":"
               "64}]}",
               &c);
        assert_int_equal(c.action, COMMAND_ADD_CODE);
        assert_true(c.has_name);
        assert_string_equal(c.name, "Anna");
        assert_string_equal(c.pin, PIN);
        assert_true(c.has_one_time);
        assert_false(c.one_time);
        assert_true(c.has_valid_from);
        assert_int_equal(c.valid_from, 1000);
        assert_true(c.has_valid_until);
        assert_int_equal(c.valid_until, 2000);
        assert_true(c.has_max_uses);
        assert_int_equal(c.max_uses, 5);
        assert_true(c.has_schedule);
        assert_int_equal(c.n_windows, 2);
        assert_int_equal(c.windows[0].days, 31);
        assert_int_equal(c.windows[0].start, 480);
        assert_int_equal(c.windows[0].end, 1080);
        assert_int_equal(c.windows[1].days, 64); /* Sunday, over midnight */
        assert_int_equal(c.windows[1].start, 1320);
        assert_int_equal(c.windows[1].end, 360);
        command_done(&c);

        /* Only the name is required by the parser (the PIN is the check's:
         * PinRequired); UTF-8 names. */
        parses("{\"id\":\"c4\",\"action\":\"add_code\",\"name\":\"J\\u00f6rg\"}", &c);
        assert_string_equal(c.name, "J\xc3\xb6rg");
        assert_false(c.has_pin);
        assert_false(c.has_one_time);
        assert_false(c.has_schedule);
        command_done(&c);

        parses("{\"id\":\"c4\",\"action\":\"add_code\",\"name\":\"Guest\",\"one_time\":true,\"max_uses\":1,"
               "\"schedule\":[]}",
               &c);
        assert_true(c.one_time);
        assert_true(c.has_schedule);
        assert_int_equal(c.n_windows, 0);
        command_done(&c);

        /* valid_until 0 is "none": no order to check. */
        parses("{\"id\":\"c4\",\"action\":\"add_code\",\"name\":\"A\",\"valid_from\":5,\"valid_until\":0}",
               &c);
        command_done(&c);
}

static void test_edit_code(void **state) {
        struct command c;

        (void)state;
        parses("{\"id\":\"c5\",\"time\":1,\"action\":\"edit_code\",\"code_id\":3,\"name\":\"Bob\","
               "\"enabled\":false,"
               "\"valid_from\":0,\"valid_until\":9,\"max_uses\":0,\"schedule\":[{\"days\":127,\"start\":0,"
               "\"end\":1440}]}",
               &c);
        assert_int_equal(c.action, COMMAND_EDIT_CODE);
        assert_int_equal(c.code_id, 3);
        assert_string_equal(c.name, "Bob");
        assert_true(c.has_enabled);
        assert_false(c.enabled);
        assert_true(c.has_max_uses);
        assert_int_equal(c.max_uses, 0);
        assert_int_equal(c.n_windows, 1);
        command_done(&c);

        parses("{\"id\":\"c5\",\"action\":\"edit_code\",\"code_id\":4294967295,\"enabled\":true}", &c);
        assert_int_equal(c.code_id, UINT32_MAX);
        assert_false(c.has_name);
        command_done(&c);
}

static void test_code_id_actions(void **state) {
        static const struct {
                const char *name;
                enum command_action a;
        } actions[] = {
                { "remove_code", COMMAND_REMOVE_CODE },
                { "enable_code", COMMAND_ENABLE_CODE },
                { "disable_code", COMMAND_DISABLE_CODE },
        };
        char text[256];

        (void)state;
        for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
                struct command c;

                snprintf(text, sizeof(text), "{\"id\":\"c6\",\"time\":1,\"action\":\"%s\",\"code_id\":3}",
                         actions[i].name);
                parses(text, &c);
                assert_int_equal(c.action, actions[i].a);
                assert_int_equal(c.code_id, 3);
                command_done(&c);

                snprintf(text, sizeof(text), "{\"id\":\"c1\",\"action\":\"%s\"}", actions[i].name);
                refused(text, "code_id: missing");
                snprintf(text, sizeof(text),
                         "{\"id\":\"c1\",\"action\":\"%s\",\"code_id\":3,\"name\":\"x\"}", actions[i].name);
                refused(text, "name: not a key of action");
        }
}

static void test_actions(void **state) {
        (void)state;
        for (int a = 0; a < _COMMAND_ACTION_MAX; a++) {
                enum command_action back;
                const char *s = command_action_to_string((enum command_action)a);

                assert_non_null(s);
                assert_int_equal(command_action_from_string(s, &back), 0);
                assert_int_equal(back, a);
                assert_true(command_action_needs_secure_link((enum command_action)a));
                assert_int_equal(command_action_changes_codes((enum command_action)a),
                                 a >= COMMAND_ADD_CODE);
        }
        assert_null(command_action_to_string(_COMMAND_ACTION_MAX));
        assert_int_equal(command_action_from_string("Lock", NULL), -EINVAL);
        assert_int_equal(command_action_from_string(NULL, NULL), -EINVAL);
        assert_string_equal(command_action_to_string(COMMAND_ADD_CODE), "add_code");
}

static void test_not_json(void **state) {
        (void)state;
        refused_id("", MQTT_ERROR_INVALID_PAYLOAD, "not a command object", "");
        refused_id("lock", MQTT_ERROR_INVALID_PAYLOAD, "not a command object", "");
        refused_id("[\"lock\"]", MQTT_ERROR_INVALID_PAYLOAD, "not an object", "");
        refused_id("{\"id\":\"c1\",\"action\":\"lock\"", MQTT_ERROR_INVALID_PAYLOAD, "unexpected end", "");
        refused_id("{\"id\":\"c1\",\"action\":\"lock\"} x", MQTT_ERROR_INVALID_PAYLOAD, "trailing", "");
        refused_id("{\"id\":\"c1\",\"id\":\"c1\",\"action\":\"lock\"}", MQTT_ERROR_INVALID_PAYLOAD, "twice",
                   "");
        refused_id("{\"id\":\"c1\",\"action\":\"unlock\",\"pin\":\"" PIN "\xff\"}",
                   MQTT_ERROR_INVALID_PAYLOAD, "UTF-8", "");
        refused_id("{\"id\":\"c1\",\"action\":\"lock\",\"time\":1.5}", MQTT_ERROR_INVALID_PAYLOAD,
                   "only integers", "");
        refused_id("{\"id\":\"c1\",\"action\":\"lock\",\"x\":[[[[1]]]]}", MQTT_ERROR_INVALID_PAYLOAD,
                   "deeper", "");
}

static void test_too_big(void **state) {
        const char *s = "{\"id\":\"c1\",\"action\":\"lock\"}";
        struct command c;
        struct command_error e;

        (void)state;
        /* Exactly at MaxPayload: parsed; one byte more: refused unparsed. */
        assert_int_equal(command_parse(s, strlen(s), strlen(s), &c, &e), 0);
        command_done(&c);
        assert_int_equal(command_parse(s, strlen(s), strlen(s) - 1, &c, &e), -EINVAL);
        assert_string_equal(e.name, MQTT_ERROR_INVALID_PAYLOAD);
        assert_non_null(strstr(e.message, "MaxPayload"));
        assert_string_equal(c.id, "");
        assert_false(c.has_action);
        command_done(&c);
        /* Not NUL-terminated: only len bytes are read. */
        assert_int_equal(
                command_parse("{\"id\":\"c1\",\"action\":\"lock\"}garbage", strlen(s), MAX_PAYLOAD, &c, &e),
                0);
        command_done(&c);
        assert_int_equal(command_parse(NULL, 0, MAX_PAYLOAD, &c, &e), -EINVAL);
        command_done(&c);
        assert_int_equal(command_parse(s, strlen(s), MAX_PAYLOAD, NULL, &e), -EINVAL);
        assert_int_equal(command_parse(s, strlen(s), MAX_PAYLOAD, &c, NULL), 0); /* err may be NULL */
        command_done(&c);
}

static void test_id(void **state) {
        char text[256], id[80];

        (void)state;
        refused_id("{\"action\":\"lock\"}", MQTT_ERROR_INVALID_PAYLOAD, "\"id\" is missing", "");
        refused_id("{\"id\":1,\"action\":\"lock\"}", MQTT_ERROR_INVALID_PAYLOAD, "id: must be a string", "");
        refused_id("{\"id\":null,\"action\":\"lock\"}", MQTT_ERROR_INVALID_PAYLOAD, "id: must be a string",
                   "");
        refused_id("{\"id\":\"\",\"action\":\"lock\"}", MQTT_ERROR_INVALID_PAYLOAD, "id: must be 1 to 64",
                   "");
        refused_id("{\"id\":\"a b\",\"action\":\"lock\"}", MQTT_ERROR_INVALID_PAYLOAD, "id:", "");
        refused_id("{\"id\":\"a/b\",\"action\":\"lock\"}", MQTT_ERROR_INVALID_PAYLOAD, "id:", "");
        refused_id("{\"id\":\"\\u00e9\",\"action\":\"lock\"}", MQTT_ERROR_INVALID_PAYLOAD, "id:", "");
        /* 64 characters: fine; 65: not. */
        memset(id, 'x', 64);
        id[64] = '\0';
        snprintf(text, sizeof(text), "{\"id\":\"%s\",\"action\":\"lock\"}", id);
        {
                struct command c;

                parses(text, &c);
                assert_string_equal(c.id, id);
                command_done(&c);
        }
        id[64] = 'x';
        id[65] = '\0';
        snprintf(text, sizeof(text), "{\"id\":\"%s\",\"action\":\"lock\"}", id);
        refused_id(text, MQTT_ERROR_INVALID_PAYLOAD, "id:", "");
}

static void test_action(void **state) {
        (void)state;
        refused_id("{\"id\":\"c1\"}", MQTT_ERROR_INVALID_PAYLOAD, "\"action\" is missing", "c1");
        refused_id("{\"id\":\"c1\",\"action\":1}", MQTT_ERROR_INVALID_PAYLOAD, "action: must be a string",
                   "c1");
        refused_id("{\"id\":\"c1\",\"action\":[\"lock\"]}", MQTT_ERROR_INVALID_PAYLOAD,
                   "action: must be a string", "c1");
        refused_id("{\"id\":\"c1\",\"action\":\"open\"}", MQTT_ERROR_UNKNOWN_ACTION, "action: not one of",
                   "c1");
        refused_id("{\"id\":\"c1\",\"action\":\"LOCK\"}", MQTT_ERROR_UNKNOWN_ACTION, NULL, "c1");
        refused_id("{\"id\":\"c1\",\"action\":\"\"}", MQTT_ERROR_UNKNOWN_ACTION, NULL, "c1");
        /* An unknown action with a PIN: the PIN is not in the message. */
        refused_id("{\"id\":\"c1\",\"action\":\"" PIN "\",\"pin\":\"" PIN "\"}", MQTT_ERROR_UNKNOWN_ACTION,
                   NULL, "c1");
        /* The action is known in the command for the reply, even when a
         * later key is bad. */
        {
                struct command c;
                struct command_error e;

                assert_int_equal(parse("{\"id\":\"c1\",\"action\":\"unlock\",\"pin\":5}", &c, &e), -EINVAL);
                assert_true(c.has_action);
                assert_int_equal(c.action, COMMAND_UNLOCK);
                command_done(&c);
                assert_int_equal(parse("{\"id\":\"c1\",\"action\":\"dance\"}", &c, &e), -EINVAL);
                assert_false(c.has_action);
                command_done(&c);
        }
}

static void test_unknown_keys(void **state) {
        (void)state;
        refused("{\"id\":\"c1\",\"action\":\"lock\",\"force\":true}", "unknown key \"force\"");
        refused("{\"id\":\"c1\",\"action\":\"lock\",\"Time\":1}", "unknown key \"Time\"");
        /* A key that could be a secret is not repeated. */
        refused("{\"id\":\"c1\",\"action\":\"lock\",\"" PIN "\":1}", "an unknown key");
        refused("{\"id\":\"c1\",\"action\":\"lock\",\"p\\u00edn\":1}", "an unknown key");
        /* Keys of another action. */
        refused("{\"id\":\"c1\",\"action\":\"lock\",\"pin\":\"" PIN "\"}", "pin: not a key of action lock");
        refused("{\"id\":\"c1\",\"action\":\"unlock\",\"mode\":\"normal\"}",
                "mode: not a key of action unlock");
        refused("{\"id\":\"c1\",\"action\":\"unlock\",\"code_id\":1}",
                "code_id: not a key of action unlock");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"code_id\":1}",
                "code_id: not a key of action add_code");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"enabled\":true}",
                "enabled: not a key of action add_code");
        refused("{\"id\":\"c1\",\"action\":\"edit_code\",\"code_id\":1,\"one_time\":true}",
                "one_time: not a key of action edit_code");
        refused("{\"id\":\"c1\",\"action\":\"edit_code\",\"code_id\":1,\"pin\":\"" PIN "\"}",
                "pin: not a key of action edit_code");
        refused("{\"id\":\"c1\",\"action\":\"mode\",\"mode\":\"normal\",\"name\":\"x\"}",
                "name: not a key of action mode");
}

static void test_types(void **state) {
        (void)state;
        refused("{\"id\":\"c1\",\"action\":\"lock\",\"time\":\"1\"}",
                "time: must be an integer, not string");
        refused("{\"id\":\"c1\",\"action\":\"lock\",\"time\":-1}", "time: out of range");
        refused("{\"id\":\"c1\",\"action\":\"lock\",\"time\":null}", "time: must be an integer, not null");
        refused("{\"id\":\"c1\",\"action\":\"unlock\",\"pin\":482913}",
                "pin: must be a string, not integer");
        refused("{\"id\":\"c1\",\"action\":\"mode\",\"mode\":1}", "mode: must be a string");
        refused("{\"id\":\"c1\",\"action\":\"remove_code\",\"code_id\":\"3\"}",
                "code_id: must be an integer");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":1}", "name: must be a string");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"one_time\":1}",
                "one_time: must be true or false, not integer");
        refused("{\"id\":\"c1\",\"action\":\"edit_code\",\"code_id\":1,\"enabled\":\"yes\"}",
                "enabled: must be true or false");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"valid_from\":true}",
                "valid_from: must be an integer");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"valid_until\":[]}",
                "valid_until: must be an integer");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"max_uses\":{}}",
                "max_uses: must be an integer");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"schedule\":{}}",
                "schedule: must be an array");
}

static void test_pin(void **state) {
        (void)state;
        refused("{\"id\":\"c1\",\"action\":\"unlock\",\"pin\":\"123\"}", "pin: must be 4 to 12 digits");
        refused("{\"id\":\"c1\",\"action\":\"unlock\",\"pin\":\"0123456789012\"}",
                "pin: must be 4 to 12 digits");
        refused("{\"id\":\"c1\",\"action\":\"unlock\",\"pin\":\"\"}", "pin:");
        refused("{\"id\":\"c1\",\"action\":\"unlock\",\"pin\":\"48291a\"}", "pin:");
        refused("{\"id\":\"c1\",\"action\":\"unlock\",\"pin\":\" 482913\"}", "pin:");
        refused("{\"id\":\"c1\",\"action\":\"unlock\",\"pin\":\"4829\\u0661\"}",
                "pin:"); /* Arabic-Indic 1 */
        refused("{\"id\":\"c1\",\"action\":\"unlock\",\"pin\":\"" PIN "\",\"x\":1}", "unknown key");
        /* A PIN with mode normal or privacy: refused, not silently ignored. */
        refused("{\"id\":\"c1\",\"action\":\"mode\",\"mode\":\"normal\",\"pin\":\"" PIN "\"}",
                "pin: only mode \"passage\"");
        refused("{\"id\":\"c1\",\"action\":\"mode\",\"mode\":\"privacy\",\"pin\":\"" PIN "\"}", "pin:");
}

static void test_fields(void **state) {
        char text[1024];
        size_t n;

        (void)state;
        refused("{\"id\":\"c1\",\"action\":\"mode\"}", "mode: missing");
        refused("{\"id\":\"c1\",\"action\":\"mode\",\"mode\":\"open\"}", "mode: must be \"normal\"");
        refused("{\"id\":\"c1\",\"action\":\"mode\",\"mode\":\"Normal\"}", "mode:");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"pin\":\"" PIN "\"}", "name: missing");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"\"}", "name: not a valid code name");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"1234\"}", "name: not a valid code name");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\" Anna\"}", "name:");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\\u202eB\"}", "name:");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\\u0007\"}", "name:");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"123456789012345678901234567890123\"}",
                "name:");
        /* 32 four-byte characters: the longest name. */
        n = (size_t)snprintf(text, sizeof(text), "{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"");
        for (int i = 0; i < 32; i++)
                n += (size_t)snprintf(text + n, sizeof(text) - n, "\xf0\x9f\x98\x80");
        snprintf(text + n, sizeof(text) - n, "\"}");
        {
                struct command c;

                parses(text, &c);
                assert_int_equal(strlen(c.name), 128);
                command_done(&c);
        }
        snprintf(text + n, sizeof(text) - n, "x\"}");
        refused(text, "name:");

        refused("{\"id\":\"c1\",\"action\":\"edit_code\",\"code_id\":1}", "edit_code: nothing to change");
        refused("{\"id\":\"c1\",\"action\":\"remove_code\",\"code_id\":0}", "code_id: out of range");
        refused("{\"id\":\"c1\",\"action\":\"remove_code\",\"code_id\":-1}", "code_id: out of range");
        refused("{\"id\":\"c1\",\"action\":\"remove_code\",\"code_id\":4294967296}",
                "code_id: out of range");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"valid_from\":-1}",
                "valid_from: out of range");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"valid_until\":-5}",
                "valid_until: out of range");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"valid_from\":5,\"valid_until\":5}",
                "valid_from: must be before valid_until");
        refused("{\"id\":\"c1\",\"action\":\"edit_code\",\"code_id\":1,\"valid_from\":6,\"valid_until\":5}",
                "valid_from: must be before valid_until");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"max_uses\":1000001}",
                "max_uses: out of range");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"max_uses\":-1}",
                "max_uses: out of range");
        refused("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"one_time\":true,\"max_uses\":2}",
                "max_uses: a one-time code");
        {
                struct command c;

                parses("{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"max_uses\":1000000}", &c);
                assert_int_equal(c.max_uses, 1000000);
                command_done(&c);
        }
}

static void test_schedule(void **state) {
        char text[2048];
        size_t n;

        (void)state;
#define SCHED(s) "{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"schedule\":" s "}"
        refused(SCHED("[1]"), "schedule[0]: must be an object");
        refused(SCHED("[{\"days\":1,\"start\":0,\"end\":60},[]]"), "schedule[1]: must be an object");
        refused(SCHED("[{\"days\":1,\"start\":0}]"), "schedule[0]: \"end\" is missing");
        refused(SCHED("[{\"start\":0,\"end\":1}]"), "schedule[0]: \"days\" is missing");
        refused(SCHED("[{\"days\":1,\"end\":1}]"), "schedule[0]: \"start\" is missing");
        refused(SCHED("[{\"days\":1,\"start\":0,\"end\":60,\"tz\":\"UTC\"}]"),
                "schedule[0]: unknown key \"tz\"");
        refused(SCHED("[{\"days\":1,\"start\":0,\"end\":60,\"1234\":1}]"), "schedule[0]: an unknown key");
        refused(SCHED("[{\"days\":\"1\",\"start\":0,\"end\":60}]"), "schedule[0].days: must be an integer");
        /* A fraction is refused by the JSON reader: no id read then. */
        refused_id(SCHED("[{\"days\":1,\"start\":0.5,\"end\":60}]"), MQTT_ERROR_INVALID_PAYLOAD,
                   "only integers", "");
        refused(SCHED("[{\"days\":256,\"start\":0,\"end\":60}]"), "schedule[0].days: out of range");
        refused(SCHED("[{\"days\":1,\"start\":-1,\"end\":60}]"), "schedule[0].start: out of range");
        refused(SCHED("[{\"days\":1,\"start\":0,\"end\":65536}]"), "schedule[0].end: out of range");
        /* dl_window_check(): no days, a day past Sunday, start 24:00, end
         * past 24:00 or at 0, start == end. */
        refused(SCHED("[{\"days\":0,\"start\":0,\"end\":60}]"), "schedule[0]: not a valid window");
        refused(SCHED("[{\"days\":128,\"start\":0,\"end\":60}]"), "schedule[0]: not a valid window");
        refused(SCHED("[{\"days\":1,\"start\":1440,\"end\":60}]"), "schedule[0]: not a valid window");
        refused(SCHED("[{\"days\":1,\"start\":0,\"end\":1441}]"), "schedule[0]: not a valid window");
        refused(SCHED("[{\"days\":1,\"start\":60,\"end\":60}]"), "schedule[0]: not a valid window");
        {
                struct command c;

                parses(SCHED("[{\"days\":127,\"start\":1439,\"end\":1440}]"), &c);
                command_done(&c);
        }
        /* 16 windows: fine; 17: not. */
        n = (size_t)snprintf(text, sizeof(text),
                             "{\"id\":\"c1\",\"action\":\"add_code\",\"name\":\"A\",\"schedule\":[");
        for (int i = 0; i < DL_WINDOWS_MAX; i++)
                n += (size_t)snprintf(text + n, sizeof(text) - n, "%s{\"days\":1,\"start\":%d,\"end\":%d}",
                                      i ? "," : "", i * 60, i * 60 + 30);
        snprintf(text + n, sizeof(text) - n, "]}");
        {
                struct command c;

                parses(text, &c);
                assert_int_equal(c.n_windows, DL_WINDOWS_MAX);
                assert_int_equal(c.windows[15].start, 900);
                command_done(&c);
        }
        snprintf(text + n, sizeof(text) - n, ",{\"days\":1,\"start\":0,\"end\":1}]}");
        refused(text, "schedule: at most 16 windows");
#undef SCHED
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lock),      cmocka_unit_test(test_unlock),
                cmocka_unit_test(test_mode),      cmocka_unit_test(test_add_code),
                cmocka_unit_test(test_edit_code), cmocka_unit_test(test_code_id_actions),
                cmocka_unit_test(test_actions),   cmocka_unit_test(test_not_json),
                cmocka_unit_test(test_too_big),   cmocka_unit_test(test_id),
                cmocka_unit_test(test_action),    cmocka_unit_test(test_unknown_keys),
                cmocka_unit_test(test_types),     cmocka_unit_test(test_pin),
                cmocka_unit_test(test_fields),    cmocka_unit_test(test_schedule),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
