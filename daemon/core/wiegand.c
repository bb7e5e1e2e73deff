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
                                    "Wiegand maximum bit interval must be above the minimum (%" PRId64 " usec)",
                                    c->min_interval_usec);
        if (c->frame_gap_usec <= c->max_interval_usec)
                return dl_error_set(err, -EINVAL,
                                    "Wiegand frame gap must be above the maximum bit interval (%" PRId64 " usec)",
                                    c->max_interval_usec);
        if (c->frame_gap_usec > DL_WIEGAND_TIMING_USEC_MAX)
                return dl_error_set(err, -EINVAL, "Wiegand frame gap must be at most %" PRId64 " usec",
                                    DL_WIEGAND_TIMING_USEC_MAX);
        return 0;
}

static void frame_wipe(struct dl_wiegand *w) {
        secure_zero(&w->bits, sizeof(w->bits));
        w->n = 0;
        w->in_frame = false;
        w->failed = DL_WIEGAND_REJECT_NONE;
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

static int edge_compare(const struct dl_wiegand_edge *a, const struct dl_wiegand_edge *b) {
        if (a->usec != b->usec)
                return a->usec < b->usec ? -1 : 1;
        if (a->line != b->line)
                return a->line < b->line ? -1 : 1;
        return 0;
}

/* Insertion sort: batches are small (two kernel buffers of 16 events) and
 * usually already sorted, where this is linear. */
static void edges_sort(struct dl_wiegand_edge *e, size_t n) {
        for (size_t i = 1; i < n; i++) {
                struct dl_wiegand_edge x = e[i];
                size_t j = i;

                while (j > 0 && edge_compare(&e[j - 1], &x) > 0) {
                        e[j] = e[j - 1];
                        j--;
                }
                e[j] = x;
        }
}

static void frame_fail(struct dl_wiegand *w, enum dl_wiegand_reject reason) {
        if (w->failed == DL_WIEGAND_REJECT_NONE)
                w->failed = reason;
}

static void consume(struct dl_wiegand *w, const struct dl_wiegand_edge *e) {
        int64_t newest = MAX(w->last, w->decided_at);

        if (!w->in_frame) {
                w->in_frame = true;
                w->n = 0;
                w->bits = 0;
                w->failed = DL_WIEGAND_REJECT_NONE;
                /* Older than what was decided or consumed before: it may
                 * belong to a frame decided without it. */
                if (w->have_last && e->usec < newest)
                        frame_fail(w, DL_WIEGAND_REJECT_OUT_OF_ORDER);
        } else if (e->usec < w->last) {
                frame_fail(w, DL_WIEGAND_REJECT_OUT_OF_ORDER);
        } else {
                /* Unsigned: no overflow whatever the two values are. */
                uint64_t d = (uint64_t)e->usec - (uint64_t)w->last;

                if (d < (uint64_t)w->config.min_interval_usec)
                        frame_fail(w, e->line != w->last_line ? DL_WIEGAND_REJECT_BOTH_LINES
                                                              : DL_WIEGAND_REJECT_TIMING);
                else if (d > (uint64_t)w->config.max_interval_usec)
                        frame_fail(w, DL_WIEGAND_REJECT_TIMING);
        }

        if (w->n < DL_WIEGAND_BITS_MAX)
                w->bits = (w->bits << 1) | (e->line == DL_WIEGAND_D1);
        if (w->n < UINT_MAX)
                w->n++;
        if (!w->have_last || e->usec >= w->last) {
                w->last = e->usec;
                w->last_line = e->line;
        }
        w->have_last = true;
}

int dl_wiegand_edges(struct dl_wiegand *w, struct dl_wiegand_edge *edges, size_t n) {
        if (!w || (!edges && n > 0))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (edges[i].line != DL_WIEGAND_D0 && edges[i].line != DL_WIEGAND_D1)
                        return -EINVAL;
        edges_sort(edges, n);
        for (size_t i = 0; i < n; i++)
                consume(w, &edges[i]);
        return 0;
}

int64_t dl_wiegand_deadline(const struct dl_wiegand *w) {
        if (!w || !w->in_frame)
                return 0;
        if (w->last > INT64_MAX - w->config.frame_gap_usec)
                return INT64_MAX;
        return w->last + w->config.frame_gap_usec != 0 ? w->last + w->config.frame_gap_usec : 1;
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

int dl_wiegand_timer(struct dl_wiegand *w, int64_t now, struct dl_wiegand_result *ret) {
        int64_t deadline;

        if (!w || !ret)
                return -EINVAL;
        deadline = dl_wiegand_deadline(w);
        if (deadline == 0 || now < deadline)
                return 0;

        memset(ret, 0, sizeof(*ret));
        ret->kind = DL_WIEGAND_REJECTED;
        ret->bits = w->n;
        if (w->failed != DL_WIEGAND_REJECT_NONE)
                ret->reason = w->failed;
        else if (w->n > DL_WIEGAND_BITS_MAX)
                ret->reason = DL_WIEGAND_REJECT_WRONG_LENGTH;
        else
                decode(w, w->bits, w->n, ret);
        if (ret->kind == DL_WIEGAND_REJECTED)
                w->n_rejected++;
        w->n_frames++;
        w->decided_at = MAX(w->decided_at, now);
        frame_wipe(w);
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
