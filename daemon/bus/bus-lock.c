/* SPDX-License-Identifier: GPL-2.0-or-later */
/* org.doorlockd.Lock1 at DL_BUS_PATH: its properties, its methods (Lock and
 * Unlock, whose replies wait here until the bolt arrives; modes, AddCode
 * and its options, GetLog, the emergency codes) and its vtable.  Each
 * method reads its arguments, asks the service and maps the answer. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit-log.h"
#include "build-config.h"
#include "bus-private.h"
#include "code-store.h"

/* ---- properties ---- */

static int lock_prop(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;

        (void)bus, (void)path, (void)iface, (void)error;
        if (strcmp(prop, "State") == 0)
                return sd_bus_message_append(reply, "s",
                                             dl_lock_state_to_string(dl_service_state(b->service)));
        if (strcmp(prop, "Door") == 0)
                return sd_bus_message_append(reply, "s",
                                             dl_door_state_to_string(dl_service_door(b->service)));
        if (strcmp(prop, "Mode") == 0)
                return sd_bus_message_append(reply, "s",
                                             dl_lock_mode_to_string(dl_service_mode(b->service)));
        if (strcmp(prop, "AutoRelockSeconds") == 0)
                return sd_bus_message_append(reply, "u", dl_service_relock_seconds(b->service));
        if (strcmp(prop, "KeypadLockedUntil") == 0)
                return sd_bus_message_append(reply, "t",
                                             (uint64_t)dl_service_keypad_locked_until(b->service));
        if (strcmp(prop, "NetworkLockedUntil") == 0)
                return sd_bus_message_append(reply, "t",
                                             (uint64_t)dl_service_network_locked_until(b->service));
        if (strcmp(prop, "CodeCount") == 0)
                return sd_bus_message_append(reply, "u", dl_service_code_count(b->service));
        if (strcmp(prop, "MaxCodes") == 0)
                return sd_bus_message_append(reply, "u", dl_service_max_codes(b->service));
        if (strcmp(prop, "ClockTrusted") == 0)
                return sd_bus_message_append(reply, "b", dl_service_clock_trusted(b->service));
        if (strcmp(prop, "ClockSynchronized") == 0)
                return sd_bus_message_append(reply, "b", dl_service_clock_synchronized(b->service));
        if (strcmp(prop, "Version") == 0)
                return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
        if (strcmp(prop, "EmergencyCodesLeft") == 0)
                return sd_bus_message_append(reply, "u", dl_service_ec_codes_left(b->service));
        return dl_bus_hardware_prop(b, prop, reply);
}

static int set_relock(sd_bus *bus, const char *path, const char *iface, const char *prop,
                      sd_bus_message *value, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;
        struct dl_error err = {};
        uint32_t seconds;
        int r;

        (void)bus, (void)path, (void)iface, (void)prop;
        r = sd_bus_message_read(value, "u", &seconds);
        if (r < 0)
                return r;
        dl_bus_get_current_caller(b, &c);
        r = dl_service_set_relock(b->service, &c, seconds, &err);
        return r < 0 ? dl_bus_error(error, r, &err) : 0;
}

/* ---- Lock, Unlock: the reply waits for the bolt ---- */

static int reply_when_moved(struct dl_bus *b, sd_bus_message *m, bool want_unlocked) {
        enum dl_lock_state st = dl_service_state(b->service);

        if (st == (want_unlocked ? DL_LOCK_UNLOCKED : DL_LOCK_LOCKED))
                return sd_bus_reply_method_return(m, NULL);
        if (b->n_pending >= DL_BUS_PENDING_MAX)
                return sd_bus_reply_method_return(m, NULL); /* do not hold more */
        b->pending[b->n_pending++] = (struct dl_bus_pending){ sd_bus_message_ref(m), want_unlocked };
        return 1;
}

void dl_bus_answer_pending(struct dl_bus *b, enum dl_lock_state state) {
        for (size_t i = 0; i < b->n_pending; i++) {
                const struct dl_bus_pending *p = &b->pending[i];

                if (state == DL_LOCK_JAMMED)
                        (void)sd_bus_reply_method_errorf(p->call, DL_BUS_ERROR_PREFIX "Jammed",
                                                         "The bolt did not reach the %s position: jammed",
                                                         p->want_unlocked ? "unlocked" : "locked");
                else if ((state == DL_LOCK_UNLOCKED) == p->want_unlocked)
                        (void)sd_bus_reply_method_return(p->call, NULL);
                else
                        /* Another command sent the bolt the other way. */
                        (void)sd_bus_reply_method_errorf(p->call, DL_BUS_ERROR_PREFIX "Interrupted",
                                                         "Another command moved the bolt to %s first",
                                                         dl_lock_state_to_string(state));
                sd_bus_message_unref(p->call);
        }
        b->n_pending = 0;
}

