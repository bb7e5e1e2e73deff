/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The decision: dl_store_verify() against a real SQLite store in a scratch
 * directory, with a fake clock. */
#include "test-util.h"

#include <sqlite3.h>
#include <stdio.h>

#include "audit-log.h"
#include "store-private.h"
#include "verify.h"

#define PIN_A "493817"

static struct dl_decision verify(struct store_fixture *f, const char *entry) {
        struct dl_decision d;
        struct dl_error err = {};
        int r;

        r = dl_store_verify(f->store, entry, DL_SOURCE_KEYPAD, &d, &err);
        if (r < 0)
                fail_msg("dl_store_verify: %s", dl_error_message(&err, r));
        return d;
}

static struct dl_decision verify_net(struct store_fixture *f, const char *entry) {
        struct dl_decision d;
        struct dl_error err = {};
        int r;

        r = dl_store_verify(f->store, entry, DL_SOURCE_MQTT, &d, &err);
        if (r < 0)
                fail_msg("dl_store_verify (mqtt): %s", dl_error_message(&err, r));
        return d;
}

static uint32_t failures_of(struct store_fixture *f, enum dl_lockout_counter which) {
        struct dl_lockout_state lo;

        assert_int_equal(dl_store_lockout_state_of(f->store, which, &lo, NULL), 0);
        return lo.failures;
}

static int64_t add_with(struct store_fixture *f, struct dl_code_spec *spec, const char *pin) {
        struct dl_error err = {};
        char out[DL_PIN_BUFFER_SIZE];
        int64_t id;
        int r;

        r = dl_store_add_code(f->store, spec, pin, 0, NULL, &id, out, &err);
        if (r < 0)
                fail_msg("add: %s", dl_error_message(&err, r));
        return id;
}

static void granted_and_unknown(void **state) {
        struct store_fixture *f = *state;
        int64_t id = add_code(f, "Alice", PIN_A);
        struct dl_decision d;
        struct dl_code c;

        d = verify(f, PIN_A);
        assert_true(d.granted);
        assert_int_equal(d.reason, DL_REASON_NONE);
        assert_int_equal(d.code_id, id);
        assert_string_equal(d.code_name, "Alice");
        assert_false(d.duress);

        assert_int_equal(dl_store_get_code(f->store, id, &c, NULL), 0);
        assert_int_equal(c.use_count, 1);
        assert_int_equal(c.last_used, f->clock.now);

        d = verify(f, "493818");
        assert_false(d.granted);
        assert_int_equal(d.reason, DL_REASON_UNKNOWN_CODE);
        assert_int_equal(d.code_id, 0);
        assert_string_equal(dl_reason_to_string(d.reason), "unknown-code");

        /* Too short or too long to be any PIN: a wrong guess all the same. */
        d = verify(f, "12");
        assert_int_equal(d.reason, DL_REASON_UNKNOWN_CODE);
        d = verify(f, "49381749381749381");
        assert_int_equal(d.reason, DL_REASON_UNKNOWN_CODE);
}

static void bad_entries_write_nothing(void **state) {
        struct store_fixture *f = *state;
        const char *bad[] = { "", "12a456", "49381 7", "-493817",
                              "12345678901234567890123456789012345678901234567890123456789012345" };
        struct dl_decision d;
        struct dl_lockout_state lo;
        int64_t head;

        add_code(f, "Alice", PIN_A);
        head = audit_head(f);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct dl_error err = {};

                assert_int_equal(dl_store_verify(f->store, bad[i], DL_SOURCE_KEYPAD, &d, &err), -EINVAL);
                assert_true(strlen(err.message) > 0);
        }
        assert_int_equal(dl_store_verify(f->store, PIN_A, (enum dl_source)42, &d, NULL), -EINVAL);
        /* The lock itself never enters a PIN. */
        assert_int_equal(dl_store_verify(f->store, PIN_A, DL_SOURCE_SYSTEM, &d, NULL), -EINVAL);
        assert_int_equal(audit_head(f), head);
        assert_int_equal(dl_store_lockout_state(f->store, &lo, NULL), 0);
        assert_int_equal(lo.failures, 0);
}

