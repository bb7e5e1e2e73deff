/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How fast is the decision, what does an unlock cost on disk, and how do
 * both compare with the floor measured in the same run on the same file
 * system?  Prints figures; never fails on a slow machine.
 *
 * Also times the whole keypad path of the lock service on the simulated
 * backend (from the '#' key to the actuator command), and builds the state
 * directory that bench/run starts the real daemon on (--fill).
 *
 * usage: bench-verify [--quick] [DIR]   rows for bench/run, tab-separated
 *        bench-verify --fill DIR         200 codes and a full audit log
 * (DIR default: a new directory under /var/tmp) */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/opensslv.h>

#include "audit-log.h"
#include "code-store.h"
#include "config.h"
#include "emergency-store.h"
#include "hmac.h"
#include "hw-sim.h"
#include "lock-service.h"
#include "macro.h"
#include "store-private.h"
#include "store.h"
#include "verify.h"

#define N_CODES 200
#define KEY_GAP_US 1000

static int64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b) {
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
        return x < y ? -1 : x > y;
}

static double median_us(int64_t *ns, size_t n) {
        qsort(ns, n, sizeof(*ns), cmp_i64);
        size_t mid = n / 2;

        return (double)ns[mid] / 1000.0;
}

static void die(const char *what, const struct dl_error *err, int r) {
        fprintf(stderr, "bench-verify: %s: %s\n", what, dl_error_message(err, r));
        exit(1);
}

/* 200 distinct, non-weak six-digit PINs, the same every run. */
static void pin_for(int i, char out[16]) {
        snprintf(out, 16, "%06d", 104729 + i * 4099);
}

static struct dl_store *open_store(const char *dir, bool anti_peep) {
        struct dl_store_config cfg;
        struct dl_store *s = NULL;
        struct dl_error err = {};
        int r;

        dl_store_config_init(&cfg);
        cfg.anti_peep = anti_peep;
        cfg.time_zone = "UTC";
        r = dl_store_open(dir, &cfg, &dl_clock_system, &s, &err);
        if (r < 0)
                die("open", &err, r);
        return s;
}

static void fill(struct dl_store *s) {
        for (int i = 0; i < N_CODES - 1; i++) {
                struct dl_code_spec spec;
                struct dl_error err = {};
                char name[32], pin[16];
                int r;

                snprintf(name, sizeof(name), "Code %03d", i);
                pin_for(i, pin);
                dl_code_spec_init(&spec, name);
                if (i % 4 == 0) { /* some with windows, as real tables have */
                        spec.n_windows = 1;
                        spec.windows[0] = (struct dl_window){ .days = DL_ALL_DAYS, .start = 0, .end = 1440 };
                }
                r = dl_store_add_code(s, &spec, pin, 0, NULL, NULL, NULL, &err);
                if (r < 0)
                        die("add", &err, r);
        }
}

struct row {
        const char *what;
        double value;
        const char *unit;
        const char *floor_name;
        double floor;
        const char *goal;
};

/* One row per line for bench/run, tab-separated:
 * "row", item, measure, value, unit, floor name, floor, goal. */
static void print_rows(const struct row *rows, size_t n, int item) {
        for (size_t i = 0; i < n; i++)
                printf("row\t%d\t%s\t%.2f\t%s\t%s\t%.2f\t%s\n", item, rows[i].what, rows[i].value,
                       rows[i].unit, rows[i].floor_name, rows[i].floor, rows[i].goal);
        fflush(stdout);
}

/* ---- floors ---- */

static double floor_hmac(size_t n) {
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *k = NULL;
        uint8_t key[DL_KEY_SIZE] = { 1, 2, 3 }, mac[DL_MAC_SIZE];
        struct dl_hmac_part part = { "493817", 6 };
        int64_t *t = calloc(n, sizeof(*t));

        if (!t || dl_hmac_key_new(key, &k) < 0)
                exit(1);
        for (size_t i = 0; i < n; i++) {
                int64_t a = now_ns();
                (void)dl_hmac(k, &part, 1, mac);
                t[i] = now_ns() - a;
        }
        double m = median_us(t, n);
        free(t);
        return m;
}

