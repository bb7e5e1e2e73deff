/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon/ble/pairing.c: the pairing window's rules (attempts, stall,
 * deadline, one run at a time, events), the messages against
 * tools/ble-vectors.py's vectors (tests/ble/ble-vectors.h), the LTK and
 * PAIR_DONE.  Pairing codes, QR secrets and records: test-pairing-code.c. */
#include "ble-test-util.h"

#include <errno.h>

#include "ble-vectors.h"
#include "macro.h"
#include "pairing.h"
#include "spake2plus.h"

#define SEC ((uint64_t)1000000)
#define T0 (1000 * SEC)
#define LINK_A 0x1a2b3c4du /* VEC_LINK_ID */
#define LINK_B 0x55667788u

/* The vectors' record: w0, L and salt of the code VEC_CODE. */
static void vec_record(struct ble_pairing_record *rec) {
        unhex(VEC_CODE_W0, rec->w0, sizeof(rec->w0));
        unhex(VEC_CODE_L, rec->L, sizeof(rec->L));
        unhex(VEC_SALT, rec->salt, sizeof(rec->salt));
}

/* A random source whose first 40 bytes reduce to the vectors' y. */
static uint8_t y_script[40];
static struct test_rand vec_rand(void) {
        memset(y_script, 0, 8);
        unhex(VEC_Y, y_script + 8, 32);
        return (struct test_rand){ .seed = 7, .script = y_script, .script_len = sizeof(y_script) };
}

static void open_window(struct ble_pairing *p, struct test_rand *r, enum ble_pairing_role role) {
        struct ble_pairing_record rec;

        vec_record(&rec);
        ble_pairing_init(p);
        assert_int_equal(
                ble_pairing_open(p, &rec, role, "Anna's phone", T0, T0 + 300 * SEC, test_rand_fill, r), 0);
        assert_true(ble_pairing_is_open(p));
}

/* The phone: a Prover over the vectors' w0/w1 (or other ones). */
struct phone {
        struct ble_spake spake;
        uint8_t w0[32], w1[32];
        uint8_t confirm_p[32], confirm_v[32], k_shared[32];
        struct test_rand rand;
};

static void phone_init(struct phone *ph, bool right_code, uint64_t seed) {
        memset(ph, 0, sizeof(*ph));
        unhex(VEC_CODE_W0, ph->w0, 32);
        unhex(VEC_CODE_W1, ph->w1, 32);
        if (!right_code)
                ph->w0[31] ^= 0x55;
        ph->rand.seed = seed;
}

static void phone_share(struct phone *ph, uint32_t link_id, const uint8_t *x, uint8_t msg[66]) {
        uint8_t ctx[BLE_PAIRING_CONTEXT_SIZE];

        ble_pairing_context(link_id, ctx);
        assert_int_equal(
                ble_spake_prover_init(&ph->spake, ctx, sizeof(ctx), NULL, 0, NULL, 0, ph->w0, ph->w1), 0);
        msg[0] = BLE_PAIRING_MSG_CONFIRM;
        if (x)
                assert_int_equal(ble_spake_prover_start_scalar(&ph->spake, x, msg + 1), 0);
        else
                assert_int_equal(ble_spake_prover_start(&ph->spake, test_rand_fill, &ph->rand, msg + 1), 0);
}

/* From the lock's 98-byte PAIR_SHARE: 0 and confirmP in msg, or the
 * Prover's refusal. */
static int phone_confirm(struct phone *ph, const uint8_t *reply, size_t len, uint8_t msg[33]) {
        int r;

        assert_int_equal(len, BLE_PAIRING_SHARE_V_SIZE);
        assert_int_equal(reply[0], BLE_PAIRING_MSG_SHARE);
        msg[0] = BLE_PAIRING_MSG_CONFIRM;
        r = ble_spake_prover_finish(&ph->spake, reply + 1, 65, reply + 66, 32, msg + 1, ph->k_shared);
        if (r >= 0) {
                memcpy(ph->confirm_p, msg + 1, 32);
                memcpy(ph->confirm_v, reply + 66, 32);
        }
        return r;
}

static void assert_fail_reply(const struct ble_pairing_out *out, uint32_t link_id, uint8_t reason) {
        assert_int_equal(out->reply_len, 2);
        assert_int_equal(out->reply[0], BLE_PAIRING_MSG_FAIL);
        assert_int_equal(out->reply[1], reason);
        assert_int_equal(out->link_id, link_id);
}

static void assert_event(const struct ble_pairing_out *out, size_t i, enum ble_pairing_event_type type,
                         uint32_t link_id) {
        assert_true(out->n_events > i);
        assert_int_equal(out->events[i].type, type);
        assert_int_equal(out->events[i].link_id, link_id);
}

static const uint8_t start_msg[1] = { BLE_PAIRING_MSG_START };

