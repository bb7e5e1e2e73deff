/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lock-service.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit-log.h"
#include "code-store.h"
#include "macro.h"

#define MAINTAIN_INTERVAL_USEC USEC_PER_HOUR

struct dl_service {
        sd_event *event;
        const struct dl_daemon_config *config;
        struct dl_store *store;
        const struct dl_service_events *ev;
        void *ev_userdata;

        struct dl_lock_controller ctl;
        struct dl_keypad_entry keypad;
        struct dl_hw *hw;

        sd_event_source *lock_timer;
        sd_event_source *keypad_timer;
        sd_event_source *maintain_timer;
        sd_event_source *lockout_timer;   /* KeypadLockedUntil going back to 0 */
        sd_event_source *ec_window_timer; /* EmergencyCodesLeft refills */

        int64_t last_log_seq;
        int64_t *code_ids;
        size_t n_code_ids;
        int64_t lockout_until_seen;
        bool clock_trusted_seen;
};

static int64_t mono_now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* ---- keeping the faces informed ---- */

static int emit_log(const struct dl_audit_entry *e, void *userdata) {
        struct dl_service *s = userdata;

        s->last_log_seq = e->seq;
        if (s->ev->log_entry)
                s->ev->log_entry(s->ev_userdata, e);
        return 0;
}

/* Tell the faces about every audit entry written since the last call, and
 * about lock-wide values the store may have changed. */
static int on_lockout_timer(sd_event_source *es, uint64_t usec, void *userdata);

/* Fire `source` (created disabled in dl_service_new()) once at `when`, in
 * its clock's µs; never when <= 0. */
static void rearm(sd_event_source *source, int64_t when) {
        if (when <= 0) {
                (void)sd_event_source_set_enabled(source, SD_EVENT_OFF);
                return;
        }
        (void)sd_event_source_set_time(source, (uint64_t)when);
        (void)sd_event_source_set_enabled(source, SD_EVENT_ONESHOT);
}

static void arm_lockout_timer(struct dl_service *s, int64_t until) {
        if (until > 0)
                rearm(s->lockout_timer, until);
}

static void sync_store(struct dl_service *s) {
        int64_t until;
        bool trusted;

        (void)dl_store_audit_list(s->store, s->last_log_seq, 0, emit_log, s, NULL);

        until = dl_service_keypad_locked_until(s);
        if (until != s->lockout_until_seen) {
                s->lockout_until_seen = until;
                s->ev->property_changed(s->ev_userdata, "KeypadLockedUntil");
                /* Say so again when the lockout runs out by itself. */
                arm_lockout_timer(s, until);
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
static void sync_codes(struct dl_service *s) {
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

static int on_lockout_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        (void)es;
        (void)usec;
        sync_store(userdata);
        return 0;
}

static void sync_all(struct dl_service *s) {
        sync_codes(s);
        sync_store(s);
}

static void log_event(struct dl_service *s, const char *event, enum dl_source source, const char *who,
                      const char *fmt, ...) _printf_(5, 6);
static void log_event(struct dl_service *s, const char *event, enum dl_source source, const char *who,
                      const char *fmt, ...) {
        struct dl_actor actor = { source, who };
        char details[DL_AUDIT_DETAILS_MAX];
        struct dl_error err = {};
        va_list ap;
        int r;

        va_start(ap, fmt);
        vsnprintf(details, sizeof(details), fmt, ap);
        va_end(ap);
        r = dl_store_log_event(s->store, event, &actor, 0, NULL, details, &err);
        if (r < 0)
                fprintf(stderr, "doorlockd: cannot write audit log: %s\n", dl_error_message(&err, r));
        sync_store(s);
}

/* ---- timers ---- */

static int on_lock_timer(sd_event_source *es, uint64_t usec, void *userdata);

static void rearm_lock_timer(struct dl_service *s) {
        rearm(s->lock_timer, dl_lock_next_deadline(&s->ctl));
}

static int on_lock_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        struct dl_service *s = userdata;

        (void)es;
        (void)usec;
        dl_lock_tick(&s->ctl, mono_now());
        rearm_lock_timer(s);
        return 0;
}

static void rearm_keypad_timer(struct dl_service *s) {
        rearm(s->keypad_timer, dl_keypad_deadline(&s->keypad));
}

static int on_keypad_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        struct dl_service *s = userdata;

        (void)es;
        (void)usec;
        (void)dl_keypad_expire(&s->keypad, mono_now());
        rearm_keypad_timer(s);
        return 0;
}

