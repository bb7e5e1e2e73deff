/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "lockout.h"

#include <stdio.h>
#include <string.h>

#define SEC ((int64_t)1000000)
#define HOUR (3600 * SEC)
#define DAY (24 * HOUR)

static const struct dl_lockout_policy default_policy = {
        .attempts = DL_LOCKOUT_ATTEMPTS_DEFAULT,
        .first_usec = DL_LOCKOUT_FIRST_USEC_DEFAULT,
        .max_usec = DL_LOCKOUT_MAX_USEC_DEFAULT,
};

/* Some instant in 2026; lockout state uses 0 for "never". */
static int64_t t0(void) {
        return utc_usec(2026, 5, 4, 12, 0, 0);
}

static void assert_policy_invalid(unsigned attempts, int64_t first, int64_t max, const char *message) {
        const struct dl_lockout_policy p = { .attempts = attempts, .first_usec = first, .max_usec = max };
        struct dl_error err = {};

        assert_int_equal(dl_lockout_policy_check(&p, &err), -EINVAL);
        assert_int_equal(err.code, -EINVAL);
        if (!strstr(err.message, message))
                fail_msg("message \"%s\" does not contain \"%s\"", err.message, message);
        assert_int_equal(dl_lockout_policy_check(&p, NULL), -EINVAL);
}

static void assert_policy_valid(unsigned attempts, int64_t first, int64_t max) {
        const struct dl_lockout_policy p = { .attempts = attempts, .first_usec = first, .max_usec = max };
        struct dl_error err = {};

        if (dl_lockout_policy_check(&p, &err) != 0)
                fail_msg("policy %u/%lld/%lld refused: %s", attempts, (long long)first, (long long)max,
                         err.message);
}

static void test_policy_check(void **state) {
        (void)state;
        assert_policy_valid(DL_LOCKOUT_ATTEMPTS_DEFAULT, DL_LOCKOUT_FIRST_USEC_DEFAULT,
                            DL_LOCKOUT_MAX_USEC_DEFAULT);
        assert_policy_valid(1, SEC, SEC);
        assert_policy_valid(255, SEC, DAY);
        assert_policy_valid(3, DAY, DAY);

        assert_int_equal(dl_lockout_policy_check(NULL, NULL), -EINVAL);
        assert_policy_invalid(0, 30 * SEC, HOUR, "attempts 0 is out of range (1-255)");
        assert_policy_invalid(256, 30 * SEC, HOUR, "attempts 256 is out of range (1-255)");
        assert_policy_invalid(UINT32_MAX, 30 * SEC, HOUR, "out of range");
        assert_policy_invalid(5, SEC - 1, HOUR, "shorter than 1 s");
        assert_policy_invalid(5, 0, HOUR, "shorter than 1 s");
        assert_policy_invalid(5, -30 * SEC, HOUR, "shorter than 1 s");
        assert_policy_invalid(5, 60 * SEC, 30 * SEC, "shorter than the first");
        assert_policy_invalid(5, 30 * SEC, DAY + 1, "longer than 24 h");
        assert_policy_invalid(5, DAY + 1, DAY + 1, "longer than 24 h");
        assert_policy_invalid(5, 30 * SEC, INT64_MAX, "longer than 24 h");
}

static void test_duration_default(void **state) {
        const int64_t expected[] = {
                0,          0,          0,         0,         0, /* failures 0..4 */
                30 * SEC,                                        /* 5 */
                60 * SEC,   120 * SEC,  240 * SEC, 480 * SEC, 960 * SEC,
                1920 * SEC, 3600 * SEC, /* 12: 3840 s capped */
                3600 * SEC, 3600 * SEC,
        };

        (void)state;
        for (uint32_t n = 0; n < ELEMENTSOF(expected); n++)
                if (dl_lockout_duration(&default_policy, n) != expected[n])
                        fail_msg("duration(%u) = %lld, expected %lld", n,
                                 (long long)dl_lockout_duration(&default_policy, n), (long long)expected[n]);

        /* Huge counts: capped, no overflow (UBSan would trap a bad shift). */
        for (uint32_t n = 13; n < 200; n++)
                assert_int_equal(dl_lockout_duration(&default_policy, n), 3600 * SEC);
        assert_int_equal(dl_lockout_duration(&default_policy, 5 + 62), 3600 * SEC);
        assert_int_equal(dl_lockout_duration(&default_policy, 5 + 63), 3600 * SEC);
        assert_int_equal(dl_lockout_duration(&default_policy, 5 + 64), 3600 * SEC);
        assert_int_equal(dl_lockout_duration(&default_policy, 5 + 65), 3600 * SEC);
        assert_int_equal(dl_lockout_duration(&default_policy, UINT32_MAX - 1), 3600 * SEC);
        assert_int_equal(dl_lockout_duration(&default_policy, UINT32_MAX), 3600 * SEC);
        assert_int_equal(dl_lockout_duration(NULL, 10), 0);
}

