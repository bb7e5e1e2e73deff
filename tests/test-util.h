/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the unit tests: a fake clock and scratch directories. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "clock.h"

struct fake_clock {
        int64_t now;       /* µs since the epoch */
        int64_t monotonic; /* µs */
        bool synchronized;
        struct dl_clock clock; /* points back at this struct */
};

/* Start at `now` (µs), not synchronised. */
void fake_clock_init(struct fake_clock *fc, int64_t now);
/* Move both clocks forward by usec. */
void fake_clock_advance(struct fake_clock *fc, int64_t usec);
/* Set the wall clock only (as `date -s` would). */
void fake_clock_set(struct fake_clock *fc, int64_t now);

/* µs since the epoch for a UTC calendar time. */
int64_t utc_usec(int year, int month, int day, int hour, int minute, int second);

/* mkdtemp() under $TMPDIR (or /tmp); returns a malloc'd path. */
char *scratch_dir_new(void);
/* rm -rf the directory and free the path. */
void scratch_dir_free(char *path);
