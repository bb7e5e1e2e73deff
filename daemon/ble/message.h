/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BLE messages (docs/ble-protocol.md, section 5): the plain ones around a
 * session (HELLO, HELLO_REPLY) and the inner format of a SEALED frame:
 *
 *   message = type(1) || body
 *   inner   = op(1) || req_seq(8) || challenge(16, state-changing requests
 *             only) || TLV...          TLV = tag(1) || len(2) || value
 *
 * A request (phone -> lock) has req_seq 0; a response (lock -> phone, op
 * 0x80|op or ERROR) names the counter of the sealed frame that carried its
 * request.  Decoding is strict: only the tags that op has, each once
 * (entries of a list excepted), exact lengths, checked values.  Nothing is
 * copied: decoded TLVs point into the input. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schedule.h"
#include "session.h"

/* Message types (the first byte). */
enum ble_msg_type {
        BLE_MSG_PAIR_START = 0x01,
        BLE_MSG_PAIR_SHARE = 0x02,
        BLE_MSG_PAIR_CONFIRM = 0x03,
        BLE_MSG_PAIR_DONE = 0x04,
        BLE_MSG_PAIR_FAIL = 0x05,
        BLE_MSG_HELLO = 0x10,
        BLE_MSG_HELLO_REPLY = 0x11,
        BLE_MSG_SEALED = BLE_TYPE_SEALED,
};

#define BLE_HELLO_SIZE (1 + 4 + BLE_NONCE_SIZE)
#define BLE_HELLO_REPLY_SIZE (1 + 4 + BLE_SESSION_ID_SIZE + BLE_NONCE_SIZE)

/* The type of a message: -EMSGSIZE when empty, -EOPNOTSUPP when unknown. */
int ble_message_type(const uint8_t *p, size_t n);

/* HELLO = 0x10 || phone_id(4) || nonce_p(16). */
void ble_hello_build(uint32_t phone_id, const uint8_t nonce_p[BLE_NONCE_SIZE], uint8_t out[BLE_HELLO_SIZE]);
/* -EPROTO another type, -EMSGSIZE not exactly BLE_HELLO_SIZE bytes. */
int ble_hello_parse(const uint8_t *p, size_t n, uint32_t *phone_id, uint8_t nonce_p[BLE_NONCE_SIZE]);

/* HELLO_REPLY = 0x11 || link_id(4) || session_id(8) || nonce_l(16);
 * link_id is never 0. */
void ble_hello_reply_build(uint32_t link_id, const uint8_t session_id[BLE_SESSION_ID_SIZE],
                           const uint8_t nonce_l[BLE_NONCE_SIZE], uint8_t out[BLE_HELLO_REPLY_SIZE]);
/* -EPROTO another type, -EMSGSIZE wrong size, -EINVAL link_id 0. */
int ble_hello_reply_parse(const uint8_t *p, size_t n, uint32_t *link_id,
                          uint8_t session_id[BLE_SESSION_ID_SIZE], uint8_t nonce_l[BLE_NONCE_SIZE]);

/* Ops of the inner format. */
enum ble_op {
        BLE_OP_STATUS = 0x01,
        BLE_OP_UNLOCK = 0x02,
        BLE_OP_LOCK = 0x03,
        BLE_OP_CODE_LIST = 0x04,
        BLE_OP_CODE_ADD = 0x05,
        BLE_OP_CODE_EDIT = 0x06,
        BLE_OP_CODE_REMOVE = 0x07,
        BLE_OP_CODE_ENABLE = 0x08,
        BLE_OP_CODE_DISABLE = 0x09,
        BLE_OP_LOG_READ = 0x0a,
        BLE_OP_EMERGENCY_CODE = 0x0b,
        BLE_OP_PHONE_LIST = 0x0c,
        BLE_OP_PHONE_REMOVE = 0x0d,
        BLE_OP_TIME_SYNC = 0x0e,
        BLE_OP_CHALLENGE = 0x0f,
        BLE_OP_RESPONSE = 0x80, /* | op: that op's response */
        BLE_OP_ERROR = 0xff,    /* a response to any request */
};
#define BLE_OP_REQUEST_MAX BLE_OP_CHALLENGE

/* A request op 0x01..0x0f. */
bool ble_op_is_request(uint8_t op);
/* A response op: 0x81..0x8f or ERROR. */
bool ble_op_is_response(uint8_t op);
/* State-changing request ops: UNLOCK, LOCK, CODE_ADD/EDIT/REMOVE/ENABLE/
 * DISABLE, EMERGENCY_CODE, PHONE_REMOVE, TIME_SYNC.  They carry a
 * challenge; the read ops (STATUS, CODE_LIST, LOG_READ, PHONE_LIST,
 * CHALLENGE) do not. */
