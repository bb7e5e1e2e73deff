/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the code store: shared by its files, and nothing else.
 *
 * Three layers, each calling only the ones below it:
 *  - the low layer: db.c (the connection), keyfile.c, restore-files.c and
 *    store-txn.c (struct dl_store, the state row, transactions and the
 *    audit entries they append);
 *  - the modules: code-store.c, verify.c, audit-log.c, emergency-store.c
 *    and store-admin.c;
 *  - the top: store.c (the open sequence: restore recovery, keys, loading
 *    the issuers, pruning; close; maintenance) and backup.c (a whole store
 *    out and back in).
 * Each group of declarations below names the file that defines it. */
#pragma once

#include "audit-chain.h"
#include "clock-trust.h"
#include "code-spec.h"
#include "db.h"
#include "emergency-store.h"
#include "hmac.h"
#include "lockout.h"
#include "remote-entry.h"
#include "schedule.h"
#include "store.h"

/* The single row of table `state`. */
struct dl_state_row {
        struct dl_clock_trust clock;
        struct dl_lockout_state lockout;     /* the keypad's counter */
        struct dl_lockout_state net_lockout; /* the network's (source mqtt) */
        int64_t head_seq;
        uint8_t head_mac[DL_MAC_SIZE];
        uint8_t head_tag[DL_MAC_SIZE];
        int64_t anchor_seq;
        uint8_t anchor_prev[DL_MAC_SIZE];
        uint8_t anchor_tag[DL_MAC_SIZE];
};

/* An issuer in memory: its secret, and the codes of the windows checked
 * lately (so an 8-digit entry costs a few comparisons, not 64 HMACs). */
struct dl_ec_window_cache {
        int64_t window; /* -1 = empty */
        char codes[DL_EC_SLOTS][DL_EC_DIGITS + 1];
};

struct dl_ec_issuer {
        struct dl_ec_issuer_info info;
        uint8_t secret[DL_EC_SECRET_SIZE];
        struct dl_ec_window_cache cache[DL_EC_MAX_CANDIDATE_WINDOWS];
};

/* An emergency code recognised in an entry. */
struct dl_ec_match {
        uint32_t issuer;
        char name[DL_CODE_NAME_MAX_BYTES];
        int64_t window;
        unsigned slot;
};

struct dl_store {
        struct dl_db db;
        struct dl_store_config config;
        char *time_zone; /* owned copy of config.time_zone */
        char *dir;
        const struct dl_clock *clock;
        struct dl_hmac_key *pin_key;
        struct dl_hmac_key *audit_key;
        struct dl_ec_issuer *issuers; /* emergency-code issuers, by id */
        size_t n_issuers;
        struct dl_state_row state; /* last committed state row */
        bool state_cached;
};

/* A write transaction.  Begin loads the state row and feeds the clock to the
 * high-water mark (logging set-backs); commit writes the state row back, so
 * the mark, the lockout and the audit head cost one page however many of
 * them changed. */
struct dl_txn {
        struct dl_store *store;
        struct dl_state_row state;
        int64_t now;
        bool trusted;
        bool durable;
        bool open;
};

/* ---- the low layer: state row, transactions, audit appends (store-txn.c) ---- */

int dl_txn_begin(struct dl_store *s, bool durable, struct dl_txn *t, struct dl_error *err);
int dl_txn_commit(struct dl_txn *t, struct dl_error *err);
void dl_txn_abort(struct dl_txn *t);
#define _cleanup_txn_ _cleanup_(dl_txn_abort)

/* The state row as last committed (cached). */
int dl_state_load(struct dl_store *s, struct dl_state_row *row, struct dl_error *err);
/* The state row as stored in the database, bypassing the cache. */
int dl_state_read(struct dl_store *s, struct dl_state_row *row, struct dl_error *err);

