/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "spake2plus.h"

#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <string.h>

#include "macro.h"

enum {
        STATE_NONE = 0,
        STATE_PROVER_READY,   /* init done, no share yet */
        STATE_PROVER_SENT,    /* shareP out, waiting for shareV + confirmV */
        STATE_VERIFIER_READY, /* init done, waiting for shareP */
        STATE_VERIFIER_SENT,  /* shareV + confirmV out, waiting for confirmP */
        STATE_DONE,           /* K_shared given out */
        STATE_FAILED,         /* a refusal: nothing more */
};

/* RFC 9383 section 4, P-256: M and N (given there compressed; these are
 * the same points uncompressed, as they enter the transcript; the test
 * checks both forms agree). */
const uint8_t ble_spake_M[BLE_SPAKE_POINT_SIZE] = {
        0x04, 0x88, 0x6e, 0x2f, 0x97, 0xac, 0xe4, 0x6e, 0x55, 0xba, 0x9d, 0xd7, 0x24, 0x25, 0x79, 0xf2, 0x99,
        0x3b, 0x64, 0xe1, 0x6e, 0xf3, 0xdc, 0xab, 0x95, 0xaf, 0xd4, 0x97, 0x33, 0x3d, 0x8f, 0xa1, 0x2f, 0x5f,
        0xf3, 0x55, 0x16, 0x3e, 0x43, 0xce, 0x22, 0x4e, 0x0b, 0x0e, 0x65, 0xff, 0x02, 0xac, 0x8e, 0x5c, 0x7b,
        0xe0, 0x94, 0x19, 0xc7, 0x85, 0xe0, 0xca, 0x54, 0x7d, 0x55, 0xa1, 0x2e, 0x2d, 0x20,
};
const uint8_t ble_spake_N[BLE_SPAKE_POINT_SIZE] = {
        0x04, 0xd8, 0xbb, 0xd6, 0xc6, 0x39, 0xc6, 0x29, 0x37, 0xb0, 0x4d, 0x99, 0x7f, 0x38, 0xc3, 0x77, 0x07,
        0x19, 0xc6, 0x29, 0xd7, 0x01, 0x4d, 0x49, 0xa2, 0x4b, 0x4f, 0x98, 0xba, 0xa1, 0x29, 0x2b, 0x49, 0x07,
        0xd6, 0x0a, 0xa6, 0xbf, 0xad, 0xe4, 0x50, 0x08, 0xa6, 0x36, 0x33, 0x7f, 0x51, 0x68, 0xc6, 0x4d, 0x9b,
        0xd3, 0x60, 0x34, 0x80, 0x8c, 0xd5, 0x64, 0x49, 0x0b, 0x1e, 0x65, 0x6e, 0xdb, 0xe7,
};

static const char label_confirmation[] = "ConfirmationKeys";
static const char label_shared[] = "SharedKey";

int ble_random_os(void *userdata, void *buf, size_t n) {
        (void)userdata;
        if (n > INT32_MAX)
                return -EINVAL;
        return RAND_bytes(buf, (int)n) == 1 ? 0 : -EIO;
}

/* ---- OpenSSL plumbing: a group, a BN_CTX and the bignums of one call ---- */

struct ec {
        EC_GROUP *group;
        BN_CTX *bn;
};

static void ec_done(struct ec *e) {
        if (e->bn)
                BN_CTX_end(e->bn);
        BN_CTX_free(e->bn);
        EC_GROUP_free(e->group);
        e->bn = NULL;
        e->group = NULL;
}

static int ec_begin(struct ec *e) {
        *e = (struct ec){ 0 };
        e->group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
        if (!e->group)
                return -EIO;
        e->bn = BN_CTX_secure_new();
        if (!e->bn) {
                ec_done(e);
                return -ENOMEM;
        }
        BN_CTX_start(e->bn);
        return 0;
}

static void ec_point_freep(EC_POINT **p) {
        EC_POINT_clear_free(*p);
}
#define _cleanup_point_ _cleanup_(ec_point_freep)

static void bn_clear_freep(BIGNUM **b) {
        BN_clear_free(*b);
}
#define _cleanup_bn_ _cleanup_(bn_clear_freep)

/* A secret scalar from 32 big-endian bytes, in [1, n-1], constant-time
 * flagged.  NULL with *r set. */
static BIGNUM *scalar_load(const struct ec *e, const uint8_t in[BLE_SPAKE_SCALAR_SIZE], int *r) {
        BIGNUM *s = BN_secure_new();

        if (!s) {
                *r = -ENOMEM;
                return NULL;
        }
        BN_set_flags(s, BN_FLG_CONSTTIME);
        if (!BN_bin2bn(in, BLE_SPAKE_SCALAR_SIZE, s)) {
                BN_clear_free(s);
                *r = -EIO;
                return NULL;
        }
        if (BN_is_zero(s) || BN_cmp(s, EC_GROUP_get0_order(e->group)) >= 0) {
                BN_clear_free(s);
                *r = -EINVAL;
                return NULL;
        }
        return s;
}

