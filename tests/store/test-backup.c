/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Backup and restore between two real stores: the round trip (codes,
 * one-time codes, emergency issuers and their secrets, settings, the audit
 * log), every refusal leaving both sides untouched (wrong passphrase,
 * truncated file, flipped bytes, a newer format or schema, a lock that is
 * not empty), the file format's parsers, and finishing or dropping a
 * restore that a crash interrupted. */
#include "test-util.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "audit-log.h"
#include "backup.h"
#include "db.h"
#include "emergency-code.h"
#include "emergency-store.h"
#include "keyfile.h"
#include "verify.h"

#define PASS "correct horse battery"

static const struct dl_actor admin = { DL_SOURCE_DBUS, "uid 0" };

struct pair {
        struct store_fixture *a, *b;
};

static int setup(void **state) {
        struct pair *p = calloc(1, sizeof(*p));
        void *s;

        assert_non_null(p);
        store_fixture_setup_open(&s);
        p->a = s;
        store_fixture_setup_open(&s);
        p->b = s;
        *state = p;
        return 0;
}

static int teardown(void **state) {
        struct pair *p = *state;
        void *s = p->a;

        store_fixture_teardown(&s);
        s = p->b;
        store_fixture_teardown(&s);
        free(p);
        return 0;
}

/* The cheapest scrypt the format allows: the tests are about the format. */
static const struct dl_backup_kdf fast = { .log2_n = DL_BACKUP_LOG2_N_MIN, .r = 8, .p = 1 };

static void make_backup(struct store_fixture *f, uint8_t **buf, size_t *size) {
        struct dl_error err = {};
        int r = dl_store_backup(f->store, PASS, &fast, &admin, buf, size, &err);

        if (r < 0)
                fail_msg("backup: %s", dl_error_message(&err, r));
}

static bool granted(struct store_fixture *f, const char *entry) {
        struct dl_decision d;

        assert_int_equal(dl_store_verify(f->store, entry, DL_SOURCE_KEYPAD, &d, NULL), 0);
        return d.granted;
}

static unsigned count(struct store_fixture *f) {
        unsigned n = 0;

        assert_int_equal(dl_store_count_codes(f->store, &n, NULL), 0);
        return n;
}

