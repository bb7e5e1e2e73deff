/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One audit entry as the clients see it (GetLog's (ttssa{sv}), the LogEntry
 * signal's arguments) and its JSON, the same for lockctl log --json and
 * doorlockd-mqtt. */
#pragma once

#include <stdio.h>

#include "bus-dict.h"

struct log_entry {
        uint64_t time;
        uint64_t id;
        char *event;
        char *source;
        struct bus_dict details;
};

void log_entry_done(struct log_entry *e);
void log_entries_free(struct log_entry *e, size_t n);

/* "ttssa{sv}" at the message's current position (a struct's inside, or a
 * LogEntry signal's arguments).  0 or a negative errno (*ret emptied). */
int log_entry_read(sd_bus_message *m, struct log_entry *ret);

/* {"time":…,"id":…,"event":…,"source":…, then every detail by its key}. */
void json_log_entry(FILE *f, const struct log_entry *e);