/* One small transaction (an UPDATE of one row) in WAL mode.  idle_us > 0:
 * sleep that long before each one, as the keypad path sleeps between keys
 * (a commit after a sleep costs more than one in a hot loop: cold caches,
 * an idle CPU to wake). */
static double floor_commit(const char *dir, const char *sync, size_t n, unsigned idle_us) {
        char path[4096];
        sqlite3 *db;
        int64_t *t = calloc(n, sizeof(*t));

        snprintf(path, sizeof(path), "%s/floor-%s.db", dir, sync);
        if (!t || sqlite3_open(path, &db) != SQLITE_OK)
                exit(1);
        char sql[128];
        snprintf(sql, sizeof(sql), "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s", sync);
        sqlite3_exec(db, sql, NULL, NULL, NULL);
        sqlite3_exec(db,
                     "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v INTEGER); "
                     "INSERT OR REPLACE INTO t VALUES (1, 0)",
                     NULL, NULL, NULL);
        for (size_t i = 0; i < n; i++) {
                if (idle_us > 0)
                        usleep(idle_us);
                int64_t a = now_ns();
                sqlite3_exec(db, "BEGIN IMMEDIATE; UPDATE t SET v = v + 1 WHERE id = 1; COMMIT", NULL, NULL,
                             NULL);
                t[i] = now_ns() - a;
        }
        sqlite3_close(db);
        unlink(path);
        for (const char *suffix = "-wal"; suffix; suffix = strcmp(suffix, "-wal") == 0 ? "-shm" : NULL) {
                char extra[4200];

                snprintf(extra, sizeof(extra), "%s%s", path, suffix);
                unlink(extra);
        }
        double m = median_us(t, n);
        free(t);
        return m;
}

/* ---- the decision ---- */

static double time_check(struct dl_store *s, const char *entry, size_t n, bool expect) {
        int64_t *t = calloc(n, sizeof(*t));
        struct dl_decision d;
        struct dl_error err = {};
        int r;

        if (!t)
                exit(1);
        for (size_t i = 0; i < n; i++) {
                int64_t a = now_ns();
                r = dl_store_check(s, entry, DL_SOURCE_KEYPAD, &d, &err);
                t[i] = now_ns() - a;
                if (r < 0)
                        die("check", &err, r);
                if (d.granted != expect)
                        die("check: unexpected decision", NULL, -EINVAL);
        }
        double m = median_us(t, n);
        free(t);
        return m;
}

/* One check on empty caches (the first entry of a window). */
static double time_check_once(struct dl_store *s, const char *entry, bool expect) {
        struct dl_decision d;
        struct dl_error err = {};
        int64_t a = now_ns();
        int r = dl_store_check(s, entry, DL_SOURCE_KEYPAD, &d, &err);
        int64_t t = now_ns() - a;

        if (r < 0)
                die("check", &err, r);
        if (d.granted != expect)
                die("check: unexpected decision", NULL, -EINVAL);
        return (double)t / 1000.0;
}

static double time_verify_normal(struct dl_store *s, const char *pin, size_t n) {
        int64_t *t = calloc(n, sizeof(*t));
        struct dl_decision d;
        struct dl_error err = {};
        int r;

        for (size_t i = 0; i < n; i++) {
                int64_t a = now_ns();
                r = dl_store_verify(s, pin, DL_SOURCE_KEYPAD, &d, &err);
                t[i] = now_ns() - a;
                if (r < 0 || !d.granted)
                        die("verify", &err, r < 0 ? r : -EACCES);
        }
        double m = median_us(t, n);
        free(t);
        return m;
}

