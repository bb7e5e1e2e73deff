/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "reassembly.h"

#include <errno.h>
#include <string.h>

#include "macro.h"

void ble_reassembly_init(struct ble_reassembly *r, uint32_t link_id) {
        if (!r)
                return;
        memset(r, 0, sizeof(*r));
        r->link_id = link_id;
}

static void discard(struct ble_reassembly *r) {
        if (!r->in_flight)
                return;
        r->in_flight = false;
        r->have = 0;
        r->total_len = 0;
        r->next_index = 0;
        r->junk++;
}

void ble_reassembly_set_link_id(struct ble_reassembly *r, uint32_t link_id) {
        if (!r)
                return;
        discard(r);
        r->link_id = link_id;
}

static bool timed_out(const struct ble_reassembly *r, uint64_t now) {
        /* A clock that went back counts as no time passed. */
        return now > r->last && now - r->last > BLE_REASSEMBLY_TIMEOUT_USEC;
}

bool ble_reassembly_expire(struct ble_reassembly *r, uint64_t now) {
        if (!r || !r->in_flight || !timed_out(r, now))
                return false;
        discard(r);
        return true;
}

void ble_reassembly_reset(struct ble_reassembly *r) {
        if (!r)
                return;
        r->in_flight = false;
        r->have = 0;
        r->total_len = 0;
        r->next_index = 0;
        explicit_bzero(r->buf, sizeof(r->buf));
}

/* Refuse f: count it, and discard the message it broke. */
static int refuse(struct ble_reassembly *r, int err, bool breaks) {
        if (breaks)
                discard(r);
        r->junk++;
        return err;
}

/* Where f would leave the message: 0 fine, or the errno that refuses it. */
static int check_end(size_t have, size_t add, size_t total, uint8_t flags) {
        if (add > total - have)
                return -EOVERFLOW;
        if (have + add == total && !(flags & BLE_FRAG_LAST))
                return -EBADE;
        if (have + add < total && flags & BLE_FRAG_LAST)
                return -ERANGE;
        return 0;
}

int ble_reassembly_push(struct ble_reassembly *r, const struct ble_fragment *f, uint64_t now,
                        const uint8_t **msg, size_t *len) {
        int k;

        if (!r || !f || !msg || !len)
                return -EINVAL;
        if (f->link_id != r->link_id)
                return refuse(r, -EXDEV, false);

        if (f->flags & BLE_FRAG_FIRST) {
                discard(r); /* the old one, if any, in flight or timed out */
                k = check_end(0, f->data_len, f->total_len, f->flags);
                if (k < 0)
                        return refuse(r, k, false);
                r->in_flight = true;
                r->total_len = f->total_len;
                r->have = 0;
        } else {
                if (r->in_flight && timed_out(r, now))
                        return refuse(r, -ETIMEDOUT, true);
                if (!r->in_flight)
                        return refuse(r, -ENOMSG, false);
                /* next_index 0: index 255 was taken, nothing may follow */
                if (r->next_index == 0 || f->index != r->next_index)
                        return refuse(r, -EILSEQ, true);
                k = check_end(r->have, f->data_len, r->total_len, f->flags);
                if (k < 0)
                        return refuse(r, k, true);
        }

        memcpy(r->buf + r->have, f->data, f->data_len);
        r->have = (uint16_t)(r->have + f->data_len);
        r->last = now;
        r->next_index = (uint8_t)(f->index + 1);
        if (!(f->flags & BLE_FRAG_LAST))
                return 0;

        *msg = r->buf;
        *len = r->have;
        r->in_flight = false;
        r->next_index = 0;
        return 1;
}

int ble_reassembly_push_raw(struct ble_reassembly *r, const uint8_t *p, size_t n, uint64_t now,
                            const uint8_t **msg, size_t *len) {
        struct ble_fragment f;
        int k;

        if (!r || !p || !msg || !len)
                return -EINVAL;
        k = ble_fragment_parse(p, n, &f);
        if (k < 0)
                return refuse(r, k, false);
        return ble_reassembly_push(r, &f, now, msg, len);
}
