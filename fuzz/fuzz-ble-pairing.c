/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pairing window (daemon/ble/pairing.c, the lock's SPAKE2+ Verifier):
 * arbitrary messages from three links, honest phones (with the right code
 * or a wrong one) taking their next step, time steps, lost links, stops,
 * completions and reopenings, in any order.
 *
 * Input: the first byte seeds the random source and picks the role.  Then
 * one command per byte, by its low three bits; bits 3-4 pick the link (0,
 * 1, 2; 3 is 2):
 *   0  a raw message: the next byte is its length (mod 100), then its bytes
 *   1  time passes: the next two bytes, big-endian, in milliseconds
 *   2  the link's honest phone takes its next step (bit 5: the right code)
 *   3  the link is lost
 *   4  StopPairing
 *   5  a timer tick
 *   6  after CONFIRMED: complete (bit 5 clear) or refuse
 *   7  reopen a closed window for the next byte's seconds (+1)
 * Asserted after every call: each reply has a type and exact length the
 * protocol has, PAIR_FAIL reasons are known; at most 3 counted failures,
 * and the third closes the window; the events' failure count is ours;
 * CONFIRMED only on a link whose honest right-code phone sent the run's
 * share; a right-code phone's Prover always accepts the lock's confirmV;
 * a wrong-code phone is never confirmed; PAIR_DONE opens on the phone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/ble/ble-vectors.h"
#include "fuzz-util.h"
#include "macro.h"
#include "pairing.h"
#include "spake2plus.h"

#define LINKS 3
#define SEC ((uint64_t)1000000)

struct phone {
        int step; /* 0 nothing sent, 1 START sent, 2 share sent, 3 confirm sent */
        bool right;
        bool honest_share; /* the current run's share is this phone's */
        struct ble_spake spake;
        uint8_t salt[16];
        uint8_t confirm_p[32], confirm_v[32], k_shared[32];
};

static struct {
        uint8_t w0[32], w1[32];
        struct ble_pairing_record record;
} fixed;

static uint64_t rng_state;

static int rng(void *userdata, void *buf, size_t n) {
        uint8_t *p = buf;

        (void)userdata;
        for (size_t i = 0; i < n; i++) {
                rng_state ^= rng_state << 13;
                rng_state ^= rng_state >> 7;
                rng_state ^= rng_state << 17;
                p[i] = (uint8_t)(rng_state >> 24);
        }
        return 0;
}

static int nibble(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        abort();
}

static void unhex(const char *hex, uint8_t *out, size_t n) {
        for (size_t i = 0; i < n; i++)
                out[i] = (uint8_t)(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc, (void)argv;
        unhex(VEC_CODE_W0, fixed.w0, 32);
        unhex(VEC_CODE_W1, fixed.w1, 32);
        unhex(VEC_CODE_W0, fixed.record.w0, 32);
        unhex(VEC_CODE_L, fixed.record.L, 65);
        unhex(VEC_SALT, fixed.record.salt, 16);
        return 0;
}

#define CHECK(x)                                                                                            \
        do {                                                                                                \
                if (!(x)) {                                                                                 \
                        fprintf(stderr, "fuzz-ble-pairing: %s:%d: %s\n", __FILE__, __LINE__, #x);           \
                        abort();                                                                            \
                }                                                                                           \
        } while (0)

struct world {
        struct ble_pairing p;
        struct phone phones[LINKS];
        uint64_t now;
        unsigned failures; /* counted RUN_FAILED since the window opened */
        bool open;
        enum ble_pairing_role role;
};

static uint32_t link_of(unsigned i) {
        return 0x10000000u + i;
}

static void reset_phone(struct phone *ph) {
        bool right = ph->right;

        ble_spake_wipe(&ph->spake);
        memset(ph, 0, sizeof(*ph));
        ph->right = right;
}

/* The invariants of one call's output. */
static void check_out(struct world *w, const struct ble_pairing_out *out, int confirm_link) {
        if (out->reply_len > 0) {
                switch (out->reply[0]) {
                case BLE_PAIRING_MSG_SHARE:
                        CHECK(out->reply_len == BLE_PAIRING_SALT_SIZE ||
                              out->reply_len == BLE_PAIRING_SHARE_V_SIZE);
                        if (out->reply_len == BLE_PAIRING_SALT_SIZE)
                                CHECK(out->reply[17] >= 1 && out->reply[17] <= 3);
                        else
                                CHECK(ble_spake_share_check(out->reply + 1, 65) == 0);
                        break;
                case BLE_PAIRING_MSG_DONE:
                        CHECK(out->reply_len == (w->role == BLE_PAIRING_ROLE_ADMIN
                                                         ? BLE_PAIRING_DONE_ADMIN_SIZE
                                                         : BLE_PAIRING_DONE_USER_SIZE));
                        break;
                case BLE_PAIRING_MSG_FAIL:
                        CHECK(out->reply_len == BLE_PAIRING_FAIL_SIZE);
                        CHECK(out->reply[1] >= BLE_PAIRING_FAIL_CLOSED &&
                              out->reply[1] <= BLE_PAIRING_FAIL_INTERNAL);
                        break;
                default:
                        CHECK(!"reply type");
                }
        }
        CHECK(out->n_events <= 3);
        for (size_t i = 0; i < out->n_events; i++) {
                const struct ble_pairing_event *e = &out->events[i];

                switch (e->type) {
                case BLE_PAIRING_EVENT_RUN_FAILED:
                        CHECK(w->open);
                        CHECK(e->failure >= BLE_PAIRING_FAILURE_MALFORMED &&
                              e->failure <= BLE_PAIRING_FAILURE_INTERNAL);
                        CHECK(e->counted == (e->failure != BLE_PAIRING_FAILURE_INTERNAL));
                        if (e->counted)
                                w->failures++;
                        CHECK(e->failures == w->failures);
                        CHECK(w->failures <= BLE_PAIRING_MAX_FAILURES);
                        for (unsigned l = 0; l < LINKS; l++)
                                if (link_of(l) == e->link_id)
                                        w->phones[l].honest_share = false;
                        break;
                case BLE_PAIRING_EVENT_CLOSED:
                        CHECK(w->open);
                        CHECK(e->failures == w->failures);
                        if (w->failures >= BLE_PAIRING_MAX_FAILURES)
                                CHECK(e->close == BLE_PAIRING_CLOSE_FAILURES);
                        w->open = false;
                        break;
                case BLE_PAIRING_EVENT_CONFIRMED:
                        CHECK(w->open);
                        CHECK(confirm_link >= 0 && link_of((unsigned)confirm_link) == e->link_id);
                        CHECK(w->phones[confirm_link].right && w->phones[confirm_link].honest_share);
                        break;
                case BLE_PAIRING_EVENT_RUN_STARTED:
                case BLE_PAIRING_EVENT_BUSY:
                        CHECK(w->open);
                        CHECK(e->failures == w->failures);
                        break;
                default:
                        CHECK(!"event type");
                }
        }
        CHECK(ble_pairing_is_open(&w->p) == w->open);
        if (w->failures >= BLE_PAIRING_MAX_FAILURES)
                CHECK(!w->open);
}

/* A reply that reached the link's phone: it learns from it. */
static void phone_sees(struct world *w, unsigned l, const struct ble_pairing_out *out) {
        struct phone *ph = &w->phones[l];

        if (out->reply_len == 0 || out->link_id != link_of(l))
                return;
        if (out->reply[0] == BLE_PAIRING_MSG_SHARE && out->reply_len == BLE_PAIRING_SALT_SIZE &&
            ph->step == 1) {
                memcpy(ph->salt, out->reply + 1, 16);
                ph->step = 1 | 0x10; /* salt known */
        } else if (out->reply[0] == BLE_PAIRING_MSG_SHARE && out->reply_len == BLE_PAIRING_SHARE_V_SIZE &&
                   ph->step == 2) {
                uint8_t confirm[32];
                int r = ble_spake_prover_finish(&ph->spake, out->reply + 1, 65, out->reply + 66, 32, confirm,
                                                ph->k_shared);

                CHECK(r == 0 || r == -EKEYREJECTED);
                if (ph->right && ph->honest_share)
                        CHECK(r == 0);
                if (!ph->right)
                        CHECK(r == -EKEYREJECTED);
                if (r == 0) {
                        memcpy(ph->confirm_p, confirm, 32);
                        memcpy(ph->confirm_v, out->reply + 66, 32);
                } else
                        memset(ph->confirm_p, 0x5a, 32); /* sends garbage, as an attacker would */
                ph->step = 2 | 0x10;
        } else if (out->reply[0] == BLE_PAIRING_MSG_FAIL)
                reset_phone(ph);
}

static void phone_step(struct world *w, unsigned l, bool right) {
        struct phone *ph = &w->phones[l];
        struct ble_pairing_out out;
        uint8_t msg[66];
        size_t len;
        int confirm_link = -1;

        if (ph->step == 0 || (ph->step & 0x0f) == 3 || ph->right != right) {
                reset_phone(ph);
                ph->right = right;
                msg[0] = BLE_PAIRING_MSG_START;
                len = 1;
                ph->step = 1;
        } else if (ph->step == (1 | 0x10)) {
                uint8_t ctx[BLE_PAIRING_CONTEXT_SIZE], w0[32];

                memcpy(w0, fixed.w0, 32);
                if (!right)
                        w0[0] ^= 0x01;
                ble_pairing_context(link_of(l), ctx);
                CHECK(ble_spake_prover_init(&ph->spake, ctx, sizeof(ctx), NULL, 0, NULL, 0, w0, fixed.w1) ==
                      0);
                msg[0] = BLE_PAIRING_MSG_CONFIRM;
                CHECK(ble_spake_prover_start(&ph->spake, rng, NULL, msg + 1) == 0);
                len = 66;
                ph->step = 2;
                ph->honest_share = true;
        } else if (ph->step == (2 | 0x10)) {
                msg[0] = BLE_PAIRING_MSG_CONFIRM;
                memcpy(msg + 1, ph->confirm_p, 32);
                len = 33;
                ph->step = 3;
                confirm_link = (int)l;
        } else
                return; /* waiting for a reply it did not get */
        (void)ble_pairing_handle(&w->p, link_of(l), msg, len, w->now, &out);
        if (len == 66 && !(out.reply_len == BLE_PAIRING_SHARE_V_SIZE && out.link_id == link_of(l)))
                ph->honest_share = false;
        check_out(w, &out, confirm_link);
        phone_sees(w, l, &out);
}

static void reopen(struct world *w, uint64_t secs) {
        if (w->open)
                return;
        CHECK(ble_pairing_open(&w->p, &fixed.record, w->role, "fuzz", w->now, w->now + secs * SEC, rng,
                               NULL) == 0);
        w->open = true;
        w->failures = 0;
        for (unsigned l = 0; l < LINKS; l++)
                reset_phone(&w->phones[l]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static struct world w;
        struct ble_pairing_out out;
        size_t i = 0;

        if (size < 1)
                return 0;
        memset(&w, 0, sizeof(w));
        rng_state = 0x9e3779b97f4a7c15ull ^ data[0];
        w.role = data[0] & 1 ? BLE_PAIRING_ROLE_ADMIN : BLE_PAIRING_ROLE_USER;
        w.now = 1000 * SEC;
        ble_pairing_init(&w.p);
        reopen(&w, 300);
        for (i = 1; i < size; i++) {
                uint8_t c = data[i];
                unsigned l = MIN((c >> 3) & 3u, LINKS - 1);

                switch (c & 7) {
                case 0: {
                        size_t len = i + 1 < size ? data[++i] % 100u : 0;

                        len = MIN(len, size - i - 1);
                        (void)ble_pairing_handle(&w.p, link_of(l), data + i + 1, len, w.now, &out);
                        i += len;
                        /* a raw message may replace what the phone sent */
                        w.phones[l].honest_share = false;
                        check_out(&w, &out, -1);
                        phone_sees(&w, l, &out);
                        break;
                }
                case 1:
                        if (i + 2 < size) {
                                w.now += ((uint64_t)data[i + 1] << 8 | data[i + 2]) * 1000;
                                i += 2;
                        }
                        break;
                case 2:
                        phone_step(&w, l, c & 0x20);
                        break;
                case 3:
                        ble_pairing_link_lost(&w.p, link_of(l), &out);
                        check_out(&w, &out, -1);
                        reset_phone(&w.phones[l]);
                        break;
                case 4:
                        ble_pairing_stop(&w.p, &out);
                        check_out(&w, &out, -1);
                        break;
                case 5:
                        ble_pairing_tick(&w.p, w.now, &out);
                        check_out(&w, &out, -1);
                        break;
                case 6: {
                        uint8_t ltk[32], secret[32] = { 1 };
                        int r;

                        if (c & 0x20)
                                r = ble_pairing_refuse(&w.p, &out);
                        else
                                r = ble_pairing_complete(&w.p, 42, 5,
                                                         w.role == BLE_PAIRING_ROLE_ADMIN ? secret : NULL,
                                                         ltk, &out);
                        if (r == -EPROTO) {
                                CHECK(out.reply_len == 0 && out.n_events == 0);
                                break;
                        }
                        CHECK(r == 0);
                        CHECK(out.n_events == 1 && out.events[0].type == BLE_PAIRING_EVENT_CLOSED);
                        for (unsigned k = 0; k < LINKS; k++) {
                                struct phone *ph = &w.phones[k];
                                uint32_t phone_id, issuer_id;
                                enum ble_pairing_role role;
                                uint8_t got_secret[32], got_ltk[32];

                                if (out.link_id != link_of(k) || (c & 0x20) || ph->step != 3)
                                        continue;
                                /* the confirmed phone opens PAIR_DONE */
                                CHECK(ble_pairing_done_open(ph->k_shared, link_of(k), ph->confirm_p,
                                                            ph->confirm_v, out.reply, out.reply_len,
                                                            &phone_id, &role, &issuer_id, got_secret,
                                                            got_ltk) == 0);
                                CHECK(phone_id == 42 && role == w.role);
                                CHECK(memcmp(got_ltk, ltk, 32) == 0);
                        }
                        check_out(&w, &out, -1);
                        break;
                }
                case 7:
                        if (i + 1 < size)
                                reopen(&w, 1 + (uint64_t)data[++i]);
                        break;
                }
        }
        ble_pairing_stop(&w.p, &out);
        check_out(&w, &out, -1);
        for (unsigned l = 0; l < LINKS; l++)
                ble_spake_wipe(&w.phones[l].spake);
        return 0;
}
