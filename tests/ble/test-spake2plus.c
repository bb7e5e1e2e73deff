/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon/ble/spake2plus.c: RFC 9383's Appendix C vector for
 * P256-SHA256-HKDF-SHA256-HMAC-SHA256, every value, both roles; our own
 * vectors (scrypt registration, a run on our context) as
 * tools/ble-vectors.py prints them (tests/ble/ble-vectors.h); every share
 * refusal; the all-zero peer-key vectors; the order of calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <stdio.h>
#include <string.h>

#include "ble-test-util.h"
#include "ble-vectors.h"
#include "spake2plus.h"

/* RFC 9383 Appendix C, "SPAKE2+-P256-SHA256-HKDF-SHA256-HMAC-SHA256 Test
 * Vectors", verbatim (hex as the RFC prints it). */
#define RFC_CONTEXT "SPAKE2+-P256-SHA256-HKDF-SHA256-HMAC-SHA256 Test Vectors"
#define RFC_ID_PROVER "client"
#define RFC_ID_VERIFIER "server"
#define RFC_W0 "bb8e1bbcf3c48f62c08db243652ae55d3e5586053fca77102994f23ad95491b3"
#define RFC_W1 "7e945f34d78785b8a3ef44d0df5a1a97d6b3b460409a345ca7830387a74b1dba"
#define RFC_L                                                                                               \
        "04eb7c9db3d9a9eb1f8adab81b5794c1f13ae3e225efbe91ea487425854c7fc00f00bfedcbd09b2400142d40a14f2064e" \
        "f31df"                                                                                             \
        "aa903b91d1faea7093d835966efd"
#define RFC_X "d1232c8e8693d02368976c174e2088851b8365d0d79a9eee709c6a05a2fad539"
#define RFC_SHARE_P                                                                                         \
        "04ef3bd051bf78a2234ec0df197f7828060fe9856503579bb1733009042c15c0c1de127727f418b5966afadfdd95a6e45" \
        "91d17"                                                                                             \
        "1056b333dab97a79c7193e341727"
#define RFC_Y "717a72348a182085109c8d3917d6c43d59b224dc6a7fc4f0483232fa6516d8b3"
#define RFC_SHARE_V                                                                                         \
        "04c0f65da0d11927bdf5d560c69e1d7d939a05b0e88291887d679fcadea75810fb5cc1ca7494db39e82ff2f50665255d7" \
        "6173e"                                                                                             \
        "09986ab46742c798a9a68437b048"
#define RFC_Z                                                                                               \
        "04bbfce7dd7f277819c8da21544afb7964705569bdf12fb92aa388059408d50091a0c5f1d3127f56813b5337f9e4e67e2" \
        "ca633"                                                                                             \
        "117a4fbd559946ab474356c41839"
#define RFC_V                                                                                               \
        "0458bf27c6bca011c9ce1930e8984a797a3419797b936629a5a937cf2f11c8b9514b82b993da8a46e664f23db7c01edc8" \
        "7faa5"                                                                                             \
        "30db01c2ee405230b18997f16b68"
#define RFC_TT                                                                                              \
        "38000000000000005350414b45322b2d503235362d5348413235362d484b44462d5348413235362d484d41432d5348413" \
        "23536"                                                                                             \
        "205465737420566563746f72730600000000000000636c69656e740600000000000000736572766572410000000000000" \
        "00488"                                                                                             \
        "6e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f5ff355163e43ce224e0b0e65ff02ac8e5c7" \
        "be094"                                                                                             \
        "19c785e0ca547d55a12e2d20410000000000000004d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98b" \
        "aa129"                                                                                             \
        "2b4907d60aa6bfade45008a636337f5168c64d9bd36034808cd564490b1e656edbe7410000000000000004ef3bd051bf7" \
        "8a223"                                                                                             \
        "4ec0df197f7828060fe9856503579bb1733009042c15c0c1de127727f418b5966afadfdd95a6e4591d171056b333dab97" \
        "a79c7"                                                                                             \
        "193e341727410000000000000004c0f65da0d11927bdf5d560c69e1d7d939a05b0e88291887d679fcadea75810fb5cc1c" \
        "a7494"                                                                                             \
        "db39e82ff2f50665255d76173e09986ab46742c798a9a68437b048410000000000000004bbfce7dd7f277819c8da21544" \
        "afb79"                                                                                             \
        "64705569bdf12fb92aa388059408d50091a0c5f1d3127f56813b5337f9e4e67e2ca633117a4fbd559946ab474356c4183" \
        "94100"                                                                                             \
        "0000000000000458bf27c6bca011c9ce1930e8984a797a3419797b936629a5a937cf2f11c8b9514b82b993da8a46e664f" \
        "23db7"                                                                                             \
        "c01edc87faa530db01c2ee405230b18997f16b682000000000000000bb8e1bbcf3c48f62c08db243652ae55d3e5586053" \
        "fca77"                                                                                             \
        "102994f23ad95491b3"
