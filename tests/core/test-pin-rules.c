/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "pin-rules.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

/* A scripted CSPRNG.  This definition of RAND_bytes() in the test binary
 * takes precedence over the one in libcrypto.so, so dl_pin_generate() can be
 * fed known bytes.  Unless a script is set it forwards to OpenSSL.
 *
 * Each call takes the next chunk, padded with 0xFF (a byte the rejection
 * sampling must throw away), so the results do not depend on how many bytes
 * dl_pin_generate() asks for at a time.  Once the chunks run out the call
 * fails, or the last chunk repeats if repeat_last is set. */
#define FAKE_RAND_CHUNKS_MAX 8
#define FAKE_RAND_CHUNK_MAX 64

static struct {
        bool active;
        bool repeat_last;
        size_t n_chunks;
        size_t next;
        unsigned calls;
        struct {
                size_t n;
                uint8_t bytes[FAKE_RAND_CHUNK_MAX];
        } chunk[FAKE_RAND_CHUNKS_MAX];
} fake_rand;

int RAND_bytes(unsigned char *buf, int num) {
        size_t i, k;

        if (!fake_rand.active)
                return RAND_bytes_ex(NULL, buf, (size_t)num, 0);

        fake_rand.calls++;
        if (num < 0)
                return 0;
        if (fake_rand.next >= fake_rand.n_chunks) {
                if (!fake_rand.repeat_last || fake_rand.n_chunks == 0)
                        return 0;
                k = fake_rand.n_chunks - 1;
        } else
                k = fake_rand.next++;

        for (i = 0; i < (size_t)num; i++)
                buf[i] = i < fake_rand.chunk[k].n ? fake_rand.chunk[k].bytes[i] : 0xFF;
        return 1;
}

static void fake_rand_reset(void) {
        memset(&fake_rand, 0, sizeof(fake_rand));
}

static void fake_rand_start(void) {
        fake_rand_reset();
        fake_rand.active = true;
}

static void fake_rand_add(const uint8_t *bytes, size_t n) {
        assert_true(fake_rand.n_chunks < FAKE_RAND_CHUNKS_MAX);
        assert_true(n <= FAKE_RAND_CHUNK_MAX);
        memcpy(fake_rand.chunk[fake_rand.n_chunks].bytes, bytes, n);
        fake_rand.chunk[fake_rand.n_chunks].n = n;
        fake_rand.n_chunks++;
}

#define FAKE_RAND_ADD(...)                                                                                  \
        fake_rand_add((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static int fake_rand_teardown(void **state) {
        (void)state;
        fake_rand_reset();
        return 0;
}

static bool all_zero(const char *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (p[i] != 0)
                        return false;
        return true;
}

static const struct dl_pin_policy policy_default = {
        .min_length = DL_PIN_MIN_LENGTH_DEFAULT,
        .max_length = DL_PIN_MAX_LENGTH_DEFAULT,
};

static const struct dl_pin_policy policy_widest = {
        .min_length = DL_PIN_LENGTH_FLOOR,
        .max_length = DL_PIN_LENGTH_CEILING,
};

static bool weak(const char *pin) {
        return dl_pin_is_weak(pin, strlen(pin));
}

/* dl_pin_check(), and make sure the message never holds the PIN. */
static int check(const struct dl_pin_policy *p, const char *pin) {
        struct dl_error err = {};
        int r;

        r = dl_pin_check(p, pin, &err);
        if (r < 0) {
                assert_int_equal(err.code, r);
                assert_true(err.message[0] != '\0');
                if (pin && strlen(pin) >= 3)
                        assert_null(strstr(err.message, pin));
        } else
                assert_int_equal(err.code, 0);
        return r;
}

/* ---- dl_pin_policy_check ---- */

static void test_policy_defaults(void **state) {
        (void)state;
        assert_int_equal(dl_pin_policy_check(&policy_default, NULL), 0);
        assert_int_equal(dl_pin_policy_check(&policy_widest, NULL), 0);
        assert_true(DL_PIN_LENGTH_FLOOR <= DL_PIN_MIN_LENGTH_DEFAULT);
        assert_true(DL_PIN_MIN_LENGTH_DEFAULT <= DL_PIN_GENERATED_LENGTH_DEFAULT);
        assert_true(DL_PIN_GENERATED_LENGTH_DEFAULT <= DL_PIN_MAX_LENGTH_DEFAULT);
        assert_true(DL_PIN_MAX_LENGTH_DEFAULT <= DL_PIN_LENGTH_CEILING);
}

static void test_policy_floor(void **state) {
        struct dl_error err = {};

        (void)state;
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 4, 10 }, NULL), 0);
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 4, 4 }, NULL), 0);
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 3, 10 }, &err), -EINVAL);
        assert_int_equal(err.code, -EINVAL);
        assert_non_null(strstr(err.message, "floor"));
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 0, 10 }, NULL), -EINVAL);
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 0, 0 }, NULL), -EINVAL);
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 1, 1 }, NULL), -EINVAL);
}

