/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Emergency codes in a real store with a fake clock: generation and its
 * quota, the lock's quota of 16 per issuer in any 4 hours (also across a
 * restart and a clock set back), single use (also across a restart), a
 * used code sharing its digits with an unused one, the accepted windows and
 * their tolerance, issuers, privacy mode, the lockout and clock trust. */
#include "test-util.h"

#include <fcntl.h>
#include <openssl/sha.h>
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

/* The gateway's quota counts over any 4 hours, like the lock's: 16 codes
 * at 15:55 leave none at 16:01, in the next window (they are still
 * accepted until 20:05), and EmergencyCodesLeft says so.  A use counts 4
 * hours from the moment it was accepted; an unused code until the lock
 * stops accepting its window. */
static void generation_quota_slides_across_windows(void **state) {
        struct store_fixture *f = *state;
        int64_t w = window_now(f), next = dl_ec_window_start(w + 1), changes;
        struct dl_error err = {};
        char codes[16][9], code[9], first_next[9];
        int64_t head;
        unsigned left;

        fake_clock_set(&f->clock, next - 5 * USEC_PER_MINUTE); /* 15:55 */
        for (int i = 0; i < 16; i++) {
                assert_int_equal(dl_store_ec_generate(f->store, NULL, codes[i], NULL, &left, NULL), 0);
                assert_int_equal(left, 15 - i);
        }
        head = audit_head(f);
        assert_int_equal(dl_store_ec_generate(f->store, NULL, code, NULL, NULL, &err), -EDQUOT);
        assert_string_equal(err.kind, "EmergencyQuota");
        /* Until the first of the 16 expires unused: 20:05 UTC. */
        assert_non_null(strstr(err.message, "generated at 2026-06-01 20:05:00 UTC"));
        /* The refusal is logged with its stable reason, and nothing else
         * changed. */
        assert_int_equal(audit_head(f), head + 1);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM audit WHERE event = 'emergency-refused' AND "
                                    "details LIKE 'emergency-quota: issuer 0 window %'"),
                         1);
        assert_int_equal(raw_int(f, "SELECT max(count) FROM emergency_generated"), 16);

        /* 16:01, the next window: still none left, and none generated. */
        fake_clock_set(&f->clock, next + USEC_PER_MINUTE);
        assert_int_equal(dl_store_ec_codes_left(f->store, &left, NULL), 0);
        assert_int_equal(left, 0);
        assert_int_equal(dl_store_ec_generate(f->store, NULL, code, NULL, NULL, &err), -EDQUOT);
        /* Using one moves it from "unused" to "accepted": still none. */
        assert_true(enter(f, codes[0]).granted);
        assert_int_equal(dl_store_ec_codes_left(f->store, &left, NULL), 0);
        assert_int_equal(left, 0);
        /* After a restart too. */
        store_fixture_reopen(f);
        assert_int_equal(dl_store_ec_codes_left(f->store, &left, NULL), 0);
        assert_int_equal(left, 0);
        /* The store says when it goes up: 4 hours after the use (20:01),
         * before the unused ones expire (20:05). */
        assert_int_equal(dl_store_ec_quota_changes(f->store, &changes, NULL), 0);
        assert_int_equal(changes, next + USEC_PER_MINUTE + DL_EC_QUOTA_USEC);

        /* 20:02: the use of 16:01 no longer counts; the 15 unused codes of
         * window w are accepted until 20:05, so they do. */
        fake_clock_set(&f->clock, dl_ec_window_start(w + 2) + 2 * USEC_PER_MINUTE);
        assert_int_equal(dl_store_ec_codes_left(f->store, &left, NULL), 0);
        assert_int_equal(left, 1);
        assert_int_equal(dl_store_ec_quota_changes(f->store, &changes, NULL), 0);
        assert_int_equal(changes, dl_ec_window_start(w + 2) + DL_EC_TOLERANCE_USEC);
        /* 20:05: they expired unused; all 16 again, from slot 0 of the new
         * window. */
        fake_clock_set(&f->clock, dl_ec_window_start(w + 2) + DL_EC_TOLERANCE_USEC);
        assert_int_equal(dl_store_ec_codes_left(f->store, &left, NULL), 0);
        assert_int_equal(left, 16);
        assert_int_equal(dl_store_ec_generate(f->store, NULL, code, NULL, &left, NULL), 0);
        assert_int_equal(left, 15);
        code_for(f, 0, w + 2, 0, first_next);
        assert_string_equal(code, first_next);
        assert_true(enter(f, code).granted);
}