/* PAIR_START from link: the salt, the attempt byte, RUN_STARTED. */
static void start(struct ble_pairing *p, uint32_t link_id, uint64_t now, unsigned attempt) {
        struct ble_pairing_out out;
        uint8_t expect[BLE_PAIRING_SALT_SIZE];

        assert_int_equal(ble_pairing_handle(p, link_id, start_msg, 1, now, &out), 0);
        expect[0] = BLE_PAIRING_MSG_SHARE;
        unhex(VEC_SALT, expect + 1, 16);
        expect[17] = (uint8_t)attempt;
        assert_int_equal(out.reply_len, sizeof(expect));
        assert_memory_equal(out.reply, expect, sizeof(expect));
        assert_int_equal(out.link_id, link_id);
        assert_int_equal(out.n_events, 1);
        assert_event(&out, 0, BLE_PAIRING_EVENT_RUN_STARTED, link_id);
}

/* One run with a wrong code: CONFIRM, counted. */
static void wrong_run(struct ble_pairing *p, uint32_t link_id, uint64_t now, unsigned attempt,
                      struct ble_pairing_out *out) {
        struct phone ph;
        uint8_t msg[66], confirm[33];

        start(p, link_id, now, attempt);
        phone_init(&ph, false, attempt);
        phone_share(&ph, link_id, NULL, msg);
        assert_int_equal(ble_pairing_handle(p, link_id, msg, sizeof(msg), now + SEC, out), 0);
        assert_int_equal(phone_confirm(&ph, out->reply, out->reply_len, confirm), -EKEYREJECTED);
        /* the attacker sends a confirm anyway */
        memset(confirm + 1, 0xaa, 32);
        assert_int_equal(ble_pairing_handle(p, link_id, confirm, sizeof(confirm), now + 2 * SEC, out), 0);
        assert_fail_reply(out, link_id, BLE_PAIRING_FAIL_CONFIRM);
        assert_event(out, 0, BLE_PAIRING_EVENT_RUN_FAILED, link_id);
        assert_int_equal(out->events[0].failure, BLE_PAIRING_FAILURE_CONFIRM);
        assert_true(out->events[0].counted);
        assert_int_equal(out->events[0].failures, attempt);
}

/* The vectors' run through the state machine: every message as
 * tools/ble-vectors.py prints it, the LTK, PAIR_DONE for an admin. */
static void test_vector_run(void **state) {
        struct test_rand r = vec_rand();
        struct ble_pairing p;
        struct ble_pairing_out out;
        struct phone ph;
        uint8_t x[32], msg[66], confirm[33], ltk[32], secret[32], got_secret[32], got_ltk[32];
        uint32_t phone_id, issuer_id;
        enum ble_pairing_role role;

        (void)state;
        open_window(&p, &r, BLE_PAIRING_ROLE_ADMIN);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, start_msg, 1, T0, &out), 0);
        assert_hex_equal(out.reply, out.reply_len, VEC_MSG_PAIR_SALT);
        assert_hex_equal(start_msg, 1, VEC_MSG_PAIR_START);

        phone_init(&ph, true, 1);
        unhex(VEC_X, x, 32);
        phone_share(&ph, LINK_A, x, msg);
        assert_hex_equal(msg, sizeof(msg), VEC_MSG_PAIR_SHARE_P);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, msg, sizeof(msg), T0 + SEC, &out), 0);
        assert_int_equal(out.link_id, LINK_A);
        assert_hex_equal(out.reply, out.reply_len, VEC_MSG_PAIR_SHARE_V);
        assert_int_equal(out.n_events, 0);

        assert_int_equal(phone_confirm(&ph, out.reply, out.reply_len, confirm), 0);
        assert_hex_equal(confirm, sizeof(confirm), VEC_MSG_PAIR_CONFIRM_P);
        assert_hex_equal(ph.k_shared, 32, VEC_K_SHARED);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, confirm, sizeof(confirm), T0 + 2 * SEC, &out), 0);
        assert_int_equal(out.reply_len, 0);
        assert_int_equal(out.n_events, 1);
        assert_event(&out, 0, BLE_PAIRING_EVENT_CONFIRMED, LINK_A);
        assert_string_equal(p.name, "Anna's phone");
        assert_int_equal(p.role, BLE_PAIRING_ROLE_ADMIN);

        unhex(VEC_ISSUER_SECRET, secret, 32);
        assert_int_equal(ble_pairing_complete(&p, 7, 3, secret, ltk, &out), 0);
        assert_hex_equal(ltk, 32, VEC_LTK);
        assert_int_equal(out.link_id, LINK_A);
        assert_hex_equal(out.reply, out.reply_len, VEC_MSG_PAIR_DONE_ADMIN);
        assert_int_equal(out.n_events, 1);
        assert_int_equal(out.events[0].type, BLE_PAIRING_EVENT_CLOSED);
        assert_int_equal(out.events[0].close, BLE_PAIRING_CLOSE_PAIRED);
        assert_false(ble_pairing_is_open(&p));

        /* the phone opens it */
        assert_int_equal(ble_pairing_done_open(ph.k_shared, LINK_A, ph.confirm_p, ph.confirm_v, out.reply,
                                               out.reply_len, &phone_id, &role, &issuer_id, got_secret,
                                               got_ltk),
                         0);
        assert_int_equal(phone_id, 7);
        assert_int_equal(role, BLE_PAIRING_ROLE_ADMIN);
        assert_int_equal(issuer_id, 3);
        assert_memory_equal(got_secret, secret, 32);
        assert_memory_equal(got_ltk, ltk, 32);

        /* closed now */
        assert_int_equal(ble_pairing_handle(&p, LINK_A, start_msg, 1, T0 + 3 * SEC, &out), 0);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_CLOSED);
        assert_int_equal(out.n_events, 0);
}

