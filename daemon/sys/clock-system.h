/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How dl_clock_system decides whether the clock is synchronised, with the
 * kernel call and the flag file passed in so the tests can drive it. */
#pragma once

#include <stdbool.h>
#include <sys/timex.h>

/* systemd-timesyncd creates this file once it has synchronised the clock. */
#define DL_TIMESYNC_FLAG_FILE "/run/systemd/timesync/synchronized"

/* Asks adjtimex_fn (read only: modes 0) whether the kernel vouches for the
 * clock.  When the call fails (a seccomp filter such as systemd's
 * ProtectClock= or SystemCallFilter= refuses it with EPERM, or the kernel
 * lacks it), falls back to whether flag_path exists.  Anything uncertain
 * reads as "not synchronised", the side that fails closed. */
bool dl_clock_synchronized_from(int (*adjtimex_fn)(struct timex *tx), const char *flag_path);
