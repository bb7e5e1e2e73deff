/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "emergency-store.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "access-rules.h"
#include "keyfile.h"
#include "macro.h"
#include "store-private.h"

static void cache_reset(struct dl_ec_issuer *i) {
        for (size_t k = 0; k < ELEMENTSOF(i->cache); k++)
                i->cache[k].window = -1;
}

void dl_ec_free(struct dl_store *s) {
        if (s->issuers)
                secure_zero(s->issuers, s->n_issuers * sizeof(*s->issuers));
        free(s->issuers);
        s->issuers = NULL;
        s->n_issuers = 0;
}

static int key_dir(struct dl_store *s, char **ret) {
        if (asprintf(ret, "%s/" DL_EC_KEY_DIR, s->dir) < 0)
                return -ENOMEM;
        return 0;
}

static int key_name(uint32_t id, char buf[32]) {
        snprintf(buf, 32, "%" PRIu32 ".key", id);
        return 0;
}

static int ensure_key_dir(struct dl_store *s, struct dl_error *err) {
        _cleanup_free_ char *dir = NULL;
        int r;

        r = key_dir(s, &dir);
        if (r < 0)
                return r;
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return dl_error_set(err, -errno, "Cannot create %s: %m", dir);
        return 0;
}

/* Write a brand-new secret for issuer id (replacing a leftover file that a
 * crash may have left: it was never handed out). */
static int new_secret(struct dl_store *s, uint32_t id, uint8_t secret[DL_EC_SECRET_SIZE],
                      struct dl_error *err) {
        _cleanup_free_ char *dir = NULL, *path = NULL;
        char name[32];
        bool created;
        int r;

        r = ensure_key_dir(s, err);
        if (r < 0)
                return r;
        r = key_dir(s, &dir);
        if (r < 0)
                return r;
        key_name(id, name);
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        (void)unlink(path);
        r = dl_keyfile_load(dir, name, true, secret, &created, err);
        if (r < 0)
                return r;
        if (!created)
                return dl_error_set(err, -EEXIST, "Key file %s appeared while being created", path);
        return 0;
}

static void delete_secret(struct dl_store *s, uint32_t id) {
        _cleanup_free_ char *path = NULL;
        char name[32];

        key_name(id, name);
        if (asprintf(&path, "%s/" DL_EC_KEY_DIR "/%s", s->dir, name) < 0)
                return;
        (void)unlink(path);
}

static const char SQL_ISSUERS[] = "SELECT id, name, created FROM emergency_issuers ORDER BY id";
static const char SQL_ISSUER_INSERT[] =
        "INSERT INTO emergency_issuers (id, name, created) VALUES (?1, ?2, ?3)";
static const char SQL_ISSUER_DELETE[] = "DELETE FROM emergency_issuers WHERE id = ?1";

static bool have_issuer(const struct dl_store *s, uint32_t id) {
        for (size_t i = 0; i < s->n_issuers; i++)
                if (s->issuers[i].info.id == id)
                        return true;
        return false;
}

/* Remove key files no issuer owns (a crash between the two steps of an
 * add or a remove). */
static void remove_orphan_keys(struct dl_store *s) {
        _cleanup_free_ char *dir = NULL;
        DIR *d;
        struct dirent *de;

        if (key_dir(s, &dir) < 0)
                return;
        d = opendir(dir);
        if (!d)
                return;
        /* readdir_r() is deprecated; one thread, one DIR. */
        while ((de = readdir(d))) { // cppcheck-suppress readdirCalled
                char *end;
                unsigned long id;

                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                errno = 0;
                id = strtoul(de->d_name, &end, 10);
                if (errno || strcmp(end, ".key") != 0 || id > UINT32_MAX)
                        continue;
                if (!have_issuer(s, (uint32_t)id))
                        (void)unlinkat(dirfd(d), de->d_name, 0);
        }
        closedir(d);
}

