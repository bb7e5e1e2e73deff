/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "door-flap.h"

#include <limits.h>

#include "macro.h"

void dl_door_flap_init(struct dl_door_flap *f) {
        *f = (struct dl_door_flap){
                .max_changes = DL_DOOR_FLAP_MAX_CHANGES,
                .window_usec = DL_DOOR_FLAP_WINDOW_USEC,
                .settle_usec = DL_DOOR_FLAP_SETTLE_USEC,
                .summary_usec = DL_DOOR_FLAP_SUMMARY_USEC,
                .door = DL_DOOR_UNKNOWN,
        };
}

/* Logged changes within the window ending at now. */
static unsigned recent_within(const struct dl_door_flap *f, int64_t now) {
        unsigned n = 0;

        for (unsigned i = 0; i < f->n_recent; i++)
                if (now - f->recent[i] < f->window_usec)
                        n++;
        return n;
}

bool dl_door_flap_report(struct dl_door_flap *f, int64_t now, enum dl_door_state door) {
        unsigned max = MAX(MIN(f->max_changes, (unsigned)DL_DOOR_FLAP_MAX_CHANGES_LIMIT), 1u);

        f->door = door;
        f->last_change = now;
        if (f->flapping) {
                if (f->suppressed == 0)
                        f->since = now;
                if (f->suppressed < UINT_MAX)
                        f->suppressed++;
                return false;
        }
        if (recent_within(f, now) >= max) {
                /* One more than max within the window: flapping. */
                f->flapping = true;
                f->suppressed = 1;
                f->since = now;
                f->next_summary = now + f->summary_usec;
                return false;
        }
        f->recent[f->next_recent] = now;
        f->next_recent = (f->next_recent + 1) % max;
        f->n_recent = MIN(f->n_recent + 1, max);
        return true;
}

int64_t dl_door_flap_deadline(const struct dl_door_flap *f) {
        int64_t settle;

        if (!f->flapping)
                return 0;
        settle = f->last_change + f->settle_usec;
        if (f->suppressed > 0)
                return MIN(settle, f->next_summary);
        return settle;
}

bool dl_door_flap_tick(struct dl_door_flap *f, int64_t now, struct dl_door_flap_summary *ret) {
        if (!f->flapping)
                return false;
        if (now >= f->last_change + f->settle_usec) {
                *ret = (struct dl_door_flap_summary){
                        .changes = f->suppressed,
                        .first = f->since,
                        .last = f->last_change,
                        .door = f->door,
                        .settled = true,
                };
                f->flapping = false;
                f->suppressed = 0;
                /* Start afresh: the next changes are logged again. */
                f->n_recent = f->next_recent = 0;
                return true;
        }
        if (f->suppressed > 0 && now >= f->next_summary) {
                *ret = (struct dl_door_flap_summary){
                        .changes = f->suppressed,
                        .first = f->since,
                        .last = f->last_change,
                        .door = f->door,
                        .settled = false,
                };
                f->suppressed = 0;
                f->next_summary = now + f->summary_usec;
                return true;
        }
        return false;
}

bool dl_door_flap_active(const struct dl_door_flap *f) {
        return f->flapping;
}
