/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A SQLite VFS shim that simulates a power cut (the technique of SQLite's
 * own crash tests, test6.c, simplified).
 *
 * It wraps the default VFS (the unix VFS) and, while armed, tracks every
 * main database, journal and WAL file: the content each had at its last
 * xSync (its "durable image") and whether its directory entry is durable.
 * At the crash point, the Kth write, truncate, sync or delete after arming,
 * it cuts the power instead of doing that call: every file goes back to its
 * durable image (writes and truncates since its last sync are dropped), a
 * file created since arming and never synced disappears, and a file deleted
 * without a directory sync comes back.  From then on every I/O call fails
 * with SQLITE_IOERR, as a dead disk would, so the store call in progress
 * returns an error.
 *
 * Assumptions: one thread; files that exist when the shim is armed are
 * durable as they are (arm it only while no connection is open). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Register the shim as SQLite's default VFS (wrapping the current default).
 * Unarmed, it only passes calls through.  Returns 0 or -EIO. */
int crash_vfs_install(void);
/* Make the wrapped VFS the default again (the shim stays registered by name,
 * unused). */
void crash_vfs_uninstall(void);

/* Start tracking, with the power cut before I/O event number crash_at
 * (1-based; 0 = never).  Forgets everything tracked before. */
void crash_vfs_arm(uint64_t crash_at);
/* Stop tracking (after the connections that used the shim are closed) and
 * free what was tracked.  The files stay as they are. */
void crash_vfs_disarm(void);

/* Has the power been cut since arming? */
bool crash_vfs_crashed(void);
/* I/O events counted since arming (writes, truncates, syncs, deletes of
 * tracked files). */
uint64_t crash_vfs_events(void);
