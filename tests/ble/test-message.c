/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BLE messages (daemon/ble/message.c): HELLO and HELLO_REPLY, the ops and
 * which of them carry a challenge, every op's request and response built
 * and decoded, and each refusal of the strict decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the four above. */
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "message.h"

static const uint8_t CH[16] = { 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
                                0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf };

static uint8_t buf[4096]; /* larger than a sealed frame: the decoder's own bounds */
static struct ble_writer w;

static void begin(uint8_t op, uint64_t req_seq, const uint8_t *challenge) {
        ble_writer_init(&w, buf, sizeof(buf));
        ble_put_header(&w, op, req_seq, challenge);
}

static size_t finish(void) {
        size_t n = 0;

        assert_int_equal(ble_writer_finish(&w, &n), 0);
        return n;
}

static int decode_as(enum ble_role sender, struct ble_inner *in) {
        size_t n = 0;

        assert_int_equal(ble_writer_finish(&w, &n), 0);
        return ble_inner_decode(buf, n, sender, in);
}

/* ---- plain messages ---- */

static void test_hello(void **state) {
        uint8_t nonce[16], out[BLE_HELLO_SIZE], back[16];
        uint32_t id = 0;

        (void)state;
        for (int i = 0; i < 16; i++)
                nonce[i] = (uint8_t)(0x10 + i);
        ble_hello_build(0x01020304, nonce, out);
        assert_int_equal(BLE_HELLO_SIZE, 21);
        assert_int_equal(out[0], 0x10);
        assert_memory_equal(out + 1, "\x01\x02\x03\x04", 4);
        assert_memory_equal(out + 5, nonce, 16);
        assert_int_equal(ble_hello_parse(out, sizeof(out), &id, back), 0);
        assert_int_equal(id, 0x01020304);
        assert_memory_equal(back, nonce, 16);
        assert_int_equal(ble_message_type(out, sizeof(out)), BLE_MSG_HELLO);

        assert_int_equal(ble_hello_parse(out, 20, &id, back), -EMSGSIZE);
        assert_int_equal(ble_hello_parse(out, 0, &id, back), -EMSGSIZE);
        out[0] = 0x11;
        assert_int_equal(ble_hello_parse(out, sizeof(out), &id, back), -EPROTO);
        assert_int_equal(ble_hello_parse(NULL, 21, &id, back), -EINVAL);
}

static void test_hello_reply(void **state) {
        static const uint8_t sid[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };
        uint8_t nonce[16] = { 0x20 }, out[BLE_HELLO_REPLY_SIZE + 1], s2[8], n2[16];
        uint32_t link = 0;

        (void)state;
        ble_hello_reply_build(0x5eed0001, sid, nonce, out);
        assert_int_equal(BLE_HELLO_REPLY_SIZE, 29);
        assert_int_equal(out[0], 0x11);
        assert_int_equal(ble_hello_reply_parse(out, BLE_HELLO_REPLY_SIZE, &link, s2, n2), 0);
        assert_int_equal(link, 0x5eed0001);
        assert_memory_equal(s2, sid, 8);
        assert_memory_equal(n2, nonce, 16);
        assert_int_equal(ble_hello_reply_parse(out, BLE_HELLO_REPLY_SIZE + 1, &link, s2, n2), -EMSGSIZE);
        ble_hello_reply_build(0, sid, nonce, out);
        assert_int_equal(ble_hello_reply_parse(out, BLE_HELLO_REPLY_SIZE, &link, s2, n2), -EINVAL);
        out[0] = 0x10;
        assert_int_equal(ble_hello_reply_parse(out, BLE_HELLO_REPLY_SIZE, &link, s2, n2), -EPROTO);
}

static void test_message_types(void **state) {
        static const uint8_t known[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x10, 0x11, 0x20 };
        unsigned n = 0;

        (void)state;
        assert_int_equal(ble_message_type(buf, 0), -EMSGSIZE);
        for (unsigned t = 0; t < 256; t++) {
                uint8_t b = (uint8_t)t;
                int r = ble_message_type(&b, 1);

                if (memchr(known, b, sizeof(known))) {
                        assert_int_equal(r, t);
                        n++;
                } else
                        assert_int_equal(r, -EOPNOTSUPP);
        }
        assert_int_equal(n, sizeof(known));
}

