/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one question: may this entry open the door now?
 *
 * dl_store_verify() takes the digits a person entered and where they came
 * from, decides, and commits the decision, its effects (use count, lockout)
 * and its audit entries in one transaction before it returns.  A grant of a
 * single-use or use-limited code is committed with synchronous=FULL: once
 * "granted" is returned, no crash or power cut can make the use un-happen. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "access-rules.h"
#include "audit-chain.h"
#include "code-spec.h"
#include "store.h"

/* Longest entry accepted at all (a keypad buffer's worth).  Entries longer
 * than the configured MaxEntryLength are refused as wrong codes, and
 * counted; longer than this they are bad input (-EINVAL). */
#define DL_ENTRY_INPUT_MAX 64

struct dl_decision {
        bool granted;
        enum dl_reason reason; /* DL_REASON_NONE when granted */
        int64_t code_id;       /* the code matched, 0 if none */
        char code_name[DL_CODE_NAME_MAX_BYTES];
        enum dl_code_kind kind;
        bool duress;        /* granted with a duress code: raise the alarm */
        bool emergency;     /* an emergency code matched (granted or not) */
        uint32_t ec_issuer; /* ... which issuer, window and slot */
        int64_t ec_window;
        unsigned ec_slot;
        bool lockout_started; /* this submission started a lockout */
        int64_t lockout_until;
        bool clock_trusted;
};

/* Decide and commit.  `entry` is the submitted digits (NUL-terminated).
 * -EINVAL for an entry that is empty, longer than 64 or not digits only
 * (nothing written); other errors from the database (nothing written, the
 * door stays shut).  A decision, granted or denied, returns 0. */
int dl_store_verify(struct dl_store *s, const char *entry, enum dl_source source, struct dl_decision *ret,
                    struct dl_error *err);

/* The same, with the lock in privacy mode: normal and one-time codes that
 * would open are refused with DL_REASON_PRIVACY_MODE (and, like every
 * refusal, counted toward the lockout).  Duress codes still open and raise
 * the alarm. */
int dl_store_verify_private(struct dl_store *s, const char *entry, enum dl_source source, bool privacy,
                            struct dl_decision *ret, struct dl_error *err);

/* The same decision without writing anything (no use counted, no audit
 * entry, no lockout): for benchmarks and "would this work?" tools. */
int dl_store_check(struct dl_store *s, const char *entry, enum dl_source source, struct dl_decision *ret,
                   struct dl_error *err);

/* A card's stable, keyed tag for the audit log (event card-presented): the
 * first 8 bytes of HMAC(pin key, "card" || bits || data) as 16 hex digits.
 * The same card gives the same tag on this lock only; the number cannot be
 * read back from it without the key.  out: DL_CARD_TAG_SIZE. */
#define DL_CARD_TAG_SIZE 17
int dl_store_card_tag(struct dl_store *s, unsigned bits, uint64_t data, char out[DL_CARD_TAG_SIZE]);