static int on_maintain_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        struct dl_service *s = userdata;

        (void)dl_service_maintain(s);
        (void)sd_event_source_set_time(es, usec + MAINTAIN_INTERVAL_USEC);
        (void)sd_event_source_set_enabled(es, SD_EVENT_ON);
        return 0;
}

/* ---- the lock controller's outputs ---- */

static void ctl_drive(void *userdata, bool unlock) {
        struct dl_service *s = userdata;

        if (s->hw)
                s->hw->ops->drive(s->hw, unlock);
}

static void ctl_state_changed(void *userdata, enum dl_lock_state old, enum dl_lock_state now) {
        struct dl_service *s = userdata;

        (void)old;
        s->ev->property_changed(s->ev_userdata, "State");
        if (now == DL_LOCK_LOCKED || now == DL_LOCK_UNLOCKED || now == DL_LOCK_JAMMED)
                s->ev->motion_done(s->ev_userdata, now);
}

static void ctl_door_changed(void *userdata, enum dl_door_state old, enum dl_door_state now) {
        struct dl_service *s = userdata;

        (void)old;
        (void)now;
        s->ev->property_changed(s->ev_userdata, "Door");
}

static void ctl_mode_changed(void *userdata, enum dl_lock_mode old, enum dl_lock_mode now) {
        struct dl_service *s = userdata;

        (void)old;
        (void)now;
        s->ev->property_changed(s->ev_userdata, "Mode");
}

static void ctl_alarm(void *userdata, const char *kind, const char *detail) {
        struct dl_service *s = userdata;

        log_event(s, DL_EVENT_ALARM, DL_SOURCE_SYSTEM, NULL, "%s: %s", kind, detail);
        s->ev->alarm(s->ev_userdata, kind, detail);
}

static void ctl_auto_relock(void *userdata) {
        (void)userdata; /* not logged: it would cost a write per unlock */
}

static const struct dl_lock_ops ctl_ops = {
        .drive = ctl_drive,
        .state_changed = ctl_state_changed,
        .door_changed = ctl_door_changed,
        .mode_changed = ctl_mode_changed,
        .alarm = ctl_alarm,
        .auto_relock = ctl_auto_relock,
};

/* ---- the backend's inputs ---- */

static void hw_key(void *userdata, char key) {
        struct dl_service *s = userdata;
        char entry[DL_KEYPAD_BUFFER + 1];
        struct dl_decision d;
        struct dl_error err = {};
        int r;

        if (dl_keypad_press(&s->keypad, key, mono_now(), entry) == DL_KEY_SUBMIT) {
                r = dl_service_entry(s, entry, DL_SOURCE_KEYPAD, &d, &err);
                if (r < 0)
                        fprintf(stderr, "doorlockd: keypad entry failed: %s\n", dl_error_message(&err, r));
        }
        secure_zero(entry, sizeof(entry));
        rearm_keypad_timer(s);
}

static void hw_bolt(void *userdata, bool unlocked) {
        struct dl_service *s = userdata;

        dl_lock_bolt_reported(&s->ctl, mono_now(), unlocked);
        rearm_lock_timer(s);
}

static void hw_door(void *userdata, enum dl_door_state door) {
        struct dl_service *s = userdata;

        dl_lock_door_reported(&s->ctl, mono_now(), door);
        rearm_lock_timer(s);
}

const struct dl_hw_events dl_service_hw_events = {
        .key = hw_key,
        .bolt = hw_bolt,
        .door = hw_door,
};

void dl_service_attach_hw(struct dl_service *s, struct dl_hw *hw) {
        s->hw = hw;
        hw->ops->report(hw);
        /* A lock in passage mode before a restart is unlocked again. */
        if (s->ctl.mode == DL_MODE_PASSAGE)
                (void)dl_lock_unlock(&s->ctl, mono_now(), 0);
        rearm_lock_timer(s);
}

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

