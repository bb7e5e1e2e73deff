/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The restore's directories in the state directory and the file helpers
 * that backup.c shares.  The lowest layer of the store with db.c and
 * keyfile.c: it calls nothing above it. */

#include <stdbool.h>

#include "error.h"

#define DL_RESTORE_STAGE_DIR "restore.new"
#define DL_RESTORE_READY_DIR "restore.ready"

/* Finish a committed restore (restore.ready) or drop one that was never
 * committed (restore.new).  Called by dl_store_open() before it reads
 * anything; every step can be repeated after a power cut. */
int dl_restore_recover(const char *state_dir, struct dl_error *err);

/* rm -rf PATH; a missing PATH is fine. */
int dl_remove_tree(const char *path);
/* fsync() a file or directory by name. */
int dl_fsync_path(const char *path);
/* *ret = "A/B", or -ENOMEM. */
int dl_path_join(char **ret, const char *a, const char *b);
bool dl_path_exists(const char *path);
