/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SPAKE2+ (RFC 9383), ciphersuite P256-SHA256-HKDF-SHA256-HMAC-SHA256, both
 * roles, on OpenSSL 3's EC_POINT/BIGNUM API (3.0 and later) with EVP for
 * SHA-256, HKDF, HMAC and scrypt.  Pure: no files, no clock; random scalars
 * come from an injected random source, or are given (the RFC's vectors).
 *
 * The run, as RFC 9383 section 3.3 orders it (the Prover speaks first):
 *
 *   Prover                                  Verifier
 *   ble_spake_prover_init(w0, w1)           ble_spake_verifier_init(w0, L)
 *   ble_spake_prover_start() -> shareP  ->
 *                                       <-  ble_spake_verifier_respond(shareP)
 *                                           -> shareV, confirmV
 *   ble_spake_prover_finish(shareV, confirmV)
 *   -> confirmP, K_shared               ->  ble_spake_verifier_finish(confirmP)
 *                                           -> K_shared
 *
 * Shares are SEC1 uncompressed points, exactly 65 bytes (0x04 || X || Y),
 * on P-256 and not the identity (ble_spake_share_check()).  Any failure
 * wipes the context and leaves it failed: a run is never resumed.
 * Every secret in the context is wiped by ble_spake_wipe() and on failure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLE_SPAKE_SCALAR_SIZE 32 /* w0, w1, x, y: big-endian, < the group order */
#define BLE_SPAKE_POINT_SIZE 65  /* L, shareP, shareV, Z, V: 0x04 || X || Y */
#define BLE_SPAKE_HASH_SIZE 32   /* K_main, K_confirmP/V, confirmP/V, K_shared */
#define BLE_SPAKE_PBKDF_HALF 40  /* w0s, w1s: 32 + 8 bytes (bias <= 2^-64) */
#define BLE_SPAKE_CONTEXT_MAX 64
#define BLE_SPAKE_ID_MAX 32
/* Ten length fields of 8 bytes, the context, both ids, six points, w0. */
#define BLE_SPAKE_TT_MAX                                                                                    \
        (10 * 8 + BLE_SPAKE_CONTEXT_MAX + 2 * BLE_SPAKE_ID_MAX + 6 * BLE_SPAKE_POINT_SIZE +                 \
         BLE_SPAKE_SCALAR_SIZE)

/* Our scrypt parameters (docs/ble-protocol.md, "Pairing"): N = 2^15, r = 8,
 * p = 1, 80 bytes out (w0s || w1s), 16 bytes of salt.  32 MiB of memory. */
#define BLE_SPAKE_SCRYPT_N 32768
#define BLE_SPAKE_SCRYPT_R 8
#define BLE_SPAKE_SCRYPT_P 1
#define BLE_SPAKE_SALT_SIZE 16

/* A source of random bytes: fills buf with n bytes, returns 0 or -errno.
 * The daemon passes ble_random_os(); tests pass a deterministic one. */
typedef int (*ble_random_fn)(void *userdata, void *buf, size_t n);

/* The OS CSPRNG (OpenSSL's RAND_bytes, seeded from getrandom). */
int ble_random_os(void *userdata, void *buf, size_t n);

enum ble_spake_role {
        BLE_SPAKE_PROVER = 1,
        BLE_SPAKE_VERIFIER = 2,
};

/* What a run computed besides its outputs, for the test vectors only:
 * point a context's trace at one of these and it is filled as the run
 * goes.  It holds secrets; the owner wipes it. */
struct ble_spake_trace {
        uint8_t z[BLE_SPAKE_POINT_SIZE];
        uint8_t v[BLE_SPAKE_POINT_SIZE];
        uint8_t tt[BLE_SPAKE_TT_MAX];
        size_t tt_len;
        uint8_t k_main[BLE_SPAKE_HASH_SIZE];
        uint8_t k_confirm_p[BLE_SPAKE_HASH_SIZE];
        uint8_t k_confirm_v[BLE_SPAKE_HASH_SIZE];
};

/* One side of one run.  Plain data (no OpenSSL objects live between
 * calls), so it can sit in a larger struct; wipe it with ble_spake_wipe(). */
struct ble_spake {
        enum ble_spake_role role;
        int state; /* spake2plus.c's enum */
        uint8_t context[BLE_SPAKE_CONTEXT_MAX];
        size_t context_len;
        uint8_t id_prover[BLE_SPAKE_ID_MAX];
        size_t id_prover_len;
        uint8_t id_verifier[BLE_SPAKE_ID_MAX];
        size_t id_verifier_len;
        uint8_t w0[BLE_SPAKE_SCALAR_SIZE];
        uint8_t w1[BLE_SPAKE_SCALAR_SIZE];     /* the Prover's only */
        uint8_t L[BLE_SPAKE_POINT_SIZE];       /* the Verifier's only */
        uint8_t scalar[BLE_SPAKE_SCALAR_SIZE]; /* x (Prover) or y (Verifier) */
        uint8_t share_p[BLE_SPAKE_POINT_SIZE];
        uint8_t share_v[BLE_SPAKE_POINT_SIZE];
        uint8_t k_confirm_p[BLE_SPAKE_HASH_SIZE];
        uint8_t k_shared[BLE_SPAKE_HASH_SIZE];
        struct ble_spake_trace *trace; /* NULL, or filled (tests) */
};

/* Registration (RFC 9383 section 3.2) with our PBKDF:
 *   w0s || w1s = scrypt(len(pw) || pw || len(idProver) || idProver ||
 *                       len(idVerifier) || idVerifier, salt, N, r, p, 80)
 * lengths 8-byte little-endian (the RFC's len()), identities empty in our
 * protocol; w0 = w0s mod n, w1 = w1s mod n.  ble_spake_register() also
 * gives L = w1*G.  -EINVAL for empty or oversized inputs, -ERANGE in the
 * 2^-250 event that w0 or w1 is zero, -EIO if OpenSSL fails. */
int ble_spake_derive_w(const void *password, size_t password_len, const uint8_t *id_prover,
                       size_t id_prover_len, const uint8_t *id_verifier, size_t id_verifier_len,
                       const uint8_t salt[BLE_SPAKE_SALT_SIZE], uint8_t w0[BLE_SPAKE_SCALAR_SIZE],
                       uint8_t w1[BLE_SPAKE_SCALAR_SIZE]);
/* w0 and w1 from 80 bytes of PBKDF output (w0s || w1s), each half reduced
 * modulo the group order. */
int ble_spake_w_from_pbkdf(const uint8_t out[2 * BLE_SPAKE_PBKDF_HALF], uint8_t w0[BLE_SPAKE_SCALAR_SIZE],
                           uint8_t w1[BLE_SPAKE_SCALAR_SIZE]);
/* L = w1*G, the Verifier's record besides w0. */
int ble_spake_compute_L(const uint8_t w1[BLE_SPAKE_SCALAR_SIZE], uint8_t L[BLE_SPAKE_POINT_SIZE]);

/* A peer's share (or L): exactly 65 bytes, 0x04 prefix, both coordinates
 * below the field prime, on P-256, not the identity, and re-encoding to the
 * same bytes.  0 or -EBADMSG.  (The 65 zero bytes and 0x04 || 64 zero
 * bytes are both refused; tests/ble/test-spake2plus.c shows it.) */
int ble_spake_share_check(const uint8_t *share, size_t len);

/* Start a run.  context: 1..64 bytes, identities 0..32 bytes each (ours:
 * "doorlockd pairing v1" || link_id, and empty identities).  w0, w1 must be
 * in [1, n-1]; L must pass ble_spake_share_check().  -EINVAL otherwise. */
int ble_spake_prover_init(struct ble_spake *s, const uint8_t *context, size_t context_len,
                          const uint8_t *id_prover, size_t id_prover_len, const uint8_t *id_verifier,
                          size_t id_verifier_len, const uint8_t w0[BLE_SPAKE_SCALAR_SIZE],
                          const uint8_t w1[BLE_SPAKE_SCALAR_SIZE]);
int ble_spake_verifier_init(struct ble_spake *s, const uint8_t *context, size_t context_len,
                            const uint8_t *id_prover, size_t id_prover_len, const uint8_t *id_verifier,
                            size_t id_verifier_len, const uint8_t w0[BLE_SPAKE_SCALAR_SIZE],
                            const uint8_t L[BLE_SPAKE_POINT_SIZE]);

/* Prover: shareP = X = x*G + w0*M.  x is 40 random bytes reduced modulo n
 * (redrawn if zero); the _scalar variant takes x itself (the vectors).
 * -EPROTO if called out of order. */
int ble_spake_prover_start(struct ble_spake *s, ble_random_fn rand, void *userdata,
                           uint8_t share_p[BLE_SPAKE_POINT_SIZE]);
int ble_spake_prover_start_scalar(struct ble_spake *s, const uint8_t x[BLE_SPAKE_SCALAR_SIZE],
                                  uint8_t share_p[BLE_SPAKE_POINT_SIZE]);

/* Verifier: checks shareP, picks y, computes shareV = Y = y*G + w0*N,
 * Z = y*(X - w0*M), V = y*L, the transcript and the keys, and confirmV =
 * HMAC(K_confirmV, shareP).  -EBADMSG for a bad share (including one that
 * cancels the mask: X = w0*M), -EPROTO out of order; both fail the run. */
int ble_spake_verifier_respond(struct ble_spake *s, const uint8_t *share_p, size_t share_p_len,
                               ble_random_fn rand, void *userdata, uint8_t share_v[BLE_SPAKE_POINT_SIZE],
                               uint8_t confirm_v[BLE_SPAKE_HASH_SIZE]);
int ble_spake_verifier_respond_scalar(struct ble_spake *s, const uint8_t *share_p, size_t share_p_len,
                                      const uint8_t y[BLE_SPAKE_SCALAR_SIZE],
                                      uint8_t share_v[BLE_SPAKE_POINT_SIZE],
                                      uint8_t confirm_v[BLE_SPAKE_HASH_SIZE]);

/* Prover: checks shareV, computes Z = x*(Y - w0*N), V = w1*(Y - w0*N), the
 * keys, checks confirmV (constant time), and gives confirmP = HMAC(
 * K_confirmP, shareV) and K_shared.  -EBADMSG bad share, -EKEYREJECTED
 * wrong confirmV (wrong password, or an active attacker). */
int ble_spake_prover_finish(struct ble_spake *s, const uint8_t *share_v, size_t share_v_len,
                            const uint8_t *confirm_v, size_t confirm_v_len,
                            uint8_t confirm_p[BLE_SPAKE_HASH_SIZE], uint8_t k_shared[BLE_SPAKE_HASH_SIZE]);

/* Verifier: checks confirmP (constant time, exactly 32 bytes) and gives
 * K_shared.  -EKEYREJECTED when it does not match. */
int ble_spake_verifier_finish(struct ble_spake *s, const uint8_t *confirm_p, size_t confirm_p_len,
                              uint8_t k_shared[BLE_SPAKE_HASH_SIZE]);

/* Forget everything (secrets included).  The context can be initialised
 * again. */
void ble_spake_wipe(struct ble_spake *s);

/* RFC 9383's M and N for P-256, uncompressed (the transcript's encoding). */
extern const uint8_t ble_spake_M[BLE_SPAKE_POINT_SIZE];
extern const uint8_t ble_spake_N[BLE_SPAKE_POINT_SIZE];

/* HKDF-SHA256 and HMAC-SHA256 as the rest of daemon/ble/ uses them (EVP_KDF
 * "HKDF", EVP_MAC "HMAC").  salt may be NULL (RFC 5869's "not provided").
 * 0, -EINVAL or -EIO. */
int ble_hkdf_sha256(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
                    const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len);
int ble_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len,
                    uint8_t out[BLE_SPAKE_HASH_SIZE]);
