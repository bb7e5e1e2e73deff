/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pairing window (docs/ble-protocol.md section 3): the lock's side of
 * SPAKE2+ (the Verifier) behind the PAIR_* messages, with the window's
 * rules, as a pure state machine.  Time (µs, any monotonic origin) and
 * random bytes are injected; the caller sends the replies, writes the
 * events to the audit log and the lockout counter, stores the phone.
 *
 * Messages (plaintext, big-endian; type bytes as in message.h):
 *
 *   phone -> lock   PAIR_START      01                               1 byte
 *   lock  -> phone  PAIR_SHARE      02 || salt(16) || attempt(1)     18
 *   phone -> lock   PAIR_CONFIRM    03 || shareP(65)                 66
 *   lock  -> phone  PAIR_SHARE      02 || shareV(65) || confirmV(32) 98
 *   phone -> lock   PAIR_CONFIRM    03 || confirmP(32)               33
 *   lock  -> phone  PAIR_DONE       04 || phone_id(4) || sealed      22 or 58
 *   lock  -> phone  PAIR_FAIL       05 || reason(1)                  2
 *
 * One type and one exact length per step: anything else at a step is
 * MALFORMED.  The SPAKE2+ context is "doorlockd pairing v1" || link_id(4),
 * the identities empty.
 *
 * The window: opened with a registration record (w0, L, salt: never the
 * code), a role, a name and a deadline.  One run at a time: PAIR_START
 * from another link while a run is going gets PAIR_FAIL BUSY and counts for
 * nothing.  A run that has begun ends in success or in one failure:
 * MALFORMED, BAD_SHARE, CONFIRM (the wrong code), STALLED (10 s without
 * the phone's next message), LINK_LOST (the link went away) or DEADLINE.
 * Each failure is an event for the audit log and the lockout counter
 * (S3); the third closes the window.  The window also closes at its
 * deadline, on ble_pairing_stop(), and after success.  On success the
 * caller stores the phone and calls ble_pairing_complete() (PAIR_DONE,
 * the LTK) or ble_pairing_refuse() (PAIR_FAIL REFUSED, e.g. phone limit). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spake2plus.h"

#define BLE_PAIRING_CODE_DIGITS 8
#define BLE_PAIRING_QR_SECRET_SIZE 16 /* 128 bits */
#define BLE_PAIRING_QR_CHARS 26       /* base32 of 16 bytes, no padding */
#define BLE_PAIRING_MAX_FAILURES 3
#define BLE_PAIRING_STALL_USEC ((uint64_t)10 * 1000000)
#define BLE_PAIRING_NAME_MAX 64 /* bytes; the daemon checks the name itself */
#define BLE_PAIRING_LTK_SIZE 32
#define BLE_PAIRING_ISSUER_SECRET_SIZE 32
#define BLE_PAIRING_CONTEXT_SIZE 24 /* "doorlockd pairing v1" || link_id */
#define BLE_PAIRING_TAG_SIZE 16

/* Message types (the same bytes as message.h's). */
#define BLE_PAIRING_MSG_START 0x01
#define BLE_PAIRING_MSG_SHARE 0x02
#define BLE_PAIRING_MSG_CONFIRM 0x03
#define BLE_PAIRING_MSG_DONE 0x04
#define BLE_PAIRING_MSG_FAIL 0x05

#define BLE_PAIRING_START_SIZE 1
#define BLE_PAIRING_SALT_SIZE (1 + BLE_SPAKE_SALT_SIZE + 1)
#define BLE_PAIRING_SHARE_P_SIZE (1 + BLE_SPAKE_POINT_SIZE)
#define BLE_PAIRING_SHARE_V_SIZE (1 + BLE_SPAKE_POINT_SIZE + BLE_SPAKE_HASH_SIZE)
#define BLE_PAIRING_CONFIRM_P_SIZE (1 + BLE_SPAKE_HASH_SIZE)
#define BLE_PAIRING_DONE_USER_SIZE (1 + 4 + 1 + BLE_PAIRING_TAG_SIZE)
#define BLE_PAIRING_DONE_ADMIN_SIZE (1 + 4 + 1 + 4 + BLE_PAIRING_ISSUER_SECRET_SIZE + BLE_PAIRING_TAG_SIZE)
#define BLE_PAIRING_FAIL_SIZE 2
#define BLE_PAIRING_REPLY_MAX BLE_PAIRING_SHARE_V_SIZE

/* The role byte in PAIR_DONE. */
enum ble_pairing_role {
        BLE_PAIRING_ROLE_ADMIN = 1,
        BLE_PAIRING_ROLE_USER = 2,
};

/* PAIR_FAIL's reason byte. */
enum ble_pairing_fail_reason {
        BLE_PAIRING_FAIL_CLOSED = 0x01,    /* no window is open */
        BLE_PAIRING_FAIL_BUSY = 0x02,      /* another phone is pairing: try again later */
        BLE_PAIRING_FAIL_NO_RUN = 0x03,    /* this link has no run (it ended): PAIR_START first */
        BLE_PAIRING_FAIL_MALFORMED = 0x04, /* not this step's type and length */
        BLE_PAIRING_FAIL_BAD_SHARE = 0x05, /* shareP refused */
        BLE_PAIRING_FAIL_CONFIRM = 0x06,   /* confirmP wrong: the wrong code */
        BLE_PAIRING_FAIL_REFUSED = 0x07,   /* the lock would not add the phone (phone limit, store) */
        BLE_PAIRING_FAIL_INTERNAL = 0x08,  /* the lock failed (random source, OpenSSL) */
};

/* Why a run failed (events only; some have no PAIR_FAIL). */
enum ble_pairing_failure {
        BLE_PAIRING_FAILURE_MALFORMED = 1,
        BLE_PAIRING_FAILURE_BAD_SHARE,
        BLE_PAIRING_FAILURE_CONFIRM,
        BLE_PAIRING_FAILURE_STALLED,
        BLE_PAIRING_FAILURE_LINK_LOST,
        BLE_PAIRING_FAILURE_DEADLINE,
        BLE_PAIRING_FAILURE_INTERNAL, /* not counted: not the phone's doing */
};

enum ble_pairing_close {
        BLE_PAIRING_CLOSE_DEADLINE = 1,
        BLE_PAIRING_CLOSE_FAILURES,
        BLE_PAIRING_CLOSE_PAIRED,
        BLE_PAIRING_CLOSE_STOPPED,
        BLE_PAIRING_CLOSE_REFUSED,
};

enum ble_pairing_event_type {
        BLE_PAIRING_EVENT_RUN_STARTED = 1, /* link_id */
        BLE_PAIRING_EVENT_RUN_FAILED,      /* link_id, failure, counted, failures */
        BLE_PAIRING_EVENT_BUSY,            /* link_id: a PAIR_START refused, not counted */
        BLE_PAIRING_EVENT_CONFIRMED,       /* link_id: complete or refuse now */
        BLE_PAIRING_EVENT_CLOSED,          /* close, failures */
};

struct ble_pairing_event {
        enum ble_pairing_event_type type;
        uint32_t link_id;
        enum ble_pairing_failure failure; /* RUN_FAILED */
        bool counted;                     /* RUN_FAILED: toward the window's 3 and the lockout */
        enum ble_pairing_close close;     /* CLOSED */
        unsigned failures;                /* the window's failed runs after this event */
};

#define BLE_PAIRING_EVENTS_MAX 4

/* What one call produced: at most one reply (to link_id) and a few events.
 * Reset by every call that takes it. */
struct ble_pairing_out {
        uint32_t link_id;
        uint8_t reply[BLE_PAIRING_DONE_ADMIN_SIZE > BLE_PAIRING_REPLY_MAX ? BLE_PAIRING_DONE_ADMIN_SIZE
                                                                          : BLE_PAIRING_REPLY_MAX];
        size_t reply_len; /* 0: nothing to send */
        struct ble_pairing_event events[BLE_PAIRING_EVENTS_MAX];
        size_t n_events;
};

/* The Verifier's registration record for one window: w0, L = w1*G and the
 * scrypt salt.  The code (and w1) are forgotten once it is made. */
struct ble_pairing_record {
        uint8_t w0[BLE_SPAKE_SCALAR_SIZE];
        uint8_t L[BLE_SPAKE_POINT_SIZE];
        uint8_t salt[BLE_SPAKE_SALT_SIZE];
};

/* A record from a password (the code's 8 ASCII digits, or the QR secret's
 * 26 base32 characters): 16 bytes of salt from rand, scrypt, w0, L.  About
 * 0.1 s and 32 MiB (scrypt N = 2^15). */
int ble_pairing_record_new(const char *password, size_t len, ble_random_fn rand, void *userdata,
                           struct ble_pairing_record *ret);

/* 8 decimal digits, uniform: big-endian 32-bit draws below 4,200,000,000
 * (42 * 10^8, the largest multiple of 10^8 under 2^32), then mod 10^8; a
 * draw at or above is redrawn (S2: no modulo bias).  -EIO if rand fails
 * or 32 draws are all rejected. */
int ble_pairing_code_new(ble_random_fn rand, void *userdata, char out[BLE_PAIRING_CODE_DIGITS + 1]);
/* 16 random bytes as 26 characters of RFC 4648 base32 (A-Z 2-7, no
 * padding), the password of a --qr window. */
int ble_pairing_qr_secret_new(ble_random_fn rand, void *userdata, char out[BLE_PAIRING_QR_CHARS + 1]);

/* "doorlockd pairing v1" || link_id(4) */
void ble_pairing_context(uint32_t link_id, uint8_t out[BLE_PAIRING_CONTEXT_SIZE]);

/* LTK = HKDF-SHA256(salt "doorlockd-ble-v1", K_shared, "ltk" || phone_id(4), 32) */
int ble_pairing_ltk(const uint8_t k_shared[BLE_SPAKE_HASH_SIZE], uint32_t phone_id,
                    uint8_t ltk[BLE_PAIRING_LTK_SIZE]);

/* PAIR_DONE, either end.  The key: the session keys of docs section 4 for
 * (LTK, phone_id, session_id = link_id || link_id, nonce_p = confirmP[0..16),
 * nonce_l = confirmV[0..16)), the lock -> phone one (k_lp); ChaCha20-
 * Poly1305, nonce 0^4 || be64(1), AAD 04 || phone_id.  Plaintext: role(1),
 * and for an admin issuer_id(4) || issuer_secret(32).
 * ble_pairing_done_open() is the phone's side (and the tests'): it derives
 * the LTK from phone_id itself.  -EBADMSG for a wrong length, role or tag. */
int ble_pairing_done_seal(const uint8_t k_shared[BLE_SPAKE_HASH_SIZE], uint32_t link_id, uint32_t phone_id,
                          const uint8_t confirm_p[BLE_SPAKE_HASH_SIZE],
                          const uint8_t confirm_v[BLE_SPAKE_HASH_SIZE], enum ble_pairing_role role,
                          uint32_t issuer_id, const uint8_t *issuer_secret,
                          uint8_t ltk[BLE_PAIRING_LTK_SIZE], uint8_t *out, size_t *out_len);
int ble_pairing_done_open(const uint8_t k_shared[BLE_SPAKE_HASH_SIZE], uint32_t link_id,
                          const uint8_t confirm_p[BLE_SPAKE_HASH_SIZE],
                          const uint8_t confirm_v[BLE_SPAKE_HASH_SIZE], const uint8_t *msg, size_t len,
                          uint32_t *phone_id, enum ble_pairing_role *role, uint32_t *issuer_id,
                          uint8_t issuer_secret[BLE_PAIRING_ISSUER_SECRET_SIZE],
                          uint8_t ltk[BLE_PAIRING_LTK_SIZE]);

/* The window.  Plain data; zero it (or ble_pairing_init()) before use and
 * ble_pairing_wipe() it after. */
struct ble_pairing {
        int state; /* pairing.c's enum; 0 = closed */
        struct ble_pairing_record record;
        enum ble_pairing_role role;
        char name[BLE_PAIRING_NAME_MAX + 1];
        uint64_t deadline;
        unsigned failures;
        ble_random_fn rand;
        void *userdata;
        /* the run */
        uint32_t link_id;
        uint64_t last; /* the run's last accepted message */
        struct ble_spake spake;
        uint8_t confirm_p[BLE_SPAKE_HASH_SIZE];
        uint8_t confirm_v[BLE_SPAKE_HASH_SIZE];
        uint8_t k_shared[BLE_SPAKE_HASH_SIZE];
};

void ble_pairing_init(struct ble_pairing *p);
/* -EBUSY if a window is open (org.doorlockd.Error.PairingActive), -EINVAL
 * for a deadline not after now, a bad role, a name over 64 bytes or a
 * record whose L is no valid point. */
int ble_pairing_open(struct ble_pairing *p, const struct ble_pairing_record *record,
                     enum ble_pairing_role role, const char *name, uint64_t now, uint64_t deadline,
                     ble_random_fn rand, void *userdata);
bool ble_pairing_is_open(const struct ble_pairing *p);
/* A message from link_id.  Applies ble_pairing_tick(now) first.  Returns 0
 * (out says what to send and report), or a negative errno after an
 * internal failure (out still holds the PAIR_FAIL and events). */
int ble_pairing_handle(struct ble_pairing *p, uint32_t link_id, const uint8_t *msg, size_t len, uint64_t now,
                       struct ble_pairing_out *out);
/* The timers: the deadline and the stall.  Never a reply. */
void ble_pairing_tick(struct ble_pairing *p, uint64_t now, struct ble_pairing_out *out);
/* When to call tick next: the deadline, or the running run's stall if
 * sooner; UINT64_MAX when closed (or waiting for the caller). */
uint64_t ble_pairing_next_wakeup(const struct ble_pairing *p);
/* link_id disconnected: its run (if any) fails LINK_LOST. */
void ble_pairing_link_lost(struct ble_pairing *p, uint32_t link_id, struct ble_pairing_out *out);
/* StopPairing(): closes the window; a run in progress ends uncounted. */
void ble_pairing_stop(struct ble_pairing *p, struct ble_pairing_out *out);
/* After a CONFIRMED event, once the phone is stored under phone_id: the
 * LTK to keep and PAIR_DONE in out (to the run's link); closes the window.
 * issuer_secret: the admin phone's emergency issuer (32 bytes), NULL for a
 * user phone.  -EPROTO if no run is confirmed. */
int ble_pairing_complete(struct ble_pairing *p, uint32_t phone_id, uint32_t issuer_id,
                         const uint8_t *issuer_secret, uint8_t ltk[BLE_PAIRING_LTK_SIZE],
                         struct ble_pairing_out *out);
/* Or: PAIR_FAIL REFUSED to the run's link, window closed, not counted. */
int ble_pairing_refuse(struct ble_pairing *p, struct ble_pairing_out *out);
void ble_pairing_wipe(struct ble_pairing *p);
