/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY_NAME "test.key"
#define NOBODY 65534

/* Exit codes of the unprivileged child. */
#define CHILD_SKIP 77

static char *path_join(const char *dir, const char *name) {
        char *p;

        if (asprintf(&p, "%s/%s", dir, name) < 0)
                abort();
        return p;
}

static int setup(void **state) {
        *state = scratch_dir_new();
        return 0;
}

static int teardown(void **state) {
        scratch_dir_free(*state);
        return 0;
}

/* Write `size` bytes of `fill` to dir/name with exactly `mode`. */
static void write_file(const char *dir, const char *name, size_t size, uint8_t fill, mode_t mode) {
        _cleanup_free_ char *p = path_join(dir, name);
        uint8_t buf[256];
        int fd;

        assert_true(size <= sizeof(buf));
        memset(buf, fill, sizeof(buf));
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, buf, size), (ssize_t)size);
        assert_int_equal(fchmod(fd, mode), 0);
        assert_int_equal(close(fd), 0);
}

/* Read dir/name; returns the size read. */
static ssize_t read_file(const char *dir, const char *name, uint8_t *buf, size_t size) {
        _cleanup_free_ char *p = path_join(dir, name);
        ssize_t n;
        int fd;

        fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        assert_true(fd >= 0);
        n = read(fd, buf, size);
        assert_true(n >= 0);
        close(fd);
        return n;
}

static bool exists(const char *dir, const char *name) {
        _cleanup_free_ char *p = path_join(dir, name);
        struct stat st;

        return lstat(p, &st) == 0;
}

static mode_t file_mode(const char *dir, const char *name) {
        _cleanup_free_ char *p = path_join(dir, name);
        struct stat st;

        assert_int_equal(lstat(p, &st), 0);
        return st.st_mode;
}

static void assert_message_names(const struct dl_error *err, const char *dir, const char *name) {
        _cleanup_free_ char *p = path_join(dir, name);

        if (!strstr(err->message, p))
                fail_msg("message \"%s\" does not name %s", err->message, p);
}

static bool all_zero(const uint8_t *b, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (b[i])
                        return false;
        return true;
}

static void test_create_then_load(void **state) {
        const char *dir = *state;
        uint8_t key[DL_KEY_SIZE], again[DL_KEY_SIZE], disk[DL_KEY_SIZE + 1];
        struct dl_error err = {};
        bool created = false;
        mode_t mode;

        assert_false(exists(dir, KEY_NAME));
        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, true, key, &created, &err), 0);
        assert_true(created);
        assert_false(all_zero(key, sizeof(key)));

        /* A regular file, mode exactly 0600, 32 bytes: the key. */
        mode = file_mode(dir, KEY_NAME);
        assert_true(S_ISREG(mode));
        assert_int_equal(mode & 07777, 0600);
        assert_int_equal(read_file(dir, KEY_NAME, disk, sizeof(disk)), DL_KEY_SIZE);
        assert_memory_equal(disk, key, DL_KEY_SIZE);
        assert_false(exists(dir, KEY_NAME ".tmp"));

        /* Second start: the same key, not created. */
        created = true;
        memset(again, 0, sizeof(again));
        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, true, again, &created, &err), 0);
        assert_false(created);
        assert_memory_equal(again, key, DL_KEY_SIZE);

        /* Loading without create works too, and `created` may be NULL. */
        memset(again, 0, sizeof(again));
        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, false, again, NULL, NULL), 0);
        assert_memory_equal(again, key, DL_KEY_SIZE);

        /* Nothing else was left behind. */
        assert_false(exists(dir, KEY_NAME ".tmp"));
        assert_int_equal(file_mode(dir, KEY_NAME) & 07777, 0600);
}

static void test_create_ignores_umask(void **state) {
        const char *dir = *state;
        uint8_t key[DL_KEY_SIZE];
        bool created = false;
        mode_t old;

        /* A careless umask must not make the key readable by others. */
        old = umask(0);
        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, true, key, &created, NULL), 0);
        umask(old);
        assert_true(created);
        assert_int_equal(file_mode(dir, KEY_NAME) & 07777, 0600);
}