static int load_issuers(struct dl_store *s, struct dl_error *err) {
        _cleanup_free_ char *dir = NULL;
        sqlite3_stmt *st;
        int r;

        dl_ec_free(s);
        r = key_dir(s, &dir);
        if (r < 0)
                return r;
        s->issuers = calloc(DL_EC_ISSUERS_MAX + 1, sizeof(*s->issuers));
        if (!s->issuers)
                return -ENOMEM;
        r = dl_db_prepare(&s->db, SQL_ISSUERS, &st, err);
        if (r < 0)
                return r;
        while ((r = dl_db_step(&s->db, st, err)) > 0) {
                struct dl_ec_issuer *i = &s->issuers[s->n_issuers];
                const char *name = (const char *)sqlite3_column_text(st, 1);
                char file[32];

                if (s->n_issuers > DL_EC_ISSUERS_MAX) {
                        r = dl_error_set(err, -EBADMSG, "Too many emergency-code issuers in the database");
                        break;
                }
                *i = (struct dl_ec_issuer){
                        .info.id = (uint32_t)sqlite3_column_int64(st, 0),
                        .info.created = sqlite3_column_int64(st, 2),
                };
                snprintf(i->info.name, sizeof(i->info.name), "%s", name ? name : "");
                cache_reset(i);
                key_name(i->info.id, file);
                r = dl_keyfile_load(dir, file, false, i->secret, NULL, err);
                if (r < 0)
                        break;
                s->n_issuers++;
        }
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

int dl_ec_load(struct dl_store *s, struct dl_error *err) {
        _cleanup_txn_ struct dl_txn t = {};
        uint8_t secret[DL_EC_SECRET_SIZE];
        sqlite3_stmt *st;
        int r;

        r = load_issuers(s, err);
        if (r < 0)
                return r;
        if (!have_issuer(s, DL_EC_GATEWAY_ISSUER)) {
                /* First start: the gateway's own issuer. */
                r = dl_txn_begin(s, true, &t, err);
                if (r < 0)
                        return r;
                r = new_secret(s, DL_EC_GATEWAY_ISSUER, secret, err);
                secure_zero(secret, sizeof(secret));
                if (r < 0)
                        return r;
                r = dl_db_prepare(&s->db, SQL_ISSUER_INSERT, &st, err);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, DL_EC_GATEWAY_ISSUER);
                sqlite3_bind_text(st, 2, "gateway", -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 3, t.now);
                r = dl_db_step(&s->db, st, err);
                sqlite3_reset(st);
                if (r < 0)
                        return r;
                r = dl_txn_commit(&t, err);
                if (r < 0)
                        return r;
                r = load_issuers(s, err);
                if (r < 0)
                        return r;
        }
        remove_orphan_keys(s);
        return 0;
}

/* ---- issuers ---- */

