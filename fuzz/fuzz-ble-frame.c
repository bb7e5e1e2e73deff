/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BLE fragments (daemon/ble/frame.c).  Input: byte 0 chooses the MTU
 * (23 + byte * 2, so 23..533: past 517 is refused), the rest is
 *   1. parsed as one fragment, as the GATT face would get it, and
 *   2. cut into fragments as a message (if 1..1024 bytes) at that MTU.
 * Asserts: a parsed fragment points inside the input with the header's
 * sizes, only FIRST/LAST set, index 0 and total_len 1..1024 on FIRST; a
 * refusal is one of the documented errnos; the cut fragments each fit
 * MTU-3, parse, run 0, 1, 2, ... with FIRST on the first and LAST on the
 * last only, and carry the message back byte for byte. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "fuzz-util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc, (void)argv;
        return 0;
}

struct rebuild {
        size_t mtu, count, have;
        uint8_t msg[BLE_MESSAGE_MAX];
};

static int take(const uint8_t *p, size_t n, void *userdata) {
        struct rebuild *rb = userdata;
        struct ble_fragment f;

        if (n > rb->mtu - 3 || ble_fragment_parse(p, n, &f) < 0)
                abort();
        if (f.link_id != 0x5eed0001u || f.index != rb->count)
                abort();
        if (!!(f.flags & BLE_FRAG_FIRST) != (rb->count == 0))
                abort();
        if (f.data_len > sizeof(rb->msg) - rb->have)
                abort();
        memcpy(rb->msg + rb->have, f.data, f.data_len);
        rb->have += f.data_len;
        rb->count++;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static struct rebuild rb;
        struct ble_fragment f;
        size_t mtu, n;
        const uint8_t *p;
        int r;

        if (size < 1)
                return 0;
        mtu = 23 + (size_t)data[0] * 2;
        p = data + 1;
        n = size - 1;

        r = ble_fragment_parse(p, n, &f);
        if (r == 0) {
                size_t hdr = f.flags & BLE_FRAG_FIRST ? 8 : 6;

                if (n < hdr || n > BLE_FRAGMENT_MAX || f.data != p + hdr || f.data_len != n - hdr)
                        abort();
                if (f.flags & ~(BLE_FRAG_FIRST | BLE_FRAG_LAST))
                        abort();
                if (f.flags & BLE_FRAG_FIRST) {
                        if (f.index != 0 || f.total_len < 1 || f.total_len > BLE_MESSAGE_MAX)
                                abort();
                } else if (f.total_len != 0 || f.data_len == 0)
                        abort();
        } else if (r != -EMSGSIZE && r != -E2BIG && r != -EPROTO && r != -EBADSLT && r != -EDOM &&
                   r != -ENODATA)
                abort();

        memset(&rb, 0, sizeof(rb));
        rb.mtu = mtu;
        r = ble_fragments_build(0x5eed0001u, p, n, mtu, take, &rb);
        if (mtu > BLE_MTU_MAX) {
                if (r != -EINVAL)
                        abort();
        } else if (n == 0 || n > BLE_MESSAGE_MAX) {
                if (r != -EDOM)
                        abort();
        } else {
                if (r <= 0 || (size_t)r != rb.count || r != ble_fragments_count(n, mtu) || r > 256)
                        abort();
                if (rb.have != n || memcmp(rb.msg, p, n) != 0)
                        abort();
        }
        return 0;
}
