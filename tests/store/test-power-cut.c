/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Power cuts through the crash VFS shim (crash-vfs.h).
 *
 * One state directory lives through every round.  A round opens the store
 * on the shim, armed to cut the power at a random I/O event (from a seeded
 * PRNG), and runs random store calls until the cut: adds, renames and
 * removals of codes, one-time codes, emergency codes and plain codes
 * entered, log events (the log is bounded at 100 entries, so it is pruned
 * all the time).  It records which calls returned success.  Then it reopens
 * the store on the real VFS and checks the promises: a single-use code
 * (one-time or emergency) granted before the cut never opens again, every
 * add that returned success is there, every removal that returned success
 * stays gone, a rename that returned success is kept, the audit chain
 * verifies, PRAGMA integrity_check is ok and the store opens, and no
 * issuer has more than 16 emergency uses stored within 4 hours (codes of
 * the current and the previous window are entered, so without the quota 32
 * would open).
 *
 * DOORLOCKD_POWER_CUTS (default 200) sets the number of rounds,
 * DOORLOCKD_POWER_CUT_SEED (default 1) the seed.  A violation prints the
 * seed and round, so it can be replayed. */
#include "test-util.h"

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit-log.h"
#include "crash-vfs.h"
#include "emergency-code.h"
#include "emergency-store.h"
#include "verify.h"

/* ---- a seeded PRNG (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t rng_next(void) {
        uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}

static unsigned rng_below(unsigned n) {
        return (unsigned)(rng_next() % n);
}

static unsigned long env_ulong(const char *name, unsigned long def) {
        const char *v = getenv(name);
        char *end;
        unsigned long n;

        if (!v || !*v)
                return def;
        errno = 0;
        n = strtoul(v, &end, 10);
        if (errno || *end)
                fail_msg("%s=%s is not a number", name, v);
        return n;
}

/* tmpfs when there is one: the shim simulates the disk, so real fsyncs
 * only cost time. */
static char *state_dir_new(void) {
        struct stat st;
        char *path;

        if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0) {
                if (asprintf(&path, "/dev/shm/doorlockd-power-cut.XXXXXX") < 0 || !mkdtemp(path))
                        abort();
                return path;
        }
        return scratch_dir_new();
}

static int integrity_check(const char *dir, char *out, size_t size) {
        char *path;
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        int r = -EIO;

        if (asprintf(&path, "%s/%s", dir, DL_STORE_DB_FILE) < 0)
                abort();
        snprintf(out, size, "cannot open");
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
            sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE", NULL, NULL, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
                snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
                r = strcmp(out, "ok") == 0 ? 0 : -EBADMSG;
        } else if (db)
                snprintf(out, size, "%s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        sqlite3_close(db);
        free(path);
        return r;
}

/* The most uses of one issuer's emergency codes stored within 4 hours
 * (ending at one of them); -1 if the database cannot be read.  The lock
 * accepts at most 16 in any 4 hours, whatever the cuts. */
static int64_t most_uses_in_4_hours(const char *dir) {
        char *path;
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        int64_t most = -1;

        if (asprintf(&path, "%s/%s", dir, DL_STORE_DB_FILE) < 0)
                abort();
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(db,
                               "SELECT coalesce(max((SELECT count(*) FROM emergency_used b WHERE b.issuer = "
                               "a.issuer AND b.used_at > a.used_at - ?1 AND b.used_at <= a.used_at)), 0) "
                               "FROM emergency_used a",
                               -1, &st, NULL) == SQLITE_OK &&
            sqlite3_bind_int64(st, 1, DL_EC_QUOTA_USEC) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
                most = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
        free(path);
        return most;
}

/* ---- what the test knows (a model of the store) ---- */

enum mstate {
        M_PRESENT,
        M_GONE,
        M_MAYBE_GONE
};

