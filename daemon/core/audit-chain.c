/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "audit-chain.h"

#include <string.h>

#include "macro.h"

static const char *const source_names[_DL_SOURCE_MAX] = {
        [DL_SOURCE_KEYPAD] = "keypad", [DL_SOURCE_DBUS] = "dbus",     [DL_SOURCE_BLE] = "ble",
        [DL_SOURCE_SYSTEM] = "system", [DL_SOURCE_BUTTON] = "button", [DL_SOURCE_MQTT] = "mqtt",
};

const char *dl_source_to_string(enum dl_source s) {
        if ((unsigned)s >= _DL_SOURCE_MAX)
                return NULL;
        return source_names[s];
}

enum dl_source dl_source_from_string(const char *s) {
        for (int i = 0; s && i < _DL_SOURCE_MAX; i++)
                if (strcmp(s, source_names[i]) == 0)
                        return (enum dl_source)i;
        return _DL_SOURCE_INVALID;
}

static void be64(uint8_t out[8], int64_t v) {
        uint64_t u = (uint64_t)v;

        for (int i = 7; i >= 0; i--) {
                out[i] = (uint8_t)(u & 0xff);
                u >>= 8;
        }
}

static void be32(uint8_t out[4], uint32_t v) {
        for (int i = 3; i >= 0; i--) {
                out[i] = (uint8_t)(v & 0xff);
                v >>= 8;
        }
}

static int entry_mac(const struct dl_hmac_key *k, const uint8_t prev[DL_MAC_SIZE],
                     const struct dl_audit_entry *e, uint8_t out[DL_MAC_SIZE]) {
        static const char domain[] = "doorlockd audit entry v1";
        const char *strings[] = { e->event, e->source, e->code_name, e->details };
        uint8_t ints[24], lens[ELEMENTSOF(strings)][4];
        struct dl_hmac_part parts[3 + 2 * ELEMENTSOF(strings)];
        size_t n = 0;

        be64(ints, e->seq);
        be64(ints + 8, e->time);
        be64(ints + 16, e->code_id);

        parts[n++] = (struct dl_hmac_part){ domain, sizeof(domain) - 1 };
        parts[n++] = (struct dl_hmac_part){ prev, DL_MAC_SIZE };
        parts[n++] = (struct dl_hmac_part){ ints, sizeof(ints) };
        for (size_t i = 0; i < ELEMENTSOF(strings); i++) {
                size_t len = strlen(strings[i]);

                be32(lens[i], (uint32_t)len);
                parts[n++] = (struct dl_hmac_part){ lens[i], 4 };
                parts[n++] = (struct dl_hmac_part){ strings[i], len };
        }
        return dl_hmac(k, parts, n, out);
}

int dl_audit_entry_seal(const struct dl_hmac_key *k, const uint8_t prev[DL_MAC_SIZE],
                        struct dl_audit_entry *e) {
        return entry_mac(k, prev, e, e->mac);
}

bool dl_audit_entry_verify(const struct dl_hmac_key *k, const uint8_t prev[DL_MAC_SIZE],
                           const struct dl_audit_entry *e) {
        uint8_t mac[DL_MAC_SIZE];

        if (entry_mac(k, prev, e, mac) < 0)
                return false;
        return dl_mac_equal(mac, e->mac);
}

static int tag(const struct dl_hmac_key *k, const char *domain, int64_t seq, const uint8_t mac[DL_MAC_SIZE],
               uint8_t out[DL_MAC_SIZE]) {
        uint8_t s[8];
        struct dl_hmac_part parts[] = {
                { domain, strlen(domain) },
                { s, sizeof(s) },
                { mac, DL_MAC_SIZE },
        };

        be64(s, seq);
        return dl_hmac(k, parts, ELEMENTSOF(parts), out);
}

int dl_audit_head_tag(const struct dl_hmac_key *k, int64_t seq, const uint8_t mac[DL_MAC_SIZE],
                      uint8_t out[DL_MAC_SIZE]) {
        return tag(k, "doorlockd audit head v1", seq, mac, out);
}

int dl_audit_anchor_tag(const struct dl_hmac_key *k, int64_t seq, const uint8_t prev[DL_MAC_SIZE],
                        uint8_t out[DL_MAC_SIZE]) {
        return tag(k, "doorlockd audit anchor v1", seq, prev, out);
}
