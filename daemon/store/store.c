/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "store.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "code-store.h"
#include "entry-candidates.h"
#include "keyfile.h"
#include "macro.h"
#include "restore-files.h"
#include "store-private.h"
#include "tz.h"

void dl_store_config_init(struct dl_store_config *c) {
        *c = (struct dl_store_config){
                .pin = { DL_PIN_MIN_LENGTH_DEFAULT, DL_PIN_MAX_LENGTH_DEFAULT },
                .generated_pin_length = DL_PIN_GENERATED_LENGTH_DEFAULT,
                .max_codes = DL_MAX_CODES_CEILING,
                .remove_dead_after_usec = DL_REMOVE_DEAD_AFTER_DEFAULT,
                .anti_peep = false,
                .max_entry_length = DL_ENTRY_MAX_DEFAULT,
                .lockout = { DL_LOCKOUT_ATTEMPTS_DEFAULT, DL_LOCKOUT_FIRST_USEC_DEFAULT,
                             DL_LOCKOUT_MAX_USEC_DEFAULT },
                .log_max_entries = DL_LOG_MAX_ENTRIES_DEFAULT,
                .time_zone = NULL,
                .busy_timeout_ms = DL_BUSY_TIMEOUT_MS_DEFAULT,
        };
}

int dl_store_config_check(const struct dl_store_config *c, struct dl_error *err) {
        int r;

        r = dl_pin_policy_check(&c->pin, err);
        if (r < 0)
                return r;
        if (c->generated_pin_length < c->pin.min_length || c->generated_pin_length > c->pin.max_length)
                return dl_error_set(err, -ERANGE,
                                    "Generated PIN length %u is outside the PIN length bounds %u-%u",
                                    c->generated_pin_length, c->pin.min_length, c->pin.max_length);
        if (c->max_codes < 1 || c->max_codes > DL_MAX_CODES_CEILING)
                return dl_error_set(err, -ERANGE, "MaxCodes=%u is outside 1-%d", c->max_codes,
                                    DL_MAX_CODES_CEILING);
        if (c->remove_dead_after_usec < 0 || c->remove_dead_after_usec > DL_REMOVE_DEAD_AFTER_MAX)
                return dl_error_set(err, -ERANGE, "RemoveDeadAfter is outside 0-366 days");
        if (c->max_entry_length < c->pin.max_length || c->max_entry_length > DL_ENTRY_MAX_CEILING)
                return dl_error_set(err, -ERANGE, "MaxEntryLength=%u is outside %u-%d", c->max_entry_length,
                                    c->pin.max_length, DL_ENTRY_MAX_CEILING);
        r = dl_lockout_policy_check(&c->lockout, err);
        if (r < 0)
                return r;
        if (c->log_max_entries < DL_LOG_MAX_ENTRIES_MIN || c->log_max_entries > DL_LOG_MAX_ENTRIES_CEILING)
                return dl_error_set(err, -ERANGE, "Log MaxEntries=%u is outside %u-%u", c->log_max_entries,
                                    DL_LOG_MAX_ENTRIES_MIN, DL_LOG_MAX_ENTRIES_CEILING);
        r = dl_tz_check(c->time_zone, err);
        if (r < 0)
                return r;
        return 0;
}

/* ---- first start ---- */

