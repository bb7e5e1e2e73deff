/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "wiegand.h"

#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "macro.h"

static const char *const reject_names[_DL_WIEGAND_REJECT_MAX] = {
        [DL_WIEGAND_REJECT_NONE] = "none",
        [DL_WIEGAND_REJECT_WRONG_LENGTH] = "wrong-length",
        [DL_WIEGAND_REJECT_PARITY] = "parity",
        [DL_WIEGAND_REJECT_KEY_CHECK] = "key-check",
        [DL_WIEGAND_REJECT_BAD_KEY] = "bad-key",
        [DL_WIEGAND_REJECT_TIMING] = "timing",
        [DL_WIEGAND_REJECT_BOTH_LINES] = "both-lines",
        [DL_WIEGAND_REJECT_OUT_OF_ORDER] = "out-of-order",
        [DL_WIEGAND_REJECT_OVERRUN] = "overrun",
};

static const struct dl_wiegand_config profiles[_DL_WIEGAND_PROFILE_MAX] = {
        [DL_WIEGAND_PROFILE_STANDARD] = {
                .min_interval_usec = 200,
                .max_interval_usec = 10000,
                .frame_gap_usec = 25000,
                .keys_4bit = true,
        },
        [DL_WIEGAND_PROFILE_SLOW] = {
                .min_interval_usec = 1000,
                .max_interval_usec = 50000,
                .frame_gap_usec = 150000,
                .keys_4bit = true,
        },
};

const char *dl_wiegand_reject_to_string(enum dl_wiegand_reject r) {
        if ((unsigned)r >= ELEMENTSOF(reject_names))
                return NULL;
        return reject_names[r];
}

int dl_wiegand_config_init(struct dl_wiegand_config *c, enum dl_wiegand_profile profile) {
        if (!c)
                return -EINVAL;
        if ((unsigned)profile >= ELEMENTSOF(profiles)) {
                *c = profiles[DL_WIEGAND_PROFILE_STANDARD];
                return -EINVAL;
        }
        *c = profiles[profile];
        return 0;
}

int dl_wiegand_config_check(const struct dl_wiegand_config *c, struct dl_error *err) {
        if (!c)
                return dl_error_set(err, -EINVAL, "no Wiegand config");
        if (c->min_interval_usec <= 0)
                return dl_error_set(err, -EINVAL, "Wiegand minimum bit interval must be positive");
        if (c->max_interval_usec <= c->min_interval_usec)
                return dl_error_set(err, -EINVAL,
                                    "Wiegand maximum bit interval must be above the minimum (%" PRId64
                                    " usec)",
                                    c->min_interval_usec);
        if (c->frame_gap_usec <= c->max_interval_usec)
                return dl_error_set(err, -EINVAL,
                                    "Wiegand frame gap must be above the maximum bit interval (%" PRId64
                                    " usec)",
                                    c->max_interval_usec);
        if (c->frame_gap_usec > DL_WIEGAND_TIMING_USEC_MAX)
                return dl_error_set(err, -EINVAL, "Wiegand frame gap must be at most %" PRId64 " usec",
                                    DL_WIEGAND_TIMING_USEC_MAX);
        return 0;
}

int dl_wiegand_init(struct dl_wiegand *w, const struct dl_wiegand_config *c) {
        int r;

        if (!w)
                return -EINVAL;
        r = dl_wiegand_config_check(c, NULL);
        if (r < 0)
                return r;
        memset(w, 0, sizeof(*w));
        w->config = *c;
        return 0;
}

/* In pending[].line: the edge came in after a decision made at a later
 * time than its timestamp, so it may have belonged to that frame. */
#define EDGE_LATE 2u
#define EDGE_BIT(e) ((e)->line & 1u)

static int edge_compare(const struct dl_wiegand_edge *a, const struct dl_wiegand_edge *b) {
        if (a->usec != b->usec)
                return a->usec < b->usec ? -1 : 1;
        if (a->line != b->line)
                return a->line < b->line ? -1 : 1;
        return 0;
}

/* Into the sorted pending edges.  From the back: edges mostly come in
 * order, so this is usually one comparison. */
