/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Adding, editing, listing and removing codes in a real SQLite store. */
#include "test-util.h"

#include <stdio.h>

#include "audit-log.h"
#include "verify.h"

static int add_named(struct store_fixture *f, const char *name, const char *pin, struct dl_error *err) {
        struct dl_code_spec spec;
        char out[DL_PIN_BUFFER_SIZE];

        memset(&spec, 0, sizeof(spec));
        dl_code_spec_init(&spec, NULL);
        if (dl_code_spec_set_name(&spec, name) < 0)
                return -ENAMETOOLONG;
        return dl_store_add_code(f->store, &spec, pin, 0, NULL, NULL, out, err);
}

static unsigned count(struct store_fixture *f) {
        unsigned n;

        assert_int_equal(dl_store_count_codes(f->store, &n, NULL), 0);
        return n;
}

static bool granted(struct store_fixture *f, const char *pin) {
        struct dl_decision d;

        assert_int_equal(dl_store_verify(f->store, pin, DL_SOURCE_DBUS, &d, NULL), 0);
        return d.granted;
}

static void add_and_get(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;
        struct dl_code c;
        int64_t id;

        dl_code_spec_init(&spec, "Grandma");
        spec.valid_from = f->clock.now - USEC_PER_DAY;
        spec.valid_until = f->clock.now + USEC_PER_DAY;
        spec.use_limit = 10;
        spec.n_windows = 2;
        spec.windows[0] = (struct dl_window){ .days = 0x1f, .start = 480, .end = 1020 };
        spec.windows[1] = (struct dl_window){ .days = 0x60, .start = 1320, .end = 360 };
        assert_int_equal(add_spec(f, &spec, "481203", &id), 0);
        assert_true(id > 0);

        assert_int_equal(dl_store_get_code(f->store, id, &c, NULL), 0);
        assert_int_equal(c.id, id);
        assert_string_equal(c.spec.name, "Grandma");
        assert_int_equal(c.spec.kind, DL_CODE_NORMAL);
        assert_true(c.spec.enabled);
        assert_false(c.spec.duress);
        assert_int_equal(c.spec.valid_from, spec.valid_from);
        assert_int_equal(c.spec.valid_until, spec.valid_until);
        assert_int_equal(c.spec.use_limit, 10);
        assert_int_equal(c.spec.n_windows, 2);
        assert_memory_equal(c.spec.windows, spec.windows, sizeof(spec.windows[0]) * 2);
        assert_int_equal(c.created, f->clock.now);
        assert_int_equal(c.use_count, 0);
        assert_int_equal(c.last_used, 0);

        /* By id and by name. */
        assert_int_equal(dl_store_find_code(f->store, "Grandma", &c, NULL), 0);
        assert_int_equal(c.id, id);
        char idstr[32];
        snprintf(idstr, sizeof(idstr), "%lld", (long long)id);
        assert_int_equal(dl_store_find_code(f->store, idstr, &c, NULL), 0);
        assert_string_equal(c.spec.name, "Grandma");
        assert_int_equal(dl_store_find_code(f->store, "Nobody", &c, NULL), -ENOENT);
        assert_int_equal(dl_store_find_code(f->store, "999", &c, NULL), -ENOENT);
        assert_int_equal(dl_store_get_code(f->store, 999, &c, NULL), -ENOENT);
}

static void generated_pin_is_returned_once(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;
        char pin[DL_PIN_BUFFER_SIZE] = {}, pin8[DL_PIN_BUFFER_SIZE] = {};
        int64_t id;

        dl_code_spec_init(&spec, "Random");
        assert_int_equal(dl_store_add_code(f->store, &spec, NULL, 0, NULL, &id, pin, NULL), 0);
        assert_int_equal(strlen(pin), 6);
        assert_true(dl_is_digits(pin, 6));
        assert_false(dl_pin_is_weak(pin, 6));
        assert_true(granted(f, pin));

        dl_code_spec_init(&spec, "Random 8");
        assert_int_equal(dl_store_add_code(f->store, &spec, NULL, 8, NULL, &id, pin8, NULL), 0);
        assert_int_equal(strlen(pin8), 8);
        assert_true(granted(f, pin8));

        /* Lengths outside the policy are refused. */
        dl_code_spec_init(&spec, "Random 3");
        assert_int_equal(dl_store_add_code(f->store, &spec, NULL, 3, NULL, &id, pin, NULL), -ERANGE);
        assert_int_equal(dl_store_add_code(f->store, &spec, NULL, 11, NULL, &id, pin, NULL), -ERANGE);
}