/* ---- ops ---- */

static void test_op_classes(void **state) {
        static const uint8_t changing[] = { BLE_OP_UNLOCK,       BLE_OP_LOCK,           BLE_OP_CODE_ADD,
                                            BLE_OP_CODE_EDIT,    BLE_OP_CODE_REMOVE,    BLE_OP_CODE_ENABLE,
                                            BLE_OP_CODE_DISABLE, BLE_OP_EMERGENCY_CODE, BLE_OP_PHONE_REMOVE,
                                            BLE_OP_TIME_SYNC };
        unsigned req = 0, resp = 0;

        (void)state;
        for (unsigned op = 0; op < 256; op++) {
                uint8_t o = (uint8_t)op;

                assert_int_equal(ble_op_needs_challenge(o), memchr(changing, o, sizeof(changing)) != NULL);
                req += ble_op_is_request(o);
                resp += ble_op_is_response(o);
                assert_false(ble_op_is_request(o) && ble_op_is_response(o));
                assert_int_equal(ble_op_to_string(o) != NULL, ble_op_is_request(o) || ble_op_is_response(o));
        }
        assert_int_equal(req, 15);
        assert_int_equal(resp, 16);
        assert_string_equal(ble_op_to_string(BLE_OP_UNLOCK), "unlock");
        assert_string_equal(ble_op_to_string(0x82), "unlock-reply");
        assert_string_equal(ble_op_to_string(0xff), "error");
        assert_null(ble_op_to_string(0x80));
        assert_null(ble_op_to_string(0x10));
}

/* ---- every op, built and decoded ---- */

static const struct dl_window WINS[2] = { { 0x1f, 8 * 60, 17 * 60 }, { 0x60, 22 * 60, 6 * 60 } };

static void put_code_settings(bool add) {
        ble_put_string(&w, BLE_TAG_NAME, "Küche");
        if (add) {
                ble_put_u8(&w, BLE_TAG_LENGTH, 8);
                ble_put_u8(&w, BLE_TAG_ONE_TIME, 1);
                ble_put_u8(&w, BLE_TAG_DURESS, 0);
        }
        ble_put_u64(&w, BLE_TAG_VALID_FROM, 1780315200000000ull);
        ble_put_u64(&w, BLE_TAG_VALID_UNTIL, 1780401600000000ull);
        ble_put_u32(&w, BLE_TAG_MAX_USES, 3);
        ble_put_windows(&w, BLE_TAG_SCHEDULE, WINS, 2);
}

/* A request for op with every tag it has (and its challenge if it takes one). */
static void build_request(uint8_t op) {
        begin(op, 0, ble_op_needs_challenge(op) ? CH : NULL);
        switch (op) {
        case BLE_OP_CODE_LIST:
        case BLE_OP_LOG_READ:
                ble_put_u64(&w, BLE_TAG_CURSOR, 17);
                ble_put_u16(&w, BLE_TAG_COUNT, 20);
                break;
        case BLE_OP_CODE_ADD:
                put_code_settings(true);
                break;
        case BLE_OP_CODE_EDIT:
                ble_put_u32(&w, BLE_TAG_CODE_ID, 42);
                put_code_settings(false);
                break;
        case BLE_OP_CODE_REMOVE:
        case BLE_OP_CODE_ENABLE:
        case BLE_OP_CODE_DISABLE:
                ble_put_u32(&w, BLE_TAG_CODE_ID, 42);
                break;
        case BLE_OP_PHONE_REMOVE:
                ble_put_u32(&w, BLE_TAG_PHONE_ID, 3);
                break;
        case BLE_OP_TIME_SYNC:
                ble_put_u64(&w, BLE_TAG_TIME, 1780315200000000ull);
                break;
        case BLE_OP_CHALLENGE:
                ble_put_u8(&w, BLE_TAG_OP, BLE_OP_UNLOCK);
                break;
        default:
                break;
        }
}

