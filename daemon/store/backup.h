/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Backup and restore of the whole store: the database as stored (PIN MACs,
 * never PINs), the PIN and audit keys, the emergency-code secrets, the
 * settings and the audit log, sealed by backup-file.h under a passphrase.
 *
 * A restore is staged in state-dir/restore.new and checked there by opening
 * it as a store (integrity, keys against the database, migrations, the
 * audit chain) before anything live is touched.  Renaming it to
 * restore.ready is the commit point; the files are then moved into place,
 * and dl_store_open() finishes a move that a power cut interrupted. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backup-file.h"
#include "error.h"
#include "restore-files.h"
#include "store.h"

/* Write all of buf to fd and fsync it (a sealed backup, a staged file). */
int dl_backup_write(int fd, const uint8_t *buf, size_t size);

/* Seal the store's current state (audited as "backup", an entry the backup
 * itself holds).  kdf NULL: the default. */
int dl_store_backup(struct dl_store *s, const char *passphrase, const struct dl_backup_kdf *kdf,
                    const struct dl_actor *actor, uint8_t **ret, size_t *ret_size, struct dl_error *err);

struct dl_restore_info {
        int64_t created; /* when the backup was made */
        unsigned codes;
        unsigned issuers; /* besides the gateway's own */
};

/* Replace the store's whole state with a backup's.  The store object stays
 * the same; its contents are those of the backup afterwards (plus a
 * "restore" audit entry).  Without force, a store holding codes or
 * emergency issuers (besides the gateway's own) is refused with kind
 * NotEmpty.  Refusals leave everything as it was (a "restore-refused"
 * entry is logged):
 *   -EBADMSG [BackupDamaged], -EPROTONOSUPPORT [BackupTooNew],
 *   -EKEYREJECTED [WrongPassphrase], -ENOTEMPTY [NotEmpty]
 * -ENOTRECOVERABLE: failed after the commit point; the store is closed and
 * the caller must exit; the next dl_store_open() completes the restore. */
int dl_store_restore(struct dl_store *s, const uint8_t *buf, size_t size, const char *passphrase, bool force,
                     const struct dl_actor *actor, struct dl_restore_info *ret, struct dl_error *err);