static void test_duration_other_policies(void **state) {
        const struct dl_lockout_policy one = { .attempts = 1, .first_usec = SEC, .max_usec = DAY };
        const struct dl_lockout_policy flat = { .attempts = 3,
                                                .first_usec = 60 * SEC,
                                                .max_usec = 60 * SEC };
        const struct dl_lockout_policy many = { .attempts = 255, .first_usec = SEC, .max_usec = 10 * SEC };

        (void)state;
        /* 1 s << 16 = 65536 s < 86400 s; << 17 is capped. */
        assert_int_equal(dl_lockout_duration(&one, 0), 0);
        assert_int_equal(dl_lockout_duration(&one, 1), SEC);
        assert_int_equal(dl_lockout_duration(&one, 2), 2 * SEC);
        assert_int_equal(dl_lockout_duration(&one, 17), 65536 * SEC);
        assert_int_equal(dl_lockout_duration(&one, 18), DAY);
        for (uint32_t n = 18; n < 300; n++)
                assert_int_equal(dl_lockout_duration(&one, n), DAY);
        assert_int_equal(dl_lockout_duration(&one, UINT32_MAX), DAY);

        assert_int_equal(dl_lockout_duration(&flat, 2), 0);
        assert_int_equal(dl_lockout_duration(&flat, 3), 60 * SEC);
        assert_int_equal(dl_lockout_duration(&flat, 4), 60 * SEC);
        assert_int_equal(dl_lockout_duration(&flat, UINT32_MAX), 60 * SEC);

        assert_int_equal(dl_lockout_duration(&many, 254), 0);
        assert_int_equal(dl_lockout_duration(&many, 255), SEC);
        assert_int_equal(dl_lockout_duration(&many, 258), 8 * SEC);
        assert_int_equal(dl_lockout_duration(&many, 259), 10 * SEC);
}

static void test_record_default(void **state) {
        struct dl_lockout_state s = {};
        int64_t now = t0();
        int64_t expected = 30 * SEC;

        (void)state;
        for (uint32_t i = 1; i <= 4; i++) {
                assert_false(dl_lockout_record_failure(&default_policy, &s, now));
                assert_int_equal(s.failures, i);
                assert_int_equal(s.last_failure, now);
                assert_int_equal(s.lockout_until, 0);
                assert_false(dl_lockout_active(&s, now));
                now += 5 * SEC;
        }

        /* 5th: 30 s, then 60, 120, ... each waited out, capped at 1 h. */
        for (uint32_t i = 5; i <= 20; i++) {
                assert_true(dl_lockout_record_failure(&default_policy, &s, now));
                assert_int_equal(s.failures, i);
                assert_int_equal(s.last_failure, now);
                assert_int_equal(s.lockout_until, now + expected);
                assert_true(dl_lockout_active(&s, now));
                assert_true(dl_lockout_active(&s, now + expected - 1));
                assert_false(dl_lockout_active(&s, now + expected));
                now += expected;
                expected = MIN(2 * expected, HOUR);
        }
        assert_int_equal(expected, HOUR);
}

static void test_record_first_locks(void **state) {
        const struct dl_lockout_policy p = { .attempts = 1, .first_usec = 10 * SEC, .max_usec = 15 * SEC };
        struct dl_lockout_state s = {};
        int64_t now = t0();

        (void)state;
        assert_true(dl_lockout_record_failure(&p, &s, now));
        assert_int_equal(s.lockout_until, now + 10 * SEC);
        now += 10 * SEC;
        assert_true(dl_lockout_record_failure(&p, &s, now));
        assert_int_equal(s.lockout_until, now + 15 * SEC);
}

/* A failure counted while locked (which the caller should not do, since the
 * keypad is locked) still counts and restarts a longer lockout from now. */
static void test_record_while_active(void **state) {
        struct dl_lockout_state s = { .failures = 5,
                                      .last_failure = t0(),
                                      .lockout_until = t0() + 30 * SEC };

        (void)state;
        assert_true(dl_lockout_record_failure(&default_policy, &s, t0() + 10 * SEC));
        assert_int_equal(s.failures, 6);
        assert_int_equal(s.lockout_until, t0() + 70 * SEC);
}