/* The strict decoder behind ble_spake_share_check(). */
static EC_POINT *point_decode(const struct ec *e, const uint8_t *in, size_t len, int *r) {
        _cleanup_point_ EC_POINT *p = NULL;
        uint8_t again[BLE_SPAKE_POINT_SIZE];

        *r = -EBADMSG;
        if (!in || len != BLE_SPAKE_POINT_SIZE || in[0] != POINT_CONVERSION_UNCOMPRESSED)
                return NULL;
        p = EC_POINT_new(e->group);
        if (!p) {
                *r = -ENOMEM;
                return NULL;
        }
        /* OpenSSL checks both coordinates are below the field prime and
         * that the point is on the curve (cofactor 1: then it is in the
         * group).  The identity has no 65-byte encoding. */
        if (EC_POINT_oct2point(e->group, p, in, len, e->bn) != 1) {
                ERR_clear_error(); /* a refusal is no error of ours */
                return NULL;
        }
        if (EC_POINT_is_at_infinity(e->group, p) || EC_POINT_is_on_curve(e->group, p, e->bn) != 1)
                return NULL;
        if (EC_POINT_point2oct(e->group, p, POINT_CONVERSION_UNCOMPRESSED, again, sizeof(again), e->bn) !=
                    sizeof(again) ||
            CRYPTO_memcmp(again, in, sizeof(again)) != 0)
                return NULL;
        *r = 0;
        return TAKE_PTR(p);
}

/* 65 bytes; the identity is refused (-EBADMSG). */
static int point_encode(const struct ec *e, const EC_POINT *p, uint8_t out[BLE_SPAKE_POINT_SIZE]) {
        if (EC_POINT_is_at_infinity(e->group, p))
                return -EBADMSG;
        if (EC_POINT_point2oct(e->group, p, POINT_CONVERSION_UNCOMPRESSED, out, BLE_SPAKE_POINT_SIZE,
                               e->bn) != BLE_SPAKE_POINT_SIZE)
                return -EIO;
        return 0;
}

/* r = a*G + b*Q, each product on its own: OpenSSL takes its constant-time
 * paths for a single scalar (the generator's table, or the ladder for an
 * arbitrary point), where one call with both would use wNAF. */
static int mul_gen_plus(const struct ec *e, EC_POINT *r, const BIGNUM *a, const EC_POINT *q,
                        const BIGNUM *b) {
        _cleanup_point_ EC_POINT *t = EC_POINT_new(e->group);

        if (!t)
                return -ENOMEM;
        if (EC_POINT_mul(e->group, r, a, NULL, NULL, e->bn) != 1 ||
            EC_POINT_mul(e->group, t, NULL, q, b, e->bn) != 1 || EC_POINT_add(e->group, r, r, t, e->bn) != 1)
                return -EIO;
        return 0;
}

/* r = k*Q */
static int mul_point(const struct ec *e, EC_POINT *r, const EC_POINT *q, const BIGNUM *k) {
        return EC_POINT_mul(e->group, r, NULL, q, k, e->bn) == 1 ? 0 : -EIO;
}

/* r = P - k*Q (the unmasking of a share) */
static int unmask(const struct ec *e, EC_POINT *r, const EC_POINT *p, const EC_POINT *q, const BIGNUM *k) {
        _cleanup_point_ EC_POINT *t = EC_POINT_new(e->group);

        if (!t)
                return -ENOMEM;
        if (EC_POINT_mul(e->group, t, NULL, q, k, e->bn) != 1 || EC_POINT_invert(e->group, t, e->bn) != 1 ||
            EC_POINT_add(e->group, r, p, t, e->bn) != 1)
                return -EIO;
        return 0;
}

static EC_POINT *point_const(const struct ec *e, const uint8_t in[BLE_SPAKE_POINT_SIZE], int *r) {
        return point_decode(e, in, BLE_SPAKE_POINT_SIZE, r);
}

/* ---- hashes, KDF, MAC ---- */

int ble_hkdf_sha256(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
                    const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len) {
        EVP_KDF *kdf;
        EVP_KDF_CTX *ctx;
        OSSL_PARAM params[5], *p = params;
        char digest[] = "SHA256";
        int r = 0;

        if (!ikm || !out || out_len == 0 || (salt_len > 0 && !salt) || (info_len > 0 && !info))
                return -EINVAL;
        kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
        if (!kdf)
                return -EIO;
        ctx = EVP_KDF_CTX_new(kdf);
        EVP_KDF_free(kdf);
        if (!ctx)
                return -ENOMEM;
        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len);
        /* No salt (RFC 5869: HashLen zero bytes) unless one is given. */
        if (salt && salt_len > 0)
                *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
        if (info_len > 0)
                *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
        *p = OSSL_PARAM_construct_end();
        if (EVP_KDF_derive(ctx, out, out_len, params) != 1)
                r = -EIO;
        EVP_KDF_CTX_free(ctx);
        return r;
}