#define RFC_K_MAIN "4c59e1ccf2cfb961aa31bd9434478a1089b56cd11542f53d3576fb6c2a438a29"
#define RFC_K_CONFIRM_P "871ae3f7b78445e34438fb284504240239031c39d80ac23eb5ab9be5ad6db58a"
#define RFC_K_CONFIRM_V "ccd53c7c1fa37b64a462b40db8be101cedcf838950162902054e644b400f1680"
#define RFC_CONFIRM_P "926cc713504b9b4d76c9162ded04b5493e89109f6d89462cd33adc46fda27527"
#define RFC_CONFIRM_V "9747bcc4f8fe9f63defee53ac9b07876d907d55047e6ff2def2e7529089d3e68"
#define RFC_K_SHARED "0c5f8ccd1413423a54f6c1fb26ff01534a87f893779c6e68666d772bfd91f3e7"
/* Section 4: M and N for P-256, compressed. */
#define RFC_M "02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f"
#define RFC_N "03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49"

#define CTX_ARGS(c, p, v)                                                                                   \
        (const uint8_t *)(c), strlen(c), (const uint8_t *)(p), strlen(p), (const uint8_t *)(v), strlen(v)

struct rfc {
        uint8_t w0[32], w1[32], L[65], x[32], y[32];
};

static void rfc_load(struct rfc *v) {
        unhex(RFC_W0, v->w0, sizeof(v->w0));
        unhex(RFC_W1, v->w1, sizeof(v->w1));
        unhex(RFC_L, v->L, sizeof(v->L));
        unhex(RFC_X, v->x, sizeof(v->x));
        unhex(RFC_Y, v->y, sizeof(v->y));
}

/* M and N as compiled in are the RFC's compressed points. */
static void test_rfc_m_n(void **state) {
        EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
        EC_POINT *p = EC_POINT_new(g);
        uint8_t comp[33], out[65];

        (void)state;
        assert_non_null(g);
        assert_non_null(p);
        unhex(RFC_M, comp, sizeof(comp));
        assert_int_equal(EC_POINT_oct2point(g, p, comp, sizeof(comp), NULL), 1);
        assert_int_equal(EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, out, sizeof(out), NULL),
                         65);
        assert_memory_equal(out, ble_spake_M, 65);
        unhex(RFC_N, comp, sizeof(comp));
        assert_int_equal(EC_POINT_oct2point(g, p, comp, sizeof(comp), NULL), 1);
        assert_int_equal(EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, out, sizeof(out), NULL),
                         65);
        assert_memory_equal(out, ble_spake_N, 65);
        EC_POINT_free(p);
        EC_GROUP_free(g);
}

static void test_rfc_L(void **state) {
        struct rfc v;
        uint8_t L[65];

        (void)state;
        rfc_load(&v);
        assert_int_equal(ble_spake_compute_L(v.w1, L), 0);
        assert_hex_equal(L, 65, RFC_L);
}

/* Both roles, every value of the vector. */
static void test_rfc_vector(void **state) {
        struct rfc v;
        struct ble_spake prover, verifier;
        struct ble_spake_trace tp = { 0 }, tv = { 0 };
        uint8_t share_p[65], share_v[65], confirm_v[32], confirm_p[32], key_p[32], key_v[32];

        (void)state;
        rfc_load(&v);
        prover.trace = &tp;
        verifier.trace = &tv;
        assert_int_equal(ble_spake_prover_init(
                                 &prover, CTX_ARGS(RFC_CONTEXT, RFC_ID_PROVER, RFC_ID_VERIFIER), v.w0, v.w1),
                         0);
        assert_int_equal(ble_spake_verifier_init(&verifier,
                                                 CTX_ARGS(RFC_CONTEXT, RFC_ID_PROVER, RFC_ID_VERIFIER), v.w0,
                                                 v.L),
                         0);

        assert_int_equal(ble_spake_prover_start_scalar(&prover, v.x, share_p), 0);
        assert_hex_equal(share_p, 65, RFC_SHARE_P);

        assert_int_equal(ble_spake_verifier_respond_scalar(&verifier, share_p, 65, v.y, share_v, confirm_v),
                         0);
        assert_hex_equal(share_v, 65, RFC_SHARE_V);
        assert_hex_equal(tv.z, 65, RFC_Z);
        assert_hex_equal(tv.v, 65, RFC_V);
        assert_int_equal(tv.tt_len, 570);
        assert_hex_equal(tv.tt, tv.tt_len, RFC_TT);
        assert_hex_equal(tv.k_main, 32, RFC_K_MAIN);
        assert_hex_equal(tv.k_confirm_p, 32, RFC_K_CONFIRM_P);
        assert_hex_equal(tv.k_confirm_v, 32, RFC_K_CONFIRM_V);
        assert_hex_equal(confirm_v, 32, RFC_CONFIRM_V);

        assert_int_equal(ble_spake_prover_finish(&prover, share_v, 65, confirm_v, 32, confirm_p, key_p), 0);
        assert_hex_equal(tp.z, 65, RFC_Z);
        assert_hex_equal(tp.v, 65, RFC_V);
        assert_int_equal(tp.tt_len, 570);
        assert_hex_equal(tp.tt, tp.tt_len, RFC_TT);
        assert_hex_equal(tp.k_main, 32, RFC_K_MAIN);
        assert_hex_equal(tp.k_confirm_p, 32, RFC_K_CONFIRM_P);
        assert_hex_equal(tp.k_confirm_v, 32, RFC_K_CONFIRM_V);
        assert_hex_equal(confirm_p, 32, RFC_CONFIRM_P);
        assert_hex_equal(key_p, 32, RFC_K_SHARED);

        assert_int_equal(ble_spake_verifier_finish(&verifier, confirm_p, 32, key_v), 0);
        assert_hex_equal(key_v, 32, RFC_K_SHARED);

        ble_spake_wipe(&prover);
        ble_spake_wipe(&verifier);
}

