/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SQLite connection: open with the right pragmas, check it is whole,
 * bring the schema up to date, run transactions at the durability asked for,
 * and turn SQLite's errors into negative errnos with a message.
 *
 * Only the code store (code-store.c, verify.c, audit-log.c, store.c) uses
 * this; nothing else in doorlockd writes SQL. */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>

#include "error.h"

#define DL_DB_STMT_CACHE_MAX 64

struct dl_db_stmt {
        const char *sql; /* keyed by the address of a constant string */
        sqlite3_stmt *stmt;
};

struct dl_db {
        sqlite3 *sql;
        char *path;
        bool sync_full; /* current PRAGMA synchronous is FULL */
        bool in_transaction;
        size_t n_stmts;
        struct dl_db_stmt stmts[DL_DB_STMT_CACHE_MAX];
};

/* Open (creating if missing) the database at path in WAL mode with foreign
 * keys on, the busy timeout, a quick integrity check, and every migration
 * applied.  The connection holds the database exclusively until closed.
 * Errors:
 *   -EBADMSG     corrupt, or not a doorlockd database
 *   -EPROTONOSUPPORT written by a newer doorlockd (schema version too high)
 *   -EBUSY       locked by another process for longer than the timeout
 *   -EACCES/-EROFS/-EIO  cannot open or write the file */
int dl_db_open(const char *path, unsigned busy_timeout_ms, struct dl_db *db, struct dl_error *err);
void dl_db_close(struct dl_db *db);

/* The schema version this build writes. */
int dl_db_schema_version(void);

/* BEGIN IMMEDIATE.  durable: the commit is fsync'd before it returns
 * (synchronous=FULL); otherwise synchronous=NORMAL (WAL: durable at the next
 * checkpoint or FULL commit, never corrupt). */
int dl_db_begin(struct dl_db *db, bool durable, struct dl_error *err);
int dl_db_commit(struct dl_db *db, struct dl_error *err);
void dl_db_rollback(struct dl_db *db);

/* A cached prepared statement for a constant SQL text (reset and with its
 * bindings cleared) in *ret.  The statement belongs to the cache: reset it
 * after use, never finalize it. */
int dl_db_prepare(struct dl_db *db, const char *sql, sqlite3_stmt **ret, struct dl_error *err);

/* Run SQL that returns no rows. */
int dl_db_exec(struct dl_db *db, const char *sql, struct dl_error *err);

/* Map an SQLite result code to a negative errno and fill err with
 * "<what>: <sqlite message>". */
int dl_db_error(struct dl_db *db, int rc, struct dl_error *err, const char *what);

/* sqlite3_step() that maps errors; returns SQLITE_ROW (1) for a row, 0 when
 * done, or a negative errno. */
int dl_db_step(struct dl_db *db, sqlite3_stmt *st, struct dl_error *err);
