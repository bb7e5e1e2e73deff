/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "matrix-keypad.h"

#include <inttypes.h>
#include <string.h>

#include "macro.h"

static const char *const state_names[] = {
        [DL_MATRIX_IDLE] = "idle",
        [DL_MATRIX_SCANNING] = "scanning",
        [DL_MATRIX_CONFIRMING] = "confirming",
        [DL_MATRIX_HELD] = "held",
};

static const char *const default_rows[4] = { "123A", "456B", "789C", "*0#D" };

int dl_matrix_config_init(struct dl_matrix_config *c, unsigned cols) {
        int r = 0;

        if (!c)
                return -EINVAL;
        memset(c, 0, sizeof(*c));
        if (cols != 3 && cols != 4) {
                cols = 3;
                r = -EINVAL;
        }
        c->rows = ELEMENTSOF(default_rows);
        c->cols = cols;
        for (unsigned i = 0; i < c->rows; i++)
                memcpy(c->keys[i], default_rows[i], cols);
        c->settle_usec = DL_MATRIX_SETTLE_USEC_DEFAULT;
        c->debounce_usec = DL_MATRIX_DEBOUNCE_USEC_DEFAULT;
        c->held_poll_usec = 0;
        return r;
}

/* rows[] and its sizes as a map: the checks shared by set_keymap and
 * config_check. */
static int check_keymap(const char *const *rows, size_t n_rows, struct dl_error *err) {
        bool seen[sizeof(DL_MATRIX_KEYS) - 1] = {};
        size_t cols;

        if (n_rows < 1 || n_rows > DL_MATRIX_MAX)
                return dl_error_set(err, -EINVAL, "key map has %zu rows, must be 1..%d", n_rows,
                                    DL_MATRIX_MAX);
        if (!rows[0])
                return dl_error_set(err, -EINVAL, "key map row 1 is missing");
        cols = strnlen(rows[0], DL_MATRIX_MAX + 1);
        for (size_t r = 0; r < n_rows; r++) {
                size_t len;

                if (!rows[r])
                        return dl_error_set(err, -EINVAL, "key map row %zu is missing", r + 1);
                len = strnlen(rows[r], DL_MATRIX_MAX + 1);
                if (len < 1 || len > DL_MATRIX_MAX)
                        return dl_error_set(err, -EINVAL, "key map row %zu has %s keys, must be 1..%d",
                                            r + 1, len < 1 ? "no" : "too many", DL_MATRIX_MAX);
                if (len != cols)
                        return dl_error_set(err, -EINVAL, "key map row %zu has %zu keys, row 1 has %zu",
                                            r + 1, len, cols);
                for (size_t c = 0; c < len; c++) {
                        const char *k = memchr(DL_MATRIX_KEYS, rows[r][c], sizeof(DL_MATRIX_KEYS) - 1);

                        if (!k || rows[r][c] == '\0')
                                return dl_error_set(err, -EINVAL,
                                                    "key map row %zu column %zu: not a key (0-9 * # A-D)",
                                                    r + 1, c + 1);
                        if (seen[k - DL_MATRIX_KEYS])
                                return dl_error_set(err, -EINVAL, "key map: key '%c' appears twice", *k);
                        seen[k - DL_MATRIX_KEYS] = true;
                }
        }
        return 0;
}

int dl_matrix_config_set_keymap(struct dl_matrix_config *c, const char *const *rows, size_t n_rows,
                                struct dl_error *err) {
        int r;

        if (!c || !rows)
                return dl_error_set(err, -EINVAL, "no key map");
        r = check_keymap(rows, n_rows, err);
        if (r < 0)
                return r;
        memset(c->keys, 0, sizeof(c->keys));
        c->rows = n_rows;
        c->cols = strlen(rows[0]);
        for (size_t i = 0; i < n_rows; i++)
                memcpy(c->keys[i], rows[i], c->cols);
        return 0;
}

int dl_matrix_config_parse_keymap(struct dl_matrix_config *c, const char *s, struct dl_error *err) {
        char buf[DL_MATRIX_MAX][DL_MATRIX_MAX + 2];
        const char *rows[DL_MATRIX_MAX];
        size_t n = 0;

        if (!c || !s)
                return dl_error_set(err, -EINVAL, "no key map");
        for (const char *p = s;;) {
                size_t len;

                p += strspn(p, " \t");
                if (*p == '\0')
                        break;
                len = strcspn(p, " \t");
                if (n == DL_MATRIX_MAX)
                        return dl_error_set(err, -EINVAL, "key map has more than %d rows", DL_MATRIX_MAX);
                /* One more than a row may hold, so an overlong one is
                 * refused by check_keymap() with the right message. */
                len = MIN(len, (size_t)DL_MATRIX_MAX + 1);
                memcpy(buf[n], p, len);
                buf[n][len] = '\0';
                rows[n] = buf[n];
                n++;
                p += strcspn(p, " \t");
        }
        return dl_matrix_config_set_keymap(c, rows, n, err);
}