/* The RFC's confirmations fed in from the text, not from our own side:
 * each role accepts the other's published value. */
static void test_rfc_confirms_from_text(void **state) {
        struct rfc v;
        struct ble_spake prover = { 0 }, verifier = { 0 };
        uint8_t share_p[65], share_v[65], confirm_v[32], confirm_p[32], key[32];

        (void)state;
        rfc_load(&v);
        assert_int_equal(ble_spake_prover_init(
                                 &prover, CTX_ARGS(RFC_CONTEXT, RFC_ID_PROVER, RFC_ID_VERIFIER), v.w0, v.w1),
                         0);
        assert_int_equal(ble_spake_prover_start_scalar(&prover, v.x, share_p), 0);
        unhex(RFC_SHARE_V, share_v, 65);
        unhex(RFC_CONFIRM_V, confirm_v, 32);
        assert_int_equal(ble_spake_prover_finish(&prover, share_v, 65, confirm_v, 32, confirm_p, key), 0);
        assert_hex_equal(key, 32, RFC_K_SHARED);

        assert_int_equal(ble_spake_verifier_init(&verifier,
                                                 CTX_ARGS(RFC_CONTEXT, RFC_ID_PROVER, RFC_ID_VERIFIER), v.w0,
                                                 v.L),
                         0);
        unhex(RFC_SHARE_P, share_p, 65);
        assert_int_equal(ble_spake_verifier_respond_scalar(&verifier, share_p, 65, v.y, share_v, confirm_v),
                         0);
        unhex(RFC_CONFIRM_P, confirm_p, 32);
        assert_int_equal(ble_spake_verifier_finish(&verifier, confirm_p, 32, key), 0);
        assert_hex_equal(key, 32, RFC_K_SHARED);
}

/* w0s || w1s reduction: 40-byte halves, each mod n (the RFC's vector
 * values, padded with 8 zero bytes in front, come back unchanged; 2^320-1
 * reduces as Python says). */
static void test_w_from_pbkdf(void **state) {
        uint8_t in[80] = { 0 }, w0[32], w1[32];

        (void)state;
        unhex(RFC_W0, in + 8, 32);
        unhex(RFC_W1, in + 48, 32);
        assert_int_equal(ble_spake_w_from_pbkdf(in, w0, w1), 0);
        assert_hex_equal(w0, 32, RFC_W0);
        assert_hex_equal(w1, 32, RFC_W1);

        memset(in, 0xff, sizeof(in));
        assert_int_equal(ble_spake_w_from_pbkdf(in, w0, w1), 0);
        assert_hex_equal(w0, 32, VEC_REDUCE_ALL_FF);
        assert_hex_equal(w1, 32, VEC_REDUCE_ALL_FF);

        /* zero, and exactly n, are refused (-ERANGE) */
        memset(in, 0, sizeof(in));
        in[79] = 1;
        assert_int_equal(ble_spake_w_from_pbkdf(in, w0, w1), -ERANGE);
        memset(in, 0, sizeof(in));
        unhex(VEC_ORDER, in + 8, 32);
        in[79] = 1;
        assert_int_equal(ble_spake_w_from_pbkdf(in, w0, w1), -ERANGE);
}

/* Our registration: scrypt over the RFC's PBKDF input (tools/ble-vectors.py). */
static void test_our_registration(void **state) {
        uint8_t salt[16], w0[32], w1[32], L[65];

        (void)state;
        unhex(VEC_SALT, salt, sizeof(salt));
        assert_int_equal(ble_spake_derive_w(VEC_CODE, strlen(VEC_CODE), NULL, 0, NULL, 0, salt, w0, w1), 0);
        assert_hex_equal(w0, 32, VEC_CODE_W0);
        assert_hex_equal(w1, 32, VEC_CODE_W1);
        assert_int_equal(ble_spake_compute_L(w1, L), 0);
        assert_hex_equal(L, 65, VEC_CODE_L);

        assert_int_equal(ble_spake_derive_w(VEC_QR, strlen(VEC_QR), NULL, 0, NULL, 0, salt, w0, w1), 0);
        assert_hex_equal(w0, 32, VEC_QR_W0);
        assert_hex_equal(w1, 32, VEC_QR_W1);

        /* one digit off: another w0 */
        assert_int_equal(ble_spake_derive_w("12345679", 8, NULL, 0, NULL, 0, salt, w0, w1), 0);
        assert_hex_not_equal(w0, 32, VEC_CODE_W0);

        assert_int_equal(ble_spake_derive_w("", 0, NULL, 0, NULL, 0, salt, w0, w1), -EINVAL);
        assert_int_equal(ble_spake_derive_w(NULL, 8, NULL, 0, NULL, 0, salt, w0, w1), -EINVAL);
        assert_int_equal(ble_spake_derive_w(VEC_CODE, 8, NULL, 0, NULL, 0, NULL, w0, w1), -EINVAL);
}

/* A run on our context ("doorlockd pairing v1" || link_id, empty ids) with
 * the fixed scalars of tools/ble-vectors.py. */
