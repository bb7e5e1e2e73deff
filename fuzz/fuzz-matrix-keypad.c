/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The matrix keypad state machine (matrix-keypad.c) on a simulated keypad:
 * bytes press and release keys, let time pass, lose edges or make
 * spurious ones, while a simulated backend carries out every action
 * (drives the columns, reads the rows at the deadline, reports an edge on
 * every row change, the machine's own column changes included).  Rows are
 * joined through pressed keys without diodes, so several keys ghost.
 *
 * Input: the first byte picks the keypad: bit 0 4x4 (else 4x3), bit 1 the
 * held poll (200 ms), bit 2 VM timings (settle 10 ms, debounce 50 ms).
 * Then one command per byte, by its low two bits:
 *   0  toggle key (b >> 2) % keys
 *   1  ((b >> 2) + 1) * 100 µs pass
 *   2  ((b >> 2) + 1) * 5 ms pass
 *   3  bit 2 set: a spurious row edge; clear: edges are lost from now on
 *      (or no longer)
 * Asserted: a key is one of the map's; never more keys than presses
 * (changes from no key down to some key down); a key was down within the
 * last scan; every read was asked for with a deadline not in the past;
 * idle and held mean all columns active; and reads are bounded by the
 * edges that caused them (plus the held poll): no scanning on its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "macro.h"
#include "matrix-keypad.h"
#include "matrix-wiring.h"

#define MS ((int64_t)1000)

struct sim {
        struct dl_matrix_keypad m;
        struct dl_matrix_action a;
        bool down[DL_MATRIX_MAX][DL_MATRIX_MAX];
        int64_t up_at[DL_MATRIX_MAX][DL_MATRIX_MAX]; /* when last released */
        unsigned n_down;
        uint32_t rows_low;
        int64_t now, start;
        bool drop_edges, lost; /* lost: an edge was dropped at some point */
        uint64_t presses, keys, edges, reads;
        unsigned depth;
};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc, (void)argv;
        return 0;
}

static uint32_t sim_rows(const struct sim *s, uint32_t columns) {
        return matrix_wiring_rows_low(s->m.config.rows, s->m.config.cols, s->down, columns);
}

static void sim_apply(struct sim *s, const struct dl_matrix_action *a);

static void sim_levels(struct sim *s) {
        uint32_t low = sim_rows(s, s->a.columns);
        struct dl_matrix_action a;

        if (low == s->rows_low)
                return;
        s->rows_low = low;
        if (s->drop_edges) {
                s->lost = true;
                return;
        }
        s->edges++;
        if (dl_matrix_row_edge(&s->m, s->now, &a) < 0)
                abort();
        sim_apply(s, &a);
}

/* Was `key` down at some point since `since`? */
static bool key_down_since(const struct sim *s, char key, int64_t since) {
        for (unsigned r = 0; r < s->m.config.rows; r++)
                for (unsigned c = 0; c < s->m.config.cols; c++)
                        if (s->m.config.keys[r][c] == key)
                                return s->down[r][c] || s->up_at[r][c] >= since;
        return false;
}

static void sim_apply(struct sim *s, const struct dl_matrix_action *a) {
        const struct dl_matrix_config *c = &s->m.config;
        uint32_t all = dl_matrix_all_columns(&s->m);

        /* Edges from the machine's own column changes recurse once: the
         * columns an edge's action drives do not change during a scan. */
        if (++s->depth > 4)
                abort();
        if (a->columns & ~all)
                abort();
        if (a->next == DL_MATRIX_READ_ROWS) {
                if (a->deadline <= 0 || a->deadline < s->now)
                        abort();
        } else if (a->next != DL_MATRIX_WAIT_EDGE || a->columns != all || a->deadline != 0)
                abort();
        if ((s->m.state == DL_MATRIX_IDLE || s->m.state == DL_MATRIX_HELD) && a->columns != all)
                abort();
        if (a->key) {
                /* One of the map's keys, down during the last scan. */
                if (!strchr(DL_MATRIX_KEYS, a->key) || !memchr(c->keys, a->key, sizeof(c->keys)))
                        abort();
                if (!key_down_since(s, a->key, s->now - (int64_t)c->cols * c->settle_usec - 1))
                        abort();
                s->keys++;
                if (s->keys > s->presses)
                        abort();
        }
        s->a = *a;
        sim_levels(s);
        s->depth--;
}