static void pending_insert(struct dl_wiegand *w, const struct dl_wiegand_edge *e) {
        size_t j = w->n_pending;

        if (j == ELEMENTSOF(w->pending)) {
                if (w->n_overrun == 0 || e->usec > w->overrun_last)
                        w->overrun_last = e->usec;
                if (w->n_overrun < UINT_MAX)
                        w->n_overrun++;
                return;
        }
        while (j > 0 && edge_compare(&w->pending[j - 1], e) > 0) {
                w->pending[j] = w->pending[j - 1];
                j--;
        }
        w->pending[j] = *e;
        if (w->decided && e->usec < w->decided_at)
                w->pending[j].line |= EDGE_LATE;
        w->n_pending++;
}

int dl_wiegand_edges(struct dl_wiegand *w, const struct dl_wiegand_edge *edges, size_t n) {
        if (!w || (!edges && n > 0))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (edges[i].line != DL_WIEGAND_D0 && edges[i].line != DL_WIEGAND_D1)
                        return -EINVAL;
        for (size_t i = 0; i < n; i++)
                pending_insert(w, &edges[i]);
        return 0;
}

/* a + b without overflow (b >= 0), never 0 ("none"). */
static int64_t add_usec(int64_t a, int64_t b) {
        if (a > INT64_MAX - b)
                return INT64_MAX;
        return a + b != 0 ? a + b : 1;
}

/* The time from one edge to the next, unsigned: no overflow whatever the
 * two values are (b is never before a: pending is sorted). */
static uint64_t usec_between(int64_t a, int64_t b) {
        return (uint64_t)b - (uint64_t)a;
}

/* How many pending edges form the first frame: up to the first gap. */
static size_t first_frame_len(const struct dl_wiegand *w) {
        size_t j = 1;

        while (j < w->n_pending &&
               usec_between(w->pending[j - 1].usec, w->pending[j].usec) < (uint64_t)w->config.frame_gap_usec)
                j++;
        return j;
}

int64_t dl_wiegand_deadline(const struct dl_wiegand *w) {
        int64_t last;

        if (!w || (w->n_pending == 0 && w->n_overrun == 0))
                return 0;
        if (w->n_overrun > 0)
                /* Everything goes as one: after the latest edge of all. */
                last = MAX(w->overrun_last, w->pending[w->n_pending - 1].usec);
        else
                last = w->pending[first_frame_len(w) - 1].usec;
        return add_usec(last, w->config.frame_gap_usec);
}

/* Bit i (1 = first received) of an n-bit frame. */
static unsigned frame_bit(uint64_t v, unsigned n, unsigned i) {
        return (unsigned)(v >> (n - i)) & 1;
}

/* Ones among bits from..to (1-based, inclusive). */
static unsigned frame_ones(uint64_t v, unsigned n, unsigned from, unsigned to) {
        unsigned ones = 0;

        for (unsigned i = from; i <= to; i++)
                ones += frame_bit(v, n, i);
        return ones;
}

static bool key_value(unsigned v, char *ret) {
        static const char keys[] = "0123456789*#";

        if (v >= sizeof(keys) - 1)
                return false;
        *ret = keys[v];
        return true;
}

/* A frame of n (<= 64) bits that arrived whole and in time. */
static void decode(const struct dl_wiegand *w, uint64_t v, unsigned n, struct dl_wiegand_result *ret) {
        switch (n) {
        case 4:
                if (!w->config.keys_4bit)
                        break;
                if (!key_value((unsigned)v, &ret->key)) {
                        ret->reason = DL_WIEGAND_REJECT_BAD_KEY;
                        return;
                }
                ret->kind = DL_WIEGAND_KEY;
                return;
        case 8:
                if ((((unsigned)v >> 4) ^ (unsigned)v ^ 0xfu) & 0xfu) {
                        ret->reason = DL_WIEGAND_REJECT_KEY_CHECK;
                        return;
                }
                if (!key_value((unsigned)v & 0xfu, &ret->key)) {
                        ret->reason = DL_WIEGAND_REJECT_BAD_KEY;
                        return;
                }
                ret->kind = DL_WIEGAND_KEY;
                return;
        case 26:
        case 34: {
                unsigned half = (n - 2) / 2; /* data bits per parity bit: 12 or 16 */

                /* Even: the first bit and the first half of the data hold an
                 * even number of ones.  Odd: the second half and the last bit
                 * an odd number. */
                if ((frame_bit(v, n, 1) + frame_ones(v, n, 2, 1 + half)) % 2 != 0 ||
                    (frame_ones(v, n, 2 + half, n - 1) + frame_bit(v, n, n)) % 2 != 1) {
                        ret->reason = DL_WIEGAND_REJECT_PARITY;
                        return;
                }
                ret->kind = DL_WIEGAND_CARD;
                ret->card.bits = n;
                ret->card.data = (v >> 1) & ((UINT64_C(1) << (n - 2)) - 1);
                return;
        }
        default:
                break;
        }
        ret->reason = DL_WIEGAND_REJECT_WRONG_LENGTH;
}

