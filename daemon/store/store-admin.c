/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the owner changes on the store as a whole: the lockout and the
 * clock mark as they see them, and the run-time settings kept in meta.
 * Built on the low layer (store-txn.c) only. */
#include <inttypes.h>
#include <stdio.h>

#include "macro.h"
#include "store-private.h"

/* ---- lockout and clock, as the owner sees them ---- */

int dl_store_lockout_state_of(struct dl_store *s, enum dl_lockout_counter which,
                              struct dl_lockout_state *ret, struct dl_error *err) {
        struct dl_state_row row;
        struct dl_lockout_state *lo;
        int64_t now;
        int r;

        r = dl_state_load(s, &row, err);
        if (r < 0)
                return r;
        lo = which == DL_LOCKOUT_NETWORK ? &row.net_lockout : &row.lockout;
        now = dl_clock_now(s->clock);
        (void)dl_lockout_forget(lo, now);
        (void)dl_lockout_clamp(&s->config.lockout, lo, now);
        *ret = *lo;
        return 0;
}

int dl_store_lockout_state(struct dl_store *s, struct dl_lockout_state *ret, struct dl_error *err) {
        return dl_store_lockout_state_of(s, DL_LOCKOUT_KEYPAD, ret, err);
}

int dl_store_end_lockout(struct dl_store *s, const struct dl_actor *actor, struct dl_error *err) {
        _cleanup_txn_ struct dl_txn t = {};
        enum dl_source source = actor ? actor->source : DL_SOURCE_SYSTEM;
        char who[96];
        uint32_t failures, net_failures;
        int r;

        r = dl_txn_begin(s, true, &t, err);
        if (r < 0)
                return r;
        failures = t.state.lockout.failures;
        net_failures = t.state.net_lockout.failures;
        (void)dl_actor_describe(actor, who, sizeof(who));
        if (dl_lockout_clear(&t.state.lockout)) {
                r = dl_txn_logf(&t, DL_EVENT_LOCKOUT, source, 0, NULL,
                                "lockout ended and %u failures cleared %s", failures, who);
                if (r < 0)
                        return dl_error_set(err, r, "Cannot write audit log");
        }
        if (dl_lockout_clear(&t.state.net_lockout)) {
                r = dl_txn_logf(&t, DL_EVENT_LOCKOUT, source, 0, NULL,
                                "network lockout ended and %u failures cleared %s", net_failures, who);
                if (r < 0)
                        return dl_error_set(err, r, "Cannot write audit log");
        }
        return dl_txn_commit(&t, err);
}

int dl_store_clock_status(struct dl_store *s, struct dl_clock_status *ret, struct dl_error *err) {
        struct dl_state_row row;
        bool sync;
        int64_t now;
        int r;

        r = dl_state_load(s, &row, err);
        if (r < 0)
                return r;
        now = dl_clock_now(s->clock);
        sync = dl_clock_synchronized(s->clock);
        /* What the next transaction would conclude, without writing. */
        (void)dl_clock_trust_update(&row.clock, now, sync);
        *ret = (struct dl_clock_status){
                .trusted = !row.clock.untrusted,
                .synchronized = sync,
                .mark = row.clock.mark,
                .now = now,
        };
        return 0;
}

int dl_store_reset_clock_mark(struct dl_store *s, const struct dl_actor *actor, struct dl_error *err) {
        _cleanup_txn_ struct dl_txn t = {};
        char who[96];
        int64_t old;
        int r;

        r = dl_txn_begin(s, true, &t, err);
        if (r < 0)
                return r;
        old = t.state.clock.mark;
        dl_clock_trust_reset(&t.state.clock, t.now);
        t.trusted = true;
        r = dl_txn_logf(&t, DL_EVENT_CLOCK, actor ? actor->source : DL_SOURCE_SYSTEM, 0, NULL,
                        "high-water mark reset from %" PRId64 " to %" PRId64 " %s", old, t.now,
                        dl_actor_describe(actor, who, sizeof(who)));
        if (r < 0)
                return dl_error_set(err, r, "Cannot write audit log");
        return dl_txn_commit(&t, err);
}

/* ---- settings ---- */

static const char SQL_SETTING_GET[] = "SELECT value FROM meta WHERE key = ?1";
static const char SQL_SETTING_SET[] = "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)";

static int setting_key(const char *key, char *buf, size_t size, struct dl_error *err) {
        if (!key || !*key || strlen(key) > 64)
                return dl_error_set(err, -EINVAL, "Invalid setting name");
        snprintf(buf, size, "setting.%s", key);
        return 0;
}

int dl_store_get_setting(struct dl_store *s, const char *key, int64_t *ret, struct dl_error *err) {
        char k[80];
        sqlite3_stmt *st;
        int r;

        r = setting_key(key, k, sizeof(k), err);
        if (r < 0)
                return r;
        r = dl_db_prepare(&s->db, SQL_SETTING_GET, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
        r = dl_db_step(&s->db, st, err);
        if (r > 0) {
                if (sqlite3_column_type(st, 0) != SQLITE_INTEGER)
                        r = dl_error_set(err, -EBADMSG, "Setting %s is damaged", key);
                else
                        *ret = sqlite3_column_int64(st, 0);
        }
        sqlite3_reset(st);
        if (r == 0)
                return -ENOENT;
        return r < 0 ? r : 0;
}

int dl_store_set_setting(struct dl_store *s, const char *key, int64_t value, struct dl_error *err) {
        _cleanup_txn_ struct dl_txn t = {};
        char k[80];
        sqlite3_stmt *st;
        int r;

        r = setting_key(key, k, sizeof(k), err);
        if (r < 0)
                return r;
        r = dl_txn_begin(s, true, &t, err);
        if (r < 0)
                return r;
        r = dl_db_prepare(&s->db, SQL_SETTING_SET, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, value);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        if (r < 0)
                return r;
        return dl_txn_commit(&t, err);
}
