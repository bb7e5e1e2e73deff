/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pairing.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include "macro.h"
#include "session.h"

enum {
        STATE_CLOSED = 0,
        STATE_IDLE,          /* open, no run */
        STATE_AWAIT_SHARE,   /* salt sent, waiting for shareP */
        STATE_AWAIT_CONFIRM, /* shareV + confirmV sent, waiting for confirmP */
        STATE_CONFIRMED,     /* SPAKE2+ done: the caller completes or refuses */
};

static const char context_prefix[] = "doorlockd pairing v1";
static const char ble_salt[] = "doorlockd-ble-v1";

_Static_assert(sizeof(context_prefix) - 1 + 4 == BLE_PAIRING_CONTEXT_SIZE, "context size");
_Static_assert(sizeof(ble_salt) - 1 == 16, "the protocol's HKDF salt is 16 bytes");

static void put_be32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p) {
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- codes, records, keys ---- */

#define CODE_LIMIT 4200000000u /* 42 * 10^8 */
#define CODE_MODULUS 100000000u
#define CODE_DRAWS 32

int ble_pairing_code_new(ble_random_fn rand, void *userdata, char out[BLE_PAIRING_CODE_DIGITS + 1]) {
        uint8_t b[4];
        int r = -EIO;

        if (!rand || !out)
                return -EINVAL;
        for (unsigned i = 0; i < CODE_DRAWS; i++) {
                uint32_t v;

                r = rand(userdata, b, sizeof(b));
                if (r < 0)
                        break;
                v = get_be32(b);
                r = -EIO;
                if (v >= CODE_LIMIT)
                        continue;
                v %= CODE_MODULUS;
                for (int d = BLE_PAIRING_CODE_DIGITS - 1; d >= 0; d--) {
                        out[d] = (char)('0' + v % 10);
                        v /= 10;
                }
                out[BLE_PAIRING_CODE_DIGITS] = 0;
                r = 0;
                break;
        }
        OPENSSL_cleanse(b, sizeof(b));
        if (r < 0)
                OPENSSL_cleanse(out, BLE_PAIRING_CODE_DIGITS + 1);
        return r;
}

int ble_pairing_qr_secret_new(ble_random_fn rand, void *userdata, char out[BLE_PAIRING_QR_CHARS + 1]) {
        static const char alphabet[32] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        uint8_t b[BLE_PAIRING_QR_SECRET_SIZE];
        unsigned acc = 0, bits = 0;
        size_t n = 0;
        int r;

        _Static_assert(BLE_PAIRING_QR_CHARS == (BLE_PAIRING_QR_SECRET_SIZE * 8 + 4) / 5, "base32 length");
        if (!rand || !out)
                return -EINVAL;
        r = rand(userdata, b, sizeof(b));
        if (r < 0) {
                OPENSSL_cleanse(b, sizeof(b));
                return r;
        }
        for (size_t i = 0; i < sizeof(b); i++) {
                acc = (acc << 8 | b[i]) & 0xfff;
                bits += 8;
                while (bits >= 5) {
                        out[n++] = alphabet[(acc >> (bits - 5)) & 31];
                        bits -= 5;
                }
        }
        if (bits > 0)
                out[n++] = alphabet[(acc << (5 - bits)) & 31];
        out[n] = 0;
        OPENSSL_cleanse(&acc, sizeof(acc));
        OPENSSL_cleanse(b, sizeof(b));
        return 0;
}

int ble_pairing_record_new(const char *password, size_t len, ble_random_fn rand, void *userdata,
                           struct ble_pairing_record *ret) {
        struct ble_pairing_record rec;
        uint8_t w1[BLE_SPAKE_SCALAR_SIZE];
        int r;

        if (!password || len == 0 || !rand || !ret)
                return -EINVAL;
        r = rand(userdata, rec.salt, sizeof(rec.salt));
        if (r >= 0)
                r = ble_spake_derive_w(password, len, NULL, 0, NULL, 0, rec.salt, rec.w0, w1);
        if (r >= 0)
                r = ble_spake_compute_L(w1, rec.L);
        if (r >= 0)
                *ret = rec;
        OPENSSL_cleanse(w1, sizeof(w1));
        OPENSSL_cleanse(&rec, sizeof(rec));
        return r;
}

void ble_pairing_context(uint32_t link_id, uint8_t out[BLE_PAIRING_CONTEXT_SIZE]) {
        memcpy(out, context_prefix, sizeof(context_prefix) - 1);
        put_be32(out + sizeof(context_prefix) - 1, link_id);
}

int ble_pairing_ltk(const uint8_t k_shared[BLE_SPAKE_HASH_SIZE], uint32_t phone_id,
                    uint8_t ltk[BLE_PAIRING_LTK_SIZE]) {
        uint8_t info[3 + 4] = { 'l', 't', 'k' };

        if (!k_shared || !ltk)
                return -EINVAL;
        put_be32(info + 3, phone_id);
        return ble_hkdf_sha256((const uint8_t *)ble_salt, sizeof(ble_salt) - 1, k_shared,
                               BLE_SPAKE_HASH_SIZE, info, sizeof(info), ltk, BLE_PAIRING_LTK_SIZE);
}

/* k_lp of the session that carries PAIR_DONE: section 4's derivation
 * (ble_session_keys(), the one implementation) with session_id = link_id ||
 * link_id and the nonces taken from the confirmations, and the LTK it is
 * derived from. */
static int done_key(const uint8_t k_shared[BLE_SPAKE_HASH_SIZE], uint32_t link_id, uint32_t phone_id,
                    const uint8_t confirm_p[BLE_SPAKE_HASH_SIZE],
                    const uint8_t confirm_v[BLE_SPAKE_HASH_SIZE], uint8_t ltk[BLE_PAIRING_LTK_SIZE],
                    uint8_t k_lp[BLE_SESSION_KEY_SIZE]) {
        uint8_t session_id[BLE_SESSION_ID_SIZE];
        uint8_t k_pl[BLE_SESSION_KEY_SIZE];
        int r;

        put_be32(session_id, link_id);
        put_be32(session_id + 4, link_id);
        r = ble_pairing_ltk(k_shared, phone_id, ltk);
        if (r >= 0)
                r = ble_session_keys(ltk, phone_id, session_id, confirm_p, confirm_v, k_pl, k_lp);
        OPENSSL_cleanse(k_pl, sizeof(k_pl));
        if (r < 0)
                OPENSSL_cleanse(ltk, BLE_PAIRING_LTK_SIZE);
        return r;
}

/* ChaCha20-Poly1305 with nonce 0^4 || be64(1).  seal: in -> out || tag;
 * open: in (ciphertext) with tag -> out, -EBADMSG on a bad tag. */
static int aead(bool seal, const uint8_t key[32], const uint8_t *aad, size_t aad_len, const uint8_t *in,
                size_t len, uint8_t *out, uint8_t tag[BLE_PAIRING_TAG_SIZE]) {
        uint8_t nonce[12] = { 0 };
        EVP_CIPHER_CTX *ctx;
        int n = 0, r = -EIO;

        nonce[11] = 1;
        ctx = EVP_CIPHER_CTX_new();
        if (!ctx)
                return -ENOMEM;
        if (EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), NULL, NULL, NULL, seal) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, sizeof(nonce), NULL) != 1 ||
            EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, seal) != 1 ||
            EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1 ||
            EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1 || (size_t)n != len)
                goto out;
        if (seal) {
                if (EVP_CipherFinal_ex(ctx, out + n, &n) != 1 ||
                    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, BLE_PAIRING_TAG_SIZE, tag) != 1)
                        goto out;
        } else {
                if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, BLE_PAIRING_TAG_SIZE, tag) != 1)
                        goto out;
                if (EVP_CipherFinal_ex(ctx, out + n, &n) != 1) {
                        OPENSSL_cleanse(out, len);
                        r = -EBADMSG;
                        goto out;
                }
        }
        r = 0;