static void disabled_and_validity(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;
        struct dl_decision d;
        int64_t now = f->clock.now;

        dl_code_spec_init(&spec, "Off");
        spec.enabled = false;
        add_with(f, &spec, "111222");
        d = verify(f, "111222");
        assert_int_equal(d.reason, DL_REASON_DISABLED);
        assert_string_equal(d.code_name, "Off");

        dl_code_spec_init(&spec, "Later");
        spec.valid_from = now + USEC_PER_HOUR;
        spec.valid_until = now + 2 * USEC_PER_HOUR;
        add_with(f, &spec, "222333");
        d = verify(f, "222333");
        assert_int_equal(d.reason, DL_REASON_NOT_YET_VALID);

        fake_clock_advance(&f->clock, USEC_PER_HOUR); /* valid_from is inclusive */
        d = verify(f, "222333");
        assert_true(d.granted);

        fake_clock_advance(&f->clock, USEC_PER_HOUR); /* valid_until is exclusive */
        d = verify(f, "222333");
        assert_int_equal(d.reason, DL_REASON_EXPIRED);
}

static void weekly_windows_in_local_time(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;
        struct dl_decision d;

        /* Cleaner: Monday to Friday 08:00-17:00 Berlin time (CEST, UTC+2 in
         * June).  2026-06-08 is a Monday. */
        dl_code_spec_init(&spec, "Cleaner");
        spec.n_windows = 1;
        spec.windows[0] = (struct dl_window){ .days = 0x1f, .start = 8 * 60, .end = 17 * 60 };
        add_with(f, &spec, "358024");

        fake_clock_set(&f->clock, utc_usec(2026, 6, 8, 5, 59, 0)); /* 07:59 local */
        d = verify(f, "358024");
        assert_int_equal(d.reason, DL_REASON_OUTSIDE_WINDOW);
        fake_clock_set(&f->clock, utc_usec(2026, 6, 8, 6, 0, 0)); /* 08:00 local */
        d = verify(f, "358024");
        assert_true(d.granted);
        fake_clock_set(&f->clock, utc_usec(2026, 6, 8, 14, 59, 59)); /* 16:59:59 */
        d = verify(f, "358024");
        assert_true(d.granted);
        fake_clock_set(&f->clock, utc_usec(2026, 6, 8, 15, 0, 0)); /* 17:00 local */
        d = verify(f, "358024");
        assert_int_equal(d.reason, DL_REASON_OUTSIDE_WINDOW);
        fake_clock_set(&f->clock, utc_usec(2026, 6, 13, 8, 0, 0)); /* Saturday 10:00 */
        d = verify(f, "358024");
        assert_int_equal(d.reason, DL_REASON_OUTSIDE_WINDOW);
}

static void overnight_window(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;

        /* Friday 22:00 to 06:00: Friday night into Saturday morning. */
        dl_code_spec_init(&spec, "Night shift");
        spec.n_windows = 1;
        spec.windows[0] =
                (struct dl_window){ .days = DL_DAY_BIT(DL_FRIDAY), .start = 22 * 60, .end = 6 * 60 };
        add_with(f, &spec, "860431");

        fake_clock_set(&f->clock, utc_usec(2026, 6, 5, 21, 30, 0)); /* Fri 23:30 CEST */
        assert_true(verify(f, "860431").granted);
        fake_clock_set(&f->clock, utc_usec(2026, 6, 6, 3, 59, 0)); /* Sat 05:59 */
        assert_true(verify(f, "860431").granted);
        fake_clock_set(&f->clock, utc_usec(2026, 6, 6, 4, 0, 0)); /* Sat 06:00 */
        assert_int_equal(verify(f, "860431").reason, DL_REASON_OUTSIDE_WINDOW);
        fake_clock_set(&f->clock, utc_usec(2026, 6, 6, 21, 30, 0)); /* Sat 23:30 */
        assert_int_equal(verify(f, "860431").reason, DL_REASON_OUTSIDE_WINDOW);
        fake_clock_set(&f->clock, utc_usec(2026, 6, 12, 2, 0, 0)); /* Fri 04:00 */
        assert_int_equal(verify(f, "860431").reason, DL_REASON_OUTSIDE_WINDOW);
}