static void build_response(uint8_t op, uint64_t req_seq) {
        begin((uint8_t)(BLE_OP_RESPONSE | op), req_seq, NULL);
        switch (op) {
        case BLE_OP_STATUS:
                ble_put_u8(&w, BLE_TAG_STATE, 1);
                ble_put_u8(&w, BLE_TAG_MODE, 0);
                ble_put_u64(&w, BLE_TAG_TIME, 1780315200000000ull);
                ble_put_u8(&w, BLE_TAG_CLOCK_TRUSTED, 1);
                break;
        case BLE_OP_CODE_LIST:
                for (uint32_t id = 1; id <= 3; id++) {
                        ble_put_begin(&w, BLE_TAG_CODE);
                        ble_put_u32(&w, BLE_TAG_CODE_ID, id);
                        ble_put_string(&w, BLE_TAG_NAME, "Front door");
                        ble_put_u8(&w, BLE_TAG_ENABLED, 1);
                        ble_put_u32(&w, BLE_TAG_USES, id);
                        ble_put_windows(&w, BLE_TAG_SCHEDULE, WINS, 1);
                        ble_put_end(&w);
                }
                ble_put_u8(&w, BLE_TAG_MORE, 1);
                break;
        case BLE_OP_CODE_ADD:
                ble_put_u32(&w, BLE_TAG_CODE_ID, 43);
                ble_put_string(&w, BLE_TAG_PIN, "48213377");
                break;
        case BLE_OP_LOG_READ:
                for (uint64_t seq = 17; seq < 19; seq++) {
                        ble_put_begin(&w, BLE_TAG_LOG_ENTRY);
                        ble_put_u64(&w, BLE_TAG_SEQ, seq);
                        ble_put_u64(&w, BLE_TAG_TIME, 1780315200000000ull + seq);
                        ble_put_string(&w, BLE_TAG_TEXT, "AccessGranted code=/ phone_id=3 phone_name=Anna");
                        ble_put_end(&w);
                }
                break;
        case BLE_OP_EMERGENCY_CODE:
                ble_put_string(&w, BLE_TAG_EMERGENCY, "12345678");
                ble_put_u64(&w, BLE_TAG_VALID_UNTIL, 1780315200000000ull);
                break;
        case BLE_OP_PHONE_LIST:
                ble_put_begin(&w, BLE_TAG_PHONE);
                ble_put_u32(&w, BLE_TAG_PHONE_ID, 3);
                ble_put_string(&w, BLE_TAG_NAME, "Anna's phone");
                ble_put_u8(&w, BLE_TAG_ROLE, BLE_PHONE_ADMIN);
                ble_put_u64(&w, BLE_TAG_PAIRED, 1);
                ble_put_u64(&w, BLE_TAG_LAST_SEEN, 2);
                ble_put_end(&w);
                break;
        case BLE_OP_CHALLENGE:
                ble_put_bytes(&w, BLE_TAG_CHALLENGE, CH, 16);
                ble_put_u8(&w, BLE_TAG_OP, BLE_OP_UNLOCK);
                break;
        default:
                break;
        }
}

static void test_every_request(void **state) {
        (void)state;
        for (unsigned op = 1; op <= BLE_OP_REQUEST_MAX; op++) {
                struct ble_inner in;

                build_request(op);
                assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), 0);
                assert_int_equal(in.op, op);
                assert_int_equal(in.req_seq, 0);
                assert_int_equal(in.has_challenge, ble_op_needs_challenge(op));
                if (in.has_challenge)
                        assert_memory_equal(in.challenge, CH, 16);
                /* the lock never sends a request */
                assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -EPROTO);
        }
}

static void test_every_response(void **state) {
        (void)state;
        for (unsigned op = 1; op <= BLE_OP_REQUEST_MAX; op++) {
                struct ble_inner in;

                build_response(op, 77);
                assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), 0);
                assert_int_equal(in.op, 0x80 | op);
                assert_int_equal(in.req_seq, 77);
                assert_false(in.has_challenge);
                assert_int_equal(ble_inner_check_response(&in, op, 77), 0);
                assert_int_equal(ble_inner_check_response(&in, op, 78), -EBADRQC);
                assert_int_equal(ble_inner_check_response(&in, (uint8_t)(op % 15 + 1), 77), -EPROTO);
                assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EPROTO);
        }
}

