/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "verify.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "entry-candidates.h"
#include "macro.h"
#include "store-private.h"

/* The entry as PIN MACs: one HMAC per candidate, computed before any
 * database work, so the cost depends on the entry, not on the number of
 * codes (the lookup is an index probe per candidate). */
struct entry_macs {
        size_t n;
        uint8_t mac[DL_CANDIDATES_MAX][DL_MAC_SIZE];
};

static void entry_macs_wipe(struct entry_macs *m) {
        secure_zero(m, sizeof(*m));
}

/* Anti-peep hides a PIN among decoys from someone looking at the keypad;
 * nobody looks over the shoulder of a network message, so an entry from
 * the network is always one plain PIN (one PIN tested per submission: the
 * brute-force figures in code-store.md count on it). */
static bool entry_anti_peep(const struct dl_store *s, enum dl_source source) {
        return s->config.anti_peep && source != DL_SOURCE_MQTT;
}

static int compute_macs(struct dl_store *s, const char *entry, enum dl_source source, struct entry_macs *m,
                        struct dl_error *err) {
        struct dl_candidates cand;
        size_t n = strlen(entry);
        int r;

        if (n == 0 || n > DL_ENTRY_INPUT_MAX || !dl_is_digits(entry, n))
                return dl_error_set(err, -EINVAL, "An entry is 1 to %d digits", DL_ENTRY_INPUT_MAX);

        r = dl_entry_candidates(entry, n, &s->config.pin, entry_anti_peep(s, source),
                                s->config.max_entry_length, &cand);
        if (r < 0)
                return dl_error_set(err, r, "Cannot split the entry into candidates");

        m->n = 0;
        for (size_t i = 0; i < cand.n; i++) {
                struct dl_hmac_part part = { entry + cand.c[i].offset, cand.c[i].length };

                r = dl_hmac(s->pin_key, &part, 1, m->mac[m->n]);
                if (r < 0)
                        return dl_error_set(err, r, "Cannot compute PIN MAC");
                m->n++;
        }
        return 0;
}

static const char SQL_CODE_BY_MAC[] = "SELECT " DL_CODE_COLUMNS " FROM codes WHERE pin_mac = ?1";

static int lookup(struct dl_store *s, const uint8_t mac[DL_MAC_SIZE], struct dl_code *c,
                  struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_CODE_BY_MAC, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_blob(st, 1, mac, DL_MAC_SIZE, SQLITE_STATIC);
        r = dl_db_step(&s->db, st, err);
        if (r > 0) {
                r = dl_code_from_row(s, st, c, err);
                if (r >= 0)
                        r = 1;
        }
        sqlite3_reset(st);
        return r;
}

static void fill_code(struct dl_decision *d, const struct dl_code *c) {
        d->code_id = c->id;
        memcpy(d->code_name, c->spec.name, sizeof(d->code_name));
        d->kind = c->spec.kind;
}

/* The decision, from the entry's MACs, the time and the lockout state.
 * *durable: must the outcome be fsync'd before the door opens?  (Single-use,
 * use-limited and duress grants, and every refusal, so a power cut cannot undo a
 * use or a counted failure.) */
/* An 8-digit entry that no stored code let in may be an emergency code.
 * They work in privacy mode (that is when they are needed) and fail closed
 * while the clock is untrusted. */
static int emergency_rank(enum dl_reason reason) {
        return reason == DL_REASON_NONE ? 0 : reason == DL_REASON_EMERGENCY_QUOTA ? 1 : 2;
}

