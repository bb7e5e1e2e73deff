/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "backup-file.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

#define KEY_SIZE 32u
#define REQUIRED_DB "doorlockd.db"
#define REQUIRED_PIN_KEY "pin.key"
#define REQUIRED_AUDIT_KEY "audit.key"
#define EMERGENCY_PREFIX "emergency/"

/* Header layout (offsets). */
enum {
        OFF_MAGIC = 0,     /* 8 */
        OFF_FORMAT = 8,    /* be16 */
        OFF_KDF = 10,      /* u8 */
        OFF_LOG2N = 11,    /* u8 */
        OFF_R = 12,        /* u8 */
        OFF_P = 13,        /* u8 */
        OFF_RESERVED = 14, /* 2 zero bytes */
        OFF_SALT = 16,     /* 16 */
        OFF_NONCE = 32,    /* 12 */
        OFF_CREATED = 44,  /* be64 */
        OFF_SCHEMA = 52,   /* be32 */
        OFF_LENGTH = 56,   /* be64 */
};

static const uint8_t magic[8] = { 'D', 'L', 'B', 'A', 'C', 'K', 'U', 'P' };

static void put_be(uint8_t *p, uint64_t v, unsigned bytes) {
        for (unsigned i = 0; i < bytes; i++)
                p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, unsigned bytes) {
        uint64_t v = 0;

        for (unsigned i = 0; i < bytes; i++)
                v = (v << 8) | p[i];
        return v;
}

static int damaged(struct dl_error *err, const char *what) {
        dl_error_set(err, -EBADMSG, "The backup file is damaged: %s", what);
        return dl_error_kind(err, "BackupDamaged", -EBADMSG);
}

void dl_backup_kdf_default(struct dl_backup_kdf *k) {
        *k = (struct dl_backup_kdf){ .log2_n = 15, .r = 8, .p = 1 };
}

static bool kdf_valid(const struct dl_backup_kdf *k) {
        if (k->log2_n < DL_BACKUP_LOG2_N_MIN || k->log2_n > DL_BACKUP_LOG2_N_MAX)
                return false;
        if (k->r < 1 || k->r > 32 || k->p < 1 || k->p > 4)
                return false;
        return (uint64_t)128 * k->r * ((uint64_t)1 << k->log2_n) <= DL_BACKUP_KDF_MEM_MAX;
}

bool dl_backup_name_valid(const char *name, size_t len) {
        static const char *const fixed[] = { REQUIRED_DB, REQUIRED_PIN_KEY, REQUIRED_AUDIT_KEY };
        const size_t plen = strlen(EMERGENCY_PREFIX), slen = strlen(".key");
        uint64_t id = 0;

        if (len == 0 || len > DL_BACKUP_NAME_MAX || memchr(name, '\0', len))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(fixed); i++)
                if (len == strlen(fixed[i]) && memcmp(name, fixed[i], len) == 0)
                        return true;
        /* emergency/<id>.key: 1-10 digits, no leading zero but "0", id < 2^32 */
        if (len <= plen + slen || memcmp(name, EMERGENCY_PREFIX, plen) != 0 ||
            memcmp(name + len - slen, ".key", slen) != 0)
                return false;
        name += plen;
        len -= plen + slen;
        if (len > 10 || (len > 1 && name[0] == '0'))
                return false;
        for (size_t i = 0; i < len; i++) {
                if (name[i] < '0' || name[i] > '9')
                        return false;
                id = id * 10 + (uint64_t)(name[i] - '0');
        }
        return id <= UINT32_MAX;
}

const struct dl_backup_entry *dl_backup_find(const struct dl_backup *b, const char *name) {
        for (size_t i = 0; i < b->n_entries; i++)
                if (strcmp(b->entries[i].name, name) == 0)
                        return &b->entries[i];
        return NULL;
}