static void test_decoded_values(void **state) {
        struct ble_inner in;
        struct ble_tlv_list e;
        struct dl_window got[DL_WINDOWS_MAX];
        char name[64];
        uint64_t v = 0;
        size_t n = 0;

        (void)state;
        build_request(BLE_OP_CODE_ADD);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), 0);
        assert_int_equal(in.tlv.n, 8);
        assert_int_equal(ble_tlv_get_string(&in.tlv, BLE_TAG_NAME, name, sizeof(name)), 0);
        assert_string_equal(name, "Küche");
        assert_int_equal(ble_tlv_get_string(&in.tlv, BLE_TAG_NAME, name, 6), -ENOBUFS); /* 6 bytes + NUL */
        assert_int_equal(ble_tlv_get_uint(&in.tlv, BLE_TAG_LENGTH, &v), 0);
        assert_int_equal(v, 8);
        assert_int_equal(ble_tlv_get_uint(&in.tlv, BLE_TAG_VALID_UNTIL, &v), 0);
        assert_int_equal(v, 1780401600000000ull);
        assert_int_equal(ble_tlv_get_uint(&in.tlv, BLE_TAG_CODE_ID, &v), -ENOENT);
        assert_int_equal(ble_tlv_get_windows(&in.tlv, BLE_TAG_SCHEDULE, got, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(got[0].days, WINS[0].days);
        assert_int_equal(got[0].start, WINS[0].start);
        assert_int_equal(got[0].end, WINS[0].end);
        assert_int_equal(got[1].days, 0x60);
        assert_int_equal(got[1].start, 22 * 60);
        assert_int_equal(got[1].end, 6 * 60);

        build_response(BLE_OP_CODE_LIST, 5);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), 0);
        assert_int_equal(in.tlv.n, 4);
        for (size_t i = 0; i < 3; i++) {
                assert_int_equal(in.tlv.item[i].tag, BLE_TAG_CODE);
                assert_int_equal(ble_entry_decode(&in.tlv.item[i], &e), 0);
                assert_int_equal(ble_tlv_get_uint(&e, BLE_TAG_CODE_ID, &v), 0);
                assert_int_equal(v, i + 1);
        }
        assert_int_equal(ble_entry_decode(&in.tlv.item[3], &e), -EINVAL); /* MORE is no entry */

        /* the documented STATUS reply of frame 2 (docs/ble-protocol.md section 6) */
        {
                static const uint8_t pt2[] = { 0x81, 0, 0, 0, 0, 0, 0, 0, 1, 0x1b, 0x00, 0x01, 0x01 };

                assert_int_equal(ble_inner_decode(pt2, sizeof(pt2), BLE_ROLE_LOCK, &in), 0);
                assert_int_equal(in.op, 0x81);
                assert_int_equal(in.req_seq, 1);
                assert_int_equal(ble_tlv_get_uint(&in.tlv, BLE_TAG_STATE, &v), 0);
                assert_int_equal(v, 1);
        }
}

static void test_error_response(void **state) {
        struct ble_inner in;
        uint64_t v;

        (void)state;
        begin(BLE_OP_ERROR, 9, NULL);
        ble_put_u8(&w, BLE_TAG_REASON, BLE_ERROR_CHALLENGE);
        ble_put_u8(&w, BLE_TAG_OP, BLE_OP_UNLOCK);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), 0);
        assert_int_equal(ble_inner_check_response(&in, BLE_OP_UNLOCK, 9), 0);
        assert_int_equal(ble_inner_check_response(&in, BLE_OP_STATUS, 9), 0); /* ERROR answers any op */
        assert_int_equal(ble_tlv_get_uint(&in.tlv, BLE_TAG_REASON, &v), 0);
        assert_int_equal(v, BLE_ERROR_CHALLENGE);
        for (unsigned reason = 0; reason < 256; reason++) {
                begin(BLE_OP_ERROR, 9, NULL);
                ble_put_u8(&w, BLE_TAG_REASON, (uint8_t)reason);
                assert_int_equal(decode_as(BLE_ROLE_LOCK, &in),
                                 reason >= 1 && reason <= BLE_ERROR_REASON_MAX ? 0 : -EINVAL);
        }
        begin(BLE_OP_ERROR, 9, NULL);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -ENODATA);
}

/* ---- refusals ---- */