static void test_missing_no_create(void **state) {
        const char *dir = *state;
        uint8_t key[DL_KEY_SIZE];
        struct dl_error err = {};
        bool created = true;

        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, false, key, &created, &err), -ENOENT);
        assert_int_equal(err.code, -ENOENT);
        assert_false(created);
        assert_message_names(&err, dir, KEY_NAME);
        assert_false(exists(dir, KEY_NAME));
        assert_false(exists(dir, KEY_NAME ".tmp"));

        /* No error struct: same result. */
        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, false, key, NULL, NULL), -ENOENT);
}

static void test_wrong_size(void **state) {
        const char *dir = *state;
        const size_t sizes[] = { 0, 1, DL_KEY_SIZE - 1, DL_KEY_SIZE + 1, 64 };
        uint8_t key[DL_KEY_SIZE], disk[256];

        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                struct dl_error err = {};
                bool created = true;

                write_file(dir, KEY_NAME, sizes[i], 0x5a, 0600);
                memset(key, 0xee, sizeof(key));
                /* Even with create: a damaged key is never replaced. */
                assert_int_equal(dl_keyfile_load(dir, KEY_NAME, true, key, &created, &err), -EBADMSG);
                assert_int_equal(err.code, -EBADMSG);
                assert_false(created);
                assert_message_names(&err, dir, KEY_NAME);
                assert_true(all_zero(key, sizeof(key)));
                assert_int_equal(read_file(dir, KEY_NAME, disk, sizeof(disk)), (ssize_t)sizes[i]);

                assert_int_equal(dl_keyfile_load(dir, KEY_NAME, false, key, NULL, NULL), -EBADMSG);
        }
}

static void test_not_regular(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *p = path_join(dir, KEY_NAME);
        uint8_t key[DL_KEY_SIZE];
        struct dl_error err = {};

        assert_int_equal(mkdir(p, 0700), 0);
        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, true, key, NULL, &err), -EBADMSG);
        assert_message_names(&err, dir, KEY_NAME);
        assert_true(S_ISDIR(file_mode(dir, KEY_NAME)));
}

static void test_mode(void **state) {
        const char *dir = *state;
        const mode_t bad[] = { 0644, 0640, 0604, 0660, 0606, 0610, 0601, 0777 };
        uint8_t key[DL_KEY_SIZE], disk[DL_KEY_SIZE];

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct dl_error err = {};

                write_file(dir, KEY_NAME, DL_KEY_SIZE, 0x11, bad[i]);
                memset(key, 0xee, sizeof(key));
                assert_int_equal(dl_keyfile_load(dir, KEY_NAME, true, key, NULL, &err), -EPERM);
                assert_int_equal(err.code, -EPERM);
                assert_message_names(&err, dir, KEY_NAME);
                assert_true(all_zero(key, sizeof(key)));
                /* Left alone for the admin to look at. */
                assert_int_equal(file_mode(dir, KEY_NAME) & 07777, bad[i]);
                assert_int_equal(read_file(dir, KEY_NAME, disk, sizeof(disk)), DL_KEY_SIZE);
        }

        /* Stricter than 0600 is fine. */
        write_file(dir, KEY_NAME, DL_KEY_SIZE, 0x22, 0400);
        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, false, key, NULL, NULL), 0);
        memset(disk, 0x22, sizeof(disk));
        assert_memory_equal(key, disk, DL_KEY_SIZE);
}