int dl_backup_add(struct dl_backup *b, const char *name, const void *data, size_t size,
                  struct dl_error *err) {
        struct dl_backup_entry *e;
        size_t len = strlen(name);

        if (!dl_backup_name_valid(name, len))
                return dl_error_set(err, -EINVAL, "'%s' cannot be part of a backup", name);
        if (dl_backup_find(b, name))
                return dl_error_set(err, -EEXIST, "'%s' is in the backup twice", name);
        if (b->n_entries >= DL_BACKUP_ENTRIES_MAX)
                return dl_error_set(err, -E2BIG, "Too many files for one backup");
        e = realloc(b->entries, (b->n_entries + 1) * sizeof(*e));
        if (!e)
                return -ENOMEM;
        b->entries = e;
        e = &b->entries[b->n_entries];
        *e = (struct dl_backup_entry){ .size = size };
        memcpy(e->name, name, len + 1);
        e->data = malloc(size ? size : 1);
        if (!e->data)
                return -ENOMEM;
        if (size)
                memcpy(e->data, data, size);
        b->n_entries++;
        return 0;
}

void dl_backup_done(struct dl_backup *b) {
        for (size_t i = 0; i < b->n_entries; i++) {
                secure_zero(b->entries[i].data, b->entries[i].size);
                free(b->entries[i].data);
        }
        free(b->entries);
        *b = (struct dl_backup){};
}

int dl_backup_passphrase_check(const char *passphrase, struct dl_error *err) {
        size_t n = passphrase ? strnlen(passphrase, DL_BACKUP_PASSPHRASE_MAX + 1) : 0;

        if (n < DL_BACKUP_PASSPHRASE_MIN) {
                dl_error_set(err, -EINVAL, "The passphrase must have at least %u characters",
                             DL_BACKUP_PASSPHRASE_MIN);
                return dl_error_kind(err, "WeakPassphrase", -EINVAL);
        }
        if (n > DL_BACKUP_PASSPHRASE_MAX) {
                return dl_error_set(err, -EINVAL, "The passphrase is longer than %u bytes",
                                    DL_BACKUP_PASSPHRASE_MAX);
        }
        return 0;
}

static int derive_key(const char *passphrase, const uint8_t salt[DL_BACKUP_SALT_SIZE],
                      const struct dl_backup_kdf *k, uint8_t key[KEY_SIZE]) {
        EVP_KDF *kdf;
        EVP_KDF_CTX *ctx;
        uint64_t n = (uint64_t)1 << k->log2_n;
        uint32_t r = k->r, p = k->p;
        uint64_t maxmem = DL_BACKUP_KDF_MEM_MAX * 2;
        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)passphrase,
                                                  strlen(passphrase)),
                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, DL_BACKUP_SALT_SIZE),
                OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
                OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
                OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
                OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
                OSSL_PARAM_construct_end(),
        };
        int r2 = 0;

        kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
        if (!kdf)
                return -EIO;
        ctx = EVP_KDF_CTX_new(kdf);
        EVP_KDF_free(kdf);
        if (!ctx)
                return -ENOMEM;
        if (EVP_KDF_derive(ctx, key, KEY_SIZE, params) != 1)
                r2 = -EIO;
        EVP_KDF_CTX_free(ctx);
        return r2;
}

static void cipher_ctx_freep(EVP_CIPHER_CTX **c) {
        EVP_CIPHER_CTX_free(*c);
}

/* AES-256-GCM over in (n bytes) into out; encrypt writes tag, decrypt
 * checks it (-EKEYREJECTED when it does not hold). */
