/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "session.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <string.h>

#include "macro.h"
#include "message.h"

#define SALT "doorlockd-ble-v1"
#define SALT_SIZE (sizeof(SALT) - 1)
#define INFO_LABEL "session"
#define INFO_LABEL_SIZE (sizeof(INFO_LABEL) - 1)
#define INFO_SIZE (INFO_LABEL_SIZE + 4 + BLE_SESSION_ID_SIZE + 2 * (size_t)BLE_NONCE_SIZE)
#define OKM_SIZE (2 * (size_t)BLE_SESSION_KEY_SIZE)
#define AEAD_NONCE_SIZE 12

_Static_assert(SALT_SIZE == 16, "the salt is 16 bytes of ASCII");
_Static_assert(INFO_SIZE == 51, "info is 7 + 4 + 8 + 16 + 16 bytes");

static void put_be32(uint8_t *p, uint32_t v) {
        for (size_t i = 0; i < 4; i++)
                p[i] = (uint8_t)(v >> (8 * (3 - i)));
}

static void put_be64(uint8_t *p, uint64_t v) {
        for (size_t i = 0; i < 8; i++)
                p[i] = (uint8_t)(v >> (8 * (7 - i)));
}

static uint64_t get_be64(const uint8_t *p) {
        uint64_t v = 0;

        for (size_t i = 0; i < 8; i++)
                v = v << 8 | p[i];
        return v;
}

static int hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len,
                       uint8_t *out, size_t out_len) {
        EVP_KDF *kdf;
        EVP_KDF_CTX *ctx;
        char digest[] = "SHA256";
        uint8_t salt[] = SALT;
        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len),
                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, SALT_SIZE),
                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len),
                OSSL_PARAM_construct_end(),
        };
        int r = 0;

        kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
        if (!kdf)
                return -EIO;
        ctx = EVP_KDF_CTX_new(kdf);
        EVP_KDF_free(kdf);
        if (!ctx)
                return -ENOMEM;
        if (EVP_KDF_derive(ctx, out, out_len, params) != 1) {
                OPENSSL_cleanse(out, out_len);
                r = -EIO;
        }
        EVP_KDF_CTX_free(ctx); /* clears its copy of the key */
        return r;
}

int ble_session_keys(const uint8_t ltk[BLE_LTK_SIZE], uint32_t phone_id,
                     const uint8_t session_id[BLE_SESSION_ID_SIZE], const uint8_t nonce_p[BLE_NONCE_SIZE],
                     const uint8_t nonce_l[BLE_NONCE_SIZE], uint8_t k_pl[BLE_SESSION_KEY_SIZE],
                     uint8_t k_lp[BLE_SESSION_KEY_SIZE]) {
        uint8_t info[INFO_SIZE], okm[OKM_SIZE], *p = info;
        int r;

        if (!ltk || !session_id || !nonce_p || !nonce_l || !k_pl || !k_lp)
                return -EINVAL;

        memcpy(p, INFO_LABEL, INFO_LABEL_SIZE);
        p += INFO_LABEL_SIZE;
        put_be32(p, phone_id);
        p += 4;
        memcpy(p, session_id, BLE_SESSION_ID_SIZE);
        p += BLE_SESSION_ID_SIZE;
        memcpy(p, nonce_p, BLE_NONCE_SIZE);
        p += BLE_NONCE_SIZE;
        memcpy(p, nonce_l, BLE_NONCE_SIZE);

        r = hkdf_sha256(ltk, BLE_LTK_SIZE, info, sizeof(info), okm, sizeof(okm));
        if (r >= 0) {
                memcpy(k_pl, okm, BLE_SESSION_KEY_SIZE);
                memcpy(k_lp, okm + BLE_SESSION_KEY_SIZE, BLE_SESSION_KEY_SIZE);
        }
        OPENSSL_cleanse(okm, sizeof(okm));
        return r;
}

