/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Emergency codes in a real store with a fake clock: generation and its
 * quota, single use (also across a restart), the accepted windows and
 * their tolerance, issuers, privacy mode, the lockout and clock trust. */
#include "test-util.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "emergency-code.h"
#include "emergency-store.h"
#include "keyfile.h"
#include "store-private.h"
#include "verify.h"

/* The fixture starts at 2026-06-01 12:00 UTC: a window start (windows are
 * 4 hours from the epoch, UTC). */
static int64_t window_now(struct store_fixture *f) {
        return dl_ec_window(f->clock.now);
}

static void secret_of(struct store_fixture *f, uint32_t issuer, uint8_t secret[DL_EC_SECRET_SIZE]) {
        char *dir, name[32];

        assert_true(asprintf(&dir, "%s/emergency", f->dir) > 0);
        snprintf(name, sizeof(name), "%u.key", issuer);
        assert_int_equal(dl_keyfile_load(dir, name, false, secret, NULL, NULL), 0);
        free(dir);
}

static struct dl_decision enter(struct store_fixture *f, const char *digits) {
        struct dl_decision d;
        struct dl_error err = {};
        int r;

        r = dl_store_verify(f->store, digits, DL_SOURCE_KEYPAD, &d, &err);
        if (r < 0)
                fail_msg("verify: %s", dl_error_message(&err, r));
        return d;
}

static void code_for(struct store_fixture *f, uint32_t issuer, int64_t window, unsigned slot, char out[9]) {
        uint8_t secret[DL_EC_SECRET_SIZE];

        secret_of(f, issuer, secret);
        assert_int_equal(dl_ec_code(secret, issuer, window, slot, out), 0);
}