static int gcm(bool encrypt, const uint8_t key[KEY_SIZE], const uint8_t nonce[DL_BACKUP_NONCE_SIZE],
               const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t n, uint8_t *out,
               uint8_t tag[DL_BACKUP_TAG_SIZE]) {
        _cleanup_(cipher_ctx_freep) EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        int len, (*update)(EVP_CIPHER_CTX *, unsigned char *, int *, const unsigned char *, int);
        size_t done = 0;

        if (!c)
                return -ENOMEM;
        if (EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, encrypt) != 1 ||
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, DL_BACKUP_NONCE_SIZE, NULL) != 1 ||
            EVP_CipherInit_ex(c, NULL, NULL, key, nonce, encrypt) != 1)
                return -EIO;
        update = encrypt ? EVP_EncryptUpdate : EVP_DecryptUpdate;
        if (update(c, NULL, &len, aad, (int)aad_len) != 1)
                return -EIO;
        while (done < n) {
                int chunk = (int)MIN(n - done, (size_t)1 << 30);

                if (update(c, out + done, &len, in + done, chunk) != 1)
                        return -EIO;
                done += (size_t)len;
        }
        if (encrypt) {
                if (EVP_EncryptFinal_ex(c, out + done, &len) != 1 ||
                    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, DL_BACKUP_TAG_SIZE, tag) != 1)
                        return -EIO;
                return 0;
        }
        if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, DL_BACKUP_TAG_SIZE, tag) != 1)
                return -EIO;
        if (EVP_DecryptFinal_ex(c, out + done, &len) != 1)
                return -EKEYREJECTED;
        return 0;
}

static int sha256(const uint8_t *p, size_t n, uint8_t out[DL_BACKUP_SUM_SIZE]) {
        unsigned len = 0;

        if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 || len != DL_BACKUP_SUM_SIZE)
                return -EIO;
        return 0;
}

static size_t payload_size(const struct dl_backup *b) {
        size_t n = 0;

        for (size_t i = 0; i < b->n_entries; i++)
                n += 2 + strlen(b->entries[i].name) + 4 + b->entries[i].size;
        return n;
}

int dl_backup_seal(const struct dl_backup *b, const char *passphrase, const struct dl_backup_kdf *kdf,
                   uint8_t **ret, size_t *ret_size, struct dl_error *err) {
        _cleanup_free_ uint8_t *out = NULL;
        uint8_t *plain = NULL, *h, key[KEY_SIZE];
        size_t n = payload_size(b), total, off = 0;
        int r;

        r = dl_backup_passphrase_check(passphrase, err);
        if (r < 0)
                return r;
        if (!kdf_valid(kdf))
                return dl_error_set(err, -EINVAL, "Invalid scrypt parameters");
        if (n > DL_BACKUP_PAYLOAD_MAX)
                return dl_error_set(err, -EFBIG, "The state is too large for a backup (%zu bytes)", n);
        total = DL_BACKUP_HEADER_SIZE + n + DL_BACKUP_TAG_SIZE + DL_BACKUP_SUM_SIZE;
        out = calloc(1, total);
        plain = malloc(n ? n : 1);
        if (!out || !plain) {
                free(plain);
                return -ENOMEM;
        }

        for (size_t i = 0; i < b->n_entries; i++) {
                const struct dl_backup_entry *e = &b->entries[i];
                size_t len = strnlen(e->name, sizeof(e->name));

                put_be(plain + off, len, 2);
                memcpy(plain + off + 2, e->name, len);
                put_be(plain + off + 2 + len, e->size, 4);
                memcpy(plain + off + 6 + len, e->data, e->size);
                off += 6 + len + e->size;
        }

        h = out;
        memcpy(h + OFF_MAGIC, magic, sizeof(magic));
        put_be(h + OFF_FORMAT, DL_BACKUP_FORMAT, 2);
        h[OFF_KDF] = DL_BACKUP_KDF_SCRYPT;
        h[OFF_LOG2N] = kdf->log2_n;
        h[OFF_R] = kdf->r;
        h[OFF_P] = kdf->p;
        put_be(h + OFF_CREATED, (uint64_t)b->created, 8);
        put_be(h + OFF_SCHEMA, b->schema, 4);
        put_be(h + OFF_LENGTH, n, 8);
        if (RAND_bytes(h + OFF_SALT, DL_BACKUP_SALT_SIZE) != 1 ||
            RAND_bytes(h + OFF_NONCE, DL_BACKUP_NONCE_SIZE) != 1)
                r = -EIO;
        if (r >= 0)
                r = derive_key(passphrase, h + OFF_SALT, kdf, key);
        if (r >= 0)
                r = gcm(true, key, h + OFF_NONCE, h, DL_BACKUP_HEADER_SIZE, plain, n,
                        out + DL_BACKUP_HEADER_SIZE, out + DL_BACKUP_HEADER_SIZE + n);
        if (r >= 0)
                r = sha256(out, total - DL_BACKUP_SUM_SIZE, out + total - DL_BACKUP_SUM_SIZE);
        secure_zero(key, sizeof(key));
        secure_zero(plain, n);
        free(plain);
        if (r < 0)
                return dl_error_set(err, r, "Cannot encrypt the backup");

        *ret = TAKE_PTR(out);
        *ret_size = total;
        return 0;
}