static void test_our_run(void **state) {
        uint8_t w0[32], w1[32], L[65], x[32], y[32], ctx[24], link[4];
        uint8_t share_p[65], share_v[65], confirm_v[32], confirm_p[32], key_p[32], key_v[32];
        struct ble_spake prover, verifier;
        struct ble_spake_trace tv = { 0 };

        (void)state;
        unhex(VEC_CODE_W0, w0, 32);
        unhex(VEC_CODE_W1, w1, 32);
        unhex(VEC_CODE_L, L, 65);
        unhex(VEC_X, x, 32);
        unhex(VEC_Y, y, 32);
        unhex(VEC_LINK_ID, link, 4);
        unhex(VEC_CONTEXT, ctx, 24);
        assert_memory_equal(ctx, "doorlockd pairing v1", 20);
        assert_memory_equal(ctx + 20, link, 4);

        prover.trace = NULL;
        verifier.trace = &tv;
        assert_int_equal(ble_spake_prover_init(&prover, ctx, 24, NULL, 0, NULL, 0, w0, w1), 0);
        assert_int_equal(ble_spake_verifier_init(&verifier, ctx, 24, NULL, 0, NULL, 0, w0, L), 0);
        assert_int_equal(ble_spake_prover_start_scalar(&prover, x, share_p), 0);
        assert_hex_equal(share_p, 65, VEC_SHARE_P);
        assert_int_equal(ble_spake_verifier_respond_scalar(&verifier, share_p, 65, y, share_v, confirm_v),
                         0);
        assert_hex_equal(share_v, 65, VEC_SHARE_V);
        assert_hex_equal(tv.z, 65, VEC_Z);
        assert_hex_equal(tv.v, 65, VEC_V);
        assert_hex_equal(tv.tt, tv.tt_len, VEC_TT);
        assert_hex_equal(tv.k_main, 32, VEC_K_MAIN);
        assert_hex_equal(tv.k_confirm_p, 32, VEC_K_CONFIRM_P);
        assert_hex_equal(tv.k_confirm_v, 32, VEC_K_CONFIRM_V);
        assert_hex_equal(confirm_v, 32, VEC_CONFIRM_V);
        assert_int_equal(ble_spake_prover_finish(&prover, share_v, 65, confirm_v, 32, confirm_p, key_p), 0);
        assert_hex_equal(confirm_p, 32, VEC_CONFIRM_P);
        assert_int_equal(ble_spake_verifier_finish(&verifier, confirm_p, 32, key_v), 0);
        assert_hex_equal(key_p, 32, VEC_K_SHARED);
        assert_hex_equal(key_v, 32, VEC_K_SHARED);
}

/* Random scalars from an injected source: both sides agree, two runs with
 * other randomness give other keys. */
static void test_random_runs(void **state) {
        struct rfc v;
        struct test_rand rp = { .seed = 1 }, rv = { .seed = 2 };
        uint8_t share_p[65], share_v[65], confirm_v[32], confirm_p[32], key_p[32], key_v[32], first[32];
        struct ble_spake prover = { 0 }, verifier = { 0 };

        (void)state;
        rfc_load(&v);
        for (int round = 0; round < 2; round++) {
                assert_int_equal(ble_spake_prover_init(&prover, CTX_ARGS("c", "", ""), v.w0, v.w1), 0);
                assert_int_equal(ble_spake_verifier_init(&verifier, CTX_ARGS("c", "", ""), v.w0, v.L), 0);
                assert_int_equal(ble_spake_prover_start(&prover, test_rand_fill, &rp, share_p), 0);
                assert_int_equal(ble_spake_verifier_respond(&verifier, share_p, 65, test_rand_fill, &rv,
                                                            share_v, confirm_v),
                                 0);
                assert_int_equal(
                        ble_spake_prover_finish(&prover, share_v, 65, confirm_v, 32, confirm_p, key_p), 0);
                assert_int_equal(ble_spake_verifier_finish(&verifier, confirm_p, 32, key_v), 0);
                assert_memory_equal(key_p, key_v, 32);
                if (round == 0)
                        memcpy(first, key_p, 32);
                else
                        assert_memory_not_equal(first, key_p, 32);
        }
        /* the OS source works too */
        assert_int_equal(ble_spake_prover_init(&prover, CTX_ARGS("c", "", ""), v.w0, v.w1), 0);
        assert_int_equal(ble_spake_prover_start(&prover, ble_random_os, NULL, share_p), 0);
        assert_int_equal(ble_spake_share_check(share_p, 65), 0);
}

static int failing_rand(void *userdata, void *buf, size_t n) {
        (void)userdata;
        memset(buf, 0, n);
        return -EIO;
}

/* A random source that fails, or only gives zeros, fails the run. */
static void test_random_failures(void **state) {
        struct rfc v;
        struct ble_spake s = { 0 };
        struct test_rand zeros = { .zeros = true };
        uint8_t share[65], confirm[32];

        (void)state;
        rfc_load(&v);
        assert_int_equal(ble_spake_prover_init(&s, CTX_ARGS("c", "", ""), v.w0, v.w1), 0);
        assert_int_equal(ble_spake_prover_start(&s, failing_rand, NULL, share), -EIO);
        assert_int_equal(ble_spake_prover_init(&s, CTX_ARGS("c", "", ""), v.w0, v.w1), 0);
        assert_int_equal(ble_spake_prover_start(&s, test_rand_fill, &zeros, share), -EIO);
        assert_int_equal(ble_spake_prover_init(&s, CTX_ARGS("c", "", ""), v.w0, v.w1), 0);
        assert_int_equal(ble_spake_prover_start(&s, NULL, NULL, share), -EINVAL);

        unhex(RFC_SHARE_P, share, 65);
        assert_int_equal(ble_spake_verifier_init(&s, CTX_ARGS("c", "", ""), v.w0, v.L), 0);
        assert_int_equal(ble_spake_verifier_respond(&s, share, 65, failing_rand, NULL, share, confirm),
                         -EIO);
}

