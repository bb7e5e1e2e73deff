/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "audit-log.h"
#include "code-name.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "macro.h"
#include "store-private.h"

int dl_store_log_event(struct dl_store *s, const char *event, const struct dl_actor *actor, int64_t code_id,
                       const char *code_name, const char *details, struct dl_error *err) {
        _cleanup_txn_ struct dl_txn t = {};
        int r;

        if (!event || !*event || strlen(event) >= DL_AUDIT_EVENT_MAX)
                return dl_error_set(err, -EINVAL, "Invalid audit event name");
        /* Events from the lock controller are alarms and state changes:
         * rare, and worth an fsync. */
        r = dl_txn_begin(s, true, &t, err);
        if (r < 0)
                return r;
        r = dl_txn_log(&t, event, actor ? actor->source : DL_SOURCE_SYSTEM, code_id, code_name, details);
        if (r < 0)
                return dl_error_set(err, r, "Cannot write audit log: %s", strerror(-r));
        r = dl_txn_commit(&t, err);
        if (r < 0)
                return r;
        if (dl_audit_needs_prune(s, &t.state))
                return dl_audit_prune(s, err);
        return 0;
}

/* Informational entries (the bolt's operations, the door): not single-use
 * state, so NORMAL is enough; a power cut may lose the last of them, and
 * the next FULL commit makes them durable (the WAL is written in order). */
int dl_store_log_batch(struct dl_store *s, const struct dl_log_item *items, size_t n, struct dl_error *err) {
        _cleanup_txn_ struct dl_txn t = {};
        int r;

        if (n == 0)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (!items[i].event || !*items[i].event || strlen(items[i].event) >= DL_AUDIT_EVENT_MAX)
                        return dl_error_set(err, -EINVAL, "Invalid audit event name");
        r = dl_txn_begin(s, false, &t, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = dl_txn_log(&t, items[i].event, items[i].source, items[i].code_id, items[i].code_name,
                               items[i].details);
                if (r < 0)
                        return dl_error_set(err, r, "Cannot write audit log: %s", strerror(-r));
        }
        r = dl_txn_commit(&t, err);
        if (r < 0)
                return r;
        if (dl_audit_needs_prune(s, &t.state))
                return dl_audit_prune(s, err);
        return 0;
}

/* ---- bounding the log ---- */

/* Pruning deletes this many entries below the bound at once, so it runs once
 * every `batch` appends rather than on every insert. */
static int64_t prune_batch(const struct dl_store *s) {
        return MAX((int64_t)s->config.log_max_entries / 20, 1);
}

bool dl_audit_needs_prune(const struct dl_store *s, const struct dl_state_row *row) {
        return row->head_seq - row->anchor_seq + 1 > (int64_t)s->config.log_max_entries;
}

int dl_audit_prune(struct dl_store *s, struct dl_error *err) {
        static const char sql_mac[] = "SELECT mac FROM audit WHERE seq = ?1";
        static const char sql_delete[] = "DELETE FROM audit WHERE seq < ?1";
        _cleanup_txn_ struct dl_txn t = {};
        int64_t count, keep_from, first;
        sqlite3_stmt *st;
        int r;

        r = dl_txn_begin(s, false, &t, err);
        if (r < 0)
                return r;
        count = t.state.head_seq - t.state.anchor_seq + 1;
        if (count <= (int64_t)s->config.log_max_entries)
                return 0; /* the cleanup rolls back: nothing was written */

        /* Keep max - batch entries, so the next prune is `batch` appends
         * away.  The new anchor is the mac of the entry just before the
         * first kept one. */
        keep_from = t.state.head_seq - ((int64_t)s->config.log_max_entries - prune_batch(s)) + 1;

        r = dl_db_prepare(&s->db, sql_mac, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, keep_from - 1);
        r = dl_db_step(&s->db, st, err);
        if (r == 0)
                r = dl_error_set(err, -EBADMSG, "Audit entry %" PRId64 " is missing; cannot prune",
                                 keep_from - 1);
        if (r > 0 && sqlite3_column_bytes(st, 0) != DL_MAC_SIZE)
                r = dl_error_set(err, -EBADMSG, "Audit entry %" PRId64 " is damaged; cannot prune",
                                 keep_from - 1);
        if (r > 0)
                memcpy(t.state.anchor_prev, sqlite3_column_blob(st, 0), DL_MAC_SIZE);
        sqlite3_reset(st);
        if (r < 0)
                return r;

        r = dl_db_prepare(&s->db, sql_delete, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, keep_from);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        if (r < 0)
                return r;

        first = t.state.anchor_seq;
        t.state.anchor_seq = keep_from;
        r = dl_audit_anchor_tag(s->audit_key, keep_from, t.state.anchor_prev, t.state.anchor_tag);
        if (r < 0)
                return dl_error_set(err, r, "Cannot compute audit anchor");
        r = dl_txn_logf(&t, DL_EVENT_LOG, DL_SOURCE_SYSTEM, 0, NULL,
                        "pruned entries %" PRId64 " to %" PRId64 " (bound %u)", first, keep_from - 1,
                        s->config.log_max_entries);
        if (r < 0)
                return dl_error_set(err, r, "Cannot write audit log");
        return dl_txn_commit(&t, err);
}

/* ---- reading ---- */

