/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bus.h"

#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit-log.h"
#include "build-config.h"
#include "bus-error.h"
#include "code-store.h"
#include "macro.h"

#define ROLE_CACHE_MAX 32
#define PENDING_MAX 32

struct role_entry {
        char *sender;
        enum dl_role role;
        uid_t uid;
};

struct pending {
        sd_bus_message *call;
        bool want_unlocked;
};

struct dl_bus {
        sd_bus *bus;
        sd_event *event;
        struct dl_service *service;
        struct dl_hw_sim *sim;
        gid_t admin_gid, observer_gid;
        bool have_admin_gid, have_observer_gid;
        struct role_entry roles[ROLE_CACHE_MAX];
        size_t next_role;
        struct pending pending[PENDING_MAX];
        size_t n_pending;
};

static void sd_bus_message_unrefp_local(sd_bus_message **m) {
        sd_bus_message_unref(*m);
}
#define _cleanup_msg_ _cleanup_(sd_bus_message_unrefp_local)

/* ---- who is calling ---- */

static int ask_bus_credentials(struct dl_bus *b, const char *sender, uid_t *ret_uid, gid_t *gids,
                               size_t *n_gids) {
        _cleanup_msg_ sd_bus_message *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        size_t max = *n_gids;
        bool have_uid = false;
        int r;

        *n_gids = 0;
        /* Supplementary groups are not in sd-bus's sender credentials on
         * dbus-daemon: ask the bus. */
        r = sd_bus_call_method(b->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "GetConnectionCredentials", &error, &reply, "s",
                               sender);
        sd_bus_error_free(&error);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *key;

                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        return r;
                if (strcmp(key, "UnixUserID") == 0) {
                        uint32_t uid;

                        r = sd_bus_message_read(reply, "v", "u", &uid);
                        if (r < 0)
                                return r;
                        *ret_uid = uid;
                        have_uid = true;
                } else if (strcmp(key, "UnixGroupIDs") == 0) {
                        const void *data;
                        size_t size;

                        r = sd_bus_message_enter_container(reply, 'v', "au");
                        if (r < 0)
                                return r;
                        r = sd_bus_message_read_array(reply, 'u', &data, &size);
                        if (r < 0)
                                return r;
                        for (size_t i = 0; i < size / sizeof(uint32_t) && *n_gids < max; i++)
                                gids[(*n_gids)++] = ((const uint32_t *)data)[i];
                        r = sd_bus_message_exit_container(reply);
                        if (r < 0)
                                return r;
                } else {
                        r = sd_bus_message_skip(reply, "v");
                        if (r < 0)
                                return r;
                }
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return have_uid ? 0 : -ENODATA;
}

static enum dl_role role_of(struct dl_bus *b, uid_t uid, const gid_t *gids, size_t n) {
        enum dl_role role = DL_ROLE_NONE;

        if (uid == 0 || uid == getuid())
                return DL_ROLE_ADMIN;
        for (size_t i = 0; i < n; i++) {
                if (b->have_admin_gid && gids[i] == b->admin_gid)
                        return DL_ROLE_ADMIN;
                if (b->have_observer_gid && gids[i] == b->observer_gid)
                        role = DL_ROLE_OBSERVER;
        }
        return role;
}

/* The caller of m.  Unique names are never reused on a bus, so a small
 * cache by sender is safe. */
static int get_caller(struct dl_bus *b, sd_bus_message *m, struct dl_caller *c) {
        const char *sender = sd_bus_message_get_sender(m);
        gid_t gids[256];
        size_t n = ELEMENTSOF(gids);
        uid_t uid = (uid_t)-1;
        struct role_entry *e;
        int r;

        *c = (struct dl_caller){ .source = DL_SOURCE_DBUS, .role = DL_ROLE_NONE };
        if (!sender) {
                /* A direct connection without a bus: only our own. */
                snprintf(c->who, sizeof(c->who), "uid %u", (unsigned)getuid());
                c->role = DL_ROLE_ADMIN;
                return 0;
        }
        for (size_t i = 0; i < ROLE_CACHE_MAX; i++)
                if (b->roles[i].sender && strcmp(b->roles[i].sender, sender) == 0) {
                        c->role = b->roles[i].role;
                        snprintf(c->who, sizeof(c->who), "uid %u", (unsigned)b->roles[i].uid);
                        return 0;
                }

        r = ask_bus_credentials(b, sender, &uid, gids, &n);
        if (r < 0) {
                snprintf(c->who, sizeof(c->who), "%s", sender);
                return 0; /* unknown: no role */
        }
        c->role = role_of(b, uid, gids, n);
        snprintf(c->who, sizeof(c->who), "uid %u", (unsigned)uid);

        e = &b->roles[b->next_role];
        b->next_role = (b->next_role + 1) % ROLE_CACHE_MAX;
        free(e->sender);
        e->sender = strdup(sender);
        e->role = c->role;
        e->uid = uid;
        return 0;
}