struct mcode {
        int64_t id;
        char name[DL_CODE_NAME_MAX_BYTES];
        char alt[DL_CODE_NAME_MAX_BYTES]; /* a rename whose outcome is unknown */
        char pin[8];                      /* "" = not known (adopted) */
        enum dl_code_kind kind;
        enum mstate st;
        bool used;       /* one-time: granted */
        bool maybe_used; /* one-time: entered when the power went */
};

struct grant {
        char entry[16];
        unsigned round;
        char what[48];
        /* An emergency code: which one.  Its 8 digits may later be another
         * issuer's (or window's) valid code by chance, which is no reuse. */
        bool emergency;
        uint32_t ec_issuer;
        int64_t ec_window;
        unsigned ec_slot;
};

struct issuer {
        uint32_t id;
        uint8_t secret[DL_EC_SECRET_SIZE];
        int64_t window;
        /* Slots already entered: bits 0-15 of `window`, 16-31 of the one
         * before (the lock accepts both: without the quota of 16 in any 4
         * hours, 32 would open). */
        uint32_t used;
};

struct world {
        char *dir;
        struct fake_clock clock;
        struct dl_store_config config;
        struct dl_store *store;

        struct mcode *codes;
        size_t n_codes, cap_codes;
        int64_t *gone; /* ids removed with success */
        size_t n_gone, cap_gone;
        unsigned *gone_round;
        struct grant *grants;
        size_t n_grants, cap_grants;
        /* Every PIN ever given to a code: never given again, so a granted
         * one-time PIN can only ever open its own code. */
        uint8_t pins_given[1000000 / 8];
        struct issuer issuers[DL_EC_ISSUERS_MAX];
        size_t n_issuers;
        uint64_t counter;

        unsigned round;
        uint64_t seed, crash_at;
        unsigned violations;
        unsigned cuts, clean_rounds;
        uint64_t ops_ok, single_use_granted, grants_checked, ec_digit_collisions;
        int64_t most_ec_uses; /* of one issuer within 4 hours, stored */
        uint64_t ec_quota_refusals;
};

#define GROW(arr, n, cap)                                                                                   \
        do {                                                                                                \
                if ((n) == (cap)) {                                                                         \
                        (cap) = (cap) ? (cap)*2 : 64;                                                       \
                        (arr) = realloc((arr), (cap) * sizeof(*(arr)));                                     \
                        if (!(arr))                                                                         \
                                abort();                                                                    \
                }                                                                                           \
        } while (0)

