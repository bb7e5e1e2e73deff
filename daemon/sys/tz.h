/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Instants to wall-clock time with the real time-zone rules (tzdata), so a
 * window 08:00-09:00 is 08:00-09:00 on the wall clock in winter and summer.
 *
 * Uses the C library's TZ handling: a zone other than the current one is
 * selected with setenv("TZ") + tzset().  That is process-wide state, so the
 * core is meant for one thread (the daemon's event loop). */
#pragma once

#include <stdint.h>

#include "error.h"
#include "schedule.h"

/* NULL or "" means the system's zone (/etc/localtime).  Otherwise an IANA
 * name such as "Europe/Berlin": it must be a relative path without ".."
 * components naming a TZif file under $TZDIR or /usr/share/zoneinfo.
 * -EINVAL (bad name) or -ENOENT (no such zone) with a message. */
int dl_tz_check(const char *zone, struct dl_error *err);

/* Convert usec (µs since the epoch) to wall time in zone.  -EINVAL when the
 * C library cannot convert the instant.  A zone other than the one selected
 * last is checked as by dl_tz_check() first (glibc would silently use UTC
 * for a zone it cannot load), so a bad zone fails with that error instead. */
int dl_tz_wall(const char *zone, int64_t usec, struct dl_wall *out);