static void test_policy_ceiling(void **state) {
        struct dl_error err = {};

        (void)state;
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 6, 12 }, NULL), 0);
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 12, 12 }, NULL), 0);
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 6, 13 }, &err), -EINVAL);
        assert_int_equal(err.code, -EINVAL);
        assert_non_null(strstr(err.message, "ceiling"));
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 13, 13 }, NULL), -EINVAL);
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 6, ~0u }, NULL), -EINVAL);
}

static void test_policy_order(void **state) {
        struct dl_error err = {};

        (void)state;
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 6, 6 }, NULL), 0);
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 8, 6 }, &err), -EINVAL);
        assert_int_equal(err.code, -EINVAL);
        assert_true(err.message[0] != '\0');
        assert_int_equal(dl_pin_policy_check(&(struct dl_pin_policy){ 12, 4 }, NULL), -EINVAL);
        assert_int_equal(dl_pin_policy_check(NULL, NULL), -EINVAL);
        assert_int_equal(dl_pin_policy_check(NULL, &err), -EINVAL);
}

/* ---- dl_is_digits ---- */

static void test_is_digits(void **state) {
        (void)state;
        assert_true(dl_is_digits("0123456789", 10));
        assert_true(dl_is_digits("", 0));
        assert_true(dl_is_digits(NULL, 0));
        assert_false(dl_is_digits(NULL, 1));
        assert_false(dl_is_digits("12a4", 4));
        assert_false(dl_is_digits("12 4", 4));
        assert_false(dl_is_digits("-123", 4));
        assert_false(dl_is_digits("+123", 4));
        assert_false(dl_is_digits("123/", 4)); /* '/' is '0' - 1 */
        assert_false(dl_is_digits("123:", 4)); /* ':' is '9' + 1 */
        assert_false(dl_is_digits("12\0004", 4));
        assert_false(dl_is_digits("\xd9\xa1", 2));     /* ARABIC-INDIC DIGIT ONE */
        assert_false(dl_is_digits("\xef\xbc\x91", 3)); /* FULLWIDTH DIGIT ONE */
        /* Only the first n characters count. */
        assert_true(dl_is_digits("123abc", 3));
        assert_false(dl_is_digits("123abc", 4));
}

/* ---- dl_pin_is_weak ---- */

static void test_weak_all_same(void **state) {
        char pin[DL_PIN_LENGTH_CEILING + 1];

        (void)state;
        for (unsigned len = DL_PIN_LENGTH_FLOOR; len <= DL_PIN_LENGTH_CEILING; len++)
                for (int d = '0'; d <= '9'; d++) {
                        memset(pin, d, len);
                        pin[len] = '\0';
                        assert_true(dl_pin_is_weak(pin, len));
                        assert_int_equal(check(&policy_widest, pin), -EINVAL);
                }
        assert_true(weak("000000"));
        assert_true(weak("777777"));
        assert_true(weak("1111"));
}

