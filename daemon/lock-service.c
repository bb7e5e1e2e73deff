/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock service: the object and its wiring (the lock controller's
 * outputs, the backend's inputs), keeping the faces informed, and the path
 * that moves the bolt: a keypad entry decided by the store, then the drive;
 * Lock() and Unlock().  Timers are in lock-service-timers.c, roles and the
 * admin operations in lock-service-admin.c. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit-log.h"
#include "code-store.h"
#include "lock-service-private.h"

/* ---- keeping the faces informed ---- */

static int emit_log(const struct dl_audit_entry *e, void *userdata) {
        struct dl_service *s = userdata;

        s->last_log_seq = e->seq;
        if (s->ev->log_entry)
                s->ev->log_entry(s->ev_userdata, e);
        return 0;
}

void service_sync_store(struct dl_service *s) {
        int64_t until, seen = s->lockout_until_seen;
        int64_t net_until, net_seen = s->net_lockout_until_seen;
        bool trusted;

        until = dl_service_keypad_locked_until(s);
        if (until != seen)
                service_log_lockout_change(s, DL_LOCKOUT_KEYPAD, seen);
        net_until = dl_service_network_locked_until(s);
        if (net_until != net_seen)
                service_log_lockout_change(s, DL_LOCKOUT_NETWORK, net_seen);
        /* While the bolt moves, its entries wait for the arrival: one
         * transaction for "unlock" and "unlocked", not two. */
        if (!s->moving)
                service_flush_log(s);
        (void)dl_store_audit_list(s->store, s->last_log_seq, 0, emit_log, s, NULL);

        if (until != seen) {
                s->lockout_until_seen = until;
                s->ev->property_changed(s->ev_userdata, "KeypadLockedUntil");
                /* Say so again when the lockout runs out by itself. */
                service_arm_lockout_timer(s, until);
        }
        if (net_until != net_seen) {
                s->net_lockout_until_seen = net_until;
                s->ev->property_changed(s->ev_userdata, "NetworkLockedUntil");
                service_arm_net_lockout_timer(s, net_until);
        }
        trusted = dl_service_clock_trusted(s);
        if (trusted != s->clock_trusted_seen) {
                s->clock_trusted_seen = trusted;
                s->ev->property_changed(s->ev_userdata, "ClockTrusted");
        }
}

struct id_list {
        int64_t *ids;
        size_t n, size;
};

static int collect_id(const struct dl_code *c, void *userdata) {
        struct id_list *l = userdata;

        if (l->n == l->size) {
                size_t size = l->size ? l->size * 2 : 64;
                int64_t *ids = reallocarray(l->ids, size, sizeof(*ids));

                if (!ids)
                        return -ENOMEM;
                l->ids = ids;
                l->size = size;
        }
        l->ids[l->n++] = c->id;
        return 0;
}

static bool has_id(const int64_t *ids, size_t n, int64_t id) {
        for (size_t i = 0; i < n; i++)
                if (ids[i] == id)
                        return true;
        return false;
}

/* Codes appear and disappear through the store (added, removed, removed
 * automatically when dead): diff the list and report. */
void service_sync_codes(struct dl_service *s) {
        struct id_list now = {};
        bool changed = false;

        if (dl_store_list_codes(s->store, collect_id, &now, NULL) < 0) {
                free(now.ids);
                return;
        }
        for (size_t i = 0; i < s->n_code_ids; i++)
                if (!has_id(now.ids, now.n, s->code_ids[i])) {
                        s->ev->code_removed(s->ev_userdata, s->code_ids[i]);
                        changed = true;
                }
        for (size_t i = 0; i < now.n; i++)
                if (!has_id(s->code_ids, s->n_code_ids, now.ids[i])) {
                        s->ev->code_added(s->ev_userdata, now.ids[i]);
                        changed = true;
                }
        free(s->code_ids);
        s->code_ids = now.ids;
        s->n_code_ids = now.n;
        if (changed)
                s->ev->property_changed(s->ev_userdata, "CodeCount");
}

void service_sync_all(struct dl_service *s) {
        service_sync_codes(s);
        service_sync_store(s);
}

void service_log_event(struct dl_service *s, const char *event, enum dl_source source, const char *who,
                       const char *fmt, ...) {
        struct dl_actor actor = { source, who };
        char details[DL_AUDIT_DETAILS_MAX];
        struct dl_error err = {};
        va_list ap;
        int r;

        va_start(ap, fmt);
        vsnprintf(details, sizeof(details), fmt, ap);
        va_end(ap);
        /* What was queued happened first. */
        service_flush_log(s);
        r = dl_store_log_event(s->store, event, &actor, 0, NULL, details, &err);
        if (r < 0)
                fprintf(stderr, "doorlockd: cannot write audit log: %s\n", dl_error_message(&err, r));
        service_sync_store(s);
}

/* ---- the lock controller's outputs ---- */

static void ctl_drive(void *userdata, bool unlock) {
        struct dl_service *s = userdata;

        /* Only queued (memory): nothing is written between a keypad '#'
         * and the motor but the decision's own commit.  First, in case the
         * backend reports the bolt from inside drive(). */
        service_log_drive(s, unlock);
        service_hw_drive(s, unlock);
}

static void ctl_state_changed(void *userdata, enum dl_lock_state old, enum dl_lock_state now) {
        struct dl_service *s = userdata;

        s->ev->property_changed(s->ev_userdata, "State");
        service_hw_state_changed(s, now);
        service_log_state(s, old, now);
        if (now == DL_LOCK_LOCKED || now == DL_LOCK_UNLOCKED || now == DL_LOCK_JAMMED)
                s->ev->motion_done(s->ev_userdata, now);
}

static void ctl_door_changed(void *userdata, enum dl_door_state old, enum dl_door_state now) {
        struct dl_service *s = userdata;

        s->ev->property_changed(s->ev_userdata, "Door");
        s->door_suppressed = !service_log_door(s, old, now);
        service_hw_door_changed(s, now);
}

static void ctl_mode_changed(void *userdata, enum dl_lock_mode old, enum dl_lock_mode now) {
        struct dl_service *s = userdata;

        (void)old;
        (void)now;
        s->ev->property_changed(s->ev_userdata, "Mode");
}

static void ctl_alarm(void *userdata, const char *kind, const char *detail) {
        struct dl_service *s = userdata;

        if (strcmp(kind, "door-forced") == 0 && service_hw_exit_excuses(s))
                return; /* request-to-exit: opened from inside (logged as door-opened) */
        if (s->door_suppressed && strcmp(kind, "door-forced") == 0) {
                /* A flapping contact: counted, summed up when it settles. */
                s->flap_forced++;
                return;
        }
        service_log_event(s, DL_EVENT_ALARM, DL_SOURCE_SYSTEM, NULL, "%s: %s", kind, detail);
        s->ev->alarm(s->ev_userdata, kind, detail);
}

static void ctl_auto_relock(void *userdata) {
        service_log_auto_relock(userdata);
}

static const struct dl_lock_ops ctl_ops = {
        .drive = ctl_drive,
        .state_changed = ctl_state_changed,
        .door_changed = ctl_door_changed,
        .mode_changed = ctl_mode_changed,
        .alarm = ctl_alarm,
        .auto_relock = ctl_auto_relock,
};

/* ---- state ---- */

enum dl_lock_state dl_service_state(const struct dl_service *s) {
        return s->ctl.state;
}
enum dl_door_state dl_service_door(const struct dl_service *s) {
        return s->ctl.door;
}
enum dl_lock_mode dl_service_mode(const struct dl_service *s) {
        return s->ctl.mode;
}
uint32_t dl_service_relock_seconds(const struct dl_service *s) {
        return (uint32_t)(s->ctl.config.relock_usec / USEC_PER_SEC);
}
struct dl_store *dl_service_store(struct dl_service *s) {
        return s->store;
}

static int64_t locked_until(struct dl_service *s, enum dl_lockout_counter which) {
        struct dl_lockout_state lo;
        int64_t now;

        if (dl_store_lockout_state_of(s->store, which, &lo, NULL) < 0)
                return 0;
        now = dl_clock_now(&dl_clock_system);
        return dl_lockout_active(&lo, now) ? lo.lockout_until : 0;
}

int64_t dl_service_keypad_locked_until(struct dl_service *s) {
        return locked_until(s, DL_LOCKOUT_KEYPAD);
}

int64_t dl_service_network_locked_until(struct dl_service *s) {
        return locked_until(s, DL_LOCKOUT_NETWORK);
}

unsigned dl_service_code_count(struct dl_service *s) {
        unsigned n = 0;

        (void)dl_store_count_codes(s->store, &n, NULL);
        return n;
}

unsigned dl_service_max_codes(const struct dl_service *s) {
        return s->config->store.max_codes;
}

bool dl_service_clock_trusted(struct dl_service *s) {
        struct dl_clock_status cs;

        if (dl_store_clock_status(s->store, &cs, NULL) < 0)
                return false;
        return cs.trusted;
}

bool dl_service_clock_synchronized(struct dl_service *s) {
        (void)s;
        return dl_clock_synchronized(&dl_clock_system);
}

/* ---- operations ---- */

/* The operation of a D-Bus caller (or, later, another face's). */
static void caller_op(const struct dl_caller *c, bool unlock, int64_t hold_usec,
                      struct dl_lock_operation *ret) {
        *ret = (struct dl_lock_operation){
                .unlock = unlock,
                .cause = c->source == DL_SOURCE_BLE ? DL_CAUSE_PHONE : DL_CAUSE_REMOTE,
                .source = c->source,
                .hold_usec = hold_usec,
        };
        (void)snprintf(ret->who, sizeof(ret->who), "%s", c->who);
}

int dl_service_lock(struct dl_service *s, const struct dl_caller *c, struct dl_error *err) {
        struct dl_lock_operation op;
        bool drove;
        int r;

        r = service_need_admin_or_remote(s, c, DL_REMOTE_OP_LOCK, err);
        if (r >= 0)
                r = service_need_hw(s, err);
        if (r < 0)
                return r;
        caller_op(c, false, 0, &op);
        service_begin_op(s, &op);
        r = dl_lock_lock(&s->ctl, mono_now());
        drove = !s->next_op_set; /* the drive took the operation */
        service_end_op(s);
        if (r == -EPERM)
                return dl_error_kind(
                        err, "ModeForbids",
                        dl_error_set(err, -EPERM, "The lock is in passage mode; leave it first"));
        if (r < 0)
                return dl_error_set(err, r, "Cannot lock: %s", strerror(-r));
        service_rearm_lock_timer(s);
        if (!drove) {
                /* Locked or locking already: Lock() is still logged. */
                char details[DL_AUDIT_DETAILS_MAX];

                dl_lock_operation_describe(&op, false, details, sizeof(details));
                service_queue_log(s, DL_EVENT_LOCK, op.source, 0, NULL, "%s (was %s)", details,
                                  dl_lock_state_to_string(s->ctl.state));
        }
        service_sync_store(s);
        return 0;
}

int dl_service_unlock(struct dl_service *s, const struct dl_caller *c, int64_t hold_usec,
                      struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        struct dl_lock_operation op;
        int r;

        /* The network opens without a PIN only if the owner said so. */
        r = service_need_admin_or_remote(s, c, DL_REMOTE_OP_UNLOCK, err);
        if (r >= 0)
                r = service_need_hw(s, err);
        if (r < 0)
                return r;
        if (hold_usec < 0 || hold_usec > DL_HOLD_USEC_MAX)
                return dl_error_set(err, -ERANGE, "Unlock time must be 1 s to 24 h");
        /* Remote unlock is never blocked by the keypad lockout, and works in
         * privacy mode: it is the owner. */
        caller_op(c, true, hold_usec, &op);
        service_begin_op(s, &op);
        r = dl_lock_unlock(&s->ctl, mono_now(), hold_usec);
        service_end_op(s);
        if (r < 0)
                return dl_error_set(err, r, "Cannot unlock: %s", strerror(-r));
        service_rearm_lock_timer(s);
        {
                char details[96];

                if (hold_usec > 0)
                        snprintf(details, sizeof(details), "remote unlock for %" PRId64 " s",
                                 hold_usec / USEC_PER_SEC);
                else
                        snprintf(details, sizeof(details), "remote unlock");
                r = dl_store_log_event(s->store, DL_EVENT_ACCESS_GRANTED, &actor, 0, NULL, details, err);
                if (r < 0)
                        fprintf(stderr, "doorlockd: cannot write audit log: %s\n", dl_error_message(err, r));
        }
        service_sync_store(s);
        s->ev->granted(s->ev_userdata, c->source, 0, "");
        return 0;
}

int dl_service_entry(struct dl_service *s, const char *entry, enum dl_source source, struct dl_decision *ret,
                     struct dl_error *err) {
        bool privacy = s->ctl.mode == DL_MODE_PRIVACY;
        int r;

        r = dl_store_verify_private(s->store, entry, source, privacy, ret, err);
        if (r < 0)
                return r;

        if (ret->granted) {
                /* The decision, and a single use, are committed: now the bolt. */
                struct dl_lock_operation op = {
                        .unlock = true,
                        .cause = ret->emergency ? DL_CAUSE_EMERGENCY_CODE : DL_CAUSE_CODE,
                        .source = source,
                        .code_id = ret->emergency ? 0 : ret->code_id,
                };

                (void)snprintf(op.code_name, sizeof(op.code_name), "%s", ret->code_name);
                service_begin_op(s, &op);
                (void)dl_lock_unlock(&s->ctl, mono_now(), 0);
                service_end_op(s);
                service_rearm_lock_timer(s);
                if (ret->emergency) {
                        char what[DL_CODE_NAME_MAX_BYTES + 32];

                        /* A use counts 4 hours from now: maybe the next
                         * change of EmergencyCodesLeft. */
                        if (ret->ec_issuer == DL_EC_GATEWAY_ISSUER)
                                service_arm_ec_window_timer(s);

                        snprintf(what, sizeof(what), "emergency code (%s)", ret->code_name);
                        s->ev->granted(s->ev_userdata, source, 0, what);
                } else {
                        s->ev->granted(s->ev_userdata, source, ret->code_id, ret->code_name);
                        s->ev->code_changed(s->ev_userdata, ret->code_id);
                }
                if (ret->duress)
                        s->ev->alarm(s->ev_userdata, "duress", ret->code_name);
        } else {
                s->ev->denied(s->ev_userdata, source, dl_reason_to_string(ret->reason));
                if (ret->lockout_started) {
                        char detail[96];

                        snprintf(detail, sizeof(detail), "%s locked for %" PRId64 " s after wrong entries",
                                 dl_lockout_counter_of(source) == DL_LOCKOUT_NETWORK ? "network entries"
                                                                                     : "keypad",
                                 (ret->lockout_until - dl_clock_now(&dl_clock_system) + USEC_PER_SEC - 1) /
                                         USEC_PER_SEC);
                        s->ev->alarm(s->ev_userdata, "lockout", detail);
                }
        }
        service_sync_store(s);
        return 0;
}

void dl_service_grant_name(const struct dl_decision *d, char *buf, size_t size) {
        if (d->emergency)
                (void)snprintf(buf, size, "emergency code (%s)", d->code_name);
        else
                (void)snprintf(buf, size, "%s", d->code_name);
}

/* "until 2026-06-01 12:00:30 UTC" for a LockedOut message. */
static void format_until(int64_t usec, char *buf, size_t size) {
        time_t t = (time_t)((usec + USEC_PER_SEC - 1) / USEC_PER_SEC);
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
                (void)snprintf(buf, size, "%" PRId64 " µs since the epoch", usec);
}

static int locked_out(struct dl_error *err, int64_t until) {
        char when[64];

        format_until(until, when, sizeof(when));
        return dl_error_kind(
                err, "LockedOut",
                dl_error_set(err, -EAGAIN,
                             "PINs from the network are locked out after wrong entries until %s "
                             "(NetworkLockedUntil); the keypad is not",
                             when));
}

int dl_service_submit_pin(struct dl_service *s, const struct dl_caller *c, const char *pin,
                          const char *action, struct dl_decision *ret, struct dl_error *err) {
        enum dl_remote_action a;
        int64_t until;
        int r;

        *ret = (struct dl_decision){};
        r = service_need_admin_or_remote(s, c, DL_REMOTE_OP_SUBMIT_PIN, err);
        if (r < 0)
                return r;
        a = dl_remote_action_from_string(action);
        if (a < 0)
                return dl_error_set(err, -EINVAL, "Unknown action; use unlock or passage");
        /* Nothing that is not digits is counted or written. */
        r = dl_remote_pin_check(pin, DL_ENTRY_INPUT_MAX, err);
        if (r < 0)
                return r;
        r = service_need_hw(s, err);
        if (r < 0)
                return r;
        /* Locked out: refused without a look, and without a write, so a
         * flood from the broker neither wears the disk nor prunes the
         * log. */
        until = dl_service_network_locked_until(s);
        if (until > 0)
                return locked_out(err, until);

        /* The keypad's own path, with the network's source and counter. */
        r = dl_service_entry(s, pin, DL_SOURCE_MQTT, ret, err);
        if (r < 0)
                return r;
        if (!ret->granted) {
                if (ret->reason == DL_REASON_LOCKED_OUT)
                        return locked_out(err, ret->lockout_until);
                /* Why is in the log and in AccessDenied, for the owner; the
                 * reply goes back to whoever sent the command. */
                return dl_error_kind(err, "CodeRefused",
                                     dl_error_set(err, -EPERM, "The PIN was not accepted"));
        }
        if (a == DL_REMOTE_ACTION_PASSAGE && s->ctl.mode != DL_MODE_PASSAGE) {
                char who[DL_CODE_NAME_MAX_BYTES + 48];

                if (ret->emergency)
                        (void)snprintf(who, sizeof(who), "emergency code (%s)", ret->code_name);
                else
                        (void)snprintf(who, sizeof(who), "code %" PRId64 " (%s)", ret->code_id,
                                       ret->code_name);
                r = service_set_mode(s, DL_SOURCE_MQTT, who, DL_MODE_PASSAGE, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- life cycle ---- */

struct dl_service *dl_service_free(struct dl_service *s) {
        if (!s)
                return NULL;
        service_timers_free(s);
        service_hw_free(s);
        dl_keypad_clear(&s->keypad);
        sd_event_unref(s->event);
        free(s->code_ids);
        free(s);
        return NULL;
}

int dl_service_new(sd_event *event, const struct dl_daemon_config *config, struct dl_store *store,
                   const struct dl_service_events *events, void *userdata, struct dl_service **ret) {
        struct dl_service *s;
        struct dl_lock_config lc = config->lock;
        int64_t v;
        int r;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->event = sd_event_ref(event);
        s->config = config;
        s->store = store;
        s->ev = events;
        s->ev_userdata = userdata;

        /* Settings changed at run time win over the file. */
        if (dl_store_get_setting(store, "relock_seconds", &v, NULL) >= 0 && v >= 0 && v <= 3600)
                lc.relock_usec = v * USEC_PER_SEC;
        dl_lock_init(&s->ctl, &lc, &ctl_ops, s);
        if (dl_store_get_setting(store, "mode", &v, NULL) >= 0 && v >= 0 && v < _DL_LOCK_MODE_MAX)
                s->ctl.mode = (enum dl_lock_mode)v;
        dl_keypad_init(&s->keypad, config->keypad_timeout_usec);
        dl_door_flap_init(&s->flap);

        r = service_timers_new(s);
        if (r >= 0)
                r = service_hw_new(s);
        if (r < 0) {
                dl_service_free(s);
                return r;
        }

        /* Start the log and code lists where the store is now: the faces
         * export the current state themselves. */
        {
                int64_t first;

                (void)dl_store_audit_range(store, &first, &s->last_log_seq, NULL);
        }
        {
                struct id_list l = {};

                (void)dl_store_list_codes(store, collect_id, &l, NULL);
                s->code_ids = l.ids;
                s->n_code_ids = l.n;
        }
        s->clock_trusted_seen = dl_service_clock_trusted(s);
        /* A lockout that outlived a restart: announce its end too. */
        s->lockout_until_seen = dl_service_keypad_locked_until(s);
        service_arm_lockout_timer(s, s->lockout_until_seen);
        s->net_lockout_until_seen = dl_service_network_locked_until(s);
        service_arm_net_lockout_timer(s, s->net_lockout_until_seen);
        service_arm_ec_window_timer(s);
        *ret = s;
        return 0;
}

/* ---- events nobody listens to ---- */

static void none_granted(void *u, enum dl_source src, int64_t id, const char *name) {
        (void)u, (void)src, (void)id, (void)name;
}
static void none_denied(void *u, enum dl_source src, const char *reason) {
        (void)u, (void)src, (void)reason;
}
static void none_alarm(void *u, const char *kind, const char *detail) {
        (void)u, (void)kind, (void)detail;
}
static void none_log_entry(void *u, const struct dl_audit_entry *e) {
        (void)u, (void)e;
}
static void none_property(void *u, const char *property) {
        (void)u, (void)property;
}
static void none_code(void *u, int64_t id) {
        (void)u, (void)id;
}
static void none_motion(void *u, enum dl_lock_state state) {
        (void)u, (void)state;
}

const struct dl_service_events dl_service_events_none = {
        .granted = none_granted,
        .denied = none_denied,
        .alarm = none_alarm,
        .log_entry = none_log_entry,
        .property_changed = none_property,
        .code_added = none_code,
        .code_removed = none_code,
        .code_changed = none_code,
        .motion_done = none_motion,
};