static int decide_emergency(struct dl_store *s, const char *entry, int64_t now, bool trusted,
                            struct dl_decision *d, bool *durable, struct dl_error *err) {
        struct dl_ec_match em[DL_EC_MATCHES_MAX];
        int n, r, best = -1;
        enum dl_reason best_reason = DL_REASON_USED_UP;

        n = dl_ec_match(s, entry, now, em);
        if (n <= 0)
                return n;
        *durable = true;
        /* The same digits may be several codes (10^-8 per live code): the
         * first one that can open does, so a used code cannot shadow an
         * unused one.  Otherwise the refusal names the first match, and
         * emergency-quota wins over used-up (that code can open later). */
        for (int k = 0; k < n && best_reason != DL_REASON_NONE; k++) {
                enum dl_reason reason = DL_REASON_CLOCK_UNTRUSTED;
                unsigned recent;

                if (trusted) {
                        r = dl_ec_is_used(s, &em[k], err);
                        if (r < 0)
                                return r;
                        reason = DL_REASON_USED_UP;
                }
                if (trusted && r == 0) {
                        /* At most 16 of an issuer in any 4 hours, over its
                         * stored uses: not per window, since the lock
                         * accepts 2 or 3 windows at once. */
                        r = dl_ec_recent_uses(s, em[k].issuer, now, &recent, err);
                        if (r < 0)
                                return r;
                        reason = recent >= DL_EC_QUOTA ? DL_REASON_EMERGENCY_QUOTA : DL_REASON_NONE;
                }
                if (best < 0 || emergency_rank(reason) < emergency_rank(best_reason)) {
                        best = k;
                        best_reason = reason;
                }
        }
        *d = (struct dl_decision){
                .emergency = true,
                .granted = best_reason == DL_REASON_NONE,
                .ec_issuer = em[best].issuer,
                .ec_window = em[best].window,
                .ec_slot = em[best].slot,
                .clock_trusted = trusted,
                .reason = best_reason,
        };
        _Static_assert(sizeof(d->code_name) == sizeof(em[best].name), "name sizes");
        memcpy(d->code_name, em[best].name, sizeof(d->code_name));
        return 1;
}

static int decide(struct dl_store *s, const char *entry, const struct entry_macs *m, int64_t now,
                  bool trusted, bool privacy, const struct dl_lockout_state *lockout, struct dl_decision *d,
                  bool *durable, struct dl_error *err) {
        bool matched = false;
        int r;

        *d = (struct dl_decision){ .reason = DL_REASON_UNKNOWN_CODE, .clock_trusted = trusted };
        *durable = true;

        if (dl_lockout_active(lockout, now)) {
                d->reason = DL_REASON_LOCKED_OUT;
                d->lockout_until = lockout->lockout_until;
                return 0;
        }

        for (size_t i = 0; i < m->n; i++) {
                struct dl_code c;
                struct dl_wall wall = {};
                enum dl_reason reason;

                r = lookup(s, m->mac[i], &c, err);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;

                if (c.spec.n_windows > 0) {
                        r = dl_store_wall(s, now, &wall);
                        if (r < 0)
                                return dl_error_set(err, r, "Cannot convert the time to local time");
                }
                reason = dl_access_evaluate(&c, now, &wall, trusted);
                /* Privacy mode keeps out normal and one-time codes.  Not a
                 * duress code: whoever is forced to open must not be
                 * refused in front of the attacker, and the alarm must go
                 * out. */
                if (reason == DL_REASON_NONE && privacy && !c.spec.duress)
                        reason = DL_REASON_PRIVACY_MODE;
                if (reason == DL_REASON_NONE) {
                        fill_code(d, &c);
                        d->granted = true;
                        d->reason = DL_REASON_NONE;
                        d->duress = c.spec.duress;
                        /* A duress alarm must survive a power cut too. */
                        *durable = c.spec.use_limit > 0 || c.spec.duress;
                        return 0;
                }
                /* With anti-peep several codes may match; a later one may
                 * still open.  Report the first refusal otherwise. */
                if (!matched) {
                        fill_code(d, &c);
                        d->reason = reason;
                        matched = true;
                }
        }

        /* No stored code let it in: an emergency code?  (A PIN that equals
         * an emergency code was checked as a PIN first.) */
        {
                struct dl_decision ed;

                r = decide_emergency(s, entry, now, trusted, &ed, durable, err);
                if (r < 0)
                        return r;
                if (r > 0)
                        *d = ed;
        }
        return 0;
}

static const char SQL_CODE_USED[] =
        "UPDATE codes SET use_count = use_count + 1, last_used = ?2 WHERE id = ?1";