int dl_store_ec_add_issuer(struct dl_store *s, const char *name, const struct dl_actor *actor,
                           uint32_t *ret_id, char *uri_out, struct dl_error *err) {
        _cleanup_txn_ struct dl_txn t = {};
        uint8_t secret[DL_EC_SECRET_SIZE];
        char who[96];
        sqlite3_stmt *st;
        int64_t id;
        int r;

        r = dl_code_name_check(name, err);
        if (r < 0) {
                /* Same rules as code names; say whose name it is. */
                if (err && strncmp(err->message, "Code name", 9) == 0) {
                        char msg[DL_ERROR_MAX];

                        snprintf(msg, sizeof(msg), "Issuer name%s", err->message + 9);
                        dl_error_set(err, r, "%s", msg);
                }
                return dl_error_kind(err, "InvalidName", r);
        }
        for (size_t i = 0; i < s->n_issuers; i++)
                if (strcmp(s->issuers[i].info.name, name) == 0)
                        return dl_error_kind(
                                err, "DuplicateName",
                                dl_error_set(err, -EEXIST, "An issuer named '%s' already exists", name));
        if (s->n_issuers > DL_EC_ISSUERS_MAX)
                return dl_error_kind(
                        err, "IssuerLimit",
                        dl_error_set(err, -ENOSPC, "At most %d emergency-code issuers", DL_EC_ISSUERS_MAX));

        r = dl_txn_begin(s, true, &t, err);
        if (r < 0)
                return r;
        r = dl_db_prepare(&s->db, SQL_ISSUER_INSERT, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_null(st, 1); /* AUTOINCREMENT: never an old id */
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, t.now);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        if (r < 0)
                return r;
        id = sqlite3_last_insert_rowid(s->db.sql);
        if (id <= 0 || id > UINT32_MAX)
                return dl_error_set(err, -ERANGE, "No issuer ids left");

        r = new_secret(s, (uint32_t)id, secret, err);
        if (r < 0)
                return r;
        r = dl_ec_uri_format((uint32_t)id, name, secret, uri_out, DL_EC_URI_MAX);
        secure_zero(secret, sizeof(secret));
        if (r >= 0)
                r = dl_txn_logf(&t, "issuer-added", actor ? actor->source : DL_SOURCE_SYSTEM, 0, NULL,
                                "emergency-code issuer %" PRId64 " '%s' %s", id, name,
                                dl_actor_describe(actor, who, sizeof(who)));
        if (r >= 0)
                r = dl_txn_commit(&t, err);
        if (r < 0) {
                delete_secret(s, (uint32_t)id);
                if (uri_out)
                        secure_zero(uri_out, DL_EC_URI_MAX);
                return dl_error_set(err, r, "Cannot add the issuer: %s", dl_error_message(err, r));
        }
        if (ret_id)
                *ret_id = (uint32_t)id;
        return load_issuers(s, err);
}

