/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int max_level = LOG_INFO;
static int target = -1; /* -1: not decided yet, 0: plain, 1: journal */

void log_set_max_level(int priority) {
        max_level = priority;
}

int log_get_max_level(void) {
        return max_level;
}

void log_reset_target(void) {
        target = -1;
}

/* systemd.exec(5): JOURNAL_STREAM is "DEVICE:INODE" of the stream stderr
 * was connected to; it counts only while stderr is still that stream (a
 * child that redirected stderr inherits the variable). */
static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev = 0, ino = 0;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_msg(int priority, const char *fmt, ...) {
        char line[1024];
        va_list ap;
        int saved = errno;
        int n;

        if (LOG_PRI(priority) > max_level)
                return;
        if (target < 0)
                target = stderr_is_journal();

        va_start(ap, fmt);
        n = vsnprintf(line, sizeof line, fmt, ap);
        va_end(ap);
        if (n < 0)
                line[0] = '\0';
        /* One line per message: an embedded newline would start a new
         * journal entry at the default level. */
        for (char *p = line; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';

        if (target)
                fprintf(stderr, "<%d>%s\n", LOG_PRI(priority), line);
        else
                fprintf(stderr, "doorlockd-mqtt: %s\n", line);
        errno = saved;
}
