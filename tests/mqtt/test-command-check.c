/* SPDX-License-Identifier: GPL-2.0-or-later */
/* command_check(): each refusal, their order, freshness exactly at the
 * MaxAge and MaxSkew edges, the untrusted clock, the PIN rules; and the
 * replies: valid JSON with the stable fields, id null when unknown, never
 * a PIN. */
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
#include "json-scan.h"

#define PIN "482913"
#define SEC UINT64_C(1000000)
#define NOW (UINT64_C(1764870000) * SEC)

struct fixture {
        struct mqtt_config config;
        struct command_context x;
};

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));

        if (!f)
                return -1;
        mqtt_config_init(&f->config); /* MaxAge=30, MaxSkew=5 */
        f->x = (struct command_context){
                .now = NOW,
                .clock_trusted = true,
                .config = &f->config,
                .link_secure = true,
                .daemon_present = true,
        };
        *state = f;
        return 0;
}

static int teardown(void **state) {
        free(*state);
        return 0;
}

static void command_of(const char *json, struct command *c) {
        struct command_error e;

        if (command_parse(json, strlen(json), 4096, c, &e) != 0)
                fail_msg("%s: %s", json, e.message);
}

/* The check's result for json: NULL when it passes, else the error name. */
static const char *check(const struct fixture *f, const char *json) {
        static struct command_error e;
        struct command c;
        int r;

        command_of(json, &c);
        r = command_check(&c, &f->x, &e);
        command_done(&c);
        if (r == 0) {
                assert_null(e.name);
                return NULL;
        }
        assert_int_equal(r, -EPERM);
        assert_non_null(e.name);
        assert_true(e.message[0] != '\0');
        assert_null(strstr(e.message, PIN));
        return e.name;
}

static void assert_check(const struct fixture *f, const char *json, const char *want) {
        const char *got = check(f, json);

        if (!want && got)
                fail_msg("%s: refused %s", json, got);
        if (want && (!got || strcmp(got, want) != 0))
                fail_msg("%s: %s, wanted %s", json, got ? got : "passed", want);
}

/* The command fmt with its "%llu" replaced by the time NOW + delta µs. */
static const char *at(const char *fmt, int64_t delta) {
        static char buf[512];
        const char *t = strstr(fmt, "%llu");

        assert_non_null(t);
        snprintf(buf, sizeof(buf), "%.*s%llu%s", (int)(t - fmt), fmt,
                 (unsigned long long)(NOW + (uint64_t)delta), t + 4);
        return buf;
}

#define LOCK_AT "{\"id\":\"c1\",\"time\":%llu,\"action\":\"lock\"}"
#define UNLOCK_AT "{\"id\":\"c1\",\"time\":%llu,\"action\":\"unlock\",\"pin\":\"" PIN "\"}"
#define LOCK_NO_TIME "{\"id\":\"c1\",\"action\":\"lock\"}"

static void test_pass(void **state) {
        struct fixture *f = *state;

        assert_check(f, at(LOCK_AT, 0), NULL);
        assert_check(f, at(UNLOCK_AT, 0), NULL);
        assert_check(f, at("{\"id\":\"c\",\"time\":%llu,\"action\":\"mode\",\"mode\":\"privacy\"}", 0),
                     NULL);
        assert_check(f,
                     at("{\"id\":\"c\",\"time\":%llu,\"action\":\"mode\",\"mode\":\"passage\",\"pin\":\"" PIN
                        "\"}",
                        0),
                     NULL);
}