out:
        EVP_CIPHER_CTX_free(ctx);
        return r;
}

int ble_pairing_done_seal(const uint8_t k_shared[BLE_SPAKE_HASH_SIZE], uint32_t link_id, uint32_t phone_id,
                          const uint8_t confirm_p[BLE_SPAKE_HASH_SIZE],
                          const uint8_t confirm_v[BLE_SPAKE_HASH_SIZE], enum ble_pairing_role role,
                          uint32_t issuer_id, const uint8_t *issuer_secret,
                          uint8_t ltk[BLE_PAIRING_LTK_SIZE], uint8_t *out, size_t *out_len) {
        uint8_t plain[1 + 4 + BLE_PAIRING_ISSUER_SECRET_SIZE], key[32];
        size_t n;
        int r;

        if (!k_shared || !confirm_p || !confirm_v || !ltk || !out || !out_len)
                return -EINVAL;
        if (role == BLE_PAIRING_ROLE_ADMIN) {
                if (!issuer_secret)
                        return -EINVAL;
                n = sizeof(plain);
        } else if (role == BLE_PAIRING_ROLE_USER) {
                if (issuer_secret)
                        return -EINVAL;
                n = 1;
        } else
                return -EINVAL;
        plain[0] = (uint8_t)role;
        if (role == BLE_PAIRING_ROLE_ADMIN) {
                put_be32(plain + 1, issuer_id);
                memcpy(plain + 5, issuer_secret, BLE_PAIRING_ISSUER_SECRET_SIZE);
        }
        out[0] = BLE_PAIRING_MSG_DONE;
        put_be32(out + 1, phone_id);
        r = done_key(k_shared, link_id, phone_id, confirm_p, confirm_v, ltk, key);
        if (r >= 0)
                r = aead(true, key, out, 5, plain, n, out + 5, out + 5 + n);
        OPENSSL_cleanse(plain, sizeof(plain));
        OPENSSL_cleanse(key, sizeof(key));
        if (r < 0) {
                OPENSSL_cleanse(ltk, BLE_PAIRING_LTK_SIZE);
                return r;
        }
        *out_len = 5 + n + BLE_PAIRING_TAG_SIZE;
        return 0;
}

