/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BLE sessions (daemon/ble/session.c): the key schedule and one sealed
 * frame against fixed vectors (from tools/ble-session-vectors.py, pure
 * Python from the spec; the same in docs/ble-protocol.md section 6), and a
 * second path in this file (HKDF as HMAC extract/expand through EVP_Q_mac,
 * the AEAD built from raw ChaCha20 and Poly1305 as RFC 8439 2.8 composes
 * them); replay, reorder, gaps, reflection, tamper, cross-session frames,
 * revocation, nothing changed by a refused frame; challenges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the four above. */
#include <cmocka.h>

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string.h>

#include "macro.h"
#include "message.h"
#include "session.h"

/* memcpy() of a byte-string literal (not a C string). */
static void put(void *dst, const void *src, size_t n) {
        memcpy(dst, src, n);
}

/* tools/ble-session-vectors.py --c */
static const uint8_t V_LTK[32] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                                   0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                                   0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f };
static const uint8_t V_PHONE_ID[4] = { 0x00, 0x00, 0x00, 0x07 };
static const uint8_t V_SESSION_ID[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };
static const uint8_t V_NONCE_P[16] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                                       0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f };
static const uint8_t V_NONCE_L[16] = { 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
                                       0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f };
static const uint8_t V_INFO[51] = { 0x73, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x00, 0x00, 0x00, 0x07,
                                    0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0x10, 0x11, 0x12,
                                    0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
                                    0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
                                    0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f };
static const uint8_t V_K_PL[32] = { 0xa9, 0x7f, 0x32, 0xaa, 0x20, 0xff, 0xa1, 0x2e, 0x51, 0xca, 0xce,
                                    0x26, 0x82, 0x15, 0x0c, 0xcd, 0xcf, 0xae, 0xf6, 0x55, 0xd6, 0x4f,
                                    0x9c, 0xad, 0x89, 0x58, 0xe8, 0x41, 0xfa, 0x34, 0xc1, 0xa0 };
static const uint8_t V_K_LP[32] = { 0xe5, 0xa2, 0xf4, 0xd3, 0x4a, 0xd4, 0x8c, 0x3a, 0x35, 0x2f, 0x4f,
                                    0x9d, 0x44, 0xeb, 0x32, 0xe9, 0x58, 0x86, 0xb1, 0xec, 0x93, 0x18,
                                    0x4a, 0xcc, 0x6c, 0x14, 0xaf, 0xf0, 0xd8, 0x36, 0x8c, 0x6d };
static const uint8_t V_PLAINTEXT1[9] = { 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
static const uint8_t V_FRAME1[42] = { 0x20, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0x00, 0x00,
                                      0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x8f, 0x24, 0xf6, 0xe1, 0xda,
                                      0xf6, 0xdc, 0xc1, 0x54, 0x42, 0x2d, 0x5d, 0x85, 0x32, 0xd7, 0x1c,
                                      0x05, 0x84, 0x79, 0x1e, 0xf4, 0x44, 0x7a, 0x59, 0x4e };
static const uint8_t V_PLAINTEXT2[13] = { 0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                          0x00, 0x01, 0x1b, 0x00, 0x01, 0x01 };
static const uint8_t V_FRAME2[46] = { 0x20, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0x00, 0x00, 0x00,
                                      0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x0a, 0x03, 0x53, 0xb6, 0xc9, 0x5d,
                                      0x09, 0xe5, 0x29, 0xa8, 0x6a, 0x55, 0xea, 0x43, 0x54, 0x64, 0x98, 0x75,
                                      0xc4, 0xa0, 0xad, 0x27, 0x66, 0x37, 0x35, 0x17, 0xf0, 0xe2 };
static const uint8_t V_PLAINTEXT3[25] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                          0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8,
                                          0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf };
static const uint8_t V_FRAME3[58] = { 0x20, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0x00, 0x00, 0x00,
                                      0x00, 0x00, 0x00, 0x00, 0x02, 0x32, 0xbe, 0x1b, 0xe4, 0x0a, 0x4d, 0x5b,
                                      0x7a, 0xc2, 0xf6, 0xb9, 0x30, 0x24, 0x81, 0xa0, 0x1a, 0x9b, 0xbf, 0x2b,
                                      0x82, 0xa0, 0x02, 0x80, 0x7f, 0x33, 0x1a, 0xbf, 0x29, 0xc6, 0x7b, 0x27,
                                      0x1c, 0x34, 0x58, 0xb8, 0xbe, 0xd2, 0x91, 0xfb, 0x0a, 0x3b };

