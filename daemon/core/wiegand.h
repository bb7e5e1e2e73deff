/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wiegand decoding: falling-edge timestamps on D0 and D1 into keys and
 * cards.  Pure logic: no GPIO, no timers, no clock reads; time is
 * monotonic µs passed in (kernel edge timestamps).
 *
 * The wire: two lines idle high; a 0 bit is a falling pulse (50-100 µs) on
 * D0, a 1 bit one on D1, bits 1-2 ms apart, most significant first; a
 * frame ends after a gap with no pulse (20-25 ms).  Only falling edges are
 * fed.
 *
 * Frames:
 *   4 bits   a key: 0-9, 10 = '*', 11 = '#'; 12-15 are refused (bad-key)
 *   8 bits   a key: the low nibble as above, the high nibble its
 *            complement, else refused (key-check)
 *   26 bits  a card: bit 1 even parity over bits 2-13, bit 26 odd parity
 *            over bits 14-25; data = bits 2-25: facility 8 bits, number 16
 *   34 bits  a card: bit 1 even parity over bits 2-17, bit 34 odd parity
 *            over bits 18-33; data = bits 2-33 (32 bits)
 * Any other length is refused (wrong-length), 65 bits and more too: a
 * frame's first 64 bits are kept and the rest only counted, so a long
 * frame overflows nothing (beyond DL_WIEGAND_PENDING_MAX edges: overrun).
 *
 * Feeding the decoder (the backend, two line fds or one):
 *  - dl_wiegand_edges() takes a batch of (line, timestamp) in any order.
 *    The decoder keeps edges (up to DL_WIEGAND_PENDING_MAX) sorted by
 *    time and consumes nothing yet, so the two lines' events may come in
 *    separate batches, in either order.
 *  - Frames end only in dl_wiegand_timer(now), at dl_wiegand_deadline()
 *    (the frame's last edge + frame_gap_usec).  Before calling it the
 *    backend drains both lines' event fds (non-blocking) and feeds what
 *    they hold: the decision then covers every edge timestamped before
 *    `now`.  A timer that fires late finds the next frame's edges too; they
 *    are split off by their timestamps (every line was drained) and decided
 *    by the next call: call dl_wiegand_timer() until it returns 0.
 *  - Order lost is never guessed around.  An edge timestamped before the
 *    instant a frame was decided came too late: it may belong to that
 *    frame, decided without it, and the frame it falls into now is not
 *    whole either; that frame is rejected (out-of-order).
 *  - Timing inside a frame: two edges closer than min_interval_usec reject
 *    it (both-lines when they are on different lines: both lines falling
 *    at once; timing on the same line), and so do two edges further apart
 *    than max_interval_usec but less than the frame gap (timing).
 *  - More than DL_WIEGAND_PENDING_MAX edges waiting (a stuck line, noise):
 *    the rest are counted, not kept, and everything pending is rejected as
 *    one frame (overrun) once the lines have been quiet for the frame gap.
 *
 * A lost edge (libgpiod 1.6's kernel buffer holds 16 events per line; an
 * overflow drops events) shows up as a rejected frame, never a wrong key:
 *  - cards: one edge fewer is a 25- or 33-bit frame, refused by length.
 *    (Had 8 edges been lost, so that a 34-bit frame became a 26-bit one,
 *    its parity would still have to pass; a 26- or 34-bit frame that lost
 *    all of one line's edges is all zeros or all ones, and all zeros fails
 *    the odd parity bit, all ones the even one.  Only a card cut down to
 *    exactly 4 bits could pass, as a 4-bit key: see below.)
 *  - 8-bit keys: one edge fewer is 7 bits, refused by length; a corrupted
 *    but complete frame fails the nibble complement for any single bit
 *    flipped (only the same bit flipped in both nibbles would pass).
 *  - 4-bit keys: one edge fewer is 3 bits, refused by length.  But a 4-bit
 *    burst has no check at all: a corrupted but complete frame (a bit
 *    flipped by noise, or a lost edge plus a spurious one) is a valid,
 *    wrong key, as is an 8-bit frame that lost its four D1 edges (0000 is
 *    '0').  That residual risk cannot be removed by decoding.  Configure
 *    the keypad for 8-bit bursts and set keys_4bit = false (4-bit frames
 *    are then refused by length) wherever the keypad allows it.
 *
 * Cards: the card number is an identifier that opens doors.  Code above
 * this decoder must never log, print, export or put on the bus
 * dl_wiegand_card's data as is: the audit log gets event `card-presented`
 * with a keyed hash (HMAC under the device key) of (bits, data), nothing
 * else.  Wipe results with dl_wiegand_result_clear(); the decoder wipes
 * its copy of a frame's edges once it is decided.
 *
 * Timing profiles (every value is a parameter; the profiles are starting
 * points):
 *   standard  min 200 µs, max 10 ms between bits, frame gap 25 ms: real
 *             readers (pulses 50-100 µs, bits 1-2 ms apart)
 *   slow      min 1 ms, max 50 ms, frame gap 150 ms: a software-emulated
 *             keypad in a test VM, whose pulses come 5-20 ms apart */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define DL_WIEGAND_BITS_MAX 64
#define DL_WIEGAND_PENDING_MAX 128 /* edges kept until the timer decides: two long frames */
#define DL_WIEGAND_TIMING_USEC_MAX ((int64_t)10 * 1000000)

enum dl_wiegand_line {
        DL_WIEGAND_D0 = 0, /* a 0 bit */
        DL_WIEGAND_D1 = 1, /* a 1 bit */
};

/* One falling edge. */
struct dl_wiegand_edge {
        int64_t usec;  /* monotonic µs (the kernel's event timestamp) */
        unsigned line; /* enum dl_wiegand_line */
};

enum dl_wiegand_profile {
        DL_WIEGAND_PROFILE_STANDARD,
        DL_WIEGAND_PROFILE_SLOW,
        _DL_WIEGAND_PROFILE_MAX,
};

struct dl_wiegand_config {
        int64_t min_interval_usec; /* edges closer than this reject the frame */
        int64_t max_interval_usec; /* edges further apart inside a frame reject it */
        int64_t frame_gap_usec;    /* no edge for this long ends the frame */
        bool keys_4bit;            /* accept 4-bit key bursts (no check; see above) */
};

/* Stable names (dl_wiegand_reject_to_string) for the audit summary. */
enum dl_wiegand_reject {
        DL_WIEGAND_REJECT_NONE,
        DL_WIEGAND_REJECT_WRONG_LENGTH, /* "wrong-length" */
        DL_WIEGAND_REJECT_PARITY,       /* "parity": a card's parity bits */
        DL_WIEGAND_REJECT_KEY_CHECK,    /* "key-check": 8-bit nibbles not complements */
        DL_WIEGAND_REJECT_BAD_KEY,      /* "bad-key": key value 12-15 */
        DL_WIEGAND_REJECT_TIMING,       /* "timing": edges too close or too far apart */
        DL_WIEGAND_REJECT_BOTH_LINES,   /* "both-lines": D0 and D1 falling at once */
        DL_WIEGAND_REJECT_OUT_OF_ORDER, /* "out-of-order": an edge from before the last decision */
        DL_WIEGAND_REJECT_OVERRUN,      /* "overrun": more edges than the decoder keeps */
        _DL_WIEGAND_REJECT_MAX,
};

enum dl_wiegand_kind {
        DL_WIEGAND_KEY,
        DL_WIEGAND_CARD,
        DL_WIEGAND_REJECTED,
};

/* A card as read.  Never log or export `data`: see above. */
struct dl_wiegand_card {
        unsigned bits; /* the frame format: 26 or 34 */
        uint64_t data; /* the data bits without the parity bits: 24 or 32 */
};

struct dl_wiegand_result {
        enum dl_wiegand_kind kind;
        char key;                      /* DL_WIEGAND_KEY: 0-9 * # */
        struct dl_wiegand_card card;   /* DL_WIEGAND_CARD */
        enum dl_wiegand_reject reason; /* DL_WIEGAND_REJECTED */
        unsigned bits;                 /* bits received in the frame (saturating) */
};

struct dl_wiegand {
        struct dl_wiegand_config config;
        struct dl_wiegand_edge pending[DL_WIEGAND_PENDING_MAX]; /* sorted; line bit 1: came late */
        size_t n_pending;
        unsigned n_overrun;   /* edges not kept since the last decision (saturating) */
        int64_t overrun_last; /* the latest of them */
        bool decided;
        int64_t decided_at;            /* `now` of the latest decision */
        uint64_t n_frames, n_rejected; /* counters, for status and tests */
};

/* The timings of a profile; keys_4bit true.  -EINVAL for an unknown
 * profile (c then gets the standard one). */
int dl_wiegand_config_init(struct dl_wiegand_config *c, enum dl_wiegand_profile profile);

/* 0 < min_interval < max_interval < frame_gap <= 10 s.  -EINVAL with a
 * message in err (may be NULL). */
int dl_wiegand_config_check(const struct dl_wiegand_config *c, struct dl_error *err);

/* No frame.  -EINVAL for a bad config. */
int dl_wiegand_init(struct dl_wiegand *w, const struct dl_wiegand_config *c);

/* A batch of falling edges, in any order, kept until the timer.  -EINVAL
 * (nothing taken) if a line is not DL_WIEGAND_D0 or DL_WIEGAND_D1.
 * Afterwards arm the timer for dl_wiegand_deadline(). */
int dl_wiegand_edges(struct dl_wiegand *w, const struct dl_wiegand_edge *edges, size_t n);

/* When the first frame waiting ends if no edge comes (monotonic µs), 0
 * when no edge is waiting. */
int64_t dl_wiegand_deadline(const struct dl_wiegand *w);

/* The timer fired: drain both lines and feed their edges first.  If the
 * first frame waiting has its deadline at or before `now`, decide it:
 * returns 1 with *ret filled (a key, a card or a rejection); call again
 * until it returns 0, which leaves *ret untouched.  -EINVAL for NULL
 * arguments. */
int dl_wiegand_timer(struct dl_wiegand *w, int64_t now, struct dl_wiegand_result *ret);

/* Wipe a result (it may hold a card number). */
void dl_wiegand_result_clear(struct dl_wiegand_result *r);

/* Facility and card number of a 26-bit card (8 + 16 bits) or a 34-bit one
 * (16 + 16 bits, the common H10306 split).  Never to be logged either. */
unsigned dl_wiegand_card_facility(const struct dl_wiegand_card *c);
unsigned dl_wiegand_card_number(const struct dl_wiegand_card *c);

/* The stable name of a reason, NULL out of range ("none" for NONE). */
const char *dl_wiegand_reject_to_string(enum dl_wiegand_reject r);