/* A user phone with random scalars on both sides: PAIR_DONE carries no
 * issuer; the vectors' user PAIR_DONE from the vector keys. */
static void test_user_run(void **state) {
        struct test_rand r = { .seed = 99 };
        struct ble_pairing p;
        struct ble_pairing_out out;
        struct phone ph;
        uint8_t msg[66], confirm[33], ltk[32], got_ltk[32], secret[32], k_shared[32], cp[32], cv[32];
        uint8_t done[BLE_PAIRING_DONE_ADMIN_SIZE];
        size_t done_len;
        uint32_t phone_id, issuer_id = 1;
        enum ble_pairing_role role;

        (void)state;
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        start(&p, LINK_B, T0, 1);
        phone_init(&ph, true, 5);
        phone_share(&ph, LINK_B, NULL, msg);
        assert_int_equal(ble_pairing_handle(&p, LINK_B, msg, sizeof(msg), T0 + SEC, &out), 0);
        assert_int_equal(phone_confirm(&ph, out.reply, out.reply_len, confirm), 0);
        assert_int_equal(ble_pairing_handle(&p, LINK_B, confirm, sizeof(confirm), T0 + 2 * SEC, &out), 0);
        assert_event(&out, 0, BLE_PAIRING_EVENT_CONFIRMED, LINK_B);
        /* a user phone gets no issuer */
        unhex(VEC_ISSUER_SECRET, secret, 32);
        assert_int_equal(ble_pairing_complete(&p, 9, 3, secret, ltk, &out), -EINVAL);
        assert_int_equal(ble_pairing_complete(&p, 9, 0, NULL, ltk, &out), 0);
        assert_int_equal(out.reply_len, BLE_PAIRING_DONE_USER_SIZE);
        assert_int_equal(ble_pairing_done_open(ph.k_shared, LINK_B, ph.confirm_p, ph.confirm_v, out.reply,
                                               out.reply_len, &phone_id, &role, &issuer_id, secret, got_ltk),
                         0);
        assert_int_equal(phone_id, 9);
        assert_int_equal(role, BLE_PAIRING_ROLE_USER);
        assert_int_equal(issuer_id, 0);
        assert_memory_equal(got_ltk, ltk, 32);

        /* the vectors' user PAIR_DONE */
        unhex(VEC_K_SHARED, k_shared, 32);
        unhex(VEC_CONFIRM_P, cp, 32);
        unhex(VEC_CONFIRM_V, cv, 32);
        assert_int_equal(ble_pairing_done_seal(k_shared, LINK_A, 7, cp, cv, BLE_PAIRING_ROLE_USER, 0, NULL,
                                               ltk, done, &done_len),
                         0);
        assert_hex_equal(done, done_len, VEC_MSG_PAIR_DONE_USER);
        assert_hex_equal(ltk, 32, VEC_LTK);
}

/* LTK and PAIR_DONE: vectors, and every refusal of done_open. */
static void test_ltk_and_done(void **state) {
        uint8_t k_shared[32], cp[32], cv[32], ltk[32], got_ltk[32], secret[32], got[32];
        uint8_t done[BLE_PAIRING_DONE_ADMIN_SIZE + 1];
        size_t len;
        uint32_t phone_id, issuer_id;
        enum ble_pairing_role role;

        (void)state;
        unhex(VEC_K_SHARED, k_shared, 32);
        unhex(VEC_CONFIRM_P, cp, 32);
        unhex(VEC_CONFIRM_V, cv, 32);
        unhex(VEC_ISSUER_SECRET, secret, 32);
        assert_int_equal(ble_pairing_ltk(k_shared, 7, ltk), 0);
        assert_hex_equal(ltk, 32, VEC_LTK);
        assert_int_equal(ble_pairing_ltk(k_shared, 8, ltk), 0);
        assert_hex_not_equal(ltk, 32, VEC_LTK);

        assert_int_equal(ble_pairing_done_seal(k_shared, LINK_A, 7, cp, cv, BLE_PAIRING_ROLE_ADMIN, 3,
                                               secret, ltk, done, &len),
                         0);
        assert_hex_equal(done, len, VEC_MSG_PAIR_DONE_ADMIN);
        assert_int_equal(ble_pairing_done_open(k_shared, LINK_A, cp, cv, done, len, &phone_id, &role,
                                               &issuer_id, got, got_ltk),
                         0);
        /* every byte is covered: header (AAD, key), ciphertext, tag */
        for (size_t i = 0; i < len; i++) {
                done[i] ^= 0x01;
                assert_int_equal(ble_pairing_done_open(k_shared, LINK_A, cp, cv, done, len, &phone_id, &role,
                                                       &issuer_id, got, got_ltk),
                                 -EBADMSG);
                done[i] ^= 0x01;
        }
        /* another link, other confirmations, other K_shared */
        assert_int_equal(ble_pairing_done_open(k_shared, LINK_B, cp, cv, done, len, &phone_id, &role,
                                               &issuer_id, got, got_ltk),
                         -EBADMSG);
        assert_int_equal(ble_pairing_done_open(k_shared, LINK_A, cv, cp, done, len, &phone_id, &role,
                                               &issuer_id, got, got_ltk),
                         -EBADMSG);
        k_shared[0] ^= 1;
        assert_int_equal(ble_pairing_done_open(k_shared, LINK_A, cp, cv, done, len, &phone_id, &role,
                                               &issuer_id, got, got_ltk),
                         -EBADMSG);
        k_shared[0] ^= 1;
        /* lengths */
        for (size_t l = 0; l <= len + 1; l++)
                if (l != len)
                        assert_int_equal(ble_pairing_done_open(k_shared, LINK_A, cp, cv, done, l, &phone_id,
                                                               &role, &issuer_id, got, got_ltk),
                                         -EBADMSG);
        /* bad roles for seal */
        assert_int_equal(ble_pairing_done_seal(k_shared, LINK_A, 7, cp, cv, BLE_PAIRING_ROLE_ADMIN, 3, NULL,
                                               ltk, done, &len),
                         -EINVAL);
        assert_int_equal(ble_pairing_done_seal(k_shared, LINK_A, 7, cp, cv, 3, 3, NULL, ltk, done, &len),
                         -EINVAL);
}