int ble_session_derive(const uint8_t ltk[BLE_LTK_SIZE], uint32_t phone_id,
                       const uint8_t session_id[BLE_SESSION_ID_SIZE], const uint8_t nonce_p[BLE_NONCE_SIZE],
                       const uint8_t nonce_l[BLE_NONCE_SIZE], enum ble_role side, struct ble_session *ret) {
        uint8_t k_pl[BLE_SESSION_KEY_SIZE], k_lp[BLE_SESSION_KEY_SIZE];
        int r;

        if (!ret)
                return -EINVAL;
        ble_session_wipe(ret);
        if (side != BLE_ROLE_PHONE && side != BLE_ROLE_LOCK)
                return -EINVAL;

        r = ble_session_keys(ltk, phone_id, session_id, nonce_p, nonce_l, k_pl, k_lp);
        if (r < 0)
                goto out;

        ret->role = side;
        ret->phone_id = phone_id;
        memcpy(ret->session_id, session_id, BLE_SESSION_ID_SIZE);
        memcpy(ret->k_send, side == BLE_ROLE_PHONE ? k_pl : k_lp, BLE_SESSION_KEY_SIZE);
        memcpy(ret->k_recv, side == BLE_ROLE_PHONE ? k_lp : k_pl, BLE_SESSION_KEY_SIZE);
        ret->state = BLE_SESSION_LIVE;
out:
        OPENSSL_cleanse(k_pl, sizeof(k_pl));
        OPENSSL_cleanse(k_lp, sizeof(k_lp));
        return r;
}

static int session_usable(const struct ble_session *s) {
        switch (s->state) {
        case BLE_SESSION_LIVE:
                return 0;
        case BLE_SESSION_REVOKED:
                return -EKEYREVOKED;
        default:
                return -ENOTCONN;
        }
}

/* One ChaCha20-Poly1305 operation over header (AAD) and in.  Decrypting,
 * tag is checked; encrypting, it is written.  On a failure out is wiped. */
static int aead(bool encrypt, const uint8_t key[BLE_SESSION_KEY_SIZE],
                const uint8_t header[BLE_SEALED_HEADER_SIZE], uint64_t counter, const uint8_t *in,
                size_t len, uint8_t *out, uint8_t tag[BLE_TAG_SIZE]) {
        EVP_CIPHER_CTX *ctx;
        uint8_t nonce[AEAD_NONCE_SIZE] = { 0 };
        int outl = 0, finl = 0, r = -EIO;

        put_be64(nonce + 4, counter);
        ctx = EVP_CIPHER_CTX_new();
        if (!ctx)
                return -ENOMEM;
        if (EVP_CipherInit_ex2(ctx, EVP_chacha20_poly1305(), key, nonce, encrypt ? 1 : 0, NULL) != 1)
                goto out;
        if (!encrypt && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, BLE_TAG_SIZE, tag) != 1)
                goto out;
        if (EVP_CipherUpdate(ctx, NULL, &outl, header, BLE_SEALED_HEADER_SIZE) != 1)
                goto out;
        if (EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1 || (size_t)outl != len)
                goto out;
        if (EVP_CipherFinal_ex(ctx, out + outl, &finl) != 1 || finl != 0) {
                r = encrypt ? -EIO : -EBADMSG;
                goto out;
        }
        if (encrypt && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, BLE_TAG_SIZE, tag) != 1)
                goto out;
        r = 0;
out:
        if (r < 0)
                OPENSSL_cleanse(out, len);
        EVP_CIPHER_CTX_free(ctx); /* cleanses the key schedule */
        return r;
}

static void write_header(uint8_t h[BLE_SEALED_HEADER_SIZE], const uint8_t session_id[BLE_SESSION_ID_SIZE],
                         uint64_t counter) {
        h[0] = BLE_TYPE_SEALED;
        memcpy(h + 1, session_id, BLE_SESSION_ID_SIZE);
        put_be64(h + 1 + BLE_SESSION_ID_SIZE, counter);
}

int ble_session_seal(struct ble_session *s, const uint8_t *plaintext, size_t len, uint8_t *out,
                     size_t outsize, size_t *outlen, uint64_t *counter) {
        uint64_t c;
        int r;

        if (!s || !plaintext || !out || !outlen)
                return -EINVAL;
        r = session_usable(s);
        if (r < 0)
                return r;
        if (len == 0 || len > BLE_SEALED_PLAINTEXT_MAX)
                return -EMSGSIZE;
        if (outsize < len + BLE_SEALED_OVERHEAD)
                return -ENOBUFS;
        if (s->sent == UINT64_MAX)
                return -EOVERFLOW;

        c = s->sent + 1;
        write_header(out, s->session_id, c);
        r = aead(true, s->k_send, out, c, plaintext, len, out + BLE_SEALED_HEADER_SIZE,
                 out + BLE_SEALED_HEADER_SIZE + len);
        if (r < 0) {
                OPENSSL_cleanse(out, len + BLE_SEALED_OVERHEAD);
                return r;
        }
        s->sent = c;
        *outlen = len + BLE_SEALED_OVERHEAD;
        if (counter)
                *counter = c;
        return 0;
}