static void gateway_generates_and_code_opens_once(void **state) {
        struct store_fixture *f = *state;
        char code[9], expect[9];
        int64_t until;
        unsigned left;
        struct dl_decision d;
        struct stat st;
        char *key;

        assert_true(asprintf(&key, "%s/emergency/0.key", f->dir) > 0);
        assert_int_equal(stat(key, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        free(key);

        assert_int_equal(dl_store_ec_codes_left(f->store, &left, NULL), 0);
        assert_int_equal(left, 16);
        assert_int_equal(dl_store_ec_generate(f->store, NULL, code, &until, &left, NULL), 0);
        assert_int_equal(strlen(code), 8);
        assert_int_equal(left, 15);
        assert_int_equal(until, dl_ec_window_start(window_now(f) + 2));
        code_for(f, 0, window_now(f), 0, expect);
        assert_string_equal(code, expect);

        d = enter(f, code);
        assert_true(d.granted);
        assert_true(d.emergency);
        assert_int_equal(d.ec_issuer, 0);
        assert_int_equal(d.ec_window, window_now(f));
        assert_int_equal(d.ec_slot, 0);
        assert_true(f->store->db.sync_full); /* committed FULL before "granted" */

        d = enter(f, code);
        assert_false(d.granted);
        assert_true(d.emergency);
        assert_int_equal(d.reason, DL_REASON_USED_UP);

        /* And after a restart. */
        store_fixture_reopen(f);
        assert_int_equal(enter(f, code).reason, DL_REASON_USED_UP);
        /* The code never appears in the log. */
        {
                char sql[128];

                snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE instr(details, '%s') > 0",
                         code);
                assert_int_equal(raw_int(f, sql), 0);
        }
}

static void quota_of_16_per_window(void **state) {
        struct store_fixture *f = *state;
        struct dl_error err = {};
        char code[9], first_next[9];
        int64_t head;
        unsigned left;

        for (int i = 0; i < 16; i++)
                assert_int_equal(dl_store_ec_generate(f->store, NULL, code, NULL, &left, NULL), 0);
        assert_int_equal(left, 0);
        head = audit_head(f);
        assert_int_equal(dl_store_ec_generate(f->store, NULL, code, NULL, NULL, &err), -EDQUOT);
        assert_string_equal(err.kind, "EmergencyQuota");
        /* The refusal is logged, and nothing else changed. */
        assert_int_equal(audit_head(f), head + 1);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM audit WHERE event = 'emergency-refused'"), 1);
        assert_int_equal(raw_int(f, "SELECT max(count) FROM emergency_generated"), 16);

        /* The next window: slot 0 again, and it works. */
        fake_clock_advance(&f->clock, DL_EC_WINDOW_USEC);
        assert_int_equal(dl_store_ec_codes_left(f->store, &left, NULL), 0);
        assert_int_equal(left, 16);
        assert_int_equal(dl_store_ec_generate(f->store, NULL, code, NULL, &left, NULL), 0);
        code_for(f, 0, window_now(f), 0, first_next);
        assert_string_equal(code, first_next);
        assert_true(enter(f, code).granted);
}

static void accepted_windows_and_tolerance(void **state) {
        struct store_fixture *f = *state;
        int64_t w = window_now(f), start = dl_ec_window_start(w);
        char prev[9], prev2[9], next[9];

        /* Middle of the window: current and previous only. */
        fake_clock_set(&f->clock, start + DL_EC_WINDOW_USEC / 2);
        code_for(f, 0, w - 1, 3, prev);
        code_for(f, 0, w - 2, 3, prev2);
        code_for(f, 0, w + 1, 3, next);
        assert_false(enter(f, prev2).granted);
        assert_false(enter(f, next).granted);
        assert_true(enter(f, prev).granted);

        /* 4 minutes into the next window, w-1's codes (now w'-2) still
         * work: the tolerance for a lock clock running fast. */
        fake_clock_set(&f->clock, dl_ec_window_start(w + 1) + 4 * USEC_PER_MINUTE);
        code_for(f, 0, w - 1, 4, prev2);
        assert_true(enter(f, prev2).granted);
        /* 6 minutes in: no longer. */
        fake_clock_set(&f->clock, dl_ec_window_start(w + 1) + 6 * USEC_PER_MINUTE);
        code_for(f, 0, w - 1, 5, prev2);
        assert_false(enter(f, prev2).granted);

        /* 4 minutes before the end: the next window's codes already work
         * (a phone clock running fast); 6 minutes before, not. */
        fake_clock_set(&f->clock, dl_ec_window_start(w + 2) - 6 * USEC_PER_MINUTE);
        code_for(f, 0, w + 2, 6, next);
        assert_false(enter(f, next).granted);
        fake_clock_set(&f->clock, dl_ec_window_start(w + 2) - 4 * USEC_PER_MINUTE);
        assert_true(enter(f, next).granted);
}

static void clock_set_back_fails_closed(void **state) {
        struct store_fixture *f = *state;
        struct dl_error err = {};
        struct dl_decision d;
        char code[9];

        /* Two hours into the window, then set back one: same window. */
        fake_clock_advance(&f->clock, 2 * USEC_PER_HOUR);
        add_code(f, "Mark", "581320"); /* a write: the mark is now here */
        code_for(f, 0, window_now(f), 7, code);
        fake_clock_advance(&f->clock, -USEC_PER_HOUR);
        d = enter(f, code);
        assert_false(d.granted);
        assert_true(d.emergency);
        assert_int_equal(d.reason, DL_REASON_CLOCK_UNTRUSTED);
        assert_int_equal(dl_store_ec_generate(f->store, NULL, code, NULL, NULL, &err), -ESTALE);
        assert_string_equal(err.kind, "ClockUntrusted");
        /* Back past the mark: trusted again, and the code still unused. */
        fake_clock_advance(&f->clock, USEC_PER_HOUR);
        code_for(f, 0, window_now(f), 7, code);
        assert_true(enter(f, code).granted);
}

static void issuers_added_and_revoked(void **state) {
        struct store_fixture *f = *state;
        char uri[DL_EC_URI_MAX], name[64], code[9], code2[9], *key;
        uint8_t secret[DL_EC_SECRET_SIZE], secret2[DL_EC_SECRET_SIZE];
        struct dl_error err = {};
        uint32_t id, id2, parsed;

        assert_int_equal(dl_store_ec_add_issuer(f->store, "Alice's phone", NULL, &id, uri, &err), 0);
        assert_int_equal(id, 1);
        assert_int_equal(dl_ec_uri_parse(uri, &parsed, secret, name, sizeof(name)), 0);
        assert_int_equal(parsed, 1);
        assert_string_equal(name, "Alice's phone");

        assert_int_equal(dl_ec_code(secret, 1, window_now(f), 0, code), 0);
        assert_true(enter(f, code).granted);
        assert_false(enter(f, code).granted);
        assert_int_equal(dl_ec_code(secret, 1, window_now(f), 1, code), 0);

        /* Names are validated and unique. */
        assert_int_equal(dl_store_ec_add_issuer(f->store, "Alice's phone", NULL, &id2, uri, &err), -EEXIST);
        assert_int_equal(dl_store_ec_add_issuer(f->store, "1234", NULL, &id2, uri, &err), -EINVAL);
        assert_string_equal(err.kind, "InvalidName");

        /* Removing revokes every code it could compute, and its secret. */
        assert_int_equal(dl_store_ec_remove_issuer(f->store, 1, NULL, NULL), 0);
        assert_false(enter(f, code).granted);
        assert_true(asprintf(&key, "%s/emergency/1.key", f->dir) > 0);
        assert_int_equal(access(key, F_OK), -1);
        free(key);
        assert_int_equal(dl_store_ec_remove_issuer(f->store, 1, NULL, &err), -ENOENT);
        assert_int_equal(dl_store_ec_remove_issuer(f->store, 0, NULL, &err), -EPERM);

        /* A new issuer never gets the old id or secret, even after a
         * restart. */
        store_fixture_reopen(f);
        assert_int_equal(dl_store_ec_add_issuer(f->store, "Bob's phone", NULL, &id2, uri, NULL), 0);
        assert_int_equal(id2, 2);
        assert_int_equal(dl_ec_uri_parse(uri, &parsed, secret2, NULL, 0), 0);
        assert_memory_not_equal(secret, secret2, sizeof(secret));
        assert_int_equal(dl_ec_code(secret2, 2, window_now(f), 0, code2), 0);
        assert_true(enter(f, code2).granted);
}

static int count_issuers(const struct dl_ec_issuer_info *i, void *userdata) {
        (void)i;
        (*(int *)userdata)++;
        return 0;
}

static void issuer_secrets_stay_out_of_the_database(void **state) {
        struct store_fixture *f = *state;
        char uri[DL_EC_URI_MAX], b32[DL_EC_SECRET_BASE32_SIZE];
        uint8_t secret[DL_EC_SECRET_SIZE];
        uint32_t id, parsed;
        int n = 0;

        assert_int_equal(dl_store_ec_add_issuer(f->store, "Phone", NULL, &id, uri, NULL), 0);
        assert_int_equal(dl_ec_uri_parse(uri, &parsed, secret, NULL, 0), 0);
        assert_int_equal(dl_ec_secret_to_base32(secret, b32), 0);
        assert_int_equal(dl_store_ec_list_issuers(f->store, count_issuers, &n, NULL), 0);
        assert_int_equal(n, 2);
        store_fixture_close(f);
        {
                char *path = fixture_path(f, "doorlockd.db");
                FILE *fp = fopen(path, "rb");
                char buf[1 << 16];
                size_t len;

                assert_non_null(fp);
                while ((len = fread(buf, 1, sizeof(buf), fp)) > 0) {
                        assert_null(memmem(buf, len, secret, sizeof(secret)));
                        assert_null(memmem(buf, len, b32, strlen(b32)));
                }
                fclose(fp);
                free(path);
        }
        store_fixture_open(f);
}

static void wrong_codes_count_toward_lockout(void **state) {
        struct store_fixture *f = *state;
        struct dl_decision d;
        char code[9];

        for (int i = 0; i < 4; i++)
                assert_false(enter(f, "00000000").lockout_started);
        d = enter(f, "00000001");
        assert_true(d.lockout_started);
        /* While locked out even a valid emergency code waits. */
        code_for(f, 0, window_now(f), 0, code);
        assert_int_equal(enter(f, code).reason, DL_REASON_LOCKED_OUT);
}

static void works_in_privacy_mode(void **state) {
        struct store_fixture *f = *state;
        struct dl_decision d;
        char code[9];

        add_code(f, "Alice", "493817");
        code_for(f, 0, window_now(f), 2, code);
        assert_int_equal(dl_store_verify_private(f->store, "493817", DL_SOURCE_KEYPAD, true, &d, NULL), 0);
        assert_int_equal(d.reason, DL_REASON_PRIVACY_MODE);
        assert_int_equal(dl_store_verify_private(f->store, code, DL_SOURCE_KEYPAD, true, &d, NULL), 0);
        assert_true(d.granted);
        assert_true(d.emergency);
}

static void pin_checked_first(void **state) {
        struct store_fixture *f = *state;
        struct dl_decision d;
        char code[9];

        f->config.pin.max_length = 10;
        code_for(f, 0, window_now(f), 9, code);
        if (dl_pin_is_weak(code, 8))
                skip();
        add_code(f, "Same digits", code);
        d = enter(f, code);
        assert_true(d.granted);
        assert_false(d.emergency);
        assert_string_equal(d.code_name, "Same digits");
        /* The emergency slot was not spent. */
        assert_int_equal(raw_int(f, "SELECT count(*) FROM emergency_used"), 0);
}

static void orphan_and_missing_keys(void **state) {
        struct store_fixture *f = *state;
        char *orphan = NULL, *gw = NULL;
        struct dl_error err = {};
        int fd;

        store_fixture_close(f);
        /* A key file no issuer owns (a crash mid-add) is removed at start. */
        assert_true(asprintf(&orphan, "%s/emergency/77.key", f->dir) > 0);
        fd = open(orphan, O_WRONLY | O_CREAT | O_EXCL, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "0123456789abcdef0123456789abcdef", 32), 32);
        close(fd);
        store_fixture_open(f);
        assert_int_equal(access(orphan, F_OK), -1);
        store_fixture_close(f);

        /* An issuer whose secret is gone is damage: a clear error. */
        assert_true(asprintf(&gw, "%s/emergency/0.key", f->dir) > 0);
        assert_int_equal(unlink(gw), 0);
        assert_int_equal(dl_store_open(f->dir, &f->config, &f->clock.clock, &f->store, &err), -ENOENT);
        assert_non_null(strstr(err.message, "0.key"));
        assert_null(f->store);
        free(orphan);
        free(gw);
        /* Leave a store the teardown can close. */
        {
                char *db = fixture_path(f, "doorlockd.db");

                unlink(db);
                free(db);
        }
}

static void uses_remembered_for_a_month(void **state) {
        struct store_fixture *f = *state;
        char code[9];

        code_for(f, 0, window_now(f), 0, code);
        assert_true(enter(f, code).granted);
        fake_clock_advance(&f->clock, 30 * USEC_PER_DAY);
        assert_int_equal(dl_store_maintain(f->store, NULL), 0);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM emergency_used"), 1);
        fake_clock_advance(&f->clock, 2 * USEC_PER_DAY);
        assert_int_equal(dl_store_maintain(f->store, NULL), 0);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM emergency_used"), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, store_fixture_setup_open, store_fixture_teardown)
                T(gateway_generates_and_code_opens_once),
                T(quota_of_16_per_window),
                T(accepted_windows_and_tolerance),
                T(clock_set_back_fails_closed),
                T(issuers_added_and_revoked),
                T(issuer_secrets_stay_out_of_the_database),
                T(wrong_codes_count_toward_lockout),
                T(works_in_privacy_mode),
                T(pin_checked_first),
                T(orphan_and_missing_keys),
                T(uses_remembered_for_a_month),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
