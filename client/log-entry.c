/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Audit entries off the bus and as JSON. */
#include <stdlib.h>
#include <string.h>

#include "json-out.h"
#include "log-entry.h"
#include "macro.h"

void log_entry_done(struct log_entry *e) {
        free(e->event);
        free(e->source);
        bus_dict_done(&e->details);
        *e = (struct log_entry){};
}

void log_entries_free(struct log_entry *e, size_t n) {
        for (size_t i = 0; i < n; i++)
                log_entry_done(&e[i]);
        free(e);
}

/* "ttssa{sv}" at the message's current position (a struct's inside, or a
 * LogEntry signal's arguments). */
static int log_entry_read_into(sd_bus_message *m, struct log_entry *e) {
        const char *event, *source;
        int r;

        r = sd_bus_message_read(m, "ttss", &e->time, &e->id, &event, &source);
        if (r < 0)
                return r;
        e->event = strdup(event);
        e->source = strdup(source);
        if (!e->event || !e->source)
                return -ENOMEM;
        return bus_read_dict(m, &e->details);
}

int log_entry_read(sd_bus_message *m, struct log_entry *ret) {
        int r;

        *ret = (struct log_entry){};
        r = log_entry_read_into(m, ret);
        if (r < 0) {
                log_entry_done(ret);
                return r;
        }
        return 0;
}

void json_log_entry(FILE *f, const struct log_entry *e) {
        struct json j;

        json_begin(&j, f);
        json_kv_unsigned(&j, "time", e->time);
        json_kv_unsigned(&j, "id", e->id);
        json_kv_string(&j, "event", e->event);
        json_kv_string(&j, "source", e->source);
        for (size_t i = 0; i < e->details.n; i++) {
                const struct bus_value *v = &e->details.items[i];

                /* A detail never hides the entry's own keys. */
                if (strcmp(v->key, "time") == 0 || strcmp(v->key, "id") == 0 ||
                    strcmp(v->key, "event") == 0 || strcmp(v->key, "source") == 0)
                        continue;
                json_key(&j, v->key);
                json_bus_value(f, v);
        }
        json_end(&j);
}
