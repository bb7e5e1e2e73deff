/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tamper-evident audit log on a real database: what the chain catches,
 * and that pruning keeps it checkable. */
#include "test-util.h"

#include <stdio.h>

#include "audit-log.h"
#include "verify.h"

static void make_history(struct store_fixture *f, int n) {
        struct dl_decision d;

        add_code(f, "Alice", "493817");
        for (int i = 0; i < n; i++) {
                fake_clock_advance(&f->clock, USEC_PER_MINUTE);
                assert_int_equal(
                        dl_store_verify(f->store, i % 3 ? "493817" : "111000", DL_SOURCE_KEYPAD, &d, NULL),
                        0);
        }
}

static struct dl_audit_report check(struct store_fixture *f) {
        struct dl_audit_report rep;

        assert_int_equal(dl_store_audit_verify(f->store, &rep, NULL), 0);
        return rep;
}

static void intact_chain_verifies(void **state) {
        struct store_fixture *f = *state;
        struct dl_audit_report rep;

        rep = check(f);
        assert_true(rep.ok);
        assert_int_equal(rep.entries, 0);

        make_history(f, 20);
        rep = check(f);
        assert_true(rep.ok);
        assert_int_equal(rep.entries, audit_head(f));
        assert_int_equal(rep.first_bad, 0);
        assert_string_equal(rep.problem, "");

        store_fixture_reopen(f);
        assert_true(check(f).ok);
}

static void altered_entry_detected(void **state) {
        struct store_fixture *f = *state;
        struct dl_audit_report rep;

        make_history(f, 20);
        raw_sql(f, "UPDATE audit SET details = 'nothing happened' WHERE seq = 7");
        rep = check(f);
        assert_false(rep.ok);
        assert_int_equal(rep.first_bad, 7);
        assert_non_null(strstr(rep.problem, "7"));
}

static void altered_time_or_event_detected(void **state) {
        struct store_fixture *f = *state;

        make_history(f, 10);
        raw_sql(f, "UPDATE audit SET event = 'alarm' WHERE seq = 3");
        assert_int_equal(check(f).first_bad, 3);
}

static void altered_time_detected(void **state) {
        struct store_fixture *f = *state;

        make_history(f, 10);
        raw_sql(f, "UPDATE audit SET time = time + 1 WHERE seq = 5");
        assert_int_equal(check(f).first_bad, 5);
}

static void deleted_entry_detected(void **state) {
        struct store_fixture *f = *state;
        struct dl_audit_report rep;

        make_history(f, 20);
        raw_sql(f, "DELETE FROM audit WHERE seq = 9");
        rep = check(f);
        assert_false(rep.ok);
        assert_int_equal(rep.first_bad, 9);
        assert_non_null(strstr(rep.problem, "missing"));
}

static void truncated_newest_detected(void **state) {
        struct store_fixture *f = *state;
        int64_t head;
        struct dl_audit_report rep;

        make_history(f, 20);
        head = audit_head(f);
        raw_sql(f, "DELETE FROM audit WHERE seq > 15");
        rep = check(f);
        assert_false(rep.ok);
        assert_int_equal(rep.first_bad, 16);
        assert_true(head > 15);
}

static void forged_head_detected(void **state) {
        struct store_fixture *f = *state;
        struct dl_audit_report rep;

        /* A smarter attacker also moves the head back to entry 15. */
        make_history(f, 20);
        raw_sql(f, "DELETE FROM audit WHERE seq > 15; "
                   "UPDATE state SET audit_head_seq = 15, "
                   "audit_head_mac = (SELECT mac FROM audit WHERE seq = 15)");
        rep = check(f);
        assert_false(rep.ok);
        assert_non_null(strstr(rep.problem, "head"));
}

static void deleted_oldest_detected(void **state) {
        struct store_fixture *f = *state;
        struct dl_audit_report rep;

        make_history(f, 20);
        raw_sql(f, "DELETE FROM audit WHERE seq <= 4");
        rep = check(f);
        assert_false(rep.ok);
        assert_int_equal(rep.first_bad, 1);

        /* Moving the anchor without the key does not help. */
        raw_sql(f, "UPDATE state SET audit_anchor_seq = 5, "
                   "audit_anchor_prev = (SELECT mac FROM audit WHERE seq = 5)");
        rep = check(f);
        assert_false(rep.ok);
        assert_non_null(strstr(rep.problem, "anchor"));
}

static void inserted_entry_detected(void **state) {
        struct store_fixture *f = *state;

        make_history(f, 5);
        raw_sql(f, "INSERT INTO audit (seq, time, event, source, details, mac) "
                   "SELECT seq + 1, time, event, source, details, mac FROM audit "
                   "WHERE seq = (SELECT max(seq) FROM audit)");
        assert_false(check(f).ok);
}

