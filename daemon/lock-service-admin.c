/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock service's admin side: the role checks every change makes, and
 * the operations that change the store rather than move the bolt (codes,
 * modes, settings, lockout and clock resets, emergency codes, backup and
 * restore). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit-log.h"
#include "code-store.h"
#include "lock-service-private.h"

/* ---- roles ---- */

int service_need_admin(const struct dl_caller *c, struct dl_error *err) {
        if (c->role == DL_ROLE_ADMIN)
                return 0;
        if (c->role == DL_ROLE_REMOTE)
                /* Never the network, whatever [Remote] says. */
                return dl_remote_check(NULL, DL_REMOTE_OP_ADMIN, err);
        return dl_error_kind(err, "AccessDenied",
                             dl_error_set(err, -EACCES,
                                          "Only administrators (root or group doorlock-admin) may do this"));
}

int service_need_admin_or_remote(struct dl_service *s, const struct dl_caller *c, enum dl_remote_op op,
                                 struct dl_error *err) {
        if (c->role == DL_ROLE_REMOTE)
                return dl_remote_check(&s->config->remote, op, err);
        return service_need_admin(c, err);
}

int dl_service_check_read(const struct dl_caller *c, struct dl_error *err) {
        if (c->role >= DL_ROLE_OBSERVER)
                return 0;
        return dl_error_kind(err, "AccessDenied",
                             dl_error_set(err, -EACCES,
                                          "Only members of group doorlock or doorlock-admin may read this"));
}

int dl_service_set_mode(struct dl_service *s, const struct dl_caller *c, const char *mode,
                        struct dl_error *err) {
        enum dl_lock_mode m = dl_lock_mode_from_string(mode);
        int r;

        /* The network sets passage mode only with a PIN (SubmitPin). */
        r = service_need_admin(c, err);
        if (r < 0)
                return r;
        if (m < 0)
                return dl_error_set(err, -EINVAL, "Unknown mode; use normal, privacy or passage");
        return service_set_mode(s, c->source, c->who, m, err);
}

int service_set_mode(struct dl_service *s, enum dl_source source, const char *who, enum dl_lock_mode m,
                     struct dl_error *err) {
        enum dl_lock_mode old = s->ctl.mode;
        int r;

        if (m == old)
                return 0;
        if (m == DL_MODE_PASSAGE) {
                /* Passage mode holds the door open: it needs a door to open. */
                r = service_need_hw(s, err);
                if (r < 0)
                        return r;
        }
        r = dl_store_set_setting(s->store, "mode", m, err);
        if (r < 0)
                return r;
        {
                struct dl_lock_operation op = {
                        .unlock = true,
                        .cause = DL_CAUSE_PASSAGE_MODE,
                        .source = source,
                };

                (void)snprintf(op.who, sizeof(op.who), "%s", who);
                service_begin_op(s, &op);
                r = dl_lock_set_mode(&s->ctl, mono_now(), m);
                service_end_op(s);
        }
        if (r < 0)
                return dl_error_set(err, r, "Cannot change mode: %s", strerror(-r));
        service_rearm_lock_timer(s);
        service_log_event(s, "mode", source, who, "mode %s -> %s by %s", dl_lock_mode_to_string(old),
                          dl_lock_mode_to_string(m), who);
        return 0;
}

int dl_service_set_relock(struct dl_service *s, const struct dl_caller *c, uint32_t seconds,
                          struct dl_error *err) {
        int r;

        r = service_need_admin(c, err);
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
        service_log_event(s, "setting", c->source, c->who, "AutoRelockSeconds=%" PRIu32 " by %s", seconds,
                          c->who);
        s->ev->property_changed(s->ev_userdata, "AutoRelockSeconds");
        return 0;
}

int dl_service_reset_lockout(struct dl_service *s, const struct dl_caller *c, struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = service_need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_end_lockout(s->store, &actor, err);
        service_sync_store(s);
        return r;
}

int dl_service_reset_clock(struct dl_service *s, const struct dl_caller *c, struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = service_need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_reset_clock_mark(s->store, &actor, err);
        service_sync_store(s);
        return r;
}

int dl_service_add_code(struct dl_service *s, const struct dl_caller *c, const struct dl_code_spec *spec,
                        const char *pin, unsigned length, int64_t *ret_id, char *pin_out,
                        struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = service_need_admin_or_remote(s, c, DL_REMOTE_OP_CODE, err);
        if (r < 0)
                return r;
        /* A generated PIN would travel back over the network, and on to
         * whoever reads the bridge's replies. */
        if (c->role == DL_ROLE_REMOTE && !(pin && *pin))
                return dl_error_set(err, -EINVAL, "No generated PINs over the network: choose the PIN");
        r = dl_store_add_code(s->store, spec, pin && *pin ? pin : NULL, length, &actor, ret_id, pin_out,
                              err);
        service_sync_all(s);
        return r;
}