static void test_weak_runs_up(void **state) {
        (void)state;
        assert_true(weak("1234"));
        assert_true(weak("123456"));
        assert_true(weak("012345"));
        assert_true(weak("456789"));
        assert_true(weak("0123456789"));
        assert_true(weak("345678901234"));
}

static void test_weak_runs_down(void **state) {
        (void)state;
        assert_true(weak("4321"));
        assert_true(weak("987654"));
        assert_true(weak("543210"));
        assert_true(weak("9876543210"));
        assert_true(weak("654321098765"));
}

static void test_weak_wrap(void **state) {
        (void)state;
        assert_true(weak("890123"));
        assert_true(weak("901234"));
        assert_true(weak("7890"));
        assert_true(weak("210987"));
        assert_true(weak("109876"));
        assert_true(weak("0987"));
        assert_true(weak("890123456789"));
}

/* Every weak PIN of a length, found by brute force, is exactly the 10 + 10 +
 * 10 the rule describes. */
static void test_weak_count(void **state) {
        char pin[5];
        unsigned n = 0;

        (void)state;
        for (unsigned v = 0; v < 10000; v++) {
                snprintf(pin, sizeof(pin), "%04u", v);
                if (dl_pin_is_weak(pin, 4))
                        n++;
        }
        assert_int_equal(n, 30);
}

static void test_not_weak(void **state) {
        (void)state;
        assert_false(weak("123457")); /* near-run */
        assert_false(weak("023456"));
        assert_false(weak("987653"));
        assert_false(weak("000001"));
        assert_false(weak("100000"));
        assert_false(weak("121212"));
        assert_false(weak("135791"));
        assert_false(weak("246802"));
        assert_false(weak("112233"));
        assert_false(weak("123321"));
        assert_false(weak("890124"));
        assert_false(weak("210986"));
        assert_false(weak("482915"));
        assert_false(weak("1235"));
        /* A run up that turns round is not a straight run. */
        assert_false(weak("123432"));
}

static void test_weak_degenerate(void **state) {
        (void)state;
        /* Nothing, or one digit, is trivially "all one digit". */
        assert_true(dl_pin_is_weak("", 0));
        assert_true(dl_pin_is_weak(NULL, 0));
        assert_true(dl_pin_is_weak("7", 1));
        assert_true(dl_pin_is_weak("12", 2));
        assert_false(dl_pin_is_weak("13", 2));
        /* Only the first n characters count. */
        assert_true(dl_pin_is_weak("1234569", 6));
        assert_false(dl_pin_is_weak("1234569", 7));
        /* Non-digits are not "weak"; dl_pin_check() refuses them anyway.
         * ':' - '9' == 1, so a naive step check would call this a run. */
        assert_false(weak("789:;<"));
        assert_false(weak("aaaaaa"));
        assert_false(weak("//////"));
}

/* ---- dl_pin_check ---- */

static void test_check_ok(void **state) {
        (void)state;
        assert_int_equal(check(&policy_default, "482915"), 0);
        assert_int_equal(check(&policy_default, "123457"), 0);
        assert_int_equal(check(&policy_default, "0000001"), 0);
        assert_int_equal(check(&policy_default, "1357924680"), 0);
}

