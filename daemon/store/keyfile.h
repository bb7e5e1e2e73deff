/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 256-bit secret keys kept in their own files in the state directory (never
 * in the database): created on first start from the CSPRNG with mode 0600,
 * written to a temporary file, fsync'd and linked into place (never over an
 * existing key), so a power cut leaves either no key or a whole one. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "hmac.h"

/* Load dir/name into key.  When the file does not exist and `create` is
 * true, make a new random key.  *created (may be NULL) tells which happened.
 * Errors with a message naming the file:
 *   -ENOENT  missing and create is false
 *   -EBADMSG wrong size (damaged or not a key file)
 *   -EPERM   readable by group or others (mode must be 0600 or stricter)
 *   others   from open/read/write (e.g. -EACCES, -EROFS on a read-only dir) */
int dl_keyfile_load(const char *dir, const char *name, bool create, uint8_t key[DL_KEY_SIZE], bool *created,
                    struct dl_error *err);