static void dst_days_in_the_store(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;

        /* Every day 08:00-09:00 Berlin: 07:00 UTC in winter, 06:00 in summer,
         * including the days the clocks change. */
        dl_code_spec_init(&spec, "Morning");
        spec.n_windows = 1;
        spec.windows[0] = (struct dl_window){ .days = DL_ALL_DAYS, .start = 8 * 60, .end = 9 * 60 };
        add_with(f, &spec, "724160");

        fake_clock_set(&f->clock, utc_usec(2026, 10, 25, 7, 30, 0)); /* fall-back day, CET */
        assert_true(verify(f, "724160").granted);
        fake_clock_set(&f->clock, utc_usec(2026, 10, 25, 6, 30, 0)); /* 07:30 CET */
        assert_false(verify(f, "724160").granted);
        fake_clock_set(&f->clock, utc_usec(2027, 3, 28, 6, 30, 0)); /* spring-forward day, CEST */
        assert_true(verify(f, "724160").granted);
        fake_clock_set(&f->clock, utc_usec(2027, 3, 28, 7, 30, 0)); /* 09:30 CEST */
        assert_false(verify(f, "724160").granted);
}

static void one_time_code_used_twice(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;
        struct dl_decision d;
        struct dl_code c;
        int64_t id;

        dl_code_spec_init(&spec, "Plumber");
        spec.kind = DL_CODE_ONE_TIME;
        id = add_with(f, &spec, "640213");

        d = verify(f, "640213");
        assert_true(d.granted);
        assert_int_equal(d.kind, DL_CODE_ONE_TIME);
        /* Committed with synchronous=FULL before "granted" came back. */
        assert_true(f->store->db.sync_full);

        d = verify(f, "640213");
        assert_false(d.granted);
        assert_int_equal(d.reason, DL_REASON_USED_UP);
        assert_int_equal(d.code_id, id);

        /* Still there after a restart, still used. */
        store_fixture_reopen(f);
        assert_int_equal(verify(f, "640213").reason, DL_REASON_USED_UP);
        assert_int_equal(dl_store_get_code(f->store, id, &c, NULL), 0);
        assert_int_equal(c.use_count, 1);
}

static void plain_grant_is_not_fsynced(void **state) {
        struct store_fixture *f = *state;

        add_code(f, "Alice", PIN_A);
        assert_true(verify(f, PIN_A).granted);
        assert_false(f->store->db.sync_full);
        /* A refusal is: it counts toward the lockout. */
        assert_false(verify(f, "555123").granted);
        assert_true(f->store->db.sync_full);
}

static void use_limit_reached(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;

        dl_code_spec_init(&spec, "Three times");
        spec.use_limit = 3;
        add_with(f, &spec, "305917");
        for (int i = 0; i < 3; i++)
                assert_true(verify(f, "305917").granted);
        assert_int_equal(verify(f, "305917").reason, DL_REASON_USED_UP);
}

static int count_events(const struct dl_audit_entry *e, void *userdata) {
        int *n = userdata;

        if (strcmp(e->event, DL_EVENT_ALARM) == 0 && strcmp(e->details, "duress") == 0)
                (*n)++;
        return 0;
}

static void duress_opens_and_alarms(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;
        struct dl_decision d;
        int alarms = 0;

        dl_code_spec_init(&spec, "Duress");
        spec.duress = true;
        add_with(f, &spec, "902713");
        d = verify(f, "902713");
        assert_true(d.granted);
        assert_true(d.duress);
        /* The alarm is fsync'd with the grant, though the code is unlimited. */
        assert_true(f->store->db.sync_full);
        assert_int_equal(dl_store_audit_list(f->store, 0, 0, count_events, &alarms, NULL), 0);
        assert_int_equal(alarms, 1);
}