static void sim_run(struct sim *s, int64_t until) {
        while (s->a.next == DL_MATRIX_READ_ROWS && s->a.deadline <= until) {
                struct dl_matrix_action a;

                s->now = MAX(s->now, s->a.deadline);
                s->reads++;
                if (dl_matrix_rows_read(&s->m, sim_rows(s, s->a.columns), s->now, &a) < 0)
                        abort();
                sim_apply(s, &a);
        }
        s->now = MAX(s->now, until);
}

static void sim_toggle(struct sim *s, unsigned k) {
        unsigned r = k / s->m.config.cols, c = k % s->m.config.cols;

        s->down[r][c] = !s->down[r][c];
        if (s->down[r][c]) {
                if (s->n_down++ == 0)
                        s->presses++;
        } else {
                s->n_down--;
                s->up_at[r][c] = s->now;
        }
        sim_levels(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fuzz_input in = { data, size, 0 };
        struct dl_matrix_config c;
        static struct sim s;
        uint64_t spurious = 0, polls;
        uint8_t mode;

        if (size == 0 || size > 4096)
                return 0;
        mode = fuzz_u8(&in);
        if (dl_matrix_config_init(&c, mode & 1 ? 4 : 3) < 0)
                abort();
        if (mode & 2)
                c.held_poll_usec = 200 * MS;
        if (mode & 4) {
                c.settle_usec = 10 * MS;
                c.debounce_usec = 50 * MS;
        }
        memset(&s, 0, sizeof(s));
        if (dl_matrix_init(&s.m, &c, &s.a) < 0)
                abort();
        s.now = s.start = 1000000;

        while (fuzz_more(&in)) {
                uint8_t b = fuzz_u8(&in);
                struct dl_matrix_action a;

                switch (b & 3) {
                case 0:
                        sim_toggle(&s, (b >> 2) % (c.rows * c.cols));
                        break;
                case 1:
                        sim_run(&s, s.now + ((int64_t)(b >> 2) + 1) * 100);
                        break;
                case 2:
                        sim_run(&s, s.now + ((int64_t)(b >> 2) + 1) * 5 * MS);
                        break;
                default:
                        if (b & 4) {
                                spurious++;
                                if (dl_matrix_row_edge(&s.m, s.now, &a) < 0)
                                        abort();
                                sim_apply(&s, &a);
                        } else
                                s.drop_edges = !s.drop_edges;
                        break;
                }
        }
        /* Let it settle: at most a few more reads, then it waits.  A
         * release whose edge was lost is found by the next poll. */
        sim_run(&s, s.now + 10 * c.debounce_usec + 2 * c.held_poll_usec);
        if (c.held_poll_usec == 0 && s.a.next != DL_MATRIX_WAIT_EDGE)
                abort();
        if (s.n_down == 0 && (!s.lost || c.held_poll_usec) && s.m.state != DL_MATRIX_IDLE)
                abort(); /* all released, every edge seen (or polled): re-armed */

        /* No reads without a cause: each edge (or spurious one) starts at
         * most DL_MATRIX_SCANS_MAX scans with their waits, a held check and
         * a few release checks; the held poll adds one per interval. */
        polls = c.held_poll_usec ? (uint64_t)((s.now - s.start) / c.held_poll_usec) + 1 : 0;
        if (s.reads > (s.edges + spurious) * (DL_MATRIX_SCANS_MAX * (c.cols + 1) + 4) + polls)
                abort();
        return 0;
}
