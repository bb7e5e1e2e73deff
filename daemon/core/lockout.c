/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lockout.h"

#define LOCKOUT_ATTEMPTS_MAX 255u
#define LOCKOUT_FIRST_MIN_USEC USEC_PER_SEC
#define LOCKOUT_MAX_MAX_USEC USEC_PER_DAY

/* For messages only. */
static double usec_to_sec(int64_t usec) {
        return (double)usec / (double)USEC_PER_SEC;
}

int dl_lockout_policy_check(const struct dl_lockout_policy *p, struct dl_error *err) {
        if (!p)
                return dl_error_set(err, -EINVAL, "No lockout policy given");
        if (p->attempts < 1 || p->attempts > LOCKOUT_ATTEMPTS_MAX)
                return dl_error_set(err, -EINVAL, "Lockout attempts %u is out of range (1-%u)", p->attempts,
                                    LOCKOUT_ATTEMPTS_MAX);
        if (p->first_usec < LOCKOUT_FIRST_MIN_USEC)
                return dl_error_set(err, -EINVAL, "First lockout of %g s is shorter than 1 s",
                                    usec_to_sec(p->first_usec));
        if (p->max_usec < p->first_usec)
                return dl_error_set(err, -EINVAL,
                                    "Maximum lockout of %g s is shorter than the first lockout of %g s",
                                    usec_to_sec(p->max_usec), usec_to_sec(p->first_usec));
        if (p->max_usec > LOCKOUT_MAX_MAX_USEC)
                return dl_error_set(err, -EINVAL, "Maximum lockout of %g s is longer than 24 h (86400 s)",
                                    usec_to_sec(p->max_usec));
        return 0;
}

bool dl_lockout_active(const struct dl_lockout_state *s, int64_t now) {
        /* lockout_until 0 means "not locked", even for a clock before 1970. */
        return s && s->lockout_until != 0 && now < s->lockout_until;
}

bool dl_lockout_forget(struct dl_lockout_state *s, int64_t now) {
        if (!s || dl_lockout_active(s, now))
                return false;
        if (s->failures == 0 || s->last_failure == 0)
                return false;
        /* A clock set back (now < last_failure) forgets nothing.  Unsigned
         * difference: no overflow whatever the two values are. */
        if (now < s->last_failure ||
            (uint64_t)now - (uint64_t)s->last_failure < (uint64_t)DL_LOCKOUT_FORGET_USEC)
                return false;

        return dl_lockout_clear(s);
}

int64_t dl_lockout_duration(const struct dl_lockout_policy *p, uint32_t n) {
        uint64_t first, max;
        uint32_t shift;

        if (!p || n < p->attempts)
                return 0;

        /* Unsigned, so that a policy that skipped the check cannot shift a
         * negative number. */
        first = p->first_usec > 0 ? (uint64_t)p->first_usec : 0;
        max = p->max_usec > 0 ? (uint64_t)p->max_usec : 0;

        /* first << shift > max  <=>  first > max >> shift, and the right
         * shift cannot overflow.  Shifts of 64 bits or more are undefined, and
         * would be above any max anyway. */
        shift = n - p->attempts;
        if (shift >= 64 || first > (max >> shift))
                return (int64_t)max;
        return (int64_t)(first << shift);
}

bool dl_lockout_record_failure(const struct dl_lockout_policy *p, struct dl_lockout_state *s, int64_t now) {
        int64_t d;

        if (!p || !s)
                return false;

        (void)dl_lockout_forget(s, now);

        if (s->failures < UINT32_MAX)
                s->failures++;
        s->last_failure = now;

        if (s->failures < p->attempts)
                return false;

        d = dl_lockout_duration(p, s->failures);
        s->lockout_until = now > INT64_MAX - d ? INT64_MAX : now + d;
        return true;
}

bool dl_lockout_clear(struct dl_lockout_state *s) {
        bool changed;

        if (!s)
                return false;

        changed = s->failures != 0 || s->last_failure != 0 || s->lockout_until != 0;
        *s = (struct dl_lockout_state){};
        return changed;
}

bool dl_lockout_clamp(const struct dl_lockout_policy *p, struct dl_lockout_state *s, int64_t now) {
        if (!dl_lockout_active(s, now))
                return false;
        if (s->lockout_until - now <= p->max_usec)
                return false;
        s->lockout_until = now + p->max_usec;
        return true;
}