static int apply_grant(struct dl_txn *t, const struct dl_decision *d, enum dl_source source,
                       struct dl_error *err) {
        struct dl_store *s = t->store;
        sqlite3_stmt *st;
        int r;

        if (d->emergency) {
                struct dl_ec_match em = { .issuer = d->ec_issuer,
                                          .window = d->ec_window,
                                          .slot = d->ec_slot };

                /* Used before the door opens, in this same transaction. */
                r = dl_ec_mark_used(t, &em, err);
                if (r < 0)
                        return r;
                (void)dl_lockout_clear(dl_state_lockout(&t->state, source));
                r = dl_txn_logf(t, DL_EVENT_ACCESS_GRANTED, source, 0, NULL,
                                "emergency code: issuer %" PRIu32 " (%s) window %" PRId64 " slot %u",
                                d->ec_issuer, d->code_name, d->ec_window, d->ec_slot);
                if (r < 0)
                        return dl_error_set(err, r, "Cannot write audit log");
                return 0;
        }

        r = dl_db_prepare(&s->db, SQL_CODE_USED, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, d->code_id);
        sqlite3_bind_int64(st, 2, t->now);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        if (r < 0)
                return r;

        /* A grant clears its own counter only: the other face's count
         * stands. */
        (void)dl_lockout_clear(dl_state_lockout(&t->state, source));

        r = dl_txn_logf(t, DL_EVENT_ACCESS_GRANTED, source, d->code_id, d->code_name, "%s code",
                        dl_code_kind_to_string(d->kind));
        if (r >= 0 && d->duress)
                r = dl_txn_log(t, DL_EVENT_ALARM, source, d->code_id, d->code_name, "duress");
        if (r < 0)
                return dl_error_set(err, r, "Cannot write audit log");
        return 0;
}

static int apply_denial(struct dl_txn *t, struct dl_decision *d, enum dl_source source,
                        struct dl_error *err) {
        const struct dl_lockout_policy *p = &t->store->config.lockout;
        struct dl_lockout_state *lo = dl_state_lockout(&t->state, source);
        int r;

        if (d->reason == DL_REASON_LOCKED_OUT) {
                /* Refused unheard: does not count, does not extend. */
                r = dl_txn_log(t, DL_EVENT_ACCESS_DENIED, source, 0, NULL, dl_reason_to_string(d->reason));
                if (r < 0)
                        return dl_error_set(err, r, "Cannot write audit log");
                return 0;
        }

        /* Every refusal counts, even of a real code outside its window:
         * otherwise the lockout would tell a guesser which PINs exist. */
        d->lockout_started = dl_lockout_record_failure(p, lo, t->now);
        d->lockout_until = lo->lockout_until;

        if (d->emergency)
                r = dl_txn_logf(t, DL_EVENT_ACCESS_DENIED, source, 0, NULL,
                                "%s; emergency code: issuer %" PRIu32 " (%s) window %" PRId64
                                " slot %u; %" PRIu32 " consecutive wrong entr%s",
                                dl_reason_to_string(d->reason), d->ec_issuer, d->code_name, d->ec_window,
                                d->ec_slot, lo->failures, lo->failures == 1 ? "y" : "ies");
        else
                r = dl_txn_logf(t, DL_EVENT_ACCESS_DENIED, source, d->code_id,
                                d->code_id ? d->code_name : NULL, "%s; %" PRIu32 " consecutive wrong entr%s",
                                dl_reason_to_string(d->reason), lo->failures,
                                lo->failures == 1 ? "y" : "ies");
        /* A real emergency code the quota held back: the owner learns which
         * issuer ran out, in the same event the gateway's own refusals use.
         * The keypad shows nothing of it: the decision is a plain refusal. */
        if (r >= 0 && d->emergency && d->reason == DL_REASON_EMERGENCY_QUOTA)
                r = dl_txn_logf(t, "emergency-refused", source, 0, NULL,
                                "%s: issuer %" PRIu32 " (%s) window %" PRId64 " slot %u: %u codes of this "
                                "issuer accepted in the last 4 hours",
                                dl_reason_to_string(d->reason), d->ec_issuer, d->code_name, d->ec_window,
                                d->ec_slot, DL_EC_QUOTA);
        if (r >= 0 && d->lockout_started)
                r = dl_txn_logf(
                        t, DL_EVENT_LOCKOUT, source, 0, NULL,
                        "%" PRIu32 " consecutive wrong entries; %s locked for %" PRId64 " s", lo->failures,
                        dl_lockout_counter_of(source) == DL_LOCKOUT_NETWORK ? "network entries" : "keypad",
                        (lo->lockout_until - t->now) / USEC_PER_SEC);
        if (r < 0)
                return dl_error_set(err, r, "Cannot write audit log");
        return 0;
}

/* PINs are entered on the keypad, sent over D-Bus, from a phone or from
 * the network (SubmitPin); the lock itself never enters one. */
static bool entry_source_valid(enum dl_source source) {
        return source == DL_SOURCE_KEYPAD || source == DL_SOURCE_DBUS || source == DL_SOURCE_BLE ||
               source == DL_SOURCE_MQTT;
}