int ble_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len,
                    uint8_t out[BLE_SPAKE_HASH_SIZE]) {
        EVP_MAC *mac;
        EVP_MAC_CTX *ctx;
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                OSSL_PARAM_construct_end(),
        };
        size_t outl = 0;
        int r = 0;

        if (!key || key_len == 0 || (data_len > 0 && !data) || !out)
                return -EINVAL;
        mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        if (!mac)
                return -EIO;
        ctx = EVP_MAC_CTX_new(mac);
        EVP_MAC_free(mac);
        if (!ctx)
                return -ENOMEM;
        if (EVP_MAC_init(ctx, key, key_len, params) != 1 || EVP_MAC_update(ctx, data, data_len) != 1 ||
            EVP_MAC_final(ctx, out, &outl, BLE_SPAKE_HASH_SIZE) != 1 || outl != BLE_SPAKE_HASH_SIZE)
                r = -EIO;
        EVP_MAC_CTX_free(ctx);
        return r;
}

/* ---- registration ---- */

static void put_le64(uint8_t *p, uint64_t v) {
        for (size_t i = 0; i < 8; i++)
                p[i] = (uint8_t)(v >> (8 * i));
}

/* Reduce a big-endian number of n bytes modulo the group order. */
static int reduce(const struct ec *e, const uint8_t *in, size_t n, uint8_t out[BLE_SPAKE_SCALAR_SIZE]) {
        _cleanup_bn_ BIGNUM *a = BN_secure_new();
        _cleanup_bn_ BIGNUM *m = BN_secure_new();

        if (!a || !m)
                return -ENOMEM;
        BN_set_flags(a, BN_FLG_CONSTTIME);
        BN_set_flags(m, BN_FLG_CONSTTIME);
        if (!BN_bin2bn(in, (int)n, a) || BN_nnmod(m, a, EC_GROUP_get0_order(e->group), e->bn) != 1 ||
            BN_bn2binpad(m, out, BLE_SPAKE_SCALAR_SIZE) != BLE_SPAKE_SCALAR_SIZE)
                return -EIO;
        return BN_is_zero(m) ? -ERANGE : 0;
}

int ble_spake_w_from_pbkdf(const uint8_t in[2 * BLE_SPAKE_PBKDF_HALF], uint8_t w0[BLE_SPAKE_SCALAR_SIZE],
                           uint8_t w1[BLE_SPAKE_SCALAR_SIZE]) {
        struct ec e;
        int r;

        if (!in || !w0 || !w1)
                return -EINVAL;
        r = ec_begin(&e);
        if (r < 0)
                return r;
        r = reduce(&e, in, BLE_SPAKE_PBKDF_HALF, w0);
        if (r >= 0)
                r = reduce(&e, in + BLE_SPAKE_PBKDF_HALF, BLE_SPAKE_PBKDF_HALF, w1);
        ec_done(&e);
        if (r < 0) {
                OPENSSL_cleanse(w0, BLE_SPAKE_SCALAR_SIZE);
                OPENSSL_cleanse(w1, BLE_SPAKE_SCALAR_SIZE);
        }
        return r;
}

/* Longest password we take: a pairing code is 8 digits, a QR secret 26
 * base32 characters; 256 leaves room and bounds the stack buffer. */
#define PASSWORD_MAX 256

int ble_spake_derive_w(const void *password, size_t password_len, const uint8_t *id_prover,
                       size_t id_prover_len, const uint8_t *id_verifier, size_t id_verifier_len,
                       const uint8_t salt[BLE_SPAKE_SALT_SIZE], uint8_t w0[BLE_SPAKE_SCALAR_SIZE],
                       uint8_t w1[BLE_SPAKE_SCALAR_SIZE]) {
        uint8_t input[3 * 8 + PASSWORD_MAX + 2 * BLE_SPAKE_ID_MAX];
        uint8_t out[2 * BLE_SPAKE_PBKDF_HALF];
        size_t n = 0;
        int r;

        if (!password || password_len == 0 || password_len > PASSWORD_MAX ||
            id_prover_len > BLE_SPAKE_ID_MAX || id_verifier_len > BLE_SPAKE_ID_MAX ||
            (id_prover_len > 0 && !id_prover) || (id_verifier_len > 0 && !id_verifier) || !salt || !w0 ||
            !w1)
                return -EINVAL;

        /* RFC 9383 section 3.2: len(pw) || pw || len(idProver) || idProver
         * || len(idVerifier) || idVerifier, len() 8-byte little-endian. */
        put_le64(input + n, password_len);
        n += 8;
        memcpy(input + n, password, password_len);
        n += password_len;
        put_le64(input + n, id_prover_len);
        n += 8;
        if (id_prover_len > 0)
                memcpy(input + n, id_prover, id_prover_len);
        n += id_prover_len;
        put_le64(input + n, id_verifier_len);
        n += 8;
        if (id_verifier_len > 0)
                memcpy(input + n, id_verifier, id_verifier_len);
        n += id_verifier_len;

        /* maxmem: scrypt needs 128*r*N bytes for V plus 128*r*p for B; past
         * OpenSSL's 32 MiB default, so say it (64 MiB). */
        if (EVP_PBE_scrypt((const char *)input, n, salt, BLE_SPAKE_SALT_SIZE, BLE_SPAKE_SCRYPT_N,
                           BLE_SPAKE_SCRYPT_R, BLE_SPAKE_SCRYPT_P, (uint64_t)64 * 1024 * 1024, out,
                           sizeof(out)) != 1)
                r = -EIO;
        else
                r = ble_spake_w_from_pbkdf(out, w0, w1);
        OPENSSL_cleanse(input, sizeof(input));
        OPENSSL_cleanse(out, sizeof(out));
        return r;
}

