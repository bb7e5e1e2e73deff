/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>

#include "macro.h"
#include "migrations.h"

int dl_db_error(struct dl_db *db, int rc, struct dl_error *err, const char *what) {
        const char *msg = db && db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc);
        int sys = db && db->sql ? sqlite3_system_errno(db->sql) : 0;
        int r;

        switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return dl_error_set(err, -EBUSY, "%s: the database is locked by another process (%s)", what,
                                    msg);
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return dl_error_set(err, -EBADMSG,
                                    "%s: the database is corrupt or not a doorlockd database (%s)", what,
                                    msg);
        case SQLITE_READONLY:
                r = -EROFS;
                break;
        case SQLITE_FULL:
                r = -ENOSPC;
                break;
        case SQLITE_NOMEM:
                r = -ENOMEM;
                break;
        case SQLITE_PERM:
        case SQLITE_AUTH:
                r = -EACCES;
                break;
        case SQLITE_CONSTRAINT:
                r = (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) ? -EEXIST
                                                                                           : -EINVAL;
                break;
        case SQLITE_CANTOPEN:
        case SQLITE_IOERR:
                r = sys > 0 ? -sys : -EIO;
                break;
        case SQLITE_TOOBIG:
        case SQLITE_RANGE:
        case SQLITE_MISMATCH:
                r = -EINVAL;
                break;
        default:
                r = -EIO;
                break;
        }
        return dl_error_set(err, r, "%s: %s", what, msg);
}

int dl_db_step(struct dl_db *db, sqlite3_stmt *st, struct dl_error *err) {
        int rc = sqlite3_step(st);

        if (rc == SQLITE_ROW)
                return 1;
        if (rc == SQLITE_DONE)
                return 0;
        return dl_db_error(db, rc, err, "Database error");
}

int dl_db_exec(struct dl_db *db, const char *sql, struct dl_error *err) {
        int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);

        if (rc != SQLITE_OK)
                return dl_db_error(db, rc, err, "Database error");
        return 0;
}

int dl_db_prepare(struct dl_db *db, const char *sql, sqlite3_stmt **ret, struct dl_error *err) {
        sqlite3_stmt *st = NULL;
        int rc;

        *ret = NULL;
        for (size_t i = 0; i < db->n_stmts; i++)
                if (db->stmts[i].sql == sql) {
                        st = db->stmts[i].stmt;
                        sqlite3_reset(st);
                        sqlite3_clear_bindings(st);
                        *ret = st;
                        return 0;
                }

        rc = sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
        if (rc != SQLITE_OK)
                return dl_db_error(db, rc, err, "Cannot prepare statement");
        if (db->n_stmts >= DL_DB_STMT_CACHE_MAX) {
                /* The store uses a fixed set of statements; this is a bug. */
                sqlite3_finalize(st);
                return dl_error_set(err, -ENOBUFS, "Too many prepared statements");
        }
        db->stmts[db->n_stmts++] = (struct dl_db_stmt){ .sql = sql, .stmt = st };
        *ret = st;
        return 0;
}

int dl_db_schema_version(void) {
        return (int)dl_migrations_count;
}

static int pragma_int(struct dl_db *db, const char *sql, int *ret, struct dl_error *err) {
        sqlite3_stmt *st;
        int rc;

        rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
        if (rc != SQLITE_OK)
                return dl_db_error(db, rc, err, "Cannot read database");
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                *ret = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
                return dl_db_error(db, rc, err, "Cannot read database");
        return 0;
}

static int set_wal(struct dl_db *db, struct dl_error *err) {
        sqlite3_stmt *st;
        int rc, r = 0;

        rc = sqlite3_prepare_v2(db->sql, "PRAGMA journal_mode=WAL", -1, &st, NULL);
        if (rc != SQLITE_OK)
                return dl_db_error(db, rc, err, "Cannot open database");
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                r = dl_db_error(db, rc, err, "Cannot switch database to WAL mode");
        else if (strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0)
                r = dl_error_set(err, -EROFS,
                                 "Cannot switch database %s to WAL mode (is the directory writable?)",
                                 db->path);
        sqlite3_finalize(st);
        return r;
}