int dl_store_ec_remove_issuer(struct dl_store *s, uint32_t id, const struct dl_actor *actor,
                              struct dl_error *err) {
        _cleanup_txn_ struct dl_txn t = {};
        char who[96], name[DL_CODE_NAME_MAX_BYTES] = "";
        sqlite3_stmt *st;
        int r;

        if (id == DL_EC_GATEWAY_ISSUER)
                return dl_error_kind(
                        err, "ModeForbids",
                        dl_error_set(err, -EPERM, "The gateway's own issuer (0) cannot be removed"));
        for (size_t i = 0; i < s->n_issuers; i++)
                if (s->issuers[i].info.id == id)
                        snprintf(name, sizeof(name), "%s", s->issuers[i].info.name);
        if (!name[0])
                return dl_error_kind(err, "NotFound",
                                     dl_error_set(err, -ENOENT, "No emergency-code issuer %" PRIu32, id));

        r = dl_txn_begin(s, true, &t, err);
        if (r < 0)
                return r;
        r = dl_db_prepare(&s->db, SQL_ISSUER_DELETE, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        if (r < 0)
                return r;
        r = dl_txn_logf(&t, "issuer-removed", actor ? actor->source : DL_SOURCE_SYSTEM, 0, NULL,
                        "emergency-code issuer %" PRIu32 " '%s' and its codes revoked %s", id, name,
                        dl_actor_describe(actor, who, sizeof(who)));
        if (r < 0)
                return dl_error_set(err, r, "Cannot write audit log");
        r = dl_txn_commit(&t, err);
        if (r < 0)
                return r;
        /* The row is gone, so nothing uses the secret any more; the file
         * goes now (or, after a crash, at the next start). */
        delete_secret(s, id);
        return load_issuers(s, err);
}

int dl_store_ec_list_issuers(struct dl_store *s, dl_ec_issuer_cb cb, void *userdata, struct dl_error *err) {
        (void)err;
        for (size_t i = 0; i < s->n_issuers; i++) {
                int r = cb(&s->issuers[i].info, userdata);

                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- generation ---- */

static const char SQL_GENERATED_GET[] =
        "SELECT count FROM emergency_generated WHERE issuer = ?1 AND win = ?2";
static const char SQL_GENERATED_SET[] =
        "INSERT OR REPLACE INTO emergency_generated (issuer, win, count) VALUES (?1, ?2, ?3)";
/* What the gateway's quota counts at a time (docs/emergency-codes.md,
 * "the gateway's quota"): its codes accepted after ?2 (now - 4 h, also
 * those stamped after now), plus those it generated, still unused, of a
 * window the lock still accepts (from ?3 on).  Slots 0 .. count - 1 of a
 * window are the generated ones. */
static const char SQL_GATEWAY_COMMITTED[] =
        "SELECT (SELECT count(*) FROM emergency_used WHERE issuer = ?1 AND used_at > ?2)"
        " + (SELECT coalesce(sum(count), 0) FROM emergency_generated WHERE issuer = ?1 AND win >= ?3)"
        " - (SELECT count(*) FROM emergency_used u JOIN emergency_generated g"
        "    ON g.issuer = u.issuer AND g.win = u.win AND u.slot < g.count"
        "    WHERE u.issuer = ?1 AND u.win >= ?3)";
/* The oldest use of an issuer still counting, and the oldest window still
 * accepted with generated codes not used. */
static const char SQL_USED_OLDEST_RECENT[] =
        "SELECT min(used_at) FROM emergency_used WHERE issuer = ?1 AND used_at > ?2";
static const char SQL_GENERATED_OLDEST_UNUSED[] =
        "SELECT min(win) FROM emergency_generated g WHERE issuer = ?1 AND win >= ?2 AND count >"
        " (SELECT count(*) FROM emergency_used u WHERE u.issuer = g.issuer AND u.win = g.win"
        "  AND u.slot < g.count)";

static int generated_count(struct dl_store *s, uint32_t issuer, int64_t window, unsigned *ret,
                           struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_GENERATED_GET, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, issuer);
        sqlite3_bind_int64(st, 2, window);
        r = dl_db_step(&s->db, st, err);
        *ret = r > 0 ? (unsigned)sqlite3_column_int(st, 0) : 0;
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

/* How much of the gateway's quota is taken at now (see the SQL). */
static int gateway_committed(struct dl_store *s, int64_t now, unsigned *ret, struct dl_error *err) {
        sqlite3_stmt *st;
        int64_t n;
        int r;

        r = dl_db_prepare(&s->db, SQL_GATEWAY_COMMITTED, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, DL_EC_GATEWAY_ISSUER);
        sqlite3_bind_int64(st, 2, dl_ec_quota_since(now));
        sqlite3_bind_int64(st, 3, dl_ec_oldest_candidate(now));
        r = dl_db_step(&s->db, st, err);
        n = r > 0 ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (r < 0)
                return r;
        *ret = n < 0 ? 0 : n > UINT_MAX ? UINT_MAX : (unsigned)n;
        return 0;
}

static unsigned quota_left(unsigned committed) {
        return committed >= DL_EC_QUOTA ? 0 : DL_EC_QUOTA - committed;
}

int dl_store_ec_codes_left(struct dl_store *s, unsigned *ret, struct dl_error *err) {
        int64_t now = dl_clock_now(s->clock);
        unsigned committed = 0, generated = 0;
        int r;

        r = gateway_committed(s, now, &committed, err);
        if (r >= 0)
                r = generated_count(s, DL_EC_GATEWAY_ISSUER, dl_ec_window(now), &generated, err);
        if (r < 0)
                return r;
        /* The slots of this window bound it too (implied by the count:
         * every slot generated in this window is unused or was accepted
         * less than 4 hours ago). */
        *ret = MIN(quota_left(committed), generated >= DL_EC_SLOTS ? 0u : DL_EC_SLOTS - generated);
        return 0;
}

/* When does committed(now) next go down by itself: the oldest counted use
 * 4 hours after it, or the oldest window with unused generated codes when
 * the lock stops accepting it.  INT64_MAX if nothing is committed. */
static int quota_next_free(struct dl_store *s, int64_t now, int64_t *ret, struct dl_error *err) {
        const char *sqls[] = { SQL_USED_OLDEST_RECENT, SQL_GENERATED_OLDEST_UNUSED };
        int64_t next = INT64_MAX;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(sqls); i++) {
                sqlite3_stmt *st;

                r = dl_db_prepare(&s->db, sqls[i], &st, err);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, DL_EC_GATEWAY_ISSUER);
                sqlite3_bind_int64(st, 2, i == 0 ? dl_ec_quota_since(now) : dl_ec_oldest_candidate(now));
                r = dl_db_step(&s->db, st, err);
                if (r > 0 && sqlite3_column_type(st, 0) != SQLITE_NULL) {
                        int64_t v = sqlite3_column_int64(st, 0), at;

                        if (i == 0) /* a use, counted until 4 h after it */
                                at = v > INT64_MAX - DL_EC_QUOTA_USEC ? INT64_MAX : v + DL_EC_QUOTA_USEC;
                        else { /* a window, accepted until start(w + 2) + tolerance */
                                at = dl_ec_valid_until(v);
                                at = at > INT64_MAX - DL_EC_TOLERANCE_USEC ? INT64_MAX
                                                                           : at + DL_EC_TOLERANCE_USEC;
                        }
                        next = MIN(next, at);
                }
                sqlite3_reset(st);
                if (r < 0)
                        return r;
        }
        *ret = next;
        return 0;
}

int dl_store_ec_quota_changes(struct dl_store *s, int64_t *ret, struct dl_error *err) {
        return quota_next_free(s, dl_clock_now(s->clock), ret, err);
}

static struct dl_ec_issuer *find_issuer(struct dl_store *s, uint32_t id) {
        for (size_t i = 0; i < s->n_issuers; i++)
                if (s->issuers[i].info.id == id)
                        return &s->issuers[i];
        return NULL;
}

int dl_store_ec_generate(struct dl_store *s, const struct dl_actor *actor, char code_out[DL_EC_DIGITS + 1],
                         int64_t *ret_valid_until, unsigned *ret_left, struct dl_error *err) {
        _cleanup_txn_ struct dl_txn t = {};
        struct dl_ec_issuer *gw = find_issuer(s, DL_EC_GATEWAY_ISSUER);
        char who[96];
        sqlite3_stmt *st;
        unsigned count, committed = 0;
        int64_t window;
        int r;

        if (!gw)
                return dl_error_set(err, -ENOENT, "The gateway's issuer is missing");
        r = dl_txn_begin(s, true, &t, err);
        if (r < 0)
                return r;
        if (!t.trusted) {
                /* Refused, and said so in the log (with the clock event). */
                (void)dl_txn_logf(&t, "emergency-refused", actor ? actor->source : DL_SOURCE_SYSTEM, 0, NULL,
                                  "%s: issuer 0 %s", dl_reason_to_string(DL_REASON_CLOCK_UNTRUSTED),
                                  dl_actor_describe(actor, who, sizeof(who)));
                (void)dl_txn_commit(&t, NULL);
                return dl_error_kind(
                        err, "ClockUntrusted",
                        dl_error_set(err, -ESTALE,
                                     "The clock was set back; emergency codes need a trusted clock"));
        }
        window = dl_ec_window(t.now);
        r = generated_count(s, DL_EC_GATEWAY_ISSUER, window, &count, err);
        if (r >= 0)
                r = gateway_committed(s, t.now, &committed, err);
        if (r < 0)
                return r;
        if (count >= DL_EC_SLOTS || committed >= DL_EC_QUOTA) {
                char when[32] = "later";
                int64_t free_at = INT64_MAX;
                time_t at;
                struct tm tm;

                (void)quota_next_free(s, t.now, &free_at, NULL);
                at = (time_t)(free_at / USEC_PER_SEC);
                if (free_at < INT64_MAX && gmtime_r(&at, &tm))
                        strftime(when, sizeof(when), "at %Y-%m-%d %H:%M:%S UTC", &tm);
                /* Every refusal is in the log: window, never a code.  The
                 * reason comes first, a stable name like the keypad's. */
                (void)dl_txn_logf(&t, "emergency-refused", actor ? actor->source : DL_SOURCE_SYSTEM, 0, NULL,
                                  "%s: issuer 0 window %" PRId64 ": %u codes of the last 4 hours unused "
                                  "or accepted, %u slots of the window generated %s",
                                  dl_reason_to_string(DL_REASON_EMERGENCY_QUOTA), window, committed, count,
                                  dl_actor_describe(actor, who, sizeof(who)));
                (void)dl_txn_commit(&t, NULL);
                return dl_error_kind(
                        err, "EmergencyQuota",
                        dl_error_set(err, -EDQUOT,
                                     "%d emergency codes in any 4 hours: the gateway's codes accepted in "
                                     "the last 4 hours and those still unused use them all; the next "
                                     "one can be generated %s",
                                     DL_EC_QUOTA, when));
        }
        r = dl_db_prepare(&s->db, SQL_GENERATED_SET, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, DL_EC_GATEWAY_ISSUER);
        sqlite3_bind_int64(st, 2, window);
        sqlite3_bind_int64(st, 3, count + 1);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        if (r < 0)
                return r;
        r = dl_ec_code(gw->secret, DL_EC_GATEWAY_ISSUER, window, count, code_out);
        if (r < 0)
                return dl_error_set(err, r, "Cannot compute the code");
        r = dl_txn_logf(&t, "emergency-generated", actor ? actor->source : DL_SOURCE_SYSTEM, 0, NULL,
                        "issuer 0 window %" PRId64 " slot %u %s", window, count,
                        dl_actor_describe(actor, who, sizeof(who)));
        if (r >= 0)
                r = dl_txn_commit(&t, err);
        if (r < 0) {
                secure_zero(code_out, DL_EC_DIGITS + 1);
                return r;
        }
        if (ret_valid_until)
                *ret_valid_until = dl_ec_valid_until(window);
        if (ret_left)
                *ret_left = MIN(quota_left(committed + 1), DL_EC_SLOTS - (count + 1));
        return 0;
}

/* ---- checking an entry ---- */

static const char *cached_codes(struct dl_ec_issuer *i, int64_t window, unsigned slot) {
        struct dl_ec_window_cache *c = NULL, *oldest = &i->cache[0];

        for (size_t k = 0; k < ELEMENTSOF(i->cache); k++) {
                if (i->cache[k].window == window)
                        return i->cache[k].codes[slot];
                if (i->cache[k].window < oldest->window)
                        oldest = &i->cache[k];
        }
        c = oldest;
        for (unsigned sl = 0; sl < DL_EC_SLOTS; sl++)
                if (dl_ec_code(i->secret, i->info.id, window, sl, c->codes[sl]) < 0) {
                        c->window = -1;
                        return NULL;
                }
        c->window = window;
        return c->codes[slot];
}

int dl_ec_match(struct dl_store *s, const char *entry, int64_t now,
                struct dl_ec_match ret[DL_EC_MATCHES_MAX]) {
        int64_t windows[DL_EC_MAX_CANDIDATE_WINDOWS];
        size_t nw;
        int found = 0;

        if (strlen(entry) != DL_EC_DIGITS || !dl_is_digits(entry, DL_EC_DIGITS))
                return 0;
        nw = dl_ec_candidate_windows(now, windows);
        /* Compare every candidate, without stopping early, so the time
         * taken does not tell which issuer or window came close.  Every
         * match is returned (the caller picks one that can open: the same
         * digits may be a used code and an unused one); more than
         * DL_EC_MATCHES_MAX codes with the same digits at once have a
         * chance below 10^-40. */
        for (size_t i = 0; i < s->n_issuers; i++)
                for (size_t w = 0; w < nw; w++)
                        for (unsigned sl = 0; sl < DL_EC_SLOTS; sl++) {
                                const char *code = cached_codes(&s->issuers[i], windows[w], sl);

                                if (code && CRYPTO_memcmp(code, entry, DL_EC_DIGITS) == 0 &&
                                    found < DL_EC_MATCHES_MAX) {
                                        ret[found] = (struct dl_ec_match){
                                                .issuer = s->issuers[i].info.id,
                                                .window = windows[w],
                                                .slot = sl,
                                        };
                                        snprintf(ret[found].name, sizeof(ret[found].name), "%s",
                                                 s->issuers[i].info.name);
                                        found++;
                                }
                        }
        return found;
}

static const char SQL_USED_GET[] =
        "SELECT 1 FROM emergency_used WHERE issuer = ?1 AND win = ?2 AND slot = ?3";
static const char SQL_USED_SET[] =
        "INSERT INTO emergency_used (issuer, win, slot, used_at) VALUES (?1, ?2, ?3, ?4)";

int dl_ec_is_used(struct dl_store *s, const struct dl_ec_match *m, struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_USED_GET, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, m->issuer);
        sqlite3_bind_int64(st, 2, m->window);
        sqlite3_bind_int64(st, 3, m->slot);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        return r;
}