static void violation(struct world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(struct world *w, const char *fmt, ...) {
        va_list ap;

        w->violations++;
        printf("# VIOLATION (DOORLOCKD_POWER_CUT_SEED=%" PRIu64 ", round %u, cut at I/O event %" PRIu64
               "; replay with DOORLOCKD_POWER_CUTS=%u): ",
               w->seed, w->round, w->crash_at, w->round + 1);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        fflush(stdout);
}

static struct mcode *code_add(struct world *w, int64_t id, const char *name, const char *pin,
                              enum dl_code_kind kind) {
        GROW(w->codes, w->n_codes, w->cap_codes);
        struct mcode *c = &w->codes[w->n_codes++];
        *c = (struct mcode){ .id = id, .kind = kind, .st = M_PRESENT };
        snprintf(c->name, sizeof(c->name), "%s", name);
        snprintf(c->pin, sizeof(c->pin), "%s", pin ? pin : "");
        return c;
}

static struct mcode *code_find(struct world *w, int64_t id) {
        for (size_t i = 0; i < w->n_codes; i++)
                if (w->codes[i].id == id)
                        return &w->codes[i];
        return NULL;
}

static void code_forget(struct world *w, struct mcode *c) {
        GROW(w->gone, w->n_gone, w->cap_gone);
        w->gone_round = realloc(w->gone_round, w->cap_gone * sizeof(*w->gone_round));
        if (!w->gone_round)
                abort();
        w->gone_round[w->n_gone] = w->round;
        w->gone[w->n_gone++] = c->id;
        *c = w->codes[--w->n_codes];
}

static void grant_add(struct world *w, const char *entry, const char *what) {
        GROW(w->grants, w->n_grants, w->cap_grants);
        struct grant *g = &w->grants[w->n_grants++];
        snprintf(g->entry, sizeof(g->entry), "%s", entry);
        snprintf(g->what, sizeof(g->what), "%s", what);
        g->round = w->round;
        w->single_use_granted++;
}

/* A random non-weak 6-digit PIN never used before. */
static void random_pin(struct world *w, char pin[8]) {
        unsigned n;

        do {
                n = rng_below(1000000);
                snprintf(pin, 8, "%06u", n);
        } while (dl_pin_is_weak(pin, 6) || (w->pins_given[n / 8] & (1u << (n % 8))));
        w->pins_given[n / 8] |= (uint8_t)(1u << (n % 8));
}

static struct mcode *random_code(struct world *w, bool (*want)(const struct mcode *c)) {
        size_t n = 0, pick;

        for (size_t i = 0; i < w->n_codes; i++)
                n += want(&w->codes[i]);
        if (n == 0)
                return NULL;
        pick = rng_below((unsigned)n);
        for (size_t i = 0; i < w->n_codes; i++)
                if (want(&w->codes[i]) && pick-- == 0)
                        return &w->codes[i];
        return NULL;
}

static bool is_present(const struct mcode *c) {
        return c->st == M_PRESENT && !c->alt[0];
}

static bool is_fresh_one_time(const struct mcode *c) {
        return is_present(c) && c->kind == DL_CODE_ONE_TIME && !c->used && !c->maybe_used && c->pin[0];
}

static bool is_plain(const struct mcode *c) {
        return is_present(c) && c->kind == DL_CODE_NORMAL && c->pin[0];
}

static bool is_used(const struct mcode *c) {
        return is_present(c) && c->used;
}

/* ---- one store call each; false once the power is off ---- */

static const struct dl_actor actor = { DL_SOURCE_DBUS, "uid 1000" };

static bool op_add(struct world *w, enum dl_code_kind kind) {
        struct dl_code_spec spec;
        struct dl_error err = {};
        char name[24], pin[8], out[DL_PIN_BUFFER_SIZE];
        int64_t id = 0;
        int r;

        snprintf(name, sizeof(name), "c%" PRIu64, ++w->counter);
        random_pin(w, pin);
        dl_code_spec_init(&spec, name);
        spec.kind = kind;
        r = dl_store_add_code(w->store, &spec, pin, 0, &actor, &id, out, &err);
        if (r == 0) {
                code_add(w, id, name, pin, kind);
                w->ops_ok++;
        } else if (!crash_vfs_crashed() && r != -EEXIST && r != -ENOSPC)
                violation(w, "add %s failed without a power cut: %s", name, dl_error_message(&err, r));
        return !crash_vfs_crashed();
}

static bool op_remove(struct world *w, struct mcode *c) {
        struct dl_error err = {};
        int r = dl_store_remove_code(w->store, c->id, &actor, &err);

        if (r == 0) {
                w->ops_ok++;
                code_forget(w, c);
        } else if (crash_vfs_crashed())
                c->st = M_MAYBE_GONE;
        else
                violation(w, "remove %" PRId64 " failed without a power cut: %s", c->id,
                          dl_error_message(&err, r));
        return !crash_vfs_crashed();
}

static bool op_rename(struct world *w, struct mcode *c) {
        struct dl_error err = {};
        struct dl_code got;
        char name[24];
        int r;

        r = dl_store_get_code(w->store, c->id, &got, &err);
        if (r < 0) {
                if (!crash_vfs_crashed())
                        violation(w, "get %" PRId64 " failed without a power cut: %s", c->id,
                                  dl_error_message(&err, r));
                return !crash_vfs_crashed();
        }
        snprintf(name, sizeof(name), "r%" PRIu64, ++w->counter);
        assert_int_equal(dl_code_spec_set_name(&got.spec, name), 0);
        r = dl_store_update_code(w->store, c->id, &got.spec, &actor, &err);
        if (r == 0) {
                w->ops_ok++;
                snprintf(c->name, sizeof(c->name), "%s", name);
        } else if (crash_vfs_crashed())
                snprintf(c->alt, sizeof(c->alt), "%s", name);
        else
                violation(w, "rename %" PRId64 " failed without a power cut: %s", c->id,
                          dl_error_message(&err, r));
        return !crash_vfs_crashed();
}

/* Enter a code that must open; returns the decision in *granted. */
static int enter(struct world *w, const char *entry, const char *what, bool *granted) {
        struct dl_decision d;
        struct dl_error err = {};
        int r = dl_store_verify(w->store, entry, DL_SOURCE_KEYPAD, &d, &err);

        *granted = false;
        if (r < 0) {
                if (!crash_vfs_crashed())
                        violation(w, "entering %s failed without a power cut: %s", what,
                                  dl_error_message(&err, r));
                return r;
        }
        /* An emergency code may be past its issuer's quota (16 in any 4
         * hours); most_uses_in_4_hours() checks the bound from the other
         * side, on what was stored. */
        if (d.emergency && d.reason == DL_REASON_EMERGENCY_QUOTA)
                w->ec_quota_refusals++;
        else if (!d.granted)
                violation(w, "%s was refused (%s) before it was ever used", what,
                          dl_reason_to_string(d.reason));
        *granted = d.granted;
        w->ops_ok++;
        return 0;
}

static bool op_use_one_time(struct world *w, struct mcode *c) {
        char what[64];
        bool granted;

        snprintf(what, sizeof(what), "one-time code %" PRId64, c->id);
        if (enter(w, c->pin, what, &granted) < 0)
                c->maybe_used = true;
        else if (granted) {
                c->used = true;
                grant_add(w, c->pin, what);
        }
        return !crash_vfs_crashed();
}

static bool op_use_plain(struct world *w, struct mcode *c) {
        char what[64];
        bool granted;

        snprintf(what, sizeof(what), "code %" PRId64, c->id);
        (void)enter(w, c->pin, what, &granted);
        return !crash_vfs_crashed();
}

static bool op_add_issuer(struct world *w) {
        struct dl_error err = {};
        char name[24], uri[DL_EC_URI_MAX];
        uint32_t id;
        int r;

        if (w->n_issuers >= 48) {
                /* Make room: the oldest issuer goes (its codes with it). */
                r = dl_store_ec_remove_issuer(w->store, w->issuers[0].id, &actor, &err);
                if (r < 0) {
                        if (!crash_vfs_crashed())
                                violation(w, "removing issuer %" PRIu32 " failed without a power cut: %s",
                                          w->issuers[0].id, dl_error_message(&err, r));
                        return !crash_vfs_crashed();
                }
                memmove(&w->issuers[0], &w->issuers[1], (w->n_issuers - 1) * sizeof(w->issuers[0]));
                w->n_issuers--;
        }
        snprintf(name, sizeof(name), "phone%" PRIu64, ++w->counter);
        r = dl_store_ec_add_issuer(w->store, name, &actor, &id, uri, &err);
        if (r < 0) {
                if (!crash_vfs_crashed())
                        violation(w, "adding issuer %s failed without a power cut: %s", name,
                                  dl_error_message(&err, r));
                return !crash_vfs_crashed();
        }
        struct issuer *is = &w->issuers[w->n_issuers++];
        *is = (struct issuer){ .window = -1 };
        assert_int_equal(dl_ec_uri_parse(uri, &is->id, is->secret, NULL, 0), 0);
        assert_int_equal(is->id, id);
        w->ops_ok++;
        return true;
}

static bool op_use_emergency(struct world *w) {
        int64_t window = dl_ec_window(w->clock.now);
        struct issuer *is = NULL;
        char code[DL_EC_DIGITS + 1], what[64];
        unsigned slot, bit;
        bool granted;

        for (size_t i = 0; i < w->n_issuers && !is; i++) {
                if (w->issuers[i].window != window) {
                        w->issuers[i].used =
                                w->issuers[i].window == window - 1 ? w->issuers[i].used << 16 : 0;
                        w->issuers[i].window = window;
                }
                if (w->issuers[i].used != 0xffffffffu)
                        is = &w->issuers[i];
        }
        if (!is)
                return op_add_issuer(w);
        for (bit = 0; is->used & (1u << bit); bit++)
                ;
        slot = bit % DL_EC_SLOTS;
        if (bit >= DL_EC_SLOTS)
                window--;
        /* Used from here on, whatever happens: an entry cut short may have
         * been committed. */
        is->used |= 1u << bit;
        assert_int_equal(dl_ec_code(is->secret, is->id, window, slot, code), 0);
        snprintf(what, sizeof(what), "emergency code of issuer %" PRIu32 " window %" PRId64 " slot %u",
                 is->id, window, slot);
        if (enter(w, code, what, &granted) == 0 && granted) {
                grant_add(w, code, what);
                w->grants[w->n_grants - 1].emergency = true;
                w->grants[w->n_grants - 1].ec_issuer = is->id;
                w->grants[w->n_grants - 1].ec_window = window;
                w->grants[w->n_grants - 1].ec_slot = slot;
        }
        return !crash_vfs_crashed();
}

static bool op_log_event(struct world *w) {
        struct dl_error err = {};
        int r = dl_store_log_event(w->store, "lock", NULL, 0, NULL, "locked", &err);

        if (r == 0)
                w->ops_ok++;
        else if (!crash_vfs_crashed())
                violation(w, "log event failed without a power cut: %s", dl_error_message(&err, r));
        return !crash_vfs_crashed();
}

static bool random_op(struct world *w) {
        unsigned live = 0;
        struct mcode *c;

        for (size_t i = 0; i < w->n_codes; i++)
                live += w->codes[i].st != M_GONE;
        fake_clock_advance(&w->clock, 1000000);
        /* Keep well below the 200-code limit: used codes go first. */
        if (live > 120 && (c = random_code(w, is_used)) != NULL)
                return op_remove(w, c);
        if (live > 150 && (c = random_code(w, is_present)) != NULL)
                return op_remove(w, c);

        switch (rng_below(12)) {
        case 0:
                return op_add(w, DL_CODE_NORMAL);
        case 1:
        case 2:
                return op_add(w, DL_CODE_ONE_TIME);
        case 3:
                c = random_code(w, is_present);
                return c ? op_remove(w, c) : true;
        case 4:
                c = random_code(w, is_present);
                return c ? op_rename(w, c) : true;
        case 5:
        case 6:
                c = random_code(w, is_fresh_one_time);
                return c ? op_use_one_time(w, c) : op_add(w, DL_CODE_ONE_TIME);
        case 7:
        case 8:
                return op_use_emergency(w);
        case 9:
                c = random_code(w, is_plain);
                return c ? op_use_plain(w, c) : op_add(w, DL_CODE_NORMAL);
        case 10:
                return op_log_event(w);
        default:
                c = random_code(w, is_used);
                return c ? op_remove(w, c) : op_log_event(w);
        }
}

/* ---- after the cut: reopen on the real VFS and check ---- */

static int adopt_cb(const struct dl_code *c, void *userdata) {
        struct world *w = userdata;

        /* Added by a call the cut interrupted: it may or may not be there;
         * from now on it is simply a code whose PIN the test does not know. */
        if (!code_find(w, c->id))
                code_add(w, c->id, c->spec.name, NULL, c->spec.kind);
        return 0;
}

static void check_codes(struct world *w) {
        struct dl_error err = {};
        struct dl_code got;

        for (size_t i = 0; i < w->n_codes;) {
                struct mcode *c = &w->codes[i];
                int r = dl_store_get_code(w->store, c->id, &got, &err);

                if (r < 0 && r != -ENOENT) {
                        violation(w, "reading code %" PRId64 ": %s", c->id, dl_error_message(&err, r));
                        i++;
                        continue;
                }
                if (c->st == M_PRESENT && r == -ENOENT) {
                        violation(w,
                                  "code %" PRId64 " ('%s'), added with success and never removed, is gone",
                                  c->id, c->name);
                        code_forget(w, c);
                        continue;
                }
                if (r == -ENOENT) { /* M_MAYBE_GONE that went */
                        code_forget(w, c);
                        continue;
                }
                if (c->st == M_PRESENT && strcmp(got.spec.name, c->name) != 0 &&
                    !(c->alt[0] && strcmp(got.spec.name, c->alt) == 0))
                        violation(w, "code %" PRId64 " is named '%s', want '%s'%s%s", c->id, got.spec.name,
                                  c->name, c->alt[0] ? " or " : "", c->alt);
                /* Settle what the cut left open. */
                c->st = M_PRESENT;
                snprintf(c->name, sizeof(c->name), "%s", got.spec.name);
                c->alt[0] = 0;
                if (c->kind == DL_CODE_ONE_TIME && c->maybe_used) {
                        c->maybe_used = false;
                        if (got.use_count > 0 && !c->used) {
                                c->used = true;
                                grant_add(w, c->pin, "one-time code used as the power went");
                        }
                }
                if (c->used && got.use_count == 0)
                        violation(w, "one-time code %" PRId64 " was granted but its use is not recorded",
                                  c->id);
                i++;
        }
        assert_int_equal(dl_store_list_codes(w->store, adopt_cb, w, &err), 0);

        /* Removals: the recent ones all (they are at the end), older ones
         * by sample. */
        for (size_t k = 0; k < w->n_gone + 64; k++) {
                size_t i;
                if (k < w->n_gone) {
                        i = w->n_gone - 1 - k;
                        if (w->gone_round[i] + 1 < w->round) {
                                k = w->n_gone - 1;
                                continue;
                        }
                } else if (w->n_gone == 0)
                        break;
                else
                        i = rng_below((unsigned)w->n_gone);
                int r = dl_store_get_code(w->store, w->gone[i], &got, &err);
                if (r != -ENOENT)
                        violation(w, "code %" PRId64 ", removed with success in round %u, is back (%d)",
                                  w->gone[i], w->gone_round[i], r);
        }
}

/* Every grant of this round and the last (at the end of the list), and a
 * sample of older ones; all = every grant. */
static void check_grants(struct world *w, bool all) {
        for (size_t k = 0; k < w->n_grants + 64; k++) {
                struct grant *g;
                struct dl_decision d;
                struct dl_error err = {};

                if (k < w->n_grants) {
                        g = &w->grants[w->n_grants - 1 - k];
                        if (!all && g->round + 1 < w->round) {
                                k = w->n_grants - 1;
                                continue;
                        }
                } else if (all || w->n_grants == 0)
                        break;
                else
                        g = &w->grants[rng_below((unsigned)w->n_grants)];
                if (!g->entry[0])
                        continue;
                int r = dl_store_check(w->store, g->entry, DL_SOURCE_KEYPAD, &d, &err);
                w->grants_checked++;
                if (r < 0)
                        violation(w, "checking %s: %s", g->what, dl_error_message(&err, r));
                else if (d.granted && g->emergency && d.emergency &&
                         (d.ec_issuer != g->ec_issuer || d.ec_window != g->ec_window ||
                          d.ec_slot != g->ec_slot))
                        /* The same 8 digits are another code valid now (1 in
                         * 10^8 per valid code): not this code used twice. */
                        w->ec_digit_collisions++;
                else if (d.granted)
                        violation(w, "%s, granted in round %u, opens again (as code %" PRId64 ", '%s')",
                                  g->what, g->round, d.code_id, d.code_name);
        }
}

static void check_after(struct world *w) {
        struct dl_error err = {};
        struct dl_audit_report rep;
        char msg[256];
        int64_t most;
        int r;

        r = dl_store_open(w->dir, &w->config, &w->clock.clock, &w->store, &err);
        if (r < 0) {
                violation(w, "the store does not open after the cut: %s", dl_error_message(&err, r));
                fail_msg("cannot go on");
        }
        check_codes(w);
        check_grants(w, false);
        r = dl_store_audit_verify(w->store, &rep, &err);
        if (r < 0)
                violation(w, "audit verify could not run: %s", dl_error_message(&err, r));
        else if (!rep.ok)
                violation(w, "audit chain: %s", rep.problem);
        w->store = dl_store_close(w->store);
        if (integrity_check(w->dir, msg, sizeof(msg)) < 0)
                violation(w, "integrity_check: %s", msg);
        most = most_uses_in_4_hours(w->dir);
        if (most < 0 || most > DL_EC_QUOTA)
                violation(w, "%" PRId64 " uses of one issuer's emergency codes within 4 hours", most);
        w->most_ec_uses = MAX(w->most_ec_uses, most);
}

static void world_init(struct world *w) {
        struct dl_error err = {};
        int r;

        *w = (struct world){};
        w->dir = state_dir_new();
        fake_clock_init(&w->clock, utc_usec(2026, 6, 1, 12, 0, 0));
        dl_store_config_init(&w->config);
        w->config.time_zone = "Europe/Berlin";
        w->config.log_max_entries = DL_LOG_MAX_ENTRIES_MIN; /* pruned every few entries */
        /* Codes refused for the emergency quota count as wrong entries; the
         * codes that must open should not meet a lockout for that. */
        w->config.lockout.attempts = 255;
        w->seed = env_ulong("DOORLOCKD_POWER_CUT_SEED", 1);
        rng_state = w->seed;
        /* The first start (keys, schema) is not what is tested here. */
        r = dl_store_open(w->dir, &w->config, &w->clock.clock, &w->store, &err);
        if (r < 0)
                fail_msg("open: %s", dl_error_message(&err, r));
        assert_true(op_add_issuer(w));
        for (int i = 0; i < 4; i++) {
                assert_true(op_add(w, DL_CODE_NORMAL));
                assert_true(op_add(w, DL_CODE_ONE_TIME));
        }
        w->store = dl_store_close(w->store);
}

static void world_free(struct world *w) {
        scratch_dir_free(w->dir);
        free(w->codes);
        free(w->gone);
        free(w->gone_round);
        free(w->grants);
}

static void power_cuts_keep_every_promise(void **state) {
        unsigned rounds = (unsigned)env_ulong("DOORLOCKD_POWER_CUTS", 200);
        uint64_t events_total = 0;
        struct world w;

        (void)state;
        world_init(&w);
        assert_int_equal(crash_vfs_install(), 0);
        for (w.round = 0; w.round < rounds; w.round++) {
                struct dl_error err = {};
                /* About 8 events per call: cuts land anywhere in ~60 calls,
                 * the open included. */
                w.crash_at = 1 + rng_below(480);
                crash_vfs_arm(w.crash_at);
                if (dl_store_open(w.dir, &w.config, &w.clock.clock, &w.store, &err) == 0) {
                        for (unsigned i = 0; i < 100 && random_op(&w); i++)
                                ;
                        w.store = dl_store_close(w.store);
                } else if (!crash_vfs_crashed())
                        violation(&w, "open on the shim failed without a cut: %s",
                                  dl_error_message(&err, -EIO));
                if (crash_vfs_crashed())
                        w.cuts++;
                else
                        w.clean_rounds++;
                events_total += crash_vfs_events();
                crash_vfs_disarm();
                crash_vfs_uninstall();
                check_after(&w);
                assert_int_equal(crash_vfs_install(), 0);
        }
        crash_vfs_uninstall();
        /* A last full pass over every grant. */
        w.round += 2;
        assert_int_equal(dl_store_open(w.dir, &w.config, &w.clock.clock, &w.store, NULL), 0);
        check_grants(&w, true);
        w.store = dl_store_close(w.store);

        printf("# power cuts: %u rounds (seed %" PRIu64 "), %u cut, %u ended before their cut point; "
               "%" PRIu64 " I/O events; %" PRIu64 " calls succeeded; %" PRIu64 " single-use codes granted, "
               "%" PRIu64 " re-checks (%" PRIu64 " matched another valid emergency code by chance); "
               "at most %" PRId64 " emergency uses of one issuer in 4 hours (%" PRIu64 " refused for the "
               "quota); %u violations\n",
               rounds, w.seed, w.cuts, w.clean_rounds, events_total, w.ops_ok, w.single_use_granted,
               w.grants_checked, w.ec_digit_collisions, w.most_ec_uses, w.ec_quota_refusals, w.violations);
        fflush(stdout);
        assert_true(w.cuts > 0);
        assert_true(w.single_use_granted > 0);
        assert_true(w.ec_quota_refusals > 0); /* the quota was reached, across cuts */
        assert_int_equal(w.violations, 0);
        world_free(&w);
}

/* ---- the shim has teeth ---- */

/* Commits through the shim with the given synchronous setting, cut at a
 * random event; returns how many commits that returned SQLITE_OK were
 * lost, over `rounds` rounds. */
static unsigned lost_commits(const char *synchronous, unsigned rounds, unsigned *committed_total) {
        char *dir = state_dir_new(), *path, sql[128];
        unsigned lost = 0;

        if (asprintf(&path, "%s/t.db", dir) < 0)
                abort();
        *committed_total = 0;
        for (unsigned round = 0; round < rounds; round++) {
                sqlite3 *db = NULL;
                int committed = 0, n = -1;

                unlink(path);
                assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
                assert_int_equal(sqlite3_exec(db,
                                              "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL;"
                                              "CREATE TABLE t(x INTEGER PRIMARY KEY)",
                                              NULL, NULL, NULL),
                                 SQLITE_OK);
                sqlite3_close(db);

                assert_int_equal(crash_vfs_install(), 0);
                crash_vfs_arm(1 + rng_below(60));
                if (sqlite3_open(path, &db) == SQLITE_OK) {
                        snprintf(sql, sizeof(sql), "PRAGMA locking_mode=EXCLUSIVE; PRAGMA synchronous=%s",
                                 synchronous);
                        if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
                                for (int i = 1; i <= 40; i++) {
                                        snprintf(sql, sizeof(sql), "INSERT INTO t VALUES(%d)", i);
                                        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
                                                break;
                                        committed = i;
                                }
                }
                sqlite3_close(db);
                crash_vfs_disarm();
                crash_vfs_uninstall();

                assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
                sqlite3_stmt *st;
                assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL), SQLITE_OK);
                if (sqlite3_step(st) == SQLITE_ROW)
                        n = sqlite3_column_int(st, 0);
                sqlite3_finalize(st);
                sqlite3_close(db);
                assert_true(n >= 0);
                if (n < committed)
                        lost += (unsigned)(committed - n);
                *committed_total += (unsigned)committed;
        }
        free(path);
        scratch_dir_free(dir);
        return lost;
}

static void shim_catches_a_wrong_synchronous(void **state) {
        unsigned off, normal, full, c_off, c_normal, c_full;

        (void)state;
        rng_state = 7;
        off = lost_commits("OFF", 40, &c_off);
        normal = lost_commits("NORMAL", 40, &c_normal);
        full = lost_commits("FULL", 40, &c_full);
        printf("# WAL commits lost to the cuts: synchronous=OFF %u of %u, NORMAL %u of %u, FULL %u of %u\n",
               off, c_off, normal, c_normal, full, c_full);
        fflush(stdout);
        /* A durable commit is never lost; a commit that was never synced is
         * caught. */
        assert_true(c_full > 0);
        assert_int_equal(full, 0);
        assert_true(off > 0);
        assert_true(normal > 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(shim_catches_a_wrong_synchronous),
                cmocka_unit_test(power_cuts_keep_every_promise),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