static void test_check_length_bounds(void **state) {
        struct dl_error err = {};

        (void)state;
        /* Default 6..10. */
        assert_int_equal(check(&policy_default, "48291"), -ERANGE);
        assert_int_equal(check(&policy_default, "482915"), 0);
        assert_int_equal(check(&policy_default, "4829150371"), 0);
        assert_int_equal(check(&policy_default, "48291503712"), -ERANGE);

        /* Widest 4..12. */
        assert_int_equal(check(&policy_widest, "482"), -ERANGE);
        assert_int_equal(check(&policy_widest, "4829"), 0);
        assert_int_equal(check(&policy_widest, "482915037126"), 0);
        assert_int_equal(check(&policy_widest, "4829150371264"), -ERANGE);

        /* A single allowed length. */
        assert_int_equal(check(&(struct dl_pin_policy){ 8, 8 }, "48291503"), 0);
        assert_int_equal(check(&(struct dl_pin_policy){ 8, 8 }, "4829150"), -ERANGE);
        assert_int_equal(check(&(struct dl_pin_policy){ 8, 8 }, "482915037"), -ERANGE);

        /* Empty is too short, not a non-digit. */
        assert_int_equal(check(&policy_default, ""), -ERANGE);

        assert_int_equal(dl_pin_check(&policy_default, "48291", &err), -ERANGE);
        assert_int_equal(err.code, -ERANGE);
        assert_non_null(strstr(err.message, "6"));
        assert_non_null(strstr(err.message, "10"));
}

static void test_check_non_digits(void **state) {
        (void)state;
        assert_int_equal(check(&policy_default, "48291a"), -EINVAL);
        assert_int_equal(check(&policy_default, "a82915"), -EINVAL);
        assert_int_equal(check(&policy_default, "482 915"), -EINVAL);
        assert_int_equal(check(&policy_default, " 482915"), -EINVAL);
        assert_int_equal(check(&policy_default, "482915\n"), -EINVAL);
        assert_int_equal(check(&policy_default, "-482915"), -EINVAL);
        assert_int_equal(check(&policy_default, "4829.15"), -EINVAL);
        assert_int_equal(check(&policy_default, "482915#"), -EINVAL);
        assert_int_equal(check(&policy_default, "\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6"),
                         -EINVAL);
        /* Not digits wins over the wrong length. */
        assert_int_equal(check(&policy_default, "12a"), -EINVAL);
        assert_int_equal(check(&policy_default, "abcdefghijklmnop"), -EINVAL);
}

static void test_check_weak(void **state) {
        struct dl_error err = {};

        (void)state;
        assert_int_equal(check(&policy_default, "000000"), -EINVAL);
        assert_int_equal(check(&policy_default, "777777"), -EINVAL);
        assert_int_equal(check(&policy_default, "123456"), -EINVAL);
        assert_int_equal(check(&policy_default, "987654"), -EINVAL);
        assert_int_equal(check(&policy_default, "890123"), -EINVAL);
        assert_int_equal(check(&policy_default, "210987"), -EINVAL);
        assert_int_equal(check(&policy_default, "0123456789"), -EINVAL);
        assert_int_equal(check(&policy_widest, "1234"), -EINVAL);
        assert_int_equal(check(&policy_widest, "999999999999"), -EINVAL);

        assert_int_equal(dl_pin_check(&policy_default, "123456", &err), -EINVAL);
        assert_non_null(strstr(err.message, "guess"));
        assert_null(strstr(err.message, "123456"));
}

static void test_check_bad_args(void **state) {
        struct dl_error err = {};

        (void)state;
        assert_int_equal(check(&policy_default, NULL), -EINVAL);
        assert_int_equal(dl_pin_check(NULL, "482915", NULL), -EINVAL);
        assert_int_equal(check(&(struct dl_pin_policy){ 3, 10 }, "482915"), -EINVAL);
        assert_int_equal(check(&(struct dl_pin_policy){ 6, 13 }, "482915"), -EINVAL);
        assert_int_equal(check(&(struct dl_pin_policy){ 8, 6 }, "482915"), -EINVAL);
        /* NULL err is fine. */
        assert_int_equal(dl_pin_check(&policy_default, "48291a", NULL), -EINVAL);
        assert_int_equal(dl_pin_check(&policy_default, "48291", NULL), -ERANGE);
        assert_int_equal(dl_pin_check(&policy_default, "482915", NULL), 0);
        /* err is left alone on success. */
        assert_int_equal(dl_pin_check(&policy_default, "482915", &err), 0);
        assert_int_equal(err.code, 0);
}