static void bad_pins_refused(void **state) {
        struct store_fixture *f = *state;
        const struct {
                const char *pin;
                int error;
        } cases[] = {
                { "111111", -EINVAL },      /* all one digit */
                { "123456", -EINVAL },      /* straight run */
                { "987654", -EINVAL },      /* straight run down */
                { "12345a", -EINVAL },      /* not digits */
                { "12 456", -EINVAL },      /* not digits */
                { "", -ERANGE },            /* empty */
                { "48120", -ERANGE },       /* too short (6 by default) */
                { "48120397512", -ERANGE }, /* too long (10 by default) */
        };
        int64_t head = audit_head(f);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct dl_error err = {};

                assert_int_equal(add_named(f, "Bad", cases[i].pin, &err), cases[i].error);
                /* The message never repeats the PIN. */
                if (cases[i].pin[0])
                        assert_null(strstr(err.message, cases[i].pin));
        }
        assert_int_equal(count(f), 0);
        assert_int_equal(audit_head(f), head);
}

static void pin_floor_configurable_to_four(void **state) {
        struct store_fixture *f = *state;
        struct dl_store *s = NULL;

        f->config.pin.min_length = 4;
        store_fixture_reopen(f);
        assert_int_equal(add_named(f, "Short", "4821", NULL), 0);
        assert_int_equal(add_named(f, "Shorter", "482", NULL), -ERANGE);
        assert_true(granted(f, "4821"));

        /* Never below 4. */
        f->config.pin.min_length = 3;
        assert_int_equal(dl_store_open(f->dir, &f->config, &f->clock.clock, &s, NULL), -EINVAL);
        assert_null(s);
}

static void duplicate_pin_and_name(void **state) {
        struct store_fixture *f = *state;
        struct dl_error err = {};
        int64_t head;

        add_code(f, "Alice", "493817");
        head = audit_head(f);
        assert_int_equal(add_named(f, "Bob", "493817", &err), -EEXIST);
        assert_non_null(strstr(err.message, "PIN"));
        assert_null(strstr(err.message, "493817"));
        assert_null(strstr(err.message, "Alice")); /* does not say whose */
        assert_int_equal(add_named(f, "Alice", "555019", &err), -EEXIST);
        assert_non_null(strstr(err.message, "Alice"));
        assert_int_equal(count(f), 1);
        assert_int_equal(audit_head(f), head);
}