int ble_pairing_done_open(const uint8_t k_shared[BLE_SPAKE_HASH_SIZE], uint32_t link_id,
                          const uint8_t confirm_p[BLE_SPAKE_HASH_SIZE],
                          const uint8_t confirm_v[BLE_SPAKE_HASH_SIZE], const uint8_t *msg, size_t len,
                          uint32_t *phone_id, enum ble_pairing_role *role, uint32_t *issuer_id,
                          uint8_t issuer_secret[BLE_PAIRING_ISSUER_SECRET_SIZE],
                          uint8_t ltk[BLE_PAIRING_LTK_SIZE]) {
        uint8_t plain[1 + 4 + BLE_PAIRING_ISSUER_SECRET_SIZE], key[32], tag[BLE_PAIRING_TAG_SIZE];
        size_t n;
        uint32_t id;
        int r;

        if (!k_shared || !confirm_p || !confirm_v || !phone_id || !role || !issuer_id || !issuer_secret ||
            !ltk)
                return -EINVAL;
        if (!msg || (len != BLE_PAIRING_DONE_USER_SIZE && len != BLE_PAIRING_DONE_ADMIN_SIZE) ||
            msg[0] != BLE_PAIRING_MSG_DONE)
                return -EBADMSG;
        n = len - 5 - BLE_PAIRING_TAG_SIZE;
        id = get_be32(msg + 1);
        memcpy(tag, msg + 5 + n, sizeof(tag));
        r = done_key(k_shared, link_id, id, confirm_p, confirm_v, ltk, key);
        if (r >= 0)
                r = aead(false, key, msg, 5, msg + 5, n, plain, tag);
        if (r >= 0 && !((plain[0] == BLE_PAIRING_ROLE_ADMIN && n == sizeof(plain)) ||
                        (plain[0] == BLE_PAIRING_ROLE_USER && n == 1)))
                r = -EBADMSG;
        if (r >= 0) {
                *phone_id = id;
                *role = plain[0];
                if (plain[0] == BLE_PAIRING_ROLE_ADMIN) {
                        *issuer_id = get_be32(plain + 1);
                        memcpy(issuer_secret, plain + 5, BLE_PAIRING_ISSUER_SECRET_SIZE);
                } else {
                        *issuer_id = 0;
                        memset(issuer_secret, 0, BLE_PAIRING_ISSUER_SECRET_SIZE);
                }
        } else
                OPENSSL_cleanse(ltk, BLE_PAIRING_LTK_SIZE);
        OPENSSL_cleanse(plain, sizeof(plain));
        OPENSSL_cleanse(key, sizeof(key));
        return r;
}

/* ---- the window ---- */

void ble_pairing_init(struct ble_pairing *p) {
        memset(p, 0, sizeof(*p));
}

void ble_pairing_wipe(struct ble_pairing *p) {
        if (p)
                OPENSSL_cleanse(p, sizeof(*p));
}

bool ble_pairing_is_open(const struct ble_pairing *p) {
        return p && p->state != STATE_CLOSED;
}

static void out_reset(struct ble_pairing_out *out) {
        OPENSSL_cleanse(out, sizeof(*out));
}