void dl_bus_drop_pending(struct dl_bus *b) {
        for (size_t i = 0; i < b->n_pending; i++)
                sd_bus_message_unref(b->pending[i].call);
        b->n_pending = 0;
}

static int method_lock(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;
        struct dl_error err = {};
        int r;

        dl_bus_get_caller(b, m, &c);
        r = dl_service_lock(b->service, &c, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);
        return reply_when_moved(b, m, false);
}

static int do_unlock(struct dl_bus *b, sd_bus_message *m, int64_t hold, sd_bus_error *error) {
        struct dl_caller c;
        struct dl_error err = {};
        int r;

        dl_bus_get_caller(b, m, &c);
        r = dl_service_unlock(b->service, &c, hold, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);
        return reply_when_moved(b, m, true);
}

static int method_unlock(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return do_unlock(userdata, m, 0, error);
}

static int method_unlock_for(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        uint32_t seconds;
        int r;

        r = sd_bus_message_read(m, "u", &seconds);
        if (r < 0)
                return r;
        if (seconds < 1 || seconds > 86400)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Unlock time %" PRIu32 " s is outside 1-86400", seconds);
        return do_unlock(userdata, m, (int64_t)seconds * USEC_PER_SEC, error);
}

/* ---- SubmitPin: a PIN from the network ---- */

static int method_submit_pin(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;
        struct dl_error err = {};
        struct dl_decision d;
        const char *pin, *action;
        char path[DL_BUS_CODE_PATH_MAX], name[DL_CODE_NAME_MAX_BYTES + 32];
        int r;

        /* The call is flagged sensitive: sd-bus wipes the message, and so
         * the PIN, when it frees it. */
        r = sd_bus_message_read(m, "ss", &pin, &action);
        if (r < 0)
                return r;
        dl_bus_get_caller(b, m, &c);
        r = dl_service_submit_pin(b->service, &c, pin, action, &d, &err);
        if (r < 0) {
                secure_zero(&d, sizeof(d));
                return dl_bus_error(error, r, &err);
        }
        dl_bus_code_path(d.emergency ? 0 : d.code_id, path, sizeof(path));
        dl_service_grant_name(&d, name, sizeof(name));
        secure_zero(&d, sizeof(d));
        return sd_bus_reply_method_return(m, "os", path, name);
}

/* ---- methods with nothing to return ---- */

static int method_set_mode(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;
        struct dl_error err = {};
        const char *mode;
        int r;

        r = sd_bus_message_read(m, "s", &mode);
        if (r < 0)
                return r;
        dl_bus_get_caller(b, m, &c);
        r = dl_service_set_mode(b->service, &c, mode, &err);
        return dl_bus_reply_op(m, r, &err, error);
}

/* A method without arguments or results: one service operation. */
static int call_simple(sd_bus_message *m, struct dl_bus *b, sd_bus_error *error,
                       int (*op)(struct dl_service *, const struct dl_caller *, struct dl_error *)) {
        struct dl_caller c;
        struct dl_error err = {};
        int r;

        dl_bus_get_caller(b, m, &c);
        r = op(b->service, &c, &err);
        return dl_bus_reply_op(m, r, &err, error);
}

static int method_reset_lockout(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return call_simple(m, userdata, error, dl_service_reset_lockout);
}

static int method_reset_clock(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return call_simple(m, userdata, error, dl_service_reset_clock);
}

/* ---- AddCode ---- */

