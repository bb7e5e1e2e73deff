/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "command-ids.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

struct command_id_entry {
        char id[COMMAND_ID_MAX + 1]; /* "" = free slot */
        char *reply;
        uint64_t seen;
};

struct command_ids {
        size_t capacity;
        uint64_t keep_usec;
        struct command_id_entry entries[];
};

int command_ids_new(size_t capacity, uint64_t keep_usec, struct command_ids **ret) {
        struct command_ids *c;

        if (!ret || capacity == 0 || capacity > COMMAND_IDS_CAPACITY_MAX || keep_usec == 0)
                return -EINVAL;
        c = calloc(1, sizeof(*c) + capacity * sizeof(c->entries[0]));
        if (!c)
                return -ENOMEM;
        c->capacity = capacity;
        c->keep_usec = keep_usec;
        *ret = c;
        return 0;
}

struct command_ids *command_ids_free(struct command_ids *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->capacity; i++)
                free(c->entries[i].reply);
        free(c);
        return NULL;
}

bool command_id_valid(const char *id) {
        size_t n = 0;

        if (!id)
                return false;
        for (; id[n]; n++) {
                char ch = id[n];

                if (n >= COMMAND_ID_MAX)
                        return false;
                if (!(ch >= 'A' && ch <= 'Z') && !(ch >= 'a' && ch <= 'z') && !(ch >= '0' && ch <= '9') &&
                    !strchr("_.:-", ch))
                        return false;
        }
        return n > 0;
}

/* Expired: now is keep_usec or more past the time it was seen.  A time
 * before it (the clock stepped back) keeps it live. */
static bool entry_expired(const struct command_ids *c, const struct command_id_entry *e, uint64_t now) {
        return now >= e->seen && now - e->seen >= c->keep_usec;
}

static void entry_drop(struct command_id_entry *e) {
        free(e->reply);
        *e = (struct command_id_entry){};
}

/* Drops the expired entries; the slot holding id (live), or NULL. */
static struct command_id_entry *sweep(struct command_ids *c, const char *id, uint64_t now) {
        struct command_id_entry *found = NULL;

        for (size_t i = 0; i < c->capacity; i++) {
                struct command_id_entry *e = &c->entries[i];

                if (!e->id[0])
                        continue;
                if (entry_expired(c, e, now)) {
                        entry_drop(e);
                        continue;
                }
                if (id && strcmp(e->id, id) == 0)
                        found = e;
        }
        return found;
}

const char *command_ids_lookup(struct command_ids *c, const char *id, uint64_t now) {
        struct command_id_entry *e;

        if (!c || !command_id_valid(id))
                return NULL;
        e = sweep(c, id, now);
        return e ? e->reply : NULL;
}

int command_ids_remember(struct command_ids *c, const char *id, const char *reply, uint64_t now) {
        struct command_id_entry *slot = NULL;
        char *copy;

        if (!c || !reply || !command_id_valid(id))
                return -EINVAL;
        if (sweep(c, id, now))
                return -EEXIST;
        for (size_t i = 0; i < c->capacity && !slot; i++)
                if (!c->entries[i].id[0])
                        slot = &c->entries[i];
        if (!slot)
                return -EBUSY;
        copy = strdup(reply);
        if (!copy)
                return -ENOMEM;
        memcpy(slot->id, id, strlen(id) + 1);
        slot->reply = copy;
        slot->seen = now;
        return 0;
}

size_t command_ids_live(struct command_ids *c, uint64_t now) {
        size_t n = 0;

        if (!c)
                return 0;
        sweep(c, NULL, now);
        for (size_t i = 0; i < c->capacity; i++)
                if (c->entries[i].id[0])
                        n++;
        return n;
}
