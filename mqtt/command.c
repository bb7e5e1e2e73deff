/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "command.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code-spec.h"
#include "error.h"
#include "json-in.h"
#include "json-out.h"
#include "macro.h"

/* Bit per action, for the key table. */
#define A(a) (1u << (a))
#define A_ALL (A(_COMMAND_ACTION_MAX) - 1u)
#define A_CODE_ID                                                                                           \
        (A(COMMAND_EDIT_CODE) | A(COMMAND_REMOVE_CODE) | A(COMMAND_ENABLE_CODE) | A(COMMAND_DISABLE_CODE))
#define A_CODE_FIELDS (A(COMMAND_ADD_CODE) | A(COMMAND_EDIT_CODE))

static const char *const action_names[_COMMAND_ACTION_MAX] = {
        [COMMAND_LOCK] = "lock",
        [COMMAND_UNLOCK] = "unlock",
        [COMMAND_MODE] = "mode",
        [COMMAND_ADD_CODE] = "add_code",
        [COMMAND_EDIT_CODE] = "edit_code",
        [COMMAND_REMOVE_CODE] = "remove_code",
        [COMMAND_ENABLE_CODE] = "enable_code",
        [COMMAND_DISABLE_CODE] = "disable_code",
};

const char *command_action_to_string(enum command_action a) {
        if ((unsigned)a >= _COMMAND_ACTION_MAX)
                return NULL;
        return action_names[a];
}

int command_action_from_string(const char *s, enum command_action *ret) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(action_names); i++)
                if (strcmp(s, action_names[i]) == 0) {
                        if (ret)
                                *ret = (enum command_action)i;
                        return 0;
                }
        return -EINVAL;
}

bool command_action_needs_secure_link(enum command_action a) {
        /* Every action moves the bolt (lock, unlock, mode: passage frees
         * the door, privacy shuts out codes) or changes the code table. */
        return (unsigned)a < _COMMAND_ACTION_MAX;
}

bool command_action_changes_codes(enum command_action a) {
        return (unsigned)a < _COMMAND_ACTION_MAX && (A(a) & (A(COMMAND_ADD_CODE) | A_CODE_ID));
}

void command_done(struct command *c) {
        if (c)
                explicit_bzero(c, sizeof(*c));
}

/* ---- parsing ---- */

static void set_err(struct command_error *err, const char *name, const char *fmt, ...) _printf_(3, 4);
static void set_err(struct command_error *err, const char *name, const char *fmt, ...) {
        va_list ap;

        if (err) {
                err->name = name;
                va_start(ap, fmt);
                vsnprintf(err->message, sizeof(err->message), fmt, ap);
                va_end(ap);
        }
}

/* Fill err, give -EINVAL (parse) or -EPERM (check), visibly to the analyzer. */
#define invalid(err, ...) (set_err((err), MQTT_ERROR_INVALID_PAYLOAD, __VA_ARGS__), -EINVAL)
#define refuse(err, name, ...) (set_err((err), (name), __VA_ARGS__), -EPERM)

enum key_id {
        KEY_ID,
        KEY_TIME,
        KEY_ACTION,
        KEY_PIN,
        KEY_MODE,
        KEY_CODE_ID,
        KEY_NAME,
        KEY_ONE_TIME,
        KEY_ENABLED,
        KEY_VALID_FROM,
        KEY_VALID_UNTIL,
        KEY_MAX_USES,
        KEY_SCHEDULE,
};

static const struct {
        const char *name;
        unsigned actions; /* A() bits of the actions that take it */
} key_table[] = {
        [KEY_ID] = { "id", A_ALL },
        [KEY_TIME] = { "time", A_ALL },
        [KEY_ACTION] = { "action", A_ALL },
        [KEY_PIN] = { "pin", A(COMMAND_UNLOCK) | A(COMMAND_MODE) | A(COMMAND_ADD_CODE) },
        [KEY_MODE] = { "mode", A(COMMAND_MODE) },
        [KEY_CODE_ID] = { "code_id", A_CODE_ID },
        [KEY_NAME] = { "name", A_CODE_FIELDS },
        [KEY_ONE_TIME] = { "one_time", A(COMMAND_ADD_CODE) },
        [KEY_ENABLED] = { "enabled", A(COMMAND_EDIT_CODE) },
        [KEY_VALID_FROM] = { "valid_from", A_CODE_FIELDS },
        [KEY_VALID_UNTIL] = { "valid_until", A_CODE_FIELDS },
        [KEY_MAX_USES] = { "max_uses", A_CODE_FIELDS },
        [KEY_SCHEDULE] = { "schedule", A_CODE_FIELDS },
};