static int64_t add_one_time(struct dl_store *s, const char *pin) {
        struct dl_code_spec spec;
        struct dl_error err = {};
        int64_t id;
        int r;

        dl_code_spec_init(&spec, "Bench one-time");
        spec.kind = DL_CODE_ONE_TIME;
        r = dl_store_add_code(s, &spec, pin, 0, NULL, &id, NULL, &err);
        if (r < 0)
                die("add one-time", &err, r);
        return id;
}

static double time_verify_one_time(struct dl_store *s, size_t n) {
        int64_t *t = calloc(n, sizeof(*t));
        struct dl_decision d;
        struct dl_error err = {};
        int r;

        for (size_t i = 0; i < n; i++) {
                int64_t id = add_one_time(s, "750318");
                int64_t a = now_ns();
                r = dl_store_verify(s, "750318", DL_SOURCE_KEYPAD, &d, &err);
                t[i] = now_ns() - a;
                if (r < 0 || !d.granted)
                        die("verify one-time", &err, r < 0 ? r : -EACCES);
                (void)dl_store_remove_code(s, id, NULL, NULL);
        }
        double m = median_us(t, n);
        free(t);
        return m;
}

/* ---- pages written per unlock: read the WAL frames one commit adds ---- */

struct page_tally {
        unsigned frames;
        char names[64][48];
        unsigned counts[64];
        size_t n_names;
};

static void checkpoint(sqlite3 *raw) {
        if (sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK) {
                fprintf(stderr, "bench-verify: checkpoint: %s\n", sqlite3_errmsg(raw));
                exit(1);
        }
}

static void tally_wal(const char *dir, sqlite3 *raw, struct page_tally *tally) {
        char path[4096];
        uint8_t hdr[32], fh[24];
        uint32_t page_size;
        int fd;

        snprintf(path, sizeof(path), "%s/doorlockd.db-wal", dir);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr)) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        page_size = (uint32_t)hdr[8] << 24 | (uint32_t)hdr[9] << 16 | (uint32_t)hdr[10] << 8 | hdr[11];
        for (off_t off = 32;; off += 24 + page_size) {
                sqlite3_stmt *st;
                uint32_t pgno;
                const char *name = "(free or header)";

                if (pread(fd, fh, sizeof(fh), off) != (ssize_t)sizeof(fh))
                        break;
                pgno = (uint32_t)fh[0] << 24 | (uint32_t)fh[1] << 16 | (uint32_t)fh[2] << 8 | fh[3];
                tally->frames++;
                if (pgno == 1)
                        name = "(database header page 1)";
                if (sqlite3_prepare_v2(raw, "SELECT name FROM dbstat WHERE pageno = ?1", -1, &st, NULL) ==
                    SQLITE_OK) {
                        sqlite3_bind_int64(st, 1, pgno);
                        if (sqlite3_step(st) == SQLITE_ROW && pgno != 1)
                                name = (const char *)sqlite3_column_text(st, 0);
                        size_t i;
                        for (i = 0; i < tally->n_names; i++)
                                if (strcmp(tally->names[i], name) == 0)
                                        break;
                        if (i == tally->n_names && i < ELEMENTSOF(tally->names)) {
                                snprintf(tally->names[i], sizeof(tally->names[i]), "%s", name);
                                tally->n_names++;
                        }
                        if (i < ELEMENTSOF(tally->names))
                                tally->counts[i]++;
                        sqlite3_finalize(st);
                }
        }
        close(fd);
}

/* The store holds its database exclusively, so the checkpoint and the page
 * lookups go through its own connection. */