static void test_record_saturates(void **state) {
        struct dl_lockout_state s = { .failures = UINT32_MAX - 1, .last_failure = t0() };
        int64_t now = t0() + SEC;

        (void)state;
        assert_true(dl_lockout_record_failure(&default_policy, &s, now));
        assert_int_equal(s.failures, UINT32_MAX);
        assert_int_equal(s.lockout_until, now + HOUR);
        now += HOUR;
        assert_true(dl_lockout_record_failure(&default_policy, &s, now));
        assert_int_equal(s.failures, UINT32_MAX);
        assert_int_equal(s.lockout_until, now + HOUR);

        /* lockout_until does not wrap at the end of time. */
        s = (struct dl_lockout_state){ .failures = 10, .last_failure = INT64_MAX - DAY };
        assert_true(dl_lockout_record_failure(&default_policy, &s, INT64_MAX - 10));
        assert_int_equal(s.lockout_until, INT64_MAX);
        assert_true(dl_lockout_active(&s, INT64_MAX - 1));
}

static void test_active_edges(void **state) {
        struct dl_lockout_state s = {};

        (void)state;
        assert_false(dl_lockout_active(&s, 0));
        assert_false(dl_lockout_active(&s, t0()));
        assert_false(dl_lockout_active(&s, -1)); /* 0 means not locked */
        assert_false(dl_lockout_active(NULL, t0()));

        s.lockout_until = t0();
        assert_true(dl_lockout_active(&s, t0() - 1));
        assert_true(dl_lockout_active(&s, INT64_MIN));
        assert_false(dl_lockout_active(&s, t0()));
        assert_false(dl_lockout_active(&s, t0() + 1));
        assert_false(dl_lockout_active(&s, INT64_MAX));
}

static void test_forget(void **state) {
        struct dl_lockout_state s = {};
        int64_t last;

        (void)state;
        for (int i = 0; i < 3; i++)
                dl_lockout_record_failure(&default_policy, &s, t0() + i * SEC);
        last = t0() + 2 * SEC;
        assert_int_equal(s.failures, 3);

        /* Not before 24 h. */
        assert_false(dl_lockout_forget(&s, last));
        assert_false(dl_lockout_forget(&s, last + HOUR));
        assert_false(dl_lockout_forget(&s, last + DL_LOCKOUT_FORGET_USEC - 1));
        assert_int_equal(s.failures, 3);
        assert_int_equal(s.last_failure, last);

        /* A clock set back forgets nothing. */
        assert_false(dl_lockout_forget(&s, last - DAY));
        assert_false(dl_lockout_forget(&s, INT64_MIN));
        assert_int_equal(s.failures, 3);

        /* Exactly 24 h. */
        assert_true(dl_lockout_forget(&s, last + DL_LOCKOUT_FORGET_USEC));
        assert_int_equal(s.failures, 0);
        assert_int_equal(s.last_failure, 0);
        assert_int_equal(s.lockout_until, 0);
        assert_false(dl_lockout_forget(&s, last + 2 * DL_LOCKOUT_FORGET_USEC));

        /* Nothing to forget. */
        s = (struct dl_lockout_state){};
        assert_false(dl_lockout_forget(&s, t0()));
        s = (struct dl_lockout_state){ .failures = 3, .last_failure = 0 };
        assert_false(dl_lockout_forget(&s, t0()));
        assert_int_equal(s.failures, 3);
        assert_false(dl_lockout_forget(NULL, t0()));

        /* Far apart values: no overflow in now - last_failure. */
        s = (struct dl_lockout_state){ .failures = 1, .last_failure = INT64_MIN };
        assert_true(dl_lockout_forget(&s, INT64_MAX));
        s = (struct dl_lockout_state){ .failures = 1, .last_failure = INT64_MAX };
        assert_false(dl_lockout_forget(&s, INT64_MIN));
}

static void test_forget_not_while_active(void **state) {
        /* A lockout that outlasts the forget period (clock trouble, or a
         * policy with a long maximum): the count stays until it is over. */
        struct dl_lockout_state s = {
                .failures = 12,
                .last_failure = t0(),
                .lockout_until = t0() + DL_LOCKOUT_FORGET_USEC + HOUR,
        };

        (void)state;
        assert_false(dl_lockout_forget(&s, t0() + DL_LOCKOUT_FORGET_USEC));
        assert_false(dl_lockout_forget(&s, t0() + DL_LOCKOUT_FORGET_USEC + HOUR - 1));
        assert_int_equal(s.failures, 12);
        assert_true(dl_lockout_forget(&s, t0() + DL_LOCKOUT_FORGET_USEC + HOUR));
        assert_int_equal(s.failures, 0);
        assert_int_equal(s.lockout_until, 0);
        assert_int_equal(s.last_failure, 0);
}

