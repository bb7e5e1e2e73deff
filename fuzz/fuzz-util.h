/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the fuzz targets share: a fake clock, a scratch state directory and
 * a byte reader over the fuzz input.  No cmocka (the replay programs run
 * in every build). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "store.h"

/* libFuzzer's entry points, implemented by each target; replay-main.c
 * calls them without libFuzzer. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_clock {
        int64_t now;       /* µs since the epoch */
        int64_t monotonic; /* µs */
        bool synchronized;
        struct dl_clock clock; /* points back at this struct */
};

/* 2026-06-01 12:00 UTC. */
#define FUZZ_EPOCH_USEC ((int64_t)1780315200 * 1000000)

void fuzz_clock_init(struct fuzz_clock *fc, int64_t now);
void fuzz_clock_advance(struct fuzz_clock *fc, int64_t usec);

/* A fresh state directory under /dev/shm (fsync is free there) or $TMPDIR,
 * removed at exit.  Aborts on failure: a target cannot run without it. */
const char *fuzz_scratch_dir(void);

/* Open a store in a new subdirectory of the scratch dir; aborts on
 * failure. */
struct dl_store *fuzz_store_open(const char *name, const struct dl_store_config *config,
                                 const struct dl_clock *clock);

/* Clear wrong-entry failures and any lockout, so every input starts from
 * the same state (a write only when there is something to clear). */
void fuzz_store_reset_lockout(struct dl_store *s);

/* The fuzz input as a stream of bytes; past the end everything reads 0. */
struct fuzz_input {
        const uint8_t *data;
        size_t size, pos;
};

static inline bool fuzz_more(const struct fuzz_input *in) {
        return in->pos < in->size;
}
static inline uint8_t fuzz_u8(struct fuzz_input *in) {
        return in->pos < in->size ? in->data[in->pos++] : 0;
}
uint16_t fuzz_u16(struct fuzz_input *in);
uint32_t fuzz_u32(struct fuzz_input *in);
uint64_t fuzz_u64(struct fuzz_input *in);
/* Up to max bytes (length from one byte) as a malloc'd NUL-terminated
 * string; aborts on out of memory. */
char *fuzz_string(struct fuzz_input *in, size_t max);