/* A user-length PAIR_DONE whose plaintext claims admin (or an admin-length
 * one claiming user) is refused even with a good tag. */
static void test_done_role_length_mismatch(void **state) {
        uint8_t k_shared[32], cp[32], cv[32], ltk[32], got[32], secret[32] = { 0 };
        uint8_t done[BLE_PAIRING_DONE_ADMIN_SIZE];
        size_t len;
        uint32_t phone_id, issuer_id;
        enum ble_pairing_role role;

        (void)state;
        unhex(VEC_K_SHARED, k_shared, 32);
        unhex(VEC_CONFIRM_P, cp, 32);
        unhex(VEC_CONFIRM_V, cv, 32);
        /* the role byte is inside the AEAD: a user PAIR_DONE cannot be
         * turned into an admin one (its issuer would not fit anyway) */
        assert_int_equal(ble_pairing_done_seal(k_shared, LINK_A, 7, cp, cv, BLE_PAIRING_ROLE_USER, 0, NULL,
                                               ltk, done, &len),
                         0);
        assert_int_equal(ble_pairing_done_open(k_shared, LINK_A, cp, cv, done, len, &phone_id, &role,
                                               &issuer_id, secret, got),
                         0);
        assert_int_equal(role, BLE_PAIRING_ROLE_USER);
        /* flipping the ciphertext's role byte breaks the tag */
        done[5] ^= 3;
        assert_int_equal(ble_pairing_done_open(k_shared, LINK_A, cp, cv, done, len, &phone_id, &role,
                                               &issuer_id, secret, got),
                         -EBADMSG);
}

/* Three wrong codes close the window; the attempt byte counts up. */
static void test_three_failures_close(void **state) {
        struct test_rand r = { .seed = 3 };
        struct ble_pairing p;
        struct ble_pairing_out out;

        (void)state;
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        wrong_run(&p, LINK_A, T0, 1, &out);
        assert_int_equal(out.n_events, 1);
        assert_true(ble_pairing_is_open(&p));
        wrong_run(&p, LINK_B, T0 + 10 * SEC, 2, &out);
        assert_int_equal(out.n_events, 1);
        wrong_run(&p, LINK_A, T0 + 20 * SEC, 3, &out);
        assert_int_equal(out.n_events, 2);
        assert_int_equal(out.events[1].type, BLE_PAIRING_EVENT_CLOSED);
        assert_int_equal(out.events[1].close, BLE_PAIRING_CLOSE_FAILURES);
        assert_int_equal(out.events[1].failures, 3);
        assert_false(ble_pairing_is_open(&p));
        assert_int_equal(ble_pairing_handle(&p, LINK_A, start_msg, 1, T0 + 30 * SEC, &out), 0);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_CLOSED);
        /* the record is gone */
        {
                uint8_t zero[65] = { 0 };

                assert_memory_equal(p.record.w0, zero, 32);
                assert_memory_equal(p.record.L, zero, 65);
        }
}

/* Two failures, then the right code still pairs. */
static void test_success_after_failures(void **state) {
        struct test_rand r = { .seed = 4 };
        struct ble_pairing p;
        struct ble_pairing_out out;
        struct phone ph;
        uint8_t msg[66], confirm[33];

        (void)state;
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        wrong_run(&p, LINK_A, T0, 1, &out);
        wrong_run(&p, LINK_A, T0 + 5 * SEC, 2, &out);
        start(&p, LINK_A, T0 + 10 * SEC, 3);
        phone_init(&ph, true, 8);
        phone_share(&ph, LINK_A, NULL, msg);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, msg, sizeof(msg), T0 + 11 * SEC, &out), 0);
        assert_int_equal(phone_confirm(&ph, out.reply, out.reply_len, confirm), 0);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, confirm, sizeof(confirm), T0 + 12 * SEC, &out), 0);
        assert_event(&out, 0, BLE_PAIRING_EVENT_CONFIRMED, LINK_A);
}

/* One run at a time: another link's PAIR_START gets BUSY (an event, not
 * counted), its other messages BUSY without an event; the run goes on. */