static int init_state_row(struct dl_store *s, struct dl_error *err) {
        static const char sql_count[] = "SELECT count(*) FROM state";
        static const char sql_insert[] =
                "INSERT INTO state (id, clock_mark, clock_untrusted, failures, last_failure, lockout_until, "
                "audit_head_seq, audit_head_mac, audit_head_tag, audit_anchor_seq, audit_anchor_prev, "
                "audit_anchor_tag) VALUES (1, ?1, 0, 0, 0, 0, 0, ?2, ?3, 1, ?2, ?4)";
        uint8_t zero[DL_MAC_SIZE] = {}, head_tag[DL_MAC_SIZE], anchor_tag[DL_MAC_SIZE];
        sqlite3_stmt *st;
        int r, n;

        r = dl_db_prepare(&s->db, sql_count, &st, err);
        if (r < 0)
                return r;
        r = dl_db_step(&s->db, st, err);
        n = r > 0 ? sqlite3_column_int(st, 0) : 0;
        sqlite3_reset(st);
        if (r < 0)
                return r;
        if (n > 0)
                return 0;

        /* Empty log: head is (0, zeros), anchor is (1, zeros). */
        r = dl_audit_head_tag(s->audit_key, 0, zero, head_tag);
        if (r >= 0)
                r = dl_audit_anchor_tag(s->audit_key, 1, zero, anchor_tag);
        if (r < 0)
                return dl_error_set(err, r, "Cannot compute audit tags");

        r = dl_db_prepare(&s->db, sql_insert, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, dl_clock_now(s->clock));
        sqlite3_bind_blob(st, 2, zero, DL_MAC_SIZE, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, head_tag, DL_MAC_SIZE, SQLITE_STATIC);
        sqlite3_bind_blob(st, 4, anchor_tag, DL_MAC_SIZE, SQLITE_STATIC);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

/* The database remembers a fingerprint of each key, so a database paired
 * with the wrong key files (a restore gone wrong, a lost key) is refused
 * with a clear message instead of silently rejecting every PIN. */
static int check_key(struct dl_store *s, const char *meta_key, const struct dl_hmac_key *k, const char *file,
                     struct dl_error *err) {
        static const char sql_get[] = "SELECT value FROM meta WHERE key = ?1";
        static const char sql_put[] = "INSERT INTO meta (key, value) VALUES (?1, ?2)";
        static const char domain[] = "doorlockd key fingerprint v1";
        struct dl_hmac_part part = { domain, sizeof(domain) - 1 };
        uint8_t fp[DL_MAC_SIZE];
        sqlite3_stmt *st;
        int r;

        r = dl_hmac(k, &part, 1, fp);
        if (r < 0)
                return dl_error_set(err, r, "Cannot compute key fingerprint");

        r = dl_db_prepare(&s->db, sql_get, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, meta_key, -1, SQLITE_STATIC);
        r = dl_db_step(&s->db, st, err);
        if (r > 0) {
                bool same = sqlite3_column_bytes(st, 0) == DL_MAC_SIZE &&
                            dl_mac_equal(sqlite3_column_blob(st, 0), fp);
                sqlite3_reset(st);
                if (!same)
                        return dl_error_set(err, -EKEYREJECTED,
                                            "Key file %s/%s does not belong to database %s (restored one "
                                            "without the other?); refusing to start",
                                            s->dir, file, s->db.path);
                return 0;
        }
        sqlite3_reset(st);
        if (r < 0)
                return r;

        r = dl_db_prepare(&s->db, sql_put, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, meta_key, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, fp, DL_MAC_SIZE, SQLITE_STATIC);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

static int load_key(struct dl_store *s, const char *file, bool create, struct dl_hmac_key **ret,
                    struct dl_error *err) {
        uint8_t key[DL_KEY_SIZE];
        int r;

        r = dl_keyfile_load(s->dir, file, create, key, NULL, err);
        if (r < 0)
                return r;
        r = dl_hmac_key_new(key, ret);
        secure_zero(key, sizeof(key));
        if (r < 0)
                return dl_error_set(err, r, "Cannot load key %s/%s into OpenSSL", s->dir, file);
        return 0;
}

static int ensure_dir(const char *dir, struct dl_error *err) {
        struct stat st;

        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return dl_error_set(err, -errno, "Cannot create state directory %s: %m", dir);
        if (stat(dir, &st) < 0)
                return dl_error_set(err, -errno, "Cannot access state directory %s: %m", dir);
        if (!S_ISDIR(st.st_mode))
                return dl_error_set(err, -ENOTDIR, "State directory %s is not a directory", dir);
        return 0;
}

int dl_store_open(const char *state_dir, const struct dl_store_config *config, const struct dl_clock *clock,
                  struct dl_store **ret, struct dl_error *err) {
        _cleanup_(dl_store_closep) struct dl_store *s = NULL;
        _cleanup_free_ char *db_path = NULL;
        bool db_exists;
        int r;

        r = dl_store_config_check(config, err);
        if (r < 0)
                return r;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->config = *config;
        s->clock = clock;
        s->dir = strdup(state_dir);
        if (!s->dir)
                return -ENOMEM;
        if (config->time_zone) {
                s->time_zone = strdup(config->time_zone);
                if (!s->time_zone)
                        return -ENOMEM;
        }
        s->config.time_zone = s->time_zone;

        r = ensure_dir(state_dir, err);
        if (r < 0)
                return r;
        /* A restore a power cut interrupted: finish it (or drop it, if it
         * was not committed) before anything is read. */
        r = dl_restore_recover(state_dir, err);
        if (r < 0)
                return r;
        if (asprintf(&db_path, "%s/%s", state_dir, DL_STORE_DB_FILE) < 0)
                return -ENOMEM;

        /* Keys may only be created together with a new database: a missing
         * key beside an existing database is damage, not a first start. */
        db_exists = access(db_path, F_OK) == 0;
        r = load_key(s, DL_STORE_PIN_KEY_FILE, !db_exists, &s->pin_key, err);
        if (r < 0)
                return r;
        r = load_key(s, DL_STORE_AUDIT_KEY_FILE, !db_exists, &s->audit_key, err);
        if (r < 0)
                return r;

        /* Create the file 0600 before SQLite does (it would use 0644), so the
         * WAL, which SQLite gives the database's mode, is private from the
         * first start. */
        if (!db_exists) {
                _cleanup_close_ int fd =
                        open(db_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

                if (fd < 0)
                        return dl_error_set(err, -errno, "Cannot create %s: %m", db_path);
        }
        r = dl_db_open(db_path, config->busy_timeout_ms, &s->db, err);
        if (r < 0)
                return r;
        /* SQLite creates files 0644 and gives the WAL the database's mode:
         * names and the log are nobody else's business. */
        {
                struct stat st;

                if (stat(db_path, &st) < 0)
                        return dl_error_set(err, -errno, "Cannot stat %s: %m", db_path);
                if ((st.st_mode & 0077) && chmod(db_path, 0600) < 0)
                        return dl_error_set(err, -errno, "Cannot set the mode of %s to 0600: %m", db_path);
        }

        r = dl_db_begin(&s->db, true, err);
        if (r < 0)
                return r;
        r = check_key(s, "pin_key_fingerprint", s->pin_key, DL_STORE_PIN_KEY_FILE, err);
        if (r >= 0)
                r = check_key(s, "audit_key_fingerprint", s->audit_key, DL_STORE_AUDIT_KEY_FILE, err);
        if (r >= 0)
                r = init_state_row(s, err);
        if (r >= 0)
                r = dl_db_commit(&s->db, err);
        if (r < 0) {
                dl_db_rollback(&s->db);
                return r;
        }

        r = dl_ec_load(s, err);
        if (r < 0)
                return r;

        r = dl_store_maintain(s, err);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(s);
        return 0;
}

void dl_store_release(struct dl_store *s) {
        dl_ec_free(s);
        dl_db_close(&s->db);
        s->pin_key = dl_hmac_key_free(s->pin_key);
        s->audit_key = dl_hmac_key_free(s->audit_key);
        s->state_cached = false;
}

int dl_store_reopen(struct dl_store *s, struct dl_error *err) {
        _cleanup_(dl_store_closep) struct dl_store *fresh = NULL;
        struct dl_store old;
        int r;

        dl_store_release(s);
        r = dl_store_open(s->dir, &s->config, s->clock, &fresh, err);
        if (r < 0)
                return r;
        if (!fresh) /* cannot happen; tells the analyzer so */
                return -EIO;
        /* Trade contents: s keeps its address, fresh takes the husk. */
        old = *s;
        *s = *fresh;
        *fresh = old;
        return 0;
}

struct dl_store *dl_store_close(struct dl_store *s) {
        if (!s)
                return NULL;
        dl_store_release(s);
        free(s->time_zone);
        free(s->dir);
        free(s);
        return NULL;
}

void dl_store_closep(struct dl_store **s) {
        *s = dl_store_close(*s);
}

int dl_store_maintain(struct dl_store *s, struct dl_error *err) {
        _cleanup_txn_ struct dl_txn t = {};
        int r;

        r = dl_txn_begin(s, true, &t, err);
        if (r < 0)
                return r;
        r = dl_codes_remove_dead(&t, err);
        if (r < 0)
                return r;
        r = dl_ec_prune(&t, err);
        if (r < 0)
                return r;
        r = dl_txn_commit(&t, err);
        if (r < 0)
                return r;
        return dl_audit_prune(s, err);
}