static void lockout_escalates_and_persists(void **state) {
        struct store_fixture *f = *state;
        struct dl_lockout_state lo;
        struct dl_decision d;

        add_code(f, "Alice", PIN_A);
        for (int i = 1; i <= 4; i++) {
                d = verify(f, "000111");
                assert_false(d.lockout_started);
        }
        d = verify(f, "000112");
        assert_true(d.lockout_started);
        assert_int_equal(d.lockout_until, f->clock.now + 30 * USEC_PER_SEC);

        /* While locked even the right PIN is refused, without counting. */
        fake_clock_advance(&f->clock, 29 * USEC_PER_SEC);
        d = verify(f, PIN_A);
        assert_false(d.granted);
        assert_int_equal(d.reason, DL_REASON_LOCKED_OUT);
        assert_int_equal(dl_store_lockout_state(f->store, &lo, NULL), 0);
        assert_int_equal(lo.failures, 5);

        /* Survives a restart. */
        store_fixture_reopen(f);
        assert_int_equal(verify(f, PIN_A).reason, DL_REASON_LOCKED_OUT);

        /* Each further failure doubles it. */
        fake_clock_advance(&f->clock, 1 * USEC_PER_SEC);
        d = verify(f, "000113");
        assert_true(d.lockout_started);
        assert_int_equal(d.lockout_until - f->clock.now, 60 * USEC_PER_SEC);
        fake_clock_advance(&f->clock, 60 * USEC_PER_SEC);
        d = verify(f, "000114");
        assert_int_equal(d.lockout_until - f->clock.now, 120 * USEC_PER_SEC);
        for (int i = 0; i < 10; i++) {
                fake_clock_advance(&f->clock, 3600 * USEC_PER_SEC);
                d = verify(f, "000115");
        }
        assert_int_equal(d.lockout_until - f->clock.now, 3600 * USEC_PER_SEC); /* the cap */

        /* A success once the lockout has run out resets everything. */
        fake_clock_advance(&f->clock, 3600 * USEC_PER_SEC);
        assert_true(verify(f, PIN_A).granted);
        assert_int_equal(dl_store_lockout_state(f->store, &lo, NULL), 0);
        assert_int_equal(lo.failures, 0);
        assert_int_equal(lo.lockout_until, 0);
}

static void lockout_admin_end_and_forget(void **state) {
        struct store_fixture *f = *state;
        struct dl_actor admin = { DL_SOURCE_DBUS, "uid 0" };
        struct dl_lockout_state lo;

        add_code(f, "Alice", PIN_A);
        for (int i = 0; i < 5; i++)
                verify(f, "000111");
        assert_int_equal(verify(f, PIN_A).reason, DL_REASON_LOCKED_OUT);
        assert_int_equal(dl_store_end_lockout(f->store, &admin, NULL), 0);
        assert_true(verify(f, PIN_A).granted);

        /* 4 failures, then a day of quiet: the count is forgotten. */
        for (int i = 0; i < 4; i++)
                verify(f, "000111");
        fake_clock_advance(&f->clock, 24 * USEC_PER_HOUR);
        assert_int_equal(dl_store_lockout_state(f->store, &lo, NULL), 0);
        assert_int_equal(lo.failures, 0);
        assert_false(verify(f, "000111").lockout_started);
        assert_int_equal(dl_store_lockout_state(f->store, &lo, NULL), 0);
        assert_int_equal(lo.failures, 1);
}

/* The network (source mqtt) has a counter of its own: a flood from it does
 * not lock the keypad, and the keypad's lockout does not block it. */
