/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remote-entry.h"

#include <string.h>

#include "pin-rules.h"

static const char *const action_names[_DL_REMOTE_ACTION_MAX] = {
        [DL_REMOTE_ACTION_UNLOCK] = "unlock",
        [DL_REMOTE_ACTION_PASSAGE] = "passage",
};

const char *dl_remote_action_to_string(enum dl_remote_action a) {
        if ((unsigned)a >= _DL_REMOTE_ACTION_MAX)
                return NULL;
        return action_names[a];
}

enum dl_remote_action dl_remote_action_from_string(const char *s) {
        for (int i = 0; s && i < _DL_REMOTE_ACTION_MAX; i++)
                if (strcmp(s, action_names[i]) == 0)
                        return (enum dl_remote_action)i;
        return _DL_REMOTE_ACTION_INVALID;
}

static int refuse(struct dl_error *err, const char *why) {
        return dl_error_kind(err, "AccessDenied", dl_error_set(err, -EACCES, "%s", why));
}

int dl_remote_check(const struct dl_remote_policy *p, enum dl_remote_op op, struct dl_error *err) {
        switch (op) {
        case DL_REMOTE_OP_READ:
        case DL_REMOTE_OP_LOCK:
        case DL_REMOTE_OP_SUBMIT_PIN:
                return 0;
        case DL_REMOTE_OP_UNLOCK:
                if (p && p->unlock_without_pin)
                        return 0;
                return refuse(err, "The network may unlock only with a PIN (SubmitPin), unless the "
                                   "daemon's config has [Remote] UnlockWithoutPin=yes");
        case DL_REMOTE_OP_CODE:
                if (p && p->code_changes)
                        return 0;
                return refuse(err, "The network may not change codes unless the daemon's config has "
                                   "[Remote] CodeChanges=yes");
        case DL_REMOTE_OP_ADMIN:
        default:
                return refuse(err, "Only administrators (root or group doorlock-admin) may do this; "
                                   "never the network (group doorlock-remote)");
        }
}

int dl_remote_pin_check(const char *pin, size_t max, struct dl_error *err) {
        size_t n = pin ? strnlen(pin, max + 1) : 0;

        if (n == 0 || n > max || !dl_is_digits(pin, n))
                return dl_error_set(err, -EINVAL, "A PIN is 1 to %zu digits 0-9", max);
        return 0;
}

enum dl_lockout_counter dl_lockout_counter_of(enum dl_source source) {
        return source == DL_SOURCE_MQTT ? DL_LOCKOUT_NETWORK : DL_LOCKOUT_KEYPAD;
}

const char *dl_lockout_counter_to_string(enum dl_lockout_counter c) {
        switch (c) {
        case DL_LOCKOUT_KEYPAD:
                return "keypad";
        case DL_LOCKOUT_NETWORK:
                return "network";
        default:
                return NULL;
        }
}