int ble_spake_compute_L(const uint8_t w1[BLE_SPAKE_SCALAR_SIZE], uint8_t L[BLE_SPAKE_POINT_SIZE]) {
        struct ec e;
        _cleanup_bn_ BIGNUM *k = NULL;
        _cleanup_point_ EC_POINT *p = NULL;
        int r;

        if (!w1 || !L)
                return -EINVAL;
        r = ec_begin(&e);
        if (r < 0)
                return r;
        k = scalar_load(&e, w1, &r);
        if (!k)
                goto out;
        p = EC_POINT_new(e.group);
        if (!p) {
                r = -ENOMEM;
                goto out;
        }
        r = EC_POINT_mul(e.group, p, k, NULL, NULL, e.bn) == 1 ? point_encode(&e, p, L) : -EIO;
out:
        ec_done(&e);
        return r;
}

int ble_spake_share_check(const uint8_t *share, size_t len) {
        struct ec e;
        EC_POINT *p;
        int r;

        r = ec_begin(&e);
        if (r < 0)
                return r;
        p = point_decode(&e, share, len, &r);
        EC_POINT_free(p);
        ec_done(&e);
        return r;
}

/* ---- the run ---- */

void ble_spake_wipe(struct ble_spake *s) {
        if (s)
                OPENSSL_cleanse(s, sizeof(*s));
}

static int fail(struct ble_spake *s, int r) {
        struct ble_spake_trace *trace = s->trace;

        ble_spake_wipe(s);
        s->trace = trace;
        s->state = STATE_FAILED;
        return r;
}

static int init_common(struct ble_spake *s, enum ble_spake_role role, const uint8_t *context,
                       size_t context_len, const uint8_t *id_prover, size_t id_prover_len,
                       const uint8_t *id_verifier, size_t id_verifier_len,
                       const uint8_t w0[BLE_SPAKE_SCALAR_SIZE]) {
        struct ble_spake_trace *trace;

        if (!s)
                return -EINVAL;
        trace = s->trace;
        ble_spake_wipe(s);
        s->trace = trace;
        if (!context || context_len == 0 || context_len > BLE_SPAKE_CONTEXT_MAX ||
            id_prover_len > BLE_SPAKE_ID_MAX || id_verifier_len > BLE_SPAKE_ID_MAX ||
            (id_prover_len > 0 && !id_prover) || (id_verifier_len > 0 && !id_verifier) || !w0)
                return -EINVAL;
        s->role = role;
        memcpy(s->context, context, context_len);
        s->context_len = context_len;
        if (id_prover_len > 0)
                memcpy(s->id_prover, id_prover, id_prover_len);
        s->id_prover_len = id_prover_len;
        if (id_verifier_len > 0)
                memcpy(s->id_verifier, id_verifier, id_verifier_len);
        s->id_verifier_len = id_verifier_len;
        memcpy(s->w0, w0, BLE_SPAKE_SCALAR_SIZE);
        return 0;
}

/* w0 (and w1, L) are checked by loading them once. */
static int check_scalar(const uint8_t k[BLE_SPAKE_SCALAR_SIZE]) {
        struct ec e;
        BIGNUM *b;
        int r;

        r = ec_begin(&e);
        if (r < 0)
                return r;
        b = scalar_load(&e, k, &r);
        BN_clear_free(b);
        ec_done(&e);
        return b ? 0 : r;
}

