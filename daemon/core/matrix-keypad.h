/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A matrix keypad (4x3, 4x4, up to 8x8) as a pure state machine.  No GPIO,
 * no timers, no clock reads: the caller (the libgpiod backend) feeds row
 * edges and row reads with monotonic µs, and after every call carries out
 * the one action the machine returns.  All decisions are here; the backend
 * only drives lines, reads lines and arms one timer.
 *
 * Wiring: columns are push-pull outputs, "active" = driven low; rows are
 * inputs with pull-ups and edge events (both edges), so a row reads low
 * when a key joins it to an active column.
 *
 * The action (struct dl_matrix_action), returned by every call:
 *   columns   drive exactly these columns active (bit c = column c), all
 *             others inactive.  The backend sets the lines when it changed.
 *   next      DL_MATRIX_WAIT_EDGE: no timer, wait for a row edge.
 *             DL_MATRIX_READ_ROWS: at `deadline` (monotonic µs) read all
 *             rows and call dl_matrix_rows_read() with the mask of rows
 *             reading low.  A read before the deadline is ignored (the same
 *             action comes back), so the settle time is always honoured.
 *   key       '\0', or the key this call accepted.
 * Each action replaces the previous one (re-arm the timer to its deadline,
 * or disarm it).  There is no separate timer input: every deadline is a
 * read.
 *
 *   backend                         dl_matrix_*                   hardware
 *      |  init -> {all, WAIT_EDGE}      |                              |
 *      |  drive all columns low ----------------------------------->  |
 *      |                     ... key goes down: row falls  <---------- |
 *      |  row_edge(ts) ---------------> | start scan 1                 |
 *      |  <- {col 0, READ_ROWS, ts+settle}                             |
 *      |  drive col 0 only; timer; read rows ------------------------> |
 *      |  rows_read(mask, now) -------> | column 0 done                |
 *      |  <- {col 1, READ_ROWS, now+settle} ... up to the last column  |
 *      |  rows_read(mask, now) -------> | scan 1 saw exactly one key K |
 *      |  <- {all, READ_ROWS, now+debounce}   (idle drive, wait)       |
 *      |  rows_read(mask, now) -------> | still down: scan 2           |
 *      |  <- {col 0, READ_ROWS, ...} ... scan 2 saw K again            |
 *      |  <- {all, READ_ROWS, now+debounce, key = K}   accepted        |
 *      |  rows_read(mask != 0) -------> | held                         |
 *      |  <- {all, WAIT_EDGE}                  (nothing while held)    |
 *      |                     ... key released: row rises <------------ |
 *      |  row_edge(ts) ---------------> | <- {all, READ_ROWS, ts+debounce}
 *      |  rows_read(0, now) ----------> | no edge for debounce: released
 *      |  <- {all, WAIT_EDGE}                  (re-armed)              |
 *
 * Decisions:
 *  - Idle: all columns active, no timer, nothing polled.
 *  - A row edge while idle starts a scan: one column active at a time,
 *    `settle_usec` before each read.  Row edges during a scan or the wait
 *    between scans are ignored: the scan's own column changes cause them,
 *    and a real change shows up in the next scan anyway.
 *  - A key is accepted after two consecutive scans, `debounce_usec` apart,
 *    that each saw exactly that one key and nothing else.  Two keys down,
 *    or three with their ghost, give no key; neither do DL_MATRIX_SCANS_MAX
 *    scans without two matching ones (a chattering contact).  Then the
 *    keypad waits for all keys to be released, like after an accepted key.
 *    A scan that sees nothing, or an idle read between scans with all rows
 *    high, ends the attempt (the press was a bounce or a glitch).
 *  - Bounce: a bouncing contact either makes scans see nothing (ignored)
 *    or the same key (accepted once); after acceptance the keypad is held
 *    until released, so one press gives exactly one key.
 *  - Held keys and release: after acceptance (or refusal) the columns go
 *    back to all active and the rows are read once after `debounce_usec`
 *    (a release during the scan leaves no edge behind, so it must be
 *    looked for).  If a row is still low, the machine waits for a row edge
 *    and does nothing else: the key is not repeated, and a key held for
 *    ever costs no scans and no wake-ups.  The release is found through the
 *    rising row edge: any edge while held schedules a read `debounce_usec`
 *    later, and the keypad is released when a read sees all rows high and
 *    no row edge came during the last `debounce_usec`.
 *    Why the edge and not a slow re-scan: the rising edge is what the
 *    hardware gives for free, and a read with all columns active sees any
 *    key, so no scan is needed at all to detect a release.  If an edge is
 *    lost (the kernel's event buffer overflowed), the keypad stays "held"
 *    until the next edge: the next press's edges trigger a read that sees
 *    it down, its release re-arms.  The cost is one swallowed press, never
 *    a wrong or repeated key.  A backend that cannot accept even that sets
 *    `held_poll_usec` (0 = off, the default): one row read, not a scan,
 *    at that interval while held.
 *  - Edges while releasing only push the decision later; a read with a
 *    row low goes back to held.  An edge after the release (a bounce's
 *    tail) starts a scan like any other: it finds nothing, or its key must
 *    still pass two scans a debounce time apart.  Only reads decide, edges are hints, so the
 *    direction or a lost or duplicated edge never changes what is decided.
 *  - Time never goes back: a `now` older than one already seen counts as
 *    the latest one seen.  The backend may pass kernel edge timestamps.
 *    It should dispatch row edges before its timer when both are pending.
 *
 * Timing defaults: settle 50 µs (real hardware: a few µs of line
 * capacitance), debounce 10 ms (membrane and dome keypads bounce for
 * 1-5 ms).  In a test VM with emulated GPIO, settle ~10 ms, debounce ~50 ms. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define DL_MATRIX_MAX 8 /* rows and columns */
#define DL_MATRIX_SCANS_MAX 4
#define DL_MATRIX_SETTLE_USEC_DEFAULT ((int64_t)50)
#define DL_MATRIX_DEBOUNCE_USEC_DEFAULT ((int64_t)10000)
#define DL_MATRIX_TIMING_USEC_MAX ((int64_t)1000000) /* any timing: at most 1 s */
#define DL_MATRIX_KEYS "0123456789*#ABCD"

struct dl_matrix_config {
        unsigned rows, cols;                         /* 1..DL_MATRIX_MAX */
        char keys[DL_MATRIX_MAX][DL_MATRIX_MAX + 1]; /* keys[row][col], NUL-terminated rows */
        int64_t settle_usec;                         /* before each read of a scan, > 0 */
        int64_t debounce_usec;                       /* between scans; release stability, > 0 */
        int64_t held_poll_usec;                      /* row read while held, 0 = off */
};

enum dl_matrix_next {
        DL_MATRIX_WAIT_EDGE, /* no timer: wait for a row edge */
        DL_MATRIX_READ_ROWS, /* at deadline: read the rows, call dl_matrix_rows_read() */
};

struct dl_matrix_action {
        uint32_t columns; /* columns driven active (low); all others inactive */
        enum dl_matrix_next next;
        int64_t deadline; /* DL_MATRIX_READ_ROWS: monotonic µs, never 0; else 0 */
        char key;         /* '\0', or the key accepted by this call */
};

enum dl_matrix_state {
        DL_MATRIX_IDLE,       /* all columns active, waiting for an edge */
        DL_MATRIX_SCANNING,   /* one column active, read pending */
        DL_MATRIX_CONFIRMING, /* between two scans: all active, read pending */
        DL_MATRIX_HELD,       /* accepted or refused, waiting for the release */
};

struct dl_matrix_keypad {
        struct dl_matrix_config config;
        enum dl_matrix_state state;
        struct dl_matrix_action action; /* the current one */
        unsigned column;                /* SCANNING: the column being read */
        uint32_t scan[DL_MATRIX_MAX];   /* SCANNING: rows low per column */
        int candidate;                  /* the previous scan's one key (row * cols + col), -1 none */
        unsigned scans;                 /* scans since the press started */
        int64_t now;                    /* latest time seen */
        int64_t last_edge;              /* latest row edge, 0 none */
        char held;                      /* HELD: the accepted key, '\0' if refused */
        uint64_t n_scans, n_reads;      /* counters, for status and tests */
};

/* 4 rows of `cols` (3 or 4) with the default map ("123", "456", "789",
 * "*0#", plus "A".."D" in the fourth column) and default timings.
 * -EINVAL for other column counts (c is then set up as 4x3). */
int dl_matrix_config_init(struct dl_matrix_config *c, unsigned cols);

/* Set the key map: n_rows strings, one per row, all of the same length
 * (the column count).  Rows 1..8, columns 1..8, each key one of
 * DL_MATRIX_KEYS, no key twice.  -EINVAL with a message in err (may be
 * NULL); c is unchanged then. */
int dl_matrix_config_set_keymap(struct dl_matrix_config *c, const char *const *rows, size_t n_rows,
                                struct dl_error *err);

/* The same from one string, rows separated by spaces ("123A 456B 789C
 * *0#D"), as a config file would give it. */
int dl_matrix_config_parse_keymap(struct dl_matrix_config *c, const char *s, struct dl_error *err);

/* Rows, columns and map as above; settle and debounce in 1..1 s, the held
 * poll 0 or 1 ms..1 s.  -EINVAL with a message. */
int dl_matrix_config_check(const struct dl_matrix_config *c, struct dl_error *err);

/* Start idle.  ret (may be NULL) gets the first action: all columns
 * active, wait for an edge.  -EINVAL (after dl_matrix_config_check) for a
 * bad config. */
int dl_matrix_init(struct dl_matrix_keypad *m, const struct dl_matrix_config *c,
                   struct dl_matrix_action *ret);

/* A row line had an edge (either direction) at `now` (the kernel's
 * timestamp will do).  ret gets the action to carry out. */
int dl_matrix_row_edge(struct dl_matrix_keypad *m, int64_t now, struct dl_matrix_action *ret);

/* The rows read at `now` as the current action asked: bit r set = row r
 * reads low.  Bits above the row count are ignored.  A read nobody asked
 * for, or before the deadline, changes nothing.  ret gets the action. */
int dl_matrix_rows_read(struct dl_matrix_keypad *m, uint32_t rows_low, int64_t now,
                        struct dl_matrix_action *ret);

/* Columns bit mask with all columns set. */
uint32_t dl_matrix_all_columns(const struct dl_matrix_keypad *m);

const char *dl_matrix_state_to_string(enum dl_matrix_state s);