/* A share that fails the strict check, fed to each side. */
static void expect_refused(const uint8_t *share, size_t len) {
        struct rfc v;
        struct ble_spake s = { 0 };
        uint8_t out[65], confirm_v[32], confirm_p[32], key[32], fake_confirm[32] = { 0 };

        rfc_load(&v);
        assert_int_equal(ble_spake_share_check(share, len), -EBADMSG);

        assert_int_equal(ble_spake_verifier_init(&s, CTX_ARGS("c", "", ""), v.w0, v.L), 0);
        assert_int_equal(ble_spake_verifier_respond_scalar(&s, share, len, v.y, out, confirm_v), -EBADMSG);
        /* the run is over: even a good share is refused now */
        unhex(RFC_SHARE_P, out, 65);
        assert_int_equal(ble_spake_verifier_respond_scalar(&s, out, 65, v.y, out, confirm_v), -EPROTO);

        assert_int_equal(ble_spake_prover_init(&s, CTX_ARGS("c", "", ""), v.w0, v.w1), 0);
        assert_int_equal(ble_spake_prover_start_scalar(&s, v.x, out), 0);
        assert_int_equal(ble_spake_prover_finish(&s, share, len, fake_confirm, 32, confirm_p, key),
                         -EBADMSG);
}

/* The all-zero peer keys: 65 zero bytes, and 0x04 || 64 zero bytes (the
 * point (0, 0), not on P-256).  Refused by our check, by each role, and
 * by OpenSSL itself (EC_POINT_oct2point, the ECDH path). */
static void test_all_zero_shares(void **state) {
        uint8_t zero[65] = { 0 }, zero4[65] = { 0x04 };
        EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
        EC_POINT *p = EC_POINT_new(g);

        (void)state;
        expect_refused(zero, sizeof(zero));
        expect_refused(zero4, sizeof(zero4));
        assert_hex_equal(zero4, 65, VEC_ALL_ZERO_SHARE);

        assert_int_equal(EC_POINT_oct2point(g, p, zero4, sizeof(zero4), NULL), 0);
        assert_int_equal(EC_POINT_oct2point(g, p, zero, sizeof(zero), NULL), 0);
        ERR_clear_error();
        EC_POINT_free(p);
        EC_GROUP_free(g);
}

/* The other all-zero vector: an X25519 peer key of 32 zero bytes
 * (a low-order point) gives an all-zero secret, which OpenSSL refuses to
 * derive.  We do not use X25519; this shows why the check matters. */
static void test_x25519_all_zero_refused(void **state) {
        uint8_t zero[32] = { 0 }, secret[32];
        size_t len = sizeof(secret);
        EVP_PKEY *mine = NULL, *peer;
        EVP_PKEY_CTX *ctx;

        (void)state;
        ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL);
        assert_non_null(ctx);
        assert_int_equal(EVP_PKEY_keygen_init(ctx), 1);
        assert_int_equal(EVP_PKEY_keygen(ctx, &mine), 1);
        EVP_PKEY_CTX_free(ctx);
        peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, zero, sizeof(zero));
        assert_non_null(peer);
        ctx = EVP_PKEY_CTX_new(mine, NULL);
        assert_int_equal(EVP_PKEY_derive_init(ctx), 1);
        assert_int_equal(EVP_PKEY_derive_set_peer(ctx, peer), 1);
        assert_true(EVP_PKEY_derive(ctx, secret, &len) <= 0);
        ERR_clear_error();
        EVP_PKEY_CTX_free(ctx);
        EVP_PKEY_free(peer);
        EVP_PKEY_free(mine);
}

/* Every other malformed share. */
static void test_share_refusals(void **state) {
        uint8_t good[66], bad[66];

        (void)state;
        unhex(RFC_SHARE_P, good, 65);
        assert_int_equal(ble_spake_share_check(good, 65), 0);
        assert_int_equal(ble_spake_share_check(NULL, 65), -EBADMSG);

        /* lengths: 0, 1 (the identity's 0x00), 33 compressed, 64, 66 */
        expect_refused(good, 0);
        bad[0] = 0x00;
        expect_refused(bad, 1);
        expect_refused(good, 64);
        memcpy(bad, good, 65);
        bad[65] = 0;
        expect_refused(bad, 66);
        {
                uint8_t comp[33];

                unhex(RFC_M, comp, 33);
                expect_refused(comp, 33);
        }
        /* the right length with another prefix: compressed (02, 03),
         * hybrid (06, 07) */
        for (unsigned pfx = 0; pfx < 256; pfx++) {
                if (pfx == 4)
                        continue;
                memcpy(bad, good, 65);
                bad[0] = (uint8_t)pfx;
                assert_int_equal(ble_spake_share_check(bad, 65), -EBADMSG);
        }
        memcpy(bad, good, 65);
        bad[0] = 0x06;
        expect_refused(bad, 65);
        /* off the curve: last bit of y flipped */
        memcpy(bad, good, 65);
        bad[64] ^= 1;
        expect_refused(bad, 65);
        /* a coordinate not below p: x = p */
        memcpy(bad, good, 65);
        unhex(VEC_FIELD_PRIME, bad + 1, 32);
        expect_refused(bad, 65);
        /* y replaced by y + p would not fit 32 bytes; y = p - y is the
         * negation (valid), so flip to 2^256 - 1 instead */
        memcpy(bad, good, 65);
        memset(bad + 33, 0xff, 32);
        expect_refused(bad, 65);
}