static struct ble_pairing_event *event_add(struct ble_pairing *p, struct ble_pairing_out *out,
                                           enum ble_pairing_event_type type, uint32_t link_id) {
        struct ble_pairing_event *e;

        /* Never more than three in one call (a failure, a close, a start);
         * the fourth slot is spare. */
        if (out->n_events >= BLE_PAIRING_EVENTS_MAX)
                return &out->events[BLE_PAIRING_EVENTS_MAX - 1];
        e = &out->events[out->n_events++];
        *e = (struct ble_pairing_event){ .type = type, .link_id = link_id, .failures = p->failures };
        return e;
}

static void reply_fail(struct ble_pairing_out *out, uint32_t link_id, enum ble_pairing_fail_reason reason) {
        out->link_id = link_id;
        out->reply[0] = BLE_PAIRING_MSG_FAIL;
        out->reply[1] = (uint8_t)reason;
        out->reply_len = BLE_PAIRING_FAIL_SIZE;
}

static void run_clear(struct ble_pairing *p) {
        ble_spake_wipe(&p->spake);
        OPENSSL_cleanse(p->confirm_p, sizeof(p->confirm_p));
        OPENSSL_cleanse(p->confirm_v, sizeof(p->confirm_v));
        OPENSSL_cleanse(p->k_shared, sizeof(p->k_shared));
        p->link_id = 0;
        p->last = 0;
}

static void window_close(struct ble_pairing *p, enum ble_pairing_close why, struct ble_pairing_out *out) {
        struct ble_pairing_event *e = event_add(p, out, BLE_PAIRING_EVENT_CLOSED, p->link_id);
        unsigned failures = p->failures;

        e->close = why;
        ble_pairing_wipe(p);
        /* the count stays readable (lockctl, the daemon's property) */
        p->failures = failures;
}

/* End the run with a failure; the third counted one closes the window. */
static void run_fail(struct ble_pairing *p, enum ble_pairing_failure why, struct ble_pairing_out *out) {
        bool counted = why != BLE_PAIRING_FAILURE_INTERNAL;
        uint32_t link_id = p->link_id;
        struct ble_pairing_event *e;

        if (counted)
                p->failures++;
        e = event_add(p, out, BLE_PAIRING_EVENT_RUN_FAILED, link_id);
        e->failure = why;
        e->counted = counted;
        run_clear(p);
        p->state = STATE_IDLE;
        if (p->failures >= BLE_PAIRING_MAX_FAILURES) {
                p->link_id = link_id;
                window_close(p, BLE_PAIRING_CLOSE_FAILURES, out);
        }
}

int ble_pairing_open(struct ble_pairing *p, const struct ble_pairing_record *record,
                     enum ble_pairing_role role, const char *name, uint64_t now, uint64_t deadline,
                     ble_random_fn rand, void *userdata) {
        size_t name_len;

        if (!p || !record || !name || !rand)
                return -EINVAL;
        if (p->state != STATE_CLOSED)
                return -EBUSY;
        name_len = strnlen(name, BLE_PAIRING_NAME_MAX + 1);
        if (deadline <= now || (role != BLE_PAIRING_ROLE_ADMIN && role != BLE_PAIRING_ROLE_USER) ||
            name_len > BLE_PAIRING_NAME_MAX || ble_spake_share_check(record->L, sizeof(record->L)) < 0)
                return -EINVAL;
        ble_pairing_wipe(p);
        p->record = *record;
        p->role = role;
        memcpy(p->name, name, name_len);
        p->name[name_len] = 0;
        p->deadline = deadline;
        p->failures = 0;
        p->rand = rand;
        p->userdata = userdata;
        p->state = STATE_IDLE;
        return 0;
}

static bool run_active(const struct ble_pairing *p) {
        return p->state == STATE_AWAIT_SHARE || p->state == STATE_AWAIT_CONFIRM;
}

static void tick(struct ble_pairing *p, uint64_t now, struct ble_pairing_out *out) {
        /* CONFIRMED waits for the caller (a store write), whatever the time */
        if (p->state == STATE_CLOSED || p->state == STATE_CONFIRMED)
                return;
        if (now >= p->deadline) {
                if (run_active(p))
                        run_fail(p, BLE_PAIRING_FAILURE_DEADLINE, out);
                if (p->state != STATE_CLOSED)
                        window_close(p, BLE_PAIRING_CLOSE_DEADLINE, out);
                return;
        }
        if (run_active(p) && now >= p->last && now - p->last >= BLE_PAIRING_STALL_USEC)
                run_fail(p, BLE_PAIRING_FAILURE_STALLED, out);
}

