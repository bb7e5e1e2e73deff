/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Keypad entry sequences: bytes become key presses into the real keypad
 * logic (keypad-entry.c) with a fake clock moving between them, and every
 * submitted entry goes through the real decision (dl_store_verify_private)
 * on a store with a few codes, so wrong-entry counting, lockout, anti-peep,
 * duress, schedules and one-time codes all run.
 *
 * Input: the first byte picks the mode: bit 0 anti-peep store, bit 1
 * privacy mode, bit 2 clock not synchronised ('@' plain, 'A' anti-peep,
 * 'B' privacy, 'D' untrusted clock).  Then one byte per event:
 *   '0'-'9' '*' '#'  that key, 40 ms after the last one
 *   'w'              1 s passes
 *   'T'              the entry timeout (10 s) passes
 *   'L' n            n * 30 s pass (lockouts end)
 *   anything else    pressed as an (unknown) key, then byte * 10 ms pass
 * Each input starts with no failures and no lockout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code-store.h"
#include "emergency-code.h"
#include "fuzz-util.h"
#include "keypad-entry.h"
#include "macro.h"
#include "verify.h"

struct known {
        const char *name, *pin;
        enum dl_code_kind kind;
        bool duress, scheduled;
};

static const struct known known[] = {
        { "front", "482915", DL_CODE_NORMAL, false, false },
        { "long", "73619042", DL_CODE_NORMAL, false, false },
        { "duress", "650287", DL_CODE_NORMAL, true, false },
        { "office", "830571", DL_CODE_NORMAL, false, true },
        { "once", "194726", DL_CODE_ONE_TIME, false, false },
};

static struct fuzz_clock fclock;
static struct dl_store *stores[2]; /* plain, anti-peep */
static unsigned once_generation;

static const struct dl_actor fuzz_actor = { .source = DL_SOURCE_SYSTEM, .who = "fuzz" };

static void add_known(struct dl_store *s, const struct known *k) {
        struct dl_code_spec spec;
        struct dl_error err = {};
        char name[64];
        int r;

        /* A used one-time code stays until it is cleaned up, name and all:
         * each replacement gets a new name. */
        if (k->kind == DL_CODE_ONE_TIME)
                snprintf(name, sizeof(name), "%s-%u", k->name, once_generation);
        else
                snprintf(name, sizeof(name), "%s", k->name);
        dl_code_spec_init(&spec, name);
        spec.kind = k->kind;
        spec.duress = k->duress;
        if (k->kind == DL_CODE_ONE_TIME)
                spec.use_limit = 1;
        if (k->scheduled) {
                spec.windows[0] = (struct dl_window){ .days = 0x1f, .start = 8 * 60, .end = 17 * 60 };
                spec.n_windows = 1;
        }
        r = dl_store_add_code(s, &spec, k->pin, 0, &fuzz_actor, NULL, NULL, &err);
        if (r < 0) {
                fprintf(stderr, "fuzz-keypad: cannot add code %s: %s\n", name, dl_error_message(&err, r));
                abort();
        }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        struct dl_store_config config;

        (void)argc, (void)argv;
        fuzz_clock_init(&fclock, FUZZ_EPOCH_USEC);
        dl_store_config_init(&config);
        config.time_zone = "UTC";
        for (size_t i = 0; i < ELEMENTSOF(stores); i++) {
                config.anti_peep = i == 1;
                stores[i] = fuzz_store_open(i == 1 ? "anti-peep" : "plain", &config, &fclock.clock);
                for (size_t k = 0; k < ELEMENTSOF(known); k++)
                        add_known(stores[i], &known[k]);
        }
        return 0;
}

/* A grant must come from one of the PINs we stored: the entry itself, or
 * with anti-peep an entry that contains it. */
static bool grant_explained(const char *entry, bool anti_peep) {
        for (size_t k = 0; k < ELEMENTSOF(known); k++)
                if (anti_peep ? strstr(entry, known[k].pin) != NULL : strcmp(entry, known[k].pin) == 0)
                        return true;
        return false;
}

/* Refusals so far in this input: a lockout needs at least Attempts (5) of
 * them, since every input starts with none. */
static unsigned refusals;

