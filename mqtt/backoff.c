/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "backoff.h"

void backoff_init(struct backoff *b, uint64_t min_usec, uint64_t max_usec) {
        if (min_usec == 0)
                min_usec = 1;
        if (max_usec < min_usec)
                max_usec = min_usec;
        b->min_usec = min_usec;
        b->max_usec = max_usec;
        b->current_usec = 0;
}

uint64_t backoff_next(struct backoff *b, uint64_t random) {
        uint64_t floor, wait;

        if (b->current_usec == 0)
                b->current_usec = b->min_usec;
        else if (b->current_usec > b->max_usec / 2)
                b->current_usec = b->max_usec;
        else
                b->current_usec *= 2;

        /* Full jitter: uniform in [floor, ceiling].  The floor, half the
         * minimum, keeps a refusing broker from being retried at once. */
        floor = b->min_usec / 2;
        wait = b->current_usec - floor;
        if (wait == UINT64_MAX)
                return floor + random;
        return floor + random % (wait + 1);
}

void backoff_reset(struct backoff *b) {
        b->current_usec = 0;
}