static void file_digest(struct store_fixture *f, const char *name, uint8_t out[32]) {
        char *path = fixture_path(f, name);
        uint8_t buf[1 << 16];
        unsigned len;
        ssize_t n;
        int fd;
        EVP_MD_CTX *c = EVP_MD_CTX_new();

        fd = open(path, O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(EVP_DigestInit_ex(c, EVP_sha256(), NULL), 1);
        while ((n = read(fd, buf, sizeof(buf))) > 0)
                assert_int_equal(EVP_DigestUpdate(c, buf, (size_t)n), 1);
        assert_int_equal(EVP_DigestFinal_ex(c, out, &len), 1);
        EVP_MD_CTX_free(c);
        close(fd);
        free(path);
}

/* Everything of b that a refused restore must leave as it was. */
struct snapshot {
        uint8_t pin_key[32], audit_key[32], ec0[32];
        unsigned codes;
        int64_t mode;
};

static void snap(struct store_fixture *f, struct snapshot *s) {
        *s = (struct snapshot){ .mode = -1 };
        file_digest(f, DL_STORE_PIN_KEY_FILE, s->pin_key);
        file_digest(f, DL_STORE_AUDIT_KEY_FILE, s->audit_key);
        file_digest(f, "emergency/0.key", s->ec0);
        s->codes = count(f);
        (void)dl_store_get_setting(f->store, "mode", &s->mode, NULL);
}

static void assert_unchanged(struct store_fixture *f, const struct snapshot *before) {
        struct snapshot now;
        char *stage = fixture_path(f, DL_RESTORE_STAGE_DIR), *ready = fixture_path(f, DL_RESTORE_READY_DIR);

        snap(f, &now);
        assert_memory_equal(&now, before, sizeof(now));
        assert_int_equal(access(stage, F_OK), -1);
        assert_int_equal(access(ready, F_OK), -1);
        free(stage);
        free(ready);
}

static int restore(struct store_fixture *f, const uint8_t *buf, size_t size, const char *pass, bool force,
                   struct dl_error *err) {
        struct dl_restore_info info;

        return dl_store_restore(f->store, buf, size, pass, force, &admin, &info, err);
}

static int last_event_cb(const struct dl_audit_entry *e, void *userdata) {
        snprintf(userdata, DL_AUDIT_EVENT_MAX, "%s", e->event);
        return 0;
}

static void last_event(struct store_fixture *f, char out[DL_AUDIT_EVENT_MAX]) {
        out[0] = '\0';
        assert_int_equal(dl_store_audit_list(f->store, audit_head(f) - 1, 0, last_event_cb, out, NULL), 0);
}

static void round_trip_brings_everything_back(void **state) {
        struct pair *p = *state;
        struct dl_code_spec spec;
        struct dl_restore_info info = {};
        struct dl_audit_report rep;
        struct dl_error err = {};
        char uri[DL_EC_URI_MAX], code[9], ev[DL_AUDIT_EVENT_MAX];
        uint8_t *buf, secret[DL_EC_SECRET_SIZE];
        size_t size;
        uint32_t issuer;
        int64_t mode = 0, a_head;
        char *dir;

        add_code(p->a, "Alice", "482913");
        dl_code_spec_init(&spec, "Plumber");
        spec.kind = DL_CODE_ONE_TIME;
        assert_int_equal(add_spec(p->a, &spec, "735102", NULL), 0);
        assert_int_equal(dl_store_ec_add_issuer(p->a->store, "Phone", &admin, &issuer, uri, NULL), 0);
        assert_int_equal(dl_store_set_setting(p->a->store, "mode", 2, NULL), 0);
        make_backup(p->a, &buf, &size);
        a_head = audit_head(p->a);

        assert_int_equal(dl_store_restore(p->b->store, buf, size, PASS, false, &admin, &info, &err), 0);
        assert_int_equal(info.codes, 2);
        assert_int_equal(info.issuers, 1);
        assert_int_equal(info.created, p->a->clock.now);

        /* Codes, PINs (by their MACs under the restored key), settings. */
        assert_int_equal(count(p->b), 2);
        assert_true(granted(p->b, "482913"));
        assert_true(granted(p->b, "735102"));
        assert_false(granted(p->b, "735102"));
        assert_int_equal(dl_store_get_setting(p->b->store, "mode", &mode, NULL), 0);
        assert_int_equal(mode, 2);

        /* The issuer's secret: a code computed from A's copy opens B. */
        assert_true(asprintf(&dir, "%s/emergency", p->a->dir) > 0);
        assert_int_equal(dl_keyfile_load(dir, "1.key", false, secret, NULL, NULL), 0);
        free(dir);
        assert_int_equal(dl_ec_code(secret, issuer, dl_ec_window(p->b->clock.now), 3, code), 0);
        assert_true(granted(p->b, code));

        /* The log: A's entries, the backup's own, then the restore, on a
         * chain that verifies under the restored key. */
        assert_int_equal(dl_store_audit_verify(p->b->store, &rep, NULL), 0);
        assert_true(rep.ok);
        assert_true(audit_head(p->b) > a_head);

        /* And it all survives a restart. */
        store_fixture_reopen(p->b);
        assert_int_equal(count(p->b), 2);
        last_event(p->b, ev);
        assert_true(granted(p->b, "482913"));
        free(buf);
}

static void restore_is_logged(void **state) {
        struct pair *p = *state;
        char ev[DL_AUDIT_EVENT_MAX];
        uint8_t *buf;
        size_t size;

        make_backup(p->a, &buf, &size);
        last_event(p->a, ev);
        assert_string_equal(ev, "backup");
        assert_int_equal(restore(p->b, buf, size, PASS, false, NULL), 0);
        last_event(p->b, ev);
        assert_string_equal(ev, "restore");
        free(buf);
}

static void backup_holds_no_pin(void **state) {
        struct pair *p = *state;
        struct dl_backup b = {};
        uint8_t *buf;
        size_t size;

        add_code(p->a, "Alice", "482913");
        make_backup(p->a, &buf, &size);
        assert_int_equal(dl_backup_open(buf, size, PASS, &b, NULL), 0);
        assert_non_null(dl_backup_find(&b, "doorlockd.db"));
        assert_non_null(dl_backup_find(&b, "pin.key"));
        assert_non_null(dl_backup_find(&b, "audit.key"));
        assert_non_null(dl_backup_find(&b, "emergency/0.key"));
        for (size_t i = 0; i < b.n_entries; i++)
                assert_null(memmem(b.entries[i].data, b.entries[i].size, "482913", 6));
        /* Nor is anything readable in the sealed file. */
        assert_null(memmem(buf, size, "Alice", 5));
        assert_null(memmem(buf, size, "SQLite format", 13));
        dl_backup_done(&b);
        free(buf);
}

static void default_kdf_round_trip(void **state) {
        struct pair *p = *state;
        struct dl_backup_header h;
        uint8_t *buf;
        size_t size;

        add_code(p->a, "Alice", "482913");
        assert_int_equal(dl_store_backup(p->a->store, PASS, NULL, &admin, &buf, &size, NULL), 0);
        assert_int_equal(dl_backup_header_parse(buf, size, &h, NULL), 0);
        assert_int_equal(h.kdf.log2_n, 15);
        assert_int_equal(h.kdf.r, 8);
        assert_int_equal(h.kdf.p, 1);
        assert_int_equal(restore(p->b, buf, size, PASS, false, NULL), 0);
        assert_true(granted(p->b, "482913"));
        free(buf);
}

static void wrong_passphrase_changes_nothing(void **state) {
        struct pair *p = *state;
        struct snapshot before;
        struct dl_error err = {};
        uint8_t *buf;
        size_t size;

        add_code(p->a, "Alice", "482913");
        make_backup(p->a, &buf, &size);
        snap(p->b, &before);
        assert_int_equal(restore(p->b, buf, size, "wrong horse battery", false, &err), -EKEYREJECTED);
        assert_string_equal(err.kind, "WrongPassphrase");
        assert_non_null(strstr(err.message, "Wrong passphrase"));
        assert_unchanged(p->b, &before);
        assert_false(granted(p->b, "482913"));
        free(buf);
}

static void truncated_file_changes_nothing(void **state) {
        struct pair *p = *state;
        struct snapshot before;
        uint8_t *buf;
        size_t size;
        const size_t cuts[] = { 0, 4, 8, 20, 63, 64, 100 };

        make_backup(p->a, &buf, &size);
        snap(p->b, &before);
        for (size_t i = 0; i < ELEMENTSOF(cuts) + 1; i++) {
                struct dl_error err = {};
                size_t n = i < ELEMENTSOF(cuts) ? cuts[i] : size - 1;

                assert_int_equal(restore(p->b, buf, n, PASS, false, &err), -EBADMSG);
                assert_string_equal(err.kind, "BackupDamaged");
                assert_unchanged(p->b, &before);
        }
        free(buf);
}

static void flipped_bytes_are_damage(void **state) {
        struct pair *p = *state;
        struct snapshot before;
        uint8_t *buf;
        size_t size;

        make_backup(p->a, &buf, &size);
        snap(p->b, &before);
        /* Every region: header fields, ciphertext, tag, checksum. */
        const size_t at[] = { 9, 11, 16, 32, 44, 52, 60, 64, size / 2, size - 40, size - 1 };
        for (size_t i = 0; i < ELEMENTSOF(at); i++) {
                struct dl_error err = {};

                buf[at[i]] ^= 0x10;
                assert_int_equal(restore(p->b, buf, size, PASS, false, &err), -EBADMSG);
                assert_string_equal(err.kind, "BackupDamaged");
                assert_non_null(strstr(err.message, "damaged"));
                buf[at[i]] ^= 0x10;
                assert_unchanged(p->b, &before);
        }
        assert_int_equal(restore(p->b, buf, size, PASS, false, NULL), 0);
        free(buf);
}

static void reseal_checksum(uint8_t *buf, size_t size) {
        unsigned len;

        assert_int_equal(EVP_Digest(buf, size - DL_BACKUP_SUM_SIZE, buf + size - DL_BACKUP_SUM_SIZE, &len,
                                    EVP_sha256(), NULL),
                         1);
}

static void forged_file_fails_authentication(void **state) {
        struct pair *p = *state;
        struct snapshot before;
        struct dl_error err = {};
        uint8_t *buf;
        size_t size;

        make_backup(p->a, &buf, &size);
        snap(p->b, &before);
        /* Someone who changes the ciphertext and fixes the checksum: GCM. */
        buf[DL_BACKUP_HEADER_SIZE + 5] ^= 1;
        reseal_checksum(buf, size);
        assert_int_equal(restore(p->b, buf, size, PASS, false, &err), -EKEYREJECTED);
        assert_unchanged(p->b, &before);
        buf[DL_BACKUP_HEADER_SIZE + 5] ^= 1;
        /* ... or the creation time in the header (the AAD). */
        buf[50] ^= 1;
        reseal_checksum(buf, size);
        assert_int_equal(restore(p->b, buf, size, PASS, false, &err), -EKEYREJECTED);
        assert_unchanged(p->b, &before);
        free(buf);
}

static void newer_backup_is_refused(void **state) {
        struct pair *p = *state;
        struct snapshot before;
        struct dl_error err = {};
        uint8_t *buf;
        size_t size;

        make_backup(p->a, &buf, &size);
        snap(p->b, &before);
        buf[9] = DL_BACKUP_FORMAT + 1; /* format, be16 */
        reseal_checksum(buf, size);
        assert_int_equal(restore(p->b, buf, size, PASS, false, &err), -EPROTONOSUPPORT);
        assert_string_equal(err.kind, "BackupTooNew");
        assert_non_null(strstr(err.message, "newer doorlockd"));
        assert_unchanged(p->b, &before);

        buf[9] = DL_BACKUP_FORMAT;
        buf[55] = (uint8_t)(dl_db_schema_version() + 1); /* schema, be32 */
        reseal_checksum(buf, size);
        err = (struct dl_error){};
        assert_int_equal(restore(p->b, buf, size, PASS, false, &err), -EPROTONOSUPPORT);
        assert_string_equal(err.kind, "BackupTooNew");
        assert_non_null(strstr(err.message, "database schema"));
        assert_unchanged(p->b, &before);
        free(buf);
}

static void not_empty_needs_force(void **state) {
        struct pair *p = *state;
        struct snapshot before;
        struct dl_error err = {};
        uint8_t *buf;
        size_t size;

        add_code(p->a, "Alice", "482913");
        make_backup(p->a, &buf, &size);
        add_code(p->b, "Bob", "620481");
        snap(p->b, &before);
        assert_int_equal(restore(p->b, buf, size, PASS, false, &err), -ENOTEMPTY);
        assert_string_equal(err.kind, "NotEmpty");
        assert_unchanged(p->b, &before);
        assert_true(granted(p->b, "620481"));

        assert_int_equal(restore(p->b, buf, size, PASS, true, NULL), 0);
        assert_true(granted(p->b, "482913"));
        assert_false(granted(p->b, "620481"));
        assert_int_equal(count(p->b), 1);
        free(buf);
}

static void weak_passphrase_is_refused(void **state) {
        struct pair *p = *state;
        struct dl_error err = {};
        uint8_t *buf = NULL;
        size_t size;
        int64_t head = audit_head(p->a);

        assert_int_equal(dl_store_backup(p->a->store, "short", &fast, &admin, &buf, &size, &err), -EINVAL);
        assert_string_equal(err.kind, "WeakPassphrase");
        assert_null(buf);
        assert_int_equal(audit_head(p->a), head);
}

/* ---- the format's parsers ---- */

static void names(void **state _unused_) {
        static const char *const good[] = { "doorlockd.db", "pin.key", "audit.key", "emergency/0.key",
                                            "emergency/4294967295.key" };
        static const char *const bad[] = { "",
                                           "foo",
                                           "../pin.key",
                                           "/pin.key",
                                           "emergency/.key",
                                           "emergency/01.key",
                                           "emergency/4294967296.key",
                                           "emergency/1x.key",
                                           "emergency/../../x.key",
                                           "emergency/1.key/",
                                           "doorlockd.db-wal",
                                           "emergency/-1.key" };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                assert_true(dl_backup_name_valid(good[i], strlen(good[i])));
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_false(dl_backup_name_valid(bad[i], strlen(bad[i])));
        assert_false(dl_backup_name_valid("pin.key\0x", 9));
}

static size_t put_entry(uint8_t *p, const char *name, const char *data, size_t dlen) {
        size_t n = strnlen(name, 256);

        p[0] = (uint8_t)(n >> 8);
        p[1] = (uint8_t)n;
        memcpy(p + 2, name, n);
        p[2 + n] = (uint8_t)(dlen >> 24);
        p[3 + n] = (uint8_t)(dlen >> 16);
        p[4 + n] = (uint8_t)(dlen >> 8);
        p[5 + n] = (uint8_t)dlen;
        memcpy(p + 6 + n, data, dlen);
        return 6 + n + dlen;
}

static void payload_parser(void **state _unused_) {
        uint8_t buf[512];
        struct dl_backup b = {};
        struct dl_error err = {};
        size_t n = 0, base;

        n += put_entry(buf + n, "doorlockd.db", "db", 2);
        n += put_entry(buf + n, "pin.key", "k1", 2);
        n += put_entry(buf + n, "audit.key", "k2", 2);
        base = n;
        assert_int_equal(dl_backup_payload_parse(buf, n, &b, NULL), 0);
        assert_int_equal(b.n_entries, 3);
        assert_memory_equal(dl_backup_find(&b, "pin.key")->data, "k1", 2);
        dl_backup_done(&b);

        /* cut anywhere: damaged */
        for (size_t cut = 1; cut < base; cut++) {
                int r = dl_backup_payload_parse(buf, cut, &b, &err);

                assert_int_equal(r, -EBADMSG);
        }
        /* a duplicate, a bad name, a length past the end */
        n = base + put_entry(buf + base, "pin.key", "k3", 2);
        assert_int_equal(dl_backup_payload_parse(buf, n, &b, &err), -EBADMSG);
        n = base + put_entry(buf + base, "../etc/passwd", "x", 1);
        assert_int_equal(dl_backup_payload_parse(buf, n, &b, &err), -EBADMSG);
        n = base + put_entry(buf + base, "emergency/1.key", "x", 1);
        buf[n - 2] = 0x7f; /* length high byte of the last entry */
        assert_int_equal(dl_backup_payload_parse(buf, n, &b, &err), -EBADMSG);
        /* nothing but an emergency key: the required files are missing */
        n = put_entry(buf, "emergency/1.key", "x", 1);
        assert_int_equal(dl_backup_payload_parse(buf, n, &b, &err), -EBADMSG);
        assert_string_equal(err.kind, "BackupDamaged");
        assert_int_equal(b.n_entries, 0);
}

static void header_bounds(void **state) {
        struct pair *p = *state;
        struct dl_backup_header h;
        uint8_t *buf;
        size_t size;

        make_backup(p->a, &buf, &size);
        assert_int_equal(dl_backup_header_parse(buf, size, &h, NULL), 0);
        /* A file may not make the KDF eat the machine's memory. */
        buf[11] = 25;
        reseal_checksum(buf, size);
        assert_int_equal(dl_backup_header_parse(buf, size, &h, NULL), -EBADMSG);
        buf[11] = 17;
        buf[12] = 32; /* 128 * 32 * 2^17 = 512 MiB */
        reseal_checksum(buf, size);
        assert_int_equal(dl_backup_header_parse(buf, size, &h, NULL), -EBADMSG);
        buf[11] = DL_BACKUP_LOG2_N_MIN;
        buf[12] = 8;
        buf[56] = 0x80; /* payload length */
        reseal_checksum(buf, size);
        assert_int_equal(dl_backup_header_parse(buf, size, &h, NULL), -EBADMSG);
        free(buf);
}

/* ---- a restore cut short ---- */

static void uncommitted_stage_is_dropped(void **state) {
        struct pair *p = *state;
        char *stage = fixture_path(p->b, DL_RESTORE_STAGE_DIR), *junk;

        add_code(p->b, "Bob", "620481");
        store_fixture_close(p->b);
        assert_int_equal(mkdir(stage, 0700), 0);
        assert_true(asprintf(&junk, "%s/pin.key", stage) > 0);
        assert_int_equal(close(open(junk, O_CREAT | O_WRONLY, 0600)), 0);
        store_fixture_open(p->b);
        assert_int_equal(access(stage, F_OK), -1);
        assert_true(granted(p->b, "620481"));
        free(junk);
        free(stage);
}

/* Stage a backup by hand as far as the commit point, then let a "restart"
 * (dl_store_open) finish it, also when part of the move was done. */
static void committed_restore_is_finished_at_open(void **state) {
        struct pair *p = *state;
        struct dl_backup b = {};
        uint8_t *buf;
        size_t size;
        char *ready;

        add_code(p->a, "Alice", "482913");
        make_backup(p->a, &buf, &size);
        assert_int_equal(dl_backup_open(buf, size, PASS, &b, NULL), 0);
        add_code(p->b, "Bob", "620481");
        store_fixture_close(p->b);

        ready = fixture_path(p->b, DL_RESTORE_READY_DIR);
        assert_int_equal(mkdir(ready, 0700), 0);
        {
                char *ec;

                assert_true(asprintf(&ec, "%s/emergency", ready) > 0);
                assert_int_equal(mkdir(ec, 0700), 0);
                free(ec);
        }
        for (size_t i = 0; i < b.n_entries; i++) {
                char *path;
                int fd;

                /* the PIN key already moved before the "power cut" */
                if (strcmp(b.entries[i].name, "pin.key") == 0)
                        assert_true(asprintf(&path, "%s/pin.key", p->b->dir) > 0);
                else
                        assert_true(asprintf(&path, "%s/%s", ready, b.entries[i].name) > 0);
                (void)unlink(path);
                fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
                assert_true(fd >= 0);
                assert_int_equal(write(fd, b.entries[i].data, b.entries[i].size),
                                 (ssize_t)b.entries[i].size);
                close(fd);
                free(path);
        }
        store_fixture_open(p->b);
        assert_int_equal(access(ready, F_OK), -1);
        assert_true(granted(p->b, "482913"));
        assert_false(granted(p->b, "620481"));
        dl_backup_done(&b);
        free(ready);
        free(buf);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(round_trip_brings_everything_back, setup, teardown),
                cmocka_unit_test_setup_teardown(restore_is_logged, setup, teardown),
                cmocka_unit_test_setup_teardown(backup_holds_no_pin, setup, teardown),
                cmocka_unit_test_setup_teardown(default_kdf_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(wrong_passphrase_changes_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(truncated_file_changes_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(flipped_bytes_are_damage, setup, teardown),
                cmocka_unit_test_setup_teardown(forged_file_fails_authentication, setup, teardown),
                cmocka_unit_test_setup_teardown(newer_backup_is_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(not_empty_needs_force, setup, teardown),
                cmocka_unit_test_setup_teardown(weak_passphrase_is_refused, setup, teardown),
                cmocka_unit_test(names),
                cmocka_unit_test(payload_parser),
                cmocka_unit_test_setup_teardown(header_bounds, setup, teardown),
                cmocka_unit_test_setup_teardown(uncommitted_stage_is_dropped, setup, teardown),
                cmocka_unit_test_setup_teardown(committed_restore_is_finished_at_open, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