/* ---- dl_pin_generate ---- */

static void test_generate_lengths(void **state) {
        (void)state;
        for (unsigned len = DL_PIN_LENGTH_FLOOR; len <= DL_PIN_LENGTH_CEILING; len++) {
                struct dl_pin_policy p = { len, len };

                for (unsigned i = 0; i < 200; i++) {
                        char pin[DL_PIN_LENGTH_CEILING + 1];

                        assert_int_equal(dl_pin_generate(len, pin, sizeof(pin)), 0);
                        assert_int_equal(strlen(pin), len);
                        assert_true(dl_is_digits(pin, len));
                        assert_false(dl_pin_is_weak(pin, len));
                        assert_int_equal(dl_pin_check(&p, pin, NULL), 0);
                }
        }
}

static void test_generate_default(void **state) {
        char pin[DL_PIN_GENERATED_LENGTH_DEFAULT + 1];

        (void)state;
        /* outsz == length + 1 is exactly enough. */
        assert_int_equal(dl_pin_generate(DL_PIN_GENERATED_LENGTH_DEFAULT, pin, sizeof(pin)), 0);
        assert_int_equal(strlen(pin), DL_PIN_GENERATED_LENGTH_DEFAULT);
        assert_int_equal(check(&policy_default, pin), 0);
}

/* Length 4 has the most weak PINs (30 in 10^4); none may ever come out. */
static void test_generate_never_weak(void **state) {
        char pin[5];

        (void)state;
        for (unsigned i = 0; i < 20000; i++) {
                assert_int_equal(dl_pin_generate(4, pin, sizeof(pin)), 0);
                assert_false(dl_pin_is_weak(pin, 4));
        }
}

/* 20000 digits: each digit is expected 2000 times with a standard deviation
 * of about 42, so 1700..2300 is more than 7 sigma either side.  Also check the
 * first and last position separately, and that PINs vary. */
static void test_generate_distribution(void **state) {
        unsigned count[10] = {}, first[10] = {}, last[10] = {};
        char prev[11] = "", pin[11];
        unsigned repeats = 0;

        (void)state;
        for (unsigned i = 0; i < 2000; i++) {
                assert_int_equal(dl_pin_generate(10, pin, sizeof(pin)), 0);
                for (unsigned j = 0; j < 10; j++)
                        count[pin[j] - '0']++;
                first[pin[0] - '0']++;
                last[pin[9] - '0']++;
                if (strcmp(pin, prev) == 0)
                        repeats++;
                memcpy(prev, pin, sizeof(pin));
        }

        for (unsigned d = 0; d < 10; d++) {
                assert_in_range(count[d], 1700, 2300);
                /* 2000 draws, 200 expected, sd about 13. */
                assert_in_range(first[d], 120, 280);
                assert_in_range(last[d], 120, 280);
        }
        assert_int_equal(repeats, 0);
}

/* Every 4-digit PIN that is not weak should turn up eventually; with 60000
 * draws over 9970 values, missing one is about e^-6 per value, so only ask
 * for most of them. */
static void test_generate_coverage(void **state) {
        _cleanup_free_ bool *seen = calloc(10000, sizeof(bool));
        char pin[5];
        unsigned distinct = 0;

        (void)state;
        assert_non_null(seen);
        for (unsigned i = 0; i < 60000; i++) {
                assert_int_equal(dl_pin_generate(4, pin, sizeof(pin)), 0);
                unsigned v = (unsigned)strtoul(pin, NULL, 10);
                if (!seen[v]) {
                        seen[v] = true;
                        distinct++;
                }
        }
        assert_in_range(distinct, 9800, 9970);
}