int dl_store_check(struct dl_store *s, const char *entry, enum dl_source source, struct dl_decision *ret,
                   struct dl_error *err) {
        _cleanup_(entry_macs_wipe) struct entry_macs m = {};
        struct dl_state_row row;
        struct dl_lockout_state *lo;
        int64_t now;
        bool durable;
        int r;

        if (!entry_source_valid(source))
                return dl_error_set(err, -EINVAL, "Invalid entry source");
        r = compute_macs(s, entry, source, &m, err);
        if (r < 0)
                return r;
        r = dl_state_load(s, &row, err);
        if (r < 0)
                return r;
        now = dl_clock_now(s->clock);
        (void)dl_clock_trust_update(&row.clock, now, dl_store_clock_vouched(s, &row.clock, now));
        lo = dl_state_lockout(&row, source);
        (void)dl_lockout_forget(lo, now);
        (void)dl_lockout_clamp(&s->config.lockout, lo, now);
        return decide(s, entry, &m, now, !row.clock.untrusted, false, lo, ret, &durable, err);
}

int dl_store_verify(struct dl_store *s, const char *entry, enum dl_source source, struct dl_decision *ret,
                    struct dl_error *err) {
        return dl_store_verify_private(s, entry, source, false, ret, err);
}

int dl_store_verify_private(struct dl_store *s, const char *entry, enum dl_source source, bool privacy,
                            struct dl_decision *ret, struct dl_error *err) {
        _cleanup_(entry_macs_wipe) struct entry_macs m = {};
        struct dl_decision d;
        bool durable = false, need;
        int r;

        if (!entry_source_valid(source))
                return dl_error_set(err, -EINVAL, "Invalid entry source");
        r = compute_macs(s, entry, source, &m, err);
        if (r < 0)
                return r;

        /* SQLite cannot change synchronous inside a transaction, so guess
         * the durability from a read first (the common case is right the
         * first time) and start over with FULL if the guess was low. */
        {
                struct dl_state_row row;
                struct dl_lockout_state *lo;
                int64_t now;

                r = dl_state_load(s, &row, err);
                if (r < 0)
                        return r;
                now = dl_clock_now(s->clock);
                (void)dl_clock_trust_update(&row.clock, now, dl_store_clock_vouched(s, &row.clock, now));
                lo = dl_state_lockout(&row, source);
                (void)dl_lockout_forget(lo, now);
                (void)dl_lockout_clamp(&s->config.lockout, lo, now);
                r = decide(s, entry, &m, now, !row.clock.untrusted, privacy, lo, &d, &durable, err);
                if (r < 0)
                        return r;
        }

        for (;;) {
                _cleanup_txn_ struct dl_txn t = {};
                struct dl_lockout_state *lo;

                r = dl_txn_begin(s, durable, &t, err);
                if (r < 0)
                        return r;
                lo = dl_state_lockout(&t.state, source);
                (void)dl_lockout_forget(lo, t.now);
                (void)dl_lockout_clamp(&s->config.lockout, lo, t.now);
                r = decide(s, entry, &m, t.now, t.trusted, privacy, lo, &d, &need, err);
                if (r < 0)
                        return r;
                if (need && !durable) {
                        durable = true;
                        continue; /* the cleanup rolls back */
                }

                r = d.granted ? apply_grant(&t, &d, source, err) : apply_denial(&t, &d, source, err);
                if (r < 0)
                        return r;
                r = dl_txn_commit(&t, err);
                if (r < 0)
                        return r;

                *ret = d;
                if (dl_audit_needs_prune(s, &t.state))
                        /* The decision is committed; a failed prune only
                         * delays pruning to the next entry. */
                        (void)dl_audit_prune(s, NULL);
                return 0;
        }
}

int dl_store_card_tag(struct dl_store *s, unsigned bits, uint64_t data, char out[DL_CARD_TAG_SIZE]) {
        static const uint8_t purpose[4] = { 'c', 'a', 'r', 'd' };
        uint8_t in[13], mac[DL_MAC_SIZE];
        const struct dl_hmac_part part = { in, sizeof(in) };
        int r;

        memcpy(in, purpose, sizeof(purpose));
        in[4] = (uint8_t)bits;
        for (unsigned i = 0; i < 8; i++)
                in[5 + i] = (uint8_t)(data >> (56 - 8 * i));
        r = dl_hmac(s->pin_key, &part, 1, mac);
        secure_zero(in, sizeof(in));
        if (r < 0)
                return r;
        for (unsigned i = 0; i < 8; i++)
                (void)snprintf(out + (size_t)2 * i, 3, "%02x", mac[i]);
        secure_zero(mac, sizeof(mac));
        return 0;
}