bool ble_op_needs_challenge(uint8_t op);
/* "status", "unlock", ..., "status-reply", ..., "error"; NULL if unknown. */
const char *ble_op_to_string(uint8_t op);

/* TLV tags; each has one value type wherever it appears. */
enum ble_tag {
        BLE_TAG_OP = 0x01,            /* u8, a state-changing op */
        BLE_TAG_CHALLENGE = 0x02,     /* 16 bytes */
        BLE_TAG_CODE_ID = 0x03,       /* u32 */
        BLE_TAG_NAME = 0x04,          /* a code or phone name (code-name.h rules), 1..128 bytes */
        BLE_TAG_PIN = 0x05,           /* 4..12 ASCII digits */
        BLE_TAG_LENGTH = 0x06,        /* u8 4..12, a generated PIN's length */
        BLE_TAG_ONE_TIME = 0x07,      /* bool */
        BLE_TAG_DURESS = 0x08,        /* bool */
        BLE_TAG_VALID_FROM = 0x09,    /* u64, µs since the epoch */
        BLE_TAG_VALID_UNTIL = 0x0a,   /* u64, µs since the epoch */
        BLE_TAG_MAX_USES = 0x0b,      /* u32 */
        BLE_TAG_SCHEDULE = 0x0c,      /* 0..16 windows of days(1) start(2) end(2) */
        BLE_TAG_ENABLED = 0x0d,       /* bool */
        BLE_TAG_CODE = 0x0e,          /* nested: one code of a CODE_LIST reply (repeats) */
        BLE_TAG_CURSOR = 0x0f,        /* u64: first code id / log sequence to list */
        BLE_TAG_COUNT = 0x10,         /* u16 1..1000, at most this many entries */
        BLE_TAG_MORE = 0x11,          /* bool: a list goes on past this reply */
        BLE_TAG_LOG_ENTRY = 0x12,     /* nested: one log entry (repeats) */
        BLE_TAG_SEQ = 0x13,           /* u64 */
        BLE_TAG_TIME = 0x14,          /* u64, µs since the epoch */
        BLE_TAG_TEXT = 0x15,          /* UTF-8, 1..255 bytes, no NUL */
        BLE_TAG_PHONE_ID = 0x16,      /* u32 */
        BLE_TAG_PHONE = 0x17,         /* nested: one phone of a PHONE_LIST reply (repeats) */
        BLE_TAG_ROLE = 0x18,          /* u8: enum ble_phone_role */
        BLE_TAG_PAIRED = 0x19,        /* u64, µs since the epoch */
        BLE_TAG_LAST_SEEN = 0x1a,     /* u64, µs since the epoch */
        BLE_TAG_STATE = 0x1b,         /* u8, the lock's state */
        BLE_TAG_MODE = 0x1c,          /* u8, the lock's mode */
        BLE_TAG_CLOCK_TRUSTED = 0x1d, /* bool */
        BLE_TAG_EMERGENCY = 0x1e,     /* 8 ASCII digits */
        BLE_TAG_REASON = 0x1f,        /* u8: enum ble_error_reason */
        BLE_TAG_USES = 0x20,          /* u32 */
};

enum ble_phone_role {
        BLE_PHONE_USER = 0,
        BLE_PHONE_ADMIN = 1,
};

/* ERROR's REASON. */
enum ble_error_reason {
        BLE_ERROR_MALFORMED = 0x01,   /* the request did not decode */
        BLE_ERROR_CHALLENGE = 0x02,   /* challenge absent, wrong, expired, used, for another op */
        BLE_ERROR_PERMISSION = 0x03,  /* the phone's role may not do this */
        BLE_ERROR_UNSUPPORTED = 0x04, /* an op this lock does not do */
        BLE_ERROR_NOT_FOUND = 0x05,   /* no such code or phone */
        BLE_ERROR_REFUSED = 0x06,     /* privacy mode, lockout, outside the phone's validity */
        BLE_ERROR_LIMIT = 0x07,       /* too many codes or phones */
        BLE_ERROR_BUSY = 0x08,
        BLE_ERROR_TIME = 0x09, /* a time sync refused */
        BLE_ERROR_INTERNAL = 0x0a,
};
#define BLE_ERROR_REASON_MAX BLE_ERROR_INTERNAL

#define BLE_TLV_MAX 64
#define BLE_INNER_HEADER_SIZE (1 + 8)

struct ble_tlv {
        uint8_t tag;
        uint16_t len;
        const uint8_t *value; /* into the decoded input */
};

struct ble_tlv_list {
        size_t n;
        struct ble_tlv item[BLE_TLV_MAX];
};