static void network_counter_is_its_own(void **state) {
        struct store_fixture *f = *state;
        struct dl_lockout_state lo;
        struct dl_decision d;

        add_code(f, "Alice", PIN_A);
        for (int i = 1; i <= 4; i++)
                assert_false(verify_net(f, "000111").lockout_started);
        d = verify_net(f, "000112");
        assert_true(d.lockout_started);
        assert_int_equal(d.lockout_until, f->clock.now + 30 * USEC_PER_SEC);
        assert_int_equal(failures_of(f, DL_LOCKOUT_NETWORK), 5);
        assert_int_equal(failures_of(f, DL_LOCKOUT_KEYPAD), 0);
        assert_int_equal(raw_int(f, "SELECT net_failures FROM state"), 5);
        assert_int_equal(raw_int(f, "SELECT failures FROM state"), 0);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM audit WHERE event = 'lockout' AND source = 'mqtt' "
                                    "AND details LIKE '%network entries locked for 30 s'"),
                         1);

        /* The network is locked out: the right PIN is refused unheard... */
        assert_int_equal(verify_net(f, PIN_A).reason, DL_REASON_LOCKED_OUT);
        assert_int_equal(failures_of(f, DL_LOCKOUT_NETWORK), 5);
        /* ... and survives a restart; the keypad opens all along. */
        store_fixture_reopen(f);
        assert_int_equal(verify_net(f, PIN_A).reason, DL_REASON_LOCKED_OUT);
        assert_true(verify(f, PIN_A).granted);
        /* A keypad grant clears the keypad's count only. */
        assert_int_equal(failures_of(f, DL_LOCKOUT_NETWORK), 5);

        /* The other way, once the network's lockout ran out: the keypad
         * locked out, the network still heard. */
        fake_clock_advance(&f->clock, 30 * USEC_PER_SEC);
        for (int i = 0; i < 5; i++)
                verify(f, "000111");
        assert_int_equal(verify(f, PIN_A).reason, DL_REASON_LOCKED_OUT);
        assert_int_equal(dl_store_lockout_state(f->store, &lo, NULL), 0);
        assert_true(dl_lockout_active(&lo, f->clock.now));
        d = verify_net(f, PIN_A);
        assert_true(d.granted);
        assert_int_equal(failures_of(f, DL_LOCKOUT_NETWORK), 0);
        assert_int_equal(failures_of(f, DL_LOCKOUT_KEYPAD), 5);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM audit WHERE event = 'access-granted' AND "
                                    "source = 'mqtt'"),
                         1);

        /* The same policy: the next failures escalate the same way. */
        for (int i = 0; i < 5; i++)
                d = verify_net(f, "000113");
        assert_int_equal(d.lockout_until - f->clock.now, 30 * USEC_PER_SEC);
        fake_clock_advance(&f->clock, 30 * USEC_PER_SEC);
        d = verify_net(f, "000114");
        assert_int_equal(d.lockout_until - f->clock.now, 60 * USEC_PER_SEC);
}

/* ResetLockout ends both, one lockout entry for each counter with
 * failures. */
static void admin_end_clears_both_counters(void **state) {
        struct store_fixture *f = *state;
        struct dl_actor admin = { DL_SOURCE_DBUS, "uid 0" };

        add_code(f, "Alice", PIN_A);
        for (int i = 0; i < 5; i++) {
                verify(f, "000111");
                verify_net(f, "000111");
        }
        assert_int_equal(verify(f, PIN_A).reason, DL_REASON_LOCKED_OUT);
        assert_int_equal(verify_net(f, PIN_A).reason, DL_REASON_LOCKED_OUT);
        assert_int_equal(dl_store_end_lockout(f->store, &admin, NULL), 0);
        assert_int_equal(failures_of(f, DL_LOCKOUT_KEYPAD), 0);
        assert_int_equal(failures_of(f, DL_LOCKOUT_NETWORK), 0);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM audit WHERE event = 'lockout' AND details = "
                                    "'lockout ended and 5 failures cleared by uid 0'"),
                         1);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM audit WHERE event = 'lockout' AND details = "
                                    "'network lockout ended and 5 failures cleared by uid 0'"),
                         1);
        assert_true(verify_net(f, PIN_A).granted);
        assert_true(verify(f, PIN_A).granted);

        /* Only the network had failures: one entry. */
        verify_net(f, "000111");
        assert_int_equal(dl_store_end_lockout(f->store, &admin, NULL), 0);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM audit WHERE event = 'lockout' AND details LIKE "
                                    "'%lockout ended%'"),
                         3);
}

/* A network entry is one plain PIN even with anti-peep on. */
static void network_entries_are_never_anti_peep(void **state) {
        struct store_fixture *f = *state;
        struct dl_decision d;

        add_code(f, "Alice", PIN_A);
        f->config.anti_peep = true;
        store_fixture_reopen(f);
        assert_true(verify(f, "12" PIN_A "99").granted);
        d = verify_net(f, "12" PIN_A "99");
        assert_false(d.granted);
        assert_int_equal(d.reason, DL_REASON_UNKNOWN_CODE);
        assert_int_equal(failures_of(f, DL_LOCKOUT_NETWORK), 1);
        assert_true(verify_net(f, PIN_A).granted);
}