static void test_header_refusals(void **state) {
        struct ble_inner in;

        (void)state;
        assert_int_equal(ble_inner_decode(buf, 8, BLE_ROLE_PHONE, &in), -EMSGSIZE);
        assert_int_equal(ble_inner_decode(NULL, 9, BLE_ROLE_PHONE, &in), -EINVAL);
        assert_int_equal(ble_inner_decode(buf, 9, (enum ble_role)5, &in), -EINVAL);
        for (unsigned op = 0; op < 256; op++) {
                int want;

                begin((uint8_t)op, 0, NULL);
                if (ble_op_is_request((uint8_t)op))
                        want = ble_op_needs_challenge((uint8_t)op) ? -ENOKEY
                               : op == BLE_OP_CHALLENGE            ? -ENODATA
                                                                   : 0;
                else if (ble_op_is_response((uint8_t)op))
                        want = -EPROTO;
                else
                        want = -EOPNOTSUPP;
                if (op == BLE_OP_CODE_REMOVE || op == BLE_OP_CODE_ENABLE || op == BLE_OP_CODE_DISABLE ||
                    op == BLE_OP_PHONE_REMOVE || op == BLE_OP_TIME_SYNC)
                        want = -ENOKEY;
                assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), want);
        }
        /* req_seq: 0 in requests, the request's counter in responses */
        begin(BLE_OP_STATUS, 1, NULL);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EBADRQC);
        begin(0x81, 0, NULL);
        ble_put_u8(&w, BLE_TAG_STATE, 1);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -EBADRQC);
}

static void test_challenge_presence(void **state) {
        struct ble_inner in;

        (void)state;
        /* UNLOCK with 15 bytes where the challenge goes */
        begin(BLE_OP_UNLOCK, 0, NULL);
        ble_put_bytes(&w, 0x7f, CH, 12); /* 15 bytes in all */
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -ENOKEY);
        /* exactly 16 is the challenge */
        begin(BLE_OP_UNLOCK, 0, CH);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), 0);
        assert_true(in.has_challenge);
        /* a read op with a challenge: the 16 bytes are read as TLVs and refused */
        begin(BLE_OP_STATUS, 0, CH);
        assert_int_not_equal(decode_as(BLE_ROLE_PHONE, &in), 0);
        begin(BLE_OP_PHONE_LIST, 0, CH);
        assert_int_not_equal(decode_as(BLE_ROLE_PHONE, &in), 0);
        /* a response carries none */
        begin(0x82, 4, CH);
        assert_int_not_equal(decode_as(BLE_ROLE_LOCK, &in), 0);
        /* the CHALLENGE request names a state-changing op */
        for (unsigned op = 0; op < 256; op++) {
                begin(BLE_OP_CHALLENGE, 0, NULL);
                ble_put_u8(&w, BLE_TAG_OP, (uint8_t)op);
                assert_int_equal(decode_as(BLE_ROLE_PHONE, &in),
                                 ble_op_needs_challenge((uint8_t)op) ? 0 : -EINVAL);
        }
}