static void test_generate_bad_length(void **state) {
        char pin[32];

        (void)state;
        assert_int_equal(dl_pin_generate(0, pin, sizeof(pin)), -ERANGE);
        assert_int_equal(dl_pin_generate(1, pin, sizeof(pin)), -ERANGE);
        assert_int_equal(dl_pin_generate(DL_PIN_LENGTH_FLOOR - 1, pin, sizeof(pin)), -ERANGE);
        assert_int_equal(dl_pin_generate(DL_PIN_LENGTH_CEILING + 1, pin, sizeof(pin)), -ERANGE);
        assert_int_equal(dl_pin_generate(~0u, pin, sizeof(pin)), -ERANGE);
}

static void test_generate_bad_buffer(void **state) {
        char buf[16];

        (void)state;
        /* No room for the NUL. */
        memset(buf, 'x', sizeof(buf));
        assert_int_equal(dl_pin_generate(6, buf, 6), -EINVAL);
        assert_int_equal(dl_pin_generate(6, buf, 0), -EINVAL);
        assert_int_equal(dl_pin_generate(6, NULL, 7), -EINVAL);
        for (size_t i = 0; i < sizeof(buf); i++)
                assert_int_equal(buf[i], 'x');

        /* Nothing is written past length + 1. */
        assert_int_equal(dl_pin_generate(6, buf, 7), 0);
        assert_int_equal(strlen(buf), 6);
        for (size_t i = 7; i < sizeof(buf); i++)
                assert_int_equal(buf[i], 'x');
}

/* ---- dl_pin_generate with a scripted CSPRNG ---- */

/* Bytes 250..255 are thrown away; the rest map to b % 10. */
static void test_generate_rejection_sampling(void **state) {
        char pin[7];

        (void)state;
        fake_rand_start();
        FAKE_RAND_ADD(255, 250, 3, 254, 17, 251, 42, 249, 0, 252, 109, 253, 248, 7);
        assert_int_equal(dl_pin_generate(6, pin, sizeof(pin)), 0);
        /* 3, 17, 42, 249, 0, 109 -> 3 7 2 9 0 9 */
        assert_string_equal(pin, "372909");
        assert_int_equal(fake_rand.calls, 1);
}

/* 249 is the largest byte kept and maps to 9; 250 is the smallest one
 * dropped, even though it would map to 0. */
static void test_generate_rejection_edges(void **state) {
        char pin[5];

        (void)state;
        fake_rand_start();
        FAKE_RAND_ADD(250, 249, 250, 240, 250, 5, 250, 10);
        assert_int_equal(dl_pin_generate(4, pin, sizeof(pin)), 0);
        assert_string_equal(pin, "9050");
}

/* Only rejected bytes at first: more are asked for. */
static void test_generate_rejection_refill(void **state) {
        char pin[7];

        (void)state;
        fake_rand_start();
        FAKE_RAND_ADD(255);
        FAKE_RAND_ADD(250, 251, 1, 3);
        FAKE_RAND_ADD(5, 7, 9, 2);
        assert_int_equal(dl_pin_generate(6, pin, sizeof(pin)), 0);
        assert_string_equal(pin, "135792");
        assert_int_equal(fake_rand.calls, 3);
}

/* A weak draw is thrown away and a new PIN drawn. */
static void test_generate_regenerates_weak(void **state) {
        char pin[7];

        (void)state;
        fake_rand_start();
        FAKE_RAND_ADD(1, 2, 3, 4, 5, 6);
        FAKE_RAND_ADD(7, 7, 7, 7, 7, 7);
        FAKE_RAND_ADD(8, 9, 0, 1, 2, 3);
        FAKE_RAND_ADD(4, 8, 2, 9, 1, 5);
        assert_int_equal(dl_pin_generate(6, pin, sizeof(pin)), 0);
        assert_string_equal(pin, "482915");
        assert_int_equal(fake_rand.calls, 4);
}