static void test_order(void **state) {
        struct fixture *f = *state;
        /* Everything wrong at once: unlock without a PIN, stale, on an
         * insecure link, switched off, no daemon, a prefix conflict. */
        const char *bad = "{\"id\":\"c1\",\"time\":1,\"action\":\"unlock\"}";

        f->x.prefix_conflict = true;
        f->x.daemon_present = false;
        f->config.commands.unlock = false;
        f->x.link_secure = false;
        f->x.clock_trusted = false;
        assert_check(f, bad, MQTT_ERROR_PREFIX_CONFLICT);
        f->x.prefix_conflict = false;
        assert_check(f, bad, MQTT_ERROR_UNAVAILABLE);
        f->x.daemon_present = true;
        assert_check(f, bad, MQTT_ERROR_DISABLED);
        f->config.commands.unlock = true;
        assert_check(f, bad, MQTT_ERROR_INSECURE);
        f->x.link_secure = true;
        f->x.clock_trusted = true;
        assert_check(f, bad, MQTT_ERROR_STALE);
        f->x.clock_trusted = false;
        assert_check(f, bad, MQTT_ERROR_CLOCK_UNTRUSTED);
        f->x.clock_trusted = true;
        assert_check(f, at("{\"id\":\"c1\",\"time\":%llu,\"action\":\"unlock\"}", 0),
                     MQTT_ERROR_PIN_REQUIRED);
        assert_check(f, at(UNLOCK_AT, 0), NULL);
}

static void test_disabled(void **state) {
        struct fixture *f = *state;
        static const char *const code_changes[] = {
                // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): the PIN spliced in, one payload a line
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"add_code\",\"name\":\"A\",\"pin\":\"" PIN "\"}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"edit_code\",\"code_id\":1,\"enabled\":true}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"remove_code\",\"code_id\":1}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"enable_code\",\"code_id\":1}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"disable_code\",\"code_id\":1}",
        };
        const char *mode = "{\"id\":\"c\",\"time\":%llu,\"action\":\"mode\",\"mode\":\"normal\"}";

        /* CodeChanges=no by default. */
        for (size_t i = 0; i < sizeof(code_changes) / sizeof(code_changes[0]); i++)
                assert_check(f, at(code_changes[i], 0), MQTT_ERROR_DISABLED);
        f->config.commands.code_changes = true;
        for (size_t i = 0; i < sizeof(code_changes) / sizeof(code_changes[0]); i++)
                assert_check(f, at(code_changes[i], 0), NULL);

        /* Each switch turns off only its own action. */
        f->config.commands.lock = false;
        assert_check(f, at(LOCK_AT, 0), MQTT_ERROR_DISABLED);
        assert_check(f, at(UNLOCK_AT, 0), NULL);
        f->config.commands.lock = true;
        f->config.commands.unlock = false;
        assert_check(f, at(UNLOCK_AT, 0), MQTT_ERROR_DISABLED);
        assert_check(f, at(LOCK_AT, 0), NULL);
        assert_check(f, at(mode, 0), NULL);
        f->config.commands.unlock = true;
        f->config.commands.mode = false;
        assert_check(f, at(mode, 0), MQTT_ERROR_DISABLED);
        assert_check(f, at(UNLOCK_AT, 0), NULL);
        assert_check(f, at(code_changes[0], 0), NULL);
}

static void test_insecure(void **state) {
        struct fixture *f = *state;

        f->x.link_secure = false;
        f->config.commands.code_changes = true;
        assert_check(f, at(LOCK_AT, 0), MQTT_ERROR_INSECURE); /* lock moves the bolt too */
        assert_check(f, at(UNLOCK_AT, 0), MQTT_ERROR_INSECURE);
        assert_check(f, at("{\"id\":\"c\",\"time\":%llu,\"action\":\"mode\",\"mode\":\"normal\"}", 0),
                     MQTT_ERROR_INSECURE);
        assert_check(f, at("{\"id\":\"c\",\"time\":%llu,\"action\":\"remove_code\",\"code_id\":1}", 0),
                     MQTT_ERROR_INSECURE);
}

