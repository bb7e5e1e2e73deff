/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon/ble/pairing.c: what a window is opened with: pairing codes and QR
 * secrets from an injected random source (rejection sampling, base32), and
 * the registration record against tools/ble-vectors.py's vectors
 * (tests/ble/ble-vectors.h).  The window's rules: test-pairing.c. */
#include "ble-test-util.h"

#include <errno.h>

#include "ble-vectors.h"
#include "macro.h"
#include "pairing.h"
#include "spake2plus.h"

static void test_code(void **state) {
        uint8_t script[12];
        struct test_rand r;
        char code[9];
        unsigned counts[10] = { 0 };

        (void)state;
        unhex(VEC_CODE_RANDOM, script, sizeof(script));
        r = (struct test_rand){ .script = script, .script_len = sizeof(script) };
        assert_int_equal(ble_pairing_code_new(test_rand_fill, &r, code), 0);
        assert_string_equal(code, VEC_CODE);
        assert_int_equal(r.calls, 3);

        /* 4,199,999,999 is taken: 99,999,999 */
        {
                static const uint8_t top[4] = { 0xfa, 0x56, 0xe9, 0xff };

                r = (struct test_rand){ .script = top, .script_len = 4 };
                assert_int_equal(ble_pairing_code_new(test_rand_fill, &r, code), 0);
                assert_string_equal(code, "99999999");
        }
        /* leading zeros kept */
        {
                static const uint8_t small[4] = { 0, 0, 0, 7 };

                r = (struct test_rand){ .script = small, .script_len = 4 };
                assert_int_equal(ble_pairing_code_new(test_rand_fill, &r, code), 0);
                assert_string_equal(code, "00000007");
        }
        /* only rejections: -EIO after 32 draws */
        {
                static uint8_t ff[32 * 4];

                memset(ff, 0xff, sizeof(ff));
                r = (struct test_rand){ .script = ff, .script_len = sizeof(ff) };
                assert_int_equal(ble_pairing_code_new(test_rand_fill, &r, code), -EIO);
                assert_int_equal(r.calls, 32);
        }
        r = (struct test_rand){ .seed = 1, .fail_after = 0 };
        r.fail_after = 0;
        assert_int_equal(ble_pairing_code_new(NULL, &r, code), -EINVAL);
        r = (struct test_rand){ .seed = 1 };
        r.calls = 0;
        r.fail_after = 0;
        /* every digit occurs, each position: a coarse sanity check */
        for (int i = 0; i < 2000; i++) {
                assert_int_equal(ble_pairing_code_new(test_rand_fill, &r, code), 0);
                assert_int_equal(strlen(code), 8);
                for (int d = 0; d < 8; d++) {
                        assert_true(code[d] >= '0' && code[d] <= '9');
                        counts[code[d] - '0']++;
                }
        }
        for (int d = 0; d < 10; d++)
                assert_in_range(counts[d], 1400, 1800); /* 1600 expected */
        /* and the OS source */
        assert_int_equal(ble_pairing_code_new(ble_random_os, NULL, code), 0);
        assert_int_equal(strlen(code), 8);
}

static int failing(void *userdata, void *buf, size_t n) {
        (void)userdata;
        (void)buf;
        (void)n;
        return -EIO;
}

static void test_qr_secret(void **state) {
        uint8_t script[16];
        struct test_rand r;
        char secret[BLE_PAIRING_QR_CHARS + 1];

        (void)state;
        unhex(VEC_QR_RANDOM, script, sizeof(script));
        r = (struct test_rand){ .script = script, .script_len = sizeof(script) };
        assert_int_equal(ble_pairing_qr_secret_new(test_rand_fill, &r, secret), 0);
        assert_string_equal(secret, VEC_QR);
        r = (struct test_rand){ .zeros = true };
        assert_int_equal(ble_pairing_qr_secret_new(test_rand_fill, &r, secret), 0);
        assert_string_equal(secret, "AAAAAAAAAAAAAAAAAAAAAAAAAA");
        memset(script, 0xff, sizeof(script));
        r = (struct test_rand){ .script = script, .script_len = sizeof(script) };
        assert_int_equal(ble_pairing_qr_secret_new(test_rand_fill, &r, secret), 0);
        /* 128 one bits: 25 '7's and a last character with 3 bits: 11100 */
        assert_string_equal(secret, "7777777777777777777777777"
                                    "4");
        assert_int_equal(ble_pairing_qr_secret_new(failing, NULL, secret), -EIO);
}

/* A record from the code with the vectors' salt, as the lock makes it. */
static void test_record_new(void **state) {
        uint8_t salt[16];
        struct test_rand r;
        struct ble_pairing_record rec;

        (void)state;
        unhex(VEC_SALT, salt, sizeof(salt));
        r = (struct test_rand){ .script = salt, .script_len = sizeof(salt) };
        assert_int_equal(ble_pairing_record_new(VEC_CODE, strlen(VEC_CODE), test_rand_fill, &r, &rec), 0);
        assert_hex_equal(rec.w0, 32, VEC_CODE_W0);
        assert_hex_equal(rec.L, 65, VEC_CODE_L);
        assert_hex_equal(rec.salt, 16, VEC_SALT);
        assert_int_equal(ble_pairing_record_new(VEC_CODE, 8, failing, NULL, &rec), -EIO);
        assert_int_equal(ble_pairing_record_new("", 0, test_rand_fill, &r, &rec), -EINVAL);
}

/* The QR path end to end: the secret is the password. */

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_code),
                cmocka_unit_test(test_qr_secret),
                cmocka_unit_test(test_record_new),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