static void test_busy(void **state) {
        struct test_rand r = { .seed = 5 };
        struct ble_pairing p;
        struct ble_pairing_out out;
        struct phone ph, other;
        uint8_t msg[66], msg_b[66], confirm[33];

        (void)state;
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        start(&p, LINK_A, T0, 1);
        for (int i = 0; i < 10; i++) {
                assert_int_equal(ble_pairing_handle(&p, LINK_B, start_msg, 1, T0 + SEC, &out), 0);
                assert_fail_reply(&out, LINK_B, BLE_PAIRING_FAIL_BUSY);
                assert_int_equal(out.n_events, 1);
                assert_event(&out, 0, BLE_PAIRING_EVENT_BUSY, LINK_B);
        }
        phone_init(&other, true, 77);
        phone_share(&other, LINK_B, NULL, msg_b);
        assert_int_equal(ble_pairing_handle(&p, LINK_B, msg_b, sizeof(msg_b), T0 + SEC, &out), 0);
        assert_fail_reply(&out, LINK_B, BLE_PAIRING_FAIL_BUSY);
        assert_int_equal(out.n_events, 0);
        assert_int_equal(p.failures, 0);

        phone_init(&ph, true, 6);
        phone_share(&ph, LINK_A, NULL, msg);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, msg, sizeof(msg), T0 + 2 * SEC, &out), 0);
        assert_int_equal(out.reply_len, BLE_PAIRING_SHARE_V_SIZE);
        assert_int_equal(phone_confirm(&ph, out.reply, out.reply_len, confirm), 0);
        /* B again, mid-run */
        assert_int_equal(ble_pairing_handle(&p, LINK_B, start_msg, 1, T0 + 3 * SEC, &out), 0);
        assert_fail_reply(&out, LINK_B, BLE_PAIRING_FAIL_BUSY);
        assert_int_equal(ble_pairing_handle(&p, LINK_B, confirm, sizeof(confirm), T0 + 3 * SEC, &out), 0);
        assert_fail_reply(&out, LINK_B, BLE_PAIRING_FAIL_BUSY);
        assert_int_equal(p.failures, 0);
        /* the run completes: B changed nothing */
        assert_int_equal(ble_pairing_handle(&p, LINK_A, confirm, sizeof(confirm), T0 + 4 * SEC, &out), 0);
        assert_event(&out, 0, BLE_PAIRING_EVENT_CONFIRMED, LINK_A);
}

/* A run stalls 10 s after its last accepted message (not 9.999 s), in
 * either step; the link's late message then gets NO_RUN. */
static void test_stall(void **state) {
        struct test_rand r = { .seed = 6 };
        struct ble_pairing p;
        struct ble_pairing_out out;
        struct phone ph;
        uint8_t msg[66], confirm[33];

        (void)state;
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        start(&p, LINK_A, T0, 1);
        assert_int_equal(ble_pairing_next_wakeup(&p), T0 + 10 * SEC);
        ble_pairing_tick(&p, T0 + 10 * SEC - 1, &out);
        assert_int_equal(out.n_events, 0);
        ble_pairing_tick(&p, T0 + 10 * SEC, &out);
        assert_int_equal(out.n_events, 1);
        assert_event(&out, 0, BLE_PAIRING_EVENT_RUN_FAILED, LINK_A);
        assert_int_equal(out.events[0].failure, BLE_PAIRING_FAILURE_STALLED);
        assert_true(out.events[0].counted);
        assert_int_equal(out.reply_len, 0);
        assert_int_equal(ble_pairing_next_wakeup(&p), T0 + 300 * SEC);

        phone_init(&ph, true, 9);
        phone_share(&ph, LINK_A, NULL, msg);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, msg, sizeof(msg), T0 + 11 * SEC, &out), 0);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_NO_RUN);
        assert_int_equal(out.n_events, 0);

        /* the second step: the timer restarts at the accepted share */
        start(&p, LINK_A, T0 + 20 * SEC, 2);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, msg, sizeof(msg), T0 + 29 * SEC, &out), 0);
        assert_int_equal(out.reply_len, BLE_PAIRING_SHARE_V_SIZE);
        assert_int_equal(ble_pairing_next_wakeup(&p), T0 + 39 * SEC);
        /* the stall is applied before a message is handled */
        memset(confirm, 0, sizeof(confirm));
        confirm[0] = BLE_PAIRING_MSG_CONFIRM;
        assert_int_equal(ble_pairing_handle(&p, LINK_A, confirm, sizeof(confirm), T0 + 39 * SEC, &out), 0);
        assert_int_equal(out.n_events, 1);
        assert_int_equal(out.events[0].failure, BLE_PAIRING_FAILURE_STALLED);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_NO_RUN);
        assert_int_equal(p.failures, 2);
}

