/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a secret a person types (a PIN, a backup passphrase): on a
 * terminal without echo, asked twice when it is being chosen; otherwise
 * one line from stdin.  Read a byte at a time into the caller's fixed
 * buffer, so no stdio buffer keeps a copy; wiped on every error. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "lockctl.h"

static volatile sig_atomic_t secret_signal = 0;

static void secret_signal_handler(int sig) {
        secret_signal = sig;
}

/* One line from fd.  The length; -ENODATA at end of file before anything,
 * -E2BIG for a line that does not fit (the rest of it is read and
 * dropped), -ECANCELED when a signal came. */
static int read_line(int fd, char *buf, size_t size) {
        bool too_long = false;
        size_t n = 0;
        int r = 0;

        for (;;) {
                char c;
                ssize_t k;

                k = read(fd, &c, 1);
                if (k < 0) {
                        if (errno == EINTR && !secret_signal)
                                continue;
                        r = errno == EINTR ? -ECANCELED : -errno;
                        break;
                }
                if (k == 0) {
                        if (n == 0 && !too_long)
                                r = -ENODATA;
                        break;
                }
                if (c == '\n')
                        break;
                if (n + 1 >= size)
                        too_long = true;
                else
                        buf[n++] = c;
                explicit_bzero(&c, sizeof(c));
        }

        if (r == 0 && too_long)
                r = -E2BIG;
        if (r < 0) {
                explicit_bzero(buf, size);
                return r;
        }
        if (n > 0 && buf[n - 1] == '\r')
                n--;
        buf[n] = '\0';
        return (int)n;
}

static int read_error(const char *what, int r) {
        if (r == -ENODATA || r == 0)
                return log_error(-EINVAL, "No %s given.", what);
        if (r == -E2BIG)
                return log_error(-EINVAL, "The %s is too long.", what);
        if (r == -ECANCELED)
                return log_error(r, "Cancelled.");
        return log_error(r, "Cannot read the %s: %s", what, strerror(-r));
}

/* SIGINT and friends restore the terminal before they take effect. */
static int read_tty(const char *what, const char *prompt, const char *repeat, char *buf, size_t size) {
        static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
        struct sigaction sa = { .sa_handler = secret_signal_handler }, old_sa[ELEMENTSOF(signals)];
        struct termios old, quiet;
        char *again = NULL;
        int r, sig;

        if (tcgetattr(STDIN_FILENO, &old) < 0) {
                r = -errno;
                return log_error(r, "Cannot read the terminal settings: %s", strerror(-r));
        }
        if (repeat) {
                again = calloc(1, size);
                if (!again)
                        return log_error(-ENOMEM, "Out of memory.");
        }

        /* No SA_RESTART: read() returns EINTR and we clean up. */
        sigemptyset(&sa.sa_mask);
        secret_signal = 0;
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                (void)sigaction(signals[i], &sa, &old_sa[i]);

        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0) {
                r = -errno;
                for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                        (void)sigaction(signals[i], &old_sa[i], NULL);
                free(again);
                return log_error(r, "Cannot turn off the terminal's echo: %s", strerror(-r));
        }

        fputs(prompt, stderr);
        r = read_line(STDIN_FILENO, buf, size);
        if (r > 0 && repeat) {
                fputs(repeat, stderr);
                r = read_line(STDIN_FILENO, again, size);
        }

        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                (void)sigaction(signals[i], &old_sa[i], NULL);

        sig = secret_signal;
        if (sig == 0 && r > 0 && again && strcmp(buf, again) != 0)
                r = -EBADMSG;
        if (again) {
                explicit_bzero(again, size);
                free(again);
        }
        if (sig != 0) {
                explicit_bzero(buf, size);
                fputc('\n', stderr);
                /* Die of the signal as if it had not been caught. */
                (void)raise(sig);
                return log_error(-ECANCELED, "Cancelled.");
        }
        if (r == -EBADMSG) {
                explicit_bzero(buf, size);
                return log_error(-EINVAL, "The %ss do not match.", what);
        }
        if (r <= 0) {
                explicit_bzero(buf, size);
                return read_error(what, r);
        }
        return 0;
}

int read_secret(const char *what, const char *prompt, const char *repeat, char *buf, size_t size) {
        int r;

        if (isatty(STDIN_FILENO))
                return read_tty(what, prompt, repeat, buf, size);

        r = read_line(STDIN_FILENO, buf, size);
        if (r <= 0)
                return read_error(what, r);
        return 0;
}