int ble_spake_prover_init(struct ble_spake *s, const uint8_t *context, size_t context_len,
                          const uint8_t *id_prover, size_t id_prover_len, const uint8_t *id_verifier,
                          size_t id_verifier_len, const uint8_t w0[BLE_SPAKE_SCALAR_SIZE],
                          const uint8_t w1[BLE_SPAKE_SCALAR_SIZE]) {
        int r;

        r = init_common(s, BLE_SPAKE_PROVER, context, context_len, id_prover, id_prover_len, id_verifier,
                        id_verifier_len, w0);
        if (r < 0)
                return r == -EINVAL && s ? fail(s, r) : r;
        if (!w1)
                return fail(s, -EINVAL);
        r = check_scalar(w0);
        if (r >= 0)
                r = check_scalar(w1);
        if (r < 0)
                return fail(s, r);
        memcpy(s->w1, w1, BLE_SPAKE_SCALAR_SIZE);
        s->state = STATE_PROVER_READY;
        return 0;
}

int ble_spake_verifier_init(struct ble_spake *s, const uint8_t *context, size_t context_len,
                            const uint8_t *id_prover, size_t id_prover_len, const uint8_t *id_verifier,
                            size_t id_verifier_len, const uint8_t w0[BLE_SPAKE_SCALAR_SIZE],
                            const uint8_t L[BLE_SPAKE_POINT_SIZE]) {
        int r;

        r = init_common(s, BLE_SPAKE_VERIFIER, context, context_len, id_prover, id_prover_len, id_verifier,
                        id_verifier_len, w0);
        if (r < 0)
                return r == -EINVAL && s ? fail(s, r) : r;
        if (!L)
                return fail(s, -EINVAL);
        r = check_scalar(w0);
        if (r >= 0 && ble_spake_share_check(L, BLE_SPAKE_POINT_SIZE) < 0)
                r = -EINVAL;
        if (r < 0)
                return fail(s, r);
        memcpy(s->L, L, BLE_SPAKE_POINT_SIZE);
        s->state = STATE_VERIFIER_READY;
        return 0;
}

/* A random scalar in [1, n-1]: 40 bytes reduced (RFC 9383's own bias
 * bound), redrawn on zero. */
static int random_scalar(ble_random_fn rand, void *userdata, uint8_t out[BLE_SPAKE_SCALAR_SIZE]) {
        uint8_t buf[BLE_SPAKE_PBKDF_HALF];
        struct ec e;
        int r;

        if (!rand)
                return -EINVAL;
        r = ec_begin(&e);
        if (r < 0)
                return r;
        for (unsigned tries = 0; tries < 8; tries++) {
                r = rand(userdata, buf, sizeof(buf));
                if (r < 0)
                        break;
                r = reduce(&e, buf, sizeof(buf), out);
                if (r != -ERANGE)
                        break;
        }
        ec_done(&e);
        OPENSSL_cleanse(buf, sizeof(buf));
        if (r < 0)
                OPENSSL_cleanse(out, BLE_SPAKE_SCALAR_SIZE);
        return r == -ERANGE ? -EIO : r;
}

int ble_spake_prover_start_scalar(struct ble_spake *s, const uint8_t x[BLE_SPAKE_SCALAR_SIZE],
                                  uint8_t share_p[BLE_SPAKE_POINT_SIZE]) {
        struct ec e;
        _cleanup_bn_ BIGNUM *bx = NULL, *bw0 = NULL;
        _cleanup_point_ EC_POINT *M = NULL, *X = NULL;
        int r;

        if (!s || !x || !share_p)
                return -EINVAL;
        if (s->state != STATE_PROVER_READY)
                return fail(s, -EPROTO);
        r = ec_begin(&e);
        if (r < 0)
                return fail(s, r);
        bx = scalar_load(&e, x, &r);
        if (!bx)
                goto out;
        bw0 = scalar_load(&e, s->w0, &r);
        if (!bw0)
                goto out;
        M = point_const(&e, ble_spake_M, &r);
        if (!M)
                goto out;
        X = EC_POINT_new(e.group);
        if (!X) {
                r = -ENOMEM;
                goto out;
        }
        /* X = x*G + w0*M */
        r = mul_gen_plus(&e, X, bx, M, bw0);
        if (r >= 0)
                r = point_encode(&e, X, s->share_p);
out:
        ec_done(&e);
        if (r < 0)
                return fail(s, r);
        memcpy(s->scalar, x, BLE_SPAKE_SCALAR_SIZE);
        memcpy(share_p, s->share_p, BLE_SPAKE_POINT_SIZE);
        s->state = STATE_PROVER_SENT;
        return 0;
}

int ble_spake_prover_start(struct ble_spake *s, ble_random_fn rand, void *userdata,
                           uint8_t share_p[BLE_SPAKE_POINT_SIZE]) {
        uint8_t x[BLE_SPAKE_SCALAR_SIZE];
        int r;

        if (!s)
                return -EINVAL;
        r = random_scalar(rand, userdata, x);
        if (r < 0)
                return fail(s, r);
        r = ble_spake_prover_start_scalar(s, x, share_p);
        OPENSSL_cleanse(x, sizeof(x));
        return r;
}