int ble_session_open(struct ble_session *s, const uint8_t *frame, size_t len, uint8_t *out, size_t outsize,
                     size_t *outlen, uint64_t *counter) {
        uint8_t tag[BLE_TAG_SIZE];
        uint64_t c;
        size_t n;
        int r;

        if (!s || !frame || !out || !outlen)
                return -EINVAL;
        r = session_usable(s);
        if (r < 0)
                return r;
        if (len < 1)
                return -EMSGSIZE;
        if (frame[0] != BLE_TYPE_SEALED)
                return -EPROTO;
        if (len < BLE_SEALED_OVERHEAD + 1 || len > BLE_SEALED_FRAME_MAX)
                return -EMSGSIZE;
        /* The session id is public: a plain compare, before any crypto. */
        if (memcmp(frame + 1, s->session_id, BLE_SESSION_ID_SIZE) != 0)
                return -ESTALE;
        c = get_be64(frame + 1 + BLE_SESSION_ID_SIZE);
        if (c <= s->received)
                return -EALREADY;
        if (c != s->received + 1)
                return -ERANGE;
        n = len - BLE_SEALED_OVERHEAD;
        if (outsize < n)
                return -ENOBUFS;

        memcpy(tag, frame + len - BLE_TAG_SIZE, BLE_TAG_SIZE);
        r = aead(false, s->k_recv, frame, c, frame + BLE_SEALED_HEADER_SIZE, n, out, tag);
        if (r < 0)
                return r;
        s->received = c;
        *outlen = n;
        if (counter)
                *counter = c;
        return 0;
}

int ble_session_challenge_new(struct ble_session *s, uint8_t op, uint64_t now,
                              const uint8_t rand16[BLE_CHALLENGE_SIZE], uint8_t out[BLE_CHALLENGE_SIZE]) {
        int r;

        if (!s || !rand16)
                return -EINVAL;
        r = session_usable(s);
        if (r < 0)
                return r;
        if (s->role != BLE_ROLE_LOCK || !ble_op_needs_challenge(op))
                return -EINVAL;

        s->challenge = (struct ble_challenge){
                .outstanding = true,
                .op = op,
                .issued = now,
                .phone_id = s->phone_id,
        };
        memcpy(s->challenge.session_id, s->session_id, BLE_SESSION_ID_SIZE);
        memcpy(s->challenge.value, rand16, BLE_CHALLENGE_SIZE);
        if (out)
                memcpy(out, rand16, BLE_CHALLENGE_SIZE);
        return 0;
}

int ble_session_challenge_check(struct ble_session *s, uint8_t op, const uint8_t *challenge, uint64_t now) {
        struct ble_challenge c;
        int r;

        if (!s)
                return -EINVAL;
        r = session_usable(s);
        if (r < 0)
                return r;
        if (s->role != BLE_ROLE_LOCK || !ble_op_needs_challenge(op))
                return -EINVAL;

        /* Used up whatever the outcome. */
        c = s->challenge;
        OPENSSL_cleanse(&s->challenge, sizeof(s->challenge));

        if (!c.outstanding)
                r = -ENOENT;
        else if (!challenge)
                r = -ENOMSG;
        else if (c.op != op || c.phone_id != s->phone_id ||
                 memcmp(c.session_id, s->session_id, BLE_SESSION_ID_SIZE) != 0)
                r = -EXDEV;
        else if (now < c.issued || now - c.issued >= BLE_CHALLENGE_TTL_USEC)
                r = -ETIME;
        else if (CRYPTO_memcmp(c.value, challenge, BLE_CHALLENGE_SIZE) != 0)
                r = -EACCES;
        else
                r = 0;
        OPENSSL_cleanse(&c, sizeof(c));
        return r;
}

void ble_session_revoke(struct ble_session *s) {
        if (!s)
                return;
        ble_session_wipe(s);
        s->state = BLE_SESSION_REVOKED;
}

void ble_session_wipe(struct ble_session *s) {
        if (!s)
                return;
        OPENSSL_cleanse(s, sizeof(*s));
        s->state = BLE_SESSION_NONE;
}
