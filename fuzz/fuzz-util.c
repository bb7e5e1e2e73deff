/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "fuzz-util.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

static int64_t fake_now(void *userdata) {
        return ((struct fuzz_clock *)userdata)->now;
}

static int64_t fake_monotonic(void *userdata) {
        return ((struct fuzz_clock *)userdata)->monotonic;
}

static bool fake_synchronized(void *userdata) {
        return ((struct fuzz_clock *)userdata)->synchronized;
}

void fuzz_clock_init(struct fuzz_clock *fc, int64_t now) {
        *fc = (struct fuzz_clock){
                .now = now,
                .monotonic = 1000000,
                .synchronized = true,
        };
        fc->clock = (struct dl_clock){
                .now = fake_now,
                .monotonic = fake_monotonic,
                .synchronized = fake_synchronized,
                .userdata = fc,
        };
}

void fuzz_clock_advance(struct fuzz_clock *fc, int64_t usec) {
        fc->now += usec;
        fc->monotonic += usec;
}

static char *scratch;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st, (void)flag, (void)ftw;
        return remove(path) < 0 ? -1 : 0;
}

static void remove_scratch(void) {
        if (scratch)
                (void)nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
        free(scratch);
        scratch = NULL;
}

const char *fuzz_scratch_dir(void) {
        const char *base;
        char *p;

        if (scratch)
                return scratch;
        base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
        if (!base || !*base)
                base = "/tmp";
        if (asprintf(&p, "%s/doorlockd-fuzz.XXXXXX", base) < 0)
                abort();
        if (!mkdtemp(p)) {
                fprintf(stderr, "fuzz: cannot create %s: %s\n", p, strerror(errno));
                abort();
        }
        scratch = p;
        atexit(remove_scratch);
        return scratch;
}

struct dl_store *fuzz_store_open(const char *name, const struct dl_store_config *config,
                                 const struct dl_clock *clock) {
        struct dl_error err = {};
        struct dl_store *s = NULL;
        char *dir;
        int r;

        if (asprintf(&dir, "%s/%s", fuzz_scratch_dir(), name) < 0)
                abort();
        r = dl_store_open(dir, config, clock, &s, &err);
        if (r < 0) {
                fprintf(stderr, "fuzz: cannot open a store in %s: %s\n", dir, dl_error_message(&err, r));
                abort();
        }
        free(dir);
        return s;
}

void fuzz_store_reset_lockout(struct dl_store *s) {
        struct dl_actor admin = { .source = DL_SOURCE_SYSTEM, .who = "fuzz" };
        struct dl_lockout_state st;

        if (dl_store_lockout_state(s, &st, NULL) < 0)
                abort();
        if ((st.failures > 0 || st.lockout_until > 0) && dl_store_end_lockout(s, &admin, NULL) < 0)
                abort();
}

uint16_t fuzz_u16(struct fuzz_input *in) {
        uint16_t v = fuzz_u8(in);

        return (uint16_t)(v << 8 | fuzz_u8(in));
}

uint32_t fuzz_u32(struct fuzz_input *in) {
        uint32_t v = fuzz_u16(in);

        return v << 16 | fuzz_u16(in);
}

uint64_t fuzz_u64(struct fuzz_input *in) {
        uint64_t v = fuzz_u32(in);

        return v << 32 | fuzz_u32(in);
}

char *fuzz_string(struct fuzz_input *in, size_t max) {
        size_t n = fuzz_u8(in), left = in->size - in->pos;
        char *s;

        if (n > max)
                n = max;
        if (n > left)
                n = left;
        s = malloc(n + 1);
        if (!s)
                abort();
        memcpy(s, in->data + in->pos, n);
        s[n] = '\0';
        in->pos += n;
        return s;
}
