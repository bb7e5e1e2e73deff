/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The emergency-code entry path: 8-digit entries through dl_store_verify()
 * on stores with 1 and 10 issuers (besides the gateway's own) while a fake
 * clock moves, plus the URI and base32 parsers (emergency-code.h) that take
 * text from outside.
 *
 * Input: the first byte picks the store (bit 0: 10 issuers) and whether
 * the clock is synchronised (bit 1 clear).  Then operations:
 *   'e' 8 bytes   enter those bytes as digits (byte % 10)
 *   'c' i s w     enter the right code of issuer i, slot s, for window
 *                 now - (w % 4) + 1, computed from the issuer's secret
 *   'g'           have the gateway make a code, and enter it
 *   'a' n         n minutes pass
 *   'A' n         n windows (4 h) pass
 *   'B' n         the wall clock is set back n minutes (trust may go)
 *   'u' len str   parse str as an issuer URI, and as a base32 secret
 * Whatever opens once must not open again, and a fresh code of the current
 * or previous window (or a gateway code just made) must open unless the
 * keypad is locked out or the clock was set back.  Each input starts three
 * windows after the latest time seen so far, with no failures and no
 * lockout, so no code entered before is still in reach. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emergency-code.h"
#include "emergency-store.h"
#include "fuzz-util.h"
#include "macro.h"
#include "verify.h"

#define MINUTE_USEC ((int64_t)60 * 1000000)

struct fuzz_store {
        struct dl_store *store;
        size_t n_issuers;
        uint32_t ids[10];
        uint8_t secrets[10][DL_EC_SECRET_SIZE];
};

static struct fuzz_clock fclock;
static int64_t latest; /* the latest wall-clock time so far */
static struct fuzz_store stores[2];
static const struct dl_actor fuzz_actor = { .source = DL_SOURCE_SYSTEM, .who = "fuzz" };

static void setup_store(struct fuzz_store *fs, const char *dir, size_t n_issuers) {
        struct dl_store_config config;

        dl_store_config_init(&config);
        config.time_zone = "UTC";
        fs->store = fuzz_store_open(dir, &config, &fclock.clock);
        fs->n_issuers = n_issuers;
        for (size_t i = 0; i < n_issuers; i++) {
                struct dl_error err = {};
                char name[32], uri[DL_EC_URI_MAX];
                uint32_t id, id2;
                int r;

                snprintf(name, sizeof(name), "phone %zu", i + 1);
                r = dl_store_ec_add_issuer(fs->store, name, &fuzz_actor, &id, uri, &err);
                if (r < 0) {
                        fprintf(stderr, "fuzz-emergency: cannot add issuer: %s\n",
                                dl_error_message(&err, r));
                        abort();
                }
                /* The secret as a phone gets it: from the URI. */
                if (dl_ec_uri_parse(uri, &id2, fs->secrets[i], NULL, 0) < 0 || id2 != id)
                        abort();
                fs->ids[i] = id;
        }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc, (void)argv;
        fuzz_clock_init(&fclock, FUZZ_EPOCH_USEC);
        setup_store(&stores[0], "one-issuer", 1);
        setup_store(&stores[1], "ten-issuers", 10);
        return 0;
}

/* What an entry must do: anything (EXPECT_ANY), or open unless the keypad
 * is locked out, when it is a fresh code the lock must take. */
enum expect {
        EXPECT_ANY,
        EXPECT_OPEN,
};

/* Enter code; if it opened, entering it again must not. */
static void enter(struct fuzz_store *fs, const char *code, enum expect expect, uint32_t issuer,
                  unsigned slot) {
        struct dl_decision d;
        struct dl_error err = {};
        int r;

        r = dl_store_verify(fs->store, code, DL_SOURCE_KEYPAD, &d, &err);
        if (r < 0) {
                fprintf(stderr, "fuzz-emergency: verify failed: %s\n", dl_error_message(&err, r));
                abort();
        }
        if (!d.granted) {
                if (d.reason == DL_REASON_NONE)
                        abort();
                /* (Another issuer's code that happens to have the same
                 * digits may have matched first: then no verdict.) */
                if (expect == EXPECT_OPEN && d.reason != DL_REASON_LOCKED_OUT &&
                    !(d.emergency && (d.ec_issuer != issuer || d.ec_slot != slot))) {
                        fprintf(stderr, "fuzz-emergency: a fresh code was refused: %s\n",
                                dl_reason_to_string(d.reason));
                        abort();
                }
                return;
        }
        /* No PINs in these stores: only an emergency code opens, and only
         * with a trusted clock. */
        if (!d.emergency || !d.clock_trusted || d.reason != DL_REASON_NONE)
                abort();
        r = dl_store_verify(fs->store, code, DL_SOURCE_KEYPAD, &d, &err);
        if (r < 0 || d.granted)
                abort();
}

static void parse_text(struct fuzz_input *in) {
        _cleanup_free_ char *s = fuzz_string(in, 255);
        uint8_t secret[DL_EC_SECRET_SIZE];
        char name[DL_EC_URI_MAX], uri[DL_EC_URI_MAX], b32[DL_EC_SECRET_BASE32_SIZE];
        uint32_t id, id2;
        uint8_t secret2[DL_EC_SECRET_SIZE];

        if (dl_ec_uri_parse(s, &id, secret, name, sizeof(name)) == 0) {
                /* A URI that parses formats back to one that parses the same. */
                if (dl_ec_uri_format(id, name, secret, uri, sizeof(uri)) < 0 ||
                    dl_ec_uri_parse(uri, &id2, secret2, NULL, 0) < 0 || id2 != id ||
                    memcmp(secret, secret2, sizeof(secret)) != 0)
                        abort();
        }
        if (dl_ec_secret_from_base32(s, secret) == 0) {
                if (dl_ec_secret_to_base32(secret, b32) < 0 || dl_ec_secret_from_base32(b32, secret2) < 0 ||
                    memcmp(secret, secret2, sizeof(secret)) != 0)
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fuzz_input in = { data, size, 0 };
        struct fuzz_store *fs;
        uint8_t mode;
        unsigned ops = 0;
        uint64_t used[10] = {}; /* per issuer: slots of the current and previous window entered */
        bool set_back = false;

        if (size == 0 || size > 2048)
                return 0;
        mode = fuzz_u8(&in);
        fs = &stores[mode & 1];
        fclock.synchronized = !(mode & 2);
        if (fclock.now < latest)
                fclock.now = latest;
        fuzz_clock_advance(&fclock, 3 * DL_EC_WINDOW_USEC);
        fuzz_store_reset_lockout(fs->store);

        while (fuzz_more(&in) && ops++ < 64) {
                char code[DL_EC_DIGITS + 1];

                uint8_t op = fuzz_u8(&in);

                switch (op) {
                case 'e':
                        for (size_t i = 0; i < DL_EC_DIGITS; i++)
                                code[i] = (char)('0' + fuzz_u8(&in) % 10);
                        code[DL_EC_DIGITS] = '\0';
                        enter(fs, code, EXPECT_ANY, 0, 0);
                        break;
                case 'c': {
                        size_t i = fuzz_u8(&in) % fs->n_issuers;
                        unsigned slot = fuzz_u8(&in) % DL_EC_SLOTS, back = fuzz_u8(&in) % 4;
                        int64_t window = dl_ec_window(fclock.now) - back + 1;
                        uint64_t bit = back == 1 || back == 2
                                               ? (uint64_t)1 << (slot + DL_EC_SLOTS * (back - 1))
                                               : 0;
                        bool fresh = (back == 1 || back == 2) && !(used[i] & bit);

                        if (dl_ec_code(fs->secrets[i], fs->ids[i], window, slot, code) < 0)
                                abort();
                        /* The current and the previous window's codes are
                         * taken once each while the clock is trusted: it is
                         * until it is set back. */
                        enter(fs, code, fresh && !set_back ? EXPECT_OPEN : EXPECT_ANY, fs->ids[i], slot);
                        if (back == 1 || back == 2)
                                used[i] |= bit;
                        break;
                }
                case 'g': {
                        struct dl_error err = {};
                        int64_t until;
                        unsigned left;
                        int r;

                        r = dl_store_ec_generate(fs->store, &fuzz_actor, code, &until, &left, &err);
                        if (r == 0)
                                enter(fs, code, set_back ? EXPECT_ANY : EXPECT_OPEN, DL_EC_GATEWAY_ISSUER,
                                      DL_EC_SLOTS - left - 1);
                        else if (r != -EDQUOT && !fclock.synchronized)
                                break; /* refused while the clock is untrusted */
                        else if (r != -EDQUOT && r != -EPERM && r != -EAGAIN) {
                                fprintf(stderr, "fuzz-emergency: generate: %s\n", dl_error_message(&err, r));
                                abort();
                        }
                        break;
                }
                case 'a':
                case 'A': {
                        int64_t before = dl_ec_window(fclock.now);

                        if (op == 'a')
                                fuzz_clock_advance(&fclock, fuzz_u8(&in) * MINUTE_USEC);
                        else
                                fuzz_clock_advance(&fclock, (fuzz_u8(&in) % 8) * DL_EC_WINDOW_USEC);
                        /* Another window: which slots were entered no
                         * longer maps onto "current" and "previous". */
                        if (dl_ec_window(fclock.now) != before)
                                for (size_t i = 0; i < ELEMENTSOF(used); i++)
                                        used[i] = UINT64_MAX;
                        break;
                }
                case 'B':
                        fclock.now -= fuzz_u8(&in) * MINUTE_USEC;
                        set_back = true;
                        break;
                case 'u':
                        parse_text(&in);
                        break;
                default:
                        break;
                }
                if (fclock.now > latest)
                        latest = fclock.now;
        }
        return 0;
}