int dl_service_update_code(struct dl_service *s, const struct dl_caller *c, int64_t id,
                           const struct dl_code_spec *spec, struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = service_need_admin_or_remote(s, c, DL_REMOTE_OP_CODE, err);
        if (r < 0)
                return r;
        r = dl_store_update_code(s->store, id, spec, &actor, err);
        if (r >= 0)
                s->ev->code_changed(s->ev_userdata, id);
        service_sync_all(s);
        return r;
}

int dl_service_remove_code(struct dl_service *s, const struct dl_caller *c, int64_t id,
                           struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = service_need_admin_or_remote(s, c, DL_REMOTE_OP_CODE, err);
        if (r < 0)
                return r;
        r = dl_store_remove_code(s->store, id, &actor, err);
        service_sync_all(s);
        return r;
}

/* ---- emergency codes ---- */

int dl_service_check_admin(const struct dl_caller *c, struct dl_error *err) {
        return service_need_admin(c, err);
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

        r = service_need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_ec_generate(s->store, &actor, code_out, ret_valid_until, ret_left, err);
        service_sync_store(s);
        if (r >= 0) {
                s->ev->property_changed(s->ev_userdata, "EmergencyCodesLeft");
                service_arm_ec_window_timer(s);
        }
        return r;
}

int dl_service_ec_add_issuer(struct dl_service *s, const struct dl_caller *c, const char *name,
                             uint32_t *ret_id, char *uri_out, struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = service_need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_ec_add_issuer(s->store, name, &actor, ret_id, uri_out, err);
        service_sync_store(s);
        return r;
}

int dl_service_ec_remove_issuer(struct dl_service *s, const struct dl_caller *c, uint32_t id,
                                struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = service_need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_ec_remove_issuer(s->store, id, &actor, err);
        service_sync_store(s);
        return r;
}

/* ---- backup and restore ---- */

int dl_service_backup(struct dl_service *s, const struct dl_caller *c, const char *passphrase, uint8_t **ret,
                      size_t *ret_size, struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = service_need_admin(c, err);
        if (r < 0)
                return r;
        r = dl_store_backup(s->store, passphrase, NULL, &actor, ret, ret_size, err);
        service_sync_store(s);
        return r;
}

/* After a restore the store holds another lock's state: tell the faces
 * about every code, the settings and the lock-wide values again. */
static void resync_after_restore(struct dl_service *s) {
        int64_t v, first = 0, last = 0;

        for (size_t i = 0; i < s->n_code_ids; i++)
                s->ev->code_removed(s->ev_userdata, s->code_ids[i]);
        s->n_code_ids = 0;
        service_sync_codes(s);
        s->ev->property_changed(s->ev_userdata, "CodeCount");

        if (dl_store_get_setting(s->store, "relock_seconds", &v, NULL) >= 0 && v >= 0 && v <= 3600 &&
            v * USEC_PER_SEC != s->ctl.config.relock_usec) {
                dl_lock_set_relock(&s->ctl, v * USEC_PER_SEC);
                s->ev->property_changed(s->ev_userdata, "AutoRelockSeconds");
        }
        if (dl_store_get_setting(s->store, "mode", &v, NULL) >= 0 && v >= 0 && v < _DL_LOCK_MODE_MAX &&
            (enum dl_lock_mode)v != s->ctl.mode) {
                (void)dl_lock_set_mode(&s->ctl, mono_now(), (enum dl_lock_mode)v);
                service_rearm_lock_timer(s);
                s->ev->property_changed(s->ev_userdata, "Mode");
        }

        /* The restored log has its own numbering: announce only what this
         * restore wrote. */
        (void)dl_store_audit_range(s->store, &first, &last, NULL);
        s->last_log_seq = last > 0 ? last - 1 : 0;
        service_sync_store(s);
        s->ev->property_changed(s->ev_userdata, "EmergencyCodesLeft");
        service_arm_ec_window_timer(s);
}

int dl_service_restore(struct dl_service *s, const struct dl_caller *c, const uint8_t *buf, size_t size,
                       const char *passphrase, bool force, struct dl_restore_info *ret,
                       struct dl_error *err) {
        struct dl_actor actor = { c->source, c->who };
        int r;

        r = service_need_admin(c, err);
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
                service_sync_store(s); /* the refusal's audit entry */
                return r;
        }
        resync_after_restore(s);
        return 0;
}