static void test_tlv_refusals(void **state) {
        struct ble_inner in;
        size_t n;

        (void)state;
        /* a tag STATUS does not have, a tag nobody has */
        begin(BLE_OP_STATUS, 0, NULL);
        ble_put_u32(&w, BLE_TAG_CODE_ID, 1);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -ENOPROTOOPT);
        begin(BLE_OP_CODE_LIST, 0, NULL);
        ble_put_u8(&w, 0xee, 1);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -ENOPROTOOPT);
        /* twice */
        begin(BLE_OP_CODE_LIST, 0, NULL);
        ble_put_u64(&w, BLE_TAG_CURSOR, 1);
        ble_put_u64(&w, BLE_TAG_CURSOR, 2);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EEXIST);
        /* truncated: header, value */
        begin(BLE_OP_CODE_LIST, 0, NULL);
        ble_put_u64(&w, BLE_TAG_CURSOR, 1);
        n = finish();
        for (size_t cut = 10; cut < n; cut++)
                assert_int_equal(ble_inner_decode(buf, cut, BLE_ROLE_PHONE, &in), -EBADMSG);
        assert_int_equal(ble_inner_decode(buf, n, BLE_ROLE_PHONE, &in), 0);
        /* wrong lengths */
        begin(BLE_OP_CODE_LIST, 0, NULL);
        ble_put_u32(&w, BLE_TAG_CURSOR, 1);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EBADE);
        begin(BLE_OP_CODE_REMOVE, 0, CH);
        ble_put_u64(&w, BLE_TAG_CODE_ID, 1);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EBADE);
        begin(BLE_OP_CHALLENGE, 0, NULL);
        ble_put_bytes(&w, BLE_TAG_OP, NULL, 0);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EBADE);
        /* required missing */
        begin(BLE_OP_CODE_REMOVE, 0, CH);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -ENODATA);
        begin(BLE_OP_CODE_EDIT, 0, CH);
        ble_put_string(&w, BLE_TAG_NAME, "Garden");
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -ENODATA);
        /* values */
        begin(BLE_OP_CODE_ADD, 0, CH);
        ble_put_string(&w, BLE_TAG_NAME, "Garden");
        ble_put_u8(&w, BLE_TAG_ONE_TIME, 2);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EINVAL);
        for (unsigned len = 0; len < 20; len++) {
                begin(BLE_OP_CODE_ADD, 0, CH);
                ble_put_string(&w, BLE_TAG_NAME, "Garden");
                ble_put_u8(&w, BLE_TAG_LENGTH, (uint8_t)len);
                assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), len >= 4 && len <= 12 ? 0 : -EINVAL);
        }
        begin(BLE_OP_LOG_READ, 0, NULL);
        ble_put_u16(&w, BLE_TAG_COUNT, 0);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EINVAL);
        begin(BLE_OP_LOG_READ, 0, NULL);
        ble_put_u16(&w, BLE_TAG_COUNT, 1001);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EINVAL);
        begin(0x85, 1, NULL);
        ble_put_u32(&w, BLE_TAG_CODE_ID, 1);
        ble_put_string(&w, BLE_TAG_PIN, "1234a");
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -EINVAL);
        begin(0x85, 1, NULL);
        ble_put_u32(&w, BLE_TAG_CODE_ID, 1);
        ble_put_string(&w, BLE_TAG_PIN, "123");
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -EBADE);
        begin(0x8b, 1, NULL);
        ble_put_string(&w, BLE_TAG_EMERGENCY, "1234567");
        ble_put_u64(&w, BLE_TAG_VALID_UNTIL, 1);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -EBADE);
}

static int name_result(const char *name) {
        struct ble_inner in;

        begin(BLE_OP_CODE_ADD, 0, CH);
        ble_put_bytes(&w, BLE_TAG_NAME, name, strlen(name));
        return decode_as(BLE_ROLE_PHONE, &in);
}

static void test_names(void **state) {
        struct ble_inner in;
        char long_name[200];

        (void)state;
        assert_int_equal(name_result("Anna"), 0);
        assert_int_equal(name_result("日本語の名前"), 0);
        assert_int_equal(name_result("\xc3\x28"), -EILSEQ);
        assert_int_equal(name_result("\xed\xa0\x80"), -EILSEQ); /* a surrogate */
        assert_int_equal(name_result("1234"), -EINVAL);         /* digits only */
        assert_int_equal(name_result(" Anna"), -EINVAL);
        assert_int_equal(name_result("An\x01na"), -EINVAL);
        /* a bidi override (U+202E) */
        assert_int_equal(name_result("An\xe2\x80\xaena"), -EINVAL); // NOLINT(misc-misleading-bidirectional)
        memset(long_name, 'a', 33);
        long_name[33] = 0;
        assert_int_equal(name_result(long_name), -ENAMETOOLONG);
        long_name[32] = 0;
        assert_int_equal(name_result(long_name), 0);
        memset(long_name, 'a', 129);
        long_name[129] = 0;
        assert_int_equal(name_result(long_name), -EBADE); /* more than 128 bytes */
        /* empty and an embedded NUL */
        begin(BLE_OP_CODE_ADD, 0, CH);
        ble_put_bytes(&w, BLE_TAG_NAME, "", 0);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EBADE);
        begin(BLE_OP_CODE_ADD, 0, CH);
        ble_put_bytes(&w, BLE_TAG_NAME, "An\0na", 5);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EINVAL);
        /* TEXT: UTF-8, 1..255 bytes */
        begin(0x8a, 1, NULL);
        ble_put_begin(&w, BLE_TAG_LOG_ENTRY);
        ble_put_u64(&w, BLE_TAG_SEQ, 1);
        ble_put_u64(&w, BLE_TAG_TIME, 1);
        ble_put_bytes(&w, BLE_TAG_TEXT, "\xff", 1);
        ble_put_end(&w);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -EILSEQ);
}

