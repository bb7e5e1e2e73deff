/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rate-limit.c: the burst, the refill rate (with fractions of a token),
 * the cap, and a clock that jumps back or far ahead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the four above. */
#include <cmocka.h>

#include "rate-limit.h"

#define SEC UINT64_C(1000000)
#define T0 (UINT64_C(1764870000) * SEC)

static unsigned take_all(struct rate_limit *r, uint64_t now) {
        unsigned n = 0;

        while (rate_limit_take(r, now))
                if (++n > 1000000)
                        fail_msg("no limit");
        return n;
}

static void test_burst(void **state) {
        struct rate_limit r;

        (void)state;
        rate_limit_init(&r, 10, 20);
        assert_int_equal(take_all(&r, T0), 20);
        assert_false(rate_limit_take(&r, T0));
}

static void test_refill(void **state) {
        struct rate_limit r;

        (void)state;
        rate_limit_init(&r, 10, 20);
        assert_int_equal(take_all(&r, T0), 20);
        /* One token each 100 ms: not a µs earlier. */
        assert_false(rate_limit_take(&r, T0 + 99999));
        assert_true(rate_limit_take(&r, T0 + 100000));
        assert_false(rate_limit_take(&r, T0 + 100000));
        /* Fractions add up: ten 10 ms steps make one token. */
        for (int i = 1; i < 10; i++)
                assert_false(rate_limit_take(&r, T0 + 100000 + (uint64_t)i * 10000));
        assert_true(rate_limit_take(&r, T0 + 200000));
        /* A second later: ten. */
        assert_int_equal(take_all(&r, T0 + 1200000), 10);
        /* Sustained: 10 a second over a minute. */
        {
                unsigned n = 0;

                take_all(&r, T0 + 2 * SEC);

                for (uint64_t t = T0 + 2 * SEC; t < T0 + 62 * SEC; t += 1000)
                        n += rate_limit_take(&r, t);
                assert_in_range(n, 599, 600);
        }
}

static void test_cap(void **state) {
        struct rate_limit r;

        (void)state;
        rate_limit_init(&r, 10, 20);
        take_all(&r, T0);
        /* A long quiet time refills to the burst, no more. */
        assert_int_equal(take_all(&r, T0 + 3600 * SEC), 20);
        /* Even after the longest possible gap (no overflow). */
        assert_int_equal(take_all(&r, UINT64_MAX), 20);
        /* A very high rate does not overflow either. */
        rate_limit_init(&r, UINT32_MAX, 3);
        assert_int_equal(take_all(&r, T0), 3);
        assert_int_equal(take_all(&r, T0 + 1), 3);
        assert_int_equal(take_all(&r, UINT64_MAX), 3);
}

/* The clock going back gives nothing, and blocks no longer than the rate
 * says from the new time on. */
static void test_clock_back(void **state) {
        struct rate_limit r;

        (void)state;
        rate_limit_init(&r, 10, 20);
        take_all(&r, T0);
        assert_false(rate_limit_take(&r, T0 - 3600 * SEC));
        assert_false(rate_limit_take(&r, T0 - 3600 * SEC + 99999));
        assert_true(rate_limit_take(&r, T0 - 3600 * SEC + 100000));
        /* Stepping back again and again gives nothing. */
        for (int i = 0; i < 100; i++)
                assert_false(rate_limit_take(&r, T0 - 3600 * SEC - (uint64_t)i));
        /* Back to 0, then forward: measured from 0, so at most a burst, as
         * after any quiet time. */
        assert_false(rate_limit_take(&r, 0));
        assert_true(rate_limit_take(&r, 100000));
        assert_int_equal(take_all(&r, T0), 20);
}

static void test_edge_rates(void **state) {
        struct rate_limit r;

        (void)state;
        /* No refill: the burst, then nothing ever. */
        rate_limit_init(&r, 0, 2);
        assert_int_equal(take_all(&r, T0), 2);
        assert_int_equal(take_all(&r, T0 + 3600 * SEC), 0);
        /* No burst: nothing. */
        rate_limit_init(&r, 10, 0);
        assert_int_equal(take_all(&r, T0), 0);
        assert_int_equal(take_all(&r, T0 + 3600 * SEC), 0);
        /* One a second, burst one. */
        rate_limit_init(&r, 1, 1);
        assert_true(rate_limit_take(&r, 0));
        assert_false(rate_limit_take(&r, SEC - 1));
        assert_true(rate_limit_take(&r, SEC));
        /* The first call's time starts the clock: time 0 is fine. */
        rate_limit_init(&r, 1, 1);
        assert_true(rate_limit_take(&r, 5 * SEC));
        assert_false(rate_limit_take(&r, 5 * SEC));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_burst),      cmocka_unit_test(test_refill),
                cmocka_unit_test(test_cap),        cmocka_unit_test(test_clock_back),
                cmocka_unit_test(test_edge_rates),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
