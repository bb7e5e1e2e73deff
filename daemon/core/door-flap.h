/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rate limiting of door-sensor log entries.  Pure logic: time is monotonic
 * µs passed in.
 *
 * A loose door contact can report fifty changes a second.  Each change is
 * logged on its own until more than `max_changes` arrive within `window_usec`;
 * from then on the door is "flapping": changes are only counted, and one
 * summary (the count and the last state) is due once no change came for
 * `settle_usec`, or every `summary_usec` while it goes on.  So a flap of any
 * length costs max_changes entries plus one per summary_usec, and cannot push
 * grants out of the bounded log.
 *
 * The lock controller still sees every report (the relock waits for the
 * door to close); this only decides what is written down. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lock-controller.h"

#define DL_DOOR_FLAP_MAX_CHANGES 4                        /* logged one by one within the window */
#define DL_DOOR_FLAP_WINDOW_USEC (2 * (int64_t)1000000)   /* ... of this length */
#define DL_DOOR_FLAP_SETTLE_USEC (2 * (int64_t)1000000)   /* quiet this long: flapping ended */
#define DL_DOOR_FLAP_SUMMARY_USEC (60 * (int64_t)1000000) /* a summary at least this often */
#define DL_DOOR_FLAP_MAX_CHANGES_LIMIT 16

struct dl_door_flap {
        unsigned max_changes; /* 1..DL_DOOR_FLAP_MAX_CHANGES_LIMIT */
        int64_t window_usec, settle_usec, summary_usec;

        int64_t recent[DL_DOOR_FLAP_MAX_CHANGES_LIMIT]; /* times of the last logged changes, a ring */
        unsigned n_recent, next_recent;
        bool flapping;
        unsigned suppressed;  /* changes counted since `since` */
        int64_t since;        /* first change counted for the next summary */
        int64_t last_change;  /* time of the latest change */
        int64_t next_summary; /* flapping: the next periodic summary */
        enum dl_door_state door;
};

struct dl_door_flap_summary {
        unsigned changes;        /* changes not logged one by one */
        int64_t first, last;     /* the first and the last of them */
        enum dl_door_state door; /* the state after the last one */
        bool settled;            /* true: flapping ended; false: still going on */
};

/* The defaults above. */
void dl_door_flap_init(struct dl_door_flap *f);

/* A door change at `now`: true = log it as usual, false = counted for the
 * next summary. */
bool dl_door_flap_report(struct dl_door_flap *f, int64_t now, enum dl_door_state door);

/* When dl_door_flap_tick() has a summary to give (monotonic µs), 0 when
 * there is none coming. */
int64_t dl_door_flap_deadline(const struct dl_door_flap *f);

/* Time passed: true and *ret filled when a summary is due. */
bool dl_door_flap_tick(struct dl_door_flap *f, int64_t now, struct dl_door_flap_summary *ret);

/* Is a flap in progress (changes are being counted, not logged)? */
bool dl_door_flap_active(const struct dl_door_flap *f);