#define PHONE_ID 7u
#define SEC ((uint64_t)1000000)
#define T0 (1000 * SEC)

/* ---- the second path ---- */

static void hmac_sha256(const uint8_t *key, size_t klen, const uint8_t *msg, size_t mlen, uint8_t out[32]) {
        size_t outl = 0;

        assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, klen, msg, mlen, out, 32, &outl));
        assert_int_equal(outl, 32);
}

/* RFC 5869 by hand: PRK = HMAC(salt, ikm); T(i) = HMAC(PRK, T(i-1) || info || i). */
static void hkdf_by_hand(const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len,
                         uint8_t *out, size_t len) {
        static const uint8_t salt[] = "doorlockd-ble-v1";
        uint8_t prk[32], t[32] = { 0 }, buf[32 + 128 + 1];
        size_t done = 0, tlen = 0;

        assert_true(info_len <= 128);
        hmac_sha256(salt, 16, ikm, ikm_len, prk);
        for (uint8_t i = 1; done < len; i++) {
                memcpy(buf, t, tlen);
                memcpy(buf + tlen, info, info_len);
                buf[tlen + info_len] = i;
                hmac_sha256(prk, sizeof(prk), buf, tlen + info_len + 1, t);
                tlen = 32;
                memcpy(out + done, t, MIN(32, len - done));
                done += MIN(32, len - done);
        }
}

static void chacha20_raw(const uint8_t key[32], uint32_t block, const uint8_t nonce[12], const uint8_t *in,
                         size_t len, uint8_t *out) {
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        uint8_t iv[16];
        int outl = 0;

        /* OpenSSL's ChaCha20 IV: the 32-bit block counter (little-endian), then the nonce. */
        iv[0] = (uint8_t)block;
        iv[1] = (uint8_t)(block >> 8);
        iv[2] = (uint8_t)(block >> 16);
        iv[3] = (uint8_t)(block >> 24);
        memcpy(iv + 4, nonce, 12);
        assert_non_null(ctx);
        assert_int_equal(EVP_EncryptInit_ex2(ctx, EVP_chacha20(), key, iv, NULL), 1);
        assert_int_equal(EVP_EncryptUpdate(ctx, out, &outl, in, (int)len), 1);
        assert_int_equal((size_t)outl, len);
        EVP_CIPHER_CTX_free(ctx);
}

static void le64(uint8_t *p, uint64_t v) {
        for (int i = 0; i < 8; i++)
                p[i] = (uint8_t)(v >> (8 * i));
}

/* RFC 8439 2.8: the one-time Poly1305 key from block 0, the ciphertext from
 * block 1 on, the tag over aad || pad || ct || pad || len(aad) || len(ct). */
static void seal_by_hand(const uint8_t key[32], uint64_t counter, const uint8_t *pt, size_t len,
                         uint8_t *frame, const uint8_t session_id[8]) {
        uint8_t nonce[12] = { 0 }, zeros[64] = { 0 }, otk[64], mac_in[2048], tag[16];
        size_t m = 0, outl = 0;

        for (int i = 0; i < 8; i++)
                nonce[4 + i] = (uint8_t)(counter >> (8 * (7 - i)));
        frame[0] = 0x20;
        memcpy(frame + 1, session_id, 8);
        memcpy(frame + 9, nonce + 4, 8);
        chacha20_raw(key, 0, nonce, zeros, sizeof(zeros), otk);
        chacha20_raw(key, 1, nonce, pt, len, frame + 17);

        memcpy(mac_in, frame, 17);
        m = 17;
        memset(mac_in + m, 0, 15);
        m += 15; /* 17 -> 32 */
        memcpy(mac_in + m, frame + 17, len);
        m += len;
        memset(mac_in + m, 0, (16 - len % 16) % 16);
        m += (16 - len % 16) % 16;
        le64(mac_in + m, 17);
        le64(mac_in + m + 8, len);
        m += 16;
        assert_non_null(EVP_Q_mac(NULL, "POLY1305", NULL, NULL, NULL, otk, 32, mac_in, m, tag, 16, &outl));
        assert_int_equal(outl, 16);
        memcpy(frame + 17 + len, tag, 16);
}

/* ---- helpers ---- */