static int entry_from_row(sqlite3_stmt *st, struct dl_audit_entry *e) {
        *e = (struct dl_audit_entry){
                .seq = sqlite3_column_int64(st, 0),
                .time = sqlite3_column_int64(st, 1),
                .code_id = sqlite3_column_int64(st, 4),
        };
        dl_utf8_copy(e->event, sizeof(e->event), (const char *)sqlite3_column_text(st, 2));
        dl_utf8_copy(e->source, sizeof(e->source), (const char *)sqlite3_column_text(st, 3));
        dl_utf8_copy(e->code_name, sizeof(e->code_name), (const char *)sqlite3_column_text(st, 5));
        dl_utf8_copy(e->details, sizeof(e->details), (const char *)sqlite3_column_text(st, 6));
        if (sqlite3_column_bytes(st, 7) != DL_MAC_SIZE)
                return -EBADMSG;
        memcpy(e->mac, sqlite3_column_blob(st, 7), DL_MAC_SIZE);
        return 0;
}

static const char SQL_AUDIT_LIST[] =
        "SELECT seq, time, event, source, code_id, code_name, details, mac FROM audit WHERE seq > ?1 "
        "ORDER BY seq LIMIT ?2";

int dl_store_audit_list(struct dl_store *s, int64_t after_seq, unsigned limit, dl_audit_cb cb,
                        void *userdata, struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_AUDIT_LIST, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, after_seq);
        sqlite3_bind_int64(st, 2, limit > 0 ? (int64_t)limit : -1);
        while ((r = dl_db_step(&s->db, st, err)) > 0) {
                struct dl_audit_entry e;

                if (entry_from_row(st, &e) < 0) {
                        r = dl_error_set(err, -EBADMSG, "Audit entry %" PRId64 " is damaged", e.seq);
                        break;
                }
                r = cb(&e, userdata);
                if (r < 0)
                        break;
        }
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

int dl_store_audit_range(struct dl_store *s, int64_t *first, int64_t *last, struct dl_error *err) {
        struct dl_state_row row;
        int r;

        r = dl_state_load(s, &row, err);
        if (r < 0)
                return r;
        *first = row.anchor_seq;
        *last = row.head_seq;
        return 0;
}

static void report_bad(struct dl_audit_report *rep, int64_t seq, const char *fmt, ...) _printf_(3, 4);
static void report_bad(struct dl_audit_report *rep, int64_t seq, const char *fmt, ...) {
        va_list ap;

        if (!rep->ok)
                return; /* keep the first problem */
        rep->ok = false;
        rep->first_bad = seq;
        va_start(ap, fmt);
        vsnprintf(rep->problem, sizeof(rep->problem), fmt, ap);
        va_end(ap);
}

static const char SQL_AUDIT_ALL[] =
        "SELECT seq, time, event, source, code_id, code_name, details, mac FROM audit ORDER BY seq";

int dl_store_audit_verify(struct dl_store *s, struct dl_audit_report *ret, struct dl_error *err) {
        struct dl_audit_report rep = { .ok = true };
        struct dl_state_row row;
        uint8_t prev[DL_MAC_SIZE], tag[DL_MAC_SIZE];
        int64_t expect;
        sqlite3_stmt *st;
        int r;

        /* One read transaction: a consistent snapshot of rows and state. */
        r = dl_db_exec(&s->db, "BEGIN", err);
        if (r < 0)
                return r;

        r = dl_state_read(s, &row, err);
        if (r < 0)
                goto out;

        r = dl_audit_anchor_tag(s->audit_key, row.anchor_seq, row.anchor_prev, tag);
        if (r < 0)
                goto out;
        if (!dl_mac_equal(tag, row.anchor_tag))
                report_bad(&rep, row.anchor_seq,
                           "anchor record does not verify (oldest entries tampered with)");
        r = dl_audit_head_tag(s->audit_key, row.head_seq, row.head_mac, tag);
        if (r < 0)
                goto out;
        if (!dl_mac_equal(tag, row.head_tag))
                report_bad(&rep, row.head_seq, "head record does not verify (newest entries tampered with)");

        memcpy(prev, row.anchor_prev, DL_MAC_SIZE);
        expect = row.anchor_seq;

        r = dl_db_prepare(&s->db, SQL_AUDIT_ALL, &st, err);
        if (r < 0)
                goto out;
        while ((r = dl_db_step(&s->db, st, err)) > 0) {
                struct dl_audit_entry e;

                if (entry_from_row(st, &e) < 0) {
                        report_bad(&rep, e.seq, "entry %" PRId64 " has a damaged MAC", e.seq);
                        break;
                }
                if (e.seq != expect) {
                        if (e.seq > expect)
                                report_bad(&rep, expect, "entries %" PRId64 " to %" PRId64 " are missing",
                                           expect, e.seq - 1);
                        else
                                report_bad(&rep, e.seq, "entry %" PRId64 " is older than the anchor", e.seq);
                        break;
                }
                if (!dl_audit_entry_verify(s->audit_key, prev, &e)) {
                        report_bad(&rep, e.seq, "entry %" PRId64 " was altered or its chain is broken",
                                   e.seq);
                        break;
                }
                memcpy(prev, e.mac, DL_MAC_SIZE);
                rep.entries++;
                expect++;
        }
        sqlite3_reset(st);
        if (r < 0)
                goto out;

        if (rep.ok) {
                if (expect - 1 != row.head_seq) {
                        if (expect - 1 < row.head_seq)
                                report_bad(&rep, expect,
                                           "newest entries %" PRId64 " to %" PRId64 " are missing", expect,
                                           row.head_seq);
                        else
                                report_bad(&rep, row.head_seq + 1,
                                           "entries after the head (%" PRId64 ") were added", row.head_seq);
                } else if (!dl_mac_equal(prev, row.head_mac))
                        report_bad(&rep, row.head_seq, "newest entry does not match the head record");
        }
        r = 0;
out:
        (void)sqlite3_exec(s->db.sql, "ROLLBACK", NULL, NULL, NULL);
        if (r >= 0)
                *ret = rep;
        return r;
}