static int get_current_caller(struct dl_bus *b, struct dl_caller *c) {
        sd_bus_message *m = sd_bus_get_current_message(b->bus);

        if (!m) {
                /* Not answering anyone: our own work (signal emission). */
                *c = (struct dl_caller){ .source = DL_SOURCE_SYSTEM, .role = DL_ROLE_ADMIN };
                return 0;
        }
        return get_caller(b, m, c);
}

static int reply_error(sd_bus_error *error, int r, const struct dl_error *err) {
        return dl_bus_error(error, r, err);
}

/* ---- org.doorlockd.Lock1 properties ---- */

static int prop_state(sd_bus *bus, const char *path, const char *iface, const char *prop,
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
        return -ENOENT;
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
        r = get_caller(b, sd_bus_get_current_message(b->bus), &c);
        if (r < 0)
                return r;
        r = dl_service_set_relock(b->service, &c, seconds, &err);
        if (r < 0)
                return reply_error(error, r, &err);
        return 0;
}

/* ---- org.doorlockd.Lock1 methods ---- */

static int reply_when_moved(struct dl_bus *b, sd_bus_message *m, bool want_unlocked) {
        enum dl_lock_state st = dl_service_state(b->service);

        if (st == (want_unlocked ? DL_LOCK_UNLOCKED : DL_LOCK_LOCKED))
                return sd_bus_reply_method_return(m, NULL);
        if (b->n_pending >= PENDING_MAX)
                return sd_bus_reply_method_return(m, NULL); /* do not hold more */
        b->pending[b->n_pending++] = (struct pending){ sd_bus_message_ref(m), want_unlocked };
        return 1;
}

static int method_lock(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;
        struct dl_error err = {};
        int r;

        r = get_caller(b, m, &c);
        if (r < 0)
                return r;
        r = dl_service_lock(b->service, &c, &err);
        if (r < 0)
                return reply_error(error, r, &err);
        return reply_when_moved(b, m, false);
}

