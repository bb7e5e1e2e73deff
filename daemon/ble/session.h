/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A BLE session: the keys of one connection, sealed frames with strictly
 * increasing counters per direction, and the lock's challenges
 * (docs/ble-protocol.md, section 4).
 *
 * Pure: no clock reads (time is a monotonic µs value passed in), no random
 * source of its own (random bytes are parameters).  Every secret lives in
 * struct ble_session and is wiped by ble_session_wipe() and
 * ble_session_revoke(); nothing is allocated that outlives a call.
 *
 *   okm  = HKDF-SHA256(salt = "doorlockd-ble-v1", ikm = LTK,
 *                      info = "session" || phone_id(4) || session_id(8) ||
 *                             nonce_p(16) || nonce_l(16), L = 64)
 *   k_pl = okm[0..32)   phone -> lock
 *   k_lp = okm[32..64)  lock -> phone
 *   frame = 0x20 || session_id(8) || counter(8) || ciphertext || tag(16)
 *   ChaCha20-Poly1305, nonce = 00000000 || counter(8), AAD = frame[0..17)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLE_LTK_SIZE 32
#define BLE_SESSION_KEY_SIZE 32
#define BLE_SESSION_ID_SIZE 8
#define BLE_NONCE_SIZE 16
#define BLE_TAG_SIZE 16
#define BLE_CHALLENGE_SIZE 16

#define BLE_TYPE_SEALED 0x20
/* type(1) || session_id(8) || counter(8): the AAD */
#define BLE_SEALED_HEADER_SIZE (1 + BLE_SESSION_ID_SIZE + 8)
#define BLE_SEALED_OVERHEAD (BLE_SEALED_HEADER_SIZE + BLE_TAG_SIZE)
/* A whole message is at most 1024 bytes (frame.h's BLE_MESSAGE_MAX). */
#define BLE_SEALED_FRAME_MAX 1024
#define BLE_SEALED_PLAINTEXT_MAX (BLE_SEALED_FRAME_MAX - BLE_SEALED_OVERHEAD)

/* A challenge is good for 30 s after it was issued. */
#define BLE_CHALLENGE_TTL_USEC ((uint64_t)30 * 1000000)

enum ble_role {
        BLE_ROLE_PHONE, /* seals with k_pl, opens with k_lp */
        BLE_ROLE_LOCK,  /* seals with k_lp, opens with k_pl */
};

enum ble_session_state {
        BLE_SESSION_NONE = 0, /* never derived, or wiped */
        BLE_SESSION_LIVE,
        BLE_SESSION_REVOKED, /* keys wiped; every call refused with -EKEYREVOKED */
};

struct ble_challenge {
        bool outstanding;
        uint8_t op;                              /* the state-changing op it is for */
        uint64_t issued;                         /* µs, monotonic */
        uint32_t phone_id;                       /* the session's, kept with it: a challenge is */
        uint8_t session_id[BLE_SESSION_ID_SIZE]; /* checked against both */
        uint8_t value[BLE_CHALLENGE_SIZE];
};

struct ble_session {
        enum ble_session_state state;
        enum ble_role role;
        uint32_t phone_id;
        uint8_t session_id[BLE_SESSION_ID_SIZE];
        uint8_t k_send[BLE_SESSION_KEY_SIZE];
        uint8_t k_recv[BLE_SESSION_KEY_SIZE];
        uint64_t sent;                  /* the last counter sealed (0: none yet) */
        uint64_t received;              /* the last counter accepted (0: none yet) */
        struct ble_challenge challenge; /* the lock's one outstanding challenge */
};

/* The two keys alone (for the vectors): -EIO when OpenSSL refuses. */
int ble_session_keys(const uint8_t ltk[BLE_LTK_SIZE], uint32_t phone_id,
                     const uint8_t session_id[BLE_SESSION_ID_SIZE], const uint8_t nonce_p[BLE_NONCE_SIZE],
                     const uint8_t nonce_l[BLE_NONCE_SIZE], uint8_t k_pl[BLE_SESSION_KEY_SIZE],
                     uint8_t k_lp[BLE_SESSION_KEY_SIZE]);

/* Derive a live session for side; *ret is overwritten (wipe the old one
 * first if it was live).  -EINVAL for a NULL argument or an unknown role,
 * -EIO when OpenSSL refuses (ret is then wiped). */
