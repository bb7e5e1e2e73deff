/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hmac.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdlib.h>

#include "macro.h"

struct dl_hmac_key {
        EVP_MAC_CTX *base; /* keyed; duplicated for every MAC */
};

struct dl_hmac_key *dl_hmac_key_free(struct dl_hmac_key *k) {
        if (!k)
                return NULL;
        EVP_MAC_CTX_free(k->base);
        free(k);
        return NULL;
}

void dl_hmac_key_freep(struct dl_hmac_key **k) {
        *k = dl_hmac_key_free(*k);
}

int dl_hmac_key_new(const uint8_t key[DL_KEY_SIZE], struct dl_hmac_key **ret) {
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *k = NULL;
        EVP_MAC *mac;
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                OSSL_PARAM_construct_end(),
        };

        k = calloc(1, sizeof(*k));
        if (!k)
                return -ENOMEM;

        mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        if (!mac)
                return -EIO;
        k->base = EVP_MAC_CTX_new(mac);
        EVP_MAC_free(mac); /* the context keeps its own reference */
        if (!k->base)
                return -ENOMEM;
        if (EVP_MAC_init(k->base, key, DL_KEY_SIZE, params) != 1)
                return -EIO;

        *ret = TAKE_PTR(k);
        return 0;
}

int dl_hmac(const struct dl_hmac_key *k, const struct dl_hmac_part *parts, size_t n,
            uint8_t out[DL_MAC_SIZE]) {
        EVP_MAC_CTX *ctx;
        size_t outl = 0;
        int r = 0;

        ctx = EVP_MAC_CTX_dup(k->base);
        if (!ctx)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (EVP_MAC_update(ctx, parts[i].data, parts[i].size) != 1) {
                        r = -EIO;
                        goto out;
                }
        if (EVP_MAC_final(ctx, out, &outl, DL_MAC_SIZE) != 1 || outl != DL_MAC_SIZE)
                r = -EIO;
out:
        EVP_MAC_CTX_free(ctx);
        return r;
}

int dl_mac_equal(const uint8_t a[DL_MAC_SIZE], const uint8_t b[DL_MAC_SIZE]) {
        return CRYPTO_memcmp(a, b, DL_MAC_SIZE) == 0;
}