static void refusals_of_real_codes_count(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;
        struct dl_decision d;

        /* A guesser must not learn from the lockout which PINs exist. */
        dl_code_spec_init(&spec, "Off");
        spec.enabled = false;
        add_with(f, &spec, "111222");
        for (int i = 0; i < 4; i++)
                verify(f, "111222");
        d = verify(f, "111222");
        assert_int_equal(d.reason, DL_REASON_DISABLED);
        assert_true(d.lockout_started);
}

static void lockout_clamped_after_clock_set_back(void **state) {
        struct store_fixture *f = *state;
        struct dl_lockout_state lo;

        add_code(f, "Alice", PIN_A);
        for (int i = 0; i < 5; i++)
                verify(f, "000111");
        /* Clock set back a year during a 30 s lockout: it must not become a
         * year and 30 s. */
        fake_clock_advance(&f->clock, -365 * USEC_PER_DAY);
        assert_int_equal(verify(f, PIN_A).reason, DL_REASON_LOCKED_OUT);
        assert_int_equal(dl_store_lockout_state(f->store, &lo, NULL), 0);
        assert_true(lo.lockout_until - f->clock.now <= f->config.lockout.max_usec);
        fake_clock_advance(&f->clock, f->config.lockout.max_usec);
        assert_true(verify(f, PIN_A).granted);
}

static void clock_set_back(void **state) {
        struct store_fixture *f = *state;
        struct dl_actor admin = { DL_SOURCE_DBUS, "uid 0" };
        struct dl_code_spec spec;
        struct dl_clock_status cs;
        int64_t start = f->clock.now;

        add_code(f, "Always", PIN_A);
        dl_code_spec_init(&spec, "Until noon");
        spec.valid_until = start + USEC_PER_HOUR;
        add_with(f, &spec, "615243");

        /* Two hours later the code has expired ... */
        fake_clock_advance(&f->clock, 2 * USEC_PER_HOUR);
        assert_int_equal(verify(f, "615243").reason, DL_REASON_EXPIRED);

        /* ... and setting the clock back does not revive it. */
        fake_clock_set(&f->clock, start);
        assert_int_equal(verify(f, "615243").reason, DL_REASON_CLOCK_UNTRUSTED);
        assert_true(verify(f, PIN_A).granted); /* no restriction: still works */
        assert_int_equal(dl_store_clock_status(f->store, &cs, NULL), 0);
        assert_false(cs.trusted);

        /* Survives a restart. */
        store_fixture_reopen(f);
        assert_int_equal(verify(f, "615243").reason, DL_REASON_CLOCK_UNTRUSTED);

        /* NTP says the clock is right: the mark comes down, trust returns. */
        f->clock.synchronized = true;
        assert_int_equal(verify(f, "615243").reason, DL_REASON_NONE);
        assert_int_equal(dl_store_clock_status(f->store, &cs, NULL), 0);
        assert_true(cs.trusted);
        assert_int_equal(cs.mark, start);

        /* Admin reset: after a wrong jump forward without NTP. */
        f->clock.synchronized = false;
        fake_clock_set(&f->clock, start + 10 * USEC_PER_DAY);
        verify(f, PIN_A);
        fake_clock_set(&f->clock, start + 5 * USEC_PER_MINUTE);
        assert_int_equal(verify(f, "615243").reason, DL_REASON_CLOCK_UNTRUSTED);
        assert_int_equal(dl_store_reset_clock_mark(f->store, &admin, NULL), 0);
        assert_true(verify(f, "615243").granted);
}

static void clock_recovers_when_it_passes_the_mark(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;

        dl_code_spec_init(&spec, "Windowed");
        spec.n_windows = 1;
        spec.windows[0] = (struct dl_window){ .days = DL_ALL_DAYS, .start = 0, .end = 1440 };
        add_with(f, &spec, "615243");
        verify(f, "615243");
        fake_clock_advance(&f->clock, -USEC_PER_MINUTE);
        assert_int_equal(verify(f, "615243").reason, DL_REASON_CLOCK_UNTRUSTED);
        fake_clock_advance(&f->clock, USEC_PER_MINUTE);
        assert_true(verify(f, "615243").granted);
}