/* Field by field (the struct has padding). */
static bool session_same(const struct ble_session *a, const struct ble_session *b) {
        const struct ble_challenge *x = &a->challenge, *y = &b->challenge;

        return a->state == b->state && a->role == b->role && a->phone_id == b->phone_id &&
               memcmp(a->session_id, b->session_id, sizeof(a->session_id)) == 0 &&
               memcmp(a->k_send, b->k_send, sizeof(a->k_send)) == 0 &&
               memcmp(a->k_recv, b->k_recv, sizeof(a->k_recv)) == 0 && a->sent == b->sent &&
               a->received == b->received && x->outstanding == y->outstanding && x->op == y->op &&
               x->issued == y->issued && x->phone_id == y->phone_id &&
               memcmp(x->session_id, y->session_id, sizeof(x->session_id)) == 0 &&
               memcmp(x->value, y->value, sizeof(x->value)) == 0;
}

static void derive_pair(struct ble_session *phone, struct ble_session *lock) {
        assert_int_equal(ble_session_derive(V_LTK, PHONE_ID, V_SESSION_ID, V_NONCE_P, V_NONCE_L,
                                            BLE_ROLE_PHONE, phone),
                         0);
        assert_int_equal(
                ble_session_derive(V_LTK, PHONE_ID, V_SESSION_ID, V_NONCE_P, V_NONCE_L, BLE_ROLE_LOCK, lock),
                0);
}

static size_t seal(struct ble_session *s, const char *text, uint8_t *out) {
        size_t n = 0;

        assert_int_equal(ble_session_seal(s, (const uint8_t *)text, strlen(text), out, 1024, &n, NULL), 0);
        assert_int_equal(n, strlen(text) + BLE_SEALED_OVERHEAD);
        return n;
}

static void assert_opens(struct ble_session *s, const uint8_t *frame, size_t n, const char *text) {
        uint8_t out[1024];
        size_t len = 0;

        assert_int_equal(ble_session_open(s, frame, n, out, sizeof(out), &len, NULL), 0);
        assert_int_equal(len, strlen(text));
        assert_memory_equal(out, text, len);
}

static void assert_refused(struct ble_session *s, const uint8_t *frame, size_t n, int err) {
        struct ble_session before = *s;
        uint8_t out[1024];
        size_t len = 12345;

        memset(out, 0xaa, sizeof(out));
        assert_int_equal(ble_session_open(s, frame, n, out, sizeof(out), &len, NULL), err);
        /* nothing changed: counters, keys, the challenge */
        assert_true(session_same(&before, s));
        assert_int_equal(len, 12345);
        /* and no plaintext left behind in out */
        for (size_t i = 0; i < n && i < sizeof(out); i++)
                if (out[i] != 0xaa)
                        assert_int_equal(out[i], 0);
}

/* ---- vectors ---- */

static void test_keys_vector(void **state) {
        uint8_t k_pl[32], k_lp[32];

        (void)state;
        assert_int_equal(ble_session_keys(V_LTK, PHONE_ID, V_SESSION_ID, V_NONCE_P, V_NONCE_L, k_pl, k_lp),
                         0);
        assert_memory_equal(k_pl, V_K_PL, 32);
        assert_memory_equal(k_lp, V_K_LP, 32);
}

static void test_keys_second_path(void **state) {
        uint8_t okm[64], k_pl[32], k_lp[32], info[51];

        (void)state;
        assert_int_equal(sizeof(V_INFO), sizeof(info));
        /* info as the spec spells it */
        put(info, "session", 7);
        memcpy(info + 7, V_PHONE_ID, 4);
        memcpy(info + 11, V_SESSION_ID, 8);
        memcpy(info + 19, V_NONCE_P, 16);
        memcpy(info + 35, V_NONCE_L, 16);
        assert_memory_equal(info, V_INFO, sizeof(info));
        hkdf_by_hand(V_LTK, 32, info, sizeof(info), okm, sizeof(okm));
        assert_memory_equal(okm, V_K_PL, 32);
        assert_memory_equal(okm + 32, V_K_LP, 32);

        /* and any other input agrees too: flip every input once */
        for (int which = 0; which < 4; which++) {
                uint8_t ltk[32], sid[8], np[16], nl[16], o[64];

                memcpy(ltk, V_LTK, 32);
                memcpy(sid, V_SESSION_ID, 8);
                memcpy(np, V_NONCE_P, 16);
                memcpy(nl, V_NONCE_L, 16);
                (which == 0 ? ltk : which == 1 ? sid : which == 2 ? np : nl)[3] ^= 0x40;
                assert_int_equal(ble_session_keys(ltk, 0x01020304, sid, np, nl, k_pl, k_lp), 0);
                put(info + 7, "\x01\x02\x03\x04", 4);
                memcpy(info + 11, sid, 8);
                memcpy(info + 19, np, 16);
                memcpy(info + 35, nl, 16);
                hkdf_by_hand(ltk, 32, info, sizeof(info), o, sizeof(o));
                assert_memory_equal(o, k_pl, 32);
                assert_memory_equal(o + 32, k_lp, 32);
                assert_memory_not_equal(k_pl, V_K_PL, 32);
        }
}