static uint8_t *tt_put(uint8_t *p, const void *data, size_t n) {
        put_le64(p, n);
        p += 8;
        if (n > 0)
                memcpy(p, data, n);
        return p + n;
}

/* The transcript (RFC 9383 section 3.3), K_main = SHA-256(TT),
 * K_confirmP || K_confirmV = HKDF(nil, K_main, "ConfirmationKeys", 64),
 * K_shared = HKDF(nil, K_main, "SharedKey", 32).  Keeps K_confirmP and
 * K_shared in s; gives K_confirmV to the caller. */
static int key_schedule(struct ble_spake *s, const uint8_t z[BLE_SPAKE_POINT_SIZE],
                        const uint8_t v[BLE_SPAKE_POINT_SIZE], uint8_t k_confirm_v[BLE_SPAKE_HASH_SIZE]) {
        uint8_t tt[BLE_SPAKE_TT_MAX], *p = tt;
        uint8_t k_main[BLE_SPAKE_HASH_SIZE], kc[2 * BLE_SPAKE_HASH_SIZE];
        unsigned int md_len = 0;
        size_t tt_len;
        int r;

        p = tt_put(p, s->context, s->context_len);
        p = tt_put(p, s->id_prover, s->id_prover_len);
        p = tt_put(p, s->id_verifier, s->id_verifier_len);
        p = tt_put(p, ble_spake_M, BLE_SPAKE_POINT_SIZE);
        p = tt_put(p, ble_spake_N, BLE_SPAKE_POINT_SIZE);
        p = tt_put(p, s->share_p, BLE_SPAKE_POINT_SIZE);
        p = tt_put(p, s->share_v, BLE_SPAKE_POINT_SIZE);
        p = tt_put(p, z, BLE_SPAKE_POINT_SIZE);
        p = tt_put(p, v, BLE_SPAKE_POINT_SIZE);
        p = tt_put(p, s->w0, BLE_SPAKE_SCALAR_SIZE);
        tt_len = (size_t)(p - tt);

        if (EVP_Digest(tt, tt_len, k_main, &md_len, EVP_sha256(), NULL) != 1 || md_len != sizeof(k_main))
                r = -EIO;
        else
                r = ble_hkdf_sha256(NULL, 0, k_main, sizeof(k_main), (const uint8_t *)label_confirmation,
                                    sizeof(label_confirmation) - 1, kc, sizeof(kc));
        if (r >= 0)
                r = ble_hkdf_sha256(NULL, 0, k_main, sizeof(k_main), (const uint8_t *)label_shared,
                                    sizeof(label_shared) - 1, s->k_shared, sizeof(s->k_shared));
        if (r >= 0) {
                memcpy(s->k_confirm_p, kc, BLE_SPAKE_HASH_SIZE);
                memcpy(k_confirm_v, kc + BLE_SPAKE_HASH_SIZE, BLE_SPAKE_HASH_SIZE);
                if (s->trace) {
                        memcpy(s->trace->z, z, BLE_SPAKE_POINT_SIZE);
                        memcpy(s->trace->v, v, BLE_SPAKE_POINT_SIZE);
                        memcpy(s->trace->tt, tt, tt_len);
                        s->trace->tt_len = tt_len;
                        memcpy(s->trace->k_main, k_main, sizeof(k_main));
                        memcpy(s->trace->k_confirm_p, kc, BLE_SPAKE_HASH_SIZE);
                        memcpy(s->trace->k_confirm_v, kc + BLE_SPAKE_HASH_SIZE, BLE_SPAKE_HASH_SIZE);
                }
        }
        OPENSSL_cleanse(tt, sizeof(tt));
        OPENSSL_cleanse(k_main, sizeof(k_main));
        OPENSSL_cleanse(kc, sizeof(kc));
        return r;
}

