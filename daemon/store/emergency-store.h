/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Emergency codes in the store: issuers (rows in the database, secrets in
 * state-dir/emergency/<id>.key, never in the database), the gateway's own
 * generation with its quota of 16 per window, and the record of used codes.
 * Checking an entry against them is part of dl_store_verify(). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "code-name.h"
#include "emergency-code.h"
#include "store.h"

#define DL_EC_ISSUERS_MAX 64
#define DL_EC_GATEWAY_ISSUER 0u
#define DL_EC_KEY_DIR "emergency"
/* How long a used (issuer, window, slot) is remembered: 31 days. */
#define DL_EC_USED_KEEP_WINDOWS ((int64_t)31 * 6)

struct dl_ec_issuer_info {
        uint32_t id;
        char name[DL_CODE_NAME_MAX_BYTES];
        int64_t created;
};

/* A new issuer with a fresh secret.  Its URI (the secret's only copy
 * outside the lock) goes to uri_out (DL_EC_URI_MAX bytes), this once.
 * Names follow the rules of code names and are unique.  -ENOSPC beyond
 * DL_EC_ISSUERS_MAX, -EEXIST for a taken name. */
int dl_store_ec_add_issuer(struct dl_store *s, const char *name, const struct dl_actor *actor,
                           uint32_t *ret_id, char *uri_out, struct dl_error *err);

/* Delete an issuer and its secret: every code it could compute stops
 * working.  -ENOENT for no such issuer; -EPERM for the gateway's own. */
int dl_store_ec_remove_issuer(struct dl_store *s, uint32_t id, const struct dl_actor *actor,
                              struct dl_error *err);

typedef int (*dl_ec_issuer_cb)(const struct dl_ec_issuer_info *i, void *userdata);
int dl_store_ec_list_issuers(struct dl_store *s, dl_ec_issuer_cb cb, void *userdata, struct dl_error *err);

/* The gateway's next code in the current window (its next free slot).
 * -EDQUOT when dl_store_ec_codes_left() is 0; refused with kind ClockUntrusted while
 * the clock is untrusted.  Audited with window and slot, never the code. */
int dl_store_ec_generate(struct dl_store *s, const struct dl_actor *actor, char code_out[DL_EC_DIGITS + 1],
                         int64_t *ret_valid_until, unsigned *ret_left, struct dl_error *err);

/* Codes the gateway can still generate now: 16 minus its codes accepted
 * in the last 4 hours and those generated, unused and still accepted by
 * the lock (docs/emergency-codes.md, "the gateway's quota"), and at most
 * the slots left in the current window. */
int dl_store_ec_codes_left(struct dl_store *s, unsigned *ret, struct dl_error *err);
/* The next instant (µs) at which dl_store_ec_codes_left() goes up by
 * itself: a use 4 hours old, or the lock no longer accepting a window with
 * unused generated codes.  INT64_MAX if nothing counts now.  (A new window
 * gives new slots, not new quota.) */
int dl_store_ec_quota_changes(struct dl_store *s, int64_t *ret, struct dl_error *err);
