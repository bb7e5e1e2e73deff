/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int64_t fake_now(void *userdata) {
        return ((struct fake_clock *)userdata)->now;
}

static int64_t fake_monotonic(void *userdata) {
        return ((struct fake_clock *)userdata)->monotonic;
}

static bool fake_synchronized(void *userdata) {
        return ((struct fake_clock *)userdata)->synchronized;
}

void fake_clock_init(struct fake_clock *fc, int64_t now) {
        *fc = (struct fake_clock){
                .now = now,
                .monotonic = 1000000,
                .synchronized = false,
                .clock = {
                        .now = fake_now,
                        .monotonic = fake_monotonic,
                        .synchronized = fake_synchronized,
                        .userdata = fc,
                },
        };
}

void fake_clock_advance(struct fake_clock *fc, int64_t usec) {
        fc->now += usec;
        fc->monotonic += usec;
}

void fake_clock_set(struct fake_clock *fc, int64_t now) {
        fc->now = now;
}

int64_t utc_usec(int year, int month, int day, int hour, int minute, int second) {
        struct tm tm = {
                .tm_year = year - 1900,
                .tm_mon = month - 1,
                .tm_mday = day,
                .tm_hour = hour,
                .tm_min = minute,
                .tm_sec = second,
        };
        return (int64_t)timegm(&tm) * 1000000;
}

char *scratch_dir_new(void) {
        const char *base = getenv("TMPDIR");
        char *path;

        if (!base || !*base)
                base = "/tmp";
        if (asprintf(&path, "%s/doorlockd-test.XXXXXX", base) < 0)
                abort();
        if (!mkdtemp(path))
                abort();
        return path;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st;
        (void)flag;
        (void)ftw;
        /* Make read-only test directories removable again. */
        chmod(path, 0700);
        return remove(path);
}

void scratch_dir_free(char *path) {
        if (!path)
                return;
        chmod(path, 0700);
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(path);
}

/* ---- a code store in a scratch directory ---- */

#include <sqlite3.h>

#include "audit-log.h"

int store_fixture_setup(void **state) {
        struct store_fixture *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        f->dir = scratch_dir_new();
        fake_clock_init(&f->clock, utc_usec(2026, 6, 1, 12, 0, 0));
        dl_store_config_init(&f->config);
        f->config.time_zone = "Europe/Berlin";
        *state = f;
        return 0;
}

int store_fixture_setup_open(void **state) {
        store_fixture_setup(state);
        store_fixture_open(*state);
        return 0;
}

int store_fixture_teardown(void **state) {
        struct store_fixture *f = *state;

        store_fixture_close(f);
        scratch_dir_free(f->dir);
        free(f);
        return 0;
}

void store_fixture_open(struct store_fixture *f) {
        struct dl_error err = {};
        int r;

        r = dl_store_open(f->dir, &f->config, &f->clock.clock, &f->store, &err);
        if (r < 0)
                fail_msg("dl_store_open: %s", dl_error_message(&err, r));
}

void store_fixture_close(struct store_fixture *f) {
        f->store = dl_store_close(f->store);
}

void store_fixture_reopen(struct store_fixture *f) {
        store_fixture_close(f);
        store_fixture_open(f);
}

int add_spec(struct store_fixture *f, const struct dl_code_spec *spec, const char *pin, int64_t *ret_id) {
        char out[DL_PIN_BUFFER_SIZE];
        struct dl_actor actor = { DL_SOURCE_DBUS, "uid 1000" };

        return dl_store_add_code(f->store, spec, pin, 0, &actor, ret_id, out, NULL);
}

int64_t add_code(struct store_fixture *f, const char *name, const char *pin) {
        struct dl_code_spec spec;
        struct dl_error err = {};
        char out[DL_PIN_BUFFER_SIZE];
        int64_t id = 0;
        int r;

        dl_code_spec_init(&spec, name);
        r = dl_store_add_code(f->store, &spec, pin, 0, NULL, &id, out, &err);
        if (r < 0)
                fail_msg("add_code(%s): %s", name, dl_error_message(&err, r));
        return id;
}

int64_t audit_head(struct store_fixture *f) {
        int64_t first, last;

        assert_int_equal(dl_store_audit_range(f->store, &first, &last, NULL), 0);
        return last;
}

char *fixture_path(struct store_fixture *f, const char *file) {
        char *p;

        if (asprintf(&p, "%s/%s", f->dir, file) < 0)
                abort();
        return p;
}

static sqlite3 *raw_open(struct store_fixture *f) {
        char *path = fixture_path(f, "doorlockd.db");
        sqlite3 *db = NULL;

        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
                fail_msg("raw open %s: %s", path, sqlite3_errmsg(db));
        sqlite3_busy_timeout(db, 5000);
        free(path);
        return db;
}

/* The store holds its database exclusively, as the daemon does; another
 * connection gets in only while it is closed. */
void raw_sql(struct store_fixture *f, const char *sql) {
        bool was_open = f->store;
        sqlite3 *db;
        char *msg = NULL;

        store_fixture_close(f);
        db = raw_open(f);
        if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
                fail_msg("raw_sql(%s): %s", sql, msg);
        sqlite3_close(db);
        if (was_open)
                store_fixture_open(f);
}

int64_t raw_int(struct store_fixture *f, const char *sql) {
        bool was_open = f->store;
        sqlite3 *db;
        sqlite3_stmt *st;
        int64_t v = 0;

        store_fixture_close(f);
        db = raw_open(f);
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
                fail_msg("raw_int(%s): %s", sql, sqlite3_errmsg(db));
        if (sqlite3_step(st) == SQLITE_ROW)
                v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
        if (was_open)
                store_fixture_open(f);
        return v;
}