/* A CSPRNG failure is -EIO, and nothing PIN-like is left in out. */
static void test_generate_rand_fails(void **state) {
        char pin[13];

        (void)state;
        fake_rand_start();
        memset(pin, 'x', sizeof(pin));
        assert_int_equal(dl_pin_generate(6, pin, sizeof(pin)), -EIO);
        assert_true(all_zero(pin, 7));
        assert_int_equal(fake_rand.calls, 1);

        /* Failing half way through a PIN. */
        fake_rand_start();
        FAKE_RAND_ADD(4, 8, 2);
        memset(pin, 'x', sizeof(pin));
        assert_int_equal(dl_pin_generate(6, pin, sizeof(pin)), -EIO);
        assert_true(all_zero(pin, 7));
        assert_int_equal(fake_rand.calls, 2);

        /* Failing after a weak draw. */
        fake_rand_start();
        FAKE_RAND_ADD(0, 0, 0, 0, 0, 0);
        memset(pin, 'x', sizeof(pin));
        assert_int_equal(dl_pin_generate(6, pin, sizeof(pin)), -EIO);
        assert_true(all_zero(pin, 7));
}

/* A CSPRNG stuck on one value never yields a weak PIN and does not loop
 * forever. */
static void test_generate_stuck_rand(void **state) {
        char pin[13];

        (void)state;
        fake_rand_start();
        fake_rand.repeat_last = true;
        FAKE_RAND_ADD(7);
        FAKE_RAND_ADD(7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7);
        memset(pin, 'x', sizeof(pin));
        assert_int_equal(dl_pin_generate(6, pin, sizeof(pin)), -EIO);
        assert_true(all_zero(pin, 7));
        assert_in_range(fake_rand.calls, 2, 10000);

        /* Stuck on a straight run. */
        fake_rand_start();
        fake_rand.repeat_last = true;
        FAKE_RAND_ADD(9, 8, 7, 6);
        assert_int_equal(dl_pin_generate(4, pin, sizeof(pin)), -EIO);
        assert_true(all_zero(pin, 5));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_policy_defaults),
                cmocka_unit_test(test_policy_floor),
                cmocka_unit_test(test_policy_ceiling),
                cmocka_unit_test(test_policy_order),
                cmocka_unit_test(test_is_digits),
                cmocka_unit_test(test_weak_all_same),
                cmocka_unit_test(test_weak_runs_up),
                cmocka_unit_test(test_weak_runs_down),
                cmocka_unit_test(test_weak_wrap),
                cmocka_unit_test(test_weak_count),
                cmocka_unit_test(test_not_weak),
                cmocka_unit_test(test_weak_degenerate),
                cmocka_unit_test(test_check_ok),
                cmocka_unit_test(test_check_length_bounds),
                cmocka_unit_test(test_check_non_digits),
                cmocka_unit_test(test_check_weak),
                cmocka_unit_test(test_check_bad_args),
                cmocka_unit_test(test_generate_lengths),
                cmocka_unit_test(test_generate_default),
                cmocka_unit_test(test_generate_never_weak),
                cmocka_unit_test(test_generate_distribution),
                cmocka_unit_test(test_generate_coverage),
                cmocka_unit_test(test_generate_bad_length),
                cmocka_unit_test(test_generate_bad_buffer),
                cmocka_unit_test_teardown(test_generate_rejection_sampling, fake_rand_teardown),
                cmocka_unit_test_teardown(test_generate_rejection_edges, fake_rand_teardown),
                cmocka_unit_test_teardown(test_generate_rejection_refill, fake_rand_teardown),
                cmocka_unit_test_teardown(test_generate_regenerates_weak, fake_rand_teardown),
                cmocka_unit_test_teardown(test_generate_rand_fails, fake_rand_teardown),
                cmocka_unit_test_teardown(test_generate_stuck_rand, fake_rand_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
