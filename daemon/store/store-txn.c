/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store's low layer: the state row, transactions and the audit entries
 * a transaction appends.  Every write goes through here; nothing here calls
 * back into the modules above it (code-store.c, verify.c, audit-log.c,
 * emergency-store.c, store-admin.c) or into the open sequence (store.c). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "code-name.h"
#include "macro.h"
#include "store-private.h"
#include "tz.h"

const struct dl_store_config *dl_store_config(const struct dl_store *s) {
        return &s->config;
}

const char *dl_store_dir(const struct dl_store *s) {
        return s->dir;
}

int dl_store_wall(struct dl_store *s, int64_t now, struct dl_wall *ret) {
        return dl_tz_wall(s->time_zone, now, ret);
}

const char *dl_actor_describe(const struct dl_actor *a, char *buf, size_t size) {
        if (a && a->who && a->who[0])
                snprintf(buf, size, "by %s", a->who);
        else
                snprintf(buf, size, "by %s", a ? dl_source_to_string(a->source) : "system");
        dl_utf8_trim_partial(buf);
        return buf;
}

/* ---- the state row ---- */

static int blob32(sqlite3_stmt *st, int col, uint8_t out[DL_MAC_SIZE]) {
        if (sqlite3_column_bytes(st, col) != DL_MAC_SIZE)
                return -EBADMSG;
        memcpy(out, sqlite3_column_blob(st, col), DL_MAC_SIZE);
        return 0;
}

static const char SQL_STATE_LOAD[] =
        "SELECT clock_mark, clock_untrusted, failures, last_failure, lockout_until, audit_head_seq, "
        "audit_head_mac, audit_head_tag, audit_anchor_seq, audit_anchor_prev, audit_anchor_tag, "
        "net_failures, net_last_failure, net_lockout_until FROM state WHERE id = 1";

int dl_state_load(struct dl_store *s, struct dl_state_row *row, struct dl_error *err) {
        int r;

        /* The store holds the database exclusively, so the last committed
         * row is what is on disk: no query needed on the hot path. */
        if (!s->state_cached) {
                r = dl_state_read(s, &s->state, err);
                if (r < 0)
                        return r;
                s->state_cached = true;
        }
        *row = s->state;
        return 0;
}

int dl_state_read(struct dl_store *s, struct dl_state_row *row, struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_STATE_LOAD, &st, err);
        if (r < 0)
                return r;
        r = dl_db_step(&s->db, st, err);
        if (r == 0)
                r = dl_error_set(err, -EBADMSG, "Database %s has no state row", s->db.path);
        if (r < 0)
                goto out;

        *row = (struct dl_state_row){
                .clock = { .mark = sqlite3_column_int64(st, 0),
                           .untrusted = sqlite3_column_int(st, 1) != 0 },
                .lockout = { .failures = (uint32_t)sqlite3_column_int64(st, 2),
                             .last_failure = sqlite3_column_int64(st, 3),
                             .lockout_until = sqlite3_column_int64(st, 4) },
                .net_lockout = { .failures = (uint32_t)sqlite3_column_int64(st, 11),
                                 .last_failure = sqlite3_column_int64(st, 12),
                                 .lockout_until = sqlite3_column_int64(st, 13) },
                .head_seq = sqlite3_column_int64(st, 5),
                .anchor_seq = sqlite3_column_int64(st, 8),
        };
        if (blob32(st, 6, row->head_mac) < 0 || blob32(st, 7, row->head_tag) < 0 ||
            blob32(st, 9, row->anchor_prev) < 0 || blob32(st, 10, row->anchor_tag) < 0)
                r = dl_error_set(err, -EBADMSG, "Database %s has a damaged state row", s->db.path);
        else
                r = 0;
out:
        sqlite3_reset(st);
        return r;
}

static const char SQL_STATE_SAVE[] =
        "UPDATE state SET clock_mark = ?1, clock_untrusted = ?2, failures = ?3, last_failure = ?4, "
        "lockout_until = ?5, audit_head_seq = ?6, audit_head_mac = ?7, audit_head_tag = ?8, "
        "audit_anchor_seq = ?9, audit_anchor_prev = ?10, audit_anchor_tag = ?11, net_failures = ?12, "
        "net_last_failure = ?13, net_lockout_until = ?14 WHERE id = 1";