static void pages_per_unlock(const char *dir, struct dl_store *s, bool one_time, unsigned rounds) {
        struct page_tally tally = {};
        sqlite3 *raw = s->db.sql;
        for (unsigned i = 0; i < rounds; i++) {
                struct dl_decision d;
                int64_t id = 0;

                if (one_time)
                        id = add_one_time(s, "750318");
                checkpoint(raw);
                if (dl_store_verify(s, one_time ? "750318" : "104729", DL_SOURCE_KEYPAD, &d, NULL) < 0 ||
                    !d.granted)
                        exit(1);
                tally_wal(dir, raw, &tally);
                if (one_time)
                        (void)dl_store_remove_code(s, id, NULL, NULL);
        }

        /* Floor: one page.  The breakdown follows as "pages" lines. */
        printf("row\t3\tpages written per %s unlock (WAL frames, %u unlocks)\t%.2f\tpages\tone "
               "page\t1\t%s\n",
               one_time ? "one-time" : "normal", rounds, (double)tally.frames / rounds,
               one_time ? "" : "<= 3");
        for (size_t i = 0; i < tally.n_names; i++)
                printf("pages\t%s\t%s\t%.2f\n", one_time ? "one-time" : "normal", tally.names[i],
                       (double)tally.counts[i] / rounds);
        fflush(stdout);
}

/* ---- keypad '#' to actuator command, through the lock service ---- */

/* Sits between the simulated backend and the service: notes when the '#'
 * key reaches the service and when the service commands the actuator. */
struct svc_bench {
        struct dl_hw hw; /* first: the service's backend is this wrapper */
        struct dl_hw *sim_hw;
        struct dl_service *service;
        int64_t t_hash, t_drive;
        bool driven;
};

static void wrap_key(void *userdata, char key) {
        struct svc_bench *b = userdata;

        if (key == '#')
                b->t_hash = now_ns();
        dl_service_hw_events.key(b->service, key);
}

static void wrap_bolt(void *userdata, enum dl_bolt_position bolt) {
        struct svc_bench *b = userdata;

        dl_service_hw_events.bolt(b->service, bolt);
}

static void wrap_door(void *userdata, enum dl_door_state door) {
        struct svc_bench *b = userdata;

        dl_service_hw_events.door(b->service, door);
}

static const struct dl_hw_events wrap_events = {
        .key = wrap_key,
        .bolt = wrap_bolt,
        .door = wrap_door,
};

static void wrap_drive(struct dl_hw *hw, bool unlock) {
        struct svc_bench *b = (struct svc_bench *)hw;

        if (unlock && !b->driven) {
                b->t_drive = now_ns();
                b->driven = true;
        }
        b->sim_hw->ops->drive(b->sim_hw, unlock);
}

static void wrap_report(struct dl_hw *hw) {
        struct svc_bench *b = (struct svc_bench *)hw;

        b->sim_hw->ops->report(b->sim_hw);
}

static void wrap_free(struct dl_hw *hw) {
        (void)hw;
}

static const struct dl_hw_ops wrap_ops = {
        .drive = wrap_drive,
        .report = wrap_report,
        .free = wrap_free,
};

static void run_until_state(sd_event *event, struct dl_service *service, enum dl_lock_state want) {
        while (dl_service_state(service) != want)
                if (sd_event_run(event, UINT64_MAX) < 0)
                        die("event loop", NULL, -EIO);
}

/* Type the PIN and '#' on the simulated keypad (keys arrive from the
 * backend's timers, as in the daemon), time '#' to the unlock command, then
 * wait for the auto-relock (not timed). */