struct ble_inner {
        uint8_t op;
        uint64_t req_seq;
        bool has_challenge;
        uint8_t challenge[BLE_CHALLENGE_SIZE];
        struct ble_tlv_list tlv; /* in the order sent */
};

/* Decode an inner message sent by sender (a phone sends requests, the lock
 * responses); ret's TLVs point into p.  Errors, first match wins:
 *   -EINVAL        NULL argument, or a value out of range (bool not 0/1,
 *                  an op that takes no challenge, a bad window, a PIN
 *                  that is not digits, a name that breaks the name rules)
 *   -EMSGSIZE      shorter than op || req_seq
 *   -EOPNOTSUPP    unknown op
 *   -EPROTO        an op of the other direction
 *   -EBADRQC       req_seq not 0 in a request, 0 in a response
 *   -ENOKEY        a state-changing request too short for its challenge
 *   -EBADMSG       a TLV runs past the end
 *   -E2BIG         more than BLE_TLV_MAX TLVs at one level
 *   -ENOPROTOOPT   a tag this op (or entry) does not have
 *   -EEXIST        a tag twice (only list entries repeat)
 *   -EBADE         a value's length is wrong for its type
 *   -EILSEQ        a name or text is not valid UTF-8
 *   -ENAMETOOLONG  a name of more than 32 code points
 *   -ENODATA       a required tag is missing */
int ble_inner_decode(const uint8_t *p, size_t n, enum ble_role sender, struct ble_inner *ret);

/* Decode a nested list entry (BLE_TAG_CODE, BLE_TAG_LOG_ENTRY,
 * BLE_TAG_PHONE) that ble_inner_decode() accepted.  -EINVAL for another
 * tag; otherwise as ble_inner_decode(). */
int ble_entry_decode(const struct ble_tlv *entry, struct ble_tlv_list *ret);

/* The phone's check of a response against its request (op, and the
 * counter its sealed frame had): 0, -EPROTO (a response to another op),
 * -EBADRQC (another request's req_seq). */
int ble_inner_check_response(const struct ble_inner *resp, uint8_t request_op, uint64_t request_counter);

/* The first TLV with tag, or NULL. */
const struct ble_tlv *ble_tlv_find(const struct ble_tlv_list *l, uint8_t tag);
/* An integer TLV's value (1, 2, 4 or 8 bytes, big-endian). */
uint64_t ble_tlv_uint(const struct ble_tlv *t);
/* Look up an integer or bool: 0, or -ENOENT when absent (*ret untouched). */
int ble_tlv_get_uint(const struct ble_tlv_list *l, uint8_t tag, uint64_t *ret);
/* Copy a NAME/TEXT/PIN/EMERGENCY value into buf as a C string: 0, -ENOENT,
 * -ENOBUFS. */
int ble_tlv_get_string(const struct ble_tlv_list *l, uint8_t tag, char *buf, size_t size);
/* A SCHEDULE's windows: 0 (with *n, possibly 0), -ENOENT. */
int ble_tlv_get_windows(const struct ble_tlv_list *l, uint8_t tag, struct dl_window w[DL_WINDOWS_MAX],
                        size_t *n);

/* Building an inner message into a caller's buffer.  The put functions
 * record the first error (-ENOBUFS, -EINVAL) and do nothing after it;
 * ble_writer_finish() returns it.  The writer does not check the op's
 * schema: the receiver's decoder does (tests round-trip every op). */
struct ble_writer {
        uint8_t *buf;
        size_t size, len;
        size_t open; /* offset of an open entry's length field (never 0), or 0 */
        int error;
};

void ble_writer_init(struct ble_writer *w, uint8_t *buf, size_t size);
/* op || req_seq || challenge (NULL: none). */
void ble_put_header(struct ble_writer *w, uint8_t op, uint64_t req_seq, const uint8_t *challenge);
void ble_put_u8(struct ble_writer *w, uint8_t tag, uint8_t v);
void ble_put_u16(struct ble_writer *w, uint8_t tag, uint16_t v);
void ble_put_u32(struct ble_writer *w, uint8_t tag, uint32_t v);
void ble_put_u64(struct ble_writer *w, uint8_t tag, uint64_t v);
void ble_put_bytes(struct ble_writer *w, uint8_t tag, const void *p, size_t n);
void ble_put_string(struct ble_writer *w, uint8_t tag, const char *s);
void ble_put_windows(struct ble_writer *w, uint8_t tag, const struct dl_window *wins, size_t n);
/* A nested entry: begin, put its TLVs, end (one level only). */
void ble_put_begin(struct ble_writer *w, uint8_t tag);
void ble_put_end(struct ble_writer *w);
/* 0 with *len, or the first error (-EINVAL also for an entry left open). */
int ble_writer_finish(struct ble_writer *w, size_t *len);