static void test_record_after_quiet_day(void **state) {
        struct dl_lockout_state s = {};
        int64_t now = t0();

        (void)state;
        for (int i = 0; i < 7; i++) {
                dl_lockout_record_failure(&default_policy, &s, now);
                now = MAX(now + 5 * SEC, s.lockout_until);
        }
        assert_int_equal(s.failures, 7);

        /* 24 h after the last failure, the next one counts as the first. */
        now = s.last_failure + DL_LOCKOUT_FORGET_USEC;
        assert_false(dl_lockout_record_failure(&default_policy, &s, now));
        assert_int_equal(s.failures, 1);
        assert_int_equal(s.lockout_until, 0);
        assert_int_equal(s.last_failure, now);

        /* One second less, and it would have been the 8th. */
        s = (struct dl_lockout_state){ .failures = 7,
                                       .last_failure = t0(),
                                       .lockout_until = t0() + 120 * SEC };
        now = t0() + DL_LOCKOUT_FORGET_USEC - SEC;
        assert_true(dl_lockout_record_failure(&default_policy, &s, now));
        assert_int_equal(s.failures, 8);
        assert_int_equal(s.lockout_until, now + 240 * SEC);
}

static void test_clear(void **state) {
        struct dl_lockout_state s = {};

        (void)state;
        assert_false(dl_lockout_clear(&s));
        assert_false(dl_lockout_clear(NULL));

        for (int i = 0; i < 6; i++)
                dl_lockout_record_failure(&default_policy, &s, t0() + i * SEC);
        assert_true(dl_lockout_active(&s, t0() + 6 * SEC));
        assert_true(dl_lockout_clear(&s));
        assert_int_equal(s.failures, 0);
        assert_int_equal(s.last_failure, 0);
        assert_int_equal(s.lockout_until, 0);
        assert_false(dl_lockout_active(&s, t0() + 6 * SEC));
        assert_false(dl_lockout_clear(&s));

        /* Any one field set is a change. */
        s = (struct dl_lockout_state){ .failures = 1 };
        assert_true(dl_lockout_clear(&s));
        s = (struct dl_lockout_state){ .last_failure = 1 };
        assert_true(dl_lockout_clear(&s));
        s = (struct dl_lockout_state){ .lockout_until = 1 };
        assert_true(dl_lockout_clear(&s));
        assert_int_equal(s.lockout_until, 0);

        /* After a clear the count starts over. */
        for (int i = 0; i < 4; i++)
                assert_false(dl_lockout_record_failure(&default_policy, &s, t0() + i * SEC));
}

/* Expected time to a first success for an attacker who types a guess every
 * 5 s while the keypad is open and otherwise waits out each lockout.  Each
 * submission succeeds with probability p (independently), so guess k is only
 * made with probability (1-p)^(k-1):
 *
 *   E[T] = sum over k of (1-p)^(k-1) * cost_k,
 *   cost_k = max(lockout remaining when guess k starts, 5 s).
 *
 * The counter is never forgotten: the attacker never pauses 24 h. */
#define TYPING_USEC (5 * SEC)

/* streams: counters guessed on in parallel, each with its own state under
 * the same policy (the keypad's and the network's): at each step every
 * counter takes one guess, so a step fails with (1-p)^streams. */
static double expected_days_parallel(const struct dl_lockout_policy *p, double p_success, unsigned streams) {
        struct dl_lockout_state s = {};
        int64_t now = t0();
        double survive = 1.0, expected_usec = 0.0;

        for (uint64_t k = 1; survive > 1e-15 && k < 100000000; k++) {
                int64_t cost = MAX(s.lockout_until - now, TYPING_USEC);

                now += cost;
                expected_usec += survive * (double)cost;
                dl_lockout_record_failure(p, &s, now);
                for (unsigned i = 0; i < streams; i++)
                        survive *= 1.0 - p_success;
        }
        assert_true(survive <= 1e-15);
        return expected_usec / (double)DAY;
}

static double expected_days_to_success(const struct dl_lockout_policy *p, double p_success) {
        return expected_days_parallel(p, p_success, 1);
}