static void time_keypad_unlocks(const char *dir, size_t n, double *ret_normal, double *ret_one_time,
                                double *ret_cycle_normal, double *ret_cycle_one_time) {
        struct dl_daemon_config config;
        struct svc_bench b = { .hw = { .ops = &wrap_ops } };
        struct dl_store *store = NULL;
        struct dl_hw_sim *sim = NULL;
        sd_event *event = NULL;
        struct dl_error err = {};
        int64_t *t = calloc(n, sizeof(*t)), *cycle = calloc(n, sizeof(*cycle));
        int r;

        dl_daemon_config_init(&config);
        config.store.time_zone = "UTC";
        config.lock.relock_usec = 1000; /* relock 1 ms after reaching unlocked */
        r = dl_store_open(dir, &config.store, &dl_clock_system, &store, &err);
        if (r < 0)
                die("open", &err, r);
        if (!t || !cycle || sd_event_new(&event) < 0)
                die("event", NULL, -ENOMEM);
        /* Keys 1 ms apart: the loop sleeps before the '#' as before a
         * commit of the idle floors. */
        r = dl_hw_sim_new(event, 0, KEY_GAP_US, &wrap_events, &b, &sim);
        if (r < 0)
                die("hw-sim", NULL, r);
        b.sim_hw = dl_hw_sim_hw(sim);
        r = dl_service_new(event, &config, store, &dl_service_events_none, NULL, &b.service);
        if (r < 0)
                die("service", NULL, r);
        dl_service_attach_hw(b.service, &b.hw);
        run_until_state(event, b.service, DL_LOCK_LOCKED);

        for (int kind = 0; kind < 2; kind++) {
                for (size_t i = 0; i < n; i++) {
                        int64_t id = 0;

                        if (kind == 1)
                                id = add_one_time(store, "750318");
                        b.driven = false;
                        r = dl_hw_sim_press_keys(sim, kind == 1 ? "750318#" : "104729#");
                        if (r < 0)
                                die("press keys", NULL, r);
                        while (!b.driven)
                                if (sd_event_run(event, UINT64_MAX) < 0)
                                        die("event loop", NULL, -EIO);
                        t[i] = b.t_drive - b.t_hash;
                        /* The auto-relock, as at a real door (not logged:
                         * a locking by hand would add a durable commit). */
                        run_until_state(event, b.service, DL_LOCK_UNLOCKED);
                        run_until_state(event, b.service, DL_LOCK_LOCKED);
                        /* ... and the loop done with it (the entries of
                         * the relock are written after it). */
                        while (sd_event_run(event, 0) > 0)
                                ;
                        cycle[i] = now_ns() - b.t_hash;
                        if (kind == 1)
                                (void)dl_store_remove_code(store, id, NULL, NULL);
                }
                *(kind == 0 ? ret_normal : ret_one_time) = median_us(t, n);
                *(kind == 0 ? ret_cycle_normal : ret_cycle_one_time) = median_us(cycle, n);
        }
        dl_service_free(b.service);
        dl_hw_free(b.sim_hw);
        sd_event_unref(event);
        dl_store_close(store);
        dl_daemon_config_done(&config);
        free(t);
        free(cycle);
}

/* ---- --fill: the state the real daemon is measured on ---- */

/* 200 codes (PIN of code i: pin_for(i), "104729" first) and a full audit
 * log (the default 10,000 entries), with the daemon's default settings. */
