/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* doorlockd-mqtt's log: one line per message on stderr.  When stderr is
 * the journal (JOURNAL_STREAM is set and names stderr's device and inode,
 * as systemd.exec(5) says to check), each line starts with the syslog
 * priority "<N>" so journald files it at that level; otherwise (a
 * terminal, a test, a pipe) with "doorlockd-mqtt: ".  Messages above the
 * maximum level (LOG_INFO by default) are dropped.  Never pass a PIN or a
 * password to log_msg(). */

#include <syslog.h>

#include "macro.h"

void log_msg(int priority /* LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG */, const char *fmt, ...)
        _printf_(2, 3);

/* --debug raises it to LOG_DEBUG. */
void log_set_max_level(int priority);
int log_get_max_level(void);

/* Decide again whether stderr is the journal (log_msg() decides once, at
 * its first call; tests that redirect stderr call this after). */
void log_reset_target(void);
