/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "frame.h"

#include <errno.h>
#include <string.h>

#include "macro.h"

_Static_assert((BLE_MESSAGE_MAX + 2 + (BLE_MTU_DEFAULT - BLE_ATT_OVERHEAD - BLE_FRAGMENT_HEADER_SIZE) - 1) /
                               (BLE_MTU_DEFAULT - BLE_ATT_OVERHEAD - BLE_FRAGMENT_HEADER_SIZE) <=
                       256,
               "the largest message at the smallest MTU fits 256 fragments (index 0..255)");

int ble_fragment_parse(const uint8_t *p, size_t n, struct ble_fragment *ret) {
        struct ble_fragment f = { 0 };

        if (!p || !ret)
                return -EINVAL;
        if (n < BLE_FRAGMENT_HEADER_SIZE)
                return -EMSGSIZE;
        if (n > BLE_FRAGMENT_MAX)
                return -E2BIG;

        f.link_id = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        f.flags = p[4];
        f.index = p[5];
        if (f.flags & ~(BLE_FRAG_FIRST | BLE_FRAG_LAST))
                return -EPROTO;
        if (f.flags & BLE_FRAG_FIRST) {
                if (n < BLE_FRAGMENT_HEADER_SIZE + 2)
                        return -EMSGSIZE;
                if (f.index != 0)
                        return -EBADSLT;
                f.total_len = (uint16_t)(p[6] << 8 | p[7]);
                if (f.total_len == 0 || f.total_len > BLE_MESSAGE_MAX)
                        return -EDOM;
                f.data = p + BLE_FRAGMENT_HEADER_SIZE + 2;
                f.data_len = n - BLE_FRAGMENT_HEADER_SIZE - 2;
        } else {
                if (n == BLE_FRAGMENT_HEADER_SIZE)
                        return -ENODATA;
                f.data = p + BLE_FRAGMENT_HEADER_SIZE;
                f.data_len = n - BLE_FRAGMENT_HEADER_SIZE;
        }
        *ret = f;
        return 0;
}

static size_t payload_cap(size_t mtu) {
        return mtu - BLE_ATT_OVERHEAD - BLE_FRAGMENT_HEADER_SIZE;
}

int ble_fragments_count(size_t len, size_t mtu) {
        size_t cap;

        if (mtu < BLE_MTU_DEFAULT || mtu > BLE_MTU_MAX)
                return -EINVAL;
        if (len == 0 || len > BLE_MESSAGE_MAX)
                return -EDOM;
        cap = payload_cap(mtu);
        return (int)((len + 2 + cap - 1) / cap);
}

int ble_fragments_build(uint32_t link_id, const uint8_t *msg, size_t len, size_t mtu,
                        ble_fragment_emit_t emit, void *userdata) {
        uint8_t frag[BLE_FRAGMENT_MAX];
        size_t cap, done = 0;
        int count, r;

        if (!msg || !emit)
                return -EINVAL;
        count = ble_fragments_count(len, mtu);
        if (count < 0)
                return count;
        cap = payload_cap(mtu);

        for (int i = 0; i < count; i++) {
                size_t n = BLE_FRAGMENT_HEADER_SIZE, room = cap;

                frag[0] = (uint8_t)(link_id >> 24);
                frag[1] = (uint8_t)(link_id >> 16);
                frag[2] = (uint8_t)(link_id >> 8);
                frag[3] = (uint8_t)link_id;
                frag[4] = (uint8_t)((i == 0 ? BLE_FRAG_FIRST : 0) | (i == count - 1 ? BLE_FRAG_LAST : 0));
                frag[5] = (uint8_t)i;
                if (i == 0) {
                        frag[n++] = (uint8_t)(len >> 8);
                        frag[n++] = (uint8_t)len;
                        room -= 2;
                }
                room = MIN(room, len - done);
                memcpy(frag + n, msg + done, room);
                n += room;
                done += room;
                r = emit(frag, n, userdata);
                if (r < 0)
                        return r;
        }
        return count;
}