static void bad_names_refused(void **state) {
        struct store_fixture *f = *state;
        const struct {
                const char *name;
                int error;
        } cases[] = {
                { "", -EINVAL },
                { "1234", -EINVAL },
                { "\xc3\x28", -EILSEQ },
                { "ab\xed\xa0\x80", -EILSEQ },
                { "abcdefghijklmnopqrstuvwxyz0123456", -ENAMETOOLONG },
                { "tab\there", -EINVAL },
                { " Alice", -EINVAL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct dl_error err = {};

                assert_int_equal(add_named(f, cases[i].name, "493817", &err), cases[i].error);
                assert_true(strlen(err.message) > 0);
        }
        /* 32 characters, multibyte, is fine. */
        assert_int_equal(add_named(f,
                                   "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                   "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                   "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                   "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
                                   "493817", NULL),
                         0);
        assert_int_equal(count(f), 1);
}

static void bad_specs_refused(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;
        int64_t id;

        dl_code_spec_init(&spec, "Backwards");
        spec.valid_from = f->clock.now + 10;
        spec.valid_until = f->clock.now;
        assert_int_equal(add_spec(f, &spec, "493817", &id), -EINVAL);

        dl_code_spec_init(&spec, "Window");
        spec.n_windows = 1;
        spec.windows[0] = (struct dl_window){ .days = 0x1f, .start = 600, .end = 600 };
        assert_int_equal(add_spec(f, &spec, "493817", &id), -EINVAL);
        spec.windows[0] = (struct dl_window){ .days = 0, .start = 600, .end = 700 };
        assert_int_equal(add_spec(f, &spec, "493817", &id), -EINVAL);
        spec.windows[0] = (struct dl_window){ .days = 1, .start = 1440, .end = 700 };
        assert_int_equal(add_spec(f, &spec, "493817", &id), -EINVAL);
        spec.n_windows = DL_WINDOWS_MAX + 1;
        assert_int_equal(add_spec(f, &spec, "493817", &id), -EINVAL);

        dl_code_spec_init(&spec, "One-time x5");
        spec.kind = DL_CODE_ONE_TIME;
        spec.use_limit = 5;
        assert_int_equal(add_spec(f, &spec, "493817", &id), -EINVAL);
        spec.use_limit = 0; /* stored as 1 */
        assert_int_equal(add_spec(f, &spec, "493817", &id), 0);
        assert_int_equal(raw_int(f, "SELECT use_limit FROM codes"), 1);
        assert_int_equal(count(f), 1);
}

static void limit_of_200(void **state) {
        struct store_fixture *f = *state;
        struct dl_error err = {};
        char name[32], pin[16];
        int64_t head;

        for (int i = 0; i < 200; i++) {
                snprintf(name, sizeof(name), "Code %d", i);
                snprintf(pin, sizeof(pin), "%06d", 100000 + i * 37 + 2);
                add_code(f, name, pin);
        }
        assert_int_equal(count(f), 200);
        head = audit_head(f);
        assert_int_equal(add_named(f, "One too many", "771942", &err), -ENOSPC);
        assert_non_null(strstr(err.message, "200"));
        assert_int_equal(count(f), 200);
        assert_int_equal(audit_head(f), head);

        /* Removing one makes room. */
        assert_int_equal(dl_store_remove_code(f->store, 1, NULL, NULL), 0);
        assert_int_equal(add_named(f, "One too many", "771942", NULL), 0);
}

static void limit_configurable_lower_never_higher(void **state) {
        struct store_fixture *f = *state;
        struct dl_store *s = NULL;

        f->config.max_codes = 2;
        store_fixture_reopen(f);
        add_code(f, "A", "493817");
        add_code(f, "B", "493818");
        assert_int_equal(add_named(f, "C", "493819", NULL), -ENOSPC);

        f->config.max_codes = 201;
        assert_int_equal(dl_store_open(f->dir, &f->config, &f->clock.clock, &s, NULL), -ERANGE);
        assert_null(s);
}

static void dead_codes_stay_then_go(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;
        struct dl_code_status st;
        struct dl_code c;
        int64_t once, expiring;

        dl_code_spec_init(&spec, "Once");
        spec.kind = DL_CODE_ONE_TIME;
        assert_int_equal(add_spec(f, &spec, "640213", &once), 0);
        dl_code_spec_init(&spec, "Expiring");
        spec.valid_until = f->clock.now + USEC_PER_HOUR;
        assert_int_equal(add_spec(f, &spec, "640214", &expiring), 0);
        add_code(f, "Forever", "640215");

        assert_true(granted(f, "640213"));
        fake_clock_advance(&f->clock, 2 * USEC_PER_HOUR);

        /* Both dead, both still listed and counted, with a reason. */
        assert_int_equal(count(f), 3);
        assert_int_equal(dl_store_get_code(f->store, once, &c, NULL), 0);
        assert_int_equal(dl_store_code_status(f->store, &c, &st, NULL), 0);
        assert_int_equal(st.reason, DL_REASON_USED_UP);
        assert_int_equal(st.remove_at, c.last_used + 7 * USEC_PER_DAY);
        assert_int_equal(dl_store_get_code(f->store, expiring, &c, NULL), 0);
        assert_int_equal(dl_store_code_status(f->store, &c, &st, NULL), 0);
        assert_int_equal(st.reason, DL_REASON_EXPIRED);

        /* Six days later: still there. */
        fake_clock_advance(&f->clock, 6 * USEC_PER_DAY);
        assert_int_equal(dl_store_maintain(f->store, NULL), 0);
        assert_int_equal(count(f), 3);

        /* Seven days after each stopped working: gone, and logged. */
        fake_clock_advance(&f->clock, USEC_PER_DAY);
        assert_int_equal(dl_store_maintain(f->store, NULL), 0);
        assert_int_equal(count(f), 1);
        assert_int_equal(dl_store_get_code(f->store, once, &c, NULL), -ENOENT);
        assert_int_equal(dl_store_get_code(f->store, expiring, &c, NULL), -ENOENT);
        assert_true(granted(f, "640215"));
        assert_true(raw_int(f, "SELECT count(*) FROM audit WHERE event = 'code-removed' AND details LIKE "
                               "'removed automatically%'") == 2);
}

static void dead_code_makes_room_when_due(void **state) {
        struct store_fixture *f = *state;
        struct dl_code_spec spec;

        f->config.max_codes = 2;
        store_fixture_reopen(f);
        dl_code_spec_init(&spec, "Once");
        spec.kind = DL_CODE_ONE_TIME;
        assert_int_equal(add_spec(f, &spec, "640213", NULL), 0);
        add_code(f, "Forever", "640215");
        assert_true(granted(f, "640213"));

        /* Used, but not yet due for removal: it still counts. */
        assert_int_equal(add_named(f, "New", "771942", NULL), -ENOSPC);
        /* Due: adding removes it first. */
        fake_clock_advance(&f->clock, 7 * USEC_PER_DAY);
        assert_int_equal(add_named(f, "New", "771942", NULL), 0);
        assert_int_equal(count(f), 2);
}

static void edit_windows_and_fields(void **state) {
        struct store_fixture *f = *state;
        struct dl_code c;
        int64_t id;

        /* Monday 2026-06-01 14:00 Berlin. */
        id = add_code(f, "Cleaner", "358024");
        assert_true(granted(f, "358024"));

        assert_int_equal(dl_store_get_code(f->store, id, &c, NULL), 0);
        c.spec.n_windows = 1;
        c.spec.windows[0] = (struct dl_window){ .days = 0x1f, .start = 8 * 60, .end = 12 * 60 };
        assert_int_equal(dl_store_update_code(f->store, id, &c.spec, NULL, NULL), 0);
        assert_false(granted(f, "358024"));

        c.spec.windows[0].end = 15 * 60;
        assert_int_equal(dl_store_update_code(f->store, id, &c.spec, NULL, NULL), 0);
        assert_true(granted(f, "358024"));

        /* Rename, disable, limit. */
        assert_int_equal(dl_code_spec_set_name(&c.spec, "Cleaner Eva"), 0);
        c.spec.enabled = false;
        assert_int_equal(dl_store_update_code(f->store, id, &c.spec, NULL, NULL), 0);
        assert_false(granted(f, "358024"));
        c.spec.enabled = true;
        c.spec.use_limit = 3; /* already used twice */
        assert_int_equal(dl_store_update_code(f->store, id, &c.spec, NULL, NULL), 0);
        assert_true(granted(f, "358024"));
        assert_false(granted(f, "358024"));

        assert_int_equal(dl_store_get_code(f->store, id, &c, NULL), 0);
        assert_string_equal(c.spec.name, "Cleaner Eva");
        assert_int_equal(c.spec.n_windows, 1);
        assert_int_equal(c.spec.windows[0].end, 15 * 60);
        /* Removing all windows. */
        c.spec.n_windows = 0;
        c.spec.use_limit = 0;
        assert_int_equal(dl_store_update_code(f->store, id, &c.spec, NULL, NULL), 0);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM code_windows"), 0);
}

static void edit_validated_and_atomic(void **state) {
        struct store_fixture *f = *state;
        struct dl_code c, after;
        int64_t id, head;

        id = add_code(f, "Alice", "493817");
        add_code(f, "Bob", "493818");
        assert_int_equal(dl_store_get_code(f->store, id, &c, NULL), 0);
        head = audit_head(f);

        struct dl_code_spec bad = c.spec;
        bad.n_windows = 1;
        bad.windows[0] = (struct dl_window){ .days = 0x1f, .start = 100, .end = 100 };
        assert_int_equal(dl_store_update_code(f->store, id, &bad, NULL, NULL), -EINVAL);
        bad = c.spec;
        assert_int_equal(dl_code_spec_set_name(&bad, "Bob"), 0);
        assert_int_equal(dl_store_update_code(f->store, id, &bad, NULL, NULL), -EEXIST);
        bad = c.spec;
        assert_int_equal(dl_code_spec_set_name(&bad, "42"), 0);
        assert_int_equal(dl_store_update_code(f->store, id, &bad, NULL, NULL), -EINVAL);
        bad = c.spec;
        bad.kind = DL_CODE_ONE_TIME;
        bad.use_limit = 1;
        assert_int_equal(dl_store_update_code(f->store, id, &bad, NULL, NULL), -EINVAL);
        bad = c.spec;
        bad.duress = true;
        assert_int_equal(dl_store_update_code(f->store, id, &bad, NULL, NULL), -EINVAL);
        assert_int_equal(dl_store_update_code(f->store, 999, &c.spec, NULL, NULL), -ENOENT);

        assert_int_equal(dl_store_get_code(f->store, id, &after, NULL), 0);
        assert_memory_equal(&after, &c, sizeof(c));
        assert_int_equal(audit_head(f), head);
}

static void remove_and_ids_not_reused(void **state) {
        struct store_fixture *f = *state;
        int64_t a, b;

        a = add_code(f, "Alice", "493817");
        assert_int_equal(dl_store_remove_code(f->store, a, NULL, NULL), 0);
        assert_int_equal(dl_store_remove_code(f->store, a, NULL, NULL), -ENOENT);
        assert_false(granted(f, "493817"));
        b = add_code(f, "Alice", "493817");
        assert_true(b > a);
        assert_true(granted(f, "493817"));
}

struct list_ctx {
        int n;
        int64_t last_id;
};

static int list_cb(const struct dl_code *c, void *userdata) {
        struct list_ctx *ctx = userdata;

        assert_true(c->id > ctx->last_id);
        ctx->last_id = c->id;
        ctx->n++;
        return 0;
}

static int stop_cb(const struct dl_code *c, void *userdata) {
        (void)c;
        (void)userdata;
        return -ECANCELED;
}

static void list_codes(void **state) {
        struct store_fixture *f = *state;
        struct list_ctx ctx = {};

        add_code(f, "A", "493817");
        add_code(f, "B", "493818");
        add_code(f, "C", "493819");
        assert_int_equal(dl_store_list_codes(f->store, list_cb, &ctx, NULL), 0);
        assert_int_equal(ctx.n, 3);
        assert_int_equal(dl_store_list_codes(f->store, stop_cb, NULL, NULL), -ECANCELED);
}

static int find_event(const struct dl_audit_entry *e, void *userdata) {
        const char **want = userdata;

        if (strcmp(e->event, want[0]) == 0) {
                assert_string_equal(e->source, want[1]);
                assert_non_null(strstr(e->details, "uid 1000"));
                want[2] = "found";
        }
        return 0;
}

static void changes_are_audited(void **state) {
        struct store_fixture *f = *state;
        struct dl_actor actor = { DL_SOURCE_DBUS, "uid 1000" };
        struct dl_code_spec spec;
        struct dl_code c;
        char out[DL_PIN_BUFFER_SIZE];
        int64_t id;
        const char *events[] = { DL_EVENT_CODE_ADDED, DL_EVENT_CODE_CHANGED, DL_EVENT_CODE_REMOVED };

        dl_code_spec_init(&spec, "Alice");
        assert_int_equal(dl_store_add_code(f->store, &spec, "493817", 0, &actor, &id, out, NULL), 0);
        assert_int_equal(dl_store_get_code(f->store, id, &c, NULL), 0);
        c.spec.enabled = false;
        assert_int_equal(dl_store_update_code(f->store, id, &c.spec, &actor, NULL), 0);
        assert_int_equal(dl_store_remove_code(f->store, id, &actor, NULL), 0);

        for (size_t i = 0; i < ELEMENTSOF(events); i++) {
                const char *want[3] = { events[i], "dbus", NULL };

                assert_int_equal(dl_store_audit_list(f->store, 0, 0, find_event, want, NULL), 0);
                assert_non_null(want[2]);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, store_fixture_setup_open, store_fixture_teardown)
                T(add_and_get),
                T(generated_pin_is_returned_once),
                T(bad_pins_refused),
                T(pin_floor_configurable_to_four),
                T(duplicate_pin_and_name),
                T(bad_names_refused),
                T(bad_specs_refused),
                T(limit_of_200),
                T(limit_configurable_lower_never_higher),
                T(dead_codes_stay_then_go),
                T(dead_code_makes_room_when_due),
                T(edit_windows_and_fields),
                T(edit_validated_and_atomic),
                T(remove_and_ids_not_reused),
                T(list_codes),
                T(changes_are_audited),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
