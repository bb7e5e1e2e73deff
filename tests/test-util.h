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

/* ---- a code store in a scratch directory ---- */

#include "code-store.h"
#include "store.h"

struct store_fixture {
        char *dir;
        struct fake_clock clock;
        struct dl_store_config config;
        struct dl_store *store;
};

/* 2026-06-01 12:00 UTC (a Monday), zone Europe/Berlin, default config,
 * store not yet opened.  Use in cmocka setup functions. */
int store_fixture_setup(void **state);
/* Setup plus dl_store_open(). */
int store_fixture_setup_open(void **state);
int store_fixture_teardown(void **state);

/* Open with f->config (asserts success). */
void store_fixture_open(struct store_fixture *f);
void store_fixture_close(struct store_fixture *f);
void store_fixture_reopen(struct store_fixture *f);

/* Add a normal code with that name and PIN; asserts success. */
int64_t add_code(struct store_fixture *f, const char *name, const char *pin);
/* Add with a spec; returns the result of dl_store_add_code. */
int add_spec(struct store_fixture *f, const struct dl_code_spec *spec, const char *pin, int64_t *ret_id);

/* Newest audit seq (the head). */
int64_t audit_head(struct store_fixture *f);

/* Run SQL on the store's database file through a separate connection
 * (simulating tampering or another process).  The store holds the database
 * exclusively, so these close it first and reopen it after.  Asserts
 * success. */
void raw_sql(struct store_fixture *f, const char *sql);
/* First column of the first row as an integer. */
int64_t raw_int(struct store_fixture *f, const char *sql);
/* Path of a file in the fixture's directory (malloc'd). */
char *fixture_path(struct store_fixture *f, const char *file);
