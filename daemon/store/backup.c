/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "backup.h"

#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>

#include "audit-log.h"
#include "code-store.h"
#include "keyfile.h"
#include "store-private.h"

int dl_backup_write(int fd, const uint8_t *buf, size_t size) {
        while (size > 0) {
                ssize_t n = write(fd, buf, size);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                buf += n;
                size -= (size_t)n;
        }
        return fsync(fd) < 0 ? -errno : 0;
}

/* A new file, 0600, written and fsync'd. */
static int write_new_file(const char *path, const uint8_t *data, size_t size, struct dl_error *err) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        int r;

        if (fd < 0)
                return dl_error_set(err, -errno, "Cannot create %s: %m", path);
        r = dl_backup_write(fd, data, size);
        if (r < 0)
                return dl_error_set(err, r, "Cannot write %s: %s", path, strerror(-r));
        return 0;
}

/* ---- backup ---- */

static void sqlite_closep(sqlite3 **db) {
        sqlite3_close_v2(*db);
}

/* The database as one byte image, read through the store's own connection
 * (which holds it exclusively), so it is a consistent committed state. */
static int snapshot_db(struct dl_store *s, uint8_t **ret, size_t *ret_size, struct dl_error *err) {
        _cleanup_(sqlite_closep) sqlite3 *mem = NULL;
        sqlite3_backup *b;
        sqlite3_int64 size = 0;
        unsigned char *img;
        int rc;

        if (sqlite3_open(":memory:", &mem) != SQLITE_OK)
                return dl_error_set(err, -ENOMEM, "Cannot open an in-memory database");
        b = sqlite3_backup_init(mem, "main", s->db.sql, "main");
        if (!b)
                return dl_error_set(err, -EIO, "Cannot copy the database: %s", sqlite3_errmsg(mem));
        rc = sqlite3_backup_step(b, -1);
        sqlite3_backup_finish(b);
        if (rc != SQLITE_DONE)
                return dl_error_set(err, -EIO, "Cannot copy the database: %s", sqlite3_errstr(rc));
        img = sqlite3_serialize(mem, "main", &size, 0);
        if (!img || size <= 0)
                return dl_error_set(err, -ENOMEM, "Cannot serialize the database");
        *ret = malloc((size_t)size);
        if (*ret)
                memcpy(*ret, img, (size_t)size);
        sqlite3_free(img);
        if (!*ret)
                return -ENOMEM;
        *ret_size = (size_t)size;
        return 0;
}

static int add_key_file(struct dl_store *s, struct dl_backup *b, const char *name, struct dl_error *err) {
        uint8_t key[DL_KEY_SIZE];
        int r;

        r = dl_keyfile_load(s->dir, name, false, key, NULL, err);
        if (r >= 0)
                r = dl_backup_add(b, name, key, sizeof(key), err);
        secure_zero(key, sizeof(key));
        return r;
}

int dl_store_backup(struct dl_store *s, const char *passphrase, const struct dl_backup_kdf *kdf,
                    const struct dl_actor *actor, uint8_t **ret, size_t *ret_size, struct dl_error *err) {
        _cleanup_(dl_backup_done) struct dl_backup b = {};
        _cleanup_free_ uint8_t *db = NULL;
        struct dl_backup_kdf def;
        char who[96], details[160];
        size_t db_size = 0;
        unsigned codes = 0;
        int r;

        if (!kdf) {
                dl_backup_kdf_default(&def);
                kdf = &def;
        }
        r = dl_backup_passphrase_check(passphrase, err);
        if (r < 0)
                return r;
        r = dl_store_count_codes(s, &codes, err);
        if (r < 0)
                return r;
        /* Logged first, so the backup holds the entry that says it was made. */
        snprintf(details, sizeof(details), "backup of %u codes and %zu emergency issuers made %s", codes,
                 s->n_issuers, dl_actor_describe(actor, who, sizeof(who)));
        r = dl_store_log_event(s, "backup", actor, 0, NULL, details, err);
        if (r < 0)
                return r;

        b.created = dl_clock_now(s->clock);
        b.schema = (uint32_t)dl_db_schema_version();
        r = snapshot_db(s, &db, &db_size, err);
        if (r >= 0)
                r = dl_backup_add(&b, DL_STORE_DB_FILE, db, db_size, err);
        if (r >= 0)
                r = add_key_file(s, &b, DL_STORE_PIN_KEY_FILE, err);
        if (r >= 0)
                r = add_key_file(s, &b, DL_STORE_AUDIT_KEY_FILE, err);
        for (size_t i = 0; r >= 0 && i < s->n_issuers; i++) {
                char name[DL_BACKUP_NAME_MAX + 1];

                snprintf(name, sizeof(name), DL_EC_KEY_DIR "/%" PRIu32 ".key", s->issuers[i].info.id);
                r = dl_backup_add(&b, name, s->issuers[i].secret, DL_EC_SECRET_SIZE, err);
        }
        if (r < 0)
                return r;
        return dl_backup_seal(&b, passphrase, kdf, ret, ret_size, err);
}