static int check_timing(const char *name, int64_t v, bool zero_ok, struct dl_error *err) {
        if ((zero_ok && v == 0) || (v > 0 && v <= DL_MATRIX_TIMING_USEC_MAX))
                return 0;
        return dl_error_set(err, -EINVAL, "%s must be %s1..%" PRId64 " usec", name, zero_ok ? "0 or " : "",
                            DL_MATRIX_TIMING_USEC_MAX);
}

int dl_matrix_config_check(const struct dl_matrix_config *c, struct dl_error *err) {
        const char *rows[DL_MATRIX_MAX];
        int r;

        if (!c)
                return dl_error_set(err, -EINVAL, "no keypad config");
        if (c->rows < 1 || c->rows > DL_MATRIX_MAX || c->cols < 1 || c->cols > DL_MATRIX_MAX)
                return dl_error_set(err, -EINVAL, "keypad of %ux%u, rows and columns must be 1..%d", c->rows,
                                    c->cols, DL_MATRIX_MAX);
        for (unsigned i = 0; i < c->rows; i++) {
                if (strnlen(c->keys[i], sizeof(c->keys[i])) != c->cols)
                        return dl_error_set(err, -EINVAL, "key map row %u does not have %u keys", i + 1,
                                            c->cols);
                rows[i] = c->keys[i];
        }
        r = check_keymap(rows, c->rows, err);
        if (r < 0)
                return r;
        if ((r = check_timing("settle time", c->settle_usec, false, err)) < 0 ||
            (r = check_timing("debounce time", c->debounce_usec, false, err)) < 0 ||
            (r = check_timing("held poll interval", c->held_poll_usec, true, err)) < 0)
                return r;
        return 0;
}

uint32_t dl_matrix_all_columns(const struct dl_matrix_keypad *m) {
        if (!m || m->config.cols == 0)
                return 0;
        return (UINT32_C(1) << m->config.cols) - 1;
}

const char *dl_matrix_state_to_string(enum dl_matrix_state s) {
        if ((unsigned)s >= ELEMENTSOF(state_names))
                return NULL;
        return state_names[s];
}

/* now + d, never 0 (which means "none"), never overflowing. */
static int64_t deadline_after(int64_t now, int64_t d) {
        int64_t t;

        if (now > INT64_MAX - d)
                return INT64_MAX;
        t = now + d;
        return t != 0 ? t : 1;
}

static void act_wait(struct dl_matrix_keypad *m) {
        m->action = (struct dl_matrix_action){ .columns = dl_matrix_all_columns(m),
                                               .next = DL_MATRIX_WAIT_EDGE };
}

static void act_read(struct dl_matrix_keypad *m, uint32_t columns, int64_t deadline) {
        m->action = (struct dl_matrix_action){
                .columns = columns,
                .next = DL_MATRIX_READ_ROWS,
                .deadline = deadline,
        };
        m->n_reads++;
}

static void go_idle(struct dl_matrix_keypad *m) {
        m->state = DL_MATRIX_IDLE;
        m->candidate = -1;
        m->scans = 0;
        m->held = '\0';
        act_wait(m);
}

/* Scan: column 0 first, every other column inactive. */
static void start_scan(struct dl_matrix_keypad *m) {
        m->state = DL_MATRIX_SCANNING;
        m->column = 0;
        memset(m->scan, 0, sizeof(m->scan));
        m->scans++;
        m->n_scans++;
        act_read(m, UINT32_C(1), deadline_after(m->now, m->config.settle_usec));
}

/* Accepted or refused: all columns active again, and look once whether the
 * keys are still down (a release during the scan leaves no edge). */
static void go_held(struct dl_matrix_keypad *m, char key) {
        m->state = DL_MATRIX_HELD;
        m->held = key;
        m->candidate = -1;
        act_read(m, dl_matrix_all_columns(m), deadline_after(m->now, m->config.debounce_usec));
}