int64_t dl_service_keypad_locked_until(struct dl_service *s) {
        struct dl_lockout_state lo;
        int64_t now;

        if (dl_store_lockout_state(s->store, &lo, NULL) < 0)
                return 0;
        now = dl_clock_now(&dl_clock_system);
        return dl_lockout_active(&lo, now) ? lo.lockout_until : 0;
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

/* ---- roles ---- */

static int need_admin(const struct dl_caller *c, struct dl_error *err) {
        if (c->role == DL_ROLE_ADMIN)
                return 0;
        return dl_error_kind(err, "AccessDenied",
                             dl_error_set(err, -EACCES,
                                          "Only administrators (root or group doorlock-admin) may do this"));
}

int dl_service_check_read(const struct dl_caller *c, struct dl_error *err) {
        if (c->role >= DL_ROLE_OBSERVER)
                return 0;
        return dl_error_kind(err, "AccessDenied",
                             dl_error_set(err, -EACCES,
                                          "Only members of group doorlock or doorlock-admin may read this"));
}

/* ---- operations ---- */

int dl_service_lock(struct dl_service *s, const struct dl_caller *c, struct dl_error *err) {
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_lock_lock(&s->ctl, mono_now());
        if (r == -EPERM)
                return dl_error_kind(
                        err, "ModeForbids",
                        dl_error_set(err, -EPERM, "The lock is in passage mode; leave it first"));
        if (r < 0)
                return dl_error_set(err, r, "Cannot lock: %s", strerror(-r));
        rearm_lock_timer(s);
        log_event(s, "lock", c->source, c->who, "locked by %s", c->who);
        return 0;
}

int dl_service_unlock(struct dl_service *s, const struct dl_caller *c, int64_t hold_usec,
                      struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        if (hold_usec < 0 || hold_usec > DL_HOLD_USEC_MAX)
                return dl_error_set(err, -ERANGE, "Unlock time must be 1 s to 24 h");
        /* Remote unlock is never blocked by the keypad lockout, and works in
         * privacy mode: it is the owner. */
        r = dl_lock_unlock(&s->ctl, mono_now(), hold_usec);
        if (r < 0)
                return dl_error_set(err, r, "Cannot unlock: %s", strerror(-r));
        rearm_lock_timer(s);
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
        sync_store(s);
        s->ev->granted(s->ev_userdata, c->source, 0, "");
        return 0;
}

int dl_service_set_mode(struct dl_service *s, const struct dl_caller *c, const char *mode,
                        struct dl_error *err) {
        enum dl_lock_mode m = dl_lock_mode_from_string(mode);
        enum dl_lock_mode old = s->ctl.mode;
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        if (m < 0)
                return dl_error_set(err, -EINVAL, "Unknown mode; use normal, privacy or passage");
        if (m == old)
                return 0;
        r = dl_store_set_setting(s->store, "mode", m, err);
        if (r < 0)
                return r;
        r = dl_lock_set_mode(&s->ctl, mono_now(), m);
        if (r < 0)
                return dl_error_set(err, r, "Cannot change mode: %s", strerror(-r));
        rearm_lock_timer(s);
        log_event(s, "mode", c->source, c->who, "mode %s -> %s by %s", dl_lock_mode_to_string(old),
                  dl_lock_mode_to_string(m), c->who);
        return 0;
}

int dl_service_set_relock(struct dl_service *s, const struct dl_caller *c, uint32_t seconds,
                          struct dl_error *err) {
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        if (seconds > 3600)
                return dl_error_set(err, -ERANGE, "AutoRelockSeconds must be 0 (off) to 3600");
        if ((int64_t)seconds * USEC_PER_SEC == s->ctl.config.relock_usec)
                return 0;
        r = dl_store_set_setting(s->store, "relock_seconds", seconds, err);
        if (r < 0)
                return r;
        dl_lock_set_relock(&s->ctl, (int64_t)seconds * USEC_PER_SEC);
        log_event(s, "setting", c->source, c->who, "AutoRelockSeconds=%" PRIu32 " by %s", seconds, c->who);
        s->ev->property_changed(s->ev_userdata, "AutoRelockSeconds");
        return 0;
}

int dl_service_reset_lockout(struct dl_service *s, const struct dl_caller *c, struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_end_lockout(s->store, &actor, err);
        sync_store(s);
        return r;
}

int dl_service_reset_clock(struct dl_service *s, const struct dl_caller *c, struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_reset_clock_mark(s->store, &actor, err);
        sync_store(s);
        return r;
}

int dl_service_add_code(struct dl_service *s, const struct dl_caller *c, const struct dl_code_spec *spec,
                        const char *pin, unsigned length, int64_t *ret_id, char *pin_out,
                        struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_add_code(s->store, spec, pin && *pin ? pin : NULL, length, &actor, ret_id, pin_out,
                              err);
        sync_all(s);
        return r;
}

int dl_service_update_code(struct dl_service *s, const struct dl_caller *c, int64_t id,
                           const struct dl_code_spec *spec, struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_update_code(s->store, id, spec, &actor, err);
        if (r >= 0)
                s->ev->code_changed(s->ev_userdata, id);
        sync_all(s);
        return r;
}

int dl_service_remove_code(struct dl_service *s, const struct dl_caller *c, int64_t id,
                           struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_remove_code(s->store, id, &actor, err);
        sync_all(s);
        return r;
}

static void arm_ec_window_timer(struct dl_service *s);

int dl_service_entry(struct dl_service *s, const char *entry, enum dl_source source, struct dl_decision *ret,
                     struct dl_error *err) {
        bool privacy = s->ctl.mode == DL_MODE_PRIVACY;
        int r;

        r = dl_store_verify_private(s->store, entry, source, privacy, ret, err);
        if (r < 0)
                return r;

        if (ret->granted) {
                /* The decision, and a single use, are committed: now the bolt. */
                (void)dl_lock_unlock(&s->ctl, mono_now(), 0);
                rearm_lock_timer(s);
                if (ret->emergency) {
                        char what[DL_CODE_NAME_MAX_BYTES + 32];

                        /* A use counts 4 hours from now: maybe the next
                         * change of EmergencyCodesLeft. */
                        if (ret->ec_issuer == DL_EC_GATEWAY_ISSUER)
                                arm_ec_window_timer(s);

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

                        snprintf(detail, sizeof(detail),
                                 "keypad locked for %" PRId64 " s after wrong entries",
                                 (ret->lockout_until - dl_clock_now(&dl_clock_system) + USEC_PER_SEC - 1) /
                                         USEC_PER_SEC);
                        s->ev->alarm(s->ev_userdata, "lockout", detail);
                }
        }
        sync_store(s);
        return 0;
}

int dl_service_maintain(struct dl_service *s) {
        struct dl_error err = {};
        int r;

        r = dl_store_maintain(s->store, &err);
        if (r < 0)
                fprintf(stderr, "doorlockd: maintenance failed: %s\n", dl_error_message(&err, r));
        sync_all(s);
        return r;
}

/* ---- emergency codes ---- */

static int on_ec_window(sd_event_source *es, uint64_t usec, void *userdata);

/* EmergencyCodesLeft goes up without a generation when a use of the
 * gateway's codes is 4 hours old or the lock stops accepting a window
 * with unused ones (the store says when).  A store error: try again at
 * the next window start. */
static void arm_ec_window_timer(struct dl_service *s) {
        int64_t next = dl_ec_window_start(dl_ec_window(dl_clock_now(&dl_clock_system)) + 1);

        (void)dl_store_ec_quota_changes(s->store, &next, NULL);
        rearm(s->ec_window_timer, next == INT64_MAX ? 0 : next);
}

static int on_ec_window(sd_event_source *es, uint64_t usec, void *userdata) {
        struct dl_service *s = userdata;

        (void)es;
        (void)usec;
        s->ev->property_changed(s->ev_userdata, "EmergencyCodesLeft");
        arm_ec_window_timer(s);
        return 0;
}

int dl_service_check_admin(const struct dl_caller *c, struct dl_error *err) {
        return need_admin(c, err);
}

unsigned dl_service_ec_codes_left(struct dl_service *s) {
        unsigned n = 0;

        (void)dl_store_ec_codes_left(s->store, &n, NULL);
        return n;
}

int dl_service_ec_generate(struct dl_service *s, const struct dl_caller *c, char code_out[DL_EC_DIGITS + 1],
                           int64_t *ret_valid_until, unsigned *ret_left, struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_ec_generate(s->store, &actor, code_out, ret_valid_until, ret_left, err);
        sync_store(s);
        if (r >= 0) {
                s->ev->property_changed(s->ev_userdata, "EmergencyCodesLeft");
                arm_ec_window_timer(s);
        }
        return r;
}

int dl_service_ec_add_issuer(struct dl_service *s, const struct dl_caller *c, const char *name,
                             uint32_t *ret_id, char *uri_out, struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_ec_add_issuer(s->store, name, &actor, ret_id, uri_out, err);
        sync_store(s);
        return r;
}

int dl_service_ec_remove_issuer(struct dl_service *s, const struct dl_caller *c, uint32_t id,
                                struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_ec_remove_issuer(s->store, id, &actor, err);
        sync_store(s);
        return r;
}

/* ---- life cycle ---- */

struct dl_service *dl_service_free(struct dl_service *s) {
        if (!s)
                return NULL;
        sd_event_source_disable_unref(s->lock_timer);
        sd_event_source_disable_unref(s->keypad_timer);
        sd_event_source_disable_unref(s->maintain_timer);
        sd_event_source_disable_unref(s->lockout_timer);
        sd_event_source_disable_unref(s->ec_window_timer);
        dl_keypad_clear(&s->keypad);
        sd_event_unref(s->event);
        free(s->code_ids);
        free(s);
        return NULL;
}

/* ---- backup and restore ---- */

int dl_service_backup(struct dl_service *s, const struct dl_caller *c, const char *passphrase, uint8_t **ret,
                      size_t *ret_size, struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_backup(s->store, passphrase, NULL, &actor, ret, ret_size, err);
        sync_store(s);
        return r;
}

/* After a restore the store holds another lock's state: tell the faces
 * about every code, the settings and the lock-wide values again. */
static void resync_after_restore(struct dl_service *s) {
        int64_t v, first = 0, last = 0;

        for (size_t i = 0; i < s->n_code_ids; i++)
                s->ev->code_removed(s->ev_userdata, s->code_ids[i]);
        s->n_code_ids = 0;
        sync_codes(s);
        s->ev->property_changed(s->ev_userdata, "CodeCount");

        if (dl_store_get_setting(s->store, "relock_seconds", &v, NULL) >= 0 && v >= 0 && v <= 3600 &&
            v * USEC_PER_SEC != s->ctl.config.relock_usec) {
                dl_lock_set_relock(&s->ctl, v * USEC_PER_SEC);
                s->ev->property_changed(s->ev_userdata, "AutoRelockSeconds");
        }
        if (dl_store_get_setting(s->store, "mode", &v, NULL) >= 0 && v >= 0 && v < _DL_LOCK_MODE_MAX &&
            (enum dl_lock_mode)v != s->ctl.mode) {
                (void)dl_lock_set_mode(&s->ctl, mono_now(), (enum dl_lock_mode)v);
                rearm_lock_timer(s);
                s->ev->property_changed(s->ev_userdata, "Mode");
        }

        /* The restored log has its own numbering: announce only what this
         * restore wrote. */
        (void)dl_store_audit_range(s->store, &first, &last, NULL);
        s->last_log_seq = last > 0 ? last - 1 : 0;
        sync_store(s);
        s->ev->property_changed(s->ev_userdata, "EmergencyCodesLeft");
        arm_ec_window_timer(s);
}

int dl_service_restore(struct dl_service *s, const struct dl_caller *c, const uint8_t *buf, size_t size,
                       const char *passphrase, bool force, struct dl_restore_info *ret,
                       struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_restore(s->store, buf, size, passphrase, force, &actor, ret, err);
        if (r == -ENOTRECOVERABLE) {
                /* Committed but not finished: the next start finishes it. */
                fprintf(stderr, "doorlockd: %s; exiting\n", dl_error_message(err, r));
                (void)sd_event_exit(s->event, r);
                return r;
        }
        if (r < 0) {
                sync_store(s); /* the refusal's audit entry */
                return r;
        }
        resync_after_restore(s);
        return 0;
}

/* A timer that waits, disabled, until rearm() gives it a time. */
static int add_idle_timer(sd_event *event, sd_event_source **ret, clockid_t clock, uint64_t accuracy,
                          sd_event_time_handler_t handler, void *userdata) {
        int r;

        r = sd_event_add_time(event, ret, clock, UINT64_MAX, accuracy, handler, userdata);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(*ret, SD_EVENT_OFF);
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

        r = add_idle_timer(event, &s->lock_timer, CLOCK_MONOTONIC, USEC_PER_SEC / 1000, on_lock_timer, s);
        if (r >= 0)
                r = add_idle_timer(event, &s->keypad_timer, CLOCK_MONOTONIC, USEC_PER_SEC / 1000,
                                   on_keypad_timer, s);
        if (r >= 0)
                r = add_idle_timer(event, &s->lockout_timer, CLOCK_REALTIME, USEC_PER_SEC / 100,
                                   on_lockout_timer, s);
        if (r >= 0)
                r = add_idle_timer(event, &s->ec_window_timer, CLOCK_REALTIME, USEC_PER_SEC, on_ec_window,
                                   s);
        if (r >= 0)
                r = sd_event_add_time_relative(event, &s->maintain_timer, CLOCK_MONOTONIC,
                                               MAINTAIN_INTERVAL_USEC, USEC_PER_MINUTE, on_maintain_timer,
                                               s);
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
        arm_lockout_timer(s, s->lockout_until_seen);
        arm_ec_window_timer(s);
        *ret = s;
        return 0;
}