/* A share that cancels the mask: X = w0*M makes X - w0*M the identity
 * (and Z too).  A valid point, refused as a bad share; likewise Y = w0*N
 * at the Prover. */
static void test_mask_cancelling_shares(void **state) {
        struct rfc v;
        struct ble_spake s = { 0 };
        uint8_t out[65], confirm_v[32], confirm_p[32], key[32], w0m[65], w0n[65];

        (void)state;
        rfc_load(&v);
        unhex(VEC_W0_M, w0m, 65);
        unhex(VEC_W0_N, w0n, 65);
        assert_int_equal(ble_spake_share_check(w0m, 65), 0);
        assert_int_equal(ble_spake_share_check(w0n, 65), 0);
        assert_int_equal(ble_spake_verifier_init(&s, CTX_ARGS(RFC_CONTEXT, RFC_ID_PROVER, RFC_ID_VERIFIER),
                                                 v.w0, v.L),
                         0);
        assert_int_equal(ble_spake_verifier_respond_scalar(&s, w0m, 65, v.y, out, confirm_v), -EBADMSG);

        assert_int_equal(
                ble_spake_prover_init(&s, CTX_ARGS(RFC_CONTEXT, RFC_ID_PROVER, RFC_ID_VERIFIER), v.w0, v.w1),
                0);
        assert_int_equal(ble_spake_prover_start_scalar(&s, v.x, out), 0);
        memset(confirm_v, 0, sizeof(confirm_v));
        assert_int_equal(ble_spake_prover_finish(&s, w0n, 65, confirm_v, 32, confirm_p, key), -EBADMSG);
}

/* The wrong password: the confirmations do not match, at either end. */
static void test_wrong_password(void **state) {
        struct rfc v;
        struct ble_spake prover = { 0 }, verifier = { 0 };
        uint8_t w0[32], share_p[65], share_v[65], confirm_v[32], confirm_p[32], key[32];

        (void)state;
        rfc_load(&v);
        memcpy(w0, v.w0, 32);
        w0[31] ^= 1;
        /* the Prover holds the wrong w0 (and w1): it refuses confirmV */
        assert_int_equal(ble_spake_prover_init(&prover, CTX_ARGS("c", "", ""), w0, v.w1), 0);
        assert_int_equal(ble_spake_verifier_init(&verifier, CTX_ARGS("c", "", ""), v.w0, v.L), 0);
        assert_int_equal(ble_spake_prover_start_scalar(&prover, v.x, share_p), 0);
        assert_int_equal(ble_spake_verifier_respond_scalar(&verifier, share_p, 65, v.y, share_v, confirm_v),
                         0);
        assert_int_equal(ble_spake_prover_finish(&prover, share_v, 65, confirm_v, 32, confirm_p, key),
                         -EKEYREJECTED);

        /* an attacker who skips the check and sends a confirmP computed
         * with its own keys: the Verifier refuses it */
        assert_int_equal(ble_spake_verifier_init(&verifier, CTX_ARGS("c", "", ""), v.w0, v.L), 0);
        assert_int_equal(ble_spake_verifier_respond_scalar(&verifier, share_p, 65, v.y, share_v, confirm_v),
                         0);
        assert_int_equal(ble_hmac_sha256(w0, 32, share_v, 65, confirm_p), 0);
        assert_int_equal(ble_spake_verifier_finish(&verifier, confirm_p, 32, key), -EKEYREJECTED);
        /* and once refused, the right one is refused too (one try a run) */
        unhex(RFC_CONFIRM_P, confirm_p, 32);
        assert_int_equal(ble_spake_verifier_finish(&verifier, confirm_p, 32, key), -EPROTO);
}