/* Every code the gateway hands out opens when entered within its
 * validity: generating 8 and using them, 8 more unused, the 16 accepted
 * ones make room only as they get 4 hours old. */
static void generated_codes_are_never_refused_for_quota(void **state) {
        struct store_fixture *f = *state;
        int64_t w = window_now(f), next = dl_ec_window_start(w + 1);
        char codes[32][9];
        unsigned left;
        int n = 0;

        fake_clock_set(&f->clock, next - 30 * USEC_PER_MINUTE); /* 15:30 */
        for (; n < 8; n++) {
                assert_int_equal(dl_store_ec_generate(f->store, NULL, codes[n], NULL, NULL, NULL), 0);
                assert_true(enter(f, codes[n]).granted);
        }
        fake_clock_set(&f->clock, next + 30 * USEC_PER_MINUTE); /* 16:30 */
        while (dl_store_ec_generate(f->store, NULL, codes[n], NULL, &left, NULL) == 0)
                n++;
        assert_int_equal(n, 16);
        /* 19:31: the 8 uses of 15:30 are 4 hours old; 8 more. */
        fake_clock_set(&f->clock, next + 3 * USEC_PER_HOUR + 31 * USEC_PER_MINUTE);
        while (dl_store_ec_generate(f->store, NULL, codes[n], NULL, &left, NULL) == 0)
                n++;
        assert_int_equal(n, 24);
        /* All 16 unused ones open now, none refused for the quota. */
        for (int i = 8; i < n; i++)
                assert_true(enter(f, codes[i]).granted);
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

/* A phone (another issuer) whose codes the lock accepts in two windows at
 * once: 16 of the previous window and then the current one's within
 * minutes.  The 17th is refused with emergency-quota like any refusal:
 * counted toward the lockout, logged, and its slot stays unused. */
static uint32_t add_phone(struct store_fixture *f, uint8_t secret[DL_EC_SECRET_SIZE]) {
        char uri[DL_EC_URI_MAX];
        uint32_t id, parsed;

        assert_int_equal(dl_store_ec_add_issuer(f->store, "Phone", NULL, &id, uri, NULL), 0);
        assert_int_equal(dl_ec_uri_parse(uri, &parsed, secret, NULL, 0), 0);
        return id;
}

static struct dl_decision enter_ec(struct store_fixture *f, const uint8_t secret[DL_EC_SECRET_SIZE],
                                   uint32_t id, int64_t window, unsigned slot) {
        char code[9];

        assert_int_equal(dl_ec_code(secret, id, window, slot, code), 0);
        return enter(f, code);
}

static void more_lockout_attempts(struct store_fixture *f) {
        f->config.lockout.attempts = 50;
        store_fixture_reopen(f);
}

static void entry_quota_16_in_any_4_hours(void **state) {
        struct store_fixture *f = *state;
        uint8_t secret[DL_EC_SECRET_SIZE];
        int64_t w = window_now(f), next = dl_ec_window_start(w + 1), first;
        struct dl_lockout_state lo;
        struct dl_decision d;
        uint32_t id;

        more_lockout_attempts(f);
        id = add_phone(f, secret);
        /* 16:02: windows w + 1 (current) and w (previous) are accepted. */
        first = next + 2 * USEC_PER_MINUTE;
        fake_clock_set(&f->clock, first);
        for (unsigned sl = 0; sl < 16; sl++) {
                assert_true(enter_ec(f, secret, id, w, sl).granted);
                fake_clock_advance(&f->clock, USEC_PER_SEC);
        }
        /* 2 wrong entries before, so the count shows the refusal adds one. */
        assert_false(enter(f, "00000000").granted);
        assert_false(enter(f, "00000001").granted);
        d = enter_ec(f, secret, id, w + 1, 0);
        assert_false(d.granted);
        assert_true(d.emergency);
        assert_int_equal(d.reason, DL_REASON_EMERGENCY_QUOTA);
        assert_string_equal(dl_reason_to_string(d.reason), "emergency-quota");
        assert_int_equal(d.ec_issuer, id);
        assert_int_equal(d.ec_window, w + 1);
        assert_int_equal(d.ec_slot, 0);
        assert_true(f->store->db.sync_full); /* a refusal is durable */
        assert_int_equal(dl_store_lockout_state(f->store, &lo, NULL), 0);
        assert_int_equal(lo.failures, 3);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM emergency_used WHERE win = (SELECT max(win) FROM "
                                    "emergency_used) + 1"),
                         0);
        assert_int_equal(raw_int(f,
                                 "SELECT count(*) FROM audit WHERE event = 'access-denied' AND details "
                                 "LIKE 'emergency-quota; emergency code: issuer 1 (Phone) window % slot 0; "
                                 "3 consecutive wrong entries'"),
                         1);
        /* ... and the issuer that ran out is named in emergency-refused. */
        assert_int_equal(raw_int(f,
                                 "SELECT count(*) FROM audit WHERE event = 'emergency-refused' AND details "
                                 "LIKE 'emergency-quota: issuer 1 (Phone) window % slot 0: 16 codes of this "
                                 "issuer accepted in the last 4 hours'"),
                         1);
        /* Not the 32nd either: the previous window's codes are spent, the
         * current one's refused, whichever slot. */
        for (unsigned sl = 1; sl < 16; sl++)
                assert_int_equal(enter_ec(f, secret, id, w + 1, sl).reason, DL_REASON_EMERGENCY_QUOTA);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM emergency_used"), 16);

        /* A restart changes nothing: the count is over stored uses. */
        store_fixture_reopen(f);
        assert_int_equal(enter_ec(f, secret, id, w + 1, 0).reason, DL_REASON_EMERGENCY_QUOTA);

        /* Sliding: 1 µs before 4 hours after the first use, still refused;
         * at 4 hours, the slot refused before opens (it was not spent), and
         * the next is refused again (the second use is not 4 hours old). */
        fake_clock_set(&f->clock, first + DL_EC_QUOTA_USEC - 1);
        assert_int_equal(enter_ec(f, secret, id, w + 1, 0).reason, DL_REASON_EMERGENCY_QUOTA);
        fake_clock_set(&f->clock, first + DL_EC_QUOTA_USEC);
        d = enter_ec(f, secret, id, w + 1, 0);
        assert_true(d.granted);
        assert_int_equal(d.ec_slot, 0);
        assert_int_equal(enter_ec(f, secret, id, w + 1, 1).reason, DL_REASON_EMERGENCY_QUOTA);
        fake_clock_advance(&f->clock, USEC_PER_SEC);
        assert_true(enter_ec(f, secret, id, w + 1, 1).granted);
}