static void test_frame_vectors(void **state) {
        struct ble_session phone, lock;
        uint8_t out[1024];
        size_t n = 0;
        uint64_t c = 0;

        (void)state;
        derive_pair(&phone, &lock);
        assert_int_equal(
                ble_session_seal(&phone, V_PLAINTEXT1, sizeof(V_PLAINTEXT1), out, sizeof(out), &n, &c), 0);
        assert_int_equal(c, 1);
        assert_int_equal(n, sizeof(V_FRAME1));
        assert_memory_equal(out, V_FRAME1, n);

        assert_int_equal(ble_session_open(&lock, V_FRAME1, sizeof(V_FRAME1), out, sizeof(out), &n, &c), 0);
        assert_int_equal(c, 1);
        assert_int_equal(n, sizeof(V_PLAINTEXT1));
        assert_memory_equal(out, V_PLAINTEXT1, n);

        assert_int_equal(
                ble_session_seal(&lock, V_PLAINTEXT2, sizeof(V_PLAINTEXT2), out, sizeof(out), &n, &c), 0);
        assert_int_equal(c, 1);
        assert_memory_equal(out, V_FRAME2, sizeof(V_FRAME2));
        assert_int_equal(ble_session_open(&phone, V_FRAME2, sizeof(V_FRAME2), out, sizeof(out), &n, NULL),
                         0);
        assert_memory_equal(out, V_PLAINTEXT2, sizeof(V_PLAINTEXT2));

        assert_int_equal(
                ble_session_seal(&phone, V_PLAINTEXT3, sizeof(V_PLAINTEXT3), out, sizeof(out), &n, &c), 0);
        assert_int_equal(c, 2);
        assert_memory_equal(out, V_FRAME3, sizeof(V_FRAME3));
        assert_int_equal(ble_session_open(&lock, V_FRAME3, sizeof(V_FRAME3), out, sizeof(out), &n, &c), 0);
        assert_int_equal(c, 2);
        assert_memory_equal(out, V_PLAINTEXT3, sizeof(V_PLAINTEXT3));
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
}

static void test_frame_second_path(void **state) {
        struct ble_session phone, lock;
        uint8_t pt[300], mine[400], theirs[400], out[400];
        size_t n = 0, outlen = 0;

        (void)state;
        derive_pair(&phone, &lock);
        seal_by_hand(V_K_PL, 1, V_PLAINTEXT1, sizeof(V_PLAINTEXT1), theirs, V_SESSION_ID);
        assert_memory_equal(theirs, V_FRAME1, sizeof(V_FRAME1));

        /* every length 1..300 (partial Poly1305 blocks, several ChaCha20 blocks) */
        for (size_t len = 1; len <= sizeof(pt); len++) {
                for (size_t i = 0; i < len; i++)
                        pt[i] = (uint8_t)(i * 7 + len);
                assert_int_equal(ble_session_seal(&phone, pt, len, mine, sizeof(mine), &n, NULL), 0);
                seal_by_hand(V_K_PL, len, pt, len, theirs, V_SESSION_ID);
                assert_int_equal(n, len + 33);
                assert_memory_equal(mine, theirs, n);
                assert_int_equal(ble_session_open(&lock, theirs, n, out, sizeof(out), &outlen, NULL), 0);
                assert_int_equal(outlen, len);
                assert_memory_equal(out, pt, len);
        }
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
}

/* ---- behaviour ---- */

static void test_roundtrip_both_ways(void **state) {
        struct ble_session phone, lock;
        uint8_t f[1024];
        size_t n;

        (void)state;
        derive_pair(&phone, &lock);
        for (int i = 0; i < 5; i++) {
                n = seal(&phone, "request", f);
                assert_opens(&lock, f, n, "request");
                n = seal(&lock, "response", f);
                assert_opens(&phone, f, n, "response");
        }
        assert_int_equal(phone.sent, 5);
        assert_int_equal(phone.received, 5);
        assert_int_equal(lock.sent, 5);
        assert_int_equal(lock.received, 5);
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
}