static void submit(struct dl_store *s, const char *entry, bool anti_peep, bool privacy, int64_t *used_once) {
        struct dl_decision d;
        struct dl_error err = {};
        size_t len = strlen(entry);
        int r;

        /* What the keypad hands over: 1..64 digits. */
        if (len == 0 || len > DL_KEYPAD_BUFFER || strspn(entry, "0123456789") != len)
                abort();
        r = dl_store_verify_private(s, entry, DL_SOURCE_KEYPAD, privacy, &d, &err);
        if (r < 0) {
                fprintf(stderr, "fuzz-keypad: verify failed: %s\n", dl_error_message(&err, r));
                abort();
        }
        if (d.granted && d.emergency) {
                /* Every store has the gateway's own emergency issuer, and
                 * libFuzzer's comparison tracing can find one of its codes
                 * valid now.  Such a grant is 8 digits, names no stored code
                 * and may open in privacy mode; the emergency target checks
                 * the rest (single use). */
                if (d.reason != DL_REASON_NONE || d.code_id != 0 || len != DL_EC_DIGITS)
                        abort();
        } else if (d.granted) {
                if (d.reason != DL_REASON_NONE || d.code_id <= 0 || !grant_explained(entry, anti_peep))
                        abort();
                if (privacy && !d.duress)
                        abort(); /* privacy mode lets only duress codes open */
                if (d.kind == DL_CODE_ONE_TIME)
                        *used_once = d.code_id;
        } else {
                if (d.reason == DL_REASON_NONE)
                        abort();
                if (d.reason == DL_REASON_LOCKED_OUT && refusals < 5)
                        abort();
                /* The unrestricted code opens unless the keypad is locked
                 * out or the lock is private. */
                if (strcmp(entry, known[0].pin) == 0 && !privacy && d.reason != DL_REASON_LOCKED_OUT)
                        abort();
                refusals++;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fuzz_input in = { data, size, 0 };
        struct dl_keypad_entry k;
        char entry[DL_KEYPAD_BUFFER + 1];
        uint8_t mode;
        bool anti_peep, privacy;
        int64_t used_once = 0;
        struct dl_store *s;

        if (size == 0 || size > 4096)
                return 0;
        mode = fuzz_u8(&in);
        anti_peep = mode & 1;
        privacy = mode & 2;
        fclock.synchronized = !(mode & 4);
        s = stores[anti_peep];
        fuzz_store_reset_lockout(s);
        refusals = 0;
        dl_keypad_init(&k, 0);

        while (fuzz_more(&in)) {
                uint8_t b = fuzz_u8(&in);
                enum dl_key_result res;

                if (b == 'w') {
                        fuzz_clock_advance(&fclock, 1000000);
                        continue;
                }
                if (b == 'T') {
                        fuzz_clock_advance(&fclock, DL_KEYPAD_TIMEOUT_USEC_DEFAULT);
                        continue;
                }
                if (b == 'L') {
                        fuzz_clock_advance(&fclock, (int64_t)fuzz_u8(&in) * 30 * 1000000);
                        continue;
                }
                if ((b >= '0' && b <= '9') || b == '*' || b == '#')
                        fuzz_clock_advance(&fclock, 40000);
                else
                        fuzz_clock_advance(&fclock, (int64_t)b * 10000);

                /* The daemon's timer drops a timed-out entry on its own. */
                if (dl_keypad_deadline(&k) > 0 && fclock.monotonic >= dl_keypad_deadline(&k) &&
                    !dl_keypad_expire(&k, fclock.monotonic))
                        abort();
                res = dl_keypad_press(&k, (char)b, fclock.monotonic, entry);
                if (res == DL_KEY_SUBMIT)
                        submit(s, entry, anti_peep, privacy, &used_once);
                else if (res != DL_KEY_NONE && res != DL_KEY_CLEARED && res != DL_KEY_IGNORED)
                        abort();
        }
        dl_keypad_clear(&k);

        if (used_once) {
                /* Put a fresh one-time code back so the next input finds the
                 * same codes. */
                if (dl_store_remove_code(s, used_once, &fuzz_actor, NULL) < 0)
                        abort();
                once_generation++;
                add_known(s, &known[ELEMENTSOF(known) - 1]);
        }
        return 0;
}