static int do_unlock(struct dl_bus *b, sd_bus_message *m, int64_t hold, sd_bus_error *error) {
        struct dl_caller c;
        struct dl_error err = {};
        int r;

        r = get_caller(b, m, &c);
        if (r < 0)
                return r;
        r = dl_service_unlock(b->service, &c, hold, &err);
        if (r < 0)
                return reply_error(error, r, &err);
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

static int method_set_mode(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;
        struct dl_error err = {};
        const char *mode;
        int r;

        r = sd_bus_message_read(m, "s", &mode);
        if (r < 0)
                return r;
        r = get_caller(b, m, &c);
        if (r < 0)
                return r;
        r = dl_service_set_mode(b->service, &c, mode, &err);
        if (r < 0)
                return reply_error(error, r, &err);
        return sd_bus_reply_method_return(m, NULL);
}

static int simple_admin(sd_bus_message *m, struct dl_bus *b, sd_bus_error *error,
                        int (*op)(struct dl_service *, const struct dl_caller *, struct dl_error *)) {
        struct dl_caller c;
        struct dl_error err = {};
        int r;

        r = get_caller(b, m, &c);
        if (r < 0)
                return r;
        r = op(b->service, &c, &err);
        if (r < 0)
                return reply_error(error, r, &err);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_reset_lockout(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return simple_admin(m, userdata, error, dl_service_reset_lockout);
}

static int method_reset_clock(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return simple_admin(m, userdata, error, dl_service_reset_clock);
}

/* a(yqq) into spec->windows. */
static int read_schedule(sd_bus_message *m, struct dl_code_spec *spec, sd_bus_error *error) {
        uint8_t days;
        uint16_t start, end;
        int r;

        spec->n_windows = 0;
        r = sd_bus_message_enter_container(m, 'a', "(yqq)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "(yqq)", &days, &start, &end)) > 0) {
                if (spec->n_windows >= DL_WINDOWS_MAX)
                        return sd_bus_error_setf(error, DL_BUS_ERROR_PREFIX "InvalidSchedule",
                                                 "A code has at most %d weekly windows", DL_WINDOWS_MAX);
                spec->windows[spec->n_windows++] = (struct dl_window){ days, start, end };
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int append_schedule(sd_bus_message *reply, const struct dl_code_spec *spec) {
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(yqq)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < spec->n_windows; i++) {
                r = sd_bus_message_append(reply, "(yqq)", spec->windows[i].days, spec->windows[i].start,
                                          spec->windows[i].end);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int read_options(sd_bus_message *m, struct dl_code_spec *spec, unsigned *length,
                        sd_bus_error *error) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key;
                int b;
                uint64_t t;
                uint32_t u;

                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (strcmp(key, "OneTime") == 0) {
                        r = sd_bus_message_read(m, "v", "b", &b);
                        if (r >= 0)
                                spec->kind = b ? DL_CODE_ONE_TIME : DL_CODE_NORMAL;
                } else if (strcmp(key, "Duress") == 0) {
                        r = sd_bus_message_read(m, "v", "b", &b);
                        if (r >= 0)
                                spec->duress = b;
                } else if (strcmp(key, "ValidFrom") == 0 || strcmp(key, "ValidUntil") == 0) {
                        r = sd_bus_message_read(m, "v", "t", &t);
                        if (r >= 0 && t > INT64_MAX)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                         "%s is out of range", key);
                        if (r >= 0)
                                *(key[5] == 'F' ? &spec->valid_from : &spec->valid_until) = (int64_t)t;
                } else if (strcmp(key, "MaxUses") == 0) {
                        r = sd_bus_message_read(m, "v", "u", &u);
                        if (r >= 0)
                                spec->use_limit = u;
                } else if (strcmp(key, "Length") == 0) {
                        r = sd_bus_message_read(m, "v", "u", &u);
                        if (r >= 0)
                                *length = u;
                } else if (strcmp(key, "Schedule") == 0) {
                        r = sd_bus_message_enter_container(m, 'v', "a(yqq)");
                        if (r >= 0)
                                r = read_schedule(m, spec, error);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(m);
                } else
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%s'",
                                                 key);
                if (r < 0) {
                        if (sd_bus_error_is_set(error))
                                return r;
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Option '%s' has the wrong type", key);
                }
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int method_add_code(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_code_spec spec;
        struct dl_caller c;
        struct dl_error err = {};
        const char *name, *pin;
        char pin_out[DL_PIN_BUFFER_SIZE] = {}, path[128];
        unsigned length = 0;
        int64_t id = 0;
        int r;

        r = sd_bus_message_read(m, "ss", &name, &pin);
        if (r < 0)
                return r;
        dl_code_spec_init(&spec, NULL);
        if (dl_code_spec_set_name(&spec, name) < 0)
                return sd_bus_error_setf(error, DL_BUS_ERROR_PREFIX "InvalidName",
                                         "Code name is longer than %d characters", DL_CODE_NAME_MAX_CHARS);
        r = read_options(m, &spec, &length, error);
        if (r < 0)
                return r;
        if (*pin && length > 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Length applies only to a random PIN (empty pin)");
        r = get_caller(b, m, &c);
        if (r < 0)
                return r;
        r = dl_service_add_code(b->service, &c, &spec, pin, length, &id, pin_out, &err);
        if (r < 0)
                return reply_error(error, r, &err);
        snprintf(path, sizeof(path), DL_BUS_CODE_PREFIX "/%" PRId64, id);
        /* The PIN goes back this once, and only when we made it up. */
        r = sd_bus_reply_method_return(m, "os", path, *pin ? "" : pin_out);
        secure_zero(pin_out, sizeof(pin_out));
        return r;
}

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

/* (time, id, event, source, details) with details a{sv}: code_id,
 * code_name, reason (access-denied), kind (alarm), details. */
static int append_log_entry(sd_bus_message *reply, const struct dl_audit_entry *e, bool as_struct) {
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
        if (r >= 0 && strcmp(e->event, DL_EVENT_ACCESS_DENIED) == 0)
                r = sd_bus_message_append(reply, "{sv}", "reason", "s", first);
        if (r >= 0 && strcmp(e->event, DL_EVENT_ALARM) == 0)
                r = sd_bus_message_append(reply, "{sv}", "kind", "s", first);
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
        r = get_caller(b, m, &c);
        if (r < 0)
                return r;
        r = dl_service_check_read(&c, &err);
        if (r < 0)
                return reply_error(error, r, &err);
        ctx.limit = limit == 0 || limit > DL_LOG_MAX_ENTRIES_CEILING ? DL_LOG_MAX_ENTRIES_CEILING : limit;
        ctx.limit = MIN(ctx.limit, 100000u);
        ctx.ring = calloc(ctx.limit, sizeof(*ctx.ring));
        if (!ctx.ring)
                return -ENOMEM;
        r = dl_store_audit_list(dl_service_store(b->service), 0, 0, collect_log, &ctx, &err);
        if (r < 0) {
                free(ctx.ring);
                return reply_error(error, r, &err);
        }
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ttssa{sv})");
        for (size_t i = 0; r >= 0 && i < ctx.n; i++) {
                size_t idx = (ctx.head + ctx.limit - ctx.n + i) % ctx.limit;

                r = append_log_entry(reply, &ctx.ring[idx], true);
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

        r = get_caller(b, m, &c);
        if (r < 0)
                return r;
        r = dl_service_ec_generate(b->service, &c, code, &until, &left, &err);
        if (r < 0)
                return reply_error(error, r, &err);
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
        r = get_caller(b, m, &c);
        if (r < 0)
                return r;
        r = dl_service_ec_add_issuer(b->service, &c, name, &id, uri, &err);
        if (r < 0)
                return reply_error(error, r, &err);
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
        r = get_caller(b, m, &c);
        if (r < 0)
                return r;
        r = dl_service_ec_remove_issuer(b->service, &c, id, &err);
        if (r < 0)
                return reply_error(error, r, &err);
        return sd_bus_reply_method_return(m, NULL);
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

        r = get_caller(b, m, &c);
        if (r < 0)
                return r;
        r = dl_service_ec_check_admin(&c, &err);
        if (r < 0)
                return reply_error(error, r, &err);
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

/* ---- org.doorlockd.Simulator1 ---- */

static int sim_admin(struct dl_bus *b, sd_bus_message *m, sd_bus_error *error) {
        struct dl_caller c;
        int r;

        r = get_caller(b, m, &c);
        if (r < 0)
                return r;
        if (c.role != DL_ROLE_ADMIN)
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
                                        "Only administrators may drive the simulator");
        return 0;
}

static int method_press_keys(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        const char *keys;
        int r;

        r = sd_bus_message_read(m, "s", &keys);
        if (r < 0)
                return r;
        r = sim_admin(b, m, error);
        if (r < 0)
                return r;
        r = dl_hw_sim_press_keys(b->sim, keys);
        if (r == -EINVAL)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Keys are 0-9, # and *, at least one");
        if (r == -ENOBUFS)
                return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                         "At most %d keys may be waiting", DL_SIM_KEYS_MAX);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

static int method_set_door(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        const char *state;
        enum dl_door_state d;
        int r;

        r = sd_bus_message_read(m, "s", &state);
        if (r < 0)
                return r;
        r = sim_admin(b, m, error);
        if (r < 0)
                return r;
        d = dl_door_state_from_string(state);
        if (d != DL_DOOR_OPEN && d != DL_DOOR_CLOSED)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Door state is 'open' or 'closed'");
        r = dl_hw_sim_set_door(b->sim, d);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

static int method_set_jammed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        int jammed;
        int r;

        r = sd_bus_message_read(m, "b", &jammed);
        if (r < 0)
                return r;
        r = sim_admin(b, m, error);
        if (r < 0)
                return r;
        dl_hw_sim_set_jammed(b->sim, jammed);
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable lock_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("State", "s", prop_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Door", "s", prop_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Mode", "s", prop_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_WRITABLE_PROPERTY("AutoRelockSeconds", "u", prop_state, set_relock, 0,
                                 SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_PROPERTY("KeypadLockedUntil", "t", prop_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("CodeCount", "u", prop_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("MaxCodes", "u", prop_state, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ClockTrusted", "b", prop_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ClockSynchronized", "b", prop_state, 0, 0),
        SD_BUS_PROPERTY("Version", "s", prop_state, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("EmergencyCodesLeft", "u", prop_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD("Lock", NULL, NULL, method_lock, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Unlock", NULL, NULL, method_unlock, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("UnlockFor", SD_BUS_ARGS("u", seconds), SD_BUS_NO_RESULT, method_unlock_for,
                                SD_BUS_VTABLE_UNPRIVILEGED),
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
        SD_BUS_METHOD_WITH_ARGS("ListEmergencyIssuers", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ust)", issuers),
                                method_list_issuers, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("AccessGranted", SD_BUS_ARGS("s", source, "o", code, "s", name), 0),
        SD_BUS_SIGNAL_WITH_ARGS("AccessDenied", SD_BUS_ARGS("s", source, "s", reason), 0),
        SD_BUS_SIGNAL_WITH_ARGS("Alarm", SD_BUS_ARGS("s", kind, "s", detail), 0),
        SD_BUS_SIGNAL_WITH_ARGS(
                "LogEntry", SD_BUS_ARGS("t", time, "t", id, "s", event, "s", source, "a{sv}", details), 0),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable simulator_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("PressKeys", SD_BUS_ARGS("s", keys), SD_BUS_NO_RESULT, method_press_keys,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetDoor", SD_BUS_ARGS("s", state), SD_BUS_NO_RESULT, method_set_door,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetJammed", SD_BUS_ARGS("b", jammed), SD_BUS_NO_RESULT, method_set_jammed,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

/* ---- org.doorlockd.Code1 ---- */

static int64_t id_from_path(const char *path) {
        const char *p;
        char *end;
        long long id;

        if (strncmp(path, DL_BUS_CODE_PREFIX "/", strlen(DL_BUS_CODE_PREFIX) + 1) != 0)
                return -1;
        p = path + strlen(DL_BUS_CODE_PREFIX) + 1;
        if (*p < '1' || *p > '9')
                return -1;
        errno = 0;
        id = strtoll(p, &end, 10);
        if (errno || *end)
                return -1;
        return id;
}

static int code_find(sd_bus *bus, const char *path, const char *iface, void *userdata, void **found,
                     sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;
        struct dl_code code;
        int64_t id = id_from_path(path);

        (void)bus, (void)iface, (void)error;
        if (id <= 0)
                return 0;
        if (get_current_caller(b, &c) < 0 || c.role < DL_ROLE_OBSERVER)
                return 0; /* others do not even see that codes exist */
        if (dl_store_get_code(dl_service_store(b->service), id, &code, NULL) < 0)
                return 0;
        *found = b;
        return 1;
}

struct path_list {
        char **paths;
        size_t n, size;
};

static int collect_path(const struct dl_code *c, void *userdata) {
        struct path_list *l = userdata;

        if (l->n + 2 > l->size) {
                size_t size = l->size ? l->size * 2 : 64;
                char **p = reallocarray(l->paths, size, sizeof(*p));

                if (!p)
                        return -ENOMEM;
                l->paths = p;
                l->size = size;
        }
        if (asprintf(&l->paths[l->n], DL_BUS_CODE_PREFIX "/%" PRId64, c->id) < 0)
                return -ENOMEM;
        l->n++;
        l->paths[l->n] = NULL;
        return 0;
}

static int code_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes,
                          sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct path_list l = {};
        struct dl_caller c;
        int r;

        (void)bus, (void)prefix, (void)error;
        if (get_current_caller(b, &c) < 0 || c.role < DL_ROLE_OBSERVER) {
                *nodes = NULL;
                return 0;
        }
        r = dl_store_list_codes(dl_service_store(b->service), collect_path, &l, NULL);
        if (r < 0) {
                for (size_t i = 0; i < l.n; i++)
                        free(l.paths[i]);
                free(l.paths);
                return r;
        }
        *nodes = l.paths;
        return 0;
}

static int load_code(struct dl_bus *b, const char *path, struct dl_code *code, sd_bus_error *error) {
        struct dl_error err = {};
        int64_t id = id_from_path(path);
        int r;

        r = dl_store_get_code(dl_service_store(b->service), id, code, &err);
        if (r < 0)
                return reply_error(error, r, &err);
        return 0;
}

static int code_prop(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_code c;
        int r;

        (void)bus, (void)iface;
        r = load_code(b, path, &c, error);
        if (r < 0)
                return r;
        if (strcmp(prop, "Id") == 0)
                return sd_bus_message_append(reply, "u", (uint32_t)c.id);
        if (strcmp(prop, "Name") == 0)
                return sd_bus_message_append(reply, "s", c.spec.name);
        if (strcmp(prop, "Kind") == 0)
                return sd_bus_message_append(reply, "s", dl_code_kind_to_string(c.spec.kind));
        if (strcmp(prop, "Enabled") == 0)
                return sd_bus_message_append(reply, "b", c.spec.enabled);
        if (strcmp(prop, "ValidFrom") == 0)
                return sd_bus_message_append(reply, "t", (uint64_t)c.spec.valid_from);
        if (strcmp(prop, "ValidUntil") == 0)
                return sd_bus_message_append(reply, "t", (uint64_t)c.spec.valid_until);
        if (strcmp(prop, "Schedule") == 0)
                return append_schedule(reply, &c.spec);
        if (strcmp(prop, "MaxUses") == 0)
                return sd_bus_message_append(reply, "u", c.spec.use_limit);
        if (strcmp(prop, "Uses") == 0)
                return sd_bus_message_append(reply, "u", c.use_count);
        if (strcmp(prop, "LastUsed") == 0)
                return sd_bus_message_append(reply, "t", (uint64_t)c.last_used);
        if (strcmp(prop, "Created") == 0)
                return sd_bus_message_append(reply, "t", (uint64_t)c.created);
        if (strcmp(prop, "Duress") == 0)
                return sd_bus_message_append(reply, "b", c.spec.duress);
        if (strcmp(prop, "Active") == 0) {
                struct dl_code_status st;

                r = dl_store_code_status(dl_service_store(b->service), &c, &st, NULL);
                return sd_bus_message_append(reply, "b", r >= 0 && st.reason == DL_REASON_NONE);
        }
        return -ENOENT;
}

static int code_set(sd_bus *bus, const char *path, const char *iface, const char *prop,
                    sd_bus_message *value, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller caller;
        struct dl_error err = {};
        struct dl_code c;
        const char *s;
        uint64_t t;
        uint32_t u;
        int flag, r;

        (void)bus, (void)iface;
        r = load_code(b, path, &c, error);
        if (r < 0)
                return r;
        if (strcmp(prop, "Name") == 0) {
                r = sd_bus_message_read(value, "s", &s);
                if (r < 0)
                        return r;
                if (dl_code_spec_set_name(&c.spec, s) < 0)
                        return sd_bus_error_setf(error, DL_BUS_ERROR_PREFIX "InvalidName",
                                                 "Code name is longer than %d characters",
                                                 DL_CODE_NAME_MAX_CHARS);
        } else if (strcmp(prop, "Enabled") == 0) {
                r = sd_bus_message_read(value, "b", &flag);
                if (r < 0)
                        return r;
                c.spec.enabled = flag;
        } else if (strcmp(prop, "ValidFrom") == 0 || strcmp(prop, "ValidUntil") == 0) {
                r = sd_bus_message_read(value, "t", &t);
                if (r < 0)
                        return r;
                if (t > INT64_MAX)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s is out of range",
                                                 prop);
                *(prop[5] == 'F' ? &c.spec.valid_from : &c.spec.valid_until) = (int64_t)t;
        } else if (strcmp(prop, "Schedule") == 0) {
                r = read_schedule(value, &c.spec, error);
                if (r < 0)
                        return r;
        } else if (strcmp(prop, "MaxUses") == 0) {
                r = sd_bus_message_read(value, "u", &u);
                if (r < 0)
                        return r;
                c.spec.use_limit = u;
        } else
                return -ENOENT;

        r = get_caller(b, sd_bus_get_current_message(b->bus), &caller);
        if (r < 0)
                return r;
        r = dl_service_update_code(b->service, &caller, c.id, &c.spec, &err);
        if (r < 0)
                return reply_error(error, r, &err);
        return 0;
}

static int method_code_remove(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;
        struct dl_error err = {};
        int64_t id = id_from_path(sd_bus_message_get_path(m));
        int r;

        r = get_caller(b, m, &c);
        if (r < 0)
                return r;
        r = dl_service_remove_code(b->service, &c, id, &err);
        if (r < 0)
                return reply_error(error, r, &err);
        return sd_bus_reply_method_return(m, NULL);
}

#define RW (SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED)

static const sd_bus_vtable code_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "u", code_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_WRITABLE_PROPERTY("Name", "s", code_prop, code_set, 0, RW),
        SD_BUS_PROPERTY("Kind", "s", code_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_WRITABLE_PROPERTY("Enabled", "b", code_prop, code_set, 0, RW),
        SD_BUS_WRITABLE_PROPERTY("ValidFrom", "t", code_prop, code_set, 0, RW),
        SD_BUS_WRITABLE_PROPERTY("ValidUntil", "t", code_prop, code_set, 0, RW),
        SD_BUS_WRITABLE_PROPERTY("Schedule", "a(yqq)", code_prop, code_set, 0, RW),
        SD_BUS_WRITABLE_PROPERTY("MaxUses", "u", code_prop, code_set, 0, RW),
        SD_BUS_PROPERTY("Uses", "u", code_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastUsed", "t", code_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Created", "t", code_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Duress", "b", code_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Active", "b", code_prop, 0, 0),
        SD_BUS_METHOD("Remove", NULL, NULL, method_code_remove, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

/* ---- service events into signals ---- */

static void code_path(int64_t id, char *buf, size_t size) {
        if (id > 0)
                snprintf(buf, size, DL_BUS_CODE_PREFIX "/%" PRId64, id);
        else
                snprintf(buf, size, "/");
}

static void ev_granted(void *userdata, enum dl_source source, int64_t code_id, const char *name) {
        struct dl_bus *b = userdata;
        char path[128];

        code_path(code_id, path, sizeof(path));
        (void)sd_bus_emit_signal(b->bus, DL_BUS_PATH, DL_BUS_NAME, "AccessGranted", "sos",
                                 dl_source_to_string(source), path, name ? name : "");
}

static void ev_denied(void *userdata, enum dl_source source, const char *reason) {
        struct dl_bus *b = userdata;

        (void)sd_bus_emit_signal(b->bus, DL_BUS_PATH, DL_BUS_NAME, "AccessDenied", "ss",
                                 dl_source_to_string(source), reason);
}

static void ev_alarm(void *userdata, const char *kind, const char *detail) {
        struct dl_bus *b = userdata;

        (void)sd_bus_emit_signal(b->bus, DL_BUS_PATH, DL_BUS_NAME, "Alarm", "ss", kind,
                                 detail ? detail : "");
}

static void ev_log_entry(void *userdata, const struct dl_audit_entry *e) {
        struct dl_bus *b = userdata;
        _cleanup_msg_ sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_signal(b->bus, &m, DL_BUS_PATH, DL_BUS_NAME, "LogEntry");
        if (r >= 0)
                r = append_log_entry(m, e, false);
        if (r >= 0)
                (void)sd_bus_send(b->bus, m, NULL);
}

static void ev_property_changed(void *userdata, const char *property) {
        struct dl_bus *b = userdata;

        (void)sd_bus_emit_properties_changed(b->bus, DL_BUS_PATH, DL_BUS_NAME, property, NULL);
}

static void ev_code_added(void *userdata, int64_t id) {
        struct dl_bus *b = userdata;
        char path[128];

        code_path(id, path, sizeof(path));
        (void)sd_bus_emit_object_added(b->bus, path);
}

static void ev_code_removed(void *userdata, int64_t id) {
        struct dl_bus *b = userdata;
        char path[128];

        code_path(id, path, sizeof(path));
        (void)sd_bus_emit_interfaces_removed(b->bus, path, "org.doorlockd.Code1", NULL);
}

static void ev_code_changed(void *userdata, int64_t id) {
        struct dl_bus *b = userdata;
        char path[128];

        code_path(id, path, sizeof(path));
        (void)sd_bus_emit_properties_changed(b->bus, path, "org.doorlockd.Code1", "Name", "Enabled",
                                             "ValidFrom", "ValidUntil", "Schedule", "MaxUses", "Uses",
                                             "LastUsed", NULL);
}

static void ev_motion_done(void *userdata, enum dl_lock_state state) {
        struct dl_bus *b = userdata;
        size_t kept = 0;

        for (size_t i = 0; i < b->n_pending; i++) {
                struct pending *p = &b->pending[i];

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
        b->n_pending = kept;
}

const struct dl_service_events dl_bus_service_events = {
        .granted = ev_granted,
        .denied = ev_denied,
        .alarm = ev_alarm,
        .log_entry = ev_log_entry,
        .property_changed = ev_property_changed,
        .code_added = ev_code_added,
        .code_removed = ev_code_removed,
        .code_changed = ev_code_changed,
        .motion_done = ev_motion_done,
};

/* GetManagedObjects is sd-bus's own; observers and admins only. */
static int filter_object_manager(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;

        (void)error;
        if (!sd_bus_message_is_method_call(m, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects"))
                return 0;
        if (get_caller(b, m, &c) < 0 || c.role >= DL_ROLE_OBSERVER)
                return 0;
        (void)sd_bus_reply_method_errorf(
                m, SD_BUS_ERROR_ACCESS_DENIED,
                "Only members of group doorlock or doorlock-admin may list the codes");
        return 1;
}

/* ---- life cycle ---- */

void dl_bus_set_service(struct dl_bus *b, struct dl_service *service) {
        b->service = service;
}

struct dl_bus *dl_bus_free(struct dl_bus *b) {
        if (!b)
                return NULL;
        for (size_t i = 0; i < b->n_pending; i++)
                sd_bus_message_unref(b->pending[i].call);
        for (size_t i = 0; i < ROLE_CACHE_MAX; i++)
                free(b->roles[i].sender);
        sd_bus_flush_close_unref(b->bus);
        sd_event_unref(b->event);
        free(b);
        return NULL;
}

/* The groups that make a caller admin or observer; read once at start. */
static bool lookup_gid(const char *name, gid_t *ret) {
        struct group grp, *result = NULL;
        char buf[4096];

        if (getgrnam_r(name, &grp, buf, sizeof(buf), &result) != 0 || !result)
                return false;
        *ret = result->gr_gid;
        return true;
}

int dl_bus_new(sd_event *event, struct dl_hw_sim *sim, struct dl_bus **ret) {
        struct dl_bus *b;
        int r;

        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        b->event = sd_event_ref(event);
        b->sim = sim;
        b->have_admin_gid = lookup_gid("doorlock-admin", &b->admin_gid);
        b->have_observer_gid = lookup_gid("doorlock", &b->observer_gid);

        r = sd_bus_open_system_with_description(&b->bus, "doorlockd");
        if (r < 0)
                goto fail;
        r = sd_bus_add_filter(b->bus, NULL, filter_object_manager, b);
        if (r < 0)
                goto fail;
        r = sd_bus_add_object_manager(b->bus, NULL, DL_BUS_PATH);
        if (r < 0)
                goto fail;
        r = sd_bus_add_object_vtable(b->bus, NULL, DL_BUS_PATH, DL_BUS_NAME, lock_vtable, b);
        if (r < 0)
                goto fail;
        if (sim) {
                r = sd_bus_add_object_vtable(b->bus, NULL, DL_BUS_PATH, "org.doorlockd.Simulator1",
                                             simulator_vtable, b);
                if (r < 0)
                        goto fail;
        }
        r = sd_bus_add_fallback_vtable(b->bus, NULL, DL_BUS_CODE_PREFIX, "org.doorlockd.Code1", code_vtable,
                                       code_find, b);
        if (r < 0)
                goto fail;
        r = sd_bus_add_node_enumerator(b->bus, NULL, DL_BUS_CODE_PREFIX, code_enumerate, b);
        if (r < 0)
                goto fail;
        r = sd_bus_attach_event(b->bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                goto fail;
        *ret = b;
        return 0;
fail:
        dl_bus_free(b);
        return r;
}

int dl_bus_request_name(struct dl_bus *b) {
        return sd_bus_request_name(b->bus, DL_BUS_NAME, 0);
}