static int key_lookup(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(key_table); i++)
                if (strcmp(key, key_table[i].name) == 0)
                        return (int)i;
        return -1;
}

/* An unknown key is named in the message only when it cannot be a secret:
 * 1..32 letters and '_' (no digits: never a PIN). */
static bool key_showable(const char *key, size_t len) {
        if (len == 0 || len > 32)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= 'A' && key[i] <= 'Z') || key[i] == '_'))
                        return false;
        return true;
}

static int get_integer(const struct json_in *v, const char *key, int64_t min, int64_t max, const char *range,
                       int64_t *ret, struct command_error *err) {
        if (v->type != JSON_IN_INTEGER)
                return invalid(err, "%s: must be an integer, not %s", key, json_in_type_to_string(v->type));
        if (v->integer < min || v->integer > max)
                return invalid(err, "%s: out of range (%s)", key, range);
        *ret = v->integer;
        return 0;
}

static int get_bool(const struct json_in *v, const char *key, bool *ret, struct command_error *err) {
        if (v->type != JSON_IN_BOOL)
                return invalid(err, "%s: must be true or false, not %s", key,
                               json_in_type_to_string(v->type));
        *ret = v->boolean;
        return 0;
}

static int get_string(const struct json_in *v, const char *key, const char **ret,
                      struct command_error *err) {
        if (v->type != JSON_IN_STRING)
                return invalid(err, "%s: must be a string, not %s", key, json_in_type_to_string(v->type));
        *ret = v->string.s;
        return 0;
}

static int parse_window(const struct json_in *v, size_t i, struct dl_window *w, struct command_error *err) {
        bool have[3] = {};
        int64_t n;
        int r;

        if (v->type != JSON_IN_OBJECT)
                return invalid(err, "schedule[%zu]: must be an object {\"days\",\"start\",\"end\"}, not %s",
                               i, json_in_type_to_string(v->type));
        for (size_t k = 0; k < v->object.n; k++) {
                const struct json_in_member *m = &v->object.members[k];
                static const char *const names[] = { "days", "start", "end" };
                size_t which;
                char key[48];

                for (which = 0; which < ELEMENTSOF(names); which++)
                        if (strcmp(m->key, names[which]) == 0)
                                break;
                if (which == ELEMENTSOF(names)) {
                        if (key_showable(m->key, m->key_len))
                                return invalid(err, "schedule[%zu]: unknown key \"%s\"", i, m->key);
                        return invalid(err, "schedule[%zu]: an unknown key", i);
                }
                snprintf(key, sizeof(key), "schedule[%zu].%s", i, names[which]);
                r = get_integer(&m->value, key, 0, which == 0 ? UINT8_MAX : UINT16_MAX,
                                which == 0 ? "a bit mask of days" : "minutes after midnight", &n, err);
                if (r < 0)
                        return r;
                have[which] = true;
                if (which == 0)
                        w->days = (uint8_t)n;
                else if (which == 1)
                        w->start = (uint16_t)n;
                else
                        w->end = (uint16_t)n;
        }
        for (size_t k = 0; k < ELEMENTSOF(have); k++)
                if (!have[k])
                        return invalid(err, "schedule[%zu]: \"%s\" is missing", i,
                                       (const char *[]){ "days", "start", "end" }[k]);
        if (dl_window_check(w, NULL) < 0)
                return invalid(
                        err,
                        "schedule[%zu]: not a valid window (days: bit 0 Monday to bit 6 Sunday, at least "
                        "one; start and end: minutes after midnight, start before 24:00, end up to 24:00, "
                        "not equal)",
                        i);
        return 0;
}

static int parse_schedule(const struct json_in *v, struct command *c, struct command_error *err) {
        if (v->type != JSON_IN_ARRAY)
                return invalid(err, "schedule: must be an array, not %s", json_in_type_to_string(v->type));
        if (v->array.n > DL_WINDOWS_MAX)
                return invalid(err, "schedule: at most %d windows", DL_WINDOWS_MAX);
        for (size_t i = 0; i < v->array.n; i++) {
                int r = parse_window(&v->array.items[i], i, &c->windows[i], err);

                if (r < 0)
                        return r;
        }
        c->n_windows = v->array.n;
        c->has_schedule = true;
        return 0;
}