int dl_ec_mark_used(struct dl_txn *t, const struct dl_ec_match *m, struct dl_error *err) {
        struct dl_store *s = t->store;
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_USED_SET, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, m->issuer);
        sqlite3_bind_int64(st, 2, m->window);
        sqlite3_bind_int64(st, 3, m->slot);
        sqlite3_bind_int64(st, 4, t->now);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

static const char SQL_USED_RECENT[] =
        "SELECT count(*) FROM emergency_used WHERE issuer = ?1 AND used_at > ?2";

int dl_ec_recent_uses(struct dl_store *s, uint32_t issuer, int64_t now, unsigned *ret,
                      struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_USED_RECENT, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, issuer);
        sqlite3_bind_int64(st, 2, dl_ec_quota_since(now));
        r = dl_db_step(&s->db, st, err);
        *ret = r > 0 ? (unsigned)sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

static const char SQL_USED_PRUNE[] = "DELETE FROM emergency_used WHERE win < ?1";
static const char SQL_GENERATED_PRUNE[] = "DELETE FROM emergency_generated WHERE win < ?1";

int dl_ec_prune(struct dl_txn *t, struct dl_error *err) {
        struct dl_store *s = t->store;
        /* A code of window w is accepted at most until w + 2 (plus the
         * tolerance), so w - 3 would do on a perfect clock.  Uses are kept
         * for 31 days instead: after a bad forward jump of the clock that
         * NTP then corrects (lowering the high-water mark), a code used
         * before the jump must still be known as used.  A few rows per
         * real emergency is cheap. */
        int64_t keep = dl_ec_window(t->now) - DL_EC_USED_KEEP_WINDOWS;
        const char *sqls[] = { SQL_USED_PRUNE, SQL_GENERATED_PRUNE };
        int r;

        if (!t->trusted)
                return 0; /* never forget uses on a clock that went back */
        for (size_t i = 0; i < ELEMENTSOF(sqls); i++) {
                sqlite3_stmt *st;

                r = dl_db_prepare(&s->db, sqls[i], &st, err);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, keep);
                r = dl_db_step(&s->db, st, err);
                sqlite3_reset(st);
                if (r < 0)
                        return r;
        }
        return 0;
}