static void test_replay_refused(void **state) {
        struct ble_session phone, lock;
        uint8_t f1[1024], f2[1024];
        size_t n1, n2;

        (void)state;
        derive_pair(&phone, &lock);
        n1 = seal(&phone, "unlock", f1);
        assert_opens(&lock, f1, n1, "unlock");
        assert_refused(&lock, f1, n1, -EALREADY);
        n2 = seal(&phone, "lock", f2);
        assert_opens(&lock, f2, n2, "lock");
        assert_refused(&lock, f1, n1, -EALREADY);
        assert_refused(&lock, f2, n2, -EALREADY);
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
}

static void test_reorder_and_gap_refused(void **state) {
        struct ble_session phone, lock;
        uint8_t f1[1024], f2[1024], f3[1024];
        size_t n1, n2, n3;

        (void)state;
        derive_pair(&phone, &lock);
        n1 = seal(&phone, "one", f1);
        n2 = seal(&phone, "two", f2);
        n3 = seal(&phone, "three", f3);
        /* 2 before 1: a gap */
        assert_refused(&lock, f2, n2, -ERANGE);
        assert_refused(&lock, f3, n3, -ERANGE);
        assert_opens(&lock, f1, n1, "one");
        /* 3 before 2 */
        assert_refused(&lock, f3, n3, -ERANGE);
        assert_opens(&lock, f2, n2, "two");
        assert_opens(&lock, f3, n3, "three");
        assert_refused(&lock, f1, n1, -EALREADY);
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
}

static void test_reflection_refused(void **state) {
        struct ble_session phone, lock;
        uint8_t f[1024];
        size_t n;

        (void)state;
        derive_pair(&phone, &lock);
        /* The lock's own first frame (counter 1) back to the lock, which
         * expects counter 1 from the phone: only the key differs. */
        n = seal(&lock, "status-reply", f);
        assert_refused(&lock, f, n, -EBADMSG);
        /* and the phone's own frame back to the phone */
        n = seal(&phone, "status", f);
        assert_refused(&phone, f, n, -EBADMSG);
        assert_opens(&lock, f, n, "status");
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
}

static void test_tamper_refused(void **state) {
        struct ble_session phone, lock;
        uint8_t f[1024];
        size_t n;

        (void)state;
        derive_pair(&phone, &lock);
        n = seal(&phone, "a request of some length", f);
        /* every bit of the ciphertext and the tag */
        for (size_t i = BLE_SEALED_HEADER_SIZE; i < n; i++)
                for (int bit = 0; bit < 8; bit++) {
                        f[i] ^= (uint8_t)(1u << bit);
                        assert_refused(&lock, f, n, -EBADMSG);
                        f[i] ^= (uint8_t)(1u << bit);
                }
        /* truncated, extended */
        assert_refused(&lock, f, n - 1, -EBADMSG);
        f[n] = 0;
        assert_refused(&lock, f, n + 1, -EBADMSG);
        assert_opens(&lock, f, n, "a request of some length");
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
}