static int parse_member(const struct json_in_member *m, enum key_id k, struct command *c,
                        struct command_error *err) {
        const struct json_in *v = &m->value;
        const char *s = NULL;
        int64_t n;
        int r;

        switch (k) {
        case KEY_ID:
        case KEY_ACTION:
                return 0; /* read first */
        case KEY_TIME:
                r = get_integer(v, "time", 0, INT64_MAX, "µs since the epoch", &n, err);
                if (r < 0)
                        return r;
                c->has_time = true;
                c->time = (uint64_t)n;
                return 0;
        case KEY_PIN:
                r = get_string(v, "pin", &s, err);
                if (r < 0)
                        return r;
                if (v->string.len < COMMAND_PIN_MIN || v->string.len > COMMAND_PIN_MAX ||
                    !dl_is_digits(s, v->string.len))
                        return invalid(err, "pin: must be %d to %d digits", COMMAND_PIN_MIN,
                                       COMMAND_PIN_MAX);
                memcpy(c->pin, s, v->string.len + 1);
                c->has_pin = true;
                return 0;
        case KEY_MODE:
                r = get_string(v, "mode", &s, err);
                if (r < 0)
                        return r;
                if (lock_mode_from_dbus(s, &c->mode) < 0)
                        return invalid(err, "mode: must be \"normal\", \"privacy\" or \"passage\"");
                return 0;
        case KEY_CODE_ID:
                r = get_integer(v, "code_id", 1, UINT32_MAX, "a code's id, from 1", &n, err);
                if (r < 0)
                        return r;
                c->code_id = (uint32_t)n;
                return 0;
        case KEY_NAME:
                r = get_string(v, "name", &s, err);
                if (r < 0)
                        return r;
                if (v->string.len >= sizeof(c->name) || dl_code_name_check(s, NULL) < 0)
                        return invalid(err,
                                       "name: not a valid code name (1 to %d characters, no control or "
                                       "invisible characters, no leading or trailing space, not digits "
                                       "only)",
                                       DL_CODE_NAME_MAX_CHARS);
                memcpy(c->name, s, v->string.len + 1);
                c->has_name = true;
                return 0;
        case KEY_ONE_TIME:
                c->has_one_time = true;
                return get_bool(v, "one_time", &c->one_time, err);
        case KEY_ENABLED:
                c->has_enabled = true;
                return get_bool(v, "enabled", &c->enabled, err);
        case KEY_VALID_FROM:
        case KEY_VALID_UNTIL:
                r = get_integer(v, key_table[k].name, 0, INT64_MAX, "µs since the epoch, 0 = none", &n, err);
                if (r < 0)
                        return r;
                if (k == KEY_VALID_FROM) {
                        c->has_valid_from = true;
                        c->valid_from = (uint64_t)n;
                } else {
                        c->has_valid_until = true;
                        c->valid_until = (uint64_t)n;
                }
                return 0;
        case KEY_MAX_USES:
                r = get_integer(v, "max_uses", 0, DL_USE_LIMIT_MAX, "0 = unlimited, at most a million", &n,
                                err);
                if (r < 0)
                        return r;
                c->has_max_uses = true;
                c->max_uses = (uint32_t)n;
                return 0;
        case KEY_SCHEDULE:
                return parse_schedule(v, c, err);
        }
        return invalid(err, "internal error: unhandled key");
}

static int parse_id(const struct json_in *root, struct command *c, struct command_error *err) {
        const struct json_in *v = json_in_get(root, "id");

        if (!v)
                return invalid(err, "\"id\" is missing");
        if (v->type != JSON_IN_STRING)
                return invalid(err, "id: must be a string, not %s", json_in_type_to_string(v->type));
        if (!command_id_valid(v->string.s))
                return invalid(err, "id: must be 1 to %d characters of A-Z a-z 0-9 _ . : -", COMMAND_ID_MAX);
        memcpy(c->id, v->string.s, v->string.len + 1);
        return 0;
}

static int parse_action(const struct json_in *root, struct command *c, struct command_error *err) {
        const struct json_in *v = json_in_get(root, "action");

        if (!v)
                return invalid(err, "\"action\" is missing");
        if (v->type != JSON_IN_STRING)
                return invalid(err, "action: must be a string, not %s", json_in_type_to_string(v->type));
        if (command_action_from_string(v->string.s, &c->action) < 0)
                return (set_err(err, MQTT_ERROR_UNKNOWN_ACTION,
                                "action: not one of lock, unlock, mode, add_code, edit_code, remove_code, "
                                "enable_code, disable_code"),
                        -EINVAL);
        c->has_action = true;
        return 0;
}