int dl_backup_header_parse(const uint8_t *buf, size_t size, struct dl_backup_header *ret,
                           struct dl_error *err) {
        struct dl_backup_header h = {};
        uint8_t sum[DL_BACKUP_SUM_SIZE];
        const size_t overhead = DL_BACKUP_HEADER_SIZE + DL_BACKUP_TAG_SIZE + DL_BACKUP_SUM_SIZE;

        if (size < sizeof(magic) || memcmp(buf, magic, sizeof(magic)) != 0) {
                dl_error_set(err, -EBADMSG, "This is not a doorlockd backup file");
                return dl_error_kind(err, "BackupDamaged", -EBADMSG);
        }
        /* Every format keeps the magic, the format number and the trailing
         * checksum where they are, so damage is told apart from a newer
         * format before anything else is read. */
        if (size < OFF_FORMAT + 2 + DL_BACKUP_SUM_SIZE)
                return damaged(err, "truncated");
        if (sha256(buf, size - DL_BACKUP_SUM_SIZE, sum) < 0)
                return dl_error_set(err, -EIO, "Cannot compute SHA-256");
        if (CRYPTO_memcmp(sum, buf + size - DL_BACKUP_SUM_SIZE, DL_BACKUP_SUM_SIZE) != 0)
                return damaged(err, "truncated, or checksum mismatch");
        h.format = (uint16_t)get_be(buf + OFF_FORMAT, 2);
        if (h.format > DL_BACKUP_FORMAT) {
                dl_error_set(err, -EPROTONOSUPPORT,
                             "This backup was made by a newer doorlockd (file format %u; this one reads "
                             "format %u)",
                             h.format, DL_BACKUP_FORMAT);
                return dl_error_kind(err, "BackupTooNew", -EPROTONOSUPPORT);
        }
        if (h.format == 0)
                return damaged(err, "format 0");
        if (size < overhead)
                return damaged(err, "too short");
        h.payload_length = get_be(buf + OFF_LENGTH, 8);
        if (h.payload_length != size - overhead)
                return damaged(err, "length does not match the header");
        if (h.payload_length > DL_BACKUP_PAYLOAD_MAX)
                return damaged(err, "larger than any backup doorlockd writes");

        if (buf[OFF_KDF] != DL_BACKUP_KDF_SCRYPT)
                return damaged(err, "unknown key derivation");
        h.kdf = (struct dl_backup_kdf){ .log2_n = buf[OFF_LOG2N], .r = buf[OFF_R], .p = buf[OFF_P] };
        if (!kdf_valid(&h.kdf))
                return damaged(err, "scrypt parameters out of bounds");
        if (buf[OFF_RESERVED] || buf[OFF_RESERVED + 1])
                return damaged(err, "reserved bytes set");
        memcpy(h.salt, buf + OFF_SALT, DL_BACKUP_SALT_SIZE);
        memcpy(h.nonce, buf + OFF_NONCE, DL_BACKUP_NONCE_SIZE);
        h.created = (int64_t)get_be(buf + OFF_CREATED, 8);
        h.schema = (uint32_t)get_be(buf + OFF_SCHEMA, 4);
        if (h.created < 0 || h.schema == 0)
                return damaged(err, "impossible creation time or schema");

        *ret = h;
        return 0;
}