static int method_add_code(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_code_spec spec;
        struct dl_caller c;
        struct dl_error err = {};
        const char *name, *pin;
        char pin_out[DL_PIN_BUFFER_SIZE] = {}, path[DL_BUS_CODE_PATH_MAX];
        unsigned length = 0;
        int64_t id = 0;
        int r;

        r = sd_bus_message_read(m, "ss", &name, &pin);
        if (r < 0)
                return r;
        dl_code_spec_init(&spec, NULL);
        r = dl_bus_set_code_name(&spec, name, error);
        if (r < 0)
                return r;
        r = dl_bus_read_code_options(m, &spec, &length, error);
        if (r < 0)
                return r;
        if (*pin && length > 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Length applies only to a random PIN (empty pin)");
        dl_bus_get_caller(b, m, &c);
        r = dl_service_add_code(b->service, &c, &spec, pin, length, &id, pin_out, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);
        dl_bus_code_path(id, path, sizeof(path));
        /* The PIN goes back this once, and only when we made it up. */
        r = sd_bus_reply_method_return(m, "os", path, *pin ? "" : pin_out);
        secure_zero(pin_out, sizeof(pin_out));
        return r;
}

/* ---- GetLog ---- */

struct log_ctx {
        uint64_t since;
        uint32_t limit;
        struct dl_audit_entry *ring;
        size_t n, head;
};

static int collect_log(const struct dl_audit_entry *e, void *userdata) {
        struct log_ctx *ctx = userdata;

        if ((uint64_t)e->time < ctx->since)
                return 0;
        ctx->ring[ctx->head] = *e;
        ctx->head = (ctx->head + 1) % ctx->limit;
        if (ctx->n < ctx->limit)
                ctx->n++;
        return 0;
}

static bool is_operation_event(const char *event) {
        return strcmp(event, DL_EVENT_LOCK) == 0 || strcmp(event, DL_EVENT_UNLOCK) == 0 ||
               strcmp(event, DL_EVENT_LOCKED) == 0 || strcmp(event, DL_EVENT_UNLOCKED) == 0;
}

/* details a{sv}: code_id, code_name, reason (access-denied), kind (alarm),
 * cause (lock, unlock, locked, unlocked), details. */
int dl_bus_append_log_entry(sd_bus_message *reply, const struct dl_audit_entry *e, bool as_struct) {
        char first[48];
        int r;

        if (as_struct) {
                r = sd_bus_message_open_container(reply, 'r', "ttssa{sv}");
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_append(reply, "ttss", (uint64_t)e->time, (uint64_t)e->seq, e->event, e->source);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        if (e->code_id > 0)
                r = sd_bus_message_append(reply, "{sv}", "code_id", "u", (uint32_t)e->code_id);
        if (r >= 0 && e->code_name[0])
                r = sd_bus_message_append(reply, "{sv}", "code_name", "s", e->code_name);
        /* The first word of the details is the reason or alarm kind. */
        snprintf(first, sizeof(first), "%.*s", (int)strcspn(e->details, ";:"), e->details);
        if (r >= 0 &&
            (strcmp(e->event, DL_EVENT_ACCESS_DENIED) == 0 || strcmp(e->event, "emergency-refused") == 0))
                r = sd_bus_message_append(reply, "{sv}", "reason", "s", first);
        if (r >= 0 && strcmp(e->event, DL_EVENT_ALARM) == 0)
                r = sd_bus_message_append(reply, "{sv}", "kind", "s", first);
        /* The bolt's operations: the first word is the cause (older `lock`
         * entries, "locked by uid 0", have none). */
        if (r >= 0 && is_operation_event(e->event) && dl_lock_cause_from_string(first) >= 0)
                r = sd_bus_message_append(reply, "{sv}", "cause", "s", first);
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}", "details", "s", e->details);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        if (as_struct)
                return sd_bus_message_close_container(reply);
        return 0;
}

static int method_get_log(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        _cleanup_msg_ sd_bus_message *reply = NULL;
        struct log_ctx ctx = {};
        struct dl_caller c;
        struct dl_error err = {};
        uint32_t limit;
        int r;

        r = sd_bus_message_read(m, "tu", &ctx.since, &limit);
        if (r < 0)
                return r;
        dl_bus_get_caller(b, m, &c);
        r = dl_service_check_read(&c, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);
        ctx.limit = limit == 0 || limit > DL_LOG_MAX_ENTRIES_CEILING ? DL_LOG_MAX_ENTRIES_CEILING : limit;
        ctx.limit = MIN(ctx.limit, 100000u);
        ctx.ring = calloc(ctx.limit, sizeof(*ctx.ring));
        if (!ctx.ring)
                return -ENOMEM;
        r = dl_store_audit_list(dl_service_store(b->service), 0, 0, collect_log, &ctx, &err);
        if (r < 0) {
                free(ctx.ring);
                return dl_bus_error(error, r, &err);
        }
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ttssa{sv})");
        for (size_t i = 0; r >= 0 && i < ctx.n; i++) {
                size_t idx = (ctx.head + ctx.limit - ctx.n + i) % ctx.limit;

                r = dl_bus_append_log_entry(reply, &ctx.ring[idx], true);
        }
        free(ctx.ring);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* ---- emergency codes ---- */

static int method_generate_ec(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;
        struct dl_error err = {};
        char code[DL_EC_DIGITS + 1] = {};
        int64_t until = 0;
        unsigned left = 0;
        int r;

        dl_bus_get_caller(b, m, &c);
        r = dl_service_ec_generate(b->service, &c, code, &until, &left, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);
        r = sd_bus_reply_method_return(m, "st", code, (uint64_t)until);
        secure_zero(code, sizeof(code));
        return r;
}

static int method_add_issuer(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;
        struct dl_error err = {};
        char uri[DL_EC_URI_MAX] = {};
        const char *name;
        uint32_t id = 0;
        int r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        dl_bus_get_caller(b, m, &c);
        r = dl_service_ec_add_issuer(b->service, &c, name, &id, uri, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);
        r = sd_bus_reply_method_return(m, "us", id, uri);
        secure_zero(uri, sizeof(uri));
        return r;
}

static int method_remove_issuer(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;
        struct dl_error err = {};
        uint32_t id;
        int r;

        r = sd_bus_message_read(m, "u", &id);
        if (r < 0)
                return r;
        dl_bus_get_caller(b, m, &c);
        r = dl_service_ec_remove_issuer(b->service, &c, id, &err);
        return dl_bus_reply_op(m, r, &err, error);
}

static int append_issuer(const struct dl_ec_issuer_info *i, void *userdata) {
        return sd_bus_message_append(userdata, "(ust)", i->id, i->name, (uint64_t)i->created);
}

static int method_list_issuers(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        _cleanup_msg_ sd_bus_message *reply = NULL;
        struct dl_caller c;
        struct dl_error err = {};
        int r;

        dl_bus_get_caller(b, m, &c);
        r = dl_service_check_admin(&c, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ust)");
        if (r >= 0)
                r = dl_store_ec_list_issuers(dl_service_store(b->service), append_issuer, reply, &err);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

const sd_bus_vtable dl_bus_lock_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("State", "s", lock_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Door", "s", lock_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Mode", "s", lock_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_WRITABLE_PROPERTY("AutoRelockSeconds", "u", lock_prop, set_relock, 0,
                                 SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_PROPERTY("KeypadLockedUntil", "t", lock_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("NetworkLockedUntil", "t", lock_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("CodeCount", "u", lock_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("MaxCodes", "u", lock_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ClockTrusted", "b", lock_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ClockSynchronized", "b", lock_prop, 0, 0),
        SD_BUS_PROPERTY("Version", "s", lock_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("EmergencyCodesLeft", "u", lock_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Hardware", "s", lock_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Tamper", "b", lock_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("GetHardware", SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a{sv}", info, "a(ssbi)", lines), dl_bus_method_get_hardware,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("TestHardware", SD_BUS_ARGS("s", part), SD_BUS_NO_RESULT,
                                dl_bus_method_test_hardware, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Lock", NULL, NULL, method_lock, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Unlock", NULL, NULL, method_unlock, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("UnlockFor", SD_BUS_ARGS("u", seconds), SD_BUS_NO_RESULT, method_unlock_for,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SubmitPin", SD_BUS_ARGS("s", pin, "s", action),
                                SD_BUS_RESULT("o", code, "s", name), method_submit_pin,
                                SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("SetMode", SD_BUS_ARGS("s", mode), SD_BUS_NO_RESULT, method_set_mode,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AddCode", SD_BUS_ARGS("s", name, "s", pin, "a{sv}", options),
                                SD_BUS_RESULT("o", code, "s", pin), method_add_code,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("ResetLockout", NULL, NULL, method_reset_lockout, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("ResetClock", NULL, NULL, method_reset_clock, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetLog", SD_BUS_ARGS("t", since, "u", limit),
                                SD_BUS_RESULT("a(ttssa{sv})", entries), method_get_log,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GenerateEmergencyCode", SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("s", code, "t", valid_until), method_generate_ec,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AddEmergencyIssuer", SD_BUS_ARGS("s", name),
                                SD_BUS_RESULT("u", id, "s", secret_uri), method_add_issuer,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemoveEmergencyIssuer", SD_BUS_ARGS("u", id), SD_BUS_NO_RESULT,
                                method_remove_issuer, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Backup", SD_BUS_ARGS("h", fd, "s", passphrase), SD_BUS_RESULT("t", size),
                                dl_bus_method_backup, SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("Restore", SD_BUS_ARGS("h", fd, "s", passphrase, "a{sv}", options),
                                SD_BUS_RESULT("a{sv}", restored), dl_bus_method_restore,
                                SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("ListEmergencyIssuers", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ust)", issuers),
                                method_list_issuers, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("AccessGranted", SD_BUS_ARGS("s", source, "o", code, "s", name), 0),
        SD_BUS_SIGNAL_WITH_ARGS("AccessDenied", SD_BUS_ARGS("s", source, "s", reason), 0),
        SD_BUS_SIGNAL_WITH_ARGS("Alarm", SD_BUS_ARGS("s", kind, "s", detail), 0),
        SD_BUS_SIGNAL("Doorbell", "", 0),
        SD_BUS_SIGNAL_WITH_ARGS("KeyTest", SD_BUS_ARGS("s", key), 0),
        SD_BUS_SIGNAL_WITH_ARGS(
                "LogEntry", SD_BUS_ARGS("t", time, "t", id, "s", event, "s", source, "a{sv}", details), 0),
        SD_BUS_VTABLE_END,
};