/* The faults of a frame's edges e[0..n): the first one found. */
static enum dl_wiegand_reject frame_timing(const struct dl_wiegand *w, const struct dl_wiegand_edge *e,
                                           size_t n) {
        /* Fed after a decision taken later than its timestamp: it may
         * have belonged to the frame decided then. */
        for (size_t i = 0; i < n; i++)
                if (e[i].line & EDGE_LATE)
                        return DL_WIEGAND_REJECT_OUT_OF_ORDER;
        for (size_t i = 1; i < n; i++) {
                uint64_t d = usec_between(e[i - 1].usec, e[i].usec);

                if (d < (uint64_t)w->config.min_interval_usec)
                        return EDGE_BIT(&e[i]) != EDGE_BIT(&e[i - 1]) ? DL_WIEGAND_REJECT_BOTH_LINES
                                                                      : DL_WIEGAND_REJECT_TIMING;
                if (d > (uint64_t)w->config.max_interval_usec)
                        return DL_WIEGAND_REJECT_TIMING;
        }
        return DL_WIEGAND_REJECT_NONE;
}

/* Forget the first n pending edges (wiped: they spell a card number). */
static void pending_drop(struct dl_wiegand *w, size_t n) {
        memmove(w->pending, w->pending + n, (w->n_pending - n) * sizeof(w->pending[0]));
        w->n_pending -= n;
        secure_zero(w->pending + w->n_pending, n * sizeof(w->pending[0]));
}

int dl_wiegand_timer(struct dl_wiegand *w, int64_t now, struct dl_wiegand_result *ret) {
        int64_t deadline;
        size_t n;

        if (!w || !ret)
                return -EINVAL;
        deadline = dl_wiegand_deadline(w);
        if (deadline == 0 || now < deadline)
                return 0;

        memset(ret, 0, sizeof(*ret));
        ret->kind = DL_WIEGAND_REJECTED;
        if (w->n_overrun > 0) {
                n = w->n_pending;
                ret->reason = DL_WIEGAND_REJECT_OVERRUN;
                ret->bits = n + w->n_overrun >= UINT_MAX ? UINT_MAX : (unsigned)(n + w->n_overrun);
                w->n_overrun = 0;
                w->overrun_last = 0;
        } else {
                uint64_t v = 0;

                n = first_frame_len(w);
                ret->bits = (unsigned)n;
                for (size_t i = 0; i < MIN(n, (size_t)DL_WIEGAND_BITS_MAX); i++)
                        v = (v << 1) | EDGE_BIT(&w->pending[i]);
                ret->reason = frame_timing(w, w->pending, n);
                if (ret->reason == DL_WIEGAND_REJECT_NONE) {
                        if (n > DL_WIEGAND_BITS_MAX)
                                ret->reason = DL_WIEGAND_REJECT_WRONG_LENGTH;
                        else
                                decode(w, v, (unsigned)n, ret);
                }
                secure_zero(&v, sizeof(v));
        }
        pending_drop(w, n);
        if (ret->kind == DL_WIEGAND_REJECTED)
                w->n_rejected++;
        w->n_frames++;
        w->decided = true;
        w->decided_at = MAX(w->decided_at, now);
        return 1;
}

void dl_wiegand_result_clear(struct dl_wiegand_result *r) {
        if (r)
                secure_zero(r, sizeof(*r));
}

unsigned dl_wiegand_card_facility(const struct dl_wiegand_card *c) {
        if (!c)
                return 0;
        if (c->bits == 26)
                return (unsigned)(c->data >> 16) & 0xffu;
        if (c->bits == 34)
                return (unsigned)(c->data >> 16) & 0xffffu;
        return 0;
}

unsigned dl_wiegand_card_number(const struct dl_wiegand_card *c) {
        if (!c || (c->bits != 26 && c->bits != 34))
                return 0;
        return (unsigned)c->data & 0xffffu;
}