int ble_session_derive(const uint8_t ltk[BLE_LTK_SIZE], uint32_t phone_id,
                       const uint8_t session_id[BLE_SESSION_ID_SIZE], const uint8_t nonce_p[BLE_NONCE_SIZE],
                       const uint8_t nonce_l[BLE_NONCE_SIZE], enum ble_role side, struct ble_session *ret);

/* Seal len bytes of plaintext (1..BLE_SEALED_PLAINTEXT_MAX) as the next
 * frame of this side: out gets len + BLE_SEALED_OVERHEAD bytes, *counter
 * (may be NULL) the frame's counter, which a response names as its req_seq.
 * out must not overlap plaintext.
 *   -EINVAL      NULL argument
 *   -ENOTCONN    no live session (never derived, or wiped)
 *   -EKEYREVOKED revoked
 *   -EMSGSIZE    len is 0 or above BLE_SEALED_PLAINTEXT_MAX
 *   -ENOBUFS     outsize too small
 *   -EOVERFLOW   the counter is exhausted (2^64 - 1 frames)
 *   -EIO         OpenSSL refused
 * Nothing changes on an error. */
int ble_session_seal(struct ble_session *s, const uint8_t *plaintext, size_t len, uint8_t *out,
                     size_t outsize, size_t *outlen, uint64_t *counter);

/* Open a frame from the other side.  The checks run in this order, and a
 * refused frame changes nothing (the counter is not advanced, out is
 * wiped):
 *   -EINVAL      NULL argument
 *   -ENOTCONN    no live session
 *   -EKEYREVOKED revoked (the phone was removed)
 *   -EPROTO      not a SEALED frame (type byte)
 *   -EMSGSIZE    shorter than BLE_SEALED_OVERHEAD + 1, or longer than
 *                BLE_SEALED_FRAME_MAX
 *   -ESTALE      another session's id: refused before any crypto
 *   -EALREADY    counter not above the last accepted one (replay, reorder)
 *   -ERANGE      counter more than one above it (a gap: loss or attack)
 *   -ENOBUFS     outsize too small for the plaintext
 *   -EBADMSG     the tag does not verify (tamper, reflection, wrong key)
 *   -EIO         OpenSSL refused
 * On success out gets *outlen = len - BLE_SEALED_OVERHEAD bytes and
 * *counter (may be NULL) the frame's counter. */
int ble_session_open(struct ble_session *s, const uint8_t *frame, size_t len, uint8_t *out, size_t outsize,
                     size_t *outlen, uint64_t *counter);

/* Lock side: issue the challenge for op (a state-changing op, see
 * ble_op_needs_challenge()) from 16 fresh random bytes; it replaces any
 * outstanding one and is good until now + 30 s.  out (may be NULL) gets
 * the value to send.  -EINVAL for a NULL argument, a read op or a phone
 * session, -ENOTCONN / -EKEYREVOKED as above. */
int ble_session_challenge_new(struct ble_session *s, uint8_t op, uint64_t now,
                              const uint8_t rand16[BLE_CHALLENGE_SIZE], uint8_t out[BLE_CHALLENGE_SIZE]);

/* Lock side: check the challenge a state-changing request for op presents
 * (NULL: it presents none).  Whatever the outcome, the outstanding
 * challenge is used up (single use: a wrong guess burns it too).
 *   0          good
 *   -ENOENT    none outstanding (never asked, already used, or replaced)
 *   -ENOMSG    the request carries none
 *   -EXDEV     issued for another op (or another phone or session)
 *   -ETIME     expired (now >= issued + 30 s, or now before issued)
 *   -EACCES    wrong value
 *   -EINVAL    NULL s, a read op, or a phone session
 *   -ENOTCONN / -EKEYREVOKED as above */
int ble_session_challenge_check(struct ble_session *s, uint8_t op, const uint8_t *challenge, uint64_t now);

/* The phone was removed: wipe the keys and the challenge and refuse every
 * later call with -EKEYREVOKED, at once. */
void ble_session_revoke(struct ble_session *s);

/* Wipe everything (keys, challenge, counters); the session is then
 * BLE_SESSION_NONE.  NULL is fine. */
void ble_session_wipe(struct ble_session *s);