static void anti_peep(void **state) {
        struct store_fixture *f = *state;
        struct dl_decision d;
        struct dl_lockout_state lo;

        add_code(f, "Alice", PIN_A);
        /* Off (the default): digits around the PIN make it wrong. */
        assert_false(verify(f, "12" PIN_A "99").granted);
        assert_false(verify(f, PIN_A "0").granted);

        f->config.anti_peep = true;
        store_fixture_reopen(f);
        assert_true(verify(f, "12" PIN_A "99").granted);
        assert_true(verify(f, "8420" PIN_A "905617").granted); /* 16 digits */
        assert_true(verify(f, PIN_A).granted);
        /* Over the cap (16): refused even though the PIN is inside. */
        d = verify(f, "84201" PIN_A "905617");
        assert_false(d.granted);
        assert_int_equal(d.reason, DL_REASON_UNKNOWN_CODE);

        /* One 16-digit submission is one attempt, whatever it tests. */
        assert_int_equal(dl_store_lockout_state(f->store, &lo, NULL), 0);
        assert_int_equal(lo.failures, 1);
        verify(f, "0000000000000000");
        assert_int_equal(dl_store_lockout_state(f->store, &lo, NULL), 0);
        assert_int_equal(lo.failures, 2);
}

static void privacy_mode_refuses_stored_codes(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;
        struct dl_decision d;

        add_code(f, "Alice", PIN_A);
        dl_code_spec_init(&spec, "Once");
        spec.kind = DL_CODE_ONE_TIME;
        add_with(f, &spec, "640213");

        assert_int_equal(dl_store_verify_private(f->store, PIN_A, DL_SOURCE_KEYPAD, true, &d, NULL), 0);
        assert_false(d.granted);
        assert_int_equal(d.reason, DL_REASON_PRIVACY_MODE);
        assert_string_equal(dl_reason_to_string(d.reason), "privacy-mode");
        assert_int_equal(dl_store_verify_private(f->store, "640213", DL_SOURCE_KEYPAD, true, &d, NULL), 0);
        assert_int_equal(d.reason, DL_REASON_PRIVACY_MODE);
        /* The one-time code was not used up by the refusal. */
        assert_true(verify(f, "640213").granted);
        /* A duress code still opens (and alarms): refusing it would
         * endanger the person forced to use it. */
        dl_code_spec_init(&spec, "Duress");
        spec.duress = true;
        add_with(f, &spec, "902713");
        assert_int_equal(dl_store_verify_private(f->store, "902713", DL_SOURCE_KEYPAD, true, &d, NULL), 0);
        assert_true(d.granted);
        assert_true(d.duress);
        /* Wrong codes are still just wrong. */
        assert_int_equal(dl_store_verify_private(f->store, "555123", DL_SOURCE_KEYPAD, true, &d, NULL), 0);
        assert_int_equal(d.reason, DL_REASON_UNKNOWN_CODE);
}

static void settings_persist(void **state) {
        struct store_fixture *f = *state;
        int64_t v = 0;

        assert_int_equal(dl_store_get_setting(f->store, "mode", &v, NULL), -ENOENT);
        assert_int_equal(dl_store_set_setting(f->store, "mode", 2, NULL), 0);
        assert_int_equal(dl_store_set_setting(f->store, "relock", 7, NULL), 0);
        store_fixture_reopen(f);
        assert_int_equal(dl_store_get_setting(f->store, "mode", &v, NULL), 0);
        assert_int_equal(v, 2);
        assert_int_equal(dl_store_get_setting(f->store, "relock", &v, NULL), 0);
        assert_int_equal(v, 7);
        assert_int_equal(dl_store_set_setting(f->store, "", 1, NULL), -EINVAL);
}

