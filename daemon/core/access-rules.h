/* SPDX-License-Identifier: GPL-2.0-or-later */
/* May this code open the door at this instant?  Pure logic on a stored code,
 * the time, the wall-clock time in the gateway's zone, and whether the clock
 * is trusted.  The reasons are a stable API (D-Bus, the audit log). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "code-spec.h"
#include "schedule.h"

enum dl_reason {
        DL_REASON_NONE, /* granted */
        DL_REASON_UNKNOWN_CODE,
        DL_REASON_DISABLED,
        DL_REASON_OUTSIDE_WINDOW,
        DL_REASON_NOT_YET_VALID,
        DL_REASON_EXPIRED,
        DL_REASON_USED_UP,
        DL_REASON_LOCKED_OUT,
        DL_REASON_CLOCK_UNTRUSTED,
        DL_REASON_PRIVACY_MODE,    /* the lock is in privacy mode */
        DL_REASON_EMERGENCY_QUOTA, /* an issuer's emergency codes: 16 accepted in the last 4 hours */
        _DL_REASON_MAX,
};

/* "unknown-code", "disabled", ...; "granted" for DL_REASON_NONE. */
const char *dl_reason_to_string(enum dl_reason r);

/* True when the code depends on the clock: a validity period or windows. */
bool dl_code_is_time_restricted(const struct dl_code_spec *spec);

/* The rule, in order: disabled; used up; clock untrusted (time-restricted
 * codes only); not yet valid; expired; outside every window.  `wall` is the
 * local time of `now`. */
enum dl_reason dl_access_evaluate(const struct dl_code *c, int64_t now, const struct dl_wall *wall,
                                  bool clock_trusted);

/* When did the code stop working for good (used up, or validity ended)?
 * 0 while it can still work.  Codes that are merely disabled or outside
 * their windows are not dead. */
int64_t dl_code_dead_since(const struct dl_code *c, int64_t now);
