/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A sealed BLE session (daemon/ble/session.c) and the inner message
 * decoder (daemon/ble/message.c) on arbitrary bytes, under one fixed
 * session (the vector keys of docs/ble-protocol.md section 6).  Input:
 * byte 0 is the mode, the rest the payload:
 *   mode & 3 == 0  the payload as a frame into the lock's open()
 *   mode & 3 == 1  the payload sealed by the phone (so it opens), then
 *                  decoded as the phone's inner message
 *   mode & 3 == 2  the same, sealed by the lock and decoded as its reply
 *   mode & 3 == 3  a frame sealed by the phone from the payload, then
 *                  bytes of it flipped (positions and masks from the
 *                  payload's first bytes) before the lock opens it
 * Asserts: open() refuses with a documented errno and changes nothing
 * (counters, keys, challenge: the struct compared byte for byte), or
 * accepts only an unchanged frame with the next counter; a decode either
 * refuses with a documented errno or yields TLVs inside the input whose
 * re-encoding (header, challenge, TLVs in order) is the input exactly
 * (the format has one encoding), entries of lists decode, and a decoded
 * request's challenge presence matches its op. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "message.h"
#include "session.h"

static const uint8_t LTK[32] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                                 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                                 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f };
static const uint8_t SID[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };
static const uint8_t NONCE_P[16] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                                     0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f };
static const uint8_t NONCE_L[16] = { 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
                                     0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f };

static struct ble_session phone, lock;

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

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc, (void)argv;
        return 0;
}

static void fresh(void) {
        if (ble_session_derive(LTK, 7, SID, NONCE_P, NONCE_L, BLE_ROLE_PHONE, &phone) < 0 ||
            ble_session_derive(LTK, 7, SID, NONCE_P, NONCE_L, BLE_ROLE_LOCK, &lock) < 0)
                abort();
}

static bool open_errno(int r) {
        return r == -EPROTO || r == -EMSGSIZE || r == -ESTALE || r == -EALREADY || r == -ERANGE ||
               r == -EBADMSG;
}

static bool decode_errno(int r) {
        return r == -EINVAL || r == -EMSGSIZE || r == -EOPNOTSUPP || r == -EPROTO || r == -EBADRQC ||
               r == -ENOKEY || r == -EBADMSG || r == -E2BIG || r == -ENOPROTOOPT || r == -EEXIST ||
               r == -EBADE || r == -EILSEQ || r == -ENAMETOOLONG || r == -ENODATA;
}

static void check_list(const struct ble_tlv_list *l, const uint8_t *p, size_t n, bool top) {
        if (l->n > BLE_TLV_MAX)
                abort();
        for (size_t i = 0; i < l->n; i++) {
                const struct ble_tlv *t = &l->item[i];

                if (t->value < p || t->value + t->len > p + n)
                        abort();
                if (t->tag == BLE_TAG_CODE || t->tag == BLE_TAG_LOG_ENTRY || t->tag == BLE_TAG_PHONE) {
                        struct ble_tlv_list sub;

                        if (!top || ble_entry_decode(t, &sub) != 0)
                                abort();
                        check_list(&sub, t->value, t->len, false);
                }
        }
}

static void decode(const uint8_t *p, size_t n, enum ble_role sender) {
        static uint8_t again[BLE_SEALED_FRAME_MAX];
        struct ble_inner in;
        struct ble_writer w;
        size_t len = 0;
        int r;

        r = ble_inner_decode(p, n, sender, &in);
        if (r < 0) {
                if (!decode_errno(r))
                        abort();
                return;
        }
        if (sender == BLE_ROLE_PHONE ? !ble_op_is_request(in.op) : !ble_op_is_response(in.op))
                abort();
        if (in.has_challenge != (sender == BLE_ROLE_PHONE && ble_op_needs_challenge(in.op)))
                abort();
        if ((in.req_seq == 0) != (sender == BLE_ROLE_PHONE))
                abort();
        check_list(&in.tlv, p, n, true);

        ble_writer_init(&w, again, sizeof(again));
        ble_put_header(&w, in.op, in.req_seq, in.has_challenge ? in.challenge : NULL);
        for (size_t i = 0; i < in.tlv.n; i++)
                ble_put_bytes(&w, in.tlv.item[i].tag, in.tlv.item[i].value, in.tlv.item[i].len);
        if (ble_writer_finish(&w, &len) != 0 || len != n || memcmp(again, p, n) != 0)
                abort();
}

static void open_refused(const uint8_t *frame, size_t n, uint64_t last) {
        static uint8_t out[BLE_SEALED_FRAME_MAX];
        struct ble_session before = lock;
        size_t len = 0;
        uint64_t c = 0;
        int r;

        r = ble_session_open(&lock, frame, n, out, sizeof(out), &len, &c);
        if (r == 0) {
                /* only the frame as sealed, with the next counter */
                if (c != last + 1 || lock.received != c)
                        abort();
                return;
        }
        if (!open_errno(r) || !session_same(&before, &lock))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static uint8_t frame[BLE_SEALED_FRAME_MAX + 64], out[BLE_SEALED_FRAME_MAX];
        const uint8_t *p;
        size_t n, fl = 0, len = 0;
        uint8_t mode;

        if (size < 1)
                return 0;
        mode = data[0];
        p = data + 1;
        n = size - 1;
        fresh();

        switch (mode & 3) {
        case 0:
                open_refused(p, n, 0);
                break;
        case 1:
        case 2: {
                struct ble_session *from = (mode & 3) == 1 ? &phone : &lock;
                struct ble_session *to = (mode & 3) == 1 ? &lock : &phone;

                if (n == 0 || n > BLE_SEALED_PLAINTEXT_MAX)
                        break;
                if (ble_session_seal(from, p, n, frame, sizeof(frame), &fl, NULL) != 0)
                        abort();
                if (ble_session_open(to, frame, fl, out, sizeof(out), &len, NULL) != 0 || len != n ||
                    memcmp(out, p, n) != 0)
                        abort();
                decode(out, len, (mode & 3) == 1 ? BLE_ROLE_PHONE : BLE_ROLE_LOCK);
                break;
        }
        default: {
                static const uint8_t pt[] = { 0x02, 0, 0, 0, 0, 0,  0,  0,  0,  1,  2,  3, 4,
                                              5,    6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
                static uint8_t orig[BLE_SEALED_FRAME_MAX];
                size_t ol;

                if (ble_session_seal(&phone, pt, sizeof(pt), frame, sizeof(frame), &fl, NULL) != 0)
                        abort();
                memcpy(orig, frame, fl);
                ol = fl;
                /* pairs (position, mask); a last odd byte extends the frame by that many bytes */
                for (size_t i = 0; i + 1 < n; i += 2) {
                        frame[p[i] % fl] ^= p[i + 1];
                }
                if (n % 2 == 1) {
                        size_t extra = p[n - 1] % 64;

                        memset(frame + fl, 0, extra);
                        fl += extra;
                }
                {
                        struct ble_session before = lock;
                        int r = ble_session_open(&lock, frame, fl, out, sizeof(out), &len, NULL);

                        /* only the frame as sealed opens (XOR pairs may cancel out) */
                        if (r == 0 && (fl != ol || memcmp(frame, orig, fl) != 0 || len != sizeof(pt) ||
                                       memcmp(out, pt, len) != 0))
                                abort();
                        if (r < 0 && (!open_errno(r) || !session_same(&before, &lock)))
                                abort();
                }
                break;
        }
        }
        ble_session_wipe(&phone);
        ble_session_wipe(&lock);
        return 0;
}
