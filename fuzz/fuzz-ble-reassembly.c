/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BLE reassembly (daemon/ble/reassembly.c) on a stream of fragments with
 * random lengths, flags, indexes and link ids.  Input: byte 0 picks the
 * link's own id (0, as before HELLO_REPLY, or 0x11223344), then records:
 *   ctl(1)  bits 0-1 link id: own, 0, own+1, 4 bytes from the input
 *           bit 2 FIRST, bit 3 LAST, bit 4 a reserved flag bit too,
 *           bit 5 index is next-expected (else a byte from the input),
 *           bit 6 rename the link (set_link_id) before this fragment,
 *           bit 7 call ble_reassembly_expire() first
 *   step(1) time advance: step * 16 ms (so 2 s is 125 steps)
 *   len(1)  payload bytes from the input (FIRST: total_len(2) first)
 * Asserts, against a small reference model of the documented rules kept
 * here: the same result for every fragment (0, 1 or the same errno), the
 * same junk count, a completed message equal to the model's bytes; junk
 * grows by at most 2 per fragment; nothing past 1024 bytes. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "fuzz-util.h"
#include "reassembly.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc, (void)argv;
        return 0;
}

struct model {
        uint32_t link;
        bool busy;
        unsigned next; /* 256: nothing may follow */
        size_t total, have;
        uint64_t last, junk;
        uint8_t buf[BLE_MESSAGE_MAX];
};

static void m_drop(struct model *m) {
        if (m->busy)
                m->junk++;
        m->busy = false;
}

static bool m_late(const struct model *m, uint64_t now) {
        return now > m->last && now - m->last > 2000000;
}

/* The rules of docs/ble-protocol.md section 2, written out again. */
static int m_push(struct model *m, const uint8_t *p, size_t n, uint64_t now, const uint8_t **msg,
                  size_t *len) {
        uint32_t link;
        uint8_t flags, index;
        size_t hdr, total = 0, add;

        if (n < 6)
                return m->junk++, -EMSGSIZE;
        if (n > 514)
                return m->junk++, -E2BIG;
        link = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        flags = p[4];
        index = p[5];
        if (flags & ~3u)
                return m->junk++, -EPROTO;
        if (flags & 1) {
                if (n < 8)
                        return m->junk++, -EMSGSIZE;
                if (index != 0)
                        return m->junk++, -EBADSLT;
                total = (size_t)p[6] << 8 | p[7];
                if (total == 0 || total > 1024)
                        return m->junk++, -EDOM;
                hdr = 8;
        } else {
                if (n == 6)
                        return m->junk++, -ENODATA;
                hdr = 6;
        }
        add = n - hdr;
        if (link != m->link)
                return m->junk++, -EXDEV;
        if (flags & 1) {
                m_drop(m);
                if (add > total)
                        return m->junk++, -EOVERFLOW;
                if (add == total && !(flags & 2))
                        return m->junk++, -EBADE;
                if (add < total && flags & 2)
                        return m->junk++, -ERANGE;
                m->busy = true;
                m->total = total;
                m->have = 0;
        } else {
                if (m->busy && m_late(m, now))
                        return m_drop(m), m->junk++, -ETIMEDOUT;
                if (!m->busy)
                        return m->junk++, -ENOMSG;
                if (index != m->next)
                        return m_drop(m), m->junk++, -EILSEQ;
                if (add > m->total - m->have)
                        return m_drop(m), m->junk++, -EOVERFLOW;
                if (m->have + add == m->total && !(flags & 2))
                        return m_drop(m), m->junk++, -EBADE;
                if (m->have + add < m->total && flags & 2)
                        return m_drop(m), m->junk++, -ERANGE;
        }
        memcpy(m->buf + m->have, p + hdr, add);
        m->have += add;
        m->last = now;
        m->next = (unsigned)index + 1;
        if (!(flags & 2))
                return 0;
        m->busy = false;
        *msg = m->buf;
        *len = m->have;
        return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static struct ble_reassembly r;
        static struct model m;
        struct fuzz_input in = { data, size, 0 };
        uint64_t now = 1000000;
        uint32_t own;

        own = fuzz_u8(&in) & 1 ? 0x11223344u : 0;
        ble_reassembly_init(&r, own);
        memset(&m, 0, sizeof(m));
        m.link = own;

        while (fuzz_more(&in)) {
                uint8_t ctl = fuzz_u8(&in), frag[600];
                size_t n = 0, len;
                uint32_t link;
                const uint8_t *got = NULL, *want = NULL;
                size_t got_len = 0, want_len = 0;
                uint64_t junk_before = r.junk;
                int a, b;

                now += (uint64_t)fuzz_u8(&in) * 16000;
                len = fuzz_u8(&in) * 2u + (ctl & 1); /* up to 511 bytes: past MTU 517's 514 */
                if (ctl & 0x80) {
                        bool x = ble_reassembly_expire(&r, now), y = m.busy && m_late(&m, now);

                        if (x != y)
                                abort();
                        if (y)
                                m_drop(&m);
                }
                if (ctl & 0x40) {
                        own ^= 0x00010000u;
                        ble_reassembly_set_link_id(&r, own);
                        m_drop(&m);
                        m.link = own;
                }
                switch (ctl & 3) {
                case 0:
                        link = own;
                        break;
                case 1:
                        link = 0;
                        break;
                case 2:
                        link = own + 1;
                        break;
                default:
                        link = fuzz_u32(&in);
                }
                frag[n++] = (uint8_t)(link >> 24);
                frag[n++] = (uint8_t)(link >> 16);
                frag[n++] = (uint8_t)(link >> 8);
                frag[n++] = (uint8_t)link;
                frag[n++] = (uint8_t)((ctl >> 2 & 3) | (ctl & 0x10 ? 0x04 << (ctl & 3) : 0));
                frag[n++] = ctl & 0x20 ? (uint8_t)(m.busy ? m.next : 0) : fuzz_u8(&in);
                for (size_t i = 0; i < len && fuzz_more(&in); i++)
                        frag[n++] = fuzz_u8(&in);

                a = ble_reassembly_push_raw(&r, frag, n, now, &got, &got_len);
                b = m_push(&m, frag, n, now, &want, &want_len);
                if (a != b || r.junk != m.junk || r.junk > junk_before + 2)
                        abort();
                if (a == 1 &&
                    (got_len != want_len || got_len > BLE_MESSAGE_MAX || memcmp(got, want, got_len) != 0))
                        abort();
                if (r.in_flight != m.busy)
                        abort();
        }
        return 0;
}
