/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Reconnect delays: exponential backoff with "full jitter" (each wait is
 * uniform in [0, ceiling], the ceiling doubling from min up to max), so a
 * broker restart does not see every gateway of a building come back in
 * the same second.  Pure: the caller passes the random value. */

#include <stdint.h>

struct backoff {
        uint64_t min_usec, max_usec;
        uint64_t current_usec; /* the ceiling of the next wait; 0 = not started */
};

/* min_usec 0 is taken as 1 µs; max_usec below min is taken as min. */
void backoff_init(struct backoff *b, uint64_t min_usec, uint64_t max_usec);

/* The next wait: the ceiling is min on the first call after init/reset,
 * then doubled up to max; the wait is uniform in [min / 2, ceiling] from
 * `random` (full jitter, with a floor of half the minimum so a broker that
 * refuses at once is not hammered; the caller passes a random 64-bit
 * value: pure). */
uint64_t backoff_next(struct backoff *b, uint64_t random);

/* After a successful connect: the next wait starts from min again. */
void backoff_reset(struct backoff *b);
