/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Debouncing a slow input (door contact, exit button, doorbell, tamper
 * switch) from its kernel edge timestamps.  Pure logic: time is monotonic
 * µs passed in.
 *
 * A level is accepted once it has been stable for settle_usec: every edge
 * (re)starts the wait, and at the deadline the latest level is compared
 * with the accepted one.  A contact that bounces and comes back within
 * settle_usec changes nothing; a press shorter than settle_usec is not a
 * press.  Edges are hints with a level attached (the kernel's event says
 * which way it went), so a lost edge is repaired by the next one.
 *
 *   dl_debounce_edge(d, level, ts)   -> arm a timer for dl_debounce_deadline()
 *   dl_debounce_timer(d, now) == 1   -> d->stable is the new level */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct dl_debounce {
        int64_t settle_usec;
        bool stable;        /* the accepted level */
        bool raw;           /* the latest edge's level */
        int64_t changed_at; /* the latest edge; 0 = nothing pending */
        int64_t now;        /* latest time seen: time never goes back */
};

/* Start with `level` accepted (read from the line at start). */
void dl_debounce_init(struct dl_debounce *d, bool level, int64_t settle_usec);

/* An edge to `level` at `now` (the kernel's timestamp). */
void dl_debounce_edge(struct dl_debounce *d, bool level, int64_t now);

/* When to call dl_debounce_timer(): monotonic µs, 0 = nothing pending. */
int64_t dl_debounce_deadline(const struct dl_debounce *d);

/* The timer fired: 1 if a new level was accepted (d->stable), else 0
 * (early, nothing pending, or the level came back). */
int dl_debounce_timer(struct dl_debounce *d, int64_t now);
