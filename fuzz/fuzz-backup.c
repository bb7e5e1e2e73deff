/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The backup file reader's pure parts (daemon/core/backup-file.h): the
 * clear header and the decrypted payload.  The KDF and the cipher between
 * them are left out (one scrypt per input would make fuzzing crawl; and
 * nothing reaches the payload parser without the passphrase anyway).
 *
 * Input: the first byte (mod 3) picks what the rest is: 'H' a whole file
 * for the header parser; 'I' a file without its final SHA-256, which is
 * computed and appended (the fuzzer cannot forge a checksum, so this is
 * how it gets past it to the bounds checks); 'P' a payload for the
 * payload parser. */
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "backup-file.h"
#include "fuzz-util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc, (void)argv;
        return 0;
}

static void header(const uint8_t *buf, size_t size) {
        struct dl_backup_header h;
        struct dl_error err = {};
        int r;

        r = dl_backup_header_parse(buf, size, &h, &err);
        if (r < 0) {
                if (r != -EBADMSG && r != -EPROTONOSUPPORT)
                        abort();
                return;
        }
        /* What the KDF and the cipher get next is within bounds. */
        if (h.kdf.log2_n < DL_BACKUP_LOG2_N_MIN || h.kdf.log2_n > DL_BACKUP_LOG2_N_MAX ||
            (uint64_t)128 * h.kdf.r * ((uint64_t)1 << h.kdf.log2_n) > DL_BACKUP_KDF_MEM_MAX ||
            h.payload_length > DL_BACKUP_PAYLOAD_MAX ||
            (uint64_t)size !=
                    DL_BACKUP_HEADER_SIZE + h.payload_length + DL_BACKUP_TAG_SIZE + DL_BACKUP_SUM_SIZE)
                abort();
}

static void payload(const uint8_t *buf, size_t size) {
        struct dl_backup b = {};
        struct dl_error err = {};
        int r;

        r = dl_backup_payload_parse(buf, size, &b, &err);
        if (r < 0) {
                if (r != -EBADMSG && r != -ENOMEM)
                        abort();
                dl_backup_done(&b);
                return;
        }
        /* Only names a restore may write, each once. */
        if (b.n_entries > DL_BACKUP_ENTRIES_MAX)
                abort();
        for (size_t i = 0; i < b.n_entries; i++) {
                const struct dl_backup_entry *e = &b.entries[i];

                if (!dl_backup_name_valid(e->name, strlen(e->name)) || dl_backup_find(&b, e->name) != e ||
                    (e->size > 0 && !e->data))
                        abort();
        }
        dl_backup_done(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *copy;
        size_t n = size - 1, extra;

        if (size == 0 || size > 1 << 20)
                return 0;
        extra = data[0] % 3 == 1 ? DL_BACKUP_SUM_SIZE : 0;
        /* An exactly sized copy of the rest, so reads past it are caught. */
        copy = malloc(n + extra ? n + extra : 1);
        if (!copy)
                abort();
        memcpy(copy, data + 1, n);
        if (extra)
                SHA256(copy, n, copy + n);
        if (data[0] % 3 == 2)
                payload(copy, n);
        else
                header(copy, n + extra);
        free(copy);
        return 0;
}
