/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "access-rules.h"

#include <stddef.h>

static const char *const reason_names[_DL_REASON_MAX] = {
        [DL_REASON_NONE] = "granted",
        [DL_REASON_UNKNOWN_CODE] = "unknown-code",
        [DL_REASON_DISABLED] = "disabled",
        [DL_REASON_OUTSIDE_WINDOW] = "outside-window",
        [DL_REASON_NOT_YET_VALID] = "not-yet-valid",
        [DL_REASON_EXPIRED] = "expired",
        [DL_REASON_USED_UP] = "used-up",
        [DL_REASON_LOCKED_OUT] = "locked-out",
        [DL_REASON_CLOCK_UNTRUSTED] = "clock-untrusted",
        [DL_REASON_PRIVACY_MODE] = "privacy-mode",
        [DL_REASON_EMERGENCY_QUOTA] = "emergency-quota",
};

const char *dl_reason_to_string(enum dl_reason r) {
        if ((unsigned)r >= _DL_REASON_MAX)
                return NULL;
        return reason_names[r];
}

bool dl_code_is_time_restricted(const struct dl_code_spec *spec) {
        return spec->valid_from > 0 || spec->valid_until > 0 || spec->n_windows > 0;
}

static bool used_up(const struct dl_code *c) {
        return c->spec.use_limit > 0 && c->use_count >= c->spec.use_limit;
}

enum dl_reason dl_access_evaluate(const struct dl_code *c, int64_t now, const struct dl_wall *wall,
                                  bool clock_trusted) {
        const struct dl_code_spec *s = &c->spec;

        if (!s->enabled)
                return DL_REASON_DISABLED;
        if (used_up(c))
                return DL_REASON_USED_UP;
        if (!clock_trusted && dl_code_is_time_restricted(s))
                return DL_REASON_CLOCK_UNTRUSTED;
        if (s->valid_from > 0 && now < s->valid_from)
                return DL_REASON_NOT_YET_VALID;
        if (s->valid_until > 0 && now >= s->valid_until)
                return DL_REASON_EXPIRED;
        if (!dl_windows_contain(s->windows, s->n_windows, wall))
                return DL_REASON_OUTSIDE_WINDOW;
        return DL_REASON_NONE;
}

int64_t dl_code_dead_since(const struct dl_code *c, int64_t now) {
        int64_t since = 0;

        if (used_up(c))
                since = c->last_used > 0 ? c->last_used : c->created;
        if (c->spec.valid_until > 0 && now >= c->spec.valid_until)
                if (since == 0 || c->spec.valid_until < since)
                        since = c->spec.valid_until;
        return since;
}
