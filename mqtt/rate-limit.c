/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rate-limit.h"

#define MICRO 1000000u

void rate_limit_init(struct rate_limit *r, unsigned per_sec, unsigned burst) {
        *r = (struct rate_limit){
                .per_sec = per_sec,
                .burst = burst,
                .micro_tokens = (uint64_t)burst * MICRO,
        };
}

bool rate_limit_take(struct rate_limit *r, uint64_t now) {
        uint64_t cap = (uint64_t)r->burst * MICRO;

        if (!r->started) {
                r->started = true;
                r->last = now;
        } else if (now > r->last) {
                uint64_t elapsed = now - r->last, add;

                /* per_sec tokens a second: per_sec millionths a µs.  Past
                 * a full refill the exact amount does not matter (and
                 * would overflow). */
                if (r->per_sec == 0)
                        add = 0;
                else if (elapsed >= cap / r->per_sec + 1)
                        add = cap;
                else
                        add = elapsed * r->per_sec;
                r->micro_tokens = add >= cap - r->micro_tokens ? cap : r->micro_tokens + add;
                r->last = now;
        } else if (now < r->last) {
                /* The clock went back: refill nothing now, measure from
                 * the new time on (never a wait as long as the step). */
                r->last = now;
        }
        if (r->micro_tokens < MICRO)
                return false;
        r->micro_tokens -= MICRO;
        return true;
}