static int state_save(struct dl_store *s, const struct dl_state_row *row, struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_STATE_SAVE, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, row->clock.mark);
        sqlite3_bind_int(st, 2, row->clock.untrusted);
        sqlite3_bind_int64(st, 3, row->lockout.failures);
        sqlite3_bind_int64(st, 4, row->lockout.last_failure);
        sqlite3_bind_int64(st, 5, row->lockout.lockout_until);
        sqlite3_bind_int64(st, 6, row->head_seq);
        sqlite3_bind_blob(st, 7, row->head_mac, DL_MAC_SIZE, SQLITE_STATIC);
        sqlite3_bind_blob(st, 8, row->head_tag, DL_MAC_SIZE, SQLITE_STATIC);
        sqlite3_bind_int64(st, 9, row->anchor_seq);
        sqlite3_bind_blob(st, 10, row->anchor_prev, DL_MAC_SIZE, SQLITE_STATIC);
        sqlite3_bind_blob(st, 11, row->anchor_tag, DL_MAC_SIZE, SQLITE_STATIC);
        sqlite3_bind_int64(st, 12, row->net_lockout.failures);
        sqlite3_bind_int64(st, 13, row->net_lockout.last_failure);
        sqlite3_bind_int64(st, 14, row->net_lockout.lockout_until);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

/* ---- transactions ---- */

int dl_txn_begin(struct dl_store *s, bool durable, struct dl_txn *t, struct dl_error *err) {
        enum dl_clock_event ev;
        int r;

        *t = (struct dl_txn){ .store = s, .durable = durable };
        r = dl_db_begin(&s->db, durable, err);
        if (r < 0)
                return r;
        t->open = true;

        r = dl_state_load(s, &t->state, err);
        if (r < 0) {
                dl_txn_abort(t);
                return r;
        }

        t->now = dl_clock_now(s->clock);
        ev = dl_clock_trust_update(&t->state.clock, t->now,
                                   dl_store_clock_vouched(s, &t->state.clock, t->now));
        t->trusted = !t->state.clock.untrusted;
        if (ev != DL_CLOCK_EVENT_NONE) {
                r = dl_txn_log(t, DL_EVENT_CLOCK, DL_SOURCE_SYSTEM, 0, NULL, dl_clock_event_to_string(ev));
                if (r < 0) {
                        dl_txn_abort(t);
                        return dl_error_set(err, r, "Cannot write audit log: %s", strerror(-r));
                }
        }
        return 0;
}

int dl_txn_commit(struct dl_txn *t, struct dl_error *err) {
        int r;

        if (!t->open)
                return dl_error_set(err, -EINVAL, "No transaction open");
        r = state_save(t->store, &t->state, err);
        if (r < 0) {
                dl_txn_abort(t);
                return r;
        }
        r = dl_db_commit(&t->store->db, err);
        t->open = false;
        if (r < 0) {
                t->store->state_cached = false; /* re-read: be sure */
                return r;
        }
        t->store->state = t->state;
        t->store->state_cached = true;
        return 0;
}

void dl_txn_abort(struct dl_txn *t) {
        if (!t->open)
                return;
        dl_db_rollback(&t->store->db);
        t->open = false;
}

static const char SQL_AUDIT_INSERT[] =
        "INSERT INTO audit (seq, time, event, source, code_id, code_name, details, mac) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

int dl_txn_log(struct dl_txn *t, const char *event, enum dl_source source, int64_t code_id,
               const char *code_name, const char *details) {
        struct dl_store *s = t->store;
        struct dl_audit_entry e = {
                .seq = t->state.head_seq + 1,
                .time = t->now,
                .code_id = code_id,
        };
        sqlite3_stmt *st;
        int r;

        dl_utf8_copy(e.event, sizeof(e.event), event);
        dl_utf8_copy(e.source, sizeof(e.source), dl_source_to_string(source));
        dl_utf8_copy(e.code_name, sizeof(e.code_name), code_name);
        dl_utf8_copy(e.details, sizeof(e.details), details);

        r = dl_audit_entry_seal(s->audit_key, t->state.head_mac, &e);
        if (r < 0)
                return r;

        r = dl_db_prepare(&s->db, SQL_AUDIT_INSERT, &st, NULL);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, e.seq);
        sqlite3_bind_int64(st, 2, e.time);
        sqlite3_bind_text(st, 3, e.event, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, e.source, -1, SQLITE_STATIC);
        if (code_id > 0)
                sqlite3_bind_int64(st, 5, code_id);
        if (e.code_name[0])
                sqlite3_bind_text(st, 6, e.code_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, e.details, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 8, e.mac, DL_MAC_SIZE, SQLITE_STATIC);
        r = dl_db_step(&s->db, st, NULL);
        sqlite3_reset(st);
        if (r < 0)
                return r;

        t->state.head_seq = e.seq;
        memcpy(t->state.head_mac, e.mac, DL_MAC_SIZE);
        return dl_audit_head_tag(s->audit_key, e.seq, e.mac, t->state.head_tag);
}

int dl_txn_logf(struct dl_txn *t, const char *event, enum dl_source source, int64_t code_id,
                const char *code_name, const char *fmt, ...) {
        char details[DL_AUDIT_DETAILS_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(details, sizeof(details), fmt, ap);
        va_end(ap);
        dl_utf8_trim_partial(details);
        return dl_txn_log(t, event, source, code_id, code_name, details);
}
