/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A bolt operation and what caused it, as the log and the faces tell it:
 * Matter's LockOperation (lock or unlock; operation source; user and
 * credential) for doorlockd.  Pure logic.
 *
 * Cause names are stable, like event names: they are only ever added,
 * never renamed.  A new face (the GPIO exit button, BLE phones) only picks
 * its cause; the lock service does the rest. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit-chain.h"
#include "code-name.h"

enum dl_lock_cause {
        DL_CAUSE_UNSPECIFIED,        /* "unspecified": none of the below (should not happen) */
        DL_CAUSE_CODE,               /* "code": a stored code (id and name) */
        DL_CAUSE_EMERGENCY_CODE,     /* "emergency-code": an emergency code (issuer name) */
        DL_CAUSE_REMOTE,             /* "remote": Lock()/Unlock()/UnlockFor() by a caller (uid) */
        DL_CAUSE_AUTO_RELOCK,        /* "auto-relock": the relock delay after an unlock */
        DL_CAUSE_TIMED_UNLOCK_ENDED, /* "timed-unlock-ended": the end of UnlockFor()'s hold */
        DL_CAUSE_PASSAGE_MODE,       /* "passage-mode": entering passage mode unlocks */
        DL_CAUSE_MANUAL,             /* "manual": the bolt moved without a command (by hand) */
        DL_CAUSE_BUTTON,             /* "button": the exit button (GPIO; not there yet) */
        DL_CAUSE_PHONE,              /* "phone": a paired phone (BLE; not there yet) */
        _DL_LOCK_CAUSE_MAX,
        _DL_LOCK_CAUSE_INVALID = -1,
};

/* to_string: NULL out of range.  from_string: exact match, else
 * _DL_LOCK_CAUSE_INVALID. */
const char *dl_lock_cause_to_string(enum dl_lock_cause c);
enum dl_lock_cause dl_lock_cause_from_string(const char *s);

/* Stable event names of the operations (see audit-chain.h for the others).
 * DL_EVENT_LOCK was already written for Lock(). */
#define DL_EVENT_LOCK "lock"                   /* the bolt was told to lock */
#define DL_EVENT_UNLOCK "unlock"               /* the bolt was told to unlock */
#define DL_EVENT_LOCKED "locked"               /* the bolt reports locked */
#define DL_EVENT_UNLOCKED "unlocked"           /* the bolt reports unlocked */
#define DL_EVENT_DOOR_OPENED "door-opened"     /* the door sensor */
#define DL_EVENT_DOOR_CLOSED "door-closed"     /* the door sensor */
#define DL_EVENT_DOOR_FLAPPING "door-flapping" /* many door changes, summed up */
#define DL_EVENT_LOCKOUT_ENDED "lockout-ended" /* a keypad lockout ran out */

#define DL_LOCK_WHO_MAX 64

struct dl_lock_operation {
        bool unlock;
        enum dl_lock_cause cause;
        enum dl_source source;                  /* the log entry's source */
        int64_t code_id;                        /* cause code: the code; else 0 */
        char code_name[DL_CODE_NAME_MAX_BYTES]; /* code: its name; emergency-code: the issuer's */
        char who[DL_LOCK_WHO_MAX];              /* remote, passage-mode: "uid 0"; phone: its name */
        int64_t hold_usec;                      /* remote unlock: UnlockFor()'s time, else 0 */
};

/* The details text of an operation's log entry: "<cause>: <sentence>", so
 * the first word is the cause as for a refusal's reason or an alarm's kind.
 * arrived false: the command ("code: unlocked by code 3 (Alice)"); true:
 * the bolt got there ("code: bolt is unlocked (by code 3 (Alice))").  Returns
 * buf. */
const char *dl_lock_operation_describe(const struct dl_lock_operation *op, bool arrived, char *buf,
                                       size_t size);