/* time in [now - MaxAge, now + MaxSkew]: both edges in, one µs past out. */
static void test_freshness_edges(void **state) {
        struct fixture *f = *state;

        assert_check(f, at(LOCK_AT, -30 * (int64_t)SEC), NULL);
        assert_check(f, at(LOCK_AT, -30 * (int64_t)SEC - 1), MQTT_ERROR_STALE);
        assert_check(f, at(LOCK_AT, 5 * (int64_t)SEC), NULL);
        assert_check(f, at(LOCK_AT, 5 * (int64_t)SEC + 1), MQTT_ERROR_STALE);
        assert_check(f, "{\"id\":\"c1\",\"time\":0,\"action\":\"lock\"}", MQTT_ERROR_STALE);
        assert_check(f, "{\"id\":\"c1\",\"time\":9223372036854775807,\"action\":\"lock\"}",
                     MQTT_ERROR_STALE);

        /* Other bounds: MaxSkew=0 takes exactly now; MaxAge=1. */
        f->config.commands.max_skew_sec = 0;
        f->config.commands.max_age_sec = 1;
        assert_check(f, at(LOCK_AT, 0), NULL);
        assert_check(f, at(LOCK_AT, 1), MQTT_ERROR_STALE);
        assert_check(f, at(LOCK_AT, -(int64_t)SEC), NULL);
        assert_check(f, at(LOCK_AT, -(int64_t)SEC - 1), MQTT_ERROR_STALE);

        /* A clock near the epoch does not wrap now - MaxAge. */
        f->x.now = 10;
        assert_check(f, "{\"id\":\"c1\",\"time\":0,\"action\":\"lock\"}", NULL);
        assert_check(f, "{\"id\":\"c1\",\"time\":11,\"action\":\"lock\"}", MQTT_ERROR_STALE);
}

static void test_expiry(void **state) {
        struct fixture *f = *state;

        /* Neither time nor expiry. */
        assert_check(f, LOCK_NO_TIME, MQTT_ERROR_STALE);
        /* An expiry up to MaxAge carries a command without time. */
        f->x.has_expiry = true;
        f->x.expiry_sec = 30;
        assert_check(f, LOCK_NO_TIME, NULL);
        f->x.expiry_sec = 0;
        assert_check(f, LOCK_NO_TIME, NULL);
        f->x.expiry_sec = 31;
        assert_check(f, LOCK_NO_TIME, MQTT_ERROR_STALE);
        /* ... and with a time, both must hold. */
        assert_check(f, at(LOCK_AT, 0), MQTT_ERROR_STALE);
        f->x.expiry_sec = 10;
        assert_check(f, at(LOCK_AT, 0), NULL);
        assert_check(f, at(LOCK_AT, -31 * (int64_t)SEC), MQTT_ERROR_STALE);
}

static void test_clock_untrusted(void **state) {
        struct fixture *f = *state;

        f->x.clock_trusted = false;
        /* A time cannot be judged: refused without an expiry, whatever it says. */
        assert_check(f, at(LOCK_AT, 0), MQTT_ERROR_CLOCK_UNTRUSTED);
        assert_check(f, at(LOCK_AT, -3600 * (int64_t)SEC), MQTT_ERROR_CLOCK_UNTRUSTED);
        assert_check(f, LOCK_NO_TIME, MQTT_ERROR_STALE);
        /* An expiry alone is fine (the broker counts it, not our clock); with
         * one, the time is not judged against the untrusted clock. */
        f->x.has_expiry = true;
        f->x.expiry_sec = 5;
        assert_check(f, LOCK_NO_TIME, NULL);
        assert_check(f, at(LOCK_AT, -3600 * (int64_t)SEC), NULL);
        f->x.expiry_sec = 31;
        assert_check(f, LOCK_NO_TIME, MQTT_ERROR_STALE);
}

static void test_pin_required(void **state) {
        struct fixture *f = *state;
        const char *unlock = "{\"id\":\"c\",\"time\":%llu,\"action\":\"unlock\"}";
        const char *passage = "{\"id\":\"c\",\"time\":%llu,\"action\":\"mode\",\"mode\":\"passage\"}";
        const char *add = "{\"id\":\"c\",\"time\":%llu,\"action\":\"add_code\",\"name\":\"A\"}";

        f->config.commands.code_changes = true;
        assert_check(f, at(unlock, 0), MQTT_ERROR_PIN_REQUIRED);
        assert_check(f, at(passage, 0), MQTT_ERROR_PIN_REQUIRED);
        assert_check(f, at(add, 0), MQTT_ERROR_PIN_REQUIRED);
        assert_check(f, at(LOCK_AT, 0), NULL);
        assert_check(f, at("{\"id\":\"c\",\"time\":%llu,\"action\":\"mode\",\"mode\":\"normal\"}", 0), NULL);
        /* UnlockWithoutPin=yes waives it for unlock only. */
        f->config.commands.unlock_without_pin = true;
        assert_check(f, at(unlock, 0), NULL);
        assert_check(f, at(passage, 0), MQTT_ERROR_PIN_REQUIRED);
        assert_check(f, at(add, 0), MQTT_ERROR_PIN_REQUIRED);
}

