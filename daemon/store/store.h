/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The code store: the lock's brain on disk.  One object owns the SQLite
 * database (state-dir/doorlockd.db), the PIN key (state-dir/pin.key) and the
 * audit key (state-dir/audit.key), the configuration that governs them and
 * the clock they are judged by.
 *
 * Its operations live in code-store.h (codes), verify.h (the decision) and
 * audit-log.h (the log); this header opens and closes it and holds the
 * lock-wide state: wrong-code lockout and clock trust. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "audit-chain.h"
#include "clock.h"
#include "error.h"
#include "lockout.h"
#include "pin-rules.h"
#include "remote-entry.h"

#define DL_STORE_DB_FILE "doorlockd.db"
#define DL_STORE_PIN_KEY_FILE "pin.key"
#define DL_STORE_AUDIT_KEY_FILE "audit.key"

#define DL_REMOVE_DEAD_AFTER_DEFAULT ((int64_t)7 * 24 * 3600 * 1000000)
#define DL_REMOVE_DEAD_AFTER_MAX ((int64_t)366 * 24 * 3600 * 1000000)
#define DL_LOG_MAX_ENTRIES_DEFAULT 10000u
#define DL_LOG_MAX_ENTRIES_MIN 100u
#define DL_LOG_MAX_ENTRIES_CEILING 1000000u
#define DL_BUSY_TIMEOUT_MS_DEFAULT 5000u

struct dl_store_config {
        struct dl_pin_policy pin;         /* 6..10 */
        unsigned generated_pin_length;    /* 6 */
        unsigned max_codes;               /* 200, never above */
        int64_t remove_dead_after_usec;   /* 7 days */
        bool anti_peep;                   /* off */
        unsigned max_entry_length;        /* 16 (anti-peep cap) */
        struct dl_lockout_policy lockout; /* 5 tries, 30 s doubling to 1 h */
        unsigned log_max_entries;         /* 10000 */
        const char *time_zone;            /* NULL: the system's zone */
        unsigned busy_timeout_ms;         /* 5000 */
};

/* Who asks for a change: the audit log records it. */
struct dl_actor {
        enum dl_source source;
        const char *who; /* "uid 1000", "phone 3"; NULL = not known */
};

void dl_store_config_init(struct dl_store_config *c);
/* Every bound above; -EINVAL or -ERANGE with a message naming the field. */
int dl_store_config_check(const struct dl_store_config *c, struct dl_error *err);

struct dl_store;

/* Open the store in state_dir (created 0700 if missing), creating keys and
 * database on first start, applying migrations, and removing codes that died
 * long enough ago.  The config is copied; the clock must outlive the store.
 * Errors carry a message naming the file at fault. */
int dl_store_open(const char *state_dir, const struct dl_store_config *config, const struct dl_clock *clock,
                  struct dl_store **ret, struct dl_error *err);
struct dl_store *dl_store_close(struct dl_store *s);
void dl_store_closep(struct dl_store **s);

const struct dl_store_config *dl_store_config(const struct dl_store *s);
/* The state directory the store was opened in. */
const char *dl_store_dir(const struct dl_store *s);

/* Periodic upkeep (the daemon runs it hourly; open runs it too): remove
 * codes dead for longer than remove_dead_after, prune the audit log. */
int dl_store_maintain(struct dl_store *s, struct dl_error *err);

/* Wrong-code lockout as stored (failures older than 24 h already forgotten
 * in the returned copy). */
int dl_store_lockout_state(struct dl_store *s, struct dl_lockout_state *ret, struct dl_error *err);
/* The same for either counter: the keypad's (what dl_store_lockout_state()
 * gives) or the network's (entries from source mqtt). */
int dl_store_lockout_state_of(struct dl_store *s, enum dl_lockout_counter which,
                              struct dl_lockout_state *ret, struct dl_error *err);
/* An admin ends the lockouts and clears the failure counts of both
 * counters (audited, one entry per counter that had anything). */
int dl_store_end_lockout(struct dl_store *s, const struct dl_actor *actor, struct dl_error *err);

/* Small persistent settings the owner changes at run time (operating mode,
 * relock delay), kept in the database so a restart keeps them.
 * get: -ENOENT when never set. */
int dl_store_get_setting(struct dl_store *s, const char *key, int64_t *ret, struct dl_error *err);
int dl_store_set_setting(struct dl_store *s, const char *key, int64_t value, struct dl_error *err);

struct dl_clock_status {
        bool trusted;
        bool synchronized;
        int64_t mark;
        int64_t now;
};
int dl_store_clock_status(struct dl_store *s, struct dl_clock_status *ret, struct dl_error *err);
/* An admin declares the current time right: the high-water mark becomes now
 * (audited). */
int dl_store_reset_clock_mark(struct dl_store *s, const struct dl_actor *actor, struct dl_error *err);
