/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HMAC-SHA256 under a 256-bit key, through OpenSSL 3's EVP_MAC.
 *
 * The key is loaded into an EVP_MAC_CTX once; each MAC duplicates that
 * context, so a PIN check costs one dup, one update and one final instead of
 * a fetch and a key schedule. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define DL_KEY_SIZE 32
#define DL_MAC_SIZE 32

struct dl_hmac_key;

struct dl_hmac_part {
        const void *data;
        size_t size;
};

/* -ENOMEM, or -EIO when OpenSSL refuses. */
int dl_hmac_key_new(const uint8_t key[DL_KEY_SIZE], struct dl_hmac_key **ret);
struct dl_hmac_key *dl_hmac_key_free(struct dl_hmac_key *k);
void dl_hmac_key_freep(struct dl_hmac_key **k);

/* MAC over the concatenation of n parts. */
int dl_hmac(const struct dl_hmac_key *k, const struct dl_hmac_part *parts, size_t n,
            uint8_t out[DL_MAC_SIZE]);

/* Constant-time comparison of two MACs. */
int dl_mac_equal(const uint8_t a[DL_MAC_SIZE], const uint8_t b[DL_MAC_SIZE]);