/* The scan is complete: how many keys were down, and which. */
static char scan_done(struct dl_matrix_keypad *m) {
        unsigned n = 0;
        int which = -1;

        for (unsigned c = 0; c < m->config.cols; c++)
                for (unsigned r = 0; r < m->config.rows; r++)
                        if (m->scan[c] & (UINT32_C(1) << r)) {
                                n++;
                                which = (int)(r * m->config.cols + c);
                        }

        if (n == 0) {
                /* Gone before it was seen twice: a bounce or a glitch. */
                go_idle(m);
                return '\0';
        }
        if (n > 1) {
                /* Two keys, or three and their ghost: no key until all are
                 * released. */
                go_held(m, '\0');
                return '\0';
        }
        if (which == m->candidate) {
                char key =
                        m->config.keys[(unsigned)which / m->config.cols][(unsigned)which % m->config.cols];

                go_held(m, key);
                return key;
        }
        if (m->scans >= DL_MATRIX_SCANS_MAX) {
                /* A different key each time: a chattering contact or a
                 * rolling press.  Refuse rather than guess. */
                go_held(m, '\0');
                return '\0';
        }
        m->candidate = which;
        m->state = DL_MATRIX_CONFIRMING;
        act_read(m, dl_matrix_all_columns(m), deadline_after(m->now, m->config.debounce_usec));
        return '\0';
}

static void held_read(struct dl_matrix_keypad *m, uint32_t rows_low) {
        int64_t quiet_since;

        if (rows_low != 0) {
                /* Still down: nothing until an edge (or the slow poll). */
                if (m->config.held_poll_usec > 0)
                        act_read(m, dl_matrix_all_columns(m),
                                 deadline_after(m->now, m->config.held_poll_usec));
                else
                        act_wait(m);
                return;
        }
        /* All up: released once no edge came for the debounce time. */
        quiet_since = m->last_edge;
        if (quiet_since > 0 && m->now - quiet_since < m->config.debounce_usec) {
                act_read(m, dl_matrix_all_columns(m), deadline_after(quiet_since, m->config.debounce_usec));
                return;
        }
        go_idle(m);
}

static void take_time(struct dl_matrix_keypad *m, int64_t now) {
        m->now = MAX(m->now, now);
}

static int ret_action(struct dl_matrix_keypad *m, char key, struct dl_matrix_action *ret) {
        if (ret) {
                *ret = m->action;
                ret->key = key;
        }
        return 0;
}

int dl_matrix_init(struct dl_matrix_keypad *m, const struct dl_matrix_config *c,
                   struct dl_matrix_action *ret) {
        int r;

        if (!m)
                return -EINVAL;
        r = dl_matrix_config_check(c, NULL);
        if (r < 0)
                return r;
        memset(m, 0, sizeof(*m));
        m->config = *c;
        go_idle(m);
        return ret_action(m, '\0', ret);
}

int dl_matrix_row_edge(struct dl_matrix_keypad *m, int64_t now, struct dl_matrix_action *ret) {
        if (!m || m->config.cols == 0)
                return -EINVAL;
        take_time(m, now);
        m->last_edge = m->now;

        switch (m->state) {
        case DL_MATRIX_IDLE:
                start_scan(m);
                break;
        case DL_MATRIX_SCANNING:
        case DL_MATRIX_CONFIRMING:
                /* Our own column changes cause these; the scans decide. */
                break;
        case DL_MATRIX_HELD:
                /* Look after the debounce time, unless a read comes sooner. */
                if (m->action.next != DL_MATRIX_READ_ROWS ||
                    m->action.deadline > deadline_after(m->now, m->config.debounce_usec))
                        act_read(m, dl_matrix_all_columns(m),
                                 deadline_after(m->now, m->config.debounce_usec));
                break;
        }
        return ret_action(m, '\0', ret);
}

int dl_matrix_rows_read(struct dl_matrix_keypad *m, uint32_t rows_low, int64_t now,
                        struct dl_matrix_action *ret) {
        char key = '\0';

        if (!m || m->config.cols == 0)
                return -EINVAL;
        take_time(m, now);
        if (m->action.next != DL_MATRIX_READ_ROWS || m->now < m->action.deadline)
                return ret_action(m, '\0', ret); /* not asked for, or too early */
        rows_low &= (UINT32_C(1) << m->config.rows) - 1;

        switch (m->state) {
        case DL_MATRIX_IDLE:
                act_wait(m); /* cannot happen: idle never reads */
                break;
        case DL_MATRIX_SCANNING:
                m->scan[m->column] = rows_low;
                m->column++;
                if (m->column < m->config.cols)
                        act_read(m, UINT32_C(1) << m->column, deadline_after(m->now, m->config.settle_usec));
                else
                        key = scan_done(m);
                break;
        case DL_MATRIX_CONFIRMING:
                if (rows_low == 0)
                        go_idle(m); /* released before the second scan */
                else
                        start_scan(m);
                break;
        case DL_MATRIX_HELD:
                held_read(m, rows_low);
                break;
        }
        return ret_action(m, key, ret);
}