static void test_symlink(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *target = path_join(dir, "target.key");
        _cleanup_free_ char *link_path = path_join(dir, KEY_NAME);
        uint8_t key[DL_KEY_SIZE], disk[DL_KEY_SIZE + 1], expected[DL_KEY_SIZE];
        struct dl_error err = {};
        bool created = true;

        /* A valid key elsewhere, linked in place of ours. */
        write_file(dir, "target.key", DL_KEY_SIZE, 0x33, 0600);
        assert_int_equal(symlink(target, link_path), 0);

        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, true, key, &created, &err), -ELOOP);
        assert_int_equal(err.code, -ELOOP);
        assert_false(created);
        assert_message_names(&err, dir, KEY_NAME);

        /* The link and its target are untouched. */
        assert_true(S_ISLNK(file_mode(dir, KEY_NAME)));
        assert_int_equal(file_mode(dir, "target.key") & 07777, 0600);
        memset(expected, 0x33, sizeof(expected));
        assert_int_equal(read_file(dir, "target.key", disk, sizeof(disk)), DL_KEY_SIZE);
        assert_memory_equal(disk, expected, DL_KEY_SIZE);
        assert_false(exists(dir, KEY_NAME ".tmp"));

        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, false, key, NULL, NULL), -ELOOP);
}

static void test_dangling_symlink(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *target = path_join(dir, "elsewhere.key");
        _cleanup_free_ char *link_path = path_join(dir, KEY_NAME);
        uint8_t key[DL_KEY_SIZE];
        struct dl_error err = {};

        /* Creating "the key" must not write through the link. */
        assert_int_equal(symlink(target, link_path), 0);
        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, true, key, NULL, &err), -ELOOP);
        assert_message_names(&err, dir, KEY_NAME);
        assert_false(exists(dir, "elsewhere.key"));
        assert_true(S_ISLNK(file_mode(dir, KEY_NAME)));
}

static void test_stale_tmp(void **state) {
        const char *dir = *state;
        uint8_t key[DL_KEY_SIZE], disk[DL_KEY_SIZE + 1];
        bool created = false;

        /* A power cut during creation left a partial, world-readable tmp. */
        write_file(dir, KEY_NAME ".tmp", 5, 0x44, 0644);

        /* Without create it is not taken for a key. */
        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, false, key, NULL, NULL), -ENOENT);
        assert_true(exists(dir, KEY_NAME ".tmp"));

        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, true, key, &created, NULL), 0);
        assert_true(created);
        assert_false(exists(dir, KEY_NAME ".tmp"));
        assert_int_equal(file_mode(dir, KEY_NAME) & 07777, 0600);
        assert_int_equal(read_file(dir, KEY_NAME, disk, sizeof(disk)), DL_KEY_SIZE);
        assert_memory_equal(disk, key, DL_KEY_SIZE);
}

static void test_stale_tmp_symlink(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *target = path_join(dir, "victim");
        _cleanup_free_ char *tmp = path_join(dir, KEY_NAME ".tmp");
        uint8_t key[DL_KEY_SIZE], disk[64], expected[7];
        bool created = false;

        /* The tmp name is a symlink to some other file: the key must not be
         * written through it. */
        write_file(dir, "victim", sizeof(expected), 0x55, 0644);
        assert_int_equal(symlink(target, tmp), 0);

        assert_int_equal(dl_keyfile_load(dir, KEY_NAME, true, key, &created, NULL), 0);
        assert_true(created);
        assert_false(exists(dir, KEY_NAME ".tmp"));
        assert_true(S_ISREG(file_mode(dir, KEY_NAME)));
        assert_int_equal(file_mode(dir, KEY_NAME) & 07777, 0600);

        memset(expected, 0x55, sizeof(expected));
        assert_int_equal(read_file(dir, "victim", disk, sizeof(disk)), (ssize_t)sizeof(expected));
        assert_memory_equal(disk, expected, sizeof(expected));
        assert_int_equal(file_mode(dir, "victim") & 07777, 0644);
}

static void test_missing_dir(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *sub = path_join(dir, "no-such-dir");
        uint8_t key[DL_KEY_SIZE];
        struct dl_error err = {};
        bool created = true;

        assert_true(dl_keyfile_load(sub, KEY_NAME, true, key, &created, &err) < 0);
        assert_false(created);
        assert_true(err.code < 0);
        assert_message_names(&err, sub, KEY_NAME);
        assert_false(exists(dir, "no-such-dir"));
}

