/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BLE transport fragments (docs/ble-protocol.md, section 2).  A message of
 * 1..1024 bytes is cut into fragments of at most MTU-3 bytes each:
 *
 *   fragment = link_id(4) || flags(1) || index(1) || payload
 *   flags    = bit 0 FIRST, bit 1 LAST, bits 2-7 zero
 *   index    = 0 on FIRST, +1 on each next one (at most 255 fragments)
 *   FIRST's payload starts with total_len(2), the whole message's length
 *
 * Pure: parsing points into the caller's bytes, building hands each
 * fragment to a callback. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define BLE_SERVICE_UUID "7d1a0001-5e7b-4c2e-9f3a-6b1d0c0ffee1"
#define BLE_REQUEST_UUID "7d1a0002-5e7b-4c2e-9f3a-6b1d0c0ffee1"  /* write with response, phone -> lock */
#define BLE_RESPONSE_UUID "7d1a0003-5e7b-4c2e-9f3a-6b1d0c0ffee1" /* notify, lock -> phone */

#define BLE_MTU_DEFAULT 23 /* a write without the mtu option */
#define BLE_MTU_MAX 517    /* ATT's largest */
#define BLE_ATT_OVERHEAD 3
#define BLE_FRAGMENT_HEADER_SIZE 6
#define BLE_FRAGMENT_MAX (BLE_MTU_MAX - BLE_ATT_OVERHEAD)
#define BLE_MESSAGE_MAX 1024

#define BLE_FRAG_FIRST 0x01
#define BLE_FRAG_LAST 0x02

struct ble_fragment {
        uint32_t link_id;
        uint8_t flags;
        uint8_t index;
        uint16_t total_len;  /* FIRST only (0 otherwise) */
        const uint8_t *data; /* the message bytes it carries (after total_len on FIRST) */
        size_t data_len;
};

/* Parse one fragment as written or notified.  Refusals:
 *   -EINVAL    NULL argument
 *   -EMSGSIZE  shorter than the header (6 bytes, 8 on FIRST)
 *   -E2BIG     longer than BLE_FRAGMENT_MAX (514)
 *   -EPROTO    a reserved flag bit set
 *   -EBADSLT   FIRST with an index other than 0
 *   -EDOM      total_len 0 or above 1024
 *   -ENODATA   a fragment after FIRST with no payload */
int ble_fragment_parse(const uint8_t *p, size_t n, struct ble_fragment *ret);

/* How many fragments a message of len bytes takes at mtu; -EINVAL for an
 * mtu outside 23..517, -EDOM for len outside 1..1024. */
int ble_fragments_count(size_t len, size_t mtu);

/* Cut msg into fragments of at most mtu-3 bytes (the last one may be
 * shorter) and hand each to emit in order; emit's negative return stops
 * and is returned.  Returns the number of fragments, or -EINVAL (NULL,
 * mtu outside 23..517), -EDOM (len outside 1..1024). */
typedef int (*ble_fragment_emit_t)(const uint8_t *fragment, size_t n, void *userdata);
int ble_fragments_build(uint32_t link_id, const uint8_t *msg, size_t len, size_t mtu,
                        ble_fragment_emit_t emit, void *userdata);
