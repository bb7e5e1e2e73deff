/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "input-debounce.h"

void dl_debounce_init(struct dl_debounce *d, bool level, int64_t settle_usec) {
        *d = (struct dl_debounce){
                /* 0 would accept a bounce; 1 µs still orders edges and timer */
                .settle_usec = settle_usec > 0 ? settle_usec : 1,
                .stable = level,
                .raw = level,
        };
}

void dl_debounce_edge(struct dl_debounce *d, bool level, int64_t now) {
        if (now > d->now)
                d->now = now;
        d->raw = level;
        d->changed_at = d->now;
}

int64_t dl_debounce_deadline(const struct dl_debounce *d) {
        return d->changed_at ? d->changed_at + d->settle_usec : 0;
}

int dl_debounce_timer(struct dl_debounce *d, int64_t now) {
        if (now > d->now)
                d->now = now;
        if (d->changed_at == 0 || d->now < d->changed_at + d->settle_usec)
                return 0;
        d->changed_at = 0;
        if (d->raw == d->stable)
                return 0;
        d->stable = d->raw;
        return 1;
}