void ble_pairing_tick(struct ble_pairing *p, uint64_t now, struct ble_pairing_out *out) {
        out_reset(out);
        if (p)
                tick(p, now, out);
}

uint64_t ble_pairing_next_wakeup(const struct ble_pairing *p) {
        uint64_t t;

        if (!p || p->state == STATE_CLOSED || p->state == STATE_CONFIRMED)
                return UINT64_MAX;
        t = p->deadline;
        if (run_active(p) && p->last + BLE_PAIRING_STALL_USEC < t)
                t = p->last + BLE_PAIRING_STALL_USEC;
        return t;
}

void ble_pairing_link_lost(struct ble_pairing *p, uint32_t link_id, struct ble_pairing_out *out) {
        out_reset(out);
        if (p && run_active(p) && p->link_id == link_id)
                run_fail(p, BLE_PAIRING_FAILURE_LINK_LOST, out);
}

void ble_pairing_stop(struct ble_pairing *p, struct ble_pairing_out *out) {
        out_reset(out);
        if (p && p->state != STATE_CLOSED)
                window_close(p, BLE_PAIRING_CLOSE_STOPPED, out);
}

static int start_run(struct ble_pairing *p, uint32_t link_id, uint64_t now, struct ble_pairing_out *out) {
        uint8_t context[BLE_PAIRING_CONTEXT_SIZE];
        int r;

        ble_pairing_context(link_id, context);
        r = ble_spake_verifier_init(&p->spake, context, sizeof(context), NULL, 0, NULL, 0, p->record.w0,
                                    p->record.L);
        if (r < 0) {
                ble_spake_wipe(&p->spake);
                reply_fail(out, link_id, BLE_PAIRING_FAIL_INTERNAL);
                return r;
        }
        p->state = STATE_AWAIT_SHARE;
        p->link_id = link_id;
        p->last = now;
        event_add(p, out, BLE_PAIRING_EVENT_RUN_STARTED, link_id);
        out->link_id = link_id;
        out->reply[0] = BLE_PAIRING_MSG_SHARE;
        memcpy(out->reply + 1, p->record.salt, BLE_SPAKE_SALT_SIZE);
        out->reply[1 + BLE_SPAKE_SALT_SIZE] = (uint8_t)(p->failures + 1);
        out->reply_len = BLE_PAIRING_SALT_SIZE;
        return 0;
}

static int on_share(struct ble_pairing *p, const uint8_t *msg, size_t len, uint64_t now,
                    struct ble_pairing_out *out) {
        uint32_t link_id = p->link_id;
        int r;

        if (len != BLE_PAIRING_SHARE_P_SIZE || msg[0] != BLE_PAIRING_MSG_CONFIRM) {
                run_fail(p, BLE_PAIRING_FAILURE_MALFORMED, out);
                reply_fail(out, link_id, BLE_PAIRING_FAIL_MALFORMED);
                return 0;
        }
        r = ble_spake_verifier_respond(&p->spake, msg + 1, BLE_SPAKE_POINT_SIZE, p->rand, p->userdata,
                                       out->reply + 1, out->reply + 1 + BLE_SPAKE_POINT_SIZE);
        if (r == -EBADMSG) {
                run_fail(p, BLE_PAIRING_FAILURE_BAD_SHARE, out);
                reply_fail(out, link_id, BLE_PAIRING_FAIL_BAD_SHARE);
                return 0;
        }
        if (r < 0) {
                run_fail(p, BLE_PAIRING_FAILURE_INTERNAL, out);
                reply_fail(out, link_id, BLE_PAIRING_FAIL_INTERNAL);
                return r;
        }
        memcpy(p->confirm_v, out->reply + 1 + BLE_SPAKE_POINT_SIZE, BLE_SPAKE_HASH_SIZE);
        out->link_id = link_id;
        out->reply[0] = BLE_PAIRING_MSG_SHARE;
        out->reply_len = BLE_PAIRING_SHARE_V_SIZE;
        p->state = STATE_AWAIT_CONFIRM;
        p->last = now;
        return 0;
}