/* The quota is per issuer: another issuer's codes (here the gateway's)
 * still open while one issuer is at 16. */
static void entry_quota_is_per_issuer(void **state) {
        struct store_fixture *f = *state;
        uint8_t secret[DL_EC_SECRET_SIZE];
        int64_t w = window_now(f);
        char code[9];
        uint32_t id;

        id = add_phone(f, secret);
        fake_clock_advance(&f->clock, USEC_PER_HOUR);
        for (unsigned sl = 0; sl < 16; sl++)
                assert_true(enter_ec(f, secret, id, w, sl).granted);
        assert_int_equal(enter_ec(f, secret, id, w - 1, 0).reason, DL_REASON_EMERGENCY_QUOTA);
        code_for(f, 0, w, 0, code);
        assert_true(enter(f, code).granted);
}

/* A clock set back and trusted again (NTP lowers the high-water mark): the
 * uses stamped after the new "now" happened less than 4 hours ago and
 * still count. */
static void entry_quota_holds_when_the_clock_is_set_back(void **state) {
        struct store_fixture *f = *state;
        uint8_t secret[DL_EC_SECRET_SIZE];
        int64_t w = window_now(f), start = dl_ec_window_start(w);
        struct dl_decision d;
        uint32_t id;

        more_lockout_attempts(f);
        id = add_phone(f, secret);
        fake_clock_set(&f->clock, start + 3 * USEC_PER_HOUR); /* 15:00 */
        for (unsigned sl = 0; sl < 8; sl++) {
                assert_true(enter_ec(f, secret, id, w - 1, sl).granted);
                assert_true(enter_ec(f, secret, id, w, sl).granted);
        }
        /* NTP steps the clock back 2 hours: 13:00, trusted (synchronised). */
        f->clock.synchronized = true;
        fake_clock_set(&f->clock, start + USEC_PER_HOUR);
        d = enter_ec(f, secret, id, w, 8);
        assert_true(d.clock_trusted);
        assert_int_equal(d.reason, DL_REASON_EMERGENCY_QUOTA);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM audit WHERE event = 'clock' AND details LIKE "
                                    "'%synchron%'"),
                         1);
        /* Until 4 hours after the uses (19:00), whatever the clock did. */
        fake_clock_set(&f->clock, start + 7 * USEC_PER_HOUR - 1);
        assert_int_equal(enter_ec(f, secret, id, w, 8).reason, DL_REASON_EMERGENCY_QUOTA);
        fake_clock_set(&f->clock, start + 7 * USEC_PER_HOUR);
        assert_true(enter_ec(f, secret, id, w + 1, 0).granted);
}

