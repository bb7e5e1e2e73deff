/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wiegand decoding (wiegand.c): bytes become falling edges on D0 and D1,
 * fed in batches per line the way the libgpiod backend reads two fds, and
 * gap timers; or whole encoded frames with at most one edge lost.
 *
 * Input: the first byte picks the config: bit 0 the slow profile, bit 1
 * 4-bit keys off.  Then one command per byte, by its low two bits:
 *   0  an edge on line (bit 2) after u16 µs, queued in that line's batch
 *   1  feed the batches: D0 first (bit 2 clear) or D1 first
 *   2  the timer: feed the batches, u16 µs pass, decide what is due
 *   3  a frame (see frame()): the decoder is emptied first, then the
 *      frame's edges, at most one of them lost, then its timer
 * Asserted for every result: a key is one of 0-9 * #, a card has 26 or 34
 * bits and data that fits, a rejection has a known reason; never more
 * keys and cards than edges / 4; the timer decides nothing before the
 * deadline.  For frames: a whole frame in time decodes to exactly what was
 * encoded, one with an edge lost is rejected (never another key or card). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "macro.h"
#include "wiegand.h"

#define BATCH_MAX 64

struct state {
        struct dl_wiegand w;
        struct dl_wiegand_edge batch[2][BATCH_MAX];
        size_t n_batch[2];
        int64_t now;
        uint64_t edges, accepted;
};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc, (void)argv;
        return 0;
}

static void check_result(struct state *s, const struct dl_wiegand_result *r) {
        switch (r->kind) {
        case DL_WIEGAND_KEY:
                if (!r->key || !strchr("0123456789*#", r->key))
                        abort();
                if (r->bits != 8 && (r->bits != 4 || !s->w.config.keys_4bit))
                        abort();
                s->accepted++;
                break;
        case DL_WIEGAND_CARD:
                if (r->card.bits != 26 && r->card.bits != 34)
                        abort();
                if (r->card.bits != r->bits || r->card.data >> (r->card.bits - 2) != 0)
                        abort();
                s->accepted++;
                break;
        case DL_WIEGAND_REJECTED:
                if (r->reason == DL_WIEGAND_REJECT_NONE || !dl_wiegand_reject_to_string(r->reason))
                        abort();
                break;
        default:
                abort();
        }
        /* Every key or card took at least 4 edges. */
        if (s->accepted * 4 > s->edges)
                abort();
}

static void feed(struct state *s, bool d1_first) {
        for (unsigned i = 0; i < 2; i++) {
                unsigned line = d1_first ? 1 - i : i;

                if (dl_wiegand_edges(&s->w, s->batch[line], s->n_batch[line]) < 0)
                        abort();
                s->n_batch[line] = 0;
        }
}

/* Decide everything due at s->now; returns the number of results. */
static unsigned timer(struct state *s, struct dl_wiegand_result *last) {
        struct dl_wiegand_result r;
        unsigned n = 0;
        int64_t deadline = dl_wiegand_deadline(&s->w);
        int k;

        if (deadline > 0 && s->now < deadline && dl_wiegand_timer(&s->w, s->now, &r) != 0)
                abort(); /* nothing before the deadline */
        while ((k = dl_wiegand_timer(&s->w, s->now, &r)) > 0) {
                check_result(s, &r);
                if (last)
                        *last = r;
                n++;
                if (n > DL_WIEGAND_PENDING_MAX + 1)
                        abort(); /* each result takes at least one edge */
        }
        if (k < 0)
                abort();
        return n;
}

/* Feed the batches and decide every frame pending, moving time on. */
static void drain_all(struct state *s) {
        int64_t deadline;

        feed(s, false);
        while ((deadline = dl_wiegand_deadline(&s->w)) != 0) {
                s->now = MAX(s->now, deadline);
                if (timer(s, NULL) == 0)
                        abort(); /* due, yet nothing decided */
        }
}

static void edge(struct state *s, unsigned line, int64_t delta) {
        if (s->n_batch[line] == BATCH_MAX)
                feed(s, line == 0);
        s->now += delta;
        s->batch[line][s->n_batch[line]++] = (struct dl_wiegand_edge){ .usec = s->now, .line = line };
        s->edges++;
}

