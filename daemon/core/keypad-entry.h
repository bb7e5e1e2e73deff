/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Turning key presses into submitted entries.  Pure logic: time comes in as
 * monotonic µs, nothing is read or written.
 *
 * Digits build an entry; '#' submits it; '*' clears it; an entry is dropped
 * when no key came for `timeout_usec`.  Digits beyond DL_KEYPAD_BUFFER are
 * not kept, but the entry stays "too long": it is submitted as exactly
 * DL_KEYPAD_BUFFER digits, never silently shortened into something that
 * might match.  dl_store_verify() takes up to DL_ENTRY_INPUT_MAX (64)
 * digits and refuses, and counts as one wrong entry, anything longer than
 * MaxEntryLength (at most 32). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DL_KEYPAD_BUFFER 64
#define DL_KEYPAD_TIMEOUT_USEC_DEFAULT (10 * (int64_t)1000000)

struct dl_keypad_entry {
        char digits[DL_KEYPAD_BUFFER + 1];
        size_t n;         /* digits typed, 0 = no entry; > DL_KEYPAD_BUFFER = too long */
        int64_t last_key; /* monotonic µs of the last digit, 0 when there is no entry */
        int64_t timeout_usec;
};

enum dl_key_result {
        DL_KEY_NONE,    /* key taken, nothing to do */
        DL_KEY_SUBMIT,  /* '#' with an entry: *out holds it */
        DL_KEY_CLEARED, /* '*' dropped a non-empty entry */
        DL_KEY_IGNORED, /* '#' on an empty entry, '*' on nothing, or an unknown key */
};

/* timeout_usec <= 0 selects DL_KEYPAD_TIMEOUT_USEC_DEFAULT. */
void dl_keypad_init(struct dl_keypad_entry *k, int64_t timeout_usec);

/* One key at monotonic time now.  On DL_KEY_SUBMIT the entry (digits, NUL
 * terminated, at most DL_KEYPAD_BUFFER of them) is copied to out (size
 * DL_KEYPAD_BUFFER + 1) and the keypad is empty again.  An entry that timed
 * out (its last digit at least timeout_usec before now) is dropped first.
 * Only digits keep an entry alive.  k or out NULL: DL_KEY_IGNORED. */
enum dl_key_result dl_keypad_press(struct dl_keypad_entry *k, char key, int64_t now, char *out);

/* Drop the entry if it timed out.  Returns true when it dropped one. */
bool dl_keypad_expire(struct dl_keypad_entry *k, int64_t now);

/* When the current entry will time out (monotonic µs), 0 when empty. */
int64_t dl_keypad_deadline(const struct dl_keypad_entry *k);

/* Wipe the buffer (it may hold a PIN). */
void dl_keypad_clear(struct dl_keypad_entry *k);
