/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lock-operation.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

static const char *const cause_names[_DL_LOCK_CAUSE_MAX] = {
        [DL_CAUSE_UNSPECIFIED] = "unspecified",
        [DL_CAUSE_CODE] = "code",
        [DL_CAUSE_EMERGENCY_CODE] = "emergency-code",
        [DL_CAUSE_REMOTE] = "remote",
        [DL_CAUSE_AUTO_RELOCK] = "auto-relock",
        [DL_CAUSE_TIMED_UNLOCK_ENDED] = "timed-unlock-ended",
        [DL_CAUSE_PASSAGE_MODE] = "passage-mode",
        [DL_CAUSE_MANUAL] = "manual",
        [DL_CAUSE_BUTTON] = "button",
        [DL_CAUSE_PHONE] = "phone",
};

const char *dl_lock_cause_to_string(enum dl_lock_cause c) {
        if ((unsigned)c >= _DL_LOCK_CAUSE_MAX)
                return NULL;
        return cause_names[c];
}

enum dl_lock_cause dl_lock_cause_from_string(const char *s) {
        for (int i = 0; s && i < _DL_LOCK_CAUSE_MAX; i++)
                if (strcmp(s, cause_names[i]) == 0)
                        return (enum dl_lock_cause)i;
        return _DL_LOCK_CAUSE_INVALID;
}

/* "by code 3 (Alice)", "by uid 0 for 60 s", "automatically": who or what
 * moved the bolt, after the verb. */
static void describe_agent(const struct dl_lock_operation *op, char *buf, size_t size) {
        const char *who = op->who[0] ? op->who : "an unknown caller";

        switch (op->cause) {
        case DL_CAUSE_CODE:
                (void)snprintf(buf, size, "by code %" PRId64 " (%s)", op->code_id, op->code_name);
                break;
        case DL_CAUSE_EMERGENCY_CODE:
                (void)snprintf(buf, size, "by an emergency code (%s)", op->code_name);
                break;
        case DL_CAUSE_REMOTE:
                if (op->unlock && op->hold_usec > 0)
                        (void)snprintf(buf, size, "by %s for %" PRId64 " s", who, op->hold_usec / 1000000);
                else
                        (void)snprintf(buf, size, "by %s", who);
                break;
        case DL_CAUSE_AUTO_RELOCK:
                (void)snprintf(buf, size, "by auto-relock");
                break;
        case DL_CAUSE_TIMED_UNLOCK_ENDED:
                (void)snprintf(buf, size, "at the end of a timed unlock");
                break;
        case DL_CAUSE_PASSAGE_MODE:
                (void)snprintf(buf, size, "for passage mode, set by %s", who);
                break;
        case DL_CAUSE_MANUAL:
                (void)snprintf(buf, size, "by hand (no command)");
                break;
        case DL_CAUSE_BUTTON:
                (void)snprintf(buf, size, "by the exit button");
                break;
        case DL_CAUSE_PHONE:
                (void)snprintf(buf, size, "by phone %s", op->who[0] ? op->who : "(unnamed)");
                break;
        default:
                (void)snprintf(buf, size, "(cause unknown)");
                break;
        }
}

const char *dl_lock_operation_describe(const struct dl_lock_operation *op, bool arrived, char *buf,
                                       size_t size) {
        const char *cause = dl_lock_cause_to_string(op->cause);
        const char *verb = op->unlock ? "unlocked" : "locked";
        char agent[DL_CODE_NAME_MAX_BYTES + DL_LOCK_WHO_MAX + 32];

        if (!cause)
                cause = cause_names[DL_CAUSE_UNSPECIFIED];
        describe_agent(op, agent, sizeof(agent));
        if (arrived)
                (void)snprintf(buf, size, "%s: bolt is %s (%s)", cause, verb, agent);
        else
                (void)snprintf(buf, size, "%s: %s %s", cause, verb, agent);
        dl_utf8_trim_partial(buf);
        return buf;
}