static int parse_entries(const uint8_t *buf, size_t size, struct dl_backup *b, struct dl_error *err) {
        size_t off = 0;

        while (off < size) {
                char name[DL_BACKUP_NAME_MAX + 1];
                size_t len, dlen;
                int r;

                if (size - off < 2)
                        return damaged(err, "entry cut short");
                len = (size_t)get_be(buf + off, 2);
                off += 2;
                if (len > size - off || !dl_backup_name_valid((const char *)buf + off, len))
                        return damaged(err, "an entry has an invalid name");
                memcpy(name, buf + off, len);
                name[len] = '\0';
                off += len;
                if (size - off < 4)
                        return damaged(err, "entry cut short");
                dlen = (size_t)get_be(buf + off, 4);
                off += 4;
                if (dlen > size - off)
                        return damaged(err, "entry cut short");
                if (dl_backup_find(b, name))
                        return damaged(err, "an entry appears twice");
                r = dl_backup_add(b, name, buf + off, dlen, err);
                if (r < 0)
                        return r == -ENOMEM ? r : damaged(err, "too many entries");
                off += dlen;
        }
        if (!dl_backup_find(b, REQUIRED_DB) || !dl_backup_find(b, REQUIRED_PIN_KEY) ||
            !dl_backup_find(b, REQUIRED_AUDIT_KEY))
                return damaged(err, "the database or a key is missing");
        return 0;
}

int dl_backup_payload_parse(const uint8_t *buf, size_t size, struct dl_backup *ret, struct dl_error *err) {
        struct dl_backup b = {};
        int r;

        r = parse_entries(buf, size, &b, err);
        if (r < 0) {
                dl_backup_done(&b);
                return r;
        }
        *ret = b;
        return 0;
}

int dl_backup_open(const uint8_t *buf, size_t size, const char *passphrase, struct dl_backup *ret,
                   struct dl_error *err) {
        struct dl_backup_header h;
        uint8_t key[KEY_SIZE], tag[DL_BACKUP_TAG_SIZE];
        uint8_t *plain;
        int r = dl_backup_header_parse(buf, size, &h, err);

        if (r < 0)
                return r;
        if (!passphrase || !*passphrase) {
                dl_error_set(err, -EKEYREJECTED, "Wrong passphrase");
                return dl_error_kind(err, "WrongPassphrase", -EKEYREJECTED);
        }
        plain = malloc(h.payload_length ? h.payload_length : 1);
        if (!plain)
                return -ENOMEM;
        memcpy(tag, buf + DL_BACKUP_HEADER_SIZE + h.payload_length, DL_BACKUP_TAG_SIZE);
        r = derive_key(passphrase, h.salt, &h.kdf, key);
        if (r >= 0)
                r = gcm(false, key, h.nonce, buf, DL_BACKUP_HEADER_SIZE, buf + DL_BACKUP_HEADER_SIZE,
                        h.payload_length, plain, tag);
        secure_zero(key, sizeof(key));
        if (r == -EKEYREJECTED) {
                dl_error_set(err, r, "Wrong passphrase (or the file was altered by someone)");
                r = dl_error_kind(err, "WrongPassphrase", r);
        } else if (r < 0) {
                r = dl_error_set(err, r, "Cannot decrypt the backup");
        } else {
                r = dl_backup_payload_parse(plain, h.payload_length, ret, err);
                if (r >= 0) {
                        ret->created = h.created;
                        ret->schema = h.schema;
                }
        }
        secure_zero(plain, h.payload_length);
        free(plain);
        return r;
}