/* ---- restore ---- */

/* Write the backup's files into a fresh stage directory. */
static int stage_files(const char *stage, const struct dl_backup *b, struct dl_error *err) {
        _cleanup_free_ char *ec = NULL;
        int r;

        r = dl_remove_tree(stage);
        if (r < 0)
                return dl_error_set(err, r, "Cannot remove %s: %s", stage, strerror(-r));
        if (mkdir(stage, 0700) < 0)
                return dl_error_set(err, -errno, "Cannot create %s: %m", stage);
        if (dl_path_join(&ec, stage, DL_EC_KEY_DIR) < 0)
                return -ENOMEM;
        if (mkdir(ec, 0700) < 0)
                return dl_error_set(err, -errno, "Cannot create %s: %m", ec);
        for (size_t i = 0; i < b->n_entries; i++) {
                _cleanup_free_ char *path = NULL;

                if (dl_path_join(&path, stage, b->entries[i].name) < 0)
                        return -ENOMEM;
                r = write_new_file(path, b->entries[i].data, b->entries[i].size, err);
                if (r < 0)
                        return r;
        }
        r = dl_fsync_path(ec);
        if (r >= 0)
                r = dl_fsync_path(stage);
        if (r < 0)
                return dl_error_set(err, r, "Cannot sync %s: %s", stage, strerror(-r));
        return 0;
}

static int count_issuer(const struct dl_ec_issuer_info *i, void *userdata) {
        if (i->id != 0)
                (*(unsigned *)userdata)++;
        return 0;
}

/* Codes, and emergency issuers besides the gateway's own. */
static int count_contents(struct dl_store *s, unsigned *codes, unsigned *issuers, struct dl_error *err) {
        int r;

        *codes = *issuers = 0;
        r = dl_store_count_codes(s, codes, err);
        if (r < 0)
                return r;
        return dl_store_ec_list_issuers(s, count_issuer, issuers, err);
}

/* Open the staged state as a store: everything a start would check, plus
 * the audit chain.  Closing it checkpoints the WAL into the file. */
static int check_stage(struct dl_store *live, const char *stage, struct dl_restore_info *info,
                       struct dl_error *err) {
        _cleanup_(dl_store_closep) struct dl_store *st = NULL;
        _cleanup_free_ char *wal = NULL;
        struct dl_audit_report rep;
        struct dl_error e = {};
        int r;

        r = dl_store_open(stage, &live->config, live->clock, &st, &e);
        if (r == -EPROTONOSUPPORT) {
                dl_error_set(err, r, "This backup was made by a newer doorlockd: %s",
                             dl_error_message(&e, r));
                return dl_error_kind(err, "BackupTooNew", r);
        }
        if (r < 0) {
                dl_error_set(err, -EBADMSG, "The backup's contents are damaged: %s",
                             dl_error_message(&e, r));
                return dl_error_kind(err, "BackupDamaged", -EBADMSG);
        }
        r = dl_store_audit_verify(st, &rep, err);
        if (r < 0)
                return r;
        if (!rep.ok) {
                dl_error_set(err, -EBADMSG, "The backup's audit log does not verify: %s", rep.problem);
                return dl_error_kind(err, "BackupDamaged", -EBADMSG);
        }
        r = count_contents(st, &info->codes, &info->issuers, err);
        if (r < 0)
                return r;
        st = dl_store_close(st);
        if (dl_path_join(&wal, stage, DL_STORE_DB_FILE "-wal") < 0)
                return -ENOMEM;
        if (dl_path_exists(wal))
                return dl_error_set(err, -EIO, "The staged database did not close cleanly");
        return 0;
}

static int check_empty(struct dl_store *s, struct dl_error *err) {
        unsigned codes, issuers;
        int r;

        r = count_contents(s, &codes, &issuers, err);
        if (r < 0)
                return r;
        if (codes || issuers) {
                dl_error_set(err, -ENOTEMPTY,
                             "This lock already has %u codes and %u emergency issuers; a restore would "
                             "replace them (use force to do so)",
                             codes, issuers);
                return dl_error_kind(err, "NotEmpty", -ENOTEMPTY);
        }
        return 0;
}