/* The deadline closes the window, failing a run in progress (counted). */
static void test_deadline(void **state) {
        struct test_rand r = { .seed = 7 };
        struct ble_pairing p;
        struct ble_pairing_out out;

        (void)state;
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        ble_pairing_tick(&p, T0 + 300 * SEC - 1, &out);
        assert_int_equal(out.n_events, 0);
        start(&p, LINK_A, T0 + 295 * SEC, 1);
        assert_int_equal(ble_pairing_next_wakeup(&p), T0 + 300 * SEC);
        ble_pairing_tick(&p, T0 + 300 * SEC, &out);
        assert_int_equal(out.n_events, 2);
        assert_event(&out, 0, BLE_PAIRING_EVENT_RUN_FAILED, LINK_A);
        assert_int_equal(out.events[0].failure, BLE_PAIRING_FAILURE_DEADLINE);
        assert_int_equal(out.events[1].type, BLE_PAIRING_EVENT_CLOSED);
        assert_int_equal(out.events[1].close, BLE_PAIRING_CLOSE_DEADLINE);
        assert_false(ble_pairing_is_open(&p));
        assert_int_equal(ble_pairing_next_wakeup(&p), UINT64_MAX);

        /* no run: just the close; a message past the deadline closes first */
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, start_msg, 1, T0 + 301 * SEC, &out), 0);
        assert_int_equal(out.n_events, 1);
        assert_int_equal(out.events[0].close, BLE_PAIRING_CLOSE_DEADLINE);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_CLOSED);
}

/* A link that goes away mid-run fails it (counted); another link's loss
 * changes nothing. */
static void test_link_lost(void **state) {
        struct test_rand r = { .seed = 8 };
        struct ble_pairing p;
        struct ble_pairing_out out;

        (void)state;
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        ble_pairing_link_lost(&p, LINK_A, &out);
        assert_int_equal(out.n_events, 0);
        start(&p, LINK_A, T0, 1);
        ble_pairing_link_lost(&p, LINK_B, &out);
        assert_int_equal(out.n_events, 0);
        ble_pairing_link_lost(&p, LINK_A, &out);
        assert_int_equal(out.n_events, 1);
        assert_int_equal(out.events[0].failure, BLE_PAIRING_FAILURE_LINK_LOST);
        assert_true(out.events[0].counted);
        assert_int_equal(p.failures, 1);
        /* the slot is free at once */
        start(&p, LINK_B, T0 + SEC, 2);
}

/* Wrong type or length at each step: MALFORMED, counted; messages without
 * a run: NO_RUN, not counted. */
static void test_malformed(void **state) {
        struct test_rand r = { .seed = 9 };
        struct ble_pairing p;
        struct ble_pairing_out out;
        struct phone ph;
        uint8_t msg[67], confirm[34];
        static const uint8_t start2[2] = { BLE_PAIRING_MSG_START, 0 };

        (void)state;
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        /* without a run */
        assert_int_equal(ble_pairing_handle(&p, LINK_A, start2, 2, T0, &out), 0);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_NO_RUN);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, NULL, 0, T0, &out), 0);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_NO_RUN);
        assert_int_equal(p.failures, 0);

        phone_init(&ph, true, 10);
        /* step 1: a 65-byte, a 67-byte, a wrong-type share; PAIR_START again */
        phone_share(&ph, LINK_A, NULL, msg);
        {
                const struct {
                        const uint8_t *m;
                        size_t len;
                        uint8_t type;
                } bad[] = {
                        { msg, 65, BLE_PAIRING_MSG_CONFIRM },
                        { msg, 67, BLE_PAIRING_MSG_CONFIRM },
                        { msg, 66, BLE_PAIRING_MSG_SHARE },
                };
                for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                        struct ble_pairing p2;

                        open_window(&p2, &r, BLE_PAIRING_ROLE_USER);
                        start(&p2, LINK_A, T0, 1);
                        msg[0] = bad[i].type;
                        assert_int_equal(
                                ble_pairing_handle(&p2, LINK_A, bad[i].m, bad[i].len, T0 + SEC, &out), 0);
                        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_MALFORMED);
                        assert_int_equal(out.events[0].failure, BLE_PAIRING_FAILURE_MALFORMED);
                        assert_int_equal(p2.failures, 1);
                }
                msg[0] = BLE_PAIRING_MSG_CONFIRM;
        }
        start(&p, LINK_A, T0, 1);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, start_msg, 1, T0 + SEC, &out), 0);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_MALFORMED);
        assert_int_equal(p.failures, 1);
        start(&p, LINK_A, T0 + 2 * SEC, 2);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, NULL, 0, T0 + 3 * SEC, &out), 0);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_MALFORMED);
        assert_int_equal(p.failures, 2);

        /* step 2: 32 or 34 bytes */
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        for (size_t len = 32; len <= 34; len += 2) {
                start(&p, LINK_A, T0, len == 32 ? 1 : 2);
                phone_share(&ph, LINK_A, NULL, msg);
                assert_int_equal(ble_pairing_handle(&p, LINK_A, msg, 66, T0 + SEC, &out), 0);
                assert_int_equal(phone_confirm(&ph, out.reply, out.reply_len, confirm), 0);
                confirm[33] = 0;
                assert_int_equal(ble_pairing_handle(&p, LINK_A, confirm, len, T0 + 2 * SEC, &out), 0);
                assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_MALFORMED);
        }
        assert_int_equal(p.failures, 2);
}

