/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock service on the simulated backend, in process: the story a
 * keypad unlock leaves in the log, and what it costs on disk.  A SQLite VFS
 * shim counts xSync calls (fsyncs), so the test sees that the grant's FULL
 * commit happens before the bolt moves and that the new log entries add
 * no FULL commit. */
#include "test-util.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>

#include "audit-log.h"
#include "code-store.h"
#include "config.h"
#include "hw-sim.h"
#include "lock-service.h"
#include "macro.h"

/* ---- a VFS that counts syncs ---- */

static sqlite3_vfs *real_vfs;
static unsigned n_syncs;
static uint64_t n_written; /* bytes passed to xWrite */

struct count_file {
        sqlite3_file base;
        sqlite3_file *real; /* follows this struct */
};

#define REAL(f) (((struct count_file *)(f))->real)

static int c_close(sqlite3_file *f) {
        return REAL(f)->pMethods->xClose(REAL(f));
}
static int c_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off) {
        return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}
static int c_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off) {
        n_written += (uint64_t)n;
        return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}
static int c_truncate(sqlite3_file *f, sqlite3_int64 size) {
        return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int c_sync(sqlite3_file *f, int flags) {
        n_syncs++;
        return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int c_size(sqlite3_file *f, sqlite3_int64 *size) {
        return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int c_lock(sqlite3_file *f, int l) {
        return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int c_unlock(sqlite3_file *f, int l) {
        return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int c_check(sqlite3_file *f, int *out) {
        return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int c_fctl(sqlite3_file *f, int op, void *arg) {
        return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int c_sector(sqlite3_file *f) {
        return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int c_chars(sqlite3_file *f) {
        return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static const sqlite3_io_methods count_io = {
        .iVersion = 1,
        .xClose = c_close,
        .xRead = c_read,
        .xWrite = c_write,
        .xTruncate = c_truncate,
        .xSync = c_sync,
        .xFileSize = c_size,
        .xLock = c_lock,
        .xUnlock = c_unlock,
        .xCheckReservedLock = c_check,
        .xFileControl = c_fctl,
        .xSectorSize = c_sector,
        .xDeviceCharacteristics = c_chars,
};

static int c_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags) {
        struct count_file *cf = (struct count_file *)f;
        int rc;

        (void)vfs;
        cf->real = (sqlite3_file *)(cf + 1);
        rc = real_vfs->xOpen(real_vfs, name, cf->real, flags, out_flags);
        /* Only version-1 methods: the WAL index lives in memory (exclusive
         * locking mode), so no shared memory is needed. */
        cf->base.pMethods = rc == SQLITE_OK ? &count_io : NULL;
        return rc;
}
static int c_delete(sqlite3_vfs *vfs, const char *name, int sync_dir) {
        (void)vfs;
        return real_vfs->xDelete(real_vfs, name, sync_dir);
}
static int c_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
        (void)vfs;
        return real_vfs->xAccess(real_vfs, name, flags, out);
}
static int c_full(sqlite3_vfs *vfs, const char *name, int n, char *out) {
        (void)vfs;
        return real_vfs->xFullPathname(real_vfs, name, n, out);
}
static int c_random(sqlite3_vfs *vfs, int n, char *out) {
        (void)vfs;
        return real_vfs->xRandomness(real_vfs, n, out);
}
static int c_sleep(sqlite3_vfs *vfs, int us) {
        (void)vfs;
        return real_vfs->xSleep(real_vfs, us);
}
static int c_time(sqlite3_vfs *vfs, double *out) {
        (void)vfs;
        return real_vfs->xCurrentTime(real_vfs, out);
}
static int c_error(sqlite3_vfs *vfs, int n, char *out) {
        (void)vfs;
        return real_vfs->xGetLastError(real_vfs, n, out);
}

static sqlite3_vfs count_vfs = {
        .iVersion = 1,
        .zName = "count-syncs",
        .xOpen = c_open,
        .xDelete = c_delete,
        .xAccess = c_access,
        .xFullPathname = c_full,
        .xRandomness = c_random,
        .xSleep = c_sleep,
        .xCurrentTime = c_time,
        .xGetLastError = c_error,
};

static void count_vfs_install(void) {
        real_vfs = sqlite3_vfs_find(NULL);
        assert_non_null(real_vfs);
        count_vfs.szOsFile = (int)sizeof(struct count_file) + real_vfs->szOsFile;
        count_vfs.mxPathname = real_vfs->mxPathname;
        assert_int_equal(sqlite3_vfs_register(&count_vfs, 1), SQLITE_OK);
}

/* ---- the service on hw-sim ---- */

struct rig {
        char *dir;
        struct dl_daemon_config config;
        struct dl_store *store;
        sd_event *event;
        struct dl_hw_sim *sim;
        struct dl_hw hw; /* wraps the simulator's, to see the drive */
        struct dl_hw *sim_hw;
        struct dl_service *service;
        unsigned syncs_at_drive;
        bool driven;
        /* What the faces were told (rec_events). */
        unsigned n_granted, n_denied, n_net_locked_until, n_keypad_locked_until;
        enum dl_source granted_source, denied_source;
        int64_t granted_id;
        char granted_name[64], denied_reason[32], alarm_kind[32], alarm_detail[96];
};

static void rec_granted(void *u, enum dl_source source, int64_t id, const char *name) {
        struct rig *r = u;

        r->n_granted++;
        r->granted_source = source;
        r->granted_id = id;
        snprintf(r->granted_name, sizeof(r->granted_name), "%s", name);
}
static void rec_denied(void *u, enum dl_source source, const char *reason) {
        struct rig *r = u;

        r->n_denied++;
        r->denied_source = source;
        snprintf(r->denied_reason, sizeof(r->denied_reason), "%s", reason);
}
static void rec_alarm(void *u, const char *kind, const char *detail) {
        struct rig *r = u;

        snprintf(r->alarm_kind, sizeof(r->alarm_kind), "%s", kind);
        snprintf(r->alarm_detail, sizeof(r->alarm_detail), "%s", detail);
}
static void rec_property(void *u, const char *property) {
        struct rig *r = u;

        if (strcmp(property, "NetworkLockedUntil") == 0)
                r->n_net_locked_until++;
        if (strcmp(property, "KeypadLockedUntil") == 0)
                r->n_keypad_locked_until++;
}
static struct dl_service_events rec_events;

static struct rig *the_rig;

static void wrap_drive(struct dl_hw *hw, bool unlock) {
        (void)hw;
        if (unlock && !the_rig->driven) {
                the_rig->syncs_at_drive = n_syncs;
                the_rig->driven = true;
        }
        the_rig->sim_hw->ops->drive(the_rig->sim_hw, unlock);
}
static void wrap_report(struct dl_hw *hw) {
        (void)hw;
        the_rig->sim_hw->ops->report(the_rig->sim_hw);
}
static void wrap_free(struct dl_hw *hw) {
        (void)hw;
}
static unsigned n_stops;
static void wrap_stop(struct dl_hw *hw) {
        (void)hw;
        n_stops++;
        the_rig->sim_hw->ops->stop(the_rig->sim_hw);
}
static void wrap_signal(struct dl_hw *hw, enum dl_hw_signal signal) {
        (void)hw;
        the_rig->sim_hw->ops->signal(the_rig->sim_hw, signal);
}
static const struct dl_hw_ops wrap_ops = { .drive = wrap_drive,
                                           .stop = wrap_stop,
                                           .report = wrap_report,
                                           .signal = wrap_signal,
                                           .free = wrap_free };

static void run_until_state(struct rig *r, enum dl_lock_state want) {
        while (dl_service_state(r->service) != want)
                assert_true(sd_event_run(r->event, UINT64_MAX) >= 0);
}

static int rig_setup(void **state) {
        struct rig *r = calloc(1, sizeof(*r));
        struct dl_error err = {};

        assert_non_null(r);
        the_rig = r;
        r->dir = scratch_dir_new();
        dl_daemon_config_init(&r->config);
        r->config.store.time_zone = "UTC";
        r->config.lock.relock_usec = (int64_t)20 * 1000; /* relock 20 ms after reaching unlocked */
        r->config.lock.door_sensor = false;
        assert_int_equal(dl_store_open(r->dir, &r->config.store, &dl_clock_system, &r->store, &err), 0);
        assert_int_equal(sd_event_new(&r->event), 0);
        rec_events = dl_service_events_none;
        rec_events.granted = rec_granted;
        rec_events.denied = rec_denied;
        rec_events.alarm = rec_alarm;
        rec_events.property_changed = rec_property;
        assert_int_equal(dl_service_new(r->event, &r->config, r->store, &rec_events, r, &r->service), 0);
        /* Bolt 5 ms, keys 1 ms apart; the service drives it through the
         * wrapper, to see when the drive goes out. */
        assert_int_equal(dl_hw_sim_new(r->event, 5000, 1000, &dl_service_hw_events, r->service, &r->sim), 0);
        r->sim_hw = dl_hw_sim_hw(r->sim);
        r->hw.ops = &wrap_ops;
        dl_service_attach_hw(r->service, &r->hw);
        run_until_state(r, DL_LOCK_LOCKED);
        *state = r;
        return 0;
}

static int rig_teardown(void **state) {
        struct rig *r = *state;

        dl_service_free(r->service);
        dl_hw_free(r->sim_hw);
        sd_event_unref(r->event);
        dl_store_close(r->store);
        scratch_dir_free(r->dir);
        free(r);
        the_rig = NULL;
        return 0;
}

struct collect {
        char events[32][DL_AUDIT_EVENT_MAX];
        char details[32][DL_AUDIT_DETAILS_MAX];
        size_t n;
};

static int collect_entry(const struct dl_audit_entry *e, void *userdata) {
        struct collect *c = userdata;

        if (c->n < ELEMENTSOF(c->events)) {
                snprintf(c->events[c->n], sizeof(c->events[0]), "%s", e->event);
                snprintf(c->details[c->n], sizeof(c->details[0]), "%s", e->details);
                c->n++;
        }
        return 0;
}

struct count_of {
        const char *event, *source;
        unsigned n;
};

static int count_one(const struct dl_audit_entry *e, void *userdata) {
        struct count_of *c = userdata;

        if (strcmp(e->event, c->event) == 0 && strcmp(e->source, c->source) == 0)
                c->n++;
        return 0;
}

/* Entries of this event and source in the whole log. */
static unsigned raw_count(struct rig *r, const char *event, const char *source) {
        struct count_of c = { event, source, 0 };

        assert_int_equal(dl_store_audit_list(r->store, 0, 0, count_one, &c, NULL), 0);
        return c.n;
}

static int64_t log_head(struct rig *r) {
        int64_t first = 0, last = 0;

        assert_int_equal(dl_store_audit_range(r->store, &first, &last, NULL), 0);
        return last;
}

/* Type pin# and run until the bolt is back in locked; the syncs of the whole
 * cycle and those before the drive. */
static void keypad_cycle(struct rig *r, const char *keys, unsigned *ret_total, unsigned *ret_at_drive) {
        unsigned before = n_syncs;
        uint64_t written = n_written;

        r->driven = false;
        assert_int_equal(dl_hw_sim_press_keys(r->sim, keys), 0);
        run_until_state(r, DL_LOCK_UNLOCKED);
        assert_true(r->driven);
        run_until_state(r, DL_LOCK_LOCKED);
        *ret_total = n_syncs - before;
        *ret_at_drive = r->syncs_at_drive - before;
        print_message("# %s: %u syncs, %u before the drive, %" PRIu64 " bytes written (WAL frames)\n", keys,
                      *ret_total, *ret_at_drive, n_written - written);
}

static void test_keypad_story_and_syncs(void **state) {
        static const char *const want[] = { "access-granted", "unlock", "unlocked", "lock", "locked" };
        struct rig *r = *state;
        struct dl_code_spec spec;
        struct collect c = {};
        struct dl_error err = {};
        unsigned total, at_drive, one_time_floor;
        struct dl_decision d;
        int64_t id, head;

        dl_code_spec_init(&spec, "Alice");
        assert_int_equal(dl_store_add_code(r->store, &spec, "481529", 0, NULL, &id, NULL, &err), 0);

        /* A plain code: its grant commits NORMAL, so the cycle from '#' to
         * relocked syncs nothing, with or without the new entries. */
        head = log_head(r);
        keypad_cycle(r, "481529#", &total, &at_drive);
        assert_int_equal(total, 0);
        assert_int_equal(dl_store_audit_list(r->store, head, 0, collect_entry, &c, &err), 0);
        assert_int_equal(c.n, ELEMENTSOF(want));
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                assert_string_equal(c.events[i], want[i]);
        assert_string_equal(c.details[1], "code: unlocked by code 1 (Alice)");
        assert_string_equal(c.details[2], "code: bolt is unlocked (by code 1 (Alice))");
        assert_string_equal(c.details[3], "auto-relock: locked by auto-relock");
        assert_string_equal(c.details[4], "auto-relock: bolt is locked (by auto-relock)");

        /* The floor: what one one-time grant costs in the store alone. */
        dl_code_spec_init(&spec, "Guest");
        spec.kind = DL_CODE_ONE_TIME;
        assert_int_equal(dl_store_add_code(r->store, &spec, "730196", 0, NULL, &id, NULL, &err), 0);
        one_time_floor = n_syncs;
        assert_int_equal(dl_store_verify(r->store, "730196", DL_SOURCE_KEYPAD, &d, &err), 0);
        assert_true(d.granted);
        one_time_floor = n_syncs - one_time_floor;
        assert_true(one_time_floor >= 1);

        /* A one-time code through the service: the grant's FULL commit is
         * on disk before the drive, and the cycle adds no sync to it. */
        dl_code_spec_init(&spec, "Guest 2");
        spec.kind = DL_CODE_ONE_TIME;
        assert_int_equal(dl_store_add_code(r->store, &spec, "915837", 0, NULL, &id, NULL, &err), 0);
        keypad_cycle(r, "915837#", &total, &at_drive);
        assert_int_equal(at_drive, one_time_floor);
        assert_int_equal(total, one_time_floor);
}

/* The bolt turned by hand (reported while idle): logged as arrived, cause
 * manual; the relock that follows is an auto-relock. */
/* Press keys on the simulator and run the loop until they are all in. */
static void press(struct rig *r, const char *keys) {
        enum dl_hw_signal last;
        unsigned before = dl_hw_sim_signals(r->sim, &last);

        assert_int_equal(dl_hw_sim_press_keys(r->sim, keys), 0);
        while (dl_hw_sim_signals(r->sim, &last) < before + strlen(keys) ||
               (strchr(keys, '#') && dl_hw_sim_signals(r->sim, &last) < before + strlen(keys) + 1))
                assert_true(sd_event_run(r->event, UINT64_MAX) >= 0);
}

/* The buzzer/LED patterns follow the decisions: a click per key, then
 * granted, denied or locked out. */
static void test_signals(void **state) {
        struct rig *r = *state;
        struct dl_code_spec spec;
        struct dl_error err = {};
        enum dl_hw_signal last;
        unsigned n0;
        int64_t id;

        dl_code_spec_init(&spec, "Alice");
        assert_int_equal(dl_store_add_code(r->store, &spec, "481529", 0, NULL, &id, NULL, &err), 0);

        n0 = dl_hw_sim_signals(r->sim, &last);
        press(r, "48");
        assert_int_equal(dl_hw_sim_signals(r->sim, &last), n0 + 2);
        assert_int_equal(last, DL_HW_SIGNAL_KEY);
        press(r, "1529#");
        assert_int_equal(dl_hw_sim_signals(r->sim, &last), n0 + 8); /* 6 clicks, '#', the verdict */
        assert_int_equal(last, DL_HW_SIGNAL_GRANTED);
        run_until_state(r, DL_LOCK_LOCKED);

        press(r, "000001#");
        assert_int_equal(dl_hw_sim_signals(r->sim, &last), n0 + 16);
        assert_int_equal(last, DL_HW_SIGNAL_DENIED);
        /* The default lockout starts after 5 wrong entries. */
        for (int i = 0; i < 3; i++) {
                press(r, "000001#");
                (void)dl_hw_sim_signals(r->sim, &last);
                assert_int_equal(last, DL_HW_SIGNAL_DENIED);
        }
        press(r, "000001#");
        (void)dl_hw_sim_signals(r->sim, &last);
        assert_int_equal(last, DL_HW_SIGNAL_LOCKED_OUT);
        press(r, "481529#");
        (void)dl_hw_sim_signals(r->sim, &last);
        assert_int_equal(last, DL_HW_SIGNAL_LOCKED_OUT);
        assert_int_equal(dl_service_state(r->service), DL_LOCK_LOCKED);
}

/* A jam stops the motor (and so does dl_service_stop_hw(), at SIGTERM). */
static void test_jam_stops_motor(void **state) {
        struct rig *r = *state;
        struct dl_caller admin = { .source = DL_SOURCE_DBUS, .role = DL_ROLE_ADMIN, .who = "test" };
        struct dl_error err = {};
        unsigned stops = n_stops;

        dl_hw_sim_set_jammed(r->sim, true);
        assert_int_equal(dl_service_unlock(r->service, &admin, 0, &err), 0);
        run_until_state(r, DL_LOCK_JAMMED);
        assert_int_equal(n_stops, stops + 1);
        dl_service_stop_hw(r->service);
        assert_int_equal(n_stops, stops + 2);
}

static void test_hand_turned(void **state) {
        static const char *const want[] = { "unlocked", "lock", "locked" };
        struct rig *r = *state;
        struct collect c = {};
        int64_t head = log_head(r);

        dl_service_hw_events.bolt(r->service, DL_BOLT_UNLOCKED);
        assert_int_equal(dl_service_state(r->service), DL_LOCK_UNLOCKED);
        run_until_state(r, DL_LOCK_LOCKED);
        while (sd_event_run(r->event, 0) > 0)
                ;
        assert_int_equal(dl_store_audit_list(r->store, head, 0, collect_entry, &c, NULL), 0);
        assert_int_equal(c.n, ELEMENTSOF(want));
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                assert_string_equal(c.events[i], want[i]);
        assert_string_equal(c.details[0], "manual: bolt is unlocked (by hand (no command))");
        assert_string_equal(c.details[1], "auto-relock: locked by auto-relock");
}

/* ---- the remote role and SubmitPin ---- */

static const struct dl_caller remote = { .source = DL_SOURCE_MQTT,
                                         .role = DL_ROLE_REMOTE,
                                         .who = "uid 998" };
static const struct dl_caller admin_caller = { .source = DL_SOURCE_DBUS,
                                               .role = DL_ROLE_ADMIN,
                                               .who = "uid 0" };
static const struct dl_caller observer = { .source = DL_SOURCE_DBUS,
                                           .role = DL_ROLE_OBSERVER,
                                           .who = "uid 997" };

static void assert_denied(int r, const struct dl_error *err, const char *needle) {
        assert_int_equal(r, -EACCES);
        assert_non_null(err->kind);
        assert_string_equal(err->kind, "AccessDenied");
        if (!strstr(err->message, needle))
                fail_msg("\"%s\" does not name \"%s\"", err->message, needle);
}

static int64_t add(struct rig *r, const char *name, const char *pin, enum dl_code_kind kind) {
        struct dl_code_spec spec;
        struct dl_error err = {};
        int64_t id;

        dl_code_spec_init(&spec, name);
        spec.kind = kind;
        assert_int_equal(dl_store_add_code(r->store, &spec, pin, 0, NULL, &id, NULL, &err), 0);
        return id;
}

/* The newest entry's event and source. */
static void last_entry(struct rig *r, char event[DL_AUDIT_EVENT_MAX], char source[DL_AUDIT_SOURCE_MAX],
                       char details[DL_AUDIT_DETAILS_MAX]);

struct last {
        struct dl_audit_entry e;
};

static int keep_last(const struct dl_audit_entry *e, void *userdata) {
        ((struct last *)userdata)->e = *e;
        return 0;
}

static void last_entry(struct rig *r, char event[DL_AUDIT_EVENT_MAX], char source[DL_AUDIT_SOURCE_MAX],
                       char details[DL_AUDIT_DETAILS_MAX]) {
        struct last l = {};

        assert_int_equal(dl_store_audit_list(r->store, log_head(r) - 1, 0, keep_last, &l, NULL), 0);
        memcpy(event, l.e.event, DL_AUDIT_EVENT_MAX);
        memcpy(source, l.e.source, DL_AUDIT_SOURCE_MAX);
        memcpy(details, l.e.details, DL_AUDIT_DETAILS_MAX);
}

/* What a remote caller may do, and the [Remote] keys that open more. */
static void test_remote_role(void **state) {
        struct rig *r = *state;
        char event[DL_AUDIT_EVENT_MAX], source[DL_AUDIT_SOURCE_MAX], details[DL_AUDIT_DETAILS_MAX];
        char code[DL_EC_DIGITS + 1], uri[DL_EC_URI_MAX], pin_out[DL_PIN_BUFFER_SIZE] = {};
        struct dl_code_spec spec;
        struct dl_error err = {};
        int64_t until, id, alice = add(r, "Alice", "481529", DL_CODE_NORMAL);
        uint8_t *buf = NULL;
        size_t size = 0;
        unsigned left;
        uint32_t issuer;

        /* Lock: yes, audited as the network's. */
        assert_int_equal(dl_service_lock(r->service, &remote, &err), 0);
        assert_int_equal(dl_service_state(r->service), DL_LOCK_LOCKED);
        last_entry(r, event, source, details);
        assert_string_equal(event, "lock");
        assert_string_equal(source, "mqtt");
        assert_string_equal(details, "remote: locked by uid 998 (was locked)");

        /* Unlock without a PIN: only with UnlockWithoutPin=yes. */
        err = (struct dl_error){};
        assert_denied(dl_service_unlock(r->service, &remote, 0, &err), &err,
                      "[Remote] UnlockWithoutPin=yes");
        err = (struct dl_error){};
        assert_denied(dl_service_unlock(r->service, &remote, 5 * USEC_PER_SEC, &err), &err,
                      "UnlockWithoutPin");
        assert_int_equal(dl_service_state(r->service), DL_LOCK_LOCKED);
        r->config.remote.unlock_without_pin = true;
        assert_int_equal(dl_service_unlock(r->service, &remote, 0, &err), 0);
        assert_int_equal(r->granted_source, DL_SOURCE_MQTT);
        run_until_state(r, DL_LOCK_UNLOCKED);
        run_until_state(r, DL_LOCK_LOCKED);

        /* Never, whatever [Remote] says. */
        r->config.remote.code_changes = true;
#define NEVER(call)                                                                                         \
        do {                                                                                                \
                err = (struct dl_error){};                                                                  \
                assert_denied((call), &err, "never the network");                                           \
        } while (0)
        NEVER(dl_service_set_mode(r->service, &remote, "passage", &err));
        NEVER(dl_service_set_mode(r->service, &remote, "privacy", &err));
        NEVER(dl_service_set_relock(r->service, &remote, 10, &err));
        NEVER(dl_service_reset_lockout(r->service, &remote, &err));
        NEVER(dl_service_reset_clock(r->service, &remote, &err));
        NEVER(dl_service_ec_generate(r->service, &remote, code, &until, &left, &err));
        NEVER(dl_service_ec_add_issuer(r->service, &remote, "Phone", &issuer, uri, &err));
        NEVER(dl_service_ec_remove_issuer(r->service, &remote, 0, &err));
        NEVER(dl_service_backup(r->service, &remote, "a long passphrase", &buf, &size, &err));
        NEVER(dl_service_restore(r->service, &remote, (const uint8_t *)"x", 1, "a long passphrase", true,
                                 NULL, &err));
        NEVER(dl_service_hw_test(r->service, &remote, "buzzer", &err));
        NEVER(dl_service_check_admin(&remote, &err));
#undef NEVER
        assert_null(buf);
        assert_int_equal(dl_service_mode(r->service), DL_MODE_NORMAL);
        assert_int_equal(dl_service_relock_seconds(r->service), 0);
        assert_int_equal(dl_service_check_read(&remote, NULL), 0);

        /* Codes: only with CodeChanges=yes, and never a generated PIN. */
        r->config.remote.code_changes = false;
        dl_code_spec_init(&spec, "Bob");
        err = (struct dl_error){};
        assert_denied(dl_service_add_code(r->service, &remote, &spec, "730196", 0, &id, pin_out, &err), &err,
                      "[Remote] CodeChanges=yes");
        err = (struct dl_error){};
        assert_denied(dl_service_update_code(r->service, &remote, alice, &spec, &err), &err, "CodeChanges");
        err = (struct dl_error){};
        assert_denied(dl_service_remove_code(r->service, &remote, alice, &err), &err, "CodeChanges");
        assert_int_equal(dl_service_code_count(r->service), 1);

        r->config.remote.code_changes = true;
        err = (struct dl_error){};
        assert_int_equal(dl_service_add_code(r->service, &remote, &spec, "", 0, &id, pin_out, &err),
                         -EINVAL);
        assert_null(err.kind);
        assert_non_null(strstr(err.message, "generated PINs over the network"));
        assert_string_equal(pin_out, "");
        assert_int_equal(dl_service_add_code(r->service, &remote, &spec, NULL, 0, &id, pin_out, &err),
                         -EINVAL);
        assert_int_equal(dl_service_code_count(r->service), 1);
        assert_int_equal(dl_service_add_code(r->service, &remote, &spec, "730196", 0, &id, pin_out, &err),
                         0);
        last_entry(r, event, source, details);
        assert_string_equal(event, "code-added");
        assert_string_equal(source, "mqtt");
        spec.enabled = false;
        assert_int_equal(dl_service_update_code(r->service, &remote, id, &spec, &err), 0);
        assert_int_equal(dl_service_remove_code(r->service, &remote, id, &err), 0);
        assert_int_equal(dl_service_code_count(r->service), 1);
        /* The admin's generated PIN still works. */
        dl_code_spec_init(&spec, "Carol");
        assert_int_equal(dl_service_add_code(r->service, &admin_caller, &spec, "", 0, &id, pin_out, &err),
                         0);
        assert_int_equal(strlen(pin_out), 6);
}

static int submit(struct rig *r, const struct dl_caller *c, const char *pin, const char *action,
                  struct dl_decision *d, struct dl_error *err) {
        *err = (struct dl_error){};
        return dl_service_submit_pin(r->service, c, pin, action, d, err);
}

static void assert_kind(int r, const struct dl_error *err, const char *kind) {
        assert_true(r < 0);
        assert_non_null(err->kind);
        assert_string_equal(err->kind, kind);
}

/* A good PIN opens like the keypad's, audited as the network's; wrong
 * ones count on the network's counter only. */
static void test_submit_pin_counter(void **state) {
        struct rig *r = *state;
        char event[DL_AUDIT_EVENT_MAX], source[DL_AUDIT_SOURCE_MAX], details[DL_AUDIT_DETAILS_MAX];
        struct dl_decision d;
        struct dl_error err = {};
        int64_t head, alice = add(r, "Alice", "481529", DL_CODE_NORMAL);
        int rr;

        assert_int_equal(submit(r, &remote, "481529", "unlock", &d, &err), 0);
        assert_true(d.granted);
        assert_int_equal(d.code_id, alice);
        assert_int_equal(r->n_granted, 1);
        assert_int_equal(r->granted_source, DL_SOURCE_MQTT);
        assert_int_equal(r->granted_id, alice);
        assert_string_equal(r->granted_name, "Alice");
        run_until_state(r, DL_LOCK_UNLOCKED);
        run_until_state(r, DL_LOCK_LOCKED);
        assert_int_equal(raw_count(r, "access-granted", "mqtt"), 1);

        /* Observers and nobody may not. */
        assert_denied(submit(r, &observer, "481529", "unlock", &d, &err), &err, "doorlock-admin");

        /* Wrong PINs: refused with a message that says nothing of why. */
        for (int i = 1; i <= 5; i++) {
                rr = submit(r, &remote, "000001", "unlock", &d, &err);
                assert_kind(rr, &err, "CodeRefused");
                assert_string_equal(err.message, "The PIN was not accepted");
                assert_int_equal(r->denied_source, DL_SOURCE_MQTT);
                assert_string_equal(r->denied_reason, "unknown-code");
        }
        assert_int_equal(r->n_denied, 5);
        assert_string_equal(r->alarm_kind, "lockout");
        assert_non_null(strstr(r->alarm_detail, "network entries locked for 30 s"));
        assert_true(dl_service_network_locked_until(r->service) > 0);
        assert_int_equal(dl_service_keypad_locked_until(r->service), 0);
        assert_int_equal(r->n_net_locked_until, 1);
        assert_int_equal(r->n_keypad_locked_until, 0);
        last_entry(r, event, source, details);
        assert_string_equal(event, "lockout");
        assert_string_equal(source, "mqtt");

        /* Locked out: not verified, nothing written, no signal. */
        head = log_head(r);
        rr = submit(r, &remote, "481529", "unlock", &d, &err);
        assert_kind(rr, &err, "LockedOut");
        assert_non_null(strstr(err.message, "until 20"));
        assert_non_null(strstr(err.message, " UTC"));
        assert_int_equal(log_head(r), head);
        assert_int_equal(r->n_denied, 5);
        assert_int_equal(dl_service_state(r->service), DL_LOCK_LOCKED);

        /* The keypad is not affected. */
        press(r, "481529#");
        assert_int_equal(r->n_granted, 2);
        assert_int_equal(r->granted_source, DL_SOURCE_KEYPAD);
        run_until_state(r, DL_LOCK_UNLOCKED);
        run_until_state(r, DL_LOCK_LOCKED);

        /* ResetLockout (admin only) ends it. */
        assert_denied(dl_service_reset_lockout(r->service, &remote, &err), &err, "never the network");
        assert_int_equal(dl_service_reset_lockout(r->service, &admin_caller, &err), 0);
        assert_int_equal(dl_service_network_locked_until(r->service), 0);
        assert_int_equal(r->n_net_locked_until, 2);

        /* And a keypad lockout does not block the network. */
        for (int i = 0; i < 5; i++)
                press(r, "000001#");
        assert_true(dl_service_keypad_locked_until(r->service) > 0);
        assert_int_equal(submit(r, &remote, "481529", "unlock", &d, &err), 0);
        assert_true(d.granted);
        run_until_state(r, DL_LOCK_UNLOCKED);
        run_until_state(r, DL_LOCK_LOCKED);
        assert_int_equal(dl_service_network_locked_until(r->service), 0);
        assert_true(dl_service_keypad_locked_until(r->service) > 0);
}

/* Bad input is refused before anything is counted or written. */
static void test_submit_pin_bad_input(void **state) {
        static const char *const bad_pins[] = { "",        "48152a",  " 481529", "481529 ",
                                                "+481529", "4815.29", "%s%n",    "\xd9\xa5\xd9\xa8" };
        struct rig *r = *state;
        char big[70];
        struct dl_decision d;
        struct dl_error err = {};
        int64_t head;
        struct dl_lockout_state lo;

        add(r, "Alice", "481529", DL_CODE_NORMAL);
        head = log_head(r);
        for (size_t i = 0; i < ELEMENTSOF(bad_pins); i++) {
                assert_int_equal(submit(r, &remote, bad_pins[i], "unlock", &d, &err), -EINVAL);
                assert_null(err.kind);
                assert_false(d.granted);
        }
        memset(big, '4', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(submit(r, &remote, big, "unlock", &d, &err), -EINVAL);
        static const char *const bad_actions[] = { "Unlock", "unlock ", "open", "", "normal" };
        for (size_t i = 0; i < ELEMENTSOF(bad_actions); i++) {
                assert_int_equal(submit(r, &remote, "481529", bad_actions[i], &d, &err), -EINVAL);
                assert_string_equal(err.message, "Unknown action; use unlock or passage");
        }
        assert_int_equal(submit(r, &remote, "481529", "", &d, &err), -EINVAL);
        assert_int_equal(log_head(r), head);
        assert_int_equal(dl_store_lockout_state_of(r->store, DL_LOCKOUT_NETWORK, &lo, NULL), 0);
        assert_int_equal(lo.failures, 0);
        assert_int_equal(r->n_granted + r->n_denied, 0);
        assert_int_equal(dl_service_state(r->service), DL_LOCK_LOCKED);
        /* A wrong length is a wrong code, as on the keypad: counted. */
        assert_kind(submit(r, &remote, "12", "unlock", &d, &err), &err, "CodeRefused");
        assert_int_equal(dl_store_lockout_state_of(r->store, DL_LOCKOUT_NETWORK, &lo, NULL), 0);
        assert_int_equal(lo.failures, 1);
}

/* The keypad's rules: privacy mode, one-time codes, duress, passage. */
static void test_submit_pin_rules(void **state) {
        struct rig *r = *state;
        char event[DL_AUDIT_EVENT_MAX], source[DL_AUDIT_SOURCE_MAX], details[DL_AUDIT_DETAILS_MAX];
        struct dl_code_spec spec;
        struct dl_decision d;
        struct dl_error err = {};
        int64_t guest, alice = add(r, "Alice", "481529", DL_CODE_NORMAL), id;

        guest = add(r, "Guest", "730196", DL_CODE_ONE_TIME);
        dl_code_spec_init(&spec, "Forced");
        spec.duress = true;
        assert_int_equal(dl_store_add_code(r->store, &spec, "915837", 0, NULL, &id, NULL, &err), 0);

        /* Privacy mode refuses, the reason only in the log and the signal. */
        assert_int_equal(dl_service_set_mode(r->service, &admin_caller, "privacy", &err), 0);
        assert_kind(submit(r, &remote, "481529", "unlock", &d, &err), &err, "CodeRefused");
        assert_string_equal(err.message, "The PIN was not accepted");
        assert_string_equal(r->denied_reason, "privacy-mode");
        /* ... but a duress code opens and raises its alarm. */
        assert_int_equal(submit(r, &remote, "915837", "unlock", &d, &err), 0);
        assert_true(d.duress);
        assert_string_equal(r->alarm_kind, "duress");
        run_until_state(r, DL_LOCK_UNLOCKED);
        run_until_state(r, DL_LOCK_LOCKED);
        assert_int_equal(dl_service_set_mode(r->service, &admin_caller, "normal", &err), 0);

        /* A one-time code opens once. */
        assert_int_equal(submit(r, &remote, "730196", "unlock", &d, &err), 0);
        assert_int_equal(d.code_id, guest);
        run_until_state(r, DL_LOCK_UNLOCKED);
        run_until_state(r, DL_LOCK_LOCKED);
        assert_kind(submit(r, &remote, "730196", "unlock", &d, &err), &err, "CodeRefused");
        assert_string_equal(r->denied_reason, "used-up");

        /* Passage: open, then passage mode, set by the code. */
        assert_int_equal(submit(r, &remote, "481529", "passage", &d, &err), 0);
        assert_int_equal(d.code_id, alice);
        assert_int_equal(dl_service_mode(r->service), DL_MODE_PASSAGE);
        last_entry(r, event, source, details);
        assert_string_equal(event, "mode");
        assert_string_equal(source, "mqtt");
        assert_string_equal(details, "mode normal -> passage by code 1 (Alice)");
        run_until_state(r, DL_LOCK_UNLOCKED);
        /* Lock() is refused in passage mode, for the network too. */
        err = (struct dl_error){};
        assert_int_equal(dl_service_lock(r->service, &remote, &err), -EPERM);
        assert_int_equal(dl_service_set_mode(r->service, &admin_caller, "normal", &err), 0);
        run_until_state(r, DL_LOCK_LOCKED);
        /* A refused PIN never switches the mode. */
        assert_kind(submit(r, &remote, "000001", "passage", &d, &err), &err, "CodeRefused");
        assert_int_equal(dl_service_mode(r->service), DL_MODE_NORMAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_keypad_story_and_syncs, rig_setup, rig_teardown),
                cmocka_unit_test_setup_teardown(test_hand_turned, rig_setup, rig_teardown),
                cmocka_unit_test_setup_teardown(test_signals, rig_setup, rig_teardown),
                cmocka_unit_test_setup_teardown(test_jam_stops_motor, rig_setup, rig_teardown),
                cmocka_unit_test_setup_teardown(test_remote_role, rig_setup, rig_teardown),
                cmocka_unit_test_setup_teardown(test_submit_pin_counter, rig_setup, rig_teardown),
                cmocka_unit_test_setup_teardown(test_submit_pin_bad_input, rig_setup, rig_teardown),
                cmocka_unit_test_setup_teardown(test_submit_pin_rules, rig_setup, rig_teardown),
        };

        count_vfs_install();
        return cmocka_run_group_tests(tests, NULL, NULL);
}