static void log_refusal(struct dl_store *s, const struct dl_actor *actor, const struct dl_error *err,
                        int r) {
        char who[96], details[DL_ERROR_MAX + 128];

        snprintf(details, sizeof(details), "restore refused %s: %s",
                 dl_actor_describe(actor, who, sizeof(who)), dl_error_message(err, r));
        (void)dl_store_log_event(s, "restore-refused", actor, 0, NULL, details, NULL);
}

/* Everything up to and including the check of the staged copy. */
static int prepare(struct dl_store *s, const char *stage, const uint8_t *buf, size_t size,
                   const char *passphrase, bool force, struct dl_restore_info *info, struct dl_error *err) {
        _cleanup_(dl_backup_done) struct dl_backup b = {};
        struct dl_backup_header h;
        int r;

        r = dl_backup_header_parse(buf, size, &h, err);
        if (r < 0)
                return r;
        if (h.schema > (uint32_t)dl_db_schema_version()) {
                dl_error_set(err, -EPROTONOSUPPORT,
                             "This backup was made by a newer doorlockd (database schema %" PRIu32
                             "; this one has %d)",
                             h.schema, dl_db_schema_version());
                return dl_error_kind(err, "BackupTooNew", -EPROTONOSUPPORT);
        }
        if (!force) {
                r = check_empty(s, err);
                if (r < 0)
                        return r;
        }
        r = dl_backup_open(buf, size, passphrase, &b, err);
        if (r < 0)
                return r;
        info->created = b.created;
        r = stage_files(stage, &b, err);
        if (r < 0)
                return r;
        return check_stage(s, stage, info, err);
}

int dl_store_restore(struct dl_store *s, const uint8_t *buf, size_t size, const char *passphrase, bool force,
                     const struct dl_actor *actor, struct dl_restore_info *ret, struct dl_error *err) {
        _cleanup_free_ char *stage = NULL, *ready = NULL, *wal = NULL, *dir = NULL;
        struct dl_restore_info info = {};
        char who[96], details[192];
        int r;

        dir = strdup(s->dir);
        if (!dir || dl_path_join(&stage, dir, DL_RESTORE_STAGE_DIR) < 0 ||
            dl_path_join(&ready, dir, DL_RESTORE_READY_DIR) < 0 ||
            dl_path_join(&wal, dir, DL_STORE_DB_FILE "-wal") < 0)
                return -ENOMEM;

        r = prepare(s, stage, buf, size, passphrase, force, &info, err);
        if (r < 0) {
                (void)dl_remove_tree(stage);
                log_refusal(s, actor, err, r);
                return r;
        }

        /* Close the live database cleanly: its WAL is folded in and
         * removed, so nothing of the old state can meet the new files. */
        dl_store_release(s);
        if (dl_path_exists(wal)) {
                (void)dl_remove_tree(stage);
                r = dl_store_reopen(s, err);
                if (r < 0)
                        return -ENOTRECOVERABLE;
                r = dl_error_set(err, -EIO, "The live database did not close cleanly; nothing was restored");
                log_refusal(s, actor, err, r);
                return r;
        }

        /* The commit point. */
        if (rename(stage, ready) < 0 || dl_fsync_path(dir) < 0) {
                r = dl_error_set(err, -errno, "Cannot commit the restore: %m");
                (void)dl_remove_tree(stage);
                if (dl_store_reopen(s, NULL) < 0)
                        return -ENOTRECOVERABLE;
                log_refusal(s, actor, err, r);
                return r;
        }
        /* Only restore.ready is left: this moves it into place. */
        r = dl_restore_recover(dir, err);
        if (r >= 0)
                r = dl_store_reopen(s, err);
        if (r < 0) {
                dl_error_set(err, -ENOTRECOVERABLE,
                             "The restore was committed but could not be finished (%s); "
                             "doorlockd must restart to complete it",
                             dl_error_message(err, r));
                return -ENOTRECOVERABLE;
        }

        snprintf(details, sizeof(details),
                 "state restored %s from a backup of %u codes and %u emergency issuers",
                 dl_actor_describe(actor, who, sizeof(who)), info.codes, info.issuers);
        (void)dl_store_log_event(s, "restore", actor, 0, NULL, details, NULL);
        if (ret)
                *ret = info;
        return 0;
}