static uint64_t card(unsigned n, uint64_t data) {
        unsigned half = (n - 2) / 2, even = 0, odd = 0;

        data &= (UINT64_C(1) << (n - 2)) - 1;
        for (unsigned i = 0; i < half; i++) {
                odd += (unsigned)(data >> i) & 1;
                even += (unsigned)(data >> (half + i)) & 1;
        }
        return ((uint64_t)(even % 2) << (n - 1)) | (data << 1) | (uint64_t)(odd % 2 == 0);
}

/* A frame: kind (2 bits: 4-bit key, 8-bit key, 26-bit, 34-bit card),
 * value, bit interval, and which edge is lost (>= length: none). */
static void frame(struct state *s, struct fuzz_input *in) {
        static const unsigned lengths[] = { 4, 8, 26, 34 };
        const struct dl_wiegand_config *c = &s->w.config;
        struct dl_wiegand_result r = {};
        uint8_t kind = fuzz_u8(in) % 4;
        uint32_t value = fuzz_u32(in);
        int64_t step =
                c->min_interval_usec + fuzz_u16(in) % (c->max_interval_usec - c->min_interval_usec + 1);
        unsigned lost = fuzz_u8(in), n = lengths[kind];
        uint64_t v;
        unsigned got;

        /* Empty the decoder: whatever is pending is decided. */
        drain_all(s);
        s->now += c->frame_gap_usec;

        switch (kind) {
        case 0:
                v = value % 12;
                break;
        case 1:
                v = value % 12;
                v |= (~v & 0xf) << 4;
                break;
        default:
                v = card(n, value | (n == 34 ? (uint64_t)fuzz_u8(in) << 32 : 0));
                break;
        }
        for (unsigned i = 0; i < n; i++) {
                unsigned line = (unsigned)(v >> (n - 1 - i)) & 1;

                if (i == lost) {
                        s->now += step;
                        continue;
                }
                edge(s, line, i == 0 ? 0 : step);
        }
        feed(s, fuzz_u8(in) & 1);
        s->now = dl_wiegand_deadline(&s->w);
        got = timer(s, &r);
        if (got != 1)
                abort();
        if (lost < n) {
                if (r.kind != DL_WIEGAND_REJECTED)
                        abort(); /* a lost edge is never a key or a card */
                return;
        }
        if (kind == 0 && !c->keys_4bit) {
                if (r.kind != DL_WIEGAND_REJECTED)
                        abort();
                return;
        }
        if (kind < 2) {
                if (r.kind != DL_WIEGAND_KEY || r.key != "0123456789*#"[v & 0xf])
                        abort();
        } else if (r.kind != DL_WIEGAND_CARD || r.card.bits != n || card(n, r.card.data) != v)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fuzz_input in = { data, size, 0 };
        struct dl_wiegand_config c;
        static struct state s;
        uint8_t mode;

        if (size == 0 || size > 4096)
                return 0;
        mode = fuzz_u8(&in);
        if (dl_wiegand_config_init(&c, mode & 1 ? DL_WIEGAND_PROFILE_SLOW : DL_WIEGAND_PROFILE_STANDARD) < 0)
                abort();
        c.keys_4bit = !(mode & 2);
        memset(&s, 0, sizeof(s));
        if (dl_wiegand_init(&s.w, &c) < 0)
                abort();
        s.now = 1000000;

        while (fuzz_more(&in)) {
                uint8_t b = fuzz_u8(&in);

                switch (b & 3) {
                case 0:
                        edge(&s, (b >> 2) & 1, fuzz_u16(&in));
                        break;
                case 1:
                        feed(&s, (b >> 2) & 1);
                        break;
                case 2:
                        feed(&s, (b >> 2) & 1);
                        s.now += fuzz_u16(&in);
                        (void)timer(&s, NULL);
                        break;
                default:
                        frame(&s, &in);
                        break;
                }
        }
        /* The end: everything is decided. */
        drain_all(&s);
        if (s.w.n_pending != 0 || s.w.n_overrun != 0)
                abort();
        return 0;
}
