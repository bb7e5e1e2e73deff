/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which PINs one keypad submission stands for.
 *
 * Plain entry: the whole entry is the one candidate.  Anti-peep entry: the
 * real PIN may sit anywhere inside a longer string of digits, so every
 * substring whose length is an allowed PIN length is a candidate.  The
 * caller computes one HMAC per candidate, so the work is bounded by the
 * entry cap.  Pure logic. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pin-rules.h"

/* Anti-peep entries may be at most this long (default 16). */
#define DL_ENTRY_MAX_DEFAULT 16
#define DL_ENTRY_MAX_CEILING 32
/* Enough for every substring of a 32-digit entry with lengths 4..12. */
#define DL_CANDIDATES_MAX 256

struct dl_candidate {
        uint8_t offset;
        uint8_t length;
};

struct dl_candidates {
        size_t n;
        struct dl_candidate c[DL_CANDIDATES_MAX];
};

/* Fill `out` with the candidates of `entry` (n digits), in order of offset,
 * then length (shortest first).
 *   anti_peep false: one candidate if min_length <= n <= max_length, else
 *                    none (the entry cannot be any PIN).
 *   anti_peep true:  every substring with min_length <= length <= max_length;
 *                    none if n > max_entry.
 * max_entry only limits anti-peep entries.
 * Returns the number of candidates (also stored in out->n), -EINVAL when the
 * entry holds anything but digits (NUL included), the policy is out of range,
 * max_entry is 0 or above DL_ENTRY_MAX_CEILING, out is NULL, or entry is NULL
 * with n > 0.  -E2BIG if DL_CANDIDATES_MAX would be exceeded, which a static
 * assertion in entry-candidates.c rules out.  On error out->n is 0. */
int dl_entry_candidates(const char *entry, size_t n, const struct dl_pin_policy *policy, bool anti_peep,
                        unsigned max_entry, struct dl_candidates *out);
