/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The door-flap limiter (door-flap.c) and the operation causes
 * (lock-operation.c): pure logic, time passed in. */
#include "test-util.h"

#include <string.h>

#include "door-flap.h"
#include "lock-operation.h"

#define MSEC ((int64_t)1000)
#define SEC ((int64_t)1000000)
#define T0 (1000 * SEC)

static enum dl_door_state alternate(int i) {
        return i % 2 == 0 ? DL_DOOR_OPEN : DL_DOOR_CLOSED;
}

/* A person at the door: open, close, some seconds apart, all logged. */
static void test_normal_use_logged(void **state) {
        struct dl_door_flap f;
        struct dl_door_flap_summary sum;

        (void)state;
        dl_door_flap_init(&f);
        for (int i = 0; i < 100; i++) {
                assert_true(dl_door_flap_report(&f, T0 + 3 * SEC * i, alternate(i)));
                assert_int_equal(dl_door_flap_deadline(&f), 0);
                assert_false(dl_door_flap_tick(&f, T0 + 3 * SEC * i + SEC, &sum));
        }
        /* Four changes within 2 s (in, out, in, out) are still a person. */
        for (int i = 0; i < DL_DOOR_FLAP_MAX_CHANGES; i++)
                assert_true(dl_door_flap_report(&f, T0 + 400 * SEC + 400 * MSEC * i, alternate(i)));
        assert_false(dl_door_flap_active(&f));
}

/* 200 changes in one second: 4 logged, the rest counted, one summary when
 * it settles with the count and the last state; then logged again. */
static void test_flap_summed_up(void **state) {
        struct dl_door_flap f;
        struct dl_door_flap_summary sum;
        unsigned logged = 0;
        int64_t t = T0, last = 0;

        (void)state;
        dl_door_flap_init(&f);
        for (int i = 0; i < 200; i++) {
                last = t + 5 * MSEC * i;
                if (dl_door_flap_report(&f, last, alternate(i)))
                        logged++;
        }
        assert_int_equal(logged, DL_DOOR_FLAP_MAX_CHANGES);
        assert_true(dl_door_flap_active(&f));
        assert_int_equal(dl_door_flap_deadline(&f), last + DL_DOOR_FLAP_SETTLE_USEC);

        /* Not before it settled. */
        assert_false(dl_door_flap_tick(&f, last + DL_DOOR_FLAP_SETTLE_USEC - 1, &sum));
        assert_true(dl_door_flap_tick(&f, last + DL_DOOR_FLAP_SETTLE_USEC, &sum));
        assert_int_equal(sum.changes, 200 - DL_DOOR_FLAP_MAX_CHANGES);
        assert_int_equal(sum.first, t + 5 * MSEC * DL_DOOR_FLAP_MAX_CHANGES);
        assert_int_equal(sum.last, last);
        assert_int_equal(sum.door, DL_DOOR_CLOSED);
        assert_true(sum.settled);
        assert_false(dl_door_flap_active(&f));
        assert_int_equal(dl_door_flap_deadline(&f), 0);
        assert_false(dl_door_flap_tick(&f, last + 10 * SEC, &sum));

        /* Settled: the next change is an ordinary one. */
        assert_true(dl_door_flap_report(&f, last + 10 * SEC, DL_DOOR_OPEN));
}

/* A flap that never stops: one summary per interval, never one per change. */
static void test_endless_flap_periodic(void **state) {
        struct dl_door_flap f;
        struct dl_door_flap_summary sum;
        unsigned summaries = 0, logged = 0, counted = 0;
        int64_t t;

        (void)state;
        dl_door_flap_init(&f);
        /* 50 changes a second for 10 minutes. */
        for (t = T0; t < T0 + 600 * SEC; t += 20 * MSEC) {
                int64_t d = dl_door_flap_deadline(&f);

                if (d != 0 && d <= t && dl_door_flap_tick(&f, t, &sum)) {
                        assert_false(sum.settled);
                        counted += sum.changes;
                        summaries++;
                }
                if (dl_door_flap_report(&f, t, alternate((int)((t - T0) / (20 * MSEC)))))
                        logged++;
        }
        assert_int_equal(logged, DL_DOOR_FLAP_MAX_CHANGES);
        assert_in_range(summaries, 9, 10);
        assert_true(dl_door_flap_tick(&f, t + DL_DOOR_FLAP_SETTLE_USEC, &sum));
        assert_true(sum.settled);
        counted += sum.changes;
        assert_int_equal(logged + counted, 600 * 50);
}