static int on_confirm(struct ble_pairing *p, const uint8_t *msg, size_t len, struct ble_pairing_out *out) {
        uint32_t link_id = p->link_id;
        int r;

        if (len != BLE_PAIRING_CONFIRM_P_SIZE || msg[0] != BLE_PAIRING_MSG_CONFIRM) {
                run_fail(p, BLE_PAIRING_FAILURE_MALFORMED, out);
                reply_fail(out, link_id, BLE_PAIRING_FAIL_MALFORMED);
                return 0;
        }
        r = ble_spake_verifier_finish(&p->spake, msg + 1, BLE_SPAKE_HASH_SIZE, p->k_shared);
        if (r == -EKEYREJECTED) {
                run_fail(p, BLE_PAIRING_FAILURE_CONFIRM, out);
                reply_fail(out, link_id, BLE_PAIRING_FAIL_CONFIRM);
                return 0;
        }
        if (r < 0) {
                run_fail(p, BLE_PAIRING_FAILURE_INTERNAL, out);
                reply_fail(out, link_id, BLE_PAIRING_FAIL_INTERNAL);
                return r;
        }
        memcpy(p->confirm_p, msg + 1, BLE_SPAKE_HASH_SIZE);
        ble_spake_wipe(&p->spake);
        p->state = STATE_CONFIRMED;
        event_add(p, out, BLE_PAIRING_EVENT_CONFIRMED, link_id);
        return 0;
}

int ble_pairing_handle(struct ble_pairing *p, uint32_t link_id, const uint8_t *msg, size_t len, uint64_t now,
                       struct ble_pairing_out *out) {
        bool is_start;

        if (!out)
                return -EINVAL;
        out_reset(out);
        if (!p || (!msg && len > 0))
                return -EINVAL;
        tick(p, now, out);
        is_start = len == BLE_PAIRING_START_SIZE && msg[0] == BLE_PAIRING_MSG_START;

        switch (p->state) {
        case STATE_CLOSED:
                reply_fail(out, link_id, BLE_PAIRING_FAIL_CLOSED);
                return 0;
        case STATE_IDLE:
                if (!is_start) {
                        reply_fail(out, link_id, BLE_PAIRING_FAIL_NO_RUN);
                        return 0;
                }
                return start_run(p, link_id, now, out);
        case STATE_CONFIRMED:
                reply_fail(out, link_id, BLE_PAIRING_FAIL_BUSY);
                return 0;
        default:
                break;
        }

        /* a run is going */
        if (link_id != p->link_id) {
                if (is_start)
                        event_add(p, out, BLE_PAIRING_EVENT_BUSY, link_id);
                reply_fail(out, link_id, BLE_PAIRING_FAIL_BUSY);
                return 0;
        }
        if (len == 0) {
                run_fail(p, BLE_PAIRING_FAILURE_MALFORMED, out);
                reply_fail(out, link_id, BLE_PAIRING_FAIL_MALFORMED);
                return 0;
        }
        if (p->state == STATE_AWAIT_SHARE)
                return on_share(p, msg, len, now, out);
        return on_confirm(p, msg, len, out);
}

int ble_pairing_complete(struct ble_pairing *p, uint32_t phone_id, uint32_t issuer_id,
                         const uint8_t *issuer_secret, uint8_t ltk[BLE_PAIRING_LTK_SIZE],
                         struct ble_pairing_out *out) {
        int r;

        if (!out)
                return -EINVAL;
        out_reset(out);
        if (!p || !ltk)
                return -EINVAL;
        if (p->state != STATE_CONFIRMED)
                return -EPROTO;
        if ((p->role == BLE_PAIRING_ROLE_ADMIN) != (issuer_secret != NULL))
                return -EINVAL;
        r = ble_pairing_done_seal(p->k_shared, p->link_id, phone_id, p->confirm_p, p->confirm_v, p->role,
                                  issuer_id, issuer_secret, ltk, out->reply, &out->reply_len);
        if (r < 0)
                return r;
        out->link_id = p->link_id;
        window_close(p, BLE_PAIRING_CLOSE_PAIRED, out);
        return 0;
}

int ble_pairing_refuse(struct ble_pairing *p, struct ble_pairing_out *out) {
        if (!out)
                return -EINVAL;
        out_reset(out);
        if (!p)
                return -EINVAL;
        if (p->state != STATE_CONFIRMED)
                return -EPROTO;
        reply_fail(out, p->link_id, BLE_PAIRING_FAIL_REFUSED);
        window_close(p, BLE_PAIRING_CLOSE_REFUSED, out);
        return 0;
}
