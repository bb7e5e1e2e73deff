/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "clock-trust.h"

#include <stddef.h>

enum dl_clock_event dl_clock_trust_update(struct dl_clock_trust *t, int64_t now, bool synchronized) {
        if (now >= t->mark) {
                t->mark = now;
                if (t->untrusted) {
                        t->untrusted = false;
                        return DL_CLOCK_EVENT_RECOVERED;
                }
                return DL_CLOCK_EVENT_NONE;
        }

        /* Earlier than anything seen before. */
        if (synchronized) {
                /* The kernel vouches for this time (NTP): the mark itself was
                 * wrong, e.g. after a bad forward jump.  Lower it. */
                t->mark = now;
                t->untrusted = false;
                return DL_CLOCK_EVENT_RESYNCED;
        }
        if (!t->untrusted) {
                t->untrusted = true;
                return DL_CLOCK_EVENT_SET_BACK;
        }
        return DL_CLOCK_EVENT_NONE;
}

void dl_clock_trust_reset(struct dl_clock_trust *t, int64_t now) {
        t->mark = now;
        t->untrusted = false;
}

const char *dl_clock_event_to_string(enum dl_clock_event e) {
        switch (e) {
        case DL_CLOCK_EVENT_SET_BACK:
                return "clock set back before the high-water mark; time-restricted codes refused";
        case DL_CLOCK_EVENT_RECOVERED:
                return "clock passed the high-water mark again; trusted";
        case DL_CLOCK_EVENT_RESYNCED:
                return "clock synchronised by NTP; high-water mark lowered; trusted";
        case DL_CLOCK_EVENT_NONE:
        default:
                return NULL;
        }
}