/* What must be there, and what does not go together. */
static int check_fields(const struct command *c, const bool seen[static ELEMENTSOF(key_table)],
                        struct command_error *err) {
        const char *action = action_names[c->action];

        if (c->action == COMMAND_MODE) {
                if (!seen[KEY_MODE])
                        return invalid(err, "mode: missing (action mode needs it)");
                if (c->has_pin && c->mode != LOCK_MODE_PASSAGE)
                        return invalid(err, "pin: only mode \"passage\" takes a PIN");
        }
        if ((A(c->action) & A_CODE_ID) && !seen[KEY_CODE_ID])
                return invalid(err, "code_id: missing (action %s needs it)", action);
        if (c->action == COMMAND_ADD_CODE && !c->has_name)
                return invalid(err, "name: missing (action add_code needs it)");
        if (c->action == COMMAND_EDIT_CODE && !c->has_name && !c->has_enabled && !c->has_valid_from &&
            !c->has_valid_until && !c->has_max_uses && !c->has_schedule)
                return invalid(err,
                               "edit_code: nothing to change (give name, enabled, valid_from, valid_until, "
                               "max_uses or schedule)");
        if (c->has_valid_from && c->has_valid_until && c->valid_until != 0 &&
            c->valid_from >= c->valid_until)
                return invalid(err, "valid_from: must be before valid_until");
        if (c->has_one_time && c->one_time && c->has_max_uses && c->max_uses != 1)
                return invalid(err, "max_uses: a one-time code is used once (leave max_uses out or give 1)");
        return 0;
}

int command_parse(const void *payload, size_t len, size_t max_payload, struct command *ret,
                  struct command_error *err) {
        _cleanup_json_in_ struct json_in *root = NULL;
        bool seen[ELEMENTSOF(key_table)] = {};
        char why[160];
        int r;

        if (err) {
                err->name = NULL;
                err->message[0] = '\0';
        }
        if (!ret)
                return invalid(err, "internal error: no command");
        command_done(ret);
        if (len > max_payload)
                return invalid(err, "the message is larger than MaxPayload=");
        if (!payload && len > 0)
                return invalid(err, "internal error: no payload");

        r = json_in_parse(payload, len, &root, why, sizeof(why));
        if (r == -ENOMEM)
                return invalid(err, "out of memory");
        if (r < 0)
                return invalid(err, "not a command object: %s", why);

        r = parse_id(root, ret, err);
        if (r < 0)
                return r;
        r = parse_action(root, ret, err);
        if (r < 0)
                return r;

        for (size_t i = 0; i < root->object.n; i++) {
                const struct json_in_member *m = &root->object.members[i];
                int k = key_lookup(m->key);

                if (k < 0) {
                        if (key_showable(m->key, m->key_len))
                                return invalid(err, "unknown key \"%s\"", m->key);
                        return invalid(err, "an unknown key");
                }
                if (!(key_table[k].actions & A(ret->action)))
                        return invalid(err, "%s: not a key of action %s", key_table[k].name,
                                       action_names[ret->action]);
                seen[k] = true;
                r = parse_member(m, (enum key_id)k, ret, err);
                if (r < 0)
                        return r;
        }
        return check_fields(ret, seen, err);
}

/* ---- checking ---- */

static bool action_enabled(const struct mqtt_config *config, enum command_action a, const char **key) {
        switch (a) {
        case COMMAND_LOCK:
                *key = "Lock";
                return config->commands.lock;
        case COMMAND_UNLOCK:
                *key = "Unlock";
                return config->commands.unlock;
        case COMMAND_MODE:
                *key = "Mode";
                return config->commands.mode;
        default:
                *key = "CodeChanges";
                return config->commands.code_changes;
        }
}