static void test_schedule(void **state) {
        struct ble_inner in;
        struct dl_window many[DL_WINDOWS_MAX + 1];
        static const struct dl_window bad[] = {
                { 0, 0, 60 }, { 0x80, 0, 60 }, { 1, 1440, 60 }, { 1, 0, 1441 }, { 1, 60, 60 },
        };

        (void)state;
        for (size_t i = 0; i < DL_WINDOWS_MAX + 1; i++)
                many[i] = (struct dl_window){ 1, 0, 60 };
        for (size_t k = 0; k <= DL_WINDOWS_MAX; k++) {
                begin(BLE_OP_CODE_EDIT, 0, CH);
                ble_put_u32(&w, BLE_TAG_CODE_ID, 1);
                ble_put_windows(&w, BLE_TAG_SCHEDULE, many, k);
                assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), 0);
        }
        begin(BLE_OP_CODE_EDIT, 0, CH);
        ble_put_u32(&w, BLE_TAG_CODE_ID, 1);
        ble_put_bytes(&w, BLE_TAG_SCHEDULE, many, (size_t)17 * 5);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EBADE);
        begin(BLE_OP_CODE_EDIT, 0, CH);
        ble_put_u32(&w, BLE_TAG_CODE_ID, 1);
        ble_put_bytes(&w, BLE_TAG_SCHEDULE, "\x01\x00\x00\x00", 4);
        assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EBADE);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                begin(BLE_OP_CODE_EDIT, 0, CH);
                ble_put_u32(&w, BLE_TAG_CODE_ID, 1);
                ble_put_windows(&w, BLE_TAG_SCHEDULE, &bad[i], 1);
                assert_int_equal(decode_as(BLE_ROLE_PHONE, &in), -EINVAL);
        }
}

static void test_entries(void **state) {
        struct ble_inner in;

        (void)state;
        /* an entry missing a required tag, with a foreign tag, nested in an entry */
        begin(0x8c, 1, NULL);
        ble_put_begin(&w, BLE_TAG_PHONE);
        ble_put_u32(&w, BLE_TAG_PHONE_ID, 3);
        ble_put_end(&w);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -ENODATA);
        begin(0x8c, 1, NULL);
        ble_put_begin(&w, BLE_TAG_PHONE);
        ble_put_u32(&w, BLE_TAG_CODE_ID, 3);
        ble_put_end(&w);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -ENOPROTOOPT);
        begin(0x8c, 1, NULL);
        ble_put_begin(&w, BLE_TAG_PHONE);
        ble_put_bytes(&w, BLE_TAG_PHONE, "", 0);
        ble_put_end(&w);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -ENOPROTOOPT);
        /* an entry of another list */
        begin(0x8c, 1, NULL);
        ble_put_begin(&w, BLE_TAG_CODE);
        ble_put_end(&w);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -ENOPROTOOPT);
        /* no entries is an empty list */
        begin(0x8c, 1, NULL);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), 0);
        assert_int_equal(in.tlv.n, 0);
        /* a truncated entry body */
        begin(0x8c, 1, NULL);
        ble_put_bytes(&w, BLE_TAG_PHONE, "\x16\x00\x04\x00", 4);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -EBADMSG);
}