/* The same 8 digits are a used code of issuer 1 and an unused one of
 * issuer 2 (found by search: secret A for issuer 1, SHA-256("doorlockd
 * collision 3951") for issuer 2, window 123632 = 2026-06-01 08:00 UTC,
 * slots 4 and 10 give 55454214).  The unused one opens. */
static void write_key(struct store_fixture *f, uint32_t id, const uint8_t secret[DL_EC_SECRET_SIZE]) {
        char *path;
        int fd;

        assert_true(asprintf(&path, "%s/emergency/%u.key", f->dir, id) > 0);
        fd = open(path, O_WRONLY | O_TRUNC);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, secret, DL_EC_SECRET_SIZE), DL_EC_SECRET_SIZE);
        close(fd);
        free(path);
}

static void unused_code_opens_when_digits_match_a_used_one(void **state) {
        struct store_fixture *f = *state;
        uint8_t a[DL_EC_SECRET_SIZE], b[DL_EC_SECRET_SIZE], check[9];
        const int64_t w = 123632;
        struct dl_decision d;

        for (int i = 0; i < DL_EC_SECRET_SIZE; i++)
                a[i] = (uint8_t)i;
        SHA256((const unsigned char *)"doorlockd collision 3951", 24, b);
        assert_int_equal(add_phone(f, (uint8_t[DL_EC_SECRET_SIZE]){}), 1);
        assert_int_equal(
                dl_store_ec_add_issuer(f->store, "Tablet", NULL, NULL, (char[DL_EC_URI_MAX]){}, NULL), 0);
        store_fixture_close(f);
        write_key(f, 1, a);
        write_key(f, 2, b);
        store_fixture_open(f);
        assert_int_equal(window_now(f), w + 1);
        fake_clock_advance(&f->clock, 30 * USEC_PER_MINUTE); /* windows w + 1 and w */
        assert_int_equal(dl_ec_code(a, 1, w, 4, (char *)check), 0);
        assert_string_equal((char *)check, "55454214");
        assert_int_equal(dl_ec_code(b, 2, w, 10, (char *)check), 0);
        assert_string_equal((char *)check, "55454214");

        d = enter(f, "55454214");
        assert_true(d.granted);
        assert_int_equal(d.ec_issuer, 1);
        assert_int_equal(d.ec_slot, 4);
        d = enter(f, "55454214");
        assert_true(d.granted);
        assert_int_equal(d.ec_issuer, 2);
        assert_int_equal(d.ec_slot, 10);
        d = enter(f, "55454214");
        assert_false(d.granted);
        assert_int_equal(d.reason, DL_REASON_USED_UP);
        assert_int_equal(d.ec_issuer, 1); /* the first match is named */
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, store_fixture_setup_open, store_fixture_teardown)
                T(gateway_generates_and_code_opens_once),
                T(generation_quota_slides_across_windows),
                T(generated_codes_are_never_refused_for_quota),
                T(entry_quota_16_in_any_4_hours),
                T(entry_quota_is_per_issuer),
                T(entry_quota_holds_when_the_clock_is_set_back),
                T(unused_code_opens_when_digits_match_a_used_one),
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