static void test_header_checks(void **state) {
        struct ble_session phone, lock, other;
        static const uint8_t other_sid[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
        uint8_t f[1024];
        size_t n;

        (void)state;
        derive_pair(&phone, &lock);
        n = seal(&phone, "x", f);
        assert_int_equal(n, BLE_SEALED_OVERHEAD + 1);
        assert_refused(&lock, f, 0, -EMSGSIZE);
        assert_refused(&lock, f, BLE_SEALED_OVERHEAD, -EMSGSIZE); /* no ciphertext */
        assert_refused(&lock, f, 1025, -EMSGSIZE);
        f[0] = 0x10;
        assert_refused(&lock, f, n, -EPROTO);
        f[0] = 0x20;
        /* another session's frame, the same keys otherwise: refused before crypto */
        f[1] ^= 1;
        assert_refused(&lock, f, n, -ESTALE);
        f[1] ^= 1;

        /* a frame of another session (other session id, other keys) */
        assert_int_equal(
                ble_session_derive(V_LTK, PHONE_ID, other_sid, V_NONCE_P, V_NONCE_L, BLE_ROLE_PHONE, &other),
                0);
        {
                uint8_t g[1024];
                size_t m = seal(&other, "x", g);

                assert_refused(&lock, g, m, -ESTALE);
                /* even with our session id pasted in, the key differs */
                memcpy(g + 1, V_SESSION_ID, 8);
                assert_refused(&lock, g, m, -EBADMSG);
        }
        /* a counter moved within the header fails the tag (AAD and nonce) */
        {
                uint8_t g[1024];
                size_t m = seal(&phone, "y", g); /* counter 2 */

                g[16] = 1; /* claims counter 1 */
                assert_refused(&lock, g, m, -EBADMSG);
        }
        assert_opens(&lock, f, n, "x");
        {
                uint8_t g[1024];
                size_t m;

                /* counter 3 after 1 (the phone sealed 2 above): a gap */
                assert_int_equal(
                        ble_session_seal(&phone, (const uint8_t *)"hello", 5, g, sizeof(g), &m, NULL), 0);
                assert_refused(&lock, g, m, -ERANGE);
        }
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
        ble_session_wipe(&other);
}

static void test_outsize(void **state) {
        struct ble_session phone, lock;
        uint8_t f[1024], out[4];
        size_t n, len = 0;

        (void)state;
        derive_pair(&phone, &lock);
        assert_int_equal(ble_session_seal(&phone, (const uint8_t *)"hello", 5, f, 5 + 32, &n, NULL),
                         -ENOBUFS);
        assert_int_equal(phone.sent, 0);
        n = seal(&phone, "hello", f);
        assert_int_equal(ble_session_open(&lock, f, n, out, sizeof(out), &len, NULL), -ENOBUFS);
        assert_int_equal(lock.received, 0);
        assert_opens(&lock, f, n, "hello");
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
}

static void test_seal_limits(void **state) {
        struct ble_session phone, lock;
        static uint8_t pt[BLE_SEALED_PLAINTEXT_MAX + 1], f[2048], out[2048];
        size_t n, len;

        (void)state;
        derive_pair(&phone, &lock);
        assert_int_equal(BLE_SEALED_PLAINTEXT_MAX, 1024 - 33);
        assert_int_equal(ble_session_seal(&phone, pt, 0, f, sizeof(f), &n, NULL), -EMSGSIZE);
        assert_int_equal(ble_session_seal(&phone, pt, sizeof(pt), f, sizeof(f), &n, NULL), -EMSGSIZE);
        assert_int_equal(ble_session_seal(&phone, pt, sizeof(pt) - 1, f, sizeof(f), &n, NULL), 0);
        assert_int_equal(n, 1024);
        assert_int_equal(ble_session_open(&lock, f, n, out, sizeof(out), &len, NULL), 0);
        assert_int_equal(len, BLE_SEALED_PLAINTEXT_MAX);
        assert_int_equal(ble_session_seal(NULL, pt, 1, f, sizeof(f), &n, NULL), -EINVAL);
        assert_int_equal(ble_session_open(&lock, NULL, 1, out, sizeof(out), &len, NULL), -EINVAL);

        /* the counter's end: no wrap to 0 (a nonce reused) */
        phone.sent = UINT64_MAX - 1;
        assert_int_equal(ble_session_seal(&phone, pt, 1, f, sizeof(f), &n, NULL), 0);
        assert_int_equal(ble_session_seal(&phone, pt, 1, f, sizeof(f), &n, NULL), -EOVERFLOW);
        assert_int_equal(phone.sent, UINT64_MAX);
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
}

static void test_revoke_and_wipe(void **state) {
        struct ble_session phone, lock;
        static const uint8_t zero[32];
        uint8_t f[1024], out[1024], r16[16] = { 1 };
        size_t n, len;

        (void)state;
        derive_pair(&phone, &lock);
        n = seal(&phone, "status", f);
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_UNLOCK, T0, r16, NULL), 0);
        ble_session_revoke(&lock);
        assert_int_equal(lock.state, BLE_SESSION_REVOKED);
        assert_memory_equal(lock.k_send, zero, 32);
        assert_memory_equal(lock.k_recv, zero, 32);
        assert_false(lock.challenge.outstanding);
        assert_int_equal(ble_session_open(&lock, f, n, out, sizeof(out), &len, NULL), -EKEYREVOKED);
        assert_int_equal(ble_session_seal(&lock, f, 1, out, sizeof(out), &len, NULL), -EKEYREVOKED);
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_UNLOCK, T0, r16, NULL), -EKEYREVOKED);
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_UNLOCK, r16, T0), -EKEYREVOKED);

        ble_session_wipe(&phone);
        {
                static const struct ble_session z;

                assert_memory_equal(&phone, &z, sizeof(z));
        }
        assert_int_equal(ble_session_seal(&phone, f, 1, out, sizeof(out), &len, NULL), -ENOTCONN);
        assert_int_equal(ble_session_open(&phone, f, n, out, sizeof(out), &len, NULL), -ENOTCONN);
        ble_session_wipe(NULL);
        ble_session_revoke(NULL);
}