/* The window's edge, and a limit of 0 (clamped to 1). */
static void test_window_edges(void **state) {
        struct dl_door_flap f;

        (void)state;
        dl_door_flap_init(&f);
        /* Changes exactly a window apart never count together. */
        for (int i = 0; i < 20; i++)
                assert_true(
                        dl_door_flap_report(&f, T0 + i * DL_DOOR_FLAP_WINDOW_USEC / 4 + i, alternate(i)));
        dl_door_flap_init(&f);
        f.max_changes = 0; /* clamped to 1 */
        assert_true(dl_door_flap_report(&f, T0, DL_DOOR_OPEN));
        assert_false(dl_door_flap_report(&f, T0 + 1, DL_DOOR_CLOSED));
}

static void test_cause_names(void **state) {
        static const char *const want[] = {
                "unspecified",        "code",         "emergency-code", "remote", "auto-relock",
                "timed-unlock-ended", "passage-mode", "manual",         "button", "phone",
        };

        (void)state;
        /* Stable names: added, never renamed or reordered in meaning. */
        assert_int_equal(_DL_LOCK_CAUSE_MAX, sizeof(want) / sizeof(want[0]));
        for (int i = 0; i < _DL_LOCK_CAUSE_MAX; i++) {
                assert_string_equal(dl_lock_cause_to_string((enum dl_lock_cause)i), want[i]);
                assert_int_equal(dl_lock_cause_from_string(want[i]), i);
        }
        assert_null(dl_lock_cause_to_string(_DL_LOCK_CAUSE_MAX));
        assert_null(dl_lock_cause_to_string(_DL_LOCK_CAUSE_INVALID));
        assert_int_equal(dl_lock_cause_from_string("Code"), _DL_LOCK_CAUSE_INVALID);
        assert_int_equal(dl_lock_cause_from_string(NULL), _DL_LOCK_CAUSE_INVALID);
}

static void test_describe(void **state) {
        struct dl_lock_operation op = { .unlock = true, .cause = DL_CAUSE_CODE, .code_id = 3 };
        char buf[DL_AUDIT_DETAILS_MAX];

        (void)state;
        strcpy(op.code_name, "Alice");
        assert_string_equal(dl_lock_operation_describe(&op, false, buf, sizeof(buf)),
                            "code: unlocked by code 3 (Alice)");
        assert_string_equal(dl_lock_operation_describe(&op, true, buf, sizeof(buf)),
                            "code: bolt is unlocked (by code 3 (Alice))");

        op = (struct dl_lock_operation){ .unlock = true, .cause = DL_CAUSE_REMOTE, .hold_usec = 60 * SEC };
        strcpy(op.who, "uid 0");
        assert_string_equal(dl_lock_operation_describe(&op, false, buf, sizeof(buf)),
                            "remote: unlocked by uid 0 for 60 s");
        op.unlock = false;
        assert_string_equal(dl_lock_operation_describe(&op, false, buf, sizeof(buf)),
                            "remote: locked by uid 0");

        op = (struct dl_lock_operation){ .cause = DL_CAUSE_AUTO_RELOCK };
        assert_string_equal(dl_lock_operation_describe(&op, false, buf, sizeof(buf)),
                            "auto-relock: locked by auto-relock");
        op.cause = DL_CAUSE_TIMED_UNLOCK_ENDED;
        assert_string_equal(dl_lock_operation_describe(&op, true, buf, sizeof(buf)),
                            "timed-unlock-ended: bolt is locked (at the end of a timed unlock)");
        op.cause = (enum dl_lock_cause)99;
        assert_string_equal(dl_lock_operation_describe(&op, false, buf, sizeof(buf)),
                            "unspecified: locked (cause unknown)");

        /* A small buffer is cut at a character boundary. */
        op = (struct dl_lock_operation){ .unlock = true, .cause = DL_CAUSE_CODE, .code_id = 1 };
        strcpy(op.code_name, "Zoë");
        dl_lock_operation_describe(&op, false, buf, 30);
        assert_string_equal(buf, "code: unlocked by code 1 (Zo");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_normal_use_logged),     cmocka_unit_test(test_flap_summed_up),
                cmocka_unit_test(test_endless_flap_periodic), cmocka_unit_test(test_window_edges),
                cmocka_unit_test(test_cause_names),           cmocka_unit_test(test_describe),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
