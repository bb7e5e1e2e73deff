/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The network faces' rules, as pure logic: what a caller with the remote
 * role (group doorlock-remote, the MQTT bridge) may do and which key of
 * the daemon's [Remote] section allows it; the actions of SubmitPin; the
 * shape of a PIN sent over the network; and which wrong-code counter an
 * entry counts on.  The lock service applies these (lock-service*.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "audit-chain.h"
#include "error.h"

/* What SubmitPin does with a granted entry. */
enum dl_remote_action {
        DL_REMOTE_ACTION_UNLOCK,  /* "unlock": open, relock as after a keypad entry */
        DL_REMOTE_ACTION_PASSAGE, /* "passage": open, then switch to passage mode */
        _DL_REMOTE_ACTION_MAX,
        _DL_REMOTE_ACTION_INVALID = -1,
};

/* to_string: NULL out of range.  from_string: exact match (no case
 * folding, no spaces), else _DL_REMOTE_ACTION_INVALID. */
const char *dl_remote_action_to_string(enum dl_remote_action a);
enum dl_remote_action dl_remote_action_from_string(const char *s);

/* The daemon's [Remote] keys (both off by default). */
struct dl_remote_policy {
        bool unlock_without_pin; /* UnlockWithoutPin=: Unlock() and UnlockFor() */
        bool code_changes;       /* CodeChanges=: AddCode, Code1 writes, Remove() */
};

/* What a remote caller asks to do. */
enum dl_remote_op {
        DL_REMOTE_OP_READ,       /* properties, GetLog, GetHardware, codes, signals */
        DL_REMOTE_OP_LOCK,       /* Lock() */
        DL_REMOTE_OP_SUBMIT_PIN, /* SubmitPin() */
        DL_REMOTE_OP_UNLOCK,     /* Unlock(), UnlockFor(): needs UnlockWithoutPin=yes */
        DL_REMOTE_OP_CODE,       /* AddCode, Code1 writes, Remove(): needs CodeChanges=yes */
        DL_REMOTE_OP_ADMIN,      /* anything else: backup, restore, emergency issuers and codes,
                                  * resets, settings, modes, hardware tests, the simulator */
        _DL_REMOTE_OP_MAX,
};

/* 0 when a remote caller may do op under p, else -EACCES with kind
 * AccessDenied and a message that names the [Remote] key to set (or says
 * that the network never may). */
int dl_remote_check(const struct dl_remote_policy *p, enum dl_remote_op op, struct dl_error *err);

/* A PIN sent over the network must be 1 to max ASCII digits: -EINVAL
 * otherwise, with a message that never repeats it.  (A wrong length that
 * passes this is a wrong code and counted, as on the keypad.) */
int dl_remote_pin_check(const char *pin, size_t max, struct dl_error *err);

/* The wrong-code counters: the keypad's (keypad, D-Bus admins' entries,
 * BLE, emergency codes typed at the door) and the network's (SubmitPin,
 * source mqtt), each with its own count and lockout under the same
 * policy, so a flood from the network cannot lock residents out at the
 * keypad. */
enum dl_lockout_counter {
        DL_LOCKOUT_KEYPAD,
        DL_LOCKOUT_NETWORK,
        _DL_LOCKOUT_COUNTER_MAX,
};

enum dl_lockout_counter dl_lockout_counter_of(enum dl_source source);
/* "keypad" or "network": the first word of the lockout's log entries. */
const char *dl_lockout_counter_to_string(enum dl_lockout_counter c);