/* Run `load` in a child that cannot write to dir: as root, the child drops
 * to nobody (chmod 0500 alone does not stop root) after handing dir and its
 * files to nobody.  Returns the child's exit status; CHILD_SKIP when the
 * setup cannot be made to work here. */
static int run_unprivileged(const char *dir, int (*child)(const char *dir)) {
        int status;
        pid_t pid;

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (geteuid() == 0) {
                        _cleanup_free_ char *key = path_join(dir, KEY_NAME);

                        if (chown(dir, NOBODY, NOBODY) < 0)
                                _exit(CHILD_SKIP);
                        if (lchown(key, NOBODY, NOBODY) < 0 && errno != ENOENT)
                                _exit(CHILD_SKIP);
                        if (chmod(dir, 0500) < 0)
                                _exit(CHILD_SKIP);
                        if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
                                _exit(CHILD_SKIP);
                } else if (chmod(dir, 0500) < 0)
                        _exit(CHILD_SKIP);

                /* The scratch dir must be reachable, and really read-only. */
                if (access(dir, X_OK) < 0 || access(dir, W_OK) == 0 || errno != EACCES)
                        _exit(CHILD_SKIP);
                _exit(child(dir));
        }

        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static int child_create(const char *dir) {
        _cleanup_free_ char *p = path_join(dir, KEY_NAME);
        uint8_t key[DL_KEY_SIZE];
        struct dl_error err = {};
        bool created = true;
        int r;

        r = dl_keyfile_load(dir, KEY_NAME, true, key, &created, &err);
        if (r >= 0)
                return 1;
        if (r != -EACCES)
                return 2;
        if (err.code != r)
                return 3;
        if (!strstr(err.message, p))
                return 4;
        if (created)
                return 5;
        return 0;
}

static void test_unwritable_dir(void **state) {
        const char *dir = *state;
        int status;

        status = run_unprivileged(dir, child_create);
        if (status == CHILD_SKIP)
                skip();
        if (status != 0)
                fail_msg("child check %d failed", status);
        assert_false(exists(dir, KEY_NAME));
        assert_false(exists(dir, KEY_NAME ".tmp"));
}

static int child_load(const char *dir) {
        uint8_t key[DL_KEY_SIZE], expected[DL_KEY_SIZE];
        bool created = true;
        int r;

        r = dl_keyfile_load(dir, KEY_NAME, true, key, &created, NULL);
        if (r < 0)
                return 1;
        if (created)
                return 2;
        memset(expected, 0x66, sizeof(expected));
        if (memcmp(key, expected, sizeof(key)) != 0)
                return 3;
        return 0;
}

static void test_unwritable_dir_existing_key(void **state) {
        const char *dir = *state;
        int status;

        /* A read-only state directory with a key already in it is fine. */
        write_file(dir, KEY_NAME, DL_KEY_SIZE, 0x66, 0600);
        status = run_unprivileged(dir, child_load);
        if (status == CHILD_SKIP)
                skip();
        if (status != 0)
                fail_msg("child check %d failed", status);
}

static void test_keys_differ(void **state) {
        const char *dir = *state;
        uint8_t a[DL_KEY_SIZE], b[DL_KEY_SIZE];
        bool created = false;

        assert_int_equal(dl_keyfile_load(dir, "a.key", true, a, &created, NULL), 0);
        assert_true(created);
        assert_int_equal(dl_keyfile_load(dir, "b.key", true, b, &created, NULL), 0);
        assert_true(created);
        assert_memory_not_equal(a, b, DL_KEY_SIZE);
        assert_false(all_zero(a, sizeof(a)));
        assert_false(all_zero(b, sizeof(b)));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_create_then_load, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_ignores_umask, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_no_create, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wrong_size, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mode, setup, teardown),
                cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dangling_symlink, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stale_tmp, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stale_tmp_symlink, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unwritable_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unwritable_dir_existing_key, setup, teardown),
                cmocka_unit_test_setup_teardown(test_keys_differ, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
