/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dl_clock_system's synchronised flag: adjtimex() when the kernel answers,
 * systemd-timesyncd's flag file when a seccomp filter refuses the call (as
 * systemd's ProtectClock= does), "not synchronised" when neither says so. */
#include "test-util.h"

#include "clock-system.h"
#include "macro.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int fake_status;
static int fake_errno;
static int fake_calls;

static int fake_adjtimex(struct timex *tx) {
        fake_calls++;
        if (tx->modes != 0)
                fail_msg("adjtimex called with modes %u: must only read", tx->modes);
        if (fake_errno) {
                errno = fake_errno;
                return -1;
        }
        tx->status = fake_status;
        return (fake_status & STA_UNSYNC) ? TIME_ERROR : TIME_OK;
}

struct flag {
        char *dir;
        char *path;
};

static int flag_setup(void **state) {
        struct flag *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        f->dir = scratch_dir_new();
        assert_true(asprintf(&f->path, "%s/synchronized", f->dir) > 0);
        fake_status = 0;
        fake_errno = 0;
        fake_calls = 0;
        *state = f;
        return 0;
}

static int flag_teardown(void **state) {
        struct flag *f = *state;

        free(f->path);
        scratch_dir_free(f->dir);
        free(f);
        return 0;
}

static void flag_create(const struct flag *f) {
        int fd = open(f->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

        assert_true(fd >= 0);
        close(fd);
}

static void test_kernel_synchronised(void **state) {
        struct flag *f = *state;

        fake_status = STA_PLL;
        assert_true(dl_clock_synchronized_from(fake_adjtimex, f->path));
        assert_int_equal(fake_calls, 1);
}

static void test_kernel_unsynchronised_wins_over_flag(void **state) {
        struct flag *f = *state;

        /* The kernel's answer is the authority when there is one. */
        fake_status = STA_UNSYNC;
        flag_create(f);
        assert_false(dl_clock_synchronized_from(fake_adjtimex, f->path));
}

static void test_refused_with_flag_file(void **state) {
        struct flag *f = *state;

        fake_errno = EPERM;
        flag_create(f);
        assert_true(dl_clock_synchronized_from(fake_adjtimex, f->path));
}

static void test_refused_without_flag_file(void **state) {
        struct flag *f = *state;

        fake_errno = EPERM;
        assert_false(dl_clock_synchronized_from(fake_adjtimex, f->path));
        assert_false(dl_clock_synchronized_from(fake_adjtimex, NULL));
}

static void test_missing_syscall_uses_flag_file(void **state) {
        struct flag *f = *state;

        fake_errno = ENOSYS;
        assert_false(dl_clock_synchronized_from(fake_adjtimex, f->path));
        flag_create(f);
        assert_true(dl_clock_synchronized_from(fake_adjtimex, f->path));
}

static void test_system_clock_matches_kernel(void **state) {
        struct timex tx = { .modes = 0 };

        (void)state;
        if (adjtimex(&tx) < 0) /* refused here: the flag file decides */
                assert_int_equal(dl_clock_synchronized(&dl_clock_system),
                                 access(DL_TIMESYNC_FLAG_FILE, F_OK) == 0);
        else
                assert_int_equal(dl_clock_synchronized(&dl_clock_system), !(tx.status & STA_UNSYNC));
}

/* The real thing: in a child, a seccomp filter refuses adjtimex() and
 * clock_adjtime() with EPERM exactly as ProtectClock= does; the system
 * clock must then report what the timesyncd flag file says. */
static int deny_clock_syscalls(void) {
        struct sock_filter filter[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clock_adjtime, 2, 0),
#ifdef SYS_adjtimex
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_adjtimex, 1, 0),
#else
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clock_adjtime, 1, 0),
#endif
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        };
        struct sock_fprog prog = { .len = ELEMENTSOF(filter), .filter = filter };

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
                return -errno;
        return 0;
}

static void test_system_clock_under_seccomp(void **state) {
        int status;
        pid_t pid;

        (void)state;
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct timex tx = { .modes = 0 };
                bool expect = access(DL_TIMESYNC_FLAG_FILE, F_OK) == 0;

                if (deny_clock_syscalls() < 0)
                        _exit(3);
                if (adjtimex(&tx) >= 0 || errno != EPERM)
                        _exit(2); /* the filter did not bite */
                _exit(dl_clock_synchronized(&dl_clock_system) == expect ? 0 : 1);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

/* Can this process install a seccomp filter?  qemu-user (the arm64 build's
 * tests) cannot; meson counts a TAP "not ok # SKIP" as a failure, so the
 * test is then left out with a diagnostic line instead. */
static bool seccomp_available(void) {
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return false;
        if (pid == 0)
                _exit(deny_clock_syscalls() < 0 ? 1 : 0);
        return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_kernel_synchronised, flag_setup, flag_teardown),
                cmocka_unit_test_setup_teardown(test_kernel_unsynchronised_wins_over_flag, flag_setup,
                                                flag_teardown),
                cmocka_unit_test_setup_teardown(test_refused_with_flag_file, flag_setup, flag_teardown),
                cmocka_unit_test_setup_teardown(test_refused_without_flag_file, flag_setup, flag_teardown),
                cmocka_unit_test_setup_teardown(test_missing_syscall_uses_flag_file, flag_setup,
                                                flag_teardown),
                cmocka_unit_test(test_system_clock_matches_kernel),
                cmocka_unit_test(test_system_clock_under_seccomp),
        };
        size_t n = ELEMENTSOF(tests);

        if (!seccomp_available()) {
                printf("# no seccomp filters here: test_system_clock_under_seccomp left out\n");
                n--;
        }
        return _cmocka_run_group_tests("tests", tests, n, NULL, NULL);
}
