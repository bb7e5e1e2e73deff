/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A token bucket: at most `burst` at once, refilled at `per_sec` tokens a
 * second.  Pure: the time is a parameter (µs, any monotonic-ish clock).  A
 * clock that goes back refills nothing and takes the new time as the
 * reference, so a step back gives no tokens and never blocks for longer
 * than the rate says (a step back and forward again refills at most to the
 * burst, as any quiet time does).  Use CLOCK_MONOTONIC. */

#include <stdbool.h>
#include <stdint.h>

struct rate_limit {
        unsigned per_sec;
        unsigned burst;
        /* Tokens in millionths (a token is 1000000), so that refills of
         * less than a whole token are not lost. */
        uint64_t micro_tokens;
        uint64_t last; /* µs of the last refill */
        bool started;  /* last is set */
};

/* Starts full.  per_sec 0: never refills; burst 0: never allows anything. */
void rate_limit_init(struct rate_limit *r, unsigned per_sec, unsigned burst);

/* Takes a token at now: true if there was one. */
bool rate_limit_take(struct rate_limit *r, uint64_t now);
