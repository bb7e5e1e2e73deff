/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "entry-candidates.h"

#include <errno.h>
#include <stdint.h>

/* The most candidates any valid call can produce: an entry of
 * DL_ENTRY_MAX_CEILING digits with every length from the floor to the
 * ceiling allowed.  A length L fits at (E - L + 1) offsets, so the total is
 *   sum_{L=F..C} (E + 1 - L) = (C - F + 1) * (E + 1) - (F + C) * (C - F + 1) / 2
 * which is 225 for E = 32, F = 4, C = 12. */
#define CANDIDATES_WORST_CASE                                                                               \
        ((DL_PIN_LENGTH_CEILING - DL_PIN_LENGTH_FLOOR + 1) * (DL_ENTRY_MAX_CEILING + 1) -                   \
         (DL_PIN_LENGTH_FLOOR + DL_PIN_LENGTH_CEILING) *                                                    \
                 (DL_PIN_LENGTH_CEILING - DL_PIN_LENGTH_FLOOR + 1) / 2)

_Static_assert(DL_PIN_LENGTH_CEILING <= DL_ENTRY_MAX_CEILING, "a PIN must fit in an entry");
_Static_assert(CANDIDATES_WORST_CASE <= DL_CANDIDATES_MAX,
               "DL_CANDIDATES_MAX too small for the entry ceiling");
_Static_assert(DL_ENTRY_MAX_CEILING <= UINT8_MAX, "offsets and lengths must fit in uint8_t");

static int candidates_add(struct dl_candidates *out, size_t offset, size_t length) {
        /* Unreachable given the static assertions above; kept so that a later
         * change to the bounds fails safe rather than overflowing. */
        if (out->n >= DL_CANDIDATES_MAX)
                return -E2BIG;

        out->c[out->n++] = (struct dl_candidate){
                .offset = (uint8_t)offset,
                .length = (uint8_t)length,
        };
        return 0;
}

int dl_entry_candidates(const char *entry, size_t n, const struct dl_pin_policy *policy, bool anti_peep,
                        unsigned max_entry, struct dl_candidates *out) {
        int r;

        if (!out)
                return -EINVAL;
        out->n = 0;

        if (!entry && n > 0)
                return -EINVAL;
        if (dl_pin_policy_check(policy, NULL) < 0)
                return -EINVAL;
        if (max_entry == 0 || max_entry > DL_ENTRY_MAX_CEILING)
                return -EINVAL;
        if (!dl_is_digits(entry, n))
                return -EINVAL;

        if (!anti_peep) {
                if (n < policy->min_length || n > policy->max_length)
                        return 0;
                r = candidates_add(out, 0, n);
                if (r < 0)
                        goto fail;
                return (int)out->n;
        }

        if (n > max_entry)
                return 0;

        for (size_t offset = 0; offset < n; offset++)
                for (size_t length = policy->min_length;
                     length <= policy->max_length && offset + length <= n; length++) {
                        r = candidates_add(out, offset, length);
                        if (r < 0)
                                goto fail;
                }

        return (int)out->n;

fail:
        out->n = 0;
        return r;
}
