/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The audit log's tamper evidence, as pure functions.
 *
 * Entry n carries mac_n = HMAC(audit.key, "doorlockd audit entry v1" ||
 * mac_{n-1} || seq || time || code_id || event || source || code_name ||
 * details), integers as 8-byte big-endian, strings as 4-byte big-endian
 * length then bytes.  Entry 1 chains to 32 zero bytes.
 *
 * Two keyed records close the ends: the head (seq and mac of the newest
 * entry) catches removal of the newest entries; the anchor (seq of the
 * oldest kept entry and the mac before it) lets the chain be checked after
 * the oldest entries were pruned.  Without audit.key neither can be forged. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "code-name.h"
#include "hmac.h"

#define DL_AUDIT_EVENT_MAX 32
#define DL_AUDIT_SOURCE_MAX 16
#define DL_AUDIT_DETAILS_MAX 256

/* Stable event names. */
#define DL_EVENT_ACCESS_GRANTED "access-granted"
#define DL_EVENT_ACCESS_DENIED "access-denied"
#define DL_EVENT_CODE_ADDED "code-added"
#define DL_EVENT_CODE_REMOVED "code-removed"
#define DL_EVENT_CODE_CHANGED "code-changed"
#define DL_EVENT_LOCKOUT "lockout"
#define DL_EVENT_ALARM "alarm"
#define DL_EVENT_CLOCK "clock"
#define DL_EVENT_LOG "log"

enum dl_source {
        DL_SOURCE_KEYPAD,
        DL_SOURCE_DBUS,
        DL_SOURCE_BLE,
        DL_SOURCE_SYSTEM, /* the lock itself: maintenance, start-up */
        DL_SOURCE_BUTTON, /* the exit button (request-to-exit) */
        DL_SOURCE_MQTT,   /* a caller with the remote role (the MQTT bridge, any network face) */
        _DL_SOURCE_MAX,
        _DL_SOURCE_INVALID = -1,
};

const char *dl_source_to_string(enum dl_source s);
enum dl_source dl_source_from_string(const char *s);

struct dl_audit_entry {
        int64_t seq;
        int64_t time;
        char event[DL_AUDIT_EVENT_MAX];
        char source[DL_AUDIT_SOURCE_MAX];
        int64_t code_id; /* 0 = none */
        char code_name[DL_CODE_NAME_MAX_BYTES];
        char details[DL_AUDIT_DETAILS_MAX];
        uint8_t mac[DL_MAC_SIZE];
};

/* Fill e->mac from prev and the other fields. */
int dl_audit_entry_seal(const struct dl_hmac_key *k, const uint8_t prev[DL_MAC_SIZE],
                        struct dl_audit_entry *e);

/* True when e->mac is right for prev. */
bool dl_audit_entry_verify(const struct dl_hmac_key *k, const uint8_t prev[DL_MAC_SIZE],
                           const struct dl_audit_entry *e);

int dl_audit_head_tag(const struct dl_hmac_key *k, int64_t seq, const uint8_t mac[DL_MAC_SIZE],
                      uint8_t out[DL_MAC_SIZE]);
int dl_audit_anchor_tag(const struct dl_hmac_key *k, int64_t seq, const uint8_t prev[DL_MAC_SIZE],
                        uint8_t out[DL_MAC_SIZE]);