/* The counter an entry from source counts on (remote-entry.h). */
static inline struct dl_lockout_state *dl_state_lockout(struct dl_state_row *row, enum dl_source source) {
        return dl_lockout_counter_of(source) == DL_LOCKOUT_NETWORK ? &row->net_lockout : &row->lockout;
}

/* Append an audit entry inside t (updates t->state's head). */
int dl_txn_log(struct dl_txn *t, const char *event, enum dl_source source, int64_t code_id,
               const char *code_name, const char *details);
int dl_txn_logf(struct dl_txn *t, const char *event, enum dl_source source, int64_t code_id,
                const char *code_name, const char *fmt, ...) _printf_(6, 7);

/* Format "by <who>" for an actor into buf. */
const char *dl_actor_describe(const struct dl_actor *a, char *buf, size_t size);

/* ---- the modules, for the top's open sequence and maintenance ---- */

/* Remove codes dead for longer than the configured time, inside t
 * (code-store.c). */
int dl_codes_remove_dead(struct dl_txn *t, struct dl_error *err);
/* Delete the oldest audit entries when over the bound (own transaction;
 * audit-log.c). */
int dl_audit_prune(struct dl_store *s, struct dl_error *err);
/* Will dl_audit_prune() have work to do? */
bool dl_audit_needs_prune(const struct dl_store *s, const struct dl_state_row *row);

/* Read a code row (columns in the order of DL_CODE_COLUMNS) plus its
 * windows. */
#define DL_CODE_COLUMNS                                                                                     \
        "id, name, kind, enabled, duress, created, valid_from, valid_until, use_limit, use_count, "         \
        "last_used"
int dl_code_from_row(struct dl_store *s, sqlite3_stmt *st, struct dl_code *c, struct dl_error *err);

/* Does the kernel vouch for a time before the mark?  Asked only when it
 * matters (now < mark): adjtimex() is a system call on every PIN check
 * otherwise. */
static inline bool dl_store_clock_vouched(const struct dl_store *s, const struct dl_clock_trust *t,
                                          int64_t now) {
        return now < t->mark && dl_clock_synchronized(s->clock);
}

/* Wall-clock time of now in the configured zone (store-txn.c). */
int dl_store_wall(struct dl_store *s, int64_t now, struct dl_wall *ret);

/* ---- the top (store.c), for backup.c ---- */

/* Close the database and forget the keys and issuers, keeping the
 * directory, configuration and clock (backup.c, around a restore). */
void dl_store_release(struct dl_store *s);
/* Release, then open the state directory again into the same object. */
int dl_store_reopen(struct dl_store *s, struct dl_error *err);

/* ---- emergency codes (emergency-store.c) ---- */

/* Load issuers and their secrets; create the gateway's issuer 0 on first
 * start.  Key files without an issuer (left by a crash) are removed. */
int dl_ec_load(struct dl_store *s, struct dl_error *err);
void dl_ec_free(struct dl_store *s);
/* Which codes of any issuer for the windows accepted at now does `entry`
 * (8 digits) match?  Returns how many (0 none), filling ret in order of
 * issuer and then window, newest first. */
#define DL_EC_MATCHES_MAX 8
int dl_ec_match(struct dl_store *s, const char *entry, int64_t now,
                struct dl_ec_match ret[DL_EC_MATCHES_MAX]);
/* 1 if (issuer, window, slot) was used already. */
int dl_ec_is_used(struct dl_store *s, const struct dl_ec_match *m, struct dl_error *err);
/* Uses of the issuer's codes that count toward its quota at now (accepted
 * after now - 4 h, including after now). */
int dl_ec_recent_uses(struct dl_store *s, uint32_t issuer, int64_t now, unsigned *ret, struct dl_error *err);
/* Record the use, inside t. */
int dl_ec_mark_used(struct dl_txn *t, const struct dl_ec_match *m, struct dl_error *err);
/* Forget uses and generation counts that can no longer matter, inside t. */
int dl_ec_prune(struct dl_txn *t, struct dl_error *err);