/* Bad shares (the all-zero ones, off the curve): BAD_SHARE, counted. */
static void test_bad_share(void **state) {
        struct test_rand r = { .seed = 10 };
        struct ble_pairing p;
        struct ble_pairing_out out;
        uint8_t msg[66] = { BLE_PAIRING_MSG_CONFIRM };

        (void)state;
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        start(&p, LINK_A, T0, 1);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, msg, sizeof(msg), T0 + SEC, &out), 0);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_BAD_SHARE);
        assert_int_equal(out.events[0].failure, BLE_PAIRING_FAILURE_BAD_SHARE);
        assert_true(out.events[0].counted);

        start(&p, LINK_A, T0 + 2 * SEC, 2);
        unhex(VEC_ALL_ZERO_SHARE, msg + 1, 65);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, msg, sizeof(msg), T0 + 3 * SEC, &out), 0);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_BAD_SHARE);

        start(&p, LINK_A, T0 + 4 * SEC, 3);
        unhex(VEC_SHARE_P, msg + 1, 65);
        msg[65] ^= 1;
        assert_int_equal(ble_pairing_handle(&p, LINK_A, msg, sizeof(msg), T0 + 5 * SEC, &out), 0);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_BAD_SHARE);
        assert_int_equal(out.events[1].close, BLE_PAIRING_CLOSE_FAILURES);
        assert_false(ble_pairing_is_open(&p));
}

/* StopPairing: closes, a run in progress is not counted. */
static void test_stop(void **state) {
        struct test_rand r = { .seed = 11 };
        struct ble_pairing p;
        struct ble_pairing_out out;

        (void)state;
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        start(&p, LINK_A, T0, 1);
        ble_pairing_stop(&p, &out);
        assert_int_equal(out.n_events, 1);
        assert_int_equal(out.events[0].type, BLE_PAIRING_EVENT_CLOSED);
        assert_int_equal(out.events[0].close, BLE_PAIRING_CLOSE_STOPPED);
        assert_int_equal(out.events[0].failures, 0);
        assert_false(ble_pairing_is_open(&p));
        ble_pairing_stop(&p, &out);
        assert_int_equal(out.n_events, 0);
}

/* Confirmed: the caller decides.  Meanwhile every message gets BUSY, the
 * deadline waits; refuse sends REFUSED and closes uncounted. */
static void test_confirmed_then_refused(void **state) {
        struct test_rand r = { .seed = 12 };
        struct ble_pairing p;
        struct ble_pairing_out out;
        struct phone ph;
        uint8_t msg[66], confirm[33], ltk[32];

        (void)state;
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        assert_int_equal(ble_pairing_complete(&p, 1, 0, NULL, ltk, &out), -EPROTO);
        assert_int_equal(ble_pairing_refuse(&p, &out), -EPROTO);
        start(&p, LINK_A, T0 + 290 * SEC, 1);
        phone_init(&ph, true, 12);
        phone_share(&ph, LINK_A, NULL, msg);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, msg, sizeof(msg), T0 + 291 * SEC, &out), 0);
        assert_int_equal(phone_confirm(&ph, out.reply, out.reply_len, confirm), 0);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, confirm, sizeof(confirm), T0 + 292 * SEC, &out), 0);
        assert_event(&out, 0, BLE_PAIRING_EVENT_CONFIRMED, LINK_A);
        assert_int_equal(ble_pairing_next_wakeup(&p), UINT64_MAX);

        ble_pairing_tick(&p, T0 + 400 * SEC, &out);
        assert_int_equal(out.n_events, 0);
        assert_true(ble_pairing_is_open(&p));
        assert_int_equal(ble_pairing_handle(&p, LINK_B, start_msg, 1, T0 + 401 * SEC, &out), 0);
        assert_fail_reply(&out, LINK_B, BLE_PAIRING_FAIL_BUSY);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, confirm, sizeof(confirm), T0 + 401 * SEC, &out), 0);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_BUSY);
        ble_pairing_link_lost(&p, LINK_A, &out);
        assert_int_equal(out.n_events, 0);

        assert_int_equal(ble_pairing_refuse(&p, &out), 0);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_REFUSED);
        assert_int_equal(out.events[0].close, BLE_PAIRING_CLOSE_REFUSED);
        assert_int_equal(out.events[0].failures, 0);
        assert_false(ble_pairing_is_open(&p));
        {
                uint8_t zero[32] = { 0 };

                assert_memory_equal(p.k_shared, zero, 32);
        }
}

/* A random source that fails while the lock computes shareV: INTERNAL,
 * not counted, the errno returned. */
static void test_internal_failure(void **state) {
        struct test_rand r = { .seed = 13, .fail_after = 0 };
        struct ble_pairing p;
        struct ble_pairing_out out;
        struct phone ph;
        uint8_t msg[66];

        (void)state;
        open_window(&p, &r, BLE_PAIRING_ROLE_USER);
        start(&p, LINK_A, T0, 1);
        r.fail = true; /* from now on */
        phone_init(&ph, true, 13);
        phone_share(&ph, LINK_A, NULL, msg);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, msg, sizeof(msg), T0 + SEC, &out), -EIO);
        assert_fail_reply(&out, LINK_A, BLE_PAIRING_FAIL_INTERNAL);
        assert_int_equal(out.events[0].failure, BLE_PAIRING_FAILURE_INTERNAL);
        assert_false(out.events[0].counted);
        assert_int_equal(p.failures, 0);
}

