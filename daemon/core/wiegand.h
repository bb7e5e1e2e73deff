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
 * Any other length is refused (wrong-length), also above 64 bits: only 64
 * are kept, the count goes on, so a long frame cannot overflow anything.
 *
 * Feeding the decoder (the backend, two line fds or one):
 *  - dl_wiegand_edges() takes a batch of (line, timestamp) in any order
 *    and sorts it, so the two lines' events may be read in separate
 *    batches or concatenated.  It never ends a frame.
 *  - Frames end only in dl_wiegand_timer(now), at dl_wiegand_deadline()
 *    (the last edge + frame_gap_usec).  Before calling it the backend
 *    drains both lines' event fds (non-blocking) and feeds what they hold:
 *    the decision then covers every edge timestamped before `now`.
 *  - Order lost is never guessed around.  An edge older than one already
 *    consumed, or timestamped before the instant the previous frame was
 *    decided, rejects the frame it falls into (out-of-order): it may
 *    belong to a frame already decided without it, and the frame it would
 *    start is certainly not whole.
 *  - Timing: two edges closer than min_interval_usec reject the frame
 *    (both-lines when they are on different lines: both lines falling at
 *    once; timing on the same line); edges further apart than
 *    max_interval_usec inside a frame reject it (timing).  That also
 *    covers a timer called late: an edge after the gap, before the frame
 *    was decided, would start the next frame, but the frame is not split
 *    by guesswork: the two are rejected as one (timing).
 *  Every rejection is final for its frame: later edges are taken in (so
 *  the frame's end is still found by its gap) and the result is one
 *  rejection with the first reason found.
 *
 * A lost edge (libgpiod 1.6's kernel buffer holds 16 events per line; an
 * overflow drops events) shows up as a rejected frame, never a wrong key:
 *  - cards: one edge fewer is a 25- or 33-bit frame, refused by length.
 *    (Had more edges been lost so that the count matched the other card
 *    length or a key length, the parity or key check would still have to
 *    pass; and a frame losing all of one line's edges is all zeros or all
 *    ones: all zeros fails the odd parity bit, all ones the even one, in
 *    both card formats.)
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
 * its own bit buffer after each frame.
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
#define DL_WIEGAND_TIMING_USEC_MAX ((int64_t)10 * 1000000)

enum dl_wiegand_line {
        DL_WIEGAND_D0 = 0, /* a 0 bit */
        DL_WIEGAND_D1 = 1, /* a 1 bit */
};

/* One falling edge. */
struct dl_wiegand_edge {
        int64_t usec; /* monotonic µs (the kernel's event timestamp) */
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
        DL_WIEGAND_REJECT_OUT_OF_ORDER, /* "out-of-order": an edge older than one consumed */
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
        char key;                    /* DL_WIEGAND_KEY: 0-9 * # */
        struct dl_wiegand_card card; /* DL_WIEGAND_CARD */
        enum dl_wiegand_reject reason; /* DL_WIEGAND_REJECTED */
        unsigned bits;                 /* bits received in the frame (saturating) */
};

struct dl_wiegand {
        struct dl_wiegand_config config;
        bool in_frame;
        unsigned n;                /* bits in the frame, saturating; only 64 are kept */
        uint64_t bits;             /* the first (up to) 64 bits, first received highest */
        enum dl_wiegand_reject failed; /* the frame's first fault, NONE so far */
        bool have_last;
        int64_t last;      /* the latest edge consumed */
        unsigned last_line;
        int64_t decided_at; /* `now` of the last frame decided, 0 none */
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

/* A batch of falling edges, in any order: sorted in place (by time, then
 * line), then consumed.  -EINVAL (nothing consumed) if a line is not
 * DL_WIEGAND_D0 or DL_WIEGAND_D1.  Afterwards arm the timer for
 * dl_wiegand_deadline(). */
int dl_wiegand_edges(struct dl_wiegand *w, struct dl_wiegand_edge *edges, size_t n);

/* When the frame in progress ends if no edge comes (monotonic µs), 0 when
 * there is none. */
int64_t dl_wiegand_deadline(const struct dl_wiegand *w);

/* The timer fired: drain both lines and feed their edges first.  If a
 * frame is in progress and `now` is at or past its deadline, decide it:
 * returns 1 with *ret filled (a key, a card or a rejection).  Otherwise
 * returns 0 and *ret is untouched.  -EINVAL for NULL arguments. */
int dl_wiegand_timer(struct dl_wiegand *w, int64_t now, struct dl_wiegand_result *ret);

/* Wipe a result (it may hold a card number). */
void dl_wiegand_result_clear(struct dl_wiegand_result *r);

/* Facility and card number of a 26-bit card (8 + 16 bits) or a 34-bit one
 * (16 + 16 bits, the common H10306 split).  Never to be logged either. */
unsigned dl_wiegand_card_facility(const struct dl_wiegand_card *c);
unsigned dl_wiegand_card_number(const struct dl_wiegand_card *c);

/* The stable name of a reason, NULL out of range ("none" for NONE). */
const char *dl_wiegand_reject_to_string(enum dl_wiegand_reject r);