static int fill_state(const char *dir) {
        const struct dl_actor actor = { DL_SOURCE_KEYPAD, NULL };
        struct dl_daemon_config config;
        struct dl_store *s = NULL;
        struct dl_error err = {};
        int64_t first = 0, last = 0;
        int r;

        dl_daemon_config_init(&config);
        r = dl_store_open(dir, &config.store, &dl_clock_system, &s, &err);
        if (r < 0)
                die("open", &err, r);
        for (int i = 0; i < N_CODES; i++) {
                struct dl_code_spec spec;
                char name[32], pin[16];

                snprintf(name, sizeof(name), "Code %03d", i);
                pin_for(i, pin);
                dl_code_spec_init(&spec, name);
                if (i % 4 == 0) {
                        spec.n_windows = 1;
                        spec.windows[0] = (struct dl_window){ .days = DL_ALL_DAYS, .start = 0, .end = 1440 };
                }
                r = dl_store_add_code(s, &spec, pin, 0, NULL, NULL, NULL, &err);
                if (r < 0)
                        die("add", &err, r);
        }
        /* Up to the bound exactly: one more append and the log is pruned. */
        (void)dl_store_audit_range(s, &first, &last, NULL);
        for (int64_t i = last - first + 1; i < (int64_t)config.store.log_max_entries; i++) {
                r = dl_store_log_event(s, DL_EVENT_ACCESS_GRANTED, &actor, 1, "Code 000", NULL, &err);
                if (r < 0)
                        die("log", &err, r);
        }
        (void)dl_store_audit_range(s, &first, &last, NULL);
        printf("filled %s: %d codes, %" PRId64 " audit entries\n", dir, N_CODES, last - first + 1);
        dl_store_close(s);
        dl_daemon_config_done(&config);
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

int main(int argc, char **argv) {
        char tmpl[] = "/var/tmp/doorlockd-bench.XXXXXX";
        const char *dir = NULL;
        bool quick = false, keep;
        struct dl_store *s;
        char antipeep[32];
        struct row rows[24];
        size_t n = 0;
        double hmac, normal_floor, full_floor, normal_idle, full_idle, kp_normal = 0, kp_one_time = 0;
        double kp_cycle_normal = 0, kp_cycle_one_time = 0;
        /* Iterations: the full run, or --quick (a smoke run). */
        size_t n_fast, n_normal, n_full;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--fill") == 0 && i + 1 < argc)
                        return fill_state(argv[i + 1]);
                if (strcmp(argv[i], "--quick") == 0)
                        quick = true;
                else if (argv[i][0] != '-' && !dir)
                        dir = argv[i];
                else {
                        /* Never take an option or a second word for the state directory. */
                        fprintf(stderr, "usage: bench-verify [--quick] [DIR] | --fill DIR\n");
                        return strcmp(argv[i], "--help") == 0 ? 0 : 2;
                }
        }
        keep = dir != NULL;
        if (!dir)
                dir = mkdtemp(tmpl);
        if (!dir) {
                perror("mkdtemp");
                return 1;
        }
        n_fast = quick ? 2000 : 20000;
        n_normal = quick ? 200 : 2000;
        n_full = quick ? 50 : 300;
        printf("info\tstate directory %s, %d codes, SQLite %s, %s\n", dir, N_CODES, sqlite3_libversion(),
               OPENSSL_VERSION_TEXT);

        s = open_store(dir, false);
        fill(s);

        hmac = floor_hmac(n_fast);
        rows[n++] = (struct row){ "decision, plain 6-digit entry, 200 codes",
                                  time_check(s, "104729", n_fast, true),
                                  "us",
                                  "one HMAC-SHA256 of a PIN",
                                  hmac,
                                  "<= 5x" };
        rows[n++] = (struct row){ "decision, wrong 6-digit entry, 200 codes",
                                  time_check(s, "000001", n_fast, false),
                                  "us",
                                  "one HMAC-SHA256 of a PIN",
                                  hmac,
                                  "" };
        dl_store_close(s);

        s = open_store(dir, true);
        snprintf(antipeep, sizeof(antipeep), "8420%s905617", "104729");
        rows[n++] = (struct row){ "decision, 16-digit anti-peep entry (45 MACs)",
                                  time_check(s, antipeep, n_fast / 4, true),
                                  "us",
                                  "one HMAC-SHA256 of a PIN",
                                  hmac,
                                  "" };
        dl_store_close(s);

        /* Emergency codes: an 8-digit entry no PIN matches is compared with
         * every issuer's codes for the accepted windows (2-4 windows of 16
         * slots).  Codes are cached per window, so the first entry of a
         * window pays the HMACs ("cold") and the rest compare ("warm"). */
        s = open_store(dir, false);
        {
                char code[DL_EC_DIGITS + 1], uri[DL_EC_URI_MAX], name[32];
                double cold1, warm1, cold10, warm10;

                if (dl_store_ec_generate(s, NULL, code, NULL, NULL, NULL) < 0)
                        die("generate", NULL, -EIO);
                cold1 = time_check_once(s, code, true);
                warm1 = time_check(s, code, n_fast, true);
                for (int i = 1; i < 10; i++) {
                        snprintf(name, sizeof(name), "Phone %d", i);
                        if (dl_store_ec_add_issuer(s, name, NULL, NULL, uri, NULL) < 0)
                                die("add issuer", NULL, -EIO);
                }
                dl_store_close(s);
                s = open_store(dir, false); /* empty caches */
                cold10 = time_check_once(s, code, true);
                warm10 = time_check(s, code, n_fast, true);
                rows[n++] = (struct row){ "decision, 8-digit emergency, 1 issuer, cold (once)",
                                          cold1,
                                          "us",
                                          "one HMAC-SHA256 of a PIN",
                                          hmac,
                                          "" };
                rows[n++] = (struct row){ "decision, 8-digit emergency, 1 issuer, warm",
                                          warm1,
                                          "us",
                                          "one HMAC-SHA256 of a PIN",
                                          hmac,
                                          "" };
                rows[n++] = (struct row){ "decision, 8-digit emergency, 10 issuers, cold (once)",
                                          cold10,
                                          "us",
                                          "one HMAC-SHA256 of a PIN",
                                          hmac,
                                          "" };
                rows[n++] = (struct row){ "decision, 8-digit emergency, 10 issuers, warm",
                                          warm10,
                                          "us",
                                          "one HMAC-SHA256 of a PIN",
                                          hmac,
                                          "" };
        }
        print_rows(rows, n, 1);
        n = 0;

        normal_floor = floor_commit(dir, "NORMAL", n_normal, 0);
        full_floor = floor_commit(dir, "FULL", n_full, 0);
        normal_idle = floor_commit(dir, "NORMAL", n_full, KEY_GAP_US);
        full_idle = floor_commit(dir, "FULL", n_full, KEY_GAP_US);
        rows[n++] = (struct row){ "store only: dl_store_verify(), normal code",
                                  time_verify_normal(s, "104729", n_normal),
                                  "us",
                                  "one SQLite commit, sync NORMAL",
                                  normal_floor,
                                  "" };
        rows[n++] = (struct row){ "store only: dl_store_verify(), one-time code",
                                  time_verify_one_time(s, n_full),
                                  "us",
                                  "one SQLite commit, sync FULL",
                                  full_floor,
                                  "" };
        dl_store_close(s);
        time_keypad_unlocks(dir, n_full, &kp_normal, &kp_one_time, &kp_cycle_normal, &kp_cycle_one_time);
        rows[n++] = (struct row){ "keypad '#' to actuator command, normal code",
                                  kp_normal,
                                  "us",
                                  "one SQLite commit, sync NORMAL",
                                  normal_floor,
                                  "<= 2x" };
        rows[n++] = (struct row){ "keypad '#' to actuator command, normal code",
                                  kp_normal,
                                  "us",
                                  "the same, 1 ms after a sleep",
                                  normal_idle,
                                  "<= 2x" };
        rows[n++] = (struct row){ "keypad '#' to actuator command, one-time code",
                                  kp_one_time,
                                  "us",
                                  "one SQLite commit, sync FULL",
                                  full_floor,
                                  "<= 1.5x" };
        rows[n++] = (struct row){ "keypad '#' to actuator command, one-time code",
                                  kp_one_time,
                                  "us",
                                  "the same, 1 ms after a sleep",
                                  full_idle,
                                  "<= 1.5x" };
        rows[n++] = (struct row){ "keypad '#' to relocked and idle, normal code (relock 1 ms)",
                                  kp_cycle_normal,
                                  "us",
                                  "one SQLite commit, sync NORMAL",
                                  normal_floor,
                                  "" };
        rows[n++] = (struct row){ "keypad '#' to relocked and idle, one-time code (relock 1 ms)",
                                  kp_cycle_one_time,
                                  "us",
                                  "one SQLite commit, sync FULL",
                                  full_floor,
                                  "" };
        print_rows(rows, n, 2);

        s = open_store(dir, false);
        pages_per_unlock(dir, s, false, 50);
        pages_per_unlock(dir, s, true, 50);
        dl_store_close(s);

        if (!keep && nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS) < 0)
                fprintf(stderr, "bench-verify: could not remove %s\n", dir);
        return 0;
}