static void test_open_refusals(void **state) {
        struct test_rand r = { .seed = 14 };
        struct ble_pairing p;
        struct ble_pairing_record rec;
        char name[BLE_PAIRING_NAME_MAX + 2];

        (void)state;
        vec_record(&rec);
        ble_pairing_init(&p);
        assert_int_equal(ble_pairing_open(&p, &rec, BLE_PAIRING_ROLE_USER, "x", T0, T0, test_rand_fill, &r),
                         -EINVAL);
        assert_int_equal(ble_pairing_open(&p, &rec, 0, "x", T0, T0 + 1, test_rand_fill, &r), -EINVAL);
        assert_int_equal(ble_pairing_open(&p, &rec, BLE_PAIRING_ROLE_USER, "x", T0, T0 + 1, NULL, &r),
                         -EINVAL);
        assert_int_equal(
                ble_pairing_open(&p, &rec, BLE_PAIRING_ROLE_USER, NULL, T0, T0 + 1, test_rand_fill, &r),
                -EINVAL);
        memset(name, 'n', sizeof(name));
        name[BLE_PAIRING_NAME_MAX + 1] = 0;
        assert_int_equal(
                ble_pairing_open(&p, &rec, BLE_PAIRING_ROLE_USER, name, T0, T0 + 1, test_rand_fill, &r),
                -EINVAL);
        name[BLE_PAIRING_NAME_MAX] = 0;
        rec.L[64] ^= 1;
        assert_int_equal(
                ble_pairing_open(&p, &rec, BLE_PAIRING_ROLE_USER, name, T0, T0 + 1, test_rand_fill, &r),
                -EINVAL);
        rec.L[64] ^= 1;
        assert_false(ble_pairing_is_open(&p));
        assert_int_equal(
                ble_pairing_open(&p, &rec, BLE_PAIRING_ROLE_USER, name, T0, T0 + 1, test_rand_fill, &r), 0);
        assert_int_equal(strlen(p.name), BLE_PAIRING_NAME_MAX);
        assert_int_equal(
                ble_pairing_open(&p, &rec, BLE_PAIRING_ROLE_USER, "y", T0, T0 + 9, test_rand_fill, &r),
                -EBUSY);
        ble_pairing_wipe(&p);
        assert_false(ble_pairing_is_open(&p));
}

/* 8 digits by rejection sampling: the vector (two draws rejected, the
 * boundary 4,200,000,000 among them), and failures. */
static void test_qr_pairing(void **state) {
        struct test_rand r = { .seed = 15 }, qr = { .seed = 16 };
        struct ble_pairing p;
        struct ble_pairing_record rec;
        struct ble_pairing_out out;
        struct phone ph;
        char secret[BLE_PAIRING_QR_CHARS + 1];
        uint8_t msg[66], confirm[33], salt[16];

        (void)state;
        assert_int_equal(ble_pairing_qr_secret_new(test_rand_fill, &qr, secret), 0);
        assert_int_equal(ble_pairing_record_new(secret, strlen(secret), test_rand_fill, &r, &rec), 0);
        ble_pairing_init(&p);
        assert_int_equal(
                ble_pairing_open(&p, &rec, BLE_PAIRING_ROLE_USER, "", T0, T0 + 60 * SEC, test_rand_fill, &r),
                0);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, start_msg, 1, T0, &out), 0);
        memcpy(salt, out.reply + 1, 16);
        memset(&ph, 0, sizeof(ph));
        ph.rand.seed = 17;
        assert_int_equal(ble_spake_derive_w(secret, strlen(secret), NULL, 0, NULL, 0, salt, ph.w0, ph.w1),
                         0);
        phone_share(&ph, LINK_A, NULL, msg);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, msg, sizeof(msg), T0 + SEC, &out), 0);
        assert_int_equal(phone_confirm(&ph, out.reply, out.reply_len, confirm), 0);
        assert_int_equal(ble_pairing_handle(&p, LINK_A, confirm, sizeof(confirm), T0 + 2 * SEC, &out), 0);
        assert_event(&out, 0, BLE_PAIRING_EVENT_CONFIRMED, LINK_A);
        ble_pairing_wipe(&p);
}

static void test_context(void **state) {
        uint8_t ctx[BLE_PAIRING_CONTEXT_SIZE];

        (void)state;
        ble_pairing_context(LINK_A, ctx);
        assert_hex_equal(ctx, sizeof(ctx), VEC_CONTEXT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_context),
                cmocka_unit_test(test_vector_run),
                cmocka_unit_test(test_user_run),
                cmocka_unit_test(test_ltk_and_done),
                cmocka_unit_test(test_done_role_length_mismatch),
                cmocka_unit_test(test_three_failures_close),
                cmocka_unit_test(test_success_after_failures),
                cmocka_unit_test(test_busy),
                cmocka_unit_test(test_stall),
                cmocka_unit_test(test_deadline),
                cmocka_unit_test(test_link_lost),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_bad_share),
                cmocka_unit_test(test_stop),
                cmocka_unit_test(test_confirmed_then_refused),
                cmocka_unit_test(test_internal_failure),
                cmocka_unit_test(test_open_refusals),
                cmocka_unit_test(test_qr_pairing),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
