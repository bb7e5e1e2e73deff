/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Is the wall clock believable?  A persisted high-water mark holds the
 * latest time the lock has seen.  A time before it means the clock was set
 * back: time-restricted codes fail closed until the clock passes the mark
 * again, the kernel reports the clock synchronised (NTP), or an admin resets
 * the mark.  Pure logic; the store persists the struct. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct dl_clock_trust {
        int64_t mark;   /* µs: latest time seen */
        bool untrusted; /* a time before the mark was seen and not cleared */
};

enum dl_clock_event {
        DL_CLOCK_EVENT_NONE,
        DL_CLOCK_EVENT_SET_BACK,  /* now < mark: became untrusted */
        DL_CLOCK_EVENT_RECOVERED, /* the clock passed the mark again */
        DL_CLOCK_EVENT_RESYNCED,  /* now < mark, but NTP-synchronised: mark lowered */
};

/* Feed the current time.  Raises the mark, or detects a set-back; returns
 * what changed, for the audit log. */
enum dl_clock_event dl_clock_trust_update(struct dl_clock_trust *t, int64_t now, bool synchronized);

/* An admin's explicit reset: the mark becomes now, and the clock trusted. */
void dl_clock_trust_reset(struct dl_clock_trust *t, int64_t now);

const char *dl_clock_event_to_string(enum dl_clock_event e);