int command_check(const struct command *c, const struct command_context *x, struct command_error *err) {
        const struct mqtt_config *config;
        uint64_t max_age, max_skew;
        const char *key;

        if (err) {
                err->name = NULL;
                err->message[0] = '\0';
        }
        if (!c || !x || !x->config || (unsigned)c->action >= _COMMAND_ACTION_MAX)
                return refuse(err, MQTT_ERROR_INVALID_PAYLOAD, "internal error: no command or context");
        config = x->config;
        max_age = (uint64_t)config->commands.max_age_sec * (uint64_t)USEC_PER_SEC;
        max_skew = (uint64_t)config->commands.max_skew_sec * (uint64_t)USEC_PER_SEC;

        if (x->prefix_conflict)
                return refuse(err, MQTT_ERROR_PREFIX_CONFLICT,
                              "another gateway announces this topic prefix: commands are refused until only "
                              "one does");
        if (!x->daemon_present)
                return refuse(err, MQTT_ERROR_UNAVAILABLE, "doorlockd is not running");
        if (!action_enabled(config, c->action, &key))
                return refuse(err, MQTT_ERROR_DISABLED, "%s is switched off by mqtt.conf's [Commands] %s=no",
                              action_names[c->action], key);
        if (command_action_needs_secure_link(c->action) && !x->link_secure)
                return refuse(err, MQTT_ERROR_INSECURE,
                              "the link to the broker is neither TLS nor loopback: %s is refused",
                              action_names[c->action]);

        if (!c->has_time && !x->has_expiry)
                return refuse(err, MQTT_ERROR_STALE,
                              "the command has neither a \"time\" nor a message expiry interval");
        if (x->has_expiry && (uint64_t)x->expiry_sec > config->commands.max_age_sec)
                return refuse(err, MQTT_ERROR_STALE, "the message expiry interval is longer than MaxAge=");
        /* A time is judged only by a trusted clock; without one, an expiry
         * alone carries the command (the broker measured it). */
        if (c->has_time && x->clock_trusted) {
                if (c->time + max_age < x->now)
                        return refuse(err, MQTT_ERROR_STALE, "\"time\" is more than MaxAge= in the past");
                if (c->time > x->now + max_skew)
                        return refuse(err, MQTT_ERROR_STALE, "\"time\" is more than MaxSkew= in the future");
        }
        if (c->has_time && !x->clock_trusted && !x->has_expiry)
                return refuse(err, MQTT_ERROR_CLOCK_UNTRUSTED,
                              "the gateway's clock is not trusted, so \"time\" cannot be checked: send the "
                              "command with a message expiry interval instead");

        if (!c->has_pin) {
                if (c->action == COMMAND_UNLOCK && !config->commands.unlock_without_pin)
                        return refuse(err, MQTT_ERROR_PIN_REQUIRED,
                                      "unlock needs a \"pin\" (unless mqtt.conf's [Commands] "
                                      "UnlockWithoutPin=yes)");
                if (c->action == COMMAND_MODE && c->mode == LOCK_MODE_PASSAGE)
                        return refuse(err, MQTT_ERROR_PIN_REQUIRED, "mode passage needs a \"pin\"");
                if (c->action == COMMAND_ADD_CODE)
                        return refuse(err, MQTT_ERROR_PIN_REQUIRED,
                                      "add_code needs a \"pin\" (no generated PINs over MQTT)");
        }
        return 0;
}

/* ---- replies ---- */

static int reply_finish(FILE *f, char **buf, char **ret) {
        bool failed = ferror(f);

        if (fclose(f) != 0 || failed || !*buf) {
                free(*buf);
                return -ENOMEM;
        }
        *ret = *buf;
        return 0;
}

static void reply_id(struct json *j, const char *id) {
        if (id && *id)
                json_kv_string(j, "id", id);
        else {
                json_key(j, "id");
                fputs("null", j->f);
        }
}

int command_reply_ok(const char *id, enum command_action a, uint32_t code_id, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        struct json j;
        FILE *f;

        if (!ret || (unsigned)a >= _COMMAND_ACTION_MAX)
                return -EINVAL;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        json_begin(&j, f);
        reply_id(&j, id);
        json_kv_bool(&j, "ok", true);
        json_kv_string(&j, "action", action_names[a]);
        if (code_id != 0)
                json_kv_unsigned(&j, "code_id", code_id);
        json_end(&j);
        return reply_finish(f, &buf, ret);
}

int command_reply_error(const char *id, const struct command *c, const char *error_name, const char *message,
                        char **ret) {
        char *buf = NULL;
        size_t size = 0;
        struct json j;
        FILE *f;

        if (!ret || !error_name)
                return -EINVAL;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        json_begin(&j, f);
        reply_id(&j, id);
        json_kv_bool(&j, "ok", false);
        if (c && c->has_action && (unsigned)c->action < _COMMAND_ACTION_MAX)
                json_kv_string(&j, "action", action_names[c->action]);
        else {
                json_key(&j, "action");
                fputs("null", f);
        }
        json_kv_string(&j, "error", error_name);
        json_kv_string(&j, "message", message ? message : "");
        json_end(&j);
        return reply_finish(f, &buf, ret);
}