/* cmocka's assert_float_equal() works in float: not precise enough here. */
static void assert_close(double got, double expected, double relative) {
        double diff = got > expected ? got - expected : expected - got;

        if (diff > relative * (expected > 0 ? expected : -expected))
                fail_msg("got %.12g, expected %.12g", got, expected);
}

static void test_brute_force_model(void **state) {
        /* Sanity checks of the model itself.  No lockout worth speaking of
         * (1 s after 255 tries is below the typing time): 5 s / p. */
        const struct dl_lockout_policy none = { .attempts = 255, .first_usec = SEC, .max_usec = SEC };
        /* Every guess locked for 1 h from the first: 1 h / p, minus the
         * first guess that costs only the typing time. */
        const struct dl_lockout_policy hourly = { .attempts = 1, .first_usec = HOUR, .max_usec = HOUR };
        double d;

        (void)state;
        assert_close(expected_days_to_success(&none, 1.0), 5.0 / 86400.0, 1e-12);
        d = expected_days_to_success(&none, 0.01);
        assert_close(d, 5.0 / 0.01 / 86400.0, 1e-9);
        d = expected_days_to_success(&hourly, 0.01);
        assert_close(d, (3600.0 / 0.01 - 3600.0 + 5.0) / 86400.0, 1e-9);
}

static void test_brute_force_default(void **state) {
        /* 200 stored six-digit PINs: each submission hits one of them with
         * p = 200/10^6.  With anti-peep on, a 16-digit submission tests 11
         * six-digit windows: p = 11 * 200/10^6. */
        const double p_plain = 200.0 / 1e6;
        const double p_antipeep = 11.0 * 200.0 / 1e6;
        double plain, antipeep;

        (void)state;
        plain = expected_days_to_success(&default_policy, p_plain);
        antipeep = expected_days_to_success(&default_policy, p_antipeep);

        /* The docs quote these two figures (security requirements S3 and
         * S12): keep the wording stable. */
        printf("# brute force, default lockout (5 tries, 30 s doubling to 1 h), 200 six-digit PINs: "
               "%.1f days expected to a first success\n",
               plain);
        printf("# brute force, same with anti-peep (16-digit entries, 11 PINs per submission): "
               "%.1f days expected to a first success\n",
               antipeep);

        assert_true(plain >= 100.0);
        /* No bar for anti-peep: it is stated, not required.  Just sane. */
        assert_true(antipeep > 0.0 && antipeep < plain);
}

static void test_brute_force_two_counters(void **state) {
        /* The keypad and the network (SubmitPin) each have a counter of
         * their own under the same policy: an attacker at both guesses on
         * both at once.  Network entries are never anti-peep (one PIN per
         * submission), so p stays 200/10^6 there. */
        const double p = 200.0 / 1e6;
        const double p_antipeep = 11.0 * 200.0 / 1e6;
        double one, two, antipeep;

        (void)state;
        one = expected_days_parallel(&default_policy, p, 1);
        two = expected_days_parallel(&default_policy, p, 2);
        /* Keypad with anti-peep and the network plain, step by step: the
         * same sum with a step's failure (1-11p)(1-p). */
        antipeep = expected_days_parallel(&default_policy, 1.0 - (1.0 - p_antipeep) * (1.0 - p), 1);

        /* docs/code-store.md quotes these: keep the wording stable. */
        printf("# brute force, default lockout on both counters (keypad and network), 200 six-digit PINs: "
               "%.1f days expected to a first success\n",
               two);
        printf("# brute force, same with anti-peep on at the keypad (the network never is): "
               "%.1f days expected to a first success\n",
               antipeep);

        /* Two streams: half the time of one, a little more (the cheap
         * start is shared). */
        assert_close(two, one / 2.0, 0.01);
        /* The goal of security.md S13: still >= 100 days with both. */
        assert_true(two >= 100.0);
        assert_true(antipeep > 0.0 && antipeep < two);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_policy_check),
                cmocka_unit_test(test_duration_default),
                cmocka_unit_test(test_duration_other_policies),
                cmocka_unit_test(test_record_default),
                cmocka_unit_test(test_record_first_locks),
                cmocka_unit_test(test_record_while_active),
                cmocka_unit_test(test_record_saturates),
                cmocka_unit_test(test_active_edges),
                cmocka_unit_test(test_forget),
                cmocka_unit_test(test_forget_not_while_active),
                cmocka_unit_test(test_record_after_quiet_day),
                cmocka_unit_test(test_clear),
                cmocka_unit_test(test_brute_force_model),
                cmocka_unit_test(test_brute_force_default),
                cmocka_unit_test(test_brute_force_two_counters),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