static void check_writes_nothing(void **state) {
        struct store_fixture *f = *state;
        struct dl_decision d;
        int64_t head;

        add_code(f, "Alice", PIN_A);
        head = audit_head(f);
        assert_int_equal(dl_store_check(f->store, PIN_A, DL_SOURCE_KEYPAD, &d, NULL), 0);
        assert_true(d.granted);
        assert_int_equal(dl_store_check(f->store, "111111", DL_SOURCE_KEYPAD, &d, NULL), 0);
        assert_false(d.granted);
        assert_int_equal(audit_head(f), head);
        assert_int_equal(raw_int(f, "SELECT use_count FROM codes"), 0);
        assert_int_equal(raw_int(f, "SELECT failures FROM state"), 0);
}

static int no_pin_in(const struct dl_audit_entry *e, void *userdata) {
        const char *pin = userdata;

        assert_null(strstr(e->details, pin));
        assert_null(strstr(e->code_name, pin));
        return 0;
}

static void pin_never_stored_or_logged(void **state) {
        struct store_fixture *f = *state;
        char *path = fixture_path(f, "doorlockd.db");
        char *wal = fixture_path(f, "doorlockd.db-wal");
        const char *files[] = { path, wal };

        add_code(f, "Alice", PIN_A);
        verify(f, PIN_A);
        verify(f, "12" PIN_A);
        assert_int_equal(dl_store_audit_list(f->store, 0, 0, no_pin_in, (void *)PIN_A, NULL), 0);
        store_fixture_close(f);

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                FILE *fp = fopen(files[i], "rb");
                char buf[1 << 16];
                size_t n;

                if (!fp)
                        continue;
                while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
                        assert_null(memmem(buf, n, PIN_A, strlen(PIN_A)));
                fclose(fp);
        }
        free(path);
        free(wal);
        store_fixture_open(f);
}

static void locked_database_is_a_clear_error(void **state) {
        struct store_fixture *f = *state;
        struct dl_store *second = NULL;
        struct dl_error err = {};
        sqlite3 *other;
        char *path = fixture_path(f, "doorlockd.db");
        int r;

        add_code(f, "Alice", PIN_A);
        f->config.busy_timeout_ms = 50;
        store_fixture_reopen(f);

        /* A second doorlockd on the same state directory is refused. */
        r = dl_store_open(f->dir, &f->config, &f->clock.clock, &second, &err);
        assert_int_equal(r, -EBUSY);
        assert_non_null(strstr(err.message, "locked"));
        assert_null(second);

        /* So is any other writer, while the store is open. */
        assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
        sqlite3_busy_timeout(other, 50);
        assert_int_not_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(other);

        /* And the store cannot open while someone else holds a write lock. */
        store_fixture_close(f);
        assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
        assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
        memset(&err, 0, sizeof(err));
        r = dl_store_open(f->dir, &f->config, &f->clock.clock, &f->store, &err);
        assert_int_equal(r, -EBUSY);
        assert_non_null(strstr(err.message, "locked"));
        sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(other);
        free(path);

        /* Nothing was counted; it works once the lock is gone. */
        store_fixture_open(f);
        assert_int_equal(raw_int(f, "SELECT use_count FROM codes"), 0);
        assert_true(verify(f, PIN_A).granted);
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, store_fixture_setup_open, store_fixture_teardown)
                T(granted_and_unknown),
                T(bad_entries_write_nothing),
                T(disabled_and_validity),
                T(weekly_windows_in_local_time),
                T(overnight_window),
                T(dst_days_in_the_store),
                T(one_time_code_used_twice),
                T(plain_grant_is_not_fsynced),
                T(use_limit_reached),
                T(duress_opens_and_alarms),
                T(lockout_escalates_and_persists),
                T(lockout_admin_end_and_forget),
                T(network_counter_is_its_own),
                T(admin_end_clears_both_counters),
                T(network_entries_are_never_anti_peep),
                T(refusals_of_real_codes_count),
                T(lockout_clamped_after_clock_set_back),
                T(clock_set_back),
                T(clock_recovers_when_it_passes_the_mark),
                T(anti_peep),
                T(check_writes_nothing),
                T(privacy_mode_refuses_stored_codes),
                T(settings_persist),
                T(pin_never_stored_or_logged),
                T(locked_database_is_a_clear_error),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
