/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verify-state STATE-DIR: check a doorlockd state directory with the real
 * store code, for tests/integration/test_crash.py.  Run it only while no
 * doorlockd holds the directory (on a copy: opening the store may write).
 *
 * Prints "integrity: ok" or "integrity: <first problem>" (PRAGMA
 * integrity_check, before the store touches the file), then
 * "open: ok" or "open: <error>", then "audit: ok <N> entries" or
 * "audit: <problem>" (dl_store_audit_verify()).  Exit status 0 when all are
 * ok, 1 when a check failed, 2 on bad usage. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit-log.h"
#include "clock.h"
#include "store.h"

static int integrity(const char *dir) {
        char *path = NULL;
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        int ok = 0;

        if (asprintf(&path, "%s/%s", dir, DL_STORE_DB_FILE) < 0)
                return 0;
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
            sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE", NULL, NULL, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK) {
                int rows = 0;
                while (sqlite3_step(st) == SQLITE_ROW) {
                        const char *line = (const char *)sqlite3_column_text(st, 0);
                        ok = rows == 0 && line && strcmp(line, "ok") == 0;
                        if (rows++ < 5)
                                printf("integrity: %s\n", line ? line : "(null)");
                }
                if (rows == 0)
                        printf("integrity: %s\n", sqlite3_errmsg(db));
        } else
                printf("integrity: cannot check: %s\n", db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_finalize(st);
        sqlite3_close(db);
        free(path);
        return ok;
}

int main(int argc, char **argv) {
        struct dl_store_config config;
        struct dl_store *s = NULL;
        struct dl_audit_report rep;
        struct dl_error err = {};
        int ok, r;

        if (argc != 2) {
                fprintf(stderr, "usage: %s STATE-DIR\n", argv[0]);
                return 2;
        }
        ok = integrity(argv[1]);

        dl_store_config_init(&config);
        /* The largest bound: opening must not prune what is being checked. */
        config.log_max_entries = DL_LOG_MAX_ENTRIES_CEILING;
        r = dl_store_open(argv[1], &config, &dl_clock_system, &s, &err);
        if (r < 0) {
                printf("open: %s\n", dl_error_message(&err, r));
                return 1;
        }
        printf("open: ok\n");
        r = dl_store_audit_verify(s, &rep, &err);
        if (r < 0) {
                printf("audit: cannot verify: %s\n", dl_error_message(&err, r));
                ok = 0;
        } else if (!rep.ok) {
                printf("audit: %s (first bad entry %lld)\n", rep.problem, (long long)rep.first_bad);
                ok = 0;
        } else
                printf("audit: ok %lld entries\n", (long long)rep.entries);
        s = dl_store_close(s);
        return ok ? 0 : 1;
}