static void pruning_bounds_the_log_and_keeps_it_checkable(void **state) {
        struct store_fixture *f = *state;
        int64_t first, last, rows;

        f->config.log_max_entries = 100;
        store_fixture_reopen(f);
        make_history(f, 300);

        assert_int_equal(dl_store_audit_range(f->store, &first, &last, NULL), 0);
        rows = raw_int(f, "SELECT count(*) FROM audit");
        assert_true(rows <= 100);
        assert_true(rows >= 95); /* pruned in batches of max/20 */
        assert_int_equal(last - first + 1, rows);
        assert_int_equal(raw_int(f, "SELECT min(seq) FROM audit"), first);
        assert_true(check(f).ok);

        /* And tampering after pruning is still caught. */
        raw_sql(f, "DELETE FROM audit WHERE seq = (SELECT min(seq) FROM audit)");
        assert_false(check(f).ok);
}

static void pruning_is_batched(void **state) {
        struct store_fixture *f = *state;
        struct dl_actor sys = { DL_SOURCE_SYSTEM, NULL };
        int64_t first, last, prev_first;
        int prunes = 0;

        f->config.log_max_entries = 100;
        store_fixture_reopen(f);
        assert_int_equal(dl_store_audit_range(f->store, &prev_first, &last, NULL), 0);
        for (int i = 0; i < 200; i++) {
                assert_int_equal(dl_store_log_event(f->store, "log", &sys, 0, NULL, "test", NULL), 0);
                assert_int_equal(dl_store_audit_range(f->store, &first, &last, NULL), 0);
                if (first != prev_first) {
                        prunes++;
                        assert_true(first - prev_first >= 5);
                }
                prev_first = first;
                assert_true(last - first + 1 <= 100);
        }
        /* 200 appends, batches of 5: about 20 prunes, not 100. */
        assert_true(prunes > 0 && prunes <= 50);
        /* Each prune says so in the log itself. */
        assert_true(
                raw_int(f, "SELECT count(*) FROM audit WHERE event = 'log' AND details LIKE 'pruned%'") >=
                1);
        assert_true(check(f).ok);
}

struct collect {
        int n;
        int64_t last_seq;
};

static int collect_cb(const struct dl_audit_entry *e, void *userdata) {
        struct collect *c = userdata;

        assert_int_equal(e->seq, c->last_seq + 1);
        c->last_seq = e->seq;
        c->n++;
        return 0;
}

static void list_entries(void **state) {
        struct store_fixture *f = *state;
        struct collect c = {};

        make_history(f, 6);
        assert_int_equal(dl_store_audit_list(f->store, 0, 0, collect_cb, &c, NULL), 0);
        assert_int_equal(c.n, audit_head(f));
        c = (struct collect){ .last_seq = 2 };
        assert_int_equal(dl_store_audit_list(f->store, 2, 3, collect_cb, &c, NULL), 0);
        assert_int_equal(c.n, 3);
}

static int find_denied(const struct dl_audit_entry *e, void *userdata) {
        int *found = userdata;

        if (strcmp(e->event, "access-denied") == 0) {
                assert_string_equal(e->source, "keypad");
                assert_non_null(strstr(e->details, "unknown-code"));
                assert_string_equal(e->code_name, "");
                (*found)++;
        }
        if (strcmp(e->event, "access-granted") == 0) {
                assert_string_equal(e->code_name, "Alice");
                assert_true(e->code_id > 0);
        }
        return 0;
}

static void failed_attempts_are_logged(void **state) {
        struct store_fixture *f = *state;
        int found = 0;

        make_history(f, 6);
        assert_int_equal(dl_store_audit_list(f->store, 0, 0, find_denied, &found, NULL), 0);
        assert_int_equal(found, 2);
}

static int check_utf8(const struct dl_audit_entry *e, void *userdata) {
        (void)userdata;
        assert_true(dl_utf8_length(e->details, strlen(e->details)) >= 0);
        return 0;
}

static void long_details_cut_at_a_character(void **state) {
        struct store_fixture *f = *state;
        char details[400];

        /* 200 two-byte characters: the 255-byte cut lands mid-character. */
        for (size_t i = 0; i < 200; i++)
                memcpy(details + 2 * i, "\xc3\xa9", 2);
        details[400 - 1] = 0;
        details[398] = 0;
        assert_int_equal(dl_store_log_event(f->store, "log", NULL, 0, NULL, details, NULL), 0);
        assert_int_equal(dl_store_audit_list(f->store, 0, 0, check_utf8, NULL, NULL), 0);
        assert_true(check(f).ok);
}

static void event_names_validated(void **state) {
        struct store_fixture *f = *state;
        int64_t head = audit_head(f);

        assert_int_equal(dl_store_log_event(f->store, "", NULL, 0, NULL, "x", NULL), -EINVAL);
        assert_int_equal(dl_store_log_event(f->store, "a-name-that-is-far-too-long-for-an-event", NULL, 0,
                                            NULL, "x", NULL),
                         -EINVAL);
        assert_int_equal(audit_head(f), head);
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, store_fixture_setup_open, store_fixture_teardown)
                T(intact_chain_verifies),
                T(altered_entry_detected),
                T(altered_time_or_event_detected),
                T(altered_time_detected),
                T(deleted_entry_detected),
                T(truncated_newest_detected),
                T(forged_head_detected),
                T(deleted_oldest_detected),
                T(inserted_entry_detected),
                T(pruning_bounds_the_log_and_keeps_it_checkable),
                T(pruning_is_batched),
                T(list_entries),
                T(failed_attempts_are_logged),
                T(event_names_validated),
                T(long_details_cut_at_a_character),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
