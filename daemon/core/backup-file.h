/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The backup file: a set of named files (the database, the keys, the
 * emergency-code secrets), sealed under a passphrase.
 *
 *   header (64 bytes, in clear, authenticated as AES-GCM's AAD)
 *   ciphertext of the payload (AES-256-GCM, key = scrypt(passphrase, salt))
 *   GCM tag (16 bytes)
 *   SHA-256 of everything before it (32 bytes, unkeyed: tells a damaged
 *   file from a wrong passphrase)
 *
 * The payload is a sequence of entries: be16 name length, name, be32 data
 * length, data.  docs/backup.md is the full specification.
 *
 * Reading is split so each step can be tested and fuzzed alone: the header
 * parser and the payload parser are pure; only dl_backup_open() runs the
 * KDF and the cipher. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define DL_BACKUP_MAGIC "DLBACKUP"
#define DL_BACKUP_FORMAT 1u
#define DL_BACKUP_HEADER_SIZE 64u
#define DL_BACKUP_TAG_SIZE 16u
#define DL_BACKUP_SUM_SIZE 32u
#define DL_BACKUP_SALT_SIZE 16u
#define DL_BACKUP_NONCE_SIZE 12u
#define DL_BACKUP_KDF_SCRYPT 1u
/* Bounds on what a file may ask of the KDF (128 * r * 2^log2_n bytes). */
#define DL_BACKUP_LOG2_N_MIN 10u
#define DL_BACKUP_LOG2_N_MAX 20u
#define DL_BACKUP_KDF_MEM_MAX ((uint64_t)128 << 20)
/* 64 MiB of payload: a full audit log is about 3 MiB. */
#define DL_BACKUP_PAYLOAD_MAX ((uint64_t)64 << 20)
#define DL_BACKUP_ENTRIES_MAX 4200u
#define DL_BACKUP_NAME_MAX 64u
#define DL_BACKUP_PASSPHRASE_MIN 8u
#define DL_BACKUP_PASSPHRASE_MAX 1024u

struct dl_backup_kdf {
        uint8_t log2_n; /* 15: 32 MiB with r = 8 */
        uint8_t r;      /* 8 */
        uint8_t p;      /* 1 */
};

struct dl_backup_header {
        uint16_t format;
        struct dl_backup_kdf kdf;
        uint8_t salt[DL_BACKUP_SALT_SIZE];
        uint8_t nonce[DL_BACKUP_NONCE_SIZE];
        int64_t created;         /* µs since the epoch, when written */
        uint32_t schema;         /* database schema version inside */
        uint64_t payload_length; /* bytes of ciphertext */
};

struct dl_backup_entry {
        char name[DL_BACKUP_NAME_MAX + 1];
        uint8_t *data;
        size_t size;
};

struct dl_backup {
        int64_t created;
        uint32_t schema;
        struct dl_backup_entry *entries;
        size_t n_entries;
};

void dl_backup_kdf_default(struct dl_backup_kdf *k);

/* Is this a name a backup may carry?  "doorlockd.db", "pin.key",
 * "audit.key" and "emergency/<decimal id>.key"; nothing else, so a restore
 * can never write outside the state directory. */
bool dl_backup_name_valid(const char *name, size_t len);

/* Add a copy of data under name (the name must be valid and new). */
int dl_backup_add(struct dl_backup *b, const char *name, const void *data, size_t size,
                  struct dl_error *err);
const struct dl_backup_entry *dl_backup_find(const struct dl_backup *b, const char *name);
/* Wipe and free every entry (they hold keys). */
void dl_backup_done(struct dl_backup *b);

/* Check the passphrase rules (length, no NUL, valid UTF-8 is not asked). */
int dl_backup_passphrase_check(const char *passphrase, struct dl_error *err);

/* Seal b under passphrase into a new buffer.  created/schema come from b. */
int dl_backup_seal(const struct dl_backup *b, const char *passphrase, const struct dl_backup_kdf *kdf,
                   uint8_t **ret, size_t *ret_size, struct dl_error *err);

/* Read and check the clear part of a file: magic, format, bounds, length
 * and checksum.  Pure.  Errors (err->kind in brackets):
 *   -EBADMSG [BackupDamaged]      not a backup, truncated, or damaged
 *   -EPROTONOSUPPORT [BackupTooNew] a format this doorlockd cannot read */
int dl_backup_header_parse(const uint8_t *buf, size_t size, struct dl_backup_header *ret,
                           struct dl_error *err);

/* Split a decrypted payload into entries (copies).  Pure.
 *   -EBADMSG [BackupDamaged] bad framing, a name outside the allowed set,
 *   a duplicate, or a required file missing. */
int dl_backup_payload_parse(const uint8_t *buf, size_t size, struct dl_backup *ret, struct dl_error *err);

/* Header, then KDF and decryption, then the payload.  On top of the header
 * parser's errors:
 *   -EKEYREJECTED [WrongPassphrase] the checksum holds but the tag does
 *   not: the passphrase is wrong (or the file was forged). */
int dl_backup_open(const uint8_t *buf, size_t size, const char *passphrase, struct dl_backup *ret,
                   struct dl_error *err);
