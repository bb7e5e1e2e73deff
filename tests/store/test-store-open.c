/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Opening the store: first start, restart, and every way the state
 * directory can be wrong.  Each must give a clear error and never crash. */
#include "test-util.h"

#include <fcntl.h>
#include <grp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "db.h"
#include "verify.h"

static int try_open(struct store_fixture *f, struct dl_error *err) {
        return dl_store_open(f->dir, &f->config, &f->clock.clock, &f->store, err);
}

static void write_file(const char *path, const void *data, size_t n, mode_t mode) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, n), (ssize_t)n);
        close(fd);
        assert_int_equal(chmod(path, mode), 0);
}

static void first_start_creates_everything(void **state) {
        struct store_fixture *f = *state;
        const char *files[] = { "pin.key", "audit.key", "doorlockd.db" };
        struct stat st;
        char *sub;

        /* The state directory itself is created, 0700. */
        assert_true(asprintf(&sub, "%s/state", f->dir) > 0);
        umask(022);
        assert_int_equal(dl_store_open(sub, &f->config, &f->clock.clock, &f->store, NULL), 0);
        /* The WAL is private from the very first start, store still open. */
        {
                char *wal;

                assert_true(asprintf(&wal, "%s/doorlockd.db-wal", sub) > 0);
                assert_int_equal(stat(wal, &st), 0);
                assert_int_equal(st.st_mode & 07777, 0600);
                free(wal);
        }
        assert_int_equal(stat(sub, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                char *p;

                assert_true(asprintf(&p, "%s/%s", sub, files[i]) > 0);
                assert_int_equal(stat(p, &st), 0);
                assert_int_equal(st.st_mode & 07777, 0600); /* keys and database */
                if (i < 2)
                        assert_int_equal(st.st_size, 32);
                free(p);
        }
        store_fixture_close(f);
        free(sub);
}

static void restart_keeps_codes(void **state) {
        struct store_fixture *f = *state;
        struct dl_decision d;

        store_fixture_open(f);
        add_code(f, "Alice", "493817");
        store_fixture_reopen(f);
        assert_int_equal(dl_store_verify(f->store, "493817", DL_SOURCE_KEYPAD, &d, NULL), 0);
        assert_true(d.granted);
        assert_int_equal(raw_int(f, "PRAGMA user_version"), dl_db_schema_version());
        assert_int_equal(raw_int(f, "SELECT count(*) FROM state"), 1);
}

/* A database of schema 2 (before the network's counter): opening it adds
 * the columns, zeroed, and keeps the keypad's count. */
static void schema_2_gets_the_network_counter(void **state) {
        struct store_fixture *f = *state;
        struct dl_decision d;
        struct dl_lockout_state lo;

        store_fixture_open(f);
        add_code(f, "Alice", "493817");
        assert_int_equal(dl_store_verify(f->store, "000111", DL_SOURCE_KEYPAD, &d, NULL), 0);
        store_fixture_close(f);
        raw_sql(f, "ALTER TABLE state DROP COLUMN net_failures");
        raw_sql(f, "ALTER TABLE state DROP COLUMN net_last_failure");
        raw_sql(f, "ALTER TABLE state DROP COLUMN net_lockout_until");
        raw_sql(f, "PRAGMA user_version = 2");

        store_fixture_open(f);
        assert_int_equal(raw_int(f, "PRAGMA user_version"), dl_db_schema_version());
        assert_int_equal(raw_int(f, "SELECT net_failures + net_last_failure + net_lockout_until FROM state"),
                         0);
        assert_int_equal(dl_store_lockout_state(f->store, &lo, NULL), 0);
        assert_int_equal(lo.failures, 1);
        assert_int_equal(dl_store_verify(f->store, "000111", DL_SOURCE_MQTT, &d, NULL), 0);
        assert_int_equal(raw_int(f, "SELECT net_failures FROM state"), 1);
}

static void garbage_database(void **state) {
        struct store_fixture *f = *state;
        char *db = fixture_path(f, "doorlockd.db");
        struct dl_error err = {};
        char junk[8192];

        for (size_t i = 0; i < sizeof(junk); i++)
                junk[i] = (char)(i * 7 + 3);
        write_file(db, junk, sizeof(junk), 0600);
        assert_int_equal(try_open(f, &err), -ENOENT); /* keys missing beside a database */
        assert_non_null(strstr(err.message, "pin.key"));

        /* With keys in place, the garbage itself is reported. */
        unlink(db);
        store_fixture_open(f);
        store_fixture_close(f);
        write_file(db, junk, sizeof(junk), 0600);
        char *wal = fixture_path(f, "doorlockd.db-wal");
        unlink(wal);
        free(wal);
        memset(&err, 0, sizeof(err));
        assert_int_equal(try_open(f, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "corrupt"));
        assert_null(f->store);
        free(db);
}

static void corrupt_page_in_database(void **state) {
        struct store_fixture *f = *state;
        char *db = fixture_path(f, "doorlockd.db");
        struct dl_error err = {};
        char junk[4096];
        int fd;

        store_fixture_open(f);
        for (int i = 0; i < 50; i++) {
                char name[16], pin[16];

                snprintf(name, sizeof(name), "Code %d", i);
                snprintf(pin, sizeof(pin), "%06d", 200000 + i * 13 + 1);
                add_code(f, name, pin);
        }
        /* Checkpoint everything into the main file, then damage page 3. */
        raw_sql(f, "PRAGMA wal_checkpoint(TRUNCATE)");
        store_fixture_close(f);
        memset(junk, 0xa5, sizeof(junk));
        fd = open(db, O_WRONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(pwrite(fd, junk, sizeof(junk), (off_t)2 * 4096), (ssize_t)sizeof(junk));
        close(fd);

        assert_int_equal(try_open(f, &err), -EBADMSG);
        assert_true(strlen(err.message) > 0);
        assert_null(f->store);
        free(db);
}

static void foreign_sqlite_database(void **state) {
        struct store_fixture *f = *state;
        char *db = fixture_path(f, "doorlockd.db");
        struct dl_error err = {};
        sqlite3 *s;

        store_fixture_open(f); /* make the keys */
        store_fixture_close(f);
        unlink(db);
        assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
        assert_int_equal(sqlite3_exec(s, "CREATE TABLE photos (x)", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(s);
        assert_int_equal(try_open(f, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "not doorlockd"));
        /* Left exactly as it was: not even switched to WAL. */
        assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(s, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), "delete");
        sqlite3_finalize(st);
        sqlite3_close(s);
        free(db);
}

static void newer_schema_refused(void **state) {
        struct store_fixture *f = *state;
        struct dl_error err = {};
        int64_t before;

        store_fixture_open(f);
        add_code(f, "Alice", "493817");
        store_fixture_close(f);
        raw_sql(f, "PRAGMA user_version = 99");
        before = raw_int(f, "SELECT count(*) FROM codes");

        assert_int_equal(try_open(f, &err), -EPROTONOSUPPORT);
        assert_non_null(strstr(err.message, "newer"));
        assert_non_null(strstr(err.message, "99"));
        assert_null(f->store);
        /* Untouched. */
        assert_int_equal(raw_int(f, "PRAGMA user_version"), 99);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM codes"), before);
}

static void wrong_or_damaged_keys(void **state) {
        struct store_fixture *f = *state;
        char *pin_key = fixture_path(f, "pin.key");
        char *audit_key = fixture_path(f, "audit.key");
        struct dl_error err = {};
        uint8_t other[32];

        store_fixture_open(f);
        add_code(f, "Alice", "493817");
        store_fixture_close(f);

        /* A different key: every PIN would silently fail.  Refuse instead. */
        memset(other, 0x42, sizeof(other));
        write_file(pin_key, other, sizeof(other), 0600);
        assert_int_equal(try_open(f, &err), -EKEYREJECTED);
        assert_non_null(strstr(err.message, "pin.key"));

        /* Damaged (short) key. */
        write_file(pin_key, other, 10, 0600);
        assert_int_equal(try_open(f, &err), -EBADMSG);

        /* Readable by others. */
        write_file(pin_key, other, sizeof(other), 0644);
        assert_int_equal(try_open(f, &err), -EPERM);

        /* Missing key beside an existing database is not a first start. */
        unlink(audit_key);
        unlink(pin_key);
        assert_int_equal(try_open(f, &err), -ENOENT);
        assert_int_equal(access(pin_key, F_OK), -1); /* not silently re-created */
        assert_null(f->store);
        free(pin_key);
        free(audit_key);
}

/* Run fn in a child that cannot write the directory, even when the tests
 * run as root (CI does): drop to nobody first. */
static int run_unprivileged(struct store_fixture *f, const char *dir) {
        pid_t pid;
        int status;

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct dl_store *s = NULL;
                struct dl_error err = {};
                int r;

                if (geteuid() == 0) {
                        if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
                                _exit(100);
                }
                r = dl_store_open(dir, &f->config, &f->clock.clock, &s, &err);
                if (r >= 0)
                        _exit(101);
                /* A message that says what is wrong and where. */
                if (!strstr(err.message, dir))
                        _exit(102);
                _exit(-r & 0x7f);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return -WEXITSTATUS(status);
}

static void read_only_state_directory(void **state) {
        struct store_fixture *f = *state;
        char *ro;
        int r;

        assert_true(asprintf(&ro, "%s/ro", f->dir) > 0);
        assert_int_equal(mkdir(ro, 0755), 0);
        if (geteuid() == 0)
                assert_int_equal(chown(f->dir, 0, 0), 0);
        assert_int_equal(chmod(f->dir, 0755), 0);

        /* Empty and read-only: the keys cannot be created. */
        assert_int_equal(chmod(ro, 0555), 0);
        r = run_unprivileged(f, ro);
        assert_true(r == -EACCES || r == -EROFS);

        /* A complete store, then read-only: opening fails cleanly. */
        assert_int_equal(chmod(ro, 0700), 0);
        assert_int_equal(dl_store_open(ro, &f->config, &f->clock.clock, &f->store, NULL), 0);
        add_code(f, "Alice", "493817");
        store_fixture_close(f);
        assert_int_equal(chmod(ro, 0555), 0);
        r = run_unprivileged(f, ro);
        assert_true(r < 0);
        assert_true(r != -100 && r != -101 && r != -102);

        assert_int_equal(chmod(ro, 0700), 0);
        free(ro);
}

static void mutate_config(struct dl_store_config *c, int i) {
        switch (i) {
        case 0:
                c->pin.min_length = 3;
                break;
        case 1:
                c->pin.max_length = 13;
                break;
        case 2:
                c->pin.min_length = 8;
                c->pin.max_length = 7;
                break;
        case 3:
                c->max_codes = 0;
                break;
        case 4:
                c->max_codes = 201;
                break;
        case 5:
                c->max_entry_length = 33;
                break;
        case 6:
                c->lockout.attempts = 0;
                break;
        case 7:
                c->log_max_entries = 10;
                break;
        case 8:
                c->time_zone = "Mars/Olympus";
                break;
        case 9:
                c->time_zone = "../../etc/passwd";
                break;
        case 10:
                c->remove_dead_after_usec = -1;
                break;
        case 11:
                c->generated_pin_length = 11;
                break;
        default:
                fail();
        }
}

static void bad_config_refused(void **state) {
        struct store_fixture *f = *state;
        struct dl_store_config good = f->config;
        char *db = fixture_path(f, "doorlockd.db");

        for (int i = 0; i < 12; i++) {
                struct dl_error err = {};

                f->config = good;
                mutate_config(&f->config, i);
                assert_true(try_open(f, &err) < 0);
                assert_true(strlen(err.message) > 0);
                assert_null(f->store);
        }
        /* Nothing was created by a refused config. */
        assert_int_equal(access(db, F_OK), -1);
        free(db);
        f->config = good;
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, store_fixture_setup, store_fixture_teardown)
                T(first_start_creates_everything),
                T(restart_keeps_codes),
                T(schema_2_gets_the_network_counter),
                T(garbage_database),
                T(corrupt_page_in_database),
                T(foreign_sqlite_database),
                T(newer_schema_refused),
                T(wrong_or_damaged_keys),
                T(read_only_state_directory),
                T(bad_config_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