int ble_spake_verifier_respond_scalar(struct ble_spake *s, const uint8_t *share_p, size_t share_p_len,
                                      const uint8_t y[BLE_SPAKE_SCALAR_SIZE],
                                      uint8_t share_v[BLE_SPAKE_POINT_SIZE],
                                      uint8_t confirm_v[BLE_SPAKE_HASH_SIZE]) {
        struct ec e;
        _cleanup_bn_ BIGNUM *by = NULL, *bw0 = NULL;
        _cleanup_point_ EC_POINT *X = NULL, *M = NULL, *N = NULL, *L = NULL, *Y = NULL, *T = NULL, *Z = NULL,
                                 *V = NULL;
        uint8_t z[BLE_SPAKE_POINT_SIZE], v[BLE_SPAKE_POINT_SIZE], k_confirm_v[BLE_SPAKE_HASH_SIZE];
        int r;

        if (!s || !y || !share_v || !confirm_v)
                return -EINVAL;
        if (s->state != STATE_VERIFIER_READY)
                return fail(s, -EPROTO);
        r = ec_begin(&e);
        if (r < 0)
                return fail(s, r);
        X = point_decode(&e, share_p, share_p_len, &r);
        if (!X)
                goto out;
        by = scalar_load(&e, y, &r);
        if (!by)
                goto out;
        bw0 = scalar_load(&e, s->w0, &r);
        if (!bw0)
                goto out;
        M = point_const(&e, ble_spake_M, &r);
        if (!M)
                goto out;
        N = point_const(&e, ble_spake_N, &r);
        if (!N)
                goto out;
        L = point_const(&e, s->L, &r);
        if (!L)
                goto out;
        Y = EC_POINT_new(e.group);
        T = EC_POINT_new(e.group);
        Z = EC_POINT_new(e.group);
        V = EC_POINT_new(e.group);
        if (!Y || !T || !Z || !V) {
                r = -ENOMEM;
                goto out;
        }
        memcpy(s->share_p, share_p, BLE_SPAKE_POINT_SIZE);
        /* Y = y*G + w0*N */
        r = mul_gen_plus(&e, Y, by, N, bw0);
        if (r >= 0)
                r = point_encode(&e, Y, s->share_v);
        /* T = X - w0*M; a share that cancels the mask (T the identity)
         * would make Z the identity: refused as a bad share. */
        if (r >= 0)
                r = unmask(&e, T, X, M, bw0);
        if (r >= 0 && EC_POINT_is_at_infinity(e.group, T))
                r = -EBADMSG;
        /* Z = y*T, V = y*L */
        if (r >= 0)
                r = mul_point(&e, Z, T, by);
        if (r >= 0)
                r = mul_point(&e, V, L, by);
        if (r >= 0)
                r = point_encode(&e, Z, z);
        if (r >= 0)
                r = point_encode(&e, V, v);
        if (r >= 0)
                r = key_schedule(s, z, v, k_confirm_v);
        /* confirmV = HMAC(K_confirmV, shareP) */
        if (r >= 0)
                r = ble_hmac_sha256(k_confirm_v, sizeof(k_confirm_v), s->share_p, BLE_SPAKE_POINT_SIZE,
                                    confirm_v);
out:
        ec_done(&e);
        OPENSSL_cleanse(z, sizeof(z));
        OPENSSL_cleanse(v, sizeof(v));
        OPENSSL_cleanse(k_confirm_v, sizeof(k_confirm_v));
        if (r < 0) {
                OPENSSL_cleanse(confirm_v, BLE_SPAKE_HASH_SIZE);
                return fail(s, r);
        }
        memcpy(s->scalar, y, BLE_SPAKE_SCALAR_SIZE);
        memcpy(share_v, s->share_v, BLE_SPAKE_POINT_SIZE);
        s->state = STATE_VERIFIER_SENT;
        return 0;
}

int ble_spake_verifier_respond(struct ble_spake *s, const uint8_t *share_p, size_t share_p_len,
                               ble_random_fn rand, void *userdata, uint8_t share_v[BLE_SPAKE_POINT_SIZE],
                               uint8_t confirm_v[BLE_SPAKE_HASH_SIZE]) {
        uint8_t y[BLE_SPAKE_SCALAR_SIZE];
        int r;

        if (!s)
                return -EINVAL;
        if (s->state != STATE_VERIFIER_READY)
                return fail(s, -EPROTO);
        r = random_scalar(rand, userdata, y);
        if (r < 0)
                return fail(s, r);
        r = ble_spake_verifier_respond_scalar(s, share_p, share_p_len, y, share_v, confirm_v);
        OPENSSL_cleanse(y, sizeof(y));
        return r;
}

