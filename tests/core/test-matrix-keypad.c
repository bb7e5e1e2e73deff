/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "macro.h"
#include "matrix-keypad.h"
#include "matrix-wiring.h"

#include <string.h>

#define MS ((int64_t)1000)
#define SEC ((int64_t)1000000)
#define T0 (1000 * SEC) /* some monotonic instant */

/* A simulated keypad wired to the state machine the way the libgpiod
 * backend will be: it drives the columns the action asks for, reads the
 * rows at the action's deadline, and reports a row edge whenever a row's
 * level changes (a key moving, or the machine's own column changes).  Rows
 * are modelled without diodes: a row reads low when pressed keys connect
 * it, through any path of rows and columns, to an active column, so three
 * keys show a ghost. */
struct sim {
        struct dl_matrix_keypad m;
        struct dl_matrix_action a;
        bool down[DL_MATRIX_MAX][DL_MATRIX_MAX];
        uint32_t rows_low; /* the rows' levels as they are now */
        int64_t now;
        bool drop_edges; /* lose every edge (an overflowing kernel buffer) */
        char keys[64];
        int64_t key_at[64];
        size_t n_keys;
        unsigned reads, edges;
};

static uint32_t sim_rows(const struct sim *s, uint32_t columns) {
        return matrix_wiring_rows_low(s->m.config.rows, s->m.config.cols, s->down, columns);
}

static void sim_apply(struct sim *s, const struct dl_matrix_action *a);

/* The rows may have changed (columns driven, a key moved): an edge. */
static void sim_levels(struct sim *s) {
        uint32_t low = sim_rows(s, s->a.columns);
        struct dl_matrix_action a;

        if (low == s->rows_low)
                return;
        s->rows_low = low;
        if (s->drop_edges)
                return;
        s->edges++;
        assert_int_equal(dl_matrix_row_edge(&s->m, s->now, &a), 0);
        sim_apply(s, &a);
}

static void sim_apply(struct sim *s, const struct dl_matrix_action *a) {
        /* Invariants of every action. */
        assert_int_equal(a->columns & ~dl_matrix_all_columns(&s->m), 0);
        if (a->next == DL_MATRIX_READ_ROWS)
                assert_true(a->deadline > 0);
        else
                assert_int_equal(a->columns, dl_matrix_all_columns(&s->m)); /* idle drive */
        if (a->key) {
                assert_true(s->n_keys < ELEMENTSOF(s->keys));
                s->keys[s->n_keys] = a->key;
                s->key_at[s->n_keys] = s->now;
                s->n_keys++;
        }
        s->a = *a;
        sim_levels(s);
}

/* Carry out the reads due until `until`. */
static void sim_run(struct sim *s, int64_t until) {
        while (s->a.next == DL_MATRIX_READ_ROWS && s->a.deadline <= until) {
                struct dl_matrix_action a;

                s->now = MAX(s->now, s->a.deadline);
                s->reads++;
                assert_int_equal(dl_matrix_rows_read(&s->m, sim_rows(s, s->a.columns), s->now, &a), 0);
                sim_apply(s, &a);
        }
        s->now = MAX(s->now, until);
}

static void sim_init(struct sim *s, const struct dl_matrix_config *c) {
        memset(s, 0, sizeof(*s));
        assert_int_equal(dl_matrix_init(&s->m, c, &s->a), 0);
        assert_int_equal(s->a.next, DL_MATRIX_WAIT_EDGE);
        assert_int_equal(s->a.columns, dl_matrix_all_columns(&s->m));
        s->now = T0;
}

static void sim_init_4x4(struct sim *s) {
        struct dl_matrix_config c;

        assert_int_equal(dl_matrix_config_init(&c, 4), 0);
        sim_init(s, &c);
}

static void key_pos(const struct sim *s, char key, unsigned *r, unsigned *c) {
        for (unsigned i = 0; i < s->m.config.rows; i++)
                for (unsigned j = 0; j < s->m.config.cols; j++)
                        if (s->m.config.keys[i][j] == key) {
                                *r = i;
                                *c = j;
                                return;
                        }
        fail_msg("no key '%c'", key);
}

static void sim_set(struct sim *s, char key, bool down, int64_t at) {
        unsigned r = 0, c = 0;

        key_pos(s, key, &r, &c);
        sim_run(s, at);
        s->down[r][c] = down;
        sim_levels(s);
}

/* A contact that bounces: `n` changes 300 µs apart, ending in `down`. */
static void sim_bounce(struct sim *s, char key, bool down, int64_t at, unsigned n) {
        for (unsigned i = 0; i < n; i++)
                sim_set(s, key, (n - i) % 2 == 1 ? down : !down, at + (int64_t)i * 300);
}

