/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unfinished-drive marker: what one run leaves, the next one finds. */
#include "test-util.h"

#include "drive-marker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int setup(void **state) {
        *state = scratch_dir_new();
        return 0;
}

static int teardown(void **state) {
        scratch_dir_free(*state);
        return 0;
}

static enum dl_drive_marker_state reopen(const char *dir) {
        struct dl_drive_marker m;
        enum dl_drive_marker_state found;

        assert_int_equal(dl_drive_marker_open(&m, dir, &found, NULL), 0);
        dl_drive_marker_close(&m);
        return found;
}

static void test_round_trip(void **state) {
        const char *dir = *state;
        struct dl_drive_marker m;
        enum dl_drive_marker_state found;
        char path[4096];
        struct stat st;

        /* First start: no file, idle; the file exists afterwards, 0600. */
        assert_int_equal(dl_drive_marker_open(&m, dir, &found, NULL), 0);
        assert_int_equal(found, DL_DRIVE_MARKER_IDLE);
        snprintf(path, sizeof(path), "%s/%s", dir, DL_DRIVE_MARKER_FILE);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);

        /* A drive that never finished (the process dies here). */
        assert_int_equal(dl_drive_marker_set(&m, DL_DRIVE_MARKER_UNLOCKING), 0);
        assert_int_equal(dl_drive_marker_sync(&m), 0);
        dl_drive_marker_close(&m);
        assert_int_equal(reopen(dir), DL_DRIVE_MARKER_UNLOCKING);

        assert_int_equal(dl_drive_marker_open(&m, dir, &found, NULL), 0);
        assert_int_equal(found, DL_DRIVE_MARKER_UNLOCKING);
        assert_int_equal(dl_drive_marker_set(&m, DL_DRIVE_MARKER_LOCKING), 0);
        dl_drive_marker_close(&m);
        assert_int_equal(reopen(dir), DL_DRIVE_MARKER_LOCKING);

        /* A finished drive leaves nothing behind. */
        assert_int_equal(dl_drive_marker_open(&m, dir, &found, NULL), 0);
        assert_int_equal(dl_drive_marker_set(&m, DL_DRIVE_MARKER_IDLE), 0);
        dl_drive_marker_close(&m);
        assert_int_equal(reopen(dir), DL_DRIVE_MARKER_IDLE);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_size, 1);

        /* Bad values; a closed marker is a no-op. */
        assert_int_equal(dl_drive_marker_open(&m, dir, &found, NULL), 0);
        assert_int_equal(dl_drive_marker_set(&m, (enum dl_drive_marker_state)7), -EINVAL);
        dl_drive_marker_close(&m);
        dl_drive_marker_close(&m);
        assert_int_equal(dl_drive_marker_set(&m, DL_DRIVE_MARKER_UNLOCKING), 0);
        assert_int_equal(dl_drive_marker_sync(&m), 0);
        assert_int_equal(reopen(dir), DL_DRIVE_MARKER_IDLE);
}

/* Junk in the file (a torn write, someone's editor) reads as idle, never
 * as a drive in one direction or the other. */
static void test_junk(void **state) {
        const char *dir = *state;
        static const char *const junk[] = { "", "x", "U", "\n", "-u" };
        char path[4096];

        snprintf(path, sizeof(path), "%s/%s", dir, DL_DRIVE_MARKER_FILE);
        for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
                FILE *f = fopen(path, "w");

                assert_non_null(f);
                fputs(junk[i], f);
                fclose(f);
                assert_int_equal(reopen(dir), DL_DRIVE_MARKER_IDLE);
        }
}

/* A directory that cannot hold the file: a clear error naming it. */
static void test_error(void **state) {
        struct dl_drive_marker m;
        enum dl_drive_marker_state found;
        struct dl_error err = {};
        char dir[4096];

        snprintf(dir, sizeof(dir), "%s/missing", (const char *)*state);
        assert_int_equal(dl_drive_marker_open(&m, dir, &found, &err), -ENOENT);
        assert_non_null(strstr(err.message, "missing/" DL_DRIVE_MARKER_FILE));
        assert_int_equal(m.fd, -1);
        assert_int_equal(found, DL_DRIVE_MARKER_IDLE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_junk, setup, teardown),
                cmocka_unit_test_setup_teardown(test_error, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
