/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reassembly of one link's fragments into messages (docs/ble-protocol.md,
 * section 2): at most one message in flight, of at most 1024 bytes, in the
 * one buffer the struct holds (nothing is allocated, whatever arrives).
 * Every fragment's link_id must be the link's, indexes go up by exactly
 * one, the payloads end exactly at total_len on the LAST fragment; a FIRST
 * while a message is in flight discards the old one; more than 2 s between
 * two fragments of a message discards it.
 *
 * Every refused fragment is a distinct negative errno and counts one in
 * junk; so does every partial message discarded (by a new FIRST, a
 * timeout, or a refused fragment that breaks its sequence).  Fragments of
 * another link (-EXDEV) and ones that do not parse leave a message in
 * flight as it is: on the phone's side notifications for other links are
 * normal traffic. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

#define BLE_REASSEMBLY_TIMEOUT_USEC ((uint64_t)2 * 1000000)

struct ble_reassembly {
        uint32_t link_id;
        bool in_flight;
        uint8_t next_index; /* the index the next fragment must have */
        uint16_t total_len;
        uint16_t have;
        uint64_t last; /* µs of the last fragment taken */
        uint64_t junk; /* refused fragments and discarded messages */
        uint8_t buf[BLE_MESSAGE_MAX];
};

/* Start a link's reassembly; link_id 0 is the phone's first message (before
 * the lock's HELLO_REPLY names the link). */
void ble_reassembly_init(struct ble_reassembly *r, uint32_t link_id);

/* The lock named the link: from now on fragments carry link_id.  A message
 * in flight is discarded (junk). */
void ble_reassembly_set_link_id(struct ble_reassembly *r, uint32_t link_id);

/* Take one parsed fragment at now (µs, monotonic).  1: a message is
 * complete (*msg, *len valid until the next call), 0: more needed,
 * refusals:
 *   -EINVAL     NULL argument
 *   -EXDEV      another link's fragment (a message in flight is kept)
 *   -ETIMEDOUT  a continuation more than 2 s after the one before (the
 *               message is discarded)
 *   -ENOMSG     a continuation with no message in flight
 *   -EILSEQ     an index other than the previous + 1
 *   -EOVERFLOW  past total_len
 *   -ERANGE     LAST before total_len
 *   -EBADE      total_len reached without LAST
 * The last four discard the message in flight. */
int ble_reassembly_push(struct ble_reassembly *r, const struct ble_fragment *f, uint64_t now,
                        const uint8_t **msg, size_t *len);

/* ble_fragment_parse() then ble_reassembly_push(); a fragment that does not
 * parse is refused with ble_fragment_parse()'s errno and counted. */
int ble_reassembly_push_raw(struct ble_reassembly *r, const uint8_t *p, size_t n, uint64_t now,
                            const uint8_t **msg, size_t *len);

/* For the caller's timer: discard a message in flight whose last fragment
 * is more than 2 s old (junk += 1).  True if one was discarded. */
bool ble_reassembly_expire(struct ble_reassembly *r, uint64_t now);

/* Drop anything in flight (not counted) and zero the buffer. */
void ble_reassembly_reset(struct ble_reassembly *r);