static void test_config_defaults(void **state) {
        struct dl_matrix_config c;

        (void)state;
        assert_int_equal(dl_matrix_config_init(&c, 3), 0);
        assert_int_equal(c.rows, 4);
        assert_int_equal(c.cols, 3);
        assert_string_equal(c.keys[0], "123");
        assert_string_equal(c.keys[3], "*0#");
        assert_int_equal(c.settle_usec, DL_MATRIX_SETTLE_USEC_DEFAULT);
        assert_int_equal(c.debounce_usec, DL_MATRIX_DEBOUNCE_USEC_DEFAULT);
        assert_int_equal(c.held_poll_usec, 0);
        assert_int_equal(dl_matrix_config_check(&c, NULL), 0);

        assert_int_equal(dl_matrix_config_init(&c, 4), 0);
        assert_string_equal(c.keys[0], "123A");
        assert_string_equal(c.keys[1], "456B");
        assert_string_equal(c.keys[2], "789C");
        assert_string_equal(c.keys[3], "*0#D");
        assert_int_equal(dl_matrix_config_check(&c, NULL), 0);

        assert_int_equal(dl_matrix_config_init(&c, 5), -EINVAL);
        assert_int_equal(c.cols, 3);
        assert_int_equal(dl_matrix_config_init(NULL, 4), -EINVAL);
}

static void expect_keymap_error(const char *const *rows, size_t n, const char *message) {
        struct dl_matrix_config c;
        struct dl_error err = {};

        assert_int_equal(dl_matrix_config_init(&c, 4), 0);
        assert_int_equal(dl_matrix_config_set_keymap(&c, rows, n, &err), -EINVAL);
        assert_int_equal(err.code, -EINVAL);
        assert_non_null(strstr(err.message, message));
        /* Unchanged. */
        assert_string_equal(c.keys[0], "123A");
        assert_int_equal(c.rows, 4);
        assert_int_equal(c.cols, 4);
}