/* Every bit of confirmV and confirmP matters; wrong lengths are refused. */
static void test_confirm_tampering(void **state) {
        struct rfc v;
        struct ble_spake s = { 0 };
        uint8_t share_p[65], share_v[65], confirm_v[33], confirm_p[33], key[32];

        (void)state;
        rfc_load(&v);
        for (unsigned bit = 0; bit < 256; bit += 37) {
                assert_int_equal(ble_spake_prover_init(&s,
                                                       CTX_ARGS(RFC_CONTEXT, RFC_ID_PROVER, RFC_ID_VERIFIER),
                                                       v.w0, v.w1),
                                 0);
                assert_int_equal(ble_spake_prover_start_scalar(&s, v.x, share_p), 0);
                unhex(RFC_SHARE_V, share_v, 65);
                unhex(RFC_CONFIRM_V, confirm_v, 32);
                confirm_v[bit / 8] ^= (uint8_t)(1u << (bit % 8));
                assert_int_equal(ble_spake_prover_finish(&s, share_v, 65, confirm_v, 32, confirm_p, key),
                                 -EKEYREJECTED);

                assert_int_equal(
                        ble_spake_verifier_init(&s, CTX_ARGS(RFC_CONTEXT, RFC_ID_PROVER, RFC_ID_VERIFIER),
                                                v.w0, v.L),
                        0);
                unhex(RFC_SHARE_P, share_p, 65);
                assert_int_equal(ble_spake_verifier_respond_scalar(&s, share_p, 65, v.y, share_v, confirm_v),
                                 0);
                unhex(RFC_CONFIRM_P, confirm_p, 32);
                confirm_p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
                assert_int_equal(ble_spake_verifier_finish(&s, confirm_p, 32, key), -EKEYREJECTED);
        }
        /* lengths 31 and 33 */
        for (size_t len = 31; len <= 33; len += 2) {
                assert_int_equal(
                        ble_spake_verifier_init(&s, CTX_ARGS(RFC_CONTEXT, RFC_ID_PROVER, RFC_ID_VERIFIER),
                                                v.w0, v.L),
                        0);
                assert_int_equal(ble_spake_verifier_respond_scalar(&s, share_p, 65, v.y, share_v, confirm_v),
                                 0);
                unhex(RFC_CONFIRM_P, confirm_p, 32);
                confirm_p[32] = 0;
                assert_int_equal(ble_spake_verifier_finish(&s, confirm_p, len, key), -EBADMSG);

                assert_int_equal(ble_spake_prover_init(&s,
                                                       CTX_ARGS(RFC_CONTEXT, RFC_ID_PROVER, RFC_ID_VERIFIER),
                                                       v.w0, v.w1),
                                 0);
                assert_int_equal(ble_spake_prover_start_scalar(&s, v.x, share_p), 0);
                unhex(RFC_CONFIRM_V, confirm_v, 32);
                confirm_v[32] = 0;
                assert_int_equal(ble_spake_prover_finish(&s, share_v, 65, confirm_v, len, confirm_p, key),
                                 -EBADMSG);
        }
}

/* The context and identities are bound: another context, another key. */
static void test_context_bound(void **state) {
        struct rfc v;
        struct ble_spake prover = { 0 }, verifier = { 0 };
        uint8_t share_p[65], share_v[65], confirm_v[32], confirm_p[32], key[32];

        (void)state;
        rfc_load(&v);
        assert_int_equal(
                ble_spake_prover_init(&prover, CTX_ARGS("doorlockd pairing v1AAAA", "", ""), v.w0, v.w1), 0);
        assert_int_equal(
                ble_spake_verifier_init(&verifier, CTX_ARGS("doorlockd pairing v1AAAB", "", ""), v.w0, v.L),
                0);
        assert_int_equal(ble_spake_prover_start_scalar(&prover, v.x, share_p), 0);
        assert_int_equal(ble_spake_verifier_respond_scalar(&verifier, share_p, 65, v.y, share_v, confirm_v),
                         0);
        assert_int_equal(ble_spake_prover_finish(&prover, share_v, 65, confirm_v, 32, confirm_p, key),
                         -EKEYREJECTED);
}

/* Calls out of order, and init refusals. */
static void test_order_and_args(void **state) {
        struct rfc v;
        struct ble_spake s = { 0 };
        uint8_t share[65], confirm[32], key[32], zero[32] = { 0 }, n[32], big_ctx[65] = { 0 };

        (void)state;
        rfc_load(&v);
        unhex(RFC_SHARE_P, share, 65);
        /* a fresh (zeroed) context does nothing */
        assert_int_equal(ble_spake_prover_start_scalar(&s, v.x, share), -EPROTO);
        assert_int_equal(ble_spake_verifier_finish(&s, confirm, 32, key), -EPROTO);
        /* a Prover cannot act as the Verifier, and no step twice */
        assert_int_equal(ble_spake_prover_init(&s, CTX_ARGS("c", "", ""), v.w0, v.w1), 0);
        assert_int_equal(ble_spake_verifier_respond_scalar(&s, share, 65, v.y, share, confirm), -EPROTO);
        assert_int_equal(ble_spake_prover_init(&s, CTX_ARGS("c", "", ""), v.w0, v.w1), 0);
        assert_int_equal(ble_spake_prover_start_scalar(&s, v.x, share), 0);
        assert_int_equal(ble_spake_prover_start_scalar(&s, v.x, share), -EPROTO);
        assert_int_equal(ble_spake_verifier_init(&s, CTX_ARGS("c", "", ""), v.w0, v.L), 0);
        assert_int_equal(ble_spake_verifier_finish(&s, confirm, 32, key), -EPROTO);
        assert_int_equal(ble_spake_verifier_init(&s, CTX_ARGS("c", "", ""), v.w0, v.L), 0);
        assert_int_equal(ble_spake_prover_finish(&s, share, 65, confirm, 32, confirm, key), -EPROTO);

        /* scalars 0 and n; x = 0 too */
        unhex(VEC_ORDER, n, 32);
        assert_int_equal(ble_spake_prover_init(&s, CTX_ARGS("c", "", ""), zero, v.w1), -EINVAL);
        assert_int_equal(ble_spake_prover_init(&s, CTX_ARGS("c", "", ""), v.w0, n), -EINVAL);
        assert_int_equal(ble_spake_verifier_init(&s, CTX_ARGS("c", "", ""), n, v.L), -EINVAL);
        assert_int_equal(ble_spake_compute_L(zero, share), -EINVAL);
        assert_int_equal(ble_spake_prover_init(&s, CTX_ARGS("c", "", ""), v.w0, v.w1), 0);
        assert_int_equal(ble_spake_prover_start_scalar(&s, zero, share), -EINVAL);
        /* a bad L */
        memset(share, 0, sizeof(share));
        assert_int_equal(ble_spake_verifier_init(&s, CTX_ARGS("c", "", ""), v.w0, share), -EINVAL);
        /* context 0 or 65 bytes, identities over 32 */
        assert_int_equal(ble_spake_prover_init(&s, big_ctx, 0, NULL, 0, NULL, 0, v.w0, v.w1), -EINVAL);
        assert_int_equal(ble_spake_prover_init(&s, big_ctx, 65, NULL, 0, NULL, 0, v.w0, v.w1), -EINVAL);
        assert_int_equal(ble_spake_prover_init(&s, big_ctx, 64, big_ctx, 33, NULL, 0, v.w0, v.w1), -EINVAL);
        assert_int_equal(ble_spake_prover_init(&s, big_ctx, 64, big_ctx, 32, big_ctx, 32, v.w0, v.w1), 0);
        assert_int_equal(ble_spake_prover_init(NULL, big_ctx, 1, NULL, 0, NULL, 0, v.w0, v.w1), -EINVAL);
}

