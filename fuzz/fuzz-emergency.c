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
 *   'u' len str   parse str as an issuer URI, and as a base32 secret
 * Whatever opens once must not open again.  Each input starts two windows
 * after the last one ended, with no failures and no lockout, so codes used
 * before are out of reach. */
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

/* Enter code; if it opened, entering it again must not. */
static void enter(struct fuzz_store *fs, const char *code) {
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

        if (size == 0 || size > 2048)
                return 0;
        mode = fuzz_u8(&in);
        fs = &stores[mode & 1];
        fclock.synchronized = !(mode & 2);
        fuzz_clock_advance(&fclock, 2 * DL_EC_WINDOW_USEC);
        fuzz_store_reset_lockout(fs->store);

        while (fuzz_more(&in) && ops++ < 64) {
                char code[DL_EC_DIGITS + 1];

                switch (fuzz_u8(&in)) {
                case 'e':
                        for (size_t i = 0; i < DL_EC_DIGITS; i++)
                                code[i] = (char)('0' + fuzz_u8(&in) % 10);
                        code[DL_EC_DIGITS] = '\0';
                        enter(fs, code);
                        break;
                case 'c': {
                        size_t i = fuzz_u8(&in) % fs->n_issuers;
                        unsigned slot = fuzz_u8(&in) % DL_EC_SLOTS;
                        int64_t window = dl_ec_window(fclock.now) - fuzz_u8(&in) % 4 + 1;

                        if (dl_ec_code(fs->secrets[i], fs->ids[i], window, slot, code) < 0)
                                abort();
                        enter(fs, code);
                        break;
                }
                case 'g': {
                        struct dl_error err = {};
                        int64_t until;
                        unsigned left;
                        int r;

                        r = dl_store_ec_generate(fs->store, &fuzz_actor, code, &until, &left, &err);
                        if (r == 0)
                                enter(fs, code);
                        else if (r != -EDQUOT && !fclock.synchronized)
                                break; /* refused while the clock is untrusted */
                        else if (r != -EDQUOT && r != -EPERM && r != -EAGAIN) {
                                fprintf(stderr, "fuzz-emergency: generate: %s\n", dl_error_message(&err, r));
                                abort();
                        }
                        break;
                }
                case 'a':
                        fuzz_clock_advance(&fclock, fuzz_u8(&in) * MINUTE_USEC);
                        break;
                case 'A':
                        fuzz_clock_advance(&fclock, (fuzz_u8(&in) % 8) * DL_EC_WINDOW_USEC);
                        break;
                case 'u':
                        parse_text(&in);
                        break;
                default:
                        break;
                }
        }
        return 0;
}