int ble_spake_prover_finish(struct ble_spake *s, const uint8_t *share_v, size_t share_v_len,
                            const uint8_t *confirm_v, size_t confirm_v_len,
                            uint8_t confirm_p[BLE_SPAKE_HASH_SIZE], uint8_t k_shared[BLE_SPAKE_HASH_SIZE]) {
        struct ec e;
        _cleanup_bn_ BIGNUM *bx = NULL, *bw0 = NULL, *bw1 = NULL;
        _cleanup_point_ EC_POINT *Y = NULL, *N = NULL, *T = NULL, *Z = NULL, *V = NULL;
        uint8_t z[BLE_SPAKE_POINT_SIZE], v[BLE_SPAKE_POINT_SIZE], k_confirm_v[BLE_SPAKE_HASH_SIZE];
        uint8_t expect[BLE_SPAKE_HASH_SIZE];
        int r;

        if (!s || !confirm_p || !k_shared)
                return -EINVAL;
        if (s->state != STATE_PROVER_SENT)
                return fail(s, -EPROTO);
        r = ec_begin(&e);
        if (r < 0)
                return fail(s, r);
        Y = point_decode(&e, share_v, share_v_len, &r);
        if (!Y)
                goto out;
        if (!confirm_v || confirm_v_len != BLE_SPAKE_HASH_SIZE) {
                r = -EBADMSG;
                goto out;
        }
        bx = scalar_load(&e, s->scalar, &r);
        if (!bx)
                goto out;
        bw0 = scalar_load(&e, s->w0, &r);
        if (!bw0)
                goto out;
        bw1 = scalar_load(&e, s->w1, &r);
        if (!bw1)
                goto out;
        N = point_const(&e, ble_spake_N, &r);
        if (!N)
                goto out;
        T = EC_POINT_new(e.group);
        Z = EC_POINT_new(e.group);
        V = EC_POINT_new(e.group);
        if (!T || !Z || !V) {
                r = -ENOMEM;
                goto out;
        }
        memcpy(s->share_v, share_v, BLE_SPAKE_POINT_SIZE);
        /* T = Y - w0*N, refused if the identity; Z = x*T, V = w1*T */
        r = unmask(&e, T, Y, N, bw0);
        if (r >= 0 && EC_POINT_is_at_infinity(e.group, T))
                r = -EBADMSG;
        if (r >= 0)
                r = mul_point(&e, Z, T, bx);
        if (r >= 0)
                r = mul_point(&e, V, T, bw1);
        if (r >= 0)
                r = point_encode(&e, Z, z);
        if (r >= 0)
                r = point_encode(&e, V, v);
        if (r >= 0)
                r = key_schedule(s, z, v, k_confirm_v);
        if (r >= 0)
                r = ble_hmac_sha256(k_confirm_v, sizeof(k_confirm_v), s->share_p, BLE_SPAKE_POINT_SIZE,
                                    expect);
        if (r >= 0 && CRYPTO_memcmp(expect, confirm_v, BLE_SPAKE_HASH_SIZE) != 0)
                r = -EKEYREJECTED;
        /* confirmP = HMAC(K_confirmP, shareV) */
        if (r >= 0)
                r = ble_hmac_sha256(s->k_confirm_p, sizeof(s->k_confirm_p), s->share_v, BLE_SPAKE_POINT_SIZE,
                                    confirm_p);
out:
        ec_done(&e);
        OPENSSL_cleanse(z, sizeof(z));
        OPENSSL_cleanse(v, sizeof(v));
        OPENSSL_cleanse(k_confirm_v, sizeof(k_confirm_v));
        OPENSSL_cleanse(expect, sizeof(expect));
        if (r < 0) {
                OPENSSL_cleanse(confirm_p, BLE_SPAKE_HASH_SIZE);
                return fail(s, r);
        }
        memcpy(k_shared, s->k_shared, BLE_SPAKE_HASH_SIZE);
        /* Nothing secret is needed any more. */
        OPENSSL_cleanse(s->scalar, sizeof(s->scalar));
        OPENSSL_cleanse(s->w0, sizeof(s->w0));
        OPENSSL_cleanse(s->w1, sizeof(s->w1));
        OPENSSL_cleanse(s->k_confirm_p, sizeof(s->k_confirm_p));
        OPENSSL_cleanse(s->k_shared, sizeof(s->k_shared));
        s->state = STATE_DONE;
        return 0;
}

int ble_spake_verifier_finish(struct ble_spake *s, const uint8_t *confirm_p, size_t confirm_p_len,
                              uint8_t k_shared[BLE_SPAKE_HASH_SIZE]) {
        uint8_t expect[BLE_SPAKE_HASH_SIZE];
        int r;

        if (!s || !k_shared)
                return -EINVAL;
        if (s->state != STATE_VERIFIER_SENT)
                return fail(s, -EPROTO);
        if (!confirm_p || confirm_p_len != BLE_SPAKE_HASH_SIZE)
                return fail(s, -EBADMSG);
        r = ble_hmac_sha256(s->k_confirm_p, sizeof(s->k_confirm_p), s->share_v, BLE_SPAKE_POINT_SIZE,
                            expect);
        if (r >= 0 && CRYPTO_memcmp(expect, confirm_p, BLE_SPAKE_HASH_SIZE) != 0)
                r = -EKEYREJECTED;
        OPENSSL_cleanse(expect, sizeof(expect));
        if (r < 0)
                return fail(s, r);
        memcpy(k_shared, s->k_shared, BLE_SPAKE_HASH_SIZE);
        OPENSSL_cleanse(s->scalar, sizeof(s->scalar));
        OPENSSL_cleanse(s->w0, sizeof(s->w0));
        OPENSSL_cleanse(s->k_confirm_p, sizeof(s->k_confirm_p));
        OPENSSL_cleanse(s->k_shared, sizeof(s->k_shared));
        s->state = STATE_DONE;
        return 0;
}