static void test_derive_args(void **state) {
        struct ble_session s;

        (void)state;
        assert_int_equal(ble_session_derive(NULL, 1, V_SESSION_ID, V_NONCE_P, V_NONCE_L, BLE_ROLE_LOCK, &s),
                         -EINVAL);
        assert_int_equal(s.state, BLE_SESSION_NONE);
        assert_int_equal(
                ble_session_derive(V_LTK, 1, V_SESSION_ID, V_NONCE_P, V_NONCE_L, (enum ble_role)7, &s),
                -EINVAL);
        assert_int_equal(s.state, BLE_SESSION_NONE);
        assert_int_equal(
                ble_session_derive(V_LTK, 1, V_SESSION_ID, V_NONCE_P, V_NONCE_L, BLE_ROLE_LOCK, NULL),
                -EINVAL);
}

/* Different phones, sessions and nonces never share keys. */
static void test_keys_distinct(void **state) {
        uint8_t a_pl[32], a_lp[32], b_pl[32], b_lp[32];

        (void)state;
        assert_int_equal(ble_session_keys(V_LTK, PHONE_ID, V_SESSION_ID, V_NONCE_P, V_NONCE_L, a_pl, a_lp),
                         0);
        assert_memory_not_equal(a_pl, a_lp, 32);
        assert_int_equal(
                ble_session_keys(V_LTK, PHONE_ID + 1, V_SESSION_ID, V_NONCE_P, V_NONCE_L, b_pl, b_lp), 0);
        assert_memory_not_equal(a_pl, b_pl, 32);
        /* swapping the nonces is another session */
        assert_int_equal(ble_session_keys(V_LTK, PHONE_ID, V_SESSION_ID, V_NONCE_L, V_NONCE_P, b_pl, b_lp),
                         0);
        assert_memory_not_equal(a_pl, b_pl, 32);
        assert_memory_not_equal(a_lp, b_lp, 32);
}

/* ---- challenges ---- */

static const uint8_t R1[16] = { 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
                                0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf };
static const uint8_t R2[16] = { 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,
                                0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf };

static void test_challenge_good_once(void **state) {
        struct ble_session phone, lock;
        uint8_t out[16];

        (void)state;
        derive_pair(&phone, &lock);
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_UNLOCK, T0, R1, out), 0);
        assert_memory_equal(out, R1, 16);
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_UNLOCK, R1, T0 + 29 * SEC), 0);
        /* single use */
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_UNLOCK, R1, T0 + 29 * SEC), -ENOENT);
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
}

static void test_challenge_refusals(void **state) {
        struct ble_session phone, lock;

        (void)state;
        derive_pair(&phone, &lock);
        /* never asked */
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_UNLOCK, R1, T0), -ENOENT);
        /* expired at exactly 30 s */
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_UNLOCK, T0, R1, NULL), 0);
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_UNLOCK, R1, T0 + 30 * SEC), -ETIME);
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_UNLOCK, R1, T0 + SEC), -ENOENT);
        /* the clock behind the issue time */
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_UNLOCK, T0, R1, NULL), 0);
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_UNLOCK, R1, T0 - 1), -ETIME);
        /* wrong op, and it is used up by that */
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_UNLOCK, T0, R1, NULL), 0);
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_CODE_ADD, R1, T0), -EXDEV);
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_UNLOCK, R1, T0), -ENOENT);
        /* absent, used up */
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_LOCK, T0, R1, NULL), 0);
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_LOCK, NULL, T0), -ENOMSG);
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_LOCK, R1, T0), -ENOENT);
        /* wrong value (every byte), used up */
        for (int i = 0; i < 16; i++) {
                uint8_t bad[16];

                memcpy(bad, R1, 16);
                bad[i] ^= 0x01;
                assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_LOCK, T0, R1, NULL), 0);
                assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_LOCK, bad, T0), -EACCES);
                assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_LOCK, R1, T0), -ENOENT);
        }
        /* a new one replaces the old: one outstanding */
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_UNLOCK, T0, R1, NULL), 0);
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_UNLOCK, T0 + SEC, R2, NULL), 0);
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_UNLOCK, R1, T0 + SEC), -EACCES);
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_UNLOCK, T0, R1, NULL), 0);
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_CODE_REMOVE, T0 + SEC, R2, NULL), 0);
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_UNLOCK, R1, T0 + SEC), -EXDEV);
        /* read ops take none; a phone session issues none */
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_STATUS, T0, R1, NULL), -EINVAL);
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_CHALLENGE, T0, R1, NULL), -EINVAL);
        assert_int_equal(ble_session_challenge_new(&lock, 0x82, T0, R1, NULL), -EINVAL);
        assert_int_equal(ble_session_challenge_check(&lock, BLE_OP_STATUS, R1, T0), -EINVAL);
        assert_int_equal(ble_session_challenge_new(&phone, BLE_OP_UNLOCK, T0, R1, NULL), -EINVAL);
        assert_int_equal(ble_session_challenge_check(&phone, BLE_OP_UNLOCK, R1, T0), -EINVAL);
        assert_int_equal(ble_session_challenge_new(&lock, BLE_OP_UNLOCK, T0, NULL, NULL), -EINVAL);
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
}

