/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unfinished-drive marker: a one-byte file in the state directory that
 * says a drive of the bolt was under way.  Written when a drive starts,
 * cleared when the bolt arrives, jams or is stopped.  Found set at start-up,
 * it means the daemon died mid-drive (crash, kill, brown-out): the lock
 * service then does not restart the motor blindly; it reads the sensors,
 * reports the position (or unknown) and raises alarm "drive-interrupted".
 *
 * Cost on the path from '#' to the motor: one pwrite() of one byte to a
 * file opened at start (no create, no directory sync).  The fdatasync()
 * that makes it survive a power cut runs right after the drive command, so
 * the motor never waits for the disk; a power cut in the few ms before it
 * completes loses the marker, and the restart then trusts the sensors as
 * it does after a clean stop. */
#pragma once

#include <stdbool.h>

#include "error.h"

#define DL_DRIVE_MARKER_FILE "drive-in-progress"

enum dl_drive_marker_state {
        DL_DRIVE_MARKER_IDLE,      /* '-': no drive under way */
        DL_DRIVE_MARKER_UNLOCKING, /* 'u' */
        DL_DRIVE_MARKER_LOCKING,   /* 'l' */
};

struct dl_drive_marker {
        int fd; /* -1 when closed */
};

/* Open (create) dir/DL_DRIVE_MARKER_FILE and read what the last run left
 * in it into *ret_found (a missing, empty or unreadable file is idle). */
int dl_drive_marker_open(struct dl_drive_marker *m, const char *dir, enum dl_drive_marker_state *ret_found,
                         struct dl_error *err);
void dl_drive_marker_close(struct dl_drive_marker *m);

/* Record the state (pwrite); then dl_drive_marker_sync() off the critical
 * path.  No-ops on a closed marker. */
int dl_drive_marker_set(struct dl_drive_marker *m, enum dl_drive_marker_state state);
int dl_drive_marker_sync(struct dl_drive_marker *m);