static int quick_check(struct dl_db *db, struct dl_error *err) {
        sqlite3_stmt *st;
        int rc, r = 0;

        rc = sqlite3_prepare_v2(db->sql, "PRAGMA quick_check(1)", -1, &st, NULL);
        if (rc != SQLITE_OK)
                return dl_db_error(db, rc, err, "Cannot check database");
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                r = dl_db_error(db, rc, err, "Cannot check database");
        else if (strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
                r = dl_error_set(err, -EBADMSG, "Database %s is corrupt: %s", db->path,
                                 (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        return r;
}

/* Is this a database we may touch at all?  Checked before anything is
 * written to it (even the switch to WAL), so a foreign or newer file is left
 * exactly as it was. */
static int check_version(struct dl_db *db, int *ret_version, struct dl_error *err) {
        int version = 0, tables = 0, latest = dl_db_schema_version(), r;

        r = pragma_int(db, "PRAGMA user_version", &version, err);
        if (r < 0)
                return r;
        if (version > latest)
                return dl_error_set(
                        err, -EPROTONOSUPPORT,
                        "Database %s has schema version %d, but this doorlockd knows only up to %d: "
                        "it was written by a newer doorlockd; refusing to open it",
                        db->path, version, latest);
        if (version < 0)
                return dl_error_set(err, -EBADMSG, "Database %s has an invalid schema version %d", db->path,
                                    version);
        if (version == 0) {
                r = pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables, err);
                if (r < 0)
                        return r;
                if (tables > 0)
                        return dl_error_set(err, -EBADMSG, "%s is an SQLite database but not doorlockd's",
                                            db->path);
        }
        *ret_version = version;
        return 0;
}

static int migrate(struct dl_db *db, int version, struct dl_error *err) {
        int latest = dl_db_schema_version(), r;

        for (int v = version + 1; v <= latest; v++) {
                const struct dl_migration *m = &dl_migrations[v - 1];
                char sql[64];

                r = dl_db_begin(db, true, err);
                if (r < 0)
                        return r;
                r = dl_db_exec(db, m->sql, err);
                if (r >= 0) {
                        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
                        r = dl_db_exec(db, sql, err);
                }
                if (r >= 0)
                        r = dl_db_commit(db, err);
                if (r < 0) {
                        dl_db_rollback(db);
                        return dl_error_set(err, r, "Cannot apply schema migration %s to %s: %s", m->name,
                                            db->path, dl_error_message(err, r));
                }
        }
        return 0;
}

int dl_db_open(const char *path, unsigned busy_timeout_ms, struct dl_db *db, struct dl_error *err) {
        int rc, r, version = 0;

        *db = (struct dl_db){};
        db->path = strdup(path);
        if (!db->path)
                return -ENOMEM;

        rc = sqlite3_open_v2(path, &db->sql,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
                                     SQLITE_OPEN_NOMUTEX,
                             NULL);
        if (rc != SQLITE_OK) {
                r = dl_db_error(db, rc, err, "Cannot open database");
                goto fail;
        }
        sqlite3_extended_result_codes(db->sql, 1);
        sqlite3_busy_timeout(db->sql, (int)busy_timeout_ms);

        /* One owner: the daemon holds the database locked for as long as it
         * runs.  A second doorlockd (or any other writer) gets a clear
         * "locked" error instead of racing it, and with no other process to
         * coordinate with, SQLite keeps the WAL index in memory and takes no
         * file locks per statement (most of the cost of a PIN check). */
        r = dl_db_exec(db, "PRAGMA locking_mode=EXCLUSIVE", err);
        if (r < 0)
                goto fail;

        r = quick_check(db, err);
        if (r < 0)
                goto fail;
        r = check_version(db, &version, err);
        if (r < 0)
                goto fail;
        r = set_wal(db, err);
        if (r < 0)
                goto fail;
        r = dl_db_exec(db, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA trusted_schema=OFF",
                       err);
        if (r < 0)
                goto fail;
        db->sync_full = false;

        r = migrate(db, version, err);
        if (r < 0)
                goto fail;
        /* The integrity check read every page into the cache.  A gateway
         * needs a few dozen of them (codes, indexes, the log's tail): give
         * the rest back and keep the cache small (512 KiB, not 2 MiB). */
        r = dl_db_exec(db, "PRAGMA cache_size=-512", err);
        if (r < 0)
                goto fail;
        (void)sqlite3_db_release_memory(db->sql);
        return 0;

fail:
        dl_db_close(db);
        return r;
}

void dl_db_close(struct dl_db *db) {
        for (size_t i = 0; i < db->n_stmts; i++)
                sqlite3_finalize(db->stmts[i].stmt);
        db->n_stmts = 0;
        if (db->sql)
                sqlite3_close_v2(db->sql);
        db->sql = NULL;
        free(db->path);
        db->path = NULL;
}

int dl_db_begin(struct dl_db *db, bool durable, struct dl_error *err) {
        int r;

        if (db->in_transaction)
                return dl_error_set(err, -EINPROGRESS, "Transaction already open");
        if (durable != db->sync_full) {
                r = dl_db_exec(db, durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", err);
                if (r < 0)
                        return r;
                db->sync_full = durable;
        }
        r = dl_db_exec(db, "BEGIN IMMEDIATE", err);
        if (r < 0)
                return r;
        db->in_transaction = true;
        return 0;
}

int dl_db_commit(struct dl_db *db, struct dl_error *err) {
        int r;

        if (!db->in_transaction)
                return dl_error_set(err, -EINVAL, "No transaction open");
        r = dl_db_exec(db, "COMMIT", err);
        if (r < 0) {
                dl_db_rollback(db);
                return r;
        }
        db->in_transaction = false;
        return 0;
}

void dl_db_rollback(struct dl_db *db) {
        if (!db->in_transaction)
                return;
        /* Reset cached statements first so none holds the transaction open. */
        for (size_t i = 0; i < db->n_stmts; i++)
                sqlite3_reset(db->stmts[i].stmt);
        (void)sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
        db->in_transaction = false;
}