/* After the run (and after a failure) the context holds no secret. */
static void test_secrets_wiped(void **state) {
        struct rfc v;
        struct ble_spake prover = { 0 }, verifier = { 0 };
        uint8_t share_p[65], share_v[65], confirm_v[32], confirm_p[32], key[32], zero[32] = { 0 };

        (void)state;
        rfc_load(&v);
        assert_int_equal(ble_spake_prover_init(&prover, CTX_ARGS("c", "", ""), v.w0, v.w1), 0);
        assert_int_equal(ble_spake_verifier_init(&verifier, CTX_ARGS("c", "", ""), v.w0, v.L), 0);
        assert_int_equal(ble_spake_prover_start_scalar(&prover, v.x, share_p), 0);
        assert_int_equal(ble_spake_verifier_respond_scalar(&verifier, share_p, 65, v.y, share_v, confirm_v),
                         0);
        assert_int_equal(ble_spake_prover_finish(&prover, share_v, 65, confirm_v, 32, confirm_p, key), 0);
        assert_int_equal(ble_spake_verifier_finish(&verifier, confirm_p, 32, key), 0);
        assert_memory_equal(prover.w0, zero, 32);
        assert_memory_equal(prover.w1, zero, 32);
        assert_memory_equal(prover.scalar, zero, 32);
        assert_memory_equal(prover.k_shared, zero, 32);
        assert_memory_equal(prover.k_confirm_p, zero, 32);
        assert_memory_equal(verifier.w0, zero, 32);
        assert_memory_equal(verifier.scalar, zero, 32);
        assert_memory_equal(verifier.k_shared, zero, 32);

        assert_int_equal(ble_spake_verifier_init(&verifier, CTX_ARGS("c", "", ""), v.w0, v.L), 0);
        assert_int_equal(ble_spake_verifier_respond_scalar(&verifier, share_p, 65, v.y, share_v, confirm_v),
                         0);
        confirm_p[0] ^= 1;
        assert_int_equal(ble_spake_verifier_finish(&verifier, confirm_p, 32, key), -EKEYREJECTED);
        assert_memory_equal(verifier.w0, zero, 32);
        assert_memory_equal(verifier.scalar, zero, 32);
        assert_memory_equal(verifier.k_shared, zero, 32);
        assert_memory_equal(verifier.k_confirm_p, zero, 32);
}

/* HKDF and HMAC against RFC 5869 test case 1 and RFC 4231 test case 2. */
static void test_kdf_mac(void **state) {
        uint8_t ikm[22], salt[13], info[10], okm[42], mac[32];

        (void)state;
        memset(ikm, 0x0b, sizeof(ikm));
        for (unsigned i = 0; i < sizeof(salt); i++)
                salt[i] = (uint8_t)i;
        for (unsigned i = 0; i < sizeof(info); i++)
                info[i] = (uint8_t)(0xf0 + i);
        assert_int_equal(ble_hkdf_sha256(salt, sizeof(salt), ikm, sizeof(ikm), info, sizeof(info), okm, 42),
                         0);
        assert_hex_equal(
                okm, 42,
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
        assert_int_equal(ble_hmac_sha256((const uint8_t *)"Jefe", 4,
                                         (const uint8_t *)"what do ya want for nothing?", 28, mac),
                         0);
        assert_hex_equal(mac, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert_int_equal(ble_hkdf_sha256(NULL, 0, NULL, 0, NULL, 0, okm, 1), -EINVAL);
        assert_int_equal(ble_hmac_sha256(NULL, 0, NULL, 0, mac), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rfc_m_n),
                cmocka_unit_test(test_rfc_L),
                cmocka_unit_test(test_rfc_vector),
                cmocka_unit_test(test_rfc_confirms_from_text),
                cmocka_unit_test(test_w_from_pbkdf),
                cmocka_unit_test(test_our_registration),
                cmocka_unit_test(test_our_run),
                cmocka_unit_test(test_random_runs),
                cmocka_unit_test(test_random_failures),
                cmocka_unit_test(test_all_zero_shares),
                cmocka_unit_test(test_x25519_all_zero_refused),
                cmocka_unit_test(test_share_refusals),
                cmocka_unit_test(test_mask_cancelling_shares),
                cmocka_unit_test(test_wrong_password),
                cmocka_unit_test(test_confirm_tampering),
                cmocka_unit_test(test_context_bound),
                cmocka_unit_test(test_order_and_args),
                cmocka_unit_test(test_secrets_wiped),
                cmocka_unit_test(test_kdf_mac),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