static void test_too_many(void **state) {
        struct ble_inner in;

        (void)state;
        begin(0x8c, 1, NULL);
        for (int i = 0; i < BLE_TLV_MAX; i++) {
                ble_put_begin(&w, BLE_TAG_PHONE);
                ble_put_u32(&w, BLE_TAG_PHONE_ID, 3);
                ble_put_string(&w, BLE_TAG_NAME, "A");
                ble_put_u8(&w, BLE_TAG_ROLE, 0);
                ble_put_u64(&w, BLE_TAG_PAIRED, 1);
                ble_put_end(&w);
        }
        /* 64 entries of 31 bytes do not fit a sealed frame, but the decoder is bounded anyway */
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), 0);
        assert_int_equal(in.tlv.n, BLE_TLV_MAX);
        ble_put_bytes(&w, BLE_TAG_PHONE, "", 0);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -E2BIG);
        /* and the role value */
        begin(0x8c, 1, NULL);
        ble_put_begin(&w, BLE_TAG_PHONE);
        ble_put_u32(&w, BLE_TAG_PHONE_ID, 3);
        ble_put_string(&w, BLE_TAG_NAME, "A");
        ble_put_u8(&w, BLE_TAG_ROLE, 2);
        ble_put_u64(&w, BLE_TAG_PAIRED, 1);
        ble_put_end(&w);
        assert_int_equal(decode_as(BLE_ROLE_LOCK, &in), -EINVAL);
}

static void test_writer(void **state) {
        uint8_t small[12];
        size_t n = 0;

        (void)state;
        ble_writer_init(&w, small, sizeof(small));
        ble_put_header(&w, BLE_OP_STATUS, 0, NULL);
        assert_int_equal(ble_writer_finish(&w, &n), 0);
        assert_int_equal(n, 9);
        ble_put_u8(&w, BLE_TAG_STATE, 1); /* 9 + 4 > 12 */
        assert_int_equal(ble_writer_finish(&w, &n), -ENOBUFS);
        ble_put_u8(&w, BLE_TAG_STATE, 1);
        assert_int_equal(ble_writer_finish(&w, &n), -ENOBUFS);

        begin(0x8c, 1, NULL);
        ble_put_begin(&w, BLE_TAG_PHONE);
        assert_int_equal(ble_writer_finish(&w, &n), -EINVAL); /* left open */
        begin(0x8c, 1, NULL);
        ble_put_end(&w);
        assert_int_equal(ble_writer_finish(&w, &n), -EINVAL); /* not open */
        begin(0x8c, 1, NULL);
        ble_put_begin(&w, BLE_TAG_PHONE);
        ble_put_begin(&w, BLE_TAG_PHONE);
        assert_int_equal(ble_writer_finish(&w, &n), -EINVAL); /* nested twice */
        ble_writer_init(&w, buf, sizeof(buf));
        assert_int_equal(ble_writer_finish(&w, &n), -EINVAL); /* no header */
        begin(0x8c, 1, NULL);
        ble_put_header(&w, 0x8c, 1, NULL);
        assert_int_equal(ble_writer_finish(&w, &n), -EINVAL); /* two headers */
        begin(0x8c, 1, NULL);
        ble_put_windows(&w, BLE_TAG_SCHEDULE, WINS, DL_WINDOWS_MAX + 1);
        assert_int_equal(ble_writer_finish(&w, &n), -EINVAL);
        begin(0x8c, 1, NULL);
        ble_put_string(&w, BLE_TAG_NAME, NULL);
        assert_int_equal(ble_writer_finish(&w, &n), -EINVAL);
        ble_writer_init(&w, NULL, 10);
        assert_int_equal(ble_writer_finish(&w, &n), -EINVAL);

        /* the bytes themselves */
        begin(BLE_OP_CODE_REMOVE, 0, CH);
        ble_put_u32(&w, BLE_TAG_CODE_ID, 0x01020304);
        n = finish();
        assert_int_equal(n, 9 + 16 + 7);
        assert_memory_equal(buf, "\x07\0\0\0\0\0\0\0\0", 9);
        assert_memory_equal(buf + 9, CH, 16);
        assert_memory_equal(buf + 25, "\x03\x00\x04\x01\x02\x03\x04", 7);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hello),           cmocka_unit_test(test_hello_reply),
                cmocka_unit_test(test_message_types),   cmocka_unit_test(test_op_classes),
                cmocka_unit_test(test_every_request),   cmocka_unit_test(test_every_response),
                cmocka_unit_test(test_decoded_values),  cmocka_unit_test(test_error_response),
                cmocka_unit_test(test_header_refusals), cmocka_unit_test(test_challenge_presence),
                cmocka_unit_test(test_tlv_refusals),    cmocka_unit_test(test_names),
                cmocka_unit_test(test_schedule),        cmocka_unit_test(test_entries),
                cmocka_unit_test(test_too_many),        cmocka_unit_test(test_writer),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