static void test_bad_args(void **state) {
        struct fixture *f = *state;
        struct command c;
        struct command_error e;
        struct command_context x = f->x;

        command_of(at(LOCK_AT, 0), &c);
        assert_int_equal(command_check(NULL, &f->x, &e), -EPERM);
        assert_int_equal(command_check(&c, NULL, &e), -EPERM);
        x.config = NULL;
        assert_int_equal(command_check(&c, &x, &e), -EPERM);
        assert_int_equal(command_check(&c, &f->x, NULL), 0);
        command_done(&c);
}

/* ---- replies ---- */

static void assert_field(const struct json_doc *d, const char *path, char type, const char *value) {
        const struct json_item *i = json_doc_get(d, path);

        assert_non_null(i);
        if (!i)
                return;
        assert_int_equal(i->type, type);
        if (value)
                assert_string_equal(i->value, value);
}

static void test_reply_ok(void **state) {
        struct json_doc d;
        char *r = NULL;

        (void)state;
        assert_int_equal(command_reply_ok("c1", COMMAND_LOCK, 0, &r), 0);
        assert_string_equal(r, "{\"id\":\"c1\",\"ok\":true,\"action\":\"lock\"}");
        free(r);
        assert_int_equal(command_reply_ok("c4", COMMAND_ADD_CODE, 7, &r), 0);
        assert_int_equal(json_scan(r, &d), 0);
        assert_field(&d, "id", 's', "c4");
        assert_field(&d, "ok", 'b', "true");
        assert_field(&d, "action", 's', "add_code");
        assert_field(&d, "code_id", 'n', "7");
        json_doc_free(&d);
        free(r);
        assert_int_equal(command_reply_ok(NULL, COMMAND_UNLOCK, 0, &r), 0);
        assert_string_equal(r, "{\"id\":null,\"ok\":true,\"action\":\"unlock\"}");
        free(r);
        assert_int_equal(command_reply_ok("c1", _COMMAND_ACTION_MAX, 0, &r), -EINVAL);
        assert_int_equal(command_reply_ok("c1", COMMAND_LOCK, 0, NULL), -EINVAL);
}

static void test_reply_error(void **state) {
        struct command c;
        struct json_doc d;
        char *r = NULL;

        (void)state;
        command_of("{\"id\":\"c2\",\"action\":\"unlock\",\"pin\":\"" PIN "\"}", &c);
        assert_int_equal(command_reply_error(c.id, &c, "org.doorlockd.Error.CodeRefused",
                                             "Wrong code \"quoted\"\n", &r),
                         0);
        assert_null(strstr(r, PIN));
        assert_int_equal(json_scan(r, &d), 0);
        assert_field(&d, "id", 's', "c2");
        assert_field(&d, "ok", 'b', "false");
        assert_field(&d, "action", 's', "unlock");
        assert_field(&d, "error", 's', "org.doorlockd.Error.CodeRefused");
        assert_field(&d, "message", 's', NULL);
        assert_int_equal(d.n, 6); /* the object and its five members: nothing else */
        json_doc_free(&d);
        free(r);
        command_done(&c);

        /* Unknown id and action: null. */
        assert_int_equal(command_reply_error(NULL, NULL, MQTT_ERROR_INVALID_PAYLOAD, "not JSON", &r), 0);
        assert_string_equal(
                r, "{\"id\":null,\"ok\":false,\"action\":null,\"error\":\"" MQTT_ERROR_INVALID_PAYLOAD
                   "\",\"message\":\"not JSON\"}");
        free(r);
        assert_int_equal(command_reply_error("", NULL, MQTT_ERROR_BUSY, NULL, &r), 0);
        assert_int_equal(json_scan(r, &d), 0);
        assert_field(&d, "id", 'z', NULL);
        assert_field(&d, "message", 's', "");
        json_doc_free(&d);
        free(r);
        /* A command whose action could not be read: null action. */
        {
                struct command_error e;
                const char *s = "{\"id\":\"c9\",\"action\":\"dance\"}";

                assert_int_equal(command_parse(s, strlen(s), 4096, &c, &e), -EINVAL);
                assert_int_equal(command_reply_error(c.id, &c, e.name, e.message, &r), 0);
                assert_int_equal(json_scan(r, &d), 0);
                assert_field(&d, "id", 's', "c9");
                assert_field(&d, "action", 'z', NULL);
                assert_field(&d, "error", 's', MQTT_ERROR_UNKNOWN_ACTION);
                json_doc_free(&d);
                free(r);
                command_done(&c);
        }
        assert_int_equal(command_reply_error("c1", NULL, NULL, "x", &r), -EINVAL);
        assert_int_equal(command_reply_error("c1", NULL, MQTT_ERROR_BUSY, "x", NULL), -EINVAL);
}

