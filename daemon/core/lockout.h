/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wrong-code lockout, as pure state transitions on a small struct the store
 * persists.  After `attempts` consecutive wrong submissions the keypad is
 * locked for `first_usec`; every further wrong submission doubles it, up to
 * `max_usec`.  A success, an admin reset, or 24 h without a failure clears
 * the count. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define DL_LOCKOUT_ATTEMPTS_DEFAULT 5
#define DL_LOCKOUT_FIRST_USEC_DEFAULT (30 * (int64_t)1000000)
#define DL_LOCKOUT_MAX_USEC_DEFAULT (3600 * (int64_t)1000000)
#define DL_LOCKOUT_FORGET_USEC ((int64_t)24 * 3600 * 1000000)

struct dl_lockout_policy {
        unsigned attempts;  /* 1..255 */
        int64_t first_usec; /* >= 1 s */
        int64_t max_usec;   /* >= first_usec, <= 24 h */
};

struct dl_lockout_state {
        uint32_t failures;     /* consecutive wrong submissions */
        int64_t last_failure;  /* µs, 0 = never */
        int64_t lockout_until; /* µs, 0 = not locked */
};

int dl_lockout_policy_check(const struct dl_lockout_policy *p, struct dl_error *err);

/* Is the keypad locked at now? */
bool dl_lockout_active(const struct dl_lockout_state *s, int64_t now);

/* Forget failures older than 24 h (only when no lockout is running).
 * Returns true when the state changed. */
bool dl_lockout_forget(struct dl_lockout_state *s, int64_t now);

/* Count one wrong submission at now.  Returns true when it starts a lockout
 * (s->lockout_until is then set to now + duration). */
bool dl_lockout_record_failure(const struct dl_lockout_policy *p, struct dl_lockout_state *s, int64_t now);

/* Duration of the lockout that the n-th consecutive failure starts (0 when
 * n < attempts): first, 2*first, 4*first, ... capped at max. */
int64_t dl_lockout_duration(const struct dl_lockout_policy *p, uint32_t n);

/* Success or admin reset: clear everything.  Returns true when it changed. */
bool dl_lockout_clear(struct dl_lockout_state *s);

/* After the clock was set back, a running lockout could end years from now.
 * Cap what remains at the policy's maximum.  Returns true when it changed. */
bool dl_lockout_clamp(const struct dl_lockout_policy *p, struct dl_lockout_state *s, int64_t now);
