/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The repeated-command cache: a command is carried out at most once.  Each
 * id is remembered with the time it was seen and the reply it got; a
 * repeat while the id is live is answered with that reply, not executed
 * again.  An id is live for keep_usec (MaxAge + 2 * MaxSkew:
 * mqtt_config_id_keep_usec()) after it was seen, and for as long as the
 * clock stands before that time (a clock stepped back keeps it live).
 * Expired entries are dropped lazily; a live one is never evicted: a full
 * cache refuses new ids (Busy) rather than forget one that could be
 * replayed.  Pure: time is a parameter (µs since the epoch). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COMMAND_ID_MAX 64 /* 1..64 characters of [A-Za-z0-9_.:-] */
#define COMMAND_IDS_CAPACITY_DEFAULT 256
#define COMMAND_IDS_CAPACITY_MAX 65536

struct command_ids;

/* -EINVAL for capacity 0 or above COMMAND_IDS_CAPACITY_MAX, or keep_usec 0. */
int command_ids_new(size_t capacity, uint64_t keep_usec, struct command_ids **ret);
struct command_ids *command_ids_free(struct command_ids *c);
static inline void command_ids_freep(struct command_ids **c) {
        *c = command_ids_free(*c);
}
#define _cleanup_command_ids_ __attribute__((cleanup(command_ids_freep)))

/* An id as the command JSON allows it. */
bool command_id_valid(const char *id);

/* The reply stored for id if it is live at now (owned by the cache: valid
 * until the next call that changes it), NULL otherwise. */
const char *command_ids_lookup(struct command_ids *c, const char *id, uint64_t now);

/* Remembers id, seen at now, with a copy of reply.  -EINVAL for an invalid
 * id, -EEXIST when id is live already (look it up first), -EBUSY when every
 * slot holds a live id, -ENOMEM. */
int command_ids_remember(struct command_ids *c, const char *id, const char *reply, uint64_t now);

/* Live ids at now (drops the expired ones). */
size_t command_ids_live(struct command_ids *c, uint64_t now);
