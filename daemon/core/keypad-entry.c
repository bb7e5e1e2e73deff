/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "keypad-entry.h"

#include <string.h>

#include "macro.h"

/* How a too-long entry is handled.
 *
 * k->n counts every digit typed since the entry started (saturating), but
 * only the first DL_KEYPAD_BUFFER are stored.  An entry of more than
 * DL_KEYPAD_BUFFER digits is therefore submitted as exactly DL_KEYPAD_BUFFER
 * digits: never fewer, so it can never be shortened into something that
 * matches.  dl_store_verify() accepts entries of up to DL_ENTRY_INPUT_MAX
 * (64, the size of this buffer) digits and refuses anything longer than
 * MaxEntryLength (at most DL_ENTRY_MAX_CEILING, 32) as a wrong code, counted
 * toward the lockout like any other.  So a 64-digit submission, whatever
 * was typed, is always refused and costs the one typing it one attempt.
 * One '#' is one submission: a long entry buys no extra attempts. */

/* Wipe the stored digits and forget the entry. */
static void entry_drop(struct dl_keypad_entry *k) {
        secure_zero(k->digits, sizeof(k->digits));
        k->n = 0;
        k->last_key = 0;
}

static bool entry_timed_out(const struct dl_keypad_entry *k, int64_t now) {
        if (k->n == 0)
                return false;
        /* A monotonic clock never goes back; if it did, keep the entry
         * rather than compute a negative age. */
        if (now < k->last_key)
                return false;
        /* Unsigned difference: no overflow whatever the two values are. */
        return (uint64_t)now - (uint64_t)k->last_key >= (uint64_t)k->timeout_usec;
}

void dl_keypad_init(struct dl_keypad_entry *k, int64_t timeout_usec) {
        if (!k)
                return;
        secure_zero(k, sizeof(*k));
        k->timeout_usec = timeout_usec > 0 ? timeout_usec : DL_KEYPAD_TIMEOUT_USEC_DEFAULT;
}

void dl_keypad_clear(struct dl_keypad_entry *k) {
        if (!k)
                return;
        entry_drop(k);
}

bool dl_keypad_expire(struct dl_keypad_entry *k, int64_t now) {
        if (!k || !entry_timed_out(k, now))
                return false;
        entry_drop(k);
        return true;
}

int64_t dl_keypad_deadline(const struct dl_keypad_entry *k) {
        if (!k || k->n == 0)
                return 0;
        if (k->last_key > INT64_MAX - k->timeout_usec)
                return INT64_MAX;
        return k->last_key + k->timeout_usec;
}

enum dl_key_result dl_keypad_press(struct dl_keypad_entry *k, char key, int64_t now, char *out) {
        size_t stored;

        if (!k || !out)
                return DL_KEY_IGNORED;

        (void)dl_keypad_expire(k, now);

        if (key >= '0' && key <= '9') {
                if (k->n < DL_KEYPAD_BUFFER)
                        k->digits[k->n] = key;
                if (k->n < SIZE_MAX)
                        k->n++;
                k->last_key = now;
                return DL_KEY_NONE;
        }

        switch (key) {
        case '#':
                if (k->n == 0)
                        return DL_KEY_IGNORED;
                stored = MIN(k->n, (size_t)DL_KEYPAD_BUFFER);
                memcpy(out, k->digits, stored);
                out[stored] = '\0';
                entry_drop(k);
                return DL_KEY_SUBMIT;

        case '*':
                if (k->n == 0)
                        return DL_KEY_IGNORED;
                entry_drop(k);
                return DL_KEY_CLEARED;

        default:
                /* Unknown keys neither change the entry nor keep it alive. */
                return DL_KEY_IGNORED;
        }
}