static void test_keymap(void **state) {
        const char *const phone[] = { "123", "456", "789", "*0#" };
        const char *const one[] = { "5" };
        const char *const eight[] = { "0123", "4567", "89*#", "ABCD" };
        const char *const nine_rows[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8" };
        const char *const nine_cols[] = { "0123456789" };
        const char *const uneven[] = { "123", "45" };
        const char *const bad_key[] = { "123", "4E6" };
        const char *const space[] = { "1 3" };
        const char *const dup[] = { "123", "451" };
        const char *const empty[] = { "" };
        const char *const missing[] = { "12", NULL };
        struct dl_matrix_config c;
        struct dl_error err = {};

        (void)state;
        assert_int_equal(dl_matrix_config_init(&c, 4), 0);
        assert_int_equal(dl_matrix_config_set_keymap(&c, phone, 4, &err), 0);
        assert_int_equal(c.rows, 4);
        assert_int_equal(c.cols, 3);
        assert_string_equal(c.keys[3], "*0#");
        assert_string_equal(c.keys[0], "123"); /* the old fourth column is gone */
        assert_int_equal(dl_matrix_config_check(&c, &err), 0);
        assert_int_equal(dl_matrix_config_set_keymap(&c, one, 1, &err), 0);
        assert_int_equal(c.rows, 1);
        assert_int_equal(c.cols, 1);
        assert_int_equal(dl_matrix_config_set_keymap(&c, eight, 4, &err), 0);

        expect_keymap_error(phone, 0, "0 rows");
        expect_keymap_error(nine_rows, 9, "9 rows");
        expect_keymap_error(nine_cols, 1, "too many");
        expect_keymap_error(uneven, 2, "row 2 has 2 keys, row 1 has 3");
        expect_keymap_error(bad_key, 2, "row 2 column 2: not a key");
        expect_keymap_error(space, 1, "column 2: not a key");
        expect_keymap_error(dup, 2, "'1' appears twice");
        expect_keymap_error(empty, 1, "no keys");
        expect_keymap_error(missing, 2, "row 2 is missing");
        assert_int_equal(dl_matrix_config_set_keymap(&c, NULL, 1, &err), -EINVAL);
        assert_int_equal(dl_matrix_config_set_keymap(NULL, phone, 4, NULL), -EINVAL);

        /* One string, as a config file gives it. */
        assert_int_equal(dl_matrix_config_parse_keymap(&c, "  147*  2580\t369# ", &err), 0);
        assert_int_equal(c.rows, 3);
        assert_int_equal(c.cols, 4);
        assert_string_equal(c.keys[1], "2580");
        assert_int_equal(dl_matrix_config_parse_keymap(&c, "", &err), -EINVAL);
        assert_int_equal(dl_matrix_config_parse_keymap(&c, "1 2 3 4 5 6 7 8 9", &err), -EINVAL);
        assert_non_null(strstr(err.message, "more than 8 rows"));
        assert_int_equal(dl_matrix_config_parse_keymap(&c, "0123456789", &err), -EINVAL);
        assert_non_null(strstr(err.message, "too many"));
        assert_int_equal(dl_matrix_config_parse_keymap(&c, "12 1A", &err), -EINVAL);
        assert_non_null(strstr(err.message, "twice"));
        assert_int_equal(c.rows, 3); /* unchanged */
}

static void test_config_check(void **state) {
        struct dl_matrix_config c;
        struct dl_matrix_keypad m;
        struct dl_error err = {};

        (void)state;
        assert_int_equal(dl_matrix_config_init(&c, 4), 0);
        c.settle_usec = 0;
        assert_int_equal(dl_matrix_config_check(&c, &err), -EINVAL);
        assert_non_null(strstr(err.message, "settle time"));
        assert_int_equal(dl_matrix_init(&m, &c, NULL), -EINVAL);
        c.settle_usec = DL_MATRIX_TIMING_USEC_MAX + 1;
        assert_int_equal(dl_matrix_config_check(&c, NULL), -EINVAL);
        c.settle_usec = 10 * MS; /* a VM */
        assert_int_equal(dl_matrix_config_check(&c, NULL), 0);
        c.debounce_usec = -1;
        assert_int_equal(dl_matrix_config_check(&c, &err), -EINVAL);
        assert_non_null(strstr(err.message, "debounce time"));
        c.debounce_usec = 50 * MS;
        c.held_poll_usec = -1;
        assert_int_equal(dl_matrix_config_check(&c, &err), -EINVAL);
        assert_non_null(strstr(err.message, "held poll"));
        c.held_poll_usec = SEC;
        assert_int_equal(dl_matrix_config_check(&c, NULL), 0);

        c.rows = 0;
        assert_int_equal(dl_matrix_config_check(&c, &err), -EINVAL);
        c.rows = 9;
        assert_int_equal(dl_matrix_config_check(&c, NULL), -EINVAL);
        c.rows = 4;
        c.keys[2][1] = 'x';
        assert_int_equal(dl_matrix_config_check(&c, &err), -EINVAL);
        assert_non_null(strstr(err.message, "not a key"));
        c.keys[2][1] = '\0';
        assert_int_equal(dl_matrix_config_check(&c, &err), -EINVAL);
        assert_int_equal(dl_matrix_config_check(NULL, NULL), -EINVAL);
        assert_int_equal(dl_matrix_init(&m, NULL, NULL), -EINVAL);
}

/* Idle means nothing: no timer after init, and a glitch (an edge with no
 * key down) costs one scan and goes back to waiting. */
static void test_idle(void **state) {
        struct sim s;
        struct dl_matrix_action a;

        (void)state;
        sim_init_4x4(&s);
        sim_run(&s, T0 + 10 * SEC);
        assert_int_equal(s.reads, 0);
        assert_int_equal(s.a.next, DL_MATRIX_WAIT_EDGE);
        assert_int_equal(s.a.columns, 0xf);

        assert_int_equal(dl_matrix_row_edge(&s.m, s.now, &a), 0);
        sim_apply(&s, &a);
        sim_run(&s, s.now + SEC);
        assert_int_equal(s.reads, 4); /* one scan */
        assert_int_equal(s.m.n_scans, 1);
        assert_int_equal(s.n_keys, 0);
        assert_int_equal(s.a.next, DL_MATRIX_WAIT_EDGE);
        assert_int_equal(s.m.state, DL_MATRIX_IDLE);
}

/* Every step of a press on the API itself: which column, when to read,
 * reads before their deadline ignored, the key on the last step. */
static void test_settle_and_sequence(void **state) {
        struct dl_matrix_config c;
        struct dl_matrix_keypad m;
        struct dl_matrix_action a;
        const int64_t settle = 70, debounce = 8 * MS;
        int64_t t = T0;

        (void)state;
        assert_int_equal(dl_matrix_config_init(&c, 4), 0);
        c.settle_usec = settle;
        c.debounce_usec = debounce;
        assert_int_equal(dl_matrix_init(&m, &c, &a), 0);

        /* '6': row 1, column 2. */
        assert_int_equal(dl_matrix_row_edge(&m, t, &a), 0);
        for (unsigned scan = 0; scan < 2; scan++) {
                for (unsigned col = 0; col < 4; col++) {
                        assert_int_equal(a.next, DL_MATRIX_READ_ROWS);
                        assert_int_equal(a.columns, 1u << col);
                        assert_int_equal(a.deadline, t + settle);
                        assert_int_equal(a.key, '\0');
                        /* Too early: nothing changes, the same action again. */
                        assert_int_equal(dl_matrix_rows_read(&m, 0x2, t + settle - 1, &a), 0);
                        assert_int_equal(a.columns, 1u << col);
                        assert_int_equal(a.deadline, t + settle);
                        /* An edge during the scan changes nothing either. */
                        assert_int_equal(dl_matrix_row_edge(&m, t + 1, &a), 0);
                        assert_int_equal(a.columns, 1u << col);
                        assert_int_equal(a.deadline, t + settle);
                        t += settle + 5; /* the backend is a little late */
                        assert_int_equal(dl_matrix_rows_read(&m, col == 2 ? 0x2 : 0, t, &a), 0);
                }
                assert_int_equal(a.columns, 0xf);
                assert_int_equal(a.next, DL_MATRIX_READ_ROWS);
                assert_int_equal(a.deadline, t + debounce);
                if (scan == 0) {
                        assert_int_equal(a.key, '\0');
                        assert_int_equal(m.state, DL_MATRIX_CONFIRMING);
                        t += debounce;
                        assert_int_equal(dl_matrix_rows_read(&m, 0x2, t, &a), 0); /* still down */
                }
        }
        assert_int_equal(a.key, '6');
        assert_int_equal(m.state, DL_MATRIX_HELD);
        /* Held: the check after the debounce time finds it down, then
         * nothing at all. */
        t += debounce;
        assert_int_equal(dl_matrix_rows_read(&m, 0x2, t, &a), 0);
        assert_int_equal(a.next, DL_MATRIX_WAIT_EDGE);
        assert_int_equal(a.key, '\0');
        /* A read nobody asked for changes nothing. */
        assert_int_equal(dl_matrix_rows_read(&m, 0, t + SEC, &a), 0);
        assert_int_equal(a.next, DL_MATRIX_WAIT_EDGE);
        assert_int_equal(m.state, DL_MATRIX_HELD);
        /* Released. */
        t += SEC;
        assert_int_equal(dl_matrix_row_edge(&m, t, &a), 0);
        assert_int_equal(a.next, DL_MATRIX_READ_ROWS);
        assert_int_equal(a.deadline, t + debounce);
        assert_int_equal(dl_matrix_rows_read(&m, 0, t + debounce, &a), 0);
        assert_int_equal(a.next, DL_MATRIX_WAIT_EDGE);
        assert_int_equal(m.state, DL_MATRIX_IDLE);
}

static void test_clean_press(void **state) {
        struct sim s;

        (void)state;
        sim_init_4x4(&s);
        sim_set(&s, '5', true, T0);
        sim_set(&s, '5', false, T0 + 150 * MS);
        sim_run(&s, T0 + SEC);
        assert_int_equal(s.n_keys, 1);
        assert_int_equal(s.keys[0], '5');
        /* Two scans a debounce time apart, plus their settle times. */
        assert_true(s.key_at[0] >= T0 + DL_MATRIX_DEBOUNCE_USEC_DEFAULT);
        assert_true(s.key_at[0] <= T0 + DL_MATRIX_DEBOUNCE_USEC_DEFAULT + 8 * DL_MATRIX_SETTLE_USEC_DEFAULT);
        assert_int_equal(s.m.n_scans, 2);
        assert_int_equal(s.m.state, DL_MATRIX_IDLE);
        assert_int_equal(s.a.next, DL_MATRIX_WAIT_EDGE);
}

static void test_bounce(void **state) {
        struct sim s;

        (void)state;
        sim_init_4x4(&s);
        /* Press: 15 changes within 4.5 ms, release: 11 within 3.3 ms;
         * a second press the same way. */
        sim_bounce(&s, '8', true, T0, 15);
        sim_bounce(&s, '8', false, T0 + 200 * MS, 11);
        sim_bounce(&s, '8', true, T0 + 400 * MS, 15);
        sim_bounce(&s, '8', false, T0 + 600 * MS, 11);
        sim_run(&s, T0 + 2 * SEC);
        assert_int_equal(s.n_keys, 2);
        assert_int_equal(s.keys[0], '8');
        assert_int_equal(s.keys[1], '8');
        assert_true(s.key_at[0] < T0 + 200 * MS);
        assert_true(s.key_at[1] > T0 + 400 * MS);
        assert_int_equal(s.m.state, DL_MATRIX_IDLE);

        /* Bouncing while held (a finger rolling on a dome) is no release:
         * the contact is open 300 µs at a time, less than the debounce. */
        sim_set(&s, '2', true, T0 + 3 * SEC);
        sim_bounce(&s, '2', true, T0 + 3 * SEC + 100 * MS, 6);
        sim_bounce(&s, '2', true, T0 + 3 * SEC + 300 * MS, 4);
        sim_set(&s, '2', false, T0 + 3 * SEC + 500 * MS);
        sim_run(&s, T0 + 5 * SEC);
        assert_int_equal(s.n_keys, 3);
        assert_int_equal(s.keys[2], '2');
}

/* A press shorter than the debounce time is no key. */
static void test_glitch(void **state) {
        struct sim s;

        (void)state;
        sim_init_4x4(&s);
        sim_set(&s, '1', true, T0);
        sim_set(&s, '1', false, T0 + 2 * MS);
        sim_run(&s, T0 + SEC);
        assert_int_equal(s.n_keys, 0);
        assert_int_equal(s.m.state, DL_MATRIX_IDLE);
        assert_int_equal(s.a.next, DL_MATRIX_WAIT_EDGE);
}

static void test_two_keys(void **state) {
        struct sim s;

        (void)state;
        sim_init_4x4(&s);
        /* Same row, same column, neither: never a key. */
        const char pairs[][2] = { { '1', '3' }, { '2', '0' }, { '4', 'C' }, { 'A', '*' } };
        int64_t t = T0;

        for (size_t i = 0; i < ELEMENTSOF(pairs); i++) {
                sim_set(&s, pairs[i][0], true, t);
                sim_set(&s, pairs[i][1], true, t);
                sim_run(&s, t + SEC);
                assert_int_equal(s.n_keys, 0);
                assert_int_equal(s.m.state, DL_MATRIX_HELD);
                assert_int_equal(s.a.next, DL_MATRIX_WAIT_EDGE); /* no scanning while they are down */
                /* Releasing one leaves the other: still nothing. */
                sim_set(&s, pairs[i][0], false, t + SEC);
                sim_run(&s, t + 2 * SEC);
                assert_int_equal(s.n_keys, 0);
                sim_set(&s, pairs[i][1], false, t + 2 * SEC);
                sim_run(&s, t + 3 * SEC);
                assert_int_equal(s.m.state, DL_MATRIX_IDLE);
                t += 3 * SEC;
        }
        /* Re-armed: one key works. */
        sim_set(&s, '9', true, t);
        sim_set(&s, '9', false, t + 100 * MS);
        sim_run(&s, t + SEC);
        assert_int_equal(s.n_keys, 1);
        assert_int_equal(s.keys[0], '9');

        /* The second key comes between the two scans: no key either. */
        t += SEC;
        sim_set(&s, '4', true, t);
        sim_set(&s, '6', true, t + 3 * MS);
        sim_run(&s, t + SEC);
        assert_int_equal(s.n_keys, 1);
        sim_set(&s, '4', false, t + SEC);
        sim_set(&s, '6', false, t + SEC);
        sim_run(&s, t + 2 * SEC);
        assert_int_equal(s.m.state, DL_MATRIX_IDLE);
}

static void test_ghosting(void **state) {
        struct sim s;

        (void)state;
        sim_init_4x4(&s);
        /* 1, 2 and 5: the scan also sees 4 (row 1 joined to column 0
         * through 5, 2 and 1). */
        assert_int_equal(sim_rows(&s, 0x1), 0);
        sim_set(&s, '1', true, T0);
        sim_set(&s, '2', true, T0);
        sim_set(&s, '5', true, T0);
        assert_int_equal(sim_rows(&s, 0x1), 0x3); /* the ghost: row 1 low on column 0 */
        sim_run(&s, T0 + SEC);
        assert_int_equal(s.n_keys, 0);
        assert_int_equal(s.m.state, DL_MATRIX_HELD);
        sim_set(&s, '1', false, T0 + SEC);
        sim_set(&s, '2', false, T0 + SEC);
        sim_set(&s, '5', false, T0 + SEC);
        sim_run(&s, T0 + 2 * SEC);
        assert_int_equal(s.n_keys, 0);
        assert_int_equal(s.m.state, DL_MATRIX_IDLE);
}

/* Held for a minute: one key, and only the reads right after acceptance. */
static void test_held(void **state) {
        struct sim s;
        unsigned reads, edges;

        (void)state;
        sim_init_4x4(&s);
        sim_set(&s, '#', true, T0);
        sim_run(&s, T0 + SEC);
        assert_int_equal(s.n_keys, 1);
        assert_int_equal(s.keys[0], '#');
        reads = s.reads;
        edges = s.edges;
        /* 2 scans of 4 reads, 1 read between them, 1 after acceptance. */
        assert_int_equal(reads, 10);
        sim_run(&s, T0 + 60 * SEC);
        assert_int_equal(s.n_keys, 1);
        assert_int_equal(s.reads, reads);
        assert_int_equal(s.edges, edges);
        assert_int_equal(s.m.n_scans, 2);
        assert_int_equal(s.a.next, DL_MATRIX_WAIT_EDGE);
        sim_set(&s, '#', false, T0 + 60 * SEC);
        sim_run(&s, T0 + 61 * SEC);
        assert_int_equal(s.n_keys, 1);
        assert_int_equal(s.reads, reads + 1); /* one read confirms the release */
        assert_int_equal(s.m.state, DL_MATRIX_IDLE);
}

/* With held_poll_usec: one read (not a scan) per interval while held. */
static void test_held_poll(void **state) {
        struct dl_matrix_config c;
        struct sim s;
        unsigned reads;

        (void)state;
        assert_int_equal(dl_matrix_config_init(&c, 4), 0);
        c.held_poll_usec = 500 * MS;
        sim_init(&s, &c);
        sim_set(&s, 'B', true, T0);
        sim_run(&s, T0 + 100 * MS);
        assert_int_equal(s.n_keys, 1);
        reads = s.reads;
        sim_run(&s, T0 + 100 * MS + 10 * SEC);
        assert_int_equal(s.reads - reads, 20);
        assert_int_equal(s.m.n_scans, 2);
        assert_int_equal(s.n_keys, 1);

        /* It finds a release whose edge was lost. */
        s.drop_edges = true;
        sim_set(&s, 'B', false, s.now);
        s.drop_edges = false;
        sim_run(&s, s.now + SEC);
        assert_int_equal(s.m.state, DL_MATRIX_IDLE);
        sim_set(&s, 'B', true, s.now);
        sim_run(&s, s.now + 100 * MS);
        assert_int_equal(s.n_keys, 2);
}

/* Without the poll, a lost release edge costs one press, never a wrong or
 * repeated key: the next press's edges find a key down, its release
 * re-arms. */
static void test_lost_release_edge(void **state) {
        struct sim s;
        int64_t t = T0;

        (void)state;
        sim_init_4x4(&s);
        sim_set(&s, '7', true, t);
        sim_run(&s, t + 100 * MS);
        assert_int_equal(s.n_keys, 1);
        s.drop_edges = true;
        sim_set(&s, '7', false, t + 100 * MS);
        s.drop_edges = false;
        sim_run(&s, t + 10 * SEC);
        assert_int_equal(s.m.state, DL_MATRIX_HELD);
        t += 10 * SEC;
        sim_set(&s, '3', true, t);
        sim_set(&s, '3', false, t + 100 * MS);
        sim_run(&s, t + SEC);
        assert_int_equal(s.n_keys, 1); /* swallowed */
        assert_int_equal(s.m.state, DL_MATRIX_IDLE);
        t += SEC;
        sim_set(&s, '3', true, t);
        sim_set(&s, '3', false, t + 100 * MS);
        sim_run(&s, t + SEC);
        assert_int_equal(s.n_keys, 2);
        assert_int_equal(s.keys[1], '3');
}

static void test_release_repress(void **state) {
        struct sim s;
        int64_t t = T0;

        (void)state;
        sim_init_4x4(&s);
        for (unsigned i = 0; i < 5; i++) {
                sim_set(&s, '0', true, t);
                sim_set(&s, '0', false, t + 60 * MS);
                t += 120 * MS; /* a fast typist */
        }
        sim_run(&s, t + SEC);
        assert_int_equal(s.n_keys, 5);
        assert_int_equal(memcmp(s.keys, "00000", 5), 0);

        /* Held 'A', then 'D' pressed too, 'A' released: 'D' is not taken
         * (it was never seen alone from a released keypad). */
        t += SEC;
        sim_set(&s, 'A', true, t);
        sim_set(&s, 'D', true, t + 200 * MS);
        sim_set(&s, 'A', false, t + 400 * MS);
        sim_run(&s, t + SEC);
        assert_int_equal(s.n_keys, 6);
        assert_int_equal(s.keys[5], 'A');
        assert_int_equal(s.m.state, DL_MATRIX_HELD);
        sim_set(&s, 'D', false, t + SEC);
        sim_run(&s, t + 2 * SEC);
        assert_int_equal(s.m.state, DL_MATRIX_IDLE);
        assert_int_equal(s.n_keys, 6);
}

/* Released during the second scan: the release leaves no edge (its column
 * was not active), so the read after acceptance must find it. */
static void test_release_during_scan(void **state) {
        struct dl_matrix_config c;
        struct dl_matrix_keypad m;
        struct dl_matrix_action a;
        int64_t t = T0;

        (void)state;
        assert_int_equal(dl_matrix_config_init(&c, 3), 0);
        assert_int_equal(dl_matrix_init(&m, &c, &a), 0);
        /* '1': row 0, column 0. */
        assert_int_equal(dl_matrix_row_edge(&m, t, &a), 0);
        for (unsigned scan = 0; scan < 2; scan++) {
                for (unsigned col = 0; col < 3; col++) {
                        t = a.deadline;
                        assert_int_equal(dl_matrix_rows_read(&m, col == 0 ? 0x1 : 0, t, &a), 0);
                }
                if (scan == 0) {
                        t = a.deadline;
                        assert_int_equal(dl_matrix_rows_read(&m, 0x1, t, &a), 0);
                }
        }
        assert_int_equal(a.key, '1');
        t = a.deadline;
        assert_int_equal(dl_matrix_rows_read(&m, 0, t, &a), 0); /* already up */
        assert_int_equal(m.state, DL_MATRIX_IDLE);
        assert_int_equal(a.next, DL_MATRIX_WAIT_EDGE);

        /* Released between the scans: no key. */
        assert_int_equal(dl_matrix_row_edge(&m, t, &a), 0);
        for (unsigned col = 0; col < 3; col++) {
                t = a.deadline;
                assert_int_equal(dl_matrix_rows_read(&m, col == 0 ? 0x1 : 0, t, &a), 0);
        }
        t = a.deadline;
        assert_int_equal(dl_matrix_rows_read(&m, 0, t, &a), 0);
        assert_int_equal(m.state, DL_MATRIX_IDLE);
        assert_int_equal(a.key, '\0');
}

/* Released means all rows high and no edge for the debounce time: a read
 * that finds them high just after an edge looks again later. */
static void test_release_stability(void **state) {
        struct dl_matrix_config c;
        struct dl_matrix_keypad m;
        struct dl_matrix_action a;
        const int64_t debounce = DL_MATRIX_DEBOUNCE_USEC_DEFAULT;
        int64_t t = T0;

        (void)state;
        assert_int_equal(dl_matrix_config_init(&c, 3), 0);
        assert_int_equal(dl_matrix_init(&m, &c, &a), 0);
        assert_int_equal(dl_matrix_row_edge(&m, t, &a), 0);
        while (a.key == '\0') {
                t = a.deadline;
                /* '1' (row 0, column 0) down; idle reads see row 0 too. */
                assert_int_equal(dl_matrix_rows_read(&m, a.columns & 1 ? 0x1 : 0, t, &a), 0);
        }
        assert_int_equal(a.key, '1');
        t = a.deadline;
        assert_int_equal(dl_matrix_rows_read(&m, 0x1, t, &a), 0);
        assert_int_equal(a.next, DL_MATRIX_WAIT_EDGE);

        /* Release edge at t, bounce until t + debounce - 1. */
        t += SEC;
        assert_int_equal(dl_matrix_row_edge(&m, t, &a), 0);
        assert_int_equal(a.deadline, t + debounce);
        assert_int_equal(dl_matrix_row_edge(&m, t + debounce - 1, &a), 0);
        assert_int_equal(a.deadline, t + debounce); /* an edge does not delay the read */
        assert_int_equal(dl_matrix_rows_read(&m, 0, t + debounce, &a), 0);
        assert_int_equal(m.state, DL_MATRIX_HELD);
        assert_int_equal(a.next, DL_MATRIX_READ_ROWS);
        assert_int_equal(a.deadline, t + 2 * debounce - 1);
        /* Closed again at that read: still held, no key. */
        assert_int_equal(dl_matrix_rows_read(&m, 0x1, t + 2 * debounce - 1, &a), 0);
        assert_int_equal(m.state, DL_MATRIX_HELD);
        assert_int_equal(a.next, DL_MATRIX_WAIT_EDGE);
        assert_int_equal(a.key, '\0');
        /* Open and quiet: released. */
        t += SEC;
        assert_int_equal(dl_matrix_row_edge(&m, t, &a), 0);
        assert_int_equal(dl_matrix_rows_read(&m, 0, t + debounce, &a), 0);
        assert_int_equal(m.state, DL_MATRIX_IDLE);
}

/* A different key each scan (a contact chattering between two pads):
 * refused after DL_MATRIX_SCANS_MAX scans, no key. */
static void test_chatter(void **state) {
        struct dl_matrix_config c;
        struct dl_matrix_keypad m;
        struct dl_matrix_action a;
        int64_t t = T0;

        (void)state;
        assert_int_equal(dl_matrix_config_init(&c, 3), 0);
        assert_int_equal(dl_matrix_init(&m, &c, &a), 0);
        assert_int_equal(dl_matrix_row_edge(&m, t, &a), 0);
        for (unsigned scan = 0; scan < DL_MATRIX_SCANS_MAX; scan++) {
                assert_int_equal(m.state, DL_MATRIX_SCANNING);
                for (unsigned col = 0; col < 3; col++) {
                        t = a.deadline;
                        /* Scan n sees row n % 2 on column 0 only. */
                        assert_int_equal(dl_matrix_rows_read(&m, col == 0 ? 1u << (scan % 2) : 0, t, &a), 0);
                        assert_int_equal(a.key, '\0');
                }
                t = a.deadline;
                assert_int_equal(dl_matrix_rows_read(&m, 0x1, t, &a), 0);
        }
        assert_int_equal(m.state, DL_MATRIX_HELD);
        assert_int_equal(m.n_scans, DL_MATRIX_SCANS_MAX);
        assert_int_equal(a.next, DL_MATRIX_WAIT_EDGE);
}

/* Press and release every key of the map, each held `hold`. */
static void every_key(const struct dl_matrix_config *c, int64_t hold) {
        struct sim s;
        int64_t t = T0;
        size_t n = 0;

        sim_init(&s, c);
        for (unsigned r = 0; r < c->rows; r++)
                for (unsigned col = 0; col < c->cols; col++) {
                        char key = c->keys[r][col];

                        sim_set(&s, key, true, t);
                        sim_set(&s, key, false, t + hold);
                        sim_run(&s, t + 2 * hold);
                        n++;
                        assert_int_equal(s.n_keys, n);
                        assert_int_equal(s.keys[n - 1], key);
                        t += 2 * hold;
                }
        assert_int_equal(n, c->rows * c->cols);
}

static void test_every_key(void **state) {
        const char *const odd[] = { "D0", "#1", "*2", "C3", "B4", "A5", "96", "87" };
        struct dl_matrix_config c;

        (void)state;
        assert_int_equal(dl_matrix_config_init(&c, 4), 0);
        every_key(&c, 80 * MS);
        assert_int_equal(dl_matrix_config_init(&c, 3), 0);
        every_key(&c, 80 * MS);
        /* 8 rows, 2 columns, and slow VM timings. */
        assert_int_equal(dl_matrix_config_set_keymap(&c, odd, ELEMENTSOF(odd), NULL), 0);
        c.settle_usec = 10 * MS;
        c.debounce_usec = 50 * MS;
        every_key(&c, 300 * MS);
}

static void test_time(void **state) {
        struct dl_matrix_config c;
        struct dl_matrix_keypad m;
        struct dl_matrix_action a;

        (void)state;
        assert_int_equal(dl_matrix_config_init(&c, 4), 0);
        assert_int_equal(dl_matrix_init(&m, &c, &a), 0);
        /* An edge stamped before the latest time seen counts as now. */
        assert_int_equal(dl_matrix_row_edge(&m, T0, &a), 0);
        assert_int_equal(dl_matrix_rows_read(&m, 0, T0 - SEC, &a), 0); /* too early */
        assert_int_equal(a.deadline, T0 + c.settle_usec);
        /* Near the end of time: deadlines saturate. */
        assert_int_equal(dl_matrix_init(&m, &c, &a), 0);
        assert_int_equal(dl_matrix_row_edge(&m, INT64_MAX - 10, &a), 0);
        assert_int_equal(a.deadline, INT64_MAX);
        assert_int_equal(dl_matrix_rows_read(&m, 0x1, INT64_MAX, &a), 0);
        assert_int_equal(a.deadline, INT64_MAX);
}

static void test_null(void **state) {
        struct dl_matrix_action a;

        (void)state;
        assert_int_equal(dl_matrix_init(NULL, NULL, &a), -EINVAL);
        assert_int_equal(dl_matrix_row_edge(NULL, T0, &a), -EINVAL);
        assert_int_equal(dl_matrix_rows_read(NULL, 0, T0, &a), -EINVAL);
        assert_int_equal(dl_matrix_all_columns(NULL), 0);
        assert_string_equal(dl_matrix_state_to_string(DL_MATRIX_HELD), "held");
        assert_null(dl_matrix_state_to_string((enum dl_matrix_state)99));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_config_defaults),
                cmocka_unit_test(test_keymap),
                cmocka_unit_test(test_config_check),
                cmocka_unit_test(test_idle),
                cmocka_unit_test(test_settle_and_sequence),
                cmocka_unit_test(test_clean_press),
                cmocka_unit_test(test_bounce),
                cmocka_unit_test(test_glitch),
                cmocka_unit_test(test_two_keys),
                cmocka_unit_test(test_ghosting),
                cmocka_unit_test(test_held),
                cmocka_unit_test(test_held_poll),
                cmocka_unit_test(test_lost_release_edge),
                cmocka_unit_test(test_release_repress),
                cmocka_unit_test(test_release_during_scan),
                cmocka_unit_test(test_release_stability),
                cmocka_unit_test(test_chatter),
                cmocka_unit_test(test_every_key),
                cmocka_unit_test(test_time),
                cmocka_unit_test(test_null),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
