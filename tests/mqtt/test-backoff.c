/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reconnect backoff: the ceiling doubles from ReconnectMin to ReconnectMax
 * and stays there, each wait is jittered in [min/2, ceiling] by the
 * injected random value, a success starts again from the minimum; the
 * log's prefix (journal priority or program name). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the four above. */
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backoff.h"
#include "log.h"

#define SEC UINT64_C(1000000)

static void test_doubling_capped(void **state) {
        struct backoff b;

        uint64_t expect[] = { 1, 2, 4, 8, 16, 32, 60, 60, 60 };

        (void)state;
        backoff_init(&b, 1 * SEC, 60 * SEC);
        for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
                /* random % (ceiling - floor + 1) == ceiling - floor: the ceiling */
                uint64_t floor = SEC / 2;
                uint64_t r = expect[i] * SEC - floor;
                assert_int_equal(backoff_next(&b, r), expect[i] * SEC);
                assert_int_equal(b.current_usec, expect[i] * SEC);
        }
}

static void test_jitter_range(void **state) {
        struct backoff b;
        uint64_t x = 88172645463325252ULL; /* xorshift64 */

        (void)state;
        backoff_init(&b, 2 * SEC, 30 * SEC);
        for (int i = 0; i < 10000; i++) {
                uint64_t w;
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                w = backoff_next(&b, x);
                assert_true(w >= 1 * SEC);
                assert_true(w <= b.current_usec);
                assert_true(b.current_usec <= 30 * SEC);
        }
        /* random 0: the floor, half the minimum */
        assert_int_equal(backoff_next(&b, 0), 1 * SEC);
        assert_int_equal(backoff_next(&b, UINT64_MAX) <= 30 * SEC, 1);
}

static void test_reset(void **state) {
        struct backoff b;

        (void)state;
        backoff_init(&b, 1 * SEC, 8 * SEC);
        for (int i = 0; i < 10; i++)
                (void)backoff_next(&b, 0);
        assert_int_equal(b.current_usec, 8 * SEC);
        backoff_reset(&b);
        assert_int_equal(backoff_next(&b, UINT64_MAX / 2), SEC / 2 + (UINT64_MAX / 2) % (SEC / 2 + 1));
        assert_int_equal(b.current_usec, 1 * SEC);
}

static void test_bounds_fixed(void **state) {
        struct backoff b;

        (void)state;
        backoff_init(&b, 0, 0); /* min 0 is 1 µs, max below min is min */
        assert_int_equal(b.min_usec, 1);
        assert_int_equal(b.max_usec, 1);
        assert_true(backoff_next(&b, 12345) <= 1);
        backoff_init(&b, 10 * SEC, 5 * SEC);
        assert_int_equal(b.max_usec, 10 * SEC);
        assert_int_equal(backoff_next(&b, 0), 5 * SEC);
        assert_int_equal(backoff_next(&b, 0), 5 * SEC);
        assert_int_equal(b.current_usec, 10 * SEC);
        /* a huge max does not overflow on doubling */
        backoff_init(&b, 1, UINT64_MAX);
        for (int i = 0; i < 70; i++)
                (void)backoff_next(&b, i);
        assert_int_equal(b.current_usec, UINT64_MAX);
}

/* log_msg() to a file standing in for stderr, with and without
 * JOURNAL_STREAM naming it. */
static void capture(const char *journal, int level, char *out, size_t outlen) {
        char path[] = "/tmp/test-backoff-log-XXXXXX";
        int fd = mkstemp(path), saved = dup(STDERR_FILENO);
        struct stat st;
        char env[64];
        ssize_t n;

        assert_true(fd >= 0 && saved >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        if (journal && strcmp(journal, "self") == 0) {
                snprintf(env, sizeof env, "%llu:%llu", (unsigned long long)st.st_dev,
                         (unsigned long long)st.st_ino);
                setenv("JOURNAL_STREAM", env, 1);
        } else if (journal)
                setenv("JOURNAL_STREAM", journal, 1);
        else
                unsetenv("JOURNAL_STREAM");
        fflush(stderr);
        assert_true(dup2(fd, STDERR_FILENO) >= 0);
        log_reset_target();
        log_msg(level, "hello %d\nworld", 42);
        log_msg(LOG_DEBUG, "debug line");
        fflush(stderr);
        assert_true(dup2(saved, STDERR_FILENO) >= 0);
        close(saved);
        n = pread(fd, out, outlen - 1, 0);
        assert_true(n >= 0);
        out[n] = '\0';
        close(fd);
        unlink(path);
        unsetenv("JOURNAL_STREAM");
        log_reset_target();
}

static void test_log_prefix(void **state) {
        char out[256];

        (void)state;
        log_set_max_level(LOG_INFO);
        capture(NULL, LOG_WARNING, out, sizeof out);
        assert_string_equal(out, "doorlockd-mqtt: hello 42 world\n");
        capture("self", LOG_ERR, out, sizeof out);
        assert_string_equal(out, "<3>hello 42 world\n");
        capture("1:2", LOG_INFO, out, sizeof out); /* another stream: not the journal */
        assert_string_equal(out, "doorlockd-mqtt: hello 42 world\n");
        capture("garbage", LOG_INFO, out, sizeof out);
        assert_string_equal(out, "doorlockd-mqtt: hello 42 world\n");
        log_set_max_level(LOG_DEBUG);
        capture("self", LOG_INFO, out, sizeof out);
        assert_string_equal(out, "<6>hello 42 world\n<7>debug line\n");
        log_set_max_level(LOG_ERR);
        capture(NULL, LOG_WARNING, out, sizeof out);
        assert_string_equal(out, "");
        assert_int_equal(log_get_max_level(), LOG_ERR);
        log_set_max_level(LOG_INFO);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_doubling_capped), cmocka_unit_test(test_jitter_range),
                cmocka_unit_test(test_reset),           cmocka_unit_test(test_bounds_fixed),
                cmocka_unit_test(test_log_prefix),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