/* Every payload with a PIN, every context: parse, check and reply never
 * carry the PIN's digits. */
static void test_no_pin_anywhere(void **state) {
        struct fixture *f = *state;
        static const char *const payloads[] = {
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"unlock\",\"pin\":\"" PIN "\"}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"mode\",\"mode\":\"passage\",\"pin\":\"" PIN "\"}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"mode\",\"mode\":\"normal\",\"pin\":\"" PIN "\"}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"add_code\",\"name\":\"A\",\"pin\":\"" PIN "\"}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"lock\",\"pin\":\"" PIN "\"}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"unlock\",\"pin\":\"" PIN "\",\"x\":1}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"unlock\",\"pin\":\"" PIN "0000000\"}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"" PIN "\",\"pin\":\"" PIN "\"}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"unlock\",\"" PIN "\":\"" PIN "\"}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"unlock\",\"pin\":\"" PIN "\",\"pin\":\"" PIN "\"}",
                "{\"id\":\"c\",\"time\":%llu,\"action\":\"unlock\",\"pin\":\"" PIN "\"} " PIN,
        };

        for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++)
                for (unsigned variant = 0; variant < 64; variant++) {
                        const char *s = at(payloads[i], variant & 1 ? -100 * (int64_t)SEC : 0);
                        struct command c;
                        struct command_error e;
                        struct json_doc d;
                        char *reply = NULL;
                        int r;

                        f->x.clock_trusted = variant & 2;
                        f->x.link_secure = variant & 4;
                        f->x.daemon_present = variant & 8;
                        f->x.prefix_conflict = variant & 16;
                        f->config.commands.code_changes = variant & 32;
                        r = command_parse(s, strlen(s), 4096, &c, &e);
                        if (r == 0)
                                r = command_check(&c, &f->x, &e);
                        if (r == 0)
                                assert_int_equal(command_reply_ok(c.id, c.action, 0, &reply), 0);
                        else
                                assert_int_equal(command_reply_error(c.id, &c, e.name, e.message, &reply),
                                                 0);
                        if (strstr(reply, PIN))
                                fail_msg("%s: the reply %s holds the PIN", s, reply);
                        assert_int_equal(json_scan(reply, &d), 0);
                        json_doc_free(&d);
                        free(reply);
                        command_done(&c);
                }
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
        const struct CMUnitTest tests[] = {
                T(test_pass),
                T(test_order),
                T(test_disabled),
                T(test_insecure),
                T(test_freshness_edges),
                T(test_expiry),
                T(test_clock_untrusted),
                T(test_pin_required),
                T(test_bad_args),
                T(test_reply_ok),
                T(test_reply_error),
                T(test_no_pin_anywhere),
        };
#undef T

        return cmocka_run_group_tests(tests, NULL, NULL);
}