/* Every state-changing op gets its challenge; none of the others does. */
static void test_challenge_every_op(void **state) {
        struct ble_session phone, lock;
        unsigned n = 0;

        (void)state;
        derive_pair(&phone, &lock);
        for (unsigned op = 0; op < 256; op++) {
                int r = ble_session_challenge_new(&lock, (uint8_t)op, T0, R1, NULL);

                if (ble_op_needs_challenge((uint8_t)op)) {
                        assert_int_equal(r, 0);
                        assert_int_equal(ble_session_challenge_check(&lock, (uint8_t)op, R1, T0 + 1), 0);
                        n++;
                } else
                        assert_int_equal(r, -EINVAL);
        }
        assert_int_equal(n, 10);
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
}

/* A challenge is bound to its session: one from session A does not pass in
 * session B of the same phone (each has its own). */
static void test_challenge_cross_session(void **state) {
        static const uint8_t sid_b[8] = { 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8 };
        struct ble_session a, b;

        (void)state;
        assert_int_equal(
                ble_session_derive(V_LTK, PHONE_ID, V_SESSION_ID, V_NONCE_P, V_NONCE_L, BLE_ROLE_LOCK, &a),
                0);
        assert_int_equal(ble_session_derive(V_LTK, PHONE_ID, sid_b, V_NONCE_P, V_NONCE_L, BLE_ROLE_LOCK, &b),
                         0);
        assert_int_equal(ble_session_challenge_new(&a, BLE_OP_UNLOCK, T0, R1, NULL), 0);
        assert_int_equal(ble_session_challenge_check(&b, BLE_OP_UNLOCK, R1, T0), -ENOENT);
        /* a record copied over from another session (phone or session id differ) */
        assert_int_equal(ble_session_challenge_new(&b, BLE_OP_UNLOCK, T0, R2, NULL), 0);
        b.challenge = a.challenge;
        assert_int_equal(ble_session_challenge_check(&b, BLE_OP_UNLOCK, R1, T0), -EXDEV);
        assert_int_equal(ble_session_challenge_check(&a, BLE_OP_UNLOCK, R1, T0), 0);
        ble_session_wipe(&a);
        ble_session_wipe(&b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_keys_vector),
                cmocka_unit_test(test_keys_second_path),
                cmocka_unit_test(test_frame_vectors),
                cmocka_unit_test(test_frame_second_path),
                cmocka_unit_test(test_roundtrip_both_ways),
                cmocka_unit_test(test_replay_refused),
                cmocka_unit_test(test_reorder_and_gap_refused),
                cmocka_unit_test(test_reflection_refused),
                cmocka_unit_test(test_tamper_refused),
                cmocka_unit_test(test_header_checks),
                cmocka_unit_test(test_outsize),
                cmocka_unit_test(test_seal_limits),
                cmocka_unit_test(test_revoke_and_wipe),
                cmocka_unit_test(test_derive_args),
                cmocka_unit_test(test_keys_distinct),
                cmocka_unit_test(test_challenge_good_once),
                cmocka_unit_test(test_challenge_refusals),
                cmocka_unit_test(test_challenge_every_op),
                cmocka_unit_test(test_challenge_cross_session),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
